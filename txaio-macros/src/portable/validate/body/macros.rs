//! The arguments of the common std macros, checked like any expression.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Expr, Token};

use super::super::scope::Resolved;
use super::Checker;

impl<'ast, 'c> Checker<'ast, 'c> {
    /// `assert!`, `println!`, `format!`, `vec!`, ...: their arguments are expressions, checked
    /// like the rest (best effort: arguments that do not parse as expressions are skipped).
    pub(super) fn visit_std_macro_arguments(&mut self, mac: &'ast syn::Macro) {
        let Some(last) = mac.path.segments.last() else {
            return;
        };
        let name = last.ident.unraw().to_string();
        if name == "macro_rules" && mac.path.segments.len() == 1 {
            self.check_macro_rules(mac);
            return;
        }
        if name == "include" && self.is_std_macro(&mac.path) {
            self.cx.error_spanned_by(
                mac,
                "`include!` brings in code `#[txaio::portable]` cannot read, so it cannot check \
                 it; include the file outside the portable item (in a module of its own), or \
                 write its code here",
            );
            return;
        }
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
        if !STD_MACROS.contains(&name.as_str()) || !self.is_std_macro(&mac.path) {
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

    /// Whether a macro's path is std's: written bare (the prelude's), or through std, core
    /// or alloc, not imported from elsewhere.
    fn is_std_macro(&self, path: &syn::Path) -> bool {
        match self.resolve(path) {
            Resolved::Path {
                imported: true,
                segments,
            } => matches!(
                segments.first().map(String::as_str),
                Some("std" | "core" | "alloc")
            ),
            Resolved::Path { .. } => true,
            _ => false,
        }
    }

    /// A `macro_rules!` defined in portable code: each rule's expansion is checked like the
    /// body, its metavariables (`$x`) read as plain names and its repetitions (`$(..)*`) as
    /// their contents once. An expansion that is not statements (a type, a pattern, a piece of
    /// an expression) has its paths checked one by one.
    fn check_macro_rules(&mut self, mac: &syn::Macro) {
        let Ok(expansions) = macro_rules_expansions.parse2(mac.tokens.clone()) else {
            return;
        };
        for expansion in expansions {
            let expansion = without_metavariables(expansion);
            match syn::Block::parse_within.parse2(expansion.clone()) {
                Ok(stmts) => {
                    let block = syn::Block {
                        brace_token: syn::token::Brace::default(),
                        stmts,
                    };
                    let mut inner = self.detached();
                    inner.visit_block(&block);
                    inner.check_unused();
                }
                Err(_) => self.check_token_paths(expansion),
            }
        }
    }

    /// Every `a::b::c` path in `tokens`, checked as written there.
    fn check_token_paths(&mut self, tokens: TokenStream) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut index = 0;
        while index < tokens.len() {
            if let TokenTree::Group(group) = &tokens[index] {
                self.check_token_paths(group.stream());
                index += 1;
                continue;
            }
            let end = path_end(&tokens, index);
            if end > index + 1 {
                let written: TokenStream = tokens[index..end].iter().cloned().collect();
                if let Ok(path) = syn::parse2::<syn::Path>(written) {
                    let resolved = self.resolve(&path);
                    self.check_resolved(&resolved, &path);
                }
                index = end;
            } else {
                index += 1;
            }
        }
    }

    /// A checker for code that does not live as long as the item (a macro's parsed
    /// arguments or expansion), seeing what this one sees.
    fn detached<'x>(&self) -> Checker<'x, 'c> {
        Checker {
            cx: self.cx,
            krate: self.krate,
            scopes: self.scopes.clone(),
            pending: Vec::new(),
            offloaded: self.offloaded,
            bounds: self.bounds.clone(),
            escaping: None,
        }
    }

    /// Checks an expression that does not live as long as the item (a macro's parsed
    /// arguments): a closure inside it is checked at once rather than kept pending.
    fn check_detached(&mut self, expr: &Expr) {
        let mut inner = self.detached();
        inner.visit_expr(expr);
        inner.check_unused();
    }
}

/// The expansions of `macro_rules! name { (matcher) => { expansion }; .. }`.
fn macro_rules_expansions(input: ParseStream<'_>) -> syn::Result<Vec<TokenStream>> {
    let mut expansions = Vec::new();
    while !input.is_empty() {
        input.parse::<proc_macro2::Group>()?;
        input.parse::<Token![=>]>()?;
        expansions.push(input.parse::<proc_macro2::Group>()?.stream());
        input.parse::<Option<Token![;]>>()?;
    }
    Ok(expansions)
}

/// An expansion with `$name` read as `name` (`$crate` as `crate`) and `$( .. ) sep op` as its
/// contents once; spans are kept, so errors point into the macro's definition.
fn without_metavariables(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Punct(dollar) if dollar.as_char() == '$' => match tokens.next() {
                Some(TokenTree::Ident(name)) => out.push(TokenTree::Ident(name)),
                Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis => {
                    out.extend(without_metavariables(group.stream()));
                    // The separator (any token but an operator), then the operator.
                    let operator = |token: Option<&TokenTree>| matches!(token, Some(TokenTree::Punct(op)) if matches!(op.as_char(), '*' | '+' | '?'));
                    if !operator(tokens.peek()) {
                        tokens.next();
                    }
                    if operator(tokens.peek()) {
                        tokens.next();
                    }
                }
                Some(other) => out.push(other),
                None => {}
            },
            TokenTree::Group(group) => {
                let mut rebuilt = proc_macro2::Group::new(
                    group.delimiter(),
                    without_metavariables(group.stream()),
                );
                rebuilt.set_span(group.span());
                out.push(TokenTree::Group(rebuilt));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

/// Where the path starting at `start` ends (`[::]a::b::c`), or `start` if none starts there.
fn path_end(tokens: &[TokenTree], start: usize) -> usize {
    let is_colons = |index: usize| {
        matches!(tokens.get(index), Some(TokenTree::Punct(first)) if first.as_char() == ':' && first.spacing() == proc_macro2::Spacing::Joint)
            && matches!(tokens.get(index + 1), Some(TokenTree::Punct(second)) if second.as_char() == ':')
    };
    let is_ident = |index: usize| matches!(tokens.get(index), Some(TokenTree::Ident(_)));
    let mut index = start;
    if is_colons(index) {
        index += 2;
    }
    if !is_ident(index) {
        return start;
    }
    index += 1;
    while is_colons(index) && is_ident(index + 2) {
        index += 3;
    }
    index
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
