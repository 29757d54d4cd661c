use auth0_runtime::requires_any_permission;

#[requires_any_permission]
async fn handler() -> &'static str {
    "reports"
}

fn main() {}
