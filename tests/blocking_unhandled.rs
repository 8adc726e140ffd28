//! The book, "From blocking code": an `EventualResult` that failed and was never waited for is logged, also when the
//! failure arrives on another thread after the result was dropped. Ports of crochet's
//! `test_error_after_gc_logged` and `test_weakref`. Records are collected from every thread
//! through txaio's own global writer; each test looks only for its own error message.

mod blocking_support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use blocking_support::{LONG, on_every_backend};
use txaio::blocking::{self, EventualResult};
use txaio::{Failure, LogLevel};

#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn lines() -> &'static Lines {
    static LINES: OnceLock<Lines> = OnceLock::new();
    LINES.get_or_init(|| {
        let lines = Lines::default();
        txaio::start_logging_with_writer(LogLevel::Info, lines.clone()).unwrap();
        lines
    })
}

/// How many "Unhandled error in EventualResult" lines name `marker`.
fn reports_of(marker: &str) -> usize {
    let text = String::from_utf8_lossy(&lines().0.lock().unwrap()).into_owned();
    text.lines()
        .filter(|line| {
            line.contains("Unhandled error in EventualResult: ") && line.contains(marker)
        })
        .count()
}

/// Waits, boundedly, until `marker` was reported at least once.
fn until_reported(marker: &str) -> usize {
    let started = Instant::now();
    while reports_of(marker) == 0 && started.elapsed() < LONG {
        std::thread::sleep(Duration::from_millis(1));
    }
    reports_of(marker)
}

fn result_of(d: &txaio::Deferred<u32>) -> EventualResult<u32> {
    let source = d.clone();
    blocking::run_in_runtime(move || source)
}

#[test]
fn test_error_after_gc_logged() {
    lines();
    on_every_backend(|txaio| {
        let marker = format!("after-gc-{}", txaio.runtime());
        let d = txaio::create_future::<u32>();
        drop(result_of(&d));
        txaio::reject(&d, Failure::msg(&marker)).unwrap();
        assert_eq!(until_reported(&marker), 1);
    });
}

#[test]
fn test_weakref() {
    // Registered for shutdown, yet not kept alive by the registry: the dropped result is gone
    // when its failure arrives, which is then reported as nobody's.
    lines();
    on_every_backend(|txaio| {
        let marker = format!("weakref-{}", txaio.runtime());
        let d = txaio::create_future::<u32>();
        let er = result_of(&d);
        let _ = er.wait(Duration::from_millis(5));
        drop(er);
        txaio::reject(&d, Failure::msg(&marker)).unwrap();
        assert_eq!(until_reported(&marker), 1);
    });
}

#[test]
fn a_seen_failure_a_success_or_a_wait_for_timeout_is_not_logged() {
    lines();
    on_every_backend(|txaio| {
        let marker = format!("seen-{}", txaio.runtime());
        let waited = blocking::run_in_runtime({
            let marker = marker.clone();
            move || Err::<u32, _>(Failure::msg(marker))
        });
        assert!(waited.wait(LONG).is_err());
        let looked_at = blocking::run_in_runtime({
            let marker = marker.clone();
            move || Err::<u32, _>(Failure::msg(marker))
        });
        while looked_at.original_failure().is_none() {
            std::thread::sleep(Duration::from_millis(1));
        }
        let after_timeout = blocking::wait_for(Duration::ZERO, txaio::create_future::<u32>);
        assert!(after_timeout.unwrap_err().is::<txaio::TimeoutError>());
        drop((waited, looked_at));
        // A marker of the same test, logged after the ones above could have been.
        let sentinel = format!("sentinel-{}", txaio.runtime());
        let d = txaio::create_future::<u32>();
        drop(result_of(&d));
        txaio::reject(&d, Failure::msg(&sentinel)).unwrap();
        assert_eq!(until_reported(&sentinel), 1);
        assert_eq!(reports_of(&marker), 0);
        let text = String::from_utf8_lossy(&lines().0.lock().unwrap()).into_owned();
        assert!(!text.contains("CancelledError"), "{text}");
    });
}
