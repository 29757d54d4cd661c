use auth0_runtime::Claims;

#[derive(Claims)]
union Either {
    number: u64,
    flag: bool,
}

fn main() {}
