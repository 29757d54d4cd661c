use auth0_runtime::{Claims, Verifier, protected};
use axum::Router;
use axum::routing::get;

#[derive(Claims)]
#[claims(namespace = "https://myapp.example.com/")]
struct Profile {
    sub: String,
    scope: Option<String>,
    #[claims(default)]
    permissions: Vec<String>,
    #[claims(namespaced, default)]
    roles: Vec<String>,
    #[claims(namespaced, rename = "employee-id")]
    employee_id: Option<u64>,
    #[claims(rename = "full-name")]
    full_name: std::option::Option<String>,
    r#type: Option<String>,
    email_verified: ::core::option::Option<bool>,
}

#[protected]
async fn profile(profile: Profile) -> String {
    format!(
        "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        profile.sub,
        profile.scope,
        profile.permissions,
        profile.roles,
        profile.employee_id,
        profile.full_name,
        profile.r#type,
        profile.email_verified
    )
}

// The derived type is an extractor without any handler attribute, too.
async fn plain(profile: Profile) -> String {
    profile.sub
}

fn main() {
    let _app: Router<Verifier> = Router::new()
        .route("/profile", get(profile))
        .route("/plain", get(plain));
}
