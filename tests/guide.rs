//! `txaio::guide` is the book, readable on docs.rs: `src/guide/*.md` are the chapters of
//! `book/src/` with each `{{#include ../../examples/..}}` replaced by the lines it names (the
//! published crate carries no examples) and each link to a chapter made a link to its module.
//! Generated, never edited: this test fails when they drift from the book. Regenerate with
//! `TXAIO_BLESS=1 cargo test -p txaio --test guide`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// The chapters in the order of `SUMMARY.md`: (title, file name).
fn summary() -> Vec<(String, String)> {
    read(&Path::new(ROOT).join("book/src/SUMMARY.md"))
        .lines()
        .filter_map(|line| {
            let (title, rest) = line.split_once("](")?;
            let title = title.rsplit('[').next()?;
            let file = rest.strip_suffix(')')?;
            Some((title.to_owned(), file.to_owned()))
        })
        .collect()
}

/// The module a chapter becomes: `coming-from-txaio.md` -> `coming_from_txaio`.
fn module(file: &str) -> String {
    file.trim_end_matches(".md").replace('-', "_")
}

/// The lines of `examples/<path>` between `ANCHOR: <anchor>` and `ANCHOR_END: <anchor>` (the
/// whole file without one), without anchor lines, as mdBook includes them.
fn include(target: &str) -> String {
    let (path, anchor) = target
        .split_once(':')
        .map_or((target, None), |(p, a)| (p, Some(a)));
    let source = read(&Path::new(ROOT).join(path));
    let mut inside = anchor.is_none();
    let mut lines = Vec::new();
    for line in source.lines() {
        if let Some(anchor) = anchor {
            if line
                .trim_start()
                .starts_with(&format!("// ANCHOR: {anchor}"))
            {
                inside = true;
                continue;
            }
            if line
                .trim_start()
                .starts_with(&format!("// ANCHOR_END: {anchor}"))
            {
                inside = false;
                continue;
            }
        }
        if inside && !line.contains("ANCHOR: ") && !line.contains("ANCHOR_END: ") {
            lines.push(line);
        }
    }
    assert!(!lines.is_empty(), "{target} includes nothing");
    lines.join("\n")
}

/// Links to other chapters (`[Time](time.md#timeouts)`) become links to their modules.
fn relink(line: &str, files: &[String]) -> String {
    let mut line = line.to_owned();
    for file in files {
        line = line
            .replace(
                &format!("]({file}#"),
                &format!("](crate::guide::{}#", module(file)),
            )
            .replace(
                &format!("]({file})"),
                &format!("](crate::guide::{})", module(file)),
            );
    }
    line
}

fn chapter(file: &str, files: &[String]) -> String {
    let mut text = String::from(
        "<!-- Generated from the book by tests/guide.rs: edit book/src, not this file. -->\n\n",
    );
    for line in read(&Path::new(ROOT).join("book/src").join(file)).lines() {
        match line
            .trim()
            .strip_prefix("{{#include ../../")
            .and_then(|rest| rest.strip_suffix("}}"))
        {
            Some(target) => text.push_str(&include(target)),
            None => text.push_str(&relink(line, files)),
        }
        text.push('\n');
    }
    text
}

fn index(chapters: &[(String, String)]) -> String {
    let mut text = String::from(
        "<!-- Generated from the book by tests/guide.rs: edit book/src, not this file. -->\n\n\
         The user guide: the chapters of the book (`book/` in the repository, an mdBook), here so\n\
         that docs.rs shows them beside the API. Their code blocks are compiled and run as\n\
         doctests.\n\n",
    );
    for (title, file) in chapters {
        let _ = writeln!(text, "- [{title}](crate::guide::{})", module(file));
    }
    text
}

fn generated() -> Vec<(PathBuf, String)> {
    let chapters = summary();
    let files: Vec<String> = chapters.iter().map(|(_, file)| file.clone()).collect();
    let folder = Path::new(ROOT).join("src/guide");
    let mut out = vec![(folder.join("index.md"), index(&chapters))];
    for file in &files {
        out.push((folder.join(file), chapter(file, &files)));
    }
    out
}

#[test]
fn the_guide_matches_the_book() {
    let bless = std::env::var_os("TXAIO_BLESS").is_some();
    let mut stale = Vec::new();
    for (path, text) in generated() {
        if bless {
            fs::create_dir_all(path.parent().expect("a folder")).expect("src/guide");
            fs::write(&path, &text).expect("write the guide");
        } else if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "the guide is stale: {}\nregenerate with `TXAIO_BLESS=1 cargo test -p txaio --test guide`",
        stale.join(", ")
    );
}

#[test]
fn every_chapter_is_a_module_of_the_guide() {
    let facade = read(&Path::new(ROOT).join("src/lib.rs"));
    let missing: Vec<String> = summary()
        .iter()
        .map(|(_, file)| file.clone())
        .filter(|file| {
            let plain = format!(
                "#[doc = include_str!(\"guide/{file}\")]\n    pub mod {} {{}}",
                module(file)
            );
            // A chapter whose examples need a feature: `cfg_attr(feature, doc = ..)`.
            let gated = facade.contains(&format!("doc = include_str!(\"guide/{file}\"))]"))
                && facade.contains(&format!("pub mod {} {{}}", module(file)));
            !facade.contains(&plain) && !gated
        })
        .collect();
    assert!(
        missing.is_empty(),
        "chapters missing from `pub mod guide` in src/lib.rs: {}",
        missing.join(", ")
    );
}
