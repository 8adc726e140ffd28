#[derive(Debug)]
enum ParseError {
    Empty,
}

#[txaio::portable]
async fn parse(text: String) -> Result<u8, ParseError> {
    text.parse().map_err(|_| ParseError::Empty)
}

fn main() {}
