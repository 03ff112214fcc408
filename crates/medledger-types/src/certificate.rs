//! Finalization certificates, byte for byte as Commonware Simplex (ed25519 scheme, 2026.10)
//! writes them, so the light client can check them without depending on Commonware.
//!
//! ```text
//! uvarint  = LEB128, 7 bits per byte, least significant group first; overlong forms rejected
//! proposal = uvarint(epoch) || uvarint(view) || uvarint(parent view) || block hash (32)
//! finalization = proposal || signers || uvarint(k) || signature_0 .. signature_{k-1} (64 each)
//! signers  = u64 big-endian n (validator count) || ceil(n/8) bytes, bit i = byte[i/8] >> (i%8) & 1,
//!            unused high bits of the last byte zero; validator i = i-th key in ascending byte order
//! signatures appear in ascending signer index; k = number of set bits
//!
//! Each signature is RFC 8032 Ed25519 over
//!   uvarint(len(ns_f)) || ns_f || proposal,   ns_f = consensus namespace || "_FINALIZE"
//! and a certificate needs k >= n - floor((n - 1) / 3) distinct signers.
//! ```

use crate::codec::CodecError;
use crate::hash::{BlockHash, ChainId};

/// Largest validator set a certificate may describe.
pub const MAX_VALIDATORS: usize = 1024;

/// The consensus namespace of a chain: Simplex appends `_FINALIZE` (and `_NOTARIZE`, …).
pub fn consensus_namespace(chain: &ChainId) -> Vec<u8> {
    let mut ns = b"medledger/consensus/v1/".to_vec();
    ns.extend_from_slice(&chain.0);
    ns
}

/// Signatures a certificate needs from `n` validators (Simplex's `N3f1` quorum).
pub const fn quorum(n: usize) -> usize {
    if n == 0 { 0 } else { n - (n - 1) / 3 }
}

fn write_uvarint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_uvarint(bytes: &mut &[u8], what: &'static str) -> Result<u64, CodecError> {
    let mut value: u64 = 0;
    for i in 0..10 {
        let (&byte, rest) = bytes.split_first().ok_or(CodecError::Truncated(what))?;
        *bytes = rest;
        let part = u64::from(byte & 0x7f);
        if i == 9 && byte > 0x01 {
            return Err(CodecError::Invalid("varint overflows u64"));
        }
        value |= part << (7 * i);
        if byte & 0x80 == 0 {
            // The last group of a multi-byte varint must be non-zero (no overlong forms).
            if i > 0 && byte == 0 {
                return Err(CodecError::Invalid("non-canonical varint"));
            }
            return Ok(value);
        }
    }
    Err(CodecError::Invalid("varint too long"))
}

fn take<'a>(bytes: &mut &'a [u8], n: usize, what: &'static str) -> Result<&'a [u8], CodecError> {
    if bytes.len() < n {
        return Err(CodecError::Truncated(what));
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Ok(head)
}

/// What validators voted to finalize.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Proposal {
    pub epoch: u64,
    pub view: u64,
    pub parent_view: u64,
    pub block: BlockHash,
}

impl Proposal {
    /// The proposal's encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(3 * 10 + 32);
        write_uvarint(&mut out, self.epoch);
        write_uvarint(&mut out, self.view);
        write_uvarint(&mut out, self.parent_view);
        out.extend_from_slice(&self.block.0);
        out
    }

    fn read(bytes: &mut &[u8]) -> Result<Self, CodecError> {
        Ok(Proposal {
            epoch: read_uvarint(bytes, "epoch")?,
            view: read_uvarint(bytes, "view")?,
            parent_view: read_uvarint(bytes, "parent view")?,
            block: BlockHash(
                take(bytes, 32, "block hash")?
                    .try_into()
                    .map_err(|_| CodecError::Truncated("block hash"))?,
            ),
        })
    }

    /// The exact bytes each validator's finalize signature covers.
    pub fn finalize_message(&self, namespace: &[u8]) -> Vec<u8> {
        let mut ns = namespace.to_vec();
        ns.extend_from_slice(b"_FINALIZE");
        let mut out = Vec::new();
        write_uvarint(&mut out, ns.len() as u64);
        out.extend_from_slice(&ns);
        out.extend_from_slice(&self.encode());
        out
    }
}

/// A finalization certificate: a proposal and a quorum of validator signatures over it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Finalization {
    pub proposal: Proposal,
    /// Size of the validator set the signer bitmap refers to.
    pub validator_count: usize,
    /// Indices (into the ascending validator list) of the signers, ascending.
    pub signers: Vec<usize>,
    /// One signature per signer, in the same order.
    pub signatures: Vec<[u8; 64]>,
}

impl Finalization {
    /// Encodes as Commonware does.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.proposal.encode();
        out.extend_from_slice(&(self.validator_count as u64).to_be_bytes());
        let mut bitmap = vec![0u8; self.validator_count.div_ceil(8)];
        for &i in &self.signers {
            bitmap[i / 8] |= 1 << (i % 8);
        }
        out.extend_from_slice(&bitmap);
        write_uvarint(&mut out, self.signatures.len() as u64);
        for sig in &self.signatures {
            out.extend_from_slice(sig);
        }
        out
    }

    /// Decodes and checks the framing (not the signatures: that is the verifier's job).
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut rest = bytes;
        let proposal = Proposal::read(&mut rest)?;
        let n = u64::from_be_bytes(
            take(&mut rest, 8, "validator count")?
                .try_into()
                .map_err(|_| CodecError::Truncated("validator count"))?,
        );
        if n == 0 || n > MAX_VALIDATORS as u64 {
            return Err(CodecError::TooLong {
                field: "validator count",
                len: n,
                max: MAX_VALIDATORS,
            });
        }
        let n = n as usize;
        let bitmap = take(&mut rest, n.div_ceil(8), "signer bitmap")?;
        if !n.is_multiple_of(8) && bitmap[n / 8] >> (n % 8) != 0 {
            return Err(CodecError::Invalid("signer bitmap padding"));
        }
        let signers: Vec<usize> = (0..n)
            .filter(|i| bitmap[i / 8] >> (i % 8) & 1 == 1)
            .collect();
        let k = read_uvarint(&mut rest, "signature count")?;
        if k != signers.len() as u64 || signers.is_empty() {
            return Err(CodecError::Invalid(
                "signature count does not match signers",
            ));
        }
        let mut signatures = Vec::with_capacity(signers.len());
        for _ in 0..k {
            let mut sig = [0u8; 64];
            sig.copy_from_slice(take(&mut rest, 64, "signature")?);
            signatures.push(sig);
        }
        if !rest.is_empty() {
            return Err(CodecError::Trailing(rest.len()));
        }
        Ok(Finalization {
            proposal,
            validator_count: n,
            signers,
            signatures,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quorum_matches_simplex() {
        assert_eq!(
            [1, 2, 3, 4, 5, 7, 10, 21, 100].map(quorum),
            [1, 2, 3, 3, 4, 5, 7, 15, 67]
        );
    }

    #[test]
    fn uvarints_are_leb128_and_canonical() {
        let mut out = Vec::new();
        write_uvarint(&mut out, 200);
        assert_eq!(out, [0xc8, 0x01]);
        let mut b: &[u8] = &[0x80, 0x00];
        assert!(read_uvarint(&mut b, "x").is_err(), "overlong zero");
        let mut b: &[u8] = &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert!(read_uvarint(&mut b, "x").is_err(), "overflow");
        let mut b: &[u8] = &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(read_uvarint(&mut b, "x"), Ok(u64::MAX));
    }

    #[test]
    fn finalize_message_matches_the_documented_example() {
        // The worked example from Commonware's encoding: ns = "medledger", view 200, parent 199.
        let p = Proposal {
            epoch: 0,
            view: 200,
            parent_view: 199,
            block: BlockHash([0xaa; 32]),
        };
        let msg = p.finalize_message(b"medledger");
        let mut expected = vec![18u8];
        expected.extend_from_slice(b"medledger_FINALIZE");
        expected.extend_from_slice(&[0x00, 0xc8, 0x01, 0xc7, 0x01]);
        expected.extend_from_slice(&[0xaa; 32]);
        assert_eq!(msg, expected);
    }

    #[test]
    fn bitmap_layout_matches_the_documented_example() {
        let f = Finalization {
            proposal: Proposal {
                epoch: 0,
                view: 1,
                parent_view: 0,
                block: BlockHash([1; 32]),
            },
            validator_count: 4,
            signers: vec![0, 1, 3],
            signatures: vec![[1; 64], [2; 64], [3; 64]],
        };
        let bytes = f.encode();
        let after_proposal = &bytes[3 + 32..];
        assert_eq!(&after_proposal[..10], &[0, 0, 0, 0, 0, 0, 0, 4, 0x0b, 3]);
        assert_eq!(Finalization::decode(&bytes), Ok(f));
    }

    #[test]
    fn malformed_certificates_are_rejected() {
        let f = Finalization {
            proposal: Proposal {
                epoch: 0,
                view: 1,
                parent_view: 0,
                block: BlockHash([1; 32]),
            },
            validator_count: 4,
            signers: vec![0, 1, 3],
            signatures: vec![[1; 64], [2; 64], [3; 64]],
        };
        let good = f.encode();
        let bitmap_at = 3 + 32 + 8;
        let mut padding = good.clone();
        padding[bitmap_at] |= 0x10;
        assert_eq!(
            Finalization::decode(&padding),
            Err(CodecError::Invalid("signer bitmap padding"))
        );
        let mut count = good.clone();
        count[bitmap_at + 1] = 2;
        assert!(Finalization::decode(&count).is_err());
        assert!(Finalization::decode(&good[..good.len() - 1]).is_err());
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(
            Finalization::decode(&trailing),
            Err(CodecError::Trailing(1))
        );
        let mut huge = good.clone();
        huge[3 + 32..3 + 32 + 8].copy_from_slice(&u64::MAX.to_be_bytes());
        assert!(matches!(
            Finalization::decode(&huge),
            Err(CodecError::TooLong { .. })
        ));
        let mut none = good;
        none[bitmap_at] = 0;
        assert!(Finalization::decode(&none).is_err());
    }

    proptest! {
        #[test]
        fn certificates_round_trip(n in 1usize..40, mask in any::<u64>(), view in any::<u64>(), epoch in any::<u64>()) {
            let signers: Vec<usize> = (0..n).filter(|i| mask >> (i % 64) & 1 == 1).collect();
            prop_assume!(!signers.is_empty());
            let f = Finalization {
                proposal: Proposal { epoch, view, parent_view: view / 2, block: BlockHash([9; 32]) },
                validator_count: n,
                signatures: signers.iter().map(|&i| [i as u8; 64]).collect(),
                signers,
            };
            prop_assert_eq!(Finalization::decode(&f.encode()), Ok(f));
        }

        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(f) = Finalization::decode(&bytes) {
                prop_assert_eq!(f.encode(), bytes);
            }
        }
    }
}
