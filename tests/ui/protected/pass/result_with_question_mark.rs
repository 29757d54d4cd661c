// `?` converts errors with `From`, and an early `return` leaves the handler as usual.
use auth0_runtime::{Verifier, protected};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

enum AppError {
    NotFound,
    BadNumber,
}

impl From<std::num::ParseIntError> for AppError {
    fn from(_: std::num::ParseIntError) -> Self {
        Self::BadNumber
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND.into_response(),
            Self::BadNumber => StatusCode::BAD_REQUEST.into_response(),
        }
    }
}

#[protected]
async fn item(Path(id): Path<String>) -> Result<String, AppError> {
    let id: u32 = id.parse()?;
    if id == 0 {
        return Err(AppError::NotFound);
    }
    Ok(format!("item {id}"))
}

fn main() {
    let _app: Router<Verifier> = Router::new().route("/items/{id}", get(item));
}
