//! txaio's logging beside other libraries' `log` and `tracing` records: the Bunny example of
//! Python txaio's docs.
//!
//! ```text
//! cargo run --example log_interop
//! ```

// ANCHOR: bunny
struct Bunny {
    log: txaio::Logger,
}

impl Bunny {
    fn new() -> Bunny {
        Bunny {
            log: txaio::make_logger!(),
        }
    }

    fn hop(&self, times: u32) {
        self.log.trace(format_args!("Bunny.hop(times={times})"));
        self.log.debug(format_args!("Hopping {times} times."));
        let outcome = txaio::as_future(|| -> Result<(), txaio::Failure> {
            Err(txaio::Failure::msg("Fox spotted!"))
        });
        txaio::add_errback(&outcome, {
            let log = self.log;
            move |fail| log.critical(format_args!("{}", txaio::failure_format_traceback(fail)))
        });
    }
}
// ANCHOR_END: bunny

/// A library that logs through the `log` crate.
mod uses_log {
    pub(crate) fn connect() {
        log::info!("log crate: connecting");
        log::debug!("log crate: handshake bytes sent");
    }
}

/// A library that logs through `tracing`.
mod uses_tracing {
    pub(crate) fn serve() {
        tracing::warn!(port = 8080, "tracing: serving without TLS");
    }
}

fn main() {
    println!("output before start_logging");
    // ANCHOR: start
    txaio::start_logging(txaio::LogLevel::Debug).expect("nothing else installed a logger");
    // ANCHOR_END: start
    println!("output after start_logging");
    let jack = Bunny::new();
    jack.hop(42);
    uses_log::connect();
    uses_tracing::serve();

    // ANCHOR: level
    txaio::set_global_log_level(txaio::LogLevel::Warn);
    jack.hop(1); // only the critical line now
    uses_log::connect(); // silent
    // ANCHOR_END: level
}
