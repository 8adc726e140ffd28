//! A `#[portable(blocking)]` helper may block, so it is called only on the blocking pool; and
//! only a sync `fn` can be one.

#[txaio::portable]
mod files {
    use std::path::PathBuf;

    #[portable(blocking)]
    fn exists(path: PathBuf) -> bool {
        std::fs::metadata(path).is_ok()
    }

    pub async fn check(path: PathBuf) -> bool {
        exists(path)
    }

    #[portable(blocking)]
    pub async fn not_a_helper(path: PathBuf) -> bool {
        path.exists()
    }
}

fn main() {}
