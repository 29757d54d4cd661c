use auth0_runtime::requires_any_permission;

#[requires_any_permission("read:reports", "read:reports")]
async fn handler() -> &'static str {
    "reports"
}

fn main() {}
