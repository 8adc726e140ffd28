#[txaio::portable]
async fn version() -> std::io::Result<Vec<u8>> {
    use std::process::Command;
    Ok(Command::new("rustc").arg("--version").output()?.stdout)
}

#[txaio::portable]
async fn run(program: String) -> std::io::Result<bool> {
    use std::process::Command;
    let mut command = Command::new(program);
    Ok(command.status()?.success())
}

#[txaio::portable]
async fn spawn_and_wait(program: String) -> std::io::Result<bool> {
    let mut child = std::process::Command::new(program).spawn()?;
    Ok(child.wait()?.success())
}

fn main() {}
