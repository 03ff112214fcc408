//! Consent: grant, list and revoke access; see who fetched what; and, for doctors, what was
//! shared with them. Revocation is honest: it stops future access, and copies already
//! downloaded cannot be taken back; the commands say so.

use clap::Args;
use medledger_types::hash::GrantId;
use medwallet_core::consent::{describe, scope};
use medwallet_core::input::{self, display_address};
use medwallet_core::{GrantRequest, REVOCATION_NOTICE, SystemClock, WalletError, clock::Clock};
use serde_json::json;

use crate::output::{Output, listing};
use crate::session::Context;

#[derive(Args)]
pub struct GrantArgs {
    /// The doctor's address (mdw1…) or share code (mdwshare1…).
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
    /// How the doctor is to know you ("Ana Ruiz, born 1984"; at most 80 bytes), sealed to the
    /// doctor: your accounts' grants then show as one patient.
    #[arg(long, default_value = "")]
    label: String,
}

#[derive(Args)]
pub struct RevokeArgs {
    grant_id: String,
}

#[derive(Args)]
pub struct DoctorConsentArgs {
    /// The address of the clinic that will register you (`medclinic keygen` prints it).
    #[arg(long)]
    clinic: String,
    /// Your name as patients will see it.
    #[arg(long)]
    name: String,
    #[arg(long)]
    licence: String,
}

/// For doctors: signs your consent to `--clinic` registering this wallet as a doctor under this
/// name and licence on this wallet's chain; hand the printed consent to the clinic with your
/// share code. No clinic can register your key without it.
pub fn doctor_consent(
    ctx: &Context<'_>,
    args: DoctorConsentArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let clinic = input::account(&args.clinic)?;
    let chain = ctx.genesis()?.chain_id();
    let wallet = ctx.open()?;
    let consent = wallet.doctor_consent(chain, &clinic, &args.name, &args.licence);
    let consent = hex::encode(consent);
    out.print(
        &format!(
            "Consent for {} to register you as {} (licence {}):\n{consent}",
            display_address(&clinic),
            args.name,
            args.licence
        ),
        json!({ "consent": consent, "clinic": display_address(&clinic), "name": args.name, "licence": args.licence }),
    );
    Ok(())
}

pub fn grant(ctx: &Context<'_>, args: GrantArgs, out: &Output) -> anyhow::Result<()> {
    let request = GrantRequest {
        grantee: input::account(&args.doctor)?,
        scope: scope(args.records.as_deref(), args.category.as_deref(), args.all)?,
        expires_at_ms: input::expiry(args.until.as_deref(), SystemClock.now_ms())
            .map_err(|e| anyhow::anyhow!("--until: {e}"))?,
        label: args.label,
    };
    let granted =
        ctx.run(async |wallet, source| wallet.grant(source, request, &mut rand::rng()).await)?;
    let doctor = &granted.doctor;
    let later = if args.records.is_none() {
        " and to matching records issued later"
    } else {
        ""
    };
    out.print(
        &format!(
            "Granted Dr. {} (licence {}) access to {} record(s) now{later}; grant {}{}, proven on the ledger at height {}.",
            doctor.name,
            doctor.licence,
            granted.records_shared,
            granted.grant.to_hex(),
            match granted.grants.len() {
                1 => String::new(),
                n => format!(" (one of {n}, one per account holding the records)"),
            },
            granted.height
        ),
        json!({
            "grant_id": granted.grant.to_hex(),
            "grants": granted.grants.iter().map(|g| g.to_hex()).collect::<Vec<_>>(),
            "doctor": {
                "address": doctor.address.to_hex(),
                "name": doctor.name,
                "licence": doctor.licence,
                "clinic": doctor.clinic.to_hex(),
            },
            "records_shared": granted.records_shared,
            "height": granted.height,
        }),
    );
    Ok(())
}

pub fn grants(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    let (_, list) = ctx.run(async |wallet, source| wallet.grants(source).await)?;
    let human = listing(&list, "No grants.", |g| {
        format!(
            "{}  {:<8}  {:<20}  to {}",
            g.id,
            g.status.code(),
            describe(g.scope().as_ref()),
            display_address(&g.doctor())
        )
    });
    let json: Vec<_> = list
        .iter()
        .map(|g| {
            json!({
                "id": g.id.to_hex(),
                "doctor": g.doctor().to_hex(),
                "grantee": g.entry.grantee.to_hex(),
                "scope": describe(g.scope().as_ref()),
                "account": g.account,
                "label": g.terms.as_ref().map(|t| t.label.clone()),
                "expires_at_ms": g.entry.expires_at_ms,
                "granted_height": g.entry.granted_height,
                "status": g.status.code(),
            })
        })
        .collect();
    out.print(&human, json!(json));
    Ok(())
}

pub fn revoke(ctx: &Context<'_>, args: RevokeArgs, out: &Output) -> anyhow::Result<()> {
    let grant = GrantId::from_hex(&args.grant_id)
        .map_err(|_| anyhow::anyhow!("{:?} is not a grant id", args.grant_id))?;
    let height = ctx.run(async |wallet, source| wallet.revoke(source, grant).await)?;
    out.print(
        &format!(
            "Revoked grant {}: the revocation is proven on the ledger at height {height}.\n{REVOCATION_NOTICE}",
            grant.to_hex()
        ),
        json!({ "revoked": grant.to_hex(), "height": height, "notice": REVOCATION_NOTICE }),
    );
    Ok(())
}

pub fn access(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    let (_, log) = ctx.run(async |wallet, source| wallet.access_log(source).await)?;
    let human = listing(&log, "Nobody has fetched your records.", |a| {
        let e = &a.receipt;
        format!(
            "{}  {} fetched record {} (grant {}, served by node {}, height {})",
            e.served_at_ms,
            display_address(&a.doctor),
            e.record,
            e.grant,
            e.node,
            e.height
        )
    });
    let json: Vec<_> = log
        .iter()
        .map(|a| {
            let e = &a.receipt;
            json!({
                "record": e.record.to_hex(),
                "doctor": a.doctor.to_hex(),
                "grantee": e.grantee.to_hex(),
                "grant": e.grant.to_hex(),
                "node": e.node.to_hex(),
                "served_at_ms": e.served_at_ms,
                "height": e.height,
            })
        })
        .collect();
    out.print(&human, json!(json));
    Ok(())
}

pub fn shared(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    let (_, list) =
        ctx.run(async |wallet, source| Ok::<_, WalletError>(wallet.shared_with_me(source).await?))?;
    let human = listing(&list, "Nothing has been shared with you.", |r| {
        format!(
            "patient {}  {}  {:<8}  {:<10}  {}",
            if r.patient_label.is_empty() {
                r.patient_handle[..12].to_owned()
            } else {
                r.patient_label.clone()
            },
            r.record,
            r.status.code(),
            r.category,
            r.title
        )
    });
    let json: Vec<_> = list
        .iter()
        .map(|r| {
            json!({
                "patient": r.patient.to_hex(),
                "patient_handle": r.patient_handle,
                "patient_label": r.patient_label,
                "grant": r.grant.to_hex(),
                "record": r.record.to_hex(),
                "category": r.category,
                "title": r.title,
                "date": r.date,
                "status": r.status.code(),
            })
        })
        .collect();
    out.print(&human, json!(json));
    Ok(())
}
