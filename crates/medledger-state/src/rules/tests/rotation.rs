//! Key rotation: the account keeps its address and everything under it while a new key signs
//! for it; the old key is refused from that block on, a key can speak for one account only,
//! and a new key must consent. Rewrapping replaces only the patient's own records' keys.

use medledger_types::tx::rotation_consent_message;

use super::*;

const NEW: u8 = 22;
const NEWER: u8 = 23;

/// `new`'s consent to take over `account` with receiving key `receiving`.
pub(super) fn rotate_body(account: &Address, new: u8, receiving: ReceivingKey) -> TxBody {
    let signing = public(&key(new));
    let message = rotation_consent_message(&TEST_CHAIN, account, &signing, &receiving);
    TxBody::RotateKeys {
        signing,
        receiving,
        consent: medwallet_crypto::sign(&key(new), Namespace::ROTATION, &message).to_bytes(),
    }
}

fn account(w: &World, seed: u8) -> Account {
    let bytes = w
        .state
        .0
        .get(&StateKey::account(&addr(&key(seed))))
        .expect("registered");
    Account::decode(bytes, MAX_VALUE_LEN).expect("account")
}

#[test]
fn a_rotated_account_keeps_its_address_and_refuses_its_old_key() {
    let mut w = World::new();
    let record = w.issue(PATIENT);
    let patient = addr(&key(PATIENT));
    w.ok(PATIENT, rotate_body(&patient, NEW, ReceivingKey([42; 32])));

    let entry = account(&w, PATIENT);
    assert_eq!(entry.kind, AccountKind::Patient);
    assert_eq!(entry.signing, public(&key(NEW)));
    assert_eq!(entry.receiving, ReceivingKey([42; 32]));
    assert_eq!(
        account_of_key(&w.state, &public(&key(NEW))).expect("read"),
        patient
    );

    // The old key is refused for everything, registering anew included.
    let err = w.err(
        PATIENT,
        TxBody::Revoke {
            grant: GrantId([1; 32]),
        },
    );
    assert_eq!(err, TxError::KeyRetired);
    let err = w.err(
        PATIENT,
        TxBody::RegisterPatient {
            receiving: ReceivingKey([2; 32]),
        },
    );
    assert_eq!(err, TxError::KeyRetired);

    // The new key acts for the account: its grant is the account's, under an id of its own.
    let id = GrantId::derive(&addr(&key(NEW)), w.nonce(&key(NEW)));
    w.ok(
        NEW,
        TxBody::Grant {
            grantee: addr(&key(DOCTOR)),
            scope: Scope::Records(vec![record]),
            expires_at_ms: None,
            keys: vec![rk(record)],
            terms: SealedTerms::default(),
        },
    );
    let grant: GrantEntry = GrantEntry::decode(
        w.state.0.get(&StateKey::grant(&id)).expect("grant"),
        MAX_VALUE_LEN,
    )
    .expect("entry");
    assert_eq!(grant.patient, patient);
    // A clinic still issues to the account's address; registering the new key is refused.
    w.issue(PATIENT);
    let err = w.err(
        NEW,
        TxBody::RegisterPatient {
            receiving: ReceivingKey([2; 32]),
        },
    );
    assert_eq!(err, TxError::AlreadyRegistered);
}

#[test]
fn a_key_rotated_out_again_stays_refused_and_no_key_comes_back() {
    let mut w = World::new();
    let patient = addr(&key(PATIENT));
    w.ok(PATIENT, rotate_body(&patient, NEW, ReceivingKey([42; 32])));
    w.ok(NEW, rotate_body(&patient, NEWER, ReceivingKey([43; 32])));
    let body = revoke_any_as(&mut w, NEWER);
    assert_eq!(w.err(NEW, body), TxError::KeyRetired);
    for back in [PATIENT, NEW] {
        let err = w.err(NEWER, rotate_body(&patient, back, ReceivingKey([44; 32])));
        assert_eq!(err, TxError::KeyInUse, "key {back} must not come back");
    }
}

fn revoke_any_as(w: &mut World, signer: u8) -> TxBody {
    let id = GrantId::derive(&addr(&key(signer)), w.nonce(&key(signer)));
    w.ok(
        signer,
        TxBody::Grant {
            grantee: addr(&key(DOCTOR)),
            scope: Scope::Open,
            expires_at_ms: None,
            keys: vec![],
            terms: SealedTerms::default(),
        },
    );
    TxBody::Revoke { grant: id }
}

#[test]
fn a_rotation_needs_the_new_keys_consent_for_this_account() {
    let mut w = World::new();
    let patient = addr(&key(PATIENT));
    let other = addr(&key(OTHER_PATIENT));
    // Signed by another key than the one taken in.
    let TxBody::RotateKeys {
        receiving, consent, ..
    } = rotate_body(&patient, NEWER, ReceivingKey([42; 32]))
    else {
        unreachable!()
    };
    let forged = TxBody::RotateKeys {
        signing: public(&key(NEW)),
        receiving,
        consent,
    };
    assert_eq!(w.err(PATIENT, forged), TxError::NoRotationConsent);
    // A consent given for another account.
    let err = w.err(PATIENT, rotate_body(&other, NEW, ReceivingKey([42; 32])));
    assert_eq!(err, TxError::NoRotationConsent);
    // A consent to other receiving keys than those named.
    let TxBody::RotateKeys {
        signing, consent, ..
    } = rotate_body(&patient, NEW, ReceivingKey([42; 32]))
    else {
        unreachable!()
    };
    let swapped = TxBody::RotateKeys {
        signing,
        receiving: ReceivingKey([66; 32]),
        consent,
    };
    assert_eq!(w.err(PATIENT, swapped), TxError::NoRotationConsent);
}

#[test]
fn a_key_speaks_for_one_account_only() {
    let mut w = World::new();
    let patient = addr(&key(PATIENT));
    let other = addr(&key(OTHER_PATIENT));
    // Another account's key, a doctor's, the account's own.
    for taken in [OTHER_PATIENT, DOCTOR, PATIENT] {
        let err = w.err(
            PATIENT,
            rotate_body(&patient, taken, ReceivingKey([42; 32])),
        );
        assert_eq!(err, TxError::KeyInUse, "key {taken}");
    }
    w.ok(PATIENT, rotate_body(&patient, NEW, ReceivingKey([42; 32])));
    let err = w.err(
        OTHER_PATIENT,
        rotate_body(&other, NEW, ReceivingKey([42; 32])),
    );
    assert_eq!(err, TxError::KeyInUse, "a key another account took in");
    // Nor can a rotated-in key be made a grantee, as if it were nobody's.
    let err = w.err(
        OTHER_PATIENT,
        TxBody::Grant {
            grantee: addr(&key(NEW)),
            scope: Scope::Open,
            expires_at_ms: None,
            keys: vec![],
            terms: SealedTerms::default(),
        },
    );
    assert_eq!(err, TxError::NotADoctor);
    let err = w.err(
        CLINIC,
        doctor_body(CLINIC, NEW, ReceivingKey([4; 32]), "Dr. New", "MD-9"),
    );
    assert_eq!(err, TxError::AlreadyRegistered);
}

#[test]
fn rewrapping_replaces_only_the_patients_own_record_keys() {
    let mut w = World::new();
    let mine = w.issue(PATIENT);
    let theirs = w.issue(OTHER_PATIENT);
    let patient = addr(&key(PATIENT));
    w.ok(PATIENT, rotate_body(&patient, NEW, ReceivingKey([42; 32])));
    let new_key = RecordKey {
        record: mine,
        wrapped_key: WrappedKey([77; WRAPPED_KEY_LEN]),
    };
    let body = TxBody::RewrapRecords {
        keys: vec![new_key],
    };
    assert_eq!(w.err(PATIENT, body.clone()), TxError::KeyRetired);
    w.ok(NEW, body);
    let entry = RecordEntry::decode(
        w.state.0.get(&StateKey::record(&mine)).expect("record"),
        MAX_VALUE_LEN,
    )
    .expect("entry");
    assert_eq!(entry.wrapped_key, WrappedKey([77; WRAPPED_KEY_LEN]));
    assert_eq!(entry.patient, patient);

    let err = w.err(
        NEW,
        TxBody::RewrapRecords {
            keys: vec![rk(theirs)],
        },
    );
    assert_eq!(err, TxError::NotYourRecord(theirs.to_hex()));
    let err = w.err(
        NEW,
        TxBody::RewrapRecords {
            keys: vec![rk(mine), rk(mine)],
        },
    );
    assert_eq!(err, TxError::DuplicateKey(mine.to_hex()));
    let err = w.err(NEW, TxBody::RewrapRecords { keys: vec![] });
    assert_eq!(err, TxError::OutOfRange("no keys to rewrap"));
    // A clinic holds no records of its own to rewrap.
    let err = w.err(
        CLINIC,
        TxBody::RewrapRecords {
            keys: vec![rk(mine)],
        },
    );
    assert_eq!(err, TxError::NotAPatient);
}
