use std::process::Command;

#[txaio::portable]
async fn version() -> std::io::Result<Vec<u8>> {
    Ok(Command::new("rustc").arg("--version").output()?.stdout)
}

#[txaio::portable]
async fn run(program: String) -> std::io::Result<bool> {
    let mut command = Command::new(program);
    Ok(command.status()?.success())
}

#[txaio::portable]
async fn spawn_and_wait(program: String) -> std::io::Result<bool> {
    let mut child = Command::new(program).spawn()?;
    Ok(child.wait()?.success())
}

fn main() {}
