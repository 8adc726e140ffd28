//! Which backend is current on this thread.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::{DEFAULT, Runtime};

thread_local! {
    static CURRENT: Cell<Option<Runtime>> = const { Cell::new(None) };
}

/// The backend txaio calls go to on this thread.
pub fn current() -> Runtime {
    CURRENT.with(Cell::get).unwrap_or(DEFAULT)
}

/// Makes `runtime` current on this thread until the guard drops.
pub fn enter(runtime: Runtime) -> EnterGuard {
    let previous = CURRENT.with(|current| current.replace(Some(runtime)));
    EnterGuard { previous }
}

/// Restores the previously current backend on drop.
#[derive(Debug)]
pub struct EnterGuard {
    previous: Option<Runtime>,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        CURRENT.with(|current| current.set(self.previous));
    }
}

pin_project! {
    /// A future that keeps its backend current on whichever thread polls it.
    #[derive(Debug)]
    pub struct InRuntime<F> {
        runtime: Runtime,
        #[pin]
        future: F,
    }
}

impl<F> InRuntime<F> {
    /// Wraps `future` so that `runtime` is current while it is polled.
    pub fn new(runtime: Runtime, future: F) -> Self {
        InRuntime { runtime, future }
    }
}

impl<F: Future> Future for InRuntime<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _entered = enter(*this.runtime);
        this.future.poll(cx)
    }
}
