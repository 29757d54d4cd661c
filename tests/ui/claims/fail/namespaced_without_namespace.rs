use auth0_runtime::Claims;

#[derive(Claims)]
struct Profile {
    sub: String,
    #[claims(namespaced)]
    roles: Vec<String>,
}

fn main() {}
