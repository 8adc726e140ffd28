//! Decoding WAMP messages from JSON, strictly: every element is checked for its kind, so a
//! malformed message becomes a typed [`DecodeError`] before the session looks at it.

use serde_json::Value;

use crate::error::DecodeError;
use crate::message::{Dict, Id, MAX_ID, Message, Payload, code, code_name};

/// Reads the elements of one message array, naming the message type in every error.
struct Fields<'a> {
    name: &'static str,
    items: &'a [Value],
}

impl<'a> Fields<'a> {
    fn get(&self, index: usize, field: &'static str) -> Result<&'a Value, DecodeError> {
        self.items.get(index).ok_or(DecodeError::Field {
            message: self.name,
            field,
            expected: "present",
        })
    }

    fn bad(&self, field: &'static str, expected: &'static str) -> DecodeError {
        DecodeError::Field {
            message: self.name,
            field,
            expected,
        }
    }

    fn id(&self, index: usize, field: &'static str) -> Result<Id, DecodeError> {
        match self.get(index, field)?.as_u64() {
            Some(id) if (1..=MAX_ID).contains(&id) => Ok(id),
            _ => Err(self.bad(field, "an id in 1..=2^53")),
        }
    }

    fn int(&self, index: usize, field: &'static str) -> Result<u64, DecodeError> {
        self.get(index, field)?
            .as_u64()
            .ok_or_else(|| self.bad(field, "a non-negative integer"))
    }

    fn dict(&self, index: usize, field: &'static str) -> Result<Dict, DecodeError> {
        match self.get(index, field)? {
            Value::Object(map) => Ok(map.clone()),
            _ => Err(self.bad(field, "a dict")),
        }
    }

    fn uri(&self, index: usize, field: &'static str) -> Result<String, DecodeError> {
        match self.get(index, field)? {
            Value::String(s) if is_loose_uri(s) => Ok(s.clone()),
            _ => Err(self.bad(
                field,
                "a URI (a non-empty string without whitespace or '#')",
            )),
        }
    }

    /// The optional `Arguments|list` and `ArgumentsKw|dict` starting at `index`.
    fn payload(&self, index: usize) -> Result<Payload, DecodeError> {
        let args = match self.items.get(index) {
            None => Vec::new(),
            Some(Value::Array(args)) => args.clone(),
            Some(_) => return Err(self.bad("Arguments", "a list")),
        };
        let kwargs = match self.items.get(index + 1) {
            None => Dict::new(),
            Some(Value::Object(kwargs)) => kwargs.clone(),
            Some(_) => return Err(self.bad("ArgumentsKw", "a dict")),
        };
        Ok(Payload { args, kwargs })
    }

    /// Checks the element count: `fixed` required ones, up to `optional` more.
    fn arity(&self, fixed: usize, optional: usize) -> Result<(), DecodeError> {
        let len = self.items.len();
        if len < fixed || len > fixed + optional {
            return Err(DecodeError::Length {
                message: self.name,
                len,
            });
        }
        Ok(())
    }
}

/// A loose URI as the Basic Profile allows (`com.myapp.topic1`, `wamp.error.no_such_realm`).
fn is_loose_uri(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c == '#')
}

/// The request types an ERROR may answer.
fn is_request_type(code: u64) -> bool {
    matches!(
        code,
        code::SUBSCRIBE
            | code::UNSUBSCRIBE
            | code::PUBLISH
            | code::REGISTER
            | code::UNREGISTER
            | code::CALL
            | code::CANCEL
            | code::INVOCATION
    )
}

#[allow(clippy::too_many_lines)] // One arm per message type, as the spec's table.
pub(crate) fn from_json(value: &Value) -> Result<Message, DecodeError> {
    let Value::Array(items) = value else {
        return Err(DecodeError::NotAnArray);
    };
    let first = items.first().ok_or(DecodeError::NotAnArray)?;
    let code = first.as_u64().ok_or(DecodeError::BadType)?;
    let name = code_name(code).ok_or(DecodeError::UnknownType(code))?;
    let f = Fields { name, items };
    Ok(match code {
        code::HELLO => {
            f.arity(3, 0)?;
            Message::Hello {
                realm: f.uri(1, "Realm")?,
                details: f.dict(2, "Details")?,
            }
        }
        code::WELCOME => {
            f.arity(3, 0)?;
            Message::Welcome {
                session: f.id(1, "Session")?,
                details: f.dict(2, "Details")?,
            }
        }
        code::ABORT | code::GOODBYE => {
            f.arity(3, 0)?;
            let (details, reason) = (f.dict(1, "Details")?, f.uri(2, "Reason")?);
            if code == code::ABORT {
                Message::Abort { details, reason }
            } else {
                Message::Goodbye { details, reason }
            }
        }
        code::ERROR => {
            f.arity(5, 2)?;
            let request_type = f.int(1, "REQUEST.Type")?;
            if !is_request_type(request_type) {
                return Err(f.bad("REQUEST.Type", "the type code of a request"));
            }
            Message::Error {
                request_type,
                request: f.id(2, "REQUEST.Request")?,
                details: f.dict(3, "Details")?,
                error: f.uri(4, "Error")?,
                payload: f.payload(5)?,
            }
        }
        code::PUBLISH => {
            f.arity(4, 2)?;
            Message::Publish {
                request: f.id(1, "Request")?,
                options: f.dict(2, "Options")?,
                topic: f.uri(3, "Topic")?,
                payload: f.payload(4)?,
            }
        }
        code::SUBSCRIBE => {
            f.arity(4, 0)?;
            Message::Subscribe {
                request: f.id(1, "Request")?,
                options: f.dict(2, "Options")?,
                topic: f.uri(3, "Topic")?,
            }
        }
        code::PUBLISHED
        | code::SUBSCRIBED
        | code::UNSUBSCRIBE
        | code::REGISTERED
        | code::UNREGISTER => decode_pair(&f, code)?,
        code::UNSUBSCRIBED | code::UNREGISTERED => {
            f.arity(2, 0)?;
            let request = f.id(1, "Request")?;
            if code == code::UNSUBSCRIBED {
                Message::Unsubscribed { request }
            } else {
                Message::Unregistered { request }
            }
        }
        code::EVENT => {
            f.arity(4, 2)?;
            Message::Event {
                subscription: f.id(1, "SUBSCRIBED.Subscription")?,
                publication: f.id(2, "PUBLISHED.Publication")?,
                details: f.dict(3, "Details")?,
                payload: f.payload(4)?,
            }
        }
        code::CALL | code::REGISTER => {
            f.arity(4, if code == code::CALL { 2 } else { 0 })?;
            let (request, options) = (f.id(1, "Request")?, f.dict(2, "Options")?);
            let procedure = f.uri(3, "Procedure")?;
            if code == code::CALL {
                Message::Call {
                    request,
                    options,
                    procedure,
                    payload: f.payload(4)?,
                }
            } else {
                Message::Register {
                    request,
                    options,
                    procedure,
                }
            }
        }
        code::CANCEL => {
            f.arity(3, 0)?;
            Message::Cancel {
                request: f.id(1, "CALL.Request")?,
                options: f.dict(2, "Options")?,
            }
        }
        code::RESULT | code::YIELD => {
            f.arity(3, 2)?;
            let (request, dict, payload) =
                (f.id(1, "Request")?, f.dict(2, "Details")?, f.payload(3)?);
            if code == code::RESULT {
                Message::Result {
                    request,
                    details: dict,
                    payload,
                }
            } else {
                Message::Yield {
                    request,
                    options: dict,
                    payload,
                }
            }
        }
        code::INVOCATION => {
            f.arity(4, 2)?;
            Message::Invocation {
                request: f.id(1, "Request")?,
                registration: f.id(2, "REGISTERED.Registration")?,
                details: f.dict(3, "Details")?,
                payload: f.payload(4)?,
            }
        }
        _ => return Err(DecodeError::UnknownType(code)),
    })
}

/// The five messages shaped `[TYPE, Request|id, Other|id]`.
fn decode_pair(f: &Fields<'_>, code: u64) -> Result<Message, DecodeError> {
    f.arity(3, 0)?;
    let request = f.id(1, "Request")?;
    Ok(match code {
        code::PUBLISHED => Message::Published {
            request,
            publication: f.id(2, "Publication")?,
        },
        code::SUBSCRIBED => Message::Subscribed {
            request,
            subscription: f.id(2, "Subscription")?,
        },
        code::UNSUBSCRIBE => Message::Unsubscribe {
            request,
            subscription: f.id(2, "SUBSCRIBED.Subscription")?,
        },
        code::REGISTERED => Message::Registered {
            request,
            registration: f.id(2, "Registration")?,
        },
        _ => Message::Unregister {
            request,
            registration: f.id(2, "REGISTERED.Registration")?,
        },
    })
}
