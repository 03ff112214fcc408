//! Erasure: `erase` records, `close-account`, and `erasures` (what was erased and which nodes
//! deleted it, by proof). Both writes need `--yes`, after the notice of what stays.

use clap::Args;
use medledger_types::hash::{Address, RecordId};
use medwallet_core::erasure::ERASURE_NOTICE;
use serde_json::json;

use crate::output::{Output, listing};
use crate::session::Context;

#[derive(Args)]
pub struct EraseArgs {
    /// Record ids to erase.
    #[arg(required = true)]
    records: Vec<String>,
    /// Erase for good (without it, the command only says what erasing does).
    #[arg(long)]
    yes: bool,
}

#[derive(Args)]
pub struct CloseArgs {
    /// The account to close (`medwallet accounts` lists them).
    #[arg(long)]
    account: u32,
    /// Close for good: revokes its grants and erases every record of it.
    #[arg(long)]
    yes: bool,
}

fn confirmed(yes: bool) -> anyhow::Result<()> {
    if yes {
        Ok(())
    } else {
        anyhow::bail!("{ERASURE_NOTICE}\nNothing was erased: pass --yes to erase.")
    }
}

pub fn erase(ctx: &Context<'_>, args: EraseArgs, out: &Output) -> anyhow::Result<()> {
    let ids = args
        .records
        .iter()
        .map(|r| RecordId::from_hex(r).map_err(|_| anyhow::anyhow!("{r:?} is not a record id")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    confirmed(args.yes)?;
    let erased =
        ctx.run(async |wallet, source| wallet.erase_records(source, &ids, &mut rand::rng()).await)?;
    out.print(
        &format!(
            "Erased {} record(s) at height {} ({} link(s) that held them revoked). Each node deletes its copy; `medwallet erasures` shows which did.\n{ERASURE_NOTICE}",
            erased.records, erased.height, erased.links_revoked
        ),
        json!({
            "erased": erased.records,
            "links_revoked": erased.links_revoked,
            "height": erased.height,
            "notice": ERASURE_NOTICE,
        }),
    );
    Ok(())
}

pub fn close_account(ctx: &Context<'_>, args: CloseArgs, out: &Output) -> anyhow::Result<()> {
    confirmed(args.yes)?;
    let closed = ctx.run(async |wallet, source| {
        wallet
            .close_account(source, args.account, &mut rand::rng())
            .await
    })?;
    out.print(
        &format!(
            "Closed account {}: {} grant(s) revoked, {} record(s) erased, {} link(s) revoked; nothing can be issued to it again.\n{ERASURE_NOTICE}",
            args.account, closed.grants_revoked, closed.records, closed.links_revoked
        ),
        json!({
            "account": args.account,
            "grants_revoked": closed.grants_revoked,
            "erased": closed.records,
            "links_revoked": closed.links_revoked,
            "height": closed.height,
        }),
    );
    Ok(())
}

pub fn erasures(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    let validators: Vec<Address> = ctx
        .genesis()?
        .validators
        .keys()
        .iter()
        .map(Address::of)
        .collect();
    // Nodes by their place in the genesis ("node 2"), as the access log names them.
    let node = |a: &Address| {
        validators
            .iter()
            .position(|v| v == a)
            .map_or_else(|| a.to_hex(), |i| format!("node {}", i + 1))
    };
    let (_, erasures) = ctx.run(async |wallet, source| wallet.erasures(source).await)?;
    let human = listing(&erasures, "No record was erased.", |e| {
        let by: Vec<String> = e.receipts.iter().map(|r| node(&r.node)).collect();
        format!(
            "record {} (account {}) erased at height {}; deleted by {} of {} node(s){}",
            e.record,
            e.account,
            e.erased.erased_height,
            e.receipts.len(),
            validators.len(),
            if by.is_empty() {
                String::new()
            } else {
                format!(": {}", by.join(", "))
            }
        )
    });
    let json: Vec<_> = erasures
        .iter()
        .map(|e| {
            json!({
                "record": e.record.to_hex(),
                "account": e.account,
                "erased_height": e.erased.erased_height,
                "erased_at_ms": e.erased.erased_at_ms,
                "ciphertext_sha256": e.erased.ciphertext_sha256.to_hex(),
                "deleted_by": e.receipts.iter().map(|r| json!({
                    "node": node(&r.node),
                    "address": r.node.to_hex(),
                    "height": r.height,
                    "at_ms": r.at_ms,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    out.print(&human, json!(json));
    Ok(())
}
