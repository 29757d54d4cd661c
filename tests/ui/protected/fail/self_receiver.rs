use auth0_runtime::protected;

struct Api;

impl Api {
    #[protected]
    async fn handler(&self) -> &'static str {
        "secret"
    }
}

fn main() {}
