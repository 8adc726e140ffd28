//! Every chapter of the book is compiled, and says honestly what is not.
//!
//! The chapters' Rust blocks are doctests of the facade (`src/lib.rs` includes each chapter,
//! as generated into `src/guide/` by `tests/guide.rs`, in the module `txaio::guide`). A block marked `ignore` is allowed in two cases only: it
//! includes part of an example (`{{#include ../../examples/..}}`, which rustdoc cannot expand),
//! and then the example must be a registered example target (so CI compiles it), the anchor
//! must exist, and the text before the block must name the file; or it is in the compile-error
//! appendix, whose cases `ui-tests` compiles and checks against the chapter.

use std::fs;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(relative: &str) -> String {
    fs::read_to_string(Path::new(ROOT).join(relative))
        .unwrap_or_else(|error| panic!("cannot read {relative}: {error}"))
}

fn chapters() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(Path::new(ROOT).join("book/src"))
        .expect("book/src exists")
        .map(|entry| {
            entry
                .expect("readable entry")
                .file_name()
                .into_string()
                .expect("utf-8")
        })
        .filter(|name| {
            Path::new(name).extension().is_some_and(|ext| ext == "md") && name != "SUMMARY.md"
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_chapter_is_in_the_summary_and_compiled_as_a_doctest() {
    let summary = read("book/src/SUMMARY.md");
    let facade = read("src/lib.rs");
    let mut missing = Vec::new();
    for chapter in chapters() {
        if !summary.contains(&format!("({chapter})")) {
            missing.push(format!("{chapter} is not in book/src/SUMMARY.md"));
        }
        if !facade.contains(&format!("include_str!(\"guide/{chapter}\")")) {
            missing.push(format!(
                "{chapter} is not compiled: add it to `pub mod guide` in src/lib.rs"
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// A fenced block of a chapter: its info string, its lines, and the text before it.
struct Block {
    info: String,
    body: Vec<String>,
    preceding: String,
    line: usize,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut lines = text.lines().enumerate();
    let mut prose = String::new();
    while let Some((number, line)) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else {
            if line.trim().is_empty() {
                if !prose.trim().is_empty() {
                    prose.push('\n');
                }
            } else {
                prose.push_str(line);
                prose.push('\n');
            }
            continue;
        };
        let body = lines
            .by_ref()
            .map(|(_, line)| line)
            .take_while(|line| !line.trim_start().starts_with("```"))
            .map(str::to_owned)
            .collect();
        let preceding = prose
            .trim_end()
            .rsplit("\n\n")
            .next()
            .unwrap_or_default()
            .to_owned();
        found.push(Block {
            info: info.trim().to_owned(),
            body,
            preceding,
            line: number + 1,
        });
        prose.clear();
    }
    found
}

fn is_rust(info: &str) -> bool {
    info.split(',').next() == Some("rust")
}

fn registered_example(path: &str) -> bool {
    // txaio-hyper's examples are auto-discovered targets of their package.
    if Path::new(ROOT)
        .join("txaio-hyper/examples")
        .join(path)
        .is_file()
    {
        return true;
    }
    let basics = read("examples/basics/Cargo.toml");
    let examples =
        fs::read_to_string(Path::new(ROOT).join("examples/Cargo.toml")).unwrap_or_default();
    // A multi-file example (`wamp_client/main.rs` plus modules) is compiled whole, so any of
    // its files may be included.
    let multi_file = path
        .split_once('/')
        .is_some_and(|(dir, _)| examples.contains(&format!("path = \"{dir}/main.rs\"")));
    basics.contains(&format!("path = \"../{path}\""))
        || examples.contains(&format!("path = \"{path}\""))
        || multi_file
}

fn check_include(chapter: &str, block: &Block, problems: &mut Vec<String>) {
    let place = format!("{chapter}:{}", block.line);
    let [line] = block.body.as_slice() else {
        problems.push(format!(
            "{place}: an ignored block must hold one {{{{#include}}}} line"
        ));
        return;
    };
    let Some(target) = line
        .trim()
        .strip_prefix("{{#include ../../examples/")
        .or_else(|| {
            line.trim()
                .strip_prefix("{{#include ../../txaio-hyper/examples/")
        })
        .and_then(|rest| rest.strip_suffix("}}"))
    else {
        problems.push(format!(
            "{place}: `ignore` is only for {{{{#include ../../examples/..}}}} blocks; make it a doctest (`no_run` if it must not run)"
        ));
        return;
    };
    let (path, anchor) = target
        .split_once(':')
        .map_or((target, None), |(p, a)| (p, Some(a)));
    if !registered_example(path) {
        problems.push(format!(
            "{place}: examples/{path} is not a registered example target"
        ));
        return;
    }
    if let Some(anchor) = anchor {
        let folder = if line.contains("../../txaio-hyper/") {
            "txaio-hyper/examples"
        } else {
            "examples"
        };
        let source = read(&format!("{folder}/{path}"));
        if !source.contains(&format!("ANCHOR: {anchor}")) {
            problems.push(format!("{place}: examples/{path} has no anchor `{anchor}`"));
        }
    }
    let file_name = path.rsplit('/').next().unwrap_or(path);
    if !block.preceding.contains(file_name) {
        problems.push(format!(
            "{place}: say before the block that it comes from examples/{path} (compiled as an example, not here)"
        ));
    }
}

#[test]
fn ignored_rust_blocks_are_example_includes_or_ui_tested_errors() {
    let mut problems = Vec::new();
    for chapter in chapters() {
        let text = read(&format!("book/src/{chapter}"));
        for block in blocks(&text) {
            if !is_rust(&block.info) {
                continue;
            }
            let ignored = block.info.split(',').any(|flag| flag == "ignore");
            if !ignored {
                if block.body.iter().any(|line| line.contains("{{#include")) {
                    problems.push(format!(
                        "{chapter}:{}: rustdoc cannot expand {{{{#include}}}}: mark the block `rust,ignore` and name the example",
                        block.line
                    ));
                }
                continue;
            }
            if chapter == "compile-errors.md" {
                continue; // ui-tests compiles these and checks the chapter against them
            }
            check_include(&chapter, &block, &mut problems);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
