#[txaio::portable]
async fn length(name: String) -> Result<usize, txaio::Failure> {
    name.len()
}

#[txaio::portable]
async fn early(name: String) -> u32 {
    if name.is_empty() {
        return "none";
    }
    1
}

fn main() {}
