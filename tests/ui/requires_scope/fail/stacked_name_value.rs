use auth0_runtime::{protected, requires_scope};

#[protected]
#[requires_scope = "read:messages"]
async fn handler() -> &'static str {
    "secret"
}

fn main() {}
