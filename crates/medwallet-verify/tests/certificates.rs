//! The light client against certificates the real consensus made, and every way a certificate
//! or a header chain can be wrong.

use medledger_types::block::Header;
use medledger_types::certificate::Finalization;
use medledger_types::codec::Canonical;
use medledger_types::genesis::ValidatorSet;
use medledger_types::hash::{BlockHash, ChainId, PublicKey};
use medwallet_verify::chain::{validator_set_changes, verify_ancestors, verify_validator_change};
use medwallet_verify::client::{Freshness, detect_equivocation, freshness};
use medwallet_verify::{Invalid, LightClient, TrustAnchor, TrustedSet};
use serde_json::Value;

struct Recorded {
    anchor: TrustAnchor,
    /// (header bytes, certificate bytes), ascending heights.
    finalized: Vec<(Vec<u8>, Vec<u8>)>,
}

fn recorded() -> Recorded {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors/certificates/simplex-4-validators.json");
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    let keys = v["validators"]
        .as_array()
        .expect("list")
        .iter()
        .map(|k| PublicKey::from_hex(k.as_str().expect("hex")).expect("key"))
        .collect();
    let anchor = TrustAnchor {
        chain: ChainId::from_hex(v["chain_id"].as_str().expect("id")).expect("hex"),
        validators: TrustedSet::new(ValidatorSet::new(keys).expect("set")).expect("points"),
        epoch: 0,
        epochs: medledger_types::epoch::Epochs::NONE,
        checkpoint: None,
    };
    let finalized = v["finalizations"]
        .as_array()
        .expect("list")
        .iter()
        .map(|f| {
            (
                hex::decode(f["header"].as_str().expect("h")).expect("hex"),
                hex::decode(f["certificate"].as_str().expect("c")).expect("hex"),
            )
        })
        .collect();
    Recorded { anchor, finalized }
}

#[test]
fn every_recorded_certificate_verifies_and_the_client_advances() {
    let r = recorded();
    let mut client = LightClient::new(r.anchor.clone());
    for (header, cert) in &r.finalized {
        let verified = client.verify(header, cert).expect("valid certificate");
        client.apply(verified).expect("newer");
    }
    let newest = Header::decode(&r.finalized.last().expect("one").0, 1024).expect("header");
    assert_eq!(client.latest.as_ref().map(|v| *v.header()), Some(newest));
}

#[test]
fn skipping_needs_only_the_newest_certificate() {
    let r = recorded();
    let mut client = LightClient::new(r.anchor.clone());
    let (header, cert) = r.finalized.last().expect("one");
    client
        .apply(client.verify(header, cert).expect("valid"))
        .expect("apply");
    let older = &r.finalized[0];
    let verified_older = client.verify(&older.0, &older.1).expect("still valid");
    assert_eq!(
        client.apply(verified_older),
        Err(Invalid::Regression),
        "the client never goes back"
    );
}

fn reencode(cert: &[u8], f: impl FnOnce(&mut Finalization)) -> Vec<u8> {
    let mut parsed = Finalization::decode(cert).expect("decode");
    f(&mut parsed);
    parsed.encode()
}

#[test]
fn forged_short_misattributed_and_foreign_certificates_are_rejected() {
    let r = recorded();
    let client = LightClient::new(r.anchor.clone());
    let (header, cert) = &r.finalized[3];
    let (other_header, other_cert) = &r.finalized[4];

    let forged = reencode(cert, |f| f.signatures[0][10] ^= 1);
    assert_eq!(client.verify(header, &forged), Err(Invalid::BadSignature));

    let replayed = reencode(cert, |f| f.signatures[1] = f.signatures[0]);
    assert_eq!(
        client.verify(header, &replayed),
        Err(Invalid::BadSignature),
        "one validator's signature in another's slot"
    );

    let foreign_sig = reencode(cert, |f| {
        f.signatures[0] = Finalization::decode(other_cert).expect("decode").signatures[0]
    });
    assert_eq!(
        client.verify(header, &foreign_sig),
        Err(Invalid::BadSignature),
        "a signature over another block"
    );

    let short = reencode(cert, |f| {
        f.signers.truncate(2);
        f.signatures.truncate(2);
    });
    assert_eq!(
        client.verify(header, &short),
        Err(Invalid::NotEnoughSigners { got: 2, needed: 3 })
    );

    let wrong_count = reencode(cert, |f| f.validator_count = 5);
    assert_eq!(
        client.verify(header, &wrong_count),
        Err(Invalid::WrongValidatorCount {
            got: 5,
            expected: 4
        })
    );

    assert_eq!(
        client.verify(header, other_cert),
        Err(Invalid::WrongBlock),
        "a valid certificate for another header"
    );
    assert_eq!(client.verify(other_header, cert), Err(Invalid::WrongBlock));

    let mut tampered = Header::decode(header, 1024).expect("header");
    tampered.state_root.0[0] ^= 1;
    assert_eq!(
        client.verify(&tampered.encode(), cert),
        Err(Invalid::WrongBlock),
        "a header altered after finalization"
    );

    assert!(matches!(
        client.verify(&header[..10], cert),
        Err(Invalid::MalformedHeader(_))
    ));
    assert!(matches!(
        client.verify(header, &cert[..cert.len() - 1]),
        Err(Invalid::MalformedCertificate(_))
    ));
    assert!(matches!(
        client.verify(header, b"junk"),
        Err(Invalid::MalformedCertificate(_))
    ));
}

#[test]
fn another_chain_or_validator_set_is_not_trusted() {
    let r = recorded();
    let (header, cert) = &r.finalized[2];
    let other_chain = TrustAnchor {
        chain: ChainId([9; 32]),
        ..r.anchor.clone()
    };
    assert_eq!(
        LightClient::new(other_chain).verify(header, cert),
        Err(Invalid::BadSignature),
        "signatures are bound to the chain's namespace"
    );
    let mut keys = r.anchor.validators.set().keys().to_vec();
    keys[0] = PublicKey(
        ed25519_dalek::SigningKey::from_bytes(&[7; 32])
            .verifying_key()
            .to_bytes(),
    );
    let other_set = TrustAnchor {
        validators: TrustedSet::new(ValidatorSet::new(keys).expect("set")).expect("points"),
        ..r.anchor.clone()
    };
    assert_eq!(
        LightClient::new(other_set).verify(header, cert),
        Err(Invalid::UnknownValidatorSet)
    );
}

#[test]
fn a_checkpoint_refuses_older_or_conflicting_headers() {
    let r = recorded();
    let pinned = Header::decode(&r.finalized[5].0, 1024).expect("header");
    let anchor = TrustAnchor {
        checkpoint: Some((pinned.height, pinned.hash())),
        ..r.anchor.clone()
    };
    let client = LightClient::new(anchor.clone());
    assert_eq!(
        client.verify(&r.finalized[2].0, &r.finalized[2].1),
        Err(Invalid::Regression)
    );
    assert!(client.verify(&r.finalized[5].0, &r.finalized[5].1).is_ok());
    assert!(client.verify(&r.finalized[8].0, &r.finalized[8].1).is_ok());
    let conflicting = TrustAnchor {
        checkpoint: Some((pinned.height, BlockHash([1; 32]))),
        ..r.anchor
    };
    assert_eq!(
        LightClient::new(conflicting).verify(&r.finalized[5].0, &r.finalized[5].1),
        Err(Invalid::Regression)
    );
}

#[test]
fn ancestors_verify_by_parent_hash_and_a_broken_link_is_caught() {
    let r = recorded();
    let client = LightClient::new(r.anchor.clone());
    let (newest, cert) = r.finalized.last().expect("one");
    let verified = client.verify(newest, cert).expect("valid");
    let older: Vec<Vec<u8>> = r
        .finalized
        .iter()
        .rev()
        .skip(1)
        .map(|(h, _)| h.clone())
        .collect();
    let chain = verify_ancestors(&verified, &older).expect("linked");
    assert_eq!(chain.len(), older.len());
    assert!(chain.iter().all(|v| v.certificate().is_none()));
    let mut broken = older.clone();
    broken.swap(1, 2);
    assert!(matches!(
        verify_ancestors(&verified, &broken),
        Err(Invalid::BrokenChain { .. })
    ));
    let mut forged = Header::decode(&older[0], 1024).expect("header");
    forged.tx_count += 1;
    assert!(matches!(
        verify_ancestors(&verified, &[forged.encode()]),
        Err(Invalid::BrokenChain { .. })
    ));
}

#[test]
fn an_unchanged_validator_set_is_followed_as_it_is() {
    let r = recorded();
    let client = LightClient::new(r.anchor.clone());
    let verified = client
        .verify(&r.finalized[0].0, &r.finalized[0].1)
        .expect("valid");
    assert_eq!(validator_set_changes(&verified), None);
    assert_eq!(
        verify_validator_change(&verified, r.anchor.validators.set()),
        Ok(())
    );
    let next = ValidatorSet::new(vec![PublicKey([1; 32]), PublicKey([2; 32])]).expect("set");
    assert_eq!(
        verify_validator_change(&verified, &next),
        Err(Invalid::WrongValidatorChange)
    );
}

#[test]
fn stale_headers_and_equivocation_are_recognised() {
    let r = recorded();
    let client = LightClient::new(r.anchor.clone());
    let verified = client
        .verify(&r.finalized[4].0, &r.finalized[4].1)
        .expect("valid");
    let t = verified.header().timestamp_ms;
    assert_eq!(freshness(&verified, t + 1_000, 60_000), Freshness::Current);
    assert_eq!(
        freshness(&verified, t + 120_000, 60_000),
        Freshness::Stale { age_ms: 120_000 }
    );
    let other = client
        .verify(&r.finalized[5].0, &r.finalized[5].1)
        .expect("valid");
    assert_eq!(
        detect_equivocation(&verified, &other),
        None,
        "different heights"
    );
    assert_eq!(detect_equivocation(&verified, &verified.clone()), None);
}
