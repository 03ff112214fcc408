//! Guardian recovery end to end on the memory ledger: a patient names three guardians (a
//! relative's pairwise account, a doctor, a friend), loses the phrase, and recovers on a new
//! device with two of them after the delay; a recovery nobody asked for is seen, cancelled or
//! declined; a guardian's forged share does not stop the others'.

use medledger_types::hash::PublicKey;
use medledger_types::recovery::RecoveryStatus;
use medwallet_crypto::{RecoveryPhrase, ShareCode};

use super::super::memory_ledger::MEMORY_RECOVERY_MIN_DELAY_MS;
use super::*;
use crate::recovery::device_code;
use crate::wallet::GuardianChoice;

const SISTER: u8 = 11;
const FRIEND: u8 = 12;
const DEVICE: u8 = 13;
const STRANGER: u8 = 14;
const NEW_PHRASE: u8 = 15;
const DELAY_MS: u64 = 2 * MEMORY_RECOVERY_MIN_DELAY_MS;

pub(super) struct Guardians {
    pub(super) sister: TestWallet,
    pub(super) friend: TestWallet,
}

pub(super) fn phrase(seed: u8) -> RecoveryPhrase {
    RecoveryPhrase::from_entropy(&[seed; 32])
}

impl World {
    /// A registered patient wallet of `seed` with a share code made "for Ana" (a pairwise
    /// account of its own for being her guardian).
    pub(super) fn guardian_wallet(&mut self, seed: u8) -> (TestWallet, ShareCode) {
        let w = wallet(&self.ledger, seed, Arc::default());
        block_on(w.register_patient(&self.ledger, &mut self.rng)).expect("register");
        let (_, code) =
            block_on(w.new_relationship(&self.ledger, "Ana", &mut self.rng)).expect("code");
        (w, code)
    }

    /// The sister, the doctor and the friend guard the patient, 2 of 3.
    pub(super) fn name_guardians(&mut self) -> Guardians {
        let (sister, sister_code) = self.guardian_wallet(SISTER);
        let (friend, friend_code) = self.guardian_wallet(FRIEND);
        let choice = GuardianChoice {
            codes: vec![sister_code, self.doctor.share_code(0), friend_code],
            threshold: 2,
            delay_ms: DELAY_MS,
            label: "Ana Ruiz, your sister".into(),
        };
        block_on(self.patient.set_guardians(
            &self.ledger,
            &phrase(PATIENT),
            &choice,
            &mut self.rng,
        ))
        .expect("set guardians");
        Guardians { sister, friend }
    }

    fn advance(&self, ms: u64) {
        self.ledger.now.fetch_add(ms, Ordering::SeqCst);
    }
}

fn patient_account() -> Address {
    address(&keys(PATIENT))
}

#[test]
fn a_patient_recovers_on_a_new_device_with_two_of_three_guardians_after_the_delay() {
    let mut w = world();
    let record = w.issue(0, Category::Labs);
    w.sync();
    let g = w.name_guardians();

    // The guardians' wallets show the share they hold, and for whom.
    let duties = block_on(g.sister.guarding(&w.ledger)).expect("duties");
    assert_eq!(duties.len(), 1);
    assert_eq!(duties[0].label, "Ana Ruiz, your sister");
    assert_eq!(duties[0].patient, patient_account());
    assert_eq!((duties[0].threshold, duties[0].guardians), (2, 3));
    assert_eq!(
        duties[0].account, 1,
        "sealed to the pairwise account made for her"
    );
    assert!(duties[0].recovery.is_none());
    let mine = block_on(w.patient.guardians(&w.ledger))
        .expect("read")
        .expect("set");
    assert_eq!(mine.guardians.len(), 3);
    assert_eq!(mine.guardians[1].name.as_deref(), Some("Dr. Grey"));
    assert_eq!(mine.label.as_deref(), Some("Ana Ruiz, your sister"));

    // The phrase is lost. A new device (a fresh phrase of its own) asks.
    let device = wallet(&w.ledger, DEVICE, Arc::default());
    let (_, code) = block_on(device.start_recovery(&w.ledger, &patient_account())).expect("start");
    assert_eq!(code, device_code(&device.device_key()));
    // Every device of the patient is told.
    let seen = block_on(w.patient.guardians(&w.ledger))
        .expect("read")
        .expect("set")
        .recovery
        .expect("pending");
    assert!(seen.is_pending());
    assert_eq!(seen.device_code, code);

    // A guardian approves only the device whose code the patient read out.
    let wrong = device_code(&PublicKey([1; 32]));
    let err = block_on(
        g.sister
            .answer_recovery(&w.ledger, &patient_account(), &wrong, true),
    )
    .expect_err("wrong code");
    assert!(err.to_string().contains("not the code"), "{err}");
    block_on(
        g.sister
            .answer_recovery(&w.ledger, &patient_account(), &code, true),
    )
    .expect("approve");
    // Too few approvals: nothing to release, nothing to recover.
    assert!(
        block_on(g.sister.release_shares(&w.ledger, &mut w.rng))
            .expect("release")
            .is_empty()
    );
    block_on(
        w.doctor
            .answer_recovery(&w.ledger, &patient_account(), &code, true),
    )
    .expect("approve");
    let view = block_on(device.recovery_of(&w.ledger, &patient_account()))
        .expect("read")
        .expect("recovery");
    assert_eq!(view.approvals, 2);
    assert_eq!(
        view.stage(w.ledger.now.load(Ordering::SeqCst)),
        "waiting_for_delay"
    );
    // Within the delay no share is released, and the device has nothing to combine.
    w.advance(DELAY_MS - 1);
    assert!(
        block_on(g.sister.release_shares(&w.ledger, &mut w.rng))
            .expect("release")
            .is_empty()
    );
    assert!(block_on(device.recovered_phrase(&w.ledger, &patient_account())).is_err());

    w.advance(1);
    for guardian in [&g.sister, &w.doctor] {
        let released = block_on(guardian.release_shares(&w.ledger, &mut w.rng)).expect("release");
        assert_eq!(released, vec![patient_account()]);
    }
    // The friend did not approve: it has nothing to release.
    assert!(
        block_on(g.friend.release_shares(&w.ledger, &mut w.rng))
            .expect("release")
            .is_empty()
    );
    let recovered =
        block_on(device.recovered_phrase(&w.ledger, &patient_account())).expect("recovered");
    assert_eq!(recovered.entropy(), phrase(PATIENT).entropy());

    // The device opens the recovered wallet and moves it to a new phrase: the recovery is
    // complete, the old keys are refused, the records open under the new keys.
    let recovered_wallet = wallet(&w.ledger, PATIENT, Arc::default());
    let mut rng = StdRng::seed_from_u64(8);
    block_on(recovered_wallet.sync(&w.ledger, &mut quiet(), &mut rng)).expect("sync");
    let rotation = block_on(recovered_wallet.rotate_keys(
        &w.ledger,
        &phrase(NEW_PHRASE),
        &w.ledger.emergency_keys(),
        &mut rng,
    ))
    .expect("rotate");
    assert_eq!(
        rotation.guardians_kept, 3,
        "the same guardians, with shares of the new phrase"
    );
    let done = block_on(device.recovery_of(&w.ledger, &patient_account()))
        .expect("read")
        .expect("recovery");
    assert!(matches!(done.status, RecoveryStatus::Completed { .. }));
    // The guardians hold shares of the new phrase: a later recovery gives it back.
    let later = wallet(&w.ledger, STRANGER, Arc::default());
    let (_, code) = block_on(later.start_recovery(&w.ledger, &patient_account())).expect("start");
    for guardian in [&g.friend, &w.doctor] {
        block_on(guardian.answer_recovery(&w.ledger, &patient_account(), &code, true))
            .expect("approve");
    }
    w.advance(DELAY_MS);
    for guardian in [&g.friend, &w.doctor] {
        block_on(guardian.release_shares(&w.ledger, &mut w.rng)).expect("release");
    }
    let again = block_on(later.recovered_phrase(&w.ledger, &patient_account())).expect("again");
    assert_eq!(again.entropy(), phrase(NEW_PHRASE).entropy());
    let nonce = w.ledger.nonce(&patient_account());
    let old = medledger_client::transaction::sign(
        keys(PATIENT).signing_key(),
        w.ledger.chain(),
        nonce,
        TxBody::CancelRecovery {
            account: patient_account(),
        },
    );
    assert!(
        w.ledger.apply(&old).is_err(),
        "the lost phrase signs nothing"
    );
    let after = wallet(&w.ledger, NEW_PHRASE, Arc::default());
    block_on(after.sync(&w.ledger, &mut quiet(), &mut rng)).expect("sync");
    assert_eq!(
        block_on(after.open_record(&w.ledger, &record.to_hex())).expect("opens"),
        fhir(0)
    );
}

#[test]
fn a_recovery_the_patient_did_not_ask_for_is_seen_and_cancelled_or_declined() {
    let mut w = world();
    let g = w.name_guardians();
    let stranger = wallet(&w.ledger, STRANGER, Arc::default());
    let (_, code) =
        block_on(stranger.start_recovery(&w.ledger, &patient_account())).expect("start");
    // The guardians see it too, unanswered.
    let duty = block_on(g.friend.guarding(&w.ledger))
        .expect("duties")
        .remove(0);
    assert!(duty.asks_approval());
    // A second device cannot ask while it is pending.
    let device = wallet(&w.ledger, DEVICE, Arc::default());
    let err = block_on(device.start_recovery(&w.ledger, &patient_account()))
        .expect_err("second recovery");
    assert!(err.to_string().contains("already pending"), "{err}");

    // The patient, who still holds the key, cancels it: nothing of it applies afterwards.
    block_on(w.patient.cancel_recovery(&w.ledger)).expect("cancel");
    let err = block_on(
        g.sister
            .answer_recovery(&w.ledger, &patient_account(), &code, true),
    )
    .expect_err("cancelled");
    assert!(err.to_string().contains("no pending recovery"), "{err}");

    // The stranger asks again. Had the patient lost the key, she could not cancel: the
    // guardians decline a request that is not hers, and once too few remain to approve it,
    // it is over and her real device can ask.
    block_on(stranger.start_recovery(&w.ledger, &patient_account())).expect("again");
    for guardian in [&g.sister, &g.friend] {
        block_on(guardian.answer_recovery(&w.ledger, &patient_account(), "", false))
            .expect("decline");
    }
    let view = block_on(w.patient.guardians(&w.ledger))
        .expect("read")
        .expect("set")
        .recovery
        .expect("recovery");
    assert!(matches!(view.status, RecoveryStatus::Cancelled { .. }));
    block_on(device.start_recovery(&w.ledger, &patient_account())).expect("the real device");
}

#[test]
fn a_guardians_forged_share_is_caught_and_the_honest_ones_still_recover() {
    let mut w = world();
    let g = w.name_guardians();
    let device = wallet(&w.ledger, DEVICE, Arc::default());
    let (_, code) = block_on(device.start_recovery(&w.ledger, &patient_account())).expect("start");
    for guardian in [&g.sister, &w.doctor, &g.friend] {
        block_on(guardian.answer_recovery(&w.ledger, &patient_account(), &code, true))
            .expect("approve");
    }
    w.advance(DELAY_MS);
    // The friend releases a share of some other phrase, well sealed to the device.
    let forged = medwallet_crypto::guardian::split_entropy(&phrase(99), 2, 3, &mut w.rng)
        .expect("split")
        .remove(2);
    let friend_account = keys(FRIEND).account(1);
    let device_keys = keys(DEVICE);
    let sealed = medwallet_crypto::guardian::seal_release(
        &device_keys.identity().to_recipient(),
        &patient_account(),
        &device.device_key(),
        2,
        &forged,
        &mut w.rng,
    )
    .expect("seal");
    let tx = medledger_client::transaction::sign(
        friend_account.signing_key(),
        w.ledger.chain(),
        w.ledger.nonce(&address(&friend_account)),
        TxBody::ReleaseShare {
            account: patient_account(),
            device: device.device_key(),
            sealed,
        },
    );
    w.ledger.apply(&tx).expect("the ledger cannot tell");
    block_on(g.sister.release_shares(&w.ledger, &mut w.rng)).expect("release");
    let Err(err) = block_on(device.recovered_phrase(&w.ledger, &patient_account())) else {
        panic!("one honest share and a forged one recovered something");
    };
    assert!(err.to_string().contains("do not give back"), "{err}");
    block_on(w.doctor.release_shares(&w.ledger, &mut w.rng)).expect("release");
    let recovered =
        block_on(device.recovered_phrase(&w.ledger, &patient_account())).expect("recovered");
    assert_eq!(recovered.entropy(), phrase(PATIENT).entropy());
}
