//! Rewriting portable functions. Generated code names txaio through `Args::krate` and spans
//! its wrappers at the user's `async` keyword, so rustc's errors point at the user's code.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, FnArg, Pat, ReturnType, Signature, Type, parse_quote, parse_quote_spanned};

use super::args::Args;
use super::validate::{Output, boxed_dyn_error, error_refusal};

/// The expression for the runtime a function runs on: the pinned one, or the current one.
fn runtime_expr(args: &Args) -> TokenStream {
    let Some((backend, span)) = args.runtime else {
        let krate = args.krate();
        return quote!(#krate::__private::current());
    };
    // At the runtime name's span, so that "not compiled in" points at it.
    let krate = args
        .krate
        .as_ref()
        .map_or_else(|| quote_spanned!(span=> ::txaio), ToTokens::to_token_stream);
    let requirement = format_ident!("{}", backend.requirement(), span = span);
    let variant = format_ident!("{}", backend.variant());
    quote_spanned! {span=>
        {
            #krate::__private::#requirement!();
            #krate::Runtime::#variant
        }
    }
}

/// The declared type with every `impl Trait` replaced by `_`, for `let` annotations (where
/// `impl Trait` is not allowed; the signature keeps it).
fn inferred(ty: &Type) -> Type {
    struct Infer;
    impl VisitMut for Infer {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::ImplTrait(implementation) = ty {
                *ty = Type::Infer(syn::TypeInfer {
                    underscore_token: syn::Token![_](implementation.impl_token.span),
                });
            } else {
                visit_mut::visit_type_mut(self, ty);
            }
        }
    }
    let mut ty = ty.clone();
    Infer.visit_type_mut(&mut ty);
    ty
}

/// `async fn f(args) -> R { body }` -> `fn f(args) -> Deferred<T> { spawn(body) }`.
pub(crate) fn async_fn(
    args: &Args,
    sig: &mut Signature,
    block: &Block,
    output: &Output<'_>,
) -> Block {
    let krate = args.krate();
    let runtime = runtime_expr(args);
    let span = sig
        .asyncness
        .map_or_else(Span::call_site, |token| token.span);
    let declared = declared(sig);
    let infer = inferred(&declared);
    let (value, outcome) = outcome(&krate, &declared, output);
    let held = hold_arguments(sig);
    sig.asyncness = None;
    sig.output = parse_quote_spanned!(declared.span()=> -> #krate::Deferred<#value>);
    // async-trait's pattern: the `if let` fixes the inner block's return type before the
    // body, so `?` and `return` in the body type-check against the declared type, and a
    // mismatch points at the user's expression and return type.
    parse_quote_spanned!(span=> {
        // Called by a name at the `async` keyword: a body that is not `Send` fails the bound
        // of `spawn_portable`, which rustc reports at the callee's path, so at the `async fn`.
        use #krate::__private::spawn_portable as __txaio_spawn_portable;
        let __txaio_body = async move {
            #[allow(clippy::let_unit_value)]
            let __txaio_output: #infer = async move {
                if let ::core::option::Option::Some(__txaio_return) = ::core::option::Option::None::<#infer> {
                    #[allow(unreachable_code)]
                    return __txaio_return;
                }
                #held
                #[allow(clippy::diverging_sub_expression, clippy::let_unit_value, unreachable_code)]
                let __txaio_return: #infer = #block;
                #[allow(unreachable_code)]
                __txaio_return
            }
            .await;
            #outcome
        };
        __txaio_spawn_portable(#runtime, __txaio_body)
    })
}

/// The declared return type, for the body's `let`: `()` when none is written, and
/// `Infallible` for `!` (the `!` type is unstable anywhere but a return type).
fn declared(sig: &Signature) -> Type {
    match &sig.output {
        ReturnType::Default => parse_quote_spanned!(sig.ident.span()=> ()),
        ReturnType::Type(_, ty) => match &**ty {
            Type::Never(never) => {
                parse_quote_spanned!(never.bang_token.span=> ::core::convert::Infallible)
            }
            ty => ty.clone(),
        },
    }
}

/// Statements that move every argument into the body, so that each lives as long as the body
/// (as in a plain `async fn`), also those the body never names: an `async move` block
/// captures only the names it uses, and a `_permit` or `_` argument would be dropped at the
/// call. A named argument is moved into a local of its own name (its `mut` moves with it); a
/// pattern (`_`, a tuple) gets a hidden name in the signature, bound to the pattern in the
/// body. An unused `self` is borrowed once, which moves it in.
fn hold_arguments(sig: &mut Signature) -> TokenStream {
    let mut held = TokenStream::new();
    for (index, input) in sig.inputs.iter_mut().enumerate() {
        match input {
            FnArg::Receiver(receiver) => {
                let token = receiver.self_token;
                held.extend(quote_spanned!(token.span=>
                    #[allow(clippy::no_effect_underscore_binding)]
                    let __txaio_self = &#token;
                ));
            }
            FnArg::Typed(typed) => match &mut *typed.pat {
                Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => {
                    let mutability = ident.mutability.take();
                    let name = &ident.ident;
                    held.extend(quote! {
                        #[allow(clippy::redundant_locals, clippy::no_effect_underscore_binding)]
                        let #mutability #name = #name;
                    });
                }
                pat => {
                    let hidden = format_ident!("__txaio_arg{}", index, span = pat.span());
                    let original = std::mem::replace(
                        pat,
                        Pat::Ident(syn::PatIdent {
                            attrs: Vec::new(),
                            by_ref: None,
                            mutability: None,
                            ident: hidden.clone(),
                            subpat: None,
                        }),
                    );
                    held.extend(quote! {
                        #[allow(clippy::redundant_locals, clippy::no_effect_underscore_binding)]
                        let #hidden = #hidden;
                        #[allow(clippy::no_effect_underscore_binding)]
                        let #original = #hidden;
                    });
                }
            },
        }
    }
    held
}

/// The deferred's value type, and the expression turning `__txaio_output` into its outcome.
fn outcome(
    krate: &TokenStream,
    declared: &Type,
    output: &Output<'_>,
) -> (TokenStream, TokenStream) {
    let into = |span: Span, tagged: bool| {
        // A `Box<dyn Error + Send + Sync>` behind an alias the macro cannot see through is no
        // `Error` (so no `Into<Failure>`): the tag wraps it in one. A `Failure` needs no tag.
        let error = if tagged {
            quote_spanned! {span=> {
                #[allow(unused_imports)]
                use #krate::__private::{BoxedErrorTag as _, ErrorTag as _};
                (&error).__txaio_error_tag().prepare(error)
            }}
        } else {
            quote_spanned!(span=> error)
        };
        quote_spanned! {span=>
            match __txaio_output {
                ::core::result::Result::Ok(value) => ::core::result::Result::Ok(value),
                ::core::result::Result::Err(error) => ::core::result::Result::Err(
                    ::core::convert::Into::<#krate::Failure>::into(#error),
                ),
            }
        }
    };
    match output {
        Output::Plain => (
            declared.to_token_stream(),
            quote!(::core::result::Result::<_, #krate::Failure>::Ok(__txaio_output)),
        ),
        Output::Alias => (
            quote_spanned!(declared.span()=> <#declared as #krate::__private::PortableResult>::Value),
            into(declared.span(), true),
        ),
        Output::Result { value, error } => {
            let value = value.to_token_stream();
            match error {
                Some(error) if error_refusal(error).is_some() => (
                    value,
                    quote_spanned!(error.span()=> ::core::result::Result::map_err(__txaio_output, #krate::Failure::msg)),
                ),
                Some(error) if boxed_dyn_error(error).is_some() => (
                    value,
                    quote_spanned!(error.span()=> ::core::result::Result::map_err(__txaio_output, #krate::__private::boxed_error)),
                ),
                Some(error) => (value, into(error.span(), !is_failure(error))),
                None => (value, into(declared.span(), true)),
            }
        }
    }
}

/// A function that keeps its signature: a callback-style `fn`, or an `async fn` that borrows
/// or is under `keep_signature`. Its body runs with its backend current, so its txaio calls go
/// there: for a plain `fn` while it runs, for an `async fn` during each poll (it runs in its
/// caller's task, with no spawn and no allocation).
pub(crate) fn kept_fn(args: &Args, sig: &Signature, block: &Block) -> Block {
    if args.runtime.is_none() {
        return block.clone();
    }
    let runtime = runtime_expr(args);
    let krate = args.krate();
    if sig.asyncness.is_none() {
        return parse_quote!({
            let __txaio_entered = #krate::__private::enter(#runtime);
            #block
        });
    }
    let never = matches!(&sig.output, ReturnType::Type(_, ty) if matches!(**ty, Type::Never(_)));
    let declared = declared(sig);
    let infer = inferred(&declared);
    // `-> !`: the body is typed as `Infallible` (naming `!` elsewhere is unstable), which
    // converts back to `!` by matching on it.
    let diverge = never.then(|| quote!(; match __txaio_never {}));
    let bind = if never {
        quote!(let __txaio_never =)
    } else {
        TokenStream::new()
    };
    let span = sig
        .asyncness
        .map_or_else(Span::call_site, |token| token.span);
    // The body as an `async` block (typed as in `async_fn`, so `?` and `return` check against
    // the declared type), pinned on the caller's stack and polled with the backend current.
    parse_quote_spanned!(span=> {
        let __txaio_runtime = #runtime;
        let mut __txaio_body = ::core::pin::pin!(async move {
            if let ::core::option::Option::Some(__txaio_return) = ::core::option::Option::None::<#infer> {
                #[allow(unreachable_code)]
                return __txaio_return;
            }
            #[allow(clippy::diverging_sub_expression, clippy::let_unit_value, unreachable_code)]
            let __txaio_return: #infer = #block;
            #[allow(unreachable_code)]
            __txaio_return
        });
        #bind ::core::future::poll_fn(move |__txaio_cx| {
            let __txaio_entered = #krate::__private::enter(__txaio_runtime);
            ::core::future::Future::poll(::core::pin::Pin::as_mut(&mut __txaio_body), __txaio_cx)
        })
        .await
        #diverge
    })
}

/// `Failure` or `txaio::Failure`, written as such: converted without the error tag.
fn is_failure(error: &Type) -> bool {
    matches!(error, Type::Path(path) if path.qself.is_none()
        && path.path.segments.last().is_some_and(|last| last.ident == "Failure"))
}
