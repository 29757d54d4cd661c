//! Attribute macros and the `Claims` derive for `auth0-runtime`.
//!
//! Use them through `auth0-runtime` and its `macros` feature (on by default): generated code
//! names `::auth0_runtime`, or the path given with `crate = "..."`.
//!
//! | macro | the handler runs when the access token |
//! |---|---|
//! | [`#[protected]`](macro@protected) | is valid |
//! | [`#[requires_scope(..)]`](macro@requires_scope) | is valid and its `scope` claim has every listed scope |
//! | [`#[requires_any_scope(..)]`](macro@requires_any_scope) | is valid and its `scope` claim has one of the listed scopes |
//! | [`#[requires_permission(..)]`](macro@requires_permission) | is valid and its `permissions` claim has every listed permission |
//! | [`#[requires_any_permission(..)]`](macro@requires_any_permission) | is valid and its `permissions` claim has one of the listed permissions |
//!
//! [`#[derive(Claims)]`](derive@Claims) turns a struct into an extractor that reads one claim
//! per field.
//!
//! # How the handler attributes work
//!
//! The attribute leaves the handler as written, except that its first extractor that can
//! reject a request also runs the guard `auth0_runtime::Require<__Auth0Requirement_NAME>`:
//! that parameter `pat: T` becomes `(_, pat): (Require<..>, T)`. `State` parameters are
//! skipped, and a handler with no other parameter gets `_: Require<..>` in front. The unit struct `__Auth0Requirement_NAME` is generated beside the handler,
//! with the handler's visibility and `cfg` attributes, and implements
//! `auth0_runtime::Requirement` with the clauses of every attribute on the handler. Axum runs
//! extractors in parameter order, and a tuple's extractors left to right, so the token is
//! verified, and the scopes or permissions checked, before any other extractor reads the
//! request: a caller without a valid token gets 401, never a 400 or 422 about the body.
//!
//! Rejections are the runtime's responses: 401 with `WWW-Authenticate` challenges when the
//! token is missing or invalid, and 403 `insufficient_scope` naming the failed clause's
//! values when a scope or permission is missing.
//!
//! Several attributes on one handler are combined by the first one the compiler expands:
//! every clause must hold. The attributes are recognized by their last path segment, so
//! `#[auth0_runtime::requires_scope(..)]` and a renamed crate's path also work.
//!
//! # Limitations
//!
//! - The handler must be a free `async fn`. Methods and functions inside `impl` blocks are
//!   not supported, because the requirement type is a struct emitted next to the handler.
//! - `#[axum::debug_handler]` works above or below these attributes, except above one on a
//!   handler without parameters other than `State`. That build fails with error E0061,
//!   because `debug_handler` (axum-macros 0.5) checks a call with the arguments it saw before
//!   the guard parameter was added. Put it below the attribute there.
//! - rustdoc shows the guard in the handler's signature.

#![warn(clippy::pedantic)]

mod attr_parsing;
mod claims;
mod handler;

use proc_macro::TokenStream;

use handler::AttrKind;

/// Rejects requests without a valid access token before the handler's other extractors run.
///
/// The router state must provide the verifier (`Verifier: FromRef<S>`); a router without
/// one does not compile. See the [crate documentation](crate) for what the attribute
/// generates.
///
/// # Example
///
/// ```
/// use auth0_runtime::{StandardClaims, Verifier, protected};
/// use axum::{Router, routing::get};
///
/// #[protected]
/// async fn private(claims: StandardClaims) -> String {
///     format!("hello {}", claims.sub)
/// }
///
/// let app: Router<Verifier> = Router::new().route("/api/private", get(private));
/// ```
///
/// # Arguments
///
/// - `crate = "path"`: the runtime crate's name when `Cargo.toml` renames it, such as
///   `#[protected(crate = "a0")]` for `a0 = { package = "auth0-runtime", .. }`. Default:
///   `::auth0_runtime`. It may be given once among the attributes of a handler.
///
/// # Compile errors
///
/// The handler must be an `async fn` without `self`, and it may take at most one claims
/// parameter (`VerifiedToken`, or a type whose name ends in `Claims`), because every claims
/// extractor reads the same token:
///
/// ```compile_fail
/// use auth0_runtime::{StandardClaims, VerifiedToken, protected};
///
/// #[protected]
/// async fn private(claims: StandardClaims, token: VerifiedToken) -> String {
///     claims.sub
/// }
/// ```
#[proc_macro_attribute]
pub fn protected(args: TokenStream, item: TokenStream) -> TokenStream {
    handler::expand(AttrKind::Protected, args.into(), item.into()).into()
}

/// Rejects requests whose access token lacks any of the listed scopes, with 403
/// `insufficient_scope`.
///
/// The scopes are read from the token's space-separated `scope` claim. A token without a
/// valid signature gets 401 before any scope is checked. Stacked attributes all apply:
/// `#[requires_scope("a")] #[requires_scope("b")]` requires both.
///
/// # Example
///
/// ```
/// use auth0_runtime::{StandardClaims, Verifier, requires_scope};
/// use axum::{Json, Router, routing::post};
///
/// #[requires_scope("write:messages")]
/// async fn create_message(claims: StandardClaims, Json(text): Json<String>) -> String {
///     format!("{} wrote {text}", claims.sub)
/// }
///
/// let app: Router<Verifier> = Router::new().route("/api/messages", post(create_message));
/// ```
///
/// # Arguments
///
/// One or more scopes as string literals, and optionally `crate = "path"` as for
/// [`protected`](macro@protected). Each scope must be a `scope-token` of RFC 6749 section
/// 3.3: visible ASCII characters except `"` and `\`, so no spaces.
///
/// # Compile errors
///
/// A space inside a string is a mistake: the token's `scope` claim never contains a scope
/// with a space, so the handler would return 403 to every caller. List each scope as its
/// own string instead.
///
/// ```compile_fail
/// use auth0_runtime::requires_scope;
///
/// #[requires_scope("read messages")]
/// async fn read() -> &'static str {
///     "secret"
/// }
/// ```
#[proc_macro_attribute]
pub fn requires_scope(args: TokenStream, item: TokenStream) -> TokenStream {
    handler::expand(AttrKind::RequiresScope, args.into(), item.into()).into()
}

/// Rejects requests whose access token has none of the listed scopes, with 403
/// `insufficient_scope`.
///
/// Takes the same arguments as [`requires_scope`](macro@requires_scope).
///
/// # Example
///
/// ```
/// use auth0_runtime::{Verifier, requires_any_scope};
/// use axum::{Router, routing::get};
///
/// #[requires_any_scope("read:messages", "admin")]
/// async fn messages() -> &'static str {
///     "messages"
/// }
///
/// let app: Router<Verifier> = Router::new().route("/api/messages", get(messages));
/// ```
///
/// # Compile errors
///
/// An empty list is an error: use [`protected`](macro@protected) to require only a valid
/// token.
///
/// ```compile_fail
/// use auth0_runtime::requires_any_scope;
///
/// #[requires_any_scope()]
/// async fn messages() -> &'static str {
///     "messages"
/// }
/// ```
#[proc_macro_attribute]
pub fn requires_any_scope(args: TokenStream, item: TokenStream) -> TokenStream {
    handler::expand(AttrKind::RequiresAnyScope, args.into(), item.into()).into()
}

/// Rejects requests whose access token lacks any of the listed RBAC permissions, with 403
/// `insufficient_scope`.
///
/// The permissions are read from the token's `permissions` claim, which Auth0 adds when
/// "Add Permissions in the Access Token" is on for the API. Scopes and permissions are
/// never mixed: a permission listed in `scope` does not count. Permissions follow the same
/// grammar as scopes, because Auth0 permissions are the scopes of an API.
///
/// # Example
///
/// ```
/// use auth0_runtime::{Verifier, requires_permission};
/// use axum::{Router, routing::delete};
///
/// #[requires_permission("delete:messages")]
/// async fn delete_messages() -> &'static str {
///     "deleted"
/// }
///
/// let app: Router<Verifier> = Router::new().route("/api/messages", delete(delete_messages));
/// ```
///
/// # Compile errors
///
/// Values must be string literals:
///
/// ```compile_fail
/// use auth0_runtime::requires_permission;
///
/// #[requires_permission(delete:messages)]
/// async fn delete_messages() -> &'static str {
///     "deleted"
/// }
/// ```
#[proc_macro_attribute]
pub fn requires_permission(args: TokenStream, item: TokenStream) -> TokenStream {
    handler::expand(AttrKind::RequiresPermission, args.into(), item.into()).into()
}

/// Rejects requests whose access token has none of the listed RBAC permissions, with 403
/// `insufficient_scope`.
///
/// Takes the same arguments as [`requires_permission`](macro@requires_permission).
///
/// # Example
///
/// ```
/// use auth0_runtime::{Verifier, requires_any_permission};
/// use axum::{Router, routing::get};
///
/// #[requires_any_permission("read:reports", "admin:reports")]
/// async fn reports() -> &'static str {
///     "reports"
/// }
///
/// let app: Router<Verifier> = Router::new().route("/api/reports", get(reports));
/// ```
///
/// # Compile errors
///
/// Listing the same permission twice is an error:
///
/// ```compile_fail
/// use auth0_runtime::requires_any_permission;
///
/// #[requires_any_permission("read:reports", "read:reports")]
/// async fn reports() -> &'static str {
///     "reports"
/// }
/// ```
#[proc_macro_attribute]
pub fn requires_any_permission(args: TokenStream, item: TokenStream) -> TokenStream {
    handler::expand(AttrKind::RequiresAnyPermission, args.into(), item.into()).into()
}

/// Implements `auth0_runtime::Claims` and Axum's `FromRequestParts` for a struct with named
/// fields, so handlers can take it as an extractor.
///
/// Each field reads the claim of its name from the verified token:
///
/// - a field of type `Option<T>` is `None` when the claim is absent or `null`;
/// - a field marked `#[claims(default)]` is `T::default()` when the claim is absent or
///   `null`;
/// - any other field is required: a token without the claim gets 401 `invalid_token`, and
///   the debug log names the claim.
///
/// A claim of the wrong JSON type also gets 401 `invalid_token`, never 500.
///
/// Nothing is read implicitly. A field named `scope` reads the `scope` claim as the
/// space-separated string the token carries (declare it `String` or `Option<String>`). A
/// field named `permissions` reads the `permissions` array (`Vec<String>`, usually with
/// `#[claims(default)]` because tokens of users without permissions lack it). The handler
/// attributes check scopes and permissions without these fields.
///
/// # Example
///
/// ```
/// use auth0_runtime::{Claims, Verifier, requires_scope};
/// use axum::{Router, routing::get};
///
/// #[derive(Claims)]
/// #[claims(namespace = "https://myapp.example.com/")]
/// struct Profile {
///     sub: String,
///     /// Reads `https://myapp.example.com/roles`, and is empty when the token lacks it.
///     #[claims(namespaced, default)]
///     roles: Vec<String>,
///     #[claims(rename = "full-name")]
///     full_name: Option<String>,
/// }
///
/// #[requires_scope("read:profile")]
/// async fn profile(profile: Profile) -> String {
///     format!("{} has roles {:?}", profile.sub, profile.roles)
/// }
///
/// let app: Router<Verifier> = Router::new().route("/api/profile", get(profile));
/// ```
///
/// # Attributes
///
/// On the struct:
///
/// - `#[claims(namespace = "https://myapp.example.com/")]`: the namespace of the custom
///   claims, an absolute `http` or `https` URL outside Auth0's own domains (`auth0.com`,
///   `webtask.io`, `webtask.run`), with no query or fragment.
/// - `#[claims(crate = "path")]`: the runtime crate's name when `Cargo.toml` renames it.
///
/// On a field:
///
/// - `#[claims(namespaced)]`: read `<namespace>/<name>`, joined with exactly one `/`.
///   Standard claims such as `sub`, `scope` or `permissions` cannot be namespaced.
/// - `#[claims(rename = "full-name")]`: read this claim name instead of the field's name.
///   With `namespaced`, the new name is appended to the namespace.
/// - `#[claims(default)]`: use `Default::default()` when the claim is absent.
///
/// Generic structs are supported when every field type can be deserialized; a lifetime
/// parameter is an error, because `Claims` requires `'static`.
///
/// # Compile errors
///
/// Enums, unions, tuple structs and unit structs are rejected, and so are a `namespaced`
/// field without a namespace, two fields that read the same claim, and unknown arguments.
/// The derive reports every problem it finds at once.
///
/// ```compile_fail
/// use auth0_runtime::Claims;
///
/// #[derive(Claims)]
/// struct Profile {
///     sub: String,
///     #[claims(namespaced)]
///     roles: Vec<String>,
/// }
/// ```
#[proc_macro_derive(Claims, attributes(claims))]
pub fn derive_claims(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    claims::derive(&input).into()
}
