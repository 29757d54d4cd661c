//! Code generation for the handler attributes.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::{FnArg, Ident, ItemFn, parse_quote};

use super::attr::HandlerAttr;

/// Emits the handler with the guard as its first parameter, and the requirement type that
/// holds the clauses of every attribute.
///
/// The guard comes first so that Axum authenticates the request before it runs any other
/// extractor: a caller without a valid token learns nothing from body or path rejections.
pub(crate) fn expand(
    function: &ItemFn,
    attrs: &[HandlerAttr],
    runtime: &TokenStream,
) -> TokenStream {
    let requirement = requirement_ident(&function.sig.ident);
    let vis = &function.vis;
    // With the handler's `cfg`s the requirement exists exactly when the handler does.
    let cfgs: Vec<_> = function
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg"))
        .collect();

    let clauses = attrs.iter().filter_map(|attr| {
        let constructor = format_ident!("{}", attr.kind.clause_constructor()?);
        let values = &attr.values;
        Some(quote!(#runtime::Clause::#constructor(&[#(#values),*])))
    });

    let mut function = function.clone();
    let guard: FnArg = parse_quote!(_: #runtime::Require<#requirement>);
    function.sig.inputs.insert(0, guard);

    // The type has the handler's visibility because it appears in the handler's signature.
    // Its name ends in the handler's snake-case name, hence the `allow` on it alone.
    quote! {
        #(#cfgs)*
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #requirement;

        #(#cfgs)*
        #[automatically_derived]
        impl #runtime::Requirement for #requirement {
            const CLAUSES: &'static [#runtime::Clause] = &[#(#clauses),*];
        }

        #function
    }
}

/// Returns the name of the requirement type of the handler `handler`.
pub(crate) fn requirement_ident(handler: &Ident) -> Ident {
    format_ident!(
        "__Auth0Requirement_{}",
        handler.unraw(),
        span = handler.span()
    )
}
