// A generic claims type, with bounds that the derive adds for its field types.
use auth0_runtime::{Claims, Verifier, protected};
use axum::Router;
use axum::routing::get;
use serde::Deserialize;

#[derive(Deserialize, Debug, Default)]
struct Address {
    country: String,
}

#[derive(Claims)]
#[claims(namespace = "https://myapp.example.com/")]
struct WithExtra<T, U = String>
where
    T: std::fmt::Debug,
{
    sub: String,
    #[claims(namespaced)]
    extra: Option<T>,
    #[claims(namespaced, default)]
    other: U,
}

#[protected]
async fn extra(claims: WithExtra<Address>) -> String {
    format!("{} {:?} {}", claims.sub, claims.extra, claims.other)
}

fn main() {
    let _app: Router<Verifier> = Router::new().route("/extra", get(extra));
}
