//! A clinic's key file (`medledger clinic keygen`): the clinic's recovery phrase entropy, from
//! which its signing and receiving keys derive exactly as a wallet's do. Mode 0600, written
//! atomically, never overwritten; guard it like any issuer credential.

use std::path::Path;

use anyhow::{Context, bail};
use medwallet_crypto::{AccountKeys, RecoveryPhrase};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    kind: String,
    name: String,
    entropy: String,
}

/// A clinic's identity.
pub struct ClinicKey {
    pub version: u32,
    pub name: String,
    pub phrase: RecoveryPhrase,
}

impl ClinicKey {
    /// Its keys.
    pub fn keys(&self) -> AccountKeys {
        AccountKeys::derive(&self.phrase)
    }

    /// Writes a new key file (fails if `path` exists).
    pub fn write_new(&self, path: &Path) -> anyhow::Result<()> {
        let file = File {
            version: 1,
            kind: "medledger-clinic-key".into(),
            name: self.name.clone(),
            entropy: hex::encode(self.phrase.entropy()),
        };
        let bytes = Zeroizing::new(serde_json::to_vec_pretty(&file)?);
        medwallet_store::write_new_atomically(path, &bytes)
            .with_context(|| format!("cannot create {} (does it exist already?)", path.display()))
    }

    /// Reads a key file.
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let file: File = crate::config::read_json(path)?;
        if file.kind != "medledger-clinic-key" || file.version != 1 {
            bail!("{} is not a version-1 clinic key file", path.display());
        }
        let entropy =
            Zeroizing::new(hex::decode(file.entropy.trim()).context("clinic key is not hex")?);
        let entropy: &[u8; 32] = entropy
            .as_slice()
            .try_into()
            .map_err(|_| anyhow::anyhow!("clinic key must hold 32 bytes"))?;
        Ok(Self {
            version: 1,
            name: file.name,
            phrase: RecoveryPhrase::from_entropy(entropy),
        })
    }
}
