//! `#[txaio::main]` and `#[txaio::test]`: entry points that start a runtime. Parse, validate,
//! expand, like `#[portable]`; one [`Ctxt`] collects the errors.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;

use crate::ctxt::Ctxt;

/// Which attribute is being expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    Main,
    Test,
}

impl Entry {
    fn name(self) -> &'static str {
        match self {
            Entry::Main => "main",
            Entry::Test => "test",
        }
    }
}

pub(crate) fn expand_main(args: TokenStream, input: TokenStream) -> TokenStream {
    run(Entry::Main, args, input)
}

pub(crate) fn expand_test(args: TokenStream, input: TokenStream) -> TokenStream {
    run(Entry::Test, args, input)
}

fn run(entry: Entry, args: TokenStream, input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let (args, function) = parse::parse(&cx, entry, args, &input);
    let Some(function) = function else {
        return cx.finish(input);
    };
    validate::validate(&cx, entry, &function);
    let item = if cx.len() == 0 {
        expand::expand(entry, &args, function)
    } else {
        expand::placeholder(function)
    };
    cx.finish(item)
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::{expand_main, expand_test};

    #[test]
    fn main_and_test_expand_or_explain() {
        let out = expand_main(
            quote!(),
            quote!(
                async fn main() {}
            ),
        )
        .to_string();
        assert!(out.contains("run_main"), "{out}");
        assert!(out.contains("__require_backend"), "{out}");
        let out = expand_main(
            quote!(runtime = "smol", crate = "rt"),
            quote!(
                async fn main() {}
            ),
        )
        .to_string();
        assert!(out.contains("__require_runtime_smol"), "{out}");
        assert!(!out.contains("__require_backend"), "{out}");
        assert!(out.contains("rt :: __private :: run_main"), "{out}");
        let out = expand_main(
            quote!(flavor = "current_thread"),
            quote!(
                async fn main() {}
            ),
        )
        .to_string();
        assert!(out.contains("unknown argument"), "{out}");
        let out = expand_test(
            quote!(),
            quote!(
                #[test]
                async fn t() {}
            ),
        )
        .to_string();
        assert!(out.contains("compile_error"), "{out}");
        let out = expand_test(
            quote!(sim, seeds = 1000),
            quote!(
                async fn t() {}
            ),
        )
        .to_string();
        assert!(out.contains("run_sim_test (\"t\" , 1000u64"), "{out}");
        assert!(out.contains("__require_sim"), "{out}");
        assert!(!out.contains("__require_backend"), "{out}");
        for (args, message) in [
            (quote!(seeds = 3), "`seeds` goes with `sim`"),
            (
                quote!(sim, runtime = "smol"),
                "a simulated test runs on txaio's simulation",
            ),
            (quote!(sim, seeds = 0), "a positive integer"),
            (quote!(sim, seeds = "many"), "a positive integer"),
            (quote!(sim, sim), "`sim` is given twice"),
        ] {
            let out = expand_test(
                args,
                quote!(
                    async fn t() {}
                ),
            )
            .to_string();
            assert!(out.contains(message), "{message}: {out}");
        }
        let out = expand_main(
            quote!(sim),
            quote!(
                async fn main() {}
            ),
        )
        .to_string();
        assert!(out.contains("unknown argument"), "{out}");
        let out = expand_test(
            quote!(x),
            quote!(
                struct S;
            ),
        )
        .to_string();
        assert!(out.contains("compile_error"), "{out}");
    }
}
