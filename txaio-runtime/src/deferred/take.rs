//! `Deferred::take`: moving a result that is not `Clone` out of a deferred.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::Deferred;
use crate::failure::Failure;

/// The bound `.await` puts on a deferred's value: `T: Clone`, as every awaiter gets a clone.
///
/// Implemented for every `Clone` type; it exists so that awaiting a deferred of a type that is
/// not `Clone` says to use [`Deferred::take`] instead of only "`Socket: Clone` is not
/// satisfied".
///
/// # Examples
///
/// ```
/// fn awaitable<T: txaio::CloneOnAwait>() {}
/// awaitable::<String>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`.await` on a `Deferred<{Self}>` needs `{Self}: Clone`",
    label = "`{Self}` is not `Clone`, and every awaiter of a deferred gets a clone of its result",
    note = "to move a result that is not `Clone` out of the deferred, use `deferred.take().await`"
)]
pub trait CloneOnAwait: Clone {}

#[diagnostic::do_not_recommend]
impl<T: Clone> CloneOnAwait for T {}

/// The future [`Deferred::take`] returns: the deferred's result, moved out.
///
/// # Examples
///
/// ```
/// # #[txaio::main] async fn main() {
/// struct Socket(u16); // not Clone
/// let d = txaio::create_future_success(Socket(443));
/// let socket: Socket = d.take().await.unwrap();
/// assert_eq!(socket.0, 443);
/// # }
/// ```
#[must_use = "a `Take` does nothing unless awaited"]
#[derive(Debug)]
pub struct Take<T> {
    deferred: Deferred<T>,
}

impl<T: Send + 'static> Deferred<T> {
    /// Moves the result out of the deferred: for a value that is not `Clone` (a socket, a
    /// connection), which `.await` cannot give.
    ///
    /// The first `take` to complete gets the value; whoever comes later (another `take`, an
    /// awaiter, a callback) sees a failure that is a [`TakenError`](crate::TakenError), never
    /// reported as unhandled. Callbacks added before the deferred fired still see `&T` first:
    /// `take` completes once they ran. A failed deferred has nothing to move: every `take` gets
    /// its failure (which then counts as handled).
    ///
    /// # Cancellation
    ///
    /// Dropping the `Take` cancels nothing. Inside a spawned task or a `#[portable] async fn`,
    /// a pending `take` is what the task waits on: cancelling the task cancels this deferred.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[txaio::main] async fn main() {
    /// struct Connection { id: u32 } // not Clone
    ///
    /// #[txaio::portable]
    /// async fn connect(id: u32) -> Result<Connection, std::io::Error> {
    ///     Ok(Connection { id })
    /// }
    ///
    /// let connection = connect(7).take().await.unwrap();
    /// assert_eq!(connection.id, 7);
    /// # }
    /// ```
    pub fn take(self) -> Take<T> {
        Take { deferred: self }
    }
}

impl<T: Send + 'static> Future for Take<T> {
    type Output = Result<T, Failure>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().deferred.poll_take(cx)
    }
}
