use rand_core::CryptoRng;
use secrecy::{ExposeSecret, SecretBox};

/// Length of a content key.
pub const CONTENT_KEY_LEN: usize = 32;

/// The per-record symmetric key. Held in a [`SecretBox`] (zeroized on drop); no `Debug`,
/// no `Clone`: to share it, wrap it to a recipient.
pub struct ContentKey(SecretBox<[u8; CONTENT_KEY_LEN]>);

impl ContentKey {
    /// A fresh random key.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut key = SecretBox::new(Box::new([0u8; CONTENT_KEY_LEN]));
        rng.fill_bytes(secrecy::ExposeSecretMut::expose_secret_mut(&mut key));
        Self(key)
    }

    /// Takes ownership of key bytes recovered by an [`Identity`](super::Identity).
    pub(crate) fn from_secret(key: SecretBox<[u8; CONTENT_KEY_LEN]>) -> Self {
        Self(key)
    }

    /// The key's bytes, for the one place they leave a wallet on purpose: an export the
    /// patient makes of their own records, in which the plaintext travels beside them (so
    /// anyone holding the export can check that the ledger's ciphertext is that plaintext).
    pub fn to_export(&self) -> zeroize::Zeroizing<[u8; CONTENT_KEY_LEN]> {
        zeroize::Zeroizing::new(*self.0.expose_secret())
    }

    /// A key read back from such an export.
    pub fn from_export(bytes: &[u8; CONTENT_KEY_LEN]) -> Self {
        Self(SecretBox::new(Box::new(*bytes)))
    }

    pub(crate) fn expose(&self) -> &[u8; CONTENT_KEY_LEN] {
        self.0.expose_secret()
    }
}
