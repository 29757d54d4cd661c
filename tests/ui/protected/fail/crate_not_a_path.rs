use auth0_runtime::protected;

#[protected(crate = "auth0-runtime")]
async fn handler() -> &'static str {
    "secret"
}

fn main() {}
