use auth0_runtime::requires_scope;

#[requires_scope]
async fn handler() -> &'static str {
    "secret"
}

fn main() {}
