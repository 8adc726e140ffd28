//! A `#[portable(blocking)]` method of a portable `impl` is called on the blocking pool only:
//! `self.name()` and `Self::name(..)` on the event loop are refused.

pub struct Store {
    dir: std::path::PathBuf,
}

#[txaio::portable]
impl Store {
    #[portable(blocking)]
    fn load(dir: std::path::PathBuf) -> std::io::Result<String> {
        std::fs::read_to_string(dir.join("config"))
    }

    #[portable(blocking)]
    fn size(&self) -> std::io::Result<u64> {
        std::fs::metadata(&self.dir).map(|metadata| metadata.len())
    }

    async fn inline(self) -> Result<u64, txaio::Failure> {
        let text = Self::load(self.dir.clone())?;
        Ok(self.size()? + text.len() as u64)
    }
}

fn main() {}
