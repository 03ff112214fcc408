//! The password-encrypted keystore: the recovery phrase's entropy under Argon2id +
//! ChaCha20-Poly1305, with the public keys in the clear so a locked wallet can still show its
//! address. Byte layout in [`format`]. This module is pure: reading and writing the file
//! (atomically) is the store crate's job.

mod format;

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::ChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use ed25519_dalek::VerifyingKey;
use rand_core::CryptoRng;
use thiserror::Error;
use x25519_dalek::PublicKey as X25519Public;
use zeroize::Zeroizing;

use crate::keys::{AccountKeys, PublicKeys};
use crate::mnemonic::{ENTROPY_LEN, RecoveryPhrase};

pub use format::MAX_FILE_LEN;

/// Shortest password accepted when a keystore is created or its password changed.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Why a keystore could not be created or opened.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KeystoreError {
    #[error("not a Medwallet keystore file")]
    NotAKeystore,
    #[error("keystore version {0} is newer than this Medwallet understands; update Medwallet")]
    UnsupportedVersion(u16),
    #[error("the keystore file is damaged ({0}); restore it from a backup or from your 24 words")]
    Corrupt(&'static str),
    #[error("wrong password")]
    WrongPassword,
    #[error("password too short: use at least {MIN_PASSWORD_LEN} characters")]
    PasswordTooShort,
    #[error("label too long: at most 64 bytes")]
    LabelTooLong,
    #[error("key-derivation parameters out of range: {0}")]
    BadParams(&'static str),
}

/// Argon2id cost parameters, stored in the file so they can be raised later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// RFC 9106 §4, second recommended option: 64 MiB, t = 3, p = 4.
    pub const RFC9106_SECOND: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 4,
    };

    /// The cheapest parameters the format accepts. For tests and vectors only: they protect
    /// a password far less.
    pub const INSECURE_FOR_TESTS: KdfParams = KdfParams {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    };

    /// Component-wise maximum: a password change may raise the costs, never lower them.
    pub fn at_least(self, floor: KdfParams) -> KdfParams {
        KdfParams {
            memory_kib: self.memory_kib.max(floor.memory_kib),
            iterations: self.iterations.max(floor.iterations),
            parallelism: self.parallelism.max(floor.parallelism),
        }
    }

    /// Bounds that keep a hostile file from making us allocate gigabytes or spin forever.
    pub fn check(&self) -> Result<(), KeystoreError> {
        if !(1..=64).contains(&self.parallelism) {
            return Err(KeystoreError::BadParams("parallelism must be 1..=64"));
        }
        if !(1..=64).contains(&self.iterations) {
            return Err(KeystoreError::BadParams("iterations must be 1..=64"));
        }
        if self.memory_kib < 8 * self.parallelism || self.memory_kib > 2 * 1024 * 1024 {
            return Err(KeystoreError::BadParams("memory must be 8·p KiB ..= 2 GiB"));
        }
        Ok(())
    }

    fn derive_key(
        &self,
        password: &[u8],
        salt: &[u8],
    ) -> Result<Zeroizing<[u8; 32]>, KeystoreError> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|_| KeystoreError::BadParams("rejected by Argon2"))?;
        let mut key = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(password, salt, key.as_mut())
            .map_err(|_| KeystoreError::BadParams("rejected by Argon2"))?;
        Ok(key)
    }
}

/// A keystore, locked. Holds only public data and ciphertext.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keystore {
    fields: format::Fields,
}

impl Keystore {
    /// Encrypts `phrase` under `password`.
    pub fn create<R: CryptoRng + ?Sized>(
        phrase: &RecoveryPhrase,
        password: &str,
        label: &str,
        params: KdfParams,
        rng: &mut R,
    ) -> Result<Self, KeystoreError> {
        if password.chars().count() < MIN_PASSWORD_LEN {
            return Err(KeystoreError::PasswordTooShort);
        }
        if label.len() > format::LABEL_MAX {
            return Err(KeystoreError::LabelTooLong);
        }
        params.check()?;
        let public = AccountKeys::derive(phrase).public();
        let mut salt = vec![0u8; 32];
        rng.fill_bytes(&mut salt);
        let mut nonce = [0u8; format::NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let mut fields = format::Fields {
            params,
            salt,
            signing_public: public.signing.to_bytes(),
            receiving_public: public.receiving.to_bytes(),
            label: label.to_owned(),
            nonce,
            ciphertext: vec![0u8; format::CIPHERTEXT_LEN],
        };
        let key = params.derive_key(password.as_bytes(), &fields.salt)?;
        let aad = fields.associated_data();
        fields.ciphertext = ChaCha20Poly1305::new(&(*key).into())
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: phrase.entropy(),
                    aad: &aad,
                },
            )
            .map_err(|_| KeystoreError::Corrupt("encryption failed"))?;
        Ok(Self { fields })
    }

    /// Parses a keystore file. Checks framing, bounds and integrity; needs no password.
    pub fn decode(bytes: &[u8]) -> Result<Self, KeystoreError> {
        format::Fields::decode(bytes).map(|fields| Self { fields })
    }

    /// The file's bytes.
    pub fn encode(&self) -> Vec<u8> {
        self.fields.encode()
    }

    /// The account's public keys (available while locked).
    pub fn public_keys(&self) -> Result<PublicKeys, KeystoreError> {
        let signing = VerifyingKey::from_bytes(&self.fields.signing_public)
            .map_err(|_| KeystoreError::Corrupt("invalid public key"))?;
        Ok(PublicKeys {
            signing,
            receiving: X25519Public::from(self.fields.receiving_public),
        })
    }

    /// The account's name.
    pub fn label(&self) -> &str {
        &self.fields.label
    }

    /// The cost parameters this file was written with.
    pub fn params(&self) -> KdfParams {
        self.fields.params
    }

    /// Decrypts the recovery phrase.
    pub fn unlock(&self, password: &str) -> Result<RecoveryPhrase, KeystoreError> {
        let key = self
            .fields
            .params
            .derive_key(password.as_bytes(), &self.fields.salt)?;
        let aad = self.fields.associated_data();
        let entropy = Zeroizing::new(
            ChaCha20Poly1305::new(&(*key).into())
                .decrypt(
                    &self.fields.nonce.into(),
                    Payload {
                        msg: &self.fields.ciphertext,
                        aad: &aad,
                    },
                )
                .map_err(|_| KeystoreError::WrongPassword)?,
        );
        let entropy: &[u8; ENTROPY_LEN] = entropy
            .as_slice()
            .try_into()
            .map_err(|_| KeystoreError::Corrupt("secret has the wrong length"))?;
        let phrase = RecoveryPhrase::from_entropy(entropy);
        // The clear-text public keys must be the ones the secret derives; anything else means
        // the file was assembled from parts of different keystores.
        if AccountKeys::derive(&phrase).public() != self.public_keys()? {
            return Err(KeystoreError::Corrupt(
                "public keys do not match the secret",
            ));
        }
        Ok(phrase)
    }

    /// A new keystore for the same phrase under a new password (and possibly new costs).
    pub fn change_password<R: CryptoRng + ?Sized>(
        &self,
        old_password: &str,
        new_password: &str,
        params: KdfParams,
        rng: &mut R,
    ) -> Result<Self, KeystoreError> {
        let phrase = self.unlock(old_password)?;
        Self::create(&phrase, new_password, self.label(), params, rng)
    }
}

#[cfg(test)]
mod tests;
