//! The one table of what portable code may not name: calls that block the event loop, and
//! paths of crates that tie code to one runtime, each with what to use instead.
//!
//! `#[txaio::portable]` refuses by it (see [`super::paths`] and [`super::kinds`]), and the
//! shipped clippy fragment `clippy/portable.toml` is generated from it (the test at the end
//! of this file fails when the committed fragment differs; `TXAIO_BLESS=1` rewrites it).

/// What a row's path names, which says how it matches and which clippy table it goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Item {
    /// A free function, matched by its exact path (`disallowed-methods`).
    Function,
    /// An inherent method, or a method by its trait's path: matched by its exact path, and on
    /// a receiver the macro sees is of the type (`disallowed-methods`).
    Method,
    /// A method a type has from a trait (`Read::read` on `Stdin`): matched on a receiver the
    /// macro sees is of the type. Clippy cannot name it for one type only: not in the fragment.
    TraitMethod,
    /// A type or trait, matched with everything under it (`disallowed-types`, which also
    /// catches its `use`).
    Type,
    /// A macro, matched by its exact path (`disallowed-macros`).
    Macro,
    /// A module, matched with everything under it. Clippy cannot name a module: the items it
    /// catches are rows of their own.
    Module,
}

/// Why a row's path is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cause {
    /// It blocks the event loop: what the message says after the path, where `{path}` is the
    /// path.
    Blocks(&'static str),
    /// It ties the code to one runtime: the txaio call (or runtime-neutral crate) to use
    /// instead, when there is one.
    Runtime(Option<&'static str>),
}

/// One refused path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    /// `::`-separated, without a leading `::`.
    pub(crate) path: &'static str,
    pub(crate) item: Item,
    pub(crate) cause: Cause,
}

impl Row {
    /// The path's segments.
    pub(crate) fn segments(&self) -> impl Iterator<Item = &'static str> + use<> {
        self.path.split("::")
    }

    /// What the message says after the path, with `{path}` replaced by `path` and `{method}`
    /// by its last segment.
    pub(crate) fn text(&self, path: &str) -> String {
        match self.cause {
            Cause::Blocks(text) => text
                .replace("{path}", path)
                .replace("{method}", path.rsplit("::").next().unwrap_or(path)),
            Cause::Runtime(instead) => {
                let root = self.path.split("::").next().unwrap_or_default();
                let display = root.replace('_', "-");
                match instead {
                    Some(instead) => {
                        format!("ties this function to {display}; use {instead} instead")
                    }
                    None => format!(
                        "ties this function to {display}; portable code uses `txaio` (or \
                         runtime-neutral crates such as `futures`) instead"
                    ),
                }
            }
        }
    }
}

const fn blocks(path: &'static str, item: Item, text: &'static str) -> Row {
    Row {
        path,
        item,
        cause: Cause::Blocks(text),
    }
}

const fn runtime(path: &'static str, item: Item, instead: Option<&'static str>) -> Row {
    Row {
        path,
        item,
        cause: Cause::Runtime(instead),
    }
}

use Item::{Function, Macro, Method, Module, TraitMethod, Type};

const SLEEP: &str = "blocks the event loop; use `txaio::sleep(duration).await` instead";
const PARK: &str = "blocks the event loop by parking its thread; `.await` a deferred instead";
const SCOPE: &str = "blocks the event loop until every scoped thread ends; run the work with \
                     `txaio::defer_to_thread` and `.await` it";
const JOIN: &str = "blocks the event loop until the thread ends; run the work with \
                    `txaio::defer_to_thread` and `.await` its deferred";
const FS: &str = "blocks the event loop; run it on the blocking pool: `txaio::defer_to_thread(move || {path}(..))`";
const OPEN: &str = "blocks the event loop opening a file; run it on the blocking pool: \
                    `txaio::defer_to_thread(move || options.open(path))`";
const STAT: &str = "blocks the event loop on a filesystem call; run it on the blocking pool: \
                    `txaio::defer_to_thread(move || path.{method}())`";
const DIR_BUILDER: &str = "blocks the event loop creating a directory; run it on the blocking \
                           pool: `txaio::defer_to_thread(move || builder.create(path))`";
const READ_ALL: &str = "blocks the event loop reading until the end (of stdin, a file, a \
                        socket); read on the blocking pool with `txaio::defer_to_thread`, or an \
                        async reader with `futures::io::AsyncReadExt::read_to_string`";
const CONDVAR: &str = "blocks the event loop waiting on a condition variable; wait on an async \
                       primitive instead (`txaio::DeferredQueue`, `futures::channel::oneshot`) \
                       and `.await` it";
const BARRIER: &str = "blocks the event loop until every party arrives; wait on an async \
                       primitive instead (`txaio::gather` of the parties' deferreds)";
const PARALLEL: &str = "blocks the event loop until the parallel work ends; run it with \
                        `txaio::defer_to_thread` and `.await` it";
const TCP_STREAM: &str = "is a blocking socket; use `txaio::net::TcpStream` instead";
const TCP_LISTENER: &str = "is a blocking socket; use `txaio::net::TcpListener` instead";
const UDP_SOCKET: &str = "is a blocking socket; use `txaio::net::UdpSocket` instead";
const UNIX_SOCKET: &str = "is a blocking socket, which blocks the event loop; use \
                           `txaio::net::UnixListener` / `txaio::net::UnixStream` instead";
const DNS: &str = "blocks the event loop resolving names (DNS); use \
                   `txaio::net::lookup_host(addr).await`, or pass the `\"host:port\"` to \
                   `txaio::net::TcpStream::connect`, which resolves off the event loop";
const OUTPUT: &str = "blocks the event loop until the child process exits; run it on the \
                      blocking pool: `txaio::defer_to_thread(move || command.output())`";
const STATUS: &str = "blocks the event loop until the child process exits; run it on the \
                      blocking pool: `txaio::defer_to_thread(move || command.status())`";
const WAIT: &str = "blocks the event loop until the child process exits; run it on the \
                    blocking pool: `txaio::defer_to_thread(move || child.wait())`";
const WAIT_OUTPUT: &str = "blocks the event loop until the child process exits; run it on the \
                           blocking pool: `txaio::defer_to_thread(move || child.wait_with_output())`";
const STDIN: &str = "blocks the event loop waiting for input; read stdin on the blocking pool \
                     with `txaio::defer_to_thread`";
const CHANNEL: &str = "blocks the event loop waiting on a blocking channel; use an async channel \
                       (`futures::channel::mpsc`) and `.await` it";
const BLOCK_ON: &str = "blocks the event loop (and deadlocks it when called on a runtime \
                        thread); `.await` the future instead";
const BLOCK_ON_STREAM: &str = "blocks the event loop on each item; `.await` the stream's items \
                               (`futures::StreamExt::next`) instead";
const LOCAL_POOL: &str = "blocks the event loop running another executor on this thread; \
                          `.await` the future instead";
const WAIT_HERE: &str =
    "waits on this thread, which is the event loop's; `.await` the deferred instead";

const NET: Option<&str> = Some("`txaio::net` (`TcpStream`, `TcpListener`, `UdpSocket`)");
const TXAIO_TCP_STREAM: Option<&str> = Some("`txaio::net::TcpStream`");
const TXAIO_TCP_LISTENER: Option<&str> = Some("`txaio::net::TcpListener`");
const TXAIO_UDP_SOCKET: Option<&str> = Some("`txaio::net::UdpSocket`");
const TXAIO_SLEEP: Option<&str> = Some("`txaio::sleep`");
const TXAIO_INTERVAL: Option<&str> = Some("`txaio::interval`");
const TXAIO_TIMEOUT: Option<&str> = Some("`txaio::with_timeout`");
const TXAIO_RACE: Option<&str> = Some("`txaio::race` (or `futures::select!`)");
const TXAIO_SPAWN: Option<&str> = Some("`txaio::spawn` (its `Deferred` is the handle)");
const TXAIO_DEFER: Option<&str> = Some("`txaio::defer_to_thread`");
const TXAIO_GATHER: Option<&str> = Some("`txaio::gather`");
const TXAIO_LOCK: Option<&str> = Some("`txaio::DeferredLock` (or `futures::lock::Mutex`)");
const TXAIO_SEMAPHORE: Option<&str> = Some("`txaio::DeferredSemaphore`");
const CHANNELS: Option<&str> = Some("`futures::channel` (or `txaio::DeferredQueue`)");
const IO: Option<&str> = Some("`futures::io` (`AsyncReadExt`, `AsyncWriteExt`)");
const FILES: Option<&str> = Some("`txaio::defer_to_thread(move || std::fs::...)`");
const PROCESSES: Option<&str> =
    Some("`txaio::defer_to_thread(move || std::process::Command::new(..).output())`");
const STREAMS: Option<&str> = Some("`futures::stream` (`StreamExt`)");
const MAIN: Option<&str> = Some("`txaio::main`");
const TEST: Option<&str> = Some("`txaio::test`");
const RUNTIMES: Option<&str> =
    Some("`txaio::spawn` on the application's runtime (or `txaio::with_config`)");

/// Every refused path. A path is refused for the row that matches the most of its segments,
/// blocking rows first (they do not apply inside a closure given to `defer_to_thread`).
#[rustfmt::skip]
pub(crate) const TABLE: &[Row] = &[
    // Threads.
    blocks("std::thread::sleep", Function, SLEEP),
    blocks("std::thread::sleep_ms", Function, SLEEP),
    blocks("std::thread::park", Function, PARK),
    blocks("std::thread::park_timeout", Function, PARK),
    blocks("std::thread::park_timeout_ms", Function, PARK),
    blocks("std::thread::scope", Function, SCOPE),
    blocks("std::thread::JoinHandle::join", Method, JOIN),
    blocks("std::thread::ScopedJoinHandle::join", Method, JOIN),
    // Files.
    blocks("std::fs::read", Function, FS),
    blocks("std::fs::read_to_string", Function, FS),
    blocks("std::fs::write", Function, FS),
    blocks("std::fs::copy", Function, FS),
    blocks("std::fs::create_dir", Function, FS),
    blocks("std::fs::create_dir_all", Function, FS),
    blocks("std::fs::remove_file", Function, FS),
    blocks("std::fs::remove_dir", Function, FS),
    blocks("std::fs::remove_dir_all", Function, FS),
    blocks("std::fs::rename", Function, FS),
    blocks("std::fs::metadata", Function, FS),
    blocks("std::fs::symlink_metadata", Function, FS),
    blocks("std::fs::read_dir", Function, FS),
    blocks("std::fs::read_link", Function, FS),
    blocks("std::fs::canonicalize", Function, FS),
    blocks("std::fs::hard_link", Function, FS),
    blocks("std::fs::soft_link", Function, FS),
    blocks("std::fs::set_permissions", Function, FS),
    blocks("std::fs::exists", Function, FS),
    blocks("std::fs::File::open", Method, FS),
    blocks("std::fs::File::create", Method, FS),
    blocks("std::fs::File::create_new", Method, FS),
    blocks("std::fs::OpenOptions::open", Method, OPEN),
    blocks("std::fs::DirBuilder::create", Method, DIR_BUILDER),
    blocks("std::os::unix::fs::symlink", Function, FS),
    blocks("std::path::Path::exists", Method, STAT),
    blocks("std::path::Path::try_exists", Method, STAT),
    blocks("std::path::Path::is_file", Method, STAT),
    blocks("std::path::Path::is_dir", Method, STAT),
    blocks("std::path::Path::is_symlink", Method, STAT),
    blocks("std::path::Path::metadata", Method, STAT),
    blocks("std::path::Path::symlink_metadata", Method, STAT),
    blocks("std::path::Path::canonicalize", Method, STAT),
    blocks("std::path::Path::read_dir", Method, STAT),
    blocks("std::path::Path::read_link", Method, STAT),
    // Sockets and names.
    blocks("std::net::TcpStream", Type, TCP_STREAM),
    blocks("std::net::TcpStream::connect", Method, TCP_STREAM),
    blocks("std::net::TcpStream::connect_timeout", Method, TCP_STREAM),
    blocks("std::net::TcpListener", Type, TCP_LISTENER),
    blocks("std::net::TcpListener::bind", Method, TCP_LISTENER),
    blocks("std::net::UdpSocket", Type, UDP_SOCKET),
    blocks("std::net::UdpSocket::bind", Method, UDP_SOCKET),
    blocks("std::net::ToSocketAddrs::to_socket_addrs", Method, DNS),
    blocks("std::os::unix::net", Module, UNIX_SOCKET),
    blocks("std::os::unix::net::UnixStream", Type, UNIX_SOCKET),
    blocks("std::os::unix::net::UnixListener", Type, UNIX_SOCKET),
    blocks("std::os::unix::net::UnixDatagram", Type, UNIX_SOCKET),
    // Child processes.
    blocks("std::process::Command::output", Method, OUTPUT),
    blocks("std::process::Command::status", Method, STATUS),
    blocks("std::process::Child::wait", Method, WAIT),
    blocks("std::process::Child::wait_with_output", Method, WAIT_OUTPUT),
    // Standard input.
    blocks("std::io::Stdin::read_line", Method, STDIN),
    blocks("std::io::Stdin::lines", Method, STDIN),
    blocks("std::io::Stdin::read_to_string", TraitMethod, STDIN),
    blocks("std::io::Stdin::read_to_end", TraitMethod, STDIN),
    blocks("std::io::Stdin::read", TraitMethod, STDIN),
    blocks("std::io::Stdin::read_exact", TraitMethod, STDIN),
    blocks("std::io::Stdin::bytes", TraitMethod, STDIN),
    blocks("std::io::StdinLock::read_line", TraitMethod, STDIN),
    blocks("std::io::StdinLock::lines", TraitMethod, STDIN),
    blocks("std::io::StdinLock::read_to_string", TraitMethod, STDIN),
    blocks("std::io::StdinLock::read_to_end", TraitMethod, STDIN),
    blocks("std::io::StdinLock::read", TraitMethod, STDIN),
    blocks("std::io::StdinLock::read_exact", TraitMethod, STDIN),
    blocks("std::io::StdinLock::bytes", TraitMethod, STDIN),
    blocks("std::io::StdinLock::read_until", TraitMethod, STDIN),
    blocks("std::io::StdinLock::split", TraitMethod, STDIN),
    blocks("std::io::read_to_string", Function, READ_ALL),
    // Blocking channels.
    blocks("std::sync::mpsc::Receiver::recv", Method, CHANNEL),
    blocks("std::sync::mpsc::Receiver::recv_timeout", Method, CHANNEL),
    blocks("std::sync::mpsc::Receiver::iter", Method, CHANNEL),
    blocks("std::sync::mpsc::Receiver::into_iter", TraitMethod, CHANNEL),
    blocks("std::sync::mpsc::SyncSender::send", Method, CHANNEL),
    blocks("crossbeam_channel::Receiver::recv", Method, CHANNEL),
    blocks("crossbeam_channel::Receiver::recv_timeout", Method, CHANNEL),
    blocks("crossbeam_channel::Receiver::iter", Method, CHANNEL),
    blocks("crossbeam::channel::Receiver::recv", Method, CHANNEL),
    blocks("crossbeam::channel::Receiver::recv_timeout", Method, CHANNEL),
    blocks("crossbeam::channel::Receiver::iter", Method, CHANNEL),
    // Condition variables and barriers.
    blocks("std::sync::Condvar::wait", Method, CONDVAR),
    blocks("std::sync::Condvar::wait_while", Method, CONDVAR),
    blocks("std::sync::Condvar::wait_timeout", Method, CONDVAR),
    blocks("std::sync::Condvar::wait_timeout_ms", Method, CONDVAR),
    blocks("std::sync::Condvar::wait_timeout_while", Method, CONDVAR),
    blocks("std::sync::Barrier::wait", Method, BARRIER),
    blocks("parking_lot::Condvar::wait", Method, CONDVAR),
    blocks("parking_lot::Condvar::wait_for", Method, CONDVAR),
    blocks("parking_lot::Condvar::wait_until", Method, CONDVAR),
    blocks("parking_lot::Condvar::wait_while", Method, CONDVAR),
    blocks("parking_lot::Condvar::wait_while_for", Method, CONDVAR),
    blocks("parking_lot::Condvar::wait_while_until", Method, CONDVAR),
    // Parallel work, on this thread's behalf.
    blocks("rayon::join", Function, PARALLEL),
    blocks("rayon::join_context", Function, PARALLEL),
    blocks("rayon::scope", Function, PARALLEL),
    blocks("rayon::scope_fifo", Function, PARALLEL),
    blocks("rayon::in_place_scope", Function, PARALLEL),
    blocks("rayon::broadcast", Function, PARALLEL),
    blocks("rayon::iter::IntoParallelIterator::into_par_iter", Method, PARALLEL),
    blocks("rayon::iter::IntoParallelRefIterator::par_iter", Method, PARALLEL),
    blocks("rayon::iter::IntoParallelRefMutIterator::par_iter_mut", Method, PARALLEL),
    blocks("rayon::iter::ParallelBridge::par_bridge", Method, PARALLEL),
    // Other executors, on this thread.
    blocks("futures::executor::block_on", Function, BLOCK_ON),
    blocks("futures::executor::block_on_stream", Function, BLOCK_ON_STREAM),
    blocks("futures::executor::LocalPool::run", Method, LOCAL_POOL),
    blocks("futures::executor::LocalPool::run_until", Method, LOCAL_POOL),
    blocks("futures_executor::block_on", Function, BLOCK_ON),
    blocks("futures_executor::block_on_stream", Function, BLOCK_ON_STREAM),
    blocks("futures_executor::LocalPool::run", Method, LOCAL_POOL),
    blocks("futures_executor::LocalPool::run_until", Method, LOCAL_POOL),
    blocks("futures_lite::future::block_on", Function, BLOCK_ON),
    blocks("pollster::block_on", Function, BLOCK_ON),
    blocks("pollster::FutureExt::block_on", Method, BLOCK_ON),
    blocks("smol::block_on", Function, BLOCK_ON),
    blocks("smol::future::block_on", Function, BLOCK_ON),
    blocks("async_io::block_on", Function, BLOCK_ON),
    blocks("async_std::task::block_on", Function, BLOCK_ON),
    blocks("tokio::runtime::Runtime::block_on", Method, BLOCK_ON),
    blocks("tokio::runtime::Handle::block_on", Method, BLOCK_ON),
    // txaio's own bridge for threads outside the runtime.
    blocks("txaio::blocking::wait_for", Function, WAIT_HERE),
    blocks("txaio::blocking::EventualResult::wait", Method, WAIT_HERE),

    // The runtime crates: anything under them, and what to use instead of the common parts.
    runtime("tokio", Module, None),
    runtime("tokio_util", Module, None),
    runtime("tokio_stream", Module, STREAMS),
    runtime("async_std", Module, None),
    runtime("smol", Module, None),
    runtime("async_io", Module, None),
    runtime("async_net", Module, NET),
    // Sockets.
    runtime("tokio::net", Module, NET),
    runtime("tokio::net::TcpStream", Type, TXAIO_TCP_STREAM),
    runtime("tokio::net::TcpStream::connect", Method, TXAIO_TCP_STREAM),
    runtime("tokio::net::TcpListener", Type, TXAIO_TCP_LISTENER),
    runtime("tokio::net::TcpListener::bind", Method, TXAIO_TCP_LISTENER),
    runtime("tokio::net::UdpSocket", Type, TXAIO_UDP_SOCKET),
    runtime("tokio::net::UdpSocket::bind", Method, TXAIO_UDP_SOCKET),
    runtime("async_std::net", Module, NET),
    runtime("async_std::net::TcpStream", Type, TXAIO_TCP_STREAM),
    runtime("async_std::net::TcpStream::connect", Method, TXAIO_TCP_STREAM),
    runtime("async_std::net::TcpListener", Type, TXAIO_TCP_LISTENER),
    runtime("async_std::net::TcpListener::bind", Method, TXAIO_TCP_LISTENER),
    runtime("async_std::net::UdpSocket", Type, TXAIO_UDP_SOCKET),
    runtime("async_std::net::UdpSocket::bind", Method, TXAIO_UDP_SOCKET),
    runtime("smol::net", Module, NET),
    runtime("smol::net::TcpStream", Type, TXAIO_TCP_STREAM),
    runtime("smol::net::TcpListener", Type, TXAIO_TCP_LISTENER),
    runtime("smol::net::UdpSocket", Type, TXAIO_UDP_SOCKET),
    runtime("async_net::TcpStream", Type, TXAIO_TCP_STREAM),
    runtime("async_net::TcpStream::connect", Method, TXAIO_TCP_STREAM),
    runtime("async_net::TcpListener", Type, TXAIO_TCP_LISTENER),
    runtime("async_net::TcpListener::bind", Method, TXAIO_TCP_LISTENER),
    runtime("async_net::UdpSocket", Type, TXAIO_UDP_SOCKET),
    runtime("async_net::UdpSocket::bind", Method, TXAIO_UDP_SOCKET),
    runtime("async_io::Async", Type, NET),
    // Timers.
    runtime("tokio::time::sleep", Function, TXAIO_SLEEP),
    runtime("tokio::time::sleep_until", Function, TXAIO_SLEEP),
    runtime("tokio::time::Sleep", Type, TXAIO_SLEEP),
    runtime("tokio::time::interval", Function, TXAIO_INTERVAL),
    runtime("tokio::time::interval_at", Function, TXAIO_INTERVAL),
    runtime("tokio::time::Interval", Type, TXAIO_INTERVAL),
    runtime("tokio::time::timeout", Function, TXAIO_TIMEOUT),
    runtime("tokio::time::timeout_at", Function, TXAIO_TIMEOUT),
    runtime("tokio::time::Timeout", Type, TXAIO_TIMEOUT),
    runtime("async_std::task::sleep", Function, TXAIO_SLEEP),
    runtime("async_std::stream::interval", Function, TXAIO_INTERVAL),
    runtime("async_std::future::timeout", Function, TXAIO_TIMEOUT),
    runtime("async_std::io::timeout", Function, TXAIO_TIMEOUT),
    runtime("smol::Timer", Type, TXAIO_SLEEP),
    runtime("smol::Timer::after", Method, TXAIO_SLEEP),
    runtime("smol::Timer::interval", Method, TXAIO_INTERVAL),
    runtime("smol::Timer::interval_at", Method, TXAIO_INTERVAL),
    runtime("async_io::Timer", Type, TXAIO_SLEEP),
    runtime("async_io::Timer::after", Method, TXAIO_SLEEP),
    runtime("async_io::Timer::interval", Method, TXAIO_INTERVAL),
    runtime("async_io::Timer::interval_at", Method, TXAIO_INTERVAL),
    // Racing and joining.
    runtime("tokio::select", Macro, TXAIO_RACE),
    runtime("tokio::join", Macro, TXAIO_GATHER),
    runtime("tokio::try_join", Macro, TXAIO_GATHER),
    runtime("async_std::future::race", Function, TXAIO_RACE),
    runtime("async_std::future::join", Function, TXAIO_GATHER),
    runtime("async_std::future::try_join", Function, TXAIO_GATHER),
    runtime("smol::future::race", Function, TXAIO_RACE),
    runtime("smol::future::or", Function, TXAIO_RACE),
    runtime("smol::future::zip", Function, TXAIO_GATHER),
    runtime("smol::future::try_zip", Function, TXAIO_GATHER),
    // Tasks.
    runtime("tokio::spawn", Function, TXAIO_SPAWN),
    runtime("tokio::task::spawn", Function, TXAIO_SPAWN),
    runtime("tokio::task::spawn_local", Function, TXAIO_SPAWN),
    runtime("tokio::task::JoinHandle", Type, TXAIO_SPAWN),
    runtime("tokio::task::JoinSet", Type, TXAIO_SPAWN),
    runtime("tokio::task::spawn_blocking", Function, TXAIO_DEFER),
    runtime("tokio::task::block_in_place", Function, TXAIO_DEFER),
    runtime("tokio::runtime", Module, RUNTIMES),
    runtime("tokio::runtime::Runtime", Type, RUNTIMES),
    runtime("tokio::runtime::Handle", Type, TXAIO_SPAWN),
    runtime("tokio::runtime::Handle::current", Method, TXAIO_SPAWN),
    runtime("async_std::task::spawn", Function, TXAIO_SPAWN),
    runtime("async_std::task::spawn_local", Function, TXAIO_SPAWN),
    runtime("async_std::task::JoinHandle", Type, TXAIO_SPAWN),
    runtime("async_std::task::spawn_blocking", Function, TXAIO_DEFER),
    runtime("smol::spawn", Function, TXAIO_SPAWN),
    runtime("smol::Task", Type, TXAIO_SPAWN),
    runtime("smol::Executor", Type, TXAIO_SPAWN),
    runtime("smol::unblock", Function, TXAIO_DEFER),
    runtime("tokio::main", Macro, MAIN),
    runtime("tokio::test", Macro, TEST),
    runtime("async_std::main", Macro, MAIN),
    runtime("async_std::test", Macro, TEST),
    // Locks and channels. smol's are re-exports of runtime-neutral crates (`async-lock`,
    // `async-channel`), which clippy would refuse under their own names too: macro only.
    runtime("tokio::sync::Mutex", Type, TXAIO_LOCK),
    runtime("tokio::sync::RwLock", Type, TXAIO_LOCK),
    runtime("tokio::sync::Semaphore", Type, TXAIO_SEMAPHORE),
    runtime("tokio::sync::mpsc", Module, CHANNELS),
    runtime("tokio::sync::mpsc::channel", Function, CHANNELS),
    runtime("tokio::sync::mpsc::unbounded_channel", Function, CHANNELS),
    runtime("tokio::sync::mpsc::Sender", Type, CHANNELS),
    runtime("tokio::sync::mpsc::Receiver", Type, CHANNELS),
    runtime("tokio::sync::mpsc::UnboundedSender", Type, CHANNELS),
    runtime("tokio::sync::mpsc::UnboundedReceiver", Type, CHANNELS),
    runtime("tokio::sync::oneshot", Module, CHANNELS),
    runtime("tokio::sync::oneshot::channel", Function, CHANNELS),
    runtime("tokio::sync::oneshot::Sender", Type, CHANNELS),
    runtime("tokio::sync::oneshot::Receiver", Type, CHANNELS),
    runtime("async_std::sync::Mutex", Type, TXAIO_LOCK),
    runtime("async_std::sync::RwLock", Type, TXAIO_LOCK),
    runtime("async_std::channel", Module, CHANNELS),
    runtime("smol::lock", Module, TXAIO_LOCK),
    runtime("smol::channel", Module, CHANNELS),
    // I/O: the module, and the items clippy catches it by.
    runtime("tokio::io", Module, IO),
    runtime("tokio::io::AsyncRead", Type, IO),
    runtime("tokio::io::AsyncWrite", Type, IO),
    runtime("tokio::io::AsyncBufRead", Type, IO),
    runtime("tokio::io::AsyncReadExt", Type, IO),
    runtime("tokio::io::AsyncWriteExt", Type, IO),
    runtime("tokio::io::AsyncBufReadExt", Type, IO),
    runtime("tokio::io::BufReader", Type, IO),
    runtime("tokio::io::BufWriter", Type, IO),
    runtime("tokio::io::stdin", Function, IO),
    runtime("tokio::io::stdout", Function, IO),
    runtime("tokio::io::stderr", Function, IO),
    runtime("tokio::io::copy", Function, IO),
    runtime("tokio::io::split", Function, IO),
    runtime("tokio::io::duplex", Function, IO),
    runtime("async_std::io", Module, IO),
    runtime("async_std::io::ReadExt", Type, IO),
    runtime("async_std::io::WriteExt", Type, IO),
    runtime("async_std::io::stdin", Function, IO),
    runtime("smol::io", Module, IO),
    // Files.
    runtime("tokio::fs", Module, FILES),
    runtime("tokio::fs::read", Function, FILES),
    runtime("tokio::fs::read_to_string", Function, FILES),
    runtime("tokio::fs::write", Function, FILES),
    runtime("tokio::fs::copy", Function, FILES),
    runtime("tokio::fs::create_dir", Function, FILES),
    runtime("tokio::fs::create_dir_all", Function, FILES),
    runtime("tokio::fs::remove_file", Function, FILES),
    runtime("tokio::fs::remove_dir", Function, FILES),
    runtime("tokio::fs::remove_dir_all", Function, FILES),
    runtime("tokio::fs::rename", Function, FILES),
    runtime("tokio::fs::metadata", Function, FILES),
    runtime("tokio::fs::symlink_metadata", Function, FILES),
    runtime("tokio::fs::read_dir", Function, FILES),
    runtime("tokio::fs::read_link", Function, FILES),
    runtime("tokio::fs::canonicalize", Function, FILES),
    runtime("tokio::fs::hard_link", Function, FILES),
    runtime("tokio::fs::symlink", Function, FILES),
    runtime("tokio::fs::set_permissions", Function, FILES),
    runtime("tokio::fs::try_exists", Function, FILES),
    runtime("tokio::fs::File", Type, FILES),
    runtime("tokio::fs::OpenOptions", Type, FILES),
    runtime("tokio::fs::DirBuilder", Type, FILES),
    runtime("async_std::fs", Module, FILES),
    runtime("async_std::fs::read", Function, FILES),
    runtime("async_std::fs::read_to_string", Function, FILES),
    runtime("async_std::fs::write", Function, FILES),
    runtime("async_std::fs::File", Type, FILES),
    runtime("async_std::fs::OpenOptions", Type, FILES),
    runtime("smol::fs", Module, FILES),
    // Child processes and signals.
    runtime("tokio::process", Module, PROCESSES),
    runtime("tokio::process::Command", Type, PROCESSES),
    runtime("tokio::process::Child", Type, PROCESSES),
    runtime("tokio::signal", Module, None),
    runtime("tokio::signal::ctrl_c", Function, None),
    runtime("tokio::signal::unix::signal", Function, None),
    runtime("tokio::signal::unix::SignalKind", Type, None),
    // Streams.
    runtime("async_std::stream", Module, STREAMS),
    runtime("smol::stream", Module, STREAMS),
];

/// Traits whose blocking methods (rows `Trait::method`) are refused on any receiver when the
/// trait is visible: imported (also `as _` or by a glob), or a bound of the function.
pub(crate) const TRAITS: &[&str] = &[
    "std::net::ToSocketAddrs",
    "pollster::FutureExt",
    "rayon::iter::IntoParallelIterator",
    "rayon::iter::IntoParallelRefIterator",
    "rayon::iter::IntoParallelRefMutIterator",
    "rayon::iter::ParallelBridge",
];

/// Modules that re-export a trait of [`TRAITS`] from its own module: (re-exporter, module).
pub(crate) const RE_EXPORTS: &[(&str, &str)] = &[("rayon::prelude", "rayon::iter")];

/// The row that refuses `path` (resolved, without a leading `::`), if one does: the one
/// matching the most segments, blocking rows first unless `blocking` is false (inside a
/// closure given to `defer_to_thread`).
pub(crate) fn find(path: &[&str], blocking: bool) -> Option<&'static Row> {
    let best = |want_blocking: bool| {
        TABLE
            .iter()
            .filter(|row| matches!(row.cause, Cause::Blocks(_)) == want_blocking)
            .filter(|row| matches_path(row, path))
            .max_by_key(|row| row.segments().count())
    };
    blocking
        .then(|| best(true))
        .flatten()
        .or_else(|| best(false))
}

/// The blocking row of a method called on a receiver of the type `ty`, if one says it blocks.
pub(crate) fn blocking_method(ty: &str, method: &str) -> Option<&'static Row> {
    TABLE.iter().find(|row| {
        matches!(row.cause, Cause::Blocks(_))
            && matches!(row.item, Method | TraitMethod)
            && row
                .path
                .strip_prefix(ty)
                .and_then(|rest| rest.strip_prefix("::"))
                == Some(method)
    })
}

fn matches_path(row: &Row, path: &[&str]) -> bool {
    let mut segments = row.segments();
    let mut count = 0;
    for expected in segments.by_ref() {
        if path.get(count) != Some(&expected) {
            return false;
        }
        count += 1;
    }
    match row.item {
        Type | Module => true,
        Function | Method | TraitMethod | Macro => count == path.len(),
    }
}

/// Whether `root` (a path's first segment) is a runtime-specific crate.
pub(crate) fn is_runtime_crate(root: &str) -> bool {
    TABLE
        .iter()
        .any(|row| matches!(row.cause, Cause::Runtime(_)) && row.path == root)
}

#[cfg(test)]
mod tests;
