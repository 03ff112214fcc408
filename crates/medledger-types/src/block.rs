//! Block headers and blocks. Consensus finalizes [`Header::hash`]; the header commits to the
//! transactions (`tx_root`), to the state after executing them (`state_root`, a Jellyfish Merkle
//! Tree root) and to the validator sets, so a light client that trusts a header can check any
//! state value by proof.

use crate::codec::{Canonical, CodecError, Reader, Writer};
use crate::hash::{BlockHash, Sha256Digest, StateRoot, tagged_hash};
use crate::tx::{MAX_TX_LEN, SignedTx};

/// Most transactions in one block.
pub const MAX_BLOCK_TXS: usize = 20_000;
/// Largest encoded block.
pub const MAX_BLOCK_LEN: usize = 16 * 1024 * 1024;
/// Encoded length of a header.
pub const HEADER_LEN: usize = 1 + 8 + 32 + 8 + 32 + 32 + 4 + 32 + 32;

/// A block header.
///
/// ```text
/// offset size field
///      0    1 version = 1
///      1    8 height (genesis = 0)
///      9   32 parent: hash of the parent header (zero for genesis)
///     41    8 timestamp, ms since the Unix epoch (strictly increasing)
///     49   32 state root after executing this block (JMT, SHA-256)
///     81   32 tx root: Merkle root of the transaction ids (see `tx_root`)
///    113    4 transaction count
///    117   32 hash of the validator set that finalizes this block
///    149   32 hash of the validator set that finalizes the next block
/// hash = SHA-256(u8(19) || "medledger/header/v1" || these 181 bytes)
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Header {
    pub height: u64,
    pub parent: BlockHash,
    pub timestamp_ms: u64,
    pub state_root: StateRoot,
    pub tx_root: Sha256Digest,
    pub tx_count: u32,
    pub validator_set: Sha256Digest,
    pub next_validator_set: Sha256Digest,
}

impl Header {
    /// The header's hash: the block's identity, and what consensus signs.
    pub fn hash(&self) -> BlockHash {
        BlockHash(tagged_hash("medledger/header/v1", &[&self.encode()]))
    }
}

impl Canonical for Header {
    fn write(&self, w: &mut Writer) {
        w.u8(1);
        w.u64(self.height);
        self.parent.write(w);
        w.u64(self.timestamp_ms);
        self.state_root.write(w);
        self.tx_root.write(w);
        w.u32(self.tx_count);
        self.validator_set.write(w);
        self.next_validator_set.write(w);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        match r.u8("header version")? {
            1 => {}
            tag => {
                return Err(CodecError::UnknownTag {
                    field: "header version",
                    tag,
                });
            }
        }
        Ok(Header {
            height: r.u64("height")?,
            parent: BlockHash::read(r)?,
            timestamp_ms: r.u64("timestamp")?,
            state_root: StateRoot::read(r)?,
            tx_root: Sha256Digest::read(r)?,
            tx_count: r.u32("tx count")?,
            validator_set: Sha256Digest::read(r)?,
            next_validator_set: Sha256Digest::read(r)?,
        })
    }
}

/// Merkle root over transaction ids (RFC 6962 shape, domain-separated):
/// leaf = H("medledger/tx-leaf/v1" || id), node = H("medledger/tx-node/v1" || left || right),
/// an odd node is carried up unchanged, the empty list has root H("medledger/tx-root-empty/v1").
pub fn tx_root(txs: &[SignedTx]) -> Sha256Digest {
    let mut level: Vec<[u8; 32]> = txs
        .iter()
        .map(|t| tagged_hash("medledger/tx-leaf/v1", &[&t.id().0]))
        .collect();
    if level.is_empty() {
        return Sha256Digest(tagged_hash("medledger/tx-root-empty/v1", &[]));
    }
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [l, r] => tagged_hash("medledger/tx-node/v1", &[l, r]),
                [single] => *single,
                _ => unreachable!("chunks(2) yields one or two items"),
            })
            .collect();
    }
    Sha256Digest(level[0])
}

/// A block: its header and its transactions.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Block {
    pub header: Header,
    pub txs: Vec<SignedTx>,
}

impl Block {
    /// The block's identity (its header's hash).
    pub fn hash(&self) -> BlockHash {
        self.header.hash()
    }

    /// Whether the header's transaction commitments match the body.
    pub fn body_matches_header(&self) -> bool {
        self.header.tx_count as usize == self.txs.len() && self.header.tx_root == tx_root(&self.txs)
    }
}

impl Canonical for Block {
    fn write(&self, w: &mut Writer) {
        self.header.write(w);
        w.list(&self.txs, |w, tx| w.bytes(&tx.encode()));
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let header = Header::read(r)?;
        let txs = r.list("transactions", MAX_BLOCK_TXS, |r| {
            let bytes = r.bytes("transaction", MAX_TX_LEN)?;
            SignedTx::decode(&bytes, MAX_TX_LEN)
        })?;
        Ok(Block { header, txs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{ChainId, GrantId, PublicKey};
    use crate::tx::tests::arb_signed;
    use crate::tx::{Tx, TxBody};
    use proptest::prelude::*;

    fn sample_tx(i: u8) -> SignedTx {
        SignedTx {
            tx: Tx {
                chain: ChainId([0; 32]),
                author: PublicKey([i; 32]),
                nonce: 0,
                body: TxBody::Revoke {
                    grant: GrantId([i; 32]),
                },
            },
            signature: [i; 64],
        }
    }

    const PINNED_HEADER_HASH: &str =
        "29e7abd6fb0dbb7aeee7677c5c0fa00304d0d61dc0220f376fcef63a6c3d9fc7";

    fn header() -> Header {
        Header {
            height: 7,
            parent: BlockHash([1; 32]),
            timestamp_ms: 1_700_000_000_000,
            state_root: StateRoot([2; 32]),
            tx_root: Sha256Digest([3; 32]),
            tx_count: 0,
            validator_set: Sha256Digest([4; 32]),
            next_validator_set: Sha256Digest([4; 32]),
        }
    }

    #[test]
    fn header_layout_is_pinned() {
        let bytes = header().encode();
        assert_eq!(bytes.len(), HEADER_LEN);
        assert_eq!(Header::decode(&bytes, HEADER_LEN), Ok(header()));
        assert_eq!(&bytes[1..9], &7u64.to_be_bytes());
        // Pinned: any change to the layout or the hash tag changes this value.
        assert_eq!(header().hash().to_hex(), PINNED_HEADER_HASH);
    }

    #[test]
    fn tx_root_commits_to_order_and_content() {
        let empty = tx_root(&[]);
        assert_ne!(empty, Sha256Digest([0; 32]));
        let txs: Vec<SignedTx> = (0..3u8).map(sample_tx).collect();
        let root = tx_root(&txs);
        let mut reordered = txs.clone();
        reordered.swap(0, 1);
        assert_ne!(root, tx_root(&reordered));
        assert_ne!(root, tx_root(&txs[..2]));
        assert_ne!(tx_root(&txs[..1]), empty);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn blocks_round_trip_and_check_their_body(txs in proptest::collection::vec(arb_signed(), 0..5)) {
            let mut h = header();
            h.tx_count = txs.len() as u32;
            h.tx_root = tx_root(&txs);
            let block = Block { header: h, txs };
            prop_assert!(block.body_matches_header());
            let bytes = block.encode();
            let back = Block::decode(&bytes, MAX_BLOCK_LEN).expect("decode");
            prop_assert_eq!(&back, &block);
            let mut tampered = back;
            tampered.txs.push(sample_tx(200));
            prop_assert!(!tampered.body_matches_header());
        }
    }
}
