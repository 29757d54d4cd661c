use auth0_runtime::Claims;

#[derive(Claims)]
struct Profile<'a> {
    sub: &'a str,
}

fn main() {}
