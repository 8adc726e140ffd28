//! A `macro_rules!` defined in portable code has its expansions checked (metavariables read as
//! names, repetitions as their contents); `include!` brings in code the macro cannot read, and
//! is refused.

#[txaio::portable]
mod protocol {
    macro_rules! pause {
        ($millis:expr) => {
            std::thread::sleep(std::time::Duration::from_millis($millis))
        };
    }

    macro_rules! read_all {
        ($($path:expr),* $(,)?) => {
            vec![$(std::fs::read($path).unwrap_or_default()),*]
        };
    }

    pub async fn nap() {
        pause!(1);
        let _ = read_all!("a", "b");
    }

    pub async fn spawned() {
        macro_rules! go {
            ($body:expr) => {
                tokio::spawn($body)
            };
        }
        let _ = go!(async {});
    }

    include!("generated.rs");
}

fn main() {}
