//! `DeferredQueue`: a queue whose gets are deferreds, and a `Stream`.

use std::collections::VecDeque;
use std::error::Error;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use futures_core::Stream;

use super::line::{Line, Owner, Waiter, deliver, fire};
use crate::deferred::{Deferred, create_future_success};
use crate::short_lock::{ShortGuard, ShortLock};

/// `put` on a full queue: `size` items stored and no get waiting (Twisted's `QueueOverflow`).
///
/// # Examples
///
/// ```
/// let queue = txaio::DeferredQueue::new(Some(1), None);
/// queue.put(1).unwrap();
/// assert_eq!(queue.put(2), Err(txaio::QueueOverflow));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct QueueOverflow;

impl fmt::Display for QueueOverflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is full")
    }
}

impl Error for QueueOverflow {}

/// [`try_put`](DeferredQueue::try_put) on a full queue: the value it refused, given back.
///
/// # Examples
///
/// ```
/// let queue = txaio::DeferredQueue::new(Some(1), None);
/// queue.put(String::from("first")).unwrap();
/// let refused = queue.try_put(String::from("second")).unwrap_err();
/// assert_eq!(refused.to_string(), "the queue is full");
/// assert_eq!(refused.into_inner(), "second");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct QueueFull<T>(pub T);

impl<T> QueueFull<T> {
    /// The value the queue refused.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = txaio::DeferredQueue::new(Some(0), None);
    /// assert_eq!(queue.try_put(7).unwrap_err().into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

// By hand, so that `T` needs no `Debug` (as `std::sync::mpsc::SendError`).
impl<T> fmt::Debug for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueFull(..)")
    }
}

impl<T> fmt::Display for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is full")
    }
}

impl<T> Error for QueueFull<T> {}

/// `get` on an empty queue with `backlog` gets already waiting (Twisted's `QueueUnderflow`).
///
/// # Examples
///
/// ```
/// let queue = txaio::DeferredQueue::<u8>::new(None, Some(1));
/// let _waiting = queue.get().unwrap();
/// assert_eq!(queue.get().unwrap_err(), txaio::QueueUnderflow);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct QueueUnderflow;

impl fmt::Display for QueueUnderflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("too many gets are already waiting on the queue")
    }
}

impl Error for QueueUnderflow {}

/// A queue between producers and consumers of deferreds (Twisted's `DeferredQueue`).
///
/// [`put`](Self::put) hands a value to the oldest waiting [`get`](Self::get), whose deferred
/// fires inside `put`, or stores it; `get` fires at once with the oldest stored value, or
/// waits in line for the next `put`. `size` bounds the stored values and `backlog` the
/// waiting gets; `None` leaves them unbounded. The queue is also a [`Stream`] of its values,
/// for `while let Some(v) = queue.next().await`. `Clone` gives another handle to the same
/// queue; it is `Send + Sync` for `T: Send`.
///
/// No value is lost and none is delivered twice: a get cancelled at the very moment a `put`
/// hands it a value gives the value back to the queue, for the next get.
///
/// # Examples
///
/// ```
/// # #[txaio::main] async fn main() {
/// let queue = txaio::DeferredQueue::new(None, None);
/// let next = queue.get().unwrap(); // nothing stored yet: waits
/// queue.put("hello").unwrap(); // fires `next`
/// queue.put("world").unwrap(); // stored
/// assert_eq!(next.await.unwrap(), "hello");
/// assert_eq!(queue.len(), 1);
/// assert_eq!(queue.get().unwrap().await.unwrap(), "world");
/// # }
/// ```
#[doc(alias = "Queue")]
pub struct DeferredQueue<T> {
    inner: Arc<QueueInner<T>>,
    /// This handle's place in line while it waits as a `Stream`, and where its item arrives.
    next: Option<Box<dyn StreamPlace<T>>>,
}

struct QueueInner<T> {
    state: ShortLock<QueueState<T>>,
    size: Option<usize>,
    backlog: Option<usize>,
}

struct QueueState<T> {
    items: VecDeque<T>,
    line: Line<Getter<T>>,
}

enum Getter<T> {
    /// A pending `get`.
    Get(Waiter<T>),
    /// A handle polled as a `Stream`.
    Next(Arc<ShortLock<NextSlot<T>>>),
}

struct NextSlot<T> {
    value: Option<T>,
    waker: Option<Waker>,
}

impl<T: Send + 'static> QueueInner<T> {
    /// Takes back a value handed to a getter that cannot take it: it was next in line.
    fn give_back_value(self: &Arc<Self>, value: T) {
        let stored = self.offer(value, true);
        debug_assert!(stored.is_ok(), "a returned value is always stored");
    }

    fn lock(&self) -> ShortGuard<'_, QueueState<T>> {
        self.state.lock()
    }

    /// Hands `value` to the oldest getter, or stores it (at the front when `returned`, as a
    /// value given back that was next in line; then even beyond `size`, as it must not be
    /// lost). `Err(value)` if the queue is full.
    fn offer(self: &Arc<Self>, value: T, returned: bool) -> Result<(), T> {
        // Declared before the guard, so dropped after it: dropping a deferred may log.
        let mut unwanted = Vec::new();
        let mut state = self.lock();
        while let Some(getter) = state.line.pop() {
            match getter {
                Getter::Get(waiter) if waiter.is_called() => unwanted.push(waiter),
                Getter::Get(waiter) => {
                    waiter.hand(value);
                    drop(state);
                    let queue = Arc::clone(self);
                    fire(move || deliver(&waiter, |value| queue.give_back_value(value)));
                    return Ok(());
                }
                Getter::Next(slot) => {
                    let waker = {
                        let mut slot = slot.lock();
                        slot.value = Some(value);
                        slot.waker.take()
                    };
                    drop(state);
                    if let Some(waker) = waker {
                        waker.wake();
                    }
                    return Ok(());
                }
            }
        }
        if returned {
            state.items.push_front(value);
        } else if self.size.is_some_and(|size| state.items.len() >= size) {
            return Err(value);
        } else {
            state.items.push_back(value);
        }
        Ok(())
    }
}

impl<T: Send + 'static> Owner<T> for QueueInner<T> {
    fn leave(&self, id: u64) -> bool {
        // Bound to a name so that it drops after the guard: dropping a deferred may log.
        let left = self.lock().line.remove(id);
        left.is_some()
    }

    fn give_back(self: Arc<Self>, value: T) {
        self.give_back_value(value);
    }
}

impl<T: Send + 'static> DeferredQueue<T> {
    /// A new, empty queue that stores at most `size` values and lets at most `backlog` gets
    /// wait; `None` leaves either unbounded.
    ///
    /// `Some(0)` is allowed for both: with `size = Some(0)` a value can only be put while a
    /// get waits for it, with `backlog = Some(0)` a get only succeeds on a stored value.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = txaio::DeferredQueue::<String>::new(Some(100), None);
    /// assert_eq!(queue.size(), Some(100));
    /// assert!(queue.is_empty());
    /// ```
    #[must_use]
    pub fn new(size: Option<usize>, backlog: Option<usize>) -> Self {
        DeferredQueue {
            inner: Arc::new(QueueInner {
                state: ShortLock::new(QueueState {
                    items: VecDeque::new(),
                    line: Line::new(),
                }),
                size,
                backlog,
            }),
            next: None,
        }
    }

    /// Adds `value`: hands it to the oldest waiting get, whose deferred fires before `put`
    /// returns, or stores it.
    ///
    /// # Errors
    ///
    /// [`QueueOverflow`] if the queue is full (`size` values stored, no get waiting); the
    /// value is then not stored, and dropped ([`try_put`](Self::try_put) gives it back).
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = txaio::DeferredQueue::new(Some(1), None);
    /// queue.put('a').unwrap();
    /// assert!(queue.put('b').is_err());
    /// assert_eq!(queue.len(), 1);
    /// ```
    pub fn put(&self, value: T) -> Result<(), QueueOverflow> {
        self.try_put(value).map_err(|_| QueueOverflow)
    }

    /// As [`put`](Self::put), but a full queue gives the value back: for a producer that
    /// backs off and tries again with the same value, which need not be rebuilt or cloned.
    ///
    /// # Errors
    ///
    /// [`QueueFull`] holding `value` if the queue is full (`size` values stored, no get
    /// waiting).
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = txaio::DeferredQueue::new(Some(1), None);
    /// queue.try_put(vec![1]).unwrap();
    /// let again = queue.try_put(vec![2]).unwrap_err().into_inner();
    /// let _first = queue.get().unwrap(); // makes room
    /// queue.try_put(again).unwrap();
    /// assert_eq!(queue.len(), 1);
    /// ```
    pub fn try_put(&self, value: T) -> Result<(), QueueFull<T>> {
        self.inner.offer(value, false).map_err(QueueFull)
    }

    /// Takes the oldest value: a deferred that has fired with it if one is stored, or that
    /// waits in line for the next [`put`](Self::put).
    ///
    /// # Errors
    ///
    /// [`QueueUnderflow`] if nothing is stored and `backlog` gets already wait.
    ///
    /// # Cancellation
    ///
    /// Cancelling a waiting get takes it out of the line, and it fails with
    /// [`CancelledError`](crate::CancelledError); the next `put` goes to the next getter or is
    /// stored. Cancelling a task that awaits it does the same. Cancelling a get that fired
    /// does nothing. A get cancelled while a `put` is handing it a value from another thread
    /// either fires with the value or gives it back to the queue: the value is never lost.
    ///
    /// # Cancel safety
    ///
    /// Dropping every handle to a waiting get before a value reaches it (a
    /// [`with_timeout`](crate::with_timeout) that ran out, the losing branch of a select, a
    /// future dropped with its task) takes it out of the line, as a cancel does: the next
    /// `put` goes to the next getter or is stored, never to the dropped get (tokio::sync's
    /// rule). A get with a callback attached is not abandoned by dropping its handle: the
    /// callback gets the value. A get that a `put` served but that nobody saw fire (not
    /// awaited to the end, no callback, not [`is_called`](crate::is_called)) gives the value
    /// back, first in line, when its last handle drops. A get that fired before `get`
    /// returned (a value was stored) is an ordinary fired deferred: dropping it unread drops
    /// the value. So in a select loop, where a get made afresh each round may lose to another
    /// branch, poll the queue as a [`Stream`] instead: it never drops a value.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = txaio::DeferredQueue::new(None, None);
    /// queue.put(7).unwrap();
    /// let got = queue.get().unwrap();
    /// txaio::add_callback(&got, |v| assert_eq!(*v, 7)); // fired already
    ///
    /// let waiting = queue.get().unwrap();
    /// txaio::cancel(&waiting);
    /// queue.put(8).unwrap(); // nobody waits any more: stored
    /// assert_eq!(queue.len(), 1);
    /// ```
    pub fn get(&self) -> Result<Deferred<T>, QueueUnderflow> {
        let mut state = self.inner.lock();
        if let Some(value) = state.items.pop_front() {
            drop(state);
            return Ok(create_future_success(value));
        }
        if self
            .inner
            .backlog
            .is_some_and(|backlog| state.line.len() >= backlog)
        {
            return Err(QueueUnderflow);
        }
        let (deferred, waiter) = Waiter::new(&self.inner, state.line.next_id());
        state.line.push(Getter::Get(waiter));
        Ok(deferred)
    }

    /// Takes the oldest stored value, if there is one, without waiting (tokio's `try_recv`).
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = txaio::DeferredQueue::new(None, None);
    /// assert_eq!(queue.try_get(), None);
    /// queue.put(3).unwrap();
    /// assert_eq!(queue.try_get(), Some(3));
    /// assert!(queue.is_empty());
    /// ```
    #[must_use = "a value taken and ignored is lost"]
    pub fn try_get(&self) -> Option<T> {
        self.inner.lock().items.pop_front()
    }

    /// How many values are stored.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = txaio::DeferredQueue::new(None, None);
    /// queue.put(()).unwrap();
    /// assert_eq!(queue.len(), 1);
    /// ```
    #[doc(alias = "pending")]
    #[must_use]
    pub fn len(&self) -> usize {
        self.inner.lock().items.len()
    }

    /// Whether no value is stored.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(txaio::DeferredQueue::<u8>::new(None, None).is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.inner.lock().items.is_empty()
    }

    /// How many gets (and streams) wait for a value.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = txaio::DeferredQueue::<u8>::new(None, None);
    /// let _a = queue.get().unwrap();
    /// assert_eq!(queue.waiting(), 1);
    /// ```
    #[must_use]
    pub fn waiting(&self) -> usize {
        self.inner.lock().line.len()
    }

    /// The most values it stores (Twisted's `size`); `None`: unbounded.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(txaio::DeferredQueue::<u8>::new(None, Some(2)).size(), None);
    /// ```
    #[must_use]
    pub fn size(&self) -> Option<usize> {
        self.inner.size
    }

    /// The most gets that may wait at once (Twisted's `backlog`); `None`: unbounded.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(txaio::DeferredQueue::<u8>::new(None, Some(2)).backlog(), Some(2));
    /// ```
    #[must_use]
    pub fn backlog(&self) -> Option<usize> {
        self.inner.backlog
    }
}

impl<T: Send + 'static> Default for DeferredQueue<T> {
    /// An unbounded queue: `DeferredQueue::new(None, None)`.
    fn default() -> Self {
        DeferredQueue::new(None, None)
    }
}

impl<T> Clone for DeferredQueue<T> {
    /// Another handle to the same queue (not waiting as a stream, whatever `self` does).
    fn clone(&self) -> Self {
        DeferredQueue {
            inner: Arc::clone(&self.inner),
            next: None,
        }
    }
}

/// Each handle is a stream of the queue's values, which never ends (the queue has no close:
/// send a sentinel value, or drop the stream, to stop).
///
/// A handle waiting for its next value stands in the line of gets like a get does (ahead of
/// later gets, behind earlier ones), but is not refused by `backlog`: a stream has no way to
/// report an error. It keeps its place when the `next()` future polling it is dropped, and a
/// value that arrived meanwhile is the next one it yields; dropping the handle gives such a
/// value back to the queue.
///
/// # Cancel safety
///
/// Cancel-safe, as `tokio::sync::mpsc::Receiver::recv`: a `next()` future dropped before it
/// completes (a `select!` branch that lost, a `with_timeout` that ran out) loses no value;
/// the handle keeps its place in line, and the value that arrived for it is the next one it
/// yields. Dropping the handle itself leaves the line, and gives such a value back to the
/// queue, first in line.
///
/// # Examples
///
/// ```
/// use futures_core::Stream;
/// use std::pin::Pin;
/// use std::task::{Context, Poll, Waker};
///
/// let queue = txaio::DeferredQueue::new(None, None);
/// let mut stream = queue.clone();
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(Pin::new(&mut stream).poll_next(&mut cx).is_pending()); // now waiting in line
/// queue.put(1).unwrap(); // handed to the stream
/// assert_eq!(Pin::new(&mut stream).poll_next(&mut cx), Poll::Ready(Some(1)));
/// ```
impl<T: Send + 'static> Stream for DeferredQueue<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        if let Some(place) = &this.next {
            let value = place.poll_value(cx);
            if value.is_some() {
                this.next = None;
            }
            return value.map_or(Poll::Pending, |value| Poll::Ready(Some(value)));
        }
        let mut state = this.inner.lock();
        if let Some(value) = state.items.pop_front() {
            return Poll::Ready(Some(value));
        }
        // The waker is registered after the lock is released: cloning it is the runtime's
        // code (or the caller's own), which must not run under the queue's lock.
        let slot = Arc::new(ShortLock::new(NextSlot {
            value: None,
            waker: None,
        }));
        let id = state.line.push(Getter::Next(Arc::clone(&slot)));
        drop(state);
        let place = Place {
            queue: Arc::clone(&this.inner),
            id,
            slot,
        };
        // A value handed to it meanwhile found no waker to wake: it is taken here.
        if let Some(value) = place.poll_value(cx) {
            drop(place);
            return Poll::Ready(Some(value));
        }
        this.next = Some(Box::new(place));
        Poll::Pending
    }
}

/// A handle's place in line as a stream. A trait object, so that `DeferredQueue<T>` needs no
/// bound on `T` while its `Drop` can still give a value back (which needs `T: Send`).
trait StreamPlace<T>: Send + Sync {
    /// The value handed to this place, if any; else remembers `cx`'s waker.
    fn poll_value(&self, cx: &mut Context<'_>) -> Option<T>;
}

struct Place<T: Send + 'static> {
    queue: Arc<QueueInner<T>>,
    id: u64,
    slot: Arc<ShortLock<NextSlot<T>>>,
}

impl<T: Send + 'static> StreamPlace<T> for Place<T> {
    fn poll_value(&self, cx: &mut Context<'_>) -> Option<T> {
        let mut slot = self.slot.lock();
        let value = slot.value.take();
        let current = slot
            .waker
            .as_ref()
            .is_some_and(|waker| waker.will_wake(cx.waker()));
        drop(slot);
        if value.is_some() || current {
            return value;
        }
        // Cloned and dropped with no lock held: a waker is the runtime's code.
        let waker = cx.waker().clone();
        let mut slot = self.slot.lock();
        let value = slot.value.take();
        let replaced = if value.is_none() {
            slot.waker.replace(waker)
        } else {
            Some(waker)
        };
        drop(slot);
        drop(replaced);
        value
    }
}

impl<T: Send + 'static> Drop for Place<T> {
    fn drop(&mut self) {
        let left = self.queue.lock().line.remove(self.id);
        if left.is_some() {
            return;
        }
        // Handed a value it never yielded: back to the queue, first in line.
        let value = self.slot.lock().value.take();
        if let Some(value) = value {
            self.queue.give_back_value(value);
        }
    }
}

impl<T> fmt::Debug for DeferredQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Read under the lock, written after it: the formatter's writer is the caller's code.
        let (len, waiting) = {
            let state = self.inner.state.lock();
            (state.items.len(), state.line.len())
        };
        f.debug_struct("DeferredQueue")
            .field("len", &len)
            .field("waiting", &waiting)
            .field("size", &self.inner.size)
            .field("backlog", &self.inner.backlog)
            .finish_non_exhaustive()
    }
}
