//! Sockets (`txaio::net`): async-io's, on the reactor async-std drives underneath, as smol's
//! (`rt/async_io_net.rs`); async-std's own sockets have no poll API for UDP.

async_io_net!();
