use auth0_runtime::Claims;

#[derive(Claims)]
#[claims(namespace = "https://myapp.example.com/")]
struct Profile {
    sub: String,
    #[claims(rename = "sub")]
    user_id: String,
    #[claims(namespaced)]
    roles: Vec<String>,
    #[claims(rename = "https://myapp.example.com/roles")]
    raw_roles: Vec<String>,
}

fn main() {}
