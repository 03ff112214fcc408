//! Pairwise accounts: a share code for each clinic (a fresh account of the wallet, registered
//! on the ledger), and the list of the wallet's accounts with what each holds.

use std::collections::BTreeSet;

use clap::Args;
use medledger_types::hash::Address;
use medwallet_core::accounts::display_name;
use medwallet_core::input::display_address;
use serde_json::json;

use crate::output::{Output, listing};
use crate::session::Context;

#[derive(Args)]
pub struct ShareCodeArgs {
    /// Who the code is for ("St Mary's"): kept in your wallet only, to tell your accounts
    /// apart.
    #[arg(long = "for", default_value = "")]
    label: String,
}

pub fn share_code(ctx: &Context<'_>, args: ShareCodeArgs, out: &Output) -> anyhow::Result<()> {
    let (relationship, code) = ctx.run(async |wallet, source| {
        wallet
            .new_relationship(source, &args.label, &mut rand::rng())
            .await
    })?;
    let address = code.address().to_string();
    let code = code.to_string();
    out.print(
        &format!(
            "Share code for {} (account {}, registered on the ledger):\n{code}\nGive it to that clinic only; make another for the next clinic.",
            if relationship.label.is_empty() {
                "a new clinic"
            } else {
                &relationship.label
            },
            relationship.account
        ),
        json!({
            "account": relationship.account,
            "label": relationship.label,
            "address": address,
            "share_code": code,
        }),
    );
    Ok(())
}

pub fn accounts(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    let rows = ctx.run(async |wallet, source| {
        let at = wallet.latest(source).await?;
        let records = wallet.records();
        let mut rows = Vec::new();
        for r in wallet.relationships() {
            let mine: Vec<_> = records.iter().filter(|x| x.account == r.account).collect();
            let clinics: BTreeSet<&str> = mine.iter().map(|x| x.clinic.as_str()).collect();
            let mut names = Vec::new();
            for clinic in clinics {
                let name = match Address::from_hex(clinic) {
                    Ok(a) => display_name(source, &at, &a).await?,
                    Err(_) => None,
                };
                names.push(name.unwrap_or_else(|| "unknown clinic".into()));
            }
            let code = wallet.share_code(r.account);
            rows.push((r, code, mine.len(), names));
        }
        Ok(rows)
    })?;
    let human = listing(
        &rows,
        "No accounts yet: run `medwallet share-code --for CLINIC`.",
        |(r, code, n, names)| {
            format!(
                "account {:<3} {:<20} {} record(s) from {}  {}",
                r.account,
                if r.label.is_empty() { "-" } else { &r.label },
                n,
                if names.is_empty() {
                    "no clinic yet".to_owned()
                } else {
                    names.join(", ")
                },
                display_address(&code.account())
            )
        },
    );
    let json: Vec<_> = rows
        .iter()
        .map(|(r, code, n, names)| {
            json!({
                "account": r.account,
                "label": r.label,
                "address": code.address().to_string(),
                "share_code": code.to_string(),
                "records": n,
                "clinics": names,
            })
        })
        .collect();
    out.print(&human, json!(json));
    Ok(())
}
