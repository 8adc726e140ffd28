//! The book's compile-error appendix is generated from the ui tests' cases and `.stderr`
//! files, so that it cannot drift from what the compiler prints. Regenerate it with
//! `TXAIO_BLESS=1 cargo test -p txaio-ui-tests --test book_appendix`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

fn appendix() -> String {
    let mut text = String::from(
        "# Appendix: compile errors\n\n\
         Every misuse of txaio's macros that the compiler refuses, with its exact message, as the\n\
         ui tests pin it (`ui-tests/tests/ui/` and `ui-tests/tests/not-compiled/`). This page is\n\
         generated from those files by `ui-tests/tests/book_appendix.rs`.\n",
    );
    for folder in ["tests/ui", "tests/not-compiled"] {
        let mut cases: Vec<_> = fs::read_dir(folder)
            .expect("the ui test folder")
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
            .collect();
        cases.sort();
        for case in cases {
            let name = case
                .file_stem()
                .and_then(|stem| stem.to_str())
                .unwrap_or_default();
            let source = fs::read_to_string(&case).expect("the case's source");
            let stderr =
                fs::read_to_string(case.with_extension("stderr")).expect("the case's .stderr");
            let title = if folder.ends_with("not-compiled") {
                format!("pinning `{name}` when it is not compiled in")
            } else {
                name.replace('-', " ")
            };
            let _ = write!(
                text,
                "\n## {title}\n\n```rust,ignore\n{}\n```\n\n```text\n{}\n```\n",
                source.trim_end(),
                stderr.trim_end()
            );
        }
    }
    text
}

#[test]
fn the_book_appendix_matches_the_ui_tests() {
    let expected = appendix();
    let path = Path::new("../book/src/compile-errors.md");
    if std::env::var_os("TXAIO_BLESS").is_some() {
        fs::write(path, &expected).expect("write the appendix");
    }
    let actual = fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "book/src/compile-errors.md is out of date; regenerate it with \
         `TXAIO_BLESS=1 cargo test -p txaio-ui-tests --test book_appendix`"
    );
}
