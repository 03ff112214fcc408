//! State values with Jellyfish Merkle proofs.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use medledger_api::proof_batch::{
    MAX_BATCH_KEYS, MAX_KEY_LEN, ProofBatchRequest, ProvenBatch, ProvenEntry,
};
use medledger_api::{ErrorBody, PatientRecordJson, PatientRecordsJson, ProvenJson};
use medledger_state::store::ProvenValue;
use medledger_types::codec::Canonical;
use medledger_types::error_code::ErrorCode;
use medledger_types::hash::Address;
use medledger_types::snapshot::MAX_CHUNK_LEAVES;
use medledger_types::state::{StateKey, decode_u64};
use serde::Deserialize;
use utoipa::IntoParams;

use super::ApiState;
use super::error::{ApiError, parse32};

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
    let key = parse_key(&key)?;
    state
        .blocking(move |state| {
            let proven = state.ledger.prove(&key, at.height)?;
            Ok(Json(proven_json(&key, proven)))
        })
        .await
}

/// A state key from its hex, within the bounds.
fn parse_key(text: &str) -> Result<StateKey, ApiError> {
    let bytes = hex::decode(text)
        .map_err(|_| ApiError::bad_request(ErrorCode::BadHex, "key must be hex"))?;
    if bytes.is_empty() || bytes.len() > MAX_KEY_LEN {
        return Err(ApiError::bad_request(
            ErrorCode::BadKey,
            format!("key must be 1..={MAX_KEY_LEN} bytes"),
        ));
    }
    Ok(StateKey(bytes))
}

/// Many state keys' values, each with its inclusion or exclusion proof, in one answer: what a
/// wallet syncing thousands of records asks instead of one request per key.
#[utoipa::path(post, path = "/v1/state/proofs", operation_id = "prove_state_values", tag = "state", request_body = ProofBatchRequest, responses((status = 200, content_type = "application/octet-stream", description = "the canonical encoding of the proven values, in the order asked: height (u64), state root (32 bytes), then a u32 count of entries, each an option tag (0x00 absent, 0x01 present with a u32-length value) and a u32-length proof (borsh of jmt's SparseMerkleProof<Sha256>); integers big-endian"), (status = 400, body = ErrorBody, description = "no keys or more than 256 (bad_request), a key not hex (bad_hex) or out of bounds (bad_key), a height over int64 (bad_height), or malformed JSON"), (status = 404, body = ErrorBody, description = "the state at that height is not kept (not_found)"), (status = 415, body = ErrorBody, description = "the body is not JSON (unsupported_media_type)"), (status = 422, body = ErrorBody, description = "JSON of the wrong shape (unprocessable)")))]
pub async fn proofs(
    State(state): State<ApiState>,
    Json(request): Json<ProofBatchRequest>,
) -> Result<Response, ApiError> {
    if request.keys.is_empty() || request.keys.len() > MAX_BATCH_KEYS {
        return Err(ApiError::bad_request(
            ErrorCode::BadRequest,
            format!("name 1 to {MAX_BATCH_KEYS} keys"),
        ));
    }
    if request.height > i64::MAX as u64 {
        return Err(ApiError::bad_request(
            ErrorCode::BadHeight,
            "the height is over the largest int64",
        ));
    }
    let keys = request
        .keys
        .iter()
        .map(|k| parse_key(k))
        .collect::<Result<Vec<_>, _>>()?;
    let bytes = state
        .blocking(move |state| {
            let proven = state.ledger.prove_many(&keys, Some(request.height))?;
            Ok(ProvenBatch {
                height: proven.height,
                state_root: proven.state_root.0,
                entries: proven
                    .entries
                    .into_iter()
                    .map(|(value, proof)| ProvenEntry { value, proof })
                    .collect(),
            }
            .encode())
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ChunkQuery {
    /// Height whose state to read (the node must keep it).
    #[serde(deserialize_with = "super::int64::required")]
    pub height: u64,
    /// The key hash (64 hex digits) the chunk starts after (default: the first leaf).
    #[param(pattern = "^[0-9a-fA-F]{64}$")]
    pub after: Option<String>,
    /// Most leaves (default and maximum 4096).
    #[serde(default, deserialize_with = "super::int64::optional")]
    pub limit: Option<u64>,
}

/// The state's leaves at a height, in key-hash order, after a key hash, with jmt's range proof
/// that they are all the leaves up to the last: what a joining node restores the state from
/// (state sync), checking each chunk against the state root of a header it verified.
#[utoipa::path(get, path = "/v1/state/chunks", operation_id = "get_state_chunk", tag = "state", params(ChunkQuery), responses((status = 200, content_type = "application/octet-stream", description = "the canonical encoding of the chunk: a u32 count of leaves, each a 32-byte key hash and a u32-length value; a u32-length proof (borsh of jmt's SparseMerkleRangeProof<Sha256>, empty with no leaves); a byte, 1 when no leaf follows; integers big-endian"), (status = 400, body = ErrorBody, description = "a malformed key hash (bad_hex), or an unknown parameter"), (status = 404, body = ErrorBody, description = "the state at that height is not kept (not_found)")))]
pub async fn chunk(
    State(state): State<ApiState>,
    Query(query): Query<ChunkQuery>,
) -> Result<Response, ApiError> {
    let after = query
        .after
        .as_deref()
        .map(|a| parse32(a, "key hash"))
        .transpose()?;
    let limit = query.limit.map_or(MAX_CHUNK_LEAVES, |l| {
        l.min(MAX_CHUNK_LEAVES as u64) as usize
    });
    let bytes = state
        .blocking(move |state| {
            Ok(state
                .ledger
                .state_chunk(query.height, after, limit)?
                .encode())
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
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
