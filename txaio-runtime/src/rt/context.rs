//! Which backend is current on this thread, which runtime instance a `Txaio` scoped it to,
//! and whether the thread is driving tasks (where a blocking wait would deadlock).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::{DEFAULT, Instance, Runtime};

thread_local! {
    static CURRENT: Cell<Option<Runtime>> = const { Cell::new(None) };
    /// The runtime instance a `Txaio` (or a task spawned through one) scoped this thread to.
    static INSTANCE: RefCell<Option<Instance>> = const { RefCell::new(None) };
    /// Polls of txaio futures in progress on this thread (tasks, timers, `block_on` bodies).
    static DRIVING: Cell<u32> = const { Cell::new(0) };
    /// Set while a txaio blocking-pool job runs: a blocking wait is fine there.
    static BLOCKING_POOL: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is inside the poll of a txaio future.
pub(crate) fn driving() -> bool {
    DRIVING.with(Cell::get) > 0
}

/// Whether this thread is running a txaio blocking-pool job.
pub(crate) fn in_blocking_pool() -> bool {
    BLOCKING_POOL.with(Cell::get)
}

/// Runs `f` marked as a blocking-pool job (for the runtime-thread check).
pub(crate) fn as_blocking_job<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            BLOCKING_POOL.with(|flag| flag.set(self.0));
        }
    }
    let _restore = Restore(BLOCKING_POOL.with(|flag| flag.replace(true)));
    // A blocking job is not driving tasks, even when the pool runs it on a polling thread.
    let _driving = DrivingReset(DRIVING.with(|depth| depth.replace(0)));
    f()
}

/// Runs `f` as a txaio timer callback: the thread counts as a runtime thread meanwhile, also
/// when the virtual clock fires it from a test's own thread.
pub(crate) fn as_timer_callback<R>(f: impl FnOnce() -> R) -> R {
    let depth = DRIVING.with(|depth| depth.replace(depth.get() + 1));
    let _driving = DrivingReset(depth);
    f()
}

struct DrivingReset(u32);

impl Drop for DrivingReset {
    fn drop(&mut self) {
        DRIVING.with(|depth| depth.set(self.0));
    }
}

/// The instance this thread is scoped to, if it belongs to `runtime`.
pub(crate) fn instance_of(runtime: Runtime) -> Option<Instance> {
    INSTANCE.with(|instance| {
        instance
            .borrow()
            .as_ref()
            .filter(|instance| instance.runtime() == runtime)
            .cloned()
    })
}

/// Scopes this thread to `instance` (and makes its backend current) for the duration of `f`.
pub(crate) fn scoped<R>(instance: &Instance, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Instance>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            INSTANCE.with(|instance| *instance.borrow_mut() = previous);
        }
    }
    let previous = INSTANCE.with(|slot| slot.borrow_mut().replace(instance.clone()));
    let _restore = Restore(previous);
    let _entered = enter(instance.runtime());
    f()
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
        let depth = DRIVING.with(|depth| depth.replace(depth.get() + 1));
        let _driving = DrivingReset(depth);
        this.future.poll(cx)
    }
}

pin_project! {
    /// A future that keeps a runtime instance (a `Txaio`'s) in scope while it is polled, so that
    /// the tasks and timers it starts stay on that instance.
    #[derive(Debug)]
    pub(crate) struct InInstance<F> {
        // Moved into the thread-local for each poll and back, never cloned.
        instance: Option<Instance>,
        // An application's own smol executor, held weakly: the executor holds its tasks, and a
        // task holding the executor would keep both alive for ever once the application drops
        // it (and the task's deferred pending, instead of failing with `RuntimeStoppedError`).
        executor: Option<WeakExecutor>,
        #[pin]
        future: F,
    }
}

/// A smol executor, held weakly.
#[cfg(feature = "smol")]
type WeakExecutor = std::sync::Weak<::smol::Executor<'static>>;
#[cfg(not(feature = "smol"))]
type WeakExecutor = std::convert::Infallible;

/// The instance of a weakly held executor, if it is still there.
#[cfg(feature = "smol")]
fn upgrade(executor: &WeakExecutor) -> Option<Instance> {
    executor
        .upgrade()
        .map(|executor| Instance::Smol(Some(executor)))
}

#[cfg(not(feature = "smol"))]
#[allow(clippy::trivially_copy_pass_by_ref)] // the same signature as with smol
fn upgrade(executor: &WeakExecutor) -> Option<Instance> {
    match *executor {}
}

impl<F> InInstance<F> {
    pub(crate) fn new(instance: Instance, future: F) -> Self {
        #[cfg(feature = "smol")]
        if let Instance::Smol(Some(executor)) = &instance {
            return InInstance {
                instance: None,
                executor: Some(std::sync::Arc::downgrade(executor)),
                future,
            };
        }
        InInstance {
            instance: Some(instance),
            executor: None,
            future,
        }
    }
}

impl<F: Future> Future for InInstance<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        struct Swap<'a>(&'a mut Option<Instance>, Option<Instance>, bool);
        impl Drop for Swap<'_> {
            fn drop(&mut self) {
                let scoped =
                    INSTANCE.with(|slot| std::mem::replace(&mut *slot.borrow_mut(), self.1.take()));
                // A weakly held executor's strong handle lives only for the poll.
                if self.2 {
                    *self.0 = scoped;
                }
            }
        }
        let this = self.project();
        let (scoped, owned) = match this.executor {
            Some(executor) => (upgrade(executor), false),
            None => (this.instance.take(), true),
        };
        let previous = INSTANCE.with(|slot| std::mem::replace(&mut *slot.borrow_mut(), scoped));
        let _swap = Swap(this.instance, previous, owned);
        this.future.poll(cx)
    }
}
