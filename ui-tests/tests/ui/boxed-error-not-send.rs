#[txaio::portable]
async fn parse(text: String) -> Result<u8, Box<dyn std::error::Error>> {
    Ok(text.parse()?)
}

fn main() {}
