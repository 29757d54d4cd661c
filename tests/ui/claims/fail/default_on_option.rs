use auth0_runtime::Claims;

#[derive(Claims)]
struct Profile {
    #[claims(default)]
    name: Option<String>,
}

fn main() {}
