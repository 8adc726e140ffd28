//! Encode/decode of every message type, against the examples of the WAMP spec
//! (draft-oberstet-hybi-tavendo-wamp, "Basic Profile" sections), and every kind of malformed
//! message.

use serde_json::{Value, json};

use super::dict;
use crate::error::DecodeError;
use crate::message::{Message, Payload, code};

/// The spec's own examples, one or more per message type of the Basic Profile.
const SPEC_EXAMPLES: &[&str] = &[
    r#"[1, "somerealm", {"roles": {"publisher": {}, "subscriber": {}}}]"#,
    r#"[2, 9129137332, {"roles": {"broker": {}}}]"#,
    r#"[3, {"message": "The realm does not exist."}, "wamp.error.no_such_realm"]"#,
    r#"[6, {"message": "The host is shutting down now."}, "wamp.close.system_shutdown"]"#,
    r#"[6, {}, "wamp.close.goodbye_and_out"]"#,
    r#"[8, 68, 6131533, {}, "com.myapp.error.object_write_protected", ["Object is write protected."], {"severity": 3}]"#,
    r#"[8, 32, 713845233, {}, "wamp.error.not_authorized"]"#,
    r#"[8, 34, 85346237, {}, "wamp.error.no_such_subscription"]"#,
    r#"[8, 16, 239714735, {}, "wamp.error.not_authorized"]"#,
    r#"[8, 64, 25349185, {}, "wamp.error.procedure_already_exists"]"#,
    r#"[8, 66, 788923562, {}, "wamp.error.no_such_registration"]"#,
    r#"[8, 48, 7814135, {}, "com.myapp.error.object_write_protected", ["Object is write protected."], {"severity": 3}]"#,
    r#"[16, 239714735, {}, "com.myapp.mytopic1"]"#,
    r#"[16, 239714735, {}, "com.myapp.mytopic1", ["Hello, world!"]]"#,
    r#"[16, 239714735, {}, "com.myapp.mytopic1", [], {"color": "orange", "sizes": [23, 42, 7]}]"#,
    r#"[16, 239714735, {"acknowledge": true}, "com.myapp.mytopic1"]"#,
    r#"[17, 239714735, 4429313566]"#,
    r#"[32, 713845233, {}, "com.myapp.mytopic1"]"#,
    r#"[33, 713845233, 5512315355]"#,
    r#"[34, 85346237, 5512315355]"#,
    r#"[35, 85346237]"#,
    r#"[36, 5512315355, 4429313566, {}]"#,
    r#"[36, 5512315355, 4429313566, {}, ["Hello, world!"]]"#,
    r#"[36, 5512315355, 4429313566, {}, [], {"color": "orange", "sizes": [23, 42, 7]}]"#,
    r#"[48, 7814135, {}, "com.myapp.ping"]"#,
    r#"[48, 7814135, {}, "com.myapp.echo", ["Hello, world!"]]"#,
    r#"[48, 7814135, {}, "com.myapp.add2", [23, 7]]"#,
    r#"[48, 7814135, {}, "com.myapp.user.new", ["johnny"], {"firstname": "John", "surname": "Doe"}]"#,
    r#"[49, 7814135, {"mode": "killnowait"}]"#,
    r#"[50, 7814135, {}]"#,
    r#"[50, 7814135, {}, ["Hello, world!"]]"#,
    r#"[50, 7814135, {}, [30]]"#,
    r#"[50, 7814135, {}, [], {"userid": 123, "karma": 10}]"#,
    r#"[64, 25349185, {}, "com.myapp.myprocedure1"]"#,
    r#"[65, 25349185, 2103333224]"#,
    r#"[66, 788923562, 2103333224]"#,
    r#"[67, 788923562]"#,
    r#"[68, 6131533, 9823526, {}]"#,
    r#"[68, 6131533, 9823527, {}, ["Hello, world!"]]"#,
    r#"[68, 6131533, 9823528, {}, [23, 7]]"#,
    r#"[68, 6131533, 9823529, {}, ["johnny"], {"firstname": "John", "surname": "Doe"}]"#,
    r#"[70, 6131533, {}]"#,
    r#"[70, 6131533, {}, ["Hello, world!"]]"#,
    r#"[70, 6131533, {}, [30]]"#,
    r#"[70, 6131533, {}, [], {"userid": 123, "karma": 10}]"#,
];

#[txaio::test]
async fn every_spec_example_decodes_and_encodes_back_to_the_same_json() {
    let mut codes = std::collections::BTreeSet::new();
    for example in SPEC_EXAMPLES {
        let message = Message::decode(example).unwrap_or_else(|e| panic!("{example}: {e}"));
        let expected: Value = serde_json::from_str(example).unwrap();
        assert_eq!(message.to_json(), expected, "{example}");
        assert_eq!(
            Message::decode(&message.encode()).unwrap(),
            message,
            "{example}"
        );
        codes.insert(message.code());
    }
    let basic_profile = [
        1, 2, 3, 6, 8, 16, 17, 32, 33, 34, 35, 36, 48, 49, 50, 64, 65, 66, 67, 68, 70,
    ];
    assert_eq!(codes.into_iter().collect::<Vec<_>>(), basic_profile);
}

#[txaio::test]
async fn decoded_fields_land_where_the_spec_puts_them() {
    let error = Message::decode(SPEC_EXAMPLES[5]).unwrap();
    assert_eq!(
        error,
        Message::Error {
            request_type: code::INVOCATION,
            request: 6_131_533,
            details: dict(json!({})),
            error: "com.myapp.error.object_write_protected".into(),
            payload: Payload {
                args: vec![json!("Object is write protected.")],
                kwargs: dict(json!({"severity": 3}))
            },
        }
    );
    let call = Message::decode(
        r#"[48, 7814135, {}, "com.myapp.user.new", ["johnny"], {"firstname": "John"}]"#,
    )
    .unwrap();
    let Message::Call {
        request,
        procedure,
        payload,
        ..
    } = call
    else {
        panic!("not a CALL")
    };
    assert_eq!(
        (request, procedure.as_str()),
        (7_814_135, "com.myapp.user.new")
    );
    assert_eq!(payload.args, vec![json!("johnny")]);
    assert_eq!(payload.kwargs, dict(json!({"firstname": "John"})));
    let welcome = Message::decode(SPEC_EXAMPLES[1]).unwrap();
    assert_eq!(
        welcome,
        Message::Welcome {
            session: 9_129_137_332,
            details: dict(json!({"roles": {"broker": {}}}))
        }
    );
    assert_eq!(welcome.name(), "WELCOME");
}

#[txaio::test]
async fn encoding_omits_empty_arguments_but_keeps_an_empty_list_before_keywords() {
    let bare = Message::Yield {
        request: 1,
        options: dict(json!({})),
        payload: Payload::default(),
    };
    assert_eq!(bare.encode(), "[70,1,{}]");
    let kwargs_only = Message::Yield {
        request: 1,
        options: dict(json!({})),
        payload: Payload {
            args: vec![],
            kwargs: dict(json!({"k": 1})),
        },
    };
    assert_eq!(kwargs_only.encode(), r#"[70,1,{},[],{"k":1}]"#);
    let args_only = Message::Publish {
        request: 2,
        options: dict(json!({})),
        topic: "t.x".into(),
        payload: Payload::args(vec![json!(1)]),
    };
    assert_eq!(args_only.encode(), r#"[16,2,{},"t.x",[1]]"#);
}

#[txaio::test]
async fn ids_hold_the_full_range_up_to_two_to_the_53() {
    let max = Message::decode("[33, 1, 9007199254740992]").unwrap();
    assert_eq!(
        max,
        Message::Subscribed {
            request: 1,
            subscription: 1 << 53
        }
    );
    assert_eq!(max.encode(), "[33,1,9007199254740992]");
}

fn field(message: &'static str, field: &'static str) -> impl Fn(&DecodeError) -> bool {
    move |e| matches!(e, DecodeError::Field { message: m, field: f, .. } if *m == message && *f == field)
}

#[txaio::test]
async fn malformed_messages_are_typed_errors_naming_what_is_wrong() {
    type Check = Box<dyn Fn(&DecodeError) -> bool>;
    let cases: Vec<(&str, Check)> = vec![
        (
            "[1, \"realm\"",
            Box::new(|e| matches!(e, DecodeError::NotJson(_))),
        ),
        ("{\"type\": 1}", Box::new(|e| *e == DecodeError::NotAnArray)),
        ("[]", Box::new(|e| *e == DecodeError::NotAnArray)),
        (
            "[\"HELLO\", \"realm\", {}]",
            Box::new(|e| *e == DecodeError::BadType),
        ),
        ("[-1, {}]", Box::new(|e| *e == DecodeError::BadType)),
        (
            "[99, 1, {}]",
            Box::new(|e| *e == DecodeError::UnknownType(99)),
        ),
        (
            "[2, 1]",
            Box::new(|e| {
                *e == DecodeError::Length {
                    message: "WELCOME",
                    len: 2,
                }
            }),
        ),
        (
            "[35, 1, 2]",
            Box::new(|e| {
                *e == DecodeError::Length {
                    message: "UNSUBSCRIBED",
                    len: 3,
                }
            }),
        ),
        (
            "[50, 1, {}, [], {}, 7]",
            Box::new(|e| {
                *e == DecodeError::Length {
                    message: "RESULT",
                    len: 6,
                }
            }),
        ),
        ("[2, 0, {}]", Box::new(field("WELCOME", "Session"))),
        (
            "[2, 9007199254740993, {}]",
            Box::new(field("WELCOME", "Session")),
        ),
        ("[2, 1.5, {}]", Box::new(field("WELCOME", "Session"))),
        ("[2, \"1\", {}]", Box::new(field("WELCOME", "Session"))),
        ("[2, 1, []]", Box::new(field("WELCOME", "Details"))),
        ("[3, {}, \"\"]", Box::new(field("ABORT", "Reason"))),
        ("[3, {}, \"has space\"]", Box::new(field("ABORT", "Reason"))),
        ("[3, {}, 7]", Box::new(field("ABORT", "Reason"))),
        (
            "[8, 50, 1, {}, \"wamp.error.x\"]",
            Box::new(field("ERROR", "REQUEST.Type")),
        ),
        (
            "[8, 48, 1, {}, \"wamp.error.x\", {}]",
            Box::new(field("ERROR", "Arguments")),
        ),
        (
            "[50, 1, {}, [], []]",
            Box::new(field("RESULT", "ArgumentsKw")),
        ),
        (
            "[36, 1, 2, {}, \"x\"]",
            Box::new(field("EVENT", "Arguments")),
        ),
        (
            "[68, 1, 0, {}]",
            Box::new(field("INVOCATION", "REGISTERED.Registration")),
        ),
        (
            "[65, 1, null]",
            Box::new(field("REGISTERED", "Registration")),
        ),
        ("[17, null, 1]", Box::new(field("PUBLISHED", "Request"))),
    ];
    for (text, check) in cases {
        let error = Message::decode(text).expect_err(text);
        assert!(check(&error), "{text}: got {error:?}");
        assert!(!error.to_string().is_empty());
    }
}

#[txaio::test]
async fn decode_errors_read_as_sentences() {
    let e = Message::decode("[2, 0, {}]").unwrap_err();
    assert_eq!(
        e.to_string(),
        "WELCOME: `Session` must be an id in 1..=2^53"
    );
    let e = Message::decode("[99]").unwrap_err();
    assert_eq!(e.to_string(), "unknown message type 99");
}
