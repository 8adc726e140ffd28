//! The simulated network behind `txaio::net` inside a simulation: hosts with addresses, TCP
//! with ordering, a window (backpressure), end of stream, resets and refusals, UDP with loss
//! and reordering, and the faults. Every packet is an event at a simulated time; the executor
//! delivers the due ones when it has nothing else to run.
//!
//! The second half of this file is the backend interface of `rt/mod.rs` (the names `on_backend!`
//! and `on_current!` call), so `txaio::net`'s types work on simulated sockets unchanged.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use super::Config;
use super::rng::{Digest, IdMap, Rng, nanos};
use super::world::{self, Software, World, lock};

/// A host's index in the simulation (its order of creation).
pub(crate) type HostId = usize;

/// A TCP segment's retransmission delay, added when the seed loses it (`tcp_loss`).
const RETRANSMIT: Duration = Duration::from_millis(200);
/// Datagrams a UDP socket queues before it drops new ones (a full receive buffer).
const UDP_QUEUE: usize = 256;
/// The largest UDP payload over IPv4.
const MAX_DATAGRAM: usize = 65_507;
/// The first ephemeral port (IANA's dynamic range).
const FIRST_EPHEMERAL: u16 = 49_152;

pub(crate) struct Host {
    name: String,
    ip: IpAddr,
    alive: bool,
    /// Bumped by a crash: sockets of an older epoch are gone.
    epoch: u64,
    next_port: u16,
    pub(crate) software: Option<Software>,
}

#[derive(Default)]
struct Link {
    partitioned: bool,
    held: bool,
    latency: Option<(Duration, Duration)>,
    loss: Option<f64>,
    /// Packets waiting for a repair or a release, in the order they were sent.
    waiting: Vec<InFlight>,
}

enum Packet {
    Syn {
        conn: u64,
    },
    SynAck {
        conn: u64,
    },
    Refused {
        conn: u64,
    },
    ConnectTimeout {
        conn: u64,
    },
    Data {
        conn: u64,
        to: usize,
        bytes: Vec<u8>,
    },
    Fin {
        conn: u64,
        to: usize,
    },
    Rst {
        conn: u64,
        to: usize,
    },
    Datagram {
        from: SocketAddr,
        to: SocketAddr,
        bytes: Vec<u8>,
    },
}

impl Packet {
    fn code(&self) -> u64 {
        match self {
            Packet::Syn { .. } => 1,
            Packet::SynAck { .. } => 2,
            Packet::Refused { .. } => 3,
            Packet::ConnectTimeout { .. } => 4,
            Packet::Data { .. } => 5,
            Packet::Fin { .. } => 6,
            Packet::Rst { .. } => 7,
            Packet::Datagram { .. } => 8,
        }
    }

    fn len(&self) -> u64 {
        match self {
            Packet::Data { bytes, .. } | Packet::Datagram { bytes, .. } => bytes.len() as u64,
            _ => 0,
        }
    }

    /// The connection side whose stream this packet is part of, which keeps it in order.
    fn stream_of(&self) -> Option<(u64, usize)> {
        match *self {
            Packet::Syn { conn } => Some((conn, 0)),
            Packet::SynAck { conn } => Some((conn, 1)),
            Packet::Data { conn, to, .. } | Packet::Fin { conn, to } | Packet::Rst { conn, to } => {
                Some((conn, 1 - to))
            }
            _ => None,
        }
    }
}

struct InFlight {
    from: HostId,
    /// The sender's incarnation: a packet of a host that crashed since is never delivered.
    epoch: u64,
    to: HostId,
    packet: Packet,
}

/// A packet on its way: due at `due`, ties in the order sent.
struct Scheduled {
    due: Duration,
    sequence: u64,
    inflight: InFlight,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.sequence) == (other.due, other.sequence)
    }
}

impl Eq for Scheduled {}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.due, self.sequence).cmp(&(other.due, other.sequence))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Connecting,
    Established,
    Refused,
    TimedOut,
}

#[allow(clippy::struct_excessive_bools)] // a TCP endpoint's flags, each read on its own
struct Side {
    host: HostId,
    epoch: u64,
    local: SocketAddr,
    peer: SocketAddr,
    recv: VecDeque<u8>,
    eof: bool,
    reset: bool,
    /// Live handles (a stream, or each of its halves); 0 once closed.
    handles: usize,
    write_shut: bool,
    /// Bytes this side sent that its peer has not read yet: the window's fill.
    unread_by_peer: usize,
    /// When this side's last packet arrives: later ones never overtake it.
    last_due: Duration,
    read_waker: Option<Waker>,
    write_waker: Option<Waker>,
    nodelay: bool,
}

impl Side {
    fn new(host: HostId, epoch: u64, local: SocketAddr, peer: SocketAddr) -> Side {
        Side {
            host,
            epoch,
            local,
            peer,
            recv: VecDeque::new(),
            eof: false,
            reset: false,
            handles: 0,
            write_shut: false,
            unread_by_peer: 0,
            last_due: Duration::ZERO,
            read_waker: None,
            write_waker: None,
            nodelay: false,
        }
    }

    fn wake_all(&mut self, wakers: &mut Vec<Waker>) {
        wakers.extend(self.read_waker.take());
        wakers.extend(self.write_waker.take());
    }
}

struct Conn {
    phase: Phase,
    /// The connect future was dropped before it finished.
    abandoned: bool,
    /// The connect future gave its outcome.
    connect_done: bool,
    sides: [Side; 2],
    connect_waker: Option<Waker>,
}

struct ListenerState {
    bound: SocketAddr,
    backlog: VecDeque<u64>,
    /// Every task waiting to accept (a listener is shared by reference).
    wakers: Vec<Waker>,
}

struct UdpState {
    bound: SocketAddr,
    queue: VecDeque<(Vec<u8>, SocketAddr)>,
    /// Every task waiting to receive.
    wakers: Vec<Waker>,
}

/// Adds `waker` to `wakers` unless it would wake the same task already.
fn register(wakers: &mut Vec<Waker>, waker: &Waker) {
    if !wakers.iter().any(|known| known.will_wake(waker)) {
        wakers.push(waker.clone());
    }
}

/// The network, its random stream and the trace digest, under one lock.
pub(crate) struct State {
    hosts: Vec<Host>,
    links: BTreeMap<(HostId, HostId), Link>,
    listeners: BTreeMap<(HostId, u16), ListenerState>,
    udp: BTreeMap<(HostId, u16), UdpState>,
    conns: IdMap<Conn>,
    next_conn: u64,
    events: BinaryHeap<Reverse<Scheduled>>,
    sequence: u64,
    rng: Rng,
    digest: Digest,
    latency: (Duration, Duration),
    window: usize,
    connect_timeout: Duration,
    udp_loss: f64,
    tcp_loss: f64,
}

fn link_key(a: HostId, b: HostId) -> (HostId, HostId) {
    (a.min(b), a.max(b))
}

fn io_error(kind: io::ErrorKind, message: &str) -> io::Error {
    io::Error::new(kind, message.to_owned())
}

impl State {
    pub(crate) fn new(config: &Config) -> State {
        State {
            hosts: Vec::new(),
            links: BTreeMap::new(),
            listeners: BTreeMap::new(),
            udp: BTreeMap::new(),
            conns: IdMap::default(),
            next_conn: 0,
            events: BinaryHeap::new(),
            sequence: 0,
            rng: Rng::new(config.seed),
            digest: Digest::default(),
            latency: config.latency,
            window: config.tcp_window,
            connect_timeout: config.connect_timeout,
            udp_loss: config.udp_loss,
            tcp_loss: config.tcp_loss,
        }
    }

    pub(crate) fn record(&mut self, words: &[u64]) {
        self.digest.record(words);
    }

    pub(crate) fn digest(&self) -> &Digest {
        &self.digest
    }

    pub(crate) fn random(&mut self) -> u64 {
        self.rng.next_u64()
    }

    // ---- hosts ----

    pub(crate) fn add_host(&mut self, name: &str, software: Option<Software>) -> Option<IpAddr> {
        if name == "localhost" || self.find_host(name).is_some() {
            return None;
        }
        let index = u32::try_from(self.hosts.len()).ok()?;
        let ip = IpAddr::V4(Ipv4Addr::from(0x0A00_0001u32.checked_add(index)?));
        self.hosts.push(Host {
            name: name.to_owned(),
            ip,
            alive: true,
            epoch: 0,
            next_port: FIRST_EPHEMERAL,
            software,
        });
        Some(ip)
    }

    pub(crate) fn find_host(&self, name: &str) -> Option<HostId> {
        self.hosts.iter().position(|host| host.name == name)
    }

    pub(crate) fn host_name(&self, host: HostId) -> &str {
        &self.hosts[host].name
    }

    pub(crate) fn host_ip(&self, host: HostId) -> IpAddr {
        self.hosts[host].ip
    }

    pub(crate) fn host_epoch(&self, host: HostId) -> u64 {
        self.hosts[host].epoch
    }

    pub(crate) fn host_alive(&self, host: HostId) -> bool {
        self.hosts[host].alive
    }

    pub(crate) fn software(&self, host: HostId) -> Option<Software> {
        self.hosts[host].software.clone()
    }

    /// The host an address reaches from `caller`: loopback is the caller itself.
    fn host_at(&self, ip: IpAddr, caller: HostId) -> Option<HostId> {
        if ip.is_loopback() || ip.is_unspecified() {
            return Some(caller);
        }
        self.hosts.iter().position(|host| host.ip == ip)
    }

    /// `host:port` of a simulated host name (`localhost` is the caller's loopback).
    pub(crate) fn lookup(&self, name: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        if name.eq_ignore_ascii_case("localhost") {
            return Ok(vec![SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port)]);
        }
        match self.hosts.iter().find(|host| host.name == name) {
            Some(host) => Ok(vec![SocketAddr::new(host.ip, port)]),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("failed to look up `{name}`: no simulated host has that name"),
            )),
        }
    }

    /// The host stops: its tasks go (the caller drops them), its sockets vanish, and what
    /// reaches it from now on is lost; its peers hear nothing.
    pub(crate) fn crash(&mut self, host: HostId, wakers: &mut Vec<Waker>) {
        self.record(&[10, host as u64]);
        let state = &mut self.hosts[host];
        state.alive = false;
        state.epoch += 1;
        let listeners: Vec<_> = self
            .listeners
            .keys()
            .filter(|(owner, _)| *owner == host)
            .copied()
            .collect();
        for key in listeners {
            if let Some(mut listener) = self.listeners.remove(&key) {
                wakers.append(&mut listener.wakers);
            }
        }
        // Its sockets are gone (their handles are dropped with its tasks); their peers hear
        // nothing.
        let mut ids: Vec<u64> = self.conns.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            if let Some(conn) = self.conns.get_mut(&id) {
                for side in &mut conn.sides {
                    if side.host == host && side.epoch != self.hosts[host].epoch {
                        side.handles = 0;
                    }
                }
            }
            self.forget_if_closed(id);
        }
        self.udp.retain(|(owner, _), socket| {
            if *owner == host {
                wakers.append(&mut socket.wakers);
            }
            *owner != host
        });
    }

    pub(crate) fn restart(&mut self, host: HostId, now: Duration) {
        self.record(&[11, host as u64]);
        let state = &mut self.hosts[host];
        state.alive = true;
        state.epoch += 1;
        // A peer waiting on a full window probes it; the restarted host answers with a reset.
        let mut ids: Vec<u64> = self.conns.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            let Some(conn) = self.conns.get(&id) else {
                continue;
            };
            for side in 0..2 {
                let (mine, peer) = (&conn.sides[side], &conn.sides[1 - side]);
                if mine.host == host && peer.unread_by_peer > 0 && !peer.reset {
                    let to = peer.host;
                    self.reset_peer(now, host, to, id, side);
                    break;
                }
            }
        }
    }

    // ---- faults ----

    pub(crate) fn set_partition(&mut self, a: HostId, b: HostId, on: bool, now: Duration) {
        self.record(&[12, a as u64, b as u64, u64::from(on)]);
        self.links.entry(link_key(a, b)).or_default().partitioned = on;
        self.flush_link(a, b, now);
    }

    pub(crate) fn set_hold(&mut self, a: HostId, b: HostId, on: bool, now: Duration) {
        self.record(&[13, a as u64, b as u64, u64::from(on)]);
        self.links.entry(link_key(a, b)).or_default().held = on;
        self.flush_link(a, b, now);
    }

    pub(crate) fn set_latency(&mut self, a: HostId, b: HostId, min: Duration, max: Duration) {
        self.record(&[14, a as u64, b as u64, nanos(min), nanos(max)]);
        self.links.entry(link_key(a, b)).or_default().latency = Some((min, max.max(min)));
    }

    pub(crate) fn set_loss(&mut self, a: HostId, b: HostId, p: f64) {
        self.record(&[15, a as u64, b as u64, p.to_bits()]);
        self.links.entry(link_key(a, b)).or_default().loss = Some(p);
    }

    /// Sends what waited on a link that is now open, in the order it was sent.
    fn flush_link(&mut self, a: HostId, b: HostId, now: Duration) {
        let key = link_key(a, b);
        let open = self
            .links
            .get(&key)
            .is_some_and(|link| !link.partitioned && !link.held);
        if !open {
            return;
        }
        let waiting = self
            .links
            .get_mut(&key)
            .map(|link| std::mem::take(&mut link.waiting))
            .unwrap_or_default();
        for packet in waiting {
            // What a host sent before it crashed died with it.
            if self.hosts[packet.from].epoch == packet.epoch {
                self.transmit(now, packet.from, packet.to, packet.packet);
            }
        }
    }

    /// Resets every TCP connection between `a` and `b` at once, both ends.
    pub(crate) fn reset_between(&mut self, a: HostId, b: HostId, wakers: &mut Vec<Waker>) {
        self.record(&[16, a as u64, b as u64]);
        let mut ids: Vec<u64> = self.conns.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            let Some(conn) = self.conns.get_mut(&id) else {
                continue;
            };
            let hosts = (conn.sides[0].host, conn.sides[1].host);
            if hosts == (a, b) || hosts == (b, a) {
                for side in &mut conn.sides {
                    side.reset = true;
                    side.recv.clear();
                    side.wake_all(wakers);
                }
                if conn.phase == Phase::Connecting {
                    conn.phase = Phase::Refused;
                }
                wakers.extend(conn.connect_waker.take());
            }
        }
    }

    // ---- packets ----

    /// Side `side` of connection `conn`, on host `from`, resets its peer (the other side, on
    /// host `to`).
    fn reset_peer(&mut self, now: Duration, from: HostId, to: HostId, conn: u64, side: usize) {
        self.transmit(now, from, to, Packet::Rst { conn, to: 1 - side });
    }

    fn transmit(&mut self, now: Duration, from: HostId, to: HostId, packet: Packet) {
        if !self.hosts[from].alive {
            // A crashed host sends nothing, not even the FINs of its sockets' drops.
            return;
        }
        let sender_epoch = self.hosts[from].epoch;
        let mut latency = Duration::ZERO;
        if from != to {
            let default_latency = self.latency;
            let (udp_loss, tcp_loss) = (self.udp_loss, self.tcp_loss);
            let link = self.links.entry(link_key(from, to)).or_default();
            let datagram = matches!(packet, Packet::Datagram { .. });
            if link.held || (link.partitioned && !datagram) {
                // TCP keeps retransmitting across a partition; a hold keeps everything.
                link.waiting.push(InFlight {
                    from,
                    epoch: sender_epoch,
                    to,
                    packet,
                });
                return;
            }
            let (min, max) = link.latency.unwrap_or(default_latency);
            let loss = link.loss;
            if link.partitioned {
                self.digest.record(&[20, from as u64, to as u64]);
                return;
            }
            if datagram {
                if self.rng.chance(loss.unwrap_or(udp_loss)) {
                    self.digest.record(&[21, from as u64, to as u64]);
                    return;
                }
            } else if self.rng.chance(loss.unwrap_or(tcp_loss)) {
                latency = latency.saturating_add(RETRANSMIT);
            }
            latency = latency.saturating_add(self.rng.between(min, max));
        }
        let mut due = now.saturating_add(latency);
        if let Some((conn, side)) = packet.stream_of()
            && let Some(conn) = self.conns.get_mut(&conn)
        {
            let side = &mut conn.sides[side];
            due = due.max(side.last_due);
            side.last_due = due;
        }
        self.schedule(
            due,
            InFlight {
                from,
                epoch: sender_epoch,
                to,
                packet,
            },
        );
    }

    fn schedule(&mut self, due: Duration, inflight: InFlight) {
        let sequence = self.sequence;
        self.sequence += 1;
        self.events.push(Reverse(Scheduled {
            due,
            sequence,
            inflight,
        }));
    }

    pub(crate) fn next_event_at(&self) -> Option<Duration> {
        self.events.peek().map(|Reverse(next)| next.due)
    }

    /// Delivers every packet due by `now`; gives the wakers to call once unlocked.
    pub(crate) fn deliver_due(&mut self, now: Duration) -> Vec<Waker> {
        let mut wakers = Vec::new();
        while self
            .events
            .peek()
            .is_some_and(|Reverse(next)| next.due <= now)
        {
            if let Some(Reverse(next)) = self.events.pop() {
                self.arrive(now, next.inflight, &mut wakers);
            }
        }
        wakers
    }

    #[allow(clippy::too_many_lines)]
    fn arrive(&mut self, now: Duration, inflight: InFlight, wakers: &mut Vec<Waker>) {
        let InFlight {
            from,
            epoch: sender_epoch,
            to,
            packet,
        } = inflight;
        self.digest.record(&[
            3,
            packet.code(),
            from as u64,
            to as u64,
            nanos(now),
            packet.len(),
        ]);
        if !self.hosts[to].alive || self.hosts[from].epoch != sender_epoch {
            return;
        }
        let epoch = self.hosts[to].epoch;
        match packet {
            Packet::Syn { conn: id } => {
                let Some(conn) = self.conns.get(&id) else {
                    return;
                };
                let dest = conn.sides[0].peer;
                let accepted = self
                    .listeners
                    .get(&(to, dest.port()))
                    .is_some_and(|listener| {
                        listener.bound.ip().is_unspecified()
                            || listener.bound.ip() == dest.ip()
                            || (from == to && dest.ip().is_loopback())
                    });
                if accepted {
                    let client = conn.sides[0].local;
                    if let Some(conn) = self.conns.get_mut(&id) {
                        let mut side = Side::new(to, epoch, dest, client);
                        side.handles = 1; // the backlog's, until accepted
                        conn.sides[1] = side;
                    }
                    if let Some(listener) = self.listeners.get_mut(&(to, dest.port())) {
                        listener.backlog.push_back(id);
                        wakers.append(&mut listener.wakers);
                    }
                    self.transmit(now, to, from, Packet::SynAck { conn: id });
                } else {
                    self.transmit(now, to, from, Packet::Refused { conn: id });
                }
            }
            Packet::SynAck { conn: id } => {
                let Some(conn) = self.conns.get_mut(&id) else {
                    return;
                };
                if conn.phase == Phase::Connecting
                    && !conn.abandoned
                    && conn.sides[0].epoch == epoch
                {
                    conn.phase = Phase::Established;
                    // The connect's handle, from now: data right behind the SYN-ACK finds the
                    // socket open before the connect future has looked.
                    conn.sides[0].handles = 1;
                    wakers.extend(conn.connect_waker.take());
                } else {
                    self.reset_peer(now, to, from, id, 0);
                }
            }
            Packet::Refused { conn: id } | Packet::ConnectTimeout { conn: id } => {
                let timed_out = matches!(packet, Packet::ConnectTimeout { .. });
                if let Some(conn) = self.conns.get_mut(&id)
                    && conn.phase == Phase::Connecting
                {
                    conn.phase = if timed_out {
                        Phase::TimedOut
                    } else {
                        Phase::Refused
                    };
                    wakers.extend(conn.connect_waker.take());
                }
                self.forget_if_closed(id);
            }
            Packet::Data {
                conn: id,
                to: side,
                bytes,
            } => {
                let Some(conn) = self.conns.get_mut(&id) else {
                    return;
                };
                let receiver = &mut conn.sides[side];
                if receiver.epoch != epoch || receiver.handles == 0 {
                    // Its socket is gone (closed, or lost in a crash): the peer is reset.
                    self.reset_peer(now, to, from, id, side);
                    return;
                }
                if !receiver.reset {
                    receiver.recv.extend(bytes);
                    wakers.extend(receiver.read_waker.take());
                }
            }
            Packet::Fin { conn: id, to: side } => {
                let Some(conn) = self.conns.get_mut(&id) else {
                    return;
                };
                let receiver = &mut conn.sides[side];
                if receiver.epoch == epoch {
                    receiver.eof = true;
                    wakers.extend(receiver.read_waker.take());
                } else {
                    // A restarted host knows no such connection.
                    self.reset_peer(now, to, from, id, side);
                }
            }
            Packet::Rst { conn: id, to: side } => {
                if let Some(conn) = self.conns.get_mut(&id) {
                    let receiver = &mut conn.sides[side];
                    if receiver.epoch == epoch {
                        receiver.reset = true;
                        receiver.recv.clear();
                        receiver.wake_all(wakers);
                    }
                    if side == 0 && conn.phase == Phase::Connecting {
                        conn.phase = Phase::Refused;
                        wakers.extend(conn.connect_waker.take());
                    }
                }
                self.forget_if_closed(id);
            }
            Packet::Datagram {
                from: source,
                to: dest,
                bytes,
            } => {
                if let Some(socket) = self.udp.get_mut(&(to, dest.port()))
                    && (socket.bound.ip().is_unspecified()
                        || socket.bound.ip() == dest.ip()
                        || dest.ip().is_loopback())
                    && socket.queue.len() < UDP_QUEUE
                {
                    socket.queue.push_back((bytes, source));
                    wakers.append(&mut socket.wakers);
                }
            }
        }
    }

    /// Forgets a connection once its connect has finished (or was given up) and neither end
    /// has a handle left: nothing can see it any more.
    fn forget_if_closed(&mut self, id: u64) {
        if let Some(conn) = self.conns.get(&id)
            // A given-up connect's SYN is still answered (with a reset) or times out first.
            && ((conn.abandoned && conn.phase != Phase::Connecting) || conn.connect_done)
            && conn.sides[0].handles == 0
            && conn.sides[1].handles == 0
        {
            self.conns.remove(&id);
        }
    }

    fn allocate_port(&mut self, host: HostId, udp: bool) -> io::Result<u16> {
        for _ in 0..=(u16::MAX - FIRST_EPHEMERAL) {
            let port = self.hosts[host].next_port;
            self.hosts[host].next_port = port.checked_add(1).unwrap_or(FIRST_EPHEMERAL);
            let taken = if udp {
                self.udp.contains_key(&(host, port))
            } else {
                self.listeners.contains_key(&(host, port))
            };
            if !taken {
                return Ok(port);
            }
        }
        Err(io_error(
            io::ErrorKind::AddrInUse,
            "every ephemeral port of this simulated host is in use",
        ))
    }

    /// The address a socket of `host` binds for `addr`, with its port chosen when it is 0.
    fn bind_addr(&mut self, host: HostId, addr: SocketAddr, udp: bool) -> io::Result<SocketAddr> {
        let ip = addr.ip();
        if !(ip.is_unspecified() || ip.is_loopback() || ip == self.hosts[host].ip) {
            return Err(io::Error::new(
                io::ErrorKind::AddrNotAvailable,
                format!(
                    "{ip} is not an address of simulated host `{}` ({})",
                    self.hosts[host].name, self.hosts[host].ip
                ),
            ));
        }
        let port = if addr.port() == 0 {
            self.allocate_port(host, udp)?
        } else {
            addr.port()
        };
        let taken = if udp {
            self.udp.contains_key(&(host, port))
        } else {
            self.listeners.contains_key(&(host, port))
        };
        if taken {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!(
                    "port {port} of simulated host `{}` is in use",
                    self.hosts[host].name
                ),
            ));
        }
        Ok(SocketAddr::new(ip, port))
    }
}

// ---- the backend interface ----

fn outside_host() -> io::Error {
    io_error(
        io::ErrorKind::Unsupported,
        "txaio::net inside a simulation is used by a host's task; this code runs outside every \
         host (a timer callback?): spawn a task for it",
    )
}

fn no_std_sockets() -> io::Error {
    io_error(
        io::ErrorKind::Unsupported,
        "a std socket cannot join a simulation: bind or connect with txaio::net inside it",
    )
}

/// The running simulation and the caller's host.
fn context() -> io::Result<(Arc<World>, HostId)> {
    let world = world::current().ok_or_else(|| {
        io_error(
            io::ErrorKind::Unsupported,
            "no simulation runs on this thread",
        )
    })?;
    let host = world::current_host().ok_or_else(outside_host)?;
    Ok((world, host))
}

/// Runs `f` on the network's state, then wakes the wakers it collected (outside the lock).
fn with_state<R>(world: &World, f: impl FnOnce(&mut State, &mut Vec<Waker>) -> R) -> R {
    let mut wakers = Vec::new();
    let result = f(&mut lock(&world.state), &mut wakers);
    for waker in wakers {
        waker.wake();
    }
    result
}

fn now() -> Duration {
    crate::time::now()
}

/// A simulated TCP listener.
#[derive(Debug)]
pub(crate) struct TcpListener {
    world: Arc<World>,
    host: HostId,
    epoch: u64,
    local: SocketAddr,
}

/// A simulated TCP stream (or one of its halves: each is a handle on the same side).
#[derive(Debug)]
pub(crate) struct TcpStream {
    world: Arc<World>,
    conn: u64,
    side: usize,
}

/// The read half of a split stream.
pub(crate) type ReadHalf = TcpStream;
/// The write half of a split stream.
pub(crate) type WriteHalf = TcpStream;

/// A simulated UDP socket.
#[derive(Debug)]
pub(crate) struct UdpSocket {
    world: Arc<World>,
    host: HostId,
    epoch: u64,
    local: SocketAddr,
}

#[allow(clippy::unused_async)] // async like its siblings in the tokio backend
pub(crate) async fn tcp_bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let (world, host) = context()?;
    let (local, epoch) = with_state(&world, |state, _| {
        let local = state.bind_addr(host, addr, false)?;
        state.record(&[30, host as u64, u64::from(local.port())]);
        state.listeners.insert(
            (host, local.port()),
            ListenerState {
                bound: local,
                backlog: VecDeque::new(),
                wakers: Vec::new(),
            },
        );
        Ok::<_, io::Error>((local, state.host_epoch(host)))
    })?;
    Ok(TcpListener {
        world,
        host,
        epoch,
        local,
    })
}

pub(crate) async fn tcp_accept(listener: &TcpListener) -> io::Result<(TcpStream, SocketAddr)> {
    std::future::poll_fn(|cx| tcp_poll_accept(listener, cx)).await
}

pub(crate) fn tcp_poll_accept(
    listener: &TcpListener,
    cx: &mut Context<'_>,
) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
    with_state(&listener.world, |state, _| {
        if state.host_epoch(listener.host) != listener.epoch {
            return Poll::Ready(Err(io_error(
                io::ErrorKind::NotConnected,
                "this listener's simulated host crashed",
            )));
        }
        let Some(entry) = state
            .listeners
            .get_mut(&(listener.host, listener.local.port()))
        else {
            return Poll::Ready(Err(io_error(
                io::ErrorKind::NotConnected,
                "listener closed",
            )));
        };
        #[allow(clippy::single_match_else)] // the two outcomes of a poll, side by side
        match entry.backlog.pop_front() {
            Some(conn) => {
                let peer = state
                    .conns
                    .get(&conn)
                    .map_or(listener.local, |c| c.sides[1].peer);
                Poll::Ready(Ok((
                    TcpStream {
                        world: Arc::clone(&listener.world),
                        conn,
                        side: 1,
                    },
                    peer,
                )))
            }
            None => {
                register(&mut entry.wakers, cx.waker());
                Poll::Pending
            }
        }
    })
}

impl Drop for TcpListener {
    fn drop(&mut self) {
        let (world, host, port, epoch) = (&self.world, self.host, self.local.port(), self.epoch);
        with_state(world, |state, _| {
            if state.host_epoch(host) != epoch {
                return;
            }
            let Some(listener) = state.listeners.remove(&(host, port)) else {
                return;
            };
            let now = now();
            for conn in listener.backlog {
                // Never accepted: the client is reset.
                if let Some(c) = state.conns.get_mut(&conn) {
                    c.sides[1].handles = 0;
                    let client = c.sides[0].host;
                    state.reset_peer(now, host, client, conn, 1);
                }
                state.forget_if_closed(conn);
            }
        });
    }
}

/// Connects; pending until the SYN's answer (or the connect timeout) arrives.
pub(crate) async fn tcp_connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let (world, host) = context()?;
    let conn = with_state(&world, |state, _| {
        let now = now();
        let port = state.allocate_port(host, false)?;
        let local = SocketAddr::new(state.host_ip(host), port);
        let dest = state.host_at(addr.ip(), host);
        let id = state.next_conn;
        state.next_conn += 1;
        let epoch = state.host_epoch(host);
        state.conns.insert(
            id,
            Conn {
                phase: Phase::Connecting,
                abandoned: false,
                connect_done: false,
                sides: [
                    Side::new(host, epoch, local, addr),
                    Side::new(dest.unwrap_or(host), 0, addr, local),
                ],
                connect_waker: None,
            },
        );
        if let Some(dest) = dest {
            state.transmit(now, host, dest, Packet::Syn { conn: id });
        }
        // A SYN nobody answers (an unknown address, a partition, a crashed host) is retried
        // by the OS until the connect timeout.
        let timeout = now.saturating_add(state.connect_timeout);
        state.schedule(
            timeout,
            InFlight {
                from: host,
                epoch,
                to: host,
                packet: Packet::ConnectTimeout { conn: id },
            },
        );
        Ok::<_, io::Error>(id)
    })?;
    Connecting {
        world: Some(world),
        conn,
    }
    .await
}

struct Connecting {
    world: Option<Arc<World>>,
    conn: u64,
}

impl Future for Connecting {
    type Output = io::Result<TcpStream>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<TcpStream>> {
        let Some(world) = self.world.clone() else {
            return Poll::Ready(Err(io_error(
                io::ErrorKind::Other,
                "polled after completion",
            )));
        };
        let id = self.conn;
        let phase = with_state(&world, |state, _| {
            let conn = state.conns.get_mut(&id)?;
            let phase = conn.phase;
            if phase == Phase::Connecting {
                conn.connect_waker = Some(cx.waker().clone());
            } else {
                conn.connect_done = true;
                // A failed connect is forgotten unless the server's end still has a handle.
                state.forget_if_closed(id);
            }
            Some(phase)
        });
        let outcome = match phase {
            Some(Phase::Connecting) => return Poll::Pending,
            Some(Phase::Established) => Ok(TcpStream {
                world: Arc::clone(&world),
                conn: id,
                side: 0,
            }),
            Some(Phase::TimedOut) => Err(io_error(
                io::ErrorKind::TimedOut,
                "connection timed out (simulated: the SYN was not answered)",
            )),
            Some(Phase::Refused) | None => Err(io_error(
                io::ErrorKind::ConnectionRefused,
                "connection refused (simulated)",
            )),
        };
        self.world = None;
        Poll::Ready(outcome)
    }
}

impl Drop for Connecting {
    fn drop(&mut self) {
        if let Some(world) = self.world.take() {
            let id = self.conn;
            let established = with_state(&world, |state, _| {
                let conn = state.conns.get_mut(&id)?;
                conn.abandoned = true;
                Some(conn.phase == Phase::Established)
            });
            if established == Some(true) {
                // Connected before anyone looked: its handle closes as a stream's does.
                drop(TcpStream {
                    world,
                    conn: id,
                    side: 0,
                });
            } else {
                with_state(&world, |state, _| state.forget_if_closed(id));
            }
        }
    }
}

pub(crate) fn tcp_listener_from_std(_listener: std::net::TcpListener) -> io::Result<TcpListener> {
    Err(no_std_sockets())
}

pub(crate) fn tcp_stream_from_std(_stream: std::net::TcpStream) -> io::Result<TcpStream> {
    Err(no_std_sockets())
}

pub(crate) fn tcp_split(stream: TcpStream) -> (ReadHalf, WriteHalf) {
    let (conn, side) = (stream.conn, stream.side);
    with_state(&stream.world, |state, _| {
        if let Some(c) = state.conns.get_mut(&conn) {
            c.sides[side].handles += 1;
        }
    });
    let read = TcpStream {
        world: Arc::clone(&stream.world),
        conn,
        side,
    };
    (read, stream)
}

/// Shuts the write direction down: the peer reads the end of the stream after the data.
/// Why a stream's handle cannot be used any more: its connection is forgotten, or its host
/// crashed since it was made.
fn gone(state: &State, conn: u64, side: usize) -> Option<io::Error> {
    let Some(c) = state.conns.get(&conn) else {
        return Some(io_error(io::ErrorKind::NotConnected, "connection closed"));
    };
    let me = &c.sides[side];
    (me.epoch != state.hosts[me.host].epoch).then(|| {
        io_error(
            io::ErrorKind::NotConnected,
            "this socket's simulated host crashed",
        )
    })
}

fn shutdown_write(stream: &TcpStream) -> io::Result<()> {
    with_state(&stream.world, |state, _| {
        state.shut_write(stream.conn, stream.side)
    })
}

impl State {
    /// Shuts `side`'s write direction down: the peer reads the end of the stream after the
    /// data (once; a forgotten connection has nothing to shut).
    fn shut_write(&mut self, conn: u64, side: usize) -> io::Result<()> {
        if self.conns.contains_key(&conn)
            && let Some(error) = gone(self, conn, side)
        {
            return Err(error);
        }
        let Some(c) = self.conns.get_mut(&conn) else {
            return Ok(());
        };
        let me = &mut c.sides[side];
        if me.reset {
            return Err(io_error(
                io::ErrorKind::ConnectionReset,
                "connection reset (simulated)",
            ));
        }
        if me.write_shut {
            return Ok(());
        }
        me.write_shut = true;
        let (from, to) = (me.host, c.sides[1 - side].host);
        self.transmit(now(), from, to, Packet::Fin { conn, to: 1 - side });
        Ok(())
    }
}

pub(crate) fn write_half_dropped(half: &mut WriteHalf) {
    let _ = shutdown_write(half);
}

impl Drop for TcpStream {
    fn drop(&mut self) {
        let (conn, side) = (self.conn, self.side);
        with_state(&self.world, |state, _| {
            let Some(c) = state.conns.get_mut(&conn) else {
                return;
            };
            let me = &mut c.sides[side];
            me.handles = me.handles.saturating_sub(1);
            if me.handles > 0 {
                return;
            }
            let unread = !me.recv.is_empty();
            if unread && gone(state, conn, side).is_none() {
                // Closed with data unread: a reset, as TCP does, which also frees a writer
                // waiting on the window.
                if let Some(c) = state.conns.get_mut(&conn) {
                    let me = &mut c.sides[side];
                    me.recv.clear();
                    me.write_shut = true;
                    let (from, to) = (me.host, c.sides[1 - side].host);
                    state.reset_peer(now(), from, to, conn, side);
                }
            } else {
                let _ = state.shut_write(conn, side);
            }
            state.forget_if_closed(conn);
        });
    }
}

#[allow(clippy::unnecessary_wraps)] // the backend interface's signature
pub(crate) fn listener_local_addr(listener: &TcpListener) -> io::Result<SocketAddr> {
    Ok(listener.local)
}

pub(crate) fn stream_addr(stream: &TcpStream, peer: bool) -> io::Result<SocketAddr> {
    with_state(&stream.world, |state, _| {
        let c = state
            .conns
            .get(&stream.conn)
            .ok_or_else(|| io_error(io::ErrorKind::NotConnected, "connection closed"))?;
        let me = &c.sides[stream.side];
        Ok(if peer { me.peer } else { me.local })
    })
}

pub(crate) fn read_half_addr(half: &ReadHalf, peer: bool) -> io::Result<SocketAddr> {
    stream_addr(half, peer)
}

pub(crate) fn write_half_addr(half: &WriteHalf, peer: bool) -> io::Result<SocketAddr> {
    stream_addr(half, peer)
}

#[allow(clippy::unnecessary_wraps)] // the backend interface's signature
pub(crate) fn set_nodelay(stream: &TcpStream, on: bool) -> io::Result<()> {
    with_state(&stream.world, |state, _| {
        if let Some(c) = state.conns.get_mut(&stream.conn) {
            c.sides[stream.side].nodelay = on;
        }
    });
    Ok(())
}

#[allow(clippy::unnecessary_wraps)] // the backend interface's signature
pub(crate) fn nodelay(stream: &TcpStream) -> io::Result<bool> {
    Ok(with_state(&stream.world, |state, _| {
        state
            .conns
            .get(&stream.conn)
            .is_some_and(|c| c.sides[stream.side].nodelay)
    }))
}

pub(crate) fn poll_read(
    stream: &TcpStream,
    cx: &mut Context<'_>,
    buf: &mut [u8],
) -> Poll<io::Result<usize>> {
    let (conn, side) = (stream.conn, stream.side);
    with_state(&stream.world, |state, wakers| {
        if let Some(error) = gone(state, conn, side) {
            return Poll::Ready(Err(error));
        }
        let Some(c) = state.conns.get_mut(&conn) else {
            return Poll::Ready(Ok(0));
        };
        let me = &mut c.sides[side];
        if !me.recv.is_empty() && !buf.is_empty() {
            let n = buf.len().min(me.recv.len());
            let (front, back) = me.recv.as_slices();
            let from_front = n.min(front.len());
            buf[..from_front].copy_from_slice(&front[..from_front]);
            buf[from_front..n].copy_from_slice(&back[..n - from_front]);
            me.recv.drain(..n);
            let writer = &mut c.sides[1 - side];
            writer.unread_by_peer = writer.unread_by_peer.saturating_sub(n);
            wakers.extend(writer.write_waker.take());
            return Poll::Ready(Ok(n));
        }
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if me.reset {
            return Poll::Ready(Err(io_error(
                io::ErrorKind::ConnectionReset,
                "connection reset by peer (simulated)",
            )));
        }
        if me.eof {
            return Poll::Ready(Ok(0));
        }
        me.read_waker = Some(cx.waker().clone());
        Poll::Pending
    })
}

pub(crate) fn poll_write(
    stream: &TcpStream,
    cx: &mut Context<'_>,
    buf: &[u8],
) -> Poll<io::Result<usize>> {
    poll_write_vectored(stream, cx, &[io::IoSlice::new(buf)])
}

pub(crate) fn poll_write_vectored(
    stream: &TcpStream,
    cx: &mut Context<'_>,
    bufs: &[io::IoSlice<'_>],
) -> Poll<io::Result<usize>> {
    let (conn, side) = (stream.conn, stream.side);
    let total: usize = bufs.iter().map(|buf| buf.len()).sum();
    with_state(&stream.world, |state, _| {
        if let Some(error) = gone(state, conn, side) {
            return Poll::Ready(Err(error));
        }
        let window = state.window;
        let Some(c) = state.conns.get_mut(&conn) else {
            return Poll::Ready(Err(io_error(
                io::ErrorKind::NotConnected,
                "connection closed",
            )));
        };
        let me = &mut c.sides[side];
        if me.reset {
            return Poll::Ready(Err(io_error(
                io::ErrorKind::ConnectionReset,
                "connection reset by peer (simulated)",
            )));
        }
        if me.write_shut {
            return Poll::Ready(Err(io_error(
                io::ErrorKind::BrokenPipe,
                "the write direction was shut down",
            )));
        }
        if total == 0 {
            return Poll::Ready(Ok(0));
        }
        let room = window.saturating_sub(me.unread_by_peer);
        if room == 0 {
            me.write_waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = room.min(total);
        let mut bytes = Vec::with_capacity(n);
        for buf in bufs {
            let take = (n - bytes.len()).min(buf.len());
            bytes.extend_from_slice(&buf[..take]);
            if bytes.len() == n {
                break;
            }
        }
        me.unread_by_peer += n;
        let (from, to) = (me.host, c.sides[1 - side].host);
        state.transmit(
            now(),
            from,
            to,
            Packet::Data {
                conn,
                to: 1 - side,
                bytes,
            },
        );
        Poll::Ready(Ok(n))
    })
}

#[allow(clippy::unnecessary_wraps)] // the backend interface's signature
pub(crate) fn poll_flush(_stream: &TcpStream, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
    Poll::Ready(Ok(()))
}

pub(crate) fn poll_close(stream: &TcpStream, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
    Poll::Ready(shutdown_write(stream))
}

#[allow(clippy::unused_async)] // async like its siblings in the tokio backend
pub(crate) async fn udp_bind(addr: SocketAddr) -> io::Result<UdpSocket> {
    let (world, host) = context()?;
    let (local, epoch) = with_state(&world, |state, _| {
        let local = state.bind_addr(host, addr, true)?;
        state.udp.insert(
            (host, local.port()),
            UdpState {
                bound: local,
                queue: VecDeque::new(),
                wakers: Vec::new(),
            },
        );
        Ok::<_, io::Error>((local, state.host_epoch(host)))
    })?;
    Ok(UdpSocket {
        world,
        host,
        epoch,
        local,
    })
}

pub(crate) fn udp_from_std(_socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
    Err(no_std_sockets())
}

pub(crate) async fn udp_send_to(
    socket: &UdpSocket,
    buf: &[u8],
    to: SocketAddr,
) -> io::Result<usize> {
    std::future::poll_fn(|cx| udp_poll_send_to(socket, cx, buf, to)).await
}

pub(crate) async fn udp_recv_from(
    socket: &UdpSocket,
    buf: &mut [u8],
) -> io::Result<(usize, SocketAddr)> {
    std::future::poll_fn(|cx| udp_poll_recv_from(socket, cx, buf)).await
}

pub(crate) fn udp_poll_send_to(
    socket: &UdpSocket,
    _cx: &mut Context<'_>,
    buf: &[u8],
    to: SocketAddr,
) -> Poll<io::Result<usize>> {
    if buf.len() > MAX_DATAGRAM {
        return Poll::Ready(Err(io_error(
            io::ErrorKind::InvalidInput,
            "message too long for one UDP datagram",
        )));
    }
    with_state(&socket.world, |state, _| {
        if state.host_epoch(socket.host) != socket.epoch {
            return Poll::Ready(Err(io_error(
                io::ErrorKind::NotConnected,
                "this socket's simulated host crashed",
            )));
        }
        let from = SocketAddr::new(
            if socket.local.ip().is_unspecified() {
                state.host_ip(socket.host)
            } else {
                socket.local.ip()
            },
            socket.local.port(),
        );
        if let Some(dest) = state.host_at(to.ip(), socket.host) {
            let packet = Packet::Datagram {
                from,
                to,
                bytes: buf.to_vec(),
            };
            state.transmit(now(), socket.host, dest, packet);
        }
        Poll::Ready(Ok(buf.len()))
    })
}

pub(crate) fn udp_poll_recv_from(
    socket: &UdpSocket,
    cx: &mut Context<'_>,
    buf: &mut [u8],
) -> Poll<io::Result<(usize, SocketAddr)>> {
    with_state(&socket.world, |state, _| {
        if state.host_epoch(socket.host) != socket.epoch {
            return Poll::Ready(Err(io_error(
                io::ErrorKind::NotConnected,
                "this socket's simulated host crashed",
            )));
        }
        let Some(entry) = state.udp.get_mut(&(socket.host, socket.local.port())) else {
            return Poll::Ready(Err(io_error(io::ErrorKind::NotConnected, "socket closed")));
        };
        #[allow(clippy::single_match_else)] // the two outcomes of a poll, side by side
        match entry.queue.pop_front() {
            Some((bytes, from)) => {
                // A datagram longer than the buffer is cut, as recv_from does.
                let n = bytes.len().min(buf.len());
                buf[..n].copy_from_slice(&bytes[..n]);
                Poll::Ready(Ok((n, from)))
            }
            None => {
                register(&mut entry.wakers, cx.waker());
                Poll::Pending
            }
        }
    })
}

#[allow(clippy::unnecessary_wraps)] // the backend interface's signature
pub(crate) fn udp_local_addr(socket: &UdpSocket) -> io::Result<SocketAddr> {
    Ok(socket.local)
}

impl Drop for UdpSocket {
    fn drop(&mut self) {
        let (host, port, epoch) = (self.host, self.local.port(), self.epoch);
        with_state(&self.world, |state, _| {
            if state.host_epoch(host) == epoch {
                state.udp.remove(&(host, port));
            }
        });
    }
}

/// Names resolved inside the simulation.
pub(crate) fn lookup(name: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    let world = world::current().ok_or_else(|| {
        io_error(
            io::ErrorKind::Unsupported,
            "no simulation runs on this thread",
        )
    })?;
    lock(&world.state).lookup(name, port)
}
