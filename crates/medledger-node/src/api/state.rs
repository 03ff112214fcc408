//! State values with Jellyfish Merkle proofs.

use axum::Json;
use axum::extract::{Path, Query, State};
use medledger_api::{ErrorBody, PatientRecordJson, PatientRecordsJson, ProvenJson};
use medledger_state::store::ProvenValue;
use medledger_types::error_code::ErrorCode;
use medledger_types::hash::Address;
use medledger_types::state::{StateKey, decode_u64};
use serde::Deserialize;
use utoipa::IntoParams;

use super::ApiState;
use super::error::{ApiError, parse32};

/// Longest state key accepted in a request.
const MAX_KEY_LEN: usize = 256;
/// Most records one page returns.
pub const MAX_PAGE: u64 = 200;

/// The API form of a proven value.
fn proven_json(key: &StateKey, p: ProvenValue) -> ProvenJson {
    ProvenJson {
        height: p.height,
        state_root: p.state_root.to_hex(),
        key: hex::encode(&key.0),
        value: p.value.map(hex::encode),
        proof: hex::encode(p.proof),
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AtHeight {
    /// Height to read at (default: the latest committed).
    #[serde(default, deserialize_with = "super::int64::optional")]
    pub height: Option<u64>,
}

/// Any state key's value with an inclusion or exclusion proof.
#[utoipa::path(get, path = "/v1/state/{key}", operation_id = "get_state_value", tag = "state", params(("key" = String, Path, pattern = "^([0-9a-fA-F]{2}){1,256}$", description = "state key bytes, hex (1 to 256 bytes)"), AtHeight), responses((status = 200, body = ProvenJson), (status = 400, body = ErrorBody, description = "the key is not hex or out of bounds (bad_hex, bad_key), or an unknown parameter"), (status = 404, body = ErrorBody, description = "the state at that height is not kept (not_found)")))]
pub async fn value(
    State(state): State<ApiState>,
    Path(key): Path<String>,
    Query(at): Query<AtHeight>,
) -> Result<Json<ProvenJson>, ApiError> {
    let bytes = hex::decode(&key)
        .map_err(|_| ApiError::bad_request(ErrorCode::BadHex, "key must be hex"))?;
    if bytes.is_empty() || bytes.len() > MAX_KEY_LEN {
        return Err(ApiError::bad_request(
            ErrorCode::BadKey,
            format!("key must be 1..={MAX_KEY_LEN} bytes"),
        ));
    }
    let key = StateKey(bytes);
    state
        .blocking(move |state| {
            let proven = state.ledger.prove(&key, at.height)?;
            Ok(Json(proven_json(&key, proven)))
        })
        .await
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Height to read at (default: the latest committed).
    #[serde(default, deserialize_with = "super::int64::optional")]
    pub height: Option<u64>,
    /// First index (default 0).
    #[serde(default, deserialize_with = "super::int64::optional")]
    pub offset: Option<u64>,
    /// Number of records (default and maximum 200).
    #[serde(default, deserialize_with = "super::int64::optional")]
    pub limit: Option<u64>,
}

/// The records issued to a patient, with proofs, one page at a time.
#[utoipa::path(get, path = "/v1/patients/{address}/records", operation_id = "list_patient_records", tag = "state", params(("address" = String, Path, pattern = "^[0-9a-fA-F]{64}$", description = "account address (32 bytes hex)"), Page), responses((status = 200, body = PatientRecordsJson), (status = 400, body = ErrorBody, description = "the address is not 64 hex digits (bad_hex), or an unknown parameter"), (status = 404, body = ErrorBody, description = "the state at that height is not kept (not_found)"), (status = 503, body = ErrorBody, description = "the store holds a value it cannot decode (corrupt_state)")))]
pub async fn patient_records(
    State(state): State<ApiState>,
    Path(address): Path<String>,
    Query(page): Query<Page>,
) -> Result<Json<PatientRecordsJson>, ApiError> {
    let patient = Address(parse32(&address, "address")?);
    state
        .blocking(move |state| records_page(state, &patient, &page))
        .await
        .map(Json)
}

/// The page of records, each with its index and record proofs, and the count's proof.
fn records_page(
    state: &ApiState,
    patient: &Address,
    page: &Page,
) -> Result<PatientRecordsJson, ApiError> {
    let patient = *patient;
    let height = page.height.unwrap_or_else(|| state.ledger.tip().height);
    let count_key = StateKey::patient_record_count(&patient);
    let count_proven = state.ledger.prove(&count_key, Some(height))?;
    let count = match &count_proven.value {
        Some(v) => decode_u64(v)
            .map_err(|_| ApiError::unavailable(ErrorCode::CorruptState, "count is malformed"))?,
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
            .ok_or_else(|| {
                ApiError::unavailable(ErrorCode::CorruptState, "record index is malformed")
            })?;
        let record_key = StateKey::record(&medledger_types::hash::RecordId(record_id));
        let record = state.ledger.prove(&record_key, Some(height))?;
        records.push(PatientRecordJson {
            index,
            id: proven_json(&id_key, id),
            record: proven_json(&record_key, record),
        });
    }
    Ok(PatientRecordsJson {
        height,
        count: proven_json(&count_key, count_proven),
        records,
    })
}
