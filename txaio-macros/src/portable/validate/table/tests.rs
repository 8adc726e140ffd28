//! The clippy fragment is generated from the table, so that the two checks cannot drift.
//! Regenerate it with `TXAIO_BLESS=1 cargo test -p txaio-macros --lib table`.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::{Cause, Item, TABLE, find};

const FRAGMENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../clippy/portable.toml");

const HEADER: &str = "\
# The clippy half of `#[txaio::portable]`'s checks, for a portable crate to adopt: copy these
# tables into the crate's `clippy.toml` (or point `CLIPPY_CONF_DIR` at a directory holding this
# file as `clippy.toml`). Clippy resolves real paths, methods and types crate-wide, so it sees
# what a proc macro cannot: imports at the top of the file, methods on values whose type the
# macro cannot see, calls through helpers. `allow-invalid` keeps entries for crates the adopting
# crate does not depend on quiet. Where blocking is the point (a closure given to
# `txaio::defer_to_thread`), allow the lint there: `#[allow(clippy::disallowed_methods)]`.
# See the book's \"Portable functions\" chapter for which check catches what.
#
# Generated from the macro's table of refused paths (txaio-macros/src/portable/validate/table.rs);
# do not edit by hand: `TXAIO_BLESS=1 cargo test -p txaio-macros --lib table` rewrites it.
# Clippy cannot name a module: a refused module (`tokio::fs`) is caught through its items.
";

/// The clippy table a row goes to, if clippy can name it.
fn clippy_table(item: Item) -> Option<&'static str> {
    match item {
        Item::Function | Item::Method => Some("disallowed-methods"),
        Item::Type => Some("disallowed-types"),
        Item::Macro => Some("disallowed-macros"),
        Item::TraitMethod | Item::Module => None,
    }
}

fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn fragment() -> String {
    let mut text = String::from(HEADER);
    for table in [
        "disallowed-methods",
        "disallowed-types",
        "disallowed-macros",
    ] {
        let _ = write!(text, "\n{table} = [\n");
        for row in TABLE {
            if clippy_table(row.item) == Some(table) {
                let _ = writeln!(
                    text,
                    "    {{ path = {}, reason = {}, allow-invalid = true }},",
                    toml_string(row.path),
                    toml_string(&row.text(row.path)),
                );
            }
        }
        text.push_str("]\n");
    }
    text
}

#[test]
fn the_clippy_fragment_is_generated_from_the_table() {
    let expected = fragment();
    if std::env::var_os("TXAIO_BLESS").is_some() {
        std::fs::write(FRAGMENT, &expected).expect("write the clippy fragment");
    }
    let actual = std::fs::read_to_string(FRAGMENT).unwrap_or_default();
    assert!(
        actual == expected,
        "clippy/portable.toml is out of date with the table of refused paths; regenerate it \
         with `TXAIO_BLESS=1 cargo test -p txaio-macros --lib table`"
    );
}

#[test]
fn the_fragment_names_every_row_clippy_can_name() {
    let committed = std::fs::read_to_string(FRAGMENT).unwrap_or_default();
    let missing: Vec<&str> = TABLE
        .iter()
        .filter(|row| clippy_table(row.item).is_some())
        .filter(|row| !committed.contains(&format!("path = {},", toml_string(row.path))))
        .map(|row| row.path)
        .collect();
    assert!(
        missing.is_empty(),
        "clippy/portable.toml misses {missing:?}"
    );
}

#[test]
fn every_refused_module_of_tokio_is_caught_by_clippy_through_its_items() {
    // smol's and async-std's channel and lock modules re-export runtime-neutral crates
    // (`async-channel`, `async-lock`), which clippy would refuse under their own names too;
    // the macro alone refuses those.
    for module in TABLE
        .iter()
        .filter(|row| row.item == Item::Module && row.path.starts_with("tokio::"))
    {
        let prefix = format!("{}::", module.path);
        let caught = TABLE
            .iter()
            .any(|row| row.path.starts_with(&prefix) && clippy_table(row.item).is_some());
        assert!(
            caught,
            "no item of `{}` is in the clippy fragment",
            module.path
        );
    }
    for module in ["tokio::fs", "tokio::io", "tokio::process", "tokio::signal"] {
        assert!(
            TABLE
                .iter()
                .any(|row| row.path == module && row.item == Item::Module),
            "{module}"
        );
    }
}

#[test]
fn rows_are_unique_and_matched_by_their_own_path() {
    let mut seen = HashSet::new();
    for row in TABLE {
        let blocking = matches!(row.cause, Cause::Blocks(_));
        assert!(seen.insert((row.path, blocking)), "`{}` twice", row.path);
        let segments: Vec<&str> = row.path.split("::").collect();
        let found = find(&segments, true).map(|found| found.path);
        // A runtime row is shadowed only by a blocking row of the same path's prefix.
        if blocking || found.is_none_or(|found| !found.starts_with("std")) {
            assert_eq!(
                found,
                Some(row.path),
                "`{}` is refused by another row",
                row.path
            );
        }
    }
}
