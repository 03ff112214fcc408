//! The same payload format as [`super::payload`], for records already in memory: each chunk is
//! copied once into the output buffer and encrypted or decrypted in place there, so a sealed
//! record costs one copy, like a bare AEAD call. The streaming functions need two (input into a
//! chunk buffer, chunk buffer out), which is the price of constant memory on unbounded input.

use aead_stream::aead::Buffer;
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;

use super::content_key::ContentKey;
use super::error::EnvelopeError;
use super::payload::{
    CHUNK_LEN, HEADER_LEN, PayloadHeader, PayloadKeys, SEALED_CHUNK_LEN, TAG_LEN, sealed_len,
};

/// The tail of a `Vec` from `start` on, as an in-place AEAD buffer.
struct Tail<'a> {
    vec: &'a mut Vec<u8>,
    start: usize,
}

impl AsRef<[u8]> for Tail<'_> {
    fn as_ref(&self) -> &[u8] {
        &self.vec[self.start..]
    }
}

impl AsMut<[u8]> for Tail<'_> {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.vec[self.start..]
    }
}

impl Buffer for Tail<'_> {
    fn extend_from_slice(&mut self, other: &[u8]) -> aead_stream::aead::Result<()> {
        self.vec.extend_from_slice(other);
        Ok(())
    }

    fn truncate(&mut self, len: usize) {
        self.vec.truncate(self.start + len);
    }
}

/// Seals `plaintext` into a new buffer. Byte-for-byte what [`super::seal_payload`] writes for
/// the same key and randomness.
pub fn seal_to_vec<G: CryptoRng + ?Sized>(
    key: &ContentKey,
    rng: &mut G,
    plaintext: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    let total =
        usize::try_from(sealed_len(plaintext.len() as u64)).map_err(|_| EnvelopeError::TooLarge)?;
    let mut nonce = [0u8; 16];
    rng.fill_bytes(&mut nonce);
    let keys = PayloadKeys::derive(key, &nonce);
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(
        &PayloadHeader {
            nonce,
            commitment: keys.commitment,
        }
        .encode(),
    );

    let mut encryptor = keys.encryptor();
    let mut chunks = plaintext.chunks(CHUNK_LEN).peekable();
    loop {
        let chunk = chunks.next().unwrap_or(&[]);
        let start = out.len();
        out.extend_from_slice(chunk);
        let mut tail = Tail {
            vec: &mut out,
            start,
        };
        if chunks.peek().is_some() {
            encryptor
                .encrypt_next_in_place(b"", &mut tail)
                .map_err(|_| EnvelopeError::TooLarge)?;
        } else {
            encryptor
                .encrypt_last_in_place(b"", &mut tail)
                .map_err(|_| EnvelopeError::TooLarge)?;
            return Ok(out);
        }
    }
}

/// Opens a payload held in memory. Returns the plaintext only if every chunk authenticates and
/// the stream ends with its last chunk.
pub fn open_to_vec(key: &ContentKey, sealed: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
    let header = PayloadHeader::decode(sealed)?;
    let keys = PayloadKeys::derive(key, &header.nonce);
    if !bool::from(keys.commitment.ct_eq(&header.commitment)) {
        return Err(EnvelopeError::Decrypt);
    }
    let body = &sealed[HEADER_LEN..];
    let mut out = Vec::with_capacity(body.len());
    let mut decryptor = keys.decryptor();
    let mut chunks = body.chunks(SEALED_CHUNK_LEN).peekable();
    loop {
        let chunk = chunks.next().unwrap_or(&[]);
        if chunk.len() < TAG_LEN {
            return Err(EnvelopeError::Decrypt);
        }
        let start = out.len();
        out.extend_from_slice(chunk);
        let mut tail = Tail {
            vec: &mut out,
            start,
        };
        if chunks.peek().is_some() {
            decryptor
                .decrypt_next_in_place(b"", &mut tail)
                .map_err(|_| EnvelopeError::Decrypt)?;
        } else {
            decryptor
                .decrypt_last_in_place(b"", &mut tail)
                .map_err(|_| EnvelopeError::Decrypt)?;
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{open_payload, seal_payload};
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn in_memory_and_streaming_agree_byte_for_byte(
            plaintext in proptest::collection::vec(any::<u8>(), 0..(2 * CHUNK_LEN + 40)),
            seed in any::<u64>(),
        ) {
            let key = ContentKey::generate(&mut StdRng::seed_from_u64(seed));
            let in_memory = seal_to_vec(&key, &mut StdRng::seed_from_u64(seed), &plaintext).expect("seal");
            let mut streamed = Vec::new();
            seal_payload(&key, &mut StdRng::seed_from_u64(seed), &plaintext[..], &mut streamed).expect("seal");
            prop_assert_eq!(&in_memory, &streamed);
            prop_assert_eq!(open_to_vec(&key, &streamed).expect("open"), plaintext.clone());
            let mut opened = Vec::new();
            open_payload(&key, &in_memory[..], &mut opened).expect("open");
            prop_assert_eq!(opened, plaintext);
        }

        #[test]
        fn in_memory_open_rejects_any_truncation(len in 0usize..(CHUNK_LEN * 2), cut in any::<prop::sample::Index>()) {
            let key = ContentKey::generate(&mut StdRng::seed_from_u64(1));
            let sealed = seal_to_vec(&key, &mut StdRng::seed_from_u64(2), &vec![1u8; len]).expect("seal");
            let cut = cut.index(sealed.len());
            prop_assert!(open_to_vec(&key, &sealed[..cut]).is_err());
        }
    }

    #[test]
    fn chunk_boundary_truncation_is_detected_in_memory() {
        let key = ContentKey::generate(&mut StdRng::seed_from_u64(1));
        let sealed = seal_to_vec(
            &key,
            &mut StdRng::seed_from_u64(2),
            &vec![3u8; 2 * CHUNK_LEN],
        )
        .expect("seal");
        assert!(matches!(
            open_to_vec(&key, &sealed[..HEADER_LEN + SEALED_CHUNK_LEN]),
            Err(EnvelopeError::Decrypt)
        ));
    }
}
