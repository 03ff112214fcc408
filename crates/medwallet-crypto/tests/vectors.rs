//! Replays the committed golden vectors in `tests/vectors/` (one file per case, the expected
//! outcome written in the file). Regenerate them only on purpose, after a deliberate format
//! change: `MEDWALLET_REGENERATE_VECTORS=1 cargo test -p medwallet-crypto --test vectors`.

use std::fs;
use std::path::{Path, PathBuf};

use medwallet_crypto::envelope::{
    self, ContentKey, EnvelopeError, Identity, Recipient, WrappedKey, X25519Identity,
};
use medwallet_crypto::{
    AccountKeys, KdfParams, Keystore, KeystoreError, Namespace, RecoveryPhrase, ShareCode,
    Signature, SigningKey, VerifyingKey,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const REGENERATE: &str = "MEDWALLET_REGENERATE_VECTORS";

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

/// A reproducible RNG for vectors: block i = SHA-256(seed || i). Independent of `rand`'s
/// internals, so a dependency update cannot silently change the vectors.
struct VectorRng {
    seed: u64,
    counter: u64,
    buf: Vec<u8>,
}

impl VectorRng {
    fn new(seed: u64) -> Self {
        Self {
            seed,
            counter: 0,
            buf: Vec::new(),
        }
    }
}

impl rand_core::TryRng for VectorRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for byte in dst {
            if self.buf.is_empty() {
                let mut h = Sha256::new();
                h.update(self.seed.to_be_bytes());
                h.update(self.counter.to_be_bytes());
                self.counter += 1;
                self.buf = h.finalize().to_vec();
            }
            *byte = self.buf.remove(0);
        }
        Ok(())
    }
}
impl rand_core::TryCryptoRng for VectorRng {}

#[derive(Serialize, Deserialize)]
struct Case {
    description: String,
    kind: String,
    input: Value,
    expected: Value,
}

fn write_case(dir: &str, name: &str, case: &Case) {
    let dir = vectors_dir().join(dir);
    fs::create_dir_all(&dir).expect("mkdir");
    let text = serde_json::to_string_pretty(case).expect("json") + "\n";
    fs::write(dir.join(format!("{name}.json")), text).expect("write vector");
}

fn hex_field(v: &Value, key: &str) -> Vec<u8> {
    hex::decode(v[key].as_str().unwrap_or_else(|| panic!("missing {key}"))).expect("hex")
}

fn envelope_error_name(e: &EnvelopeError) -> &'static str {
    match e {
        EnvelopeError::NotAnEnvelope => "NotAnEnvelope",
        EnvelopeError::UnsupportedVersion(_) => "UnsupportedVersion",
        EnvelopeError::Malformed(_) => "Malformed",
        EnvelopeError::Decrypt => "Decrypt",
        EnvelopeError::InvalidRecipient => "InvalidRecipient",
        EnvelopeError::TooLarge => "TooLarge",
        EnvelopeError::Io(_) => "Io",
        _ => "Other",
    }
}

fn keystore_error_name(e: &KeystoreError) -> &'static str {
    match e {
        KeystoreError::NotAKeystore => "NotAKeystore",
        KeystoreError::UnsupportedVersion(_) => "UnsupportedVersion",
        KeystoreError::Corrupt(_) => "Corrupt",
        KeystoreError::WrongPassword => "WrongPassword",
        KeystoreError::BadParams(_) => "BadParams",
        _ => "Other",
    }
}

// ---------------------------------------------------------------- generation

const RECIPIENT_SECRET: [u8; 32] = [0x21; 32];
const OTHER_SECRET: [u8; 32] = [0x22; 32];

/// Seals `plaintext` the way the vectors pin it: content key, payload, wrap, in that RNG order.
fn seal_case(seed: u64, plaintext: &[u8], record_id: &str) -> (Vec<u8>, WrappedKey) {
    let mut rng = VectorRng::new(seed);
    let key = ContentKey::generate(&mut rng);
    let mut sealed = Vec::new();
    envelope::seal_payload(&key, &mut rng, plaintext, &mut sealed).expect("seal");
    let recipient = X25519Identity::new(RECIPIENT_SECRET.into()).to_recipient();
    let wrapped = recipient
        .wrap(&key, record_id.as_bytes(), &mut rng)
        .expect("wrap");
    (sealed, wrapped)
}

fn plaintext_for(name: &str) -> Vec<u8> {
    match name {
        "empty" => Vec::new(),
        "fhir-patient" => {
            br#"{"resourceType":"Patient","id":"example","birthDate":"1974-12-25"}"#.to_vec()
        }
        _ => (0..(envelope::CHUNK_LEN + 5))
            .map(|i| (i % 253) as u8)
            .collect(),
    }
}

/// The inputs of an envelope-open vector.
#[derive(Clone)]
struct OpenInput {
    seed: u64,
    plaintext: &'static str,
    record_id: &'static str,
    sealed: Vec<u8>,
    wrapped: Vec<u8>,
    secret: [u8; 32],
}

impl OpenInput {
    fn sealed(seed: u64, plaintext: &'static str) -> Self {
        let (sealed, wrapped) = seal_case(seed, &plaintext_for(plaintext), "record-1");
        Self {
            seed,
            plaintext,
            record_id: "record-1",
            sealed,
            wrapped: wrapped.as_bytes().to_vec(),
            secret: RECIPIENT_SECRET,
        }
    }

    fn case(&self, description: &str, expected: Value) -> Case {
        Case {
            description: description.into(),
            kind: "envelope-open".into(),
            input: json!({
                "seed": self.seed,
                "plaintext": self.plaintext,
                "recipient_secret": hex::encode(self.secret),
                "record_id": self.record_id,
                "wrapped_key": hex::encode(&self.wrapped),
                "envelope": hex::encode(&self.sealed),
            }),
            expected,
        }
    }

    fn with(&self, change: impl FnOnce(&mut Self)) -> Self {
        let mut changed = self.clone();
        change(&mut changed);
        changed
    }
}

fn generate_envelope_vectors() {
    for (seed, name) in [(1, "empty"), (2, "fhir-patient"), (3, "two-chunks")] {
        let input = OpenInput::sealed(seed, name);
        let ok = json!({ "plaintext_sha256": hex::encode(Sha256::digest(plaintext_for(name))) });
        write_case(
            "envelope",
            &format!("ok-{name}"),
            &input.case(&format!("a {name} record opens"), ok),
        );
    }
    let decrypt = json!({ "error": "Decrypt" });
    // Truncation needs more than one chunk to drop; the other negative cases use the small
    // record so that each vector stays a kilobyte or two.
    let big = OpenInput::sealed(3, "two-chunks");
    let truncated = big.with(|i| {
        i.sealed
            .truncate(envelope::HEADER_LEN + envelope::CHUNK_LEN + 16)
    });
    write_case(
        "envelope",
        "err-truncated-last-chunk",
        &truncated.case("dropping the last chunk is detected", decrypt.clone()),
    );

    let small = OpenInput::sealed(2, "fhir-patient");
    let cases = [
        (
            "err-flipped-chunk-byte",
            "a flipped ciphertext byte fails authentication",
            small.with(|i| i.sealed[envelope::HEADER_LEN + 10] ^= 1),
            decrypt.clone(),
        ),
        (
            "err-wrong-record-id",
            "a wrapped key is bound to its record id",
            small.with(|i| i.record_id = "record-2"),
            decrypt.clone(),
        ),
        (
            "err-wrong-recipient",
            "another identity cannot unwrap",
            small.with(|i| i.secret = OTHER_SECRET),
            decrypt.clone(),
        ),
        (
            "err-tampered-wrapped-key",
            "a tampered wrapped key fails",
            small.with(|i| i.wrapped[50] ^= 1),
            decrypt.clone(),
        ),
        (
            "err-bad-magic",
            "not an envelope",
            small.with(|i| i.sealed[0] = b'X'),
            json!({ "error": "NotAnEnvelope" }),
        ),
        (
            "err-future-version",
            "a newer format is named",
            small.with(|i| i.sealed[6] = 2),
            json!({ "error": "UnsupportedVersion" }),
        ),
        (
            "err-commitment-mismatch",
            "the key commitment is checked",
            small.with(|i| i.sealed[30] ^= 0x40),
            decrypt.clone(),
        ),
    ];
    for (name, description, input, expected) in cases {
        write_case("envelope", name, &input.case(description, expected));
    }
}

const KS_PASSWORD: &str = "vector password";

fn keystore_case(
    description: &str,
    params: KdfParams,
    mutate: impl Fn(&mut Vec<u8>),
    password: &str,
    expected: Value,
) -> Case {
    let mut rng = VectorRng::new(7);
    let phrase = RecoveryPhrase::from_entropy(&[0x33; 32]);
    let ks = Keystore::create(&phrase, KS_PASSWORD, "Vector", params, &mut rng).expect("create");
    let mut bytes = ks.encode();
    mutate(&mut bytes);
    Case {
        description: description.into(),
        kind: "keystore-unlock".into(),
        input: json!({ "file": hex::encode(&bytes), "password": password }),
        expected,
    }
}

fn fix_checksum(bytes: &mut [u8]) {
    let n = bytes.len() - 32;
    let digest = Sha256::digest(&bytes[..n]);
    bytes[n..].copy_from_slice(&digest);
}

fn generate_keystore_vectors() {
    let ok = json!({ "entropy": hex::encode([0x33; 32]), "label": "Vector" });
    let fast = KdfParams::INSECURE_FOR_TESTS;
    let err = |e: &str| json!({ "error": e });
    write_case(
        "keystore",
        "ok-test-params",
        &keystore_case(
            "unlocks with cheap parameters",
            fast,
            |_| {},
            KS_PASSWORD,
            ok.clone(),
        ),
    );
    write_case(
        "keystore",
        "ok-rfc9106-params",
        &keystore_case(
            "unlocks with the default 64 MiB, t=3, p=4",
            KdfParams::RFC9106_SECOND,
            |_| {},
            KS_PASSWORD,
            ok,
        ),
    );
    write_case(
        "keystore",
        "err-wrong-password",
        &keystore_case(
            "wrong password is named as such",
            fast,
            |_| {},
            "not the password",
            err("WrongPassword"),
        ),
    );
    write_case(
        "keystore",
        "err-flipped-byte",
        &keystore_case(
            "a damaged file is corrupt, not a wrong password",
            fast,
            |b| b[40] ^= 1,
            KS_PASSWORD,
            err("Corrupt"),
        ),
    );
    write_case(
        "keystore",
        "err-truncated",
        &keystore_case(
            "a truncated file is corrupt",
            fast,
            |b| b.truncate(b.len() - 5),
            KS_PASSWORD,
            err("Corrupt"),
        ),
    );
    write_case(
        "keystore",
        "err-future-version",
        &keystore_case(
            "a newer version is named",
            fast,
            |b| b[9] = 9,
            KS_PASSWORD,
            err("UnsupportedVersion"),
        ),
    );
    write_case(
        "keystore",
        "err-not-a-keystore",
        &keystore_case(
            "another file type",
            fast,
            |b| b[..8].copy_from_slice(b"PK\x03\x04zip!"),
            KS_PASSWORD,
            err("NotAKeystore"),
        ),
    );
    write_case(
        "keystore",
        "err-hostile-memory-cost",
        &keystore_case(
            "a memory cost beyond 2 GiB is refused before hashing",
            fast,
            |b| {
                b[11..15].copy_from_slice(&u32::MAX.to_be_bytes());
                fix_checksum(b)
            },
            KS_PASSWORD,
            err("BadParams"),
        ),
    );
    write_case(
        "keystore",
        "err-spliced-ciphertext",
        &keystore_case(
            "a re-checksummed file with altered ciphertext does not open",
            fast,
            |b| {
                let n = b.len() - 40;
                b[n] ^= 1;
                fix_checksum(b)
            },
            KS_PASSWORD,
            err("WrongPassword"),
        ),
    );
}

fn generate_key_vectors() {
    // BIP-39 reference entropies (all 0x00, all 0x7f, all 0xff at 256 bits).
    for (name, byte) in [
        ("entropy-00", 0x00u8),
        ("entropy-7f", 0x7f),
        ("entropy-ff", 0xff),
    ] {
        let phrase = RecoveryPhrase::from_entropy(&[byte; 32]);
        let public = AccountKeys::derive(&phrase).public();
        write_case(
            "keys",
            name,
            &Case {
                description: format!("keys derived from 256-bit entropy of 0x{byte:02x} bytes"),
                kind: "derive".into(),
                input: json!({ "mnemonic": phrase.words().as_str() }),
                expected: json!({
                    "ed25519_public": hex::encode(public.signing.as_bytes()),
                    "x25519_public": hex::encode(public.receiving.as_bytes()),
                    "address": public.address().to_string(),
                    "share_code": public.share_code().to_string(),
                }),
            },
        );
    }
    // Pairwise accounts: account n of one phrase, under its own derivation label.
    let phrase = RecoveryPhrase::from_entropy(&[0x7f; 32]);
    for index in [1u32, 2, 19] {
        let public = AccountKeys::derive(&phrase).account(index).public();
        write_case(
            "keys",
            &format!("entropy-7f-account-{index}"),
            &Case {
                description: format!(
                    "account {index} of the 0x7f phrase (medwallet/key/…/v1/account/{index})"
                ),
                kind: "derive".into(),
                input: json!({ "mnemonic": phrase.words().as_str(), "account": index }),
                expected: json!({
                    "ed25519_public": hex::encode(public.signing.as_bytes()),
                    "x25519_public": hex::encode(public.receiving.as_bytes()),
                    "address": public.address().to_string(),
                    "share_code": public.share_code().to_string(),
                }),
            },
        );
    }
    let key = SigningKey::from_bytes(&[0x44; 32]);
    let message = b"example transaction bytes";
    let sig = medwallet_crypto::sign(&key, Namespace::TX, message);
    write_case(
        "keys",
        "signature-tx-namespace",
        &Case {
            description:
                "ed25519 signature over u16-BE(len(ns)) || ns || message in medwallet/tx/v1".into(),
            kind: "signature".into(),
            input: json!({ "secret": hex::encode([0x44; 32]), "namespace": Namespace::TX.as_str(), "message": hex::encode(message) }),
            expected: json!({ "public": hex::encode(key.verifying_key().as_bytes()), "signature": hex::encode(sig.to_bytes()) }),
        },
    );
}

// ---------------------------------------------------------------- replay

fn replay_envelope(case: &Case) {
    let i = &case.input;
    let secret: [u8; 32] = hex_field(i, "recipient_secret")
        .try_into()
        .expect("32 bytes");
    let sealed = hex_field(i, "envelope");
    let record_id = i["record_id"].as_str().expect("record id");
    let result = WrappedKey::from_bytes(&hex_field(i, "wrapped_key"))
        .map_err(|_| EnvelopeError::Malformed("wrapped key has the wrong length"))
        .and_then(|w| X25519Identity::new(secret.into()).unwrap(&w, record_id.as_bytes()))
        .and_then(|key| {
            let mut out = Vec::new();
            envelope::open_payload(&key, &sealed[..], &mut out).map(|_| out)
        });
    match (&case.expected["error"], result) {
        (Value::String(e), Err(got)) => {
            assert_eq!(envelope_error_name(&got), e, "{}", case.description)
        }
        (Value::String(e), Ok(_)) => panic!("{}: expected {e}, it opened", case.description),
        (_, Err(got)) => panic!("{}: expected success, got {got}", case.description),
        (_, Ok(plain)) => {
            assert_eq!(
                hex::encode(Sha256::digest(&plain)),
                case.expected["plaintext_sha256"],
                "{}",
                case.description
            );
            let name = i["plaintext"].as_str().expect("plaintext name");
            assert_eq!(plain, plaintext_for(name));
            // Re-sealing with the same randomness gives the same bytes: the format is pinned.
            let seed = i["seed"].as_u64().expect("seed");
            let (again, wrapped) = seal_case(seed, &plain, record_id);
            assert_eq!(again, sealed, "{}: sealed bytes changed", case.description);
            assert_eq!(
                hex::encode(wrapped.as_bytes()),
                i["wrapped_key"],
                "{}: wrapped key changed",
                case.description
            );
        }
    }
}

fn replay_keystore(case: &Case) {
    let bytes = hex_field(&case.input, "file");
    let password = case.input["password"].as_str().expect("password");
    let result = Keystore::decode(&bytes).and_then(|ks| ks.unlock(password).map(|p| (ks, p)));
    match (&case.expected["error"], result) {
        (Value::String(e), Err(got)) => {
            assert_eq!(keystore_error_name(&got), e, "{}", case.description)
        }
        (Value::String(e), Ok(_)) => panic!("{}: expected {e}, it opened", case.description),
        (_, Err(got)) => panic!("{}: expected success, got {got}", case.description),
        (_, Ok((ks, phrase))) => {
            assert_eq!(hex::encode(phrase.entropy()), case.expected["entropy"]);
            assert_eq!(ks.label(), case.expected["label"]);
            assert_eq!(ks.encode(), bytes, "re-encoding is byte-identical");
        }
    }
}

fn replay_keys(case: &Case) {
    let e = &case.expected;
    match case.kind.as_str() {
        "derive" => {
            let phrase = RecoveryPhrase::parse(case.input["mnemonic"].as_str().expect("words"))
                .expect("valid");
            let index = case.input["account"].as_u64().unwrap_or(0);
            let index = u32::try_from(index).expect("an account index");
            let public = AccountKeys::derive(&phrase).account(index).public();
            assert_eq!(
                hex::encode(public.signing.as_bytes()),
                e["ed25519_public"],
                "{}",
                case.description
            );
            assert_eq!(
                hex::encode(public.receiving.as_bytes()),
                e["x25519_public"],
                "{}",
                case.description
            );
            assert_eq!(public.address().to_string(), e["address"]);
            let code: ShareCode = e["share_code"]
                .as_str()
                .expect("code")
                .parse()
                .expect("parses");
            assert_eq!(code, public.share_code());
        }
        "signature" => {
            let secret: [u8; 32] = hex_field(&case.input, "secret").try_into().expect("32");
            let key = SigningKey::from_bytes(&secret);
            let message = hex_field(&case.input, "message");
            let sig = medwallet_crypto::sign(&key, Namespace::TX, &message);
            assert_eq!(hex::encode(sig.to_bytes()), e["signature"]);
            let public = VerifyingKey::from_bytes(&hex_field(e, "public").try_into().expect("32"))
                .expect("key");
            let sig = Signature::from_bytes(&hex_field(e, "signature").try_into().expect("64"));
            assert!(medwallet_crypto::verify(&public, Namespace::TX, &message, &sig).is_ok());
            assert!(
                medwallet_crypto::verify(&public, Namespace::BLOB_REQUEST, &message, &sig).is_err()
            );
        }
        other => panic!("unknown kind {other}"),
    }
}

fn cases(dir: &str) -> Vec<(String, Case)> {
    let mut out: Vec<_> = fs::read_dir(vectors_dir().join(dir))
        .expect("vectors directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let case: Case =
                serde_json::from_str(&fs::read_to_string(&p).expect("read")).expect("vector JSON");
            (
                p.file_name().expect("name").to_string_lossy().into_owned(),
                case,
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn golden_vectors_replay() {
    if std::env::var_os(REGENERATE).is_some() {
        generate_envelope_vectors();
        generate_keystore_vectors();
        generate_key_vectors();
    }
    let envelope = cases("envelope");
    let keystore = cases("keystore");
    let keys = cases("keys");
    assert!(
        envelope.len() >= 11 && keystore.len() >= 9 && keys.len() >= 4,
        "vectors are missing"
    );
    assert!(
        envelope.iter().any(|(n, _)| n.starts_with("ok-"))
            && envelope.iter().any(|(n, _)| n.starts_with("err-"))
    );
    for (_, case) in &envelope {
        replay_envelope(case);
    }
    for (_, case) in &keystore {
        replay_keystore(case);
    }
    for (_, case) in &keys {
        replay_keys(case);
    }
}
