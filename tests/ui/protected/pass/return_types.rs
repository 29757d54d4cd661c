// The return type stays where the user wrote it, including `impl Trait`.
use std::collections::HashMap;

use auth0_runtime::{Verifier, protected};
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

struct AppError;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        StatusCode::NOT_FOUND.into_response()
    }
}

#[protected]
async fn opaque() -> impl IntoResponse {
    "ok"
}

#[protected]
async fn opaque_result(Query(query): Query<HashMap<String, String>>) -> Result<impl IntoResponse, AppError> {
    if query.contains_key("fail") {
        return Err(AppError);
    }
    Ok("ok")
}

#[protected]
async fn tuple_error() -> Result<Json<Value>, (StatusCode, String)> {
    Ok(Json(json!({ "ok": true })))
}

fn main() {
    let _app: Router<Verifier> = Router::new()
        .route("/a", get(opaque))
        .route("/b", get(opaque_result))
        .route("/c", get(tuple_error));
}
