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
use medwallet_crypto::{Bech32Address, Keystore, RecoveryPhrase, ShareCode};
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
        .ok()
        .and_then(|w| identity.unwrap(&w, VECTOR_RECORD_ID).ok())
        .ok_or(())
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
    if let Ok(address) = text.parse::<Bech32Address>() {
        assert_eq!(
            address.to_string().parse::<Bech32Address>().ok(),
            Some(address)
        );
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

/// The ledger's transaction decoder (what every node accepts from the network).
pub fn signed_tx(data: &[u8]) {
    use medledger_types::codec::Canonical;
    use medledger_types::tx::{MAX_TX_LEN, SignedTx};
    if let Ok(tx) = SignedTx::decode(data, MAX_TX_LEN) {
        assert_eq!(tx.encode(), data, "transaction encoding is canonical");
    }
}

/// A grant's terms, as a grantee's or patient's wallet opens them (the padded plaintext), and the
/// sealed pair as the ledger holds it: each decoder refuses or round-trips exactly.
pub fn grant_terms(data: &[u8]) {
    use medledger_types::codec::Canonical;
    use medledger_types::grant::{GrantTerms, SealedTerms, TERMS_LEN};
    if let Ok(terms) = GrantTerms::from_padded(data) {
        assert_eq!(
            terms.to_padded().ok().as_deref(),
            Some(data),
            "terms are canonical"
        );
        assert_eq!(data.len(), TERMS_LEN);
    }
    if let Ok(sealed) = SealedTerms::decode(data, 4096) {
        assert_eq!(sealed.encode(), data, "sealed terms are canonical");
    }
}

/// The erasure state values a wallet reads (an erased record's tombstone, a node's receipt).
pub fn erasure_values(data: &[u8]) {
    use medledger_types::codec::Canonical;
    use medledger_types::erasure::{ErasedRecord, ErasureReceipt};
    if let Ok(erased) = ErasedRecord::decode(data, 4096) {
        assert_eq!(erased.encode(), data, "erased records are canonical");
    }
    if let Ok(receipt) = ErasureReceipt::decode(data, 4096) {
        assert_eq!(receipt.encode(), data, "erasure receipts are canonical");
    }
}

/// The guardian-recovery state values a wallet reads (a guardian set, a recovery) and a share
/// as a device parses it after opening.
pub fn recovery_values(data: &[u8]) {
    use medledger_types::codec::Canonical;
    use medledger_types::recovery::{GuardianSet, Recovery};
    if let Ok(set) = GuardianSet::decode(data, 1 << 16) {
        assert_eq!(set.encode(), data, "guardian sets are canonical");
    }
    if let Ok(recovery) = Recovery::decode(data, 1 << 16) {
        assert_eq!(recovery.encode(), data, "recoveries are canonical");
        let _ = recovery.effective(u64::MAX);
    }
    if let Ok(share) = medwallet_crypto::guardian::EntropyShare::from_bytes(data) {
        assert_eq!(share.as_bytes().as_slice(), data);
        let _ = medwallet_crypto::guardian::combine_entropy(1, &[share]);
    }
}

/// The emergency-access state decoders (an account's set, a clinician's request), and a
/// validator's share and a clinician's combination of it.
pub fn emergency_values(data: &[u8]) {
    use medledger_types::codec::Canonical;
    use medledger_types::emergency::{EmergencyRequest, EmergencySet};
    if let Ok(set) = EmergencySet::decode(data, 1 << 16) {
        assert_eq!(set.encode(), data, "emergency sets are canonical");
    }
    if let Ok(request) = EmergencyRequest::decode(data, 1 << 16) {
        assert_eq!(request.encode(), data, "emergency requests are canonical");
        let _ = request.open_at(u64::MAX);
    }
    if let Ok(share) = medwallet_crypto::shamir::SecretShare::from_bytes(data) {
        assert_eq!(share.as_bytes().as_slice(), data);
        let _ = medwallet_crypto::shamir::combine(1, &[share]);
    }
    // A sealed reason (its recipient count and wrapped keys are read before any key is tried).
    let reader = medwallet_crypto::emergency::WatchKey::from_bytes(&[7; 32]).identity();
    let address = medledger_types::hash::Address([0; 32]);
    let _ = medwallet_crypto::emergency::open_reason(&reader, &address, &address, data);
}

/// What a device join reads from the nodes' mailbox and from the person: a code as typed, the
/// open device's SPAKE2 message, the new device's answer, a sealed phrase.
pub fn device_join(data: &[u8]) {
    use medwallet_crypto::device_join::{JoinCode, OldDevice, answer};
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(code) = JoinCode::parse(text)
    {
        assert_eq!(JoinCode::parse(&code.to_string()).as_ref(), Ok(&code));
    }
    let code = JoinCode::generate(&mut rng);
    if let Ok((session, _)) = answer(&code, data, &mut rng) {
        let _ = session.open_phrase(data);
    }
    let (old, _) = OldDevice::start(&code, &mut rng);
    assert!(
        old.finish(data).is_err(),
        "an answer nobody made with the code"
    );
}

/// The block decoder (what marshal hands the node from peers).
pub fn block(data: &[u8]) {
    use medledger_types::block::{Block, MAX_BLOCK_LEN};
    use medledger_types::codec::Canonical;
    if let Ok(block) = Block::decode(data, MAX_BLOCK_LEN) {
        assert_eq!(block.encode(), data, "block encoding is canonical");
        let _ = block.body_matches_header();
    }
}

/// The finalization-certificate decoder and the light client's check against a recorded
/// validator set and header.
pub fn finalization(data: &[u8]) {
    use medledger_types::certificate::Finalization;
    if let Ok(f) = Finalization::decode(data) {
        assert_eq!(f.encode(), data, "certificate encoding is canonical");
    }
    let (set, namespace, header) = fixture_anchor();
    let _ = medwallet_verify::certificate::verify_finalization(set, namespace, header, data);
}

/// The `x-medwallet-auth` header parser.
pub fn auth_header(data: &[u8]) {
    use medledger_types::blob_request::Auth;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(auth) = Auth::parse(text) {
        assert_eq!(Auth::parse(&auth.to_header()), Ok(auth));
    }
}

/// The state-proof decoder and verifier, against the recorded header's state root.
pub fn state_proof(data: &[u8]) {
    use medledger_types::state::StateKey;
    let (_, _, header_bytes) = fixture_anchor();
    let Ok(header) = <medledger_types::block::Header as medledger_types::codec::Canonical>::decode(
        header_bytes,
        1024,
    ) else {
        return;
    };
    let root = header.state_root;
    let key = StateKey(b"account/".to_vec());
    let _ = medwallet_verify::proof::verify_value_at_root(&root, &key, None, data);
    let _ = medwallet_verify::proof::verify_value_at_root(&root, &key, Some(b"value"), data);
}

/// The recorded Simplex fixture's validator set, namespace and newest header.
fn fixture_anchor() -> &'static (medwallet_verify::TrustedSet, Vec<u8>, Vec<u8>) {
    static ANCHOR: std::sync::OnceLock<(medwallet_verify::TrustedSet, Vec<u8>, Vec<u8>)> =
        std::sync::OnceLock::new();
    ANCHOR.get_or_init(|| {
        let fixture: serde_json::Value = serde_json::from_str(include_str!(
            "../../tests/vectors/certificates/simplex-4-validators.json"
        ))
        .expect("committed fixture is JSON");
        let hex =
            |v: &serde_json::Value| hex::decode(v.as_str().expect("hex string")).expect("hex");
        let chain = medledger_types::hash::ChainId::from_hex(
            fixture["chain_id"].as_str().expect("chain id"),
        )
        .expect("chain id hex");
        let keys = fixture["validators"]
            .as_array()
            .expect("validators")
            .iter()
            .map(|k| {
                medledger_types::hash::PublicKey::from_hex(k.as_str().expect("key"))
                    .expect("key hex")
            })
            .collect();
        let set = medwallet_verify::TrustedSet::new(
            medledger_types::genesis::ValidatorSet::new(keys).expect("set"),
        )
        .expect("points");
        let header = hex(&fixture["finalizations"]
            .as_array()
            .expect("list")
            .last()
            .expect("one")["header"]);
        (
            set,
            medledger_types::certificate::consensus_namespace(&chain),
            header,
        )
    })
}

/// The SMART Health Link decoder (bare or behind a viewer URL): what parses re-encodes to a link
/// that parses to the same value.
pub fn shl_link(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(link) = medwallet_shl::ShlPayload::decode(text) {
        assert_eq!(
            medwallet_shl::ShlPayload::decode(&link.encode()).ok(),
            Some(link),
            "a link re-encodes to itself"
        );
    }
}

/// The key of the SMART Health Links spec's example file (`tests/vectors/shl`), so mutations
/// of that file reach the AEAD and the inflater instead of stopping at the header.
pub const SHL_VECTOR_KEY: &str = "rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q";

/// The SMART Health Link file decoder: compact JWE parsing, AES-GCM, bounded inflate.
pub fn shl_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(key) = medwallet_shl::LinkKey::decode(SHL_VECTOR_KEY) {
        let _ = medwallet_shl::jwe::decrypt(&key, text);
    }
}
