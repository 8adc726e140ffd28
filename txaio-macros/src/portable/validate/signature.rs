//! What a portable `async fn`'s signature says: whether it borrows (then it keeps its
//! signature, as its body cannot outlive the call), what its deferred holds, and error types a
//! deferred cannot fail with.

use syn::visit::{self, Visit};
use syn::{
    FnArg, GenericArgument, Lifetime, PathArguments, ReturnType, Signature, Type, TypeParamBound,
};

use crate::ctxt::Ctxt;

/// Whether an `async fn` borrows: a `&self`/`&mut self` receiver (or `self: Pin<&mut Self>`),
/// or an argument holding a reference, a non-`'static` lifetime or an `impl Trait` without
/// `'static`. Such a function cannot run as a task that outlives the call, so it keeps its
/// signature and runs in its caller's task.
pub(crate) fn borrows(sig: &Signature) -> bool {
    sig.inputs.iter().any(|input| match input {
        FnArg::Receiver(receiver) if receiver.colon_token.is_none() => receiver.reference.is_some(),
        FnArg::Receiver(receiver) => has_borrow(&receiver.ty),
        FnArg::Typed(argument) => has_borrow(&argument.ty),
    })
}

/// Whether `ty` borrows: a non-`'static` reference or lifetime, or an `impl Trait` without
/// `'static`. Callback types (`fn(&str)`, `dyn Fn(&Event)`) borrow nothing: their arguments
/// are not looked into.
fn has_borrow(ty: &Type) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_type(&mut self, ty: &'ast Type) {
            if self.0 {
                return;
            }
            match ty {
                Type::Reference(reference)
                    if reference
                        .lifetime
                        .as_ref()
                        .is_none_or(|lifetime| lifetime.ident != "static") =>
                {
                    self.0 = true;
                }
                Type::BareFn(_) => {}
                Type::ImplTrait(bounds) => {
                    let is_static = bounds.bounds.iter().any(|bound| {
                        matches!(bound, TypeParamBound::Lifetime(lifetime) if lifetime.ident == "static")
                    });
                    if is_static {
                        visit::visit_type(self, ty);
                    } else {
                        self.0 = true;
                    }
                }
                _ => visit::visit_type(self, ty),
            }
        }

        fn visit_lifetime(&mut self, lifetime: &'ast Lifetime) {
            if lifetime.ident != "static" {
                self.0 = true;
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
    let mut finder = Finder(false);
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
        // `Result` alone is an alias in scope (`use std::fmt::Result`); `fmt::Result` is std's;
        // any other path to a `Result` without arguments (`messages::Result`, WAMP's RESULT
        // message) is a type of that name, not a `Result`.
        PathArguments::None if single || is_fmt_result(&path.path) => Output::Alias,
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
        PathArguments::None | PathArguments::Parenthesized(_) => Output::Plain,
    }
}

/// `fmt::Result`, `std::fmt::Result`, `core::fmt::Result` (with or without a leading `::`).
fn is_fmt_result(path: &syn::Path) -> bool {
    let words: Vec<String> = path
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    matches!(
        words.as_slice(),
        ["fmt", "Result"] | ["std" | "core", "fmt", "Result"]
    )
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
