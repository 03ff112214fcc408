//! Emergency access: a patient's account sets its emergency set (one share per validator); only
//! a registered clinician may ask for it, and only if there is one; each validator releases its
//! share once, within 24 hours of the request; a closed account's set is gone.

use medledger_types::emergency::{
    EMERGENCY_ACCESS_MS, EmergencyRequest, EmergencyRequestId, EmergencySet, EmergencyShareSlot,
    emergency_set_id,
};

use super::*;

fn slots(n: usize) -> Vec<EmergencyShareSlot> {
    (0..n)
        .map(|i| EmergencyShareSlot {
            sealed: vec![i as u8 + 1; 150],
            commitment: Sha256Digest([i as u8; 32]),
        })
        .collect()
}

fn set_body(n: usize) -> TxBody {
    watched_set_body(n, None)
}

fn watched_set_body(n: usize, watch: Option<ReceivingKey>) -> TxBody {
    TxBody::SetEmergency {
        ciphertext_sha256: Sha256Digest([6; 32]),
        ciphertext_len: 4096,
        shares: slots(n),
        own_key: WrappedKey([3; WRAPPED_KEY_LEN]),
        watch,
    }
}

fn request_body(patient: u8) -> TxBody {
    TxBody::EmergencyRequest {
        patient: addr(&key(patient)),
        reason: vec![1; 100],
    }
}

fn share_body(request: EmergencyRequestId) -> TxBody {
    TxBody::EmergencyShare {
        request,
        sealed: vec![2; 150],
    }
}

fn get<T: Canonical>(w: &World, key: &StateKey) -> Option<T> {
    w.state
        .0
        .get(key)
        .map(|b| T::decode(b, MAX_VALUE_LEN).expect("value"))
}

/// The patient sets a set; returns its id.
fn set(w: &mut World) -> RecordId {
    let id = emergency_set_id(&addr(&key(PATIENT)), w.nonce(&key(PATIENT)));
    w.ok(PATIENT, set_body(4));
    id
}

/// The doctor asks; returns the request's id.
fn request(w: &mut World) -> EmergencyRequestId {
    let id = EmergencyRequestId::derive(&addr(&key(DOCTOR)), w.nonce(&key(DOCTOR)));
    w.ok(DOCTOR, request_body(PATIENT));
    id
}

#[test]
fn a_set_has_one_share_per_validator_on_a_chain_that_offers_emergency_access() {
    let mut w = World::new();
    assert!(matches!(
        w.err(PATIENT, set_body(3)),
        TxError::OutOfRange(_)
    ));
    assert!(matches!(
        w.err(PATIENT, set_body(5)),
        TxError::OutOfRange(_)
    ));
    assert_eq!(w.err(DOCTOR, set_body(4)), TxError::NotAPatient);
    let first = set(&mut w);
    let patient = addr(&key(PATIENT));
    let stored: EmergencySet = get(&w, &StateKey::emergency(&patient)).expect("set");
    assert_eq!(stored.id, first);
    assert_eq!(stored.threshold, 3, "a quorum of 4 validators");
    assert_eq!(
        w.state.0.get(&StateKey::emergency_set(&first)),
        Some(&patient.0.to_vec())
    );

    // A new set replaces it: the old blob is nobody's set any more.
    let second = set(&mut w);
    assert_ne!(first, second);
    assert!(!w.state.0.contains_key(&StateKey::emergency_set(&first)));
    // An empty one removes it.
    w.ok(
        PATIENT,
        TxBody::SetEmergency {
            ciphertext_sha256: Sha256Digest([0; 32]),
            ciphertext_len: 0,
            shares: Vec::new(),
            own_key: WrappedKey([0; WRAPPED_KEY_LEN]),
            watch: None,
        },
    );
    assert!(!w.state.0.contains_key(&StateKey::emergency(&patient)));
    assert!(!w.state.0.contains_key(&StateKey::emergency_set(&second)));

    let mut without = World::new();
    without.emergency_access = false;
    assert_eq!(
        without.err(PATIENT, set_body(4)),
        TxError::NoEmergencyAccess
    );
}

#[test]
fn only_a_registered_clinician_asks_and_only_for_a_patient_with_a_set() {
    let mut w = World::new();
    assert_eq!(
        w.err(DOCTOR, request_body(PATIENT)),
        TxError::NoEmergencySet
    );
    set(&mut w);
    assert_eq!(
        w.err(OTHER_PATIENT, request_body(PATIENT)),
        TxError::NotAClinician
    );
    assert_eq!(w.err(CLINIC, request_body(PATIENT)), TxError::NotAClinician);
    assert_eq!(w.err(1, request_body(PATIENT)), TxError::NotAClinician);
    assert!(matches!(
        w.err(
            DOCTOR,
            TxBody::EmergencyRequest {
                patient: addr(&key(PATIENT)),
                reason: Vec::new()
            }
        ),
        TxError::OutOfRange(_)
    ));
    let id = request(&mut w);
    let stored: EmergencyRequest = get(&w, &StateKey::emergency_request(&id)).expect("request");
    let patient = addr(&key(PATIENT));
    assert_eq!(stored.clinician, addr(&key(DOCTOR)));
    assert_eq!(
        stored.clinic,
        addr(&key(CLINIC)),
        "the clinic that registered the doctor"
    );
    assert_eq!(stored.at_ms, w.now_ms);
    assert_eq!(
        w.state.0.get(&StateKey::emergency_requests(&patient, 0)),
        Some(&id.0.to_vec())
    );
    assert_eq!(
        w.state
            .0
            .get(&StateKey::emergency_access(&patient, &addr(&key(DOCTOR)))),
        Some(&id.0.to_vec())
    );
}

#[test]
fn each_validator_releases_once_within_the_window_and_nobody_else_does() {
    let mut w = World::new();
    set(&mut w);
    let id = request(&mut w);
    assert_eq!(w.err(DOCTOR, share_body(id)), TxError::NotAValidator);
    assert_eq!(w.err(PATIENT, share_body(id)), TxError::NotAValidator);
    assert_eq!(
        w.err(1, share_body(EmergencyRequestId([9; 32]))),
        TxError::UnknownEmergencyRequest
    );
    w.ok(1, share_body(id));
    assert_eq!(w.err(1, share_body(id)), TxError::AlreadyReleased);
    w.ok(3, share_body(id));
    let stored: EmergencyRequest = get(&w, &StateKey::emergency_request(&id)).expect("request");
    let positions: Vec<u8> = stored.released.iter().map(|r| r.validator).collect();
    let position = |seed: u8| {
        w.validators
            .keys()
            .iter()
            .position(|k| *k == public(&key(seed)))
            .expect("validator") as u8
    };
    assert_eq!(positions, vec![position(1), position(3)]);

    // After 24 hours no validator releases anything for it.
    w.now_ms = stored.at_ms + EMERGENCY_ACCESS_MS;
    assert_eq!(
        w.err(2, share_body(id)),
        TxError::EmergencyWindowClosed {
            ended_at_ms: stored.at_ms + EMERGENCY_ACCESS_MS
        }
    );
    // A new request opens a new window.
    let again = request(&mut w);
    w.ok(2, share_body(again));
}

#[test]
fn a_closed_account_has_no_set_and_takes_no_request() {
    let mut w = World::new();
    let id = set(&mut w);
    w.ok(
        PATIENT,
        TxBody::CloseAccount {
            account: addr(&key(PATIENT)),
        },
    );
    assert!(
        !w.state
            .0
            .contains_key(&StateKey::emergency(&addr(&key(PATIENT))))
    );
    assert!(!w.state.0.contains_key(&StateKey::emergency_set(&id)));
    assert_eq!(w.err(DOCTOR, request_body(PATIENT)), TxError::AccountClosed);
}

#[test]
fn a_watch_key_stays_with_the_first_account_that_names_it() {
    let mut w = World::new();
    let watch = ReceivingKey([42; 32]);
    let patient = addr(&key(PATIENT));
    w.ok(PATIENT, watched_set_body(4, Some(watch)));
    let stored: EmergencySet = get(&w, &StateKey::emergency(&patient)).expect("set");
    assert_eq!(stored.watch, Some(watch));
    assert_eq!(
        w.state.0.get(&StateKey::emergency_watch(&watch)),
        Some(&patient.0.to_vec())
    );
    // Another patient copying the key off the ledger would point the guardians at its own
    // account: refused, and the key still names the first.
    assert_eq!(
        w.err(OTHER_PATIENT, watched_set_body(4, Some(watch))),
        TxError::WatchKeyTaken
    );
    // The patient itself replaces its set under the same key, or removes the set: the key
    // stays bound to it, so nobody takes it over later either.
    w.ok(PATIENT, watched_set_body(4, Some(watch)));
    w.ok(
        PATIENT,
        TxBody::SetEmergency {
            ciphertext_sha256: Sha256Digest([0; 32]),
            ciphertext_len: 0,
            shares: Vec::new(),
            own_key: WrappedKey([0; WRAPPED_KEY_LEN]),
            watch: None,
        },
    );
    assert_eq!(
        w.err(OTHER_PATIENT, watched_set_body(4, Some(watch))),
        TxError::WatchKeyTaken
    );
    assert_eq!(
        w.state.0.get(&StateKey::emergency_watch(&watch)),
        Some(&patient.0.to_vec())
    );
}

#[test]
fn shares_are_released_by_the_set_they_were_sealed_to_after_the_set_changes() {
    use medledger_types::epoch::Epochs;
    use medledger_types::validators::{Validator, Validators};
    let mut w = World::new();
    w.epochs = Epochs::new(10).expect("epochs");
    // Epoch 0 runs validators 1–4: the set is sealed to them, in their order.
    let epoch0 = Validators::new(
        (1..=4)
            .map(|s| Validator {
                key: public(&key(s)),
                emergency: None,
                address: String::new(),
            })
            .collect(),
    )
    .expect("set");
    w.state
        .0
        .insert(StateKey::validators_of_epoch(0), epoch0.encode());
    set(&mut w);
    assert!(w.height < 10, "the set is made in epoch 0");
    // Epoch 1: validator 4's key was replaced by 6.
    w.height = 10;
    w.validators = ValidatorSet::new([1, 2, 3, 6].map(|s| public(&key(s))).to_vec()).expect("set");
    let id = request(&mut w);
    // 4 still holds its share of this set (and releases it); 6 holds none.
    w.ok(4, share_body(id));
    assert_eq!(w.err(6, share_body(id)), TxError::NotAValidator);
    let stored: EmergencyRequest = get(&w, &StateKey::emergency_request(&id)).expect("request");
    let position = epoch0.position(&public(&key(4))).expect("in epoch 0") as u8;
    assert_eq!(
        stored
            .released
            .iter()
            .map(|r| r.validator)
            .collect::<Vec<_>>(),
        vec![position]
    );
}
