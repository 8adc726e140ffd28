//! `DeferredQueue`: a queue whose gets are deferreds, and a `Stream`.

use std::collections::VecDeque;
use std::error::Error;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use futures_core::Stream;

use super::line::{Line, Owner, Waiter, deliver, fire};
use crate::deferred::{Deferred, GiveBack, create_future_error};
use crate::failure::Failure;
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

/// [`try_put`](DeferredQueue::try_put) refused a value: the queue is full, or closed. The
/// value comes back with the error (as tokio's `TrySendError`).
///
/// # Examples
///
/// ```
/// let queue = txaio::DeferredQueue::new(Some(1), None);
/// queue.put(String::from("first")).unwrap();
/// let refused = queue.try_put(String::from("second")).unwrap_err();
/// assert!(refused.is_full());
/// assert_eq!(refused.to_string(), "the queue is full");
/// assert_eq!(refused.into_inner(), "second");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum TryPutError<T> {
    /// `size` values are stored and no get waits.
    Full(T),
    /// The queue was [closed](DeferredQueue::close).
    Closed(T),
}

impl<T> TryPutError<T> {
    /// The value the queue refused.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = txaio::DeferredQueue::new(Some(0), None);
    /// assert_eq!(queue.try_put(7).unwrap_err().into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            TryPutError::Full(value) | TryPutError::Closed(value) => value,
        }
    }

    /// Whether the queue refused the value for being full.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = txaio::DeferredQueue::new(Some(0), None);
    /// assert!(queue.try_put(()).unwrap_err().is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        matches!(self, TryPutError::Full(_))
    }

    /// Whether the queue refused the value for being closed.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = txaio::DeferredQueue::new(None, None);
    /// queue.close();
    /// assert!(queue.try_put(()).unwrap_err().is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        matches!(self, TryPutError::Closed(_))
    }
}

// By hand, so that `T` needs no `Debug` (as `std::sync::mpsc::SendError`).
impl<T> fmt::Debug for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryPutError::Full(_) => f.write_str("Full(..)"),
            TryPutError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryPutError::Full(_) => f.write_str("the queue is full"),
            TryPutError::Closed(_) => f.write_str("the queue is closed"),
        }
    }
}

impl<T> Error for TryPutError<T> {}

/// How a get of a [closed](DeferredQueue::close) queue fails once no value is left in it.
///
/// # Examples
///
/// ```
/// # #[txaio::main] async fn main() {
/// let queue = txaio::DeferredQueue::<u8>::new(None, None);
/// let waiting = queue.get().unwrap();
/// queue.close();
/// let failure = waiting.await.unwrap_err();
/// assert!(failure.is::<txaio::QueueClosed>());
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct QueueClosed;

impl fmt::Display for QueueClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is closed")
    }
}

impl Error for QueueClosed {}

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
    /// [`end_waits`] for this `T`, which needs `T: Send`; `Drop` cannot have that bound.
    end_waits: fn(Vec<Getter<T>>),
}

struct QueueState<T> {
    items: VecDeque<T>,
    line: Line<Getter<T>>,
    /// No value is put any more; gets fail with `QueueClosed` once `items` is empty.
    closed: bool,
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
    /// The queue closed while this place waited: the stream ends.
    closed: bool,
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
    /// value given back that was next in line; then even beyond `size`, or after a close, as
    /// it must not be lost). Refuses it if the queue is full or closed.
    fn offer(self: &Arc<Self>, value: T, returned: bool) -> Result<(), TryPutError<T>> {
        // Declared before the guard, so dropped after it: dropping a deferred may log.
        let mut unwanted = Vec::new();
        let mut state = self.lock();
        if state.closed && !returned {
            return Err(TryPutError::Closed(value));
        }
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
            return Err(TryPutError::Full(value));
        } else {
            state.items.push_back(value);
        }
        Ok(())
    }
}

impl<T> QueueState<T> {
    /// Marks the queue closed and takes every waiting getter out of the line, for
    /// [`end_waits`] to tell with no lock held.
    fn close(&mut self) -> Vec<Getter<T>> {
        self.closed = true;
        self.line.take_all()
    }
}

/// Fails the gets a close took out of the line with `QueueClosed`, and ends the streams.
fn end_waits<T: Send + 'static>(getters: Vec<Getter<T>>) {
    for getter in getters {
        match getter {
            Getter::Get(waiter) => fire(move || waiter.fail(Failure::new(QueueClosed))),
            Getter::Next(slot) => {
                let waker = {
                    let mut slot = slot.lock();
                    slot.closed = true;
                    slot.waker.take()
                };
                if let Some(waker) = waker {
                    waker.wake();
                }
            }
        }
    }
}

impl<T> Drop for QueueInner<T> {
    /// The last handle is gone, so no value can be put any more: gets still waiting would
    /// wait for ever. They fail with `QueueClosed`, as after [`DeferredQueue::close`].
    fn drop(&mut self) {
        let getters = self.state.lock().close();
        if getters.is_empty() {
            return;
        }
        // No `T: Send` bound here: failing a get needs one, so each kind is told through a
        // function the queue registered when it was made.
        (self.end_waits)(getters);
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
                    closed: false,
                }),
                size,
                backlog,
                end_waits: end_waits::<T>,
            }),
            next: None,
        }
    }

    /// Adds `value`: hands it to the oldest waiting get, whose deferred fires before `put`
    /// returns, or stores it.
    ///
    /// # Errors
    ///
    /// [`QueueOverflow`] if the queue is full (`size` values stored, no get waiting), or
    /// [closed](Self::close); the value is then not stored, and dropped
    /// ([`try_put`](Self::try_put) gives it back, and tells the two apart).
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

    /// As [`put`](Self::put), but a full or closed queue gives the value back: for a producer
    /// that backs off and tries again with the same value, which need not be rebuilt or
    /// cloned.
    ///
    /// # Errors
    ///
    /// [`TryPutError::Full`] holding `value` if the queue is full (`size` values stored, no
    /// get waiting), [`TryPutError::Closed`] if it was [closed](Self::close).
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
    pub fn try_put(&self, value: T) -> Result<(), TryPutError<T>> {
        self.inner.offer(value, false)
    }

    /// Takes the oldest value: a deferred that has fired with it if one is stored, or that
    /// waits in line for the next [`put`](Self::put).
    ///
    /// # Errors
    ///
    /// [`QueueUnderflow`] if nothing is stored and `backlog` gets already wait. On a
    /// [closed](Self::close) queue with nothing stored, the deferred has failed with
    /// [`QueueClosed`].
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
    /// callback gets the value. A [`timeout`](crate::timeout) on it only watches, and does
    /// not keep it (its timer goes with it). A get that its holder resolved by hand keeps
    /// that value: nothing goes into the queue when it drops. A get that was handed a value
    /// but that nobody saw fire (not
    /// awaited to the end, no callback, no [`take`](Deferred::take), not
    /// [`is_called`](crate::is_called)) gives the value back, first in line, when its last
    /// handle drops, whether a `put` served it or it fired before `get` returned (a value was
    /// stored): a get that loses a select drops no value. Polling the queue as a [`Stream`]
    /// does the same with no deferred per value.
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
            // Fired, but the value goes back to the queue if nobody sees it before the last
            // handle drops (a select's losing branch), as a waiting get's does.
            return Ok(Deferred::new_withdrawable_fired(
                Arc::downgrade(&self.inner) as GiveBack<T>,
                value,
            ));
        }
        if state.closed {
            drop(state);
            return Ok(create_future_error(Failure::new(QueueClosed)));
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

    /// Closes the queue: no value is put any more (`put` and `try_put` refuse them), and gets
    /// waiting now fail with [`QueueClosed`], as does every later get once the values stored
    /// are taken; a handle waiting as a [`Stream`] ends. Values stored stay for later gets
    /// (tokio's `Receiver::close` drains the same way). Closing twice does nothing.
    ///
    /// Dropping the last handle of a queue closes it too, so that no get waits for ever on a
    /// queue nobody can put to.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main] async fn main() {
    /// let queue = txaio::DeferredQueue::new(None, None);
    /// queue.put(1).unwrap();
    /// queue.close();
    /// assert!(queue.is_closed());
    /// assert!(queue.put(2).is_err());
    /// assert_eq!(queue.get().unwrap().await.unwrap(), 1); // stored before the close
    /// let failure = queue.get().unwrap().await.unwrap_err();
    /// assert!(failure.is::<txaio::QueueClosed>());
    /// # }
    /// ```
    pub fn close(&self) {
        let getters = self.inner.lock().close();
        end_waits(getters);
    }

    /// Whether the queue was [closed](Self::close).
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = txaio::DeferredQueue::<u8>::new(None, None);
    /// assert!(!queue.is_closed());
    /// queue.close();
    /// assert!(queue.is_closed());
    /// ```
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.inner.lock().closed
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

/// Each handle is a stream of the queue's values, which ends when the queue is
/// [closed](DeferredQueue::close) and the values stored before are taken.
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
            match place.poll_value(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(value)) => {
                    this.next = None;
                    return Poll::Ready(Some(value));
                }
                // Closed while it waited: it ends, once the values stored are taken (one
                // given back after the close, by a get dropped unseen, included).
                Poll::Ready(None) => this.next = None,
            }
        }
        let mut state = this.inner.lock();
        if let Some(value) = state.items.pop_front() {
            return Poll::Ready(Some(value));
        }
        if state.closed {
            return Poll::Ready(None);
        }
        // The waker is registered after the lock is released: cloning it is the runtime's
        // code (or the caller's own), which must not run under the queue's lock.
        let slot = Arc::new(ShortLock::new(NextSlot {
            value: None,
            waker: None,
            closed: false,
        }));
        let id = state.line.push(Getter::Next(Arc::clone(&slot)));
        drop(state);
        let place = Place {
            queue: Arc::clone(&this.inner),
            id,
            slot,
        };
        // A value handed to it (or a close) meanwhile found no waker to wake: seen here.
        let polled = place.poll_value(cx);
        if polled.is_ready() {
            drop(place);
            return polled;
        }
        this.next = Some(Box::new(place));
        Poll::Pending
    }
}

/// A handle's place in line as a stream. A trait object, so that `DeferredQueue<T>` needs no
/// bound on `T` while its `Drop` can still give a value back (which needs `T: Send`).
trait StreamPlace<T>: Send + Sync {
    /// The value handed to this place, or the end of a closed queue; else remembers `cx`'s
    /// waker.
    fn poll_value(&self, cx: &mut Context<'_>) -> Poll<Option<T>>;
}

struct Place<T: Send + 'static> {
    queue: Arc<QueueInner<T>>,
    id: u64,
    slot: Arc<ShortLock<NextSlot<T>>>,
}

impl<T: Send + 'static> StreamPlace<T> for Place<T> {
    fn poll_value(&self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut slot = self.slot.lock();
        if let Some(value) = slot.value.take() {
            return Poll::Ready(Some(value));
        }
        if slot.closed {
            return Poll::Ready(None);
        }
        let current = slot
            .waker
            .as_ref()
            .is_some_and(|waker| waker.will_wake(cx.waker()));
        drop(slot);
        if current {
            return Poll::Pending;
        }
        // Cloned and dropped with no lock held: a waker is the runtime's code.
        let waker = cx.waker().clone();
        let mut slot = self.slot.lock();
        let polled = if let Some(value) = slot.value.take() {
            Poll::Ready(Some(value))
        } else if slot.closed {
            Poll::Ready(None)
        } else {
            Poll::Pending
        };
        let replaced = if polled.is_pending() {
            slot.waker.replace(waker)
        } else {
            Some(waker)
        };
        drop(slot);
        drop(replaced);
        polled
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
