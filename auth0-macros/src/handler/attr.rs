//! Parsing the arguments of `#[protected]` and the `#[requires_*]` attributes.

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Lit, LitStr, Meta, Path, Token, parse_quote};

use crate::attr_parsing::{CratePath, set_once};

/// One of the handler attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttrKind {
    Protected,
    RequiresScope,
    RequiresAnyScope,
    RequiresPermission,
    RequiresAnyPermission,
}

impl AttrKind {
    const ALL: [Self; 5] = [
        Self::Protected,
        Self::RequiresScope,
        Self::RequiresAnyScope,
        Self::RequiresPermission,
        Self::RequiresAnyPermission,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Protected => "protected",
            Self::RequiresScope => "requires_scope",
            Self::RequiresAnyScope => "requires_any_scope",
            Self::RequiresPermission => "requires_permission",
            Self::RequiresAnyPermission => "requires_any_permission",
        }
    }

    /// Finds the attribute an attribute path names, by its last segment, so
    /// `auth0_runtime::requires_scope` and a renamed crate's path match too.
    pub(crate) fn from_path(path: &Path) -> Option<Self> {
        let last = path.segments.last()?;
        Self::ALL.into_iter().find(|kind| last.ident == kind.name())
    }

    /// Returns the word for the attribute's values in messages, or `None` for `#[protected]`.
    pub(crate) fn value_noun(self) -> Option<&'static str> {
        match self {
            Self::Protected => None,
            Self::RequiresScope | Self::RequiresAnyScope => Some("scope"),
            Self::RequiresPermission | Self::RequiresAnyPermission => Some("permission"),
        }
    }

    /// Returns the `Clause` constructor of the runtime crate that the attribute expands to.
    pub(crate) fn clause_constructor(self) -> Option<&'static str> {
        match self {
            Self::Protected => None,
            Self::RequiresScope => Some("all_scopes"),
            Self::RequiresAnyScope => Some("any_scope"),
            Self::RequiresPermission => Some("all_permissions"),
            Self::RequiresAnyPermission => Some("any_permission"),
        }
    }

    /// Returns whether every value is required, so the same value in two such attributes is
    /// a duplicate.
    pub(crate) fn requires_all(self) -> bool {
        matches!(self, Self::RequiresScope | Self::RequiresPermission)
    }
}

/// The argument that replaces the arguments of our attributes below the one the compiler
/// expands first, once that one has collected them. The compiler still resolves each
/// attribute's path, so its import counts as used, and the marked attribute expands to
/// the handler unchanged.
pub(crate) const APPLIED_MARKER: &str = "__auth0_already_applied";

/// Returns whether `args` is the marker of an attribute whose clauses are already applied.
pub(crate) fn is_applied_marker(args: &TokenStream) -> bool {
    syn::parse2::<Ident>(args.clone()).is_ok_and(|ident| ident == APPLIED_MARKER)
}

/// Replaces the arguments of `attr` with the applied marker.
pub(crate) fn mark_applied(attr: &mut Attribute) {
    let path = attr.path().clone();
    let marker = Ident::new(APPLIED_MARKER, Span::call_site());
    *attr = parse_quote!(#[#path(#marker)]);
}

/// The parsed arguments of one handler attribute.
pub(crate) struct HandlerAttr {
    pub(crate) kind: AttrKind,
    /// The attribute as written, or `None` for the one the compiler expands, whose whole
    /// text is the call site.
    written: Option<Attribute>,
    pub(crate) values: Vec<LitStr>,
    pub(crate) crate_path: Option<CratePath>,
}

impl HandlerAttr {
    /// Parses the arguments that the compiler passes to the attribute macro itself.
    pub(crate) fn from_args(kind: AttrKind, args: TokenStream) -> syn::Result<Self> {
        let parser = |input: ParseStream<'_>| parse_arguments(kind, None, input);
        parser.parse2(args)
    }

    /// Parses one of our attributes that is still on the handler, below the one that the
    /// compiler expands.
    pub(crate) fn from_attribute(kind: AttrKind, attr: &Attribute) -> syn::Result<Self> {
        match &attr.meta {
            Meta::Path(_) => Ok(Self {
                kind,
                written: Some(attr.clone()),
                values: Vec::new(),
                crate_path: None,
            }),
            Meta::List(_) => attr.parse_args_with(|input: ParseStream<'_>| {
                parse_arguments(kind, Some(attr.clone()), input)
            }),
            Meta::NameValue(meta) => Err(syn::Error::new_spanned(
                meta.eq_token,
                format!(
                    "write the values in parentheses: `#[{}(\"read:messages\")]`",
                    kind.name()
                ),
            )),
        }
    }

    /// Builds an error about the attribute as a whole.
    pub(crate) fn error(&self, message: String) -> syn::Error {
        match &self.written {
            Some(attr) => syn::Error::new_spanned(attr, message),
            None => syn::Error::new(Span::call_site(), message),
        }
    }
}

/// Parses `"value", ..., crate = "path"` in any order, with an optional trailing comma.
fn parse_arguments(
    kind: AttrKind,
    written: Option<Attribute>,
    input: ParseStream<'_>,
) -> syn::Result<HandlerAttr> {
    let mut values = Vec::new();
    let mut crate_path = None;

    while !input.is_empty() {
        let lookahead = input.lookahead1();
        if kind.value_noun().is_some() && lookahead.peek(LitStr) {
            values.push(input.parse()?);
        } else if lookahead.peek(Token![crate]) {
            let argument = input.parse::<CratePath>()?;
            let keyword = argument.keyword;
            set_once(&mut crate_path, &keyword, argument)?;
        } else if input.peek(Lit) {
            return Err(literal_error(kind, &input.parse()?));
        } else if kind.value_noun().is_some() && input.peek(syn::Ident) && !input.peek2(Token![=]) {
            return Err(unquoted_error(kind, input));
        } else {
            return Err(lookahead.error());
        }

        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }

    Ok(HandlerAttr {
        kind,
        written,
        values,
        crate_path,
    })
}

/// Explains a literal that is not a value this attribute takes.
fn literal_error(kind: AttrKind, literal: &Lit) -> syn::Error {
    match (kind.value_noun(), literal) {
        (None, Lit::Str(scope)) => syn::Error::new_spanned(
            literal,
            format!(
                "`#[protected]` takes no scopes: to require one, write `#[requires_scope(\"{}\")]`",
                scope.value()
            ),
        ),
        (None, _) => syn::Error::new_spanned(
            literal,
            "`#[protected]` takes no arguments besides `crate = \"...\"`",
        ),
        (Some(noun), _) => syn::Error::new_spanned(
            literal,
            format!("expected a {noun} as a string literal, such as `\"read:messages\"`"),
        ),
    }
}

/// Explains a value written without quotes, such as `read:messages`, by quoting the tokens
/// up to the next comma.
fn unquoted_error(kind: AttrKind, input: ParseStream<'_>) -> syn::Error {
    let noun = kind.value_noun().unwrap_or("scope");
    let tokens = input.step(|cursor| {
        let mut tokens = TokenStream::new();
        let mut rest = *cursor;
        while let Some((tree, next)) = rest.token_tree() {
            if matches!(&tree, TokenTree::Punct(punct) if punct.as_char() == ',') {
                break;
            }
            tokens.extend([tree]);
            rest = next;
        }
        Ok((tokens, rest))
    });
    match tokens {
        Ok(tokens) => {
            let text = tokens.to_string().replace(' ', "");
            syn::Error::new_spanned(
                tokens,
                format!("expected a {noun} as a string literal: write `\"{text}\"`"),
            )
        }
        Err(error) => error,
    }
}
