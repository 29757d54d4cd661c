use auth0_runtime::requires_any_scope;

#[requires_any_scope("read:messages", "admin", "read:messages")]
async fn handler() -> &'static str {
    "secret"
}

fn main() {}
