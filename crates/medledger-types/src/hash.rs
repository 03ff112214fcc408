//! Domain-separated SHA-256 and the 32-byte identifiers built from it.
//!
//! Every hash the ledger defines is `SHA-256(u8(len(tag)) || tag || data)`, with a distinct tag
//! per use, so a transaction id can never collide with a header hash or a record id.

use sha2::{Digest as _, Sha256};

use crate::codec::{CodecError, Reader, Writer};

/// Hashes `parts` under `tag`.
pub fn tagged_hash(tag: &str, parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    // Tags are short constants (< 256 bytes).
    h.update([tag.len() as u8]);
    h.update(tag.as_bytes());
    for part in parts {
        h.update(part);
    }
    h.finalize().into()
}

macro_rules! id32 {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub [u8; 32]);

        impl $name {
            /// The raw bytes.
            pub const fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }
            /// Lowercase hex, the form the API and CLI use.
            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }
            /// Parses 64 hex digits.
            pub fn from_hex(s: &str) -> Result<Self, CodecError> {
                let mut out = [0u8; 32];
                hex::decode_to_slice(s.trim(), &mut out)
                    .map_err(|_| CodecError::Invalid(concat!(stringify!($name), " hex")))?;
                Ok(Self(out))
            }
            /// Appends the 32 bytes.
            pub fn write(&self, w: &mut Writer) {
                w.fixed(&self.0);
            }
            /// Reads 32 bytes.
            pub fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
                r.array(stringify!($name)).map(Self)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({})", stringify!($name), &self.to_hex()[..16])
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.to_hex())
            }
        }
    };
}

id32!(
    /// An account: SHA-256 of its ed25519 verifying key (same bytes as a wallet's `mdw1…`
    /// address).
    Address
);
id32!(
    /// A raw ed25519 verifying key.
    PublicKey
);
id32!(
    /// A raw x25519 public key (what content keys are wrapped to).
    ReceivingKey
);
id32!(
    /// SHA-256 of a block header: what consensus finalizes.
    BlockHash
);
id32!(
    /// A transaction's id.
    TxId
);
id32!(
    /// A record's id, derived from the issuing clinic and its transaction nonce.
    RecordId
);
id32!(
    /// A grant's id, derived from the patient and its transaction nonce.
    GrantId
);
id32!(
    /// A SMART Health Link's id on the ledger: a hash of the secret token in its manifest URL,
    /// so the ledger never holds what opens the link.
    LinkId
);
id32!(
    /// The chain's id: the hash of its genesis.
    ChainId
);
id32!(
    /// A Jellyfish Merkle Tree root.
    StateRoot
);
id32!(
    /// Any other SHA-256 digest (ciphertexts, Merkle roots, validator sets).
    Sha256Digest
);

impl Address {
    /// The address of a verifying key: plain SHA-256, as wallets compute it.
    pub fn of(key: &PublicKey) -> Self {
        Self(Sha256::digest(key.0).into())
    }
}

impl RecordId {
    /// The id of the record a clinic issues with transaction nonce `nonce`.
    pub fn derive(clinic: &Address, nonce: u64) -> Self {
        Self(tagged_hash(
            "medledger/record-id/v1",
            &[&clinic.0, &nonce.to_be_bytes()],
        ))
    }
}

impl LinkId {
    /// The id of the link whose manifest URL carries `token` (32 random bytes).
    pub fn of_token(token: &[u8; 32]) -> Self {
        Self(tagged_hash("medledger/shl-link-id/v1", &[token]))
    }
}

impl GrantId {
    /// The id of the grant a patient makes with transaction nonce `nonce`.
    pub fn derive(patient: &Address, nonce: u64) -> Self {
        Self(tagged_hash(
            "medledger/grant-id/v1",
            &[&patient.0, &nonce.to_be_bytes()],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_separate_domains() {
        assert_ne!(tagged_hash("a", &[b"bc"]), tagged_hash("ab", &[b"c"]));
        assert_ne!(tagged_hash("x", &[b"1"]), tagged_hash("y", &[b"1"]));
    }

    #[test]
    fn hex_round_trips_and_rejects_garbage() {
        let id = RecordId([0xab; 32]);
        assert_eq!(RecordId::from_hex(&id.to_hex()), Ok(id));
        assert!(RecordId::from_hex("zz").is_err());
        assert!(RecordId::from_hex(&"g".repeat(64)).is_err());
        assert!(RecordId::from_hex(&"é".repeat(32)).is_err());
    }

    #[test]
    fn derived_ids_depend_on_author_and_nonce() {
        let a = Address([1; 32]);
        assert_ne!(RecordId::derive(&a, 1), RecordId::derive(&a, 2));
        assert_ne!(
            RecordId::derive(&a, 1),
            RecordId::derive(&Address([2; 32]), 1)
        );
        assert_ne!(RecordId::derive(&a, 1).0, GrantId::derive(&a, 1).0);
    }
}
