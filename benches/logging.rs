//! `cargo bench --bench logging`: a disabled txaio log call, and an enabled one beside
//! `tracing::info!`, both into txaio's writer aimed at `io::sink()`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use txaio::LogLevel;

fn logging(c: &mut Criterion) {
    txaio::start_logging_with_writer(LogLevel::Info, std::io::sink()).expect("first subscriber");
    let log = txaio::make_logger!();
    let mut group = c.benchmark_group("logging");
    group.bench_function("disabled/txaio-debug", |b| {
        b.iter(|| log.debug(format_args!("frame {}", black_box(7))));
    });
    group.bench_function("disabled/tracing-debug", |b| {
        b.iter(|| tracing::debug!("frame {}", black_box(7)));
    });
    group.bench_function("enabled/txaio-info", |b| {
        b.iter(|| log.info(format_args!("frame {}", black_box(7))));
    });
    group.bench_function("enabled/tracing-info", |b| {
        b.iter(|| tracing::info!("frame {}", black_box(7)));
    });
    group.finish();
}

criterion_group!(benches, logging);
criterion_main!(benches);
