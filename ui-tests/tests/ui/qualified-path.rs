#[txaio::portable]
async fn open_log(path: String) -> std::io::Result<()> {
    let _file = <std::fs::File>::open(path)?;
    Ok(())
}

fn main() {}
