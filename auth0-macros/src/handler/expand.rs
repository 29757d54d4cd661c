//! Code generation for the handler attributes.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::spanned::Spanned as _;
use syn::{FnArg, Ident, ItemFn, parse_quote, parse_quote_spanned};

use super::attr::HandlerAttr;

/// Emits the handler with the guard as its first extractor, and the requirement type that
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
    let guard = quote!(#runtime::Require<#requirement>);
    // The guard joins the first parameter that can reject a request, in a tuple extractor
    // that Axum runs left to right, so the handler keeps its arity: `#[axum::debug_handler]`
    // above this attribute generates calls with the original number of arguments. `State`
    // parameters are skipped, because they never reject and `debug_handler` infers the state
    // type from them.
    let joined = function
        .sig
        .inputs
        .iter_mut()
        .find_map(|input| match input {
            FnArg::Typed(typed) if !is_state(&typed.ty) => Some(typed),
            _ => None,
        });
    match joined {
        Some(typed) => {
            let pat = &typed.pat;
            let ty = &typed.ty;
            *typed.pat = parse_quote!((_, #pat));
            *typed.ty = parse_quote_spanned!(ty.span()=> (#guard, #ty));
        }
        None => function.sig.inputs.insert(0, parse_quote!(_: #guard)),
    }

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

/// Returns whether `ty` is written as Axum's `State<..>` extractor.
fn is_state(ty: &syn::Type) -> bool {
    let syn::Type::Path(path) = ty else {
        return false;
    };
    path.path
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "State")
}
