//! Joining a device through the nodes' mailbox: the new device gets the phrase from the
//! unlocked one by the code the person carries over, and opens the same history; a guessed
//! code, an onlooker who answers first, and a code past its ten minutes get nothing.

use medwallet_crypto::RecoveryPhrase;
use medwallet_crypto::device_join::{JOIN_TTL_MS, JoinCode, JoinError};

use super::*;
use crate::device_join::{JoinAnswer, JoinFault, JoinOffer};

fn patient_phrase() -> RecoveryPhrase {
    RecoveryPhrase::from_entropy(&[PATIENT; 32])
}

fn now(w: &World) -> u64 {
    w.ledger.now.load(Ordering::SeqCst)
}

#[test]
fn a_new_device_joins_by_the_code_and_opens_the_same_history() {
    let mut w = world();
    let record = w.issue(0, Category::Labs);
    w.sync();
    let mut offer = block_on(JoinOffer::open(&w.ledger, now(&w), &mut w.rng)).expect("offer");
    // Nothing answered yet.
    assert_eq!(
        block_on(offer.check_code(&w.ledger, now(&w))).expect("poll"),
        None
    );
    assert!(
        block_on(offer.check_code(&w.ledger, now(&w)))
            .expect("poll")
            .is_none()
    );

    // The person types the code on the new device.
    let typed = JoinCode::parse(&offer.code().to_string()).expect("code");
    let joining =
        block_on(JoinAnswer::answer(&w.ledger, &typed, now(&w), &mut w.rng)).expect("answer");
    assert!(
        block_on(joining.phrase(&w.ledger, now(&w)))
            .expect("poll")
            .is_none(),
        "nothing is sent before the person compares the check codes"
    );
    let check = block_on(offer.check_code(&w.ledger, now(&w)))
        .expect("poll")
        .expect("answered");
    assert_eq!(check, joining.check_code());
    // The person types the new device's check code on the unlocked one.
    block_on(offer.send(
        &w.ledger,
        &patient_phrase(),
        &joining.check_code(),
        now(&w),
        &mut w.rng,
    ))
    .expect("send");

    let phrase = block_on(joining.phrase(&w.ledger, now(&w)))
        .expect("poll")
        .expect("sent");
    assert_eq!(phrase.entropy(), patient_phrase().entropy());
    let device = Wallet::open(
        Arc::new(AccountKeys::derive(&phrase)),
        Arc::new(MemoryStore::default()),
        {
            let now = w.ledger.now.clone();
            let clock: Arc<dyn Fn() -> u64 + Send + Sync> =
                Arc::new(move || now.load(Ordering::SeqCst));
            clock
        },
    )
    .expect("open");
    block_on(device.sync(&w.ledger, &mut quiet(), &mut w.rng)).expect("sync");
    let opened =
        block_on(device.open_record(&w.ledger, &record.to_hex())).expect("the same record opens");
    assert_eq!(opened, fhir(0));
}

#[test]
fn a_guessed_code_is_refused_and_ends_the_exchange() {
    let mut w = world();
    let mut offer = block_on(JoinOffer::open(&w.ledger, now(&w), &mut w.rng)).expect("offer");
    // Someone guesses the words for the nameplate they saw (one word wrong).
    let text = offer.code().to_string();
    let mut parts: Vec<&str> = text.split('-').collect();
    parts[3] = if parts[3] == "abandon" {
        "ability"
    } else {
        "abandon"
    };
    let guess = JoinCode::parse(&parts.join("-")).expect("code");
    block_on(JoinAnswer::answer(&w.ledger, &guess, now(&w), &mut w.rng)).expect("answer");
    assert!(matches!(
        block_on(offer.check_code(&w.ledger, now(&w))),
        Err(WalletError::DeviceJoin(JoinFault::Exchange(
            JoinError::Unconfirmed
        )))
    ));
    // The exchange is over: no second guess, nothing can be sent.
    assert!(block_on(offer.check_code(&w.ledger, now(&w))).is_err());
    assert!(matches!(
        block_on(offer.send(&w.ledger, &patient_phrase(), "000 000", now(&w), &mut w.rng)),
        Err(WalletError::DeviceJoin(JoinFault::NotReady))
    ));
}

#[test]
fn an_onlooker_who_answers_first_leaves_the_real_device_refused() {
    let mut w = world();
    let mut offer = block_on(JoinOffer::open(&w.ledger, now(&w), &mut w.rng)).expect("offer");
    let code = offer.code().clone();
    // Someone photographed the QR and answers first.
    let onlooker =
        block_on(JoinAnswer::answer(&w.ledger, &code, now(&w), &mut w.rng)).expect("answer");
    // The person's own new device cannot answer any more: it says so, so the person does not
    // confirm the check code the unlocked device shows (the onlooker's).
    assert!(matches!(
        block_on(JoinAnswer::answer(&w.ledger, &code, now(&w), &mut w.rng)),
        Err(WalletError::DeviceJoin(JoinFault::Answered))
    ));
    let shown = block_on(offer.check_code(&w.ledger, now(&w)))
        .expect("poll")
        .expect("answered");
    assert_eq!(shown, onlooker.check_code());
    // Had the real device shown a check code, typing it on the unlocked device sends nothing:
    // it is not the onlooker's.
    let mine = if shown == "000 000" {
        "000 001"
    } else {
        "000 000"
    };
    assert!(matches!(
        block_on(offer.send(&w.ledger, &patient_phrase(), mine, now(&w), &mut w.rng)),
        Err(WalletError::DeviceJoin(JoinFault::NotConfirmed))
    ));
    assert!(
        block_on(onlooker.phrase(&w.ledger, now(&w)))
            .expect("poll")
            .is_none(),
        "the onlooker got nothing"
    );
}

#[test]
fn a_code_past_its_ten_minutes_gets_nothing() {
    let mut w = world();
    let mut offer = block_on(JoinOffer::open(&w.ledger, now(&w), &mut w.rng)).expect("offer");
    w.ledger.now.fetch_add(JOIN_TTL_MS, Ordering::SeqCst);
    assert!(matches!(
        block_on(JoinAnswer::answer(
            &w.ledger,
            offer.code(),
            now(&w),
            &mut w.rng
        )),
        Err(WalletError::DeviceJoin(JoinFault::NoOffer))
    ));
    assert!(matches!(
        block_on(offer.check_code(&w.ledger, now(&w))),
        Err(WalletError::DeviceJoin(JoinFault::Expired))
    ));
}
