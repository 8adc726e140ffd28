//! Every `async fn` of the examples' protocol code (`examples/wamp_client`, outside its tests
//! and its `main`, and `examples/line_protocol`) is under `#[txaio::portable]`: on the fn, on
//! its `impl` block or on an inline `mod` around it. A borrowing one keeps its signature, so
//! nothing stands in the way of checking them all.

use std::fs;
use std::path::{Path, PathBuf};

use syn::visit::Visit;
use syn::{Attribute, ImplItemFn, ItemFn, ItemImpl, ItemMod};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");

fn protocol_sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("readable source dir") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                // A test drives the protocol; it is not part of it.
                if path.file_name().is_none_or(|name| name != "tests") {
                    walk(&path, found);
                }
            } else if path.extension().is_some_and(|ext| ext == "rs")
                && path.file_name().is_some_and(|name| name != "main.rs")
            {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    for dir in ["wamp_client", "line_protocol"] {
        walk(&Path::new(ROOT).join(dir), &mut found);
    }
    found.sort();
    found
}

fn is_portable(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path()
            .segments
            .last()
            .is_some_and(|last| last.ident == "portable")
    })
}

/// Async fns, with whether a `#[portable]` covers each.
#[derive(Default)]
struct Census {
    depth: usize,
    checked: Vec<String>,
    unchecked: Vec<String>,
    file: String,
}

impl Census {
    fn count(&mut self, attrs: &[Attribute], sig: &syn::Signature) {
        if sig.asyncness.is_none() || attrs.iter().any(|attr| attr.path().is_ident("cfg")) {
            return;
        }
        let name = format!("{}: {}", self.file, sig.ident);
        if self.depth > 0 || is_portable(attrs) {
            self.checked.push(name);
        } else {
            self.unchecked.push(name);
        }
    }

    fn nested(&mut self, portable: bool, visit: impl FnOnce(&mut Self)) {
        self.depth += usize::from(portable);
        visit(self);
        self.depth -= usize::from(portable);
    }
}

impl<'ast> Visit<'ast> for Census {
    fn visit_item_fn(&mut self, function: &'ast ItemFn) {
        self.count(&function.attrs, &function.sig);
    }

    fn visit_impl_item_fn(&mut self, method: &'ast ImplItemFn) {
        self.count(&method.attrs, &method.sig);
    }

    fn visit_item_impl(&mut self, block: &'ast ItemImpl) {
        self.nested(is_portable(&block.attrs), |census| {
            syn::visit::visit_item_impl(census, block);
        });
    }

    fn visit_item_mod(&mut self, module: &'ast ItemMod) {
        // `#[cfg(test)] mod tests`: test code.
        if module.attrs.iter().any(|attr| attr.path().is_ident("cfg")) {
            return;
        }
        self.nested(is_portable(&module.attrs), |census| {
            syn::visit::visit_item_mod(census, module);
        });
    }
}

#[test]
fn every_async_fn_of_the_examples_protocol_code_is_portable() {
    let mut census = Census::default();
    for path in protocol_sources() {
        let source = fs::read_to_string(&path).expect("readable source");
        let file = syn::parse_file(&source).expect("the example parses");
        census.file = path
            .strip_prefix(ROOT)
            .unwrap_or(&path)
            .display()
            .to_string();
        census.visit_file(&file);
    }
    let all = census.checked.len() + census.unchecked.len();
    eprintln!(
        "{} of {all} async fns of the protocol code are under #[txaio::portable]",
        census.checked.len()
    );
    assert!(all >= 18, "the census lost async fns: {:?}", census.checked);
    assert!(
        census.unchecked.is_empty(),
        "async fns not under #[txaio::portable]: {:?}",
        census.unchecked
    );
}
