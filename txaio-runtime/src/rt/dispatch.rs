//! The one place the rest of the crate reaches a backend from: `dispatch!` (by `Runtime`),
//! `on_current!` (the backend running the caller), `on_backend!` (the backend a native socket
//! belongs to), and `native!`, which declares the native socket enums of `txaio::net`
//! (`rt/net.rs`, `rt/net_unix.rs`): one variant per compiled backend.

/// Calls `$call` in the backend module for `$runtime`. Only compiled backends can be current,
/// so the arms of the others are unreachable.
macro_rules! dispatch {
    ($runtime:expr, $module:ident => $call:expr) => {
        match $runtime {
            #[cfg(feature = "tokio")]
            $crate::Runtime::Tokio => {
                use $crate::rt::tokio as $module;
                $call
            }
            #[cfg(feature = "smol")]
            $crate::Runtime::Smol => {
                use $crate::rt::smol as $module;
                $call
            }
            #[cfg(feature = "async-std")]
            $crate::Runtime::AsyncStd => {
                use $crate::rt::async_std as $module;
                $call
            }
            #[allow(unreachable_patterns)]
            other => $crate::rt::not_compiled(other),
        }
    };
}

/// Declares an enum over one backend type of each compiled backend, with `From` for each and
/// `runtime()` naming the variant's backend.
macro_rules! native {
    ($(#[$meta:meta])* $name:ident => $item:ident) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub(crate) enum $name {
            #[cfg(feature = "tokio")]
            Tokio($crate::rt::tokio::$item),
            #[cfg(feature = "smol")]
            Smol($crate::rt::smol::$item),
            #[cfg(feature = "async-std")]
            AsyncStd($crate::rt::async_std::$item),
            /// A socket of the simulation running on this thread.
            #[cfg(feature = "sim")]
            Sim($crate::rt::sim::$item),
        }

        #[cfg(feature = "sim")]
        impl From<$crate::rt::sim::$item> for $name {
            fn from(native: $crate::rt::sim::$item) -> Self {
                $name::Sim(native)
            }
        }

        #[cfg(feature = "tokio")]
        impl From<$crate::rt::tokio::$item> for $name {
            fn from(native: $crate::rt::tokio::$item) -> Self {
                $name::Tokio(native)
            }
        }

        #[cfg(feature = "smol")]
        impl From<$crate::rt::smol::$item> for $name {
            fn from(native: $crate::rt::smol::$item) -> Self {
                $name::Smol(native)
            }
        }

        #[cfg(feature = "async-std")]
        impl From<$crate::rt::async_std::$item> for $name {
            fn from(native: $crate::rt::async_std::$item) -> Self {
                $name::AsyncStd(native)
            }
        }

        impl $name {
            /// The backend this socket belongs to.
            pub(crate) fn runtime(&self) -> $crate::Runtime {
                match self {
                    #[cfg(feature = "tokio")]
                    $name::Tokio(_) => $crate::Runtime::Tokio,
                    #[cfg(feature = "smol")]
                    $name::Smol(_) => $crate::Runtime::Smol,
                    #[cfg(feature = "async-std")]
                    $name::AsyncStd(_) => $crate::Runtime::AsyncStd,
                    // A simulation is not a `Runtime`: its sockets report the backend its
                    // code sees as current.
                    #[cfg(feature = "sim")]
                    $name::Sim(_) => $crate::rt::current(),
                    #[allow(unreachable_patterns)]
                    #[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
                    _ => $crate::rt::no_backend(),
                }
            }
        }
    };
}

/// Matches a native socket, naming its backend module `$backend` and the socket `$socket`
/// inside `$body`.
macro_rules! on_backend {
    ($value:expr, $name:ident, $backend:ident, $socket:ident => $body:expr) => {
        match $value {
            #[cfg(feature = "tokio")]
            $name::Tokio($socket) => {
                use $crate::rt::tokio as $backend;
                $body
            }
            #[cfg(feature = "smol")]
            $name::Smol($socket) => {
                use $crate::rt::smol as $backend;
                $body
            }
            #[cfg(feature = "async-std")]
            $name::AsyncStd($socket) => {
                use $crate::rt::async_std as $backend;
                $body
            }
            #[cfg(feature = "sim")]
            $name::Sim($socket) => {
                use $crate::rt::sim as $backend;
                $body
            }
            #[allow(unreachable_patterns)]
            #[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
            _ => $crate::rt::no_backend(),
        }
    };
}

/// Calls `$call` in the module of the backend running the caller: the simulation's, when one
/// runs on this thread.
#[cfg(feature = "sim")]
macro_rules! on_current {
    ($backend:ident => $call:expr) => {
        if $crate::sim::active() {
            use $crate::rt::sim as $backend;
            $call
        } else {
            dispatch!($crate::rt::current(), $backend => $call)
        }
    };
}

/// Calls `$call` in the module of the backend running the caller.
#[cfg(not(feature = "sim"))]
macro_rules! on_current {
    ($backend:ident => $call:expr) => {
        dispatch!($crate::rt::current(), $backend => $call)
    };
}

/// `AsFd` for a native socket enum whose every backend type has it (not the split halves:
/// tokio's have none).
macro_rules! native_as_fd {
    ($name:ident) => {
        #[cfg(unix)]
        impl std::os::fd::AsFd for $name {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                match self {
                    #[cfg(feature = "tokio")]
                    $name::Tokio(socket) => socket.as_fd(),
                    #[cfg(feature = "smol")]
                    $name::Smol(socket) => socket.as_fd(),
                    #[cfg(feature = "async-std")]
                    $name::AsyncStd(socket) => socket.as_fd(),
                    #[cfg(feature = "sim")]
                    $name::Sim(_) => panic!(
                        "txaio: a simulated socket has no file descriptor (txaio::sim); \
                         check txaio::sim::is_simulated() before asking for one"
                    ),
                    #[allow(unreachable_patterns)]
                    #[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
                    _ => $crate::rt::no_backend(),
                }
            }
        }
    };
}
