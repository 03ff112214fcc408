//! Syncing, listing and opening records. Everything shown was verified: headers by certificate,
//! record entries by proof, ciphertexts by the ledger's hash (the wallet service does it all).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;
use medledger_types::hash::{GrantId, RecordId};
use medledger_types::state::GrantStatus;
use medwallet_core::{SaveProgress, SaveProgressFn, SyncEvent, WalletError};
use medwallet_files::AtomicWriter;
use serde_json::json;

use crate::output::{Output, listing};
use crate::session::Context;

#[derive(Args)]
pub struct ShowArgs {
    record_id: String,
    /// Write the FHIR JSON here instead of standard output (created only if it opens). A file
    /// record (an imaging study) is saved here as it downloads and opens; it needs this.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn register(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    let (address, height) = ctx
        .run(async |wallet, source| {
            let height = wallet.register_patient(source, &mut rand::rng()).await?;
            Ok((wallet.keys().public().address().to_string(), height))
        })
        .context("registration failed")?;
    out.print(
        &format!("Registered {address}: proven on the ledger at height {height}."),
        json!({ "address": address, "height": height }),
    );
    Ok(())
}

pub fn sync(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    // On a terminal: the verified header, then a bar over the records (hidden when stderr is
    // not a terminal, and in JSON mode).
    let bar = out.progress_bar("syncing {bar:30} {pos}/{len} records ({eta})");
    let mut progress = |event: SyncEvent<'_>| {
        match event {
            SyncEvent::HeaderVerified {
                height,
                total_records,
            } => {
                bar.set_length(total_records);
                bar.println(format!(
                    "verified header {height}; {total_records} record(s) on the ledger"
                ));
            }
            SyncEvent::Records { done, total, .. } => {
                bar.set_length(total);
                bar.set_position(done);
            }
        }
        Ok::<(), WalletError>(())
    };
    let genesis = ctx.genesis()?;
    let (report, renewed, resealed, recovery, asked, now) = ctx.run(async |wallet, source| {
        let report = wallet.sync(source, &mut progress, &mut rand::rng()).await?;
        // Long-term links take the records just verified; a failure here leaves the sync done.
        let renewed = wallet.renew_links(source, &mut rand::rng()).await;
        // An emergency set follows the validators: sealed again once they changed.
        let resealed = wallet
            .refresh_emergency(source, &genesis, &mut rand::rng())
            .await;
        // Every device of a patient, and every guardian, is told of a pending recovery.
        let recovery = wallet
            .guardians(source)
            .await?
            .and_then(|g| g.recovery)
            .filter(|r| r.is_pending());
        let now = wallet.now_ms();
        let asked: Vec<_> = wallet
            .guarding(source)
            .await?
            .into_iter()
            .filter(|d| {
                d.asks_approval() || d.emergency_accesses.iter().any(|a| a.ends_at_ms > now)
            })
            .collect();
        Ok((report, renewed, resealed, recovery, asked, now))
    })?;
    match resealed {
        Ok(Some(set)) => eprintln!(
            "note: the validators changed, so your emergency set was sealed again to the {} running now (its code is unchanged).",
            set.validators
        ),
        Ok(None) => {}
        Err(e) => eprintln!(
            "warning: your emergency set was not sealed again to the new validators this time: {e}"
        ),
    }
    if let Some(r) = recovery {
        eprintln!(
            "WARNING: someone asked to recover this wallet to device {} ({} of {} guardians approved). If it was not you, run `medwallet cancel-recovery` now.",
            r.device_code, r.approvals, r.threshold
        );
    }
    for duty in asked {
        if duty.asks_approval() {
            eprintln!(
                "note: {} asks you, as a guardian, to approve the recovery of their wallet: see `medwallet guarding`.",
                duty.label
            );
        }
        if let Some(access) = duty.emergency_accesses.iter().find(|a| a.ends_at_ms > now) {
            eprintln!(
                "WARNING: {} asked for the emergency set of {}, whom you guard: see `medwallet guarding`.",
                access.clinician_name, duty.label
            );
        }
    }
    let links_renewed = match renewed {
        Ok(n) => n,
        Err(e) => {
            eprintln!("warning: long-term links were not renewed this time: {e}");
            0
        }
    };
    bar.finish_and_clear();
    let incidents: Vec<String> = report.incidents.iter().map(ToString::to_string).collect();
    for record in &report.unreadable {
        eprintln!(
            "warning: record {} from clinic {} cannot be opened with this wallet's key (kept, not opened)",
            record.id, record.clinic
        );
    }
    out.print(
        &format!(
            "{} new record(s); {} in total, verified up to height {}; {} key(s) shared with active grants.",
            report.new_records,
            report.total_records,
            report.header.height(),
            report.keys_shared
        ),
        json!({
            "new": report.new_records,
            "total": report.total_records,
            "verified_height": report.header.height(),
            "keys_shared": report.keys_shared,
            "links_renewed": links_renewed,
            "ciphertexts_missing": report.ciphertexts_missing,
            "unreadable": report.unreadable.iter().map(|r| &r.id).collect::<Vec<_>>(),
            "incidents": incidents,
        }),
    );
    Ok(())
}

pub fn list(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    let records = ctx.open()?.records();
    let human = listing(&records, "No records yet: run `medwallet sync`.", |r| {
        let file = r
            .file
            .as_ref()
            .map(|f| format!("  file {} ({} bytes)", f.name, f.size))
            .unwrap_or_default();
        format!(
            "{}  {:<10}  {:<11}  {:<40}  clinic {}…  verified at height {}{file}",
            r.id,
            r.date
                .as_deref()
                .map(|d| &d[..d.len().min(10)])
                .unwrap_or("-"),
            r.category,
            r.title,
            &r.clinic[..r.clinic.len().min(12)],
            r.verified_height
        )
    });
    out.print(&human, json!(records));
    Ok(())
}

pub fn acknowledge(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    let wallet = ctx.open()?;
    let Some(alarm) = wallet.equivocation() else {
        out.print(
            "Nothing to acknowledge: no equivocation is pending.",
            json!({ "acknowledged": false }),
        );
        return Ok(());
    };
    wallet.acknowledge_equivocation()?;
    out.print(
        &format!(
            "Acknowledged: equivocation at height {} ({} and {}). {}",
            alarm.height,
            alarm.first,
            alarm.second,
            medwallet_core::trust::EQUIVOCATION_ADVICE
        ),
        json!({ "acknowledged": true, "height": alarm.height, "first": alarm.first, "second": alarm.second }),
    );
    Ok(())
}

pub fn show(ctx: &Context<'_>, args: ShowArgs, out: &Output) -> anyhow::Result<()> {
    // A record whose ciphertext is kept opens offline (checked against the verified hash). The
    // wallet (and its writer's lock) is let go before the online path opens it again.
    let offline = {
        let wallet = ctx.open()?;
        match wallet.record(&args.record_id) {
            Ok(record) if record.file.is_some() => {
                drop(wallet);
                let name = record.file.as_ref().map_or("", |f| f.name.as_str());
                let what = Saving::Own(record.id.clone());
                return save_file(ctx, what, name, args.out.as_deref(), out);
            }
            Ok(record) => wallet.open_offline(&record)?,
            Err(_) => None,
        }
    };
    if let Some(fhir) = offline {
        return write_fhir(&args, &fhir, out);
    }
    let shown = ctx.run(async |wallet, source| {
        if wallet.record(&args.record_id).is_ok() {
            return Ok(Shown::Fhir(
                wallet.open_record(source, &args.record_id).await?,
            ));
        }
        // A doctor's view: the record must be shared with this wallet.
        let record = RecordId::from_hex(&args.record_id)
            .map_err(|_| WalletError::UnknownRecord(args.record_id.clone()))?;
        let (_, shared) = wallet.shared_with_me(source).await?;
        let mine = shared.iter().filter(|s| s.record == record);
        let active = mine.clone().find(|s| s.status == GrantStatus::Active);
        let Some(shared) = active.or_else(|| mine.clone().next()) else {
            return Err(WalletError::UnknownRecord(args.record_id.clone()));
        };
        match wallet.open_shared(source, shared.grant, record).await {
            Ok(opened) => Ok(Shown::Fhir(opened.fhir)),
            // A shared imaging study: saved, not read whole.
            Err(WalletError::IsAFile { name, .. }) => Ok(Shown::SharedFile(
                Saving::Shared(shared.grant, record),
                name,
            )),
            Err(e) => Err(e),
        }
    })?;
    match shown {
        Shown::Fhir(fhir) => write_fhir(&args, &fhir, out),
        Shown::SharedFile(what, name) => save_file(ctx, what, &name, args.out.as_deref(), out),
    }
}

/// What `show` found.
enum Shown {
    Fhir(Vec<u8>),
    /// A file record shared with this wallet, and its name.
    SharedFile(Saving, String),
}

/// Whose file record is saved: this wallet's own, or one shared with it under a grant.
enum Saving {
    Own(String),
    Shared(GrantId, RecordId),
}

/// Saves a file record (an imaging study) to `path` as it is downloaded and opened, with a
/// progress bar: in constant memory whatever its size.
fn save_file(
    ctx: &Context<'_>,
    what: Saving,
    name: &str,
    path: Option<&Path>,
    out: &Output,
) -> anyhow::Result<()> {
    let Some(path) = path else {
        let id = match &what {
            Saving::Own(id) => id.clone(),
            Saving::Shared(_, record) => record.to_hex(),
        };
        anyhow::bail!("record {id} is a file ({name}); give --out FILE to save it");
    };
    if path.exists() {
        anyhow::bail!("{} exists; refusing to overwrite it", path.display());
    }
    let writer =
        AtomicWriter::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let bar = out.progress_bar("{msg:12} {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})");
    let told = bar.clone();
    let progress: SaveProgressFn = Arc::new(move |p| {
        let (stage, done, of) = match p {
            SaveProgress::Downloading { done, of } => ("downloading", done, of),
            SaveProgress::Opening { done, of } => ("opening", done, of),
        };
        told.set_message(stage);
        told.set_length(of);
        told.set_position(done);
    });
    let saved = ctx.run(async |wallet, source| match &what {
        Saving::Own(id) => wallet.save_record(source, id, writer, progress).await,
        Saving::Shared(grant, record) => {
            wallet
                .save_shared(source, *grant, *record, writer, progress)
                .await
        }
    });
    bar.finish_and_clear();
    let (size, writer) = saved?;
    writer
        .commit_new()
        .with_context(|| format!("cannot create {} (does it exist?)", path.display()))?;
    out.print(
        &format!("Wrote {} ({name}, {size} bytes).", path.display()),
        json!({ "out": path, "name": name, "size": size }),
    );
    Ok(())
}

fn write_fhir(args: &ShowArgs, fhir: &[u8], out: &Output) -> anyhow::Result<()> {
    match &args.out {
        Some(path) => {
            medwallet_files::write_new_atomically(path, fhir)
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
