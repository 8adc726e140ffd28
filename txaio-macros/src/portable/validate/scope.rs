//! The names a portable body can see: `use` items (of the function, of its blocks, of an
//! inline `mod` around it), `extern crate`, globs, and the user's own locals and items, which
//! shadow everything (a local called `tokio` is the user's).

use std::collections::HashMap;
use std::rc::Rc;

use syn::ext::IdentExt;
use syn::{Pat, Path};

use super::kinds::Kind;

/// What a name in scope stands for.
#[derive(Debug, Clone)]
pub(crate) enum Name {
    /// A `use` or `extern crate`: the full path.
    Import(Vec<String>),
    /// An import that was refused already: its uses are not reported again.
    Refused,
    /// A local variable or parameter, with its kind when the code shows it. A value: it does
    /// not hide a module of that name from a path (`let thread = ..; thread::sleep(..)`).
    Local(Option<Kind>),
    /// An item of the user's (a `mod`, type, fn, ...), which shadows everything.
    Item,
    /// A closure bound by `let`, checked at its first use (see `Checker::pending`).
    Closure(usize),
    /// A `#[portable(blocking)]` helper fn: called only on the blocking pool.
    Blocking,
    /// An inline `mod` of the user's, with the names it declares: a path through it
    /// (`inner::thread::sleep`) reaches what it re-exports.
    Module(Rc<Scope>),
    /// A `macro_rules!` of the user's, checked where it is invoked.
    Macro(Rc<MacroRules>),
}

/// A `macro_rules!` defined in portable code: its expansions (metavariables already read as
/// names), and how they were checked. An expansion is code only where the macro is invoked,
/// so it is checked there: as event-loop code, or as blocking-pool code inside
/// `defer_to_thread`, once each for the whole item. A macro never invoked makes no code.
#[derive(Debug)]
pub(crate) struct MacroRules {
    pub(crate) expansions: Vec<proc_macro2::TokenStream>,
    pub(crate) checked_inline: std::cell::Cell<bool>,
    pub(crate) checked_offloaded: std::cell::Cell<bool>,
}

/// The `macro_rules!` called `name` visible here (macros are in a namespace of their own).
pub(crate) fn lookup_macro(scopes: &[Scope], name: &str) -> Option<Rc<MacroRules>> {
    for scope in scopes.iter().rev() {
        for found in [scope.names.get(name), scope.hidden.get(name)] {
            if let Some(Name::Macro(rules)) = found {
                return Some(Rc::clone(rules));
            }
        }
        if scope.barrier {
            break;
        }
    }
    None
}

/// One block's (or module's) names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    pub(crate) names: HashMap<String, Name>,
    /// `use a::b::*` prefixes.
    pub(crate) globs: Vec<Vec<String>>,
    /// A module: the names of the scopes around it are not visible inside.
    pub(crate) barrier: bool,
    /// Imports and items a value of the same name replaced in `names`: still what a path
    /// starting with that name means (values and modules are different namespaces).
    pub(crate) hidden: HashMap<String, Name>,
    /// The module around this one (a portable `mod` nested in another), for `super::` paths
    /// from code whose scopes do not hold it.
    pub(crate) parent: Option<Rc<Scope>>,
    /// The `#[portable(blocking)]` methods of the `impl` block being checked, called on the
    /// blocking pool only (`self.name()`, `Self::name`).
    pub(crate) blocking_methods: Vec<String>,
}

impl Scope {
    /// Binds a value (a local, a parameter, a closure) called `name`.
    pub(crate) fn bind_value(&mut self, name: String, value: Name) {
        if let Some(old) = self.names.insert(name.clone(), value)
            && !matches!(old, Name::Local(_) | Name::Closure(_))
        {
            self.hidden.insert(name, old);
        }
    }
}

/// A path as resolved against the scopes.
#[derive(Debug, Clone)]
pub(crate) enum Resolved {
    /// The full path. `imported` is false for a path as written that no `use` expanded.
    Path {
        segments: Vec<String>,
        imported: bool,
    },
    /// One of the user's own names (locals, items, a closure).
    User(Option<Kind>),
    /// Through an import refused already.
    Refused,
    /// A closure waiting for its first use.
    Closure(usize),
    /// A `#[portable(blocking)]` helper, by name.
    Blocking(String),
}

impl Resolved {
    pub(crate) fn segments(&self) -> Option<Vec<&str>> {
        match self {
            Resolved::Path { segments, .. } => Some(segments.iter().map(String::as_str).collect()),
            _ => None,
        }
    }
}

/// A path's segments as plain strings, raw identifiers unraw'd (`r#tokio` is `tokio`).
pub(crate) fn segments(path: &Path) -> Vec<String> {
    path.segments
        .iter()
        .map(|segment| segment.ident.unraw().to_string())
        .collect()
}

/// The innermost binding of `name`, up to the nearest module boundary.
pub(crate) fn lookup<'s>(scopes: &'s [Scope], name: &str) -> Option<&'s Name> {
    for scope in scopes.iter().rev() {
        if let Some(found) = scope.names.get(name) {
            return Some(found);
        }
        if scope.barrier {
            break;
        }
    }
    None
}

/// The innermost binding of `name` as a path's first segment: values (locals, parameters)
/// are in another namespace and skipped.
fn lookup_path<'s>(scopes: &'s [Scope], name: &str) -> Option<&'s Name> {
    for scope in scopes.iter().rev() {
        if let Some(found) = scope.hidden.get(name) {
            return Some(found);
        }
        if let Some(found) = scope.names.get(name)
            && !matches!(found, Name::Local(_) | Name::Closure(_))
        {
            return Some(found);
        }
        if scope.barrier {
            break;
        }
    }
    None
}

/// The full paths of the imports visible from the innermost scope (under any name, `_` too).
pub(crate) fn imports(scopes: &[Scope]) -> Vec<&[String]> {
    let mut found = Vec::new();
    for scope in scopes.iter().rev() {
        found.extend(scope.names.values().filter_map(|name| match name {
            Name::Import(full) => Some(full.as_slice()),
            _ => None,
        }));
        if scope.barrier {
            break;
        }
    }
    found
}

/// The glob prefixes visible from the innermost scope.
pub(crate) fn globs(scopes: &[Scope]) -> Vec<&[String]> {
    let mut found = Vec::new();
    for scope in scopes.iter().rev() {
        found.extend(scope.globs.iter().map(Vec::as_slice));
        if scope.barrier {
            break;
        }
    }
    found
}

/// Resolves `written` (segments, `leading` if it began with `::`); `interesting` says whether
/// a glob candidate is worth taking (a glob import makes any name a candidate).
pub(crate) fn resolve(
    scopes: &[Scope],
    written: Vec<String>,
    leading: bool,
    interesting: &dyn Fn(&[&str]) -> bool,
) -> Resolved {
    // Imports through modules can name each other in a cycle (`use self::a as b;` and
    // `use self::b as a;`): past a depth no real path reaches, the path is the user's.
    thread_local! {
        static DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    struct Restore(u32);
    impl Drop for Restore {
        fn drop(&mut self) {
            DEPTH.with(|depth| depth.set(self.0));
        }
    }
    let depth = DEPTH.with(std::cell::Cell::get);
    if depth > 16 {
        return Resolved::User(None);
    }
    DEPTH.with(|cell| cell.set(depth + 1));
    let _restore = Restore(depth);
    resolve_here(scopes, written, leading, interesting)
}

fn resolve_here(
    scopes: &[Scope],
    written: Vec<String>,
    leading: bool,
    interesting: &dyn Fn(&[&str]) -> bool,
) -> Resolved {
    let Some(first) = written.first() else {
        return Resolved::User(None);
    };
    if leading {
        return Resolved::Path {
            segments: written,
            imported: false,
        };
    }
    if first == "self" || first == "super" {
        return resolve_relative(scopes, &written, interesting);
    }
    let found = if written.len() > 1 {
        lookup_path(scopes, first)
    } else {
        lookup(scopes, first)
    };
    match found {
        Some(Name::Import(full)) => {
            let mut segments = full.clone();
            segments.extend(written.into_iter().skip(1));
            // An import through the module tree (`use self::inner::thread;`): followed.
            if let Some(through) = through_modules(scopes, &segments, interesting) {
                return through;
            }
            Resolved::Path {
                segments,
                imported: true,
            }
        }
        Some(Name::Refused) => Resolved::Refused,
        Some(Name::Local(kind)) => Resolved::User(if written.len() == 1 {
            kind.clone()
        } else {
            None
        }),
        Some(Name::Closure(index)) if written.len() == 1 => Resolved::Closure(*index),
        Some(Name::Blocking) if written.len() == 1 => Resolved::Blocking(first.clone()),
        Some(Name::Module(module)) if written.len() > 1 => {
            resolve_in_module(module, &written[1..], interesting)
        }
        Some(Name::Item | Name::Closure(_) | Name::Blocking | Name::Module(_) | Name::Macro(_)) => {
            Resolved::User(None)
        }
        None => {
            for glob in globs(scopes) {
                let candidate: Vec<String> = glob
                    .iter()
                    .cloned()
                    .chain(written.iter().cloned())
                    .collect();
                // `use super::*;` and the like: the candidate as that module sees it.
                if let Some(Resolved::Path {
                    segments,
                    imported: true,
                }) = through_modules(scopes, &candidate, interesting)
                {
                    let words: Vec<&str> = segments.iter().map(String::as_str).collect();
                    if interesting(&words) {
                        return Resolved::Path {
                            segments,
                            imported: true,
                        };
                    }
                    continue;
                }
                let words: Vec<&str> = candidate.iter().map(String::as_str).collect();
                if interesting(&words) {
                    return Resolved::Path {
                        segments: candidate,
                        imported: true,
                    };
                }
            }
            Resolved::Path {
                segments: written,
                imported: false,
            }
        }
    }
}

/// `segments` (an import's full path) resolved through the modules the macro sees, when it
/// starts with `self`, `super` or one of the user's inline modules; `None` otherwise.
fn through_modules(
    scopes: &[Scope],
    segments: &[String],
    interesting: &dyn Fn(&[&str]) -> bool,
) -> Option<Resolved> {
    let first = segments.first()?;
    if first == "self" || first == "super" {
        return Some(resolve_relative(scopes, segments, interesting));
    }
    match lookup_path(scopes, first) {
        Some(Name::Module(module)) if segments.len() > 1 => {
            Some(resolve_in_module(module, &segments[1..], interesting))
        }
        _ => None,
    }
}

/// `self::a::b` and `super::a::b`: `a::b` as the module they name sees it. A module the macro
/// cannot see (the file around a portable item) leaves the path unresolved, and unchecked.
fn resolve_relative(
    scopes: &[Scope],
    written: &[String],
    interesting: &dyn Fn(&[&str]) -> bool,
) -> Resolved {
    let mut rest = written;
    if rest.first().is_some_and(|first| first == "self") {
        rest = &rest[1..];
    }
    let mut depth = 0;
    while rest.first().is_some_and(|first| first == "super") {
        depth += 1;
        rest = &rest[1..];
    }
    if rest.is_empty() {
        return Resolved::User(None);
    }
    match modules(scopes).get(depth) {
        Some(module) => resolve_in_module(module, rest, interesting),
        None => Resolved::Path {
            segments: written.to_vec(),
            imported: false,
        },
    }
}

/// The modules around the innermost scope, innermost first: the module scopes on the stack,
/// then the parents the outermost one knows.
fn modules(scopes: &[Scope]) -> Vec<&Scope> {
    let mut found: Vec<&Scope> = scopes.iter().rev().filter(|scope| scope.barrier).collect();
    let mut parent = found
        .last()
        .copied()
        .or_else(|| scopes.first())
        .and_then(|outermost| outermost.parent.as_deref());
    while let Some(module) = parent {
        found.push(module);
        parent = module.parent.as_deref();
    }
    found
}

/// `rest` as a path inside `module`: through its imports and nested modules, or the user's.
fn resolve_in_module(
    module: &Scope,
    rest: &[String],
    interesting: &dyn Fn(&[&str]) -> bool,
) -> Resolved {
    let Some(first) = rest.first() else {
        return Resolved::User(None);
    };
    let declared = module.names.contains_key(first) || module.hidden.contains_key(first);
    let resolved = resolve(
        std::slice::from_ref(module),
        rest.to_vec(),
        false,
        interesting,
    );
    match resolved {
        // Neither declared nor reached through a glob: one of the module's own items the
        // macro does not track, not a path of std's or a runtime's.
        Resolved::Path {
            imported: false, ..
        } if !declared => Resolved::User(None),
        other => other,
    }
}

/// Every name a pattern binds, with the kind of what it binds where `kind` tells it.
pub(crate) fn bind_pattern(scope: &mut Scope, pat: &Pat, kind: Option<Kind>) {
    match pat {
        Pat::Ident(ident) => {
            scope.bind_value(ident.ident.unraw().to_string(), Name::Local(kind));
            if let Some((_, sub)) = &ident.subpat {
                bind_pattern(scope, sub, None);
            }
        }
        Pat::Tuple(tuple) => {
            let kinds = match kind {
                Some(Kind::Tuple(kinds)) if kinds.len() == tuple.elems.len() => {
                    kinds.into_iter().map(Some).collect()
                }
                _ => vec![None; tuple.elems.len()],
            };
            for (element, kind) in tuple.elems.iter().zip(kinds) {
                bind_pattern(scope, element, kind);
            }
        }
        Pat::Type(typed) => bind_pattern(scope, &typed.pat, kind),
        Pat::Reference(reference) => bind_pattern(scope, &reference.pat, None),
        Pat::Paren(paren) => bind_pattern(scope, &paren.pat, kind),
        Pat::Or(or) => {
            for case in &or.cases {
                bind_pattern(scope, case, None);
            }
        }
        Pat::Slice(slice) => {
            for element in &slice.elems {
                bind_pattern(scope, element, None);
            }
        }
        Pat::Struct(fields) => {
            for field in &fields.fields {
                bind_pattern(scope, &field.pat, None);
            }
        }
        Pat::TupleStruct(tuple) => {
            for element in &tuple.elems {
                bind_pattern(scope, element, None);
            }
        }
        _ => {}
    }
}
