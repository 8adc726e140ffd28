//! A WAMP v2 Basic Profile client, written once on txaio: the same code runs on tokio, smol
//! and async-std, against Crossbar.io or any WAMP router.
//!
//! ```text
//! cargo run -p txaio-examples --example wamp_client -- --router ws://127.0.0.1:8080/ws demo
//! cargo run -p txaio-examples --example wamp_client --no-default-features --features smol -- demo
//! ```
//!
//! Layers, bottom up: `message` + `decode` (the JSON form of every message), `session`
//! (request tables, the four roles, auto-ping), `join` (HELLO/WELCOME), `transport` (frames
//! in, frames out; in memory for the tests) and `ws` (async-tungstenite over
//! `txaio::net::TcpStream`). Only this file knows that a runtime exists, through
//! `#[txaio::main]`.

// The modules are a client library shaped like one: `pub` marks its API, which the commands
// use in part and the unit tests use whole.
#![allow(unreachable_pub, dead_code)]

mod cli;
mod commands;
mod cpu;
mod decode;
mod demo;
mod error;
mod join;
mod message;
mod session;
mod transport;
mod ws;

#[cfg(test)]
mod tests;

use std::io::Write;
use std::process::ExitCode;

use cli::{Command, USAGE};
use commands::CallOutcome;

#[txaio::main]
async fn main() -> ExitCode {
    let cli = match cli::parse(std::env::args().skip(1)) {
        Ok(cli) => cli,
        Err(message) => {
            eprintln!("wamp_client: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (router, realm) = (cli.router, cli.realm);
    match cli.command {
        Command::Help => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Command::Demo => match demo::demo(router.clone(), realm.clone()).await {
            Ok(checks) => summary(&router, &realm, &checks),
            Err(failure) => fail(&failure),
        },
        Command::ServeAdd2 => match commands::serve_add2(router, realm).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(failure) => fail(&failure),
        },
        Command::Call { procedure, args } => {
            match commands::call(router, realm, procedure, args).await {
                Ok(CallOutcome::Result(value)) => {
                    println!("{value}");
                    ExitCode::SUCCESS
                }
                Ok(CallOutcome::Error(uri)) => {
                    println!("ERROR {uri}");
                    ExitCode::from(1)
                }
                Err(failure) => fail(&failure),
            }
        }
        Command::Bench { count, procedure } => {
            match commands::bench(router, realm, count, procedure).await {
                Ok(report) => {
                    let secs = report.elapsed.as_secs_f64();
                    let rate = report.calls as f64 / secs;
                    let cpu = report.cpu.map_or_else(
                        || "n/a".to_owned(),
                        |cpu| format!("{:.1}", cpu.as_secs_f64() * 1e6 / report.calls as f64),
                    );
                    println!(
                        "bench: {} sequential calls in {secs:.3} s = {rate:.0} calls/s, client CPU {cpu} us/call on {}",
                        report.calls,
                        txaio::runtime()
                    );
                    ExitCode::SUCCESS
                }
                Err(failure) => fail(&failure),
            }
        }
    }
}

fn fail(failure: &txaio::Failure) -> ExitCode {
    // The error's own sentence: a user reads it, not a developer hunting a type name.
    eprintln!("wamp_client: {}", failure.value());
    ExitCode::from(2)
}

fn summary(router: &str, realm: &str, checks: &[demo::Check]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "wamp_client demo: {router} realm {realm}, runtime {}",
        txaio::runtime()
    );
    for check in checks {
        let mark = if check.ok { "ok  " } else { "FAIL" };
        let ms = check.took.as_secs_f64() * 1e3;
        let _ = writeln!(
            out,
            "  {mark} {:<24} {:>8.2} ms  {}",
            check.name, ms, check.detail
        );
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    if failed == 0 {
        let _ = writeln!(out, "demo: ok ({} checks passed)", checks.len());
        ExitCode::SUCCESS
    } else {
        let _ = writeln!(out, "demo: FAILED ({failed} of {} checks)", checks.len());
        ExitCode::from(1)
    }
}
