//! Headers, blocks, certificates and the validator set.

use axum::Json;
use axum::extract::{Path, Query, State};
use medledger_api::{BlockJson, EpochJson, ErrorBody, HeaderJson, StatusJson, ValidatorsJson};
use medledger_types::block::{Block, Header};
use medledger_types::certificate::consensus_namespace;
use medledger_types::codec::Canonical;
use medledger_types::error_code::ErrorCode;
use medledger_types::state::{MAX_VALUE_LEN, StateKey, decode_u64};
use medledger_types::validators::Validators;
use serde::Deserialize;
use utoipa::IntoParams;

use super::ApiState;
use super::error::ApiError;

/// Most headers one range request returns.
pub const MAX_RANGE: u64 = 1000;

fn header_at(state: &ApiState, height: u64) -> Result<Header, ApiError> {
    state
        .ledger
        .block(height)?
        .map(|b: Block| b.header)
        .ok_or_else(|| ApiError::not_found(format!("no block at height {height}")))
}

/// Chain status: height, latest header, latest certificate.
#[utoipa::path(get, path = "/v1/status", operation_id = "get_status", tag = "chain", responses((status = 200, body = StatusJson), (status = 500, body = ErrorBody, description = "the node could not read its store (internal)")))]
pub async fn status(State(state): State<ApiState>) -> Result<Json<StatusJson>, ApiError> {
    state.blocking(status_now).await.map(Json)
}

fn status_now(state: &ApiState) -> Result<StatusJson, ApiError> {
    let tip = state.ledger.tip();
    let latest_finalized = match state.ledger.latest_finalization(tip.height)? {
        Some((h, cert)) => Some(HeaderJson::new(&header_at(state, h)?, Some(cert))),
        None => None,
    };
    Ok(StatusJson {
        chain_id: state.ledger.chain_id().to_hex(),
        chain_name: state.ledger.genesis().chain_name.clone(),
        consensus_namespace: hex::encode(consensus_namespace(&state.ledger.chain_id())),
        node_key: hex::encode(state.node_key),
        height: tip.height,
        header: HeaderJson::new(&tip, state.ledger.finalization(tip.height)?),
        latest_finalized,
        mempool: state.mempool.len(),
    })
}

/// One header (with its certificate, if any).
#[utoipa::path(get, path = "/v1/headers/{height}", operation_id = "get_header", tag = "chain", params(("height" = u64, Path, minimum = 0, description = "block height")), responses((status = 200, body = HeaderJson), (status = 400, body = ErrorBody, description = "the height is not a number (bad_height)"), (status = 404, body = ErrorBody, description = "no block at that height yet (not_found)")))]
pub async fn header(
    State(state): State<ApiState>,
    Path(height): Path<String>,
) -> Result<Json<HeaderJson>, ApiError> {
    let height = super::int64::parse(&height)
        .ok_or_else(|| ApiError::bad_request(ErrorCode::BadHeight, "height must be a number"))?;
    state
        .blocking(move |state| {
            let header = header_at(state, height)?;
            Ok(Json(HeaderJson::new(
                &header,
                state.ledger.finalization(height)?,
            )))
        })
        .await
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// First height (inclusive).
    #[serde(deserialize_with = "super::int64::required")]
    pub from: u64,
    /// Last height (inclusive); a range of more than 1000 headers is cut to its first 1000.
    #[serde(deserialize_with = "super::int64::required")]
    pub to: u64,
}

/// A range of headers, oldest first, for pipelined sync.
#[utoipa::path(get, path = "/v1/headers", operation_id = "list_headers", tag = "chain", params(Range), responses((status = 200, body = Vec<HeaderJson>, description = "the headers from `from` to `to` (at most 1000, and none past the tip), oldest first"), (status = 400, body = ErrorBody, description = "a missing or malformed bound, or an unknown parameter (bad_request)"), (status = 404, body = ErrorBody, description = "a header in the range is missing (not_found)")))]
pub async fn headers(
    State(state): State<ApiState>,
    Query(range): Query<Range>,
) -> Result<Json<Vec<HeaderJson>>, ApiError> {
    // At most MAX_RANGE headers, from `from` on: a longer range is cut (the client asks again
    // from where the answer ended), an empty one (to < from) is answered with none.
    let to = range.to.min(range.from.saturating_add(MAX_RANGE - 1));
    state
        .blocking(move |state| {
            let tip = state.ledger.tip().height;
            let mut out = Vec::new();
            for h in range.from..=to.min(tip) {
                out.push(HeaderJson::new(
                    &header_at(state, h)?,
                    state.ledger.finalization(h)?,
                ));
            }
            Ok(Json(out))
        })
        .await
}

/// A block with its transactions.
#[utoipa::path(get, path = "/v1/blocks/{height}", operation_id = "get_block", tag = "chain", params(("height" = u64, Path, minimum = 0, description = "block height")), responses((status = 200, body = BlockJson), (status = 400, body = ErrorBody, description = "the height is not a number (bad_height)"), (status = 404, body = ErrorBody, description = "no block at that height yet (not_found)")))]
pub async fn block(
    State(state): State<ApiState>,
    Path(height): Path<String>,
) -> Result<Json<BlockJson>, ApiError> {
    let height = super::int64::parse(&height)
        .ok_or_else(|| ApiError::bad_request(ErrorCode::BadHeight, "height must be a number"))?;
    state
        .blocking(move |state| {
            let block = state
                .ledger
                .block(height)?
                .ok_or_else(|| ApiError::not_found(format!("no block at height {height}")))?;
            Ok(Json(BlockJson {
                header: HeaderJson::new(&block.header, state.ledger.finalization(height)?),
                encoded: hex::encode(block.encode()),
                tx_ids: block.txs.iter().map(|t| t.id().to_hex()).collect(),
            }))
        })
        .await
}

/// The validator set running at the tip.
#[utoipa::path(get, path = "/v1/validators", operation_id = "get_validators", tag = "chain", responses((status = 200, body = ValidatorsJson), (status = 500, body = ErrorBody, description = "the node could not read its store (internal)")))]
pub async fn validators(State(state): State<ApiState>) -> Result<Json<ValidatorsJson>, ApiError> {
    state
        .blocking(|state| {
            let epochs = state.ledger.genesis().epochs;
            let set = state.ledger.validators()?.set();
            let seq = match state.ledger.get(&StateKey::governance_seq())? {
                Some(v) => decode_u64(&v).map_err(|e| ApiError::internal(e.to_string()))?,
                None => 0,
            };
            let next = match state.ledger.get(&StateKey::validators_next())? {
                Some(v) => Validators::decode(&v, MAX_VALUE_LEN)
                    .map_err(|e| ApiError::internal(e.to_string()))?
                    .set(),
                None => set.clone(),
            };
            Ok(Json(ValidatorsJson {
                epoch: epochs.of(state.ledger.tip().height),
                validators: set.keys().iter().map(|k| k.to_hex()).collect(),
                validator_set_hash: set.hash().to_hex(),
                epoch_length: epochs.change().then(|| epochs.length()),
                governance_seq: seq,
                next_validators: next.keys().iter().map(|k| k.to_hex()).collect(),
            }))
        })
        .await
}

/// How an epoch began: its validator set, and the previous epoch's last block (certified),
/// which commits to it.
#[utoipa::path(get, path = "/v1/epochs/{epoch}", operation_id = "get_epoch", tag = "chain", params(("epoch" = u64, Path, minimum = 0, description = "epoch number")), responses((status = 200, body = EpochJson), (status = 400, body = ErrorBody, description = "the epoch is not a number (bad_request)"), (status = 404, body = ErrorBody, description = "that epoch has not begun, or this node has no certificate for the block that began it (not_found)")))]
pub async fn epoch(
    State(state): State<ApiState>,
    Path(epoch): Path<String>,
) -> Result<Json<EpochJson>, ApiError> {
    let epoch = super::int64::parse(&epoch)
        .ok_or_else(|| ApiError::bad_request(ErrorCode::BadRequest, "epoch must be a number"))?;
    state
        .blocking(move |state| {
            let set = state
                .ledger
                .validators_of_epoch(epoch)?
                .ok_or_else(|| ApiError::not_found(format!("epoch {epoch} has not begun")))?
                .set();
            let boundary = match epoch.checked_sub(1) {
                None => None,
                Some(previous) => {
                    let epochs = state.ledger.genesis().epochs;
                    let height = epochs.last(previous).ok_or_else(|| {
                        ApiError::not_found(format!("epoch {epoch} has not begun"))
                    })?;
                    let certificate = state.ledger.finalization(height)?.ok_or_else(|| {
                        ApiError::not_found(format!(
                            "no certificate for height {height}, the block that began epoch {epoch}"
                        ))
                    })?;
                    Some(HeaderJson::new(
                        &header_at(state, height)?,
                        Some(certificate),
                    ))
                }
            };
            Ok(Json(EpochJson {
                epoch,
                validators: set.keys().iter().map(|k| k.to_hex()).collect(),
                validator_set_hash: set.hash().to_hex(),
                boundary,
            }))
        })
        .await
}
