//! Who may read or write a blob, decided from verified ledger state and a signed request.

use medledger_types::error_code::ErrorCode;
use std::collections::BTreeSet;

use medledger_state::store::Ledger;
use medledger_types::blob_request::{Asked, Auth, MAX_SKEW_MS, Method, Target, request_message};

use crate::replay::{ReplayGuard, Seen};
use medledger_types::codec::Canonical;
use medledger_types::emergency::{EmergencyRequest, EmergencyRequestId, EmergencySet};
use medledger_types::erasure::ErasedRecord;
use medledger_types::hash::{Address, GrantId, PublicKey, RecordId, Sha256Digest};
use medledger_types::state::{
    Account, AccountKind, GrantEntry, GrantStatus, MAX_VALUE_LEN, RecordEntry, StateKey,
};
use medwallet_crypto::{Namespace, Signature, VerifyingKey};
use thiserror::Error;

/// Why a request was refused. `code()` is what the API returns.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum Denied {
    #[error("missing or malformed x-medwallet-auth header")]
    NoAuth,
    #[error("the request's signature does not verify")]
    BadSignature,
    #[error("this request was already used: sign a new one (requests are single-use)")]
    Replayed,
    #[error("too many requests at once; try again shortly")]
    Busy,
    #[error("the request's timestamp is too far from the node's clock")]
    StaleRequest,
    #[error("unknown record")]
    UnknownRecord,
    #[error(
        "the patient erased this record: its keys left the ledger and the nodes delete its ciphertext"
    )]
    Erased,
    #[error("the record does not reference this blob")]
    WrongBlob,
    #[error(
        "only the patient, a grantee with a current grant, or a peer node may fetch this record"
    )]
    NoGrant,
    #[error("the grant was revoked: access stops for anything not already downloaded")]
    GrantRevoked,
    #[error("the grant has expired")]
    GrantExpired,
    #[error("only registered clinics (records) and patients (link files) upload blobs")]
    NotAnUploader,
    #[error(
        "only the patient, or a clinician whose emergency request for it is less than 24 hours old, may fetch this emergency set"
    )]
    NoEmergencyAccess,
    #[error("state error: {0}")]
    State(String),
}

impl Denied {
    pub fn code(&self) -> ErrorCode {
        match self {
            Denied::NoAuth => ErrorCode::NoAuth,
            Denied::BadSignature => ErrorCode::BadSignature,
            Denied::StaleRequest => ErrorCode::StaleRequest,
            Denied::Replayed => ErrorCode::Replayed,
            Denied::Busy => ErrorCode::Busy,
            Denied::UnknownRecord => ErrorCode::UnknownRecord,
            Denied::Erased => ErrorCode::Erased,
            Denied::WrongBlob => ErrorCode::WrongBlob,
            Denied::NoGrant => ErrorCode::NoGrant,
            Denied::GrantRevoked => ErrorCode::GrantRevoked,
            Denied::GrantExpired => ErrorCode::GrantExpired,
            Denied::NotAnUploader => ErrorCode::NotAnUploader,
            Denied::NoEmergencyAccess => ErrorCode::NoEmergencyAccess,
            Denied::State(_) => ErrorCode::StateError,
        }
    }

    /// 401 for who-are-you problems, 403 for you-may-not, 404 for no-such-thing, 410 for
    /// what was erased.
    pub fn status(&self) -> u16 {
        match self {
            Denied::NoAuth | Denied::BadSignature | Denied::StaleRequest | Denied::Replayed => 401,
            Denied::Busy => 503,
            Denied::UnknownRecord | Denied::WrongBlob => 404,
            Denied::Erased => 410,
            Denied::State(_) => 500,
            _ => 403,
        }
    }
}

/// Who was let in.
#[derive(Debug, PartialEq, Eq)]
pub enum Access {
    Patient,
    /// A grantee, with the signed request its AccessReceipt will carry.
    Grantee {
        grant: GrantId,
        request: Auth,
    },
    Peer,
    /// A clinician inside the window of its emergency request for the set's account.
    Emergency,
}

/// Where requests to this node must be addressed, and the requests it has seen.
pub struct Gate<'a> {
    /// This node on its chain (a request signed for another node or chain is refused).
    pub me: Target,
    pub seen: &'a ReplayGuard,
}

fn verify(gate: &Gate<'_>, auth: &Auth, asked: &Asked<'_>, now_ms: u64) -> Result<(), Denied> {
    if auth.timestamp_ms.abs_diff(now_ms) > MAX_SKEW_MS {
        return Err(Denied::StaleRequest);
    }
    let key = VerifyingKey::from_bytes(&auth.key.0).map_err(|_| Denied::BadSignature)?;
    let message = request_message(&gate.me, asked, auth.timestamp_ms, &auth.nonce);
    medwallet_crypto::verify(
        &key,
        Namespace::BLOB_REQUEST,
        &message,
        &Signature::from_bytes(&auth.signature),
    )
    .map_err(|_| Denied::BadSignature)?;
    gate.seen.admit(auth, now_ms).map_err(|seen| match seen {
        Seen::Replayed => Denied::Replayed,
        Seen::Full => Denied::Busy,
    })
}

/// The account `key` signs for now, if any: the one it was rotated into, or its own; a key
/// its account rotated away from signs for none.
fn account_signed_by(
    ledger: &Ledger,
    key: &PublicKey,
) -> Result<Option<(Address, Account)>, Denied> {
    let address = medledger_state::rules::account_of_key(ledger, key)
        .map_err(|e| Denied::State(e.to_string()))?;
    Ok(value::<Account>(ledger, &StateKey::account(&address))?
        .filter(|account| account.signing == *key)
        .map(|account| (address, account)))
}

/// A 32-byte id stored as a state value.
fn id_value(ledger: &Ledger, key: &StateKey) -> Result<Option<[u8; 32]>, Denied> {
    match ledger.get(key).map_err(|e| Denied::State(e.to_string()))? {
        None => Ok(None),
        Some(bytes) => bytes
            .as_slice()
            .try_into()
            .map(Some)
            .map_err(|_| Denied::State("an id is 32 bytes".into())),
    }
}

fn value<T: Canonical>(ledger: &Ledger, key: &StateKey) -> Result<Option<T>, Denied> {
    match ledger.get(key).map_err(|e| Denied::State(e.to_string()))? {
        None => Ok(None),
        Some(bytes) => T::decode(&bytes, MAX_VALUE_LEN)
            .map(Some)
            .map_err(|e| Denied::State(e.to_string())),
    }
}

/// Decides a GET of `blob` for `record` (optionally under `grant`). The request's freshness is
/// judged by `now_ms` (the node's clock); whether a grant is still active, by the newest
/// finalized block's time, as the ledger's rules judge it.
#[allow(clippy::too_many_arguments)]
pub fn check_get(
    ledger: &Ledger,
    gate: &Gate<'_>,
    peers: &BTreeSet<PublicKey>,
    auth: Option<&Auth>,
    blob: &Sha256Digest,
    record: &RecordId,
    grant: Option<&GrantId>,
    now_ms: u64,
) -> Result<Access, Denied> {
    let auth = auth.ok_or(Denied::NoAuth)?;
    let asked = Asked {
        method: Method::Get,
        blob,
        record: Some(record),
        grant,
    };
    verify(gate, auth, &asked, now_ms)?;
    if let Some(owner) = id_value(ledger, &StateKey::emergency_set(record))? {
        return emergency_set_access(ledger, peers, auth, blob, record, &Address(owner));
    }
    let entry: RecordEntry = match value(ledger, &StateKey::record(record))? {
        Some(entry) => entry,
        None => match value::<ErasedRecord>(ledger, &StateKey::erased(record))? {
            Some(erased) if erased.ciphertext_sha256 == *blob => return Err(Denied::Erased),
            _ => return Err(Denied::UnknownRecord),
        },
    };
    if entry.ciphertext_sha256 != *blob {
        return Err(Denied::WrongBlob);
    }
    if account_signed_by(ledger, &auth.key)?.is_some_and(|(address, _)| address == entry.patient) {
        return Ok(Access::Patient);
    }
    // Grantees are keys of no account (derived per patient and doctor).
    let requester = Address::of(&auth.key);
    if peers.contains(&auth.key) {
        return Ok(Access::Peer);
    }
    let grant = grant.ok_or(Denied::NoGrant)?;
    let g: GrantEntry = value(ledger, &StateKey::grant(grant))?.ok_or(Denied::NoGrant)?;
    if g.grantee != requester || g.patient != entry.patient {
        return Err(Denied::NoGrant);
    }
    let revoked = ledger
        .get(&StateKey::revocation(grant))
        .map_err(|e| Denied::State(e.to_string()))?
        .is_some();
    match GrantStatus::of(&g, revoked, ledger.tip().timestamp_ms) {
        GrantStatus::Active => {}
        GrantStatus::Revoked => return Err(Denied::GrantRevoked),
        GrantStatus::Expired => return Err(Denied::GrantExpired),
    }
    if ledger
        .get(&StateKey::grant_key(grant, record))
        .map_err(|e| Denied::State(e.to_string()))?
        .is_none()
    {
        return Err(Denied::NoGrant);
    }
    Ok(Access::Grantee {
        grant: *grant,
        request: *auth,
    })
}

/// Who may fetch `owner`'s emergency set `set`: the account itself, a peer, or a clinician
/// whose latest request for it is for this set and inside its window at the newest finalized
/// block's time.
fn emergency_set_access(
    ledger: &Ledger,
    peers: &BTreeSet<PublicKey>,
    auth: &Auth,
    blob: &Sha256Digest,
    set: &RecordId,
    owner: &Address,
) -> Result<Access, Denied> {
    let current: EmergencySet = value(ledger, &StateKey::emergency(owner))?
        .filter(|s: &EmergencySet| s.id == *set)
        .ok_or(Denied::UnknownRecord)?;
    if current.ciphertext_sha256 != *blob {
        return Err(Denied::WrongBlob);
    }
    if peers.contains(&auth.key) {
        return Ok(Access::Peer);
    }
    let Some((requester, _)) = account_signed_by(ledger, &auth.key)? else {
        return Err(Denied::NoEmergencyAccess);
    };
    if requester == *owner {
        return Ok(Access::Patient);
    }
    let latest = id_value(ledger, &StateKey::emergency_access(owner, &requester))?
        .map(EmergencyRequestId)
        .ok_or(Denied::NoEmergencyAccess)?;
    let request: EmergencyRequest =
        value(ledger, &StateKey::emergency_request(&latest))?.ok_or(Denied::NoEmergencyAccess)?;
    if request.set != *set || !request.open_at(ledger.tip().timestamp_ms) {
        return Err(Denied::NoEmergencyAccess);
    }
    Ok(Access::Emergency)
}

/// Decides a PUT of `blob`: registered clinics (record ciphertexts) and patients (the
/// encrypted files of their SMART Health Links); content-addressed and size-bounded either way.
pub fn check_put(
    ledger: &Ledger,
    gate: &Gate<'_>,
    auth: Option<&Auth>,
    blob: &Sha256Digest,
    now_ms: u64,
) -> Result<(), Denied> {
    let auth = auth.ok_or(Denied::NoAuth)?;
    let asked = Asked {
        method: Method::Put,
        blob,
        record: None,
        grant: None,
    };
    verify(gate, auth, &asked, now_ms)?;
    match account_signed_by(ledger, &auth.key)? {
        Some((
            _,
            Account {
                kind: AccountKind::Clinic { .. } | AccountKind::Patient,
                ..
            },
        )) => Ok(()),
        _ => Err(Denied::NotAnUploader),
    }
}
