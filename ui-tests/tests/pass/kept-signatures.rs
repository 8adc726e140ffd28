//! A portable `async fn` that borrows (`&self`, `&mut self`, `&str`, a lifetime, an `impl
//! Trait`), or is marked `keep_signature`, keeps its signature: it stays an `async fn`,
//! returns its own typed error, and its body is checked like any portable body.

use std::borrow::Cow;
use std::fmt;
use std::pin::Pin;
use std::time::Duration;

#[derive(Debug, PartialEq, Eq)]
pub enum ProtocolError {
    Closed,
    Unexpected(String),
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::Closed => f.write_str("closed"),
            ProtocolError::Unexpected(what) => write!(f, "unexpected {what:?}"),
        }
    }
}

impl std::error::Error for ProtocolError {}

pub struct Session {
    realm: String,
    sent: Vec<String>,
}

#[txaio::portable]
impl Session {
    async fn realm(&self) -> &str {
        &self.realm
    }

    async fn send(&mut self, frame: &str) -> Result<usize, ProtocolError> {
        if frame.is_empty() {
            return Err(ProtocolError::Closed);
        }
        txaio::sleep(Duration::from_millis(1))
            .await
            .map_err(|failure| ProtocolError::Unexpected(failure.to_string()))?;
        self.sent.push(frame.to_owned());
        Ok(self.sent.len())
    }

    // Its siblings keep their signatures, so a typed error goes through `?` inside the impl.
    async fn hello(&mut self) -> Result<usize, ProtocolError> {
        let hello = format!("HELLO {}", self.realm().await);
        self.send(&hello).await?;
        self.send("PING").await
    }

    async fn pinned(self: Pin<&mut Self>) -> usize {
        self.sent.len()
    }

    // Owned arguments only: still the Deferred form.
    async fn count(self: std::sync::Arc<Self>) -> usize {
        self.sent.len()
    }
}

#[txaio::portable]
async fn first_word<'a>(line: &'a str) -> Option<&'a str> {
    line.split(' ').next()
}

#[txaio::portable]
async fn realm_len<'a>(name: Cow<'a, str>) -> usize {
    name.len()
}

#[txaio::portable]
async fn greet(name: impl AsRef<str>) -> usize {
    name.as_ref().len()
}

#[txaio::portable]
async fn frames(peer: &str, frames: Vec<&[u8]>) -> usize {
    peer.len() + frames.len()
}

/// Owned arguments, typed error kept.
#[txaio::portable(keep_signature)]
async fn parse(text: String) -> Result<u8, ProtocolError> {
    text.parse().map_err(|_| ProtocolError::Unexpected(text))
}

#[txaio::portable(keep_signature)]
mod codec {
    pub async fn decode(bytes: Vec<u8>) -> Result<String, std::string::FromUtf8Error> {
        String::from_utf8(bytes)
    }

    // `String` errors are refused only where they would become a failure.
    pub async fn check(line: String) -> Result<String, String> {
        if line.is_empty() {
            Err("empty".to_owned())
        } else {
            Ok(line)
        }
    }
}

/// A trait impl keeps its signatures; its bodies are checked.
pub struct Ticker(u32);

#[txaio::portable]
impl Iterator for Ticker {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        self.0 = self.0.checked_sub(1)?;
        Some(self.0)
    }
}

pub fn main() {
    txaio::__private::block_on_default(async {
        let mut session = Session {
            realm: "realm1".into(),
            sent: Vec::new(),
        };
        assert_eq!(session.realm().await, "realm1");
        let sent: Result<usize, ProtocolError> = session.hello().await;
        assert_eq!(sent, Ok(2));
        assert_eq!(session.send("").await, Err(ProtocolError::Closed));
        assert_eq!(Pin::new(&mut session).pinned().await, 2);
        let deferred: txaio::Deferred<usize> = std::sync::Arc::new(session).count();
        assert_eq!(deferred.await.unwrap(), 2);
        assert_eq!(first_word("HELLO realm1").await, Some("HELLO"));
        assert_eq!(realm_len(Cow::Borrowed("realm1")).await, 6);
        assert_eq!(greet("alice").await, 5);
        assert_eq!(frames("peer", vec![&b"x"[..]]).await, 5);
        assert_eq!(parse("7".into()).await, Ok(7));
        assert_eq!(
            parse("x".into()).await,
            Err(ProtocolError::Unexpected("x".into()))
        );
        assert!(codec::decode(vec![0xff]).await.is_err());
        assert_eq!(codec::check(String::new()).await, Err("empty".to_owned()));
    });
    assert_eq!(Ticker(3).collect::<Vec<_>>(), [2, 1, 0]);
}
