use auth0_runtime::Claims;

#[derive(Claims)]
struct Profile {
    #[claims(optional)]
    sub: String,
}

fn main() {}
