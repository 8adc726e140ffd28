//! What a block or module imports: `use` items (refusing runtime-specific ones, once),
//! `extern crate`, globs, and the user's own item names, which shadow the rest.

use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{Item, UseTree};

use super::super::paths;
use super::super::scope::Name;
use super::Checker;

impl Checker<'_, '_> {
    /// Records the items of a block or module before its statements are checked: `use`s
    /// (refusing runtime-specific ones), `extern crate`s, and the user's own item names.
    pub(crate) fn declare_items<'i>(&mut self, items: impl IntoIterator<Item = &'i Item>) {
        for item in items {
            match item {
                Item::Use(item) => self.record_use(&item.tree, &mut Vec::new()),
                Item::ExternCrate(item) => {
                    let crate_name = item.ident.unraw().to_string();
                    let alias = item.rename.as_ref().map_or_else(
                        || crate_name.clone(),
                        |(_, rename)| rename.unraw().to_string(),
                    );
                    self.record_alias(alias, vec![crate_name], item);
                }
                Item::Fn(function) if super::super::is_blocking_helper(&function.attrs) => {
                    self.innermost()
                        .names
                        .insert(function.sig.ident.unraw().to_string(), Name::Blocking);
                }
                Item::Macro(item) if item.mac.path.is_ident("macro_rules") => {
                    if let Some(ident) = &item.ident {
                        let rules = super::macros::macro_rules(&item.mac);
                        self.innermost()
                            .names
                            .insert(ident.unraw().to_string(), Name::Macro(rules));
                    }
                }
                Item::Mod(module) if module.content.is_some() => {
                    let name = module.ident.unraw().to_string();
                    let scope = self.nested_module(module);
                    self.innermost()
                        .names
                        .insert(name, Name::Module(std::rc::Rc::new(scope)));
                }
                other => {
                    if let Some(ident) = item_ident(other) {
                        self.innermost()
                            .names
                            .insert(ident.unraw().to_string(), Name::Item);
                    }
                }
            }
        }
    }

    /// The names an inline `mod` declares, for paths through it. Its imports are checked
    /// where the module itself is checked, so the errors found here are dropped.
    fn nested_module(&self, module: &syn::ItemMod) -> super::super::Scope {
        let quiet = crate::ctxt::Ctxt::new();
        let mut checker = Checker::new(
            &quiet,
            self.krate,
            super::super::Scope {
                barrier: true,
                ..super::super::Scope::default()
            },
        );
        if let Some((_, items)) = &module.content {
            checker.declare_items(items);
        }
        checker.into_scope()
    }

    fn record_alias(&mut self, alias: String, full: Vec<String>, at: &dyn ToTokens) {
        let refused = self.check_import(&full, at);
        let name = if refused {
            Name::Refused
        } else {
            Name::Import(full)
        };
        self.innermost().names.insert(alias, name);
    }

    fn record_use(&mut self, tree: &UseTree, prefix: &mut Vec<String>) {
        match tree {
            UseTree::Path(path) => {
                prefix.push(path.ident.unraw().to_string());
                self.record_use(&path.tree, prefix);
                prefix.pop();
            }
            UseTree::Name(name) => {
                let mut full = prefix.clone();
                if name.ident != "self" {
                    full.push(name.ident.unraw().to_string());
                }
                let alias = full.last().cloned().unwrap_or_default();
                self.record_alias(alias, full, name);
            }
            UseTree::Rename(rename) => {
                let mut full = prefix.clone();
                if rename.ident != "self" {
                    full.push(rename.ident.unraw().to_string());
                }
                self.record_alias(rename.rename.unraw().to_string(), full, rename);
            }
            UseTree::Glob(glob) => {
                if !self.check_import(prefix, glob) {
                    let prefix = prefix.clone();
                    self.innermost().globs.push(prefix);
                }
            }
            UseTree::Group(group) => {
                for item in &group.items {
                    self.record_use(item, prefix);
                }
            }
        }
    }

    /// An import is refused only for a runtime-specific path: importing `std::fs::File`
    /// blocks nothing, calling `File::open` through it does (and is caught at the call).
    fn check_import(&mut self, full: &[String], at: &dyn ToTokens) -> bool {
        let root = full.iter().find(|segment| !segment.is_empty());
        if !root.is_some_and(|root| paths::is_runtime_crate(root)) {
            return false;
        }
        let words: Vec<&str> = full.iter().map(String::as_str).collect();
        self.refuse(paths::refusal(&words, true), at)
    }
}

fn item_ident(item: &Item) -> Option<&syn::Ident> {
    Some(match item {
        Item::Fn(item) => &item.sig.ident,
        Item::Struct(item) => &item.ident,
        Item::Enum(item) => &item.ident,
        Item::Union(item) => &item.ident,
        Item::Type(item) => &item.ident,
        Item::Trait(item) => &item.ident,
        Item::Mod(item) => &item.ident,
        Item::Const(item) => &item.ident,
        Item::Static(item) => &item.ident,
        Item::Macro(item) => item.ident.as_ref()?,
        _ => return None,
    })
}
