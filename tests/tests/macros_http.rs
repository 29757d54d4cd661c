//! The handler attributes and `#[derive(Claims)]` over real HTTP: a development issuer
//! signs the tokens, the router is served on 127.0.0.1, and reqwest sends the requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use auth0_runtime::dev::{DevIssuer, TokenBuilder};
use auth0_runtime::{
    Claims, Config, StandardClaims, Verifier, protected, requires_any_permission,
    requires_any_scope, requires_permission, requires_scope,
};
use axum::extract::{FromRef, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use reqwest::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

const BEARER_CHALLENGE: &str = r#"Bearer realm="api""#;
const DPOP_CHALLENGE: &str = r#"DPoP algs="ES256""#;
const ROLES_CLAIM: &str = "https://myapp.example.com/roles";

// Handlers of the quickstart API.

async fn public() -> Json<Value> {
    Json(json!({ "message": "public" }))
}

#[protected]
async fn private(claims: StandardClaims) -> Json<Value> {
    Json(json!({ "message": "private", "user_id": claims.sub }))
}

#[requires_scope("read:messages")]
async fn private_scoped(claims: StandardClaims) -> Json<Value> {
    Json(json!({ "message": "private-scoped", "user_id": claims.sub }))
}

// Scopes and permissions, all of and any of.

#[requires_any_scope("read:messages", "admin")]
async fn any_scope() -> &'static str {
    "any scope"
}

#[requires_scope("read:messages", "write:messages")]
async fn all_scopes() -> &'static str {
    "all scopes"
}

#[requires_scope("read:messages")]
#[requires_scope("write:messages")]
async fn stacked_scopes() -> &'static str {
    "stacked scopes"
}

#[requires_permission("read:reports", "export:reports")]
async fn export_reports() -> &'static str {
    "exported"
}

#[requires_any_permission("read:reports", "admin:reports")]
async fn read_reports() -> &'static str {
    "reports"
}

// Claims types.

#[derive(Claims)]
#[claims(namespace = "https://myapp.example.com/")]
struct Profile {
    sub: String,
    gty: Option<String>,
    name: Option<String>,
    email: Option<String>,
    #[claims(default)]
    permissions: Vec<String>,
    #[claims(namespaced, default)]
    roles: Vec<String>,
}

#[protected]
async fn profile(profile: Profile) -> Json<Value> {
    Json(json!({
        "sub": profile.sub,
        "gty": profile.gty,
        "name": profile.name,
        "email": profile.email,
        "permissions": profile.permissions,
        "roles": profile.roles,
    }))
}

#[protected]
async fn admin(profile: Profile) -> Result<&'static str, StatusCode> {
    if profile.roles.iter().any(|role| role == "admin") {
        Ok("admin")
    } else {
        Err(StatusCode::FORBIDDEN)
    }
}

#[derive(Claims)]
#[claims(namespace = "https://myapp.example.com")]
struct Employee {
    #[claims(namespaced, rename = "employee-id")]
    employee_id: u64,
}

#[protected]
async fn employee(employee: Employee) -> String {
    employee.employee_id.to_string()
}

// Handler shapes that must behave like the plain handler once the token is good.

/// How often the body of `item` ran, to show that it never runs without a valid token.
static ITEM_BODY_RUNS: AtomicUsize = AtomicUsize::new(0);

enum AppError {
    NotFound,
    InvalidId,
}

impl From<std::num::ParseIntError> for AppError {
    fn from(_: std::num::ParseIntError) -> Self {
        Self::InvalidId
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            Self::NotFound => (StatusCode::NOT_FOUND, Json(json!({ "error": "not_found" }))),
            Self::InvalidId => (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": "invalid_id" })),
            ),
        }
        .into_response()
    }
}

#[requires_scope("read:messages")]
async fn item(Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    ITEM_BODY_RUNS.fetch_add(1, Ordering::SeqCst);
    let id: u32 = id.parse()?;
    if id != 1 {
        return Err(AppError::NotFound);
    }
    Ok(Json(json!({ "id": id })))
}

#[requires_scope("read:messages")]
async fn add(Path((a, b)): Path<(u32, u32)>, _: HeaderMap) -> String {
    (a + b).to_string()
}

#[requires_scope("read:messages")]
async fn bare() -> &'static str {
    "bare"
}

#[requires_scope("read:messages")]
async fn echo(Json(body): Json<Value>) -> Json<Value> {
    Json(body)
}

#[derive(Deserialize)]
struct NewMessage {
    text: String,
}

#[requires_scope("write:messages")]
async fn create_message(
    claims: StandardClaims,
    Json(message): Json<NewMessage>,
) -> (StatusCode, Json<Value>) {
    let body = json!({ "author": claims.sub, "text": message.text });
    (StatusCode::CREATED, Json(body))
}

#[protected]
async fn accepted() -> impl IntoResponse {
    (StatusCode::ACCEPTED, "accepted")
}

#[protected]
async fn conflict() -> Result<Json<Value>, (StatusCode, String)> {
    Err((StatusCode::CONFLICT, "conflict".to_owned()))
}

/// A deprecated handler keeps its attribute and still responds.
#[protected]
#[deprecated = "use `/accepted`"]
async fn legacy() -> &'static str {
    "legacy"
}

#[requires_scope("read:messages")]
#[axum::debug_handler(state = AppState)]
async fn debugged(claims: StandardClaims) -> String {
    claims.sub
}

#[protected]
async fn slow(claims: StandardClaims) -> String {
    tokio::time::sleep(Duration::from_millis(5)).await;
    claims.sub
}

trait Repo: Send + Sync + 'static {
    fn names(&self) -> Vec<String>;
}

struct MemoryRepo;

impl Repo for MemoryRepo {
    fn names(&self) -> Vec<String> {
        vec!["first".to_owned(), "second".to_owned()]
    }
}

#[protected]
async fn list<R>(State(repo): State<Arc<R>>, claims: StandardClaims) -> Json<Value>
where
    R: Repo + ?Sized,
{
    Json(json!({ "user_id": claims.sub, "names": repo.names() }))
}

/// The runtime crate under another name, as after a rename in Cargo.toml.
mod a0 {
    pub(crate) use auth0_runtime::*;
}

#[a0::requires_scope("read:messages", crate = "a0")]
async fn renamed() -> &'static str {
    "renamed"
}

// The test server.

#[derive(Clone)]
struct AppState {
    verifier: Verifier,
    repo: Arc<MemoryRepo>,
}

impl FromRef<AppState> for Verifier {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

impl FromRef<AppState> for Arc<MemoryRepo> {
    fn from_ref(state: &AppState) -> Self {
        state.repo.clone()
    }
}

fn app(verifier: Verifier) -> Router {
    let state = AppState {
        verifier,
        repo: Arc::new(MemoryRepo),
    };
    // Routing the deprecated handler is the point of this route.
    #[allow(deprecated)]
    let legacy_route = get(legacy);
    Router::new()
        .route("/api/public", get(public))
        .route("/api/private", get(private))
        .route("/api/private-scoped", get(private_scoped))
        .route("/any-scope", get(any_scope))
        .route("/all-scopes", get(all_scopes))
        .route("/stacked-scopes", get(stacked_scopes))
        .route("/reports/export", get(export_reports))
        .route("/reports", get(read_reports))
        .route("/api/profile", get(profile))
        .route("/admin", get(admin))
        .route("/employee", get(employee))
        .route("/items/{id}", get(item))
        .route("/add/{a}/{b}", get(add))
        .route("/bare", get(bare))
        .route("/echo", post(echo))
        .route("/messages", post(create_message))
        .route("/accepted", get(accepted))
        .route("/conflict", get(conflict))
        .route("/legacy", legacy_route)
        .route("/debugged", get(debugged))
        .route("/slow", get(slow))
        .route("/list", get(list::<MemoryRepo>))
        .route("/renamed", get(renamed))
        .with_state(state)
}

/// A development issuer and the test router served against it, until dropped.
struct TestApi {
    issuer: DevIssuer,
    base_url: String,
    client: reqwest::Client,
    server: JoinHandle<()>,
}

impl TestApi {
    async fn start() -> Self {
        let issuer = DevIssuer::start().await.expect("start the dev issuer");
        let config = Config::builder()
            .issuer_base_url(issuer.issuer())
            .audience(issuer.audience())
            .build()
            .expect("build the verifier configuration");
        let verifier = Verifier::new(config).expect("build the verifier");

        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("read the bound address");
        let server = tokio::spawn(async move {
            axum::serve(listener, app(verifier))
                .await
                .expect("serve the test router");
        });

        Self {
            issuer,
            base_url: format!("http://{addr}"),
            client: reqwest::Client::new(),
            server,
        }
    }

    /// Starts a token for the issuer's audience, with no scope.
    fn token(&self) -> TokenBuilder {
        self.issuer.token()
    }

    fn token_with_scope(&self, scope: &str) -> String {
        self.token().scope(scope).sign()
    }

    async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(format!("{}{path}", self.base_url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("send the request")
    }

    async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: &'static str,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base_url))
            .header(CONTENT_TYPE, content_type)
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("send the request")
    }
}

impl Drop for TestApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn challenges(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .map(|value| value.to_str().expect("ASCII challenge").to_owned())
        .collect()
}

async fn json_body(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

/// Checks the response to a request without a token: 401, one challenge per scheme, and
/// no error code.
async fn assert_no_token(response: reqwest::Response, path: &str) {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    assert_eq!(
        challenges(&response),
        [BEARER_CHALLENGE, DPOP_CHALLENGE],
        "{path}"
    );
    assert_eq!(
        json_body(response).await,
        json!({ "error": "unauthorized", "error_description": "an access token is required" }),
        "{path}"
    );
}

/// Checks a 403 for a missing scope, whose challenge names the failed clause's scopes.
async fn assert_insufficient_scope(response: reqwest::Response, path: &str, scope: &str) {
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    assert_eq!(
        challenges(&response),
        [format!(
            r#"Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="{scope}""#
        )],
        "{path}"
    );
    assert_eq!(
        json_body(response).await,
        json!({
            "error": "insufficient_scope",
            "error_description": "the access token lacks a required scope",
        }),
        "{path}"
    );
}

/// Checks a 403 for a missing permission, whose challenge names the failed clause's
/// permissions.
async fn assert_insufficient_permission(response: reqwest::Response, path: &str, scope: &str) {
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    assert_eq!(
        challenges(&response),
        [format!(
            r#"Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required permission", scope="{scope}""#
        )],
        "{path}"
    );
    assert_eq!(
        json_body(response).await,
        json!({
            "error": "insufficient_scope",
            "error_description": "the access token lacks a required permission",
        }),
        "{path}"
    );
}

async fn assert_ok_text(response: reqwest::Response, path: &str, expected: &str) {
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(
        response.text().await.expect("a text body"),
        expected,
        "{path}"
    );
}

#[tokio::test]
async fn quickstart_checklist() {
    let api = TestApi::start().await;

    let response = api.get("/api/public", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json_body(response).await, json!({ "message": "public" }));

    assert_no_token(api.get("/api/private", None).await, "/api/private").await;
    assert_no_token(
        api.get("/api/private-scoped", None).await,
        "/api/private-scoped",
    )
    .await;

    let without_scope = api.token().subject("user-1").sign();
    let response = api.get("/api/private", Some(&without_scope)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json_body(response).await,
        json!({ "message": "private", "user_id": "user-1" })
    );

    let response = api.get("/api/private-scoped", Some(&without_scope)).await;
    assert_insufficient_scope(response, "/api/private-scoped", "read:messages").await;

    let with_scope = api
        .token()
        .subject("user-1")
        .scope("openid read:messages")
        .sign();
    let response = api.get("/api/private-scoped", Some(&with_scope)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json_body(response).await,
        json!({ "message": "private-scoped", "user_id": "user-1" })
    );

    let expired = api.token().scope("read:messages").expires_in(-3600).sign();
    let response = api.get("/api/private-scoped", Some(&expired)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenges(&response),
        [
            r#"Bearer realm="api", error="invalid_token", error_description="the access token expired""#
        ]
    );
    assert_eq!(
        json_body(response).await,
        json!({ "error": "invalid_token", "error_description": "the access token expired" })
    );
}

#[tokio::test]
async fn any_scope_accepts_either() {
    let api = TestApi::start().await;

    for scope in ["read:messages", "admin", "openid admin"] {
        let token = api.token_with_scope(scope);
        assert_ok_text(
            api.get("/any-scope", Some(&token)).await,
            scope,
            "any scope",
        )
        .await;
    }

    let token = api.token_with_scope("openid write:messages");
    let response = api.get("/any-scope", Some(&token)).await;
    assert_insufficient_scope(response, "/any-scope", "read:messages admin").await;
}

#[tokio::test]
async fn all_scopes_requires_each() {
    let api = TestApi::start().await;

    for scope in ["read:messages", "write:messages"] {
        let token = api.token_with_scope(scope);
        let response = api.get("/all-scopes", Some(&token)).await;
        assert_insufficient_scope(response, scope, "read:messages write:messages").await;
    }

    let token = api.token_with_scope("write:messages read:messages");
    assert_ok_text(
        api.get("/all-scopes", Some(&token)).await,
        "both",
        "all scopes",
    )
    .await;
}

#[tokio::test]
async fn stacked_scopes_all_required() {
    let api = TestApi::start().await;

    let read_only = api.token_with_scope("read:messages");
    let response = api.get("/stacked-scopes", Some(&read_only)).await;
    assert_insufficient_scope(response, "read only", "write:messages").await;

    let write_only = api.token_with_scope("write:messages");
    let response = api.get("/stacked-scopes", Some(&write_only)).await;
    assert_insufficient_scope(response, "write only", "read:messages").await;

    let both = api.token_with_scope("read:messages write:messages");
    let response = api.get("/stacked-scopes", Some(&both)).await;
    assert_ok_text(response, "both", "stacked scopes").await;

    assert_no_token(api.get("/stacked-scopes", None).await, "/stacked-scopes").await;
}

#[tokio::test]
async fn permissions_read_from_permissions_claim() {
    let api = TestApi::start().await;

    // A permission in `scope` does not count.
    let in_scope = api.token_with_scope("read:reports export:reports");
    let response = api.get("/reports/export", Some(&in_scope)).await;
    assert_insufficient_permission(response, "in scope", "read:reports export:reports").await;
    let response = api.get("/reports", Some(&in_scope)).await;
    assert_insufficient_permission(response, "in scope", "read:reports admin:reports").await;

    let one = api.token().permissions(["read:reports"]).sign();
    let response = api.get("/reports/export", Some(&one)).await;
    assert_insufficient_permission(response, "one of two", "read:reports export:reports").await;
    assert_ok_text(api.get("/reports", Some(&one)).await, "any of", "reports").await;

    let admin = api.token().permissions(["admin:reports"]).sign();
    assert_ok_text(api.get("/reports", Some(&admin)).await, "admin", "reports").await;

    let both = api
        .token()
        .permissions(["export:reports", "read:reports"])
        .sign();
    let response = api.get("/reports/export", Some(&both)).await;
    assert_ok_text(response, "both", "exported").await;

    assert_no_token(api.get("/reports", None).await, "/reports").await;
}

#[tokio::test]
async fn missing_required_claim_is_invalid_token() {
    let api = TestApi::start().await;

    let token = api.token().sign();
    let response = api.get("/employee", Some(&token)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenges(&response),
        [
            r#"Bearer realm="api", error="invalid_token", error_description="the access token lacks a required claim""#
        ]
    );
    assert_eq!(json_body(response).await["error"], "invalid_token");

    let wrong_type = api
        .token()
        .claim("https://myapp.example.com/employee-id", "forty-two")
        .sign();
    let response = api.get("/employee", Some(&wrong_type)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json_body(response).await["error"], "invalid_token");

    // `StandardClaims` requires `sub`.
    let without_sub = api.token().without_claim("sub").sign();
    let response = api.get("/api/private", Some(&without_sub)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json_body(response).await["error"], "invalid_token");
}

#[tokio::test]
async fn namespaced_claim_fills_field() {
    let api = TestApi::start().await;

    let token = api
        .token()
        .claim("https://myapp.example.com/employee-id", 42)
        .sign();
    assert_ok_text(api.get("/employee", Some(&token)).await, "/employee", "42").await;
}

#[tokio::test]
async fn roles_only_from_namespaced_claim() {
    let api = TestApi::start().await;
    let cases = [
        (
            "namespaced",
            api.token().claim(ROLES_CLAIM, json!(["admin"])),
        ),
        ("bare", api.token().claim("roles", json!(["admin"]))),
        ("absent", api.token()),
        (
            "other namespace",
            api.token()
                .claim("https://other.example.com/roles", json!(["admin"])),
        ),
    ];

    for (case, token) in cases {
        let token = token.subject("user-1").sign();
        let is_namespaced = case == "namespaced";

        let response = api.get("/api/profile", Some(&token)).await;
        assert_eq!(response.status(), StatusCode::OK, "{case}");
        let roles = json_body(response).await["roles"].clone();
        let expected_roles = if is_namespaced {
            json!(["admin"])
        } else {
            json!([])
        };
        assert_eq!(roles, expected_roles, "{case}");

        let response = api.get("/admin", Some(&token)).await;
        let expected_status = if is_namespaced {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(response.status(), expected_status, "{case}");
    }
}

#[tokio::test]
async fn machine_token_without_profile_claims() {
    let api = TestApi::start().await;
    let token = api
        .token()
        .subject("AbC123@clients")
        .claim("gty", "client-credentials")
        .claim("azp", "AbC123")
        .scope("read:messages")
        .sign();

    let response = api.get("/api/private-scoped", Some(&token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json_body(response).await,
        json!({ "message": "private-scoped", "user_id": "AbC123@clients" })
    );

    let response = api.get("/api/profile", Some(&token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json_body(response).await,
        json!({
            "sub": "AbC123@clients",
            "gty": "client-credentials",
            "name": null,
            "email": null,
            "permissions": [],
            "roles": [],
        })
    );
}

#[tokio::test]
async fn early_return_only_after_auth() {
    let api = TestApi::start().await;
    let runs_before = ITEM_BODY_RUNS.load(Ordering::SeqCst);

    assert_no_token(api.get("/items/2", None).await, "/items/2").await;
    let without_scope = api.token_with_scope("openid");
    let response = api.get("/items/2", Some(&without_scope)).await;
    assert_insufficient_scope(response, "/items/2", "read:messages").await;
    assert_eq!(ITEM_BODY_RUNS.load(Ordering::SeqCst), runs_before);

    let token = api.token_with_scope("read:messages");
    let response = api.get("/items/2", Some(&token)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(json_body(response).await, json!({ "error": "not_found" }));

    let response = api.get("/items/abc", Some(&token)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_body(response).await, json!({ "error": "invalid_id" }));

    let response = api.get("/items/1", Some(&token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json_body(response).await, json!({ "id": 1 }));
    assert_eq!(ITEM_BODY_RUNS.load(Ordering::SeqCst), runs_before + 3);
}

#[tokio::test]
async fn path_destructuring_adds() {
    let api = TestApi::start().await;

    let token = api.token_with_scope("read:messages");
    assert_ok_text(api.get("/add/2/3", Some(&token)).await, "/add/2/3", "5").await;

    assert_no_token(api.get("/add/2/3", None).await, "/add/2/3").await;
    // Authentication runs before the path extractor, so a bad path still gets 401.
    assert_no_token(api.get("/add/two/3", None).await, "/add/two/3").await;
}

#[tokio::test]
async fn guard_without_other_extractors() {
    let api = TestApi::start().await;

    assert_no_token(api.get("/bare", None).await, "/bare").await;
    let openid = api.token_with_scope("openid");
    let response = api.get("/bare", Some(&openid)).await;
    assert_insufficient_scope(response, "/bare", "read:messages").await;
    let token = api.token_with_scope("read:messages");
    assert_ok_text(api.get("/bare", Some(&token)).await, "/bare", "bare").await;

    let json = "application/json";
    let response = api.post("/echo", None, json, r#"{"a":1}"#).await;
    assert_no_token(response, "/echo").await;
    let response = api.post("/echo", Some(&openid), json, r#"{"a":1}"#).await;
    assert_insufficient_scope(response, "/echo", "read:messages").await;
    let response = api.post("/echo", Some(&token), json, r#"{"a":1}"#).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json_body(response).await, json!({ "a": 1 }));
}

#[tokio::test]
async fn auth_runs_before_body_extractor() {
    let api = TestApi::start().await;
    let json = "application/json";

    let response = api.post("/messages", None, json, "{").await;
    assert_no_token(response, "malformed body").await;
    let response = api.post("/messages", None, "text/plain", "hello").await;
    assert_no_token(response, "text body").await;

    let read_only = api.token_with_scope("read:messages");
    let response = api.post("/messages", Some(&read_only), json, "{").await;
    assert_insufficient_scope(response, "malformed body", "write:messages").await;

    // With a good token the body extractor's rejections come through as usual.
    let token = api.token().subject("user-1").scope("write:messages").sign();
    let response = api.post("/messages", Some(&token), json, "{").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = api
        .post("/messages", Some(&token), "text/plain", "hello")
        .await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let response = api.post("/messages", Some(&token), json, "{}").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let response = api
        .post("/messages", Some(&token), json, r#"{"text":"hi"}"#)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        json_body(response).await,
        json!({ "author": "user-1", "text": "hi" })
    );
}

#[tokio::test]
async fn return_types_answer_as_written() {
    let api = TestApi::start().await;
    let token = api.token().sign();

    let response = api.get("/accepted", Some(&token)).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(response.text().await.expect("a text body"), "accepted");

    let response = api.get("/conflict", Some(&token)).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(response.text().await.expect("a text body"), "conflict");

    assert_ok_text(api.get("/legacy", Some(&token)).await, "/legacy", "legacy").await;

    for path in ["/accepted", "/conflict", "/legacy"] {
        assert_no_token(api.get(path, None).await, path).await;
    }
}

#[tokio::test]
async fn other_shapes_stay_guarded() {
    let api = TestApi::start().await;
    let openid = api.token().subject("user-1").scope("openid").sign();
    let token = api.token().subject("user-1").scope("read:messages").sign();

    // `#[axum::debug_handler]` below the attribute.
    assert_no_token(api.get("/debugged", None).await, "/debugged").await;
    let response = api.get("/debugged", Some(&openid)).await;
    assert_insufficient_scope(response, "/debugged", "read:messages").await;
    assert_ok_text(
        api.get("/debugged", Some(&token)).await,
        "/debugged",
        "user-1",
    )
    .await;

    // A handler that awaits after reading the claims.
    assert_no_token(api.get("/slow", None).await, "/slow").await;
    assert_ok_text(api.get("/slow", Some(&token)).await, "/slow", "user-1").await;

    // A generic handler routed with a turbofish.
    assert_no_token(api.get("/list", None).await, "/list").await;
    let response = api.get("/list", Some(&token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json_body(response).await,
        json!({ "user_id": "user-1", "names": ["first", "second"] })
    );

    // The runtime crate named through `crate = "..."`.
    assert_no_token(api.get("/renamed", None).await, "/renamed").await;
    let response = api.get("/renamed", Some(&openid)).await;
    assert_insufficient_scope(response, "/renamed", "read:messages").await;
    assert_ok_text(
        api.get("/renamed", Some(&token)).await,
        "/renamed",
        "renamed",
    )
    .await;
}
