//! A bare `#[portable]` on a `mod` inside a portable `mod` is redundant (the outer one covers
//! it), as on a function or an `impl` there.

#[txaio::portable]
mod outer {
    #[portable]
    mod inner {
        pub async fn answer() -> u8 {
            42
        }
    }
}

fn main() {}
