#[txaio::portable]
async fn parse(text: String) -> Result<u8, String> {
    text.parse().map_err(|_| format!("not a number: {text}"))
}

#[txaio::portable]
async fn check(text: String) -> Result<(), &'static str> {
    if text.is_empty() { Err("empty") } else { Ok(()) }
}

fn main() {}
