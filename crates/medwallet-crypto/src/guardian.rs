//! Guardian shares: the recovery phrase's entropy split `k`-of-`n` with Shamir's scheme over
//! GF(256) (the `blahaj` crate), each share sealed to one guardian; a guardian releases its
//! share by sealing it again to the recovering device.
//!
//! ```text
//! share           = x (1 byte, 1..=n) ‖ y (32 bytes), see `shamir`
//! to guardian i   = seal_to(guardian's receiving key,
//!                           "medwallet/guardian-share/v2" ‖ account ‖ i, GuardianShare)
//! GuardianShare   = account ‖ i ‖ threshold ‖ share ‖ label (u32 length ‖ UTF-8)
//!                   ‖ watch key secret (32 bytes, see `emergency`)
//! to the device   = seal_to(device's receiving key,
//!                           "medwallet/recovery-release/v1" ‖ account ‖ device key ‖ i, share)
//! ```
//!
//! A share carries no integrity of its own: whoever combines checks the result against what
//! the ledger proves (account 0's key of the recovered phrase must be the account's).

use medledger_types::codec::{CodecError, Reader, Writer};
use medledger_types::hash::{Address, PublicKey};
use medledger_types::recovery::GUARDIANS_MAX;
use rand_core::CryptoRng;
use thiserror::Error;
use zeroize::Zeroizing;

use crate::emergency::{WATCH_KEY_LEN, WatchKey};
use crate::envelope::{EnvelopeError, Identity, Recipient, open_sealed, seal_to};
use crate::mnemonic::RecoveryPhrase;
use crate::shamir::{self, SecretShare, ShamirError};

/// Longest label a patient gives its guardians ("Ana, your sister"), in bytes.
pub const LABEL_MAX: usize = 64;

const SHARE_CONTEXT: &[u8] = b"medwallet/guardian-share/v2";
const RELEASE_CONTEXT: &[u8] = b"medwallet/recovery-release/v1";

/// Why shares could not be made, opened or combined. Coarse on purpose: a share that does not
/// open is not told apart from one for someone else.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum GuardianError {
    #[error("a threshold of {threshold} of {guardians} guardians is not possible")]
    Threshold { threshold: u8, guardians: usize },
    #[error("the share does not open with this key")]
    Sealed,
    #[error("the share is malformed: {0}")]
    Malformed(String),
    #[error("{got} distinct shares, {needed} needed")]
    TooFewShares { got: usize, needed: u8 },
}

/// One Shamir share of a phrase's entropy ([`crate::shamir`]).
pub type EntropyShare = SecretShare;

/// Length of one share.
pub const SHARE_LEN: usize = crate::shamir::SHARE_LEN;

impl From<EnvelopeError> for GuardianError {
    fn from(_: EnvelopeError) -> Self {
        GuardianError::Sealed
    }
}

impl From<ShamirError> for GuardianError {
    fn from(e: ShamirError) -> Self {
        match e {
            ShamirError::Threshold { threshold, shares } => GuardianError::Threshold {
                threshold,
                guardians: shares,
            },
            ShamirError::Malformed(m) => GuardianError::Malformed(m),
            ShamirError::TooFewShares { got, needed } => {
                GuardianError::TooFewShares { got, needed }
            }
        }
    }
}

/// Splits `phrase`'s entropy into `guardians` shares, any `threshold` of which give it back.
pub fn split_entropy<R: CryptoRng + ?Sized>(
    phrase: &RecoveryPhrase,
    threshold: u8,
    guardians: usize,
    rng: &mut R,
) -> Result<Vec<EntropyShare>, GuardianError> {
    Ok(shamir::split(
        phrase.entropy(),
        threshold,
        guardians,
        GUARDIANS_MAX,
        rng,
    )?)
}

/// The phrase `threshold` of `shares` (distinct, of one split) give back. With shares of
/// different splits, or a forged one, the result is some other phrase: check it.
pub fn combine_entropy(
    threshold: u8,
    shares: &[EntropyShare],
) -> Result<RecoveryPhrase, GuardianError> {
    let entropy = shamir::combine(threshold, shares)?;
    Ok(RecoveryPhrase::from_entropy(&entropy))
}

/// What a guardian's share opens to: whose it is, where it stands, how the patient asked to
/// be known, and the key the guardian watches the patient's emergency set with.
pub struct GuardianShare {
    pub account: Address,
    /// The guardian's position in the set (the share's x is this plus one).
    pub position: u8,
    pub threshold: u8,
    pub share: EntropyShare,
    pub label: String,
    /// The patient's watch key ([`crate::emergency::WatchKey`]).
    pub watch: WatchKey,
}

impl GuardianShare {
    fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::new();
        self.account.write(&mut w);
        w.u8(self.position);
        w.u8(self.threshold);
        w.fixed(self.share.as_bytes());
        w.str(&self.label);
        w.fixed(self.watch.as_bytes());
        Zeroizing::new(w.finish())
    }

    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new(bytes);
        let account = Address::read(&mut r)?;
        let position = r.u8("position")?;
        let threshold = r.u8("threshold")?;
        let share = EntropyShare::from_bytes(r.take(SHARE_LEN, "share")?)
            .map_err(|_| CodecError::Invalid("share"))?;
        let label = r.string("label", LABEL_MAX)?;
        let watch = Zeroizing::new(r.array::<WATCH_KEY_LEN>("watch key")?);
        r.finish()?;
        Ok(Self {
            account,
            position,
            threshold,
            share,
            label,
            watch: WatchKey::from_bytes(&watch),
        })
    }
}

fn share_context(account: &Address, position: u8) -> Vec<u8> {
    [SHARE_CONTEXT, &account.0, &[position]].concat()
}

fn release_context(account: &Address, device: &PublicKey, position: u8) -> Vec<u8> {
    [RELEASE_CONTEXT, &account.0, &device.0, &[position]].concat()
}

/// Seals `share` to its guardian.
pub fn seal_guardian_share<R: CryptoRng + ?Sized>(
    guardian: &impl Recipient,
    share: &GuardianShare,
    rng: &mut R,
) -> Result<Vec<u8>, GuardianError> {
    if share.label.len() > LABEL_MAX {
        return Err(GuardianError::Malformed(format!(
            "the label is longer than {LABEL_MAX} bytes"
        )));
    }
    let context = share_context(&share.account, share.position);
    Ok(seal_to(guardian, &context, &share.encode(), rng)?)
}

/// Opens a share sealed to this guardian for `account` at `position`.
pub fn open_guardian_share(
    guardian: &impl Identity,
    account: &Address,
    position: u8,
    sealed: &[u8],
) -> Result<GuardianShare, GuardianError> {
    let bytes = Zeroizing::new(open_sealed(
        guardian,
        &share_context(account, position),
        sealed,
    )?);
    let share =
        GuardianShare::decode(&bytes).map_err(|e| GuardianError::Malformed(e.to_string()))?;
    if share.account != *account || share.position != position {
        return Err(GuardianError::Malformed("a share for another place".into()));
    }
    Ok(share)
}

/// A guardian's share released to the recovering device.
pub fn seal_release<R: CryptoRng + ?Sized>(
    device: &impl Recipient,
    account: &Address,
    device_key: &PublicKey,
    position: u8,
    share: &EntropyShare,
    rng: &mut R,
) -> Result<Vec<u8>, GuardianError> {
    let context = release_context(account, device_key, position);
    Ok(seal_to(device, &context, share.as_bytes(), rng)?)
}

/// Opens a share released to this device.
pub fn open_release(
    device: &impl Identity,
    account: &Address,
    device_key: &PublicKey,
    position: u8,
    sealed: &[u8],
) -> Result<EntropyShare, GuardianError> {
    let context = release_context(account, device_key, position);
    let bytes = Zeroizing::new(open_sealed(device, &context, sealed)?);
    let share = EntropyShare::from_bytes(&bytes)?;
    if share.index() != position.wrapping_add(1) {
        return Err(GuardianError::Malformed(
            "a share for another position".into(),
        ));
    }
    Ok(share)
}

#[cfg(test)]
mod tests;
