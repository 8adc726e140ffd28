//! Every public item of txaio has a runnable example in its docs.
//!
//! rustdoc's `missing_doc_code_examples` lint is nightly-only, so this test reads the sources:
//! every `pub` item of `txaio-runtime` and of the facade (the `unreachable_pub` lint, denied in
//! CI through clippy, keeps `pub` meaning "reachable by users") must carry a doc comment with a
//! code block, unless it is hidden (`#[doc(hidden)]`, `__private`) or listed below with the
//! reason it needs none.

use std::fs;
use std::path::{Path, PathBuf};

use syn::visit::Visit;
use syn::{Attribute, ImplItem, Item, TraitItem, Visibility};

/// Items that need no example of their own, each with the reason.
const EXEMPT: &[(&str, &str)] = &[
    // A conversion trait's one method: the trait's own example shows it.
    (
        "IntoDeferred::into_deferred",
        "shown by the `IntoDeferred` example",
    ),
    (
        "TestOutcome::into_test_result",
        "hidden machinery of #[txaio::test]",
    ),
];

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("readable source dir") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                found.push(path);
            }
        }
    }
    let mut found = vec![Path::new(ROOT).join("src/lib.rs")];
    walk(&Path::new(ROOT).join("txaio-runtime/src"), &mut found);
    found.retain(|path| !path.ends_with("__private.rs"));
    found.sort();
    found
}

fn has_example(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("doc")
            && match &attr.meta {
                syn::Meta::NameValue(pair) => {
                    let text = quote_text(&pair.value);
                    text.contains("```")
                        // `#[doc = include_str!("..")]`: a whole file of docs, e.g. a chapter.
                        || text.contains("include_str")
                }
                syn::Meta::List(_) | syn::Meta::Path(_) => false,
            }
    })
}

fn quote_text(expr: &syn::Expr) -> String {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) => text.value(),
        other => quote::ToTokens::to_token_stream(other).to_string(),
    }
}

fn is_hidden(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let text = quote::ToTokens::to_token_stream(attr).to_string();
        (attr.path().is_ident("doc") && text.contains("hidden"))
            || (attr.path().is_ident("cfg") && (text.contains("test") || text.contains("doctest")))
    })
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

struct Checker {
    file: String,
    missing: Vec<String>,
}

impl Checker {
    fn check(&mut self, name: &str, attrs: &[Attribute]) {
        if has_example(attrs) || EXEMPT.iter().any(|(exempt, _)| *exempt == name) {
            return;
        }
        self.missing
            .push(format!("{}: `{name}` has no example", self.file));
    }
}

impl<'ast> Visit<'ast> for Checker {
    fn visit_item(&mut self, item: &'ast Item) {
        let (name, attrs, public) = match item {
            Item::Fn(f) => (f.sig.ident.to_string(), &f.attrs, is_pub(&f.vis)),
            Item::Struct(s) => (s.ident.to_string(), &s.attrs, is_pub(&s.vis)),
            Item::Enum(e) => (e.ident.to_string(), &e.attrs, is_pub(&e.vis)),
            Item::Trait(t) => (t.ident.to_string(), &t.attrs, is_pub(&t.vis)),
            Item::Type(t) => (t.ident.to_string(), &t.attrs, is_pub(&t.vis)),
            Item::Const(c) => (c.ident.to_string(), &c.attrs, is_pub(&c.vis)),
            Item::Static(s) => (s.ident.to_string(), &s.attrs, is_pub(&s.vis)),
            Item::Macro(m) => {
                let exported = m
                    .attrs
                    .iter()
                    .any(|attr| attr.path().is_ident("macro_export"));
                let name = m
                    .ident
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                (name, &m.attrs, exported)
            }
            Item::Mod(m) => {
                if is_hidden(&m.attrs) || m.ident == "__private" || m.ident == "tests" {
                    return;
                }
                syn::visit::visit_item_mod(self, m);
                return;
            }
            Item::Impl(block) => {
                if block.trait_.is_none() && !is_hidden(&block.attrs) {
                    self.visit_inherent_impl(block);
                }
                return;
            }
            _ => return,
        };
        if public && !is_hidden(attrs) && !name.starts_with("__") {
            self.check(&name, attrs);
        }
        if let Item::Trait(t) = item
            && public
            && !is_hidden(attrs)
        {
            for trait_item in &t.items {
                if let TraitItem::Fn(method) = trait_item
                    && !is_hidden(&method.attrs)
                {
                    self.check(&format!("{}::{}", t.ident, method.sig.ident), &method.attrs);
                }
            }
        }
    }
}

impl Checker {
    fn visit_inherent_impl(&mut self, block: &syn::ItemImpl) {
        let type_name = quote::ToTokens::to_token_stream(&block.self_ty)
            .to_string()
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        for item in &block.items {
            if let ImplItem::Fn(method) = item
                && is_pub(&method.vis)
                && !is_hidden(&method.attrs)
            {
                self.check(&format!("{type_name}::{}", method.sig.ident), &method.attrs);
            }
        }
    }
}

#[test]
fn every_public_item_has_an_example() {
    let mut missing = Vec::new();
    for path in sources() {
        let text = fs::read_to_string(&path).expect("readable source");
        let file = syn::parse_file(&text).unwrap_or_else(|error| panic!("{path:?}: {error}"));
        let mut checker = Checker {
            file: path
                .strip_prefix(ROOT)
                .unwrap_or(&path)
                .display()
                .to_string(),
            missing: Vec::new(),
        };
        checker.visit_file(&file);
        missing.extend(checker.missing);
    }
    assert!(
        missing.is_empty(),
        "{} public items have no example:\n{}",
        missing.len(),
        missing.join("\n")
    );
}
