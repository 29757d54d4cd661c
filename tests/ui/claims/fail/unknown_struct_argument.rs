use auth0_runtime::Claims;

#[derive(Claims)]
#[claims(namespaced)]
struct Profile {
    sub: String,
}

fn main() {}
