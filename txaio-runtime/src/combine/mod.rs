//! One deferred for many: `gather`, `gather_results`, `race`, `DeferredList`.

mod deferred_list;
mod engine;
mod errors;
mod gather;
mod gather_results;
mod race;

pub use deferred_list::{DeferredList, DeferredListResult};
pub use errors::{FailureGroup, FirstError};
pub use gather::gather;
pub use gather_results::gather_results;
pub use race::race;
