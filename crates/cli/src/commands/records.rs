//! Syncing, listing and opening records. Everything shown was verified: headers by certificate,
//! record entries by proof, ciphertexts by the ledger's hash.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use medledger_types::genesis::Genesis;
use medwallet_core::records::{fetch_ciphertext, open_ciphertext};
use medwallet_core::{
    LedgerSource, RecordSummary, SyncEvent, WalletError, open_cache, seal_cache, sync_records,
};
use medwallet_crypto::AccountKeys;
use medwallet_net::source::NetworkSource;
use medwallet_store::WalletDir;
use medwallet_verify::{LightClient, TrustAnchor};
use serde_json::json;

use crate::commands::keys::unlock;
use crate::commands::ledger::nodes;
use crate::output::Output;
use crate::password;

/// How old a node's newest finalized header may be and still count as current.
const MAX_HEADER_AGE_MS: u64 = 60_000;

#[derive(Args)]
pub struct SyncArgs {
    /// The chain's genesis file (the trust anchor). Remembered after the first sync.
    #[arg(long)]
    genesis: Option<PathBuf>,
}

#[derive(Args)]
pub struct ShowArgs {
    record_id: String,
    /// Write the FHIR JSON here instead of standard output (created only if it opens).
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The trust anchor: `--genesis`, saved in the wallet on first use.
fn genesis(wallet: &Path, given: Option<&PathBuf>) -> anyhow::Result<Genesis> {
    let saved = wallet.join("genesis.json");
    let path = match given {
        Some(p) => {
            let bytes = medwallet_store::read_bounded(p, 4 * 1024 * 1024)
                .with_context(|| format!("cannot read {}", p.display()))?;
            medwallet_store::write_atomically(&saved, &bytes)?;
            saved
        }
        None if saved.exists() => saved,
        None => anyhow::bail!(
            "the wallet has no trust anchor yet: pass --genesis FILE (the chain's genesis.json)"
        ),
    };
    let bytes = medwallet_store::read_bounded(&path, 4 * 1024 * 1024)?;
    let file: medledger_api::GenesisFile =
        serde_json::from_slice(&bytes).context("genesis file is not valid")?;
    Ok(file.to_genesis()?)
}

/// The verified ledger source over `--node` URLs, anchored at the wallet's genesis, and the chain id.
pub fn source(
    wallet: &Path,
    urls: &[String],
) -> anyhow::Result<(NetworkSource, medledger_types::hash::ChainId)> {
    let genesis = genesis(wallet, None)?;
    let light = LightClient::new(TrustAnchor::from_genesis(&genesis)?);
    Ok((
        NetworkSource::new(nodes(urls)?, light, MAX_HEADER_AGE_MS),
        genesis.chain_id(),
    ))
}

fn cached(dir: &WalletDir, keys: &AccountKeys) -> anyhow::Result<Vec<RecordSummary>> {
    match dir.load_cache()? {
        None => Ok(Vec::new()),
        Some(bytes) => Ok(open_cache(keys, &bytes)?),
    }
}

pub fn sync(
    wallet: &Path,
    password: &password::Source,
    urls: &[String],
    args: SyncArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let nodes = nodes(urls)?;
    let genesis = genesis(wallet, args.genesis.as_ref())?;
    let keys = unlock(wallet, password)?;
    let dir = WalletDir::new(wallet);
    let mut records = cached(&dir, &keys)?;
    let source = NetworkSource::new(
        nodes,
        LightClient::new(TrustAnchor::from_genesis(&genesis)?),
        MAX_HEADER_AGE_MS,
    );
    let json_mode = out.is_json();
    // Each verified batch is saved at once, so an interrupted sync resumes where it stopped.
    let mut saved = records.clone();
    let mut progress = |event: SyncEvent<'_>| {
        match event {
            SyncEvent::HeaderVerified {
                height,
                total_records,
            } if !json_mode => {
                eprintln!("verified header {height}; {total_records} record(s) on the ledger")
            }
            SyncEvent::HeaderVerified { .. } => {}
            SyncEvent::Records { batch, done, total } => {
                saved.extend_from_slice(batch);
                let sealed = seal_cache(&keys, &saved, &mut rand::rng())?;
                dir.save_cache(&sealed)
                    .map_err(|e| WalletError::LocalStorage(e.to_string()))?;
                if !json_mode {
                    eprint!("\rsyncing records {done}/{total}");
                }
            }
        }
        Ok(())
    };
    let runtime = tokio::runtime::Runtime::new()?;
    let new = runtime.block_on(sync_records(
        &source,
        &keys,
        &records,
        now_ms(),
        &mut progress,
    ))?;
    if !json_mode && !new.is_empty() {
        eprintln!();
    }
    let added = new.len();
    records.extend(new);
    // Grants by category or of everything cover records issued later: share their keys now.
    let chain = genesis.chain_id();
    let keys_shared = runtime.block_on(async {
        let at = source.latest(now_ms()).await?;
        let bodies = medwallet_core::grants::missing_grant_keys(
            &source,
            &keys,
            &at,
            &records,
            now_ms(),
            &mut rand::rng(),
        )
        .await?;
        let mut shared = 0;
        for body in bodies {
            if let medledger_types::tx::TxBody::GrantKeys { keys: k, .. } = &body {
                shared += k.len();
            }
            let at = source.latest(now_ms()).await?;
            let tx = medwallet_core::grants::sign_next(&source, &keys, chain, &at, body).await?;
            source.submit(&tx).await?;
        }
        anyhow::Ok(shared)
    })?;
    dir.save_cache(&seal_cache(&keys, &records, &mut rand::rng())?)?;
    let incidents = source
        .incidents
        .lock()
        .map(|i| i.clone())
        .unwrap_or_default();
    for incident in &incidents {
        eprintln!("warning: {incident}");
    }
    let height = records.iter().map(|r| r.verified_height).max().unwrap_or(0);
    out.print(
        &format!(
            "{added} new record(s); {} in total, verified up to height {height}; {keys_shared} key(s) shared with active grants.",
            records.len()
        ),
        json!({ "new": added, "total": records.len(), "keys_shared": keys_shared, "incidents": incidents }),
    );
    Ok(())
}

pub fn list(wallet: &Path, password: &password::Source, out: &Output) -> anyhow::Result<()> {
    let keys = unlock(wallet, password)?;
    let records = cached(&WalletDir::new(wallet), &keys)?;
    let lines: Vec<String> = records
        .iter()
        .map(|r| {
            format!(
                "{}  {:<10}  {:<11}  {:<40}  clinic {}…  verified at height {}",
                r.id,
                r.date
                    .as_deref()
                    .map(|d| &d[..d.len().min(10)])
                    .unwrap_or("-"),
                r.category,
                r.title,
                &r.clinic[..12],
                r.verified_height
            )
        })
        .collect();
    let human = if lines.is_empty() {
        "No records yet: run `medwallet sync`.".to_owned()
    } else {
        lines.join("\n")
    };
    out.print(&human, json!(records));
    Ok(())
}

pub fn show(
    wallet: &Path,
    password: &password::Source,
    urls: &[String],
    args: ShowArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let keys = unlock(wallet, password)?;
    let dir = WalletDir::new(wallet);
    let records = cached(&dir, &keys)?;
    // A record whose ciphertext is cached opens offline (checked against the verified hash).
    if let Some(record) = records.iter().find(|r| r.id == args.record_id)
        && let Some(ciphertext) = dir.load_blob(&record.ciphertext_sha256)?
        && let Ok(fhir) = open_ciphertext(&keys, record, &ciphertext)
    {
        return write_fhir(&args, &fhir, out);
    }
    let (source, _) = source(wallet, urls)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let fhir = match records.iter().find(|r| r.id == args.record_id) {
        Some(record) => {
            let ciphertext =
                runtime.block_on(fetch_ciphertext(&source, &keys, record, now_ms()))?;
            let fhir = open_ciphertext(&keys, record, &ciphertext)?;
            dir.save_blob(&record.ciphertext_sha256, &ciphertext)?;
            fhir
        }
        None => {
            // A doctor's view: records shared with this wallet.
            let shared = runtime.block_on(async {
                let at = source.latest(now_ms()).await?;
                anyhow::Ok(
                    medwallet_core::grants::shared_with_me(&source, &keys, &at, now_ms()).await?,
                )
            })?;
            let record = shared
                .iter()
                .find(|r| r.record == args.record_id)
                .with_context(|| {
                    format!("unknown record {}; run `medwallet sync`", args.record_id)
                })?;
            if record.status != "active" {
                anyhow::bail!(
                    "access to record {} was {} by the patient: nothing more can be fetched (copies downloaded earlier remain with whoever downloaded them)",
                    record.record,
                    record.status
                );
            }
            let grant = medledger_types::hash::GrantId::from_hex(&record.grant)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            runtime.block_on(medwallet_core::records::fetch_and_open(
                &source,
                &keys,
                &record.record,
                &record.ciphertext_sha256,
                Some(&grant),
                &record.wrapped_key,
                now_ms(),
            ))?
        }
    };
    write_fhir(&args, &fhir, out)
}

fn write_fhir(args: &ShowArgs, fhir: &[u8], out: &Output) -> anyhow::Result<()> {
    match &args.out {
        Some(path) => {
            medwallet_store::write_new_atomically(path, fhir)
                .with_context(|| format!("cannot create {} (does it exist?)", path.display()))?;
            out.print(
                &format!("Wrote {} ({} bytes).", path.display(), fhir.len()),
                json!({ "out": path, "size": fhir.len() }),
            );
        }
        None => {
            use std::io::Write;
            std::io::stdout().write_all(fhir)?;
        }
    }
    Ok(())
}
