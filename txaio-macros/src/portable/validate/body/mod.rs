//! The checker that walks a portable item: scopes follow Rust's (a block's `use` items count
//! for the whole block, wherever they are written; an inner block's do not leak out), and
//! every path, method call and std macro argument is checked against [`super::paths`].

mod imports;
mod macros;

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::visit::{self, Visit};
use syn::{Expr, ExprClosure, Pat};

use super::kinds::{self, Kind};
use super::paths;
use super::scope::{self, Name, Resolved, Scope};
use crate::ctxt::Ctxt;

pub(crate) struct Checker<'ast, 'c> {
    cx: &'c Ctxt,
    /// The names txaio goes by (`txaio`, and the last segment of `crate = ".."`).
    krate: &'c [String],
    scopes: Vec<Scope>,
    /// Closures bound by `let`, with how they were checked: one passed to `defer_to_thread`
    /// later may block, any other use is checked like the body.
    pending: Vec<(&'ast ExprClosure, Checked)>,
    /// Inside closures given to `txaio::defer_to_thread` or `std::thread::spawn`: blocking is
    /// allowed there (not runtime-specific paths).
    offloaded: usize,
    /// The trait bounds of the function's generics, resolved (see [`Checker::bind_bounds`]).
    bounds: Vec<Vec<String>>,
    /// The `async` block an offloaded closure returns: it runs where it is awaited, on the
    /// event loop, so it is checked as the body is.
    escaping: Option<&'ast syn::ExprAsync>,
    /// Inside an `impl` or `trait` declared in the body: `self` and `Self` there are another
    /// type's, not the portable `impl`'s.
    other_impl: usize,
}

impl<'ast, 'c> Checker<'ast, 'c> {
    pub(crate) fn new(cx: &'c Ctxt, krate: &'c [String], outer: Scope) -> Self {
        Checker {
            cx,
            krate,
            scopes: vec![outer],
            pending: Vec::new(),
            offloaded: 0,
            bounds: Vec::new(),
            escaping: None,
            other_impl: 0,
        }
    }

    /// Checks what follows as code run on the blocking pool (a `#[portable(blocking)]` helper).
    pub(crate) fn offload(&mut self) {
        self.offloaded += 1;
    }

    /// The scope built so far (a module's, after [`Checker::declare_items`]).
    pub(crate) fn into_scope(mut self) -> Scope {
        self.scopes.pop().unwrap_or_default()
    }

    pub(crate) fn push(&mut self, barrier: bool) {
        self.scopes.push(Scope {
            barrier,
            ..Scope::default()
        });
    }

    pub(crate) fn pop(&mut self) {
        // A closure bound in this scope and never used is checked like the body.
        let closures: Vec<usize> = self
            .scopes
            .last()
            .map(|scope| {
                scope
                    .names
                    .values()
                    .filter_map(|name| match name {
                        Name::Closure(index) => Some(*index),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.check_closures_not_used(closures);
        self.scopes.pop();
    }

    /// Every closure still pending, checked like the body (a detached checker's end).
    fn check_unused(&mut self) {
        self.check_closures_not_used((0..self.pending.len()).collect());
    }

    fn check_closures_not_used(&mut self, closures: Vec<usize>) {
        for index in closures {
            if self
                .pending
                .get(index)
                .is_some_and(|(_, checked)| *checked == Checked::Not)
            {
                self.check_pending(index, false);
            }
        }
    }

    fn innermost(&mut self) -> &mut Scope {
        if self.scopes.is_empty() {
            self.scopes.push(Scope::default());
        }
        let last = self.scopes.len() - 1;
        &mut self.scopes[last]
    }

    fn refuse(&mut self, message: Option<String>, at: &dyn ToTokens) -> bool {
        match message {
            Some(message) => {
                self.cx.error_spanned_by(at.to_token_stream(), message);
                true
            }
            None => false,
        }
    }

    fn resolve(&self, path: &syn::Path) -> Resolved {
        let krate = self.krate;
        let interesting = |words: &[&str]| {
            paths::refusal(words, true).is_some()
                || kinds::constructed_by(words, krate).is_some()
                || kinds::of_type(words, krate).is_some()
                || is_offloading(words, krate)
                || paths::TRAITS.contains(&words.join("::").as_str())
        };
        scope::resolve(
            &self.scopes,
            scope::segments(path),
            path.leading_colon.is_some(),
            &interesting,
        )
    }

    /// Checks a path (resolved through the scopes); `at` is what the error points to.
    fn check_resolved(&mut self, resolved: &Resolved, at: &dyn ToTokens) {
        match resolved {
            Resolved::Path { segments, imported } => {
                // A lone name no `use` brought in is the user's (or the prelude's): `tokio`
                // alone can only be a local.
                if segments.len() < 2 && !imported {
                    return;
                }
                let words: Vec<&str> = segments.iter().map(String::as_str).collect();
                let message = paths::refusal(&words, self.offloaded == 0);
                self.refuse(message, at);
            }
            // A mention (passed on, cloned, dropped): checked like the body if nothing else
            // checked it; a call is checked by `visit_expr_call`.
            Resolved::Closure(index) => {
                if self
                    .pending
                    .get(*index)
                    .is_some_and(|(_, checked)| *checked == Checked::Not)
                {
                    self.check_pending(*index, false);
                }
            }
            Resolved::Blocking(name) if self.offloaded == 0 => {
                let message = format!(
                    "`{name}` blocks (it is marked `#[portable(blocking)]`) and would block the \
                     event loop here; call it on the blocking pool: \
                     `txaio::defer_to_thread(move || {name}(..))`"
                );
                self.refuse(Some(message), at);
            }
            Resolved::User(_) | Resolved::Refused | Resolved::Blocking(_) => {}
        }
    }

    /// A `let`-bound closure used on the event loop. One already given to `defer_to_thread`
    /// (a closure without captures is `Copy`) and blocking is refused here, at this use: its
    /// body was fine where it ran before.
    fn check_inline_use(&mut self, index: usize, at: &dyn ToTokens) {
        let offloaded_before = self
            .pending
            .get(index)
            .is_some_and(|(_, checked)| *checked == Checked::Offloaded);
        let start = self.cx.len();
        self.check_pending(index, false);
        if !offloaded_before {
            return;
        }
        let found = self.cx.take_since(start);
        if let Some(first) = found.first() {
            let message = format!(
                "this closure was given to `defer_to_thread`, but it is also called here, on \
                 the event loop, where {first}"
            );
            self.refuse(Some(message), at);
        }
    }

    /// Checks a `let`-bound closure for one use: offloaded, or on the event loop. A closure
    /// without captures is `Copy`, so one handed to `defer_to_thread` may still be called
    /// inline afterwards: that call is checked as the body is.
    fn check_pending(&mut self, index: usize, offloaded: bool) {
        let Some((closure, checked)) = self.pending.get_mut(index) else {
            return;
        };
        let wanted = if offloaded {
            Checked::Offloaded
        } else {
            Checked::Inline
        };
        // Inline is the stricter check: once done, an offloaded use finds nothing new.
        if *checked == wanted || *checked == Checked::Inline {
            return;
        }
        *checked = wanted;
        let closure: &'ast ExprClosure = closure;
        if offloaded {
            self.visit_offloaded_closure(closure);
        } else {
            self.visit_expr_closure(closure);
        }
    }

    /// A closure run on the blocking pool: its body may block, except a future it returns
    /// (`|| async { .. }`, `|| Box::pin(async { .. })`), which is awaited back on the event loop.
    fn visit_offloaded_closure(&mut self, closure: &'ast ExprClosure) {
        let escaping = returned_async(&closure.body);
        let outer_escaping = std::mem::replace(&mut self.escaping, escaping);
        self.offloaded += 1;
        self.visit_expr_closure(closure);
        self.offloaded -= 1;
        self.escaping = outer_escaping;
    }

    /// Forgets what the local `name` is known to be (its innermost binding).
    fn forget_kind(&mut self, name: &str) {
        for scope in self.scopes.iter_mut().rev() {
            if let Some(Name::Local(kind)) = scope.names.get_mut(name) {
                *kind = None;
                return;
            }
            if scope.names.contains_key(name) || scope.barrier {
                return;
            }
        }
    }

    /// Whether `name` is a `#[portable(blocking)]` method of the `impl` block being checked.
    fn is_blocking_method(&self, name: &str) -> bool {
        self.other_impl == 0
            && self
                .scopes
                .iter()
                .any(|scope| scope.blocking_methods.iter().any(|method| method == name))
    }

    /// `Self::name` naming a `#[portable(blocking)]` method of this `impl` block: the name.
    fn self_blocking_method(&self, path: &syn::Path) -> Option<String> {
        let [first, second] = [path.segments.first()?, path.segments.last()?];
        let name = second.ident.unraw().to_string();
        (path.leading_colon.is_none()
            && path.segments.len() == 2
            && first.ident == "Self"
            && self.is_blocking_method(&name))
        .then_some(name)
    }

    /// What a value is, when the code shows it.
    fn kind_of(&self, expr: &Expr) -> Option<Kind> {
        match expr {
            Expr::Call(call) => match &*call.func {
                Expr::Path(function) if function.qself.is_none() => {
                    let resolved = self.resolve(&function.path);
                    let words = resolved.segments()?;
                    let words = words.strip_prefix(&[""]).unwrap_or(&words);
                    // A `BufReader` over stdin reads it as its lock does.
                    if let ["std", "io", "BufReader", "new" | "with_capacity"] = words {
                        let reader = call.args.last()?;
                        return matches!(self.kind_of(reader), Some(Kind::Stdin | Kind::StdinLock))
                            .then_some(Kind::StdinLock);
                    }
                    kinds::constructed_by(words, self.krate)
                }
                _ => None,
            },
            Expr::MethodCall(call) => kinds::after_method(
                &self.kind_of(&call.receiver)?,
                &call.method.unraw().to_string(),
            ),
            Expr::Path(path) if path.qself.is_none() => match self.resolve(&path.path) {
                Resolved::User(kind) => kind,
                _ => None,
            },
            Expr::Paren(inner) => self.kind_of(&inner.expr),
            Expr::Reference(inner) => self.kind_of(&inner.expr),
            Expr::Try(inner) => self.kind_of(&inner.expr),
            Expr::Group(inner) => self.kind_of(&inner.expr),
            // What an offloaded closure returns comes back to the event loop.
            Expr::Await(awaited) => self.kind_of_offloaded(&awaited.base),
            _ => None,
        }
    }

    /// The kind of what the closure of a `defer_to_thread(..)` call returns.
    fn kind_of_offloaded(&self, call: &Expr) -> Option<Kind> {
        let closure = match call {
            Expr::Call(call) => match &*call.func {
                Expr::Path(function) if function.qself.is_none() => {
                    let resolved = self.resolve(&function.path);
                    let lone = matches!(&resolved, Resolved::Path { segments, imported: false } if segments == &["defer_to_thread"]);
                    let words = resolved.segments()?;
                    (lone || is_offloading(&words, self.krate)).then(|| call.args.first())??
                }
                _ => return None,
            },
            Expr::MethodCall(call) if call.method == "defer_to_thread" => call.args.first()?,
            // `.take().await` moves a result that is not `Clone` out of the deferred.
            Expr::MethodCall(call) if call.method == "take" && call.args.is_empty() => {
                return self.kind_of_offloaded(&call.receiver);
            }
            Expr::Paren(inner) => return self.kind_of_offloaded(&inner.expr),
            _ => return None,
        };
        let Expr::Closure(closure) = closure else {
            return None;
        };
        let mut returned = &*closure.body;
        while let Expr::Block(block) = returned {
            match block.block.stmts.last() {
                Some(syn::Stmt::Expr(last, None)) => returned = last,
                _ => return None,
            }
        }
        self.kind_of(returned)
    }

    fn kind_of_type(&self, ty: &syn::Type) -> Option<Kind> {
        match ty {
            syn::Type::Path(path) if path.qself.is_none() => {
                let resolved = self.resolve(&path.path);
                kinds::of_type(&resolved.segments()?, self.krate)
            }
            syn::Type::Reference(reference) => self.kind_of_type(&reference.elem),
            syn::Type::Paren(inner) => self.kind_of_type(&inner.elem),
            _ => None,
        }
    }

    /// Binds a function's parameters (with the kinds their types show).
    pub(crate) fn bind_inputs<'i>(&mut self, inputs: impl IntoIterator<Item = &'i syn::FnArg>) {
        for input in inputs {
            match input {
                syn::FnArg::Typed(typed) => {
                    let kind = self.kind_of_type(&typed.ty);
                    scope::bind_pattern(self.innermost(), &typed.pat, kind);
                }
                syn::FnArg::Receiver(_) => {
                    self.innermost()
                        .names
                        .insert("self".to_owned(), Name::Local(None));
                }
            }
        }
    }

    /// An argument of `defer_to_thread` or `std::thread::spawn`: a closure there may block.
    fn visit_offloaded(&mut self, arg: &'ast Expr) {
        match arg {
            Expr::Closure(closure) => self.visit_offloaded_closure(closure),
            // A blocking method passed by name runs on the pool.
            Expr::Path(path) if self.self_blocking_method(&path.path).is_some() => {}
            // A clone of a `let`-bound closure (one retried on the pool) runs there too.
            Expr::MethodCall(call) if call.method == "clone" && call.args.is_empty() => {
                match &*call.receiver {
                    Expr::Path(path) if path.qself.is_none() => match self.resolve(&path.path) {
                        Resolved::Closure(index) => self.check_pending(index, true),
                        _ => self.visit_expr(arg),
                    },
                    _ => self.visit_expr(arg),
                }
            }
            Expr::Path(path) if path.qself.is_none() => match self.resolve(&path.path) {
                Resolved::Closure(index) => self.check_pending(index, true),
                // A blocking helper passed by name runs on the pool.
                Resolved::Blocking(_) => {}
                _ => self.visit_expr(arg),
            },
            other => self.visit_expr(other),
        }
    }

    fn visit_local_init(&mut self, local: &'ast syn::Local) {
        let Some(init) = &local.init else {
            self.visit_pat(&local.pat);
            scope::bind_pattern(self.innermost(), &local.pat, None);
            return;
        };
        if let (Pat::Ident(ident), Expr::Closure(closure)) = (&local.pat, &*init.expr)
            && ident.subpat.is_none()
            && init.diverge.is_none()
        {
            self.pending.push((closure, Checked::Not));
            let index = self.pending.len() - 1;
            self.innermost()
                .bind_value(ident.ident.unraw().to_string(), Name::Closure(index));
            return;
        }
        self.visit_expr(&init.expr);
        if let Some((_, diverge)) = &init.diverge {
            self.visit_expr(diverge);
        }
        self.visit_pat(&local.pat);
        let kind = match &local.pat {
            Pat::Type(typed) => self.kind_of_type(&typed.ty),
            _ => None,
        }
        .or_else(|| self.kind_of(&init.expr));
        scope::bind_pattern(self.innermost(), &local.pat, kind);
    }
}

/// Why calling a `#[portable(blocking)]` method (`written`: `self.name` or `Self::name`)
/// outside `defer_to_thread` is refused.
fn blocking_method_message(written: &str) -> String {
    format!(
        "`{written}` blocks (it is marked `#[portable(blocking)]`) and would block the event loop \
         here; call it on the blocking pool: `txaio::defer_to_thread(move || ..)`, with what it \
         needs moved into the closure"
    )
}

/// The `async` block a closure body returns, directly or through `Box::pin(..)` or `Ok(..)`.
fn returned_async(body: &Expr) -> Option<&syn::ExprAsync> {
    match body {
        Expr::Async(block) => Some(block),
        Expr::Block(block) if block.label.is_none() => match block.block.stmts.last() {
            Some(syn::Stmt::Expr(last, None)) => returned_async(last),
            _ => None,
        },
        Expr::Paren(inner) => returned_async(&inner.expr),
        Expr::Call(call) if call.args.len() == 1 => match &*call.func {
            Expr::Path(function)
                if function.path.segments.last().is_some_and(|last| {
                    matches!(last.ident.to_string().as_str(), "pin" | "Ok" | "Some")
                }) =>
            {
                returned_async(&call.args[0])
            }
            _ => None,
        },
        _ => None,
    }
}

/// How a `let`-bound closure has been checked so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checked {
    Not,
    /// As code run on the blocking pool.
    Offloaded,
    /// As code run on the event loop.
    Inline,
}

/// `txaio::defer_to_thread` (under any of txaio's names) and `std::thread::spawn`: calls whose
/// closure runs on another thread, where blocking is fine.
fn is_offloading(words: &[&str], krate: &[String]) -> bool {
    let words = words.strip_prefix(&[""]).unwrap_or(words);
    match words {
        [root, "defer_to_thread"] => krate.iter().any(|name| name == root),
        ["std", "thread", "spawn"] => true,
        _ => false,
    }
}

impl<'ast> Visit<'ast> for Checker<'ast, '_> {
    fn visit_block(&mut self, block: &'ast syn::Block) {
        self.push(false);
        self.declare_items(block.stmts.iter().filter_map(|stmt| match stmt {
            syn::Stmt::Item(item) => Some(item),
            _ => None,
        }));
        for stmt in &block.stmts {
            match stmt {
                syn::Stmt::Local(local) => {
                    for attr in &local.attrs {
                        self.visit_attribute(attr);
                    }
                    self.visit_local_init(local);
                }
                other => self.visit_stmt(other),
            }
        }
        self.pop();
    }

    // Recorded by `declare_items` with the rest of their block.
    fn visit_item_use(&mut self, _: &'ast syn::ItemUse) {}
    fn visit_item_extern_crate(&mut self, _: &'ast syn::ItemExternCrate) {}

    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        let Some((_, items)) = &module.content else {
            return;
        };
        self.push(true);
        self.declare_items(items);
        for item in items {
            self.visit_item(item);
        }
        self.pop();
    }

    // A nested `fn` is checked too: it sees the block's items, not the body's locals.
    fn visit_item_fn(&mut self, function: &'ast syn::ItemFn) {
        let offloaded = std::mem::take(&mut self.offloaded);
        self.push(false);
        self.bind_inputs(&function.sig.inputs);
        self.visit_signature(&function.sig);
        self.visit_block(&function.block);
        self.pop();
        self.offloaded = offloaded;
    }

    fn visit_impl_item_fn(&mut self, method: &'ast syn::ImplItemFn) {
        let offloaded = std::mem::take(&mut self.offloaded);
        self.push(false);
        self.bind_inputs(&method.sig.inputs);
        self.visit_signature(&method.sig);
        self.visit_block(&method.block);
        self.pop();
        self.offloaded = offloaded;
    }

    fn visit_item_impl(&mut self, block: &'ast syn::ItemImpl) {
        self.other_impl += 1;
        visit::visit_item_impl(self, block);
        self.other_impl -= 1;
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        self.other_impl += 1;
        visit::visit_item_trait(self, item);
        self.other_impl -= 1;
    }

    fn visit_expr_async(&mut self, block: &'ast syn::ExprAsync) {
        if self
            .escaping
            .is_some_and(|escaping| std::ptr::eq(escaping, block))
        {
            let offloaded = std::mem::take(&mut self.offloaded);
            visit::visit_expr_async(self, block);
            self.offloaded = offloaded;
        } else {
            visit::visit_expr_async(self, block);
        }
    }

    fn visit_expr_closure(&mut self, closure: &'ast ExprClosure) {
        self.push(false);
        for input in &closure.inputs {
            self.visit_pat(input);
            scope::bind_pattern(self.innermost(), input, None);
        }
        if let syn::ReturnType::Type(_, ty) = &closure.output {
            self.visit_type(ty);
        }
        self.visit_expr(&closure.body);
        self.pop();
    }

    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        self.push(false);
        self.visit_pat(&arm.pat);
        scope::bind_pattern(self.innermost(), &arm.pat, None);
        if let Some((_, guard)) = &arm.guard {
            self.visit_expr(guard);
        }
        self.visit_expr(&arm.body);
        self.pop();
    }

    fn visit_expr_let(&mut self, expr: &'ast syn::ExprLet) {
        self.visit_expr(&expr.expr);
        self.visit_pat(&expr.pat);
        scope::bind_pattern(self.innermost(), &expr.pat, None);
    }

    fn visit_expr_for_loop(&mut self, expr: &'ast syn::ExprForLoop) {
        self.visit_expr(&expr.expr);
        if self.offloaded == 0
            && matches!(
                self.kind_of(&expr.expr),
                Some(Kind::Receiver | Kind::CrossbeamReceiver)
            )
        {
            self.cx.error_spanned_by(
                &expr.expr,
                "iterating a `std::sync::mpsc::Receiver` waits on a blocking channel and blocks \
                 the event loop; use an async channel (`futures::channel::mpsc`) and `.await` it",
            );
        }
        self.push(false);
        self.visit_pat(&expr.pat);
        scope::bind_pattern(self.innermost(), &expr.pat, None);
        self.visit_block(&expr.body);
        self.pop();
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if self.offloaded == 0
            && let Some(name) = self.self_blocking_method(path)
        {
            let message = blocking_method_message(&format!("Self::{name}"));
            self.cx.error_spanned_by(path, message);
        }
        let resolved = self.resolve(path);
        self.check_resolved(&resolved, path);
        visit::visit_path(self, path);
    }

    fn visit_expr_path(&mut self, expr: &'ast syn::ExprPath) {
        if let Some(qself) = &expr.qself {
            self.check_qualified(qself, &expr.path);
        }
        visit::visit_expr_path(self, expr);
    }

    fn visit_type_path(&mut self, ty: &'ast syn::TypePath) {
        if let Some(qself) = &ty.qself {
            self.check_qualified(qself, &ty.path);
        }
        visit::visit_type_path(self, ty);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Expr::Path(function) = &*call.func
            && function.qself.is_none()
        {
            let resolved = self.resolve(&function.path);
            if let Resolved::Closure(index) = resolved {
                // A `let`-bound closure called here, on the event loop.
                self.check_inline_use(index, &call.func);
            }
            // A lone `defer_to_thread` that no visible item or `use` binds is txaio's,
            // imported at the top of the file where the macro cannot see.
            let lone = matches!(&resolved, Resolved::Path { segments, imported: false } if segments == &["defer_to_thread"]);
            if let Some(words) = resolved.segments()
                && (lone || is_offloading(&words, self.krate))
            {
                self.visit_expr(&call.func);
                for arg in &call.args {
                    self.visit_offloaded(arg);
                }
                return;
            }
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let method = call.method.unraw().to_string();
        let kind = self.kind_of(&call.receiver);
        // `.defer_to_thread(..)` is `Txaio::defer_to_thread` whatever the receiver shows of
        // its type (`self.txaio`, a getter's result): no other method has that name.
        let offloads = method == "defer_to_thread"
            || matches!(
                (&kind, method.as_str()),
                (Some(Kind::ThreadBuilder), "spawn")
            );
        if offloads {
            self.visit_expr(&call.receiver);
            for arg in &call.args {
                self.visit_offloaded(arg);
            }
            return;
        }
        if method == "set_nonblocking"
            && let Expr::Path(receiver) = &*call.receiver
            && let Some(name) = receiver.path.get_ident()
        {
            // A std socket in non-blocking mode does not block: its I/O is a poll loop's.
            self.forget_kind(&name.unraw().to_string());
        }
        if self.offloaded == 0
            && matches!(&*call.receiver, Expr::Path(receiver) if receiver.qself.is_none() && receiver.path.is_ident("self"))
            && self.is_blocking_method(&method)
        {
            let message = blocking_method_message(&format!("self.{method}"));
            self.cx.error_spanned_by(&call.method, message);
        }
        if self.offloaded == 0 {
            if let Some(message) = kind
                .as_ref()
                .and_then(|kind| kinds::blocking_method(kind, &method))
            {
                self.cx.error_spanned_by(&call.method, message);
            } else if let Some(row) = self.visible_trait_method(&method) {
                let words: Vec<&str> = row.split("::").collect();
                let message = paths::refusal(&words, true);
                self.refuse(message, &call.method);
            }
        }
        visit::visit_expr_method_call(self, call);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        self.visit_std_macro_arguments(mac);
    }
}

impl Checker<'_, '_> {
    /// `<std::fs::File>::open` and `<File as Trait>::method`: the type's path joined with the
    /// rest, as the call really names it.
    fn check_qualified(&mut self, qself: &syn::QSelf, path: &syn::Path) {
        let syn::Type::Path(ty) = &*qself.ty else {
            return;
        };
        if ty.qself.is_some() {
            return;
        }
        let Some(mut words) = self.resolve(&ty.path).segments().map(|words| {
            words
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<String>>()
        }) else {
            return;
        };
        words.extend(scope::segments(path).into_iter().skip(qself.position));
        let resolved = Resolved::Path {
            segments: words,
            imported: true,
        };
        let span_tokens = QualifiedTokens(qself, path);
        self.check_resolved(&resolved, &span_tokens);
    }

    /// The blocking row `Trait::method` of a trait in [`table::TRAITS`] that is visible here
    /// (imported, also `as _` or by a glob, or a bound of the function), which a `.method()`
    /// on any receiver may call.
    fn visible_trait_method(&self, method: &str) -> Option<&'static str> {
        paths::TRAITS.iter().find_map(|trait_path| {
            let row = paths::trait_method_row(trait_path, method)?;
            self.sees_trait(trait_path).then_some(row)
        })
    }

    /// Whether the trait `path` (`::`-separated) is in scope.
    fn sees_trait(&self, path: &str) -> bool {
        let canonical = |words: &[String]| paths::canonical_trait(&words.join("::"));
        let (module, name) = path.rsplit_once("::").unwrap_or(("", path));
        let imported = scope::imports(&self.scopes)
            .into_iter()
            .any(|full| canonical(full) == path);
        let globbed = scope::globs(&self.scopes).iter().any(|glob| {
            let mut full = glob.to_vec();
            full.push(name.to_owned());
            canonical(&full) == path || glob.join("::") == module
        });
        imported || globbed || self.bounds.iter().any(|bound| canonical(bound) == path)
    }

    /// Records the trait bounds of a function's generics (and `impl Trait` arguments), as
    /// resolved here: their methods are callable in the body without an import.
    pub(crate) fn bind_bounds(&mut self, sig: &syn::Signature) {
        struct Bounds<'a>(Vec<&'a syn::Path>);
        impl<'a> Visit<'a> for Bounds<'a> {
            fn visit_trait_bound(&mut self, bound: &'a syn::TraitBound) {
                self.0.push(&bound.path);
                visit::visit_trait_bound(self, bound);
            }
        }
        let mut found = Bounds(Vec::new());
        found.visit_generics(&sig.generics);
        for input in &sig.inputs {
            found.visit_fn_arg(input);
        }
        let resolved: Vec<Vec<String>> = found
            .0
            .into_iter()
            .filter_map(|path| match self.resolve(path) {
                Resolved::Path { segments, .. } => {
                    Some(segments.into_iter().skip_while(String::is_empty).collect())
                }
                _ => None,
            })
            .collect();
        self.bounds.extend(resolved);
    }
}

/// A qualified path's tokens, for the error span: from the `<` to the last segment.
struct QualifiedTokens<'a>(&'a syn::QSelf, &'a syn::Path);

impl ToTokens for QualifiedTokens<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.0.lt_token.to_tokens(tokens);
        self.0.ty.to_tokens(tokens);
        self.0.gt_token.to_tokens(tokens);
        self.1.to_tokens(tokens);
    }
}
