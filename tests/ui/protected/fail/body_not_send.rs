// A body that keeps a non-`Send` value across an `.await` fails where the handler is
// routed, as it does without the attribute.
use std::rc::Rc;

use auth0_runtime::{Verifier, protected};
use axum::Router;
use axum::routing::get;

#[protected]
async fn handler() -> String {
    let counter = Rc::new(1);
    tokio::task::yield_now().await;
    counter.to_string()
}

fn main() {
    let _app: Router<Verifier> = Router::new().route("/", get(handler));
}
