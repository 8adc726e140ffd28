//! What `set_debugging(true)` records on a deferred: where it was created and first fired.

use std::backtrace::{Backtrace, BacktraceStatus};
use std::fmt;
use std::panic::Location;

use crate::failure::is_debugging;

/// Creation and first-firing sites of one deferred; only made while debugging is on.
pub(crate) struct Sites {
    created: &'static Location<'static>,
    created_trace: Backtrace,
    fired: Option<(&'static Location<'static>, Backtrace)>,
}

impl Sites {
    /// `Some` only while [`set_debugging`](crate::set_debugging) is on: off, a deferred pays
    /// one relaxed load at creation and nothing else.
    #[inline]
    pub(crate) fn if_debugging(created: &'static Location<'static>) -> Option<Box<Sites>> {
        is_debugging().then(|| {
            Box::new(Sites {
                created,
                created_trace: Backtrace::force_capture(),
                fired: None,
            })
        })
    }

    /// Records the first firing; `trace` was captured before the deferred's lock was taken
    /// (capturing takes microseconds), `None` if debugging was off by then.
    pub(crate) fn fired_at(
        &mut self,
        location: &'static Location<'static>,
        trace: Option<Backtrace>,
    ) {
        if self.fired.is_none() {
            self.fired = Some((location, trace.unwrap_or_else(Backtrace::disabled)));
        }
    }

    pub(crate) fn first_fired(&self) -> Option<&'static Location<'static>> {
        self.fired.as_ref().map(|(location, _)| *location)
    }
}

impl fmt::Display for Sites {
    /// The lines the unhandled-error report appends.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\nthe deferred was created at {}", self.created)?;
        if let Some((location, _)) = &self.fired {
            write!(f, "\nand first fired at {location}")?;
        }
        write!(f, "\ncreated:\n{}", self.created_trace)?;
        if let Some((_, trace)) = &self.fired
            && trace.status() == BacktraceStatus::Captured
        {
            write!(f, "\nfired:\n{trace}")?;
        }
        Ok(())
    }
}
