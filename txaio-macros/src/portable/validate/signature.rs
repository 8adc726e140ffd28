//! What a portable `async fn`'s signature may not have: borrowed arguments (its body runs as
//! a task that outlives the call), and error types a deferred cannot fail with.

use syn::visit::{self, Visit};
use syn::{
    FnArg, GenericArgument, Lifetime, PathArguments, ReturnType, Signature, Type, TypeParamBound,
};

use crate::ctxt::Ctxt;

/// Refuses borrowed arguments and receivers of a portable `async fn`; returns whether it did.
pub(crate) fn check_borrows(cx: &Ctxt, sig: &Signature) -> bool {
    if sig.asyncness.is_none() {
        return false;
    }
    let before = cx.len();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) if receiver.colon_token.is_none() => {
                if receiver.reference.is_some() {
                    let form = if receiver.mutability.is_some() { "&mut self" } else { "&self" };
                    cx.error_spanned_by(
                        receiver,
                        format!(
                            "a #[txaio::portable] async fn runs as a task and cannot borrow `{form}`; \
                             take `self: Arc<Self>` (or `self` by value) instead"
                        ),
                    );
                }
            }
            FnArg::Receiver(receiver) => {
                if find_borrow(&receiver.ty).is_some() {
                    let form = quote::ToTokens::to_token_stream(&*receiver.ty)
                        .to_string()
                        .replace(" < ", "<")
                        .replace(" >", ">")
                        .replace("& ", "&");
                    cx.error_spanned_by(
                        receiver,
                        format!(
                            "a #[txaio::portable] async fn runs as a task and cannot borrow its \
                             receiver (`self: {form}`); take `self: Arc<Self>` (or `self` by value) instead"
                        ),
                    );
                }
            }
            FnArg::Typed(argument) => match find_borrow(&argument.ty) {
                Some(Borrow::Reference(reference)) => cx.error_spanned_by(
                    reference,
                    "a #[txaio::portable] async fn runs as a task and cannot take borrowed \
                     arguments; take an owned value (`String`, `Vec<T>`, `Arc<T>`) instead",
                ),
                Some(Borrow::Lifetime(lifetime)) => cx.error_spanned_by(
                    lifetime,
                    format!(
                        "a #[txaio::portable] async fn runs as a task that outlives the call, so its \
                         arguments cannot borrow for `{lifetime}`; take an owned value (`Cow<'static, str>`, \
                         `String`) instead"
                    ),
                ),
                Some(Borrow::ImplTrait(ty)) => cx.error_spanned_by(
                    ty,
                    "a #[txaio::portable] async fn moves its arguments into a task that outlives the \
                     call, so an `impl Trait` argument must be `'static`: add `+ 'static`",
                ),
                None => {}
            },
        }
    }
    cx.len() > before
}

enum Borrow<'a> {
    Reference(&'a Type),
    Lifetime(&'a Lifetime),
    ImplTrait(&'a Type),
}

/// The first borrow inside `ty`: a non-`'static` reference or lifetime, or an `impl Trait`
/// without `'static`. Callback types (`fn(&str)`, `dyn Fn(&Event)`) borrow nothing: their
/// arguments are not looked into.
fn find_borrow(ty: &Type) -> Option<Borrow<'_>> {
    struct Finder<'ast>(Option<Borrow<'ast>>);
    impl<'ast> Visit<'ast> for Finder<'ast> {
        fn visit_type(&mut self, ty: &'ast Type) {
            if self.0.is_some() {
                return;
            }
            match ty {
                Type::Reference(reference)
                    if reference
                        .lifetime
                        .as_ref()
                        .is_none_or(|lifetime| lifetime.ident != "static") =>
                {
                    self.0 = Some(Borrow::Reference(ty));
                }
                Type::BareFn(_) => {}
                Type::ImplTrait(bounds) => {
                    let is_static = bounds.bounds.iter().any(|bound| {
                        matches!(bound, TypeParamBound::Lifetime(lifetime) if lifetime.ident == "static")
                    });
                    if is_static {
                        visit::visit_type(self, ty);
                    } else {
                        self.0 = Some(Borrow::ImplTrait(ty));
                    }
                }
                _ => visit::visit_type(self, ty),
            }
        }

        fn visit_lifetime(&mut self, lifetime: &'ast Lifetime) {
            if self.0.is_none() && lifetime.ident != "static" {
                self.0 = Some(Borrow::Lifetime(lifetime));
            }
        }

        // `Fn(&str) -> u8` sugar: the callback's own arguments.
        fn visit_path_arguments(&mut self, arguments: &'ast PathArguments) {
            if !matches!(arguments, PathArguments::Parenthesized(_)) {
                visit::visit_path_arguments(self, arguments);
            }
        }

        // `for<'a> Fn(&'a T)`: lifetimes bound by the callback itself.
        fn visit_bound_lifetimes(&mut self, _: &'ast syn::BoundLifetimes) {}
    }
    let mut finder = Finder(None);
    finder.visit_type(ty);
    finder.0
}

/// What the return type of an `async fn` gives its deferred.
pub(crate) enum Output<'a> {
    /// `Result<T, E>`: `Deferred<T>`, failing with `E` (when it is written).
    Result {
        value: &'a Type,
        error: Option<&'a Type>,
    },
    /// An alias the macro cannot see through (`fmt::Result`, an inline module's
    /// `type R<T> = Result<T, E>`): still a `Result`, told apart at the type level.
    Alias,
    /// Anything else: `Deferred<R>`.
    Plain,
}

/// Classifies the declared return type; `aliases` are the `Result` aliases an inline `mod`
/// declares.
pub(crate) fn output<'a>(sig: &'a Signature, aliases: &[String]) -> Output<'a> {
    let ReturnType::Type(_, ty) = &sig.output else {
        return Output::Plain;
    };
    let Type::Path(path) = &**ty else {
        return Output::Plain;
    };
    if path.qself.is_some() {
        return Output::Plain;
    }
    let Some(last) = path.path.segments.last() else {
        return Output::Plain;
    };
    let single = path.path.segments.len() == 1
        || (path.path.segments.len() == 2 && path.path.segments[0].ident == "self");
    if single && aliases.iter().any(|alias| last.ident == alias) {
        return Output::Alias;
    }
    if last.ident != "Result" {
        return Output::Plain;
    }
    match &last.arguments {
        PathArguments::None => Output::Alias,
        PathArguments::AngleBracketed(arguments) => {
            let mut types = arguments.args.iter().filter_map(|argument| match argument {
                GenericArgument::Type(ty) => Some(ty),
                _ => None,
            });
            match types.next() {
                Some(value) => Output::Result {
                    value,
                    error: types.next(),
                },
                None => Output::Plain,
            }
        }
        PathArguments::Parenthesized(_) => Output::Plain,
    }
}

/// Error types a deferred cannot fail with, refused with a message rustc would not give.
pub(crate) fn check_error_type(cx: &Ctxt, error: &Type) {
    if let Some(message) = error_refusal(error) {
        cx.error_spanned_by(error, message);
    }
}

/// Why `error` cannot be a portable `async fn`'s error type, if the macro can tell. The
/// expansion then converts it with `Failure::msg`, so rustc adds no error of its own.
pub(crate) fn error_refusal(error: &Type) -> Option<&'static str> {
    if is_string(error) {
        return Some(
            "a #[txaio::portable] async fn fails its deferred with an error (`E: Into<txaio::Failure>`), \
             and a string is not one; return `Result<T, txaio::Failure>` and make the failure with \
             `txaio::Failure::msg(..)` (or `.map_err(txaio::Failure::msg)`)",
        );
    }
    let object = boxed_dyn_error(error)?;
    let bounds: Vec<String> = object
        .bounds
        .iter()
        .filter_map(|bound| match bound {
            TypeParamBound::Trait(bound) => bound.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        })
        .collect();
    let thread_safe = bounds.iter().any(|b| b == "Send") && bounds.iter().any(|b| b == "Sync");
    (!thread_safe).then_some(
        "the error of a #[txaio::portable] async fn crosses threads with its deferred, so a boxed \
         error must be `Box<dyn Error + Send + Sync>`",
    )
}

fn is_string(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => {
            path.qself.is_none()
                && path
                    .path
                    .segments
                    .last()
                    .is_some_and(|last| last.ident == "String" && last.arguments.is_none())
                && path.path.segments.len() <= 3
        }
        Type::Reference(reference) => {
            matches!(&*reference.elem, Type::Path(path) if path.path.is_ident("str"))
        }
        _ => false,
    }
}

/// `Box<dyn Error + ..>`'s trait object.
pub(crate) fn boxed_dyn_error(ty: &Type) -> Option<&syn::TypeTraitObject> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Box" {
        return None;
    }
    let PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return None;
    };
    let Some(GenericArgument::Type(Type::TraitObject(object))) = arguments.args.first() else {
        return None;
    };
    let first = object.bounds.iter().find_map(|bound| match bound {
        TypeParamBound::Trait(bound) => bound.path.segments.last(),
        _ => None,
    })?;
    (first.ident == "Error").then_some(object)
}
