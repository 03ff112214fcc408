//! The SMART Health Link rules. A patient creates, updates (long-term links only) and revokes
//! their own links; a node records each manifest request it answered. The wrong-passcode budget
//! is spent in ledger order, so however many nodes an attacker asks at once, only the first
//! `attempts` wrong guesses in the chain's order count before the link is disabled for good, and
//! a right guess ordered after them is refused too (nodes answer only once it is final).

use medledger_types::blob_request::MAX_SKEW_MS;
use medledger_types::codec::Canonical;
use medledger_types::hash::{Address, LinkId};
use medledger_types::link::{
    LinkAccessEntry, LinkEntry, LinkFile, LinkOutcome, LinkStatus, MAX_ATTEMPTS,
    MAX_LINK_LIFETIME_MS, PasscodeVerifier,
};
use medledger_types::state::StateKey;

use super::{BlockContext, MAX_RECORD_LEN, StateRead, TxScope, require_patient};
use crate::error::TxError;

/// The link's own shape: a sane expiry, an attempt budget exactly when there is a passcode,
/// at least one file of sane length.
fn check_files(files: &[LinkFile]) -> Result<(), TxError> {
    if files.is_empty() {
        return Err(TxError::OutOfRange("a link needs at least one file"));
    }
    if files.iter().any(|f| f.len == 0 || f.len > MAX_RECORD_LEN) {
        return Err(TxError::OutOfRange("link file length"));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(super) fn apply_create<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    author: Address,
    link: &LinkId,
    expires_at_ms: u64,
    passcode: Option<PasscodeVerifier>,
    attempts: u32,
    long_term: bool,
    files: &[LinkFile],
    sealed: &[u8],
) -> Result<(), TxError> {
    require_patient(s, &author)?;
    if expires_at_ms <= ctx.timestamp_ms {
        return Err(TxError::ExpiryInPast);
    }
    if expires_at_ms - ctx.timestamp_ms > MAX_LINK_LIFETIME_MS {
        return Err(TxError::OutOfRange("link lifetime"));
    }
    match (passcode.is_some(), attempts) {
        (true, 1..=MAX_ATTEMPTS) | (false, 0) => {}
        _ => {
            return Err(TxError::OutOfRange(
                "attempts (1 to 100 with a passcode, 0 without)",
            ));
        }
    }
    check_files(files)?;
    if s.get(&StateKey::link(link))?.is_some() {
        return Err(TxError::DuplicateLink);
    }
    let entry = LinkEntry {
        patient: author,
        expires_at_ms,
        passcode,
        attempts_left: attempts,
        long_term,
        files: files.to_vec(),
        sealed: sealed.to_vec(),
        created_height: ctx.height,
        created_at_ms: ctx.timestamp_ms,
        revoked_at_ms: None,
    };
    s.put(StateKey::link(link), entry.encode());
    s.append(
        StateKey::link_by_patient_count(&author),
        |i| StateKey::link_by_patient(&author, i),
        link.0.to_vec(),
    )
}

fn own_link<R: StateRead>(
    s: &TxScope<'_, '_, R>,
    author: &Address,
    link: &LinkId,
) -> Result<LinkEntry, TxError> {
    let entry: LinkEntry = s
        .get_value(&StateKey::link(link))?
        .ok_or(TxError::UnknownLink)?;
    if entry.patient != *author {
        return Err(TxError::NotYourLink);
    }
    Ok(entry)
}

fn require_active(entry: &LinkEntry, now_ms: u64) -> Result<(), TxError> {
    match LinkStatus::of(entry, now_ms) {
        LinkStatus::Active => Ok(()),
        status => Err(TxError::LinkNotActive(status.code())),
    }
}

pub(super) fn apply_update<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    author: Address,
    link: &LinkId,
    files: &[LinkFile],
) -> Result<(), TxError> {
    let mut entry = own_link(s, &author, link)?;
    require_active(&entry, ctx.timestamp_ms)?;
    if !entry.long_term {
        return Err(TxError::NotLongTerm);
    }
    check_files(files)?;
    entry.files = files.to_vec();
    s.put(StateKey::link(link), entry.encode());
    Ok(())
}

pub(super) fn apply_revoke<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    author: Address,
    link: &LinkId,
) -> Result<(), TxError> {
    let mut entry = own_link(s, &author, link)?;
    if entry.revoked_at_ms.is_some() {
        return Err(TxError::LinkNotActive(LinkStatus::Revoked.code()));
    }
    entry.revoked_at_ms = Some(ctx.timestamp_ms);
    s.put(StateKey::link(link), entry.encode());
    Ok(())
}

pub(super) fn apply_access<R: StateRead>(
    s: &mut TxScope<'_, '_, R>,
    ctx: &BlockContext<'_>,
    node: Address,
    link: &LinkId,
    outcome: LinkOutcome,
    recipient_sealed: &[u8],
    at_ms: u64,
) -> Result<(), TxError> {
    if at_ms.abs_diff(ctx.timestamp_ms) > MAX_SKEW_MS {
        return Err(TxError::ReceiptTime {
            served_at_ms: at_ms,
            block_ms: ctx.timestamp_ms,
        });
    }
    let mut entry: LinkEntry = s
        .get_value(&StateKey::link(link))?
        .ok_or(TxError::UnknownLink)?;
    require_active(&entry, ctx.timestamp_ms)?;
    if outcome == LinkOutcome::WrongPasscode {
        if entry.passcode.is_none() {
            return Err(TxError::OutOfRange("this link has no passcode"));
        }
        entry.attempts_left -= 1; // ≥ 1: an exhausted link is not active
        s.put(StateKey::link(link), entry.encode());
    }
    s.append(
        StateKey::link_access_count(link),
        |i| StateKey::link_access(link, i),
        LinkAccessEntry {
            outcome,
            recipient_sealed: recipient_sealed.to_vec(),
            node,
            at_ms,
            height: ctx.height,
        }
        .encode(),
    )
}
