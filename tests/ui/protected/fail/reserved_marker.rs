// The marker that stacked attributes leave behind cannot switch the guard off.
use auth0_runtime::protected;

#[protected(__auth0_already_applied)]
async fn handler() -> &'static str {
    "secret"
}

fn main() {}
