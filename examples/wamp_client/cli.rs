//! The command line, exactly as the interop test drives it.

use serde_json::Value;

/// Usage text.
pub const USAGE: &str = "\
usage: wamp_client [--router ws://127.0.0.1:8080/ws] [--realm realm1] [COMMAND]
  demo                     (default) two sessions through the router: register+call and
                           publish+subscribe round trips, then a one-screen summary
  serve-add2               register com.example.add2 (returns a + b); on every event of
                           com.example.ping publish the same positional args to
                           com.example.pong; run until killed
  call PROCEDURE [ARG...]  call it with the args (integers or JSON), print the result as
                           JSON on one line and exit 0; on a WAMP error print
                           `ERROR <error uri>` and exit 1
  bench [N] [PROCEDURE]    N (10000) sequential calls of PROCEDURE (com.example.add2, which
                           `serve-add2` provides), then calls per second
";

/// What to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// The two-session demo.
    Demo,
    /// The long-running add2/ping-pong callee.
    ServeAdd2,
    /// One call.
    Call {
        /// The procedure URI.
        procedure: String,
        /// Its positional arguments.
        args: Vec<Value>,
    },
    /// Sequential calls, timed.
    Bench {
        /// How many calls.
        count: u64,
        /// Of which procedure.
        procedure: String,
    },
    /// `--help`.
    Help,
}

/// The parsed command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Cli {
    /// `--router`.
    pub router: String,
    /// `--realm`.
    pub realm: String,
    /// The command.
    pub command: Command,
}

/// A positional argument: JSON when it parses (`5`, `"x"`, `[1,2]`, `{"a":1}`), else the text
/// itself as a string, so `call com.example.echo hello` passes `"hello"`.
pub fn parse_arg(arg: &str) -> Value {
    serde_json::from_str(arg).unwrap_or_else(|_| Value::String(arg.to_owned()))
}

/// Parses the arguments after the program name.
///
/// # Errors
///
/// A message for the user: an unknown option or command, a missing value.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Cli, String> {
    let mut cli = Cli {
        router: "ws://127.0.0.1:8080/ws".into(),
        realm: "realm1".into(),
        command: Command::Demo,
    };
    let mut args = args.into_iter().peekable();
    while let Some(arg) = args.next_if(|a| a.starts_with("--")) {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        if name == "--help" {
            cli.command = Command::Help;
            return Ok(cli);
        }
        if name != "--router" && name != "--realm" {
            return Err(format!("unknown option {name}"));
        }
        let value = match inline {
            Some(value) => value,
            None => args.next().ok_or_else(|| format!("{name} needs a value"))?,
        };
        match name.as_str() {
            "--router" => cli.router = value,
            _ => cli.realm = value,
        }
    }
    cli.command = match args.next().as_deref() {
        None | Some("demo") => Command::Demo,
        Some("serve-add2") => Command::ServeAdd2,
        Some("call") => {
            let procedure = args.next().ok_or("call needs a PROCEDURE")?;
            Command::Call {
                procedure,
                args: args.by_ref().map(|a| parse_arg(&a)).collect(),
            }
        }
        Some("bench") => {
            let count = match args.next() {
                Some(n) => n
                    .parse()
                    .map_err(|_| format!("bench: {n} is not a count"))?,
                None => 10_000,
            };
            let procedure = args.next().unwrap_or_else(|| "com.example.add2".into());
            Command::Bench { count, procedure }
        }
        Some("-h" | "help") => Command::Help,
        Some(other) => return Err(format!("unknown command {other}")),
    };
    if let Some(extra) = args.next() {
        return Err(format!("unexpected argument {extra}"));
    }
    Ok(cli)
}
