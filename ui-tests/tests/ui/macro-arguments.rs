//! The arguments of the common std macros are checked like any expression.

use std::fmt::Write as _;

#[txaio::portable]
async fn checks(path: String) -> String {
    assert!(std::fs::exists(&path).unwrap_or(false));
    println!("{}", std::fs::read_to_string(&path).unwrap_or_default());
    let size = format!("{:?}", std::fs::metadata(&path).map(|m| m.len()));
    let copies = vec![std::fs::read(&path).unwrap_or_default(); 2];
    dbg!(std::thread::sleep(std::time::Duration::from_millis(1)));
    let mut out = String::new();
    let _ = write!(out, "{size} {} {:?}", copies.len(), std::fs::read_dir(&path).is_ok());
    out
}

fn main() {}
