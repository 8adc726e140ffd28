//! Auto-ping on a shared batched timer: many sessions, few runtime timers.

use std::time::Duration;

use txaio::testutil::replace_loop;

use super::sent;
use crate::message::Dict;
use crate::session::{PingConfig, Session, SessionConfig};
use crate::transport::Frame;

#[txaio::test]
async fn ten_thousand_sessions_ping_on_a_handful_of_runtime_timers() {
    replace_loop(|clock| {
        let timer = txaio::make_batched_timer(Duration::from_millis(500), 1000);
        let ping = PingConfig {
            timer: timer.clone(),
            interval: Duration::from_secs(10),
            timeout: Duration::from_secs(5),
        };
        let mut sessions = Vec::new();
        for id in 1..=10_000 {
            let (tx, rx) = futures_channel::mpsc::unbounded();
            sessions.push((
                Session::established(
                    id,
                    Dict::new(),
                    tx,
                    &SessionConfig {
                        ping: Some(ping.clone()),
                    },
                ),
                rx,
            ));
            // Sessions join over time, as on a real server.
            if id % 1000 == 0 {
                clock.advance(Duration::from_millis(300));
            }
        }
        assert_eq!(timer.pending(), 10_000, "one pending ping per session");
        assert!(
            clock.pending() <= 8,
            "{} runtime timers for 10,000 sessions",
            clock.pending()
        );
        clock.advance(Duration::from_secs(11));
        for (session, rx) in &mut sessions {
            let frames = sent(rx);
            let [Frame::Ping(payload)] = frames.as_slice() else {
                panic!("expected one ping, got {frames:?}")
            };
            assert!(session.on_frame(Frame::Pong(payload.clone())));
        }
        clock.advance(Duration::from_secs(6));
        assert!(
            sessions.iter().all(|(s, _)| s.is_open()),
            "every session answered its ping"
        );
        assert!(clock.pending() <= 8, "still a handful: {}", clock.pending());
    });
}
