use auth0_runtime::Claims;

#[derive(Claims)]
#[claims(namespace = "https://myapp.example.com/?v=1")]
struct Profile {
    #[claims(namespaced)]
    roles: Vec<String>,
}

fn main() {}
