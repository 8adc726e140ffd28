//! The runtime half of [txaio](https://docs.rs/txaio): use it through the `txaio` crate.
//!
//! It holds [`Deferred`] and its functions, [`Failure`], [`gather`], the timers, the
//! backends for tokio, smol and async-std, and [`testutil`]. The `txaio` facade re-exports
//! all of it beside the macros; depend on `txaio`, not on this crate.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Without a backend (a library that leaves the choice to its application), every
// runtime-dependent call ends in a panic naming the features: the code after it, and the
// arguments it would have used, are unreachable and unused by design.
#![cfg_attr(
    not(any(feature = "tokio", feature = "smol", feature = "async-std")),
    allow(
        unused_variables,
        unreachable_code,
        unreachable_patterns,
        dead_code,
        clippy::unused_async,
        clippy::needless_pass_by_value,
        clippy::drop_non_drop,
        clippy::never_loop
    )
)]

pub mod blocking;
mod coiterate;
mod combine;
mod deferred;
mod errors;
mod failure;
mod instance;
mod log;
pub mod net;
mod panic;
mod report;
mod rt;
mod short_lock;
#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod sim;
mod sync;
pub mod testutil;
mod time;
mod trampoline;

#[doc(hidden)]
pub mod __private;

pub use blocking::RuntimeThreadError;
pub use coiterate::coiterate;
pub use combine::gather;
pub use combine::{
    DeferredList, DeferredListResult, FailureGroup, FirstError, gather_results, race,
};
pub use deferred::{CloneOnAwait, Take};
pub use deferred::{
    Deferred, IntoDeferred, add_callback, add_callbacks, add_errback, as_future, cancel,
    create_future, create_future_error, create_future_success, create_future_with_canceller,
    defer_to_thread, is_called, reject, resolve, spawn,
};
pub use deferred::{add_both, recover, shield, then};
pub use errors::TakenError;
pub use errors::{AlreadyCalledError, CancelledError, Panic, TimeoutError};
pub use failure::{
    Failure, create_failure, failure_format_traceback, failure_message, failure_traceback,
    is_debugging, set_debugging,
};
pub use instance::{Config, Txaio, with_config};
pub use log::{
    LogLevel, Logger, LoggingError, ParseLogLevelError, global_log_level, set_global_log_level,
    start_logging, start_logging_with_writer,
};
pub use rt::{
    ParseRuntimeError, Runtime, USING_ASYNC_STD, USING_SMOL, USING_TOKIO, current_runtime, runtime,
};
pub use sync::{
    DeferredLock, DeferredLockGuard, DeferredQueue, DeferredSemaphore, Lock, QueueClosed,
    QueueOverflow, QueueUnderflow, TryPutError,
};
pub use time::deadline::{Deadline, deadline, now, sleep_until};
pub use time::timeout;
pub use time::{BatchedTimer, DelayedCall, call_later, make_batched_timer, sleep};
pub use time::{Interval, interval};
pub use time::{WithTimeout, with_timeout};
