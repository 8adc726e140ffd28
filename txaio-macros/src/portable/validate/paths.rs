//! The table of what portable code may not name: calls that block the event loop, and paths
//! of crates that tie code to one runtime, each with the txaio call to use instead.

/// The crates whose paths tie code to one runtime, with the name users know them by.
const RUNTIME_CRATES: &[(&str, &str)] = &[
    ("tokio", "tokio"),
    ("tokio_util", "tokio-util"),
    ("tokio_stream", "tokio-stream"),
    ("async_std", "async-std"),
    ("smol", "smol"),
    ("async_io", "async-io"),
    ("async_net", "async-net"),
];

/// Whether `root` (a path's first segment) is a runtime-specific crate.
pub(crate) fn is_runtime_crate(root: &str) -> bool {
    RUNTIME_CRATES.iter().any(|(name, _)| *name == root)
}

const BLOCK_ON: &str = "blocks the event loop (and deadlocks it when called on a runtime thread); `.await` the future instead";

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
    if blocking {
        if let Some(message) = blocking_refusal(path, &written) {
            return Some(message);
        }
    }
    let (_, display) = RUNTIME_CRATES.iter().find(|(name, _)| *name == path[0])?;
    Some(match replacement(path) {
        Some(txaio) => format!("`{written}` ties this function to {display}; use {txaio} instead"),
        None => format!(
            "`{written}` ties this function to {display}; portable code uses `txaio` (or \
             runtime-neutral crates such as `futures`) instead"
        ),
    })
}

/// Blocking calls named by their path.
#[allow(clippy::unnested_or_patterns)] // a row per family reads as a table
fn blocking_refusal(path: &[&str], written: &str) -> Option<String> {
    let blocks = format!("`{written}` blocks the event loop");
    Some(match path {
        ["std", "thread", "sleep" | "sleep_ms"] => {
            format!("{blocks}; use `txaio::sleep(duration).await` instead")
        }
        ["std", "thread", "park" | "park_timeout" | "park_timeout_ms"] => {
            format!("{blocks} by parking its thread; `.await` a deferred instead")
        }
        ["std", "thread", "scope"] => format!(
            "{blocks} until every scoped thread ends; run the work with `txaio::defer_to_thread` and `.await` it"
        ),
        ["std", "thread", "JoinHandle" | "ScopedJoinHandle", "join"] => format!(
            "{blocks} until the thread ends; run the work with `txaio::defer_to_thread` and `.await` its deferred"
        ),
        ["std", "fs", function] if is_blocking_fs_function(function) => format!(
            "{blocks}; run it on the blocking pool: `txaio::defer_to_thread(move || {written}(..))`"
        ),
        ["std", "fs", "File", "open" | "create" | "create_new"]
        | ["std", "fs", "OpenOptions", "open"] => format!(
            "{blocks}; run it on the blocking pool: `txaio::defer_to_thread(move || {written}(..))`"
        ),
        [
            "std",
            "net",
            socket @ ("TcpStream" | "TcpListener" | "UdpSocket"),
            ..,
        ] => format!("`{written}` is a blocking socket; use `txaio::net::{socket}` instead"),
        ["std", "net", "ToSocketAddrs", "to_socket_addrs"] => format!(
            "{blocks} resolving names (DNS); resolve on the blocking pool: \
             `txaio::defer_to_thread(move || addr.to_socket_addrs())`"
        ),
        ["std", "os", "unix", "net", ..] => format!(
            "`{written}` is a blocking socket, which blocks the event loop; run its I/O with \
             `txaio::defer_to_thread`, or use `txaio::net` (TCP, UDP)"
        ),
        ["std", "process", "Command", "output" | "status"]
        | ["std", "process", "Child", "wait" | "wait_with_output"] => format!(
            "{blocks} until the child process exits; run it on the blocking pool: \
             `txaio::defer_to_thread(move || command.output())`"
        ),
        ["std", "io", "Stdin" | "StdinLock", _] => format!(
            "{blocks} waiting for input; read stdin on the blocking pool with `txaio::defer_to_thread`"
        ),
        [
            "std",
            "sync",
            "mpsc",
            "Receiver",
            "recv" | "recv_timeout" | "iter",
        ]
        | ["std", "sync", "mpsc", "SyncSender", "send"] => {
            format!("{blocks}; use an async channel (`futures::channel::mpsc`) and `.await` it")
        }
        ["futures" | "futures_executor", .., "block_on_stream"] => format!(
            "{blocks} on each item; `.await` the stream's items (`futures::StreamExt::next`) instead"
        ),
        [
            "futures" | "futures_executor",
            ..,
            "LocalPool",
            "run" | "run_until",
        ]
        | ["futures" | "futures_executor", .., "block_on"]
        | [
            "futures_lite" | "smol" | "async_io" | "pollster",
            ..,
            "block_on",
        ]
        | ["async_std", "task", "block_on"]
        | ["tokio", "runtime", "Runtime" | "Handle", "block_on"] => {
            format!("`{written}` {BLOCK_ON}")
        }
        ["txaio", "blocking", "wait_for"] => format!(
            "`{written}` waits on this thread, which is the event loop's; `.await` the deferred instead"
        ),
        _ => return None,
    })
}

fn is_blocking_fs_function(name: &str) -> bool {
    matches!(
        name,
        "read"
            | "read_to_string"
            | "write"
            | "copy"
            | "create_dir"
            | "create_dir_all"
            | "remove_file"
            | "remove_dir"
            | "remove_dir_all"
            | "rename"
            | "metadata"
            | "symlink_metadata"
            | "read_dir"
            | "read_link"
            | "canonicalize"
            | "hard_link"
            | "soft_link"
            | "set_permissions"
            | "exists"
    )
}

/// The txaio call that does what a runtime-specific one does, as a phrase (`` `txaio::sleep` ``).
#[allow(clippy::unnested_or_patterns)] // a row per runtime reads as a table
fn replacement(path: &[&str]) -> Option<&'static str> {
    Some(match path {
        [_, "net", "TcpStream", ..] | ["async_net", "TcpStream", ..] => "`txaio::net::TcpStream`",
        [_, "net", "TcpListener", ..] | ["async_net", "TcpListener", ..] => {
            "`txaio::net::TcpListener`"
        }
        [_, "net", "UdpSocket", ..] | ["async_net", "UdpSocket", ..] => "`txaio::net::UdpSocket`",
        ["tokio" | "async_std" | "smol", "net", ..]
        | ["async_net", ..]
        | ["async_io", "Async", ..] => "`txaio::net` (`TcpStream`, `TcpListener`, `UdpSocket`)",
        ["tokio", "time", "interval" | "interval_at" | "Interval", ..]
        | ["async_std", "stream", "interval"]
        | ["smol" | "async_io", "Timer", "interval" | "interval_at"] => "`txaio::interval`",
        ["tokio", "time", "timeout" | "timeout_at" | "Timeout", ..]
        | ["async_std", "future" | "io", "timeout"] => "`txaio::with_timeout`",
        ["tokio", "time", "sleep" | "sleep_until" | "Sleep", ..]
        | ["async_std", "task", "sleep"]
        | ["smol" | "async_io", "Timer", ..] => "`txaio::sleep`",
        ["tokio", "select"]
        | ["async_std", "future", "race"]
        | ["smol", "future", "race" | "or"] => "`txaio::race` (or `futures::select!`)",
        ["tokio", "spawn"]
        | [
            "tokio",
            "task",
            "spawn" | "spawn_local" | "JoinHandle" | "JoinSet",
            ..,
        ]
        | ["tokio", "runtime", "Handle", ..]
        | [
            "async_std",
            "task",
            "spawn" | "spawn_local" | "JoinHandle",
            ..,
        ]
        | ["smol", "spawn" | "Task" | "Executor", ..] => {
            "`txaio::spawn` (its `Deferred` is the handle)"
        }
        ["tokio", "task", "spawn_blocking" | "block_in_place"]
        | ["async_std", "task", "spawn_blocking"]
        | ["smol", "unblock"] => "`txaio::defer_to_thread`",
        ["tokio", "join" | "try_join"]
        | ["async_std", "future", "join" | "try_join"]
        | ["smol", "future", "zip" | "try_zip"] => "`txaio::gather`",
        ["tokio", "sync", "Mutex" | "RwLock", ..]
        | ["async_std", "sync", "Mutex" | "RwLock", ..]
        | ["smol", "lock", ..] => "`txaio::DeferredLock` (or `futures::lock::Mutex`)",
        ["tokio", "sync", "Semaphore", ..] => "`txaio::DeferredSemaphore`",
        ["tokio", "sync", "mpsc" | "oneshot", ..]
        | ["async_std", "channel", ..]
        | ["smol", "channel", ..] => "`futures::channel` (or `txaio::DeferredQueue`)",
        ["tokio", "io", ..] | ["async_std", "io", ..] | ["smol", "io", ..] => {
            "`futures::io` (`AsyncReadExt`, `AsyncWriteExt`)"
        }
        ["tokio", "fs", ..] | ["async_std", "fs", ..] | ["smol", "fs", ..] => {
            "`txaio::defer_to_thread(move || std::fs::...)`"
        }
        ["tokio_stream", ..] | ["async_std", "stream", ..] | ["smol", "stream", ..] => {
            "`futures::stream` (`StreamExt`)"
        }
        ["tokio", "main"] | ["async_std", "main"] => "`txaio::main`",
        ["tokio", "test"] | ["async_std", "test"] => "`txaio::test`",
        ["tokio", "runtime", ..] => {
            "`txaio::spawn` on the application's runtime (or `txaio::with_config`)"
        }
        _ => return None,
    })
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
