//! One trampoline for the work that would otherwise recurse once per link: firing a chain's
//! next deferred from inside the previous one's callbacks, dropping a chain that never fired
//! link by link, and handing a released lock or a put value to the next waiter from inside
//! the previous waiter's callbacks.
//!
//! Each use keeps a thread-local [`Trampoline`] of its own jobs. Work runs nested, as its
//! caller expects, until `limit` levels are running on the thread; deeper work is queued, and
//! the outermost level runs the queue once its own work is done: in order for settles and
//! hand-overs, newest first for drops (depth first, as recursion would drop them). The stack stays
//! bounded at any length and the time linear. A [`Level`] puts the depth back when it ends,
//! also when the work unwinds (a panicking `Drop` of a user's value): a depth left raised
//! would queue every later job on that thread, and run none of them, for ever.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::thread::LocalKey;

/// A thread's nesting depth for one kind of work, and the jobs queued behind it: two
/// thread-locals, declared by the user of the trampoline. The depth is a plain `Cell` (no
/// destructor, so reading it costs no more than a field, and it stays readable while a
/// thread exits); the queue is touched only when work is queued or drained.
pub(crate) struct Trampoline<J: 'static> {
    depth: &'static LocalKey<Cell<u32>>,
    queue: &'static LocalKey<RefCell<VecDeque<J>>>,
}

impl<J: 'static> Trampoline<J> {
    pub(crate) const fn new(
        depth: &'static LocalKey<Cell<u32>>,
        queue: &'static LocalKey<RefCell<VecDeque<J>>>,
    ) -> Self {
        Trampoline { depth, queue }
    }

    /// One more level of work on this thread, if fewer than `limit` are running; `None`: the
    /// work must be queued with [`push`](Trampoline::push) instead.
    pub(crate) fn enter(&self, limit: u32) -> Option<Level<'_, J>> {
        let depth = self.depth.with(Cell::get);
        if depth >= limit {
            return None;
        }
        self.depth.with(|cell| cell.set(depth + 1));
        Some(Level {
            trampoline: self,
            depth,
        })
    }

    /// Whether work is running on this thread.
    pub(crate) fn is_running(&self) -> bool {
        self.depth.with(Cell::get) > 0
    }

    /// Queues `job` behind the others, for the outermost level to run. On a thread whose
    /// thread-locals are already destroyed (it is exiting) there is no queue: the job is
    /// handed back, to be run at once.
    pub(crate) fn push(&self, job: J) -> Result<(), J> {
        let mut job = Some(job);
        let _ = self.queue.try_with(|queue| {
            if let Some(job) = job.take() {
                queue.borrow_mut().push_back(job);
            }
        });
        job.map_or(Ok(()), Err)
    }

    /// The next queued job. The queue is borrowed only here, never while a job runs.
    pub(crate) fn pop(&self) -> Option<J> {
        self.queue
            .try_with(|queue| queue.borrow_mut().pop_front())
            .ok()
            .flatten()
    }

    /// Every queued job, leaving the queue empty.
    pub(crate) fn take_all(&self) -> VecDeque<J> {
        self.queue.try_with(RefCell::take).unwrap_or_default()
    }

    /// Puts `jobs` in front of what is queued, in their order; hands them back on a thread
    /// whose thread-locals are destroyed, to be run at once.
    pub(crate) fn prepend(&self, jobs: VecDeque<J>) -> Result<(), VecDeque<J>> {
        let mut jobs = Some(jobs);
        let _ = self.queue.try_with(|queue| {
            if let Some(mut jobs) = jobs.take() {
                let mut queue = queue.borrow_mut();
                jobs.append(&mut queue);
                *queue = jobs;
            }
        });
        jobs.map_or(Ok(()), Err)
    }

    /// Runs the queued jobs newest first, each with `run`, until none is left: for drops,
    /// where what a drop queues is dropped before the older links, depth first, as plain
    /// recursion would (and with the queue kept short).
    pub(crate) fn drain_newest_first(&self, mut run: impl FnMut(J)) {
        while let Some(job) = self
            .queue
            .try_with(|queue| queue.borrow_mut().pop_back())
            .ok()
            .flatten()
        {
            if let Err(panic) = crate::panic::catch(|| run(job)) {
                crate::report::callback_panicked(&panic);
            }
        }
    }

    /// Runs the queued jobs in order, each with `run`, until none is left (jobs they queue
    /// included). A panic in one is reported and the next runs: a job is user code (a drop)
    /// or contains its own panics, and either way the thread's queue must not be left behind.
    pub(crate) fn drain(&self, mut run: impl FnMut(J)) {
        while let Some(job) = self.pop() {
            if let Err(panic) = crate::panic::catch(|| run(job)) {
                crate::report::callback_panicked(&panic);
            }
        }
    }
}

/// One level of work on a [`Trampoline`]: the depth goes back when it is dropped.
pub(crate) struct Level<'a, J: 'static> {
    trampoline: &'a Trampoline<J>,
    depth: u32,
}

impl<J: 'static> Level<'_, J> {
    /// Whether this is the outermost level on the thread, the one that runs the queue.
    pub(crate) fn is_outermost(&self) -> bool {
        self.depth == 0
    }
}

impl<J: 'static> Drop for Level<'_, J> {
    fn drop(&mut self) {
        let depth = self.depth;
        self.trampoline.depth.with(|cell| cell.set(depth));
    }
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;
    use std::rc::Rc;

    use super::Trampoline;

    thread_local! {
        static DEPTH: Cell<u32> = const { Cell::new(0) };
        static QUEUE: RefCell<VecDeque<u32>> = const { RefCell::new(VecDeque::new()) };
    }

    // Each test runs on a thread of its own: the thread-locals start fresh.
    static TRAMPOLINE: Trampoline<u32> = Trampoline::new(&DEPTH, &QUEUE);

    fn depth() -> u32 {
        DEPTH.with(Cell::get)
    }

    /// Recursion that, past the limit, queues instead: `n` links run in bounded depth, and
    /// in the order a plain recursion would start them.
    fn chain(trampoline: &Trampoline<u32>, n: u32, seen: &Rc<RefCell<Vec<(u32, u32)>>>) {
        let Some(level) = trampoline.enter(4) else {
            trampoline.push(n).unwrap();
            return;
        };
        let depth = depth();
        seen.borrow_mut().push((n, depth));
        if n > 0 {
            chain(trampoline, n - 1, seen);
        }
        if level.is_outermost() {
            trampoline.drain(|next| chain(trampoline, next, seen));
        }
    }

    #[test]
    fn work_past_the_limit_is_queued_and_run_in_order_by_the_outermost_level() {
        let trampoline = &TRAMPOLINE;
        let seen = Rc::new(RefCell::new(Vec::new()));
        chain(trampoline, 100, &seen);
        let seen = seen.borrow();
        let order: Vec<u32> = seen.iter().map(|(n, _)| *n).collect();
        assert_eq!(order, (0..=100).rev().collect::<Vec<_>>());
        assert!(seen.iter().all(|(_, depth)| (1..=4).contains(depth)));
        assert_eq!(depth(), 0);
        assert!(trampoline.pop().is_none());
    }

    #[test]
    fn a_level_that_unwinds_puts_the_depth_back_and_a_panicking_job_does_not_stop_the_rest() {
        let trampoline = &TRAMPOLINE;
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _level = trampoline.enter(1).unwrap();
            panic!("a user's Drop");
        }));
        assert!(unwound.is_err());
        assert_eq!(depth(), 0);
        assert!(trampoline.enter(1).is_some());

        for job in 0..3 {
            trampoline.push(job).unwrap();
        }
        let mut ran = Vec::new();
        trampoline.drain(|job| {
            ran.push(job);
            assert_ne!(job, 1, "a job that panics");
        });
        assert_eq!(ran, [0, 1, 2]);
    }

    #[test]
    fn prepend_keeps_both_orders() {
        let trampoline = &TRAMPOLINE;
        trampoline.push(3).unwrap();
        trampoline.prepend([1, 2].into_iter().collect()).unwrap();
        assert_eq!(trampoline.take_all(), [1, 2, 3]);
        for job in 1..=3 {
            trampoline.push(job).unwrap();
        }
        let mut ran = Vec::new();
        trampoline.drain_newest_first(|job| ran.push(job));
        assert_eq!(ran, [3, 2, 1]);
    }
}
