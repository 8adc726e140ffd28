//! The line protocol of `examples/line_protocol`, unchanged, in txaio's deterministic
//! simulation: one server, three clients and a chaos schedule drawn from the seed
//! (partitions, held packets, latency, resets, a server crash and restart). It checks the
//! protocol's invariants, runs the seed a second time to check that the run replays exactly,
//! and prints the trace digest.
//!
//! ```text
//! cargo run --example sim_demo -- --seed 7
//! ```
//!
//! No runtime backend is compiled in: the simulation is the runtime.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use line_protocol::{ClientReport, Config, Server, run_client};
use txaio::sim::{Builder, Outcome};

const CLIENTS: [&str; 3] = ["alice", "bob", "carol"];
const PINGS: u64 = 50;

/// What the clients and the server reported.
#[derive(Debug, Default)]
struct Tally {
    reports: Vec<(String, ClientReport)>,
    server_pongs: u64,
    faults: Vec<String>,
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A chaos schedule drawn from the simulation's seed: six faults, each healed.
async fn chaos(tally: Arc<Mutex<Tally>>) -> Result<(), txaio::Failure> {
    for _ in 0..6 {
        let roll = txaio::sim::random_u64()?;
        let client = CLIENTS[usize::try_from(roll % 3).unwrap_or(0)];
        let wait = ms(300 + (roll >> 8) % 1500);
        txaio::sleep(wait).await?;
        let lasting = ms(200 + (roll >> 20) % 2500);
        let fault = match (roll >> 40) % 5 {
            0 => {
                txaio::sim::partition(client, "server")?;
                txaio::sleep(lasting).await?;
                txaio::sim::repair(client, "server")?;
                format!("partition {client} for {lasting:?}")
            }
            1 => {
                txaio::sim::hold(client, "server")?;
                txaio::sleep(lasting).await?;
                txaio::sim::release(client, "server")?;
                format!("hold {client} for {lasting:?}")
            }
            2 => {
                txaio::sim::set_latency(client, "server", ms(150), ms(250))?;
                txaio::sleep(lasting).await?;
                txaio::sim::set_latency(client, "server", ms(1), ms(5))?;
                format!("latency 150-250 ms for {client} for {lasting:?}")
            }
            3 => {
                txaio::sim::reset(client, "server")?;
                format!("reset {client}")
            }
            _ => {
                txaio::sim::crash("server")?;
                txaio::sleep(lasting).await?;
                txaio::sim::restart("server")?;
                format!("server crash for {lasting:?}")
            }
        };
        tally.lock().expect("tally").faults.push(fault);
    }
    Ok(())
}

fn run(seed: u64) -> Result<(Outcome, Tally), String> {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let mut sim = Builder::new().seed(seed).build();
    let config = Config {
        max_attempts: 50,
        ..Config::default()
    };
    let servers = Arc::new(Mutex::new(Vec::<Arc<Server>>::new()));
    let started = Arc::clone(&servers);
    let server_config = config.clone();
    let ip = sim
        .host("server", move || {
            let server = Server::new(server_config.clone());
            started.lock().expect("servers").push(Arc::clone(&server));
            async move {
                let listener = txaio::net::TcpListener::bind("0.0.0.0:7000").await?;
                server.serve(listener).await
            }
        })
        .map_err(|e| e.to_string())?;
    let addr = SocketAddr::new(ip, 7000);
    for name in CLIENTS {
        let tally = Arc::clone(&tally);
        let config = config.clone();
        sim.client(name, async move {
            let report = run_client(addr, name.to_owned(), config, PINGS).await?;
            tally
                .lock()
                .expect("tally")
                .reports
                .push((name.to_owned(), report));
            Ok::<_, std::io::Error>(())
        })
        .map_err(|e| e.to_string())?;
    }
    let chaos_tally = Arc::clone(&tally);
    sim.client("chaos", chaos(chaos_tally))
        .map_err(|e| e.to_string())?;
    let outcome = sim.run().map_err(|e| format!("seed {seed}: {e}"))?;
    let mut tally = std::mem::take(&mut *tally.lock().expect("tally"));
    tally.server_pongs = servers
        .lock()
        .expect("servers")
        .iter()
        .map(|server| server.stats().pongs.load(Ordering::SeqCst))
        .sum();
    Ok((outcome, tally))
}

fn seed_from_args() -> Result<u64, String> {
    let mut args = std::env::args().skip(1);
    let mut seed = 1;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => {
                let value = args.next().ok_or("--seed needs a number")?;
                seed = value
                    .parse()
                    .map_err(|_| format!("--seed {value}: not a number"))?;
            }
            other => {
                return Err(format!(
                    "unknown argument {other:?}; usage: sim_demo [--seed N]"
                ));
            }
        }
    }
    Ok(seed)
}

fn check(seed: u64) -> Result<(), String> {
    let (outcome, tally) = run(seed)?;
    println!(
        "seed {seed}: {} simulated in {} events",
        fmt(outcome.elapsed()),
        outcome.events()
    );
    for fault in &tally.faults {
        println!("  fault: {fault}");
    }
    let mut invariants = Vec::new();
    // 1. Every client finished with all its pings answered, whatever the faults.
    if tally.reports.len() != CLIENTS.len() {
        return Err(format!("only {} clients finished", tally.reports.len()));
    }
    for (name, report) in &tally.reports {
        if report.pongs != PINGS {
            return Err(format!("{name} got {} of {PINGS} pongs", report.pongs));
        }
        println!(
            "  {name}: {PINGS} pongs over {} connections",
            report.connections
        );
    }
    invariants.push(format!("every client got its {PINGS} pongs"));
    // 2. The server never answered fewer pings than the clients counted (none invented).
    let answered = PINGS * CLIENTS.len() as u64;
    if tally.server_pongs < answered {
        return Err(format!(
            "the servers sent {} pongs but the clients counted {answered}",
            tally.server_pongs
        ));
    }
    invariants.push(format!(
        "the server sent {} pongs, at least the {answered} counted",
        tally.server_pongs
    ));
    // 3. The same seed replays the same run.
    let (again, _) = run(seed)?;
    if again.digest() != outcome.digest() {
        return Err(format!(
            "seed {seed} did not replay: digest {:016x} then {:016x}",
            outcome.digest(),
            again.digest()
        ));
    }
    invariants.push("a second run of the seed has the same digest".to_owned());
    for invariant in invariants {
        println!("  invariant held: {invariant}");
    }
    println!("digest {:016x}", outcome.digest());
    Ok(())
}

fn fmt(duration: Duration) -> String {
    format!("{:.3} s", duration.as_secs_f64())
}

fn main() -> ExitCode {
    match seed_from_args().and_then(check) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sim_demo: {message}");
            eprintln!("replay: cargo run --example sim_demo -- --seed <the seed>");
            ExitCode::FAILURE
        }
    }
}
