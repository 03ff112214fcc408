//! A clinic's key file (`medclinic keygen`): the clinic's recovery phrase entropy, from which its
//! signing and receiving keys derive exactly as a wallet's do. Mode 0600, written atomically,
//! never overwritten; guard it like any issuer credential.
//!
//! ```text
//! {"version":1,"kind":"medledger-clinic-key","name":"Demo Clinic","entropy":"<64 hex digits>"}
//! ```

use std::path::Path;

use medwallet_crypto::{AccountKeys, RecoveryPhrase};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use zeroize::Zeroizing;

const KIND: &str = "medledger-clinic-key";
/// Largest key file read.
const MAX_LEN: usize = 64 * 1024;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    kind: String,
    name: String,
    entropy: String,
}

/// Why a key file could not be read or written.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum KeyFileError {
    #[error("cannot create {path} (does it exist already?): {source}")]
    Create {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a version-1 clinic key file: {reason}")]
    Invalid { path: String, reason: String },
}

/// A clinic's identity.
pub struct ClinicKey {
    pub name: String,
    pub phrase: RecoveryPhrase,
}

impl ClinicKey {
    /// A new clinic identity.
    pub fn generate<R: rand_core::CryptoRng + ?Sized>(
        name: impl Into<String>,
        rng: &mut R,
    ) -> Self {
        Self {
            name: name.into(),
            phrase: RecoveryPhrase::generate(rng),
        }
    }

    /// Its keys.
    pub fn keys(&self) -> AccountKeys {
        AccountKeys::derive(&self.phrase)
    }

    /// Writes a new key file (fails if `path` exists).
    pub fn write_new(&self, path: &Path) -> Result<(), KeyFileError> {
        let file = File {
            version: 1,
            kind: KIND.into(),
            name: self.name.clone(),
            entropy: hex::encode(self.phrase.entropy()),
        };
        let bytes = Zeroizing::new(serde_json::to_vec_pretty(&file).map_err(|e| {
            KeyFileError::Invalid {
                path: path.display().to_string(),
                reason: e.to_string(),
            }
        })?);
        medwallet_files::write_new_atomically(path, &bytes).map_err(|source| KeyFileError::Create {
            path: path.display().to_string(),
            source,
        })
    }

    /// Reads a key file.
    pub fn read(path: &Path) -> Result<Self, KeyFileError> {
        let invalid = |reason: &str| KeyFileError::Invalid {
            path: path.display().to_string(),
            reason: reason.into(),
        };
        let bytes = Zeroizing::new(medwallet_files::read_bounded(path, MAX_LEN).map_err(
            |source| KeyFileError::Read {
                path: path.display().to_string(),
                source,
            },
        )?);
        let file: File = serde_json::from_slice(&bytes).map_err(|e| invalid(&e.to_string()))?;
        if file.kind != KIND || file.version != 1 {
            return Err(invalid("wrong kind or version"));
        }
        let entropy = Zeroizing::new(
            hex::decode(file.entropy.trim()).map_err(|_| invalid("the key is not hex"))?,
        );
        let entropy: &[u8; 32] = entropy
            .as_slice()
            .try_into()
            .map_err(|_| invalid("the key must hold 32 bytes"))?;
        Ok(Self {
            name: file.name,
            phrase: RecoveryPhrase::from_entropy(entropy),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_round_trips_is_never_overwritten_and_damage_is_explained() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("clinic.key");
        let key = ClinicKey::generate("St Mary", &mut rand::rng());
        key.write_new(&path).expect("write");
        let read = ClinicKey::read(&path).expect("read");
        assert_eq!(read.name, "St Mary");
        assert_eq!(read.keys().public(), key.keys().public());
        assert!(matches!(
            key.write_new(&path),
            Err(KeyFileError::Create { .. })
        ));
        std::fs::write(&path, b"{\"version\":1}").expect("damage");
        assert!(matches!(
            ClinicKey::read(&path),
            Err(KeyFileError::Invalid { .. })
        ));
        assert!(matches!(
            ClinicKey::read(&dir.path().join("absent")),
            Err(KeyFileError::Read { .. })
        ));
    }
}
