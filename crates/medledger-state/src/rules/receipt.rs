//! The AccessReceipt rule. A receipt proves a fetch only if it carries the grantee's own signed
//! request (`medledger_types::blob_request`) addressed to the node that writes the receipt, on
//! this chain, for this record under this grant; so no node, validator or not, can invent a
//! fetch, move one to another record, or claim one another node served. The request's time is
//! the receipt's `served_at_ms` and must lie within `MAX_SKEW_MS` of the block's time; each
//! request is recorded once. The grant must have been active when the request was made: not
//! expired then, and not revoked in a block whose time precedes it (so a fetch served just
//! before a revocation is still recorded when its receipt lands just after).

use medledger_types::blob_request::{Asked, Auth, MAX_SKEW_MS, Method, Target, request_message};
use medledger_types::codec::Canonical;
use medledger_types::hash::{Address, GrantId, PublicKey, RecordId};
use medledger_types::state::{GrantEntry, ReceiptEntry, RecordEntry, Revocation, StateKey};
use medwallet_crypto::{Namespace, Signature, VerifyingKey};

use super::{BlockContext, StateRead, TxScope};
use crate::error::TxError;
use medledger_types::state::encode_u64;

pub(super) fn apply_receipt<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    node: &PublicKey,
    grant: &GrantId,
    record: &RecordId,
    request: &Auth,
) -> Result<(), TxError> {
    if request.timestamp_ms.abs_diff(ctx.timestamp_ms) > MAX_SKEW_MS {
        return Err(TxError::ReceiptTime {
            served_at_ms: request.timestamp_ms,
            block_ms: ctx.timestamp_ms,
        });
    }
    let entry: RecordEntry = s
        .get_value(&StateKey::record(record))?
        .ok_or_else(|| TxError::UnknownRecord(record.to_hex()))?;
    let g: GrantEntry = s
        .get_value(&StateKey::grant(grant))?
        .ok_or(TxError::UnknownGrant)?;
    let grantee = Address::of(&request.key);
    if g.grantee != grantee || g.patient != entry.patient {
        return Err(TxError::NotYourGrant);
    }
    if s.get(&StateKey::grant_key(grant, record))?.is_none() {
        return Err(TxError::OutsideScope(record.to_hex()));
    }
    let target = Target {
        chain: ctx.chain,
        node: *node,
    };
    let asked = Asked {
        method: Method::Get,
        blob: &entry.ciphertext_sha256,
        record: Some(record),
        grant: Some(grant),
    };
    let message = request_message(&target, &asked, request.timestamp_ms, &request.nonce);
    let signed = VerifyingKey::from_bytes(&request.key.0).is_ok_and(|key| {
        medwallet_crypto::verify(
            &key,
            Namespace::BLOB_REQUEST,
            &message,
            &Signature::from_bytes(&request.signature),
        )
        .is_ok()
    });
    if !signed {
        return Err(TxError::ReceiptNotRequested);
    }
    if g.expired(request.timestamp_ms) {
        return Err(TxError::GrantExpired);
    }
    if let Some(revoked) = s.get_value::<Revocation>(&StateKey::revocation(grant))?
        && revoked.at_ms <= request.timestamp_ms
    {
        return Err(TxError::GrantRevoked);
    }
    let served = StateKey::served_request(&grantee, &request.nonce);
    if s.get(&served)?.is_some() {
        return Err(TxError::ReceiptReplayed);
    }
    s.put(served, encode_u64(ctx.height));
    let receipt = ReceiptEntry {
        grant: *grant,
        record: *record,
        grantee,
        node: Address::of(node),
        served_at_ms: request.timestamp_ms,
        height: ctx.height,
    };
    let patient = g.patient;
    s.append(
        StateKey::receipt_count(&patient),
        |i| StateKey::receipt(&patient, i),
        receipt.encode(),
    )
}
