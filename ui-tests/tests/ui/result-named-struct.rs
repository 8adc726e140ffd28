//! A return type named `Result` without arguments is read as a `Result` alias (such as
//! `fmt::Result`); a struct of that name is said to be one.

struct Result {
    code: u8,
}

#[txaio::portable]
async fn status() -> Result {
    Result { code: 0 }
}

fn main() {}
