//! Keys for real people, on the desktop: erase a record, see which nodes deleted it, and move
//! every account to new keys. Each is the wallet core's workflow; the phrase a rotation moves
//! to is kept (and resumed) by the wallet directory, as for the CLI.

use medledger_types::hash::RecordId;
use medwallet_core::erasure::ERASURE_NOTICE;
use medwallet_crypto::AccountKeys;

use crate::error::AppError;
use crate::lifecycle_views::{DeletionItem, ErasedResult, ErasureItem, RotatedWallet};
use crate::session::App;

impl App {
    /// Erases one record for good; done once the ledger proves it.
    pub async fn erase_record(&self, id: &str) -> Result<ErasedResult, AppError> {
        let wallet = self.wallet()?;
        let record = RecordId::from_hex(id)
            .map_err(|_| AppError::invalid(format!("{id:?} is not a record id")))?;
        // Seeded from the thread's generator: the future must be Send (it runs on Tauri's pool).
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_rng(&mut rand::rng());
        let erased = self
            .with_ledger(async |source| wallet.erase_records(source, &[record], &mut rng).await)
            .await?;
        Ok(ErasedResult {
            records: erased.records,
            links_revoked: erased.links_revoked,
            height: erased.height,
            notice: ERASURE_NOTICE.into(),
        })
    }

    /// Erased records, newest first, with the nodes that proved they deleted them.
    pub async fn erasures(&self) -> Result<Vec<ErasureItem>, AppError> {
        let wallet = self.wallet()?;
        let nodes = self
            .dir
            .genesis()
            .map(|g| g.validators.keys().len())
            .unwrap_or(0);
        let (_, erasures) = self
            .with_ledger(async |source| wallet.erasures(source).await)
            .await?;
        Ok(erasures
            .into_iter()
            .rev()
            .map(|e| ErasureItem {
                record_id: e.record.to_hex(),
                account: e.account,
                erased_at_ms: e.erased.erased_at_ms,
                erased_height: e.erased.erased_height,
                deleted_by: e
                    .receipts
                    .iter()
                    .map(|r| DeletionItem {
                        node: self.node_label(&r.node),
                        at_ms: r.at_ms,
                        height: r.height,
                    })
                    .collect(),
                nodes,
            })
            .collect())
    }

    /// Moves every account to the keys of a new recovery phrase (the password confirms it is
    /// the user, and keeps the new phrase until it is done). The session goes on under the new
    /// keys; the new words are shown once and confirmed like a new wallet's.
    pub async fn rotate_keys(&self, password: &str) -> Result<RotatedWallet, AppError> {
        let wallet = self.wallet()?;
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_rng(&mut rand::rng());
        let prepared = self.dir.prepare_rotation(password, self.kdf, &mut rng)?;
        let rotation = if prepared.finished {
            medwallet_core::Rotation::default()
        } else {
            let emergency_keys = self.dir.genesis()?.emergency_keys;
            self.with_ledger(async |source| {
                wallet
                    .rotate_keys(source, &prepared.phrase, &emergency_keys, &mut rng)
                    .await
            })
            .await?
        };
        self.dir.finish_rotation()?;
        drop(wallet);
        self.start_session(AccountKeys::derive(&prepared.phrase))?;
        let (words, confirm_positions) = self.await_backup(prepared.phrase);
        Ok(RotatedWallet {
            accounts: rotation.accounts,
            records_rewrapped: rotation.records_rewrapped,
            shares_moved: rotation.shares_moved,
            links_revoked: rotation.links_revoked,
            guardians_kept: rotation.guardians_kept,
            emergency_set_kept: rotation.emergency_set_kept,
            resumed: prepared.resumed,
            words,
            confirm_positions,
        })
    }
}
