//! Byte layout of the keystore file (all integers big-endian).
//!
//! ```text
//! offset size   field
//!      0    8   magic "MDWKEYST"
//!      8    2   version = 1
//!     10    1   KDF id = 1 (Argon2id, version 0x13, RFC 9106)
//!     11    4   memory cost in KiB   (8·p ..= 2,097,152; default 65,536 = 64 MiB)
//!     15    4   time cost            (1 ..= 64; default 3)
//!     19    4   parallelism          (1 ..= 64; default 4)
//!     23    1   salt length s        (16 ..= 64)
//!     24    s   salt
//!      .   32   ed25519 public key   (so the address shows while locked)
//!      .   32   x25519 public key
//!      .    1   label length l       (0 ..= 64)
//!      .    l   label, UTF-8         (the account's name on the unlock screen)
//!      .   12   AEAD nonce
//!      .    2   ciphertext length c  (= 48 in version 1)
//!      .    c   ChaCha20-Poly1305(key = Argon2id(password, salt), nonce, aad = every byte
//!               above, plaintext = the 32 bytes of BIP-39 entropy)
//!      .   32   SHA-256 of every byte above
//! ```
//!
//! The trailing digest separates "the file is damaged" from "the password is wrong": a file
//! whose digest matches but whose ciphertext does not open was opened with the wrong password.

use super::{KdfParams, KeystoreError};

pub(super) const MAGIC: &[u8; 8] = b"MDWKEYST";
pub(super) const VERSION: u16 = 1;
pub(super) const KDF_ARGON2ID: u8 = 1;
pub(super) const SALT_MIN: usize = 16;
pub(super) const SALT_MAX: usize = 64;
pub(super) const LABEL_MAX: usize = 64;
pub(super) const NONCE_LEN: usize = 12;
pub(super) const CIPHERTEXT_LEN: usize = 32 + 16;
const DIGEST_LEN: usize = 32;
/// No valid keystore is larger than this; reading stops here.
pub const MAX_FILE_LEN: usize = 8
    + 2
    + 1
    + 12
    + 1
    + SALT_MAX
    + 64
    + 1
    + LABEL_MAX
    + NONCE_LEN
    + 2
    + CIPHERTEXT_LEN
    + DIGEST_LEN;

/// The decoded fields of a keystore file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Fields {
    pub params: KdfParams,
    pub salt: Vec<u8>,
    pub signing_public: [u8; 32],
    pub receiving_public: [u8; 32],
    pub label: String,
    pub nonce: [u8; NONCE_LEN],
    pub ciphertext: Vec<u8>,
}

impl Fields {
    /// Every byte that the AEAD authenticates (the file up to and including the length field).
    pub fn associated_data(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MAX_FILE_LEN);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_be_bytes());
        out.push(KDF_ARGON2ID);
        out.extend_from_slice(&self.params.memory_kib.to_be_bytes());
        out.extend_from_slice(&self.params.iterations.to_be_bytes());
        out.extend_from_slice(&self.params.parallelism.to_be_bytes());
        // Lengths are bounded by construction (checked in `KdfParams`/`Keystore::create`).
        out.push(self.salt.len() as u8);
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(&self.signing_public);
        out.extend_from_slice(&self.receiving_public);
        out.push(self.label.len() as u8);
        out.extend_from_slice(self.label.as_bytes());
        out.extend_from_slice(&self.nonce);
        out.extend_from_slice(&(self.ciphertext.len() as u16).to_be_bytes());
        out
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.associated_data();
        out.extend_from_slice(&self.ciphertext);
        let digest = <sha2::Sha256 as sha2::Digest>::digest(&out);
        out.extend_from_slice(&digest);
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, KeystoreError> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(KeystoreError::NotAKeystore);
        }
        if bytes.len() > MAX_FILE_LEN {
            return Err(KeystoreError::Corrupt("file is longer than any keystore"));
        }
        let mut r = Reader::new(&bytes[MAGIC.len()..]);
        let version = u16::from_be_bytes(r.array()?);
        if version != VERSION {
            return Err(KeystoreError::UnsupportedVersion(version));
        }
        // Check integrity before interpreting anything else, so a damaged file is reported as
        // damaged (and never as a wrong password).
        if bytes.len() < MAGIC.len() + 2 + DIGEST_LEN {
            return Err(KeystoreError::Corrupt("file is truncated"));
        }
        let (body, digest) = bytes.split_at(bytes.len() - DIGEST_LEN);
        let expected = <sha2::Sha256 as sha2::Digest>::digest(body);
        if expected.as_slice() != digest {
            return Err(KeystoreError::Corrupt("checksum mismatch"));
        }
        let mut r = Reader::new(&body[MAGIC.len() + 2..]);
        if r.byte()? != KDF_ARGON2ID {
            return Err(KeystoreError::Corrupt("unknown key-derivation function"));
        }
        let params = KdfParams {
            memory_kib: u32::from_be_bytes(r.array()?),
            iterations: u32::from_be_bytes(r.array()?),
            parallelism: u32::from_be_bytes(r.array()?),
        };
        params.check()?;
        let salt_len = usize::from(r.byte()?);
        if !(SALT_MIN..=SALT_MAX).contains(&salt_len) {
            return Err(KeystoreError::Corrupt("salt length out of range"));
        }
        let salt = r.take(salt_len)?.to_vec();
        let signing_public = r.array()?;
        let receiving_public = r.array()?;
        let label_len = usize::from(r.byte()?);
        if label_len > LABEL_MAX {
            return Err(KeystoreError::Corrupt("label too long"));
        }
        let label = String::from_utf8(r.take(label_len)?.to_vec())
            .map_err(|_| KeystoreError::Corrupt("label is not UTF-8"))?;
        let nonce = r.array()?;
        let ct_len = usize::from(u16::from_be_bytes(r.array()?));
        if ct_len != CIPHERTEXT_LEN {
            return Err(KeystoreError::Corrupt("ciphertext length"));
        }
        let ciphertext = r.take(ct_len)?.to_vec();
        if !r.is_empty() {
            return Err(KeystoreError::Corrupt("trailing bytes"));
        }
        Ok(Self {
            params,
            salt,
            signing_public,
            receiving_public,
            label,
            nonce,
            ciphertext,
        })
    }
}

/// A bounds-checked cursor: every read names what it needs, none can run past the end.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], KeystoreError> {
        if self.rest.len() < n {
            return Err(KeystoreError::Corrupt("file is truncated"));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], KeystoreError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn byte(&mut self) -> Result<u8, KeystoreError> {
        Ok(self.take(1)?[0])
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
}
