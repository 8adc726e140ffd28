//! The macro never panics: `#[txaio::portable]` run over every `fn` of real code nobody here
//! wrote (the crate sources cargo downloaded), each giving tokens or clean errors.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use quote::ToTokens;
use syn::visit::Visit;

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// Every function item in a file, as tokens: free fns, methods, nested fns.
#[derive(Default)]
struct Functions(Vec<(bool, proc_macro2::TokenStream)>);

impl<'ast> Visit<'ast> for Functions {
    fn visit_item_fn(&mut self, function: &'ast syn::ItemFn) {
        self.0.push((false, function.to_token_stream()));
        syn::visit::visit_item_fn(self, function);
    }

    fn visit_impl_item_fn(&mut self, method: &'ast syn::ImplItemFn) {
        // A `default fn` (nightly specialization) is no item on its own: rustc never hands it
        // to an attribute alone, so the macro's output for it need not parse as one. It is
        // still checked inside its `impl` block below.
        if method.defaultness.is_none() {
            self.0.push((false, method.to_token_stream()));
        }
        syn::visit::visit_impl_item_fn(self, method);
    }

    fn visit_item_impl(&mut self, block: &'ast syn::ItemImpl) {
        self.0.push((true, block.to_token_stream()));
        syn::visit::visit_item_impl(self, block);
    }
}

#[test]
#[ignore = "slow: runs the macro over ~all downloaded crate sources; `.ci/run` runs it"]
fn the_macro_never_panics_on_real_code() {
    // rustc runs proc macros on a thread with a large stack; syn's recursive descent over the
    // deepest expressions of real code needs more than a test thread's 2 MiB in debug builds.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(run_over_the_corpus)
        .expect("a thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}

fn run_over_the_corpus() {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    let Some(registry) = home.map(|home| home.join("registry").join("src")) else {
        eprintln!("skipped: neither CARGO_HOME nor HOME is set");
        return;
    };
    let mut files = Vec::new();
    rust_files(&registry, &mut files);
    if files.is_empty() {
        eprintln!("skipped: no crate sources under {}", registry.display());
        return;
    }
    files.sort();
    let (mut functions, mut impls, mut refused, mut unparsed) =
        (0_usize, 0_usize, 0_usize, 0_usize);
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let Ok(parsed) = syn::parse_file(&text) else {
            unparsed += 1;
            continue;
        };
        let mut found = Functions::default();
        found.visit_file(&parsed);
        for (is_impl, item) in found.0 {
            let expanded = catch_unwind(AssertUnwindSafe(|| {
                crate::portable::expand(proc_macro2::TokenStream::new(), &item)
            }));
            let Ok(expanded) = expanded else {
                panic!("the macro panicked in {} on:\n{item}", file.display());
            };
            // Tokens or clean errors: whatever came out must parse back as items.
            let output = syn::parse2::<syn::File>(expanded.clone());
            assert!(
                output.is_ok(),
                "unparsable expansion in {}:\n{expanded}",
                file.display()
            );
            if expanded.to_string().contains("compile_error") {
                refused += 1;
            }
            if is_impl { impls += 1 } else { functions += 1 }
        }
    }
    eprintln!(
        "the macro ran over {functions} fn items and {impls} impl blocks from {} files \
         ({unparsed} files syn could not parse); {refused} were refused with errors, none panicked",
        files.len()
    );
    assert!(
        functions >= 20_000,
        "only {functions} functions in the corpus"
    );
}
