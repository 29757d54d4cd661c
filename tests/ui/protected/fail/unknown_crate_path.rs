// The generated code uses the `crate` path, so a wrong one fails to resolve.
use auth0_runtime::protected;

#[protected(crate = "no_such_crate")]
async fn handler() -> &'static str {
    "secret"
}

fn main() {}
