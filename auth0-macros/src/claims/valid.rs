//! Rules on the namespace and on the claim names of the fields.

use std::collections::HashMap;

use syn::LitStr;

use super::ast::Input;
use crate::attr_parsing::{Errors, printable};

/// Claims that tokens carry at the top level, never under a namespace, so a namespaced
/// field would never find them: the registered claims of RFC 7519, `scope` (RFC 8693), `azp` (OIDC Core),
/// `cnf` (RFC 7800), and Auth0's `permissions` and `gty`.
const TOP_LEVEL_CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "scope",
    "azp",
    "cnf",
    "permissions",
    "gty",
];

/// Domains that Auth0 rejects as namespaces, per its guide "Create namespaced custom
/// claims": a claim under them is never added to a token.
const AUTH0_DOMAINS: &[&str] = &["auth0.com", "webtask.io", "webtask.run"];

pub(crate) fn validate(input: &Input<'_>, errors: &mut Errors) {
    for lifetime in input.original.generics.lifetimes() {
        errors.push(syn::Error::new_spanned(
            lifetime,
            "claims types cannot borrow, because `Claims` requires `'static`: remove the lifetime and use owned types such as `String`",
        ));
    }
    if let Some(namespace) = &input.attrs.namespace
        && let Err(error) = validate_namespace(namespace)
    {
        errors.push(error);
    }
    validate_fields(input, errors);
}

/// Checks that the namespace is an absolute `http` or `https` URL outside Auth0's own
/// domains, with no query or fragment, since claim names are appended to it.
fn validate_namespace(namespace: &LitStr) -> syn::Result<()> {
    let value = namespace.value();
    let hint = "write an absolute URL that you control, such as `https://myapp.example.com/`";
    let invalid = |reason: &str| {
        Err(syn::Error::new_spanned(
            namespace,
            format!("namespace `{}` {reason}: {hint}", printable(&value)),
        ))
    };

    let Some(rest) = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
    else {
        return invalid("is not an `http` or `https` URL");
    };
    if !value.bytes().all(|byte| byte.is_ascii_graphic()) {
        return invalid("contains whitespace or characters outside visible ASCII");
    }
    if value.contains(['?', '#']) {
        return invalid("has a query or fragment");
    }

    let authority = rest.split('/').next().unwrap_or_default();
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(host, _port)| host);
    let host_is_valid = !host.is_empty()
        && host
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'.');
    if !host_is_valid {
        return invalid("has no valid host");
    }

    let host = host.to_ascii_lowercase();
    if let Some(domain) = AUTH0_DOMAINS
        .iter()
        .find(|domain| host == **domain || host.ends_with(&format!(".{domain}")))
    {
        return Err(syn::Error::new_spanned(
            namespace,
            format!(
                "namespace `{value}` is under `{domain}`, which Auth0 does not allow as a namespace, so tokens never carry its claims: {hint}"
            ),
        ));
    }
    Ok(())
}

fn validate_fields(input: &Input<'_>, errors: &mut Errors) {
    let namespace_base = input.namespace_base();
    let mut claim_owners: HashMap<String, &syn::Ident> = HashMap::new();

    for field in &input.fields {
        let ident = field.ident;
        let base_name = field.base_name();

        if let Some(rename) = &field.attrs.rename
            && base_name.is_empty()
        {
            errors.push(syn::Error::new_spanned(
                rename,
                "empty claim name: write the claim's name, such as `rename = \"full-name\"`",
            ));
        }

        if let Some(namespaced) = &field.attrs.namespaced {
            if input.attrs.namespace.is_none() {
                errors.push(syn::Error::new_spanned(
                    namespaced,
                    "`namespaced` needs a namespace on the struct: add `#[claims(namespace = \"https://myapp.example.com/\")]` above it",
                ));
            }
            if TOP_LEVEL_CLAIMS.contains(&base_name.as_str()) {
                errors.push(syn::Error::new(
                    field.name_span(),
                    format!(
                        "`{base_name}` is a standard claim, which tokens carry without a namespace: remove `namespaced` from `{ident}`"
                    ),
                ));
            }
            if base_name.starts_with('/') {
                errors.push(syn::Error::new(
                    field.name_span(),
                    format!(
                        "claim name `{base_name}` starts with `/`, but the namespace and the name are joined with one `/`: remove the leading `/`"
                    ),
                ));
            }
        }

        if let (Some(default), Some(_)) = (&field.attrs.default, field.option_inner) {
            errors.push(syn::Error::new_spanned(
                default,
                format!(
                    "`default` has no effect on the `Option` field `{ident}`, which is `None` when the claim is absent: remove `default`"
                ),
            ));
        }

        let claim = field.claim_name(namespace_base.as_deref());
        if let Some(first) = claim_owners.get(&claim) {
            errors.push(syn::Error::new(
                field.name_span(),
                format!(
                    "fields `{first}` and `{ident}` both read the claim `{claim}`: give one of them another name with `#[claims(rename = \"...\")]`"
                ),
            ));
        } else {
            claim_owners.insert(claim, ident);
        }
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::Span;

    use super::*;

    fn check(namespace: &str) -> syn::Result<()> {
        validate_namespace(&LitStr::new(namespace, Span::call_site()))
    }

    #[test]
    fn namespace_accepts_http_urls() {
        for namespace in [
            "https://myapp.example.com/",
            "https://myapp.example.com",
            "http://myapp.example.com/claims/",
            "https://myapp.example.com:8443/",
            "http://localhost/",
            "https://notauth0.com/",
        ] {
            assert!(check(namespace).is_ok(), "{namespace}");
        }
    }

    #[test]
    fn namespace_rejects_other_values() {
        for namespace in [
            "",
            "myapp.example.com",
            "urn:myapp:claims",
            "ftp://myapp.example.com/",
            "HTTPS://myapp.example.com/",
            "https://",
            "https:///claims",
            "https://my app.example.com/",
            "https://myapp.example.com/\n",
            "https://myapp.example.com/?v=1",
            "https://myapp.example.com/#claims",
            "https://user@myapp.example.com/",
            "https://auth0.com/",
            "https://tenant.us.auth0.com/",
            "https://x.webtask.io/",
            "https://x.WEBTASK.run/",
        ] {
            assert!(check(namespace).is_err(), "{namespace:?}");
        }
    }
}
