use super::*;
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

const PW: &str = "correct horse battery";

fn phrase() -> RecoveryPhrase {
    RecoveryPhrase::from_entropy(&[0x42; 32])
}

fn sample() -> Keystore {
    let mut rng = StdRng::seed_from_u64(1);
    Keystore::create(
        &phrase(),
        PW,
        "Alice",
        KdfParams::INSECURE_FOR_TESTS,
        &mut rng,
    )
    .expect("create")
}

#[test]
fn create_encode_decode_unlock_round_trips() {
    let ks = sample();
    let bytes = ks.encode();
    assert!(bytes.len() <= MAX_FILE_LEN);
    let back = Keystore::decode(&bytes).expect("decode");
    assert_eq!(back, ks);
    assert_eq!(back.label(), "Alice");
    let unlocked = back.unlock(PW).expect("unlock");
    assert_eq!(unlocked.entropy(), phrase().entropy());
    assert_eq!(
        back.public_keys().expect("keys"),
        AccountKeys::derive(&phrase()).public()
    );
}

#[test]
fn default_parameters_are_rfc9106_second_option_and_work() {
    assert_eq!(
        KdfParams::RFC9106_SECOND,
        KdfParams {
            memory_kib: 65536,
            iterations: 3,
            parallelism: 4
        }
    );
    let mut rng = StdRng::seed_from_u64(2);
    let ks =
        Keystore::create(&phrase(), PW, "", KdfParams::RFC9106_SECOND, &mut rng).expect("create");
    let back = Keystore::decode(&ks.encode()).expect("decode");
    assert_eq!(back.params(), KdfParams::RFC9106_SECOND);
    assert!(back.unlock(PW).is_ok());
}

#[test]
fn wrong_password_is_reported_as_such() {
    assert_eq!(
        sample().unlock("not the password").err(),
        Some(KeystoreError::WrongPassword)
    );
}

#[test]
fn any_flipped_byte_is_reported_as_corruption_not_wrong_password() {
    let bytes = sample().encode();
    for i in 0..bytes.len() {
        let mut damaged = bytes.clone();
        damaged[i] ^= 0x80;
        let err = Keystore::decode(&damaged).and_then(|k| k.unlock(PW)).err();
        match err {
            Some(KeystoreError::Corrupt(_))
            | Some(KeystoreError::NotAKeystore)
            | Some(KeystoreError::UnsupportedVersion(_)) => {}
            other => panic!("byte {i}: expected a damage error, got {other:?}"),
        }
    }
}

#[test]
fn truncation_is_corruption() {
    let bytes = sample().encode();
    for len in [9, 10, 40, bytes.len() - 1] {
        assert!(
            matches!(
                Keystore::decode(&bytes[..len]),
                Err(KeystoreError::Corrupt(_))
            ),
            "len {len}"
        );
    }
}

#[test]
fn other_files_are_not_keystores() {
    assert_eq!(
        Keystore::decode(b"{\"json\": true}").err(),
        Some(KeystoreError::NotAKeystore)
    );
    assert_eq!(
        Keystore::decode(b"").err(),
        Some(KeystoreError::NotAKeystore)
    );
}

#[test]
fn a_newer_version_is_named() {
    let mut bytes = sample().encode();
    bytes[8..10].copy_from_slice(&7u16.to_be_bytes());
    assert_eq!(
        Keystore::decode(&bytes).err(),
        Some(KeystoreError::UnsupportedVersion(7))
    );
}

#[test]
fn oversized_files_are_rejected_before_parsing() {
    let mut bytes = sample().encode();
    bytes.resize(MAX_FILE_LEN + 1, 0);
    assert!(matches!(
        Keystore::decode(&bytes),
        Err(KeystoreError::Corrupt(_))
    ));
}

#[test]
fn hostile_cost_parameters_are_refused() {
    let huge = KdfParams {
        memory_kib: u32::MAX,
        iterations: 3,
        parallelism: 4,
    };
    assert!(matches!(huge.check(), Err(KeystoreError::BadParams(_))));
    let zero_t = KdfParams {
        memory_kib: 1024,
        iterations: 0,
        parallelism: 1,
    };
    assert!(matches!(zero_t.check(), Err(KeystoreError::BadParams(_))));
    let zero_p = KdfParams {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 0,
    };
    assert!(matches!(zero_p.check(), Err(KeystoreError::BadParams(_))));
    let mut rng = StdRng::seed_from_u64(3);
    assert!(matches!(
        Keystore::create(&phrase(), PW, "", huge, &mut rng),
        Err(KeystoreError::BadParams(_))
    ));
}

#[test]
fn hostile_parameters_in_a_file_with_a_valid_checksum_are_refused() {
    let mut bytes = sample().encode();
    bytes[11..15].copy_from_slice(&u32::MAX.to_be_bytes());
    let body_len = bytes.len() - 32;
    let digest = <sha2::Sha256 as sha2::Digest>::digest(&bytes[..body_len]);
    bytes[body_len..].copy_from_slice(&digest);
    assert!(matches!(
        Keystore::decode(&bytes),
        Err(KeystoreError::BadParams(_))
    ));
}

#[test]
fn mismatched_public_keys_are_detected_on_unlock() {
    let mut other = sample();
    other.fields.signing_public = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[1; 32]))
        .public()
        .signing
        .to_bytes();
    // Re-encode so the checksum is valid; the AEAD's associated data now differs as well,
    // which is caught first: a spliced file never opens.
    let spliced = Keystore::decode(&other.encode()).expect("framing valid");
    assert!(spliced.unlock(PW).is_err());
}

#[test]
fn short_password_and_long_label_are_refused() {
    let mut rng = StdRng::seed_from_u64(4);
    assert_eq!(
        Keystore::create(
            &phrase(),
            "short",
            "",
            KdfParams::INSECURE_FOR_TESTS,
            &mut rng
        )
        .err(),
        Some(KeystoreError::PasswordTooShort)
    );
    let label = "x".repeat(65);
    assert_eq!(
        Keystore::create(
            &phrase(),
            PW,
            &label,
            KdfParams::INSECURE_FOR_TESTS,
            &mut rng
        )
        .err(),
        Some(KeystoreError::LabelTooLong)
    );
}

#[test]
fn change_password_keeps_the_phrase() {
    let mut rng = StdRng::seed_from_u64(5);
    let ks = sample();
    let new = ks
        .change_password(
            PW,
            "a much better password",
            KdfParams::INSECURE_FOR_TESTS,
            &mut rng,
        )
        .expect("change");
    assert_eq!(
        new.unlock("a much better password")
            .expect("unlock")
            .entropy(),
        phrase().entropy()
    );
    assert_eq!(new.unlock(PW).err(), Some(KeystoreError::WrongPassword));
    assert_eq!(
        ks.change_password(
            "wrong password",
            "x".repeat(10).as_str(),
            KdfParams::INSECURE_FOR_TESTS,
            &mut rng
        )
        .err(),
        Some(KeystoreError::WrongPassword)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn round_trips_for_any_entropy_label_and_password(
        entropy in any::<[u8; 32]>(),
        label in "[a-zA-Z0-9 éü]{0,20}",
        password in ".{8,40}",
        seed in any::<u64>(),
    ) {
        let mut rng = StdRng::seed_from_u64(seed);
        let phrase = RecoveryPhrase::from_entropy(&entropy);
        let ks = Keystore::create(&phrase, &password, &label, KdfParams::INSECURE_FOR_TESTS, &mut rng).expect("create");
        let back = Keystore::decode(&ks.encode()).expect("decode");
        prop_assert_eq!(back.label(), label.as_str());
        let unlocked = back.unlock(&password).expect("unlock");
        prop_assert_eq!(unlocked.entropy(), &entropy);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Keystore::decode(&bytes);
    }
}

#[test]
fn costs_are_raised_never_lowered() {
    let low = KdfParams {
        memory_kib: 1024,
        iterations: 5,
        parallelism: 1,
    };
    let raised = low.at_least(KdfParams::RFC9106_SECOND);
    assert_eq!(
        raised,
        KdfParams {
            memory_kib: 65536,
            iterations: 5,
            parallelism: 4
        }
    );
    assert!(raised.check().is_ok());
}
