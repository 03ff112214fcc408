//! Guardian recovery from the command line.
//!
//! - The patient: `guardians` (who, and any recovery of this wallet, which they can
//!   `cancel-recovery`), `set-guardians`, `remove-guardians`.
//! - A guardian: `guarding` (the shares it holds and what each patient's recovery asks),
//!   `approve-recovery` (with the device code the patient reads out), `decline-recovery`,
//!   `release-shares` (after the delay).
//! - The new device: `recover start`, `recover status`, `recover finish`.

use clap::{Args, Subcommand};
use medledger_types::recovery::DEFAULT_RECOVERY_DELAY_MS;
use medwallet_core::input::{self, display_address};
use medwallet_core::recovery::RecoveryView;
use medwallet_core::{GuardianChoice, describe_delay};
use medwallet_crypto::{KdfParams, ShareCode};
use medwallet_store::WalletDir;
use serde_json::{Value, json};

use crate::output::{Output, listing};
use crate::session::Context;

#[derive(Args)]
pub struct SetGuardiansArgs {
    /// Each guardian's share code (`medwallet share-code --for YOU` in their wallet).
    #[arg(required = true)]
    codes: Vec<String>,
    /// How many guardians must approve a recovery.
    #[arg(long)]
    threshold: u8,
    /// How long a recovery waits after the approvals (any device of yours can cancel it
    /// meanwhile): 72h unless you say otherwise; the chain sets the shortest.
    #[arg(long)]
    delay: Option<String>,
    /// How your guardians know you ("Ana, your sister"); sealed to them.
    #[arg(long)]
    name: String,
}

#[derive(Args)]
pub struct AnswerArgs {
    /// The patient's account (`medwallet guarding` lists them).
    #[arg(long)]
    account: String,
    /// The code the new device shows, as the patient reads it out to you.
    #[arg(long)]
    device_code: Option<String>,
}

#[derive(Subcommand)]
pub enum RecoverCommand {
    /// On a new device: ask your guardians to recover the wallet of ACCOUNT (a guardian's
    /// wallet shows it). Makes this wallet directory, under the password you give.
    Start {
        #[arg(long)]
        account: String,
    },
    /// Where the recovery stands.
    Status,
    /// Once the guardians released their shares: take the wallet back and move it to a new
    /// recovery phrase (printed once).
    Finish,
}

fn recovery_json(r: &RecoveryView, now_ms: u64) -> Value {
    json!({
        "account": display_address(&r.account),
        "device_code": r.device_code,
        "stage": r.stage(now_ms),
        "approvals": r.approvals,
        "declines": r.declines,
        "threshold": r.threshold,
        "guardians": r.guardians,
        "started_at_ms": r.started_at_ms,
        "effective_at_ms": r.effective_at_ms,
        "released": r.released,
    })
}

fn recovery_text(r: &RecoveryView, now_ms: u64) -> String {
    let stage = match r.stage(now_ms) {
        "waiting_for_approvals" => format!(
            "waiting for approvals ({} of {} guardians approved, {} declined)",
            r.approvals, r.threshold, r.declines
        ),
        "waiting_for_delay" => format!(
            "approved; takes effect in {}",
            describe_delay(r.effective_at_ms.unwrap_or(now_ms).saturating_sub(now_ms))
        ),
        "waiting_for_shares" => format!(
            "in effect; {} of {} shares released",
            r.released, r.threshold
        ),
        "ready" => "in effect; enough shares are released".into(),
        "cancelled" => "cancelled".into(),
        _ => "completed".into(),
    };
    format!("recovery to device {}: {stage}", r.device_code)
}

pub fn set_guardians(
    ctx: &Context<'_>,
    args: SetGuardiansArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let codes = args
        .codes
        .iter()
        .map(|c| {
            c.trim()
                .parse::<ShareCode>()
                .map_err(|_| anyhow::anyhow!("{c:?} is not a share code (mdwshare1…)"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let delay_ms = match &args.delay {
        Some(text) => input::delay(text)?,
        None => DEFAULT_RECOVERY_DELAY_MS.max(ctx.genesis()?.recovery_min_delay_ms),
    };
    let password = ctx.password.read()?;
    let phrase = WalletDir::new(ctx.wallet)
        .load_keystore()?
        .unlock(&password)?;
    let choice = GuardianChoice {
        codes,
        threshold: args.threshold,
        delay_ms,
        label: args.name,
    };
    let height = ctx.run(async |wallet, source| {
        wallet
            .set_guardians(source, &phrase, &choice, &mut rand::rng())
            .await
    })?;
    out.print(
        &format!(
            "Your {} guardians are named (height {height}): any {} of them can recover this wallet, {} after they approve. Each holds a share of your recovery phrase sealed to it; fewer than {} learn nothing from theirs.",
            choice.codes.len(),
            choice.threshold,
            describe_delay(delay_ms),
            choice.threshold
        ),
        json!({
            "guardians": choice.codes.len(),
            "threshold": choice.threshold,
            "delay_ms": delay_ms,
            "height": height,
        }),
    );
    Ok(())
}

pub fn remove_guardians(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    let height = ctx.run(async |wallet, source| wallet.remove_guardians(source).await)?;
    out.print(
        &format!("Your guardians are removed (height {height})."),
        json!({ "removed": true, "height": height }),
    );
    Ok(())
}

pub fn guardians(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    let (mine, now) =
        ctx.run(async |wallet, source| Ok((wallet.guardians(source).await?, wallet.now_ms())))?;
    let Some(mine) = mine else {
        out.print(
            "No guardians yet: `medwallet set-guardians --threshold K --name YOU CODE…`.",
            json!({ "guardians": [], "recovery": null }),
        );
        return Ok(());
    };
    let mut text = if mine.guardians.is_empty() {
        "No guardians.".to_owned()
    } else {
        format!(
            "{} of {} guardians recover this wallet, {} after they approve:\n{}",
            mine.threshold,
            mine.guardians.len(),
            describe_delay(mine.delay_ms),
            mine.guardians
                .iter()
                .map(|g| format!(
                    "  {}{}",
                    display_address(&g.account),
                    g.name
                        .as_ref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                ))
                .collect::<Vec<_>>()
                .join("\n")
        )
    };
    if let Some(r) = mine.recovery.as_ref().filter(|r| r.is_pending()) {
        text.push_str(&format!(
            "\n\nWARNING: a {}\nIf you did not ask for it, cancel it now: `medwallet cancel-recovery`.",
            recovery_text(r, now)
        ));
    }
    out.print(
        &text,
        json!({
            "guardians": mine.guardians.iter().map(|g| json!({
                "account": display_address(&g.account),
                "name": g.name,
            })).collect::<Vec<_>>(),
            "threshold": mine.threshold,
            "delay_ms": mine.delay_ms,
            "label": mine.label,
            "recovery": mine.recovery.as_ref().map(|r| recovery_json(r, now)),
        }),
    );
    Ok(())
}

pub fn cancel_recovery(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    let height = ctx.run(async |wallet, source| wallet.cancel_recovery(source).await)?;
    out.print(
        &format!("The recovery is cancelled (height {height}): nothing of it can take effect."),
        json!({ "cancelled": true, "height": height }),
    );
    Ok(())
}

pub fn guarding(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    let (duties, now) =
        ctx.run(async |wallet, source| Ok((wallet.guarding(source).await?, wallet.now_ms())))?;
    let text = listing(&duties, "You hold no recovery share.", |d| {
        let mut line = format!(
            "You hold a recovery share for {} (account {}; {} of {} guardians recover)",
            d.label,
            display_address(&d.patient),
            d.threshold,
            d.guardians
        );
        if let Some(r) = &d.recovery
            && r.is_pending()
        {
            line.push_str(&format!("\n  {}", recovery_text(r, now)));
            if d.asks_approval() {
                line.push_str(&format!(
                    "\n  Call them. Approve only if they read you this code from their new device: `medwallet approve-recovery --account {} --device-code CODE` (or decline-recovery)",
                    display_address(&d.patient)
                ));
            }
        }
        for access in &d.emergency_accesses {
            line.push_str(&format!(
                "\n  {} (their emergency set)",
                super::emergency::access_text(access)
            ));
        }
        line
    });
    out.print(
        &text,
        json!(
            duties
                .iter()
                .map(|d| json!({
                    "patient": display_address(&d.patient),
                    "label": d.label,
                    "account": d.account,
                    "threshold": d.threshold,
                    "guardians": d.guardians,
                    "approved": d.approved,
                    "declined": d.declined,
                    "released": d.released,
                    "asks_approval": d.asks_approval(),
                    "recovery": d.recovery.as_ref().map(|r| recovery_json(r, now)),
                    "emergency_accesses": d
                        .emergency_accesses
                        .iter()
                        .map(super::emergency::access_json)
                        .collect::<Vec<_>>(),
                }))
                .collect::<Vec<_>>()
        ),
    );
    Ok(())
}

pub fn answer(
    ctx: &Context<'_>,
    args: AnswerArgs,
    approve: bool,
    out: &Output,
) -> anyhow::Result<()> {
    let patient = input::account(&args.account)?;
    let code = match (&args.device_code, approve) {
        (Some(code), _) => code.clone(),
        (None, false) => String::new(),
        (None, true) => anyhow::bail!(
            "pass --device-code: the code the patient reads out from their new device"
        ),
    };
    let height = ctx.run(async |wallet, source| {
        wallet
            .answer_recovery(source, &patient, &code, approve)
            .await
    })?;
    let text = if approve {
        format!(
            "You approved the recovery (height {height}). After its delay, run `medwallet release-shares`."
        )
    } else {
        format!("You declined the recovery (height {height}).")
    };
    out.print(&text, json!({ "approved": approve, "height": height }));
    Ok(())
}

pub fn release_shares(ctx: &Context<'_>, out: &Output) -> anyhow::Result<()> {
    let released =
        ctx.run(async |wallet, source| wallet.release_shares(source, &mut rand::rng()).await)?;
    let names: Vec<String> = released.iter().map(display_address).collect();
    out.print(
        &listing(&names, "No share to release now.", |a| {
            format!("Released your share to the recovering device of {a}.")
        }),
        json!({ "released": names }),
    );
    Ok(())
}

pub fn recover(ctx: &Context<'_>, command: RecoverCommand, out: &Output) -> anyhow::Result<()> {
    let dir = WalletDir::new(ctx.wallet);
    match command {
        RecoverCommand::Start { account } => {
            let account = input::account(&account)?;
            if dir.recovering()? != Some(account) {
                let password = ctx.password.read_new()?;
                dir.begin_recovery(
                    &password,
                    KdfParams::RFC9106_SECOND,
                    &account,
                    &mut rand::rng(),
                )?;
            }
            let (height, code) =
                ctx.run(async |wallet, source| wallet.start_recovery(source, &account).await)?;
            out.print(
                &format!(
                    "Recovery asked (height {height}). Call your guardians and read each of them this device code:\n\n    {code}\n\nThey approve in their wallets; after the delay they release their shares. Then run `medwallet recover finish`."
                ),
                json!({ "height": height, "device_code": code, "account": display_address(&account) }),
            );
        }
        RecoverCommand::Status => {
            let account = recovering(&dir)?;
            let (view, now) = ctx.run(async |wallet, source| {
                Ok((wallet.recovery_of(source, &account).await?, wallet.now_ms()))
            })?;
            let view = view.ok_or_else(|| {
                anyhow::anyhow!("no recovery of that account yet: run `medwallet recover start`")
            })?;
            out.print(&recovery_text(&view, now), recovery_json(&view, now));
        }
        RecoverCommand::Finish => {
            let account = recovering(&dir)?;
            let phrase =
                ctx.run(async |wallet, source| wallet.recovered_phrase(source, &account).await)?;
            let password = ctx.password.read()?;
            dir.complete_recovery(
                &password,
                &phrase,
                KdfParams::RFC9106_SECOND,
                &mut rand::rng(),
            )?;
            eprintln!(
                "Recovered the wallet of {}. Moving it to a new recovery phrase…",
                display_address(&account)
            );
            super::rotation::rotate_keys(ctx, out)?;
        }
    }
    Ok(())
}

fn recovering(dir: &WalletDir) -> anyhow::Result<medledger_types::hash::Address> {
    dir.recovering()?.ok_or_else(|| {
        anyhow::anyhow!(
            "this wallet is not recovering an account (start with `medwallet recover start --account ACCOUNT`)"
        )
    })
}
