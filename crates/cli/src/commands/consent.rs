//! Consent: grant, list and revoke access; see who fetched what; and, for doctors, what was
//! shared with them. Revocation is honest: it stops future access, and copies already
//! downloaded cannot be taken back; the commands say so.

use std::path::Path;

use anyhow::Context;
use clap::Args;
use medledger_types::hash::{Address, GrantId};
use medledger_types::tx::TxBody;
use medwallet_core::grants::{
    access_log, covered, doctor, my_grants, rewrap, scope, shared_with_me, sign_next,
};
use medwallet_core::{LedgerSource, open_cache};
use medwallet_crypto::AccountKeys;
use medwallet_net::source::NetworkSource;
use medwallet_store::WalletDir;
use medwallet_verify::VerifiedHeader;
use serde_json::json;

use crate::commands::keys::unlock;
use crate::commands::records::{now_ms, source};
use crate::output::{Output, listing};
use crate::password;

/// What stops and what does not when a grant is revoked.
pub const REVOCATION_NOTICE: &str = "Revocation stops future access: nodes refuse the doctor's requests and no new records are shared. Copies the doctor already downloaded cannot be taken back.";

#[derive(Args)]
pub struct GrantArgs {
    /// The doctor's address (mdw1…).
    #[arg(long)]
    doctor: String,
    /// Record ids, comma-separated.
    #[arg(long, value_delimiter = ',')]
    records: Option<Vec<String>>,
    /// A category (labs, conditions, medications, immunizations, procedures, reports, encounter, other).
    #[arg(long)]
    category: Option<String>,
    /// Every record, including ones issued later.
    #[arg(long)]
    all: bool,
    /// Expiry (RFC 3339, e.g. 2027-01-31T00:00:00Z).
    #[arg(long)]
    until: Option<String>,
}

#[derive(Args)]
pub struct RevokeArgs {
    grant_id: String,
}

fn address(text: &str) -> anyhow::Result<Address> {
    let a: medwallet_crypto::Address = text
        .parse()
        .with_context(|| format!("invalid address {text:?}"))?;
    Ok(Address(*a.as_bytes()))
}

pub fn grant(
    wallet: &Path,
    password: &password::Source,
    urls: &[String],
    args: GrantArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let keys = unlock(wallet, password)?;
    let records = match WalletDir::new(wallet).load_cache()? {
        Some(bytes) => open_cache(&keys, &bytes)?,
        None => Vec::new(),
    };
    let scope = scope(args.records.as_deref(), args.category.as_deref(), args.all)?;
    let expires_at_ms = args
        .until
        .as_deref()
        .map(|t| {
            humantime::parse_rfc3339_weak(t).map(|s| {
                s.duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis() as u64)
                    .unwrap_or(0)
            })
        })
        .transpose()
        .context("--until must be an RFC 3339 time")?;
    let grantee = address(&args.doctor)?;
    let (source, chain) = source(wallet, urls)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let (doc, id, height, shared) = runtime.block_on(async {
        let at = source.latest(now_ms()).await?;
        let doc = doctor(&source, &at, &grantee).await?;
        let included = covered(&scope, &records);
        let keys_for_doctor = rewrap(&keys, &included, &doc.receiving, &mut rand::rng())?;
        let tx = sign_next(
            &source,
            &keys,
            chain,
            &at,
            TxBody::Grant {
                grantee,
                scope: scope.clone(),
                expires_at_ms,
                keys: keys_for_doctor,
            },
        )
        .await?;
        let id = GrantId::derive(&tx.tx.author_address(), tx.tx.nonce);
        let height = source.submit(&tx).await?;
        anyhow::Ok((doc, id, height, included.len()))
    })?;
    out.print(
        &format!("Granted Dr. {} (licence {}) access to {shared} record(s) now{}; grant {} at height {height}.", doc.name, doc.licence, if args.records.is_none() { " and to matching records issued later" } else { "" }, id.to_hex()),
        json!({ "grant_id": id.to_hex(), "doctor": doc, "records_shared": shared, "height": height }),
    );
    Ok(())
}

/// Unlocks the wallet, verifies the newest header across the nodes, and runs `query` there.
fn at_latest<T>(
    wallet: &Path,
    password: &password::Source,
    urls: &[String],
    query: impl AsyncFnOnce(
        &NetworkSource,
        &AccountKeys,
        &VerifiedHeader,
    ) -> Result<T, medwallet_core::WalletError>,
) -> anyhow::Result<T> {
    let keys = unlock(wallet, password)?;
    let (source, _) = source(wallet, urls)?;
    tokio::runtime::Runtime::new()?.block_on(async {
        let at = source.latest(now_ms()).await?;
        anyhow::Ok(query(&source, &keys, &at).await?)
    })
}

pub fn grants(
    wallet: &Path,
    password: &password::Source,
    urls: &[String],
    out: &Output,
) -> anyhow::Result<()> {
    let list = at_latest(wallet, password, urls, async |source, keys, at| {
        my_grants(source, keys, at, now_ms()).await
    })?;
    let human = listing(&list, "No grants.", |g| {
        format!(
            "{}  {:<8}  {:<20}  to {}",
            g.id, g.status, g.scope, g.grantee
        )
    });
    out.print(&human, json!(list));
    Ok(())
}

pub fn revoke(
    wallet: &Path,
    password: &password::Source,
    urls: &[String],
    args: RevokeArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let keys = unlock(wallet, password)?;
    let grant =
        GrantId::from_hex(&args.grant_id).map_err(|e| anyhow::anyhow!("invalid grant id: {e}"))?;
    let (source, chain) = source(wallet, urls)?;
    let height = tokio::runtime::Runtime::new()?.block_on(async {
        let at = source.latest(now_ms()).await?;
        let tx = sign_next(&source, &keys, chain, &at, TxBody::Revoke { grant }).await?;
        anyhow::Ok(source.submit(&tx).await?)
    })?;
    out.print(
        &format!(
            "Revoked grant {} at height {height}.\n{REVOCATION_NOTICE}",
            grant.to_hex()
        ),
        json!({ "revoked": grant.to_hex(), "height": height, "notice": REVOCATION_NOTICE }),
    );
    Ok(())
}

pub fn access(
    wallet: &Path,
    password: &password::Source,
    urls: &[String],
    out: &Output,
) -> anyhow::Result<()> {
    let log = at_latest(wallet, password, urls, async |source, keys, at| {
        access_log(source, keys, at).await
    })?;
    let human = listing(&log, "Nobody has fetched your records.", |e| {
        format!(
            "{}  {} fetched record {} (grant {}, served by node {}, height {})",
            e.served_at_ms, e.grantee, e.record, e.grant, e.node, e.height
        )
    });
    out.print(&human, json!(log));
    Ok(())
}

pub fn shared(
    wallet: &Path,
    password: &password::Source,
    urls: &[String],
    out: &Output,
) -> anyhow::Result<()> {
    let list = at_latest(wallet, password, urls, async |source, keys, at| {
        shared_with_me(source, keys, at, now_ms()).await
    })?;
    let human = listing(&list, "Nothing has been shared with you.", |r| {
        format!(
            "patient {}…  {}  {:<8}  {:<10}  {}",
            &r.patient[..12],
            r.record,
            r.status,
            r.category,
            r.title
        )
    });
    out.print(&human, json!(list));
    Ok(())
}
