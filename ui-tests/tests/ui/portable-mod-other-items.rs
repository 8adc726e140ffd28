//! The items of a portable `mod` that are not rewritten are checked too: a `static`'s
//! initialiser, a type alias, a trait's default method bodies, an `impl`'s self type and
//! associated consts.

#[txaio::portable]
mod protocol {
    use std::sync::LazyLock;

    static CONFIG: LazyLock<String> =
        LazyLock::new(|| std::fs::read_to_string("config.toml").unwrap_or_default());

    type Sock = std::net::TcpStream;

    pub trait Handler {
        fn pause(&self) {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    pub struct Wrapper<T>(T);

    impl Wrapper<tokio::time::Sleep> {
        const READ: fn(&str) -> std::io::Result<Vec<u8>> = |path| std::fs::read(path);
    }
}

fn main() {}
