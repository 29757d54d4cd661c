// Every mistake is reported, not only the first.
use auth0_runtime::Claims;

#[derive(Claims)]
#[claims(namespace = "ftp://myapp.example.com/")]
struct Profile {
    #[claims(namespaced)]
    iss: String,
    #[claims(default)]
    name: Option<String>,
    #[claims(rename = "name")]
    nickname: Option<String>,
}

fn main() {}
