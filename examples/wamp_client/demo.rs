//! `demo`: two sessions through the router, every Basic Profile round trip, a summary.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use txaio::{CancelledError, Failure, TimeoutError};

use crate::commands::{add2, default_ping, error_uri, later, open};
use crate::session::{Event, Invocation};
use txaio::timeout;

/// One line of the summary.
#[derive(Debug, Clone)]
pub struct Check {
    /// What was tried.
    pub name: &'static str,
    /// What happened, in a few words.
    pub detail: String,
    /// Whether it is what the protocol prescribes.
    pub ok: bool,
    /// How long it took.
    pub took: Duration,
}

struct Checks(Vec<Check>, Instant);

impl Checks {
    fn record(&mut self, name: &'static str, ok: bool, detail: String) {
        let now = Instant::now();
        self.0.push(Check {
            name,
            detail,
            ok,
            took: now - self.1,
        });
        self.1 = now;
    }
}

fn describe(outcome: &Result<Value, Failure>) -> String {
    match outcome {
        Ok(v) => v.to_string(),
        Err(f) => {
            error_uri(f).map_or_else(|| txaio::failure_message(f), |uri| format!("ERROR {uri}"))
        }
    }
}

/// Runs the demo; the checks in order. Session A is the callee and subscriber, session B the
/// caller and publisher; URIs carry A's session id so that concurrent demos do not collide.
///
/// # Errors
///
/// Only when a session cannot be opened; every other mishap is a failed check.
#[txaio::portable]
#[allow(clippy::too_many_lines)] // One straight script reads better than ten fragments.
pub async fn demo(router: String, realm: String) -> Result<Vec<Check>, Failure> {
    let mut c = Checks(Vec::new(), Instant::now());
    let a = open(router.clone(), realm.clone(), Some(default_ping())).await?;
    let b = open(router, realm, None).await?;
    c.record(
        "join",
        a.id() != b.id(),
        format!("sessions {} and {}", a.id(), b.id()),
    );
    let prefix = format!("com.example.demo.{}", a.id());
    let (add, slow, topic) = (
        format!("{prefix}.add2"),
        format!("{prefix}.slow"),
        format!("{prefix}.topic"),
    );

    let reg = timeout(&a.register(&add, |inv: Invocation| add2(&inv)), STEP).await;
    c.record(
        "register",
        reg.is_ok(),
        format!(
            "{add} -> {:?}",
            reg.as_ref().map(|r| r.id).map_err(txaio::failure_message)
        ),
    );
    let sum = timeout(&b.call(&add, vec![json!(20), json!(22)]), STEP).await;
    c.record(
        "call",
        matches!(&sum, Ok(v) if *v == json!(42)),
        format!("add2(20, 22) = {}", describe(&sum)),
    );
    let bad = timeout(&b.call(&add, vec![json!("x"), json!([])]), STEP).await;
    let bad_uri = bad.as_ref().err().and_then(error_uri);
    c.record(
        "call error",
        bad_uri.as_deref() == Some("wamp.error.invalid_argument"),
        format!("add2(\"x\", []) -> {}", describe(&bad)),
    );
    let none = timeout(&b.call(&format!("{prefix}.nothing"), vec![]), STEP).await;
    let none_uri = none.as_ref().err().and_then(error_uri);
    c.record(
        "no such procedure",
        none_uri.as_deref() == Some("wamp.error.no_such_procedure"),
        describe(&none),
    );

    let _ = timeout(
        &a.register(&slow, |_inv: Invocation| {
            later(Duration::from_secs(3), json!("late"))
        }),
        STEP,
    )
    .await;
    let timed = b
        .call_with_timeout(&slow, vec![], Duration::from_millis(200))
        .await;
    let is_timeout = timed.as_ref().is_err_and(Failure::is::<TimeoutError>);
    c.record(
        "call timeout",
        is_timeout,
        format!("slow() after 200 ms -> {}", describe(&timed)),
    );
    let pending = b.call(&slow, vec![]);
    txaio::cancel(&pending);
    let cancelled = pending.await;
    let is_cancelled = cancelled.as_ref().is_err_and(Failure::is::<CancelledError>);
    c.record(
        "call cancel",
        is_cancelled,
        format!("slow() cancelled -> {}", describe(&cancelled)),
    );
    let after = timeout(&b.call(&add, vec![json!(1), json!(2)]), STEP).await;
    c.record(
        "call after cancel",
        matches!(&after, Ok(v) if *v == json!(3)),
        format!("add2(1, 2) = {}", describe(&after)),
    );

    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let all_in = txaio::create_future::<()>();
    let (sink, done) = (received.clone(), all_in.clone());
    let handler = move |event: Event| {
        let mut got = sink.lock().unwrap_or_else(PoisonError::into_inner);
        got.push(Value::Array(event.payload.args));
        if got.len() == 3 {
            let _ = txaio::resolve(&done, ());
        }
    };
    let sub = timeout(&a.subscribe(&topic, handler), STEP).await;
    c.record("subscribe", sub.is_ok(), topic.clone());
    let mut acks = Vec::new();
    for i in 0..3 {
        acks.push(
            timeout(
                &b.publish_acknowledged(&topic, vec![json!(i), json!("event")]),
                STEP,
            )
            .await,
        );
    }
    c.record(
        "publish (acknowledged)",
        acks.iter().all(Result::is_ok),
        format!(
            "3 PUBLISHED, ids {:?}",
            acks.iter()
                .filter_map(|r| r.as_ref().ok())
                .collect::<Vec<_>>()
        ),
    );
    let arrived = timeout(&all_in, STEP).await;
    let got = received
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let want: Vec<Value> = (0..3).map(|i| json!([i, "event"])).collect();
    c.record(
        "events in order",
        arrived.is_ok() && got == want,
        format!("{}", Value::Array(got)),
    );

    if let Ok(sub) = sub {
        let un = timeout(&a.unsubscribe(&sub), STEP).await;
        c.record(
            "unsubscribe",
            un.is_ok(),
            format!("subscription {}", sub.id),
        );
    }
    if let Ok(reg) = reg {
        let un = timeout(&a.unregister(&reg), STEP).await;
        let gone = timeout(&b.call(&add, vec![json!(1), json!(1)]), STEP).await;
        let gone_uri = gone.as_ref().err().and_then(error_uri);
        c.record(
            "unregister",
            un.is_ok() && gone_uri.as_deref() == Some("wamp.error.no_such_procedure"),
            format!("then add2 -> {}", describe(&gone)),
        );
    }
    let (left_a, left_b) = (
        timeout(&a.leave(), STEP).await,
        timeout(&b.leave(), STEP).await,
    );
    let reasons = [&left_a, &left_b].map(|r| {
        r.as_ref()
            .map_or_else(txaio::failure_message, |c| c.reason.clone())
    });
    c.record(
        "leave",
        left_a.is_ok() && left_b.is_ok(),
        format!("GOODBYE {} / {}", reasons[0], reasons[1]),
    );
    Ok(c.0)
}

const STEP: Duration = Duration::from_secs(10);
