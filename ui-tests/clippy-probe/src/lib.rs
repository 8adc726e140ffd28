//! Every line marked with a `caught:` comment must get a clippy `disallowed_*` warning whose
//! message holds the comment's text when clippy runs with `clippy/portable.toml`. The attribute
//! accepts all of it: the imports are at the top of the file, where it cannot see them, and
//! the blocking methods are called on values whose type it cannot see.

#![allow(dead_code, deprecated, clippy::unused_async)]

use std::fs;
use std::net::{TcpStream, ToSocketAddrs}; // caught: txaio::net::TcpStream
use std::process::Command;
use std::sync::mpsc::Receiver;
use std::thread::{self, sleep};
use std::time::Duration;

use futures::executor::block_on;
use tokio::runtime::Handle; // caught: txaio::spawn
use tokio::select;
use tokio::fs as tokio_fs;
use tokio::io::AsyncReadExt; // caught: futures::io
use tokio::process::Command as TokioCommand; // caught: ties this function to tokio
use tokio::signal;
use tokio::time::{interval, sleep as tokio_sleep, timeout};

fn command() -> Command {
    Command::new("true")
}

#[txaio::portable]
pub async fn imported_at_the_top(path: String) -> std::io::Result<usize> {
    sleep(Duration::from_millis(1)); // caught: txaio::sleep
    let text = fs::read_to_string(&path)?; // caught: txaio::defer_to_thread
    tokio_sleep(Duration::from_millis(1)).await; // caught: txaio::sleep
    let _ = timeout(Duration::from_millis(1), async {}).await; // caught: txaio::with_timeout
    let _ticks = interval(Duration::from_millis(1)); // caught: txaio::interval
    let _handle = Handle::current(); // caught: txaio::spawn
    let _none: Option<TcpStream> = None; // caught: txaio::net::TcpStream
    block_on(async {}); // caught: `.await` the future
    Ok(text.len())
}

/// A runtime's modules imported at the top of the file: the macro sees only `tokio_fs::..`,
/// a path it cannot resolve; clippy resolves it.
#[txaio::portable]
pub async fn runtime_modules(path: String) -> std::io::Result<usize> {
    let text = tokio_fs::read_to_string(&path).await?; // caught: std::fs::...
    let mut file = tokio_fs::File::open(&path).await?; // caught: std::fs::...
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).await?;
    let _child = TokioCommand::new("true"); // caught: std::process::Command
    signal::ctrl_c().await?; // caught: ties this function to tokio
    Ok(text.len() + bytes.len())
}

/// Blocking calls the fragment missed when it was kept by hand.
pub fn missed_before() -> std::io::Result<()> {
    std::thread::park_timeout_ms(1); // caught: parking its thread
    std::fs::soft_link("a", "b") // caught: txaio::defer_to_thread
}

#[txaio::portable]
pub async fn methods_on_values(receiver: Receiver<u8>, host: String) -> std::io::Result<usize> {
    let output = command().output()?; // caught: txaio::defer_to_thread
    let first = receiver.recv().unwrap_or(0); // caught: futures::channel::mpsc
    let worker = thread::spawn(|| 1);
    let joined = worker.join().unwrap_or(0); // caught: txaio::defer_to_thread
    let addresses = (host.as_str(), 80).to_socket_addrs()?.count(); // caught: resolving names
    let stdin = std::io::stdin();
    let mut line = String::new();
    let read = read_from(&stdin, &mut line)?;
    Ok(output.stdout.len() + usize::from(first) + joined + addresses + read)
}

fn read_from(stdin: &std::io::Stdin, line: &mut String) -> std::io::Result<usize> {
    stdin.read_line(line) // caught: txaio::defer_to_thread
}

#[txaio::portable]
pub async fn macros(a: txaio::Deferred<u8>) -> u8 {
    select! { // caught: txaio::race
        Ok(value) = a => value,
        else => 0,
    }
}
