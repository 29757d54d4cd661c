use auth0_runtime::Claims;

#[derive(Claims)]
struct Profile {
    #[claims(rename = "")]
    name: String,
}

fn main() {}
