//! Checks a submitted transaction against the committed state, so a client learns now that
//! its transaction cannot apply (an unregistered clinic, an unknown patient) instead of
//! watching it never commit. Transactions queued behind others of the same author (a future
//! nonce) are only checked statelessly.

use medledger_state::TxError;
use medledger_state::rules::{BlockContext, Execution, current_validators};
use medledger_state::store::{CommittedTree, Ledger, StateView};
use medledger_types::tx::SignedTx;

/// Applies `tx` to a scratch copy of the committed state, as the next block (proposed around
/// `now_ms`) would; nothing is written.
pub fn dry_run(ledger: &Ledger, tx: &SignedTx, now_ms: u64) -> Result<(), TxError> {
    let tip = ledger.tip();
    let next = ledger.next_nonce(&tx.tx.author_address())?;
    if tx.tx.nonce != next {
        return Ok(());
    }
    ledger.with_committed(|view: &StateView<'_, CommittedTree<'_>>| {
        let running = current_validators(view, ledger.genesis())?.set();
        let ctx = BlockContext {
            chain: ledger.chain_id(),
            height: tip.height + 1,
            timestamp_ms: now_ms.max(tip.timestamp_ms + 1),
            validators: &running,
            epochs: ledger.genesis().epochs,
            recovery_min_delay_ms: ledger.genesis().recovery_min_delay_ms,
            emergency_access: !ledger.genesis().emergency_keys.is_empty(),
        };
        Execution::new(view, ctx).apply_checked(tx)
    })?
}
