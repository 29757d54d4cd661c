use auth0_runtime::requires_scope;

#[requires_scope(42)]
async fn handler() -> &'static str {
    "secret"
}

fn main() {}
