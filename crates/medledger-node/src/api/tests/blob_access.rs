//! Who may fetch or upload a blob, and the AccessReceipt a grantee's fetch leaves.

use medledger_state::TxError;
use medledger_types::blob_request::{
    AUTH_HEADER, Asked, Auth, Method, NONCE_LEN, Target, request_message,
};
use medledger_types::hash::GrantId;
use medledger_types::tx::{RecordKey, Scope};
use sha2::Digest;

use super::*;

const DOCTOR: u8 = 40;
const STRANGER: u8 = 41;

pub(super) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_millis() as u64
}

/// Node `seed` on the test chain.
fn node_target(seed: u8) -> Target {
    Target {
        chain: genesis().chain_id(),
        node: public(&key(seed)),
    }
}

/// The test validator on its chain.
fn this_node() -> Target {
    node_target(NODE)
}

/// A follower's key seed.
const FOLLOWER: u8 = 2;

/// A fresh nonce for each request.
fn nonce() -> [u8; NONCE_LEN] {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let mut out = [0u8; NONCE_LEN];
    out[..8].copy_from_slice(&n.to_be_bytes());
    out
}

fn auth_to(
    target: &Target,
    signer: u8,
    asked: &Asked<'_>,
    ts: u64,
    nonce: [u8; NONCE_LEN],
) -> String {
    let k = key(signer);
    let sig = medwallet_crypto::sign(
        &k,
        Namespace::BLOB_REQUEST,
        &request_message(target, asked, ts, &nonce),
    )
    .to_bytes();
    Auth {
        key: public(&k),
        timestamp_ms: ts,
        nonce,
        signature: sig,
    }
    .to_header()
}

pub(super) fn auth(
    node: u8,
    signer: u8,
    method: Method,
    blob: &Sha256Digest,
    record: Option<&RecordId>,
    grant: Option<&GrantId>,
    ts: u64,
) -> String {
    let asked = Asked {
        method,
        blob,
        record,
        grant,
    };
    auth_to(&node_target(node), signer, &asked, ts, nonce())
}

struct World {
    s: Server,
    blob: Vec<u8>,
    hash: Sha256Digest,
    record: RecordId,
    grant: GrantId,
    revoked: GrantId,
    /// Expires at 1 000 000 ms: after the chain's newest block, long before anyone's clock.
    expiring: GrantId,
    /// The node asked.
    node: u8,
}

/// The server's ledger plus: a doctor, a record for the patient, a grant, a revoked grant and
/// a grant that expires at 1 000 000 ms.
async fn world() -> World {
    world_as(NODE, Vec::new()).await
}

/// The same world, served by node `node` (a follower handing its receipts to `forward_to`).
async fn world_as(node: u8, forward_to: Vec<medledger_client::NodeClient>) -> World {
    let s = server_as(node, forward_to).await;
    let chain = s.ledger.chain_id();
    let mut blob = b"sealed record bytes".to_vec();
    blob.resize(1024, 0); // a size bucket, as the rules require
    let hash = Sha256Digest(sha2::Sha256::digest(&blob).into());
    let clinic = Address::of(&public(&key(CLINIC)));
    let record = RecordId::derive(&clinic, 1);
    let patient = Address::of(&public(&key(PATIENT)));
    let doctor = Address::of(&public(&key(DOCTOR)));
    let wk = WrappedKey([3; WRAPPED_KEY_LEN]);
    let txs = vec![
        register_doctor(chain, 0, DOCTOR, ReceivingKey([4; 32])),
        sign(
            chain,
            CLINIC,
            1,
            TxBody::IssueRecord {
                record,
                patient,
                ciphertext_sha256: hash,
                ciphertext_len: blob.len() as u64,
                wrapped_key: wk,
                metadata: vec![0; 1024],
            },
        ),
        sign(
            chain,
            PATIENT,
            1,
            TxBody::Grant {
                grantee: doctor,
                scope: Scope::Records(vec![record]),
                expires_at_ms: None,
                keys: vec![RecordKey {
                    record,
                    wrapped_key: wk,
                }],
                terms: Default::default(),
            },
        ),
        sign(
            chain,
            PATIENT,
            2,
            TxBody::Grant {
                grantee: doctor,
                scope: Scope::Open,
                expires_at_ms: None,
                keys: vec![RecordKey {
                    record,
                    wrapped_key: wk,
                }],
                terms: Default::default(),
            },
        ),
        sign(
            chain,
            PATIENT,
            3,
            TxBody::Revoke {
                grant: GrantId::derive(&patient, 2),
            },
        ),
        sign(
            chain,
            PATIENT,
            4,
            TxBody::Grant {
                grantee: doctor,
                scope: Scope::Open,
                expires_at_ms: Some(1_000_000),
                keys: vec![RecordKey {
                    record,
                    wrapped_key: wk,
                }],
                terms: Default::default(),
            },
        ),
    ];
    s.finalize(s.ledger.tip().timestamp_ms + 1, &txs);
    World {
        s,
        blob,
        hash,
        record,
        grant: GrantId::derive(&patient, 1),
        revoked: GrantId::derive(&patient, 2),
        expiring: GrantId::derive(&patient, 4),
        node,
    }
}

/// The patient's grant of everything to the doctor, at patient nonce `nonce`.
fn doctor_grant(w: &World, nonce: u64, expires_at_ms: Option<u64>) -> SignedTx {
    sign(
        w.s.ledger.chain_id(),
        PATIENT,
        nonce,
        TxBody::Grant {
            grantee: Address::of(&public(&key(DOCTOR))),
            scope: Scope::Open,
            expires_at_ms,
            keys: vec![RecordKey {
                record: w.record,
                wrapped_key: WrappedKey([3; WRAPPED_KEY_LEN]),
            }],
            terms: Default::default(),
        },
    )
}

impl World {
    async fn put(&self, signer: Option<u8>, hash: &Sha256Digest, body: Vec<u8>) -> (u16, Value) {
        let mut req = self
            .s
            .client
            .put(format!("{}/v1/blobs/{}", self.s.base, hash.to_hex()))
            .body(body);
        if let Some(signer) = signer {
            req = req.header(
                AUTH_HEADER,
                auth(self.node, signer, Method::Put, hash, None, None, now()),
            );
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, header: Option<String>, grant: Option<&GrantId>) -> (u16, Vec<u8>) {
        let mut url = format!(
            "{}/v1/blobs/{}?record={}",
            self.s.base,
            self.hash.to_hex(),
            self.record.to_hex()
        );
        if let Some(g) = grant {
            url.push_str(&format!("&grant={}", g.to_hex()));
        }
        let mut req = self.s.client.get(url);
        if let Some(h) = header {
            req = req.header(AUTH_HEADER, h);
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        (status, r.bytes().await.expect("body").to_vec())
    }

    fn as_(&self, signer: u8, grant: Option<&GrantId>) -> Option<String> {
        Some(auth(
            self.node,
            signer,
            Method::Get,
            &self.hash,
            Some(&self.record),
            grant,
            now(),
        ))
    }
}

fn code(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .map(|v| v["code"].as_str().unwrap_or("").to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_request_is_single_use_and_bound_to_this_node_and_chain() {
    let w = world().await;
    assert_eq!(w.put(Some(CLINIC), &w.hash, w.blob.clone()).await.0, 201);
    let asked = Asked {
        method: Method::Get,
        blob: &w.hash,
        record: Some(&w.record),
        grant: None,
    };
    let once = auth_to(&this_node(), PATIENT, &asked, now(), nonce());
    assert_eq!(w.get(Some(once.clone()), None).await.0, 200);
    let (status, body) = w.get(Some(once), None).await;
    assert_eq!((status, code(&body)), (401, "replayed".into()), "replayed");
    // Signed for another node, or for this node on another chain: refused here.
    let elsewhere = Target {
        node: PublicKey([2; 32]),
        ..this_node()
    };
    let other_chain = Target {
        chain: ChainId([9; 32]),
        ..this_node()
    };
    for target in [elsewhere, other_chain] {
        let header = auth_to(&target, PATIENT, &asked, now(), nonce());
        let (status, body) = w.get(Some(header), None).await;
        assert_eq!((status, code(&body)), (401, "bad_signature".into()));
    }
}

#[tokio::test]
async fn only_registered_clinics_and_patients_upload_and_only_verified_bytes_are_kept() {
    let w = world().await;
    assert_eq!(
        w.put(None, &w.hash, w.blob.clone()).await.1["code"],
        "no_auth"
    );
    assert_eq!(
        w.put(Some(DOCTOR), &w.hash, w.blob.clone()).await.1["code"],
        "not_an_uploader"
    );
    assert_eq!(
        w.put(Some(CLINIC), &w.hash, b"other bytes".to_vec())
            .await
            .1["code"],
        "hash_mismatch"
    );
    let big = vec![0u8; 4097];
    let big_hash = Sha256Digest(sha2::Sha256::digest(&big).into());
    assert_eq!(w.put(Some(CLINIC), &big_hash, big).await.0, 413);
    assert_eq!(w.put(Some(CLINIC), &w.hash, w.blob.clone()).await.0, 201);
    assert_eq!(
        w.put(Some(CLINIC), &w.hash, w.blob.clone()).await.0,
        200,
        "idempotent"
    );
}

#[tokio::test]
async fn patients_and_current_grantees_read_and_grantee_reads_leave_a_receipt() {
    let w = world().await;
    assert_eq!(
        w.get(w.as_(PATIENT, None), None).await.0,
        503,
        "record known, blob not uploaded yet"
    );
    assert_eq!(w.put(Some(CLINIC), &w.hash, w.blob.clone()).await.0, 201);
    let (status, body) = w.get(w.as_(PATIENT, None), None).await;
    assert_eq!((status, body), (200, w.blob.clone()));
    assert!(
        w.s.mempool.is_empty(),
        "a patient's own read is not a grantee access"
    );

    let (status, body) = w.get(w.as_(DOCTOR, Some(&w.grant)), Some(&w.grant)).await;
    assert_eq!((status, body), (200, w.blob.clone()));
    let receipts = w.s.mempool.candidates(10);
    assert_eq!(
        receipts.len(),
        1,
        "the grantee's fetch queued an AccessReceipt"
    );
    let TxBody::AccessReceipt {
        grant,
        record,
        request,
    } = &receipts[0].tx.body
    else {
        panic!("not a receipt: {:?}", receipts[0].tx.body.kind());
    };
    assert_eq!((*grant, *record), (w.grant, w.record));
    assert_eq!(
        (request.key, receipts[0].tx.author),
        (public(&key(DOCTOR)), public(&key(NODE))),
        "the receipt carries the doctor's request, and this node wrote it"
    );
}

#[tokio::test]
async fn a_fetch_whose_receipt_the_rules_refuse_is_not_served() {
    let w = world().await;
    assert_eq!(w.put(Some(CLINIC), &w.hash, w.blob.clone()).await.0, 201);
    // By the chain's newest block (at ~2 s) the grant is active; by the request's time it has
    // expired, so its receipt cannot apply, and the blob stays here.
    let (status, body) = w
        .get(w.as_(DOCTOR, Some(&w.expiring)), Some(&w.expiring))
        .await;
    assert_eq!((status, code(&body).as_str()), (403, "grant_expired"));
    assert!(w.s.mempool.is_empty());
}

#[tokio::test]
async fn whether_a_grant_is_active_is_decided_at_the_finalized_blocks_time() {
    let w = world().await;
    assert_eq!(w.put(Some(CLINIC), &w.hash, w.blob.clone()).await.0, 201);
    let patient = Address::of(&public(&key(PATIENT)));
    // A grant that expires in ten minutes by this node's clock; then a block finalized an hour
    // ahead (the consortium's time, not this node's) after which it has expired.
    let expiry = now() + 10 * 60 * 1000;
    let grant = doctor_grant(&w, 5, Some(expiry));
    w.s.finalize(now(), &[grant]);
    w.s.finalize(expiry + 60 * 60 * 1000, &[]);
    let id = GrantId::derive(&patient, 5);
    let (status, body) = w.get(w.as_(DOCTOR, Some(&id)), Some(&id)).await;
    assert_eq!((status, code(&body).as_str()), (403, "grant_expired"));
}

#[tokio::test]
async fn a_follower_serves_a_grantee_only_once_a_peer_has_taken_its_receipt() {
    let validator = world().await;
    let peer = medledger_client::NodeClient::new(validator.s.base.clone());
    let follower = world_as(FOLLOWER, vec![peer]).await;
    assert_eq!(
        follower
            .put(Some(CLINIC), &follower.hash, follower.blob.clone())
            .await
            .0,
        201
    );
    let (status, body) = follower
        .get(
            follower.as_(DOCTOR, Some(&follower.grant)),
            Some(&follower.grant),
        )
        .await;
    assert_eq!((status, body), (200, follower.blob.clone()));
    let taken = validator.s.mempool.candidates(10);
    assert_eq!(taken.len(), 1, "the validator holds the follower's receipt");
    assert_eq!(taken[0].tx.author, public(&key(FOLLOWER)));

    // With no peer to take it, the follower refuses.
    let unreachable = medledger_client::NodeClient::new("http://127.0.0.1:9");
    let alone = world_as(FOLLOWER, vec![unreachable]).await;
    assert_eq!(
        alone
            .put(Some(CLINIC), &alone.hash, alone.blob.clone())
            .await
            .0,
        201
    );
    let (status, body) = alone
        .get(alone.as_(DOCTOR, Some(&alone.grant)), Some(&alone.grant))
        .await;
    assert_eq!((status, code(&body).as_str()), (503, "receipt_unrecorded"));
}

#[tokio::test]
async fn everyone_else_is_refused_with_a_specific_reason() {
    let w = world().await;
    assert_eq!(w.put(Some(CLINIC), &w.hash, w.blob.clone()).await.0, 201);
    let cases: Vec<(Option<String>, Option<&GrantId>, u16, &str)> = vec![
        (None, None, 401, "no_auth"),
        (Some("garbage".into()), None, 401, "no_auth"),
        (w.as_(DOCTOR, None), None, 403, "no_grant"),
        (
            w.as_(STRANGER, Some(&w.grant)),
            Some(&w.grant),
            403,
            "no_grant",
        ),
        (
            w.as_(DOCTOR, Some(&w.revoked)),
            Some(&w.revoked),
            403,
            "grant_revoked",
        ),
        (
            Some(auth(
                NODE,
                DOCTOR,
                Method::Get,
                &w.hash,
                Some(&w.record),
                Some(&w.grant),
                now() - 10 * 60 * 1000,
            )),
            Some(&w.grant),
            401,
            "stale_request",
        ),
        // Signed for another grant than the one in the query.
        (
            w.as_(DOCTOR, Some(&w.revoked)),
            Some(&w.grant),
            401,
            "bad_signature",
        ),
    ];
    for (header, grant, status, expected) in cases {
        let (got, body) = w.get(header, grant).await;
        assert_eq!((got, code(&body).as_str()), (status, expected));
    }
    assert!(w.s.mempool.is_empty(), "refused reads leave no receipts");
}

#[tokio::test]
async fn a_receipt_refused_at_block_time_does_not_stall_the_nodes_later_receipts() {
    let w = world().await;
    assert_eq!(w.put(Some(CLINIC), &w.hash, w.blob.clone()).await.0, 201);
    let chain = w.s.ledger.chain_id();
    let patient = Address::of(&public(&key(PATIENT)));
    let fetched_at = now();
    assert_eq!(
        w.get(w.as_(DOCTOR, Some(&w.grant)), Some(&w.grant)).await.0,
        200
    );
    // A revocation finalized in a block timed before the request: the queued receipt can
    // never apply now.
    let revoke = sign(chain, PATIENT, 5, TxBody::Revoke { grant: w.grant });
    w.s.finalize(fetched_at - 1_000, &[revoke]);
    let tip = w.s.ledger.tip();
    let (block, rejected) =
        w.s.ledger
            .build_reporting(&tip, now(), &w.s.mempool.candidates(10), &|_| false)
            .expect("build");
    assert!(block.txs.is_empty());
    assert!(matches!(rejected[..], [(_, TxError::GrantRevoked)]));
    assert_eq!(w.s.mempool.evict_rejected(&rejected), 1);
    assert!(w.s.mempool.is_empty());

    // A new grant; the doctor's next fetch gets a receipt that takes the freed nonce and applies.
    let grant = doctor_grant(&w, 6, None);
    w.s.finalize(now(), &[grant]);
    let id = GrantId::derive(&patient, 6);
    assert_eq!(w.get(w.as_(DOCTOR, Some(&id)), Some(&id)).await.0, 200);
    let tip = w.s.ledger.tip();
    let (block, rejected) =
        w.s.ledger
            .build_reporting(&tip, now(), &w.s.mempool.candidates(10), &|_| false)
            .expect("build");
    assert_eq!(
        (block.txs.len(), rejected.len()),
        (1, 0),
        "the node's receipts flow again"
    );
}

#[tokio::test]
async fn a_refused_receipt_leaves_the_pool_at_the_next_commit_on_any_node() {
    // What a follower (which builds no proposals) relies on: after a commit the pending
    // records are re-checked against the new state.
    let w = world().await;
    assert_eq!(w.put(Some(CLINIC), &w.hash, w.blob.clone()).await.0, 201);
    let fetched_at = now();
    assert_eq!(
        w.get(w.as_(DOCTOR, Some(&w.grant)), Some(&w.grant)).await.0,
        200
    );
    assert_eq!(
        w.s.mempool.revalidate(&w.s.ledger, 64),
        0,
        "still applicable"
    );
    let revoke = sign(
        w.s.ledger.chain_id(),
        PATIENT,
        5,
        TxBody::Revoke { grant: w.grant },
    );
    w.s.finalize(fetched_at - 1_000, &[revoke]);
    assert_eq!(w.s.mempool.revalidate(&w.s.ledger, 64), 1);
    assert!(w.s.mempool.is_empty());
}
