use auth0_runtime::requires_scope;

#[requires_scope("read:\"all\"", "read\\messages", "lire:message\u{e9}s")]
async fn handler() -> &'static str {
    "secret"
}

fn main() {}
