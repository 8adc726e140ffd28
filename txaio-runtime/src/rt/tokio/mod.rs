//! The tokio backend.

use std::future::Future;
use std::sync::{Mutex, OnceLock, PoisonError};

use crate::errors::Panic;

use tokio::runtime::{Builder, Handle};

mod net;
pub(crate) use net::*;

fn handle() -> Handle {
    // A thread scoped to a `Txaio`'s tokio runtime uses that one, entered or not.
    if let Some(super::Instance::Tokio(handle)) = super::instance_of(super::Runtime::Tokio) {
        return handle;
    }
    running_handle()
}

/// The tokio runtime this thread is in, or the panic that says how to get one.
fn running_handle() -> Handle {
    Handle::try_current().unwrap_or_else(|_| {
        panic!(
            "txaio: this call needs a running tokio runtime, and none is running on this thread. \
             Run your code inside `#[txaio::main]` or `#[txaio::test]`, inside a tokio runtime \
             (`#[tokio::main]`, `Runtime::enter`), or select the `smol` backend, which needs no setup"
        )
    })
}

/// Spawns a detached task on the runtime this thread is in (the caller has checked for a
/// scoped `Txaio` instance).
pub(crate) fn spawn<F: Future<Output = ()> + Send + 'static>(future: F) {
    if tokio::task::try_id().is_some() {
        // Inside a tokio task, so almost always inside its runtime: `tokio::spawn` finds it
        // without the handle clone (two atomic operations) `Handle::try_current` makes. The
        // exception is a task's output dropped with its `JoinHandle` on a thread outside any
        // runtime (tokio sets the task's id there too): tokio's panic then becomes txaio's,
        // which says how to get a runtime.
        if let Err(tokio_panic) = crate::panic::catch(|| drop(tokio::spawn(future))) {
            drop(running_handle());
            panic!("{tokio_panic}");
        }
    } else {
        drop(running_handle().spawn(future));
    }
}

/// Runs `f` on tokio's blocking pool.
pub(crate) fn spawn_blocking<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, Panic>) + Send + 'static,
) {
    drop(handle().spawn_blocking(move || {
        done(crate::panic::catch(f));
    }));
}

/// tokio's timer for `deadline`, made here so that a runtime without a time driver panics
/// with the fix in the caller, not silently in a detached task.
pub(crate) fn sleep_until(deadline: std::time::Instant) -> super::Sleep {
    let runtime = handle();
    // Entered, so that tokio makes the timer on that runtime's driver.
    let _entered = runtime.enter();
    let deadline = tokio::time::Instant::from_std(deadline);
    // tokio checks for its time driver when the timer is made; its own panic would not say
    // how to build the runtime.
    match crate::panic::catch(|| tokio::time::sleep_until(deadline)) {
        Ok(sleep) => super::Sleep::Tokio { sleep },
        Err(tokio_panic) => panic!(
            "txaio: the running tokio runtime has no timers: it was built without its time \
             driver. Build it with `enable_time()` or `enable_all()` on \
             `tokio::runtime::Builder`, or run your code inside `#[txaio::main]` (tokio: \
             {tokio_panic})"
        ),
    }
}

fn build(builder: &mut Builder) -> tokio::runtime::Runtime {
    builder
        .enable_all()
        .build()
        .unwrap_or_else(|error| panic!("txaio: could not start the tokio runtime: {error}"))
}

/// Runs `future` on a new multi-thread runtime, as `#[tokio::main]` does.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    build(&mut Builder::new_multi_thread()).block_on(future)
}

/// Runs `future` on a new current-thread runtime, as `#[tokio::test]` does.
pub(crate) fn block_on_test<F: Future>(future: F) -> F::Output {
    build(&mut Builder::new_current_thread()).block_on(future)
}

/// A tokio runtime instance, by its handle.
pub(crate) type Instance = Handle;

/// Whether both handles drive the same runtime.
pub(crate) fn same(a: &Handle, b: &Handle) -> bool {
    a.id() == b.id()
}

/// The entered runtime, if any.
pub(crate) fn current_instance() -> Option<super::Instance> {
    Handle::try_current().ok().map(super::Instance::Tokio)
}

/// Spawns a detached task on `handle`'s runtime, from any thread.
pub(crate) fn spawn_in<F: Future<Output = ()> + Send + 'static>(handle: &Handle, future: F) {
    drop(handle.spawn(future));
}

/// Runs `f` on `handle`'s blocking pool.
pub(crate) fn spawn_blocking_in<R: Send + 'static>(
    handle: &Handle,
    f: impl FnOnce() -> R + Send + 'static,
    done: impl FnOnce(Result<R, Panic>) + Send + 'static,
) {
    drop(handle.spawn_blocking(move || {
        done(crate::panic::catch(f));
    }));
}

/// Where a blocking wait could deadlock tokio: a worker thread (or the thread driving a
/// current-thread runtime), or a thread inside the poll of a tokio task or `block_on` (a
/// `LocalSet`'s tasks, a multi-thread runtime's `block_on`). Not tokio's blocking pool
/// (`spawn_blocking`, `block_in_place`), nor a plain thread that only entered a runtime:
/// neither runs tasks. `Handle::try_current` answers yes on all of them, and `task::try_id`
/// on the blocking pool too.
pub(crate) fn is_runtime_thread() -> bool {
    if tokio::runtime::worker_index().is_some() {
        return true;
    }
    Handle::try_current().is_ok() && polling()
}

/// Whether this thread is inside a poll that tokio budgets: tokio gives each poll of a task or
/// of a `block_on` future a cooperative budget, and runs everything else (its blocking pool,
/// `block_in_place`, code that merely entered a runtime) unconstrained. The budget cannot be
/// read, only spent: this spends it one unit at a time until tokio says it is used up (a
/// budget is at most 255 units), then gives every unit back, as `poll_proceed` documents.
fn polling() -> bool {
    if !tokio::task::coop::has_budget_remaining() {
        return true;
    }
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    exhausts_budget(&mut cx, u32::from(u8::MAX))
}

/// Spends one unit, and `left` more; each is restored as its `RestoreOnPending` drops.
fn exhausts_budget(cx: &mut std::task::Context<'_>, left: u32) -> bool {
    match tokio::task::coop::poll_proceed(cx) {
        std::task::Poll::Pending => true,
        std::task::Poll::Ready(restore) => {
            let exhausted = left > 0 && exhausts_budget(cx, left - 1);
            // Restores the budget as it was before this unit was spent.
            drop(restore);
            exhausted
        }
    }
}

/// Yields to the scheduler; tokio's own version also lets the I/O and timer driver run.
pub(crate) async fn yield_now() {
    tokio::task::yield_now().await;
}

static BACKGROUND: Mutex<Option<tokio::runtime::Runtime>> = Mutex::new(None);

/// The background runtime of `blocking::setup`, started on first use: a multi-thread runtime
/// whose threads are named `txaio-runtime`.
pub(crate) fn background() -> super::Instance {
    static HANDLE: OnceLock<Handle> = OnceLock::new();
    let handle = HANDLE.get_or_init(|| {
        let runtime = build(Builder::new_multi_thread().thread_name("txaio-runtime"));
        let handle = runtime.handle().clone();
        *BACKGROUND.lock().unwrap_or_else(PoisonError::into_inner) = Some(runtime);
        handle
    });
    super::Instance::Tokio(handle.clone())
}

/// Stops the background runtime, if it was started, without waiting for its tasks (its
/// blocking jobs run on to their end).
pub(crate) fn shutdown_background() {
    let runtime = BACKGROUND
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    if let Some(runtime) = runtime {
        runtime.shutdown_background();
    }
}
