//! The arguments of the common std macros, checked like any expression.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Expr, Token};

use super::super::scope::{self, Resolved};
use super::Checker;

impl<'ast, 'c> Checker<'ast, 'c> {
    /// `assert!`, `println!`, `format!`, `vec!`, ...: their arguments are expressions, checked
    /// like the rest (best effort: arguments that do not parse as expressions are skipped).
    pub(super) fn visit_std_macro_arguments(&mut self, mac: &'ast syn::Macro) {
        let Some(last) = mac.path.segments.last() else {
            return;
        };
        let name = last.ident.unraw().to_string();
        if mac.path.segments.len() == 1 && mac.path.leading_colon.is_none() {
            if name == "macro_rules" {
                // Checked where it is invoked (see `MacroRules`).
                return;
            }
            if let Some(rules) = scope::lookup_macro(&self.scopes, &name) {
                self.check_macro_invocation(&rules);
                return;
            }
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

    /// An invocation of a `macro_rules!` defined in portable code: its expansions are checked
    /// as the code here is (on the event loop, or offloaded), once each way for the item.
    /// An expansion that is not statements (a type, a pattern, a piece of an expression) has
    /// its paths checked one by one, except inside a `defer_to_thread(..)`.
    fn check_macro_invocation(&mut self, rules: &scope::MacroRules) {
        let flag = if self.offloaded > 0 {
            if rules.checked_offloaded.get() || rules.checked_inline.get() {
                return;
            }
            &rules.checked_offloaded
        } else {
            if rules.checked_inline.get() {
                return;
            }
            &rules.checked_inline
        };
        flag.set(true);
        for expansion in &rules.expansions {
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
                Err(_) => self.check_token_paths(expansion.clone()),
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
            // `defer_to_thread(..)` (a function or a method): its argument runs on the pool.
            if matches!(&tokens[index], TokenTree::Ident(ident) if ident == "defer_to_thread")
                && matches!(tokens.get(index + 1), Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis)
            {
                index += 2;
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
            other_impl: self.other_impl,
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

/// A `macro_rules!` definition read for checking at its invocations: each rule's expansion
/// with its metavariables replaced (see [`without_metavariables`]).
pub(super) fn macro_rules(mac: &syn::Macro) -> Rc<scope::MacroRules> {
    let rules = macro_rules_rules
        .parse2(mac.tokens.clone())
        .unwrap_or_default();
    let expansions = rules
        .into_iter()
        .map(|(matcher, expansion)| {
            let mut fragments = HashMap::new();
            fragment_kinds(matcher, &mut fragments);
            without_metavariables(expansion, &fragments)
        })
        .collect();
    Rc::new(scope::MacroRules {
        expansions,
        checked_inline: Cell::new(false),
        checked_offloaded: Cell::new(false),
    })
}

/// The rules of `macro_rules! name { (matcher) => { expansion }; .. }`.
fn macro_rules_rules(input: ParseStream<'_>) -> syn::Result<Vec<(TokenStream, TokenStream)>> {
    let mut rules = Vec::new();
    while !input.is_empty() {
        let matcher = input.parse::<proc_macro2::Group>()?.stream();
        input.parse::<Token![=>]>()?;
        rules.push((matcher, input.parse::<proc_macro2::Group>()?.stream()));
        input.parse::<Option<Token![;]>>()?;
    }
    Ok(rules)
}

/// The fragment kind of each metavariable of a matcher (`$body:block` gives `body: block`).
fn fragment_kinds(matcher: TokenStream, out: &mut HashMap<String, String>) {
    let tokens: Vec<TokenTree> = matcher.into_iter().collect();
    for (index, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Group(group) => fragment_kinds(group.stream(), out),
            TokenTree::Punct(dollar) if dollar.as_char() == '$' => {
                if let (
                    Some(TokenTree::Ident(name)),
                    Some(TokenTree::Punct(colon)),
                    Some(TokenTree::Ident(kind)),
                ) = (
                    tokens.get(index + 1),
                    tokens.get(index + 2),
                    tokens.get(index + 3),
                ) && colon.as_char() == ':'
                {
                    out.insert(name.to_string(), kind.to_string());
                }
            }
            _ => {}
        }
    }
}

/// An expansion with each `$name` replaced by what reads as code of its fragment kind (a
/// `vis` by nothing, a `block` by `{}`, anything else by a name no user code has, so that it
/// resolves to nothing the checks know), `$crate` by `crate`, and `$( .. ) sep op` by its
/// contents once. Spans are kept, so errors point into the macro's definition.
fn without_metavariables(tokens: TokenStream, fragments: &HashMap<String, String>) -> TokenStream {
    let mut out = Vec::new();
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Punct(dollar) if dollar.as_char() == '$' => match tokens.next() {
                Some(TokenTree::Ident(name)) if name == "crate" => {
                    out.push(TokenTree::Ident(name));
                }
                Some(TokenTree::Ident(name)) => {
                    match fragments.get(&name.to_string()).map(String::as_str) {
                        Some("vis") => {}
                        Some("block") => {
                            let mut block =
                                proc_macro2::Group::new(Delimiter::Brace, TokenStream::new());
                            block.set_span(name.span());
                            out.push(TokenTree::Group(block));
                        }
                        _ => out.push(TokenTree::Ident(proc_macro2::Ident::new(
                            &format!("__txaio_metavariable_{name}"),
                            name.span(),
                        ))),
                    }
                }
                Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis => {
                    out.extend(without_metavariables(group.stream(), fragments));
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
                    without_metavariables(group.stream(), fragments),
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
