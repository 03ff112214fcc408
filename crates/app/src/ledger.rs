//! The verified ledger source the app's operations use, and what it reports about nodes.

use medledger_types::hash::{Address, ChainId, ReceivingKey};
use medledger_types::state::AccountKind;
use medledger_types::tx::TxBody;
use medwallet_core::LedgerSource;
use medwallet_net::NodeClient;
use medwallet_net::source::NetworkSource;
use medwallet_net::verified::latest_verified;
use medwallet_verify::{LightClient, TrustAnchor, VerifiedHeader};

use crate::error::{AppError, ErrorCode};
use crate::session::{App, lock};
use crate::settings;
use crate::views::{NodeState, Role, Settings, SyncStatus};

/// How old the newest finalized header may be and still count as current.
pub const MAX_HEADER_AGE_MS: u64 = 60_000;

impl App {
    /// A source over the configured nodes, anchored at the wallet's genesis.
    pub(crate) fn source(&self) -> Result<(NetworkSource, ChainId), AppError> {
        let genesis = settings::genesis(&self.root)?;
        let nodes = lock(&self.settings).nodes.clone();
        if nodes.is_empty() {
            return Err(AppError::new(
                ErrorCode::Network,
                "no nodes configured: add node URLs in Settings",
            ));
        }
        let anchor = TrustAnchor::from_genesis(&genesis)
            .map_err(|e| AppError::invalid(format!("the genesis file is unusable: {e}")))?;
        Ok((
            NetworkSource::new(
                nodes.into_iter().map(NodeClient::new).collect(),
                LightClient::new(anchor),
                MAX_HEADER_AGE_MS,
            ),
            genesis.chain_id(),
        ))
    }

    /// Keeps what `source` caught nodes doing, for the red banner.
    pub(crate) fn note_incidents(&self, source: &NetworkSource) {
        let found = source
            .incidents
            .lock()
            .map(|i| i.clone())
            .unwrap_or_default();
        let mut sync = lock(&self.sync);
        for incident in found {
            if !sync.incidents.contains(&incident) {
                sync.incidents.push(incident);
            }
        }
    }

    /// The newest verified header.
    pub(crate) async fn latest(&self, source: &NetworkSource) -> Result<VerifiedHeader, AppError> {
        let at = source.latest(self.now()).await;
        self.note_incidents(source);
        Ok(at?)
    }

    /// A verified account's role and, for clinics and doctors, its name.
    pub(crate) async fn account_role(
        &self,
        source: &NetworkSource,
        at: &VerifiedHeader,
        address: &Address,
    ) -> Result<(Role, Option<String>), AppError> {
        let account = medwallet_core::grants::account(source, at, address).await?;
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
            && let Ok(keys) = self.keys()
            && let Ok((source, _)) = self.source()
            && let Ok(at) = self.latest(&source).await
            && let Ok(me) = parse_account(&keys.public().address().to_string())
            && let Ok((role, _)) = self.account_role(&source, &at, &me).await
        {
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
        let keys = self.keys()?;
        let (source, chain) = self.source()?;
        let at = self.latest(&source).await?;
        let public = keys.public();
        let body = TxBody::RegisterPatient {
            receiving: ReceivingKey(public.receiving.to_bytes()),
        };
        let tx = medwallet_core::grants::sign_next(&source, &keys, chain, &at, body).await?;
        let height = source.submit(&tx).await;
        self.note_incidents(&source);
        let height = height.map_err(|e| AppError::new(ErrorCode::Refused, e.to_string()))?;
        self.with_session(|s| s.role = Role::Patient)?;
        Ok(height)
    }

    /// The current settings.
    pub fn settings(&self) -> Settings {
        let mut settings = lock(&self.settings).clone();
        settings.chain_id = settings::genesis(&self.root)
            .ok()
            .map(|g| g.chain_id().to_hex());
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
        let light = settings::genesis(&self.root)
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
                    match latest_verified(&node, light, self.now(), MAX_HEADER_AGE_MS).await {
                        Ok(h) => (Some(h.header.height), None),
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
        let sync = lock(&self.sync);
        SyncStatus {
            nodes,
            verified_height: sync.verified_height,
            last_sync_ms: sync.last_sync_ms,
            syncing: sync.syncing,
            incidents: sync.incidents.clone(),
        }
    }
}

/// The bech32 form (`mdw1…`) of a hex address from the ledger.
pub fn display_address(hex_address: &str) -> String {
    match hex::decode(hex_address)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
    {
        Some(bytes) => medwallet_crypto::Address::from_bytes(bytes).to_string(),
        None => hex_address.to_owned(),
    }
}

/// A ledger address from what a user typed: an address (`mdw1…`) or a share code (`mdwshare1…`).
pub fn parse_account(text: &str) -> Result<Address, AppError> {
    let text = text.trim();
    if let Ok(code) = text.parse::<medwallet_crypto::ShareCode>() {
        return Ok(Address(*code.address().as_bytes()));
    }
    text.parse::<medwallet_crypto::Address>()
        .map(|a| Address(*a.as_bytes()))
        .map_err(|_| {
            AppError::invalid("that is neither a share code (mdwshare1…) nor an address (mdw1…)")
        })
}
