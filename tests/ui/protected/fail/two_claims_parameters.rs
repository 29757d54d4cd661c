use auth0_runtime::{Claims, StandardClaims, protected};

#[derive(Claims)]
struct MyClaims {
    sub: String,
}

#[protected]
async fn handler(claims: StandardClaims, mine: MyClaims) -> String {
    format!("{} {}", claims.sub, mine.sub)
}

fn main() {}
