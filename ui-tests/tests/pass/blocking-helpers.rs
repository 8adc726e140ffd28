//! Blocking work offloaded the documented ways: `Txaio::defer_to_thread` on an instance held
//! in a field, and a sync helper (a fn or a method) marked `#[portable(blocking)]`, called
//! only through `defer_to_thread`.

use std::path::PathBuf;

pub struct Store {
    txaio: txaio::Txaio,
    dir: PathBuf,
}

#[txaio::portable]
impl Store {
    async fn read(self, name: String) -> Result<String, txaio::Failure> {
        let path = self.dir.join(name);
        self.txaio
            .defer_to_thread(move || std::fs::read_to_string(path))
            .await
    }
}

pub struct Config {
    path: PathBuf,
}

#[txaio::portable]
impl Config {
    #[portable(blocking)]
    fn load(path: PathBuf) -> std::io::Result<usize> {
        std::fs::read(path).map(|bytes| bytes.len())
    }

    async fn size(self) -> Result<usize, txaio::Failure> {
        let path = self.path.clone();
        let first = txaio::defer_to_thread(move || Self::load(path)).await?;
        let this = self;
        let second = txaio::defer_to_thread(move || this.len()).await?;
        Ok(first.max(second))
    }

    #[portable(blocking)]
    fn len(&self) -> std::io::Result<usize> {
        std::fs::metadata(&self.path).map(|metadata| metadata.len() as usize)
    }
}

#[txaio::portable]
mod files {
    use std::path::PathBuf;

    #[portable(blocking)]
    fn exists(path: PathBuf) -> std::io::Result<bool> {
        Ok(std::fs::metadata(path).is_ok())
    }

    pub async fn check(path: PathBuf) -> Result<bool, txaio::Failure> {
        txaio::defer_to_thread(move || exists(path)).await
    }
}

#[txaio::main]
pub async fn main() {
    let store = Store {
        txaio: txaio::with_config(txaio::Config::current()),
        dir: PathBuf::from("."),
    };
    assert!(store.read("Cargo.toml".into()).await.is_ok());
    assert!(files::check(".".into()).await.unwrap());
    let config = Config {
        path: PathBuf::from("Cargo.toml"),
    };
    assert!(config.size().await.unwrap() > 0);
}
