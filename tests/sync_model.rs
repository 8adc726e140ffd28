//! Property tests, state-machine style: random sequences of operations on `DeferredQueue`
//! (put, get, cancel a get, drop a get nobody else holds, poll and drop a stream) and on
//! `DeferredLock` / `DeferredSemaphore` (acquire, release, cancel an acquire, drop an acquire)
//! checked step by step against a plain model. A waiter whose only handle is dropped before it
//! is served leaves the line and is handed nothing, and a value a get was handed (by a put, or
//! at once from the stored ones) that nobody saw goes back, first in line. Nothing is lost,
//! nothing is delivered twice, waiters are served in order.
//! Then a multi-thread stress of put/get/cancel that counts every value.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use futures_core::Stream;
use proptest::prelude::*;
use txaio::{Deferred, DeferredQueue, DeferredSemaphore, QueueOverflow, QueueUnderflow};

/// Who received what, in the order it happened: `(getter, Some(value))` for a delivery,
/// `(getter, None)` for a get that failed (was cancelled). The stream is getter `usize::MAX`.
type Log = Arc<Mutex<Vec<(usize, Option<u32>)>>>;

const STREAM: usize = usize::MAX;

#[derive(Clone, Debug)]
enum QueueOp {
    Put(u32),
    /// `try_put`: as `Put`, and a refused value comes back whole.
    TryPut(u32),
    Get,
    /// Cancels the n-th get made so far (modulo their number), fired or not.
    Cancel(usize),
    PollStream,
    DropStream,
    /// A get with no callback: its handle is the only thing that waits.
    BareGet,
    /// Drops the n-th bare get's handle (modulo their number), served or not; after reading
    /// its value if it has one, when `true` (else a value it was handed goes back, first in
    /// line).
    DropBare(usize, bool),
    /// `close`: waiting gets fail, later puts are refused, gets drain what is stored.
    Close,
    /// Puts a `txaio::timeout` on the n-th bare get (if held), dropping the handle it
    /// returns: a timeout only watches, so the get behaves as a bare one still.
    WatchBare(usize),
    /// The n-th bare get's holder resolves it by hand: if it still waits, it keeps its place
    /// in line until a put passes it over, and its value never goes into the queue.
    ResolveBare(usize),
}

/// Ids of bare gets and acquires start here, apart from the others'.
const BARE: usize = 1 << 20;

fn queue_op() -> impl Strategy<Value = QueueOp> {
    prop_oneof![
        3 => any::<u32>().prop_map(QueueOp::Put),
        1 => any::<u32>().prop_map(QueueOp::TryPut),
        4 => Just(QueueOp::Get),
        2 => any::<usize>().prop_map(QueueOp::Cancel),
        1 => Just(QueueOp::PollStream),
        1 => Just(QueueOp::DropStream),
        2 => Just(QueueOp::BareGet),
        2 => (any::<usize>(), any::<bool>()).prop_map(|(n, read)| QueueOp::DropBare(n, read)),
        1 => Just(QueueOp::Close),
        1 => any::<usize>().prop_map(QueueOp::WatchBare),
        1 => any::<usize>().prop_map(QueueOp::ResolveBare),
    ]
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Waiting {
    Get(usize),
    Stream,
    /// A bare get its holder resolved while it waited: passed over by the next put.
    Resolved(usize),
}

/// The queue as Twisted's Python implementation reads.
#[derive(Default)]
struct QueueModel {
    size: Option<usize>,
    backlog: Option<usize>,
    items: VecDeque<u32>,
    line: VecDeque<Waiting>,
    stream_has: Option<u32>,
    stream_waits: bool,
    log: Vec<(usize, Option<u32>)>,
    /// What bare gets were handed, in order.
    bare_log: Vec<(usize, u32)>,
    closed: bool,
}

impl QueueModel {
    fn hand(&mut self, value: u32, front: bool) -> Result<(), QueueOverflow> {
        if self.closed && !front {
            return Err(QueueOverflow);
        }
        while let Some(Waiting::Resolved(_)) = self.line.front() {
            self.line.pop_front();
        }
        match self.line.pop_front() {
            Some(Waiting::Get(id)) if id >= BARE => self.bare_log.push((id, value)),
            Some(Waiting::Get(id)) => self.log.push((id, Some(value))),
            Some(Waiting::Stream) => self.stream_has = Some(value),
            Some(Waiting::Resolved(_)) => unreachable!("passed over above"),
            None if front => self.items.push_front(value),
            None if self.size.is_some_and(|size| self.items.len() >= size) => {
                return Err(QueueOverflow);
            }
            None => self.items.push_back(value),
        }
        Ok(())
    }

    fn get(&mut self, id: usize) -> Result<(), QueueUnderflow> {
        if let Some(value) = self.items.pop_front() {
            if id >= BARE {
                self.bare_log.push((id, value));
            } else {
                self.log.push((id, Some(value)));
            }
        } else if self.closed {
            if id < BARE {
                self.log.push((id, None)); // failed at once with `QueueClosed`
            }
        } else if self.backlog.is_some_and(|b| self.line.len() >= b) {
            return Err(QueueUnderflow);
        } else {
            self.line.push_back(Waiting::Get(id));
        }
        Ok(())
    }

    fn cancel(&mut self, id: usize) {
        if let Some(at) = self.line.iter().position(|w| *w == Waiting::Get(id)) {
            self.line.remove(at);
            self.log.push((id, None));
        }
    }

    /// A bare get's only handle is dropped: if it still waits, it leaves the line; if it was
    /// handed a value nobody read, the value goes back, first in line.
    fn drop_bare(&mut self, id: usize, read: bool) {
        if let Some(at) = self.line.iter().position(|w| *w == Waiting::Get(id)) {
            self.line.remove(at);
        } else if !read && let Some(at) = self.bare_log.iter().position(|(got, _)| *got == id) {
            // Handed by a put, or fired at once on a stored value, and never seen: back in line.
            let (_, value) = self.bare_log.remove(at);
            let _ = self.hand(value, true);
        }
    }

    /// A bare get's holder resolves it: only one still waiting takes the value.
    fn resolve_bare(&mut self, id: usize) -> bool {
        let Some(at) = self.line.iter().position(|w| *w == Waiting::Get(id)) else {
            return false;
        };
        self.line[at] = Waiting::Resolved(id);
        true
    }

    fn poll_stream(&mut self) {
        if self.stream_waits {
            if let Some(value) = self.stream_has.take() {
                self.stream_waits = false;
                self.log.push((STREAM, Some(value)));
            }
        } else if let Some(value) = self.items.pop_front() {
            self.log.push((STREAM, Some(value)));
        } else if self.closed {
            // The stream has ended: `None`, which the test does not log.
        } else {
            self.stream_waits = true;
            self.line.push_back(Waiting::Stream);
        }
    }

    fn close(&mut self) {
        self.closed = true;
        for waiting in std::mem::take(&mut self.line) {
            match waiting {
                Waiting::Get(id) if id < BARE => self.log.push((id, None)),
                Waiting::Get(_) | Waiting::Resolved(_) => {}
                // A waiting stream ends: its next poll yields `None`.
                Waiting::Stream => self.stream_waits = false,
            }
        }
    }

    fn drop_stream(&mut self) {
        if !self.stream_waits {
            return;
        }
        self.stream_waits = false;
        if let Some(at) = self.line.iter().position(|w| *w == Waiting::Stream) {
            self.line.remove(at);
        } else if let Some(value) = self.stream_has.take() {
            let _ = self.hand(value, true);
        }
    }
}

fn poll_once(stream: &mut DeferredQueue<u32>) -> Poll<Option<u32>> {
    Pin::new(stream).poll_next(&mut Context::from_waker(Waker::noop()))
}

/// The value a get has fired with, if any (read through a callback, which runs at once; none
/// is added to a pending get, which it would keep in line).
fn fired_value(get: &Deferred<u32>) -> Option<u32> {
    if !txaio::is_called(get) {
        return None;
    }
    let slot = Arc::new(Mutex::new(None));
    let into = Arc::clone(&slot);
    txaio::add_callback(get, move |v| *into.lock().unwrap() = Some(*v));
    slot.lock().unwrap().take()
}

fn check_queue(
    size: Option<usize>,
    backlog: Option<usize>,
    ops: &[QueueOp],
) -> Result<(), TestCaseError> {
    let queue = DeferredQueue::new(size, backlog);
    let mut stream = queue.clone();
    let log: Log = Arc::default();
    let mut model = QueueModel {
        size,
        backlog,
        ..QueueModel::default()
    };
    let mut gets: Vec<Deferred<u32>> = Vec::new();
    let mut bare = BareGets::default();
    let mut put = 0usize;
    for op in ops {
        match op {
            QueueOp::Put(value) => {
                let real = queue.put(*value);
                prop_assert_eq!(real, model.hand(*value, false));
                put += usize::from(real.is_ok());
            }
            QueueOp::TryPut(value) => {
                let real = queue.try_put(*value);
                if let Err(refused) = &real {
                    prop_assert_eq!(refused.is_closed(), model.closed);
                }
                let real = real.map_err(txaio::TryPutError::into_inner);
                let expected = model.hand(*value, false).map_err(|_| *value);
                prop_assert_eq!(real, expected);
                put += usize::from(real.is_ok());
            }
            QueueOp::Get => {
                let id = gets.len();
                let real = queue.get();
                prop_assert_eq!(real.as_ref().err().copied(), model.get(id).err());
                if let Ok(get) = real {
                    let (on_value, on_failure) = (Arc::clone(&log), Arc::clone(&log));
                    txaio::add_callbacks(
                        &get,
                        move |v| on_value.lock().unwrap().push((id, Some(*v))),
                        move |_| on_failure.lock().unwrap().push((id, None)),
                    );
                    gets.push(get);
                }
            }
            QueueOp::Cancel(n) if !gets.is_empty() => {
                let id = n % gets.len();
                txaio::cancel(&gets[id]);
                model.cancel(id);
            }
            QueueOp::PollStream => {
                if let Poll::Ready(Some(value)) = poll_once(&mut stream) {
                    log.lock().unwrap().push((STREAM, Some(value)));
                }
                model.poll_stream();
            }
            QueueOp::DropStream => {
                stream = queue.clone();
                model.drop_stream();
            }
            QueueOp::Close => {
                queue.close();
                model.close();
            }
            QueueOp::BareGet
            | QueueOp::DropBare(..)
            | QueueOp::WatchBare(_)
            | QueueOp::ResolveBare(_) => bare.apply(op, &queue, &mut model)?,
            QueueOp::Cancel(_) => {}
        }
        prop_assert_eq!(queue.is_closed(), model.closed);
        prop_assert_eq!(&*log.lock().unwrap(), &model.log, "after {:?}", op);
        prop_assert_eq!(queue.len(), model.items.len());
        prop_assert_eq!(queue.waiting(), model.line.len());
    }
    // Nothing lost, nothing twice: every accepted value is delivered once or still stored
    // (or waits in the stream's slot). A bare get was handed exactly what the model says.
    drop(stream);
    model.drop_stream();
    let bare_read = bare.check(&model)?;
    let delivered = log
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, v)| v.is_some())
        .count();
    prop_assert_eq!(delivered + bare_read + queue.len(), put);
    Ok(())
}

/// The bare gets of a queue run: held (or dropped), what those dropped after reading had
/// been handed, and which their holder resolved (what those hold is not the queue's).
#[derive(Default)]
struct BareGets {
    gets: Vec<Option<Deferred<u32>>>,
    read: Vec<(usize, u32)>,
    resolved_by_holder: Vec<bool>,
}

impl BareGets {
    fn apply(
        &mut self,
        op: &QueueOp,
        queue: &DeferredQueue<u32>,
        model: &mut QueueModel,
    ) -> Result<(), TestCaseError> {
        let held = |n: usize| (!self.gets.is_empty()).then(|| n % self.gets.len());
        match *op {
            QueueOp::BareGet => {
                let id = BARE + self.gets.len();
                let real = queue.get();
                prop_assert_eq!(real.as_ref().err().copied(), model.get(id).err());
                if let Ok(get) = real {
                    self.gets.push(Some(get));
                    self.resolved_by_holder.push(false);
                }
            }
            QueueOp::DropBare(n, read) => {
                let Some(index) = held(n) else { return Ok(()) };
                if let Some(get) = self.gets[index].take() {
                    if read
                        && let Some(value) = fired_value(&get)
                        && !self.resolved_by_holder[index]
                    {
                        self.read.push((BARE + index, value));
                    }
                    drop(get);
                    model.drop_bare(BARE + index, read);
                }
            }
            QueueOp::WatchBare(n) => {
                let Some(index) = held(n) else { return Ok(()) };
                if let Some(get) = &self.gets[index] {
                    drop(txaio::timeout(get, std::time::Duration::from_secs(3600)));
                }
            }
            QueueOp::ResolveBare(n) => {
                let Some(index) = held(n) else { return Ok(()) };
                if let Some(get) = &self.gets[index] {
                    let took = txaio::resolve(get, u32::MAX).is_ok();
                    prop_assert_eq!(took, model.resolve_bare(BARE + index));
                    self.resolved_by_holder[index] |= took;
                }
            }
            _ => unreachable!("not a bare get's operation: {op:?}"),
        }
        Ok(())
    }

    /// Checks that the bare gets were handed what the model says (those dropped after
    /// reading, and those still held); returns how many values they hold.
    fn check(&self, model: &QueueModel) -> Result<usize, TestCaseError> {
        let mut handed = self.read.clone();
        for (index, get) in self.gets.iter().enumerate() {
            if self.resolved_by_holder[index] {
                continue;
            }
            if let Some(value) = get.as_ref().and_then(fired_value) {
                handed.push((BARE + index, value));
            }
        }
        handed.sort_unstable();
        let mut expected = model.bare_log.clone();
        expected.sort_unstable();
        prop_assert_eq!(&handed, &expected);
        Ok(handed.len())
    }
}

#[derive(Clone, Debug)]
enum GateOp {
    Acquire,
    Release,
    Cancel(usize),
    /// An acquire with no callback: its handle is the only thing that waits.
    BareAcquire,
    /// Drops the n-th bare acquire's handle (modulo their number), served or not.
    DropBare(usize),
    /// Puts a `txaio::timeout` on the n-th bare acquire (if held), dropping the handle it
    /// returns: a timeout only watches.
    WatchBare(usize),
    /// The n-th bare acquire's holder resolves it by hand: if it still waits, a release
    /// passes it over, and dropping it gives no token back (it never had one).
    ResolveBare(usize),
}

fn gate_op() -> impl Strategy<Value = GateOp> {
    prop_oneof![
        4 => Just(GateOp::Acquire),
        3 => Just(GateOp::Release),
        2 => any::<usize>().prop_map(GateOp::Cancel),
        2 => Just(GateOp::BareAcquire),
        2 => any::<usize>().prop_map(GateOp::DropBare),
        1 => any::<usize>().prop_map(GateOp::WatchBare),
        1 => any::<usize>().prop_map(GateOp::ResolveBare),
    ]
}

/// Runs `ops` against a semaphore of `limit` tokens (a `DeferredLock` when `lock`).
fn check_gate(limit: usize, lock: bool, ops: &[GateOp]) -> Result<(), TestCaseError> {
    let real_lock = txaio::DeferredLock::new();
    let sem = DeferredSemaphore::new(limit);
    let acquire = || {
        if lock {
            real_lock.acquire()
        } else {
            sem.acquire()
        }
    };
    let release = || {
        let (real_lock, sem) = (real_lock.clone(), sem.clone());
        std::panic::catch_unwind(move || {
            if lock {
                real_lock.release();
            } else {
                sem.release();
            }
        })
        .is_ok()
    };
    let free = || {
        if lock {
            usize::from(!real_lock.locked())
        } else {
            sem.tokens()
        }
    };
    let log: Log = Arc::default();
    let (mut tokens, mut line, mut model_log) = (limit, VecDeque::new(), Vec::new());
    let mut acquires: Vec<Deferred<()>> = Vec::new();
    let mut bare: Vec<Option<Deferred<()>>> = Vec::new();
    // Bare acquires that a release served, and that nobody has seen fire.
    let mut served_unseen: Vec<usize> = Vec::new();
    for op in ops {
        match op {
            GateOp::Acquire => {
                let id = acquires.len();
                let d = acquire();
                let (on_value, on_failure) = (Arc::clone(&log), Arc::clone(&log));
                txaio::add_callbacks(
                    &d,
                    move |()| on_value.lock().unwrap().push((id, Some(0))),
                    move |_| on_failure.lock().unwrap().push((id, None)),
                );
                acquires.push(d);
                if tokens > 0 {
                    tokens -= 1;
                    model_log.push((id, Some(0)));
                } else {
                    line.push_back(id);
                }
            }
            GateOp::Release => {
                // A token to the next in line (nothing is logged for a bare acquire), else to
                // the free ones; refused when all are free.
                let next = line.pop_front();
                let model_ok = next.is_some() || tokens < limit;
                give_back_token(next, limit, &mut tokens, &mut served_unseen, &mut model_log);
                prop_assert_eq!(
                    release(),
                    model_ok,
                    "release panics exactly when nothing is held"
                );
            }
            GateOp::Cancel(n) if !acquires.is_empty() => {
                let id = n % acquires.len();
                txaio::cancel(&acquires[id]);
                if let Some(at) = line.iter().position(|w| *w == id) {
                    line.remove(at);
                    model_log.push((id, None));
                }
            }
            GateOp::BareAcquire => {
                let id = BARE + bare.len();
                bare.push(Some(acquire()));
                if tokens > 0 {
                    tokens -= 1;
                } else {
                    line.push_back(id);
                }
            }
            GateOp::DropBare(n) if !bare.is_empty() => {
                let index = n % bare.len();
                let id = BARE + index;
                // A waiting one leaves the line; one a release served, that nobody saw, gives
                // its token back (to the next in line); one served at once holds its token.
                drop(bare[index].take());
                if let Some(at) = line.iter().position(|w| *w == id) {
                    line.remove(at);
                } else if let Some(at) = served_unseen.iter().position(|w| *w == id) {
                    served_unseen.remove(at);
                    let next = line.pop_front();
                    give_back_token(next, limit, &mut tokens, &mut served_unseen, &mut model_log);
                }
            }
            GateOp::WatchBare(_) | GateOp::ResolveBare(_) => {
                watch_or_resolve_bare(op, &bare, &mut line)?;
            }
            GateOp::Cancel(_) | GateOp::DropBare(_) => {}
        }
        prop_assert_eq!(&*log.lock().unwrap(), &model_log, "after {:?}", op);
        prop_assert_eq!(free(), tokens);
    }
    Ok(())
}

/// A timeout put on a bare acquire (it only watches: nothing changes), or its holder
/// resolving it (one still waiting leaves the model's line: a release passes it over).
fn watch_or_resolve_bare(
    op: &GateOp,
    bare: &[Option<Deferred<()>>],
    line: &mut VecDeque<usize>,
) -> Result<(), TestCaseError> {
    let (GateOp::WatchBare(n) | GateOp::ResolveBare(n)) = *op else {
        return Ok(());
    };
    let Some(index) = (!bare.is_empty()).then(|| n % bare.len()) else {
        return Ok(());
    };
    let Some(acquired) = &bare[index] else {
        return Ok(());
    };
    if matches!(op, GateOp::WatchBare(_)) {
        drop(txaio::timeout(
            acquired,
            std::time::Duration::from_secs(3600),
        ));
        return Ok(());
    }
    let waiting = line.iter().position(|w| *w == BARE + index);
    prop_assert_eq!(txaio::resolve(acquired, ()).is_ok(), waiting.is_some());
    if let Some(at) = waiting {
        line.remove(at);
    }
    Ok(())
}

/// The model's side of a token released, or given back by a bare acquire dropped unseen: to
/// `next` in line if any, else to the free tokens (unless all are free: a release refused, or
/// a token released by hand meanwhile, logged).
fn give_back_token(
    next: Option<usize>,
    limit: usize,
    tokens: &mut usize,
    served_unseen: &mut Vec<usize>,
    model_log: &mut Vec<(usize, Option<u32>)>,
) {
    match next {
        Some(next) if next < BARE => model_log.push((next, Some(0))),
        Some(next) => served_unseen.push(next),
        None if *tokens == limit => {}
        None => *tokens += 1,
    }
}

fn bound() -> impl Strategy<Value = Option<usize>> {
    prop_oneof![Just(None), (0usize..4).prop_map(Some)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn queue_matches_its_model(
        size in bound(),
        backlog in bound(),
        ops in proptest::collection::vec(queue_op(), 0..60),
    ) {
        // On a virtual clock, for the timeouts of `WatchBare`.
        txaio::testutil::replace_loop(|_clock| check_queue(size, backlog, &ops))?;
    }

    #[test]
    fn lock_matches_its_model(ops in proptest::collection::vec(gate_op(), 0..60)) {
        txaio::testutil::replace_loop(|_clock| check_gate(1, true, &ops))?;
    }

    #[test]
    fn semaphore_matches_its_model(
        limit in 1usize..4,
        ops in proptest::collection::vec(gate_op(), 0..60),
    ) {
        txaio::testutil::replace_loop(|_clock| check_gate(limit, false, &ops))?;
    }
}

/// Four threads put, get and cancel gets at once; afterwards every value has been received
/// exactly once (by a get, or left stored), and no get that was cancelled before its value
/// arrived swallowed one.
#[test]
fn put_get_cancel_from_many_threads_loses_nothing_and_duplicates_nothing() {
    const PER_PUTTER: u32 = 5_000;
    let queue = DeferredQueue::new(None, None);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let gets = Arc::new(Mutex::new(Vec::<Deferred<u32>>::new()));
    let putters: Vec<_> = (0..2)
        .map(|t| {
            let queue = queue.clone();
            std::thread::spawn(move || {
                for v in 0..PER_PUTTER {
                    queue.put(t * PER_PUTTER + v).unwrap();
                }
            })
        })
        .collect();
    let getter = {
        let (queue, seen, gets) = (queue.clone(), Arc::clone(&seen), Arc::clone(&gets));
        std::thread::spawn(move || {
            for _ in 0..PER_PUTTER * 2 {
                let get = queue.get().unwrap();
                let seen = Arc::clone(&seen);
                txaio::add_callback(&get, move |v| seen.lock().unwrap().push(*v));
                gets.lock().unwrap().push(get);
            }
        })
    };
    let canceller = {
        let gets = Arc::clone(&gets);
        std::thread::spawn(move || {
            let mut rounds = 0;
            while rounds < 20_000 {
                let victim = gets.lock().unwrap().pop();
                if let Some(get) = victim {
                    txaio::cancel(&get);
                }
                rounds += 1;
            }
        })
    };
    for thread in putters {
        thread.join().unwrap();
    }
    getter.join().unwrap();
    canceller.join().unwrap();
    let mut values = seen.lock().unwrap().clone();
    while !queue.is_empty() {
        let get = queue.get().unwrap();
        let slot = Arc::new(Mutex::new(None));
        let into = Arc::clone(&slot);
        txaio::add_callback(&get, move |v| *into.lock().unwrap() = Some(*v));
        values.push(slot.lock().unwrap().take().unwrap());
    }
    values.sort_unstable();
    let expected: Vec<u32> = (0..PER_PUTTER * 2).collect();
    assert_eq!(values.len(), expected.len(), "lost or duplicated values");
    assert_eq!(values, expected);
}

/// A put and a cancel of the one waiting get, started together on two threads, round after
/// round: the value always ends up in exactly one place, the get or the queue.
#[test]
fn a_put_racing_a_cancel_of_its_get_leaves_the_value_in_exactly_one_place() {
    use std::sync::Barrier;
    const ROUNDS: u32 = 3_000;
    let barrier = Arc::new(Barrier::new(2));
    let rounds: Arc<Mutex<Option<Deferred<u32>>>> = Arc::default();
    let canceller = {
        let (barrier, rounds) = (Arc::clone(&barrier), Arc::clone(&rounds));
        std::thread::spawn(move || {
            for _ in 0..ROUNDS {
                barrier.wait(); // the round is set up
                let get = rounds.lock().unwrap().clone().unwrap();
                txaio::cancel(&get);
                barrier.wait(); // the round is done
            }
        })
    };
    let (mut delivered, mut stored) = (0, 0);
    for round in 0..ROUNDS {
        let queue = DeferredQueue::new(None, None);
        let get = queue.get().unwrap();
        let got = Arc::new(Mutex::new(None));
        let into = Arc::clone(&got);
        txaio::add_callback(&get, move |v| *into.lock().unwrap() = Some(*v));
        *rounds.lock().unwrap() = Some(get);
        barrier.wait();
        queue.put(round).unwrap();
        barrier.wait();
        let got = *got.lock().unwrap();
        match (got, queue.len()) {
            (Some(v), 0) => {
                assert_eq!(v, round);
                delivered += 1;
            }
            (None, 1) => stored += 1,
            other => panic!("round {round}: value in the get and the queue: {other:?}"),
        }
    }
    canceller.join().unwrap();
    assert_eq!(delivered + stored, ROUNDS);
    println!("delivered {delivered}, given back and stored {stored}");
}
