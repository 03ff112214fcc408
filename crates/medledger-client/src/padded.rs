//! Sealing to a size bucket: what a clinic puts on the ledger (a record's ciphertext, its sealed
//! metadata) has a length from [`medledger_types::size_bucket`], never the exact one, and the
//! ledger's rules refuse any other length.
//!
//! The plaintext is padded inside the envelope (ISO/IEC 7816-4: one `0x80` byte, then zeros) to
//! the length whose sealed form is the smallest reachable bucket; opening removes the padding,
//! so the record a patient gets back is byte for byte what the clinic issued.

use medledger_types::size_bucket;
use medwallet_crypto::envelope::payload::sealed_len;
use medwallet_crypto::envelope::{ContentKey, EnvelopeError, open_to_vec, seal_to_vec};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

const MARK: u8 = 0x80;

/// The padded plaintext length for `len` bytes: the shortest whose sealed length is a bucket.
pub fn padded_len(len: u64) -> u64 {
    let mut target = size_bucket::bucket(sealed_len(len.saturating_add(1)));
    loop {
        if let Some(plain) = plaintext_for(target) {
            return plain;
        }
        // A few lengths just past a chunk boundary cannot be reached (the next chunk's tag
        // adds 16 bytes at once): take the next bucket.
        target = size_bucket::bucket(target.saturating_add(1));
    }
}

/// The plaintext length whose sealed form is exactly `sealed`, if there is one.
fn plaintext_for(sealed: u64) -> Option<u64> {
    // sealed_len grows by 1 per byte, and by 17 at the first byte of each new chunk.
    let (mut lo, mut hi) = (1u64, sealed);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if sealed_len(mid) < sealed {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    (sealed_len(lo) == sealed).then_some(lo)
}

/// Pads `bytes` to its bucket and seals it under `key`.
pub fn seal_padded<R: CryptoRng + ?Sized>(
    key: &ContentKey,
    rng: &mut R,
    bytes: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    let len = usize::try_from(padded_len(bytes.len() as u64))
        .map_err(|_| EnvelopeError::Malformed("record too large"))?;
    let mut plain = Zeroizing::new(Vec::with_capacity(len));
    plain.extend_from_slice(bytes);
    plain.push(MARK);
    plain.resize(len, 0);
    seal_to_vec(key, rng, &plain)
}

/// Opens what [`seal_padded`] sealed and removes the padding. A payload without valid padding
/// is refused as [`EnvelopeError::Malformed`] (a clinic that did not pad, or a damaged record).
pub fn open_padded(key: &ContentKey, sealed: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
    let mut plain = open_to_vec(key, sealed)?;
    let end = plain
        .iter()
        .rposition(|b| *b != 0)
        .filter(|i| plain[*i] == MARK)
        .ok_or(EnvelopeError::Malformed("record padding"))?;
    plain.truncate(end);
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn records_open_byte_for_byte_and_their_sealed_length_is_a_bucket() {
        let mut rng = StdRng::seed_from_u64(1);
        let key = ContentKey::generate(&mut rng);
        for len in [0usize, 1, 900, 1024, 5000, 65_535, 65_536, 65_537, 200_000] {
            let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let sealed = seal_padded(&key, &mut rng, &bytes).expect("seal");
            assert!(size_bucket::is_bucket(sealed.len() as u64), "{len}");
            assert_eq!(open_padded(&key, &sealed).expect("open"), bytes);
        }
    }

    #[test]
    fn a_payload_without_padding_is_refused() {
        let mut rng = StdRng::seed_from_u64(2);
        let key = ContentKey::generate(&mut rng);
        for unpadded in [&b"{}"[..], b"", b"{}\x80\x00\x01"] {
            let sealed = seal_to_vec(&key, &mut rng, unpadded).expect("seal");
            assert!(matches!(
                open_padded(&key, &sealed),
                Err(EnvelopeError::Malformed(_))
            ));
        }
    }

    proptest! {
        #[test]
        fn every_length_has_a_reachable_bucket_close_above_it(len in 0u64..1 << 32) {
            let plain = padded_len(len);
            prop_assert!(plain > len);
            let sealed = sealed_len(plain);
            prop_assert!(size_bucket::is_bucket(sealed));
            prop_assert!(sealed <= size_bucket::bucket(size_bucket::bucket(sealed_len(len + 1)) + 1));
        }
    }
}
