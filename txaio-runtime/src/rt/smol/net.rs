//! Sockets (`txaio::net`): async-io's, on the reactor smol drives (`rt/async_io_net.rs`).

async_io_net!();
