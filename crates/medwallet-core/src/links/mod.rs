//! SMART Health Links a patient makes, lists, renews and revokes, and links anyone opens.
//!
//! Making a link: its files are built from verified records (or the summary) and encrypted
//! under a fresh 32-byte key that exists only in the link; they are uploaded to a node as the
//! patient; a CreateLink puts the link's limits on the ledger (expiry, passcode verifier,
//! attempts, files) under the hash of a fresh 32-byte URL token, with the link itself sealed to
//! the patient. The link is done once the ledger proves it. Every node then serves it the
//! same way, and every opening is in the patient's access log.
//!
//! A link is made by the account whose records it holds (the lowest of them, for a link to
//! records of several accounts, or to the summary): the ledger names no record of a link, so
//! nothing on it joins the accounts.

pub mod description;
mod files;

use medledger_client::reads;
use medledger_client::transaction::sign_next;
use medledger_client::{BlobUpload, LedgerSource};
use medledger_types::category::Category;
use medledger_types::hash::{Address, LinkId, RecordId};
use medledger_types::link::{
    LinkAccessEntry, LinkEntry, LinkOutcome, LinkStatus, MAX_ATTEMPTS, recipient_context,
};
use medledger_types::state::StateKey;
use medledger_types::tx::TxBody;
use medwallet_crypto::envelope::open_sealed;
use medwallet_shl::receive::{Received, ShlTransport, receive};
use medwallet_shl::{Flags, LinkKey, ShlPayload};
use medwallet_verify::VerifiedHeader;
use rand_core::CryptoRng;
use zeroize::Zeroizing;

pub use description::{Description, Shared};
pub(crate) use files::entries_of;

use crate::clock::Clock;
use crate::consent::{ShareScope, covered};
use crate::error::WalletError;
use crate::store::WalletStore;
use crate::wallet::Wallet;

/// Where every node serves the SMART Health Link viewer (a link then opens in any browser as
/// `{node}/viewer#shlink:/…`).
pub const VIEWER_PATH: &str = "/viewer";

/// A link's life unless the patient says otherwise.
pub const DEFAULT_LIFETIME_MS: u64 = 7 * 24 * 3600 * 1000;
/// Wrong passcodes a link allows unless the patient says otherwise.
pub const DEFAULT_ATTEMPTS: u32 = 10;

/// What a link shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    Records(Vec<RecordId>),
    /// Every record of these categories.
    Categories(Vec<Category>),
    All,
    /// The patient summary (IPS), built now.
    Summary,
}

/// A link a patient asks for.
pub struct LinkRequest {
    pub selection: Selection,
    /// At most 80 characters; shown to whoever opens the link.
    pub label: Option<String>,
    pub expires_at_ms: u64,
    pub passcode: Option<Zeroizing<String>>,
    /// Wrong passcodes allowed (1 to 100; ignored without a passcode).
    pub attempts: u32,
    /// Records issued later in the chosen categories appear on later openings.
    pub long_term: bool,
    /// The node whose URL the link names (`https://node.example`); every node serves it.
    pub server: String,
}

/// A link made, proven on the ledger.
#[derive(Debug)]
pub struct CreatedLink {
    pub id: LinkId,
    pub link: ShlPayload,
    pub height: u64,
    /// What each file holds ("Labs (12 records)").
    pub files: Vec<String>,
}

/// One opening of a link, from the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkAccess {
    pub outcome: LinkOutcome,
    /// The name the receiver gave (`None` if it does not open: a node sealed it wrongly).
    pub recipient: Option<String>,
    pub node: Address,
    pub at_ms: u64,
    pub height: u64,
}

/// A link of this patient's, as the ledger proves it.
#[derive(Clone, Debug)]
pub struct LinkView {
    pub id: LinkId,
    /// The account that made it.
    pub account: u32,
    pub entry: LinkEntry,
    pub status: LinkStatus,
    /// The sealed description (`None` if this wallet cannot open it).
    pub description: Option<Description>,
    pub accesses: Vec<LinkAccess>,
}

impl LinkRequest {
    fn check(&self, now_ms: u64) -> Result<(), WalletError> {
        let bad = |m: &str| Err(WalletError::InvalidInput(m.into()));
        if self
            .label
            .as_ref()
            .is_some_and(|l| l.chars().count() > medwallet_shl::payload::MAX_LABEL_LEN)
        {
            return bad("the label is longer than 80 characters");
        }
        if self.expires_at_ms <= now_ms {
            return bad("the expiry is in the past");
        }
        if self.passcode.as_ref().is_some_and(|p| p.trim().is_empty()) {
            return bad("the passcode is empty");
        }
        if self.passcode.is_some() && !(1..=MAX_ATTEMPTS).contains(&self.attempts) {
            return bad("attempts must be 1 to 100");
        }
        if self.long_term && matches!(self.selection, Selection::Records(_) | Selection::Summary) {
            return bad("only a category or all records can be long-term (new records then join)");
        }
        match &self.selection {
            Selection::Records(ids) if ids.is_empty() => return bad("choose at least one record"),
            Selection::Categories(list) if list.is_empty() => {
                return bad("choose at least one category");
            }
            _ => {}
        }
        Ok(())
    }
}

fn scope_of(selection: &Selection) -> Option<ShareScope> {
    match selection {
        Selection::Records(ids) => Some(ShareScope::Records(ids.clone())),
        Selection::Categories(_) | Selection::All => Some(ShareScope::All),
        Selection::Summary => None,
    }
}

fn selection_of(shared: &Shared) -> Option<Selection> {
    match shared {
        Shared::Categories { categories } => categories
            .iter()
            .map(|c| Category::from_code(c))
            .collect::<Option<Vec<_>>>()
            .map(Selection::Categories),
        Shared::All => Some(Selection::All),
        Shared::Records { .. } | Shared::Summary => None,
    }
}

impl<St: WalletStore, C: Clock> Wallet<St, C> {
    /// The plaintext files of `selection`, from verified records (opened offline where kept),
    /// and the account that makes the link (the lowest one whose records it holds).
    async fn link_files<S: LedgerSource, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        selection: &Selection,
        rng: &mut R,
    ) -> Result<(Vec<files::Plain>, u32), WalletError> {
        let first_account = self.relationships().first().map_or(0, |r| r.account);
        let Some(scope) = scope_of(selection) else {
            let summary = self.summary(source, rng).await?;
            let plain = vec![files::Plain {
                title: "Patient summary".into(),
                fhir: serde_json::to_vec(&summary.bundle)
                    .map_err(|e| WalletError::NotFhir(e.to_string()))?,
            }];
            return Ok((plain, first_account));
        };
        let records = self.records();
        if let ShareScope::Records(ids) = &scope
            && let Some(missing) = ids
                .iter()
                .map(RecordId::to_hex)
                .find(|id| !records.iter().any(|r| r.id == *id && !r.unreadable))
        {
            return Err(WalletError::UnknownRecord(missing));
        }
        let chosen: Vec<_> = covered(&scope, &records)
            .into_iter()
            // A link carries FHIR; file records (imaging studies) are not in its bundles.
            .filter(|r| r.file.is_none())
            .filter(|r| match selection {
                Selection::Categories(list) => list.iter().any(|c| c.code() == r.category),
                _ => true,
            })
            .collect();
        let account = chosen
            .iter()
            .map(|r| r.account)
            .min()
            .unwrap_or(first_account);
        let mut opened = Vec::with_capacity(chosen.len());
        for record in chosen {
            let fhir = self.open_record(source, &record.id).await?;
            opened.push((record, fhir));
        }
        Ok((files::bundles(&opened)?, account))
    }

    /// Makes a link: files built and uploaded, CreateLink proven on the ledger.
    pub async fn create_link<S: LedgerSource + BlobUpload, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        request: LinkRequest,
        rng: &mut R,
    ) -> Result<CreatedLink, WalletError> {
        request.check(self.now_ms())?;
        let (plain, account) = self.link_files(source, &request.selection, rng).await?;
        let keys = self.account_keys(account);
        if matches!(request.selection, Selection::Categories(_) | Selection::All)
            && !request.long_term
            && plain.iter().all(|p| p.title == files::EMPTY)
        {
            return Err(WalletError::InvalidInput(
                "no record is in that selection yet (make it long-term to share later ones)".into(),
            ));
        }
        let key = LinkKey::generate(rng);
        let mut token = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(token.as_mut());
        let id = LinkId::of_token(&token);
        let url = format!(
            "{}/shl/{}",
            request.server.trim_end_matches('/'),
            medwallet_shl::payload::encode_token(&token)
        );
        let link = ShlPayload {
            url,
            key: key.clone(),
            exp: Some(request.expires_at_ms / 1000),
            flags: Flags {
                long_term: request.long_term,
                passcode: request.passcode.is_some(),
                direct: false,
            },
            label: request.label.clone().filter(|l| !l.trim().is_empty()),
        };
        link.check()?;
        let sealed_files = files::seal(&key, &plain)?;
        for f in &sealed_files {
            source
                .upload(
                    &f.file.sha256,
                    f.jwe.clone().into_bytes(),
                    keys.signing_key(),
                    self.now_ms(),
                )
                .await?;
        }
        let shared = match &request.selection {
            Selection::Records(ids) => Shared::Records { count: ids.len() },
            Selection::Categories(list) => Shared::Categories {
                categories: list.iter().map(|c| c.code().to_owned()).collect(),
            },
            Selection::All => Shared::All,
            Selection::Summary => Shared::Summary,
        };
        let description = Description {
            link: link.clone(),
            shared,
        };
        let sealed = description::seal(&keys, &id, &description, rng)?;
        let passcode = request
            .passcode
            .as_ref()
            .map(|p| medwallet_crypto::passcode::verifier(p, rng));
        let body = TxBody::CreateLink {
            link: id,
            expires_at_ms: request.expires_at_ms,
            attempts: if passcode.is_some() {
                request.attempts
            } else {
                0
            },
            passcode,
            long_term: request.long_term,
            files: sealed_files.iter().map(|f| f.file).collect(),
            sealed,
        };
        let at = self.latest(source).await?;
        let tx = sign_next(source, keys.signing_key(), &at, body).await?;
        let height = source.submit(&tx).await?;
        Ok(CreatedLink {
            id,
            link,
            height,
            files: plain.into_iter().map(|p| p.title).collect(),
        })
    }

    /// This patient's links with their status and access logs, proven at the newest header.
    pub async fn links<S: LedgerSource>(
        &self,
        source: &S,
    ) -> Result<(VerifiedHeader, Vec<LinkView>), WalletError> {
        let at = self.latest(source).await?;
        let mut out = Vec::new();
        for relationship in self.relationships() {
            let account = self.own_account(relationship.account);
            out.extend(
                self.links_of(source, &at, &account.keys, account.address)
                    .await?,
            );
        }
        out.sort_by_key(|l| l.entry.created_height);
        Ok((at, out))
    }

    /// The links account `keys` made, proven at `at`.
    async fn links_of<S: LedgerSource>(
        &self,
        source: &S,
        at: &VerifiedHeader,
        keys: &medwallet_crypto::AccountKeys,
        me: Address,
    ) -> Result<Vec<LinkView>, WalletError> {
        let at = at.clone();
        let n = reads::count(source, &at, &StateKey::link_by_patient_count(&me)).await?;
        let mut out = Vec::with_capacity(n as usize);
        let identity = keys.identity();
        for i in 0..n {
            let id = LinkId(reads::id(source, &at, &StateKey::link_by_patient(&me, i)).await?);
            let entry: LinkEntry = reads::required(source, &at, &StateKey::link(&id)).await?;
            let count = reads::count(source, &at, &StateKey::link_access_count(&id)).await?;
            let mut accesses = Vec::with_capacity(count as usize);
            for j in 0..count {
                let a: LinkAccessEntry =
                    reads::required(source, &at, &StateKey::link_access(&id, j)).await?;
                let recipient =
                    open_sealed(&identity, &recipient_context(&id), &a.recipient_sealed)
                        .ok()
                        .and_then(|b| String::from_utf8(b).ok());
                accesses.push(LinkAccess {
                    outcome: a.outcome,
                    recipient,
                    node: a.node,
                    at_ms: a.at_ms,
                    height: a.height,
                });
            }
            out.push(LinkView {
                id,
                account: keys.index(),
                status: LinkStatus::of(&entry, self.now_ms()),
                description: description::open(keys, &id, &entry.sealed),
                entry,
                accesses,
            });
        }
        Ok(out)
    }

    /// Revokes a link: every node refuses it from the next block on. Returns that height.
    pub async fn revoke_link<S: LedgerSource>(
        &self,
        source: &S,
        link: LinkId,
    ) -> Result<u64, WalletError> {
        let at = self.latest(source).await?;
        let entry: LinkEntry = reads::required(source, &at, &StateKey::link(&link)).await?;
        let account = self.account_index(&entry.patient).ok_or_else(|| {
            WalletError::InvalidInput(format!(
                "link {} is not one of this wallet's",
                link.to_hex()
            ))
        })?;
        let tx = sign_next(
            source,
            self.account_keys(account).signing_key(),
            &at,
            TxBody::RevokeLink { link },
        )
        .await?;
        Ok(source.submit(&tx).await?)
    }

    /// Renews this patient's active long-term links: each one's files rebuilt from the records
    /// now verified, and replaced (UpdateLinkFiles) where they changed. Returns the links
    /// renewed. Run after a sync.
    pub async fn renew_links<S: LedgerSource + BlobUpload, R: CryptoRng + ?Sized>(
        &self,
        source: &S,
        rng: &mut R,
    ) -> Result<usize, WalletError> {
        let (_, links) = self.links(source).await?;
        let mut renewed = 0;
        for view in links {
            if view.status != LinkStatus::Active || !view.entry.long_term {
                continue;
            }
            let Some(d) = &view.description else { continue };
            let Some(selection) = selection_of(&d.shared) else {
                continue;
            };
            let (plain, _) = self.link_files(source, &selection, rng).await?;
            let keys = self.account_keys(view.account);
            let sealed = files::seal(&d.link.key, &plain)?;
            let now: Vec<_> = sealed.iter().map(|f| f.file).collect();
            if now == view.entry.files {
                continue;
            }
            for f in sealed
                .iter()
                .filter(|f| !view.entry.files.contains(&f.file))
            {
                source
                    .upload(
                        &f.file.sha256,
                        f.jwe.clone().into_bytes(),
                        keys.signing_key(),
                        self.now_ms(),
                    )
                    .await?;
            }
            let at = self.latest(source).await?;
            let body = TxBody::UpdateLinkFiles {
                link: view.id,
                files: now,
            };
            let tx = sign_next(source, keys.signing_key(), &at, body).await?;
            source.submit(&tx).await?;
            renewed += 1;
        }
        Ok(renewed)
    }
}

/// Opens a link someone shared (bare `shlink:/…` or behind a viewer URL) as `recipient`.
pub async fn open_link(
    transport: &impl ShlTransport,
    text: &str,
    recipient: &str,
    passcode: Option<&str>,
) -> Result<Received, WalletError> {
    let link = ShlPayload::decode(text)?;
    Ok(receive(transport, &link, recipient, passcode).await?)
}
