use auth0_runtime::Claims;

struct Opaque;

#[derive(Claims)]
struct Profile {
    sub: String,
    opaque: Opaque,
}

fn main() {}
