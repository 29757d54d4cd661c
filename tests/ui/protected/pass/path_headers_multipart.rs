// Arguments keep the user's own patterns, including destructuring and `mut`.
use auth0_runtime::{Verifier, protected};
use axum::Router;
use axum::extract::{Multipart, Path};
use axum::http::HeaderMap;
use axum::routing::{get, post};

#[protected]
async fn add(Path((a, b)): Path<(u32, u32)>, _: HeaderMap) -> String {
    (a + b).to_string()
}

#[protected]
async fn upload(mut multipart: Multipart) -> String {
    let mut names = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        names.push(field.name().unwrap_or_default().to_owned());
    }
    names.join(",")
}

fn main() {
    let _app: Router<Verifier> = Router::new()
        .route("/add/{a}/{b}", get(add))
        .route("/upload", post(upload));
}
