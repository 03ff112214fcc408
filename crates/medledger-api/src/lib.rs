//! The JSON the `medledger` HTTP API speaks (`/v1`), shared by the node that writes it and the
//! wallet that reads it. Byte strings are lowercase hex. Nothing here is trusted by a reader:
//! headers carry canonical encodings and certificates, values carry proofs, and the wallet
//! verifies them (`medwallet-verify`).
//!
//! ```
//! let status: medledger_api::TxStatusJson = serde_json::from_str(r#"{"tx_id":"ab","status":"committed","height":7}"#).unwrap();
//! assert_eq!(status.height, Some(7));
//! ```
#![forbid(unsafe_code)]

pub mod proof_batch;

use medledger_types::block::Header;
use medledger_types::codec::Canonical;
use medledger_types::epoch::Epochs;
use medledger_types::genesis::{Genesis, GenesisClinic, ValidatorSet};
use medledger_types::hash::{PublicKey, ReceivingKey};
use serde::{Deserialize, Serialize};

/// A header: its canonical encoding (verify this) and, for convenience, its fields.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeaderJson {
    pub height: u64,
    pub hash: String,
    pub parent: String,
    pub timestamp_ms: u64,
    pub state_root: String,
    pub tx_root: String,
    pub tx_count: u32,
    pub validator_set: String,
    pub next_validator_set: String,
    /// Canonical encoding; its tagged SHA-256 is `hash`.
    pub encoded: String,
    /// The finalization certificate for this height, if it was finalized directly (Simplex
    /// bytes; ancestors finalized through a descendant have none: follow `parent` links).
    pub finalization: Option<String>,
}

impl HeaderJson {
    pub fn new(header: &Header, finalization: Option<Vec<u8>>) -> Self {
        Self {
            height: header.height,
            hash: header.hash().to_hex(),
            parent: header.parent.to_hex(),
            timestamp_ms: header.timestamp_ms,
            state_root: header.state_root.to_hex(),
            tx_root: header.tx_root.to_hex(),
            tx_count: header.tx_count,
            validator_set: header.validator_set.to_hex(),
            next_validator_set: header.next_validator_set.to_hex(),
            encoded: hex::encode(header.encode()),
            finalization: finalization.map(hex::encode),
        }
    }
}

/// The node's view of the chain.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusJson {
    pub chain_id: String,
    pub chain_name: String,
    /// Prefix of Simplex's signing namespaces (hex): finalize votes sign under `namespace || "_FINALIZE"`.
    pub consensus_namespace: String,
    pub node_key: String,
    pub height: u64,
    pub header: HeaderJson,
    /// The newest directly finalized height and its certificate (the light client's anchor).
    pub latest_finalized: Option<HeaderJson>,
    pub mempool: usize,
}

/// A whole block.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockJson {
    pub header: HeaderJson,
    /// Canonical encoding of the block (header and transactions).
    pub encoded: String,
    pub tx_ids: Vec<String>,
}

/// The validator set running at the node's committed tip.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidatorsJson {
    /// The epoch the tip is in (always 0 on a chain whose genesis sets no epochs).
    pub epoch: u64,
    /// ed25519 keys in ascending order (the order certificates' signer bitmaps index).
    pub validators: Vec<String>,
    pub validator_set_hash: String,
    /// Heights per epoch; null: one epoch forever.
    pub epoch_length: Option<u64>,
    /// Governance changes approved so far: the counter the next change's approvals sign.
    pub governance_seq: u64,
    /// The next epoch's set as changed so far (the running set if nothing changed).
    pub next_validators: Vec<String>,
}

/// How an epoch began: the set that finalizes it, and (after epoch 0) the last block of the
/// epoch before with its certificate, whose header commits to that set. A light client that
/// trusts the earlier set checks both, then trusts this one.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EpochJson {
    pub epoch: u64,
    /// ed25519 keys in ascending order.
    pub validators: Vec<String>,
    pub validator_set_hash: String,
    /// The previous epoch's last header and its finalization (null for epoch 0).
    pub boundary: Option<HeaderJson>,
}

/// A value (or its absence) with a proof against the state root at `height`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProvenJson {
    pub height: u64,
    pub state_root: String,
    /// The state key (hex of its bytes).
    pub key: String,
    /// The value, or null when the key is absent (then `proof` is an exclusion proof).
    pub value: Option<String>,
    /// borsh encoding of jmt's `SparseMerkleProof<Sha256>`.
    pub proof: String,
}

/// A patient's records, each proven.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatientRecordsJson {
    pub height: u64,
    /// The number of records (`patient-records-count/` key), proven.
    pub count: ProvenJson,
    pub records: Vec<PatientRecordJson>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatientRecordJson {
    pub index: u64,
    /// `patient-records/ ‖ patient ‖ index` → record id, proven.
    pub id: ProvenJson,
    /// `record/ ‖ id` → the record entry, proven.
    pub record: ProvenJson,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmitJson {
    /// The signed transaction's canonical encoding, hex (at most 64 KiB).
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^([0-9a-fA-F]{2})+$", min_length = 2, max_length = 131072)
    )]
    pub tx: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmittedJson {
    pub tx_id: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TxStatusJson {
    pub tx_id: String,
    /// `committed`, `pending` (in this node's mempool) or `unknown`.
    pub status: String,
    /// The height it was committed at.
    pub height: Option<u64>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchJson {
    /// Signed transactions, hex, at most 2000 (and at most 8 MiB of JSON in all).
    #[cfg_attr(feature = "openapi", schema(max_items = 2000))]
    pub txs: Vec<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchResultJson {
    /// One entry per submitted transaction, in order.
    pub results: Vec<BatchItemJson>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchItemJson {
    pub tx_id: Option<String>,
    /// `accepted`, or the rejection code (as for a single submission).
    pub status: String,
}

/// The JSON body of every error.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable machine-readable code: one of [`ErrorCode`]'s (a reader keeps it as text, so a
    /// newer node's code is still shown).
    #[cfg_attr(feature = "openapi", schema(schema_with = error_code_schema))]
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

pub use medledger_types::error_code::ErrorCode;

/// The OpenAPI schema of an error's `code`: the enum of every code, each explained.
#[cfg(feature = "openapi")]
fn error_code_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let meanings: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|c| format!("- `{}`: {}", c.as_str(), c.meaning().trim()))
        .collect();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(ErrorCode::ALL.iter().map(|c| c.as_str())))
        .description(Some(format!(
            "Stable machine-readable code; branch on it (the message is for people).\n\n{}",
            meanings.join("\n")
        )))
        .build()
}

/// A genesis file that does not describe a valid genesis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenesisError(pub String);

impl std::fmt::Display for GenesisError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid genesis: {}", self.0)
    }
}

impl std::error::Error for GenesisError {}

fn hex32(s: &str, what: &str) -> Result<[u8; 32], GenesisError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s.trim(), &mut out)
        .map_err(|_| GenesisError(format!("{what} is not hex (64 digits)")))?;
    Ok(out)
}

/// `genesis.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct GenesisFile {
    pub chain_name: String,
    pub timestamp_ms: u64,
    /// Validators' ed25519 public keys (hex).
    pub validators: Vec<String>,
    pub clinics: Vec<GenesisClinicFile>,
    /// The shortest guardian-recovery delay a patient may set, in milliseconds (24 hours
    /// unless the file says otherwise; test networks shorten it).
    #[serde(default = "default_recovery_min_delay_ms")]
    pub recovery_min_delay_ms: u64,
    /// Each validator's X25519 emergency-access key (hex), in the order of `validators`; none:
    /// the chain offers no emergency access.
    #[serde(default)]
    pub emergency_keys: Vec<String>,
    /// Heights per epoch: how long a validator set runs before governance changes to it take
    /// effect. Absent: one epoch forever (the set never changes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch_length: Option<u64>,
}

/// A day: long enough for a patient to see a recovery they did not start and cancel it.
pub const DEFAULT_RECOVERY_MIN_DELAY_MS: u64 = 24 * 3600 * 1000;

fn default_recovery_min_delay_ms() -> u64 {
    DEFAULT_RECOVERY_MIN_DELAY_MS
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct GenesisClinicFile {
    pub name: String,
    /// ed25519 public key (hex).
    pub signing_key: String,
    /// x25519 public key (hex).
    pub receiving_key: String,
}

impl GenesisFile {
    /// The genesis a `genesis.json` file's bytes describe (parsed and validated).
    pub fn parse(bytes: &[u8]) -> Result<Genesis, GenesisError> {
        let file: GenesisFile = serde_json::from_slice(bytes)
            .map_err(|e| GenesisError(format!("not a genesis file: {e}")))?;
        file.to_genesis()
    }

    /// The genesis this file describes (validated).
    pub fn to_genesis(&self) -> Result<Genesis, GenesisError> {
        let validators = self
            .validators
            .iter()
            .map(|v| hex32(v, "validator key").map(PublicKey))
            .collect::<Result<Vec<_>, GenesisError>>()?;
        let clinics = self
            .clinics
            .iter()
            .map(|c| {
                Ok(GenesisClinic {
                    signing: PublicKey(hex32(&c.signing_key, "clinic signing key")?),
                    receiving: ReceivingKey(hex32(&c.receiving_key, "clinic receiving key")?),
                    name: c.name.clone(),
                })
            })
            .collect::<Result<Vec<_>, GenesisError>>()?;
        let emergency = self
            .emergency_keys
            .iter()
            .map(|k| hex32(k, "emergency key").map(ReceivingKey))
            .collect::<Result<Vec<_>, GenesisError>>()?;
        if !emergency.is_empty() && emergency.len() != validators.len() {
            return Err(GenesisError(
                "emergency_keys must list one key per validator, in the same order".into(),
            ));
        }
        let set = ValidatorSet::new(validators.clone())
            .map_err(|e| GenesisError(format!("validators: {e}")))?;
        // The genesis lists them in the set's (sorted) order.
        let emergency_keys = if emergency.is_empty() {
            Vec::new()
        } else {
            set.keys()
                .iter()
                .filter_map(|k| validators.iter().position(|v| v == k).map(|i| emergency[i]))
                .collect()
        };
        Ok(Genesis {
            chain_name: self.chain_name.clone(),
            timestamp_ms: self.timestamp_ms,
            validators: set,
            clinics,
            recovery_min_delay_ms: self.recovery_min_delay_ms,
            emergency_keys,
            epochs: match self.epoch_length {
                None | Some(u64::MAX) => Epochs::NONE,
                Some(length) => {
                    Epochs::new(length).map_err(|e| GenesisError(format!("epoch_length: {e}")))?
                }
            },
        })
    }
}
