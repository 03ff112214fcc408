//! What every ledger command shares: the unlocked wallet (the wallet service over the wallet
//! directory), the verified source over `--node` URLs anchored at the wallet's genesis, and the
//! incidents a command saw, printed so no lying node goes unmentioned.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use medwallet_core::{LedgerSource, SystemClock, Wallet, WalletError};
use medwallet_net::NetworkSource;
use medwallet_store::{AnchorError, ChainSwitch, LockedWallet, WalletDir};

use crate::commands::keys::unlock;
use crate::password;

/// The wallet service as the CLI runs it.
pub type CliWallet = Wallet<LockedWallet, SystemClock>;

/// The global options a ledger command needs.
pub struct Context<'a> {
    pub wallet: &'a Path,
    pub password: &'a password::Source,
    pub nodes: &'a [String],
    /// A genesis file to adopt as the wallet's trust anchor (checked first).
    pub genesis: Option<&'a PathBuf>,
    /// The user asked to trust `genesis` even if it is another chain's.
    pub switch_chain: bool,
}

impl Context<'_> {
    /// Unlocks the wallet and takes its writer's lock for the command (refused while the
    /// desktop app has the same wallet unlocked).
    pub fn open(&self) -> anyhow::Result<CliWallet> {
        let locked = WalletDir::new(self.wallet).lock()?;
        let keys = unlock(self.wallet, self.password)?;
        Ok(Wallet::open(
            std::sync::Arc::new(keys),
            locked,
            SystemClock,
        )?)
    }

    /// The verified source: `--node` URLs anchored at the wallet's genesis (adopting
    /// `--genesis` first, if given).
    pub fn source(&self) -> anyhow::Result<NetworkSource> {
        if self.nodes.is_empty() {
            anyhow::bail!("no node: pass --node URL (repeatable) or set MEDWALLET_NODES");
        }
        Ok(NetworkSource::anchored(self.nodes, &self.genesis()?)?)
    }

    /// The wallet's trust anchor (adopting `--genesis` first, if given).
    pub fn genesis(&self) -> anyhow::Result<medledger_types::genesis::Genesis> {
        let dir = WalletDir::new(self.wallet);
        let switch = if self.switch_chain {
            ChainSwitch::Allow
        } else {
            ChainSwitch::Refuse
        };
        let genesis = match self.genesis {
            Some(path) => {
                let adopted = dir.adopt_genesis(path, switch).map_err(|e| match e {
                    AnchorError::OtherChain { .. } => {
                        anyhow::anyhow!("{e}: pass --switch-chain to do so")
                    }
                    other => other.into(),
                })?;
                if let Some(aside) = &adopted.set_aside {
                    eprintln!(
                        "note: the records verified on the previous chain were set aside in {} (they are not proven on this one)",
                        aside.display()
                    );
                }
                adopted.genesis
            }
            None => dir.genesis().map_err(|e| match e {
                AnchorError::Missing => anyhow::anyhow!(
                    "the wallet has no trust anchor yet: pass --genesis FILE (the chain's genesis.json)"
                ),
                other => other.into(),
            })?,
        };
        Ok(genesis)
    }

    /// Unlocks the wallet, makes the source, and runs `operation` to completion; whatever it
    /// caught nodes doing is printed as a warning.
    pub fn run<T>(
        &self,
        operation: impl AsyncFnOnce(&CliWallet, &NetworkSource) -> Result<T, WalletError>,
    ) -> anyhow::Result<T> {
        // The source first: adopting a new chain's genesis sets the old chain's records aside
        // before the wallet loads any.
        let source = self.source()?;
        let wallet = self.open()?;
        let runtime = tokio::runtime::Runtime::new().context("cannot start the runtime")?;
        let result = runtime.block_on(operation(&wallet, &source));
        for incident in source.incidents() {
            eprintln!("warning: {incident}");
        }
        Ok(result?)
    }
}
