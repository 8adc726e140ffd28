//! A joined WAMP session: the four roles of the Basic Profile (caller, callee, publisher,
//! subscriber) on deferreds.
//!
//! Every request gets a session-scoped id and one entry in a table of pending requests; the
//! reply with that id removes the entry and fires its deferred. That is the whole of
//! request/response correlation: no futures to poll, no task per request, and a reply that
//! matches no entry is a protocol violation that closes the session cleanly.

mod incoming;
mod ping;
mod state;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use futures_channel::mpsc::UnboundedSender;
use serde_json::{Value, json};
use txaio::{Deferred, Failure, IntoDeferred};

use crate::error::SessionClosed;
use crate::message::{Dict, Id, Message, Payload};
use crate::transport::Frame;

pub use ping::PingConfig;
use state::{Phase, State};

/// What a joined session was told by the router, and how it behaves.
#[derive(Debug, Clone, Default)]
pub struct SessionConfig {
    /// WebSocket auto-ping (Autobahn's `auto_ping_interval` / `auto_ping_timeout`); `None`
    /// sends no pings.
    pub ping: Option<PingConfig>,
}

/// An event delivered to a subscriber.
#[derive(Debug, Clone)]
pub struct Event {
    /// The publication's id (global scope, chosen by the router).
    pub publication: Id,
    /// The event's details (`topic` for pattern subscriptions, `publisher` when disclosed).
    pub details: Dict,
    /// The publication's arguments.
    pub payload: Payload,
}

/// A call delivered to a registered procedure.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The INVOCATION's request id (router scope).
    pub request: Id,
    /// Its details (`caller` when disclosed, `procedure` for pattern registrations).
    pub details: Dict,
    /// The call's arguments.
    pub payload: Payload,
}

/// A subscription made by [`Session::subscribe`]; give it to [`Session::unsubscribe`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The router's subscription id.
    pub id: Id,
    /// The topic.
    pub topic: String,
    token: u64,
}

/// A registration made by [`Session::register`]; give it to [`Session::unregister`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The router's registration id.
    pub id: Id,
    /// The procedure URI.
    pub procedure: String,
}

type EventHandler = Arc<dyn Fn(Event) + Send + Sync>;
type Procedure = Arc<dyn Fn(Invocation) -> Deferred<Value> + Send + Sync>;

/// A joined WAMP session. `Clone` is another handle to the same session; `Send + Sync`.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    id: Id,
    welcome: Dict,
    out: UnboundedSender<Frame>,
    state: Mutex<State>,
    closed: Deferred<SessionClosed>,
    log: txaio::Logger,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.inner.id)
            .finish_non_exhaustive()
    }
}

/// How a RESULT reads as one value in [`Session::call`]: no arguments give `null`, one gives
/// itself, several give an array; keyword arguments give `{"args": [...], "kwargs": {...}}`
/// (Autobahn's `CallResult`).
pub fn result_value(payload: Payload) -> Value {
    let Payload { mut args, kwargs } = payload;
    if !kwargs.is_empty() {
        return json!({ "args": args, "kwargs": kwargs });
    }
    match args.len() {
        0 => Value::Null,
        1 => args.pop().unwrap_or(Value::Null),
        _ => Value::Array(args),
    }
}

impl Session {
    /// A session the router has just welcomed; `join` makes these.
    pub(crate) fn established(
        id: Id,
        welcome: Dict,
        out: UnboundedSender<Frame>,
        config: &SessionConfig,
    ) -> Session {
        let session = Session {
            inner: Arc::new(Inner {
                id,
                welcome,
                out,
                state: Mutex::new(State::new()),
                closed: txaio::create_future(),
                log: txaio::make_logger!(),
            }),
        };
        if let Some(ping) = &config.ping {
            ping::start(&session, ping.clone());
        }
        session
    }

    /// The session id the router assigned.
    pub fn id(&self) -> Id {
        self.inner.id
    }

    /// The WELCOME's details (the router's roles and features).
    pub fn welcome_details(&self) -> &Dict {
        &self.inner.welcome
    }

    /// Whether the session is still open.
    pub fn is_open(&self) -> bool {
        self.lock().phase != Phase::Closed
    }

    /// Fires once when the session ends, with why; every later request fails at once.
    pub fn closed(&self) -> Deferred<SessionClosed> {
        self.inner.closed.clone()
    }

    /// Calls a procedure with positional arguments; fires with the result as one value
    /// (see [`result_value`]).
    ///
    /// # Errors
    ///
    /// The deferred fails with a [`WampError`](crate::error::WampError) when the callee or
    /// the router answers ERROR (`wamp.error.no_such_procedure`, an application error URI),
    /// with [`SessionClosed`] when the session ends first.
    ///
    /// # Cancellation
    ///
    /// `txaio::cancel` on the deferred forgets the call (its late reply is dropped quietly)
    /// and, when the router announced `call_canceling`, sends CANCEL (`killnowait`).
    pub fn call(&self, procedure: &str, args: Vec<Value>) -> Deferred<Value> {
        self.call_with(procedure, Payload::args(args), Dict::new(), result_value)
    }

    /// [`call`](Self::call) that fails with `txaio::TimeoutError` (and cancels the call as
    /// above) when no reply came within `after`.
    pub fn call_with_timeout(
        &self,
        procedure: &str,
        args: Vec<Value>,
        after: Duration,
    ) -> Deferred<Value> {
        txaio::timeout(&self.call(procedure, args), after)
    }

    /// The general call: any payload and options, the RESULT converted by `convert`.
    // ANCHOR: call
    pub fn call_with<T: Send + 'static>(
        &self,
        procedure: &str,
        payload: Payload,
        options: Dict,
        convert: fn(Payload) -> T,
    ) -> Deferred<T> {
        let weak = Arc::downgrade(&self.inner);
        let (request, deferred) = {
            let mut st = self.lock();
            if let Err(closed) = st.open() {
                return txaio::create_future_error(closed);
            }
            let request = st.next_request();
            let deferred = txaio::create_future_with_canceller(move |_: &Deferred<T>| {
                if let Some(inner) = weak.upgrade() {
                    Session { inner }.abandon_call(request);
                }
            });
            let reply = deferred.clone();
            st.calls.insert(
                request,
                Box::new(move |outcome: Result<Payload, Failure>| {
                    // Already fired means cancelled: the reply has nowhere to go.
                    let _ = match outcome {
                        Ok(payload) => txaio::resolve(&reply, convert(payload)),
                        Err(failure) => txaio::reject(&reply, failure),
                    };
                }),
            );
            (request, deferred)
        };
        let procedure = procedure.to_owned();
        self.send(&Message::Call {
            request,
            options,
            procedure,
            payload,
        });
        deferred
    }
    // ANCHOR_END: call

    /// A cancelled or timed-out call: forget it, and ask the router to stop it too.
    fn abandon_call(&self, request: Id) {
        let forgotten = {
            let mut st = self.lock();
            let reply = st.calls.remove(&request);
            if reply.is_some() {
                st.cancelled.insert(request);
            }
            reply
        };
        if forgotten.is_some() && self.router_feature("dealer", "call_canceling") {
            let mut options = Dict::new();
            options.insert("mode".into(), json!("killnowait"));
            self.send(&Message::Cancel { request, options });
        }
    }

    /// Registers a procedure. `handler` runs for every INVOCATION; what it returns (a value,
    /// an `Err`, or a deferred, waited for without blocking) becomes the YIELD, or an ERROR:
    /// a [`WampError`](crate::error::WampError) keeps its URI, anything else (a panic too) is
    /// `wamp.error.runtime_error` with the failure's message.
    ///
    /// # Errors
    ///
    /// The deferred fails with a `WampError` when the router refuses
    /// (`wamp.error.procedure_already_exists`), with [`SessionClosed`] when the session ends.
    pub fn register<R, F>(&self, procedure: &str, handler: F) -> Deferred<Registration>
    where
        R: IntoDeferred<Value>,
        F: Fn(Invocation) -> R + Send + Sync + 'static,
    {
        let handler: Procedure = Arc::new(move |inv| txaio::as_future(|| handler(inv)));
        let deferred = txaio::create_future();
        let request = {
            let mut st = self.lock();
            if let Err(closed) = st.open() {
                return txaio::create_future_error(closed);
            }
            let request = st.next_request();
            st.registers
                .insert(request, (procedure.to_owned(), handler, deferred.clone()));
            request
        };
        let procedure = procedure.to_owned();
        self.send(&Message::Register {
            request,
            options: Dict::new(),
            procedure,
        });
        deferred
    }

    /// Unregisters a procedure; fires on UNREGISTERED.
    pub fn unregister(&self, registration: &Registration) -> Deferred<()> {
        let deferred = txaio::create_future();
        let request = {
            let mut st = self.lock();
            if let Err(closed) = st.open() {
                return txaio::create_future_error(closed);
            }
            let request = st.next_request();
            st.unregisters
                .insert(request, (registration.id, deferred.clone()));
            request
        };
        self.send(&Message::Unregister {
            request,
            registration: registration.id,
        });
        deferred
    }

    /// Subscribes to a topic; `handler` runs for every EVENT, in order of arrival. A panic in
    /// it is caught and logged, and the other handlers still run.
    ///
    /// # Errors
    ///
    /// The deferred fails with a `WampError` when the router refuses
    /// (`wamp.error.not_authorized`), with [`SessionClosed`] when the session ends.
    pub fn subscribe(
        &self,
        topic: &str,
        handler: impl Fn(Event) + Send + Sync + 'static,
    ) -> Deferred<Subscription> {
        let deferred = txaio::create_future();
        let request = {
            let mut st = self.lock();
            if let Err(closed) = st.open() {
                return txaio::create_future_error(closed);
            }
            let request = st.next_request();
            let handler: EventHandler = Arc::new(handler);
            st.subscribes
                .insert(request, (topic.to_owned(), handler, deferred.clone()));
            request
        };
        self.send(&Message::Subscribe {
            request,
            options: Dict::new(),
            topic: topic.to_owned(),
        });
        deferred
    }

    /// Removes one subscriber; the last one for a subscription sends UNSUBSCRIBE and fires on
    /// UNSUBSCRIBED, the others fire at once.
    pub fn unsubscribe(&self, subscription: &Subscription) -> Deferred<()> {
        let deferred = txaio::create_future();
        let request = {
            let mut st = self.lock();
            if let Err(closed) = st.open() {
                return txaio::create_future_error(closed);
            }
            let Some(handlers) = st.subscriptions.get_mut(&subscription.id) else {
                return txaio::create_future_success(());
            };
            handlers.retain(|(token, _)| *token != subscription.token);
            if !handlers.is_empty() {
                return txaio::create_future_success(());
            }
            let request = st.next_request();
            st.unsubscribes
                .insert(request, (subscription.id, deferred.clone()));
            request
        };
        self.send(&Message::Unsubscribe {
            request,
            subscription: subscription.id,
        });
        deferred
    }

    /// Publishes an event, unacknowledged (WAMP's default, Autobahn's `publish` returning
    /// `None`): nothing to wait for, so no deferred.
    ///
    /// # Errors
    ///
    /// [`SessionClosed`] when the session is over (or leaving).
    pub fn publish(&self, topic: &str, args: Vec<Value>) -> Result<(), SessionClosed> {
        let request = {
            let mut st = self.lock();
            st.open()?;
            st.next_request()
        };
        let payload = Payload::args(args);
        self.send(&Message::Publish {
            request,
            options: Dict::new(),
            topic: topic.into(),
            payload,
        });
        Ok(())
    }

    /// Publishes with `acknowledge: true`: fires with the publication id on PUBLISHED.
    ///
    /// # Errors
    ///
    /// A `WampError` when the router refuses, [`SessionClosed`] when the session ends.
    pub fn publish_acknowledged(&self, topic: &str, args: Vec<Value>) -> Deferred<Id> {
        let deferred = txaio::create_future();
        let request = {
            let mut st = self.lock();
            if let Err(closed) = st.open() {
                return txaio::create_future_error(closed);
            }
            let request = st.next_request();
            st.publishes.insert(request, deferred.clone());
            request
        };
        let mut options = Dict::new();
        options.insert("acknowledge".into(), json!(true));
        let payload = Payload::args(args);
        self.send(&Message::Publish {
            request,
            options,
            topic: topic.into(),
            payload,
        });
        deferred
    }

    /// Leaves the realm: GOODBYE, then fires when the router answers GOODBYE (the session's
    /// [`closed`](Self::closed) deferred). Requests still pending fail with [`SessionClosed`].
    pub fn leave(&self) -> Deferred<SessionClosed> {
        let first = {
            let mut st = self.lock();
            let first = st.phase == Phase::Established;
            if first {
                st.phase = Phase::Leaving;
            }
            first
        };
        if first {
            let details = Dict::new();
            self.send(&Message::Goodbye {
                details,
                reason: "wamp.close.normal".into(),
            });
        }
        self.closed()
    }

    /// Sends one message. A session whose transport is gone drops it: the reader sees the
    /// end of the connection and closes the session, failing what is pending.
    fn send(&self, message: &Message) {
        let _ = self.inner.out.unbounded_send(Frame::Text(message.encode()));
    }

    fn router_feature(&self, role: &str, feature: &str) -> bool {
        let roles = self.inner.welcome.get("roles");
        let features = roles
            .and_then(|r| r.get(role))
            .and_then(|r| r.get("features"));
        features
            .and_then(|f| f.get(feature))
            .and_then(Value::as_bool)
            == Some(true)
    }

    /// Jumps the request counter, for the test of the wrap-around at 2^53.
    #[cfg(test)]
    pub(crate) fn set_last_request(&self, id: Id) {
        self.lock().set_last_request(id);
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn downgrade(&self) -> Weak<Inner> {
        Arc::downgrade(&self.inner)
    }

    fn upgrade(weak: &Weak<Inner>) -> Option<Session> {
        weak.upgrade().map(|inner| Session { inner })
    }

    /// Ends the session: everything pending fails with `why`, the transport closes, and
    /// [`closed`](Self::closed) fires. `last` is sent first (a GOODBYE reply, an ABORT).
    fn close(&self, why: &SessionClosed, last: Option<Message>) {
        let pending = {
            let mut st = self.lock();
            if st.phase == Phase::Closed {
                return;
            }
            st.phase = Phase::Closed;
            st.drain(why)
        };
        if let Some(message) = last {
            self.send(&message);
        }
        let _ = self.inner.out.unbounded_send(Frame::Close);
        self.inner.out.close_channel();
        for fail in pending {
            fail();
        }
        let _ = txaio::resolve(&self.inner.closed, why.clone());
    }

    /// The connection ended under the session.
    pub(crate) fn transport_lost(&self) {
        let why = SessionClosed {
            reason: "wamp.close.transport_lost".into(),
            message: "the connection closed".into(),
        };
        self.close(&why, None);
    }
}
