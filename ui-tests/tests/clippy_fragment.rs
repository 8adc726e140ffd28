//! The shipped clippy fragment (`clippy/portable.toml`) catches what `#[txaio::portable]`
//! cannot see: clippy runs with it over `clippy-probe/`, and every line marked
//! `// caught: <text>` there must get a `disallowed_*` warning whose message holds `<text>`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    )
}

/// The probe's marked lines: line number to the text its warning must hold.
fn expected(source: &str) -> BTreeMap<usize, String> {
    source
        .lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let (_, text) = line.split_once("// caught: ")?;
            Some((index + 1, text.trim().to_owned()))
        })
        .collect()
}

#[test]
fn clippy_with_the_fragment_catches_every_probe_case() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let probe = manifest.join("clippy-probe");
    let fragment = manifest.join("../clippy/portable.toml");
    let conf_dir = target_dir().join("tests").join("clippy-probe-conf");
    std::fs::create_dir_all(&conf_dir).expect("the clippy conf dir");
    // Strict for the crates the probe depends on: an entry clippy cannot resolve there is a
    // mistake of the table (`allow-invalid` would hide it); the others stay quiet.
    let text = std::fs::read_to_string(&fragment).expect("the fragment");
    let strict: String = text
        .lines()
        .map(|line| {
            let resolvable = ["std::", "tokio::", "futures::", "txaio::"]
                .iter()
                .any(|root| line.contains(&format!("path = \"{root}")));
            if resolvable {
                format!("{}\n", line.replace(", allow-invalid = true", ""))
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    std::fs::write(conf_dir.join("clippy.toml"), strict).expect("write the strict fragment");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["clippy", "--quiet", "--color=never", "--manifest-path"])
        .arg(probe.join("Cargo.toml"))
        .env("CLIPPY_CONF_DIR", &conf_dir)
        .env(
            "CARGO_TARGET_DIR",
            target_dir().join("tests").join("clippy-probe"),
        )
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo clippy");
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("no such command: `clippy`") {
        eprintln!("skipped: clippy is not installed (`rustup component add clippy`)");
        return;
    }
    assert!(
        output.status.success(),
        "clippy failed on the probe:\n{stderr}"
    );
    assert!(
        !stderr.contains("does not refer to")
            && !stderr.contains("error reading Clippy")
            && !stderr.contains("clippy.toml:"),
        "the fragment has entries clippy cannot read or resolve:\n{stderr}"
    );
    let source = std::fs::read_to_string(probe.join("src/lib.rs")).expect("the probe's source");
    // Each warning: its header, its `--> src/lib.rs:LINE:COL`, and the first `= note:` (the
    // fragment's reason).
    let mut warnings: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut lines = stderr.lines().peekable();
    while let Some(line) = lines.next() {
        if !line.starts_with("warning: use of a disallowed") {
            continue;
        }
        let mut at = None;
        let mut reason = String::new();
        while let Some(next) = lines.peek() {
            if next.starts_with("warning") || next.starts_with("error") {
                break;
            }
            let next = lines.next().unwrap_or_default().trim();
            if let Some(place) = next.strip_prefix("--> src/lib.rs:") {
                at = at.or_else(|| {
                    place
                        .split(':')
                        .next()
                        .and_then(|n| n.parse::<usize>().ok())
                });
            } else if let Some(note) = next.strip_prefix("= note: ")
                && reason.is_empty()
            {
                reason = note.to_owned();
            }
        }
        if let Some(at) = at {
            warnings
                .entry(at)
                .or_default()
                .push(format!("{line}: {reason}"));
        }
    }
    let cases = expected(&source);
    assert!(cases.len() >= 24, "the probe lost cases: {cases:?}");
    for (line, text) in &cases {
        let found = warnings.get(line).map(Vec::as_slice).unwrap_or_default();
        assert!(
            found.iter().any(|warning| warning.contains(text.as_str())),
            "line {line} of the probe is not caught with a message holding {text:?}; clippy said {found:#?}\n{stderr}"
        );
    }
    let unexpected: Vec<_> = warnings
        .keys()
        .filter(|line| !cases.contains_key(line))
        .collect();
    assert!(
        unexpected.is_empty(),
        "warnings on unmarked lines {unexpected:?}:\n{stderr}"
    );
}
