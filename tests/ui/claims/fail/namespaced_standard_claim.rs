use auth0_runtime::Claims;

#[derive(Claims)]
#[claims(namespace = "https://myapp.example.com/")]
struct Profile {
    #[claims(namespaced)]
    sub: String,
    #[claims(namespaced, rename = "permissions")]
    granted: Vec<String>,
}

fn main() {}
