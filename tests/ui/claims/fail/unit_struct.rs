use auth0_runtime::Claims;

#[derive(Claims)]
struct Nothing;

fn main() {}
