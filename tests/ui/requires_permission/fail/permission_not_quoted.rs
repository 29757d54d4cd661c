use auth0_runtime::requires_permission;

#[requires_permission(delete:messages)]
async fn handler() -> &'static str {
    "deleted"
}

fn main() {}
