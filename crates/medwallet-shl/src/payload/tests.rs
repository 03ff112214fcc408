use serde_json::Value;

use super::*;

fn vector() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/shl/spec-example-payload.json"
    );
    serde_json::from_slice(&std::fs::read(path).expect("vector")).expect("json")
}

#[test]
fn the_spec_example_link_decodes_bare_and_behind_a_viewer() {
    let v = vector();
    for text in [&v["link"], &v["viewer_link"]] {
        let link = ShlPayload::decode(text.as_str().expect("text")).expect("the spec's link");
        assert_eq!(link.url, v["payload"]["url"]);
        assert_eq!(link.key.encode(), v["payload"]["key"]);
        assert_eq!(link.label.as_deref(), v["payload"]["label"].as_str());
        assert_eq!(
            link.flags,
            Flags {
                long_term: true,
                passcode: true,
                direct: false
            }
        );
    }
}

#[test]
fn a_link_encodes_as_the_spec_does_and_round_trips() {
    let v = vector();
    let spec = ShlPayload::decode(v["link"].as_str().expect("text")).expect("link");
    // The spec's encoder wrote url, flag, key, label in that order; ours writes its own order,
    // so compare what a receiver reads, and the shape of the text.
    let ours = spec.encode();
    assert!(ours.starts_with("shlink:/") && !ours.contains('='));
    assert_eq!(ShlPayload::decode(&ours).expect("ours"), spec);
    let viewer = spec.viewer_url("https://viewer.example.org");
    assert!(viewer.starts_with("https://viewer.example.org#shlink:/"));
    assert_eq!(ShlPayload::decode(&viewer).expect("viewer"), spec);
}

fn encoded(json: &str) -> String {
    format!("shlink:/{}", URL_SAFE_NO_PAD.encode(json))
}

const KEY: &str = "rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q";

#[test]
fn what_the_spec_forbids_is_refused_and_what_it_leaves_open_is_ignored() {
    let url = "https://n.example/shl/x";
    let ok = |json: String| ShlPayload::decode(&encoded(&json));
    // Unknown properties and flags are ignored; a fractional exp is read.
    let read = ok(format!(
        r#"{{"url":"{url}","key":"{KEY}","flag":"LZ","exp":1700000000.5,"_ext":1}}"#
    ))
    .expect("lenient where the spec is");
    assert_eq!(read.exp, Some(1_700_000_000));
    assert!(read.flags.long_term && !read.flags.passcode);
    // U with P, a newer version, a short key, a long label, a long URL.
    assert!(ok(format!(r#"{{"url":"{url}","key":"{KEY}","flag":"PU"}}"#)).is_err());
    assert_eq!(
        ok(format!(r#"{{"url":"{url}","key":"{KEY}","v":2}}"#)),
        Err(ShlError::UnsupportedVersion(2))
    );
    assert!(ok(format!(r#"{{"url":"{url}","key":"abc"}}"#)).is_err());
    let label = "x".repeat(MAX_LABEL_LEN + 1);
    assert!(
        ok(format!(
            r#"{{"url":"{url}","key":"{KEY}","label":"{label}"}}"#
        ))
        .is_err()
    );
    let long = format!("https://n.example/{}", "x".repeat(MAX_URL_LEN));
    assert!(ok(format!(r#"{{"url":"{long}","key":"{KEY}"}}"#)).is_err());
    assert!(ShlPayload::decode("https://example.org/not-a-link").is_err());
    assert!(ShlPayload::decode("shlink:/!!!").is_err());
    assert!(ShlPayload::decode(&"shlink:/".repeat(1000)).is_err());
}

#[test]
fn the_key_is_never_printed() {
    let key = LinkKey::decode(KEY).expect("key");
    assert_eq!(format!("{key:?}"), "LinkKey(…)");
}
