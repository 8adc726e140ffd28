//! Why a path may not appear in portable code, from [`super::table`].

use super::table;

pub(crate) use table::{TRAITS, is_runtime_crate};

/// The blocking row `trait_path::method`, if the table has one.
pub(crate) fn trait_method_row(trait_path: &str, method: &str) -> Option<&'static str> {
    table::TABLE.iter().find_map(|row| {
        (matches!(row.cause, table::Cause::Blocks(_))
            && row
                .path
                .strip_prefix(trait_path)
                .and_then(|rest| rest.strip_prefix("::"))
                == Some(method))
        .then_some(row.path)
    })
}

/// A trait's path with a re-exporting module (`rayon::prelude`) replaced by the trait's own.
pub(crate) fn canonical_trait(path: &str) -> String {
    let path = path.strip_prefix("::").unwrap_or(path);
    for (re_exporter, module) in table::RE_EXPORTS {
        if let Some(rest) = path.strip_prefix(re_exporter)
            && rest.starts_with("::")
        {
            return format!("{module}{rest}");
        }
    }
    path.to_owned()
}

/// Why `path` (resolved, leading `::` removed) may not appear in portable code, if it may not.
/// `blocking` is false inside a closure given to `txaio::defer_to_thread` or
/// `std::thread::spawn`, where blocking is what the closure is for.
pub(crate) fn refusal(path: &[&str], blocking: bool) -> Option<String> {
    let path = match path {
        ["", rest @ ..] => rest,
        ["crate" | "self" | "super" | "Self", ..] | [] => return None,
        path => path,
    };
    let written = path.join("::");
    let row = table::find(path, blocking)?;
    Some(format!("`{written}` {}", row.text(&written)))
}

#[cfg(test)]
mod tests {
    use super::refusal;

    fn refused(path: &[&str]) -> String {
        refusal(path, true).unwrap_or_default()
    }

    #[test]
    fn refuses_blocking_and_runtime_specific_paths() {
        assert!(refused(&["std", "thread", "sleep"]).contains("txaio::sleep"));
        assert!(!refused(&["", "std", "fs", "read"]).is_empty());
        assert!(!refused(&["std", "fs", "File", "open"]).is_empty());
        assert!(refused(&["std", "net", "TcpStream", "connect"]).contains("txaio::net::TcpStream"));
        assert!(!refused(&["futures", "executor", "block_on"]).is_empty());
        assert!(!refused(&["futures", "executor", "block_on_stream"]).is_empty());
        assert!(refused(&["tokio", "time", "sleep"]).ends_with("use `txaio::sleep` instead"));
        assert!(refused(&["tokio", "time", "interval"]).contains("txaio::interval"));
        assert!(refused(&["tokio", "time", "timeout"]).contains("txaio::with_timeout"));
        assert!(refused(&["tokio", "select"]).contains("txaio::race"));
        assert!(refused(&["tokio", "net", "TcpStream"]).contains("txaio::net::TcpStream"));
        assert!(refused(&["async_net", "UdpSocket"]).contains("txaio::net::UdpSocket"));
        assert!(
            refused(&["smol", "net", "TcpListener", "bind"]).contains("txaio::net::TcpListener")
        );
        assert!(refused(&["async_std", "sync", "Mutex"]).contains("async-std"));
        assert!(refused(&["tokio_util", "codec"]).contains("tokio-util"));
        // Modules of a runtime, refused whole, with what to use instead.
        assert!(refused(&["tokio", "fs", "read_to_string"]).contains("std::fs::"));
        assert!(refused(&["tokio", "fs", "OpenOptions", "new"]).contains("std::fs::"));
        assert!(refused(&["tokio", "process", "Command", "new"]).contains("std::process"));
        assert!(refused(&["tokio", "io", "AsyncReadExt"]).contains("futures::io"));
        assert!(refused(&["tokio", "signal", "ctrl_c"]).contains("ties this function to tokio"));
        assert!(refused(&["std", "fs", "soft_link"]).contains("defer_to_thread"));
        assert!(refused(&["std", "thread", "park_timeout_ms"]).contains("parking"));
        assert!(refused(&["pollster", "FutureExt", "block_on"]).contains("`.await` the future"));
    }

    #[test]
    fn allows_the_rest() {
        for path in [
            &["std", "net", "Ipv4Addr", "new"][..],
            &["std", "time", "Duration", "from_secs"],
            &["txaio", "sleep"],
            &["crate", "tokio", "spawn"],
            &["std", "fs"],
            &["std", "fs", "Metadata", "len"],
            &["std", "fs", "FileType", "is_dir"],
            &["util", "block_on"],
        ] {
            assert_eq!(refusal(path, true), None, "{path:?}");
        }
    }

    #[test]
    fn offloaded_code_may_block_but_not_name_a_runtime() {
        assert_eq!(refusal(&["std", "fs", "read"], false), None);
        assert!(refusal(&["tokio", "runtime", "Runtime", "block_on"], false).is_some());
    }
}
