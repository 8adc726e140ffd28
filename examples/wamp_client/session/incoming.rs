//! What the router sends to an established session, message by message. Every handler takes
//! its table entry out under the lock, releases it, and only then fires deferreds or runs user
//! code: callbacks may call back into the session.

use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::{Value, json};
use txaio::Failure;

use super::state::Phase;
use super::{Event, Invocation, Registration, Session, Subscription};
use crate::error::{ProtocolError, SessionClosed, WampError};
use crate::message::{Dict, Id, Message, Payload, code};
use crate::transport::Frame;

impl Session {
    /// Handles one frame from the transport; `false` once the session is closed (the reader
    /// stops).
    pub(crate) fn on_frame(&self, frame: Frame) -> bool {
        let outcome = match frame {
            Frame::Text(text) => match Message::decode(&text) {
                Ok(message) => self.on_message(message),
                Err(e) => Err(ProtocolError::Decode(e)),
            },
            Frame::Binary(_) => Err(ProtocolError::BinaryFrame),
            Frame::Pong(payload) => {
                self.on_pong(&payload);
                Ok(())
            }
            // The WebSocket layer answers pings itself.
            Frame::Ping(_) => Ok(()),
            Frame::Close => {
                self.transport_lost();
                Ok(())
            }
        };
        if let Err(violation) = outcome {
            self.violation(&violation);
        }
        self.is_open()
    }

    /// Handles one decoded message.
    ///
    /// # Errors
    ///
    /// A [`ProtocolError`] for a message the router must not send now; the caller closes the
    /// session with it.
    #[allow(clippy::too_many_lines)] // One arm per message type, as the spec's table.
    pub(crate) fn on_message(&self, message: Message) -> Result<(), ProtocolError> {
        let phase = self.lock().phase;
        if phase == Phase::Closed {
            return Ok(());
        }
        match message {
            Message::Result {
                request, payload, ..
            } => self.on_call_reply(request, Ok(payload)),
            Message::Error {
                request_type,
                request,
                details,
                error,
                payload,
            } => {
                let error = WampError {
                    error,
                    payload,
                    details,
                };
                self.on_error(request_type, request, error)
            }
            Message::Invocation {
                request,
                registration,
                details,
                payload,
            } => self.on_invocation(
                request,
                registration,
                Invocation {
                    request,
                    details,
                    payload,
                },
            ),
            Message::Event {
                subscription,
                publication,
                details,
                payload,
            } => self.on_event(
                subscription,
                &Event {
                    publication,
                    details,
                    payload,
                },
            ),
            Message::Subscribed {
                request,
                subscription,
            } => self.on_subscribed(request, subscription),
            Message::Registered {
                request,
                registration,
            } => self.on_registered(request, registration),
            Message::Published {
                request,
                publication,
            } => {
                let d = self.lock().publishes.remove(&request);
                let d = d.ok_or(unknown("PUBLISHED", request))?;
                let _ = txaio::resolve(&d, publication);
                Ok(())
            }
            Message::Unsubscribed { request } => {
                let entry = self.lock().unsubscribes.remove(&request);
                let (subscription, d) = entry.ok_or(unknown("UNSUBSCRIBED", request))?;
                let _ = self.lock().subscriptions.remove(&subscription);
                let _ = txaio::resolve(&d, ());
                Ok(())
            }
            Message::Unregistered { request } => {
                let entry = self.lock().unregisters.remove(&request);
                let (registration, d) = entry.ok_or(unknown("UNREGISTERED", request))?;
                let _ = self.lock().registrations.remove(&registration);
                let _ = txaio::resolve(&d, ());
                Ok(())
            }
            Message::Goodbye { details, reason } => {
                let message = details.get("message").and_then(Value::as_str).unwrap_or("");
                let why = SessionClosed {
                    reason: reason.clone(),
                    message: message.into(),
                };
                // Our own GOODBYE is answered, not echoed; the router's is echoed.
                let reply = (phase != Phase::Leaving).then(|| Message::Goodbye {
                    details: Dict::new(),
                    reason: "wamp.close.goodbye_and_out".into(),
                });
                self.close(&why, reply);
                Ok(())
            }
            Message::Abort { details, reason } => {
                let message = details.get("message").and_then(Value::as_str).unwrap_or("");
                self.close(
                    &SessionClosed {
                        reason,
                        message: message.into(),
                    },
                    None,
                );
                Ok(())
            }
            other => Err(ProtocolError::Unexpected {
                message: other.name(),
                state: phase.describe(),
            }),
        }
    }

    /// Closes the session for a protocol violation: ABORT to the router, the error to
    /// everything pending.
    pub(crate) fn violation(&self, violation: &ProtocolError) {
        self.inner.log.warn(format_args!(
            "session {}: protocol violation: {violation}",
            self.id()
        ));
        let why = SessionClosed {
            reason: "wamp.error.protocol_violation".into(),
            message: violation.to_string(),
        };
        let mut details = Dict::new();
        details.insert("message".into(), json!(violation.to_string()));
        let abort = Message::Abort {
            details,
            reason: why.reason.clone(),
        };
        self.close(&why, Some(abort));
    }

    // ANCHOR: reply
    fn on_call_reply(
        &self,
        request: Id,
        outcome: Result<Payload, Failure>,
    ) -> Result<(), ProtocolError> {
        let reply = {
            let mut st = self.lock();
            match st.calls.remove(&request) {
                Some(reply) => reply,
                None if st.cancelled.remove(&request) => return Ok(()),
                None => {
                    let message = if outcome.is_ok() { "RESULT" } else { "ERROR" };
                    return Err(unknown(message, request));
                }
            }
        };
        reply(outcome);
        Ok(())
    }
    // ANCHOR_END: reply

    fn on_error(
        &self,
        request_type: u64,
        request: Id,
        error: WampError,
    ) -> Result<(), ProtocolError> {
        let failure = Failure::new(error);
        let unknown_error = || unknown("ERROR", request);
        match request_type {
            code::CALL => self.on_call_reply(request, Err(failure)),
            code::PUBLISH => {
                let d = self
                    .lock()
                    .publishes
                    .remove(&request)
                    .ok_or_else(unknown_error)?;
                let _ = txaio::reject(&d, failure);
                Ok(())
            }
            code::SUBSCRIBE => {
                let entry = self
                    .lock()
                    .subscribes
                    .remove(&request)
                    .ok_or_else(unknown_error)?;
                let _ = txaio::reject(&entry.2, failure);
                Ok(())
            }
            code::REGISTER => {
                let entry = self
                    .lock()
                    .registers
                    .remove(&request)
                    .ok_or_else(unknown_error)?;
                let _ = txaio::reject(&entry.2, failure);
                Ok(())
            }
            code::UNSUBSCRIBE | code::UNREGISTER => {
                let entry = {
                    let mut st = self.lock();
                    let table = if request_type == code::UNSUBSCRIBE {
                        &mut st.unsubscribes
                    } else {
                        &mut st.unregisters
                    };
                    table.remove(&request)
                };
                let _ = txaio::reject(&entry.ok_or_else(unknown_error)?.1, failure);
                Ok(())
            }
            // An ERROR answering our CANCEL is about a call we already forgot.
            code::CANCEL => Ok(()),
            _ => Err(ProtocolError::Unexpected {
                message: "ERROR",
                state: "answering a request the client never sends",
            }),
        }
    }

    fn on_subscribed(&self, request: Id, subscription: Id) -> Result<(), ProtocolError> {
        let (d, sub) = {
            let mut st = self.lock();
            let (topic, handler, d) = st
                .subscribes
                .remove(&request)
                .ok_or(unknown("SUBSCRIBED", request))?;
            let token = st.next_token();
            st.subscriptions
                .entry(subscription)
                .or_default()
                .push((token, handler));
            (
                d,
                Subscription {
                    id: subscription,
                    topic,
                    token,
                },
            )
        };
        let _ = txaio::resolve(&d, sub);
        Ok(())
    }

    fn on_registered(&self, request: Id, registration: Id) -> Result<(), ProtocolError> {
        let (d, reg) = {
            let mut st = self.lock();
            let (procedure, handler, d) = st
                .registers
                .remove(&request)
                .ok_or(unknown("REGISTERED", request))?;
            st.registrations.insert(registration, handler);
            (
                d,
                Registration {
                    id: registration,
                    procedure,
                },
            )
        };
        let _ = txaio::resolve(&d, reg);
        Ok(())
    }

    fn on_event(&self, subscription: Id, event: &Event) -> Result<(), ProtocolError> {
        let handlers: Vec<_> = {
            let st = self.lock();
            let handlers = st.subscriptions.get(&subscription);
            let handlers = handlers.ok_or(ProtocolError::UnknownTarget {
                message: "EVENT",
                id: subscription,
            })?;
            handlers.iter().map(|(_, h)| h.clone()).collect()
        };
        for handler in handlers {
            let event = event.clone();
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| handler(event))) {
                let failure = Failure::from_panic(&*payload);
                self.inner.log.error(format_args!(
                    "event handler for subscription {subscription} panicked: {}",
                    txaio::failure_message(&failure)
                ));
            }
        }
        Ok(())
    }

    /// Runs the procedure and answers with YIELD or ERROR when its deferred fires, which may
    /// be long after this returns: the session goes on receiving meanwhile.
    fn on_invocation(
        &self,
        request: Id,
        registration: Id,
        invocation: Invocation,
    ) -> Result<(), ProtocolError> {
        let handler = self.lock().registrations.get(&registration).cloned();
        let handler = handler.ok_or(ProtocolError::UnknownTarget {
            message: "INVOCATION",
            id: registration,
        })?;
        let answer = handler(invocation);
        let (ok_out, err_out) = (self.inner.out.clone(), self.inner.out.clone());
        txaio::add_callbacks(
            &answer,
            move |value: &Value| {
                let args = if value.is_null() {
                    Vec::new()
                } else {
                    vec![value.clone()]
                };
                let message = Message::Yield {
                    request,
                    options: Dict::new(),
                    payload: Payload::args(args),
                };
                let _ = ok_out.unbounded_send(Frame::Text(message.encode()));
            },
            move |failure: &Failure| {
                let error = failure
                    .downcast_ref::<WampError>()
                    .cloned()
                    .unwrap_or_else(|| {
                        WampError::new(
                            "wamp.error.runtime_error",
                            vec![json!(txaio::failure_message(failure))],
                        )
                    });
                let message = Message::Error {
                    request_type: code::INVOCATION,
                    request,
                    details: Dict::new(),
                    error: error.error,
                    payload: error.payload,
                };
                let _ = err_out.unbounded_send(Frame::Text(message.encode()));
            },
        );
        Ok(())
    }
}

fn unknown(message: &'static str, request: Id) -> ProtocolError {
    ProtocolError::UnknownRequest { message, request }
}
