//! A vector that costs one word while empty: for the parts of a deferred's state that most
//! deferreds never use (a second awaiter, several awaited deferreds, internal takers), so
//! that the common deferred stays small.

/// `Vec<T>` behind an `Option<Box<..>>`: 8 bytes instead of 24 while empty.
#[allow(clippy::box_collection)] // the point: one word in the common, empty case
pub(crate) struct ThinVec<T>(Option<Box<Vec<T>>>);

impl<T> Default for ThinVec<T> {
    fn default() -> Self {
        ThinVec(None)
    }
}

impl<T> ThinVec<T> {
    pub(crate) const fn new() -> Self {
        ThinVec(None)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.as_ref().is_none_or(|items| items.is_empty())
    }

    /// Empty with nothing allocated (`is_empty` is also true of an emptied vector).
    #[inline]
    pub(crate) const fn is_unallocated(&self) -> bool {
        self.0.is_none()
    }

    pub(crate) fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |items| items.len())
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        self.0.as_deref_mut().map_or(&mut [], Vec::as_mut_slice)
    }

    pub(crate) fn push(&mut self, item: T) {
        self.0.get_or_insert_with(Box::default).push(item);
    }

    pub(crate) fn clear(&mut self) {
        if let Some(items) = &mut self.0 {
            items.clear();
        }
    }

    pub(crate) fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        if let Some(items) = &mut self.0 {
            items.retain(keep);
        }
    }

    pub(crate) fn append(&mut self, other: &mut Vec<T>) {
        if !other.is_empty() {
            self.0.get_or_insert_with(Box::default).append(other);
        }
    }

    /// Moves every item out, keeping nothing allocated here.
    pub(crate) fn take(&mut self) -> Vec<T> {
        self.0.take().map(|items| *items).unwrap_or_default()
    }
}
