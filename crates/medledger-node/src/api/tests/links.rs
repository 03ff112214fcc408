//! SMART Health Links served by a node: the manifest (files embedded, or at a signed
//! location), wrong passcodes counted down in ledger order to a disabled link, revocation, the
//! direct file of a `U` link, and each answer recorded as a LinkAccess.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use medledger_types::blob_request::{AUTH_HEADER, Method};
use medledger_types::hash::LinkId;
use medledger_types::link::{LinkFile, LinkOutcome};
use medwallet_shl::{LinkKey, jwe};
use sha2::Digest;

use super::blob_access::{auth, now};
use super::*;

const FHIR: &[u8] = br#"{"resourceType":"Bundle","type":"collection","entry":[]}"#;

struct Link {
    token: String,
    id: LinkId,
    key: LinkKey,
    jwe: String,
}

/// A patient's link: its file uploaded, its CreateLink committed (patient nonce `nonce`).
async fn link(s: &Server, nonce: u64, passcode: Option<&str>, attempts: u32) -> Link {
    let key = LinkKey::from_bytes([nonce as u8; 32]);
    let jwe =
        jwe::encrypt(&key, &mut rand::rng(), "application/fhir+json", FHIR, true).expect("jwe");
    let hash = Sha256Digest(sha2::Sha256::digest(jwe.as_bytes()).into());
    let put = s
        .client
        .put(format!("{}/v1/blobs/{}", s.base, hash.to_hex()))
        .header(
            AUTH_HEADER,
            auth(NODE, PATIENT, Method::Put, &hash, None, None, now()),
        )
        .body(jwe.clone())
        .send()
        .await
        .expect("put");
    assert_eq!(put.status().as_u16(), 201, "a patient uploads a link file");
    let token_bytes = [nonce as u8 + 100; 32];
    let id = LinkId::of_token(&token_bytes);
    let create = sign(
        s.ledger.chain_id(),
        PATIENT,
        nonce,
        TxBody::CreateLink {
            link: id,
            expires_at_ms: now() + 3_600_000,
            passcode: passcode.map(|p| medwallet_crypto::passcode::verifier(p, &mut rand::rng())),
            attempts,
            long_term: false,
            files: vec![LinkFile {
                sha256: hash,
                len: jwe.len() as u64,
            }],
            sealed: vec![],
        },
    );
    s.finalize(now(), &[create]);
    Link {
        token: URL_SAFE_NO_PAD.encode(token_bytes),
        id,
        key,
        jwe,
    }
}

/// Stands in for consensus: finalizes whatever the mempool holds, every few milliseconds.
fn finalize_continuously(s: &Server) -> tokio::task::JoinHandle<()> {
    let (ledger, mempool, heights) = (s.ledger.clone(), s.mempool.clone(), s.heights.clone());
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let candidates = mempool.candidates(50);
            if candidates.is_empty() {
                continue;
            }
            let tip = ledger.tip();
            let ts = now().max(tip.timestamp_ms + 1);
            let Ok((block, rejected)) = ledger.build_reporting(&tip, ts, &candidates, &|_| false)
            else {
                continue;
            };
            mempool.evict_rejected(&rejected);
            if ledger.commit(&block, None).is_ok() {
                mempool.remove_committed(&block.txs);
                let _ = heights.send(block.header.height);
            }
        }
    })
}

async fn ask(s: &Server, token: &str, body: Value) -> (u16, Value) {
    let r = s
        .client
        .post(format!("{}/shl/{token}", s.base))
        .json(&body)
        .send()
        .await
        .expect("post");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn accesses(s: &Server, link: &LinkId) -> Vec<LinkOutcome> {
    (0..)
        .map_while(|i| s.ledger.get(&StateKey::link_access(link, i)).ok().flatten())
        .map(|b| {
            medledger_types::link::LinkAccessEntry::decode(&b, 65536)
                .expect("entry")
                .outcome
        })
        .collect()
}

#[tokio::test]
async fn a_manifest_embeds_or_locates_the_files_and_each_opening_is_recorded() {
    let s = server().await;
    let l = link(&s, 1, None, 0).await;
    let (status, manifest) = ask(&s, &l.token, json!({ "recipient": "St Mary ED" })).await;
    assert_eq!(status, 200, "{manifest}");
    assert_eq!(manifest["status"], "finalized");
    let embedded = manifest["files"][0]["embedded"].as_str().expect("embedded");
    let opened = jwe::decrypt(&l.key, embedded).expect("the link's key opens it");
    assert_eq!(opened.plaintext, FHIR);
    assert_eq!(manifest["files"][0]["contentType"], "application/fhir+json");
    let queued = s.mempool.candidates(10);
    assert!(
        matches!(
            queued[..],
            [ref tx] if matches!(tx.tx.body, TxBody::LinkAccess { outcome: LinkOutcome::Opened, .. })
        ),
        "the opening is recorded before it is answered"
    );

    // A receiver that takes no embedded files gets a short-lived location instead.
    let (_, manifest) = ask(
        &s,
        &l.token,
        json!({ "recipient": "Pharmacy", "embeddedLengthMax": 10 }),
    )
    .await;
    let location = manifest["files"][0]["location"].as_str().expect("location");
    let r = s.client.get(location).send().await.expect("get");
    assert_eq!(r.headers()["content-type"], "application/jose");
    assert_eq!(r.text().await.expect("body"), l.jwe);
    let forged = location.replace("sig=", "sig=00");
    assert_eq!(
        s.client
            .get(forged)
            .send()
            .await
            .expect("get")
            .status()
            .as_u16(),
        404
    );

    // Unknown tokens and malformed requests.
    let unknown = URL_SAFE_NO_PAD.encode([9u8; 32]);
    assert_eq!(ask(&s, &unknown, json!({ "recipient": "x" })).await.0, 404);
    assert_eq!(
        ask(&s, "not-a-token", json!({ "recipient": "x" })).await.0,
        404
    );
    assert_eq!(ask(&s, &l.token, json!({ "recipient": " " })).await.0, 400);

    // A single-file link without passcode is also its file (`U`).
    let r = s
        .client
        .get(format!("{}/shl/{}?recipient=Carer", s.base, l.token))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.text().await.expect("body"), l.jwe);
}

#[tokio::test]
async fn wrong_passcodes_count_down_in_ledger_order_to_a_disabled_link() {
    let s = server().await;
    let _consensus = finalize_continuously(&s);
    let l = link(&s, 1, Some("4711"), 2).await;
    let wrong = json!({ "recipient": "Someone", "passcode": "0000" });
    let right = json!({ "recipient": "St Mary ED", "passcode": "4711" });
    let (status, body) = ask(&s, &l.token, wrong.clone()).await;
    assert_eq!((status, body["remainingAttempts"].as_u64()), (401, Some(1)));
    // Asking without one costs nothing.
    let (status, body) = ask(&s, &l.token, json!({ "recipient": "Someone" })).await;
    assert_eq!((status, body["remainingAttempts"].as_u64()), (401, Some(1)));
    let (status, manifest) = ask(&s, &l.token, right.clone()).await;
    assert_eq!(status, 200, "{manifest}");
    assert!(manifest["files"][0]["embedded"].is_string());
    let (status, body) = ask(&s, &l.token, wrong).await;
    assert_eq!((status, body["remainingAttempts"].as_u64()), (401, Some(0)));
    // Out of attempts: disabled for good, the right passcode included.
    assert_eq!(ask(&s, &l.token, right).await.0, 404);
    assert_eq!(
        accesses(&s, &l.id),
        [
            LinkOutcome::WrongPasscode,
            LinkOutcome::Opened,
            LinkOutcome::WrongPasscode
        ],
        "every answer is in the patient's log, in order"
    );
}

#[tokio::test]
async fn a_revoked_link_answers_404_from_the_next_block_on() {
    let s = server().await;
    let l = link(&s, 1, None, 0).await;
    assert_eq!(ask(&s, &l.token, json!({ "recipient": "ED" })).await.0, 200);
    s.mempool.remove_committed(&s.mempool.candidates(10));
    let revoke = sign(
        s.ledger.chain_id(),
        PATIENT,
        2,
        TxBody::RevokeLink { link: l.id },
    );
    s.finalize(now(), &[revoke]);
    assert_eq!(ask(&s, &l.token, json!({ "recipient": "ED" })).await.0, 404);
    let r = s
        .client
        .get(format!("{}/shl/{}?recipient=ED", s.base, l.token))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn every_node_serves_the_viewer_and_lets_other_origins_ask_for_manifests() {
    let s = server().await;
    let page = s
        .client
        .get(format!("{}/viewer", s.base))
        .send()
        .await
        .expect("get");
    assert_eq!(page.status().as_u16(), 200);
    let csp = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .expect("a CSP")
        .to_owned();
    assert!(csp.contains("default-src 'none'") && csp.contains("connect-src *"));
    let html = page.text().await.expect("html");
    assert!(html.contains("<div id=\"viewer\">") && html.contains("shlink:/"));

    let preflight = s
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/shl/{}", s.base, "A".repeat(43)),
        )
        .header("origin", "https://viewer.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .expect("preflight");
    assert_eq!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("*")
    );
    // The wallet's own API is not opened to other origins.
    let status = s
        .client
        .get(format!("{}/v1/status", s.base))
        .header("origin", "https://viewer.example")
        .send()
        .await
        .expect("status");
    assert!(
        status
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}
