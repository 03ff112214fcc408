//! State sync's unit: a run of the state's leaves in key-hash order with jmt's range proof that
//! they are all the leaves from the run's start up to its last. A node serves them
//! (`GET /v1/state/chunks`); a joining node restores them against the state root of a header
//! it verified.

use crate::codec::{Canonical, CodecError, Reader, Writer};
use crate::state::{MAX_PROOF_LEN, MAX_VALUE_LEN};

/// Most leaves one chunk holds.
pub const MAX_CHUNK_LEAVES: usize = 4096;
/// A chunk stops growing once its values pass this many bytes (it always holds one leaf).
pub const CHUNK_VALUE_BYTES: usize = 1 << 20;
/// Longest encoded chunk: the leaves' keys and lengths, values up to the soft limit plus one
/// more of the largest, the proof, and the framing.
pub const MAX_CHUNK_LEN: usize =
    4 + MAX_CHUNK_LEAVES * (32 + 4) + CHUNK_VALUE_BYTES + MAX_VALUE_LEN + 4 + MAX_PROOF_LEN + 1;

/// A run of the state's leaves with its range proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChunk {
    /// Each leaf's key hash (SHA-256 of the state key) and value, in key-hash order.
    pub entries: Vec<([u8; 32], Vec<u8>)>,
    /// borsh encoding of jmt's `SparseMerkleRangeProof<Sha256>` up to the last entry (empty
    /// when there are no entries).
    pub proof: Vec<u8>,
    /// No leaf follows this chunk's last.
    pub last: bool,
}

impl Canonical for StateChunk {
    fn write(&self, w: &mut Writer) {
        w.list(&self.entries, |w, (key, value)| {
            w.fixed(key);
            w.bytes(value);
        });
        w.bytes(&self.proof);
        w.bool(self.last);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Self {
            entries: r.list("entries", MAX_CHUNK_LEAVES, |r| {
                Ok((r.array("key hash")?, r.bytes("value", MAX_VALUE_LEN)?))
            })?,
            proof: r.bytes("proof", MAX_PROOF_LEN)?,
            last: r.bool("last")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encoding_is_pinned_and_bounded() {
        let chunk = StateChunk {
            entries: vec![([1; 32], b"ab".to_vec())],
            proof: vec![7],
            last: true,
        };
        let bytes = chunk.encode();
        assert_eq!(
            hex::encode(&bytes),
            format!("00000001{}000000026162000000010701", "01".repeat(32))
        );
        assert_eq!(StateChunk::decode(&bytes, MAX_CHUNK_LEN), Ok(chunk));
        let mut w = Writer::new();
        w.u32(MAX_CHUNK_LEAVES as u32 + 1);
        assert!(matches!(
            StateChunk::decode(&w.finish(), MAX_CHUNK_LEN),
            Err(CodecError::TooLong {
                field: "entries",
                ..
            })
        ));
    }
}
