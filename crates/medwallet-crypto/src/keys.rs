//! Account keys derived from the recovery phrase.
//!
//! Two independent keys come out of the BIP-39 seed with HKDF-SHA256 (RFC 5869), each under its
//! own `info` string, so neither is ever converted into the other:
//!
//! ```text
//! prk       = HKDF-Extract(salt = "medwallet/seed/v1", ikm = BIP-39 seed)
//! signing   = HKDF-Expand(prk, "medwallet/key/ed25519-signing/v1/account/" || n,   32)  -> ed25519 (RFC 8032)
//! receiving = HKDF-Expand(prk, "medwallet/key/x25519-receiving/v1/account/" || n,  32)  -> x25519 (RFC 7748)
//! handle    = HKDF-Expand(prk, "medwallet/pairwise-handle/v1/" || peer,           16)
//! watch     = HKDF-Expand(prk, "medwallet/emergency-watch/v1",                    32)  -> x25519
//! ```
//!
//! `n` is the account's index in decimal. One phrase gives many unlinkable accounts: a patient's
//! wallet uses a fresh one for each relationship (each clinic it gives a share code), so no two
//! clinics hold the same key or address for the same patient (`docs/privacy.md`). Account 0 is
//! the wallet's own: its first relationship, its local-file key, and a doctor's identity.
//!
//! HKDF rather than SLIP-0010 because the two keys are of different algorithms and there is no
//! hardware-wallet path to stay compatible with; the derivation is pinned by committed vectors.

use ed25519_dalek::{SigningKey, VerifyingKey};
use hkdf::Hkdf;
use sha2::Sha256;
use x25519_dalek::{PublicKey as X25519Public, StaticSecret};
use zeroize::Zeroizing;

use crate::address::Bech32Address;
use crate::envelope::{CONTENT_KEY_LEN, ContentKey, X25519Identity};
use crate::mnemonic::RecoveryPhrase;
use secrecy::SecretBox;

const SEED_SALT: &[u8] = b"medwallet/seed/v1";
const LOCAL_SALT: &[u8] = b"medwallet/local-files/v1";
const SIGNING_INFO: &str = "medwallet/key/ed25519-signing/v1/account/";
const RECEIVING_INFO: &str = "medwallet/key/x25519-receiving/v1/account/";
const HANDLE_INFO: &[u8] = b"medwallet/pairwise-handle/v1/";
const PEER_SECRET_INFO: &[u8] = b"medwallet/doctor-secret/v1/";
const WATCH_INFO: &[u8] = b"medwallet/emergency-watch/v1";
/// Length of a pairwise handle ([`AccountKeys::pairwise_handle`]).
pub const HANDLE_LEN: usize = 16;

/// The public half of an account: what others need to verify it and encrypt to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKeys {
    /// Verifies the account's signatures; its hash is the account's id.
    pub signing: VerifyingKey,
    /// Records and content keys are encrypted to this key.
    pub receiving: X25519Public,
}

impl PublicKeys {
    /// The account's address, in its text form (`mdw1…`).
    pub fn address(&self) -> Bech32Address {
        Bech32Address::of(&self.signing)
    }

    /// The account's id on the ledger.
    pub fn account(&self) -> medledger_types::hash::Address {
        self.address().account()
    }
}

/// An unlocked account: both secret keys, the account's index, and the phrase's HKDF key its
/// sibling accounts are derived from. Zeroized on drop (by the dalek types and `Zeroizing`); no
/// `Debug`.
pub struct AccountKeys {
    signing: SigningKey,
    receiving: StaticSecret,
    index: u32,
    root: Zeroizing<[u8; 32]>,
}

impl AccountKeys {
    /// Derives account 0's keys from the recovery phrase.
    pub fn derive(phrase: &RecoveryPhrase) -> Self {
        let seed = phrase.seed();
        let (prk, _) = Hkdf::<Sha256>::extract(Some(SEED_SALT), seed.as_ref());
        let mut root = Zeroizing::new([0u8; 32]);
        root.copy_from_slice(&prk);
        Self::at(root, 0)
    }

    fn expand(root: &[u8; 32], info: &[u8], out: &mut [u8]) {
        // The PRK is HKDF-Extract's own output (32 bytes) and outputs are at most 32 bytes, far
        // below HKDF-SHA256's 255*32 limit, so neither step can fail.
        let Ok(hk) = Hkdf::<Sha256>::from_prk(root) else {
            unreachable!("a SHA-256 PRK is 32 bytes");
        };
        if hk.expand(info, out).is_err() {
            unreachable!("HKDF output length is within bounds");
        }
    }

    fn at(root: Zeroizing<[u8; 32]>, index: u32) -> Self {
        let mut signing = Zeroizing::new([0u8; 32]);
        let mut receiving = Zeroizing::new([0u8; 32]);
        Self::expand(
            &root,
            format!("{SIGNING_INFO}{index}").as_bytes(),
            signing.as_mut(),
        );
        Self::expand(
            &root,
            format!("{RECEIVING_INFO}{index}").as_bytes(),
            receiving.as_mut(),
        );
        Self {
            signing: SigningKey::from_bytes(&signing),
            receiving: StaticSecret::from(*receiving),
            index,
            root,
        }
    }

    /// The keys of account `index` of the same phrase (unlinkable to this one's without the
    /// phrase).
    pub fn account(&self, index: u32) -> Self {
        Self::at(self.root.clone(), index)
    }

    /// This account's index among the phrase's accounts.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The secret this wallet shares with one doctor (`peer`: the doctor's address bytes): the
    /// same from every account of the phrase, so a restored wallet derives it again.
    pub fn peer_secret(&self, peer: &[u8]) -> crate::pairwise::PeerSecret {
        let mut info = PEER_SECRET_INFO.to_vec();
        info.extend_from_slice(peer);
        let mut out = [0u8; 32];
        Self::expand(&self.root, &info, &mut out);
        let secret = crate::pairwise::PeerSecret::from_bytes(out);
        zeroize::Zeroize::zeroize(&mut out);
        secret
    }

    /// A stable handle for this wallet towards one peer (`peer`: its address bytes): the same
    /// for every account of the phrase, different for every peer, and unguessable without the
    /// phrase. A doctor sees it in each grant, so the grants of one patient's accounts show as
    /// one patient, while two doctors' handles for the same patient do not match.
    pub fn pairwise_handle(&self, peer: &[u8]) -> [u8; HANDLE_LEN] {
        let mut info = HANDLE_INFO.to_vec();
        info.extend_from_slice(peer);
        let mut out = [0u8; HANDLE_LEN];
        Self::expand(&self.root, &info, &mut out);
        out
    }

    /// The key the phrase's guardians watch its emergency set with (the same from every
    /// account of the phrase; see [`crate::emergency::WatchKey`]).
    pub fn emergency_watch(&self) -> crate::emergency::WatchKey {
        let mut out = Zeroizing::new([0u8; 32]);
        Self::expand(&self.root, WATCH_INFO, out.as_mut());
        crate::emergency::WatchKey::from_bytes(&out)
    }

    /// The key that signs this account's transactions and requests.
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    /// The identity that opens content keys wrapped to this account.
    pub fn identity(&self) -> X25519Identity {
        X25519Identity::new(self.receiving.clone())
    }

    /// A symmetric key for this wallet's own local files (the record cache), derived from the
    /// signing secret under `purpose`: only the unlocked wallet can make or check what it
    /// seals (the receiving key is public, so sealing to it authenticates nothing).
    pub fn local_key(&self, purpose: &[u8]) -> ContentKey {
        let secret = Zeroizing::new(self.signing.to_bytes());
        let hk = Hkdf::<Sha256>::new(Some(LOCAL_SALT), secret.as_ref());
        let mut key = SecretBox::new(Box::new([0u8; CONTENT_KEY_LEN]));
        if hk
            .expand(
                purpose,
                secrecy::ExposeSecretMut::expose_secret_mut(&mut key),
            )
            .is_err()
        {
            unreachable!("HKDF output length is within bounds");
        }
        ContentKey::from_secret(key)
    }

    /// The public keys.
    pub fn public(&self) -> PublicKeys {
        PublicKeys {
            signing: self.signing.verifying_key(),
            receiving: X25519Public::from(&self.receiving),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_phrases_give_different_keys() {
        let a = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[1; 32])).public();
        let b = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[2; 32])).public();
        assert_ne!(a.signing, b.signing);
        assert_ne!(a.receiving, b.receiving);
    }

    #[test]
    fn signing_and_receiving_keys_are_independent() {
        let keys = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[3; 32]));
        let public = keys.public();
        assert_ne!(public.signing.to_bytes(), public.receiving.to_bytes());
        // The receiving key is not the Montgomery form of the signing key (no conversion).
        assert_ne!(
            public.signing.to_montgomery().to_bytes(),
            public.receiving.to_bytes()
        );
    }

    #[test]
    fn accounts_of_one_phrase_share_nothing_public() {
        let zero = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[5; 32]));
        assert_eq!(zero.index(), 0);
        assert_eq!(zero.account(0).public(), zero.public());
        let publics: Vec<_> = (0..8).map(|i| zero.account(i).public()).collect();
        for (i, a) in publics.iter().enumerate() {
            for b in &publics[i + 1..] {
                assert_ne!(a.signing, b.signing);
                assert_ne!(a.receiving, b.receiving);
            }
        }
        // Any account derives the same siblings, and the same handle towards a peer.
        let third = zero.account(3);
        assert_eq!(third.index(), 3);
        assert_eq!(third.account(5).public(), zero.account(5).public());
        assert_eq!(
            third.pairwise_handle(b"doctor"),
            zero.pairwise_handle(b"doctor")
        );
        assert_ne!(
            zero.pairwise_handle(b"doctor"),
            zero.pairwise_handle(b"other")
        );
    }

    #[test]
    fn derivation_is_deterministic() {
        let a = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[9; 32])).public();
        let b = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[9; 32])).public();
        assert_eq!(a, b);
    }
}
