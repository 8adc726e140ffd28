//! The simulated TCP stream against its model, a byte string: whatever the writes, the
//! window, the latencies, the loss and the partitions and holds on the way, the reader gets
//! exactly the bytes written, in order, then the end of stream; and one seed replays the
//! same run.
#![cfg(feature = "sim")]

use std::time::Duration;

use proptest::prelude::*;
use txaio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone)]
enum Step {
    Write(Vec<u8>),
    Sleep(u64),
    Partition(u64),
    Hold(u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => proptest::collection::vec(any::<u8>(), 0..3000).prop_map(Step::Write),
        1 => (0u64..300).prop_map(Step::Sleep),
        1 => (1u64..2000).prop_map(Step::Partition),
        1 => (1u64..2000).prop_map(Step::Hold),
    ]
}

async fn sink(reader_pace: u64) -> std::io::Result<()> {
    let listener = TcpListener::bind("0.0.0.0:9").await?;
    let (mut stream, _) = listener.accept().await?;
    let mut received = Vec::new();
    let mut buf = [0; 700];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        received.extend_from_slice(&buf[..n]);
        txaio::sleep(Duration::from_millis(reader_pace))
            .await
            .map_err(std::io::Error::other)?;
    }
    // Send back what arrived, for the client to compare with its model.
    stream.write_all(&received).await?;
    stream.shutdown_write().await
}

fn run(
    seed: u64,
    window: usize,
    latency: (u64, u64),
    loss: f64,
    pace: u64,
    steps: Vec<Step>,
) -> txaio::sim::Outcome {
    let mut sim = txaio::sim::Builder::new()
        .seed(seed)
        .tcp_window(window)
        .tcp_loss(loss)
        .latency_range(
            Duration::from_millis(latency.0),
            Duration::from_millis(latency.1),
        )
        .time_limit(Duration::from_secs(3600))
        .build();
    sim.host("sink", move || sink(pace)).unwrap();
    sim.client("source", async move {
        let mut stream = TcpStream::connect("sink:9").await?;
        let mut model = Vec::new();
        for step in steps {
            match step {
                Step::Write(bytes) => {
                    stream.write_all(&bytes).await?;
                    model.extend_from_slice(&bytes);
                }
                Step::Sleep(ms) => txaio::sleep(Duration::from_millis(ms)).await?,
                Step::Partition(ms) => {
                    txaio::sim::partition("source", "sink")?;
                    let _repair = txaio::call_later(Duration::from_millis(ms), || {
                        txaio::sim::repair("source", "sink").unwrap();
                    });
                }
                Step::Hold(ms) => {
                    txaio::sim::hold("source", "sink")?;
                    let _release = txaio::call_later(Duration::from_millis(ms), || {
                        txaio::sim::release("source", "sink").unwrap();
                    });
                }
            }
        }
        stream.shutdown_write().await?;
        let mut echoed = Vec::new();
        let mut buf = [0; 4096];
        loop {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            echoed.extend_from_slice(&buf[..n]);
        }
        assert_eq!(echoed.len(), model.len());
        assert!(echoed == model, "the bytes arrived as written, in order");
        Ok::<_, txaio::Failure>(())
    })
    .unwrap();
    sim.run().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn a_stream_delivers_exactly_what_was_written(
        seed in any::<u64>(),
        window in 1usize..100_000,
        low in 0u64..50,
        spread in 0u64..200,
        loss in 0.0f64..0.5,
        pace in 0u64..20,
        steps in proptest::collection::vec(step(), 0..25),
    ) {
        let latency = (low, low + spread);
        let first = run(seed, window, latency, loss, pace, steps.clone());
        let again = run(seed, window, latency, loss, pace, steps);
        prop_assert_eq!(first, again);
    }
}
