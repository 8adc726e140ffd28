//! Paths through the module tree the macro sees: `self::` and `super::` reach a portable
//! module's imports, and a nested module's re-exports reach what they name.

#[txaio::portable]
mod protocol {
    use std::thread;

    mod reexports {
        pub use std::fs;
        pub use std::thread::sleep as nap;

        pub mod deeper {
            pub use tokio::time;
        }
    }

    pub async fn through_self() {
        self::thread::sleep(std::time::Duration::from_millis(1));
    }

    pub async fn through_a_module() -> usize {
        reexports::nap(std::time::Duration::from_millis(1));
        reexports::fs::read("a").map(|bytes| bytes.len()).unwrap_or(0)
    }

    pub async fn deeper() {
        self::reexports::deeper::time::sleep(std::time::Duration::from_millis(1)).await;
    }

    pub mod inner {
        pub async fn through_super() {
            super::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
}

fn main() {}
