//! Argument parsing shared by the handler attributes and the `Claims` derive.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Path, Token};

/// The keys of `#[claims(...)]`. `crate` is a Rust keyword, so it needs no entry here.
pub(crate) mod kw {
    syn::custom_keyword!(default);
    syn::custom_keyword!(namespace);
    syn::custom_keyword!(namespaced);
    syn::custom_keyword!(rename);
}

/// The `crate = "path"` argument, naming the runtime crate when `Cargo.toml` renames it.
pub(crate) struct CratePath {
    pub(crate) keyword: Token![crate],
    pub(crate) path: Path,
}

impl Parse for CratePath {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let keyword = input.parse::<Token![crate]>()?;
        input.parse::<Token![=]>()?;
        let literal = input.parse::<LitStr>()?;
        let path = literal.parse::<Path>().map_err(|_| {
            syn::Error::new_spanned(
                &literal,
                format!(
                    "`{}` is not a path: write the name the runtime crate has in your Cargo.toml, such as `crate = \"auth0_runtime\"`",
                    literal.value()
                ),
            )
        })?;
        Ok(Self { keyword, path })
    }
}

/// Returns the path generated code uses for the runtime crate: the `crate` argument, or
/// `::auth0_runtime`.
pub(crate) fn runtime_path(crate_path: Option<&CratePath>) -> TokenStream {
    crate_path.map_or_else(
        || quote::quote!(::auth0_runtime),
        |crate_path| crate_path.path.to_token_stream(),
    )
}

/// Stores `value` in `slot`, or fails at `key` when an earlier argument already set it.
pub(crate) fn set_once<T>(slot: &mut Option<T>, key: &impl ToTokens, value: T) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new_spanned(
            key,
            format!(
                "`{}` is given more than once: keep one",
                key.to_token_stream()
            ),
        ));
    }
    *slot = Some(value);
    Ok(())
}

/// Returns `value` with control characters escaped, so a message shows them.
pub(crate) fn printable(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Collects several errors, so one expansion reports every problem it finds.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(first) => first.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(crate) fn push_result<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(error);
                None
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Returns the `compile_error!` invocations of all errors, or nothing.
    pub(crate) fn into_compile_error(self) -> TokenStream {
        self.0
            .map(syn::Error::into_compile_error)
            .unwrap_or_default()
    }
}
