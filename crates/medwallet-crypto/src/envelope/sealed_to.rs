//! A short message sealed to one recipient: a fresh content key wrapped to them (bound to a
//! caller's context) followed by the message as an envelope payload.
//!
//! ```text
//! wrapped key (81 bytes, see `wrap`) ‖ payload (see `payload`)
//! ```
//!
//! What a node seals to a patient (the name a SMART Health Link's receiver gave) and what a
//! wallet seals to itself (a link's description on the ledger) share this one layout.

use rand_core::CryptoRng;

use super::content_key::ContentKey;
use super::error::EnvelopeError;
use super::in_memory::{open_to_vec, seal_to_vec};
use super::wrap::{Identity, Recipient, WRAPPED_KEY_LEN, WrappedKey};

/// Seals `message` to `recipient`, bound to `context`.
pub fn seal_to<R: CryptoRng + ?Sized>(
    recipient: &impl Recipient,
    context: &[u8],
    message: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, EnvelopeError> {
    let key = ContentKey::generate(rng);
    let wrapped = recipient.wrap(&key, context, rng)?;
    let payload = seal_to_vec(&key, rng, message)?;
    Ok([wrapped.0.as_slice(), &payload].concat())
}

/// Opens what [`seal_to`] sealed to `identity` under `context`.
pub fn open_sealed(
    identity: &impl Identity,
    context: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    if sealed.len() < WRAPPED_KEY_LEN {
        return Err(EnvelopeError::Malformed("shorter than a wrapped key"));
    }
    let (wrapped, payload) = sealed.split_at(WRAPPED_KEY_LEN);
    let mut bytes = [0u8; WRAPPED_KEY_LEN];
    bytes.copy_from_slice(wrapped);
    let key = identity.unwrap(&WrappedKey(bytes), context)?;
    open_to_vec(&key, payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::X25519Identity;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use x25519_dalek::StaticSecret;

    #[test]
    fn opens_for_its_recipient_and_context_only() {
        let mut rng = StdRng::seed_from_u64(1);
        let me = X25519Identity::new(StaticSecret::from([1; 32]));
        let other = X25519Identity::new(StaticSecret::from([2; 32]));
        let sealed = seal_to(&me.to_recipient(), b"ctx", b"St Mary ED", &mut rng).expect("seal");
        assert_eq!(
            open_sealed(&me, b"ctx", &sealed).expect("open"),
            b"St Mary ED"
        );
        assert!(open_sealed(&me, b"other ctx", &sealed).is_err());
        assert!(open_sealed(&other, b"ctx", &sealed).is_err());
        assert!(open_sealed(&me, b"ctx", &sealed[..40]).is_err());
        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(open_sealed(&me, b"ctx", &flipped).is_err());
    }
}
