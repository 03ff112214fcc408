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

    pub(crate) fn expose(&self) -> &[u8; CONTENT_KEY_LEN] {
        self.0.expose_secret()
    }
}
