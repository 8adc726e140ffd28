//! The simulation's executor: one thread, tasks in a table, the next one to poll picked by the
//! seed among those ready; when none is ready, time jumps to the next timer or packet.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use super::net::{HostId, State};
use super::rng::{IdMap, Rng, nanos};
use super::{Config, SimError};
use crate::testutil::VirtualClock;

/// What a task gives back: `Err` with a message fails the run (a client's or a host's
/// software's error).
pub(crate) type TaskFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// What makes a host's software again when it restarts.
pub(crate) type Software = Arc<dyn Fn() -> TaskFuture + Send + Sync>;

thread_local! {
    static WORLD: RefCell<Option<Arc<World>>> = const { RefCell::new(None) };
    /// The host whose task is being polled on this thread.
    static HOST: Cell<Option<HostId>> = const { Cell::new(None) };
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The simulation running on this thread, if any.
pub(crate) fn current() -> Option<Arc<World>> {
    WORLD.with(|world| world.borrow().clone())
}

/// Whether a simulation runs on this thread (cheap: no clone).
pub(crate) fn active() -> bool {
    WORLD.with(|world| world.borrow().is_some())
}

/// The host of the task being polled.
pub(crate) fn current_host() -> Option<HostId> {
    HOST.with(Cell::get)
}

pub(crate) struct HostScope(Option<HostId>);

impl HostScope {
    pub(crate) fn enter(host: Option<HostId>) -> HostScope {
        HostScope(HOST.with(|current| current.replace(host)))
    }
}

impl Drop for HostScope {
    fn drop(&mut self) {
        HOST.with(|current| current.set(self.0));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A client: the run ends when every client has finished.
    Client,
    /// A host's software: an error fails the run; ending is fine (a server that stopped).
    Software,
    /// A task spawned by code in the simulation.
    Spawned,
}

struct Task {
    host: Option<HostId>,
    epoch: u64,
    kind: Kind,
    future: TaskFuture,
    waker: Waker,
}

struct ReadyQueue {
    inner: Mutex<Ready>,
}

#[derive(Default)]
struct Ready {
    queue: Vec<u64>,
    queued: HashSet<u64, std::hash::BuildHasherDefault<super::rng::IdHasher>>,
}

impl ReadyQueue {
    fn push(&self, id: u64) {
        let mut ready = lock(&self.inner);
        if ready.queued.insert(id) {
            ready.queue.push(id);
        }
    }
}

struct TaskWaker {
    id: u64,
    ready: Arc<ReadyQueue>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.ready.push(self.id);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.ready.push(self.id);
    }
}

#[derive(Default)]
struct Exec {
    tasks: IdMap<Task>,
    next_id: u64,
    clients_left: usize,
    polls: u64,
}

/// One simulation: its executor and its network.
pub(crate) struct World {
    pub(crate) config: Config,
    pub(crate) state: Mutex<State>,
    exec: Mutex<Exec>,
    ready: Arc<ReadyQueue>,
    /// The schedule's own stream, so that adding a packet does not reorder the tasks.
    schedule: Mutex<Rng>,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("seed", &self.config.seed)
            .finish_non_exhaustive()
    }
}

/// What a finished run measured.
pub(crate) struct RunReport {
    pub(crate) elapsed: Duration,
    pub(crate) polls: u64,
}

impl World {
    pub(crate) fn new(config: Config) -> Arc<World> {
        let state = State::new(&config);
        Arc::new(World {
            schedule: Mutex::new(Rng::new(config.seed ^ 0x05EE_D0F5_C4ED)),
            config,
            state: Mutex::new(state),
            exec: Mutex::new(Exec::default()),
            ready: Arc::new(ReadyQueue {
                inner: Mutex::new(Ready::default()),
            }),
        })
    }

    /// Adds a task on `host` (`None`: outside every host, e.g. from a timer callback).
    pub(crate) fn spawn(&self, host: Option<HostId>, kind: Kind, future: TaskFuture) {
        let epoch = match host {
            Some(host) => {
                let state = lock(&self.state);
                if !state.host_alive(host) {
                    drop(state);
                    // A crashed host runs nothing: the task goes (its deferred fails with
                    // `RuntimeStoppedError`), as on a stopped runtime.
                    let _host = HostScope::enter(Some(host));
                    drop(future);
                    return;
                }
                state.host_epoch(host)
            }
            None => 0,
        };
        let mut exec = lock(&self.exec);
        let id = exec.next_id;
        exec.next_id += 1;
        if kind == Kind::Client {
            exec.clients_left += 1;
        }
        let waker = Waker::from(Arc::new(TaskWaker {
            id,
            ready: Arc::clone(&self.ready),
        }));
        exec.tasks.insert(
            id,
            Task {
                host,
                epoch,
                kind,
                future,
                waker,
            },
        );
        drop(exec);
        self.ready.push(id);
    }

    /// Drops every task of `host` (a crash): clients among them count as finished.
    pub(crate) fn drop_tasks_of(&self, host: HostId) {
        let mut exec = lock(&self.exec);
        let mut ids: Vec<u64> = exec
            .tasks
            .iter()
            .filter(|(_, task)| task.host == Some(host))
            .map(|(&id, _)| id)
            .collect();
        // Dropped in the order they were spawned, in every run.
        ids.sort_unstable();
        let mut dropped = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(task) = exec.tasks.remove(&id) {
                if task.kind == Kind::Client {
                    exec.clients_left -= 1;
                }
                dropped.push(task);
            }
        }
        drop(exec);
        // Outside the lock, as the host's own code: dropping a task drops its sockets and
        // timers.
        let _host = HostScope::enter(Some(host));
        drop(dropped);
    }

    fn next_ready(&self) -> Option<u64> {
        let mut ready = lock(&self.ready.inner);
        if ready.queue.is_empty() {
            return None;
        }
        let index = lock(&self.schedule).below(ready.queue.len());
        let id = ready.queue.swap_remove(index);
        ready.queued.remove(&id);
        Some(id)
    }

    fn poll_task(&self, id: u64, now: Duration) -> Result<(), SimError> {
        let Some(mut task) = lock(&self.exec).tasks.remove(&id) else {
            return Ok(());
        };
        lock(&self.exec).polls += 1;
        lock(&self.state).record(&[1, id, nanos(now)]);
        let outcome = {
            let _host = HostScope::enter(task.host);
            let mut cx = Context::from_waker(&task.waker);
            crate::panic::catch(|| task.future.as_mut().poll(&mut cx))
        };
        let host_name = |world: &World| {
            task.host.map_or_else(
                || "(no host)".to_owned(),
                |host| lock(&world.state).host_name(host).to_owned(),
            )
        };
        match outcome {
            Ok(Poll::Pending) => {
                let alive = task
                    .host
                    .is_none_or(|host| lock(&self.state).host_epoch(host) == task.epoch);
                if alive {
                    lock(&self.exec).tasks.insert(id, task);
                } else if task.kind == Kind::Client {
                    // Its host crashed while it ran: it ends with the host.
                    lock(&self.exec).clients_left -= 1;
                }
                Ok(())
            }
            Ok(Poll::Ready(Ok(()))) => {
                if task.kind == Kind::Client {
                    lock(&self.exec).clients_left -= 1;
                }
                Ok(())
            }
            Ok(Poll::Ready(Err(message))) => Err(SimError::Failed {
                host: host_name(self),
                message,
                at: now,
            }),
            Err(panic) => Err(SimError::Panicked {
                host: host_name(self),
                message: panic.to_string(),
                at: now,
            }),
        }
    }

    /// Runs until every client has finished, a task fails, nothing can happen any more, or
    /// the time limit passes.
    pub(crate) fn drive(self: &Arc<Self>, clock: &VirtualClock) -> Result<RunReport, SimError> {
        // Polls since time last moved: tasks that keep each other busy for ever (a loop of
        // yields) would otherwise hang the run with time standing still.
        let mut polls_now: u64 = 0;
        let mut instant = clock.now();
        loop {
            if lock(&self.exec).clients_left == 0 {
                return Ok(RunReport {
                    elapsed: clock.now(),
                    polls: lock(&self.exec).polls,
                });
            }
            if let Some(id) = self.next_ready() {
                let now = clock.now();
                if now == instant {
                    polls_now += 1;
                    if polls_now > self.config.polls_per_instant {
                        return Err(SimError::Busy {
                            at: now,
                            polls: polls_now - 1,
                        });
                    }
                } else {
                    (instant, polls_now) = (now, 1);
                }
                self.poll_task(id, now)?;
                continue;
            }
            let now = clock.now();
            let next_packet = lock(&self.state).next_event_at();
            let next = match (clock.next_due(), next_packet) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let Some(next) = next else {
                return Err(SimError::Stalled {
                    at: now,
                    tasks: lock(&self.exec).tasks.len(),
                });
            };
            if next > self.config.time_limit {
                return Err(SimError::TimeLimit {
                    limit: self.config.time_limit,
                });
            }
            // Timers fire first, in deadline order, then the packets due at that time; a timer
            // due now (a zero delay) fires with `advance(0)`.
            clock.advance(next.saturating_sub(now));
            let wakers = lock(&self.state).deliver_due(clock.now());
            for waker in wakers {
                waker.wake();
            }
        }
    }

    /// Drops what is left (servers still serving) with the world still installed, so their
    /// sockets and timers find it; tasks their drops spawn are dropped too.
    fn drop_all(&self) {
        for _ in 0..16 {
            let tasks = std::mem::take(&mut lock(&self.exec).tasks);
            if tasks.is_empty() {
                break;
            }
            let mut tasks: Vec<_> = tasks.into_iter().collect();
            tasks.sort_unstable_by_key(|(id, _)| *id);
            drop(tasks);
        }
    }
}

/// Installs `world` on this thread for the duration of `f`, then drops its tasks.
pub(crate) fn with_world<R>(world: &Arc<World>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<World>>, Arc<World>);
    impl Drop for Restore {
        fn drop(&mut self) {
            self.1.drop_all();
            let previous = self.0.take();
            WORLD.with(|slot| *slot.borrow_mut() = previous);
        }
    }
    let previous = WORLD.with(|slot| slot.borrow_mut().replace(Arc::clone(world)));
    let _restore = Restore(previous, Arc::clone(world));
    f()
}
