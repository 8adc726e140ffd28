//! A `stat` (`Path::exists`, `is_file`), `DirBuilder::create` and `symlink` block the event
//! loop like the rest of `std::fs`.

#[txaio::portable]
async fn exists(path: std::path::PathBuf) -> bool {
    path.exists()
}

#[txaio::portable]
async fn is_file(name: String) -> bool {
    use std::path::Path;
    Path::new(&name).is_file()
}

#[txaio::portable]
async fn create(dir: std::path::PathBuf) -> std::io::Result<()> {
    std::fs::DirBuilder::new().recursive(true).create(&dir)?;
    std::os::unix::fs::symlink(&dir, "link")
}

fn main() {}
