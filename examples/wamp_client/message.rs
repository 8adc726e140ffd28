//! WAMP v2 Basic Profile messages and their JSON form (`wamp.2.json`).
//!
//! Every message is a JSON array whose first element is the message type code. Trailing
//! `Arguments|list` and `ArgumentsKw|dict` are optional on the wire: [`Message::encode`] omits
//! them when empty (as the spec's examples do), and [`Message::decode`] accepts both forms.

use serde_json::{Map, Value, json};

use crate::error::DecodeError;

/// A WAMP dictionary (`Details|dict`, `Options|dict`, `ArgumentsKw|dict`).
pub type Dict = Map<String, Value>;

/// A WAMP id: an integer in `1..=2^53` (the range a JSON double holds exactly).
pub type Id = u64;

/// The largest valid WAMP id, `2^53`.
pub const MAX_ID: Id = 1 << 53;

/// Positional and keyword arguments of a PUBLISH, EVENT, CALL, RESULT, INVOCATION, YIELD or ERROR.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Payload {
    /// `Arguments|list`.
    pub args: Vec<Value>,
    /// `ArgumentsKw|dict`.
    pub kwargs: Dict,
}

impl Payload {
    /// Positional arguments only.
    pub fn args(args: Vec<Value>) -> Self {
        Self {
            args,
            kwargs: Dict::new(),
        }
    }

    fn push_onto(&self, out: &mut Vec<Value>) {
        if !self.args.is_empty() || !self.kwargs.is_empty() {
            out.push(Value::Array(self.args.clone()));
        }
        if !self.kwargs.is_empty() {
            out.push(Value::Object(self.kwargs.clone()));
        }
    }
}

/// One WAMP message of the Basic Profile (plus CANCEL, which Crossbar.io understands and which a
/// cancelled call sends when the router announces `call_canceling`).
#[allow(missing_docs)] // The fields are named as in the WAMP spec's message definitions.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    Hello {
        realm: String,
        details: Dict,
    },
    Welcome {
        session: Id,
        details: Dict,
    },
    Abort {
        details: Dict,
        reason: String,
    },
    Goodbye {
        details: Dict,
        reason: String,
    },
    Error {
        request_type: u64,
        request: Id,
        details: Dict,
        error: String,
        payload: Payload,
    },
    Publish {
        request: Id,
        options: Dict,
        topic: String,
        payload: Payload,
    },
    Published {
        request: Id,
        publication: Id,
    },
    Subscribe {
        request: Id,
        options: Dict,
        topic: String,
    },
    Subscribed {
        request: Id,
        subscription: Id,
    },
    Unsubscribe {
        request: Id,
        subscription: Id,
    },
    Unsubscribed {
        request: Id,
    },
    Event {
        subscription: Id,
        publication: Id,
        details: Dict,
        payload: Payload,
    },
    Call {
        request: Id,
        options: Dict,
        procedure: String,
        payload: Payload,
    },
    Cancel {
        request: Id,
        options: Dict,
    },
    Result {
        request: Id,
        details: Dict,
        payload: Payload,
    },
    Register {
        request: Id,
        options: Dict,
        procedure: String,
    },
    Registered {
        request: Id,
        registration: Id,
    },
    Unregister {
        request: Id,
        registration: Id,
    },
    Unregistered {
        request: Id,
    },
    Invocation {
        request: Id,
        registration: Id,
        details: Dict,
        payload: Payload,
    },
    Yield {
        request: Id,
        options: Dict,
        payload: Payload,
    },
}

/// Message type codes, as in the WAMP spec.
#[allow(missing_docs)]
pub mod code {
    pub const HELLO: u64 = 1;
    pub const WELCOME: u64 = 2;
    pub const ABORT: u64 = 3;
    pub const GOODBYE: u64 = 6;
    pub const ERROR: u64 = 8;
    pub const PUBLISH: u64 = 16;
    pub const PUBLISHED: u64 = 17;
    pub const SUBSCRIBE: u64 = 32;
    pub const SUBSCRIBED: u64 = 33;
    pub const UNSUBSCRIBE: u64 = 34;
    pub const UNSUBSCRIBED: u64 = 35;
    pub const EVENT: u64 = 36;
    pub const CALL: u64 = 48;
    pub const CANCEL: u64 = 49;
    pub const RESULT: u64 = 50;
    pub const REGISTER: u64 = 64;
    pub const REGISTERED: u64 = 65;
    pub const UNREGISTER: u64 = 66;
    pub const UNREGISTERED: u64 = 67;
    pub const INVOCATION: u64 = 68;
    pub const YIELD: u64 = 70;
}

impl Message {
    /// The message's type code.
    pub fn code(&self) -> u64 {
        match self {
            Message::Hello { .. } => code::HELLO,
            Message::Welcome { .. } => code::WELCOME,
            Message::Abort { .. } => code::ABORT,
            Message::Goodbye { .. } => code::GOODBYE,
            Message::Error { .. } => code::ERROR,
            Message::Publish { .. } => code::PUBLISH,
            Message::Published { .. } => code::PUBLISHED,
            Message::Subscribe { .. } => code::SUBSCRIBE,
            Message::Subscribed { .. } => code::SUBSCRIBED,
            Message::Unsubscribe { .. } => code::UNSUBSCRIBE,
            Message::Unsubscribed { .. } => code::UNSUBSCRIBED,
            Message::Event { .. } => code::EVENT,
            Message::Call { .. } => code::CALL,
            Message::Cancel { .. } => code::CANCEL,
            Message::Result { .. } => code::RESULT,
            Message::Register { .. } => code::REGISTER,
            Message::Registered { .. } => code::REGISTERED,
            Message::Unregister { .. } => code::UNREGISTER,
            Message::Unregistered { .. } => code::UNREGISTERED,
            Message::Invocation { .. } => code::INVOCATION,
            Message::Yield { .. } => code::YIELD,
        }
    }

    /// The message type's name as the spec writes it (`"HELLO"`, `"RESULT"`).
    pub fn name(&self) -> &'static str {
        code_name(self.code()).unwrap_or("UNKNOWN")
    }

    /// The message as a JSON array value.
    #[allow(clippy::too_many_lines)] // One arm per message type, as the spec's table.
    pub fn to_json(&self) -> Value {
        let c = json!(self.code());
        let mut out = match self {
            Message::Hello { realm, details } => vec![c, json!(realm), obj(details)],
            Message::Welcome { session, details } => vec![c, json!(session), obj(details)],
            Message::Abort { details, reason } | Message::Goodbye { details, reason } => {
                vec![c, obj(details), json!(reason)]
            }
            Message::Error {
                request_type,
                request,
                details,
                error,
                ..
            } => {
                vec![
                    c,
                    json!(request_type),
                    json!(request),
                    obj(details),
                    json!(error),
                ]
            }
            Message::Publish {
                request,
                options,
                topic,
                ..
            }
            | Message::Subscribe {
                request,
                options,
                topic,
            } => {
                vec![c, json!(request), obj(options), json!(topic)]
            }
            Message::Call {
                request,
                options,
                procedure,
                ..
            }
            | Message::Register {
                request,
                options,
                procedure,
            } => {
                vec![c, json!(request), obj(options), json!(procedure)]
            }
            Message::Published {
                request,
                publication: id,
            }
            | Message::Subscribed {
                request,
                subscription: id,
            }
            | Message::Unsubscribe {
                request,
                subscription: id,
            }
            | Message::Registered {
                request,
                registration: id,
            }
            | Message::Unregister {
                request,
                registration: id,
            } => {
                vec![c, json!(request), json!(id)]
            }
            Message::Unsubscribed { request } | Message::Unregistered { request } => {
                vec![c, json!(request)]
            }
            Message::Event {
                subscription,
                publication,
                details,
                ..
            } => {
                vec![c, json!(subscription), json!(publication), obj(details)]
            }
            Message::Result {
                request,
                details: dict,
                ..
            }
            | Message::Cancel {
                request,
                options: dict,
            }
            | Message::Yield {
                request,
                options: dict,
                ..
            } => vec![c, json!(request), obj(dict)],
            Message::Invocation {
                request,
                registration,
                details,
                ..
            } => {
                vec![c, json!(request), json!(registration), obj(details)]
            }
        };
        if let Some(payload) = self.payload() {
            payload.push_onto(&mut out);
        }
        Value::Array(out)
    }

    /// The message as JSON text, ready for a WebSocket text frame.
    pub fn encode(&self) -> String {
        self.to_json().to_string()
    }

    /// Parses one WebSocket text frame.
    ///
    /// # Errors
    ///
    /// A [`DecodeError`] naming what is wrong: not JSON, not a non-empty array, an unknown type
    /// code, a wrong element count, or an element of the wrong kind (an id outside `1..=2^53`,
    /// a URI that is empty or holds whitespace, a dict that is not an object).
    pub fn decode(text: &str) -> Result<Message, DecodeError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| DecodeError::NotJson(e.to_string()))?;
        Message::from_json(&value)
    }

    /// Parses one message from a JSON value.
    ///
    /// # Errors
    ///
    /// As [`Message::decode`], apart from JSON syntax.
    pub fn from_json(value: &Value) -> Result<Message, DecodeError> {
        crate::decode::from_json(value)
    }

    /// The message's arguments, for the types that carry them.
    pub fn payload(&self) -> Option<&Payload> {
        match self {
            Message::Error { payload, .. }
            | Message::Publish { payload, .. }
            | Message::Event { payload, .. }
            | Message::Call { payload, .. }
            | Message::Result { payload, .. }
            | Message::Invocation { payload, .. }
            | Message::Yield { payload, .. } => Some(payload),
            _ => None,
        }
    }
}

/// The spec's name of a message type code.
pub fn code_name(code: u64) -> Option<&'static str> {
    Some(match code {
        code::HELLO => "HELLO",
        code::WELCOME => "WELCOME",
        code::ABORT => "ABORT",
        code::GOODBYE => "GOODBYE",
        code::ERROR => "ERROR",
        code::PUBLISH => "PUBLISH",
        code::PUBLISHED => "PUBLISHED",
        code::SUBSCRIBE => "SUBSCRIBE",
        code::SUBSCRIBED => "SUBSCRIBED",
        code::UNSUBSCRIBE => "UNSUBSCRIBE",
        code::UNSUBSCRIBED => "UNSUBSCRIBED",
        code::EVENT => "EVENT",
        code::CALL => "CALL",
        code::CANCEL => "CANCEL",
        code::RESULT => "RESULT",
        code::REGISTER => "REGISTER",
        code::REGISTERED => "REGISTERED",
        code::UNREGISTER => "UNREGISTER",
        code::UNREGISTERED => "UNREGISTERED",
        code::INVOCATION => "INVOCATION",
        code::YIELD => "YIELD",
        _ => return None,
    })
}

fn obj(dict: &Dict) -> Value {
    Value::Object(dict.clone())
}
