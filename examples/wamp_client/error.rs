//! The client's errors: every one a typed value, never a panic.

use std::error::Error;
use std::fmt;

use serde_json::Value;

use crate::message::{Dict, Payload};

/// A WebSocket text frame that is not a well-formed WAMP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Not JSON at all.
    NotJson(String),
    /// JSON, but not a non-empty array.
    NotAnArray,
    /// The first element is not a non-negative integer.
    BadType,
    /// A type code that WAMP does not define (or the Basic Profile does not use).
    UnknownType(u64),
    /// The right type, the wrong number of elements.
    Length {
        /// The message type's name.
        message: &'static str,
        /// How many elements the array had.
        len: usize,
    },
    /// An element of the wrong kind.
    Field {
        /// The message type's name.
        message: &'static str,
        /// The element's name in the spec (`Request`, `Details`, ...).
        field: &'static str,
        /// What it should have been.
        expected: &'static str,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::NotJson(e) => write!(f, "not JSON: {e}"),
            DecodeError::NotAnArray => f.write_str("a WAMP message must be a non-empty JSON array"),
            DecodeError::BadType => f.write_str("the message type must be a non-negative integer"),
            DecodeError::UnknownType(code) => write!(f, "unknown message type {code}"),
            DecodeError::Length { message, len } => {
                write!(f, "{message} with {len} elements")
            }
            DecodeError::Field {
                message,
                field,
                expected,
            } => {
                write!(f, "{message}: `{field}` must be {expected}")
            }
        }
    }
}

impl Error for DecodeError {}

/// The router broke the protocol: the session is closed (an ABORT with
/// `wamp.error.protocol_violation` is sent) and everything pending fails with this error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// A frame that does not decode.
    Decode(DecodeError),
    /// A binary frame on the `wamp.2.json` subprotocol.
    BinaryFrame,
    /// A message that is valid, but not in this state of the session.
    Unexpected {
        /// The message type's name.
        message: &'static str,
        /// The state the session was in.
        state: &'static str,
    },
    /// A reply to a request this session has not made (or already had answered).
    UnknownRequest {
        /// The message type's name.
        message: &'static str,
        /// Its request id.
        request: u64,
    },
    /// An EVENT or INVOCATION for a subscription or registration this session does not hold.
    UnknownTarget {
        /// The message type's name.
        message: &'static str,
        /// The subscription or registration id.
        id: u64,
    },
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::Decode(e) => write!(f, "malformed message: {e}"),
            ProtocolError::BinaryFrame => f.write_str("binary frame on wamp.2.json"),
            ProtocolError::Unexpected { message, state } => {
                write!(f, "unexpected {message} while {state}")
            }
            ProtocolError::UnknownRequest { message, request } => {
                write!(f, "{message} for unknown request {request}")
            }
            ProtocolError::UnknownTarget { message, id } => {
                write!(f, "{message} for unknown subscription or registration {id}")
            }
        }
    }
}

impl Error for ProtocolError {}

impl From<DecodeError> for ProtocolError {
    fn from(e: DecodeError) -> Self {
        ProtocolError::Decode(e)
    }
}

/// An application error travelling as a WAMP ERROR: what a failed `call` gives, and what a
/// procedure returns to answer with a specific error URI.
#[derive(Debug, Clone, PartialEq)]
pub struct WampError {
    /// The error URI (`wamp.error.no_such_procedure`, `com.example.error.refused`).
    pub error: String,
    /// Its arguments.
    pub payload: Payload,
    /// The ERROR's details.
    pub details: Dict,
}

impl WampError {
    /// An error with a URI and positional arguments.
    pub fn new(error: impl Into<String>, args: Vec<Value>) -> Self {
        WampError {
            error: error.into(),
            payload: Payload::args(args),
            details: Dict::new(),
        }
    }
}

impl fmt::Display for WampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error)?;
        if let Some(Value::String(first)) = self.payload.args.first() {
            write!(f, ": {first}")?;
        }
        Ok(())
    }
}

impl Error for WampError {}

/// The session is over (left, aborted, broken or disconnected): what a request made on it,
/// or pending on it when it ended, fails with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionClosed {
    /// The close reason URI (`wamp.close.normal`, `wamp.error.protocol_violation`,
    /// `wamp.close.transport_lost`).
    pub reason: String,
    /// A human-readable message, when there is one.
    pub message: String,
}

impl fmt::Display for SessionClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "session closed ({})", self.reason)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

impl Error for SessionClosed {}

/// Joining a realm failed: the router answered HELLO with ABORT, or broke the protocol, or
/// the connection ended first.
#[derive(Debug, Clone, PartialEq)]
pub enum JoinError {
    /// The router refused the session (`wamp.error.no_such_realm`, ...).
    Aborted {
        /// The ABORT's reason URI.
        reason: String,
        /// Its details.
        details: Dict,
    },
    /// The router answered with something that is not WELCOME or ABORT.
    Protocol(ProtocolError),
    /// The connection closed before the router answered.
    Disconnected,
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Aborted { reason, details } => {
                write!(f, "the router aborted the join: {reason}")?;
                if let Some(Value::String(m)) = details.get("message") {
                    write!(f, " ({m})")?;
                }
                Ok(())
            }
            JoinError::Protocol(e) => write!(f, "protocol violation while joining: {e}"),
            JoinError::Disconnected => f.write_str("the connection closed while joining"),
        }
    }
}

impl Error for JoinError {}
