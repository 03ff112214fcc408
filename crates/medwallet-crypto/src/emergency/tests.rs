use rand::SeedableRng;
use rand::rngs::StdRng;

use super::*;
use crate::envelope::X25519Recipient;
use crate::{AccountKeys, RecoveryPhrase};

fn validators(n: u8) -> Vec<X25519Identity> {
    (0..n).map(|i| validator_identity(&[i + 1; 32])).collect()
}

fn recipients(ids: &[X25519Identity]) -> Vec<X25519Recipient> {
    ids.iter().map(X25519Identity::to_recipient).collect()
}

#[test]
fn a_quorum_of_released_shares_opens_the_key_and_fewer_do_not() {
    let mut rng = StdRng::seed_from_u64(1);
    let ids = validators(4);
    let clinician = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[9; 32]));
    let account = Address([1; 32]);
    let set = RecordId([2; 32]);
    let request = EmergencyRequestId([3; 32]);
    let key = ContentKey::generate(&mut rng);
    let sealed = seal_shares(&key, 3, &recipients(&ids), &account, &set, &mut rng).expect("seal");
    assert_eq!(sealed.len(), 4);

    let mut released = Vec::new();
    for (i, slot) in sealed.iter().enumerate() {
        let position = i as u8;
        let share = open_share(
            &ids[i],
            &account,
            &set,
            position,
            &slot.sealed,
            &slot.commitment,
        )
        .expect("the validator opens its share");
        let to_clinician = seal_release(
            &X25519Recipient::new(clinician.public().receiving),
            &request,
            position,
            &share,
            &mut rng,
        )
        .expect("release");
        released.push(
            open_release(
                &clinician.identity(),
                &request,
                &account,
                &set,
                position,
                &to_clinician,
                &slot.commitment,
            )
            .expect("the clinician opens it"),
        );
    }
    let back = combine_key(3, &released[1..]).expect("three shares");
    assert_eq!(*back.to_export(), *key.to_export());
    assert_eq!(
        combine_key(3, &released[..2]).err(),
        Some(EmergencyError::TooFewShares { got: 2, needed: 3 })
    );
}

#[test]
fn a_share_opens_only_for_its_validator_account_and_set() {
    let mut rng = StdRng::seed_from_u64(2);
    let ids = validators(4);
    let account = Address([1; 32]);
    let set = RecordId([2; 32]);
    let key = ContentKey::generate(&mut rng);
    let sealed = seal_shares(&key, 3, &recipients(&ids), &account, &set, &mut rng).expect("seal");
    let slot = &sealed[0];
    // Another validator.
    assert!(open_share(&ids[1], &account, &set, 0, &slot.sealed, &slot.commitment).is_err());
    // Copied into another account's set: it does not open there.
    assert_eq!(
        open_share(
            &ids[0],
            &Address([7; 32]),
            &set,
            0,
            &slot.sealed,
            &slot.commitment
        )
        .err(),
        Some(EmergencyError::Sealed)
    );
    assert!(
        open_share(
            &ids[0],
            &account,
            &RecordId([7; 32]),
            0,
            &slot.sealed,
            &slot.commitment
        )
        .is_err()
    );
    // Another position's commitment.
    assert!(
        open_share(
            &ids[0],
            &account,
            &set,
            0,
            &slot.sealed,
            &sealed[1].commitment
        )
        .is_err()
    );
}

#[test]
fn a_validator_that_releases_a_forged_share_is_named() {
    let mut rng = StdRng::seed_from_u64(3);
    let ids = validators(4);
    let clinician = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[9; 32]));
    let to_clinician = X25519Recipient::new(clinician.public().receiving);
    let account = Address([1; 32]);
    let set = RecordId([2; 32]);
    let request = EmergencyRequestId([3; 32]);
    let key = ContentKey::generate(&mut rng);
    let sealed = seal_shares(&key, 3, &recipients(&ids), &account, &set, &mut rng).expect("seal");
    let forged = SecretShare::from_bytes(&[[2u8].as_slice(), &[0xAB; 32]].concat()).expect("share");
    let lie = seal_release(&to_clinician, &request, 1, &forged, &mut rng).expect("seal");
    assert_eq!(
        open_release(
            &clinician.identity(),
            &request,
            &account,
            &set,
            1,
            &lie,
            &sealed[1].commitment
        )
        .err(),
        Some(EmergencyError::Uncommitted { validator: 1 })
    );
    // A share released for another request does not open for this one.
    let real = open_share(
        &ids[2],
        &account,
        &set,
        2,
        &sealed[2].sealed,
        &sealed[2].commitment,
    )
    .expect("open");
    let elsewhere = seal_release(
        &to_clinician,
        &EmergencyRequestId([4; 32]),
        2,
        &real,
        &mut rng,
    )
    .expect("seal");
    assert!(
        open_release(
            &clinician.identity(),
            &request,
            &account,
            &set,
            2,
            &elsewhere,
            &sealed[2].commitment
        )
        .is_err()
    );
}

#[test]
fn the_validator_key_is_its_seeds_and_the_reason_opens_for_the_account_and_its_watchers_only() {
    let mut rng = StdRng::seed_from_u64(4);
    let a = validator_identity(&[1; 32]).to_recipient();
    let again = validator_identity(&[1; 32]).to_recipient();
    let b = validator_identity(&[2; 32]).to_recipient();
    assert_eq!(a.public_bytes(), again.public_bytes());
    assert_ne!(a.public_bytes(), b.public_bytes());

    let patient = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[5; 32]));
    let other = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[6; 32]));
    let account = Address([1; 32]);
    let clinician = Address([2; 32]);
    let to_patient = X25519Recipient::new(patient.public().receiving);
    let watch = patient.emergency_watch();
    let to_watchers = X25519Recipient::new(watch.public().into());
    let reason = "unconscious after a fall";
    let sealed = seal_reason(
        &[to_patient, to_watchers],
        &account,
        &clinician,
        reason,
        &mut rng,
    )
    .expect("seal");
    assert_eq!(
        open_reason(&patient.identity(), &account, &clinician, &sealed).as_deref(),
        Ok(reason)
    );
    // A guardian holds the watch key's secret (from its share), so it reads the reason too.
    let guardian_copy = WatchKey::from_bytes(watch.as_bytes());
    assert_eq!(
        open_reason(&guardian_copy.identity(), &account, &clinician, &sealed).as_deref(),
        Ok(reason)
    );
    assert!(open_reason(&other.identity(), &account, &clinician, &sealed).is_err());
    assert!(
        open_reason(
            &other.emergency_watch().identity(),
            &account,
            &clinician,
            &sealed
        )
        .is_err(),
        "another phrase's watch key"
    );
    assert!(open_reason(&patient.identity(), &account, &Address([3; 32]), &sealed).is_err());
    // The watch key is the phrase's, not an account's: the same from every account, and
    // neither of the account's keys.
    assert_eq!(
        patient.account(7).emergency_watch().public(),
        watch.public()
    );
    assert_ne!(watch.public(), patient.public().receiving.to_bytes());

    // The longest reason, to both, fits the ledger's bound on a sealed reason.
    let longest = seal_reason(
        &[to_patient, to_watchers],
        &account,
        &clinician,
        &"x".repeat(REASON_MAX),
        &mut rng,
    )
    .expect("seal");
    assert!(longest.len() <= medledger_types::emergency::SEALED_REASON_MAX);

    let one = std::slice::from_ref(&to_patient);
    assert!(seal_reason(one, &account, &clinician, " ", &mut rng).is_err());
    assert!(seal_reason(&[], &account, &clinician, reason, &mut rng).is_err());
    assert!(
        seal_reason(
            &[to_patient, to_patient, to_patient],
            &account,
            &clinician,
            reason,
            &mut rng
        )
        .is_err()
    );
    assert!(
        seal_reason(
            one,
            &account,
            &clinician,
            &"x".repeat(REASON_MAX + 1),
            &mut rng
        )
        .is_err()
    );
    // Truncated or miscounted reasons are refused, not read past.
    let sealed = seal_reason(one, &account, &clinician, reason, &mut rng).expect("seal");
    for bad in [&[][..], &[0][..], &[3][..], &sealed[..40]] {
        assert!(open_reason(&patient.identity(), &account, &clinician, bad).is_err());
    }
    let mut miscounted = sealed.clone();
    miscounted[0] = 2;
    assert!(open_reason(&patient.identity(), &account, &clinician, &miscounted).is_err());
}
