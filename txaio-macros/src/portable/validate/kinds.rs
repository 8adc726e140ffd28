//! What a value is, when the code shows it: `Command::new(..)`, `std::io::stdin()`, a
//! parameter typed `mpsc::Receiver<T>`. A method is refused only on a receiver known this way,
//! so a user type's own `block_on` or `recv` is never refused for its name alone.

/// A value whose methods may block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Command,
    Child,
    Stdin,
    StdinLock,
    Receiver,
    Sender,
    SyncSender,
    JoinHandle,
    ThreadBuilder,
    OpenOptions,
    LocalPool,
    EventualResult,
    Condvar,
    Barrier,
    ParkingLotCondvar,
    CrossbeamReceiver,
    /// A `std::path::Path` or `PathBuf` (its filesystem queries block).
    Path,
    DirBuilder,
    /// A `txaio::Txaio` instance (its `defer_to_thread` is txaio's).
    Txaio,
    /// `mpsc::channel()`'s pair.
    Tuple(Vec<Kind>),
    /// A blocking std socket or file (its type path), made where blocking is allowed (on the
    /// blocking pool) and then used on the event loop.
    BlockingIo(&'static str),
}

/// The kind of what a call of `path` (resolved) returns. `krate` holds txaio's names.
pub(crate) fn constructed_by(path: &[&str], krate: &[String]) -> Option<Kind> {
    let path = path.strip_prefix(&[""]).unwrap_or(path);
    Some(match path {
        ["std", "process", "Command", "new"] => Kind::Command,
        ["std", "io", "stdin"] => Kind::Stdin,
        ["std", "sync", "mpsc", "channel"] => Kind::Tuple(vec![Kind::Sender, Kind::Receiver]),
        ["std", "sync", "mpsc", "sync_channel"] => {
            Kind::Tuple(vec![Kind::SyncSender, Kind::Receiver])
        }
        ["std", "thread", "spawn"] => Kind::JoinHandle,
        ["std", "thread", "Builder", "new"] => Kind::ThreadBuilder,
        ["std", "fs", "OpenOptions", "new"] | ["std", "fs", "File", "options"] => Kind::OpenOptions,
        ["futures" | "futures_executor", .., "LocalPool", "new"] => Kind::LocalPool,
        ["std", "sync", "Condvar", "new" | "default"] => Kind::Condvar,
        ["std", "sync", "Barrier", "new"] => Kind::Barrier,
        ["parking_lot", "Condvar", "new" | "default"] => Kind::ParkingLotCondvar,
        ["crossbeam_channel", "unbounded" | "bounded"]
        | ["crossbeam", "channel", "unbounded" | "bounded"] => {
            Kind::Tuple(vec![Kind::Sender, Kind::CrossbeamReceiver])
        }
        ["std", "path", "Path", "new"] | ["std", "path", "PathBuf", "from" | "new"] => Kind::Path,
        ["std", "fs", "DirBuilder", "new"] => Kind::DirBuilder,
        ["std", "net", "TcpStream", "connect" | "connect_timeout"] => {
            Kind::BlockingIo("std::net::TcpStream")
        }
        ["std", "net", "TcpListener", "bind"] => Kind::BlockingIo("std::net::TcpListener"),
        ["std", "net", "UdpSocket", "bind"] => Kind::BlockingIo("std::net::UdpSocket"),
        ["std", "os", "unix", "net", "UnixStream", "connect"] => {
            Kind::BlockingIo("std::os::unix::net::UnixStream")
        }
        ["std", "os", "unix", "net", "UnixListener", "bind"] => {
            Kind::BlockingIo("std::os::unix::net::UnixListener")
        }
        ["std", "fs", "File", "open" | "create" | "create_new"] => {
            Kind::BlockingIo("std::fs::File")
        }
        [root, "with_config"] if krate.iter().any(|name| name == root) => Kind::Txaio,
        [root, "blocking", "run_in_runtime"] if krate.iter().any(|name| name == root) => {
            Kind::EventualResult
        }
        _ => return None,
    })
}

/// The kind of a value declared with the type `path` (resolved), e.g. a parameter.
pub(crate) fn of_type(path: &[&str], krate: &[String]) -> Option<Kind> {
    let path = path.strip_prefix(&[""]).unwrap_or(path);
    Some(match path {
        ["std", "process", "Command"] => Kind::Command,
        ["std", "process", "Child"] => Kind::Child,
        ["std", "io", "Stdin"] => Kind::Stdin,
        ["std", "io", "StdinLock"] => Kind::StdinLock,
        ["std", "sync", "mpsc", "Receiver"] => Kind::Receiver,
        ["std", "sync", "mpsc", "Sender"] => Kind::Sender,
        ["std", "sync", "mpsc", "SyncSender"] => Kind::SyncSender,
        ["std", "thread", "JoinHandle"] => Kind::JoinHandle,
        ["std", "fs", "OpenOptions"] => Kind::OpenOptions,
        ["futures" | "futures_executor", .., "LocalPool"] => Kind::LocalPool,
        ["std", "sync", "Condvar"] => Kind::Condvar,
        ["std", "sync", "Barrier"] => Kind::Barrier,
        ["parking_lot", "Condvar"] => Kind::ParkingLotCondvar,
        ["crossbeam_channel", "Receiver"] | ["crossbeam", "channel", "Receiver"] => {
            Kind::CrossbeamReceiver
        }
        ["std", "path", "Path" | "PathBuf"] => Kind::Path,
        ["std", "fs", "DirBuilder"] => Kind::DirBuilder,
        [root, "Txaio"] if krate.iter().any(|name| name == root) => Kind::Txaio,
        [root, "blocking", "EventualResult"] if krate.iter().any(|name| name == root) => {
            Kind::EventualResult
        }
        _ => return None,
    })
}

/// What calling `method` on a `kind` gives, for builder chains (`Command::new(..).arg(..)`).
/// `unwrap`/`expect` keep the kind, as a `?` does.
pub(crate) fn after_method(kind: &Kind, method: &str) -> Option<Kind> {
    Some(match (kind, method) {
        (_, "unwrap" | "expect") => kind.clone(),
        (
            Kind::Command,
            "arg" | "args" | "env" | "envs" | "env_remove" | "env_clear" | "current_dir" | "stdin"
            | "stdout" | "stderr" | "uid" | "gid" | "arg0" | "process_group",
        ) => Kind::Command,
        (Kind::Command, "spawn") => Kind::Child,
        (Kind::Stdin, "lock") => Kind::StdinLock,
        (
            Kind::Path,
            "join" | "with_extension" | "with_file_name" | "to_path_buf" | "as_path" | "as_ref"
            | "clone" | "to_owned",
        ) => Kind::Path,
        (Kind::DirBuilder, "recursive" | "mode") => Kind::DirBuilder,
        (Kind::ThreadBuilder, "name" | "stack_size") => Kind::ThreadBuilder,
        (Kind::ThreadBuilder, "spawn") => Kind::JoinHandle,
        (
            Kind::OpenOptions,
            "read" | "write" | "append" | "truncate" | "create" | "create_new" | "mode"
            | "custom_flags",
        ) => Kind::OpenOptions,
        (Kind::OpenOptions, "open") => Kind::BlockingIo("std::fs::File"),
        (Kind::BlockingIo(ty), "try_clone" | "by_ref") => Kind::BlockingIo(ty),
        _ => return None,
    })
}

impl Kind {
    /// The type of a value of this kind, as the table of refused paths names it.
    fn type_path(&self) -> Option<&'static str> {
        Some(match self {
            Kind::Command => "std::process::Command",
            Kind::Child => "std::process::Child",
            Kind::Stdin => "std::io::Stdin",
            Kind::StdinLock => "std::io::StdinLock",
            Kind::Receiver => "std::sync::mpsc::Receiver",
            Kind::Sender => "std::sync::mpsc::Sender",
            Kind::SyncSender => "std::sync::mpsc::SyncSender",
            Kind::JoinHandle => "std::thread::JoinHandle",
            Kind::OpenOptions => "std::fs::OpenOptions",
            Kind::LocalPool => "futures::executor::LocalPool",
            Kind::EventualResult => "txaio::blocking::EventualResult",
            Kind::Condvar => "std::sync::Condvar",
            Kind::Barrier => "std::sync::Barrier",
            Kind::ParkingLotCondvar => "parking_lot::Condvar",
            Kind::CrossbeamReceiver => "crossbeam_channel::Receiver",
            Kind::Path => "std::path::Path",
            Kind::DirBuilder => "std::fs::DirBuilder",
            Kind::ThreadBuilder | Kind::Txaio | Kind::Tuple(_) | Kind::BlockingIo(_) => {
                return None;
            }
        })
    }
}

/// Why calling `method` on a `kind` blocks the event loop, if the table says it does.
pub(crate) fn blocking_method(kind: &Kind, method: &str) -> Option<String> {
    if let Kind::BlockingIo(ty) = kind {
        return blocking_io_method(ty, method);
    }
    let row = super::table::blocking_method(kind.type_path()?, method)?;
    Some(format!("`.{method}()` {}", row.text(row.path)))
}

/// The I/O of a blocking std socket or file: each call waits on the kernel. (Setters such as
/// `set_nonblocking`, and conversions, do not.)
fn blocking_io_method(ty: &str, method: &str) -> Option<String> {
    const IO: &[&str] = &[
        "read",
        "read_exact",
        "read_to_end",
        "read_to_string",
        "read_vectored",
        "read_buf",
        "write",
        "write_all",
        "write_fmt",
        "write_vectored",
        "flush",
        "peek",
        "accept",
        "incoming",
        "recv",
        "recv_from",
        "send",
        "send_to",
        "peek_from",
        "sync_all",
        "sync_data",
        "set_len",
        "metadata",
        "lock",
        "lock_shared",
    ];
    if !IO.contains(&method) {
        return None;
    }
    let instead = if ty == "std::fs::File" {
        "do the file's I/O on the blocking pool too (inside the `defer_to_thread` closure)"
    } else {
        "use the socket of `txaio::net` instead, or do its I/O on the blocking pool too"
    };
    Some(format!(
        "`.{method}()` on a blocking `{ty}` blocks the event loop (the value was made on the \
         blocking pool, but it is used here); {instead}"
    ))
}

#[cfg(test)]
mod tests {
    use super::{Kind, after_method, blocking_method, constructed_by};

    #[test]
    fn builder_chains_keep_their_kind() {
        let command = constructed_by(&["std", "process", "Command", "new"], &[]).unwrap();
        let command = after_method(&command, "arg").unwrap();
        assert!(blocking_method(&command, "output").is_some());
        assert_eq!(after_method(&command, "spawn"), Some(Kind::Child));
        assert!(blocking_method(&Kind::Child, "wait").is_some());
        assert!(blocking_method(&Kind::Child, "id").is_none());
        assert!(blocking_method(&Kind::Txaio, "block_on").is_none());
    }
}
