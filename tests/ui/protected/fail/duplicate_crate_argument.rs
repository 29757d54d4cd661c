use auth0_runtime::{protected, requires_scope};

#[protected(crate = "auth0_runtime")]
#[requires_scope("read:messages", crate = "auth0_runtime")]
async fn handler() -> &'static str {
    "secret"
}

fn main() {}
