//! Emergency access (break-glass) from the command line.
//!
//! - The patient: `emergency set` (prepare or refresh the emergency set, with emergency
//!   contacts), `emergency show` (its code for an emergency card), `emergency remove`,
//!   `emergency log` (every access, in red; `--fhir` writes them as Consent and AuditEvent).
//! - A clinician: `emergency request --patient CODE --reason TEXT`, then `emergency open ID`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Subcommand;
use medledger_types::emergency::EmergencyRequestId;
use medwallet_core::WalletError;
use medwallet_core::emergency::{
    EmergencyAccessView, EmergencyContact, EmergencyRequestView, UNOPENED_REASON, access_bundle,
};
use medwallet_core::input;
use medwallet_core::summary::rfc3339;
use serde_json::{Value, json};

use crate::output::{Output, listing};
use crate::session::Context;

#[derive(Subcommand)]
pub enum EmergencyCommand {
    /// Prepare (or refresh) your emergency set from your records: problems, allergies,
    /// medications, advance directives, and your emergency contacts. Its key is split among
    /// the validators; a registered clinician can open it for 24 hours after asking.
    Set {
        /// An emergency contact, "NAME;RELATIONSHIP;PHONE" (repeatable, at most 5).
        #[arg(long = "contact")]
        contacts: Vec<String>,
    },
    /// Your emergency set and its code (for an emergency card).
    Show,
    /// Remove your emergency set: nobody can ask for it from the next block on.
    Remove,
    /// Every access to your emergency set: who, which clinic, why, when.
    Log {
        /// Also write them as a FHIR R4 Bundle of Consent (purpose BTG) and AuditEvent.
        #[arg(long)]
        fhir: Option<PathBuf>,
    },
    /// As a clinician: ask for a patient's emergency set by the code on their card.
    Request {
        #[arg(long)]
        patient: String,
        /// Why (the patient and their guardians read it).
        #[arg(long)]
        reason: String,
    },
    /// As a clinician: open the set a request of yours asked for (waits up to --wait seconds
    /// for the validators' shares).
    Open {
        request: String,
        #[arg(long, default_value_t = 60)]
        wait: u64,
        /// Write the FHIR Bundle here instead of printing it.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn contact(text: &str) -> anyhow::Result<EmergencyContact> {
    let parts: Vec<&str> = text.split(';').map(str::trim).collect();
    match parts.as_slice() {
        [name, relationship, phone] => Ok(EmergencyContact {
            name: (*name).to_owned(),
            relationship: (*relationship).to_owned(),
            phone: (*phone).to_owned(),
        }),
        _ => anyhow::bail!("a contact is \"NAME;RELATIONSHIP;PHONE\", not {text:?}"),
    }
}

pub(crate) fn access_json(a: &EmergencyAccessView) -> Value {
    json!({
        "request": a.request.to_hex(),
        "clinician": a.clinician_name,
        "clinician_address": input::display_address(&a.clinician),
        "licence": a.licence,
        "clinic": a.clinic_name,
        "reason": a.reason,
        "at_ms": a.at_ms,
        "ends_at_ms": a.ends_at_ms,
        "released": a.released,
        "threshold": a.threshold,
        "opened": a.opened(),
    })
}

/// One red entry, as a line.
pub(crate) fn access_text(a: &EmergencyAccessView) -> String {
    format!(
        "EMERGENCY ACCESS by {} ({}, licence {}) at {}: \"{}\"; {} of {} shares released{}",
        a.clinician_name,
        a.clinic_name,
        a.licence,
        rfc3339(a.at_ms),
        a.reason.as_deref().unwrap_or(UNOPENED_REASON),
        a.released,
        a.threshold,
        if a.opened() {
            ", the set could be opened"
        } else {
            ""
        }
    )
}

fn request_json(r: &EmergencyRequestView) -> Value {
    json!({
        "request": r.request.to_hex(),
        "patient": input::display_address(&r.patient),
        "at_ms": r.at_ms,
        "ends_at_ms": r.ends_at_ms,
        "released": r.released,
        "threshold": r.threshold,
    })
}

pub fn run(ctx: &Context<'_>, cmd: EmergencyCommand, out: &Output) -> anyhow::Result<()> {
    match cmd {
        EmergencyCommand::Set { contacts } => {
            let contacts = contacts
                .iter()
                .map(|c| contact(c))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let keys = ctx.genesis()?.emergency_keys;
            let set = ctx.run(async |wallet, source| {
                let mut quiet = |_: medwallet_core::SyncEvent<'_>| Ok(());
                wallet.sync(source, &mut quiet, &mut rand::rng()).await?;
                wallet
                    .set_emergency(source, &keys, &contacts, &mut rand::rng())
                    .await
            })?;
            out.print(
                &format!(
                    "Your emergency set is on the ledger. Its code, for your emergency card: {}\nA registered clinician who asks with it can open it for 24 hours, once {} of the {} validators release their shares; you will see every access.",
                    set.code, set.threshold, set.validators
                ),
                json!({ "code": set.code, "account": set.account, "threshold": set.threshold, "validators": set.validators, "set_at_ms": set.set_at_ms }),
            );
        }
        EmergencyCommand::Show => {
            let set = ctx.run(async |wallet, source| wallet.emergency_set(source).await)?;
            match set {
                Some(set) => out.print(
                    &format!(
                        "Emergency set prepared at {} (account {}); code: {}",
                        rfc3339(set.set_at_ms),
                        set.account,
                        set.code
                    ),
                    json!({ "code": set.code, "account": set.account, "threshold": set.threshold, "validators": set.validators, "set_at_ms": set.set_at_ms }),
                ),
                None => out.print(
                    "No emergency set: `medwallet emergency set` prepares one.",
                    Value::Null,
                ),
            }
        }
        EmergencyCommand::Remove => {
            let height = ctx.run(async |wallet, source| wallet.remove_emergency(source).await)?;
            out.print(
                &format!("Emergency set removed at height {height}."),
                json!({ "height": height }),
            );
        }
        EmergencyCommand::Log { fhir } => {
            let accesses =
                ctx.run(async |wallet, source| wallet.emergency_accesses(source).await)?;
            if let Some(path) = fhir {
                let bundle = serde_json::to_vec_pretty(&access_bundle(&accesses))?;
                medwallet_files::write_atomically(&path, &bundle)?;
            }
            let human = listing(
                &accesses,
                "Nobody asked for your emergency set.",
                access_text,
            );
            out.print(
                &human,
                json!(accesses.iter().map(access_json).collect::<Vec<_>>()),
            );
        }
        EmergencyCommand::Request { patient, reason } => {
            let patient = input::account(&patient)?;
            let request = ctx.run(async |wallet, source| {
                wallet
                    .request_emergency(source, &patient, &reason, &mut rand::rng())
                    .await
            })?;
            out.print(
                &format!(
                    "Emergency request {} is on the ledger; access lasts until {}. `medwallet emergency open {}` opens the set once the validators release their shares.",
                    request.request.to_hex(),
                    rfc3339(request.ends_at_ms),
                    request.request.to_hex()
                ),
                request_json(&request),
            );
        }
        EmergencyCommand::Open {
            request,
            wait,
            out: path,
        } => {
            let id = EmergencyRequestId::from_hex(&request)
                .map_err(|_| anyhow::anyhow!("{request:?} is not a request id"))?;
            let start = Instant::now();
            let opened = loop {
                let attempt =
                    ctx.run(async |wallet, source| wallet.open_emergency(source, &id).await);
                match attempt {
                    Err(e)
                        if matches!(
                            e.downcast_ref::<WalletError>(),
                            Some(WalletError::EmergencyWaiting { .. })
                        ) && start.elapsed() < Duration::from_secs(wait) =>
                    {
                        std::thread::sleep(Duration::from_secs(1));
                    }
                    other => break other?,
                }
            };
            let refused: Vec<String> = opened
                .refused_validators
                .iter()
                .map(|v| format!("node {}", v + 1))
                .collect();
            if !refused.is_empty() {
                eprintln!(
                    "warning: refused shares that are not the patient's from {}",
                    refused.join(", ")
                );
            }
            match path {
                Some(path) => {
                    medwallet_files::write_atomically(&path, &opened.bundle)?;
                    out.print(
                        &format!("Emergency set written to {}.", path.display()),
                        json!({ "request": request_json(&opened.request), "out": path, "refused": refused }),
                    );
                }
                None => {
                    let bundle: Value = serde_json::from_slice(&opened.bundle)?;
                    out.print(
                        &serde_json::to_string_pretty(&bundle)?,
                        json!({ "request": request_json(&opened.request), "bundle": bundle, "refused": refused }),
                    );
                }
            }
        }
    }
    Ok(())
}
