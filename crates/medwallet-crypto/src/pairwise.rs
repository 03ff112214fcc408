//! A secret a patient shares with one doctor, once, and the keys both derive from it: a grantee
//! key for each of the patient's accounts (what that account's grants name, so no grant names
//! the doctor and no two accounts' grants name the same key), and the key that signs the one
//! notice carrying the secret to the doctor.
//!
//! ```text
//! secret   = HKDF-Expand(prk of the patient's phrase, "medwallet/doctor-secret/v1/" || doctor address, 32)
//! grantee  = HKDF-SHA256(ikm = secret, info = "medwallet/grantee/v1/" || n)        -> ed25519 seed
//! notice   = HKDF-SHA256(ikm = secret, info = "medwallet/notice-key/v1")           -> ed25519 seed
//! ```

use ed25519_dalek::SigningKey;
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

const SALT: &[u8] = b"medwallet/peer-secret/v1";
const GRANTEE_INFO: &str = "medwallet/grantee/v1/";
const NOTICE_INFO: &[u8] = b"medwallet/notice-key/v1";

/// A secret between a patient and one doctor. Zeroized on drop; no `Debug`.
pub struct PeerSecret(Zeroizing<[u8; 32]>);

impl PeerSecret {
    /// The secret from its bytes (as a notice carries it).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// Its bytes, to seal into the notice.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn key(&self, info: &[u8]) -> SigningKey {
        let hk = Hkdf::<Sha256>::new(Some(SALT), self.0.as_ref());
        let mut seed = Zeroizing::new([0u8; 32]);
        if hk.expand(info, seed.as_mut()).is_err() {
            unreachable!("HKDF output length is within bounds");
        }
        SigningKey::from_bytes(&seed)
    }

    /// The grantee key of the patient's account `account` towards this doctor.
    pub fn grantee(&self, account: u32) -> SigningKey {
        self.key(format!("{GRANTEE_INFO}{account}").as_bytes())
    }

    /// The key that signs the notice carrying this secret (at nonce 0: it signs nothing else).
    pub fn notice_key(&self) -> SigningKey {
        self.key(NOTICE_INFO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_account_has_its_own_grantee_and_the_notice_key_is_none_of_them() {
        let secret = PeerSecret::from_bytes([7; 32]);
        let keys: Vec<[u8; 32]> = (0..16)
            .map(|n| secret.grantee(n).verifying_key().to_bytes())
            .chain([secret.notice_key().verifying_key().to_bytes()])
            .collect();
        for (i, a) in keys.iter().enumerate() {
            assert!(keys[i + 1..].iter().all(|b| a != b));
        }
        let same = PeerSecret::from_bytes([7; 32]);
        assert_eq!(
            same.grantee(3).verifying_key(),
            secret.grantee(3).verifying_key()
        );
        let other = PeerSecret::from_bytes([8; 32]);
        assert_ne!(
            other.grantee(3).verifying_key(),
            secret.grantee(3).verifying_key()
        );
    }
}
