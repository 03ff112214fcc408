use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::Value;

use super::*;

fn vector() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/shl/spec-example-file.json"
    );
    serde_json::from_slice(&std::fs::read(path).expect("vector")).expect("json")
}

fn key(v: &Value) -> LinkKey {
    LinkKey::decode(v["key"].as_str().expect("key")).expect("key")
}

#[test]
fn the_spec_example_file_decrypts_with_the_spec_key() {
    let v = vector();
    let opened = decrypt(&key(&v), v["jwe"].as_str().expect("jwe")).expect("the spec's file");
    assert_eq!(opened.content_type.as_deref(), v["cty"].as_str());
    assert_eq!(
        opened.plaintext,
        v["plaintext"].as_str().expect("text").as_bytes()
    );
}

#[test]
fn a_file_opens_only_with_its_key_and_untouched() {
    let v = vector();
    let jwe = v["jwe"].as_str().expect("jwe");
    let other = LinkKey::from_bytes([7; 32]);
    assert_eq!(decrypt(&other, jwe).map(|_| ()), Err(ShlError::Decrypt));
    // Flip one character of the ciphertext, then of the header (bound as AAD).
    let parts: Vec<&str> = jwe.split('.').collect();
    let mut ct = parts[3].to_owned();
    let c = if ct.starts_with('A') { "B" } else { "A" };
    ct.replace_range(0..1, c);
    let tampered = [parts[0], "", parts[2], &ct, parts[4]].join(".");
    assert_eq!(
        decrypt(&key(&v), &tampered).map(|_| ()),
        Err(ShlError::Decrypt)
    );
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"dir","enc":"A256GCM","cty":"text/plain"}"#);
    let relabelled = [&header, "", parts[2], parts[3], parts[4]].join(".");
    assert_eq!(
        decrypt(&key(&v), &relabelled).map(|_| ()),
        Err(ShlError::Decrypt)
    );
}

#[test]
fn other_jose_profiles_and_malformed_files_are_refused_by_name() {
    let key = LinkKey::from_bytes([1; 32]);
    let h = |json: &str| URL_SAFE_NO_PAD.encode(json);
    let iv = URL_SAFE_NO_PAD.encode([0u8; 12]);
    let tag = URL_SAFE_NO_PAD.encode([0u8; 16]);
    for (file, why) in [
        (
            format!(
                "{}..{iv}.AAAA.{tag}",
                h(r#"{"alg":"A256KW","enc":"A256GCM"}"#)
            ),
            "dir",
        ),
        (
            format!("{}..{iv}.AAAA.{tag}", h(r#"{"alg":"dir","enc":"A128GCM"}"#)),
            "dir",
        ),
        (
            format!(
                "{}.AAAA.{iv}.AAAA.{tag}",
                h(r#"{"alg":"dir","enc":"A256GCM"}"#)
            ),
            "encrypted key",
        ),
        (
            format!("{}..AAAA.AAAA.{tag}", h(r#"{"alg":"dir","enc":"A256GCM"}"#)),
            "IV",
        ),
        ("a.b.c".to_owned(), "five parts"),
        (format!("{}..{iv}.AAAA.{tag}", h("not json")), "header"),
    ] {
        match decrypt(&key, &file) {
            Err(ShlError::NotAFile(m)) => assert!(m.contains(why), "{m} / {why}"),
            other => panic!("{file}: {other:?}"),
        }
    }
}

#[test]
fn a_deflate_bomb_stops_at_the_bound() {
    let key = LinkKey::from_bytes([2; 32]);
    let mut rng = StdRng::seed_from_u64(3);
    // 65 MiB of zeros deflate to a few kilobytes.
    let big = vec![0u8; MAX_PLAINTEXT_LEN + 1];
    assert_eq!(
        encrypt(&key, &mut rng, "application/fhir+json", &big, true).map(|_| ()),
        Err(ShlError::TooLarge(MAX_PLAINTEXT_LEN))
    );
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&big).expect("deflate");
    let body = encoder.finish().expect("deflate");
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"dir","enc":"A256GCM","zip":"DEF"}"#);
    let iv = [9u8; 12];
    let sealed = cipher(&key)
        .encrypt(
            &Nonce::from(iv),
            Payload {
                msg: &body,
                aad: header.as_bytes(),
            },
        )
        .expect("seal");
    let (ct, tag) = sealed.split_at(sealed.len() - 16);
    let bomb = format!(
        "{header}..{}.{}.{}",
        URL_SAFE_NO_PAD.encode(iv),
        URL_SAFE_NO_PAD.encode(ct),
        URL_SAFE_NO_PAD.encode(tag)
    );
    assert_eq!(
        decrypt(&key, &bomb).map(|_| ()),
        Err(ShlError::TooLarge(MAX_PLAINTEXT_LEN))
    );
}

proptest! {
    #[test]
    fn files_round_trip_with_and_without_deflate_and_never_repeat_an_iv(
        plaintext in proptest::collection::vec(any::<u8>(), 0..4096),
        deflate: bool,
        seed: u64,
    ) {
        let key = LinkKey::from_bytes([5; 32]);
        let mut rng = StdRng::seed_from_u64(seed);
        let a = encrypt(&key, &mut rng, "application/fhir+json", &plaintext, deflate).expect("a");
        let b = encrypt(&key, &mut rng, "application/fhir+json", &plaintext, deflate).expect("b");
        prop_assert_ne!(a.split('.').nth(2), b.split('.').nth(2));
        let opened = decrypt(&key, &a).expect("open");
        prop_assert_eq!(opened.plaintext, plaintext);
        prop_assert_eq!(opened.content_type.as_deref(), Some("application/fhir+json"));
    }
}

#[test]
fn a_synthetic_iv_repeats_for_the_same_file_only() {
    let key = LinkKey::from_bytes([5; 32]);
    let a = encrypt_synthetic_iv(&key, FHIR_JSON, b"{\"a\":1}", true).expect("a");
    let again = encrypt_synthetic_iv(&key, FHIR_JSON, b"{\"a\":1}", true).expect("again");
    let b = encrypt_synthetic_iv(&key, FHIR_JSON, b"{\"a\":2}", true).expect("b");
    let other_key =
        encrypt_synthetic_iv(&LinkKey::from_bytes([6; 32]), FHIR_JSON, b"{\"a\":1}", true)
            .expect("other key");
    assert_eq!(a, again, "the same file under the same key: the same bytes");
    assert_ne!(
        a.split('.').nth(2),
        b.split('.').nth(2),
        "another file: another IV"
    );
    assert_ne!(a.split('.').nth(2), other_key.split('.').nth(2));
    assert_eq!(decrypt(&key, &b).expect("open").plaintext, b"{\"a\":2}");
}

const FHIR_JSON: &str = "application/fhir+json";

/// A stand-in bucket rule: the next multiple of 4096.
fn next_4k(n: usize) -> usize {
    n.div_ceil(4096) * 4096
}

proptest! {
    // Deflate in a debug build is slow: fewer, still varied, cases (sizes up to four stored blocks).
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn a_padded_file_is_its_bucket_long_and_opens_to_the_file_then_spaces(
        plaintext in proptest::collection::vec(any::<u8>(), 0..150_000),
    ) {
        let key = LinkKey::from_bytes([5; 32]);
        let jwe = encrypt_padded(&key, FHIR_JSON, &plaintext, next_4k).expect("padded");
        let ciphertext = URL_SAFE_NO_PAD.decode(jwe.split('.').nth(3).expect("part")).expect("b64");
        prop_assert_eq!(ciphertext.len() % 4096, 0);
        let opened = decrypt(&key, &jwe).expect("opens").plaintext;
        prop_assert_eq!(&opened[..plaintext.len()], &plaintext[..]);
        prop_assert!(opened[plaintext.len()..].iter().all(|b| *b == b' '));
        prop_assert_eq!(jwe.clone(), encrypt_padded(&key, FHIR_JSON, &plaintext, next_4k).expect("again"));
    }
}

#[test]
fn files_of_different_sizes_in_one_bucket_are_as_long_as_each_other() {
    let key = LinkKey::from_bytes([5; 32]);
    let bucket = |_: usize| 70_000;
    let small = encrypt_padded(&key, FHIR_JSON, b"{}", bucket).expect("small");
    let large = encrypt_padded(&key, FHIR_JSON, &[b'a'; 30_000], bucket).expect("large");
    assert_eq!(
        small.len(),
        large.len(),
        "spanning two stored blocks as needed"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&decrypt(&key, &small).expect("opens").plaintext)
            .expect("JSON with trailing spaces");
    assert_eq!(json, serde_json::json!({}));
}
