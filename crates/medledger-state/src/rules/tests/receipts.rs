//! AccessReceipts prove a grantee asked this node for this record: each attack on the access
//! log (an invented fetch, a request moved to another node or record, a stale or replayed
//! request, a fetch after revocation) is refused.

use medledger_types::blob_request::{Asked, Auth, MAX_SKEW_MS, Method, Target, request_message};
use medledger_types::state::ReceiptEntry;

use super::*;

const NODE: u8 = 1;
const FOLLOWER: u8 = 60;

/// `signer`'s request to `node` for `record` (ciphertext `[9; 32]`, as `issue_body` names it).
fn request(signer: u8, node: u8, record: RecordId, grant: GrantId, at_ms: u64, nonce: u8) -> Auth {
    let target = Target {
        chain: TEST_CHAIN,
        node: public(&key(node)),
    };
    let blob = Sha256Digest([9; 32]);
    let asked = Asked {
        method: Method::Get,
        blob: &blob,
        record: Some(&record),
        grant: Some(&grant),
    };
    let nonce = [nonce; 16];
    let message = request_message(&target, &asked, at_ms, &nonce);
    Auth {
        key: public(&key(signer)),
        timestamp_ms: at_ms,
        nonce,
        signature: medwallet_crypto::sign(&key(signer), Namespace::BLOB_REQUEST, &message)
            .to_bytes(),
    }
}

fn receipt(grant: GrantId, record: RecordId, request: Auth) -> TxBody {
    TxBody::AccessReceipt {
        grant,
        record,
        request,
    }
}

fn stored(w: &World, index: u64) -> Option<ReceiptEntry> {
    w.state
        .0
        .get(&StateKey::receipt(&addr(&key(PATIENT)), index))
        .map(|b| ReceiptEntry::decode(b, MAX_VALUE_LEN).expect("decode"))
}

#[test]
fn a_receipt_needs_the_grantees_request_to_the_node_that_writes_it() {
    let mut w = World::new();
    let record = w.issue(PATIENT);
    let other = w.issue(PATIENT);
    let id = w.grant(Scope::Records(vec![record]), vec![rk(record)], None);
    let now = w.now_ms;

    // A validator inventing a fetch: the "request" is signed by the validator itself.
    let forged = request(NODE, NODE, record, id, now, 1);
    assert_eq!(
        w.err(NODE, receipt(id, record, forged)),
        TxError::NotYourGrant
    );
    // The doctor's key, but a signature over something else.
    let mut tampered = request(DOCTOR, NODE, record, id, now, 1);
    tampered.signature[0] ^= 1;
    assert_eq!(
        w.err(NODE, receipt(id, record, tampered)),
        TxError::ReceiptNotRequested
    );
    // A real request to another node, claimed by this one.
    let to_follower = request(DOCTOR, FOLLOWER, record, id, now, 2);
    assert_eq!(
        w.err(NODE, receipt(id, record, to_follower)),
        TxError::ReceiptNotRequested
    );
    // A real request for one record, recorded against another.
    let for_record = request(DOCTOR, NODE, record, id, now, 3);
    assert!(matches!(
        w.err(NODE, receipt(id, other, for_record)),
        TxError::OutsideScope(_)
    ));
    // A request signed with an older timestamp than the skew allows.
    let stale = request(DOCTOR, NODE, record, id, now + 10, 4);
    w.now_ms = now + 10 + MAX_SKEW_MS + 1;
    assert!(matches!(
        w.err(NODE, receipt(id, record, stale)),
        TxError::ReceiptTime { .. }
    ));
    w.now_ms = now;

    // The follower that was asked records it; any node may, validators or not.
    w.ok(FOLLOWER, receipt(id, record, to_follower));
    let entry = stored(&w, 0).expect("recorded");
    assert_eq!(
        (entry.record, entry.grantee, entry.node, entry.served_at_ms),
        (record, addr(&key(DOCTOR)), addr(&key(FOLLOWER)), now)
    );
    // The same request cannot be recorded twice.
    assert_eq!(
        w.err(FOLLOWER, receipt(id, record, to_follower)),
        TxError::ReceiptReplayed
    );
    assert!(stored(&w, 1).is_none());
}

#[test]
fn a_receipt_is_for_a_grant_active_when_the_request_was_made() {
    let mut w = World::new();
    let record = w.issue(PATIENT);
    let expiring = w.grant(
        Scope::Records(vec![record]),
        vec![rk(record)],
        Some(w.now_ms + 100),
    );
    let id = w.grant(Scope::Records(vec![record]), vec![rk(record)], None);
    let before = w.now_ms + 50;
    let served = request(DOCTOR, NODE, record, id, before, 1);

    // Expired at the request's time.
    let late = request(DOCTOR, NODE, record, expiring, before + 100, 2);
    w.now_ms = before + 100;
    assert_eq!(
        w.err(NODE, receipt(expiring, record, late)),
        TxError::GrantExpired
    );
    // Revoked at `before + 100`: a fetch asked for before then is still recorded; one asked
    // after, never.
    w.ok(PATIENT, TxBody::Revoke { grant: id });
    w.now_ms = before + 200;
    let after = request(DOCTOR, NODE, record, id, before + 150, 3);
    assert_eq!(
        w.err(NODE, receipt(id, record, after)),
        TxError::GrantRevoked
    );
    w.ok(NODE, receipt(id, record, served));
    assert_eq!(stored(&w, 0).map(|e| e.served_at_ms), Some(before));
}
