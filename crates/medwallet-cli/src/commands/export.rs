//! `medwallet export`: every record exactly as issued, with the certificate and proofs that
//! let anyone check them offline; `medwallet verify-export`: that check, with the chain's
//! genesis and nothing else (no wallet, no node).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use serde_json::json;

use crate::output::Output;
use crate::session::Context;

#[derive(Args)]
pub struct ExportArgs {
    /// Where to write the export (a zip; created only if new).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct VerifyExportArgs {
    /// The export (a zip from `medwallet export`).
    file: PathBuf,
}

pub fn export(ctx: &Context<'_>, args: ExportArgs, out: &Output) -> anyhow::Result<()> {
    let zip = ctx.run(async |wallet, source| wallet.export(source, &mut rand::rng()).await)?;
    medwallet_files::write_new_atomically(&args.out, &zip)
        .with_context(|| format!("cannot create {} (does it exist?)", args.out.display()))?;
    out.print(
        &format!(
            "Wrote {} ({} bytes): your records as issued, with the proofs to check them (medwallet verify-export).",
            args.out.display(),
            zip.len()
        ),
        json!({ "path": args.out, "bytes": zip.len() }),
    );
    Ok(())
}

pub fn verify_export(
    genesis: Option<&Path>,
    args: VerifyExportArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let genesis = genesis
        .context("pass --genesis FILE: the chain's genesis the export is checked against")?;
    let genesis = medledger_api::GenesisFile::parse(
        &std::fs::read(genesis).with_context(|| format!("cannot read {}", genesis.display()))?,
    )
    .map_err(|e| anyhow::anyhow!("{} is not a genesis file: {e}", genesis.display()))?;
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let verified = medwallet_core::export::verify(&bytes, &genesis)?;
    out.print(
        &format!(
            "Verified: {} record(s) of the patient's {} account(s), each proven at height {} of chain {}, each ciphertext matching the ledger and opening to its FHIR.",
            verified.records,
            verified.accounts.len(),
            verified.height,
            genesis.chain_id().to_hex()
        ),
        json!({
            "verified": true,
            "records": verified.records,
            "height": verified.height,
            "accounts": verified.accounts.iter().map(|a| a.to_hex()).collect::<Vec<_>>(),
        }),
    );
    Ok(())
}
