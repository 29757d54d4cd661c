use auth0_runtime::protected;

#[protected("read:messages")]
async fn handler() -> &'static str {
    "secret"
}

fn main() {}
