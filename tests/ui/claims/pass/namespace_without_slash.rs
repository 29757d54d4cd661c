// A namespace without a trailing slash gets one `/` before the claim name.
use auth0_runtime::{Claims, Verifier};
use axum::Router;
use axum::routing::get;

#[derive(Claims)]
#[claims(namespace = "http://myapp.example.com:8080/claims")]
#[claims(crate = "auth0_runtime")]
struct Roles {
    #[claims(namespaced)]
    #[claims(default)]
    roles: Vec<String>,
}

async fn roles(roles: Roles) -> String {
    roles.roles.join(",")
}

fn main() {
    let _app: Router<Verifier> = Router::new().route("/roles", get(roles));
}
