//! The book, "Logging": with no `tracing` subscriber, an application that logs through the `log` crate
//! receives txaio's records, with the namespace as target.

use std::sync::Mutex;

struct Recorder(Mutex<Vec<(log::Level, String, String)>>);

impl log::Log for Recorder {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let entry = (
            record.level(),
            record.target().to_owned(),
            record.args().to_string(),
        );
        self.0.lock().unwrap().push(entry);
    }

    fn flush(&self) {}
}

static RECORDER: Recorder = Recorder(Mutex::new(Vec::new()));

#[test]
fn txaio_records_reach_a_log_crate_logger() {
    log::set_logger(&RECORDER).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let log = txaio::make_logger!();
    txaio::warn!(log, "through {}", "log");
    txaio::critical!(log, "critical becomes error");
    txaio::debug!(log, "below txaio's level: not sent");
    let records = RECORDER.0.lock().unwrap().clone();
    assert_eq!(
        records,
        [
            (
                log::Level::Warn,
                module_path!().to_owned(),
                "through log".to_owned()
            ),
            (
                log::Level::Error,
                module_path!().to_owned(),
                "critical becomes error".to_owned()
            ),
        ]
    );
}
