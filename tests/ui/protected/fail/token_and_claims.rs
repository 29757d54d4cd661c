use auth0_runtime::{VerifiedToken, protected};

#[protected]
async fn handler(token: VerifiedToken, claims: auth0_runtime::StandardClaims) -> String {
    format!("{:?} {}", token.subject(), claims.sub)
}

fn main() {}
