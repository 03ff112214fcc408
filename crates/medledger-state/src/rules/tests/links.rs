//! SMART Health Links on the ledger: only the patient makes, changes and revokes a link; every
//! node spends the same wrong-passcode budget in ledger order, so parallel guesses at several
//! nodes get no more tries than the patient allowed, and a revoked, expired or exhausted link
//! records no more openings.

use medledger_types::blob_request::MAX_SKEW_MS;
use medledger_types::hash::LinkId;
use medledger_types::link::{
    LinkAccessEntry, LinkEntry, LinkFile, LinkOutcome, LinkStatus, PasscodeVerifier,
};

use super::*;

const NODE_A: u8 = 1;
const NODE_B: u8 = 2;
const LINK: LinkId = LinkId([0x51; 32]);

fn files() -> Vec<LinkFile> {
    vec![LinkFile {
        sha256: Sha256Digest([3; 32]),
        len: 2048,
    }]
}

fn create(passcode: bool, attempts: u32, long_term: bool, expires_at_ms: u64) -> TxBody {
    TxBody::CreateLink {
        link: LINK,
        expires_at_ms,
        passcode: passcode.then_some(PasscodeVerifier {
            salt: [1; 16],
            hash: [2; 32],
        }),
        attempts,
        long_term,
        files: files(),
        sealed: vec![9; 100],
    }
}

fn access(outcome: LinkOutcome, at_ms: u64) -> TxBody {
    TxBody::LinkAccess {
        link: LINK,
        outcome,
        recipient_sealed: vec![7; 40],
        at_ms,
    }
}

fn entry(w: &World) -> LinkEntry {
    let bytes = w.state.0.get(&StateKey::link(&LINK)).expect("link");
    LinkEntry::decode(bytes, MAX_VALUE_LEN).expect("decode")
}

fn accesses(w: &World) -> Vec<LinkAccessEntry> {
    (0..)
        .map_while(|i| w.state.0.get(&StateKey::link_access(&LINK, i)))
        .map(|b| LinkAccessEntry::decode(b, MAX_VALUE_LEN).expect("decode"))
        .collect()
}

#[test]
fn only_a_registered_patient_creates_a_well_formed_link_once() {
    let mut w = World::new();
    let later = w.now_ms + 7 * 24 * 3600 * 1000;
    assert_eq!(
        w.err(DOCTOR, create(false, 0, false, later)),
        TxError::NotAPatient
    );
    assert_eq!(
        w.err(PATIENT, create(false, 0, false, w.now_ms)),
        TxError::ExpiryInPast
    );
    assert!(matches!(
        w.err(
            PATIENT,
            create(false, 0, false, w.now_ms + 6 * 365 * 24 * 3600 * 1000)
        ),
        TxError::OutOfRange(_)
    ));
    for (passcode, attempts) in [(true, 0), (true, 101), (false, 3)] {
        assert!(matches!(
            w.err(PATIENT, create(passcode, attempts, false, later)),
            TxError::OutOfRange(_)
        ));
    }
    let mut empty = create(false, 0, false, later);
    if let TxBody::CreateLink { files, .. } = &mut empty {
        files.clear();
    }
    assert!(matches!(w.err(PATIENT, empty), TxError::OutOfRange(_)));
    w.ok(PATIENT, create(true, 3, false, later));
    assert_eq!(entry(&w).attempts_left, 3);
    assert_eq!(
        w.state
            .0
            .get(&StateKey::link_by_patient(&addr(&key(PATIENT)), 0)),
        Some(&LINK.0.to_vec())
    );
    assert_eq!(
        w.err(OTHER_PATIENT, create(false, 0, false, later)),
        TxError::DuplicateLink
    );
}

#[test]
fn wrong_passcodes_spend_one_budget_whichever_nodes_report_them() {
    let mut w = World::new();
    w.ok(PATIENT, create(true, 2, false, w.now_ms + 1_000_000));
    let now = w.now_ms;
    // Two nodes each report a wrong guess: the budget is shared, in ledger order.
    w.ok(NODE_A, access(LinkOutcome::WrongPasscode, now));
    assert_eq!(entry(&w).attempts_left, 1);
    w.ok(NODE_B, access(LinkOutcome::WrongPasscode, now));
    assert_eq!(LinkStatus::of(&entry(&w), now), LinkStatus::Exhausted);
    // Out of attempts: neither a further wrong guess nor a right one ordered after is recorded.
    assert_eq!(
        w.err(NODE_A, access(LinkOutcome::WrongPasscode, now)),
        TxError::LinkNotActive("exhausted")
    );
    assert_eq!(
        w.err(NODE_B, access(LinkOutcome::Opened, now)),
        TxError::LinkNotActive("exhausted")
    );
    let log = accesses(&w);
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].node, addr(&key(NODE_B)));
    assert!(log.iter().all(|a| a.outcome == LinkOutcome::WrongPasscode));
}

#[test]
fn openings_are_logged_until_the_link_is_revoked_or_expires() {
    let mut w = World::new();
    let expiry = w.now_ms + 10_000;
    w.ok(PATIENT, create(false, 0, true, expiry));
    let now = w.now_ms;
    w.ok(NODE_A, access(LinkOutcome::Opened, now));
    assert!(
        matches!(
            w.err(NODE_A, access(LinkOutcome::WrongPasscode, now)),
            TxError::OutOfRange(_)
        ),
        "no passcode, no wrong passcode"
    );
    assert!(
        matches!(
            w.err(NODE_A, access(LinkOutcome::Opened, now + MAX_SKEW_MS + 1)),
            TxError::ReceiptTime { .. }
        ),
        "the access time is the block's, within the skew"
    );
    // A long-term link's files change; only its patient changes them, or revokes it.
    let update = TxBody::UpdateLinkFiles {
        link: LINK,
        files: vec![
            files()[0],
            LinkFile {
                sha256: Sha256Digest([4; 32]),
                len: 4096,
            },
        ],
    };
    assert_eq!(w.err(OTHER_PATIENT, update.clone()), TxError::NotYourLink);
    w.ok(PATIENT, update);
    assert_eq!(entry(&w).files.len(), 2);
    assert_eq!(
        w.err(OTHER_PATIENT, TxBody::RevokeLink { link: LINK }),
        TxError::NotYourLink
    );
    w.ok(PATIENT, TxBody::RevokeLink { link: LINK });
    assert_eq!(
        w.err(NODE_A, access(LinkOutcome::Opened, now)),
        TxError::LinkNotActive("revoked")
    );
    assert_eq!(
        w.err(PATIENT, TxBody::RevokeLink { link: LINK }),
        TxError::LinkNotActive("revoked")
    );
    assert_eq!(accesses(&w).len(), 1);

    // Another link, past its expiry.
    let mut w = World::new();
    w.ok(PATIENT, create(false, 0, false, w.now_ms + 10));
    w.now_ms += 10;
    let now = w.now_ms;
    assert_eq!(
        w.err(NODE_A, access(LinkOutcome::Opened, now)),
        TxError::LinkNotActive("expired")
    );
    assert_eq!(
        w.err(
            PATIENT,
            TxBody::UpdateLinkFiles {
                link: LINK,
                files: files()
            }
        ),
        TxError::LinkNotActive("expired")
    );
}

#[test]
fn a_short_term_links_files_do_not_change() {
    let mut w = World::new();
    w.ok(PATIENT, create(false, 0, false, w.now_ms + 10_000));
    assert_eq!(
        w.err(
            PATIENT,
            TxBody::UpdateLinkFiles {
                link: LINK,
                files: files()
            }
        ),
        TxError::NotLongTerm
    );
    let now = w.now_ms;
    let mut elsewhere = access(LinkOutcome::Opened, now);
    if let TxBody::LinkAccess { link, .. } = &mut elsewhere {
        *link = LinkId([0x52; 32]);
    }
    assert_eq!(w.err(NODE_A, elsewhere), TxError::UnknownLink);
}
