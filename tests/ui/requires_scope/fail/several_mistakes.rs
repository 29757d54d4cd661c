// Every mistake is reported, not only the first.
use auth0_runtime::requires_scope;

#[requires_scope("", "read messages")]
fn handler() -> &'static str {
    "secret"
}

fn main() {}
