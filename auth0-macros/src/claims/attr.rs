//! Parsing `#[claims(...)]` on the struct and on its fields.

use syn::parse::ParseStream;
use syn::{Attribute, LitStr, Token};

use crate::attr_parsing::{CratePath, Errors, kw, set_once};

/// The arguments of `#[claims(...)]` on the struct.
#[derive(Default)]
pub(crate) struct ContainerAttrs {
    pub(crate) namespace: Option<LitStr>,
    pub(crate) crate_path: Option<CratePath>,
}

/// The arguments of `#[claims(...)]` on a field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub(crate) namespaced: Option<kw::namespaced>,
    pub(crate) rename: Option<LitStr>,
    pub(crate) default: Option<kw::default>,
}

/// Parses every `#[claims(...)]` on the struct. A key may appear once across all of them.
pub(crate) fn container_attrs(attrs: &[Attribute], errors: &mut Errors) -> ContainerAttrs {
    let mut parsed = ContainerAttrs::default();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("claims")) {
        let result = attr.parse_args_with(|input: ParseStream<'_>| {
            parse_comma_separated(input, |input| {
                let lookahead = input.lookahead1();
                if lookahead.peek(kw::namespace) {
                    let key = input.parse::<kw::namespace>()?;
                    input.parse::<Token![=]>()?;
                    set_once(&mut parsed.namespace, &key, input.parse()?)
                } else if lookahead.peek(Token![crate]) {
                    let argument = input.parse::<CratePath>()?;
                    let keyword = argument.keyword;
                    set_once(&mut parsed.crate_path, &keyword, argument)
                } else {
                    Err(lookahead.error())
                }
            })
        });
        errors.push_result(result);
    }
    parsed
}

/// Parses every `#[claims(...)]` on a field. A key may appear once across all of them.
pub(crate) fn field_attrs(attrs: &[Attribute], errors: &mut Errors) -> FieldAttrs {
    let mut parsed = FieldAttrs::default();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("claims")) {
        let result = attr.parse_args_with(|input: ParseStream<'_>| {
            parse_comma_separated(input, |input| {
                let lookahead = input.lookahead1();
                if lookahead.peek(kw::namespaced) {
                    let key = input.parse::<kw::namespaced>()?;
                    set_once(&mut parsed.namespaced, &key, key)
                } else if lookahead.peek(kw::rename) {
                    let key = input.parse::<kw::rename>()?;
                    input.parse::<Token![=]>()?;
                    set_once(&mut parsed.rename, &key, input.parse()?)
                } else if lookahead.peek(kw::default) {
                    let key = input.parse::<kw::default>()?;
                    set_once(&mut parsed.default, &key, key)
                } else {
                    Err(lookahead.error())
                }
            })
        });
        errors.push_result(result);
    }
    parsed
}

/// Calls `parse_one` for each comma-separated argument, allowing a trailing comma.
fn parse_comma_separated(
    input: ParseStream<'_>,
    mut parse_one: impl FnMut(ParseStream<'_>) -> syn::Result<()>,
) -> syn::Result<()> {
    while !input.is_empty() {
        parse_one(input)?;
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(())
}
