//! The encrypted record payload: STREAM (Hoang, Reyhanitabar, Rogaway, Vizár 2015) over
//! ChaCha20-Poly1305 (RFC 8439) in 64 KiB chunks, so records of any size are sealed and opened
//! in constant memory and truncation, reordering or dropping of chunks is detected.
//!
//! ```text
//! offset size  field
//!      0    6  magic "MDWREC"
//!      6    1  version = 0x01
//!      7    1  chunk size exponent = 16 (64 KiB plaintext chunks; the only value in v1)
//!      8   16  nonce: random, fresh per record
//!     24   32  key commitment (see below)
//!     56    …  chunks: ciphertext || 16-byte tag; every chunk but the last holds exactly
//!              65,536 plaintext bytes; the last holds 0..=65,536 (0 only for an empty record)
//!
//! prk           = HKDF-Extract(salt = nonce, ikm = content key)                (SHA-256)
//! key || prefix = HKDF-Expand(prk, "medwallet/record-payload/v1", 32 + 7)
//! commitment    = HKDF-Expand(prk, "medwallet/record-key-commitment/v1", 32)
//! chunk i nonce = prefix (7) || i as u32 big-endian (4) || last flag 0x00/0x01 (1)
//! ```
//!
//! The commitment binds the ciphertext to exactly one content key, so a dishonest sender cannot
//! wrap different keys to different recipients that open the same blob to different records
//! (ChaCha20-Poly1305 alone is not key-committing). The nonce feeds the key derivation, so any
//! change to the header fails authentication too.

use std::io::{Read, Write};

use aead_stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::ChaCha20Poly1305;
use hkdf::Hkdf;
use rand_core::CryptoRng;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::content_key::ContentKey;
use super::error::EnvelopeError;

/// Magic bytes that open every payload.
pub const MAGIC: &[u8; 6] = b"MDWREC";
/// The payload format version this build writes and reads.
pub const VERSION: u8 = 1;
/// Length of the fixed header.
pub const HEADER_LEN: usize = 56;
/// Plaintext bytes per chunk.
pub const CHUNK_LEN: usize = 1 << CHUNK_EXPONENT;
const CHUNK_EXPONENT: u8 = 16;
pub(super) const TAG_LEN: usize = 16;
pub(super) const SEALED_CHUNK_LEN: usize = CHUNK_LEN + TAG_LEN;
const PAYLOAD_INFO: &[u8] = b"medwallet/record-payload/v1";
const COMMITMENT_INFO: &[u8] = b"medwallet/record-key-commitment/v1";

/// The public header of a payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PayloadHeader {
    /// Per-record random salt for the key schedule.
    pub nonce: [u8; 16],
    /// Commitment to the content key.
    pub commitment: [u8; 32],
}

impl PayloadHeader {
    /// Encodes the header.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[..6].copy_from_slice(MAGIC);
        out[6] = VERSION;
        out[7] = CHUNK_EXPONENT;
        out[8..24].copy_from_slice(&self.nonce);
        out[24..].copy_from_slice(&self.commitment);
        out
    }

    /// Decodes and checks the framing of a header (not its commitment: that needs the key).
    pub fn decode(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(EnvelopeError::NotAnEnvelope);
        }
        if bytes.len() < HEADER_LEN {
            return Err(EnvelopeError::Malformed("truncated header"));
        }
        if bytes[6] != VERSION {
            return Err(EnvelopeError::UnsupportedVersion(bytes[6]));
        }
        if bytes[7] != CHUNK_EXPONENT {
            return Err(EnvelopeError::Malformed("unsupported chunk size"));
        }
        let mut nonce = [0u8; 16];
        nonce.copy_from_slice(&bytes[8..24]);
        let mut commitment = [0u8; 32];
        commitment.copy_from_slice(&bytes[24..HEADER_LEN]);
        Ok(Self { nonce, commitment })
    }
}

/// Keys derived for one payload; wiped on drop.
pub(super) struct PayloadKeys {
    stream_key: Zeroizing<[u8; 32]>,
    stream_prefix: [u8; 7],
    pub(super) commitment: [u8; 32],
}

impl PayloadKeys {
    pub(super) fn derive(key: &ContentKey, nonce: &[u8; 16]) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(nonce), key.expose());
        let mut okm = Zeroizing::new([0u8; 39]);
        let mut commitment = [0u8; 32];
        // Both lengths are far below HKDF-SHA256's 8,160-byte limit.
        if hk.expand(PAYLOAD_INFO, okm.as_mut()).is_err()
            || hk.expand(COMMITMENT_INFO, &mut commitment).is_err()
        {
            unreachable!("HKDF output lengths are within bounds");
        }
        let mut stream_key = Zeroizing::new([0u8; 32]);
        stream_key.copy_from_slice(&okm[..32]);
        let mut stream_prefix = [0u8; 7];
        stream_prefix.copy_from_slice(&okm[32..]);
        Self {
            stream_key,
            stream_prefix,
            commitment,
        }
    }

    pub(super) fn encryptor(&self) -> EncryptorBE32<ChaCha20Poly1305> {
        EncryptorBE32::new(&(*self.stream_key).into(), &self.stream_prefix.into())
    }

    pub(super) fn decryptor(&self) -> DecryptorBE32<ChaCha20Poly1305> {
        DecryptorBE32::new(&(*self.stream_key).into(), &self.stream_prefix.into())
    }
}

/// Reads until `buf` holds `want` bytes or the input ends.
fn fill<R: Read>(input: &mut R, buf: &mut Vec<u8>, want: usize) -> std::io::Result<()> {
    let missing = want.saturating_sub(buf.len()) as u64;
    input.take(missing).read_to_end(buf)?;
    Ok(())
}

/// Encrypts everything `input` yields under `key` into `output`. Returns the number of bytes
/// written (header included). Memory use is one chunk, whatever the record's size.
pub fn seal_payload<G, R, W>(
    key: &ContentKey,
    rng: &mut G,
    mut input: R,
    mut output: W,
) -> Result<u64, EnvelopeError>
where
    G: CryptoRng + ?Sized,
    R: Read,
    W: Write,
{
    let mut nonce = [0u8; 16];
    rng.fill_bytes(&mut nonce);
    let keys = PayloadKeys::derive(key, &nonce);
    let header = PayloadHeader {
        nonce,
        commitment: keys.commitment,
    };
    output.write_all(&header.encode())?;
    let mut written = HEADER_LEN as u64;

    let mut encryptor = keys.encryptor();
    // One byte of look-ahead tells whether the chunk in hand is the last one.
    let mut buf = Zeroizing::new(Vec::with_capacity(SEALED_CHUNK_LEN + 1));
    let mut lookahead: Option<u8> = None;
    loop {
        buf.clear();
        buf.extend(lookahead.take());
        fill(&mut input, &mut buf, CHUNK_LEN + 1)?;
        if buf.len() > CHUNK_LEN {
            lookahead = buf.pop();
            encryptor
                .encrypt_next_in_place(b"", &mut *buf)
                .map_err(|_| EnvelopeError::TooLarge)?;
            output.write_all(&buf)?;
            written += buf.len() as u64;
        } else {
            encryptor
                .encrypt_last_in_place(b"", &mut *buf)
                .map_err(|_| EnvelopeError::TooLarge)?;
            output.write_all(&buf)?;
            written += buf.len() as u64;
            break;
        }
    }
    output.flush()?;
    Ok(written)
}

/// Decrypts a payload from `input` into `output`. Returns the number of plaintext bytes.
///
/// Every chunk is authenticated before it is written, but truncation is only known at the end:
/// treat `output` as garbage unless this returns `Ok` (write to a temporary file, rename on
/// success).
pub fn open_payload<R, W>(
    key: &ContentKey,
    mut input: R,
    mut output: W,
) -> Result<u64, EnvelopeError>
where
    R: Read,
    W: Write,
{
    let mut header_bytes = Vec::with_capacity(HEADER_LEN);
    fill(&mut input, &mut header_bytes, HEADER_LEN)?;
    let header = PayloadHeader::decode(&header_bytes)?;
    let keys = PayloadKeys::derive(key, &header.nonce);
    if !bool::from(keys.commitment.ct_eq(&header.commitment)) {
        return Err(EnvelopeError::Decrypt);
    }

    let mut decryptor = keys.decryptor();
    let mut buf = Zeroizing::new(Vec::with_capacity(SEALED_CHUNK_LEN + 1));
    let mut lookahead: Option<u8> = None;
    let mut plaintext_len = 0u64;
    loop {
        buf.clear();
        buf.extend(lookahead.take());
        fill(&mut input, &mut buf, SEALED_CHUNK_LEN + 1)?;
        if buf.len() > SEALED_CHUNK_LEN {
            lookahead = buf.pop();
            decryptor
                .decrypt_next_in_place(b"", &mut *buf)
                .map_err(|_| EnvelopeError::Decrypt)?;
            output.write_all(&buf)?;
            plaintext_len += buf.len() as u64;
        } else {
            if buf.len() < TAG_LEN {
                return Err(EnvelopeError::Decrypt);
            }
            decryptor
                .decrypt_last_in_place(b"", &mut *buf)
                .map_err(|_| EnvelopeError::Decrypt)?;
            output.write_all(&buf)?;
            plaintext_len += buf.len() as u64;
            break;
        }
    }
    output.flush()?;
    Ok(plaintext_len)
}

/// Length of the payload that [`seal_payload`] produces for `plaintext_len` bytes.
pub const fn sealed_len(plaintext_len: u64) -> u64 {
    let chunk = CHUNK_LEN as u64;
    let chunks = if plaintext_len == 0 {
        1
    } else {
        plaintext_len.div_ceil(chunk)
    };
    HEADER_LEN as u64 + plaintext_len + chunks * TAG_LEN as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn seal(key: &ContentKey, seed: u64, plaintext: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let n =
            seal_payload(key, &mut StdRng::seed_from_u64(seed), plaintext, &mut out).expect("seal");
        assert_eq!(n as usize, out.len());
        assert_eq!(sealed_len(plaintext.len() as u64), n);
        out
    }

    fn open(key: &ContentKey, sealed: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
        let mut out = Vec::new();
        open_payload(key, sealed, &mut out)?;
        Ok(out)
    }

    fn key(seed: u64) -> ContentKey {
        ContentKey::generate(&mut StdRng::seed_from_u64(seed))
    }

    #[test]
    fn sizes_around_chunk_boundaries_round_trip() {
        let k = key(1);
        for len in [
            0,
            1,
            CHUNK_LEN - 1,
            CHUNK_LEN,
            CHUNK_LEN + 1,
            3 * CHUNK_LEN,
            3 * CHUNK_LEN + 7,
        ] {
            let plaintext: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let sealed = seal(&k, len as u64, &plaintext);
            assert_eq!(open(&k, &sealed).expect("open"), plaintext, "len {len}");
        }
    }

    #[test]
    fn wrong_key_fails_at_the_commitment() {
        let sealed = seal(&key(1), 0, b"record");
        assert!(matches!(
            open(&key(2), &sealed),
            Err(EnvelopeError::Decrypt)
        ));
    }

    #[test]
    fn truncation_at_a_chunk_boundary_is_detected() {
        let k = key(1);
        let plaintext = vec![7u8; 2 * CHUNK_LEN + 10];
        let sealed = seal(&k, 0, &plaintext);
        let cut = HEADER_LEN + SEALED_CHUNK_LEN;
        assert!(matches!(
            open(&k, &sealed[..cut]),
            Err(EnvelopeError::Decrypt)
        ));
        assert!(matches!(
            open(&k, &sealed[..cut + 10]),
            Err(EnvelopeError::Decrypt)
        ));
        assert!(matches!(
            open(&k, &sealed[..HEADER_LEN]),
            Err(EnvelopeError::Decrypt)
        ));
    }

    #[test]
    fn reordered_chunks_are_detected() {
        let k = key(1);
        let plaintext: Vec<u8> = (0..3 * CHUNK_LEN).map(|i| (i / CHUNK_LEN) as u8).collect();
        let sealed = seal(&k, 0, &plaintext);
        let mut swapped = sealed.clone();
        let (a, b) = (HEADER_LEN, HEADER_LEN + SEALED_CHUNK_LEN);
        let first = sealed[a..b].to_vec();
        let second = sealed[b..b + SEALED_CHUNK_LEN].to_vec();
        swapped[a..b].copy_from_slice(&second);
        swapped[b..b + SEALED_CHUNK_LEN].copy_from_slice(&first);
        assert!(matches!(open(&k, &swapped), Err(EnvelopeError::Decrypt)));
    }

    #[test]
    fn appended_bytes_are_detected() {
        let k = key(1);
        let mut sealed = seal(&k, 0, b"short record");
        sealed.push(0);
        assert!(matches!(open(&k, &sealed), Err(EnvelopeError::Decrypt)));
    }

    #[test]
    fn header_errors_are_specific() {
        let k = key(1);
        let sealed = seal(&k, 0, b"x");
        assert!(matches!(
            open(&k, b"MDWRE"),
            Err(EnvelopeError::NotAnEnvelope)
        ));
        assert!(matches!(
            open(&k, b"not an envelope at all"),
            Err(EnvelopeError::NotAnEnvelope)
        ));
        assert!(matches!(
            open(&k, &sealed[..20]),
            Err(EnvelopeError::Malformed(_))
        ));
        let mut v9 = sealed.clone();
        v9[6] = 9;
        assert!(matches!(
            open(&k, &v9),
            Err(EnvelopeError::UnsupportedVersion(9))
        ));
        let mut chunk = sealed.clone();
        chunk[7] = 20;
        assert!(matches!(open(&k, &chunk), Err(EnvelopeError::Malformed(_))));
        let mut nonce = sealed.clone();
        nonce[10] ^= 1;
        assert!(matches!(open(&k, &nonce), Err(EnvelopeError::Decrypt)));
    }

    /// A reader or writer that fails after `budget` bytes, like a full disk or a dropped socket.
    struct Failing {
        budget: usize,
    }

    impl std::io::Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.budget == 0 {
                return Err(std::io::Error::other("disk went away"));
            }
            let n = buf.len().min(self.budget);
            buf[..n].fill(0);
            self.budget -= n;
            Ok(n)
        }
    }

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.budget == 0 {
                return Err(std::io::Error::other("disk full"));
            }
            let n = buf.len().min(self.budget);
            self.budget -= n;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn io_failures_are_reported_as_io_not_as_decryption_failures() {
        let k = key(1);
        let mut rng = StdRng::seed_from_u64(1);
        let err = seal_payload(&k, &mut rng, Failing { budget: 100 }, Vec::new())
            .expect_err("read fails");
        assert!(matches!(err, EnvelopeError::Io(_)), "{err}");
        let err = seal_payload(&k, &mut rng, &[0u8; 10][..], Failing { budget: 20 })
            .expect_err("write fails");
        assert!(matches!(err, EnvelopeError::Io(_)), "{err}");
        let sealed = seal(&k, 0, &vec![1u8; 3 * CHUNK_LEN]);
        let err = open_payload(&k, &sealed[..], Failing { budget: 10 }).expect_err("write fails");
        assert!(matches!(err, EnvelopeError::Io(_)), "{err}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn seal_open_round_trips(plaintext in proptest::collection::vec(any::<u8>(), 0..(2 * CHUNK_LEN + 100)), seed in any::<u64>()) {
            let k = key(seed);
            let sealed = seal(&k, seed, &plaintext);
            prop_assert_eq!(open(&k, &sealed).expect("open"), plaintext);
        }

        #[test]
        fn any_single_bit_flip_is_detected(len in 0usize..(CHUNK_LEN + 50), pos in any::<prop::sample::Index>(), bit in 0u8..8) {
            let k = key(3);
            let plaintext = vec![0x5a; len];
            let mut sealed = seal(&k, 3, &plaintext);
            let i = pos.index(sealed.len());
            sealed[i] ^= 1 << bit;
            prop_assert!(open(&k, &sealed).is_err());
        }
    }
}
