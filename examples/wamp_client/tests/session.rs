//! The session against a scripted router: correlation, the four roles, cancellation, timeouts
//! on the virtual clock, auto-ping, and protocol violations closing the session cleanly.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use txaio::testutil::replace_loop;
use txaio::{CancelledError, TimeoutError};

use super::{crossbar_welcome, deliver, dict, established, sent, sent_messages};
use crate::error::{SessionClosed, WampError};
use crate::message::{Dict, Message};
use crate::session::{Event, Invocation, PingConfig, Session, SessionConfig};
use crate::transport::Frame;

fn outcome<T: Clone + Send + 'static>(d: &txaio::Deferred<T>) -> Option<Result<T, txaio::Failure>> {
    let slot = Arc::new(Mutex::new(None));
    let (ok, err) = (slot.clone(), slot.clone());
    txaio::add_callbacks(
        d,
        move |v: &T| *ok.lock().unwrap() = Some(Ok(v.clone())),
        move |f| *err.lock().unwrap() = Some(Err(f.clone())),
    );
    slot.lock().unwrap().take()
}

fn closed_reason(session: &Session) -> String {
    outcome(&session.closed())
        .expect("the session is not closed")
        .unwrap()
        .reason
}

#[txaio::test]
async fn replies_find_their_calls_by_request_id_in_any_order() {
    let (session, mut rx) = established(Dict::new());
    let first = session.call("com.myapp.a", vec![json!(1)]);
    let second = session.call("com.myapp.b", vec![]);
    let calls = sent_messages(&mut rx);
    let ids: Vec<u64> = calls
        .iter()
        .map(|m| match m {
            Message::Call { request, .. } => *request,
            other => panic!("expected CALL, got {other:?}"),
        })
        .collect();
    assert_eq!(
        ids,
        vec![1, 2],
        "request ids are session-scoped and sequential"
    );
    assert!(
        matches!(&calls[0], Message::Call { procedure, payload, .. } if procedure == "com.myapp.a" && payload.args == vec![json!(1)])
    );
    assert!(deliver(&session, &json!([50, 2, {}, ["b"]])));
    assert!(deliver(&session, &json!([50, 1, {}, [30, 12]])));
    assert_eq!(outcome(&second).unwrap().unwrap(), json!("b"));
    assert_eq!(outcome(&first).unwrap().unwrap(), json!([30, 12]));
    let third = session.call("com.myapp.c", vec![]);
    assert!(deliver(&session, &json!([50, 3, {}, [], {"userid": 123}])));
    assert_eq!(
        outcome(&third).unwrap().unwrap(),
        json!({"args": [], "kwargs": {"userid": 123}})
    );
}

#[txaio::test]
async fn an_error_reply_fails_the_call_with_its_uri_and_arguments() {
    let (session, _rx) = established(Dict::new());
    let call = session.call("com.myapp.write", vec![]);
    deliver(
        &session,
        &json!([8, 48, 1, {}, "com.myapp.error.object_write_protected", ["Object is write protected."], {"severity": 3}]),
    );
    let failure = outcome(&call).unwrap().unwrap_err();
    let error = failure.downcast_ref::<WampError>().expect("a WampError");
    assert_eq!(error.error, "com.myapp.error.object_write_protected");
    assert_eq!(
        error.payload.args,
        vec![json!("Object is write protected.")]
    );
    assert_eq!(error.payload.kwargs, dict(json!({"severity": 3})));
    assert!(session.is_open());
}

#[txaio::test]
async fn a_registered_procedure_answers_invocations_with_yield_or_error() {
    let (session, mut rx) = established(Dict::new());
    let pending = txaio::create_future::<Value>();
    let later = pending.clone();
    let reg = session.register(
        "com.myapp.proc",
        move |inv: Invocation| -> txaio::Deferred<Value> {
            match inv.payload.args.first().and_then(Value::as_str) {
                Some("add") => {
                    txaio::create_future_success(json!(inv.payload.args[1].as_i64().unwrap() + 1))
                }
                Some("refuse") => txaio::create_future_error(WampError::new(
                    "com.myapp.error.refused",
                    vec![json!("no")],
                )),
                Some("later") => later.clone(),
                Some("none") => txaio::create_future_success(Value::Null),
                _ => panic!("unexpected arguments"),
            }
        },
    );
    assert_eq!(
        sent_messages(&mut rx),
        vec![Message::Register {
            request: 1,
            options: Dict::new(),
            procedure: "com.myapp.proc".into()
        }]
    );
    deliver(&session, &json!([65, 1, 2103333224]));
    assert_eq!(outcome(&reg).unwrap().unwrap().id, 2_103_333_224);

    deliver(&session, &json!([68, 11, 2103333224, {}, ["add", 41]]));
    deliver(&session, &json!([68, 12, 2103333224, {}, ["refuse"]]));
    deliver(&session, &json!([68, 13, 2103333224, {}, ["boom"]]));
    deliver(&session, &json!([68, 14, 2103333224, {}, ["later"]]));
    deliver(&session, &json!([68, 15, 2103333224, {}, ["none"]]));
    let answers: Vec<Value> = sent_messages(&mut rx)
        .iter()
        .map(Message::to_json)
        .collect();
    assert_eq!(answers[0], json!([70, 11, {}, [42]]));
    assert_eq!(
        answers[1],
        json!([8, 68, 12, {}, "com.myapp.error.refused", ["no"]])
    );
    assert_eq!(
        answers[2].as_array().unwrap()[..5],
        [
            json!(8),
            json!(68),
            json!(13),
            json!({}),
            json!("wamp.error.runtime_error")
        ]
    );
    assert!(
        answers[2][5][0]
            .as_str()
            .unwrap()
            .contains("unexpected arguments"),
        "{}",
        answers[2]
    );
    assert_eq!(
        answers[3],
        json!([70, 15, {}]),
        "the pending one answers when it fires, not before"
    );
    txaio::resolve(&pending, json!("done")).unwrap();
    assert_eq!(
        sent_messages(&mut rx)
            .iter()
            .map(Message::to_json)
            .collect::<Vec<_>>(),
        vec![json!([70, 14, {}, ["done"]])]
    );
    assert!(
        session.is_open(),
        "a panicking procedure does not take the session down"
    );

    let un = session.unregister(&outcome(&reg).unwrap().unwrap());
    deliver(&session, &json!([67, 2]));
    assert!(outcome(&un).unwrap().is_ok());
    assert!(
        !deliver(&session, &json!([68, 16, 2103333224, {}, ["add", 1]])),
        "an INVOCATION after UNREGISTERED is a violation"
    );
}

#[txaio::test]
async fn events_reach_every_subscriber_in_order_and_a_panicking_one_does_not_stop_the_rest() {
    let (session, mut rx) = established(Dict::new());
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let log = seen.clone();
    let first = session.subscribe("com.myapp.topic1", |_event: Event| {
        panic!("a broken subscriber")
    });
    let second = session.subscribe("com.myapp.topic1", move |event: Event| {
        log.lock().unwrap().push(Value::Array(event.payload.args));
    });
    deliver(&session, &json!([33, 1, 5512315355_u64]));
    deliver(&session, &json!([33, 2, 5512315355_u64]));
    let (first, second) = (
        outcome(&first).unwrap().unwrap(),
        outcome(&second).unwrap().unwrap(),
    );
    assert_eq!((first.id, second.id), (5_512_315_355, 5_512_315_355));
    let ((), logs) = txaio::testutil::capture_logs(|| {
        for i in 0..3 {
            deliver(&session, &json!([36, 5512315355_u64, 100 + i, {}, [i]]));
        }
    });
    assert_eq!(
        *seen.lock().unwrap(),
        vec![json!([0]), json!([1]), json!([2])]
    );
    assert_eq!(
        logs.iter()
            .filter(|l| l.message.contains("panicked"))
            .count(),
        3
    );
    sent(&mut rx);
    let quiet = session.unsubscribe(&first);
    assert!(
        outcome(&quiet).unwrap().is_ok(),
        "one of two subscribers leaves without UNSUBSCRIBE"
    );
    assert!(sent_messages(&mut rx).is_empty());
    let last = session.unsubscribe(&second);
    assert_eq!(
        sent_messages(&mut rx),
        vec![Message::Unsubscribe {
            request: 3,
            subscription: 5_512_315_355
        }]
    );
    assert!(outcome(&last).is_none());
    deliver(&session, &json!([35, 3]));
    assert!(outcome(&last).unwrap().is_ok());
}

#[txaio::test]
async fn acknowledged_publications_fire_with_their_id_and_plain_ones_at_once() {
    let (session, mut rx) = established(Dict::new());
    session
        .publish("com.myapp.topic1", vec![json!("Hello, world!")])
        .unwrap();
    let acked = session.publish_acknowledged("com.myapp.topic1", vec![]);
    let sent = sent_messages(&mut rx);
    assert_eq!(
        sent[0].to_json(),
        json!([16, 1, {}, "com.myapp.topic1", ["Hello, world!"]])
    );
    assert_eq!(
        sent[1].to_json(),
        json!([16, 2, {"acknowledge": true}, "com.myapp.topic1"])
    );
    deliver(&session, &json!([17, 2, 4429313566_u64]));
    assert_eq!(outcome(&acked).unwrap().unwrap(), 4_429_313_566);
    let refused = session.publish_acknowledged("com.myapp.secret", vec![]);
    deliver(
        &session,
        &json!([8, 16, 3, {}, "wamp.error.not_authorized"]),
    );
    let failure = outcome(&refused).unwrap().unwrap_err();
    assert_eq!(
        failure.downcast_ref::<WampError>().unwrap().error,
        "wamp.error.not_authorized"
    );
}

#[txaio::test]
async fn cancelling_a_call_sends_cancel_and_its_late_reply_is_dropped_quietly() {
    let (session, mut rx) = established(crossbar_welcome());
    let call = session.call("com.myapp.slow", vec![]);
    sent(&mut rx);
    txaio::cancel(&call);
    assert!(outcome(&call).unwrap().unwrap_err().is::<CancelledError>());
    assert_eq!(
        sent_messages(&mut rx),
        vec![Message::Cancel {
            request: 1,
            options: dict(json!({"mode": "killnowait"}))
        }]
    );
    assert!(
        deliver(&session, &json!([8, 48, 1, {}, "wamp.error.canceled"])),
        "the router's answer to CANCEL is expected"
    );
    assert!(
        !deliver(&session, &json!([50, 1, {}])),
        "a second reply to the same request is not"
    );
}

#[txaio::test]
async fn without_call_canceling_a_cancelled_call_is_only_forgotten() {
    let (session, mut rx) = established(Dict::new());
    let call = session.call("com.myapp.slow", vec![]);
    sent(&mut rx);
    txaio::cancel(&call);
    assert!(sent_messages(&mut rx).is_empty());
    assert!(deliver(&session, &json!([50, 1, {}, ["late"]])));
    assert!(session.is_open());
}

#[txaio::test]
async fn a_call_timeout_fails_with_timeout_error_and_cancels_on_the_virtual_clock() {
    replace_loop(|clock| {
        let (session, mut rx) = established(crossbar_welcome());
        let call = session.call_with_timeout("com.myapp.slow", vec![], Duration::from_secs(5));
        let quick = session.call_with_timeout("com.myapp.quick", vec![], Duration::from_secs(5));
        deliver(&session, &json!([50, 2, {}, [1]]));
        assert_eq!(outcome(&quick).unwrap().unwrap(), json!(1));
        sent(&mut rx);
        clock.advance(Duration::from_millis(4999));
        assert!(outcome(&call).is_none());
        clock.advance(Duration::from_millis(1));
        assert!(outcome(&call).unwrap().unwrap_err().is::<TimeoutError>());
        assert_eq!(
            sent_messages(&mut rx),
            vec![Message::Cancel {
                request: 1,
                options: dict(json!({"mode": "killnowait"}))
            }]
        );
        assert_eq!(
            clock.pending(),
            0,
            "the answered call's timer was cancelled"
        );
    });
}

#[txaio::test]
async fn auto_ping_pings_on_the_batched_timer_and_closes_on_a_missing_pong() {
    replace_loop(|clock| {
        let timer = txaio::make_batched_timer(Duration::from_millis(100), 100);
        let ping = PingConfig {
            timer: timer.clone(),
            interval: Duration::from_secs(10),
            timeout: Duration::from_secs(5),
        };
        let (tx, mut rx) = futures_channel::mpsc::unbounded();
        let session = Session::established(1, Dict::new(), tx, &SessionConfig { ping: Some(ping) });
        clock.advance(Duration::from_millis(10_200));
        let Some(Frame::Ping(payload)) = sent(&mut rx).pop() else {
            panic!("no ping after one interval")
        };
        assert!(session.on_frame(Frame::Pong(payload)));
        clock.advance(Duration::from_secs(10));
        assert_eq!(session.pings_sent(), 2);
        assert!(matches!(sent(&mut rx).as_slice(), [Frame::Ping(_)]));
        clock.advance(Duration::from_millis(5200));
        assert!(!session.is_open(), "no pong within the timeout");
        assert_eq!(closed_reason(&session), "wamp.close.transport_lost");
        assert_eq!(
            timer.pending(),
            0,
            "a closed session leaves no timer behind"
        );
    });
}

#[txaio::test]
async fn a_reply_to_no_request_is_a_protocol_violation_that_fails_everything_pending() {
    let (session, mut rx) = established(Dict::new());
    let call = session.call("com.myapp.a", vec![]);
    let sub = session.subscribe("com.myapp.t", |_event: Event| {});
    sent(&mut rx);
    assert!(!deliver(&session, &json!([50, 77, {}])));
    assert_eq!(closed_reason(&session), "wamp.error.protocol_violation");
    for failure in [
        outcome(&call).unwrap().unwrap_err(),
        outcome(&sub).unwrap().map(|_| ()).unwrap_err(),
    ] {
        let closed = failure
            .downcast_ref::<SessionClosed>()
            .expect("SessionClosed");
        assert_eq!(closed.message, "RESULT for unknown request 77");
    }
    let frames = sent(&mut rx);
    let Frame::Text(abort) = &frames[0] else {
        panic!("expected ABORT first")
    };
    assert_eq!(
        Message::decode(abort).unwrap().to_json(),
        json!([3, {"message": "RESULT for unknown request 77"}, "wamp.error.protocol_violation"])
    );
    assert_eq!(frames[1], Frame::Close);
    let after = session.call("com.myapp.a", vec![]);
    assert!(
        outcome(&after).unwrap().unwrap_err().is::<SessionClosed>(),
        "a closed session refuses at once"
    );
}

#[txaio::test]
async fn out_of_order_and_malformed_messages_close_the_session_with_a_typed_reason() {
    let cases: Vec<(Frame, &str)> = vec![
        (
            Frame::Text(json!([2, 1, {}]).to_string()),
            "unexpected WELCOME while established",
        ),
        (
            Frame::Text(json!([1, "realm1", {}]).to_string()),
            "unexpected HELLO while established",
        ),
        (
            Frame::Text(json!([48, 1, {}, "com.x"]).to_string()),
            "unexpected CALL while established",
        ),
        (
            Frame::Text(json!([36, 1, 1, {}]).to_string()),
            "EVENT for unknown subscription or registration 1",
        ),
        (
            Frame::Text(json!([33, 5, 1]).to_string()),
            "SUBSCRIBED for unknown request 5",
        ),
        (
            Frame::Text(json!([8, 64, 5, {}, "wamp.error.x"]).to_string()),
            "ERROR for unknown request 5",
        ),
        (Frame::Text("[50, 1".into()), "malformed message: not JSON"),
        (
            Frame::Text(json!([2, 0, {}]).to_string()),
            "malformed message: WELCOME: `Session` must be an id in 1..=2^53",
        ),
        (Frame::Binary(vec![0x93]), "binary frame on wamp.2.json"),
    ];
    for (frame, why) in cases {
        let (session, mut rx) = established(Dict::new());
        let ((), logs) =
            txaio::testutil::capture_logs(|| assert!(!session.on_frame(frame.clone())));
        let closed = outcome(&session.closed()).unwrap().unwrap();
        assert_eq!(closed.reason, "wamp.error.protocol_violation", "{frame:?}");
        assert!(
            closed.message.starts_with(why),
            "{frame:?}: {}",
            closed.message
        );
        assert!(
            logs.iter()
                .any(|l| l.message.contains("protocol violation")),
            "{frame:?}: the violation is logged"
        );
        assert!(
            matches!(sent_messages(&mut rx).as_slice(), [Message::Abort { reason, .. }] if reason == "wamp.error.protocol_violation")
        );
        assert!(
            !session.on_frame(Frame::Text(json!([50, 1, {}]).to_string())),
            "nothing is handled after close"
        );
    }
}

#[txaio::test]
async fn leaving_waits_for_the_routers_goodbye_and_a_routers_goodbye_is_echoed() {
    let (session, mut rx) = established(Dict::new());
    let pending = session.call("com.myapp.a", vec![]);
    let left = session.leave();
    assert!(
        outcome(&session.call("x.y", vec![])).unwrap().is_err(),
        "no new requests while leaving"
    );
    assert_eq!(
        sent_messages(&mut rx).last().unwrap().to_json(),
        json!([6, {}, "wamp.close.normal"])
    );
    deliver(&session, &json!([50, 1, {}, [1]]));
    assert_eq!(
        outcome(&pending).unwrap().unwrap(),
        json!(1),
        "replies still arrive while leaving"
    );
    deliver(&session, &json!([6, {}, "wamp.close.goodbye_and_out"]));
    assert_eq!(
        outcome(&left).unwrap().unwrap().reason,
        "wamp.close.goodbye_and_out"
    );
    assert!(
        sent_messages(&mut rx).is_empty(),
        "our GOODBYE is answered, not echoed"
    );

    let (session, mut rx) = established(Dict::new());
    deliver(
        &session,
        &json!([6, {"message": "The host is shutting down now."}, "wamp.close.system_shutdown"]),
    );
    let closed = outcome(&session.closed()).unwrap().unwrap();
    assert_eq!(
        (closed.reason.as_str(), closed.message.as_str()),
        (
            "wamp.close.system_shutdown",
            "The host is shutting down now."
        )
    );
    assert_eq!(
        sent_messages(&mut rx),
        vec![Message::Goodbye {
            details: Dict::new(),
            reason: "wamp.close.goodbye_and_out".into()
        }]
    );
}

#[txaio::test]
async fn a_handler_that_calls_back_into_the_session_does_not_deadlock() {
    let (session, mut rx) = established(Dict::new());
    let inner = session.clone();
    let sub = session.subscribe("com.myapp.ping", move |event: Event| {
        let _ = inner.publish("com.myapp.pong", event.payload.args);
        drop(inner.call("com.myapp.log", vec![]));
    });
    deliver(&session, &json!([33, 1, 9]));
    let reentrant = session.clone();
    txaio::add_callback(&sub, move |_| {
        drop(reentrant.call("com.myapp.after", vec![]));
    });
    deliver(&session, &json!([36, 9, 1, {}, ["x"]]));
    let names: Vec<&str> = sent_messages(&mut rx).iter().map(Message::name).collect();
    assert_eq!(names, ["SUBSCRIBE", "CALL", "PUBLISH", "CALL"]);
}

#[txaio::test]
async fn call_timeouts_of_zero_and_of_duration_max() {
    replace_loop(|clock| {
        let (session, _rx) = established(Dict::new());
        let never = session.call_with_timeout("com.myapp.slow", vec![], Duration::MAX);
        let at_once = session.call_with_timeout("com.myapp.slow", vec![], Duration::ZERO);
        clock.advance(Duration::ZERO);
        assert!(outcome(&at_once).unwrap().unwrap_err().is::<TimeoutError>());
        clock.advance(Duration::from_hours(24 * 365));
        assert!(
            outcome(&never).is_none(),
            "Duration::MAX does not wrap around into the past"
        );
        deliver(&session, &json!([50, 1, {}, ["finally"]]));
        assert_eq!(outcome(&never).unwrap().unwrap(), json!("finally"));
        assert!(
            session.is_open(),
            "the late reply to the timed-out call 2 never came, and nothing broke"
        );
    });
}

#[txaio::test]
async fn request_ids_wrap_after_two_to_the_53_and_skip_ids_still_in_flight() {
    let (session, mut rx) = established(Dict::new());
    let held = session.call("com.myapp.held", vec![]);
    session.set_last_request(crate::message::MAX_ID - 1);
    for _ in 0..3 {
        drop(session.call("com.myapp.next", vec![]));
    }
    let ids: Vec<u64> = sent_messages(&mut rx)
        .iter()
        .map(|m| match m {
            Message::Call { request, .. } => *request,
            other => panic!("expected CALL, got {other:?}"),
        })
        .collect();
    assert_eq!(
        ids,
        vec![1, crate::message::MAX_ID, 2, 3],
        "1 is still in flight, so the wrap skips it"
    );
    deliver(&session, &json!([50, 1, {}, ["held"]]));
    assert_eq!(outcome(&held).unwrap().unwrap(), json!("held"));
}
