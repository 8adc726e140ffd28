//! The arguments of the common std macros, checked like any expression.

use proc_macro2::TokenStream;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Expr, Token};

use super::super::scope::Resolved;
use super::Checker;

impl<'ast> Checker<'ast, '_> {
    /// `assert!`, `println!`, `format!`, `vec!`, ...: their arguments are expressions, checked
    /// like the rest (best effort: arguments that do not parse as expressions are skipped).
    pub(super) fn visit_std_macro_arguments(&mut self, mac: &'ast syn::Macro) {
        let Some(last) = mac.path.segments.last() else {
            return;
        };
        let name = last.ident.unraw().to_string();
        if name == "select" || name == "select_biased" {
            // `futures::select!`'s arms, which the messages recommend.
            if let Resolved::Path { segments, .. } = self.resolve(&mac.path)
                && segments.iter().any(|segment| segment == "futures")
                && let Ok(expressions) = select_arms.parse2(mac.tokens.clone())
            {
                for expression in &expressions {
                    self.check_detached(expression);
                }
            }
            return;
        }
        if !STD_MACROS.contains(&name.as_str()) {
            return;
        }
        if let Resolved::Path {
            imported: true,
            segments,
        } = self.resolve(&mac.path)
            && !matches!(
                segments.first().map(String::as_str),
                Some("std" | "core" | "alloc")
            )
        {
            return;
        }
        let tokens: TokenStream = mac.tokens.clone();
        if name == "matches" {
            if let Ok(expressions) = matches_arguments.parse2(tokens) {
                for expression in &expressions {
                    self.check_detached(expression);
                }
            }
            return;
        }
        let expressions = Punctuated::<Expr, Token![,]>::parse_terminated
            .parse2(tokens.clone())
            .map(|list| list.into_iter().collect::<Vec<_>>())
            .or_else(|_| {
                (|input: ParseStream<'_>| {
                    let value: Expr = input.parse()?;
                    input.parse::<Token![;]>()?;
                    let count: Expr = input.parse()?;
                    Ok(vec![value, count])
                })
                .parse2(tokens)
            });
        if let Ok(expressions) = expressions {
            // The parsed expressions own their tokens; check them with a borrow that ends here.
            for expression in &expressions {
                self.check_detached(expression);
            }
        }
    }

    /// Checks an expression that does not live as long as the item (a macro's parsed
    /// arguments): a closure inside it is checked at once rather than kept pending.
    fn check_detached(&mut self, expr: &Expr) {
        let mut inner = Checker {
            cx: self.cx,
            krate: self.krate,
            scopes: self.scopes.clone(),
            pending: Vec::new(),
            offloaded: self.offloaded,
            bounds: self.bounds.clone(),
        };
        inner.visit_expr(expr);
        let unused: Vec<usize> = (0..inner.pending.len()).collect();
        for index in unused {
            inner.check_pending(index, false);
        }
    }
}

/// `matches!(expr, pattern if guard)`: the expression and the guard.
fn matches_arguments(input: ParseStream<'_>) -> syn::Result<Vec<Expr>> {
    let value: Expr = input.parse()?;
    input.parse::<Token![,]>()?;
    syn::Pat::parse_multi_with_leading_vert(input)?;
    let mut expressions = vec![value];
    if input.parse::<Option<Token![if]>>()?.is_some() {
        expressions.push(input.parse()?);
    }
    input.parse::<Option<Token![,]>>()?;
    Ok(expressions)
}

/// `futures::select! { pattern = future => body, complete => body, default => body }`: the
/// futures and the bodies.
fn select_arms(input: ParseStream<'_>) -> syn::Result<Vec<Expr>> {
    let mut expressions = Vec::new();
    while !input.is_empty() {
        if input.peek(syn::Ident) && input.peek2(Token![=>]) {
            input.parse::<syn::Ident>()?;
        } else {
            syn::Pat::parse_multi_with_leading_vert(input)?;
            input.parse::<Token![=]>()?;
            expressions.push(input.call(Expr::parse_without_eager_brace)?);
        }
        input.parse::<Token![=>]>()?;
        expressions.push(input.parse()?);
        input.parse::<Option<Token![,]>>()?;
    }
    Ok(expressions)
}

const STD_MACROS: &[&str] = &[
    "matches",
    "pin",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "println",
    "print",
    "eprintln",
    "eprint",
    "format",
    "format_args",
    "write",
    "writeln",
    "panic",
    "vec",
    "dbg",
    "todo",
    "unimplemented",
    "unreachable",
];
