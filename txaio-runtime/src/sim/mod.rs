//! Deterministic simulation: a protocol library, unchanged, run on a seeded, single-threaded
//! executor over a simulated network, with virtual time that jumps ahead whenever every task
//! waits (Twisted's `iosim` and `MemoryReactorClock`, turmoil's hosts and faults).
//!
//! Inside a simulation every txaio call works as on a real backend: [`spawn`](crate::spawn),
//! `#[portable]` functions, [`sleep`](crate::sleep), batched timers, intervals, timeouts, the
//! coordination primitives, [`defer_to_thread`](crate::defer_to_thread) (its closure runs on
//! the simulation's thread, as a task of its own, so the run stays deterministic), and
//! [`txaio::net`](crate::net): TCP and UDP between named hosts, host names through
//! [`lookup_host`](crate::net::lookup_host). A library written on txaio needs no `cfg` and
//! no second socket type to be tested here.
//!
//! One seed drives every choice (which ready task runs next, each packet's latency and loss),
//! so the same seed gives the same run: [`Outcome::digest`] hashes its trace. A failing
//! [`#[txaio::test(sim, seeds = N)]`](https://docs.rs/txaio/latest/txaio/attr.test.html) names
//! its seed and the command that replays it.
//!
//! # The network
//!
//! Each host gets an address (`10.0.0.1`, `10.0.0.2`, ... in the order hosts are added) and
//! its name resolves to it; `localhost` and `127.0.0.1` reach the caller's own host. Between
//! two hosts each packet takes the link's latency (by default 1 to 5 ms, drawn from the seed).
//!
//! - TCP keeps order, answers a connect to a closed port with `ConnectionRefused`, and limits
//!   unread data to a window (64 KiB by default): a writer whose peer does not read waits.
//!   Shutting the write side (or dropping the writer) gives the peer end of stream after the
//!   data; data for a closed or crashed socket resets the sender (`ConnectionReset`).
//! - UDP delivers each datagram after its own latency (so datagrams may reorder) or loses it
//!   with the loss probability; a socket queues 256 datagrams and drops the rest.
//!
//! Faults, by hand from any task: [`partition`] and [`repair`] (TCP segments wait, as TCP
//! retransmits, and flow on repair; datagrams are lost; a connect times out after the connect
//! timeout), [`hold`] and [`release`] (everything waits, then flows in order),
//! [`set_latency`], [`set_loss`] (TCP pays a retransmission delay, UDP loses the datagram),
//! [`reset`] (every connection between two hosts), [`crash`] (the host's tasks and sockets
//! vanish; its peers hear nothing) and [`restart`] (its software starts again; packets for
//! its old connections reset their senders).
//!
//! # Examples
//!
//! ```
//! use txaio::net::{TcpListener, TcpStream};
//!
//! // A server loops for ever: a named `async fn` gives its error type.
//! async fn echo() -> std::io::Result<()> {
//!     let listener = TcpListener::bind("0.0.0.0:7000").await?;
//!     loop {
//!         let (mut stream, _) = listener.accept().await?;
//!         let mut buf = [0; 64];
//!         let n = stream.read(&mut buf).await?;
//!         stream.write_all(&buf[..n]).await?;
//!     }
//! }
//!
//! let mut sim = txaio::sim::Builder::new().seed(7).build();
//! sim.host("server", echo).unwrap();
//! sim.client("client", async {
//!     let mut stream = TcpStream::connect("server:7000").await?;
//!     stream.write_all(b"hello").await?;
//!     let mut echo = [0; 64];
//!     let n = stream.read(&mut echo).await?;
//!     assert_eq!(&echo[..n], b"hello");
//!     Ok::<_, std::io::Error>(())
//! })
//! .unwrap();
//! let outcome = sim.run().unwrap();
//! println!("digest {:016x} after {:?} simulated", outcome.digest(), outcome.elapsed());
//! ```

mod net;
mod rng;
mod world;

use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

pub(crate) use net::lookup;
pub(crate) use world::active;

use crate::failure::Failure;
use world::{Kind, Software, TaskFuture, World, lock};

/// The socket functions of the backend interface (`rt/mod.rs`), for `rt::sim`.
pub(crate) mod backend {
    pub(crate) use super::net::{
        ReadHalf, TcpListener, TcpStream, UdpSocket, WriteHalf, listener_local_addr, nodelay,
        poll_close, poll_flush, poll_read, poll_write, poll_write_vectored, read_half_addr,
        set_nodelay, stream_addr, tcp_accept, tcp_bind, tcp_connect, tcp_listener_from_std,
        tcp_poll_accept, tcp_split, tcp_stream_from_std, udp_bind, udp_from_std, udp_local_addr,
        udp_poll_recv_from, udp_poll_send_to, udp_recv_from, udp_send_to, write_half_addr,
        write_half_dropped,
    };
}

#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) seed: u64,
    pub(crate) latency: (Duration, Duration),
    pub(crate) tcp_window: usize,
    pub(crate) connect_timeout: Duration,
    pub(crate) time_limit: Duration,
    pub(crate) udp_loss: f64,
    pub(crate) tcp_loss: f64,
    pub(crate) polls_per_instant: u64,
}

/// Sets up a simulation (turmoil's `Builder`).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let sim = txaio::sim::Builder::new()
///     .seed(42)
///     .latency_range(Duration::from_millis(10), Duration::from_millis(50))
///     .udp_loss(0.01)
///     .time_limit(Duration::from_secs(600))
///     .build();
/// assert_eq!(sim.seed(), 42);
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Builder {
    config: Config,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    /// Seed 0, 1-5 ms latency, a 64 KiB TCP window, a 10 s connect timeout, no loss, and a
    /// time limit of 10 simulated minutes.
    /// # Examples
    ///
    /// ```
    /// let sim = txaio::sim::Builder::new().build();
    /// assert_eq!(sim.seed(), 0);
    /// ```
    pub fn new() -> Builder {
        Builder {
            config: Config {
                seed: 0,
                latency: (Duration::from_millis(1), Duration::from_millis(5)),
                tcp_window: 64 * 1024,
                connect_timeout: Duration::from_secs(10),
                time_limit: Duration::from_secs(600),
                udp_loss: 0.0,
                tcp_loss: 0.0,
                polls_per_instant: 10_000_000,
            },
        }
    }

    /// The seed every choice of the run derives from.
    /// # Examples
    ///
    /// ```
    /// let sim = txaio::sim::Builder::new().seed(17).build();
    /// assert_eq!(sim.seed(), 17);
    /// ```
    pub fn seed(mut self, seed: u64) -> Builder {
        self.config.seed = seed;
        self
    }

    /// The same latency for every packet between two hosts.
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let mut sim = txaio::sim::Builder::new().latency(Duration::from_millis(100)).build();
    /// sim.host("server", || async {
    ///     let listener = txaio::net::TcpListener::bind("0.0.0.0:1").await?;
    ///     let _ = listener.accept().await?;
    ///     Ok::<_, std::io::Error>(())
    /// })
    /// .unwrap();
    /// sim.client("client", async {
    ///     let start = txaio::now();
    ///     txaio::net::TcpStream::connect("server:1").await?;
    ///     assert_eq!(txaio::now() - start, Duration::from_millis(200)); // SYN and SYN-ACK
    ///     Ok::<_, std::io::Error>(())
    /// })
    /// .unwrap();
    /// sim.run().unwrap();
    /// ```
    pub fn latency(self, latency: Duration) -> Builder {
        self.latency_range(latency, latency)
    }

    /// A latency drawn from the seed for each packet, in `min..=max` (UDP datagrams may
    /// reorder; TCP keeps its order).
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let sim = txaio::sim::Builder::new()
    ///     .latency_range(Duration::from_millis(5), Duration::from_millis(80))
    ///     .build();
    /// # drop(sim);
    /// ```
    pub fn latency_range(mut self, min: Duration, max: Duration) -> Builder {
        self.config.latency = (min, max.max(min));
        self
    }

    /// The most bytes a TCP sender may have unread by its peer before its writes wait
    /// (at least 1).
    /// # Examples
    ///
    /// ```
    /// let sim = txaio::sim::Builder::new().tcp_window(16 * 1024).build();
    /// # drop(sim);
    /// ```
    pub fn tcp_window(mut self, bytes: usize) -> Builder {
        self.config.tcp_window = bytes.max(1);
        self
    }

    /// How long a connect whose SYN nobody answers waits before `TimedOut`.
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let mut sim = txaio::sim::Builder::new().connect_timeout(Duration::from_secs(2)).build();
    /// sim.client("client", async {
    ///     // Nobody has this address: the SYN goes unanswered.
    ///     let error = txaio::net::TcpStream::connect("10.9.9.9:80").await.unwrap_err();
    ///     assert_eq!(error.kind(), std::io::ErrorKind::TimedOut);
    ///     assert_eq!(txaio::sim::host_name().unwrap(), "client");
    ///     Ok::<_, std::io::Error>(())
    /// })
    /// .unwrap();
    /// assert_eq!(sim.run().unwrap().elapsed(), Duration::from_secs(2));
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Builder {
        self.config.connect_timeout = timeout;
        self
    }

    /// Simulated time after which [`Sim::run`] gives up with [`SimError::TimeLimit`].
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let mut sim = txaio::sim::Builder::new().time_limit(Duration::from_secs(1)).build();
    /// sim.client("slow", async {
    ///     txaio::sleep(Duration::from_secs(2)).await?;
    ///     Ok::<_, txaio::Failure>(())
    /// })
    /// .unwrap();
    /// assert!(matches!(sim.run(), Err(txaio::sim::SimError::TimeLimit { .. })));
    /// ```
    pub fn time_limit(mut self, limit: Duration) -> Builder {
        self.config.time_limit = limit;
        self
    }

    /// The probability that a datagram is lost (0 to 1).
    /// # Examples
    ///
    /// ```
    /// let sim = txaio::sim::Builder::new().udp_loss(0.05).build();
    /// # drop(sim);
    /// ```
    pub fn udp_loss(mut self, p: f64) -> Builder {
        self.config.udp_loss = p.clamp(0.0, 1.0);
        self
    }

    /// The probability that a TCP segment is lost once (0 to 1): it arrives a retransmission
    /// delay (200 ms) later, still in order.
    /// # Examples
    ///
    /// ```
    /// let sim = txaio::sim::Builder::new().tcp_loss(0.01).build();
    /// # drop(sim);
    /// ```
    pub fn tcp_loss(mut self, p: f64) -> Builder {
        self.config.tcp_loss = p.clamp(0.0, 1.0);
        self
    }

    /// Task polls allowed at one simulated instant (10 million by default) before the run
    /// ends with [`SimError::Busy`]: tasks that keep each other ready for ever, time
    /// standing still, would otherwise hang it.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut sim = txaio::sim::Builder::new().polls_per_instant(1000).build();
    /// sim.client("spinner", async {
    ///     txaio::coiterate(std::iter::repeat(())).await?; // yields for ever
    ///     Ok::<_, txaio::Failure>(())
    /// })
    /// .unwrap();
    /// assert!(matches!(sim.run(), Err(txaio::sim::SimError::Busy { polls: 1000, .. })));
    /// ```
    pub fn polls_per_instant(mut self, polls: u64) -> Builder {
        self.config.polls_per_instant = polls.max(1);
        self
    }

    /// The simulation, with no hosts yet.
    /// # Examples
    ///
    /// ```
    /// let sim = txaio::sim::Builder::new().seed(3).build();
    /// assert_eq!(sim.seed(), 3);
    /// ```
    pub fn build(self) -> Sim {
        Sim {
            world: World::new(self.config),
        }
    }
}

/// A simulation being set up: add hosts and clients, then [`run`](Sim::run) it.
///
/// # Examples
///
/// ```
/// let mut sim = txaio::sim::Builder::new().build();
/// let ip = sim.client("alone", async {
///     txaio::sleep(std::time::Duration::from_secs(300)).await?; // no real time passes
///     Ok::<_, txaio::Failure>(())
/// }).unwrap();
/// assert_eq!(ip.to_string(), "10.0.0.1");
/// assert_eq!(sim.run().unwrap().elapsed(), std::time::Duration::from_secs(300));
/// ```
#[derive(Debug)]
pub struct Sim {
    world: Arc<World>,
}

/// What a simulation run did.
#[derive(Debug, Clone, PartialEq, Eq)]
/// # Examples
///
/// ```
/// let mut sim = txaio::sim::Builder::new().seed(5).build();
/// sim.client("c", async {
///     txaio::sleep(std::time::Duration::from_secs(1)).await?;
///     Ok::<_, txaio::Failure>(())
/// })
/// .unwrap();
/// let outcome = sim.run().unwrap();
/// assert_eq!(outcome.seed(), 5);
/// assert_eq!(outcome.elapsed(), std::time::Duration::from_secs(1));
/// assert!(outcome.polls() >= 2 && outcome.events() >= outcome.polls());
/// println!("digest {:016x}", outcome.digest());
/// ```
pub struct Outcome {
    seed: u64,
    digest: u64,
    events: u64,
    polls: u64,
    elapsed: Duration,
}

impl Outcome {
    /// The seed of the run.
    /// # Examples
    ///
    /// ```
    /// let mut sim = txaio::sim::Builder::new().seed(5).build();
    /// sim.client("c", async {
    ///     txaio::sleep(std::time::Duration::from_secs(1)).await?;
    ///     Ok::<_, txaio::Failure>(())
    /// })
    /// .unwrap();
    /// let outcome = sim.run().unwrap();
    /// assert_eq!(outcome.seed(), 5);
    /// assert_eq!(outcome.elapsed(), std::time::Duration::from_secs(1));
    /// assert!(outcome.polls() >= 2 && outcome.events() >= outcome.polls());
    /// println!("digest {:016x}", outcome.digest());
    /// ```
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// A hash of the run's trace (every poll, packet and fault, with its simulated time): two
    /// runs of one seed agree on it.
    /// # Examples
    ///
    /// ```
    /// let mut sim = txaio::sim::Builder::new().seed(5).build();
    /// sim.client("c", async {
    ///     txaio::sleep(std::time::Duration::from_secs(1)).await?;
    ///     Ok::<_, txaio::Failure>(())
    /// })
    /// .unwrap();
    /// let outcome = sim.run().unwrap();
    /// assert_eq!(outcome.seed(), 5);
    /// assert_eq!(outcome.elapsed(), std::time::Duration::from_secs(1));
    /// assert!(outcome.polls() >= 2 && outcome.events() >= outcome.polls());
    /// println!("digest {:016x}", outcome.digest());
    /// ```
    pub fn digest(&self) -> u64 {
        self.digest
    }

    /// Events in the trace.
    /// # Examples
    ///
    /// ```
    /// let mut sim = txaio::sim::Builder::new().seed(5).build();
    /// sim.client("c", async {
    ///     txaio::sleep(std::time::Duration::from_secs(1)).await?;
    ///     Ok::<_, txaio::Failure>(())
    /// })
    /// .unwrap();
    /// let outcome = sim.run().unwrap();
    /// assert_eq!(outcome.seed(), 5);
    /// assert_eq!(outcome.elapsed(), std::time::Duration::from_secs(1));
    /// assert!(outcome.polls() >= 2 && outcome.events() >= outcome.polls());
    /// println!("digest {:016x}", outcome.digest());
    /// ```
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Task polls the run made.
    /// # Examples
    ///
    /// ```
    /// let mut sim = txaio::sim::Builder::new().seed(5).build();
    /// sim.client("c", async {
    ///     txaio::sleep(std::time::Duration::from_secs(1)).await?;
    ///     Ok::<_, txaio::Failure>(())
    /// })
    /// .unwrap();
    /// let outcome = sim.run().unwrap();
    /// assert_eq!(outcome.seed(), 5);
    /// assert_eq!(outcome.elapsed(), std::time::Duration::from_secs(1));
    /// assert!(outcome.polls() >= 2 && outcome.events() >= outcome.polls());
    /// println!("digest {:016x}", outcome.digest());
    /// ```
    pub fn polls(&self) -> u64 {
        self.polls
    }

    /// Simulated time when the last client finished.
    /// # Examples
    ///
    /// ```
    /// let mut sim = txaio::sim::Builder::new().seed(5).build();
    /// sim.client("c", async {
    ///     txaio::sleep(std::time::Duration::from_secs(1)).await?;
    ///     Ok::<_, txaio::Failure>(())
    /// })
    /// .unwrap();
    /// let outcome = sim.run().unwrap();
    /// assert_eq!(outcome.seed(), 5);
    /// assert_eq!(outcome.elapsed(), std::time::Duration::from_secs(1));
    /// assert!(outcome.polls() >= 2 && outcome.events() >= outcome.polls());
    /// println!("digest {:016x}", outcome.digest());
    /// ```
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

/// Why a simulation, or a call about one, failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
/// # Examples
///
/// ```
/// let mut sim = txaio::sim::Builder::new().build();
/// sim.client("c", async {
///     txaio::create_future::<()>().await?; // nothing will ever resolve it
///     Ok::<_, txaio::Failure>(())
/// })
/// .unwrap();
/// let error = sim.run().unwrap_err();
/// assert!(matches!(error, txaio::sim::SimError::Stalled { tasks: 1, .. }));
/// println!("{error}");
/// ```
pub enum SimError {
    /// No host has this name.
    UnknownHost {
        /// The name asked for.
        name: String,
    },
    /// A host of this name exists already (or the name is `localhost`).
    DuplicateHost {
        /// The name asked for.
        name: String,
    },
    /// A fault or host was asked for outside a running simulation.
    NotRunning,
    /// A client or a host's software returned an error.
    Failed {
        /// Its host.
        host: String,
        /// The error.
        message: String,
        /// Simulated time.
        at: Duration,
    },
    /// A task panicked.
    Panicked {
        /// Its host.
        host: String,
        /// The panic's message.
        message: String,
        /// Simulated time.
        at: Duration,
    },
    /// Clients are unfinished but nothing can happen any more: every task waits, and no timer
    /// or packet is pending (a deadlock, or a client waiting for a peer that never answers).
    Stalled {
        /// Simulated time.
        at: Duration,
        /// Tasks still waiting.
        tasks: usize,
    },
    /// Tasks kept polling at one simulated instant past the limit
    /// ([`Builder::polls_per_instant`]): a livelock, time standing still.
    Busy {
        /// Simulated time.
        at: Duration,
        /// Polls made at that instant.
        polls: u64,
    },
    /// The clients did not finish within the time limit.
    TimeLimit {
        /// The limit.
        limit: Duration,
    },
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::UnknownHost { name } => write!(f, "no simulated host is named `{name}`"),
            SimError::DuplicateHost { name } => {
                write!(f, "a simulated host named `{name}` exists already")
            }
            SimError::NotRunning => f.write_str("no simulation runs on this thread"),
            SimError::Failed { host, message, at } => {
                write!(f, "`{host}` failed at {at:?} (simulated): {message}")
            }
            SimError::Panicked { host, message, at } => {
                write!(
                    f,
                    "a task of `{host}` panicked at {at:?} (simulated): {message}"
                )
            }
            SimError::Stalled { at, tasks } => write!(
                f,
                "stalled at {at:?} (simulated): {tasks} tasks wait and no timer or packet is \
                 pending (a deadlock, or a peer that never answers)"
            ),
            SimError::Busy { at, polls } => write!(
                f,
                "busy at {at:?} (simulated): {polls} polls without time moving (tasks that keep \
                 each other ready for ever)"
            ),
            SimError::TimeLimit { limit } => write!(
                f,
                "the clients did not finish within the time limit of {limit:?} (simulated)"
            ),
        }
    }
}

impl std::error::Error for SimError {}

fn boxed<F, E>(future: F) -> TaskFuture
where
    F: Future<Output = Result<(), E>> + Send + 'static,
    E: Into<Failure>,
{
    Box::pin(crate::rt::InRuntime::new(
        crate::rt::current(),
        async move { future.await.map_err(|error| error.into().to_string()) },
    ))
}

fn add_host(world: &World, name: &str, software: Option<Software>) -> Result<IpAddr, SimError> {
    let (ip, host) = {
        let mut state = lock(&world.state);
        let ip = state
            .add_host(name, software.clone())
            .ok_or_else(|| SimError::DuplicateHost {
                name: name.to_owned(),
            })?;
        (ip, state.find_host(name).unwrap_or_default())
    };
    if let Some(software) = software {
        world.spawn(Some(host), Kind::Software, software());
    }
    Ok(ip)
}

fn software_of<F, Fut, E>(software: F) -> Software
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Into<Failure>,
{
    Arc::new(move || boxed(software()))
}

fn add_client<F, E>(world: &World, name: &str, client: F) -> Result<IpAddr, SimError>
where
    F: Future<Output = Result<(), E>> + Send + 'static,
    E: Into<Failure>,
{
    let ip = add_host(world, name, None)?;
    let host = lock(&world.state).find_host(name);
    world.spawn(host, Kind::Client, boxed(client));
    Ok(ip)
}

impl Sim {
    /// The seed of this simulation.
    /// # Examples
    ///
    /// ```
    /// assert_eq!(txaio::sim::Builder::new().seed(9).build().seed(), 9);
    /// ```
    pub fn seed(&self) -> u64 {
        self.world.config.seed
    }

    /// Adds a host running `software`, a server say; it starts again from `software` after
    /// a [`restart`]. Its ending is fine; its error fails the run. Gives the host's address.
    ///
    /// # Errors
    ///
    /// [`SimError::DuplicateHost`] when the name is taken (or is `localhost`).
    /// # Examples
    ///
    /// ```
    /// async fn echo() -> std::io::Result<()> {
    ///     let listener = txaio::net::TcpListener::bind("0.0.0.0:7").await?;
    ///     loop {
    ///         let (mut stream, _) = listener.accept().await?;
    ///         let mut buf = [0; 16];
    ///         let n = stream.read(&mut buf).await?;
    ///         stream.write_all(&buf[..n]).await?;
    ///     }
    /// }
    ///
    /// let mut sim = txaio::sim::Builder::new().build();
    /// let ip = sim.host("echo", echo).unwrap();
    /// assert_eq!(ip.to_string(), "10.0.0.1");
    /// sim.client("client", async {
    ///     let mut stream = txaio::net::TcpStream::connect("echo:7").await?;
    ///     stream.write_all(b"ping").await?;
    ///     let mut buf = [0; 4];
    ///     stream.read(&mut buf).await?;
    ///     assert_eq!(&buf, b"ping");
    ///     Ok::<_, std::io::Error>(())
    /// })
    /// .unwrap();
    /// sim.run().unwrap();
    /// ```
    pub fn host<F, Fut, E>(&mut self, name: &str, software: F) -> Result<IpAddr, SimError>
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<Failure>,
    {
        add_host(&self.world, name, Some(software_of(software)))
    }

    /// Adds a host running `client` once: the run ends when every client has finished, and
    /// fails when one fails. Gives the host's address.
    ///
    /// # Errors
    ///
    /// [`SimError::DuplicateHost`] when the name is taken (or is `localhost`).
    /// # Examples
    ///
    /// ```
    /// let mut sim = txaio::sim::Builder::new().build();
    /// sim.client("a", async { Ok::<_, txaio::Failure>(()) }).unwrap();
    /// let taken = sim.client("a", async { Ok::<_, txaio::Failure>(()) }).unwrap_err();
    /// assert_eq!(taken, txaio::sim::SimError::DuplicateHost { name: "a".into() });
    /// sim.run().unwrap();
    /// ```
    pub fn client<F, E>(&mut self, name: &str, client: F) -> Result<IpAddr, SimError>
    where
        F: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<Failure>,
    {
        add_client(&self.world, name, client)
    }

    /// Runs the simulation on this thread until every client has finished. No real time
    /// passes: when every task waits, time jumps to the next timer or packet.
    ///
    /// # Errors
    ///
    /// A client's or a host's error or panic ([`SimError::Failed`], [`SimError::Panicked`]),
    /// [`SimError::Stalled`] when clients wait for something that can never happen, and
    /// [`SimError::TimeLimit`].
    /// # Examples
    ///
    /// ```
    /// let mut sim = txaio::sim::Builder::new().build();
    /// sim.client("c", async { Err::<(), _>(std::io::Error::other("no")) }).unwrap();
    /// let error = sim.run().unwrap_err();
    /// assert!(error.to_string().contains("`c` failed"), "{error}");
    /// ```
    pub fn run(self) -> Result<Outcome, SimError> {
        let world = self.world;
        let report = crate::time::virtual_clock::with_virtual_clock(|clock| {
            world::with_world(&world, || world.drive(clock))
        })?;
        let mut state = lock(&world.state);
        state.record(&[99, rng::nanos(report.elapsed), report.polls]);
        Ok(Outcome {
            seed: world.config.seed,
            digest: state.digest().value(),
            events: state.digest().events(),
            polls: report.polls,
            elapsed: report.elapsed,
        })
    }
}

fn running() -> Result<Arc<World>, SimError> {
    world::current().ok_or(SimError::NotRunning)
}

fn host_id(world: &World, name: &str) -> Result<usize, SimError> {
    lock(&world.state)
        .find_host(name)
        .ok_or_else(|| SimError::UnknownHost {
            name: name.to_owned(),
        })
}

fn on_link(
    a: &str,
    b: &str,
    change: impl FnOnce(&mut net::State, usize, usize, &mut Vec<std::task::Waker>),
) -> Result<(), SimError> {
    let world = running()?;
    let (a, b) = (host_id(&world, a)?, host_id(&world, b)?);
    let mut wakers = Vec::new();
    change(&mut lock(&world.state), a, b, &mut wakers);
    for waker in wakers {
        waker.wake();
    }
    Ok(())
}

/// Whether this code runs inside a simulation.
///
/// # Examples
///
/// ```
/// assert!(!txaio::sim::is_simulated());
/// ```
pub fn is_simulated() -> bool {
    active()
}

/// The name of the simulated host running this task.
///
/// # Errors
///
/// [`SimError::NotRunning`] outside a simulation or a host's task.
/// # Examples
///
/// ```
/// let mut sim = txaio::sim::Builder::new().build();
/// sim.client("alice", async {
///     assert_eq!(txaio::sim::host_name()?, "alice");
///     Ok::<_, txaio::sim::SimError>(())
/// })
/// .unwrap();
/// sim.run().unwrap();
/// assert_eq!(txaio::sim::host_name(), Err(txaio::sim::SimError::NotRunning));
/// ```
pub fn host_name() -> Result<String, SimError> {
    let world = running()?;
    let host = world::current_host().ok_or(SimError::NotRunning)?;
    Ok(lock(&world.state).host_name(host).to_owned())
}

/// A number from the simulation's seeded stream, for a test's own choices.
///
/// # Errors
///
/// [`SimError::NotRunning`] outside a simulation.
/// # Examples
///
/// ```
/// let roll = |seed| {
///     let rolled = std::sync::Arc::new(std::sync::Mutex::new(0));
///     let keep = rolled.clone();
///     let mut sim = txaio::sim::Builder::new().seed(seed).build();
///     sim.client("c", async move {
///         *keep.lock().unwrap() = txaio::sim::random_u64()?;
///         Ok::<_, txaio::sim::SimError>(())
///     })
///     .unwrap();
///     sim.run().unwrap();
///     let value = *rolled.lock().unwrap();
///     value
/// };
/// assert_eq!(roll(1), roll(1));
/// ```
pub fn random_u64() -> Result<u64, SimError> {
    let world = running()?;
    Ok(lock(&world.state).random())
}

/// Adds a host running `software` to the running simulation (see [`Sim::host`]).
///
/// # Errors
///
/// [`SimError::NotRunning`] outside a simulation, [`SimError::DuplicateHost`].
/// # Examples
///
/// ```
/// async fn echo() -> std::io::Result<()> {
///     let listener = txaio::net::TcpListener::bind("0.0.0.0:7").await?;
///     loop {
///         let (mut stream, _) = listener.accept().await?;
///         let mut buf = [0; 16];
///         let n = stream.read(&mut buf).await?;
///         stream.write_all(&buf[..n]).await?;
///     }
/// }
///
/// let mut sim = txaio::sim::Builder::new().build();
/// sim.client("client", async {
///     txaio::sim::add_host_software("echo", echo)?;
///     let mut stream = txaio::net::TcpStream::connect("echo:7").await?;
///     stream.write_all(b"hi").await?;
///     Ok::<_, txaio::Failure>(())
/// })
/// .unwrap();
/// sim.run().unwrap();
/// ```
pub fn add_host_software<F, Fut, E>(name: &str, software: F) -> Result<IpAddr, SimError>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Into<Failure>,
{
    let world = running()?;
    add_host(&world, name, Some(software_of(software)))
}

/// Nothing passes between `a` and `b` until [`repair`]: TCP segments wait (TCP retransmits)
/// and flow on repair, datagrams are lost, and a connect times out after the connect timeout.
///
/// # Errors
///
/// [`SimError::NotRunning`] outside a simulation, [`SimError::UnknownHost`].
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// async fn echo() -> std::io::Result<()> {
///     let listener = txaio::net::TcpListener::bind("0.0.0.0:7").await?;
///     loop {
///         let (mut stream, _) = listener.accept().await?;
///         let mut buf = [0; 16];
///         let n = stream.read(&mut buf).await?;
///         stream.write_all(&buf[..n]).await?;
///     }
/// }
///
/// let mut sim = txaio::sim::Builder::new().latency(Duration::from_millis(10)).build();
/// sim.host("echo", echo).unwrap();
/// sim.client("client", async {
///     let mut stream = txaio::net::TcpStream::connect("echo:7").await?;
///     txaio::sim::partition("client", "echo")?;
///     let _heal = txaio::call_later(Duration::from_secs(1), || {
///         txaio::sim::repair("client", "echo").unwrap();
///     });
///     let start = txaio::now();
///     stream.write_all(b"x").await?; // waits in the partition
///     let mut buf = [0; 1];
///     stream.read(&mut buf).await?;
///     assert!(txaio::now() - start >= Duration::from_secs(1));
///     Ok::<_, txaio::Failure>(())
/// })
/// .unwrap();
/// sim.run().unwrap();
/// ```
pub fn partition(a: &str, b: &str) -> Result<(), SimError> {
    on_link(a, b, |state, a, b, _| {
        state.set_partition(a, b, true, crate::time::now());
    })
}

/// Ends a [`partition`]: what waited flows, in order.
///
/// # Errors
///
/// As [`partition`].
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// async fn echo() -> std::io::Result<()> {
///     let listener = txaio::net::TcpListener::bind("0.0.0.0:7").await?;
///     loop {
///         let (mut stream, _) = listener.accept().await?;
///         let mut buf = [0; 16];
///         let n = stream.read(&mut buf).await?;
///         stream.write_all(&buf[..n]).await?;
///     }
/// }
///
/// let mut sim = txaio::sim::Builder::new().latency(Duration::from_millis(10)).build();
/// sim.host("echo", echo).unwrap();
/// sim.client("client", async {
///     let mut stream = txaio::net::TcpStream::connect("echo:7").await?;
///     txaio::sim::partition("client", "echo")?;
///     txaio::sim::repair("client", "echo")?;
///     stream.write_all(b"x").await?;
///     let mut buf = [0; 1];
///     stream.read(&mut buf).await?;
///     Ok::<_, txaio::Failure>(())
/// })
/// .unwrap();
/// sim.run().unwrap();
/// ```
pub fn repair(a: &str, b: &str) -> Result<(), SimError> {
    on_link(a, b, |state, a, b, _| {
        state.set_partition(a, b, false, crate::time::now());
    })
}

/// Holds every packet between `a` and `b` (datagrams too) until [`release`].
///
/// # Errors
///
/// As [`partition`].
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// async fn echo() -> std::io::Result<()> {
///     let listener = txaio::net::TcpListener::bind("0.0.0.0:7").await?;
///     loop {
///         let (mut stream, _) = listener.accept().await?;
///         let mut buf = [0; 16];
///         let n = stream.read(&mut buf).await?;
///         stream.write_all(&buf[..n]).await?;
///     }
/// }
///
/// let mut sim = txaio::sim::Builder::new().latency(Duration::from_millis(10)).build();
/// sim.host("echo", echo).unwrap();
/// sim.client("client", async {
///     let mut stream = txaio::net::TcpStream::connect("echo:7").await?;
///     txaio::sim::hold("client", "echo")?;
///     stream.write_all(b"x").await?;
///     let mut buf = [0; 1];
///     let quiet = txaio::with_timeout(Duration::from_secs(1), async { stream.read(&mut buf).await }).await;
///     assert!(quiet.is_err(), "held");
///     txaio::sim::release("client", "echo")?;
///     stream.read(&mut buf).await?;
///     Ok::<_, txaio::Failure>(())
/// })
/// .unwrap();
/// sim.run().unwrap();
/// ```
pub fn hold(a: &str, b: &str) -> Result<(), SimError> {
    on_link(a, b, |state, a, b, _| {
        state.set_hold(a, b, true, crate::time::now());
    })
}

/// Ends a [`hold`]: the held packets go, in the order they were sent.
///
/// # Errors
///
/// As [`partition`].
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// async fn echo() -> std::io::Result<()> {
///     let listener = txaio::net::TcpListener::bind("0.0.0.0:7").await?;
///     loop {
///         let (mut stream, _) = listener.accept().await?;
///         let mut buf = [0; 16];
///         let n = stream.read(&mut buf).await?;
///         stream.write_all(&buf[..n]).await?;
///     }
/// }
///
/// let mut sim = txaio::sim::Builder::new().latency(Duration::from_millis(10)).build();
/// sim.host("echo", echo).unwrap();
/// sim.client("client", async {
///     let mut stream = txaio::net::TcpStream::connect("echo:7").await?;
///     txaio::sim::hold("client", "echo")?;
///     stream.write_all(b"x").await?;
///     txaio::sim::release("client", "echo")?;
///     let mut buf = [0; 1];
///     stream.read(&mut buf).await?;
///     Ok::<_, txaio::Failure>(())
/// })
/// .unwrap();
/// sim.run().unwrap();
/// ```
pub fn release(a: &str, b: &str) -> Result<(), SimError> {
    on_link(a, b, |state, a, b, _| {
        state.set_hold(a, b, false, crate::time::now());
    })
}

/// Each packet between `a` and `b` from now on takes a latency in `min..=max`, drawn from
/// the seed.
///
/// # Errors
///
/// As [`partition`].
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// async fn echo() -> std::io::Result<()> {
///     let listener = txaio::net::TcpListener::bind("0.0.0.0:7").await?;
///     loop {
///         let (mut stream, _) = listener.accept().await?;
///         let mut buf = [0; 16];
///         let n = stream.read(&mut buf).await?;
///         stream.write_all(&buf[..n]).await?;
///     }
/// }
///
/// let mut sim = txaio::sim::Builder::new().latency(Duration::from_millis(10)).build();
/// sim.host("echo", echo).unwrap();
/// sim.client("client", async {
///     let mut stream = txaio::net::TcpStream::connect("echo:7").await?;
///     txaio::sim::set_latency("client", "echo", Duration::from_millis(200), Duration::from_millis(200))?;
///     let start = txaio::now();
///     stream.write_all(b"x").await?;
///     let mut buf = [0; 1];
///     stream.read(&mut buf).await?;
///     assert_eq!(txaio::now() - start, Duration::from_millis(400));
///     Ok::<_, txaio::Failure>(())
/// })
/// .unwrap();
/// sim.run().unwrap();
/// ```
pub fn set_latency(a: &str, b: &str, min: Duration, max: Duration) -> Result<(), SimError> {
    on_link(a, b, |state, a, b, _| state.set_latency(a, b, min, max))
}

/// Each packet between `a` and `b` is lost with probability `p` (0 to 1): a datagram is
/// gone, a TCP segment arrives a retransmission delay (200 ms) later.
///
/// # Errors
///
/// As [`partition`].
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// async fn echo() -> std::io::Result<()> {
///     let listener = txaio::net::TcpListener::bind("0.0.0.0:7").await?;
///     loop {
///         let (mut stream, _) = listener.accept().await?;
///         let mut buf = [0; 16];
///         let n = stream.read(&mut buf).await?;
///         stream.write_all(&buf[..n]).await?;
///     }
/// }
///
/// let mut sim = txaio::sim::Builder::new().latency(Duration::from_millis(10)).build();
/// sim.host("echo", echo).unwrap();
/// sim.client("client", async {
///     let mut stream = txaio::net::TcpStream::connect("echo:7").await?;
///     txaio::sim::set_loss("client", "echo", 1.0)?; // every segment retransmitted once
///     let start = txaio::now();
///     stream.write_all(b"x").await?;
///     let mut buf = [0; 1];
///     stream.read(&mut buf).await?;
///     assert_eq!(txaio::now() - start, Duration::from_millis(420));
///     Ok::<_, txaio::Failure>(())
/// })
/// .unwrap();
/// sim.run().unwrap();
/// ```
pub fn set_loss(a: &str, b: &str, p: f64) -> Result<(), SimError> {
    on_link(a, b, |state, a, b, _| {
        state.set_loss(a, b, p.clamp(0.0, 1.0));
    })
}

/// Resets every TCP connection between `a` and `b`: both ends read and write
/// `ConnectionReset` from now on.
///
/// # Errors
///
/// As [`partition`].
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// async fn echo() -> std::io::Result<()> {
///     let listener = txaio::net::TcpListener::bind("0.0.0.0:7").await?;
///     loop {
///         let (mut stream, _) = listener.accept().await?;
///         let mut buf = [0; 16];
///         let n = stream.read(&mut buf).await?;
///         stream.write_all(&buf[..n]).await?;
///     }
/// }
///
/// let mut sim = txaio::sim::Builder::new().latency(Duration::from_millis(10)).build();
/// sim.host("echo", echo).unwrap();
/// sim.client("client", async {
///     let mut stream = txaio::net::TcpStream::connect("echo:7").await?;
///     txaio::sim::reset("client", "echo")?;
///     let mut buf = [0; 1];
///     let error = stream.read(&mut buf).await.unwrap_err();
///     assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
///     Ok::<_, txaio::Failure>(())
/// })
/// .unwrap();
/// sim.run().unwrap();
/// ```
pub fn reset(a: &str, b: &str) -> Result<(), SimError> {
    on_link(a, b, |state, a, b, wakers| {
        state.reset_between(a, b, wakers);
    })
}

/// Crashes `host`: its tasks are dropped, its sockets vanish, packets to it are lost and its
/// peers hear nothing. A client on it ends with it. A task may crash its own host: it is
/// dropped when its poll returns.
///
/// # Errors
///
/// As [`partition`].
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// async fn echo() -> std::io::Result<()> {
///     let listener = txaio::net::TcpListener::bind("0.0.0.0:7").await?;
///     loop {
///         let (mut stream, _) = listener.accept().await?;
///         let mut buf = [0; 16];
///         let n = stream.read(&mut buf).await?;
///         stream.write_all(&buf[..n]).await?;
///     }
/// }
///
/// let mut sim = txaio::sim::Builder::new().latency(Duration::from_millis(10)).build();
/// sim.host("echo", echo).unwrap();
/// sim.client("client", async {
///     let mut stream = txaio::net::TcpStream::connect("echo:7").await?;
///     txaio::sim::crash("echo")?;
///     stream.write_all(b"x").await?;
///     let mut buf = [0; 1];
///     let silent = txaio::with_timeout(Duration::from_secs(5), async { stream.read(&mut buf).await }).await;
///     assert!(silent.is_err(), "a crashed host answers nothing");
///     Ok::<_, txaio::Failure>(())
/// })
/// .unwrap();
/// sim.run().unwrap();
/// ```
pub fn crash(host: &str) -> Result<(), SimError> {
    let world = running()?;
    let id = host_id(&world, host)?;
    let mut wakers = Vec::new();
    lock(&world.state).crash(id, &mut wakers);
    for waker in wakers {
        waker.wake();
    }
    world.drop_tasks_of(id);
    Ok(())
}

/// Restarts a crashed `host` (or a running one, which crashes first): its software starts
/// again; packets for its old connections reset their senders.
///
/// # Errors
///
/// As [`partition`].
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// async fn echo() -> std::io::Result<()> {
///     let listener = txaio::net::TcpListener::bind("0.0.0.0:7").await?;
///     loop {
///         let (mut stream, _) = listener.accept().await?;
///         let mut buf = [0; 16];
///         let n = stream.read(&mut buf).await?;
///         stream.write_all(&buf[..n]).await?;
///     }
/// }
///
/// let mut sim = txaio::sim::Builder::new().latency(Duration::from_millis(10)).build();
/// sim.host("echo", echo).unwrap();
/// sim.client("client", async {
///     let mut stream = txaio::net::TcpStream::connect("echo:7").await?;
///     txaio::sim::crash("echo")?;
///     txaio::sim::restart("echo")?;
///     let mut fresh = txaio::net::TcpStream::connect("echo:7").await?;
///     fresh.write_all(b"x").await?;
///     let mut buf = [0; 1];
///     fresh.read(&mut buf).await?;
///     drop(stream);
///     Ok::<_, txaio::Failure>(())
/// })
/// .unwrap();
/// sim.run().unwrap();
/// ```
pub fn restart(host: &str) -> Result<(), SimError> {
    let world = running()?;
    let id = host_id(&world, host)?;
    if lock(&world.state).host_alive(id) {
        crash(host)?;
    }
    lock(&world.state).restart(id, crate::time::now());
    let software = lock(&world.state).software(id);
    if let Some(software) = software {
        world.spawn(Some(id), Kind::Software, software());
    }
    Ok(())
}

/// Spawns `future` on the running simulation, on the caller's host (`rt`'s spawn); gives it
/// back when no simulation runs on this thread.
pub(crate) fn spawn_task<F>(future: F) -> Result<(), F>
where
    F: Future<Output = ()> + Send + 'static,
{
    let Some(world) = world::current() else {
        return Err(future);
    };
    world.spawn(
        world::current_host(),
        Kind::Spawned,
        Box::pin(async move {
            future.await;
            Ok(())
        }),
    );
    Ok(())
}

/// A timer callback set by the current host's code, bound to that host: it runs as the host's
/// code (its spawns and sockets are the host's), and is dropped unrun when the host crashed
/// since. Unchanged outside a simulation or a host.
pub(crate) fn on_this_host(callback: Box<dyn FnOnce() + Send>) -> Box<dyn FnOnce() + Send> {
    let (Some(world), Some(host)) = (world::current(), world::current_host()) else {
        return callback;
    };
    let epoch = lock(&world.state).host_epoch(host);
    let world = Arc::downgrade(&world);
    Box::new(move || {
        let alive = world
            .upgrade()
            .is_some_and(|world| lock(&world.state).host_epoch(host) == epoch);
        let _host = world::HostScope::enter(Some(host));
        if alive {
            callback();
        }
    })
}

/// Lets every other ready task run once before this one goes on.
pub(crate) async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            return std::task::Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    })
    .await;
}
