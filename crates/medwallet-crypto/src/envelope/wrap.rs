//! Wrapping a content key to a recipient with HPKE (RFC 9180, Base mode,
//! DHKEM(X25519, HKDF-SHA256) + HKDF-SHA256 + ChaCha20Poly1305; suite ids 0x0020/0x0001/0x0003).
//!
//! ```text
//! wrapped key (81 bytes)
//! offset size field
//!      0    1 version = 0x01 (fixes the HPKE suite above)
//!      1   32 enc: the HPKE encapsulated key (ephemeral X25519 public key)
//!     33   48 HPKE ciphertext of the 32-byte content key (32 + 16-byte tag)
//!
//! info = "medwallet/record-key-wrap/v1"
//! aad  = context: the caller's binding, e.g. the record id on the ledger, so a wrapped key
//!        cannot be moved from one record to another
//! ```

use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};
use rand_core::CryptoRng;
use secrecy::SecretBox;
use x25519_dalek::{PublicKey as X25519Public, StaticSecret};
use zeroize::Zeroizing;

use super::content_key::{CONTENT_KEY_LEN, ContentKey};
use super::error::EnvelopeError;

/// Length of a [`WrappedKey`].
pub const WRAPPED_KEY_LEN: usize = 1 + 32 + CONTENT_KEY_LEN + 16;
const VERSION: u8 = 1;
const INFO: &[u8] = b"medwallet/record-key-wrap/v1";

type KemPublic = <X25519HkdfSha256 as Kem>::PublicKey;
type KemPrivate = <X25519HkdfSha256 as Kem>::PrivateKey;
type KemEncapped = <X25519HkdfSha256 as Kem>::EncappedKey;

/// A content key wrapped to one recipient (the ledger's type: it is public data, safe to put
/// on the ledger). Its version and contents are checked when it is unwrapped.
pub use medledger_types::tx::WrappedKey;

const _: () = assert!(WRAPPED_KEY_LEN == medledger_types::tx::WRAPPED_KEY_LEN);

/// Someone a content key can be wrapped to.
pub trait Recipient {
    /// Wraps `key`, bound to `context`.
    fn wrap<R: CryptoRng + ?Sized>(
        &self,
        key: &ContentKey,
        context: &[u8],
        rng: &mut R,
    ) -> Result<WrappedKey, EnvelopeError>;
}

/// Someone who can unwrap content keys wrapped to them.
pub trait Identity {
    /// Recovers the content key, or [`EnvelopeError::Decrypt`] if it was not wrapped to this
    /// identity with this context.
    fn unwrap(&self, wrapped: &WrappedKey, context: &[u8]) -> Result<ContentKey, EnvelopeError>;
}

/// An X25519 public key as a recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct X25519Recipient(X25519Public);

impl X25519Recipient {
    /// The recipient for a receiving key.
    pub fn new(key: X25519Public) -> Self {
        Self(key)
    }

    /// The public key's bytes (what a genesis or a registration carries).
    pub fn public_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }
}

impl Recipient for X25519Recipient {
    fn wrap<R: CryptoRng + ?Sized>(
        &self,
        key: &ContentKey,
        context: &[u8],
        rng: &mut R,
    ) -> Result<WrappedKey, EnvelopeError> {
        let pk = KemPublic::from_bytes(self.0.as_bytes())
            .map_err(|_| EnvelopeError::InvalidRecipient)?;
        let (encapped, ciphertext) =
            hpke::single_shot_seal_with_rng::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
                &OpModeS::Base,
                &pk,
                INFO,
                key.expose(),
                context,
                &mut RngAdapter(rng),
            )
            // The only failure left after a valid key is an all-zero shared secret.
            .map_err(|_| EnvelopeError::InvalidRecipient)?;
        let mut out = [0u8; WRAPPED_KEY_LEN];
        out[0] = VERSION;
        out[1..33].copy_from_slice(&encapped.to_bytes());
        if ciphertext.len() != WRAPPED_KEY_LEN - 33 {
            return Err(EnvelopeError::Malformed(
                "unexpected HPKE ciphertext length",
            ));
        }
        out[33..].copy_from_slice(&ciphertext);
        Ok(WrappedKey(out))
    }
}

/// An X25519 secret key as an identity. Zeroized on drop; no `Debug`.
pub struct X25519Identity(StaticSecret);

impl X25519Identity {
    /// The identity for a receiving secret.
    pub fn new(secret: StaticSecret) -> Self {
        Self(secret)
    }

    /// The matching recipient.
    pub fn to_recipient(&self) -> X25519Recipient {
        X25519Recipient(X25519Public::from(&self.0))
    }
}

impl Identity for X25519Identity {
    fn unwrap(&self, wrapped: &WrappedKey, context: &[u8]) -> Result<ContentKey, EnvelopeError> {
        if wrapped.0[0] != VERSION {
            return Err(EnvelopeError::UnsupportedVersion(wrapped.0[0]));
        }
        let secret = Zeroizing::new(self.0.to_bytes());
        let sk = KemPrivate::from_bytes(secret.as_ref()).map_err(|_| EnvelopeError::Decrypt)?;
        let encapped =
            KemEncapped::from_bytes(&wrapped.0[1..33]).map_err(|_| EnvelopeError::Decrypt)?;
        let plaintext = Zeroizing::new(
            hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
                &OpModeR::Base,
                &sk,
                &encapped,
                INFO,
                &wrapped.0[33..],
                context,
            )
            .map_err(|_| EnvelopeError::Decrypt)?,
        );
        let mut key = SecretBox::new(Box::new([0u8; CONTENT_KEY_LEN]));
        if plaintext.len() != CONTENT_KEY_LEN {
            return Err(EnvelopeError::Decrypt);
        }
        secrecy::ExposeSecretMut::expose_secret_mut(&mut key).copy_from_slice(&plaintext);
        Ok(ContentKey::from_secret(key))
    }
}

/// `hpke` wants a sized `CryptoRng`; this lets callers pass `&mut dyn` or any `?Sized` RNG.
struct RngAdapter<'a, R: ?Sized>(&'a mut R);

impl<R: CryptoRng + ?Sized> rand_core::TryRng for RngAdapter<'_, R> {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.0.next_u32())
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(self.0.next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0.fill_bytes(dst);
        Ok(())
    }
}

impl<R: CryptoRng + ?Sized> rand_core::TryCryptoRng for RngAdapter<'_, R> {}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn identity(seed: u8) -> X25519Identity {
        X25519Identity::new(StaticSecret::from([seed; 32]))
    }

    #[test]
    fn wrap_then_unwrap_recovers_the_key() {
        let mut rng = StdRng::seed_from_u64(1);
        let key = ContentKey::generate(&mut rng);
        let id = identity(1);
        let wrapped = id
            .to_recipient()
            .wrap(&key, b"record-1", &mut rng)
            .expect("wrap");
        let back = id.unwrap(&wrapped, b"record-1").expect("unwrap");
        assert_eq!(back.expose(), key.expose());
    }

    #[test]
    fn another_identity_cannot_unwrap() {
        let mut rng = StdRng::seed_from_u64(2);
        let key = ContentKey::generate(&mut rng);
        let wrapped = identity(1)
            .to_recipient()
            .wrap(&key, b"r", &mut rng)
            .expect("wrap");
        assert!(matches!(
            identity(2).unwrap(&wrapped, b"r"),
            Err(EnvelopeError::Decrypt)
        ));
    }

    #[test]
    fn a_wrapped_key_is_bound_to_its_context() {
        let mut rng = StdRng::seed_from_u64(3);
        let key = ContentKey::generate(&mut rng);
        let id = identity(1);
        let wrapped = id
            .to_recipient()
            .wrap(&key, b"record-1", &mut rng)
            .expect("wrap");
        assert!(matches!(
            id.unwrap(&wrapped, b"record-2"),
            Err(EnvelopeError::Decrypt)
        ));
    }

    #[test]
    fn tampered_wrapped_key_is_rejected() {
        let mut rng = StdRng::seed_from_u64(4);
        let key = ContentKey::generate(&mut rng);
        let id = identity(1);
        let wrapped = id.to_recipient().wrap(&key, b"r", &mut rng).expect("wrap");
        for i in 1..WRAPPED_KEY_LEN {
            let mut bytes = *wrapped.as_bytes();
            bytes[i] ^= 0x01;
            let tampered = WrappedKey::from_bytes(&bytes).expect("framing intact");
            assert!(
                matches!(id.unwrap(&tampered, b"r"), Err(EnvelopeError::Decrypt)),
                "byte {i}"
            );
        }
    }

    #[test]
    fn framing_errors_are_reported() {
        assert!(WrappedKey::from_bytes(&[1; 10]).is_err(), "wrong length");
        let mut v2 = [0u8; WRAPPED_KEY_LEN];
        v2[0] = 2;
        assert!(matches!(
            identity(1).unwrap(&WrappedKey(v2), b"r"),
            Err(EnvelopeError::UnsupportedVersion(2))
        ));
    }

    #[test]
    fn low_order_recipient_is_refused() {
        let mut rng = StdRng::seed_from_u64(5);
        let key = ContentKey::generate(&mut rng);
        let zero = X25519Recipient::new(X25519Public::from([0u8; 32]));
        assert!(matches!(
            zero.wrap(&key, b"r", &mut rng),
            Err(EnvelopeError::InvalidRecipient)
        ));
    }
}
