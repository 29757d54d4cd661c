use auth0_runtime::Claims;

#[derive(Claims)]
#[claims(namespace = "myapp.example.com")]
struct Profile {
    #[claims(namespaced)]
    roles: Vec<String>,
}

fn main() {}
