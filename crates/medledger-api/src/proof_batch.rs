//! Many state values proven in one answer (`POST /v1/state/proofs`): what a wallet syncing a
//! lifetime of records asks instead of one request per key.
//!
//! The request is JSON (the keys in hex, like every other request); the answer is binary,
//! [`ProvenBatch`] in the ledger's bounded canonical codec, because it is mostly proofs and hex
//! would double it. Each entry is the key's value (or its absence) with jmt's own proof, so a
//! reader verifies every entry exactly as it verifies a single value, against the state root
//! of the header it already verified (never the root written here, which is for reference).

use medledger_types::codec::{Canonical, CodecError, Reader, Writer};
use medledger_types::state::{MAX_PROOF_LEN, MAX_VALUE_LEN};
use serde::{Deserialize, Serialize};

/// Most keys one request may name.
pub const MAX_BATCH_KEYS: usize = 256;
/// Longest state key a request may name (the single-value endpoint's bound).
pub const MAX_KEY_LEN: usize = 256;
/// Longest answer a reader accepts: a full batch of the largest values and proofs.
pub const MAX_BATCH_LEN: usize =
    8 + 32 + 4 + MAX_BATCH_KEYS * (1 + 4 + MAX_VALUE_LEN + 4 + MAX_PROOF_LEN);

/// The keys to prove, at one height.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProofBatchRequest {
    /// The height whose state the values are read from (the node must keep it).
    #[cfg_attr(feature = "openapi", schema(minimum = 0, format = "int64"))]
    #[serde(deserialize_with = "whole_number")]
    pub height: u64,
    /// State keys, hex of their bytes (1 to 256 bytes each), at most 256 keys; the answer's
    /// entries are in this order.
    #[cfg_attr(
        feature = "openapi",
        schema(max_items = 256, min_items = 1, pattern = "^([0-9a-fA-F]{2}){1,256}$")
    )]
    pub keys: Vec<String>,
}

/// A JSON integer as JSON Schema counts them: `7` and `7.0` alike (a number with no fraction),
/// never a negative or fractional one.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    if let Some(n) = n.as_u64() {
        return Ok(n);
    }
    match n.as_f64() {
        Some(f) if f >= 0.0 && f.fract() == 0.0 && f < u64::MAX as f64 => Ok(f as u64),
        _ => Err(serde::de::Error::custom(format!(
            "{n} is not a whole number"
        ))),
    }
}

/// One key's value (absent: `None`) and its inclusion or exclusion proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenEntry {
    pub value: Option<Vec<u8>>,
    /// borsh encoding of jmt's `SparseMerkleProof<Sha256>`.
    pub proof: Vec<u8>,
}

/// The answer: entries in the order the keys were asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenBatch {
    pub height: u64,
    /// The state root the node proved against (a reader checks against its verified header's).
    pub state_root: [u8; 32],
    pub entries: Vec<ProvenEntry>,
}

impl Canonical for ProvenBatch {
    fn write(&self, w: &mut Writer) {
        w.u64(self.height);
        w.fixed(&self.state_root);
        w.list(&self.entries, |w, e| {
            w.option(e.value.as_ref(), |w, v| w.bytes(v));
            w.bytes(&e.proof);
        });
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Self {
            height: r.u64("height")?,
            state_root: r.array("state_root")?,
            entries: r.list("entries", MAX_BATCH_KEYS, |r| {
                Ok(ProvenEntry {
                    value: r.option("value", |r| r.bytes("value", MAX_VALUE_LEN))?,
                    proof: r.bytes("proof", MAX_PROOF_LEN)?,
                })
            })?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch() -> ProvenBatch {
        ProvenBatch {
            height: 7,
            state_root: [3; 32],
            entries: vec![
                ProvenEntry {
                    value: Some(b"v".to_vec()),
                    proof: vec![1, 2],
                },
                ProvenEntry {
                    value: None,
                    proof: vec![9],
                },
            ],
        }
    }

    #[test]
    fn a_height_is_any_whole_json_number() {
        let parse = |json: &str| serde_json::from_str::<ProofBatchRequest>(json).map(|r| r.height);
        assert_eq!(parse(r#"{"height":7,"keys":[]}"#).ok(), Some(7));
        assert_eq!(
            parse(r#"{"height":4398046511104.0,"keys":[]}"#).ok(),
            Some(4398046511104)
        );
        for bad in ["7.5", "-1", "\"7\""] {
            assert!(
                parse(&format!(r#"{{"height":{bad},"keys":[]}}"#)).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_encoding_is_pinned() {
        let bytes = batch().encode();
        assert_eq!(
            hex::encode(&bytes),
            concat!(
                "0000000000000007",
                "0303030303030303030303030303030303030303030303030303030303030303",
                "00000002",
                "01",
                "00000001",
                "76",
                "00000002",
                "0102",
                "00",
                "00000001",
                "09",
            )
        );
        assert_eq!(ProvenBatch::decode(&bytes, MAX_BATCH_LEN), Ok(batch()));
    }

    #[test]
    fn more_entries_than_a_request_may_ask_are_refused_before_allocating() {
        let mut w = Writer::new();
        w.u64(1);
        w.fixed(&[0; 32]);
        w.u32(MAX_BATCH_KEYS as u32 + 1);
        let err = ProvenBatch::decode(&w.finish(), MAX_BATCH_LEN).expect_err("too many");
        assert!(
            matches!(
                err,
                CodecError::TooLong {
                    field: "entries",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn an_oversized_proof_is_refused() {
        let mut w = Writer::new();
        w.u64(1);
        w.fixed(&[0; 32]);
        w.u32(1);
        w.u8(0);
        w.u32(MAX_PROOF_LEN as u32 + 1);
        let err = ProvenBatch::decode(&w.finish(), MAX_BATCH_LEN).expect_err("too long");
        assert!(
            matches!(err, CodecError::TooLong { field: "proof", .. }),
            "{err}"
        );
    }
}
