//! The checker on snippets: each refusal, and the legitimate code it must let through.

use quote::quote;
use syn::ItemFn;

use super::{Scope, check_function};
use crate::ctxt::Ctxt;

fn errors(function: proc_macro2::TokenStream) -> Vec<String> {
    let function: ItemFn = syn::parse2(function).expect("a fn");
    let cx = Ctxt::new();
    check_function(
        &cx,
        &["txaio".to_owned()],
        &Scope::default(),
        &function.sig,
        &function.block,
    );
    let out = cx.finish(quote!()).to_string();
    out.split("compile_error !")
        .skip(1)
        .map(str::to_owned)
        .collect()
}

#[track_caller]
fn refused(function: proc_macro2::TokenStream, expected: &str) {
    let found = errors(function);
    assert!(
        found.len() == 1 && found[0].contains(expected),
        "expected one error containing {expected:?}, got {found:#?}"
    );
}

#[track_caller]
fn accepted(function: proc_macro2::TokenStream) {
    let found = errors(function);
    assert!(found.is_empty(), "expected no error, got {found:#?}");
}

#[test]
fn imports_anywhere_in_the_function() {
    refused(
        quote!(
            async fn f() {
                extern crate tokio as rt;
                rt::spawn(async {});
            }
        ),
        "tokio",
    );
    refused(
        quote!(
            async fn f() {
                sleep(d).await;
                use tokio::time::sleep;
            }
        ),
        "txaio::sleep",
    );
    refused(
        quote!(
            async fn f() {
                use std::thread::*;
                sleep(d);
            }
        ),
        "txaio::sleep",
    );
    refused(
        quote!(
            async fn f() {
                r#tokio::spawn(async {});
            }
        ),
        "txaio::spawn",
    );
    refused(
        quote!(
            async fn f() {
                <std::fs::File>::open("x");
            }
        ),
        "blocks the event loop",
    );
    refused(
        quote!(
            async fn f() {
                fn helper() {
                    std::thread::sleep(d)
                }
            }
        ),
        "txaio::sleep",
    );
    accepted(quote!(
        async fn f() {
            {
                use std::thread::sleep as nap;
            }
            nap(d);
        }
    ));
    refused(
        quote!(
            async fn f() {
                {
                    use std::thread::sleep as nap;
                    nap(d);
                }
            }
        ),
        "txaio::sleep",
    );
}

#[test]
fn blocking_calls() {
    refused(
        quote!(
            async fn f() {
                std::process::Command::new("ls").arg("-l").output();
            }
        ),
        "child process",
    );
    refused(
        quote!(
            async fn f() {
                let mut c = std::process::Command::new("ls");
                c.status();
            }
        ),
        "child process",
    );
    refused(
        quote!(
            async fn f() {
                let child = std::process::Command::new("ls").spawn().unwrap();
                child.wait();
            }
        ),
        "child process",
    );
    refused(
        quote!(
            async fn f() {
                std::io::stdin().read_line(&mut s);
            }
        ),
        "waiting for input",
    );
    refused(
        quote!(
            async fn f() {
                let (tx, rx) = std::sync::mpsc::channel();
                rx.recv();
            }
        ),
        "blocking channel",
    );
    refused(
        quote!(
            async fn f(rx: std::sync::mpsc::Receiver<u8>) {
                for x in rx {}
            }
        ),
        "blocking channel",
    );
    refused(
        quote!(
            async fn f() {
                std::thread::spawn(|| 1).join();
            }
        ),
        "thread ends",
    );
}

#[test]
fn blocking_threads_sockets_executors_and_macro_arguments() {
    refused(
        quote!(
            async fn f() {
                std::thread::park();
            }
        ),
        "parking",
    );
    refused(
        quote!(
            async fn f() {
                std::thread::sleep_ms(1);
            }
        ),
        "txaio::sleep",
    );
    refused(
        quote!(
            async fn f() {
                use std::net::ToSocketAddrs;
                "a:1".to_socket_addrs();
            }
        ),
        "DNS",
    );
    refused(
        quote!(
            async fn f() {
                std::os::unix::net::UnixStream::connect("p");
            }
        ),
        "blocking socket",
    );
    refused(
        quote!(
            async fn f() {
                futures::executor::block_on_stream(s);
            }
        ),
        "each item",
    );
    refused(
        quote!(
            async fn f() {
                futures::executor::LocalPool::new().run_until(f);
            }
        ),
        "another executor",
    );
    refused(
        quote!(
            async fn f() {
                assert_eq!(std::fs::read("x").unwrap(), b"");
            }
        ),
        "blocks",
    );
    refused(
        quote!(
            async fn f() {
                println!("{}", std::fs::read_to_string("x").unwrap());
            }
        ),
        "blocks",
    );
    refused(
        quote!(
            async fn f() {
                let v = vec![std::fs::read("x"); 2];
            }
        ),
        "blocks",
    );
}

#[test]
fn runtime_specific_paths() {
    refused(
        quote!(
            async fn f(h: tokio::runtime::Handle) {}
        ),
        "txaio::spawn",
    );
    refused(
        quote!(
            async fn f() -> tokio::task::JoinHandle<()> {
                todo!()
            }
        ),
        "txaio::spawn",
    );
    refused(
        quote!(
            async fn f() {
                let h: tokio::runtime::Handle = todo!();
            }
        ),
        "tokio",
    );
    refused(
        quote!(
            async fn f() {
                tokio::time::timeout(d, x).await;
            }
        ),
        "txaio::with_timeout",
    );
    refused(
        quote!(
            async fn f() {
                tokio::select! { _ = a => {} }
            }
        ),
        "txaio::race",
    );
    refused(
        quote!(
            async fn f() {
                tokio::time::interval(d);
            }
        ),
        "txaio::interval",
    );
    refused(
        quote!(
            async fn f() {
                tokio_util::sync::CancellationToken::new();
            }
        ),
        "tokio-util",
    );
    refused(
        quote!(
            async fn f() {
                tokio_stream::iter(v);
            }
        ),
        "tokio-stream",
    );
    refused(
        quote!(
            async fn f() {
                async_io::Timer::after(d).await;
            }
        ),
        "txaio::sleep",
    );
    refused(
        quote!(
            async fn f() {
                async_net::TcpStream::connect(a).await;
            }
        ),
        "txaio::net::TcpStream",
    );
    refused(
        quote!(
            async fn f() {
                std::net::TcpStream::connect(a);
            }
        ),
        "txaio::net::TcpStream",
    );
    refused(
        quote!(
            async fn f() {
                smol::net::UdpSocket::bind(a).await;
            }
        ),
        "txaio::net::UdpSocket",
    );
}

#[test]
fn offloaded_closures() {
    accepted(quote!(
        async fn f() {
            txaio::defer_to_thread(|| std::fs::read("x")).await;
        }
    ));
    accepted(quote!(
        async fn f() {
            let work = move || std::fs::read("x");
            txaio::defer_to_thread(work).await;
        }
    ));
    accepted(quote!(
        async fn f() {
            use txaio::defer_to_thread;
            defer_to_thread(|| std::fs::read("x"));
        }
    ));
    accepted(quote!(
        async fn f() {
            std::thread::spawn(|| std::thread::sleep(d));
        }
    ));
    accepted(quote!(
        async fn f() {
            defer_to_thread(|| std::fs::read("x"));
        }
    ));
    refused(
        quote!(
            async fn f() {
                pool::defer_to_thread(|| std::fs::read("x"));
            }
        ),
        "blocks",
    );
    refused(
        quote!(
            async fn f() {
                fn defer_to_thread(f: F) {}
                defer_to_thread(|| std::fs::read("x"));
            }
        ),
        "blocks",
    );
    refused(
        quote!(
            async fn f() {
                let work = || std::fs::read("x");
                run(work);
            }
        ),
        "blocks",
    );
    refused(
        quote!(
            async fn f() {
                txaio::defer_to_thread(|| tokio::runtime::Runtime::new().unwrap().block_on(x));
            }
        ),
        "tokio",
    );
}

#[test]
fn legitimate_names() {
    accepted(quote!(
        async fn f(tokio: u8) {
            let smol = tokio + 1;
        }
    ));
    accepted(quote!(
        async fn f(executor: MyExecutor) {
            executor.block_on(x);
            util::block_on(y);
        }
    ));
    accepted(quote!(
        async fn f(m: std::fs::Metadata) {
            m.len();
            std::fs::Metadata::is_dir(&m);
        }
    ));
    accepted(quote!(
        async fn f() {
            let t = std::fs::FileType::is_dir;
        }
    ));
    accepted(quote!(
        async fn f(rx: Receiver) {
            rx.recv();
        }
    ));
    accepted(quote!(
        async fn f() {
            fn tokio() {}
        }
    ));
    accepted(quote!(
        async fn f() {
            mod tokio {
                pub fn spawn() {}
            }
            tokio::spawn();
        }
    ));
}

#[test]
fn paths_through_modules_in_the_body() {
    refused(
        quote!(
            async fn f() {
                mod inner {
                    pub use std::thread;
                }
                inner::thread::sleep(d);
            }
        ),
        "std::thread::sleep",
    );
    refused(
        quote!(
            async fn f() {
                mod outer {
                    use std::fs;
                    pub mod inner {
                        pub fn g() {
                            super::fs::read("a");
                        }
                    }
                }
            }
        ),
        "std::fs::read",
    );
    accepted(quote!(
        async fn f() {
            mod inner {
                pub fn sleep() {}
            }
            inner::sleep();
            self::helper();
            super::thread::sleep(d);
            crate::fs::read("a");
        }
    ));
}

#[test]
fn macro_rules_expansions() {
    refused(
        quote!(
            async fn f() {
                macro_rules! nap {
                    ($($d:expr),*) => { $(std::thread::sleep($d);)* };
                }
                nap!(d);
            }
        ),
        "std::thread::sleep",
    );
    // Not statements: the paths alone.
    refused(
        quote!(
            async fn f() {
                macro_rules! ty {
                    () => { Option<tokio::net::TcpStream> };
                }
                let stream: ty!() = None;
            }
        ),
        "txaio::net::TcpStream",
    );
    accepted(quote!(
        async fn f() {
            macro_rules! offloaded {
                ($p:expr) => {
                    txaio::defer_to_thread(move || std::fs::read($p))
                };
            }
            macro_rules! own {
                ($crate_path:path) => {
                    $crate::sleep();
                    $crate_path
                };
            }
        }
    ));
}

#[test]
fn what_leaves_the_pool_is_checked_here() {
    refused(
        quote!(
            async fn f() {
                let read = || std::fs::read("a");
                txaio::defer_to_thread(read).await;
                read();
            }
        ),
        "std::fs::read",
    );
    accepted(quote!(
        async fn f() {
            let read = || std::fs::read("a");
            txaio::defer_to_thread(read).await;
        }
    ));
    refused(
        quote!(
            async fn f() {
                let fut = txaio::defer_to_thread(|| Ok(async { std::fs::read("a") })).await?;
            }
        ),
        "std::fs::read",
    );
    refused(
        quote!(
            async fn f(addr: A) {
                let mut s = txaio::defer_to_thread(move || std::net::TcpStream::connect(addr))
                    .await
                    .unwrap();
                s.set_nodelay(true);
                s.read(&mut buf);
            }
        ),
        "blocking `std::net::TcpStream`",
    );
}

#[test]
fn module_paths_that_loop_or_leave_end() {
    accepted(quote!(
        async fn f() {
            mod a {
                pub use self::a as b;
                pub use super::a;
                pub use super::*;
            }
            a::a::a::b::x();
            a::b::thread::sleep(d);
            self::a::x();
            super::super::super::x();
        }
    ));
    accepted(quote!(
        async fn f() {
            let read = || 1;
            txaio::defer_to_thread(read).await;
            read();
            let g = || Ok(Box::pin(async { 1 }));
            txaio::defer_to_thread(g).await;
        }
    ));
    refused(
        quote!(
            async fn f() {
                let g = || Ok(Box::pin(async { std::fs::read("a") }));
                txaio::defer_to_thread(g).await;
            }
        ),
        "std::fs::read",
    );
}

#[test]
fn what_the_red_team_found_legitimate() {
    // An expansion that is not statements, offloading its blocking call.
    accepted(quote!(
        async fn f() {
            macro_rules! reader {
                ($vis:vis $name:ident => $p:expr) => {
                    $vis async fn $name() -> R {
                        txaio::defer_to_thread(|| std::fs::read_to_string($p)).take().await
                    }
                };
            }
            reader!(pub config => "a");
        }
    ));
    // A macro only ever expanded on the pool; one never expanded at all.
    accepted(quote!(
        async fn f(p: String) {
            macro_rules! read_cfg {
                ($p:expr) => {
                    std::fs::read_to_string($p)
                };
            }
            macro_rules! unused {
                () => {
                    std::thread::sleep(d)
                };
            }
            txaio::defer_to_thread(move || read_cfg!(p)).await;
        }
    ));
    // A metavariable named like an import.
    accepted(quote!(
        async fn f() {
            use std::thread::sleep;
            macro_rules! call {
                ($sleep:path, $d:expr) => {
                    $sleep($d)
                };
            }
            call!(txaio::sleep, d).await;
        }
    ));
    // A closure offloaded, then dropped or cloned for a retry on the pool.
    accepted(quote!(
        async fn f() {
            let read = || std::fs::read("a");
            txaio::defer_to_thread(read.clone()).await;
            txaio::defer_to_thread(read).await;
            drop(read);
        }
    ));
    // A std socket made non-blocking, polled by hand.
    accepted(quote!(
        async fn f(a: A) {
            let s = txaio::defer_to_thread(move || std::net::TcpStream::connect(a))
                .take()
                .await
                .unwrap();
            s.set_nonblocking(true);
            s.read(&mut buf);
        }
    ));
    refused(
        quote!(
            async fn f() {
                macro_rules! nap {
                    ($d:expr) => {
                        std::thread::sleep($d)
                    };
                }
                txaio::defer_to_thread(move || Ok(nap!(d))).await;
                nap!(d);
            }
        ),
        "std::thread::sleep",
    );
}

#[test]
fn imports_through_modules() {
    refused(
        quote!(
            async fn f() {
                mod outer {
                    mod inner {
                        pub use std::thread;
                    }
                    use self::inner::thread;
                    fn g() {
                        thread::sleep(d);
                    }
                }
            }
        ),
        "std::thread::sleep",
    );
    refused(
        quote!(
            async fn f() {
                mod inner {
                    pub use std::fs;
                }
                use inner::fs as files;
                files::read("a");
            }
        ),
        "std::fs::read",
    );
    refused(
        quote!(
            async fn f() {
                mod outer {
                    use std::thread;
                    mod inner {
                        use super::*;
                        fn g() {
                            thread::sleep(d);
                        }
                    }
                }
            }
        ),
        "std::thread::sleep",
    );
    // A renamed import of txaio's defer_to_thread through a module offloads.
    accepted(quote!(
        async fn f() {
            mod outer {
                mod rt {
                    pub use txaio::defer_to_thread;
                }
                use self::rt::defer_to_thread as offload;
                async fn g() {
                    offload(|| std::fs::read("a")).await;
                }
            }
        }
    ));
    // Imports that name each other in a cycle end, unchecked.
    accepted(quote!(
        async fn f() {
            mod m {
                pub use self::a as b;
                pub use self::b as a;
            }
            m::a::x();
        }
    ));
}
