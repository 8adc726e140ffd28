//! `DeferredList`: Twisted's configurable way of waiting on many deferreds.

use std::fmt;

use super::FirstError;
use super::engine::{Rule, Slots, Step, combine};
use crate::deferred::Deferred;
use crate::failure::Failure;

/// A builder of one deferred for many, with Twisted's `DeferredList` options.
///
/// Without options, [`start`](DeferredList::start) gives a deferred that fires once every
/// input fired, with [`DeferredListResult::All`]: one `Result` per input, in input order (like
/// [`gather`](crate::gather)). The options make it fire early:
///
/// - [`fire_on_one_callback`](DeferredList::fire_on_one_callback): with
///   [`DeferredListResult::First`] at the first input to succeed (`All` if every one fails);
/// - [`fire_on_one_errback`](DeferredList::fire_on_one_errback): fail with [`FirstError`] at
///   the first input to fail;
/// - [`consume_errors`](DeferredList::consume_errors): the inputs' failures count as handled
///   (else they are still reported as unhandled unless someone else handles them).
///
/// The list keeps its pending inputs alive until it fires (a `sleep` passed by value still
/// counts). Inputs that have not fired when the list fires early are left as they are. An empty
/// list fires at once with `All(vec![])`, except with `fire_on_one_callback`, when it never
/// fires (Twisted's rule: there is no first success to wait for).
///
/// # Examples
///
/// ```
/// use txaio::{DeferredList, DeferredListResult};
/// # #[txaio::main]
/// # async fn main() {
/// let mirrors: Vec<_> = (0..3).map(|_| txaio::create_future::<String>()).collect();
/// let any = DeferredList::new(mirrors.clone())
///     .fire_on_one_callback(true)
///     .consume_errors(true)
///     .start();
/// txaio::reject(&mirrors[0], std::io::Error::other("unreachable")).unwrap();
/// txaio::resolve(&mirrors[2], "from mirror 2".to_owned()).unwrap();
/// match any.await.unwrap() {
///     DeferredListResult::First { index, value } => {
///         assert_eq!((index, value.as_str()), (2, "from mirror 2"));
///     }
///     DeferredListResult::All(_) => unreachable!("one mirror answered"),
/// }
/// # }
/// ```
#[must_use = "a DeferredList does nothing until `start` is called"]
pub struct DeferredList<T> {
    inputs: Vec<Deferred<T>>,
    fire_on_one_callback: bool,
    fire_on_one_errback: bool,
    consume_errors: bool,
}

/// What a [`DeferredList`] fires with.
///
/// Twisted's list of `(success, result)` pairs is `All`'s vector of `Result`s; its
/// `(result, index)` pair of `fireOnOneCallback` is `First`.
///
/// # Examples
///
/// ```
/// use txaio::DeferredListResult;
///
/// fn describe(result: &DeferredListResult<u32>) -> String {
///     match result {
///         DeferredListResult::All(results) => {
///             let ok = results.iter().filter(|r| r.is_ok()).count();
///             format!("{ok} of {} succeeded", results.len())
///         }
///         DeferredListResult::First { index, value } => format!("#{index} first, with {value}"),
///     }
/// }
/// # #[txaio::main]
/// # async fn main() {
/// let inputs = [txaio::create_future_success(1), txaio::create_future_error(std::fmt::Error)];
/// let list = txaio::DeferredList::new(inputs).consume_errors(true).start();
/// assert_eq!(describe(&list.await.unwrap()), "1 of 2 succeeded");
/// # }
/// ```
#[derive(Clone, Debug)]
pub enum DeferredListResult<T> {
    /// Every input fired: one result per input, in input order.
    All(Vec<Result<T, Failure>>),
    /// With `fire_on_one_callback`: the first input to succeed.
    First {
        /// Its position among the inputs.
        index: usize,
        /// Its value.
        value: T,
    },
}

impl<T: Clone + Send + 'static> DeferredList<T> {
    /// A list of `futures`, with every option off.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main]
    /// # async fn main() {
    /// let list = txaio::DeferredList::new([txaio::create_future_success(1)]).start();
    /// let result = list.await.unwrap();
    /// assert!(matches!(result, txaio::DeferredListResult::All(results) if results.len() == 1));
    /// # }
    /// ```
    pub fn new(futures: impl IntoIterator<Item = Deferred<T>>) -> Self {
        DeferredList {
            inputs: futures.into_iter().collect(),
            fire_on_one_callback: false,
            fire_on_one_errback: false,
            consume_errors: false,
        }
    }

    /// Fire with [`DeferredListResult::First`] as soon as one input succeeds.
    ///
    /// If every input fails, the list still fires, with `All`. An empty list with this option
    /// never fires.
    ///
    /// # Examples
    ///
    /// ```
    /// let pending = txaio::create_future::<u8>();
    /// let list = txaio::DeferredList::new([pending, txaio::create_future_success(7)])
    ///     .fire_on_one_callback(true)
    ///     .start();
    /// txaio::add_callback(&list, |result| {
    ///     assert!(matches!(result, txaio::DeferredListResult::First { index: 1, value: 7 }));
    /// });
    /// ```
    #[doc(alias = "fireOnOneCallback")]
    pub fn fire_on_one_callback(mut self, on: bool) -> Self {
        self.fire_on_one_callback = on;
        self
    }

    /// Fail with a [`FirstError`] as soon as one input fails.
    ///
    /// # Examples
    ///
    /// ```
    /// let pending = txaio::create_future::<u8>();
    /// let list = txaio::DeferredList::new([pending, txaio::create_future_error(std::fmt::Error)])
    ///     .fire_on_one_errback(true)
    ///     .start();
    /// txaio::add_errback(&list, |failure| {
    ///     assert_eq!(failure.downcast_ref::<txaio::FirstError>().unwrap().index, 1);
    /// });
    /// ```
    #[doc(alias = "fireOnOneErrback")]
    pub fn fire_on_one_errback(mut self, on: bool) -> Self {
        self.fire_on_one_errback = on;
        self
    }

    /// Count the inputs' failures as handled, so that none is reported as unhandled.
    ///
    /// Off, a failed input that nobody else handles is reported (`Unhandled error in
    /// Deferred`) when its last handle drops, even though the list saw it.
    ///
    /// # Examples
    ///
    /// ```
    /// let failed = txaio::create_future_error::<u8>(std::fmt::Error);
    /// let list = txaio::DeferredList::new([failed]).consume_errors(true).start();
    /// assert!(txaio::is_called(&list)); // and nothing is logged when `failed` drops
    /// ```
    #[doc(alias = "consumeErrors")]
    pub fn consume_errors(mut self, on: bool) -> Self {
        self.consume_errors = on;
        self
    }

    /// Watches the inputs and gives the list's deferred.
    ///
    /// # Cancellation
    ///
    /// Cancelling the returned deferred, while it is pending, cancels every pending input; the
    /// list then fires as its options say with what the cancelled inputs fired with (Twisted's
    /// rule): without options, `All` of their `CancelledError`s (or of the values their
    /// cancellers gave); with `fire_on_one_errback`, a [`FirstError`] of the first
    /// `CancelledError`. A cancelled list's failure is never reported as unhandled. Cancelling
    /// a list that fired does nothing, and leaves the inputs that had not fired as they are.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = txaio::create_future::<u8>();
    /// let list = txaio::DeferredList::new([a.clone()]).start();
    /// txaio::cancel(&list);
    /// assert!(txaio::is_called(&a)); // cancelled too
    /// ```
    #[track_caller]
    pub fn start(self) -> Deferred<DeferredListResult<T>> {
        let rule = |len| ListRule {
            results: Slots::new(len),
            fire_on_one_callback: self.fire_on_one_callback,
            fire_on_one_errback: self.fire_on_one_errback,
        };
        combine(self.inputs, rule, self.consume_errors)
    }
}

impl<T> fmt::Debug for DeferredList<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeferredList")
            .field("inputs", &self.inputs.len())
            .field("fire_on_one_callback", &self.fire_on_one_callback)
            .field("fire_on_one_errback", &self.fire_on_one_errback)
            .field("consume_errors", &self.consume_errors)
            .finish()
    }
}

struct ListRule<T> {
    results: Slots<Result<T, Failure>>,
    fire_on_one_callback: bool,
    fire_on_one_errback: bool,
}

impl<T: Send + 'static> Rule<T> for ListRule<T> {
    type Output = DeferredListResult<T>;

    fn record(&mut self, index: usize, outcome: Result<T, Failure>) -> Step<Self::Output> {
        let outcome = match outcome {
            Ok(value) if self.fire_on_one_callback => {
                return Step::Fire(Ok(DeferredListResult::First { index, value }));
            }
            Err(failure) if self.fire_on_one_errback => {
                return Step::Fire(Err(Failure::new(FirstError { index, failure })));
            }
            outcome => outcome,
        };
        match self.results.fill(index, outcome) {
            Some(all) => Step::Fire(Ok(DeferredListResult::All(all))),
            None => Step::Wait,
        }
    }

    fn when_empty(self) -> Option<Result<Self::Output, Failure>> {
        (!self.fire_on_one_callback).then(|| Ok(DeferredListResult::All(Vec::new())))
    }
}
