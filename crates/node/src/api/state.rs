//! State values with Jellyfish Merkle proofs.

use axum::Json;
use axum::extract::{Path, Query, State};
use medledger_state::store::ProvenValue;
use medledger_types::hash::Address;
use medledger_types::state::{StateKey, decode_u64};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiState;
use super::error::{ApiError, ErrorBody, parse32};

/// Longest state key accepted in a request.
const MAX_KEY_LEN: usize = 256;
/// Most records one page returns.
pub const MAX_PAGE: u64 = 200;

/// A value (or its absence) with a proof against the state root at `height`.
#[derive(Serialize, Deserialize, ToSchema, Debug, Clone)]
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

impl ProvenJson {
    fn new(key: &StateKey, p: ProvenValue) -> Self {
        Self {
            height: p.height,
            state_root: p.state_root.to_hex(),
            key: hex::encode(&key.0),
            value: p.value.map(hex::encode),
            proof: hex::encode(p.proof),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct AtHeight {
    /// Height to read at (default: the latest committed).
    pub height: Option<u64>,
}

/// Any state key's value with an inclusion or exclusion proof.
#[utoipa::path(get, path = "/v1/state/{key}", params(("key" = String, Path, description = "state key bytes, hex"), AtHeight), responses((status = 200, body = ProvenJson), (status = 400, body = ErrorBody)))]
pub async fn value(
    State(state): State<ApiState>,
    Path(key): Path<String>,
    Query(at): Query<AtHeight>,
) -> Result<Json<ProvenJson>, ApiError> {
    let bytes =
        hex::decode(&key).map_err(|_| ApiError::bad_request("bad_hex", "key must be hex"))?;
    if bytes.is_empty() || bytes.len() > MAX_KEY_LEN {
        return Err(ApiError::bad_request(
            "bad_key",
            format!("key must be 1..={MAX_KEY_LEN} bytes"),
        ));
    }
    let key = StateKey(bytes);
    Ok(Json(ProvenJson::new(
        &key,
        state.ledger.prove(&key, at.height)?,
    )))
}

#[derive(Deserialize, IntoParams)]
pub struct Page {
    /// Height to read at (default: the latest committed).
    pub height: Option<u64>,
    /// First index (default 0).
    pub offset: Option<u64>,
    /// Number of records (default and maximum 200).
    pub limit: Option<u64>,
}

/// A patient's records, each proven.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PatientRecordsJson {
    pub height: u64,
    /// The number of records (`patient-records-count/` key), proven.
    pub count: ProvenJson,
    pub records: Vec<PatientRecordJson>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct PatientRecordJson {
    pub index: u64,
    /// `patient-records/ ‖ patient ‖ index` → record id, proven.
    pub id: ProvenJson,
    /// `record/ ‖ id` → the record entry, proven.
    pub record: ProvenJson,
}

/// The records issued to a patient, with proofs, one page at a time.
#[utoipa::path(get, path = "/v1/patients/{address}/records", params(("address" = String, Path, description = "account address (32 bytes hex)"), Page), responses((status = 200, body = PatientRecordsJson), (status = 400, body = ErrorBody)))]
pub async fn patient_records(
    State(state): State<ApiState>,
    Path(address): Path<String>,
    Query(page): Query<Page>,
) -> Result<Json<PatientRecordsJson>, ApiError> {
    let patient = Address(parse32(&address, "address")?);
    let height = page.height.unwrap_or_else(|| state.ledger.tip().height);
    let count_key = StateKey::patient_record_count(&patient);
    let count_proven = state.ledger.prove(&count_key, Some(height))?;
    let count = match &count_proven.value {
        Some(v) => decode_u64(v)
            .map_err(|_| ApiError::unavailable("corrupt_state", "count is malformed"))?,
        None => 0,
    };
    let offset = page.offset.unwrap_or(0);
    let limit = page.limit.unwrap_or(MAX_PAGE).min(MAX_PAGE);
    let mut records = Vec::new();
    for index in offset..count.min(offset.saturating_add(limit)) {
        let id_key = StateKey::patient_record(&patient, index);
        let id = state.ledger.prove(&id_key, Some(height))?;
        let record_id: [u8; 32] = id
            .value
            .as_deref()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| ApiError::unavailable("corrupt_state", "record index is malformed"))?;
        let record_key = StateKey::record(&medledger_types::hash::RecordId(record_id));
        let record = state.ledger.prove(&record_key, Some(height))?;
        records.push(PatientRecordJson {
            index,
            id: ProvenJson::new(&id_key, id),
            record: ProvenJson::new(&record_key, record),
        });
    }
    Ok(Json(PatientRecordsJson {
        height,
        count: ProvenJson::new(&count_key, count_proven),
        records,
    }))
}
