//! A state-machine property test: random interleavings of calls, replies in any order, error
//! replies, cancellations and late replies, checked against a plain model of what each call
//! must end with. A deterministic generator, so that a failure replays.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use txaio::{CancelledError, Deferred, Failure};

use super::{crossbar_welcome, deliver, established, sent_messages};
use crate::error::WampError;
use crate::message::Message;

struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(self.0 >> 33).unwrap() % n
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Expect {
    Value(Value),
    Error(String),
    Cancelled,
}

type Slot = Arc<Mutex<Option<Result<Value, Failure>>>>;

fn observe(d: &Deferred<Value>) -> Slot {
    let slot = Arc::new(Mutex::new(None));
    let (ok, err) = (slot.clone(), slot.clone());
    txaio::add_callbacks(
        d,
        move |v: &Value| *ok.lock().unwrap() = Some(Ok(v.clone())),
        move |f| *err.lock().unwrap() = Some(Err(f.clone())),
    );
    slot
}

fn matches(expect: &Expect, got: &Result<Value, Failure>) -> bool {
    match (expect, got) {
        (Expect::Value(v), Ok(g)) => v == g,
        (Expect::Error(uri), Err(f)) => f
            .downcast_ref::<WampError>()
            .is_some_and(|e| &e.error == uri),
        (Expect::Cancelled, Err(f)) => f.is::<CancelledError>(),
        _ => false,
    }
}

#[txaio::test]
async fn calls_replies_and_cancels_in_random_orders_agree_with_the_model() {
    for seed in 0..40 {
        let mut rng = Lcg(seed);
        let (session, mut rx) = established(crossbar_welcome());
        let mut pending: BTreeMap<u64, usize> = BTreeMap::new();
        let mut cancelled: Vec<u64> = Vec::new();
        let mut calls: Vec<(Deferred<Value>, Slot, Option<Expect>)> = Vec::new();
        let mut next_id = 1;
        for _ in 0..200 {
            match rng.below(5) {
                0 | 1 => {
                    let d = session.call("com.model.proc", vec![json!(calls.len())]);
                    let slot = observe(&d);
                    let sent = sent_messages(&mut rx);
                    assert!(
                        matches!(sent.as_slice(), [Message::Call { request, .. }] if *request == next_id),
                        "seed {seed}: {sent:?}"
                    );
                    pending.insert(next_id, calls.len());
                    next_id += 1;
                    calls.push((d, slot, None));
                }
                2 if !pending.is_empty() => {
                    let id = *pending.keys().nth(rng.below(pending.len())).unwrap();
                    let index = pending.remove(&id).unwrap();
                    if rng.below(3) == 0 {
                        deliver(
                            &session,
                            &json!([8, 48, id, {}, format!("com.model.error.e{index}")]),
                        );
                        calls[index].2 = Some(Expect::Error(format!("com.model.error.e{index}")));
                    } else {
                        deliver(&session, &json!([50, id, {}, [index * 10]]));
                        calls[index].2 = Some(Expect::Value(json!(index * 10)));
                    }
                }
                3 if !pending.is_empty() => {
                    let id = *pending.keys().nth(rng.below(pending.len())).unwrap();
                    let index = pending.remove(&id).unwrap();
                    txaio::cancel(&calls[index].0);
                    calls[index].2 = Some(Expect::Cancelled);
                    let sent = sent_messages(&mut rx);
                    assert!(
                        matches!(sent.as_slice(), [Message::Cancel { request, .. }] if *request == id),
                        "seed {seed}: {sent:?}"
                    );
                    cancelled.push(id);
                }
                4 if !cancelled.is_empty() => {
                    // The router's late answer to a cancelled call: consumed, no effect.
                    let id = cancelled.swap_remove(rng.below(cancelled.len()));
                    deliver(&session, &json!([8, 48, id, {}, "wamp.error.canceled"]));
                }
                _ => {}
            }
            assert!(
                session.is_open(),
                "seed {seed}: the session closed on a valid exchange"
            );
            for (index, (_, slot, expect)) in calls.iter().enumerate() {
                let got = slot.lock().unwrap();
                match (expect, got.as_ref()) {
                    (None, None) => {}
                    (Some(expect), Some(got)) => assert!(
                        matches(expect, got),
                        "seed {seed}: call {index}: {expect:?} vs {got:?}"
                    ),
                    (expect, got) => {
                        panic!("seed {seed}: call {index}: expected {expect:?}, got {got:?}")
                    }
                }
            }
        }
    }
}

#[txaio::test]
async fn calls_from_many_threads_each_get_their_own_reply() {
    let (session, mut rx) = established(crossbar_welcome());
    let threads: Vec<_> = (0..4_u64)
        .map(|t| {
            let session = session.clone();
            std::thread::spawn(move || {
                (0..250_u64)
                    .map(|i| {
                        (
                            t * 1000 + i,
                            session.call("com.model.echo", vec![json!(t * 1000 + i)]),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut answered = 0;
    let mut ids = std::collections::HashSet::new();
    // The router answers from this thread while the callers are still calling.
    while answered < 1000 {
        let Some(frame) = rx.try_recv().ok() else {
            std::thread::yield_now();
            continue;
        };
        let crate::transport::Frame::Text(text) = frame else {
            continue;
        };
        let Message::Call {
            request, payload, ..
        } = Message::decode(&text).unwrap()
        else {
            panic!("not a CALL")
        };
        assert!(ids.insert(request), "request id {request} used twice");
        assert!(deliver(&session, &json!([50, request, {}, payload.args])));
        answered += 1;
    }
    for thread in threads {
        for (arg, call) in thread.join().unwrap() {
            let got = observe(&call).lock().unwrap().take().expect("answered");
            assert_eq!(got.unwrap(), json!(arg));
        }
    }
}
