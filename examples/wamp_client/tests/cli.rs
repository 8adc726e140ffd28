//! The command line, exactly as the outside test drives it.

use serde_json::json;

use crate::cli::{Cli, Command, parse};

fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_owned).collect()
}

#[txaio::test]
async fn defaults_are_the_local_router_realm1_and_demo() {
    let cli = parse(words("")).unwrap();
    assert_eq!(
        cli,
        Cli {
            router: "ws://127.0.0.1:8080/ws".into(),
            realm: "realm1".into(),
            command: Command::Demo
        }
    );
    assert_eq!(parse(words("demo")).unwrap().command, Command::Demo);
    assert_eq!(
        parse(words("serve-add2")).unwrap().command,
        Command::ServeAdd2
    );
}

#[txaio::test]
async fn options_come_before_the_command_in_either_spelling() {
    let cli = parse(words(
        "--router ws://127.0.0.1:9/ws --realm=other serve-add2",
    ))
    .unwrap();
    assert_eq!(
        (cli.router.as_str(), cli.realm.as_str()),
        ("ws://127.0.0.1:9/ws", "other")
    );
    assert_eq!(cli.command, Command::ServeAdd2);
}

#[txaio::test]
async fn call_arguments_are_integers_json_or_else_strings() {
    let cli = parse(words(
        r#"call com.example.add2 2 -3 2.5 [1,2] {"a":true} "q" hello"#,
    ))
    .unwrap();
    let Command::Call { procedure, args } = cli.command else {
        panic!("not a call")
    };
    assert_eq!(procedure, "com.example.add2");
    assert_eq!(
        args,
        vec![
            json!(2),
            json!(-3),
            json!(2.5),
            json!([1, 2]),
            json!({"a": true}),
            json!("q"),
            json!("hello")
        ]
    );
    assert_eq!(
        parse(words("call x.y")).unwrap().command,
        Command::Call {
            procedure: "x.y".into(),
            args: vec![]
        }
    );
}

#[txaio::test]
async fn mistakes_are_messages_not_panics() {
    assert_eq!(
        parse(words("--bogus 1")).unwrap_err(),
        "unknown option --bogus"
    );
    assert_eq!(
        parse(words("--router")).unwrap_err(),
        "--router needs a value"
    );
    assert_eq!(parse(words("call")).unwrap_err(), "call needs a PROCEDURE");
    assert_eq!(
        parse(words("frobnicate")).unwrap_err(),
        "unknown command frobnicate"
    );
    assert_eq!(
        parse(words("demo extra")).unwrap_err(),
        "unexpected argument extra"
    );
    assert_eq!(
        parse(words("bench x")).unwrap_err(),
        "bench: x is not a count"
    );
    assert_eq!(parse(words("--help")).unwrap().command, Command::Help);
}
