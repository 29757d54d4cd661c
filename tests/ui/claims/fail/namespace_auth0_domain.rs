use auth0_runtime::Claims;

#[derive(Claims)]
#[claims(namespace = "https://tenant.eu.Auth0.com/")]
struct Profile {
    #[claims(namespaced)]
    roles: Vec<String>,
}

fn main() {}
