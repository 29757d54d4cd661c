use auth0_runtime::protected;

#[protected(scope = "read:messages")]
async fn handler() -> &'static str {
    "secret"
}

fn main() {}
