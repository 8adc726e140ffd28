//! rayon's `join` and parallel iterators block the event loop until the parallel work ends
//! (as `thread::scope` does), and pollster's `.block_on()` runs another executor on it.
//! (`rayon` and `pollster` are modules here with those crates' shapes: the macro reads paths.)

mod rayon {
    pub fn join<A, B>(a: impl FnOnce() -> A, b: impl FnOnce() -> B) -> (A, B) {
        (a(), b())
    }
    pub mod iter {
        pub trait IntoParallelRefIterator {
            fn par_iter(&self) -> std::slice::Iter<'_, u8>;
        }
        impl IntoParallelRefIterator for Vec<u8> {
            fn par_iter(&self) -> std::slice::Iter<'_, u8> {
                self.iter()
            }
        }
    }
    pub mod prelude {
        pub use super::iter::IntoParallelRefIterator;
    }
}

mod pollster {
    pub trait FutureExt: std::future::Future + Sized {
        fn block_on(self) -> Self::Output {
            unimplemented!()
        }
    }
    impl<F: std::future::Future> FutureExt for F {}
}

#[txaio::portable]
async fn joined() -> (u8, u8) {
    rayon::join(|| 1, || 2)
}

#[txaio::portable]
async fn summed(values: Vec<u8>) -> usize {
    use rayon::prelude::*;
    values.par_iter().count()
}

#[txaio::portable]
async fn blocked() -> u8 {
    use pollster::FutureExt as _;
    async { 1 }.block_on()
}

fn main() {}
