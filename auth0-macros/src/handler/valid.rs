//! Rules on the handler's signature and on the values of its attributes.

use std::collections::HashSet;

use syn::{FnArg, GenericArgument, Ident, ItemFn, LitStr, Pat, PathArguments, Type};

use super::attr::{AttrKind, HandlerAttr};
use super::expand::requirement_ident;
use crate::attr_parsing::{Errors, printable};

/// Checks that the function can be an Axum handler that takes our guard as an extra first
/// parameter.
pub(crate) fn validate_signature(function: &ItemFn, kind: AttrKind, errors: &mut Errors) {
    let name = kind.name();
    let ident = &function.sig.ident;

    if function.sig.asyncness.is_none() {
        errors.push(syn::Error::new_spanned(
            function.sig.fn_token,
            format!("`#[{name}]` needs an async handler: write `async fn {ident}`"),
        ));
    }

    let mut first_claims: Option<&Ident> = None;
    for input in &function.sig.inputs {
        let argument = match input {
            FnArg::Receiver(receiver) => {
                errors.push(syn::Error::new_spanned(
                    receiver,
                    format!(
                        "`#[{name}]` handlers cannot take `self`: make `{ident}` a free `async fn` and reach shared data through the router state"
                    ),
                ));
                continue;
            }
            FnArg::Typed(argument) => argument,
        };
        let Some(claims) = claims_type_name(&argument.ty) else {
            continue;
        };
        match first_claims {
            None => first_claims = Some(claims),
            Some(first) => errors.push(syn::Error::new_spanned(
                &argument.ty,
                format!(
                    "second claims parameter: `{first}` already reads the access token, so remove this one, or read every claim you need through one `#[derive(Claims)]` type"
                ),
            )),
        }
    }
}

/// Returns whether a parameter carries the guard that `expand` adds: either
/// `_: <runtime>::Require<__Auth0Requirement_NAME>`, or `(_, pat): (<that type>, T)`.
pub(crate) fn has_guard(function: &ItemFn) -> bool {
    let expected = requirement_ident(&function.sig.ident);
    function.sig.inputs.iter().any(|input| {
        let FnArg::Typed(typed) = input else {
            return false;
        };
        match (&*typed.pat, &*typed.ty) {
            (Pat::Wild(_), ty) => is_guard_type(ty, &expected),
            (Pat::Tuple(pattern), Type::Tuple(tuple)) => {
                pattern.elems.len() == 2
                    && matches!(pattern.elems.first(), Some(Pat::Wild(_)))
                    && tuple.elems.len() == 2
                    && tuple
                        .elems
                        .first()
                        .is_some_and(|ty| is_guard_type(ty, &expected))
            }
            _ => false,
        }
    })
}

/// Returns whether `ty` is `<runtime>::Require<expected>`.
fn is_guard_type(ty: &Type, expected: &Ident) -> bool {
    let Type::Path(require) = ty else {
        return false;
    };
    let Some(last) = require.path.segments.last() else {
        return false;
    };
    let PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return false;
    };
    let Some(GenericArgument::Type(Type::Path(requirement))) = arguments.args.first() else {
        return false;
    };
    last.ident == "Require" && requirement.path.is_ident(expected)
}

/// Returns the type name of a parameter that reads the token's claims: `StandardClaims`,
/// `VerifiedToken`, or any type whose name ends in `Claims`.
fn claims_type_name(ty: &Type) -> Option<&Ident> {
    match ty {
        Type::Path(path) if path.qself.is_none() => {
            let ident = &path.path.segments.last()?.ident;
            let name = ident.to_string();
            let is_claims = name == "VerifiedToken" || name.ends_with("Claims");
            is_claims.then_some(ident)
        }
        Type::Group(group) => claims_type_name(&group.elem),
        Type::Paren(paren) => claims_type_name(&paren.elem),
        _ => None,
    }
}

/// Checks the scopes and permissions of every attribute on the handler.
pub(crate) fn validate_values(attrs: &[HandlerAttr], errors: &mut Errors) {
    // Values of all-of attributes of one claim list, across stacked attributes.
    let mut required: HashSet<(&str, String)> = HashSet::new();

    for attr in attrs {
        let Some(noun) = attr.kind.value_noun() else {
            continue;
        };
        if attr.values.is_empty() {
            let name = attr.kind.name();
            errors.push(attr.error(format!(
                "`#[{name}]` lists no {noun}: write `#[{name}(\"read:messages\")]`, or `#[protected]` to require only a valid token"
            )));
            continue;
        }

        let mut seen = HashSet::new();
        for literal in &attr.values {
            if let Err(error) = validate_value(noun, literal) {
                errors.push(error);
                continue;
            }
            let value = literal.value();
            let repeated = !seen.insert(value.clone())
                || (attr.kind.requires_all() && !required.insert((noun, value.clone())));
            if repeated {
                errors.push(syn::Error::new_spanned(
                    literal,
                    format!("duplicate {noun} `{value}`: remove this one"),
                ));
            }
        }
    }
}

/// Checks one value against the `scope-token` grammar of RFC 6749 section 3.3:
/// `1*( %x21 / %x23-5B / %x5D-7E )`. Auth0 permissions are the scopes of an API, so the
/// same grammar applies to them.
fn validate_value(noun: &str, literal: &LitStr) -> syn::Result<()> {
    let value = literal.value();

    if value.trim().is_empty() {
        return Err(syn::Error::new_spanned(
            literal,
            format!("empty {noun}: write the {noun}, such as `\"read:messages\"`, or remove it"),
        ));
    }

    if value.contains(char::is_whitespace) {
        let parts: Vec<String> = value
            .split_whitespace()
            .map(|part| format!("\"{part}\""))
            .collect();
        return Err(syn::Error::new_spanned(
            literal,
            format!(
                "{noun} `{}` contains whitespace, which separates {noun}s: list each {noun} as its own string, `{}`",
                printable(&value),
                parts.join(", ")
            ),
        ));
    }

    let is_scope_char = |c: char| matches!(c, '\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e');
    if let Some(invalid) = value.chars().find(|c| !is_scope_char(*c)) {
        return Err(syn::Error::new_spanned(
            literal,
            format!(
                "{noun} `{}` contains `{}`, which RFC 6749 section 3.3 does not allow in a scope: use visible ASCII characters other than `\"` and `\\`",
                printable(&value),
                printable(&invalid.to_string())
            ),
        ));
    }

    Ok(())
}

#[cfg(test)]
mod tests {
    use proc_macro2::Span;

    use super::*;

    fn check(value: &str) -> syn::Result<()> {
        validate_value("scope", &LitStr::new(value, Span::call_site()))
    }

    #[test]
    fn scope_token_grammar_boundaries() {
        // RFC 6749 section 3.3: %x21 / %x23-5B / %x5D-7E.
        for byte in 0_u8..=0x7f {
            let value = format!("a{}", char::from(byte));
            let allowed =
                byte == 0x21 || (0x23..=0x5b).contains(&byte) || (0x5d..=0x7e).contains(&byte);
            assert_eq!(check(&value).is_ok(), allowed, "byte {byte:#04x}");
        }
        assert!(check("read:messages").is_ok());
        assert!(check("lire:été").is_err());
    }

    #[test]
    fn scope_empty_or_blank_rejected() {
        for value in ["", " ", "\t"] {
            assert!(check(value).is_err(), "{value:?}");
        }
    }
}
