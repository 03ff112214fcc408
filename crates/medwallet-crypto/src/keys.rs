//! Account keys derived from the recovery phrase.
//!
//! Two independent keys come out of the BIP-39 seed with HKDF-SHA256 (RFC 5869), each under its
//! own `info` string, so neither is ever converted into the other:
//!
//! ```text
//! prk       = HKDF-Extract(salt = "medwallet/seed/v1", ikm = BIP-39 seed)
//! signing   = HKDF-Expand(prk, "medwallet/key/ed25519-signing/v1/account/0",   32)  -> ed25519 (RFC 8032)
//! receiving = HKDF-Expand(prk, "medwallet/key/x25519-receiving/v1/account/0",  32)  -> x25519 (RFC 7748)
//! ```
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
const SIGNING_INFO: &[u8] = b"medwallet/key/ed25519-signing/v1/account/0";
const RECEIVING_INFO: &[u8] = b"medwallet/key/x25519-receiving/v1/account/0";

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

/// An unlocked account: both secret keys. Zeroized on drop (by the dalek types); no `Debug`.
pub struct AccountKeys {
    signing: SigningKey,
    receiving: StaticSecret,
}

impl AccountKeys {
    /// Derives the account's keys from its recovery phrase.
    pub fn derive(phrase: &RecoveryPhrase) -> Self {
        let seed = phrase.seed();
        let hk = Hkdf::<Sha256>::new(Some(SEED_SALT), seed.as_ref());
        let mut signing = Zeroizing::new([0u8; 32]);
        let mut receiving = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA256's 255*32 output limit, so expand cannot fail.
        if hk.expand(SIGNING_INFO, signing.as_mut()).is_err()
            || hk.expand(RECEIVING_INFO, receiving.as_mut()).is_err()
        {
            unreachable!("HKDF output length is within bounds");
        }
        Self {
            signing: SigningKey::from_bytes(&signing),
            receiving: StaticSecret::from(*receiving),
        }
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
    fn derivation_is_deterministic() {
        let a = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[9; 32])).public();
        let b = AccountKeys::derive(&RecoveryPhrase::from_entropy(&[9; 32])).public();
        assert_eq!(a, b);
    }
}
