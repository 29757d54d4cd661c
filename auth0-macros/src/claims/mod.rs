//! `#[derive(Claims)]`.

mod ast;
mod attr;
mod expand;
mod valid;

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::attr_parsing::{CratePath, Errors, runtime_path};

/// Expands the derive. On error it emits the errors and fallback impls, so that handlers
/// taking the type report no follow-up errors.
pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    match ast::Input::from_syn(input, &mut errors) {
        Ok(model) => {
            valid::validate(&model, &mut errors);
            if errors.is_empty() {
                return expand::expand(&model);
            }
            with_fallback(errors, input, model.attrs.crate_path.as_ref())
        }
        Err(attrs) => with_fallback(errors, input, attrs.crate_path.as_ref()),
    }
}

fn with_fallback(
    errors: Errors,
    input: &DeriveInput,
    crate_path: Option<&CratePath>,
) -> TokenStream {
    let fallback = expand::fallback(input, &runtime_path(crate_path));
    let errors = errors.into_compile_error();
    quote!(#errors #fallback)
}
