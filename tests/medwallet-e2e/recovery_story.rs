//! Guardian recovery, in the real webview. The patient names three guardians: the demo doctor
//! (whose desktop wallet answers as a guardian) and two people whose wallets are the CLI's.
//! The words are lost: a fresh profile asks to recover the account and shows a device code;
//! the patient's own wallet shows the pending recovery in red, with a cancel button; the doctor
//! approves after typing the code, a CLI guardian too; after the delay (the local devnet's
//! genesis shortens it to seconds) both release their shares, and the new device takes the
//! wallet back under new words, with its records.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

/// A guardian whose wallet is the command-line one.
pub(super) struct CliGuardian {
    wallet: PathBuf,
}

fn medwallet(wallet: &Path, args: &[&str]) -> Result<serde_json::Value> {
    let app = PathBuf::from(env("MEDWALLET_E2E_APP")?);
    let bin = app.with_file_name("medwallet");
    let out = Command::new(&bin)
        .arg("--wallet")
        .arg(wallet)
        .args(args)
        .arg("--json")
        .env("MEDWALLET_PASSWORD", "guardian password 1")
        .output()
        .with_context(|| format!("running {}", bin.display()))?;
    if !out.status.success() {
        bail!(
            "medwallet {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

impl CliGuardian {
    /// A registered wallet with a share code made for the patient.
    fn new(name: &str) -> Result<(Self, String)> {
        let wallet = PathBuf::from(env("MEDWALLET_E2E_WORK")?).join(name);
        let genesis = env("MEDWALLET_GENESIS")?;
        medwallet(&wallet, &["init"])?;
        medwallet(&wallet, &["register", "--genesis", &genesis])?;
        let code = medwallet(&wallet, &["share-code", "--for", "Ned"])?;
        let code = code["share_code"]
            .as_str()
            .context("share code")?
            .to_owned();
        Ok((Self { wallet }, code))
    }

    /// The account it guards (as its wallet shows it to the patient who lost the words).
    fn patient(&self) -> Result<String> {
        let held = medwallet(&self.wallet, &["guarding"])?;
        Ok(held[0]["patient"].as_str().context("patient")?.to_owned())
    }

    fn approve(&self, patient: &str, code: &str) -> Result<()> {
        medwallet(
            &self.wallet,
            &[
                "approve-recovery",
                "--account",
                patient,
                "--device-code",
                code,
            ],
        )?;
        Ok(())
    }

    /// Releases its share once the recovery is in effect (waits for the delay).
    async fn release(&self) -> Result<()> {
        let start = Instant::now();
        loop {
            let released = medwallet(&self.wallet, &["release-shares"])?;
            if released["released"]
                .as_array()
                .is_some_and(|r| !r.is_empty())
            {
                return Ok(());
            }
            if start.elapsed() > Duration::from_secs(90) {
                bail!("the guardian never released its share");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// Two CLI guardians and the doctor, 2 of 3, the devnet's shortest delay.
pub(super) async fn patient_names_three_guardians(c: &Client) -> Result<CliGuardian> {
    let (sister, sister_code) = CliGuardian::new("guardian-sister")?;
    let (_friend, friend_code) = CliGuardian::new("guardian-friend")?;
    let doctor_code = env("MEDWALLET_E2E_DOCTOR_CODE")?;
    click(c, "nav-settings").await?;
    find(c, "guardians-none").await?;
    type_into(
        c,
        "guardian-codes",
        // Spaces separate codes as well as new lines (WebDriver's keys lose new lines here).
        &format!("{sister_code} {doctor_code} {friend_code}"),
    )
    .await?;
    type_into(c, "guardian-threshold", "2").await?;
    let delay = find(c, "guardian-delay").await?;
    // The first option is the chain's shortest (seconds, on this devnet).
    delay.find(Locator::Css("option")).await?.click().await?;
    type_into(c, "guardian-label", "Ned").await?;
    type_into(c, "guardian-password", PASSWORD).await?;
    click(c, "guardians-save").await?;
    let summary = wait_for(c, &id("guardians-summary"), Duration::from_secs(60))
        .await?
        .text()
        .await?;
    assert!(
        summary.contains("Any 2 of these 3 can recover your wallet, 5 seconds after"),
        "{summary}"
    );
    let list = find(c, "guardian-list").await?.text().await?;
    assert!(
        list.contains("Meredith Grey"),
        "the doctor is named: {list}"
    );
    let card = find(c, "guardians").await?;
    c.execute(
        "arguments[0].scrollIntoView({ block: 'start' });",
        vec![serde_json::to_value(&card)?],
    )
    .await?;
    shot(c, "18-guardians").await?;
    Ok(sister)
}

/// A fresh profile asks; returns the device code it shows.
pub(super) async fn a_new_device_asks_to_recover(c: &Client, patient: &str) -> Result<String> {
    click(c, "recover-wallet").await?;
    type_into(c, "recovery-account", patient).await?;
    type_into(c, "password", PASSWORD).await?;
    type_into(c, "password-confirm", PASSWORD).await?;
    click(c, "recovery-start").await?;
    let code = wait_for(c, &id("recovery-device-code"), Duration::from_secs(60))
        .await?
        .text()
        .await?;
    wait_for(
        c,
        "[data-testid='recovery-stage'][data-stage='waiting_for_approvals']",
        Duration::from_secs(60),
    )
    .await?;
    shot(c, "19-recover-device-code").await?;
    Ok(code.trim().to_owned())
}

/// The patient's own wallet (still holding the words) sees it in red, with a cancel button.
pub(super) async fn patient_sees_the_pending_recovery(c: &Client, code: &str) -> Result<()> {
    type_into(c, "unlock-password", PASSWORD).await?;
    click(c, "unlock-submit").await?;
    click(c, "nav-settings").await?;
    let alert = find(c, "recovery-pending").await?.text().await?;
    assert!(alert.contains(code), "the alert names the device: {alert}");
    find(c, "recovery-cancel").await?;
    shot(c, "20-recovery-pending").await?;
    Ok(())
}

/// The doctor, as a guardian: types the code the patient read out, approves, and once the
/// delay passed releases the share (opening the page again does).
pub(super) async fn doctor_approves_as_a_guardian(c: &Client, code: &str) -> Result<()> {
    type_into(c, "unlock-password", DOCTOR_PASSWORD).await?;
    click(c, "unlock-submit").await?;
    click(c, "nav-settings").await?;
    let request = wait_for(c, &id("guardian-request"), Duration::from_secs(60))
        .await?
        .text()
        .await?;
    assert!(request.contains("Ned asks to recover"), "{request}");
    type_into(c, "guardian-device-code", code).await?;
    shot(c, "21-guardian-request").await?;
    click(c, "guardian-approve").await?;
    find(c, "guardian-answered").await?;
    let start = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        click(c, "guardian-refresh").await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let answered = find(c, "guardian-answered").await?.text().await?;
        if answered.contains("You released your share") {
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            bail!("the doctor's share was never released: {answered:?}");
        }
    }
    shot(c, "21b-guardian-released").await?;
    Ok(())
}

/// The new device, once enough shares are out: takes the wallet back, new words typed back,
/// and the records are there, every one of them readable.
pub(super) async fn the_new_device_takes_the_wallet_back(c: &Client) -> Result<()> {
    type_into(c, "unlock-password", PASSWORD).await?;
    click(c, "unlock-submit").await?;
    let start = Instant::now();
    while c
        .find(Locator::Css(
            "[data-testid='recovery-stage'][data-stage='ready']",
        ))
        .await
        .is_err()
    {
        if start.elapsed() > Duration::from_secs(60) {
            bail!("the recovery never became ready");
        }
        if let Ok(check) = c.find(Locator::Css(&id("recovery-check"))).await {
            check.click().await?;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    shot(c, "22-recovery-ready").await?;
    type_into(c, "recovery-finish-password", PASSWORD).await?;
    click(c, "recovery-finish").await?;
    wait_for(c, &id("recovery-done"), Duration::from_secs(180)).await?;
    type_back_recovery_words(c, "22b-recovered-new-words", "22c-recovered-confirm").await?;
    click(c, "nav-home").await?;
    let start = Instant::now();
    while all(c, "record-item").await?.len() < 3 {
        if start.elapsed() > Duration::from_secs(60) {
            bail!("the recovered wallet shows no records");
        }
        click(c, "sync-button").await?;
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    // Every record opens under the new keys: the recovery rewrapped them all.
    assert!(
        all(c, "unreadable-note").await?.is_empty(),
        "the recovered wallet shows records it cannot open"
    );
    assert!(
        c.find(Locator::Css(&id("unreadable-report")))
            .await
            .is_err()
    );
    shot(c, "22d-recovered-home").await?;
    Ok(())
}

/// The whole recovery, across the profiles.
pub(super) async fn story() -> Result<()> {
    let mut sister = None;
    session("app-patient", async |c| {
        type_into(c, "unlock-password", PASSWORD).await?;
        click(c, "unlock-submit").await?;
        sister = Some(patient_names_three_guardians(c).await?);
        Ok(())
    })
    .await?;
    let sister = sister.context("guardians named")?;
    let patient = sister.patient()?;
    let mut code = String::new();
    session("app-recovered", async |c| {
        code = a_new_device_asks_to_recover(c, &patient).await?;
        Ok(())
    })
    .await?;
    session("app-patient", async |c| {
        patient_sees_the_pending_recovery(c, &code).await
    })
    .await?;
    sister.approve(&patient, &code)?;
    session("app-doctor", async |c| {
        doctor_approves_as_a_guardian(c, &code).await
    })
    .await?;
    sister.release().await?;
    session("app-recovered", the_new_device_takes_the_wallet_back).await
}
