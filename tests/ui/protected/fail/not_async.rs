use auth0_runtime::protected;

#[protected]
fn handler() -> &'static str {
    "secret"
}

fn main() {}
