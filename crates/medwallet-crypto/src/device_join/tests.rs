use rand::SeedableRng;
use rand::rngs::StdRng;

use super::*;

fn phrase() -> RecoveryPhrase {
    RecoveryPhrase::from_entropy(&[7; 32])
}

#[test]
fn the_new_device_gets_the_phrase_and_both_screens_show_the_same_check_code() {
    let mut rng = StdRng::seed_from_u64(1);
    let code = JoinCode::generate(&mut rng);
    let (old, x) = OldDevice::start(&code, &mut rng);
    // The new device has only the code, typed or scanned.
    let typed = JoinCode::parse(&code.to_string()).expect("code");
    let (new_session, y) = answer(&typed, &x, &mut rng).expect("answer");
    assert_eq!(y.len(), ANSWER_LEN);
    let old_session = old.finish(&y).expect("confirmed");
    assert_eq!(old_session.check_code(), new_session.check_code());
    assert_eq!(old_session.check_code().len(), 7, "six digits, spaced");
    let sealed = old_session.seal_phrase(&phrase(), &mut rng).expect("seal");
    assert_eq!(sealed.len(), SEALED_PHRASE_LEN);
    let got = new_session.open_phrase(&sealed).expect("open");
    assert_eq!(got.entropy(), phrase().entropy());
}

#[test]
fn a_wrong_code_is_refused_by_the_old_device_and_opens_nothing() {
    let mut rng = StdRng::seed_from_u64(2);
    let code = JoinCode::generate(&mut rng);
    let (old, x) = OldDevice::start(&code, &mut rng);
    // One word off: what a guess (or a typo) gives.
    let mut guess = code.clone();
    guess.words[2] = (guess.words[2] + 1) % 2048;
    let (guess_session, y) = answer(&guess, &x, &mut rng).expect("answer");
    assert!(matches!(old.finish(&y), Err(JoinError::Unconfirmed)));

    // Even had the old device sent the phrase under its own session, the guesser's key would
    // not open it.
    let (old, x) = OldDevice::start(&code, &mut rng);
    let (_, real) = answer(&code, &x, &mut rng).expect("answer");
    let session = old.finish(&real).expect("confirmed");
    let sealed = session.seal_phrase(&phrase(), &mut rng).expect("seal");
    assert!(matches!(
        guess_session.open_phrase(&sealed),
        Err(JoinError::Sealed)
    ));
}

#[test]
fn someone_who_saw_the_code_and_answered_first_shows_another_check_code() {
    let mut rng = StdRng::seed_from_u64(3);
    let code = JoinCode::generate(&mut rng);
    let (old, x) = OldDevice::start(&code, &mut rng);
    // The onlooker answers first, with the right code: the old device takes its answer.
    let (_, theirs) = answer(&code, &x, &mut rng).expect("answer");
    let old_session = old.finish(&theirs).expect("the onlooker knows the code");
    // The person's real new device answers the same message and shows its check code: it is
    // not the one the old device shows, so the person does not confirm.
    let (mine, _) = answer(&code, &x, &mut rng).expect("answer");
    assert_ne!(old_session.check_code(), mine.check_code());
}

#[test]
fn a_tampered_or_replayed_phrase_does_not_open() {
    let mut rng = StdRng::seed_from_u64(4);
    let code = JoinCode::generate(&mut rng);
    let (old, x) = OldDevice::start(&code, &mut rng);
    let (new_session, y) = answer(&code, &x, &mut rng).expect("answer");
    let session = old.finish(&y).expect("confirmed");
    let mut sealed = session.seal_phrase(&phrase(), &mut rng).expect("seal");
    sealed[NONCE_LEN + 3] ^= 1;
    assert!(matches!(
        new_session.open_phrase(&sealed),
        Err(JoinError::Sealed)
    ));
    assert!(matches!(
        new_session.open_phrase(&sealed[..10]),
        Err(JoinError::Malformed(_))
    ));
    // A phrase sealed in an earlier exchange of the same code does not open in this one.
    let (_, x2) = OldDevice::start(&code, &mut rng);
    let (later, _) = answer(&code, &x2, &mut rng).expect("answer");
    let sealed = session.seal_phrase(&phrase(), &mut rng).expect("seal");
    assert!(matches!(later.open_phrase(&sealed), Err(JoinError::Sealed)));
}

#[test]
fn malformed_messages_are_refused() {
    let mut rng = StdRng::seed_from_u64(5);
    let code = JoinCode::generate(&mut rng);
    let (old, x) = OldDevice::start(&code, &mut rng);
    assert!(matches!(
        answer(&code, &x[..10], &mut rng),
        Err(JoinError::Malformed(_))
    ));
    // The old device's own message reflected back is the wrong side.
    let reflected = [x.as_slice(), &[0; 32]].concat();
    assert!(matches!(
        old.finish(&reflected),
        Err(JoinError::Malformed(_))
    ));
    let (old, _) = OldDevice::start(&code, &mut rng);
    assert!(matches!(
        old.finish(&[1, 2, 3]),
        Err(JoinError::Malformed(_))
    ));
}

#[test]
fn a_code_reads_back_as_people_type_it_and_names_its_slots() {
    let mut rng = StdRng::seed_from_u64(6);
    let code = JoinCode::generate(&mut rng);
    let text = code.to_string();
    assert_eq!(text.split('-').count(), 4, "{text}");
    assert_eq!(JoinCode::parse(&text).expect("parse"), code);
    assert_eq!(
        JoinCode::parse(&format!("  {} ", text.to_uppercase().replace('-', " "))).expect("loose"),
        code
    );
    assert_eq!(JoinCode::parse(&code.qr_text()).expect("qr"), code);
    for bad in [
        "",
        "31874",
        "31874-ocean-velvet",
        "31874-ocean-velvet-ranch-extra",
        "318745-ocean-velvet-ranch",
        "3187a-ocean-velvet-ranch",
        "31874-ocean-velvet-notaword",
    ] {
        assert!(
            matches!(JoinCode::parse(bad), Err(JoinError::Code)),
            "{bad}"
        );
    }
    assert!(JoinCode::parse("00042-ocean-velvet-ranch").is_ok());
    // The slots of one exchange differ; another nameplate's differ again.
    let slots = [Slot::Old, Slot::New, Slot::Phrase].map(|s| code.slot(s));
    assert_ne!(slots[0], slots[1]);
    assert_ne!(slots[1], slots[2]);
    let other = JoinCode::parse("00042-ocean-velvet-ranch").expect("code");
    assert_ne!(
        other.slot(Slot::Old),
        JoinCode::parse("00043-ocean-velvet-ranch")
            .expect("code")
            .slot(Slot::Old)
    );
    // The Debug form does not print the secret words.
    assert!(!format!("{other:?}").contains("ocean"));
}
