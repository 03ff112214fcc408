//! Sealing to a size bucket: what a clinic puts on the ledger (a record's ciphertext, its sealed
//! metadata) has a length from [`medledger_types::size_bucket`], never the exact one, and the
//! ledger's rules refuse any other length.
//!
//! The plaintext is padded inside the envelope (ISO/IEC 7816-4: one `0x80` byte, then zeros) to
//! the length whose sealed form is the smallest reachable bucket; opening removes the padding,
//! so the record a patient gets back is byte for byte what the clinic issued.

use medledger_types::size_bucket;
use std::io::{self, Read, Write};

use medwallet_crypto::envelope::payload::sealed_len;
use medwallet_crypto::envelope::{
    ContentKey, EnvelopeError, open_payload, open_to_vec, seal_payload, seal_to_vec,
};
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

/// [`seal_padded`] for a record read from `input` (a file of any size), written to `output` in
/// constant memory. `len` is the record's length, read before sealing: an input that yields
/// any other number of bytes (a file changed underneath) is refused, as its sealed length
/// would not be the bucket. Returns the sealed length.
pub fn seal_padded_stream<R, I, W>(
    key: &ContentKey,
    rng: &mut R,
    input: I,
    len: u64,
    output: W,
) -> Result<u64, EnvelopeError>
where
    R: CryptoRng + ?Sized,
    I: Read,
    W: Write,
{
    let padded = padded_len(len);
    let mut record = Counted {
        inner: input.take(len),
        read: 0,
    };
    let padding = [MARK].chain(io::repeat(0).take(padded - len - 1));
    let sealed = seal_payload(key, rng, (&mut record).chain(padding), output)?;
    if record.read != len || record.inner.into_inner().read(&mut [0u8; 1])? != 0 {
        return Err(EnvelopeError::Malformed(
            "the record changed while it was sealed",
        ));
    }
    Ok(sealed)
}

/// [`open_padded`] from `input` to `output` in constant memory. Returns the record's length.
/// As with [`open_payload`], `output` holds garbage unless this returns `Ok`.
pub fn open_padded_stream<I: Read, W: Write>(
    key: &ContentKey,
    input: I,
    output: W,
) -> Result<u64, EnvelopeError> {
    let mut unpadding = Unpadding::new(output);
    open_payload(key, input, &mut unpadding)?;
    unpadding.finish()
}

struct Counted<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// A writer that passes a padded plaintext on without its padding, holding back only a count:
/// the last `0x80` seen and the zeros after it, written out as data if anything but zeros
/// follows. [`Unpadding::finish`] drops them, and refuses a plaintext that ends otherwise.
struct Unpadding<W> {
    inner: W,
    /// A `0x80` and this many zeros after it, not yet written.
    held: Option<u64>,
    written: u64,
}

impl<W: Write> Unpadding<W> {
    fn new(inner: W) -> Self {
        Self {
            inner,
            held: None,
            written: 0,
        }
    }

    fn pass(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.inner.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// What was held is data after all.
    fn release(&mut self) -> io::Result<()> {
        if let Some(mut zeros) = self.held.take() {
            self.pass(&[MARK])?;
            let block = [0u8; 4096];
            while zeros > 0 {
                let n = zeros.min(block.len() as u64) as usize;
                self.pass(&block[..n])?;
                zeros -= n as u64;
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<u64, EnvelopeError> {
        if self.held.is_none() {
            return Err(EnvelopeError::Malformed("record padding"));
        }
        self.inner.flush()?;
        Ok(self.written)
    }
}

impl<W: Write> Write for Unpadding<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match buf.iter().rposition(|b| *b != 0) {
            None => match &mut self.held {
                Some(zeros) => *zeros += buf.len() as u64,
                None => self.pass(buf)?,
            },
            Some(last) => {
                self.release()?;
                if buf[last] == MARK {
                    self.pass(&buf[..last])?;
                    self.held = Some((buf.len() - last - 1) as u64);
                } else {
                    self.pass(buf)?;
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
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

    #[test]
    fn streamed_records_match_the_in_memory_form_at_every_chunk_edge() {
        let key = ContentKey::generate(&mut StdRng::seed_from_u64(3));
        for len in [0usize, 1, 65_535, 65_536, 65_537, 200_000, 300_000] {
            // Data that ends in what looks like padding, and holds a mark and zeros inside.
            let mut bytes: Vec<u8> = (0..len).map(|i| (i % 7) as u8).collect();
            if len > 70_000 {
                bytes[65_530] = MARK;
                bytes[65_531..69_000].fill(0);
                bytes[len - 3..].copy_from_slice(&[MARK, 0, 0]);
            }
            let in_memory = seal_padded(&key, &mut StdRng::seed_from_u64(4), &bytes).expect("seal");
            let mut streamed = Vec::new();
            let sealed = seal_padded_stream(
                &key,
                &mut StdRng::seed_from_u64(4),
                &bytes[..],
                len as u64,
                &mut streamed,
            )
            .expect("seal");
            assert_eq!(
                (sealed, &streamed),
                (in_memory.len() as u64, &in_memory),
                "{len}"
            );
            let mut opened = Vec::new();
            // Read in odd-sized pieces, so the writer sees chunks cut anywhere.
            let reader = std::io::BufReader::with_capacity(1000, &streamed[..]);
            assert_eq!(
                open_padded_stream(&key, reader, &mut opened).expect("open"),
                len as u64
            );
            assert_eq!(opened, bytes, "{len}");
        }
    }

    #[test]
    fn a_stream_that_is_not_the_length_given_or_lacks_padding_is_refused() {
        let mut rng = StdRng::seed_from_u64(5);
        let key = ContentKey::generate(&mut rng);
        for (given, actual) in [(10u64, 9usize), (10, 11)] {
            let bytes = vec![1u8; actual];
            let result = seal_padded_stream(&key, &mut rng, &bytes[..], given, Vec::new());
            assert!(
                matches!(result, Err(EnvelopeError::Malformed(_))),
                "{given} {actual}"
            );
        }
        for unpadded in [&b"{}"[..], b"", b"{}\x80\x00\x01"] {
            let sealed = seal_to_vec(&key, &mut rng, unpadded).expect("seal");
            let result = open_padded_stream(&key, &sealed[..], Vec::new());
            assert!(matches!(result, Err(EnvelopeError::Malformed(_))));
        }
    }

    proptest! {
        #[test]
        fn streamed_opening_strips_exactly_the_padding(
            bytes in proptest::collection::vec(prop_oneof![Just(0u8), Just(MARK), any::<u8>()], 0..3000),
            piece in 1usize..700,
        ) {
            let mut rng = StdRng::seed_from_u64(6);
            let key = ContentKey::generate(&mut rng);
            let sealed = seal_padded(&key, &mut rng, &bytes).expect("seal");
            let mut opened = Vec::new();
            let reader = std::io::BufReader::with_capacity(piece, &sealed[..]);
            open_padded_stream(&key, reader, &mut opened).expect("open");
            prop_assert_eq!(opened, bytes);
        }

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
