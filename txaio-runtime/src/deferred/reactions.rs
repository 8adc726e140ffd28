//! The callbacks waiting on a deferred: an intrusive list, one allocation per callback.

use crate::failure::Failure;

/// One callback (or callback/errback pair) added to a deferred.
pub(crate) trait Reaction<T>: Send {
    fn next(&mut self) -> &mut Option<Box<dyn Reaction<T>>>;
    fn react(self: Box<Self>, outcome: Result<&T, &Failure>);
}

struct Link<T, F> {
    next: Option<Box<dyn Reaction<T>>>,
    react: F,
}

impl<T, F> Reaction<T> for Link<T, F>
where
    T: Send + 'static,
    F: FnOnce(Result<&T, &Failure>) + Send + 'static,
{
    fn next(&mut self) -> &mut Option<Box<dyn Reaction<T>>> {
        &mut self.next
    }

    fn react(self: Box<Self>, outcome: Result<&T, &Failure>) {
        (self.react)(outcome);
    }
}

/// Boxes a closure as a reaction: the only allocation a callback costs.
pub(crate) fn reaction<T, F>(react: F) -> Box<dyn Reaction<T>>
where
    T: Send + 'static,
    F: FnOnce(Result<&T, &Failure>) + Send + 'static,
{
    Box::new(Link { next: None, react })
}

/// Reactions in reverse order of addition (newest first), so that adding is O(1) with no
/// separate vector; [`Reactions::into_ordered`] restores the order before they run.
pub(crate) struct Reactions<T> {
    newest: Option<Box<dyn Reaction<T>>>,
}

impl<T> Reactions<T> {
    pub(crate) const fn new() -> Self {
        Reactions { newest: None }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.newest.is_none()
    }

    pub(crate) fn push(&mut self, mut reaction: Box<dyn Reaction<T>>) {
        *reaction.next() = self.newest.take();
        self.newest = Some(reaction);
    }

    pub(crate) fn take(&mut self) -> Reactions<T> {
        Reactions {
            newest: self.newest.take(),
        }
    }

    /// The reactions oldest first, as a chain to pop from.
    pub(crate) fn into_ordered(mut self) -> Ordered<T> {
        let mut oldest_first = None;
        let mut cursor = self.newest.take();
        while let Some(mut node) = cursor {
            cursor = node.next().take();
            *node.next() = oldest_first;
            oldest_first = Some(node);
        }
        Ordered { head: oldest_first }
    }
}

impl<T> Drop for Reactions<T> {
    #[inline]
    fn drop(&mut self) {
        if self.newest.is_some() {
            self.drop_chain();
        }
    }
}

impl<T> Reactions<T> {
    // Iterative, so that a deferred dropped with a million callbacks does not overflow the stack.
    fn drop_chain(&mut self) {
        let mut cursor = self.newest.take();
        while let Some(mut node) = cursor {
            cursor = node.next().take();
        }
    }
}

/// Reactions in the order they were added.
pub(crate) struct Ordered<T> {
    head: Option<Box<dyn Reaction<T>>>,
}

impl<T> Iterator for Ordered<T> {
    type Item = Box<dyn Reaction<T>>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut node = self.head.take()?;
        self.head = node.next().take();
        Some(node)
    }
}

impl<T> Drop for Ordered<T> {
    fn drop(&mut self) {
        for _ in self.by_ref() {}
    }
}
