//! `medwallet link …`: SMART Health Links. `create` shares records, a category, everything or
//! the summary with anyone, by a link or QR code; `list` shows each link's verified status and
//! who opened it; `revoke` ends one on every node; `open` reads a link someone shared.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use medledger_types::category::Category;
use medledger_types::hash::{LinkId, RecordId};
use medledger_types::link::LinkOutcome;
use medwallet_core::links::{
    DEFAULT_ATTEMPTS, DEFAULT_LIFETIME_MS, LinkRequest, LinkView, Selection, VIEWER_PATH, open_link,
};
use medwallet_core::{SystemClock, clock::Clock, input};
use medwallet_net::HttpShl;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::output::{Output, listing};
use crate::session::Context;

#[derive(Subcommand)]
pub enum LinkCommand {
    /// Make a link: prints it (shlink:/…) and its viewer URL; JSON fields `id` and `link`.
    Create(CreateArgs),
    /// This wallet's links: status, expiry, what they share, every opening.
    List,
    /// Revoke a link: every node refuses it from the next block on.
    Revoke(RevokeArgs),
    /// Open a link someone shared (shlink:/… or a viewer URL).
    Open(OpenArgs),
}

#[derive(Args)]
pub struct CreateArgs {
    /// Record ids, comma-separated.
    #[arg(long, value_delimiter = ',', conflicts_with_all = ["category", "all", "summary"])]
    records: Option<Vec<String>>,
    /// Categories, comma-separated (labs, vital-signs, conditions, medications, allergies,
    /// immunizations, procedures, reports, encounter, other).
    #[arg(long, value_delimiter = ',', conflicts_with_all = ["all", "summary"])]
    category: Option<Vec<String>>,
    /// Every record.
    #[arg(long, conflicts_with = "summary")]
    all: bool,
    /// The patient summary (IPS).
    #[arg(long)]
    summary: bool,
    /// What the receiver sees the link called (at most 80 characters).
    #[arg(long)]
    label: Option<String>,
    /// Expiry (RFC 3339); 7 days from now if not given.
    #[arg(long)]
    expires: Option<String>,
    /// A passcode the receiver must type (give it to them separately).
    #[arg(long)]
    passcode: Option<String>,
    /// Wrong passcodes allowed before the link is disabled for good.
    #[arg(long, default_value_t = DEFAULT_ATTEMPTS)]
    attempts: u32,
    /// Records issued later in these categories (or at all) join the link as they sync.
    #[arg(long)]
    long_term: bool,
}

#[derive(Args)]
pub struct RevokeArgs {
    /// The link's id (from `link list`).
    id: String,
}

#[derive(Args)]
pub struct OpenArgs {
    /// The link: shlink:/… or https://…#shlink:/…
    link: String,
    /// Who you are, as the patient will see it in their access log.
    #[arg(long = "as", default_value = "a Medwallet user")]
    recipient: String,
    #[arg(long)]
    passcode: Option<String>,
    /// Save each file's FHIR JSON in this folder (created if missing).
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(ctx: &Context<'_>, command: LinkCommand, out: &Output) -> anyhow::Result<()> {
    match command {
        LinkCommand::Create(args) => create(ctx, args, out),
        LinkCommand::List => list(ctx, out),
        LinkCommand::Revoke(args) => revoke(ctx, args, out),
        LinkCommand::Open(args) => open(args, out),
    }
}

fn selection(args: &CreateArgs) -> anyhow::Result<Selection> {
    Ok(
        match (&args.records, &args.category, args.all, args.summary) {
            (Some(ids), None, false, false) => Selection::Records(
                ids.iter()
                    .map(|id| {
                        RecordId::from_hex(id.trim())
                            .map_err(|_| anyhow::anyhow!("{id:?} is not a record id"))
                    })
                    .collect::<Result<_, _>>()?,
            ),
            (None, Some(list), false, false) => Selection::Categories(
                list.iter()
                    .map(|c| {
                        Category::from_code(c.trim())
                            .ok_or_else(|| anyhow::anyhow!("unknown category {c:?}"))
                    })
                    .collect::<Result<_, _>>()?,
            ),
            (None, None, true, false) => Selection::All,
            (None, None, false, true) => Selection::Summary,
            _ => anyhow::bail!("choose one of --records, --category, --all or --summary"),
        },
    )
}

fn create(ctx: &Context<'_>, args: CreateArgs, out: &Output) -> anyhow::Result<()> {
    let now = SystemClock.now_ms();
    let expires_at_ms = input::expiry(args.expires.as_deref(), now)
        .map_err(|e| anyhow::anyhow!("--expires: {e}"))?
        .unwrap_or(now + DEFAULT_LIFETIME_MS);
    let server = ctx
        .nodes
        .first()
        .context("no node: pass --node URL (its URL goes into the link)")?
        .trim_end_matches('/')
        .to_owned();
    let request = LinkRequest {
        selection: selection(&args)?,
        label: args.label.clone(),
        expires_at_ms,
        passcode: args.passcode.clone().map(Zeroizing::new),
        attempts: args.attempts,
        long_term: args.long_term,
        server: server.clone(),
    };
    let created = ctx
        .run(async |wallet, source| wallet.create_link(source, request, &mut rand::rng()).await)?;
    let link = created.link.encode();
    let viewer = created.link.viewer_url(&format!("{server}{VIEWER_PATH}"));
    out.print(
        &format!(
            "Link {} made, proven on the ledger at height {} ({}):\n{link}\n\nOpen in a browser:\n{viewer}",
            created.id.to_hex(),
            created.height,
            created.files.join(", "),
        ),
        json!({
            "id": created.id.to_hex(),
            "link": link,
            "viewer_url": viewer,
            "height": created.height,
            "files": created.files,
            "expires_at_ms": expires_at_ms,
        }),
    );
    Ok(())
}

fn outcome(o: LinkOutcome) -> &'static str {
    match o {
        LinkOutcome::Opened => "opened",
        LinkOutcome::WrongPasscode => "wrong-passcode",
    }
}

fn view_json(v: &LinkView) -> Value {
    json!({
        "id": v.id.to_hex(),
        "status": v.status.code(),
        "label": v.description.as_ref().and_then(|d| d.link.label.clone()),
        "link": v.description.as_ref().map(|d| d.link.encode()),
        "shared": v.description.as_ref().map(|d| d.shared.describe()),
        "expires_at_ms": v.entry.expires_at_ms,
        "passcode": v.entry.passcode.is_some(),
        "attempts_left": v.entry.attempts_left,
        "long_term": v.entry.long_term,
        "files": v.entry.files.len(),
        "created_height": v.entry.created_height,
        "accesses": v.accesses.iter().map(|a| json!({
            "outcome": outcome(a.outcome),
            "recipient": a.recipient,
            "node": a.node.to_hex(),
            "at_ms": a.at_ms,
            "height": a.height,
        })).collect::<Vec<_>>(),
    })
}

fn list(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    let (at, links) = ctx.run(async |wallet, source| wallet.links(source).await)?;
    let human = listing(&links, "No links.", |v| {
        let label = v
            .description
            .as_ref()
            .and_then(|d| d.link.label.clone())
            .unwrap_or_else(|| "(no label)".into());
        let shared = v
            .description
            .as_ref()
            .map_or("?".into(), |d| d.shared.describe());
        let mut line = format!(
            "{}  {:<9}  {label:?}: {shared}; {} opening(s)",
            v.id.to_hex(),
            v.status.code(),
            v.accesses
                .iter()
                .filter(|a| a.outcome == LinkOutcome::Opened)
                .count()
        );
        for a in &v.accesses {
            line.push_str(&format!(
                "\n    {} by {:?} at {} (node {}, height {})",
                outcome(a.outcome),
                a.recipient.as_deref().unwrap_or("?"),
                a.at_ms,
                &a.node.to_hex()[..12],
                a.height
            ));
        }
        line
    });
    out.print(
        &format!("{human}\n(verified at height {})", at.height()),
        json!(links.iter().map(view_json).collect::<Vec<_>>()),
    );
    Ok(())
}

fn revoke(ctx: &Context<'_>, args: RevokeArgs, out: &Output) -> anyhow::Result<()> {
    let link = LinkId::from_hex(args.id.trim())
        .map_err(|_| anyhow::anyhow!("{:?} is not a link id", args.id))?;
    let height = ctx.run(async |wallet, source| wallet.revoke_link(source, link).await)?;
    out.print(
        &format!(
            "Link revoked, proven at height {height}: every node refuses it now. Files already opened cannot be taken back."
        ),
        json!({ "id": link.to_hex(), "height": height }),
    );
    Ok(())
}

fn open(args: OpenArgs, out: &Output) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the runtime")?;
    let received = runtime.block_on(open_link(
        &HttpShl::new(),
        &args.link,
        &args.recipient,
        args.passcode.as_deref(),
    ))?;
    let mut files = Vec::new();
    for (i, file) in received.files.iter().enumerate() {
        let fhir: Value = serde_json::from_slice(&file.plaintext)
            .with_context(|| format!("file {} is not JSON", i + 1))?;
        if let Some(dir) = &args.out {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let path = dir.join(format!("file-{}.json", i + 1));
            medwallet_files::write_new_atomically(&path, &file.plaintext)
                .with_context(|| format!("cannot create {} (does it exist?)", path.display()))?;
        }
        files.push(fhir);
    }
    let mut human = format!(
        "{} ({} file(s)):\n",
        received.label.as_deref().unwrap_or("SMART Health Link"),
        files.len()
    );
    for fhir in &files {
        for entry in fhir["entry"].as_array().into_iter().flatten() {
            let r = &entry["resource"];
            let name = ["code", "medicationCodeableConcept", "vaccineCode", "type"]
                .iter()
                .find_map(|f| {
                    r[f]["text"]
                        .as_str()
                        .or(r[f]["coding"][0]["display"].as_str())
                        .or(r[f][0]["text"].as_str())
                })
                .unwrap_or("");
            human.push_str(&format!(
                "  {}  {name}\n",
                r["resourceType"].as_str().unwrap_or("?")
            ));
        }
    }
    out.print(
        human.trim_end(),
        json!({ "label": received.label, "status": received.status, "files": files }),
    );
    Ok(())
}
