use auth0_runtime::Claims;

#[derive(Claims)]
enum Role {
    Admin,
}

fn main() {}
