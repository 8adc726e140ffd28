//! The four commands, written once: no runtime named, no `cfg`.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use txaio::{BatchedTimer, Deferred, Failure};

use crate::error::WampError;
use crate::join::handshake;
use crate::session::{Invocation, PingConfig, Session, SessionConfig};
use crate::ws::{RouterUrl, connect};
use txaio::timeout;

/// How long any one step of a command may take before it counts as failed.
const STEP: Duration = Duration::from_secs(10);

/// `com.example.add2`: `a + b` for two integers (or two numbers); anything else is
/// `wamp.error.invalid_argument`.
///
/// # Errors
///
/// A [`WampError`] `wamp.error.invalid_argument` unless given exactly two numbers.
pub fn add2(invocation: &Invocation) -> Result<Value, WampError> {
    let invalid = || {
        WampError::new(
            "wamp.error.invalid_argument",
            vec![json!("add2 takes two numbers")],
        )
    };
    let [a, b] = invocation.payload.args.as_slice() else {
        return Err(invalid());
    };
    if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
        return a.checked_add(b).map(Value::from).ok_or_else(invalid);
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(a), Some(b)) => Ok(json!(a + b)),
        _ => Err(invalid()),
    }
}

/// Connects and joins, with the auto-ping that an Autobahn client has by default.
///
/// # Errors
///
/// The connection's or the join's error, as a failure.
#[txaio::portable]
pub async fn open(
    router: String,
    realm: String,
    ping: Option<PingConfig>,
) -> Result<Session, Failure> {
    let url = RouterUrl::parse(&router)?;
    let connection = connect(url)
        .take()
        .await
        .map_err(|e| Failure::msg(format!("cannot connect to {router}: {}", e.value())))?;
    Ok(handshake(connection, realm, SessionConfig { ping }).await?)
}

/// The WAMP error URI of a failure, if it is a WAMP error.
pub fn error_uri(failure: &Failure) -> Option<String> {
    failure.downcast_ref::<WampError>().map(|e| e.error.clone())
}

/// `serve-add2`: runs until the session ends (then fails with why).
///
/// # Errors
///
/// Joining or registering fails, or the session ends.
// ANCHOR: serve
#[txaio::portable]
pub async fn serve_add2(router: String, realm: String) -> Result<(), Failure> {
    let session = open(router, realm, Some(default_ping())).await?;
    session
        .register("com.example.add2", |inv: Invocation| add2(&inv))
        .await?;
    let publisher = session.clone();
    session
        .subscribe("com.example.ping", move |event| {
            // Only a closed session refuses, and then serve-add2 ends anyway.
            let _ = publisher.publish("com.example.pong", event.payload.args);
        })
        .await?;
    println!("serve-add2: ready (session {})", session.id());
    let closed = session.closed().await?;
    Err(Failure::new(closed))
}
// ANCHOR_END: serve

/// The outcome of `call`: the result as JSON, or the error URI.
#[derive(Debug, Clone, PartialEq)]
pub enum CallOutcome {
    /// The RESULT, as one JSON value.
    Result(Value),
    /// The ERROR's URI.
    Error(String),
}

/// `call PROCEDURE [ARG...]`.
///
/// # Errors
///
/// Anything but a RESULT or a WAMP ERROR (no router, a timeout).
#[txaio::portable]
pub async fn call(
    router: String,
    realm: String,
    procedure: String,
    args: Vec<Value>,
) -> Result<CallOutcome, Failure> {
    let session = open(router, realm, None).await?;
    let outcome = match session.call_with_timeout(&procedure, args, STEP).await {
        Ok(value) => CallOutcome::Result(value),
        Err(failure) => CallOutcome::Error(error_uri(&failure).ok_or(failure)?),
    };
    let _ = timeout(&session.leave(), Duration::from_secs(2)).await;
    Ok(outcome)
}

/// What `bench` measured.
#[derive(Debug, Clone, Copy)]
pub struct BenchReport {
    /// Calls made.
    pub calls: u64,
    /// Wall-clock time of all of them.
    pub elapsed: Duration,
    /// CPU time of this process meanwhile, where the OS tells.
    pub cpu: Option<Duration>,
}

/// `bench N PROCEDURE`: `count` sequential calls `PROCEDURE(i, 1)`, each checked.
///
/// # Errors
///
/// A call that fails or answers wrongly.
#[txaio::portable]
pub async fn bench(
    router: String,
    realm: String,
    count: u64,
    procedure: String,
) -> Result<BenchReport, Failure> {
    let session = open(router, realm, None).await?;
    for i in 0..100_u64 {
        session.call(&procedure, vec![json!(i), json!(1)]).await?;
    }
    let (start, cpu_start) = (Instant::now(), crate::cpu::process_cpu());
    for i in 0..count {
        let value = session.call(&procedure, vec![json!(i), json!(1)]).await?;
        if value != json!(i + 1) {
            return Err(Failure::msg(format!("{procedure}({i}, 1) gave {value}")));
        }
    }
    let elapsed = start.elapsed();
    let cpu = crate::cpu::process_cpu()
        .zip(cpu_start)
        .map(|(end, start)| end.saturating_sub(start));
    let _ = timeout(&session.leave(), Duration::from_secs(2)).await;
    Ok(BenchReport {
        calls: count,
        elapsed,
        cpu,
    })
}

/// The auto-ping of the long-running commands: every 10 s, 5 s for the pong, on the one
/// batched timer that every session of the process shares.
pub fn default_ping() -> PingConfig {
    static TIMER: OnceLock<BatchedTimer> = OnceLock::new();
    PingConfig {
        timer: TIMER
            .get_or_init(|| txaio::make_batched_timer(Duration::from_millis(500), 1000))
            .clone(),
        interval: Duration::from_secs(10),
        timeout: Duration::from_secs(5),
    }
}

/// A deferred that fires with `value` after `delay` (a slow procedure for the demo).
pub fn later(delay: Duration, value: Value) -> Deferred<Value> {
    let d = txaio::create_future();
    let fire = d.clone();
    txaio::call_later(delay, move || {
        let _ = txaio::resolve(&fire, value);
    });
    d
}
