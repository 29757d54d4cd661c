//! Code generation for `#[derive(Claims)]`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Generics, WherePredicate, parse_quote};

use super::ast::Input;
use crate::attr_parsing::runtime_path;

/// Implements `Claims`, reading each field from its claim, and `FromRequestParts`, so the
/// type is an extractor.
pub(crate) fn expand(input: &Input<'_>) -> TokenStream {
    let runtime = runtime_path(input.attrs.crate_path.as_ref());
    let ident = &input.original.ident;
    let namespace_base = input.namespace_base();

    let mut bounds: Vec<WherePredicate> = Vec::new();
    let has_type_params = input.original.generics.type_params().next().is_some();
    let deserialize_owned = quote!(#runtime::__private::serde::de::DeserializeOwned);

    let initializers = input.fields.iter().map(|field| {
        let member = field.ident;
        let claim = field.claim_name(namespace_base.as_deref());
        let ty = field.ty;
        // The span makes a field type that cannot be deserialized an error at that type.
        let span = ty.span();
        let (claim_ty, value) = match (field.option_inner, &field.attrs.default) {
            (Some(inner), _) => (
                inner,
                quote_spanned!(span=> token.optional_claim::<#inner>(#claim)?),
            ),
            (None, Some(_)) => (
                ty,
                quote_spanned!(span=> token.optional_claim::<#ty>(#claim)?.unwrap_or_default()),
            ),
            (None, None) => (
                ty,
                quote_spanned!(span=> token.required_claim::<#ty>(#claim)?),
            ),
        };
        if has_type_params {
            bounds.push(parse_quote!(#claim_ty: #deserialize_owned));
            if field.attrs.default.is_some() {
                bounds.push(parse_quote!(#claim_ty: ::core::default::Default));
            }
        }
        quote!(#member: #value)
    });
    let initializers: Vec<TokenStream> = initializers.collect();

    let generics = with_bounds(&input.original.generics, bounds);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let from_request_parts = from_request_parts(input.original, &generics, &runtime);

    quote! {
        #[automatically_derived]
        impl #impl_generics #runtime::Claims for #ident #ty_generics #where_clause {
            fn from_token(
                token: &#runtime::VerifiedToken,
            ) -> ::core::result::Result<Self, #runtime::TokenError> {
                ::core::result::Result::Ok(Self {
                    #(#initializers,)*
                })
            }
        }

        #from_request_parts
    }
}

/// Implements both traits without reading any claim, after the derive reported an error,
/// so that handlers using the type report no follow-up errors. The crate does not compile,
/// so the body never runs.
pub(crate) fn fallback(input: &DeriveInput, runtime: &TokenStream) -> TokenStream {
    // `Claims` requires `'static`, so an impl for a borrowing type would add errors.
    if input.generics.lifetimes().next().is_some() {
        return TokenStream::new();
    }
    let ident = &input.ident;
    let generics = with_bounds(&input.generics, Vec::new());
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let from_request_parts = from_request_parts(input, &generics, runtime);

    quote! {
        #[automatically_derived]
        impl #impl_generics #runtime::Claims for #ident #ty_generics #where_clause {
            fn from_token(
                _: &#runtime::VerifiedToken,
            ) -> ::core::result::Result<Self, #runtime::TokenError> {
                ::core::unreachable!()
            }
        }

        #from_request_parts
    }
}

/// Returns `generics` with `bounds` and, on each type parameter, the `Send + Sync +
/// 'static` that `Claims` requires of the whole type.
fn with_bounds(generics: &Generics, bounds: Vec<WherePredicate>) -> Generics {
    let mut generics = generics.clone();
    let type_params: Vec<_> = generics
        .type_params()
        .map(|param| param.ident.clone())
        .collect();
    let where_clause = generics.make_where_clause();
    for param in type_params {
        where_clause.predicates.push(parse_quote!(
            #param: ::core::marker::Send + ::core::marker::Sync + 'static
        ));
    }
    where_clause.predicates.extend(bounds);
    generics
}

/// Implements `FromRequestParts` by authenticating the request and calling `Claims`.
fn from_request_parts(
    input: &DeriveInput,
    generics: &Generics,
    runtime: &TokenStream,
) -> TokenStream {
    let ident = &input.ident;
    let (_, ty_generics, _) = generics.split_for_impl();

    // `__S` is the router state. The leading underscores keep it apart from the type's own
    // parameters.
    let mut with_state = generics.clone();
    with_state.params.push(parse_quote!(__S));
    let where_clause = with_state.make_where_clause();
    where_clause.predicates.push(parse_quote!(
        #runtime::Verifier: #runtime::__private::axum::extract::FromRef<__S>
    ));
    where_clause
        .predicates
        .push(parse_quote!(__S: ::core::marker::Send + ::core::marker::Sync));
    where_clause
        .predicates
        .push(parse_quote!(#ident #ty_generics: #runtime::Claims));
    let (impl_generics, _, where_clause) = with_state.split_for_impl();

    quote! {
        #[automatically_derived]
        impl #impl_generics #runtime::__private::axum::extract::FromRequestParts<__S>
            for #ident #ty_generics
        #where_clause
        {
            type Rejection = #runtime::AuthRejection;

            async fn from_request_parts(
                parts: &mut #runtime::__private::axum::http::request::Parts,
                state: &__S,
            ) -> ::core::result::Result<Self, Self::Rejection> {
                #runtime::__private::claims_from_request::<Self, __S>(parts, state).await
            }
        }
    }
}
