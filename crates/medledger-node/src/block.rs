//! Our [`Block`] as Commonware sees it: height, digest (the header hash), parent, and a codec.
//!
//! On the wire and in marshal's archives a block is `u32 length (big-endian) || canonical block
//! encoding`, so it is self-delimiting and the length is checked against [`MAX_BLOCK_LEN`]
//! before anything is allocated.

use std::sync::Arc;

use bytes::{Buf, BufMut, Bytes};
use commonware_codec::{EncodeSize, Error as CodecError, Read, Write};
use commonware_consensus::types::Height;
use commonware_consensus::{Block as CwBlock, Heightable};
use commonware_cryptography::Digestible;
use commonware_cryptography::sha256::Digest;
use medledger_types::block::{Block, MAX_BLOCK_LEN};
use medledger_types::codec::Canonical;
use medledger_types::hash::BlockHash;

/// A block with its encoding and hash computed once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerBlock {
    block: Arc<Block>,
    encoded: Bytes,
    hash: BlockHash,
}

impl LedgerBlock {
    /// Wraps a block (encodes and hashes it).
    pub fn new(block: Block) -> Self {
        let encoded = Bytes::from(block.encode());
        let hash = block.hash();
        Self {
            block: Arc::new(block),
            encoded,
            hash,
        }
    }

    /// The block.
    pub fn block(&self) -> &Block {
        &self.block
    }

    /// The header hash.
    pub fn hash(&self) -> BlockHash {
        self.hash
    }
}

/// Commonware's digest for a block hash (the same 32 bytes).
pub fn digest_of(hash: &BlockHash) -> Digest {
    Digest(hash.0)
}

/// Our block hash for a Commonware digest.
pub fn hash_of(digest: &Digest) -> BlockHash {
    BlockHash(digest.0)
}

impl Heightable for LedgerBlock {
    fn height(&self) -> Height {
        Height::new(self.block.header.height)
    }
}

impl Digestible for LedgerBlock {
    type Digest = Digest;

    fn digest(&self) -> Digest {
        digest_of(&self.hash)
    }
}

impl CwBlock for LedgerBlock {
    fn parent(&self) -> Digest {
        digest_of(&self.block.header.parent)
    }
}

impl EncodeSize for LedgerBlock {
    fn encode_size(&self) -> usize {
        4 + self.encoded.len()
    }
}

impl Write for LedgerBlock {
    fn write(&self, buf: &mut impl BufMut) {
        // MAX_BLOCK_LEN (16 MiB) fits in u32; blocks are built within it.
        buf.put_u32(self.encoded.len() as u32);
        buf.put_slice(&self.encoded);
    }
}

impl Read for LedgerBlock {
    type Cfg = ();

    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        if buf.remaining() < 4 {
            return Err(CodecError::EndOfBuffer);
        }
        let len = buf.get_u32() as usize;
        if len > MAX_BLOCK_LEN {
            return Err(CodecError::Invalid(
                "LedgerBlock",
                "block longer than the maximum",
            ));
        }
        if buf.remaining() < len {
            return Err(CodecError::EndOfBuffer);
        }
        let encoded = buf.copy_to_bytes(len);
        let block = Block::decode(&encoded, MAX_BLOCK_LEN)
            .map_err(|_| CodecError::Invalid("LedgerBlock", "malformed block"))?;
        let hash = block.hash();
        Ok(Self {
            block: Arc::new(block),
            encoded,
            hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonware_codec::{DecodeExt, Encode};
    use medledger_types::block::{Header, tx_root};
    use medledger_types::hash::{Sha256Digest, StateRoot};

    fn sample() -> LedgerBlock {
        LedgerBlock::new(Block {
            header: Header {
                height: 3,
                parent: BlockHash([1; 32]),
                timestamp_ms: 5,
                state_root: StateRoot([2; 32]),
                tx_root: tx_root(&[]),
                tx_count: 0,
                validator_set: Sha256Digest([3; 32]),
                next_validator_set: Sha256Digest([3; 32]),
            },
            txs: vec![],
        })
    }

    #[test]
    fn round_trips_through_commonware_codec() {
        let block = sample();
        let bytes = block.encode();
        assert_eq!(bytes.len(), block.encode_size());
        let back = LedgerBlock::decode(bytes).expect("decode");
        assert_eq!(back, block);
        assert_eq!(back.digest(), digest_of(&block.block().hash()));
        assert_eq!(back.height(), Height::new(3));
        assert_eq!(CwBlock::parent(&back), Digest([1; 32]));
    }

    #[test]
    fn oversized_and_truncated_inputs_are_refused() {
        let mut huge = Vec::new();
        huge.put_u32(u32::MAX);
        assert!(LedgerBlock::decode(Bytes::from(huge)).is_err());
        let bytes = sample().encode();
        assert!(LedgerBlock::decode(bytes.slice(..bytes.len() - 1)).is_err());
        let mut garbage = Vec::new();
        garbage.put_u32(3);
        garbage.extend_from_slice(&[9, 9, 9]);
        assert!(LedgerBlock::decode(Bytes::from(garbage)).is_err());
    }
}
