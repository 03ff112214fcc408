//! Guardian recovery: who may name guardians, start, approve, decline, cancel and release; the
//! delay between the threshold's approval and any share's release; and what a rotation ends.

use medledger_types::recovery::{Guardian, GuardianSet, Recovery, RecoveryStatus};

use super::rotation::rotate_body;
use super::*;

const DEVICE: u8 = 50;
const OTHER_DEVICE: u8 = 51;
const STRANGER: u8 = 52;
/// The guardians: another patient, a doctor and the clinic (all registered accounts).
const GUARDIANS: [u8; 3] = [OTHER_PATIENT, DOCTOR, CLINIC];
const DELAY_MS: u64 = 3_600_000;

fn set_body(guardians: &[u8], threshold: u8, delay_ms: u64) -> TxBody {
    TxBody::SetGuardians {
        guardians: guardians
            .iter()
            .map(|g| Guardian {
                account: addr(&key(*g)),
                sealed_share: vec![*g; 120],
            })
            .collect(),
        threshold,
        delay_ms,
        sealed_note: vec![1; 40],
    }
}

fn patient() -> Address {
    addr(&key(PATIENT))
}

fn start_body() -> TxBody {
    TxBody::StartRecovery {
        account: patient(),
        device_receiving: ReceivingKey([DEVICE; 32]),
    }
}

fn approve(device: u8) -> TxBody {
    TxBody::ApproveRecovery {
        account: patient(),
        device: public(&key(device)),
    }
}

fn release(device: u8) -> TxBody {
    TxBody::ReleaseShare {
        account: patient(),
        device: public(&key(device)),
        sealed: vec![9; 100],
    }
}

fn recovery(w: &World) -> Recovery {
    let bytes = w
        .state
        .0
        .get(&StateKey::recovery(&patient()))
        .expect("a recovery");
    Recovery::decode(bytes, MAX_VALUE_LEN).expect("recovery")
}

/// Two of three guardians, an hour's delay, and a device that asked.
fn started() -> World {
    let mut w = World::new();
    w.ok(PATIENT, set_body(&GUARDIANS, 2, DELAY_MS));
    w.ok(DEVICE, start_body());
    w
}

#[test]
fn guardians_are_registered_accounts_other_than_the_patient_and_the_delay_is_the_chains_at_least() {
    let mut w = World::new();
    let err = w.err(PATIENT, set_body(&[OTHER_PATIENT, STRANGER], 1, DELAY_MS));
    assert_eq!(err, TxError::UnknownGuardian(addr(&key(STRANGER)).to_hex()));
    let err = w.err(PATIENT, set_body(&[OTHER_PATIENT, PATIENT], 1, DELAY_MS));
    assert_eq!(err, TxError::UnknownGuardian(patient().to_hex()));
    let err = w.err(PATIENT, set_body(&[DOCTOR, DOCTOR], 1, DELAY_MS));
    assert_eq!(err, TxError::UnknownGuardian(addr(&key(DOCTOR)).to_hex()));
    assert!(matches!(
        w.err(PATIENT, set_body(&GUARDIANS, 4, DELAY_MS)),
        TxError::OutOfRange(_)
    ));
    assert!(matches!(
        w.err(PATIENT, set_body(&GUARDIANS, 0, DELAY_MS)),
        TxError::OutOfRange(_)
    ));
    assert_eq!(
        w.err(PATIENT, set_body(&GUARDIANS, 2, RECOVERY_MIN_DELAY_MS - 1)),
        TxError::RecoveryDelayTooShort {
            min_ms: RECOVERY_MIN_DELAY_MS
        }
    );
    // Only a patient names guardians.
    assert_eq!(
        w.err(DOCTOR, set_body(&[OTHER_PATIENT], 1, DELAY_MS)),
        TxError::NotAPatient
    );

    w.ok(PATIENT, set_body(&GUARDIANS, 2, RECOVERY_MIN_DELAY_MS));
    let set: GuardianSet = GuardianSet::decode(
        w.state
            .0
            .get(&StateKey::guardians(&patient()))
            .expect("set"),
        MAX_VALUE_LEN,
    )
    .expect("decode");
    assert_eq!(set.threshold, 2);
    assert_eq!(set.position(&addr(&key(CLINIC))), Some(2));
    // Each guardian finds the accounts it guards.
    for g in GUARDIANS {
        let guardian = addr(&key(g));
        assert_eq!(
            w.state.0.get(&StateKey::guarding(&guardian, 0)),
            Some(&patient().0.to_vec())
        );
    }
    // An empty list removes them.
    w.ok(PATIENT, set_body(&[], 0, 0));
    assert!(!w.state.0.contains_key(&StateKey::guardians(&patient())));
    assert_eq!(w.err(DEVICE, start_body()), TxError::NoGuardians);
}

#[test]
fn a_recovery_needs_the_threshold_of_guardians_then_the_delay_before_any_share_is_released() {
    let mut w = started();
    // A second recovery while one is pending is refused.
    let second = TxBody::StartRecovery {
        account: patient(),
        device_receiving: ReceivingKey([OTHER_DEVICE; 32]),
    };
    assert_eq!(w.err(OTHER_DEVICE, second), TxError::RecoveryPending);
    // An approval by a non-guardian, or for another device, is refused.
    assert_eq!(w.err(STRANGER, approve(DEVICE)), TxError::NotAGuardian);
    assert_eq!(
        w.err(OTHER_PATIENT, approve(OTHER_DEVICE)),
        TxError::WrongRecovery
    );
    w.ok(OTHER_PATIENT, approve(DEVICE));
    assert_eq!(
        w.err(OTHER_PATIENT, approve(DEVICE)),
        TxError::AlreadyAnswered
    );
    // Too few approvals: nothing is effective, no share can be released.
    assert_eq!(recovery(&w).effective_at_ms, None);
    assert_eq!(
        w.err(OTHER_PATIENT, release(DEVICE)),
        TxError::RecoveryNotEffective {
            effective_at_ms: None
        }
    );
    // The threshold-th approval starts the delay.
    w.ok(DOCTOR, approve(DEVICE));
    let effective = w.now_ms + DELAY_MS;
    assert_eq!(recovery(&w).effective_at_ms, Some(effective));
    w.now_ms = effective - 1;
    assert_eq!(
        w.err(DOCTOR, release(DEVICE)),
        TxError::RecoveryNotEffective {
            effective_at_ms: Some(effective)
        }
    );
    w.now_ms = effective;
    w.ok(DOCTOR, release(DEVICE));
    assert_eq!(w.err(DOCTOR, release(DEVICE)), TxError::AlreadyReleased);
    // A guardian that did not approve has nothing to release.
    assert_eq!(w.err(CLINIC, release(DEVICE)), TxError::NotApproved);
    w.ok(OTHER_PATIENT, release(DEVICE));
    let done = recovery(&w);
    assert_eq!(
        done.released.iter().map(|r| r.guardian).collect::<Vec<_>>(),
        vec![1, 0]
    );

    // The device, holding the recovered key, moves the account to new keys: complete, and the
    // guardians (whose shares are of the retired phrase) are gone.
    w.ok(
        PATIENT,
        rotate_body(&patient(), NEW_KEY, ReceivingKey([77; 32])),
    );
    assert_eq!(
        recovery(&w).status,
        RecoveryStatus::Completed { at_ms: w.now_ms }
    );
    assert!(!w.state.0.contains_key(&StateKey::guardians(&patient())));
}

const NEW_KEY: u8 = 60;

#[test]
fn the_accounts_key_cancels_a_recovery_and_nothing_of_a_cancelled_one_applies() {
    let mut w = started();
    w.ok(OTHER_PATIENT, approve(DEVICE));
    w.ok(DOCTOR, approve(DEVICE));
    // Only the account's own key cancels; a guardian or the device cannot.
    let cancel = TxBody::CancelRecovery { account: patient() };
    assert!(matches!(
        w.err(DEVICE, cancel.clone()),
        TxError::OutOfRange(_)
    ));
    assert!(matches!(
        w.err(DOCTOR, cancel.clone()),
        TxError::OutOfRange(_)
    ));
    w.ok(PATIENT, cancel.clone());
    assert!(matches!(
        recovery(&w).status,
        RecoveryStatus::Cancelled { .. }
    ));
    w.now_ms += DELAY_MS;
    assert_eq!(w.err(DOCTOR, release(DEVICE)), TxError::NoPendingRecovery);
    assert_eq!(w.err(CLINIC, approve(DEVICE)), TxError::NoPendingRecovery);
    assert_eq!(w.err(PATIENT, cancel), TxError::NoPendingRecovery);
    // A new request can follow a cancelled one.
    w.ok(
        OTHER_DEVICE,
        TxBody::StartRecovery {
            account: patient(),
            device_receiving: ReceivingKey([OTHER_DEVICE; 32]),
        },
    );
    assert_eq!(recovery(&w).approvals, Vec::<u8>::new());

    // A rotation before a recovery takes effect cancels it.
    w.ok(OTHER_PATIENT, approve(OTHER_DEVICE));
    w.ok(
        PATIENT,
        rotate_body(&patient(), NEW_KEY, ReceivingKey([77; 32])),
    );
    assert!(matches!(
        recovery(&w).status,
        RecoveryStatus::Cancelled { .. }
    ));
}

#[test]
fn a_stranger_cannot_block_recovery_once_enough_guardians_decline_and_keys_in_use_cannot_ask() {
    let mut w = started();
    let decline = TxBody::DeclineRecovery {
        account: patient(),
        device: public(&key(DEVICE)),
    };
    w.ok(CLINIC, decline.clone());
    assert_eq!(recovery(&w).status, RecoveryStatus::Pending, "2 of 2 left");
    assert_eq!(w.err(CLINIC, approve(DEVICE)), TxError::AlreadyAnswered);
    w.ok(DOCTOR, decline.clone());
    assert!(
        matches!(recovery(&w).status, RecoveryStatus::Cancelled { .. }),
        "one guardian left cannot make two"
    );
    assert_eq!(w.err(STRANGER, decline), TxError::NoPendingRecovery);

    // A registered account's key cannot be a recovering device.
    assert_eq!(
        w.err(
            OTHER_PATIENT,
            TxBody::StartRecovery {
                account: patient(),
                device_receiving: ReceivingKey([1; 32]),
            }
        ),
        TxError::KeyInUse
    );
    // Once the threshold approved, declining is over: only the account's key cancels.
    w.ok(
        OTHER_DEVICE,
        TxBody::StartRecovery {
            account: patient(),
            device_receiving: ReceivingKey([OTHER_DEVICE; 32]),
        },
    );
    w.ok(OTHER_PATIENT, approve(OTHER_DEVICE));
    w.ok(DOCTOR, approve(OTHER_DEVICE));
    let err = w.err(
        CLINIC,
        TxBody::DeclineRecovery {
            account: patient(),
            device: public(&key(OTHER_DEVICE)),
        },
    );
    assert_eq!(err, TxError::AlreadyAnswered);
    // The guardians a pending recovery counts on cannot change under it.
    assert_eq!(
        w.err(PATIENT, set_body(&[OTHER_PATIENT], 1, DELAY_MS)),
        TxError::RecoveryPending
    );
}
