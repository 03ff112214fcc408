//! The patient's guardians see every emergency access as the patient does (who, which clinic,
//! the reason, when): their shares hold the phrase's watch key, the set names it, and the
//! clinician seals the reason to it too. A wallet that guards nobody sees nothing; a rotation
//! carries the set and the watch over to the new phrase.

use super::emergency::{account_of, prepared};
use super::recovery::phrase;
use super::*;

#[test]
fn the_guardians_see_the_red_entry_with_its_reason_and_nobody_else_does() {
    let mut w = world();
    // The guardians are named before the set exists: the watch key is the phrase's, so the
    // order does not matter.
    let g = w.name_guardians();
    let nothing = block_on(g.sister.guarding(&w.ledger)).expect("duties");
    assert!(
        nothing[0].emergency_accesses.is_empty(),
        "no set, no access"
    );
    let code = prepared(&mut w);
    let reason = "unconscious after a fall, ED St Mary";
    let request =
        block_on(
            w.doctor
                .request_emergency(&w.ledger, &account_of(&code), reason, &mut w.rng),
        )
        .expect("request");
    w.ledger
        .release_emergency_share(&request.request, false)
        .expect("released");

    for guardian in [&g.sister, &g.friend] {
        let duties = block_on(guardian.guarding(&w.ledger)).expect("duties");
        assert_eq!(duties.len(), 1);
        let entries = &duties[0].emergency_accesses;
        assert_eq!(entries.len(), 1, "the guardian sees the access");
        let entry = &entries[0];
        assert_eq!(entry.request, request.request);
        assert_eq!(entry.clinician_name, "Dr. Grey");
        assert_eq!(entry.clinic_name, "Memory Clinic");
        assert_eq!(entry.reason.as_deref(), Some(reason));
        assert_eq!(entry.at_ms, request.at_ms);
        assert!(entry.opened());
    }
    // The patient's own red entry is the same one.
    let mine = block_on(w.patient.emergency_accesses(&w.ledger)).expect("accesses");
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].reason.as_deref(), Some(reason));

    // A wallet that guards nobody has no duty, so no entry; it cannot read the reason off
    // the ledger either (sealed to the account and the watch key only).
    let stranger = wallet(&w.ledger, 9, Arc::default());
    block_on(stranger.register_patient(&w.ledger, &mut w.rng)).expect("register");
    assert!(
        block_on(stranger.guarding(&w.ledger))
            .expect("duties")
            .is_empty()
    );
}

#[test]
fn a_rotation_carries_the_set_and_the_guardians_watch_over_to_the_new_phrase() {
    const NEXT: u8 = 19;
    let mut w = world();
    let g = w.name_guardians();
    let code = prepared(&mut w);
    let before = block_on(w.patient.emergency_preview(&w.ledger))
        .expect("preview")
        .expect("a set");
    let first = block_on(w.doctor.request_emergency(
        &w.ledger,
        &account_of(&code),
        "before the rotation",
        &mut w.rng,
    ))
    .expect("request");

    let rotation = block_on(w.patient.rotate_keys(
        &w.ledger,
        &phrase(NEXT),
        &w.ledger.emergency_keys(),
        &mut w.rng,
    ))
    .expect("rotate");
    assert!(rotation.emergency_set_kept);
    assert_eq!(rotation.guardians_kept, 3);

    // The wallet of the new phrase shows the same set, under the same code.
    let after = wallet(&w.ledger, NEXT, Arc::default());
    block_on(after.sync(&w.ledger, &mut quiet(), &mut w.rng)).expect("sync");
    let set = block_on(after.emergency_set(&w.ledger))
        .expect("read")
        .expect("set");
    assert_eq!(set.code, code, "the card's code does not change");
    let preview = block_on(after.emergency_preview(&w.ledger))
        .expect("preview")
        .expect("a set");
    assert_eq!(preview, before, "the same content, sealed again");

    // A clinician's request now is sealed to the new watch key, which the guardians' new
    // shares hold; the one before the rotation is still listed (its reason was sealed to the
    // old phrase's keys).
    let second = block_on(w.doctor.request_emergency(
        &w.ledger,
        &account_of(&code),
        "after the rotation",
        &mut w.rng,
    ))
    .expect("request");
    let duties = block_on(g.sister.guarding(&w.ledger)).expect("duties");
    let entries = &duties
        .iter()
        .find(|d| !d.emergency_accesses.is_empty())
        .expect("a duty with entries")
        .emergency_accesses;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].request, second.request, "newest first");
    assert_eq!(entries[0].reason.as_deref(), Some("after the rotation"));
    assert_eq!(entries[1].request, first.request);
}
