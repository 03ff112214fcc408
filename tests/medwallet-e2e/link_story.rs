//! The SMART Health Link story, across two programs: the patient makes a link with a passcode to
//! their allergies and medications in the desktop app (real webview); a receiver opens its
//! viewer URL in headless Chromium (through chromedriver), types a wrong passcode and sees the
//! attempts left, then the right one and sees the allergies; the patient revokes; the viewer
//! then says the link is no longer valid; the patient's link list shows each attempt by name.
//! Every step is a screenshot (the app's window from X, Chromium's page from WebDriver).

use super::*;

/// Headless Chromium (Debian's), driven by chromedriver on port 9515.
async fn browser() -> Result<Client> {
    let profile = PathBuf::from(env("MEDWALLET_E2E_WORK")?).join("chromium-profile");
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1100,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    ClientBuilder::rustls()?
        .capabilities(caps)
        .connect(&env("MEDWALLET_E2E_CHROMEDRIVER")?)
        .await
        .context("cannot reach chromedriver")
}

async fn browser_shot(b: &Client, name: &str) -> Result<()> {
    tokio::time::sleep(Duration::from_millis(300)).await;
    let png = b.screenshot().await?;
    let path = PathBuf::from(env("MEDWALLET_E2E_SCREENSHOTS")?).join(format!("{name}.png"));
    std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Opens the viewer at `url` and asks as "St Mary ED" with `passcode`.
async fn ask(b: &Client, url: &str, passcode: &str) -> Result<()> {
    b.goto("about:blank").await?;
    b.goto(url).await?;
    type_into(b, "viewer-recipient", "St Mary ED").await?;
    type_into(b, "viewer-passcode", passcode).await?;
    click(b, "viewer-open").await
}

pub async fn patient_shares_allergies_by_link_and_a_browser_opens_it(c: &Client) -> Result<()> {
    click(c, "nav-sharing").await?;
    click(c, "share-way-link").await?;
    // Allergies and medications are chosen to begin with.
    type_into(c, "link-label", "Allergies & meds").await?;
    type_into(c, "link-passcode", "4321").await?;
    click(c, "link-create").await?;
    let viewer_url = wait_for(c, &id("link-viewer-url"), Duration::from_secs(90))
        .await?
        .prop("value")
        .await?
        .context("the viewer URL")?;
    assert!(viewer_url.contains("/viewer#shlink:/"), "{viewer_url}");
    find(c, "link-qr").await?;
    shot(c, "07b-link-created").await?;

    let b = browser().await?;
    let story = async {
        ask(&b, &viewer_url, "0000").await?;
        let refused = wait_for(&b, &id("viewer-error"), Duration::from_secs(60))
            .await?
            .text()
            .await?;
        assert!(
            refused.contains("Wrong passcode") && refused.contains("9 attempts left"),
            "{refused}"
        );
        browser_shot(&b, "07c-viewer-wrong-passcode").await?;
        type_into(&b, "viewer-passcode", "4321").await?;
        click(&b, "viewer-open").await?;
        wait_for(
            &b,
            "[data-testid='fhir-resource'][data-resource-type='AllergyIntolerance']",
            Duration::from_secs(60),
        )
        .await?;
        assert!(
            b.find(Locator::Css(
                "[data-testid='fhir-resource'][data-resource-type='Observation']"
            ))
            .await
            .is_err(),
            "allergies and medications only"
        );
        browser_shot(&b, "07d-viewer-allergies").await?;

        // The patient revokes; the same viewer URL then says so.
        click(c, "link-revoke").await?;
        click(c, "link-revoke-confirm").await?;
        find(c, "link-revoke-notice").await?;
        shot(c, "07e-link-revoked").await?;
        ask(&b, &viewer_url, "4321").await?;
        wait_for(&b, &id("viewer-not-active"), Duration::from_secs(60)).await?;
        browser_shot(&b, "07f-viewer-no-longer-valid").await?;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    let _ = b.close().await;
    story?;

    // Each attempt is in the patient's list, from the ledger: the wrong passcode and the
    // opening, by the name the receiver gave (the one after revocation was refused unrecorded).
    click(c, "share-way-doctor").await?;
    click(c, "share-way-link").await?;
    let item = wait_for(
        c,
        "[data-testid='link-item'][data-status='revoked']",
        Duration::from_secs(30),
    )
    .await?;
    c.execute(
        "arguments[0].scrollIntoView({block: 'center'})",
        vec![serde_json::to_value(&item)?],
    )
    .await?;
    let log = item.text().await?;
    assert!(
        log.contains("Opened by “St Mary ED”") && log.contains("Wrong passcode by “St Mary ED”"),
        "{log}"
    );
    shot(c, "07g-link-access-log").await?;
    Ok(())
}
