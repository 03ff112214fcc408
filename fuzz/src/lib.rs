//! One function per decoder that takes untrusted bytes. Each must never panic, and where
//! decoding succeeds it checks the invariant that makes the format canonical (decode then
//! encode gives the same bytes, parse then print parses back to the same value).
//!
//! Driven two ways: by libFuzzer (`cargo fuzz run --features libfuzzer keystore_decode`, see
//! `make fuzz`), and by `tests/smoke.rs`, a seeded run on stable Rust that `make test` includes.
//!
//! ```
//! medwallet_fuzz::keystore_decode(b"MDWKEYST\x00\x01 definitely not a keystore");
//! medwallet_fuzz::bech32_strings(b"mdw1qqqqqq");
//! ```
#![forbid(unsafe_code)]

use medwallet_crypto::envelope::{
    ContentKey, Identity, PayloadHeader, WRAPPED_KEY_LEN, WrappedKey, X25519Identity, open_payload,
    open_to_vec,
};
use medwallet_crypto::{Address, Keystore, RecoveryPhrase, ShareCode};
use rand::SeedableRng;

/// The keystore file decoder (and unlock, which runs the AEAD over attacker-chosen framing).
pub fn keystore_decode(data: &[u8]) {
    if let Ok(keystore) = Keystore::decode(data) {
        assert_eq!(keystore.encode(), data, "keystore encoding is canonical");
        // Cheap parameters only: a fuzzer must not spend its time in Argon2.
        if keystore.params().memory_kib <= 64 && keystore.params().iterations <= 2 {
            let _ = keystore.unlock("fuzz password");
        }
    }
}

/// The recipient secret of the golden envelope vectors (`tests/vectors/envelope`).
pub const VECTOR_RECIPIENT_SECRET: [u8; 32] = [0x21; 32];
/// The record id the golden envelope vectors are bound to.
pub const VECTOR_RECORD_ID: &[u8] = b"record-1";

/// The wrapped-key decoder, HPKE unwrap, payload header decoder and STREAM opener, on input
/// laid out as `wrapped key (81 bytes) || envelope`. Inputs derived from the golden vectors
/// unwrap to the real content key, so mutations reach the chunk decoder instead of stopping at
/// the key commitment.
pub fn envelope_open(data: &[u8]) {
    let (wrapped, payload) = data.split_at(data.len().min(WRAPPED_KEY_LEN));
    if let Ok(header) = PayloadHeader::decode(payload) {
        assert_eq!(
            &header.encode()[..],
            &payload[..56],
            "header encoding is canonical"
        );
    }
    let identity = X25519Identity::new(VECTOR_RECIPIENT_SECRET.into());
    let key = WrappedKey::from_bytes(wrapped)
        .and_then(|w| identity.unwrap(&w, VECTOR_RECORD_ID))
        .unwrap_or_else(|_| ContentKey::generate(&mut rand::rngs::StdRng::seed_from_u64(0)));
    let streamed = open_payload(&key, payload, &mut Vec::new()).map(|_| ());
    let in_memory = open_to_vec(&key, payload).map(|_| ());
    assert_eq!(
        streamed.is_ok(),
        in_memory.is_ok(),
        "streaming and in-memory opening agree"
    );
}

/// The wrapped-key decoder and HPKE unwrap.
pub fn wrapped_key(data: &[u8]) {
    if let Ok(wrapped) = WrappedKey::from_bytes(data) {
        assert_eq!(&wrapped.as_bytes()[..], data);
        let identity = X25519Identity::new([7u8; 32].into());
        let _ = identity.unwrap(&wrapped, b"fuzz");
    }
}

/// Address and share-code parsers.
pub fn bech32_strings(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(address) = text.parse::<Address>() {
        assert_eq!(address.to_string().parse::<Address>().ok(), Some(address));
    }
    if let Ok(code) = text.parse::<ShareCode>() {
        assert_eq!(code.to_string().parse::<ShareCode>().ok(), Some(code));
    }
}

/// The recovery-phrase parser.
pub fn mnemonic(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(phrase) = RecoveryPhrase::parse(text) {
        let again = RecoveryPhrase::parse(&phrase.words());
        assert_eq!(again.ok().map(|p| *p.entropy()), Some(*phrase.entropy()));
    }
}
