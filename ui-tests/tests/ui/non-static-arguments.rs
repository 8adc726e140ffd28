use std::borrow::Cow;

#[txaio::portable]
async fn greet(name: impl AsRef<str>) -> usize {
    name.as_ref().len()
}

#[txaio::portable]
async fn realm<'a>(name: Cow<'a, str>) -> usize {
    name.len()
}

fn main() {}
