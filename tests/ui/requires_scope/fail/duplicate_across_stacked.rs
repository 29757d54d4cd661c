use auth0_runtime::requires_scope;

#[requires_scope("read:messages")]
#[requires_scope("write:messages", "read:messages")]
async fn handler() -> &'static str {
    "secret"
}

fn main() {}
