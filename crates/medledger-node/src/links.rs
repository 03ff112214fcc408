//! SMART Health Links served by the consortium's nodes (SMART Health Cards and Links IG, STU1,
//! "Manifest Request"): a receiving application POSTs to the link's URL and gets the manifest of
//! its encrypted files, or 401 with the attempts left, or 404 once the link is revoked, expired
//! or out of attempts. The link's state is on the ledger, so every node applies the same limits.
//!
//! Each answer is recorded first, by a LinkAccess this node writes (the recipient's name sealed
//! to the patient): for a link without a passcode, once it is admitted (as access receipts are);
//! for a link with one, once it is final, so the wrong-passcode budget is spent in the chain's
//! order and parallel guesses at several nodes get no more tries than the patient allowed.
//! Files are embedded in the manifest when the receiver accepts their size, else given as a
//! `location` that this node signs for ten minutes.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use medledger_state::store::Ledger;
use medledger_types::codec::Canonical;
use medledger_types::hash::{LinkId, Sha256Digest};
use medledger_types::link::{LinkEntry, LinkOutcome, LinkStatus, recipient_context};
use medledger_types::state::{Account, MAX_VALUE_LEN, StateKey};
use medledger_types::tx::TxBody;
use medwallet_crypto::X25519PublicKey;
use medwallet_crypto::envelope::{X25519Recipient, seal_to};
use medwallet_shl::manifest::{FHIR_JSON, Manifest, ManifestFile, ManifestRequest};
use rand::RngExt;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::api::ApiState;

/// How long a file `location` stays valid (the spec allows at most an hour).
pub const LOCATION_LIFETIME_MS: u64 = 10 * 60 * 1000;
/// How long a passcode answer waits for its LinkAccess to be final.
const FINALITY_WAIT: Duration = Duration::from_secs(20);

/// Why a manifest request is not answered with the manifest.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 404: no such link, or no longer active.
    NotActive,
    /// 401: wrong (or missing) passcode.
    Passcode { remaining_attempts: u32 },
    /// 400: the request itself is malformed.
    BadRequest(String),
    /// 503: the answer could not be recorded on the ledger in time; try again.
    Unrecorded(String),
}

/// What a node keeps for serving links: the key it signs file locations with (fresh at each
/// start, so locations die with the process, as short-lived URLs should) and its public scheme.
pub struct LinkDesk {
    location_key: [u8; 32],
    pub scheme: &'static str,
}

impl LinkDesk {
    pub fn new(tls: bool) -> Self {
        Self {
            location_key: rand::rng().random(),
            scheme: if tls { "https" } else { "http" },
        }
    }

    fn location_mac(&self, link: &LinkId, file: &Sha256Digest, expires_ms: u64) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.location_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(b"medledger/shl-file-location/v1\0");
        mac.update(&link.0);
        mac.update(&file.0);
        mac.update(&expires_ms.to_be_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The query string that lets `file` of `link` be fetched until `expires_ms`.
    pub fn sign_location(&self, link: &LinkId, file: &Sha256Digest, expires_ms: u64) -> String {
        format!(
            "exp={expires_ms}&sig={}",
            hex::encode(self.location_mac(link, file, expires_ms))
        )
    }

    /// Whether a location's signature is this node's and unexpired.
    pub fn check_location(
        &self,
        link: &LinkId,
        file: &Sha256Digest,
        expires_ms: u64,
        sig: &str,
        now_ms: u64,
    ) -> bool {
        let Ok(sig) = hex::decode(sig) else {
            return false;
        };
        now_ms < expires_ms
            && bool::from(
                self.location_mac(link, file, expires_ms)
                    .ct_eq(sig.as_slice()),
            )
    }
}

/// The link a URL token names (`None` if the token is not 32 bytes of base64url).
pub fn link_of_token(token: &str) -> Option<LinkId> {
    medwallet_shl::payload::decode_token(token).map(|bytes| LinkId::of_token(&bytes))
}

/// The link's entry and status at the newest finalized block.
pub fn active_link(ledger: &Ledger, link: &LinkId) -> Result<LinkEntry, Refusal> {
    let entry = ledger
        .get(&StateKey::link(link))
        .map_err(|e| Refusal::Unrecorded(e.to_string()))?
        .and_then(|bytes| LinkEntry::decode(&bytes, MAX_VALUE_LEN).ok())
        .ok_or(Refusal::NotActive)?;
    match LinkStatus::of(&entry, ledger.tip().timestamp_ms) {
        LinkStatus::Active => Ok(entry),
        _ => Err(Refusal::NotActive),
    }
}

/// The recipient's name sealed to the patient (the one layout of
/// `medwallet_crypto::envelope::seal_to`, bound to the link's id).
fn seal_recipient(
    ledger: &Ledger,
    entry: &LinkEntry,
    link: &LinkId,
    recipient: &str,
) -> Result<Vec<u8>, Refusal> {
    let account: Account = ledger
        .get(&StateKey::account(&entry.patient))
        .map_err(|e| Refusal::Unrecorded(e.to_string()))?
        .and_then(|bytes| Account::decode(&bytes, MAX_VALUE_LEN).ok())
        .ok_or(Refusal::NotActive)?;
    seal_to(
        &X25519Recipient::new(X25519PublicKey::from(account.receiving.0)),
        &recipient_context(link),
        recipient.trim().as_bytes(),
        &mut rand::rng(),
    )
    .map_err(|e| Refusal::Unrecorded(e.to_string()))
}

/// Answers a manifest request for the link `token` names; `base` is this node's public URL
/// (for file locations).
pub async fn answer(
    state: &ApiState,
    token: &str,
    request: &ManifestRequest,
    base: &str,
    now_ms: u64,
) -> Result<Manifest, Refusal> {
    request
        .check()
        .map_err(|e| Refusal::BadRequest(e.to_string()))?;
    let link = link_of_token(token).ok_or(Refusal::NotActive)?;
    let entry = active_link(&state.ledger, &link)?;
    let outcome = match (&entry.passcode, &request.passcode) {
        (None, _) => LinkOutcome::Opened,
        (Some(_), None) => {
            return Err(Refusal::Passcode {
                remaining_attempts: entry.attempts_left,
            });
        }
        (Some(verifier), Some(guess)) => {
            let (verifier, guess) = (*verifier, guess.clone());
            // Argon2id takes tens of milliseconds and 19 MiB: off the async threads.
            let right = tokio::task::spawn_blocking(move || {
                medwallet_crypto::passcode::matches(&guess, &verifier)
            })
            .await
            .map_err(|e| Refusal::Unrecorded(e.to_string()))?;
            if right {
                LinkOutcome::Opened
            } else {
                LinkOutcome::WrongPasscode
            }
        }
    };
    let body = TxBody::LinkAccess {
        link,
        outcome,
        recipient_sealed: seal_recipient(&state.ledger, &entry, &link, &request.recipient)?,
        at_ms: now_ms,
    };
    let signed = state
        .receipts
        .record(&state.ledger, &state.mempool, body, now_ms)
        .await
        .map_err(|e| match e {
            crate::receipts::ReceiptRefused::Rules(_) => Refusal::NotActive,
            other => Refusal::Unrecorded(other.to_string()),
        })?;
    let entry = if entry.passcode.is_some() {
        wait_final(state, &signed.id()).await?;
        // Applied in the chain's order: the budget as it stands after this very answer.
        let after = state
            .ledger
            .get(&StateKey::link(&link))
            .ok()
            .flatten()
            .and_then(|bytes| LinkEntry::decode(&bytes, MAX_VALUE_LEN).ok())
            .ok_or(Refusal::NotActive)?;
        if outcome == LinkOutcome::WrongPasscode {
            return Err(Refusal::Passcode {
                remaining_attempts: after.attempts_left,
            });
        }
        after
    } else {
        entry
    };
    manifest(state, &link, &entry, request, base, now_ms)
}

/// Waits until `id` is in a finalized block; a transaction dropped as no longer applicable
/// (the link ran out of attempts or was revoked before it) means the link is not active.
async fn wait_final(state: &ApiState, id: &medledger_types::hash::TxId) -> Result<(), Refusal> {
    let mut heights = state.heights.clone();
    let deadline = tokio::time::Instant::now() + FINALITY_WAIT;
    loop {
        if state
            .ledger
            .tx_height(id)
            .map_err(|e| Refusal::Unrecorded(e.to_string()))?
            .is_some()
        {
            return Ok(());
        }
        if !state.mempool.contains(id) {
            // Committed between the two looks, or dropped as no longer applicable.
            let committed = state.ledger.tx_height(id).ok().flatten().is_some();
            return if committed {
                Ok(())
            } else {
                Err(Refusal::NotActive)
            };
        }
        match tokio::time::timeout_at(deadline, heights.changed()).await {
            Ok(Ok(())) => {}
            _ => {
                return Err(Refusal::Unrecorded(
                    "the ledger did not finalize this answer in time; try again".into(),
                ));
            }
        }
    }
}

fn manifest(
    state: &ApiState,
    link: &LinkId,
    entry: &LinkEntry,
    request: &ManifestRequest,
    base: &str,
    now_ms: u64,
) -> Result<Manifest, Refusal> {
    let token_path = format!("{base}/shl/files/{}", link.to_hex());
    let mut files = Vec::with_capacity(entry.files.len());
    for file in &entry.files {
        let embed = request
            .embedded_length_max
            .is_none_or(|max| file.len <= max);
        let (embedded, location) = if embed {
            let bytes = std::fs::read(state.blobs.path(&file.sha256)).map_err(|_| {
                Refusal::Unrecorded(
                    "a file of this link is not on this node yet; try another node".into(),
                )
            })?;
            let text = String::from_utf8(bytes)
                .map_err(|_| Refusal::Unrecorded("a stored link file is not a JWE".into()))?;
            (Some(text), None)
        } else {
            let expires = now_ms + LOCATION_LIFETIME_MS;
            let query = state.links.sign_location(link, &file.sha256, expires);
            (
                None,
                Some(format!("{token_path}/{}?{query}", file.sha256.to_hex())),
            )
        };
        files.push(ManifestFile {
            content_type: FHIR_JSON.into(),
            location,
            embedded,
            last_updated: None,
            fhir_version: Some("4.0.1".into()),
        });
    }
    Ok(Manifest {
        status: Some(
            if entry.long_term {
                "can-change"
            } else {
                "finalized"
            }
            .into(),
        ),
        files,
    })
}
