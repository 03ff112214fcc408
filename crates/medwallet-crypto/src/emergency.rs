//! Emergency access: an emergency set's content key split among the validators ([`shamir`],
//! a quorum of them needed), each share sealed to one validator's emergency key and committed
//! to, so a clinician names a validator that releases anything else; a validator's node
//! releases its share sealed again to the clinician who asked.
//!
//! ```text
//! emergency key     = X25519 secret HKDF-SHA256(node seed, "medledger/emergency-key/v1")
//! to validator i    = seal_to(validator i's emergency key,
//!                             "medwallet/emergency-share/v1" ‖ account ‖ set id ‖ i, share)
//! commitment i      = SHA-256("medwallet/emergency-commitment/v1" ‖ account ‖ set id ‖ i ‖ share)
//! to the clinician  = seal_to(clinician's receiving key,
//!                             "medwallet/emergency-release/v1" ‖ request id ‖ i, share)
//! reason            = n (1 byte, 1..=2) ‖ n × wrap(key, recipient,
//!                             "medwallet/emergency-reason/v2" ‖ account ‖ clinician)
//!                     ‖ payload(key, reason)
//!                     recipients: the account's receiving key, then the set's watch key
//! watch key         = X25519 secret HKDF-Expand(phrase PRK, "medwallet/emergency-watch/v1")
//! ```
//!
//! The watch key is the patient's guardians': its secret travels in each guardian's share
//! (`guardian`), so a guardian reads the reason of every access to the patient's set.
//!
//! The context binds a share to its account and set: a share copied into another account's
//! set does not open for it, so nobody gets another patient's key released by asking for
//! their own.

use hkdf::Hkdf;
use medledger_types::emergency::{EMERGENCY_SHARES_MAX, EmergencyRequestId};
use medledger_types::hash::{Address, RecordId, Sha256Digest, tagged_hash};
use rand_core::CryptoRng;
use sha2::Sha256;
use thiserror::Error;
use x25519_dalek::StaticSecret;
use zeroize::Zeroizing;

use crate::envelope::{
    ContentKey, EnvelopeError, Identity, Recipient, WRAPPED_KEY_LEN, WrappedKey, X25519Identity,
    X25519Recipient, open_sealed, open_to_vec, seal_to, seal_to_vec,
};
use crate::shamir::{self, SecretShare, ShamirError};

/// Longest reason a clinician gives, in bytes.
pub const REASON_MAX: usize = 500;

const KEY_INFO: &[u8] = b"medledger/emergency-key/v1";
const SHARE_CONTEXT: &[u8] = b"medwallet/emergency-share/v1";
const COMMITMENT_TAG: &str = "medwallet/emergency-commitment/v1";
const RELEASE_CONTEXT: &[u8] = b"medwallet/emergency-release/v1";
const REASON_CONTEXT: &[u8] = b"medwallet/emergency-reason/v2";
/// Most recipients a reason is sealed to: the account and its guardians' watch key.
pub const REASON_RECIPIENTS_MAX: usize = 2;
/// Length of a watch key's secret.
pub const WATCH_KEY_LEN: usize = 32;

/// The key a patient's guardians watch its emergency set with: an X25519 secret the phrase
/// derives ([`crate::AccountKeys::emergency_watch`]), given to every guardian in its share.
/// Zeroized on drop; no `Debug`.
pub struct WatchKey(Zeroizing<[u8; WATCH_KEY_LEN]>);

impl WatchKey {
    pub fn from_bytes(bytes: &[u8; WATCH_KEY_LEN]) -> Self {
        Self(Zeroizing::new(*bytes))
    }

    /// The secret (to seal into a guardian's share).
    pub fn as_bytes(&self) -> &[u8; WATCH_KEY_LEN] {
        &self.0
    }

    /// The identity that opens reasons sealed to the key.
    pub fn identity(&self) -> X25519Identity {
        X25519Identity::new(StaticSecret::from(*self.0))
    }

    /// The public key a set names and a clinician seals to.
    pub fn public(&self) -> [u8; 32] {
        self.identity().to_recipient().public_bytes()
    }
}

/// Why a share or reason could not be made, opened or combined. Coarse on purpose.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EmergencyError {
    #[error("the shares cannot be made: {0}")]
    Split(String),
    #[error("it does not open with this key")]
    Sealed,
    #[error("validator {validator}'s share does not match the patient's commitment")]
    Uncommitted { validator: u8 },
    #[error("{got} shares that match their commitments, {needed} needed")]
    TooFewShares { got: usize, needed: u8 },
    #[error("malformed: {0}")]
    Malformed(String),
}

impl From<EnvelopeError> for EmergencyError {
    fn from(_: EnvelopeError) -> Self {
        EmergencyError::Sealed
    }
}

impl From<ShamirError> for EmergencyError {
    fn from(e: ShamirError) -> Self {
        match e {
            ShamirError::TooFewShares { got, needed } => {
                EmergencyError::TooFewShares { got, needed }
            }
            other => EmergencyError::Split(other.to_string()),
        }
    }
}

/// A validator's emergency identity, derived from its node's ed25519 seed (so an operator
/// keeps one secret); the genesis lists its public half.
pub fn validator_identity(node_seed: &[u8; 32]) -> X25519Identity {
    let hk = Hkdf::<Sha256>::new(None, node_seed);
    let mut secret = Zeroizing::new([0u8; 32]);
    if hk.expand(KEY_INFO, secret.as_mut()).is_err() {
        unreachable!("HKDF output length is within bounds");
    }
    X25519Identity::new(StaticSecret::from(*secret))
}

/// One validator's share, with its position (x minus one).
pub struct ValidatorShare {
    pub position: u8,
    pub share: SecretShare,
}

/// What the patient puts on the ledger for validator `position`.
pub struct SealedShare {
    pub sealed: Vec<u8>,
    pub commitment: Sha256Digest,
}

fn share_context(account: &Address, set: &RecordId, position: u8) -> Vec<u8> {
    [SHARE_CONTEXT, &account.0, &set.0, &[position]].concat()
}

fn release_context(request: &EmergencyRequestId, position: u8) -> Vec<u8> {
    [RELEASE_CONTEXT, &request.0, &[position]].concat()
}

fn reason_context(account: &Address, clinician: &Address) -> Vec<u8> {
    [REASON_CONTEXT, &account.0, &clinician.0].concat()
}

/// The commitment to validator `position`'s share of `account`'s set `set`.
pub fn commitment(
    account: &Address,
    set: &RecordId,
    position: u8,
    share: &SecretShare,
) -> Sha256Digest {
    Sha256Digest(tagged_hash(
        COMMITMENT_TAG,
        &[&account.0, &set.0, &[position], share.as_bytes()],
    ))
}

/// Splits `key` among `validators` (their emergency keys, in the validator set's order), a
/// `threshold` of them needed, and seals each share to its validator.
pub fn seal_shares<R: CryptoRng + ?Sized>(
    key: &ContentKey,
    threshold: u8,
    validators: &[impl Recipient],
    account: &Address,
    set: &RecordId,
    rng: &mut R,
) -> Result<Vec<SealedShare>, EmergencyError> {
    let shares = shamir::split(
        &key.to_export(),
        threshold,
        validators.len(),
        EMERGENCY_SHARES_MAX,
        rng,
    )?;
    let mut out = Vec::with_capacity(shares.len());
    for (i, (share, validator)) in shares.iter().zip(validators).enumerate() {
        let position = i as u8;
        let context = share_context(account, set, position);
        out.push(SealedShare {
            sealed: seal_to(validator, &context, share.as_bytes(), rng)?,
            commitment: commitment(account, set, position, share),
        });
    }
    Ok(out)
}

/// A validator opens its share of `account`'s set `set` (checked against the commitment).
pub fn open_share(
    validator: &impl Identity,
    account: &Address,
    set: &RecordId,
    position: u8,
    sealed: &[u8],
    committed: &Sha256Digest,
) -> Result<SecretShare, EmergencyError> {
    let bytes = Zeroizing::new(open_sealed(
        validator,
        &share_context(account, set, position),
        sealed,
    )?);
    let share = SecretShare::from_bytes(&bytes)?;
    if share.index() != position.wrapping_add(1)
        || commitment(account, set, position, &share) != *committed
    {
        return Err(EmergencyError::Uncommitted {
            validator: position,
        });
    }
    Ok(share)
}

/// A validator's node releases its share to the clinician of `request`.
pub fn seal_release<R: CryptoRng + ?Sized>(
    clinician: &impl Recipient,
    request: &EmergencyRequestId,
    position: u8,
    share: &SecretShare,
    rng: &mut R,
) -> Result<Vec<u8>, EmergencyError> {
    let context = release_context(request, position);
    Ok(seal_to(clinician, &context, share.as_bytes(), rng)?)
}

/// The clinician opens a released share and checks it against the patient's commitment.
pub fn open_release(
    clinician: &impl Identity,
    request: &EmergencyRequestId,
    account: &Address,
    set: &RecordId,
    position: u8,
    sealed: &[u8],
    committed: &Sha256Digest,
) -> Result<ValidatorShare, EmergencyError> {
    let bytes = Zeroizing::new(open_sealed(
        clinician,
        &release_context(request, position),
        sealed,
    )?);
    let share = SecretShare::from_bytes(&bytes).map_err(|_| EmergencyError::Uncommitted {
        validator: position,
    })?;
    if share.index() != position.wrapping_add(1)
        || commitment(account, set, position, &share) != *committed
    {
        return Err(EmergencyError::Uncommitted {
            validator: position,
        });
    }
    Ok(ValidatorShare { position, share })
}

/// The set's key from `threshold` shares that matched their commitments.
pub fn combine_key(threshold: u8, shares: &[ValidatorShare]) -> Result<ContentKey, EmergencyError> {
    let shares: Vec<SecretShare> = shares.iter().map(|s| s.share.clone()).collect();
    let secret = shamir::combine(threshold, &shares)?;
    Ok(ContentKey::from_export(&secret))
}

/// The clinician's reason, sealed to the emergency account's receiving key and, if its set
/// names one, to the guardians' watch key (`recipients`, at most [`REASON_RECIPIENTS_MAX`]).
pub fn seal_reason<R: CryptoRng + ?Sized>(
    recipients: &[X25519Recipient],
    account: &Address,
    clinician: &Address,
    reason: &str,
    rng: &mut R,
) -> Result<Vec<u8>, EmergencyError> {
    if reason.trim().is_empty() || reason.len() > REASON_MAX {
        return Err(EmergencyError::Malformed(format!(
            "a reason is 1 to {REASON_MAX} bytes"
        )));
    }
    if recipients.is_empty() || recipients.len() > REASON_RECIPIENTS_MAX {
        return Err(EmergencyError::Malformed(format!(
            "a reason is sealed to 1 to {REASON_RECIPIENTS_MAX} keys"
        )));
    }
    let key = ContentKey::generate(rng);
    let context = reason_context(account, clinician);
    let mut out = vec![recipients.len() as u8];
    for recipient in recipients {
        out.extend_from_slice(recipient.wrap(&key, &context, rng)?.as_bytes());
    }
    out.extend_from_slice(&seal_to_vec(&key, rng, reason.as_bytes())?);
    Ok(out)
}

/// Reads a reason with one of the keys it was sealed to (the account's, or a guardian's
/// watch key).
pub fn open_reason(
    identity: &impl Identity,
    address: &Address,
    clinician: &Address,
    sealed: &[u8],
) -> Result<String, EmergencyError> {
    let (&count, rest) = sealed
        .split_first()
        .ok_or_else(|| EmergencyError::Malformed("an empty reason".into()))?;
    let count = usize::from(count);
    if count == 0 || count > REASON_RECIPIENTS_MAX || rest.len() < count * WRAPPED_KEY_LEN {
        return Err(EmergencyError::Malformed("a reason's recipients".into()));
    }
    let (wrapped, payload) = rest.split_at(count * WRAPPED_KEY_LEN);
    let context = reason_context(address, clinician);
    let key = wrapped
        .chunks_exact(WRAPPED_KEY_LEN)
        .find_map(|chunk| {
            let mut bytes = [0u8; WRAPPED_KEY_LEN];
            bytes.copy_from_slice(chunk);
            identity.unwrap(&WrappedKey(bytes), &context).ok()
        })
        .ok_or(EmergencyError::Sealed)?;
    let bytes = open_to_vec(&key, payload)?;
    String::from_utf8(bytes).map_err(|_| EmergencyError::Malformed("a reason is text".into()))
}

#[cfg(test)]
mod tests;
