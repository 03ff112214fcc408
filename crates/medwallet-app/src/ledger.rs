//! The app's view of the ledger: a verified source over the configured nodes, what it caught
//! nodes doing (the red banner), the account's role, registration, and each node's state.

use medledger_types::hash::Address;
use medledger_types::state::AccountKind;
use medwallet_core::{Incident, LedgerSource, WalletError, accounts};
use medwallet_net::verified::latest_verified;
use medwallet_net::{MAX_HEADER_AGE_MS, NetworkSource, NodeClient};
use medwallet_verify::{LightClient, TrustAnchor, VerifiedHeader};

use crate::error::AppError;
use crate::session::{App, lock};
use crate::settings;
use crate::views::{NodeState, Role, Settings, SyncStatus};

impl App {
    /// A source over the configured nodes, anchored at the wallet's genesis.
    pub(crate) fn source(&self) -> Result<NetworkSource, AppError> {
        let genesis = self.dir.genesis()?;
        let nodes = lock(&self.settings).nodes.clone();
        Ok(NetworkSource::anchored(&nodes, &genesis)?)
    }

    /// Keeps what `source` caught nodes doing, for the red banner.
    pub(crate) fn note_incidents(&self, source: &impl LedgerSource) {
        self.remember_incidents(source.incidents());
    }

    pub(crate) fn remember_incidents(&self, found: Vec<Incident>) {
        let mut sync = lock(&self.sync);
        for incident in found.iter().map(ToString::to_string) {
            if !sync.incidents.contains(&incident) {
                sync.incidents.push(incident);
            }
        }
    }

    /// Runs one ledger operation with a fresh source and keeps the incidents it saw, whether
    /// it succeeded or not.
    pub(crate) async fn with_ledger<T, E: Into<AppError>>(
        &self,
        operation: impl AsyncFnOnce(&NetworkSource) -> Result<T, E>,
    ) -> Result<T, AppError> {
        let source = self.source()?;
        let result = operation(&source).await;
        self.note_incidents(&source);
        result.map_err(Into::into)
    }

    /// A verified account's role and, for clinics and doctors, its name.
    pub(crate) async fn account_role(
        &self,
        source: &NetworkSource,
        at: &VerifiedHeader,
        address: &Address,
    ) -> Result<(Role, Option<String>), AppError> {
        let account = accounts::account(source, at, address).await?;
        Ok(match account.map(|a| a.kind) {
            None => (Role::Unregistered, None),
            Some(AccountKind::Patient) => (Role::Patient, None),
            Some(AccountKind::Clinic { name }) => (Role::Clinic, Some(name)),
            Some(AccountKind::Doctor { display_name, .. }) => (Role::Doctor, Some(display_name)),
        })
    }

    /// The status, with the account's role learned from the ledger when it is not known yet
    /// (offline, the role stays `unknown`).
    pub async fn status_verified(&self) -> crate::views::WalletStatus {
        let status = self.status();
        if status.unlocked
            && status.role == Role::Unknown
            && let Ok(wallet) = self.wallet()
            && let Ok(source) = self.source()
            && let Ok(at) = wallet.latest(&source).await
            && let Ok((role, _)) = self.account_role(&source, &at, &wallet.address()).await
        {
            self.note_incidents(&source);
            let _ = self.with_session(|s| s.role = role);
            return self.status();
        }
        status
    }

    /// [`App::status_verified`], but gives up on the ledger when `deadline` completes first
    /// (nodes unreachable or slow): unlocking never waits on the network. The role then stays
    /// `unknown` until the next status request verifies it.
    pub async fn status_verified_within(
        &self,
        deadline: impl std::future::Future<Output = ()>,
    ) -> crate::views::WalletStatus {
        let verify = std::pin::pin!(self.status_verified());
        let deadline = std::pin::pin!(deadline);
        match futures::future::select(verify, deadline).await {
            futures::future::Either::Left((status, _)) => status,
            futures::future::Either::Right(((), _)) => self.status(),
        }
    }

    /// Registers this wallet as a patient (clinics can then issue records to it).
    pub async fn register_patient(&self) -> Result<u64, AppError> {
        let wallet = self.wallet()?;
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_rng(&mut rand::rng());
        let height = self
            .with_ledger(async |source| wallet.register_patient(source, &mut rng).await)
            .await?;
        self.with_session(|s| s.role = Role::Patient)?;
        Ok(height)
    }

    /// The current settings.
    pub fn settings(&self) -> Settings {
        let mut settings = lock(&self.settings).clone();
        settings.chain_id = self.dir.genesis().ok().map(|g| g.chain_id().to_hex());
        settings
    }

    /// Saves new node URLs and auto-lock time (checked first; nothing changes on error).
    pub fn save_settings(
        &self,
        nodes: Vec<String>,
        auto_lock_minutes: u32,
    ) -> Result<Settings, AppError> {
        let mut next = lock(&self.settings).clone();
        next.nodes = nodes
            .into_iter()
            .map(|n| n.trim().trim_end_matches('/').to_owned())
            .filter(|n| !n.is_empty())
            .collect();
        next.auto_lock_minutes = auto_lock_minutes;
        settings::save(&self.root, &next)?;
        *lock(&self.settings) = next;
        Ok(self.settings())
    }

    /// Each node's newest verified height (or what is wrong with it), and the sync state.
    pub async fn sync_status(&self) -> SyncStatus {
        let mut nodes = Vec::new();
        let light = self
            .dir
            .genesis()
            .ok()
            .and_then(|g| TrustAnchor::from_genesis(&g).ok())
            .map(LightClient::new);
        let urls = lock(&self.settings).nodes.clone();
        for url in urls {
            let node = NodeClient::new(url.clone());
            let (height, problem) = match &light {
                None => (
                    None,
                    Some("no trust anchor (genesis file) configured".to_owned()),
                ),
                Some(light) => {
                    let mut light = light.clone();
                    match latest_verified(&node, &mut light, self.now(), MAX_HEADER_AGE_MS).await {
                        Ok(h) => (Some(h.height()), None),
                        Err(fault) => (None, Some(fault.to_string())),
                    }
                }
            };
            nodes.push(NodeState {
                url,
                height,
                problem,
            });
        }
        let equivocation = self
            .wallet()
            .ok()
            .and_then(|w| w.equivocation())
            .map(|a| WalletError::Equivocation(a).to_string());
        let sync = lock(&self.sync);
        SyncStatus {
            nodes,
            verified_height: sync.verified_height,
            last_sync_ms: sync.last_sync_ms,
            syncing: sync.syncing,
            incidents: sync.incidents.clone(),
            equivocation,
        }
    }

    /// The user read the equivocation warning and goes on using the ledger. Returns whether
    /// there was one to acknowledge.
    pub fn acknowledge_equivocation(&self) -> Result<bool, AppError> {
        Ok(self.wallet()?.acknowledge_equivocation()?)
    }
}
