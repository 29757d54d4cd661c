// A generic handler with a `where` clause, routed with a turbofish.
use std::sync::Arc;

use auth0_runtime::{StandardClaims, Verifier, protected};
use axum::extract::{FromRef, State};
use axum::routing::get;
use axum::Router;

trait Repo: Send + Sync + 'static {
    fn list(&self) -> Vec<String>;
}

struct Pg;

impl Repo for Pg {
    fn list(&self) -> Vec<String> {
        vec!["a".to_owned()]
    }
}

#[derive(Clone)]
struct AppState {
    verifier: Verifier,
    repo: Arc<Pg>,
}

impl FromRef<AppState> for Verifier {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

impl FromRef<AppState> for Arc<Pg> {
    fn from_ref(state: &AppState) -> Self {
        state.repo.clone()
    }
}

#[protected]
async fn list<R: Repo>(State(repo): State<Arc<R>>, claims: StandardClaims) -> String
where
    R: ?Sized,
{
    format!("{}: {}", claims.sub, repo.list().join(","))
}

fn main() {
    let _app: Router<AppState> = Router::new().route("/items", get(list::<Pg>));
}
