//! The model of a `#[derive(Claims)]` input. It borrows the syn nodes, whose spans the
//! errors use.

use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, GenericArgument, Ident, PathArguments, Type, TypePath};

use super::attr::{self, ContainerAttrs, FieldAttrs};
use crate::attr_parsing::Errors;

/// A struct with named fields and its `#[claims(...)]` arguments.
pub(crate) struct Input<'a> {
    pub(crate) original: &'a DeriveInput,
    pub(crate) attrs: ContainerAttrs,
    pub(crate) fields: Vec<Field<'a>>,
}

/// A named field and its `#[claims(...)]` arguments.
pub(crate) struct Field<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) ty: &'a Type,
    pub(crate) attrs: FieldAttrs,
    /// `T` when the field's type is written `Option<T>`.
    pub(crate) option_inner: Option<&'a Type>,
}

impl<'a> Input<'a> {
    /// Models `input`. Returns the container arguments alone when the input is not a struct
    /// with named fields, so the fallback expansion can still find the runtime crate.
    pub(crate) fn from_syn(
        input: &'a DeriveInput,
        errors: &mut Errors,
    ) -> Result<Self, ContainerAttrs> {
        let attrs = attr::container_attrs(&input.attrs, errors);

        let named = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => named,
                Fields::Unnamed(unnamed) => {
                    errors.push(syn::Error::new_spanned(
                        unnamed,
                        "`#[derive(Claims)]` needs named fields, because each field reads the claim of its name: write `struct Name { sub: String }`",
                    ));
                    return Err(attrs);
                }
                Fields::Unit => {
                    errors.push(syn::Error::new_spanned(
                        &input.ident,
                        "`#[derive(Claims)]` needs named fields, because each field reads the claim of its name: write `struct Name { sub: String }`, or take `VerifiedToken` to accept any valid token",
                    ));
                    return Err(attrs);
                }
            },
            Data::Enum(data) => {
                errors.push(syn::Error::new_spanned(
                    data.enum_token,
                    "`#[derive(Claims)]` supports structs with named fields, not enums: write `struct Name { sub: String }`",
                ));
                return Err(attrs);
            }
            Data::Union(data) => {
                errors.push(syn::Error::new_spanned(
                    data.union_token,
                    "`#[derive(Claims)]` supports structs with named fields, not unions: write `struct Name { sub: String }`",
                ));
                return Err(attrs);
            }
        };

        let fields = named
            .named
            .iter()
            .filter_map(|field| {
                // Named fields always have an ident.
                let ident = field.ident.as_ref()?;
                Some(Field {
                    ident,
                    ty: &field.ty,
                    attrs: attr::field_attrs(&field.attrs, errors),
                    option_inner: option_inner(&field.ty),
                })
            })
            .collect();

        Ok(Self {
            original: input,
            attrs,
            fields,
        })
    }

    /// Returns the namespace without its trailing slashes.
    pub(crate) fn namespace_base(&self) -> Option<String> {
        let namespace = self.attrs.namespace.as_ref()?.value();
        Some(namespace.trim_end_matches('/').to_owned())
    }
}

impl Field<'_> {
    /// Returns the claim name before any namespace: `rename`, or the field's own name
    /// without `r#`.
    pub(crate) fn base_name(&self) -> String {
        match &self.attrs.rename {
            Some(rename) => rename.value(),
            None => self.ident.unraw().to_string(),
        }
    }

    /// Returns the claim the field reads. A namespaced name joins the namespace and the base
    /// name with exactly one `/`.
    pub(crate) fn claim_name(&self, namespace_base: Option<&str>) -> String {
        match (&self.attrs.namespaced, namespace_base) {
            (Some(_), Some(base)) => format!("{base}/{}", self.base_name()),
            _ => self.base_name(),
        }
    }

    /// Returns the span where errors about the field's claim name point.
    pub(crate) fn name_span(&self) -> proc_macro2::Span {
        match &self.attrs.rename {
            Some(rename) => rename.span(),
            None => self.ident.span(),
        }
    }
}

/// Returns `T` for a type written `Option<T>`, `std::option::Option<T>` or
/// `core::option::Option<T>`. A type alias of `Option` is not recognized.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(TypePath { qself: None, path }) = ty else {
        return None;
    };
    let segments: Vec<&Ident> = path.segments.iter().map(|segment| &segment.ident).collect();
    let is_option = match segments.as_slice() {
        [option] => *option == "Option",
        [root, module, option] => {
            (*root == "std" || *root == "core") && *module == "option" && *option == "Option"
        }
        _ => false,
    };
    if !is_option {
        return None;
    }
    let PathArguments::AngleBracketed(arguments) = &path.segments.last()?.arguments else {
        return None;
    };
    match arguments.args.first() {
        Some(GenericArgument::Type(inner)) if arguments.args.len() == 1 => Some(inner),
        _ => None,
    }
}
