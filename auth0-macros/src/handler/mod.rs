//! `#[protected]` and the `#[requires_*]` attributes.
//!
//! The attribute that the compiler expands first collects our other attributes from the
//! handler and marks them as applied, so stacked attributes become one requirement whose
//! clauses must all hold.

mod attr;
mod expand;
mod valid;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::{Attribute, Item, ItemFn};

pub(crate) use attr::AttrKind;
use attr::HandlerAttr;

use crate::attr_parsing::{Errors, runtime_path};

/// Expands one handler attribute. On error the handler is still emitted, unguarded, so that
/// code using it reports no follow-up errors.
pub(crate) fn expand(kind: AttrKind, args: TokenStream, item: TokenStream) -> TokenStream {
    if attr::is_applied_marker(&args) {
        return expand_applied(kind, item);
    }

    let mut errors = Errors::default();
    let first = errors.push_result(HandlerAttr::from_args(kind, args));

    let mut item = match syn::parse2::<Item>(item.clone()) {
        Ok(item) => item,
        Err(error) => {
            errors.push(error);
            return with_errors(errors, &item);
        }
    };
    let Item::Fn(function) = &mut item else {
        errors.push(not_a_function(kind, &item));
        if let Some(attrs) = item_attrs_mut(&mut item) {
            remove_handler_attrs(attrs);
        }
        return with_errors(errors, &item.into_token_stream());
    };

    let mut attrs: Vec<HandlerAttr> = first.into_iter().collect();
    for result in parse_handler_attrs(&function.attrs) {
        if let Some(attr) = errors.push_result(result) {
            attrs.push(attr);
        }
    }

    valid::validate_signature(function, kind, &mut errors);
    valid::validate_values(&attrs, &mut errors);
    let runtime = errors.push_result(crate_path(&attrs)).unwrap_or_default();

    if !errors.is_empty() {
        remove_handler_attrs(&mut function.attrs);
        let errors = errors.into_compile_error();
        return quote!(#errors #function);
    }
    mark_handler_attrs(&mut function.attrs);
    expand::expand(function, &attrs, &runtime)
}

/// Expands an attribute whose clauses the attribute above it already applied. A function
/// without the guard means the marker was written by hand, which must not skip the check.
fn expand_applied(kind: AttrKind, item: TokenStream) -> TokenStream {
    let Ok(function) = syn::parse2::<ItemFn>(item.clone()) else {
        return item;
    };
    if valid::has_guard(&function) {
        return item;
    }
    let error = syn::Error::new(
        Span::call_site(),
        format!(
            "`#[{}({})]` is reserved for the expansion of stacked attributes: remove `{}`",
            kind.name(),
            attr::APPLIED_MARKER,
            attr::APPLIED_MARKER
        ),
    );
    let error = error.into_compile_error();
    quote!(#error #item)
}

fn with_errors(errors: Errors, item: &TokenStream) -> TokenStream {
    let errors = errors.into_compile_error();
    quote!(#errors #item)
}

/// Parses our attributes in `attrs`.
fn parse_handler_attrs(attrs: &[Attribute]) -> Vec<syn::Result<HandlerAttr>> {
    attrs
        .iter()
        .filter_map(|attr| {
            let kind = AttrKind::from_path(attr.path())?;
            Some(HandlerAttr::from_attribute(kind, attr))
        })
        .collect()
}

/// Marks our attributes in `attrs` as applied, after their clauses went into the guard.
fn mark_handler_attrs(attrs: &mut [Attribute]) {
    for attr in attrs {
        if AttrKind::from_path(attr.path()).is_some() {
            attr::mark_applied(attr);
        }
    }
}

/// Removes our attributes from an item emitted after an error, so they report nothing
/// more. An import used only by a removed attribute then gets an unused-import warning,
/// next to the error.
fn remove_handler_attrs(attrs: &mut Vec<Attribute>) {
    attrs.retain(|attr| AttrKind::from_path(attr.path()).is_none());
}

/// Returns the runtime crate's path, from the one attribute that may give `crate = "..."`.
fn crate_path(attrs: &[HandlerAttr]) -> syn::Result<TokenStream> {
    let mut given = attrs.iter().filter_map(|attr| attr.crate_path.as_ref());
    let first = given.next();
    if let Some(repeated) = given.next() {
        return Err(syn::Error::new_spanned(
            repeated.keyword,
            "`crate` is already given on another attribute of this handler: keep one",
        ));
    }
    Ok(runtime_path(first))
}

fn not_a_function(kind: AttrKind, item: &Item) -> syn::Error {
    let (span, noun) = describe_item(item);
    syn::Error::new(
        span,
        format!(
            "`#[{}]` applies to an `async fn` handler, not to {noun}",
            kind.name()
        ),
    )
}

/// Returns the span of the item's leading keyword and a noun for it.
fn describe_item(item: &Item) -> (Span, &'static str) {
    match item {
        Item::Struct(item) => (item.struct_token.span, "a struct"),
        Item::Enum(item) => (item.enum_token.span, "an enum"),
        Item::Union(item) => (item.union_token.span, "a union"),
        Item::Impl(item) => (item.impl_token.span, "an impl block"),
        Item::Trait(item) => (item.trait_token.span, "a trait"),
        Item::Mod(item) => (item.mod_token.span, "a module"),
        Item::Const(item) => (item.const_token.span, "a constant"),
        Item::Static(item) => (item.static_token.span, "a static"),
        Item::Type(item) => (item.type_token.span, "a type alias"),
        Item::Use(item) => (item.use_token.span, "a `use` declaration"),
        Item::ForeignMod(item) => (item.abi.span(), "an extern block"),
        Item::Macro(item) => (item.mac.path.span(), "a macro invocation"),
        _ => (item.span(), "this item"),
    }
}

fn item_attrs_mut(item: &mut Item) -> Option<&mut Vec<Attribute>> {
    match item {
        Item::Const(item) => Some(&mut item.attrs),
        Item::Enum(item) => Some(&mut item.attrs),
        Item::ExternCrate(item) => Some(&mut item.attrs),
        Item::Fn(item) => Some(&mut item.attrs),
        Item::ForeignMod(item) => Some(&mut item.attrs),
        Item::Impl(item) => Some(&mut item.attrs),
        Item::Macro(item) => Some(&mut item.attrs),
        Item::Mod(item) => Some(&mut item.attrs),
        Item::Static(item) => Some(&mut item.attrs),
        Item::Struct(item) => Some(&mut item.attrs),
        Item::Trait(item) => Some(&mut item.attrs),
        Item::TraitAlias(item) => Some(&mut item.attrs),
        Item::Type(item) => Some(&mut item.attrs),
        Item::Union(item) => Some(&mut item.attrs),
        Item::Use(item) => Some(&mut item.attrs),
        _ => None,
    }
}
