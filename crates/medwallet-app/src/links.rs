//! SMART Health Links in the app: make one (records, categories, everything or the summary),
//! list them with their verified status and who opened each, revoke one, and open a link
//! someone shared. Each is one call of the wallet service; this module turns the results into
//! views.

use medledger_types::category::Category as LedgerCategory;
use medledger_types::hash::{Address, LinkId, RecordId};
use medledger_types::link::{LinkOutcome, LinkStatus};
use medwallet_core::links::{
    DEFAULT_ATTEMPTS, DEFAULT_LIFETIME_MS, LinkView, Selection, VIEWER_PATH, open_link,
};
use medwallet_core::{input, links};
use medwallet_net::HttpShl;
use zeroize::Zeroizing;

use crate::error::AppError;
use crate::session::{App, lock};
use crate::views::{
    LinkAccessItem, LinkAccessOutcome, LinkCreated, LinkItem, LinkRequest, LinkSelection,
    LinkState, ReceivedLink, RevokeResult,
};

/// What a revoked link's patient is told.
pub const LINK_REVOCATION_NOTICE: &str =
    "Every node refuses this link from now on. Files already opened with it cannot be taken back.";

fn selection(s: &LinkSelection) -> Result<Selection, AppError> {
    Ok(match s {
        LinkSelection::Records { ids } => Selection::Records(
            ids.iter()
                .map(|id| {
                    RecordId::from_hex(id)
                        .map_err(|_| AppError::invalid(format!("{id:?} is not a record id")))
                })
                .collect::<Result<_, _>>()?,
        ),
        LinkSelection::Categories { categories } => Selection::Categories(
            categories
                .iter()
                .filter_map(|c| LedgerCategory::from_code(c.code()))
                .collect(),
        ),
        LinkSelection::All => Selection::All,
        LinkSelection::Summary => Selection::Summary,
    })
}

impl App {
    /// The node whose URL new links name, and the viewer there.
    fn link_server(&self) -> Result<String, AppError> {
        lock(&self.settings)
            .nodes
            .first()
            .map(|n| n.trim_end_matches('/').to_owned())
            .ok_or_else(|| {
                AppError::invalid("add a node in Settings first: its URL goes into the link")
            })
    }

    /// "node 2" for the second validator of the wallet's genesis; else the address.
    pub(crate) fn node_label(&self, node: &Address) -> String {
        self.dir
            .genesis()
            .ok()
            .and_then(|g| {
                g.validators
                    .keys()
                    .iter()
                    .position(|k| Address::of(k) == *node)
            })
            .map_or_else(
                || input::display_address(node),
                |i| format!("node {}", i + 1),
            )
    }

    /// Makes a link; done once the ledger proves it.
    pub async fn create_link(&self, request: LinkRequest) -> Result<LinkCreated, AppError> {
        let wallet = self.wallet()?;
        let server = self.link_server()?;
        let now = self.now();
        let expires_at_ms =
            input::expiry(request.expires.as_deref(), now)?.unwrap_or(now + DEFAULT_LIFETIME_MS);
        let core_request = links::LinkRequest {
            selection: selection(&request.selection)?,
            label: request.label.clone().filter(|l| !l.trim().is_empty()),
            expires_at_ms,
            passcode: request
                .passcode
                .clone()
                .filter(|p| !p.is_empty())
                .map(Zeroizing::new),
            attempts: DEFAULT_ATTEMPTS,
            long_term: request.long_term,
            server: server.clone(),
        };
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_rng(&mut rand::rng());
        let created = self
            .with_ledger(async |source| wallet.create_link(source, core_request, &mut rng).await)
            .await?;
        let link = created.link.encode();
        Ok(LinkCreated {
            id: created.id.to_hex(),
            qr_svg: crate::card::qr_svg(&link)?,
            link,
            viewer_url: created.link.viewer_url(&format!("{server}{VIEWER_PATH}")),
            height: created.height,
            files: created.files,
        })
    }

    fn link_item(&self, view: LinkView) -> LinkItem {
        let server = self.link_server().ok();
        let link = view.description.as_ref().map(|d| &d.link);
        LinkItem {
            id: view.id.to_hex(),
            label: link.and_then(|l| l.label.clone()),
            link: link.map(|l| l.encode()),
            viewer_url: link.map(|l| {
                // The viewer of the node the link names (any node serves it).
                let base = l.url.split("/shl/").next().map(str::to_owned).or(server);
                l.viewer_url(&format!("{}{VIEWER_PATH}", base.unwrap_or_default()))
            }),
            shared: view.description.as_ref().map_or_else(
                || "(not readable on this device)".into(),
                |d| d.shared.describe(),
            ),
            status: match view.status {
                LinkStatus::Active => LinkState::Active,
                LinkStatus::Revoked => LinkState::Revoked,
                LinkStatus::Expired => LinkState::Expired,
                LinkStatus::Exhausted => LinkState::Exhausted,
            },
            expires_at_ms: view.entry.expires_at_ms,
            passcode: view.entry.passcode.is_some(),
            attempts_left: view.entry.attempts_left,
            long_term: view.entry.long_term,
            created_height: view.entry.created_height,
            accesses: view
                .accesses
                .iter()
                .rev()
                .map(|a| LinkAccessItem {
                    outcome: match a.outcome {
                        LinkOutcome::Opened => LinkAccessOutcome::Opened,
                        LinkOutcome::WrongPasscode => LinkAccessOutcome::WrongPasscode,
                    },
                    recipient: a.recipient.clone(),
                    node: self.node_label(&a.node),
                    at_ms: a.at_ms,
                    height: a.height,
                })
                .collect(),
        }
    }

    /// This patient's links, newest first, with every opening.
    pub async fn links(&self) -> Result<Vec<LinkItem>, AppError> {
        let wallet = self.wallet()?;
        let (_, views) = self
            .with_ledger(async |source| wallet.links(source).await)
            .await?;
        Ok(views.into_iter().rev().map(|v| self.link_item(v)).collect())
    }

    /// Revokes a link on every node.
    pub async fn revoke_link(&self, id: &str) -> Result<RevokeResult, AppError> {
        let wallet = self.wallet()?;
        let link = LinkId::from_hex(id)
            .map_err(|_| AppError::invalid(format!("{id:?} is not a link id")))?;
        let height = self
            .with_ledger(async |source| wallet.revoke_link(source, link).await)
            .await?;
        Ok(RevokeResult {
            height,
            notice: LINK_REVOCATION_NOTICE.into(),
        })
    }

    /// Opens a link someone shared, as `recipient`. Works without a wallet (a link is for
    /// anyone); the FHIR crosses to the UI because the person chose to view it.
    pub async fn open_link(
        &self,
        link: &str,
        recipient: &str,
        passcode: Option<String>,
    ) -> Result<ReceivedLink, AppError> {
        let recipient = recipient.trim();
        if recipient.is_empty() {
            return Err(AppError::invalid("say who you are: the patient sees it"));
        }
        let passcode = passcode.filter(|p| !p.is_empty()).map(Zeroizing::new);
        let received = open_link(
            &HttpShl::new(),
            link,
            recipient,
            passcode.as_ref().map(|p| p.as_str()),
        )
        .await?;
        Ok(ReceivedLink {
            label: received.label,
            files: received
                .files
                .into_iter()
                .map(|f| String::from_utf8_lossy(&f.plaintext).into_owned())
                .collect(),
        })
    }
}
