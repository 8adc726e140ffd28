//! Containing panics of user code: the one place where txaio catches an unwind.

use std::any::Any;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::errors::Panic;

/// Runs `f`, turning a panic into a [`Panic`] that owns only the payload's message.
///
/// The payload itself is dropped inside a second `catch_unwind`: a payload whose own `Drop`
/// panics would otherwise unwind out of txaio's callback runner and leave a deferred or a timer
/// half-fired. Such a payload is leaked rather than allowed to escape.
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Panic> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let panic = Panic::from_payload(&*payload);
        drop_payload(payload);
        panic
    })
}

fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(second) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        // The second payload may panic on drop too; it is not dropped at all.
        let _leaked = ManuallyDrop::new(second);
    }
}

#[cfg(test)]
mod tests {
    use super::catch;

    struct PanicsOnDrop;

    impl Drop for PanicsOnDrop {
        fn drop(&mut self) {
            panic!("the payload's drop panics too");
        }
    }

    #[test]
    fn a_payload_that_panics_on_drop_is_contained() {
        let caught = catch(|| std::panic::panic_any(PanicsOnDrop));
        let panic = caught.expect_err("the closure panicked");
        assert_eq!(panic.message(), "a panic with a non-string payload");
    }

    #[test]
    fn a_string_payload_keeps_its_message() {
        let caught = catch(|| -> u8 { panic!("boom {}", 7) });
        assert_eq!(caught.unwrap_err().message(), "boom 7");
        assert_eq!(catch(|| 3), Ok(3));
    }
}
