//! What `#[txaio::portable]` refuses: borrowed arguments of an `async fn` (its body runs as a
//! task), calls that block the event loop, and paths that tie the code to one runtime.

use std::collections::HashMap;

use quote::ToTokens;
use syn::visit::{self, Visit};
use syn::{Attribute, Block, Expr, FnArg, Path, Signature, Type, UseTree};

/// Errors in a signature: borrowed arguments and receivers of a portable `async fn`. Returns
/// whether it found any.
pub(crate) fn check_signature(sig: &Signature, errors: &mut Vec<syn::Error>) -> bool {
    let before = errors.len();
    if sig.asyncness.is_none() {
        return false;
    }
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) if find_reference(&receiver.ty).is_some() => {
                let form = if receiver.mutability.is_some() {
                    "&mut self"
                } else {
                    "&self"
                };
                errors.push(syn::Error::new_spanned(
                    receiver,
                    format!(
                        "a #[txaio::portable] async fn runs as a task and cannot borrow `{form}`; \
                         take `self: Arc<Self>` (or `self` by value) instead"
                    ),
                ));
            }
            FnArg::Receiver(_) => {}
            FnArg::Typed(argument) => {
                if let Some(reference) = find_reference(&argument.ty) {
                    errors.push(syn::Error::new_spanned(
                        reference,
                        "a #[txaio::portable] async fn runs as a task and cannot take borrowed \
                         arguments; take an owned value (`String`, `Vec<T>`, `Arc<T>`) instead",
                    ));
                }
            }
        }
    }
    errors.len() > before
}

/// The first non-`'static` reference type inside `ty`, if any (a `&'static str` moves into a
/// task as well as a `String` does).
fn find_reference(ty: &Type) -> Option<&Type> {
    struct Finder<'ast>(Option<&'ast Type>);
    impl<'ast> Visit<'ast> for Finder<'ast> {
        fn visit_type(&mut self, ty: &'ast Type) {
            if self.0.is_none() {
                let borrowed = match ty {
                    Type::Reference(reference) => reference
                        .lifetime
                        .as_ref()
                        .is_none_or(|lifetime| lifetime.ident != "static"),
                    _ => false,
                };
                if borrowed {
                    self.0 = Some(ty);
                } else {
                    visit::visit_type(self, ty);
                }
            }
        }
    }
    let mut finder = Finder(None);
    finder.visit_type(ty);
    finder.0
}

/// Whether `attrs` holds another `#[portable]` (written `#[txaio::portable]` or `#[portable]`).
pub(crate) fn duplicated_attribute(attrs: &[Attribute]) -> Option<&Attribute> {
    attrs.iter().find(|attr| {
        attr.path()
            .segments
            .last()
            .is_some_and(|last| last.ident == "portable")
    })
}

/// Errors in a body: blocking calls and runtime-specific paths.
pub(crate) fn check_body(block: &Block, errors: &mut Vec<syn::Error>) {
    let mut checker = BodyChecker {
        aliases: HashMap::new(),
        errors,
    };
    checker.visit_block(block);
}

struct BodyChecker<'e> {
    /// Names brought in by `use` inside the function, to the path they stand for; `None` for
    /// a name whose `use` was refused already (its uses are not reported again).
    aliases: HashMap<String, Option<Vec<String>>>,
    errors: &'e mut Vec<syn::Error>,
}

impl BodyChecker<'_> {
    /// The path as written, with a leading `use` alias expanded; `None` if it goes through a
    /// `use` that was refused already.
    fn resolve(&self, path: &Path) -> Option<Vec<String>> {
        let mut segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if path.leading_colon.is_some() {
            return Some(segments);
        }
        match segments.first().and_then(|first| self.aliases.get(first)) {
            Some(Some(expansion)) => {
                let mut resolved = expansion.clone();
                resolved.extend(segments.drain(1..));
                Some(resolved)
            }
            Some(None) => None,
            None => Some(segments),
        }
    }

    fn record_alias(&mut self, alias: String, full: Vec<String>, at: &dyn ToTokens) {
        let refused = self.check_use(&full, at);
        self.aliases
            .insert(alias, if refused { None } else { Some(full) });
    }

    fn record_use(&mut self, tree: &UseTree, prefix: &mut Vec<String>) {
        match tree {
            UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.record_use(&path.tree, prefix);
                prefix.pop();
            }
            UseTree::Name(name) => {
                let mut full = prefix.clone();
                if name.ident != "self" {
                    full.push(name.ident.to_string());
                }
                let alias = full.last().cloned().unwrap_or_default();
                self.record_alias(alias, full, name);
            }
            UseTree::Rename(rename) => {
                let mut full = prefix.clone();
                if rename.ident != "self" {
                    full.push(rename.ident.to_string());
                }
                self.record_alias(rename.rename.to_string(), full, rename);
            }
            UseTree::Glob(glob) => {
                self.check_use(prefix, glob);
            }
            UseTree::Group(group) => {
                for item in &group.items {
                    self.record_use(item, prefix);
                }
            }
        }
    }

    /// A `use` is refused only for a runtime-specific path: importing `std::fs::File` blocks
    /// nothing, calling `File::open` through it does (and is caught at the call).
    /// Returns whether it was refused.
    fn check_use(&mut self, segments: &[String], at: &dyn ToTokens) -> bool {
        let first = segments.iter().find(|segment| !segment.is_empty());
        first.is_some_and(|first| matches!(first.as_str(), "tokio" | "async_std" | "smol"))
            && self.check_path(Some(segments), at)
    }

    /// Checks a resolved path; `at` is what the error points to. Returns whether it was refused.
    fn check_path(&mut self, segments: Option<&[String]>, at: &dyn ToTokens) -> bool {
        let Some(segments) = segments else {
            return false;
        };
        let words: Vec<&str> = segments.iter().map(String::as_str).collect();
        let Some(message) = refusal(&words) else {
            return false;
        };
        self.errors
            .push(syn::Error::new_spanned(at.to_token_stream(), message));
        true
    }
}

impl<'ast> Visit<'ast> for BodyChecker<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let mut prefix = Vec::new();
        self.record_use(&item.tree, &mut prefix);
    }

    fn visit_expr_path(&mut self, expr: &'ast syn::ExprPath) {
        let resolved = self.resolve(&expr.path);
        self.check_path(resolved.as_deref(), &expr.path);
        visit::visit_expr_path(self, expr);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        // `txaio::defer_to_thread(|| std::fs::read(..))` is the remedy: its closure runs on the
        // blocking pool, so its body is not checked for blocking calls.
        if let Expr::Path(function) = &*call.func {
            let resolved = self.resolve(&function.path).unwrap_or_default();
            if resolved
                .last()
                .is_some_and(|last| last == "defer_to_thread")
            {
                self.visit_expr(&call.func);
                return;
            }
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if call.method == "block_on" {
            self.errors
                .push(syn::Error::new_spanned(&call.method, BLOCK_ON));
        }
        visit::visit_expr_method_call(self, call);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let resolved = self.resolve(&mac.path);
        self.check_path(resolved.as_deref(), &mac.path);
    }

    // A nested `fn` is a function of its own, not part of this body.
    fn visit_item_fn(&mut self, _: &'ast syn::ItemFn) {}
}

const BLOCK_ON: &str = "`block_on` blocks the event loop (and deadlocks it when called on a runtime thread); `.await` the future instead";

/// Why `path` may not appear in portable code, if it may not.
fn refusal(path: &[&str]) -> Option<String> {
    let path = match path {
        ["", rest @ ..] => rest,
        ["crate" | "self" | "super", ..] => return None,
        path => path,
    };
    let written = path.join("::");
    if path.last() == Some(&"block_on") {
        return Some(BLOCK_ON.to_owned());
    }
    match path {
        ["std", "thread", "sleep"] => Some(
            "`std::thread::sleep` blocks the event loop; use `txaio::sleep(duration).await` instead"
                .to_owned(),
        ),
        ["std", "fs", _, ..] => Some(format!(
            "`{written}` blocks the event loop; run it on the blocking pool with \
             `txaio::defer_to_thread(move || {written}(..))`"
        )),
        ["std", "net", "TcpStream" | "TcpListener" | "UdpSocket", _, ..] => Some(format!(
            "`{written}` blocks the event loop; run it on the blocking pool with \
             `txaio::defer_to_thread`, or use a runtime-neutral async socket"
        )),
        [runtime @ ("tokio" | "async_std" | "smol"), ..] => {
            let display = if *runtime == "async_std" { "async-std" } else { runtime };
            Some(match replacement(path) {
                Some(txaio) => format!("`{written}` ties this function to {display}; use `{txaio}` instead"),
                None => format!(
                    "`{written}` ties this function to {display}; portable code uses `txaio` \
                     (or runtime-neutral crates such as `futures`) instead"
                ),
            })
        }
        _ => None,
    }
}

/// The txaio call that does what a runtime-specific one does.
#[allow(clippy::unnested_or_patterns)] // a row per runtime reads as a table
fn replacement(path: &[&str]) -> Option<&'static str> {
    Some(match path {
        ["tokio", "time", "sleep" | "sleep_until"]
        | ["async_std", "task", "sleep"]
        | ["smol", "Timer", ..] => "txaio::sleep",
        ["tokio", "spawn"]
        | ["tokio", "task", "spawn" | "spawn_local"]
        | ["async_std", "task", "spawn" | "spawn_local"]
        | ["smol", "spawn"] => "txaio::spawn",
        ["tokio", "task", "spawn_blocking" | "block_in_place"]
        | ["async_std", "task", "spawn_blocking"]
        | ["smol", "unblock"] => "txaio::defer_to_thread",
        ["tokio", "join" | "try_join"]
        | ["async_std", "future", "join"]
        | ["smol", "future", "zip"] => "txaio::gather",
        ["tokio", "time", "interval" | "interval_at"] => "txaio::call_later",
        ["tokio", "main"] | ["async_std", "main"] => "txaio::main",
        ["tokio", "test"] | ["async_std", "test"] => "txaio::test",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::refusal;

    #[test]
    fn refuses_blocking_and_runtime_specific_paths() {
        assert!(refusal(&["std", "thread", "sleep"]).is_some());
        assert!(refusal(&["", "std", "fs", "read"]).is_some());
        assert!(refusal(&["std", "fs", "File", "open"]).is_some());
        assert!(refusal(&["std", "net", "TcpStream", "connect"]).is_some());
        assert!(refusal(&["futures", "executor", "block_on"]).is_some());
        let tokio = refusal(&["tokio", "time", "sleep"]).unwrap();
        assert!(tokio.ends_with("use `txaio::sleep` instead"), "{tokio}");
        assert!(
            refusal(&["async_std", "sync", "Mutex"])
                .unwrap()
                .contains("async-std")
        );
    }

    #[test]
    fn allows_the_rest() {
        assert!(refusal(&["std", "net", "Ipv4Addr", "new"]).is_none());
        assert!(refusal(&["std", "time", "Duration", "from_secs"]).is_none());
        assert!(refusal(&["txaio", "sleep"]).is_none());
        assert!(refusal(&["crate", "tokio", "spawn"]).is_none());
        assert!(refusal(&["std", "fs"]).is_none());
    }
}
