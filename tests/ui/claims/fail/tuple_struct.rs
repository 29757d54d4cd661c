use auth0_runtime::Claims;

#[derive(Claims)]
struct Subject(String);

fn main() {}
