use auth0_runtime::protected;

struct Api;

impl Api {
    #[protected]
    async fn handler() -> &'static str {
        "secret"
    }
}

fn main() {}
