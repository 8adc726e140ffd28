#[txaio::portable]
async fn load_config(path: String) -> Result<String, std::io::Error> {
    std::fs::read_to_string(path)
}

#[txaio::portable]
async fn open_log(path: String) -> Result<(), std::io::Error> {
    use std::fs;
    let _file = fs::File::open(path)?;
    Ok(())
}

fn main() {}
