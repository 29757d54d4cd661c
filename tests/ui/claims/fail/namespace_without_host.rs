use auth0_runtime::Claims;

#[derive(Claims)]
#[claims(namespace = "https:///roles")]
struct Profile {
    #[claims(namespaced)]
    roles: Vec<String>,
}

fn main() {}
