//! The failures the combinators make: [`FirstError`] and [`FailureGroup`].

use std::error::Error;
use std::fmt;

use crate::failure::{Failure, failure_message};

/// The first failure among several inputs, with the input's position (Twisted's `FirstError`).
///
/// [`gather_results`](crate::gather_results) and a
/// [`DeferredList`](crate::DeferredList) with `fire_on_one_errback` fail with it as soon as one
/// input fails. Its `source` is the input's own error.
///
/// # Examples
///
/// ```
/// # #[txaio::main]
/// # async fn main() {
/// let ok = txaio::create_future_success(1u8);
/// let bad = txaio::create_future_error::<u8>(std::io::Error::other("disk full"));
/// let failure = txaio::gather_results([ok, bad], true).await.unwrap_err();
/// let first = failure.downcast_ref::<txaio::FirstError>().unwrap();
/// assert_eq!(first.index, 1);
/// assert_eq!(first.to_string(), "FirstError[#1, Error: disk full]");
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct FirstError {
    /// The position, among the inputs, of the one that failed.
    pub index: usize,
    /// Its failure.
    pub failure: Failure,
}

impl fmt::Display for FirstError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "FirstError[#{}, {}]",
            self.index,
            failure_message(&self.failure)
        )
    }
}

impl Error for FirstError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(self.failure.value())
    }
}

/// Every input failed: their failures, in input order (Twisted's `FailureGroup`).
///
/// [`race`](crate::race) fails with it when no input succeeds (an empty race included, with no
/// failures).
///
/// # Examples
///
/// ```
/// # #[txaio::main]
/// # async fn main() {
/// let a = txaio::create_future::<u8>();
/// let b = txaio::create_future::<u8>();
/// let first = txaio::race([a.clone(), b.clone()]);
/// txaio::reject(&b, std::io::Error::other("b broke")).unwrap();
/// txaio::reject(&a, std::io::Error::other("a broke")).unwrap();
/// let failure = first.await.unwrap_err();
/// let group = failure.downcast_ref::<txaio::FailureGroup>().unwrap();
/// assert_eq!(group.failures.len(), 2);
/// assert_eq!(group.to_string(), "FailureGroup[Error: a broke; Error: b broke]");
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct FailureGroup {
    /// One failure per input, in input order.
    pub failures: Vec<Failure>,
}

impl fmt::Display for FailureGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FailureGroup[")?;
        for (i, failure) in self.failures.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            f.write_str(&failure_message(failure))?;
        }
        f.write_str("]")
    }
}

impl Error for FailureGroup {}
