//! Code that `cfg` compiles out is not refused: the errors of an item are emitted inside it,
//! so its `cfg` removes them with it. `#[test]` and `#[txaio::test]` functions in a portable
//! `mod` are test code, left to their own attribute.

#[txaio::portable]
mod protocol {
    pub async fn hello() -> u8 {
        1
    }

    #[cfg(any())]
    async fn never_compiled() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }

    #[cfg(any())]
    mod never {
        async fn blocks() {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    #[cfg(any())]
    use tokio::time::sleep;

    #[cfg(test)]
    mod tests {
        #[test]
        fn blocking_is_fine_in_a_test() {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    #[txaio::test]
    async fn an_async_test() {
        assert_eq!(hello().await.unwrap(), 1);
    }

    #[test]
    fn a_plain_test() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

#[txaio::main]
pub async fn main() {
    assert_eq!(protocol::hello().await.unwrap(), 1);
}
