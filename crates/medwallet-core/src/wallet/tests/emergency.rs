//! Emergency access: the patient prepares a set under an account of its own; a registered
//! clinician asks with a reason, opens it once the validators released a quorum of shares, and
//! the patient sees the red entry; refused: a non-clinician, a patient with no set, too few
//! shares, a forged share, a request past its 24 hours.

use medledger_types::codec::Canonical;
use medledger_types::emergency::EMERGENCY_ACCESS_MS;
use medledger_types::state::StateKey;
use medwallet_crypto::Bech32Address;

use super::*;
use crate::emergency::EmergencyContact;

pub(super) fn sister() -> EmergencyContact {
    EmergencyContact {
        name: "Ana Hintz".into(),
        relationship: "sister".into(),
        phone: "+1 555 0100".into(),
    }
}

/// A patient with allergies and medications and an emergency set; returns the set's code.
pub(super) fn prepared(w: &mut World) -> String {
    w.issue_history("allergies_and_medications.json");
    let keys = w.ledger.emergency_keys();
    let set = block_on(
        w.patient
            .set_emergency(&w.ledger, &keys, &[sister()], &mut w.rng),
    )
    .expect("set");
    assert_eq!((set.threshold, set.validators), (1, 1));
    set.code
}

pub(super) fn account_of(code: &str) -> Address {
    code.parse::<Bech32Address>().expect("code").account()
}

#[test]
fn a_clinician_opens_the_allergies_and_the_patient_sees_the_red_entry() {
    let mut w = world();
    let code = prepared(&mut w);
    // The set lives under an account of its own, not the one the clinic issues to.
    let emergency = account_of(&code);
    assert_ne!(emergency, w.patient.own_account(0).address);
    let again = block_on(w.patient.emergency_set(&w.ledger))
        .expect("read")
        .expect("set");
    assert_eq!(again.code, code);
    // The patient (any device: a restore from the words) sees what a clinician would read.
    let restored = wallet(&w.ledger, PATIENT, Arc::default());
    block_on(restored.sync(&w.ledger, &mut quiet(), &mut w.rng)).expect("sync");
    let preview = block_on(restored.emergency_preview(&w.ledger))
        .expect("preview")
        .expect("a set");
    let preview = String::from_utf8(preview).expect("utf8");
    assert!(preview.contains("AllergyIntolerance") && preview.contains("Ana Hintz"));

    let request = block_on(w.doctor.request_emergency(
        &w.ledger,
        &emergency,
        "unconscious after a fall, ED St Mary",
        &mut w.rng,
    ))
    .expect("request");
    // No share is out yet: the clinician waits.
    assert!(matches!(
        block_on(w.doctor.open_emergency(&w.ledger, &request.request)),
        Err(WalletError::EmergencyWaiting {
            got: 0,
            needed: 1,
            ..
        })
    ));
    w.ledger
        .release_emergency_share(&request.request, false)
        .expect("released");
    let opened = block_on(w.doctor.open_emergency(&w.ledger, &request.request)).expect("open");
    let text = String::from_utf8(opened.bundle).expect("utf8");
    medwallet_fhir::validate(text.as_bytes()).expect("valid FHIR R4");
    assert!(text.contains("AllergyIntolerance") && text.contains("Ana Hintz"));
    assert!(text.contains("Emergency summary"));

    // The patient's red entry: who, which clinic, the reason, when.
    let accesses = block_on(w.patient.emergency_accesses(&w.ledger)).expect("accesses");
    assert_eq!(accesses.len(), 1);
    let entry = &accesses[0];
    assert_eq!(entry.clinician_name, "Dr. Grey");
    assert_eq!(entry.clinic_name, "Memory Clinic");
    assert_eq!(
        entry.reason.as_deref(),
        Some("unconscious after a fall, ED St Mary")
    );
    assert!(entry.opened());
    assert_eq!(entry.ends_at_ms, entry.at_ms + EMERGENCY_ACCESS_MS);

    // After 24 hours the clinician's wallet opens nothing more.
    w.ledger
        .now
        .fetch_add(EMERGENCY_ACCESS_MS, Ordering::SeqCst);
    assert!(matches!(
        block_on(w.doctor.open_emergency(&w.ledger, &request.request)),
        Err(WalletError::EmergencyEnded { .. })
    ));
}

#[test]
fn a_patient_or_a_set_less_account_gets_nothing_and_a_forged_share_is_named() {
    let mut w = world();
    // No set yet: refused before anything is signed.
    let first = w.patient.own_account(0).address;
    assert!(matches!(
        block_on(
            w.doctor
                .request_emergency(&w.ledger, &first, "fall", &mut w.rng)
        ),
        Err(WalletError::NoEmergencySet)
    ));
    let code = prepared(&mut w);
    let emergency = account_of(&code);
    // Another patient is no clinician.
    let stranger = wallet(&w.ledger, 9, Arc::default());
    block_on(stranger.register_patient(&w.ledger, &mut w.rng)).expect("register");
    assert!(matches!(
        block_on(stranger.request_emergency(&w.ledger, &emergency, "curious", &mut w.rng)),
        Err(WalletError::NotADoctor(_))
    ));

    let request = block_on(
        w.doctor
            .request_emergency(&w.ledger, &emergency, "fall", &mut w.rng),
    )
    .expect("request");
    // The validator releases a share that is not the patient's: named, and nothing opens.
    w.ledger
        .release_emergency_share(&request.request, true)
        .expect("released");
    match block_on(w.doctor.open_emergency(&w.ledger, &request.request)) {
        Err(WalletError::EmergencyWaiting { got, refused, .. }) => {
            assert_eq!((got, refused), (0, vec![0]));
        }
        other => panic!("a forged share must not open the set: {other:?}"),
    }
    // Another clinician cannot open this one's request.
    let other = wallet(&w.ledger, OTHER_DOCTOR, Arc::default());
    assert!(block_on(other.open_emergency(&w.ledger, &request.request)).is_err());
}

#[test]
fn removing_the_set_ends_requests_for_it() {
    let mut w = world();
    let code = prepared(&mut w);
    block_on(w.patient.remove_emergency(&w.ledger)).expect("removed");
    assert!(
        block_on(w.patient.emergency_set(&w.ledger))
            .expect("read")
            .is_none()
    );
    assert!(matches!(
        block_on(
            w.doctor
                .request_emergency(&w.ledger, &account_of(&code), "fall", &mut w.rng)
        ),
        Err(WalletError::NoEmergencySet)
    ));
}

/// Validators whose emergency keys come from `seeds` (as a node derives them from its key).
fn validators_of(seeds: &[u8]) -> medledger_types::validators::Validators {
    medledger_types::validators::Validators::new(
        seeds
            .iter()
            .map(|s| medledger_types::validators::Validator {
                key: medledger_types::hash::PublicKey(
                    medwallet_crypto::SigningKey::from_bytes(&[*s; 32])
                        .verifying_key()
                        .to_bytes(),
                ),
                emergency: Some(medledger_types::hash::ReceivingKey(
                    medwallet_crypto::emergency::validator_identity(&[*s; 32])
                        .to_recipient()
                        .public_bytes(),
                )),
                address: format!("127.0.0.1:{}", 9000 + u16::from(*s)),
            })
            .collect(),
    )
    .expect("validators")
}

#[test]
fn after_the_validators_change_the_set_is_sealed_again_to_the_running_ones() {
    let mut w = world();
    let code = prepared(&mut w);
    let account = account_of(&code);
    let genesis_keys = w.ledger.emergency_keys();
    let genesis = medledger_types::genesis::Genesis {
        chain_name: "memory".into(),
        timestamp_ms: 0,
        validators: medledger_types::genesis::ValidatorSet::new(vec![
            medledger_types::hash::PublicKey(
                medwallet_crypto::SigningKey::from_bytes(&[0x77; 32])
                    .verifying_key()
                    .to_bytes(),
            ),
        ])
        .expect("set"),
        clinics: Vec::new(),
        recovery_min_delay_ms: 0,
        emergency_keys: genesis_keys.clone(),
        epochs: medledger_types::epoch::Epochs::new(10).expect("epochs"),
    };
    // The same validator in the next epoch: nothing is stale.
    let same = medledger_types::validators::Validators::new(vec![
        medledger_types::validators::Validator {
            key: genesis.validators.keys()[0],
            emergency: genesis_keys.first().copied(),
            address: String::new(),
        },
    ])
    .expect("set");
    w.ledger.run_validators(&same, 10);
    assert_eq!(
        block_on(w.patient.refresh_emergency(&w.ledger, &genesis, &mut w.rng)).expect("refresh"),
        None
    );

    // Two other validators run now: the set sealed to the one before is sealed again.
    w.ledger.run_validators(&validators_of(&[31, 32, 33]), 10);
    let set = block_on(w.patient.refresh_emergency(&w.ledger, &genesis, &mut w.rng))
        .expect("refresh")
        .expect("sealed again");
    assert_eq!((set.code.clone(), set.validators), (code.clone(), 3));
    let stored = medledger_types::emergency::EmergencySet::decode(
        &w.ledger
            .state_values_at(&StateKey::emergency(&account))
            .expect("set"),
        1 << 20,
    )
    .expect("decode");
    for (i, seed) in [31u8, 32, 33].iter().enumerate() {
        let slot = &stored.shares[i];
        medwallet_crypto::emergency::open_share(
            &medwallet_crypto::emergency::validator_identity(&[*seed; 32]),
            &account,
            &stored.id,
            i as u8,
            &slot.sealed,
            &slot.commitment,
        )
        .expect("each running validator opens its share");
    }
    // The same document, as the patient's devices show it.
    let preview = block_on(w.patient.emergency_preview(&w.ledger))
        .expect("preview")
        .expect("a set");
    assert!(
        String::from_utf8(preview)
            .expect("utf8")
            .contains("Ana Hintz")
    );
    // Sealed to the running set, it is current: nothing to do.
    assert_eq!(
        block_on(w.patient.refresh_emergency(&w.ledger, &genesis, &mut w.rng)).expect("refresh"),
        None
    );
    // A new set made with the genesis's keys in hand goes to the running validators too.
    let again =
        block_on(
            w.patient
                .set_emergency(&w.ledger, &genesis_keys, &[sister()], &mut w.rng),
        )
        .expect("set");
    assert_eq!(again.validators, 3);
}
