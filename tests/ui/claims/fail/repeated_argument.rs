use auth0_runtime::Claims;

#[derive(Claims)]
struct Profile {
    #[claims(rename = "name")]
    #[claims(rename = "nickname")]
    display_name: String,
}

fn main() {}
