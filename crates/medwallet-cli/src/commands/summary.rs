//! `medwallet summary`: the patient summary (IPS) from the verified records.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use medwallet_fhir::ips::printable_html;
use serde_json::json;

use crate::output::Output;
use crate::session::Context;

#[derive(Args)]
pub struct SummaryArgs {
    /// Save the IPS document Bundle (FHIR R4 JSON) here (created only if new).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Save a printable HTML page of the summary here (created only if new).
    #[arg(long)]
    html: Option<PathBuf>,
}

pub fn summary(ctx: &Context<'_>, args: SummaryArgs, out: &Output) -> anyhow::Result<()> {
    let summary = ctx.run(async |wallet, source| wallet.summary(source, &mut rand::rng()).await)?;
    let bundle = serde_json::to_vec_pretty(&summary.bundle)?;
    for (path, bytes) in [
        (&args.out, bundle.clone()),
        (&args.html, printable_html(&summary).into_bytes()),
    ] {
        if let Some(path) = path {
            medwallet_files::write_new_atomically(path, &bytes)
                .with_context(|| format!("cannot create {} (does it exist?)", path.display()))?;
        }
    }
    let mut human =
        String::from("International Patient Summary, from records verified on the ledger\n");
    for section in &summary.sections {
        human.push_str(&format!(
            "\n{} ({}):\n",
            section.title,
            section.entries.len()
        ));
        if section.entries.is_empty() {
            human.push_str("  nothing in this wallet's verified records\n");
        }
        for entry in &section.entries {
            let resource = summary.bundle["entry"]
                .as_array()
                .and_then(|entries| {
                    entries
                        .iter()
                        .find(|e| e["fullUrl"] == entry.full_url.as_str())
                })
                .map(|e| &e["resource"]);
            let name = resource
                .and_then(|r| {
                    ["code", "medicationCodeableConcept", "vaccineCode"]
                        .iter()
                        .find_map(|field| {
                            r[field]["text"]
                                .as_str()
                                .or(r[field]["coding"][0]["display"].as_str())
                        })
                })
                .unwrap_or("(unnamed)");
            human.push_str(&format!(
                "  {name}  (from {}, verified at height {})\n",
                entry.clinic, entry.verified_height
            ));
        }
    }
    for path in [&args.out, &args.html].into_iter().flatten() {
        human.push_str(&format!("\nWrote {}.", path.display()));
    }
    out.print(
        human.trim_end(),
        json!({
            "bundle": summary.bundle,
            "sections": summary.sections.iter().map(|s| json!({
                "key": s.key,
                "title": s.title,
                "loinc": s.loinc,
                "entries": s.entries.iter().map(|e| json!({
                    "full_url": e.full_url,
                    "record_id": e.record_id,
                    "clinic": e.clinic,
                    "verified_height": e.verified_height,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }),
    );
    Ok(())
}
