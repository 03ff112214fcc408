//! The desktop wallet in its real webview (WebKitGTK, driven through tauri-driver), against a
//! local 4-validator devnet with a demo clinic and a demo doctor. `make e2e` (part of
//! `make test`) sets everything up and runs this; each main screen is saved as a PNG under
//! `target/screenshots/`.
//!
//! The story: on the welcome screen, "Join from another device" reads a device code from a
//! picture of its QR code; then a patient creates a wallet (24 words, confirmed), receives records from the demo
//! clinic without pressing Sync (the window and a desktop notification say so), opens a visit with lab values and sees them charted, searches the records for a test
//! and finds and opens one by keyboard alone, shows their card, grants the
//! doctor the lab results category (after reading My summary), shares allergies and medications
//! by a SMART Health Link that headless Chromium opens (`link_story`), checks sync status and settings, adds a node that forges
//! certificates and sees the red banner name it, locks and unlocks. The doctor
//! restores their wallet from words on a fresh profile and opens a shared visit. The patient
//! sees the doctor's fetch in the access log and revokes; the doctor is then refused. Last, the
//! patient erases a record and sees every node delete it, then moves to new keys
//! (`lifecycle_story`), names three guardians, and a fresh profile recovers the wallet with two
//! of them after the delay while the patient's own wallet shows the pending recovery in red
//! (`recovery_story`). Last, the recovered wallet prepares an emergency set; the doctor breaks
//! the glass with its code and reads the allergies; the patient sees the access in red
//! (`emergency_story`). Every screen saved is also checked by axe-core (`accessibility`): the
//! story fails on any serious or critical WCAG 2.1 A/AA violation.

mod accessibility;
mod emergency_story;
mod lifecycle_story;
mod link_story;
mod recovery_story;
mod screen;
mod single_instance;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const PASSWORD: &str = "patient password 1";
const DOCTOR_PASSWORD: &str = "doctor password 1";
/// How the patient asks the doctor to know them (sealed in the grant's terms).
const PATIENT_LABEL: &str = "Ned Hintz, born 1961";

fn env(name: &str) -> Result<String> {
    std::env::var(name).with_context(|| format!("{name} is not set: run `make e2e`"))
}

/// A session of the app on its own wallet directory.
async fn launch(profile: &str) -> Result<Client> {
    let home = PathBuf::from(env("MEDWALLET_E2E_WORK")?).join(profile);
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        json!({ "application": env("MEDWALLET_E2E_APP")?, "args": ["--home", home] }),
    );
    caps.insert("browserName".into(), json!("wry"));
    let client = ClientBuilder::rustls()?
        .capabilities(caps)
        .connect("http://127.0.0.1:4444")
        .await
        .context("cannot reach tauri-driver on port 4444")?;
    Ok(client)
}

/// What the desktop's notification service was asked to show (scripts/notification_recorder.py,
/// one JSON object per line).
fn desktop_notifications() -> Result<Vec<serde_json::Value>> {
    let path = env("MEDWALLET_E2E_NOTIFICATIONS")?;
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    text.lines()
        .map(|line| serde_json::from_str(line).with_context(|| format!("{path}: {line}")))
        .collect()
}

fn id(test_id: &str) -> String {
    format!("[data-testid='{test_id}']")
}

/// Waits for an element (the UI updates after async commands).
async fn find(c: &Client, test_id: &str) -> Result<Element> {
    wait_for(c, &id(test_id), Duration::from_secs(30)).await
}

async fn wait_for(c: &Client, css: &str, limit: Duration) -> Result<Element> {
    let start = Instant::now();
    loop {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            return Ok(e);
        }
        if start.elapsed() > limit {
            bail!("{css} did not appear within {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn all(c: &Client, test_id: &str) -> Result<Vec<Element>> {
    Ok(c.find_all(Locator::Css(&id(test_id))).await?)
}

async fn click(c: &Client, test_id: &str) -> Result<()> {
    find(c, test_id).await?.click().await?;
    Ok(())
}

async fn type_into(c: &Client, test_id: &str, text: &str) -> Result<()> {
    let e = find(c, test_id).await?;
    e.clear().await?;
    e.send_keys(text).await?;
    Ok(())
}

/// Saves a screenshot of the app's window after the DOM settles, and checks the screen's
/// accessibility (see `accessibility`).
async fn shot(c: &Client, name: &str) -> Result<()> {
    tokio::time::sleep(Duration::from_millis(600)).await;
    if !name.starts_with("failure-") {
        accessibility::check(c, name).await?;
    }
    let (x, y, width, height) = c.get_window_rect().await?;
    let png = screen::capture_png(Some(screen::Area {
        x: x as i16,
        y: y as i16,
        width: width as u16,
        height: height as u16,
    }))?;
    let path = PathBuf::from(env("MEDWALLET_E2E_SCREENSHOTS")?).join(format!("{name}.png"));
    std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Reads the 24 recovery words shown, then types back the ones asked for (screenshots of both
/// steps): a new wallet's, and the new phrase after moving to new keys.
async fn type_back_recovery_words(c: &Client, words_shot: &str, confirm_shot: &str) -> Result<()> {
    let mut words = Vec::new();
    for e in all(c, "recovery-word").await? {
        let position: usize = e
            .attr("data-position")
            .await?
            .context("position")?
            .parse()?;
        words.push((position, e.text().await?.trim().to_owned()));
    }
    assert_eq!(words.len(), 24, "24 recovery words are shown");
    shot(c, words_shot).await?;
    click(c, "words-written").await?;
    find(c, "confirm-word").await?;
    for input in all(c, "confirm-word").await? {
        let position: usize = input
            .attr("data-position")
            .await?
            .context("position")?
            .parse()?;
        let word = &words
            .iter()
            .find(|(p, _)| *p == position)
            .context("word")?
            .1;
        input.send_keys(word).await?;
    }
    shot(c, confirm_shot).await?;
    click(c, "confirm-submit").await
}

/// A picture of the QR code of `code` (PNG, greyscale, 8 pixels a module), written to `path`.
fn write_join_qr(path: &std::path::Path, code: &str) -> Result<()> {
    let qr = qrcode::QrCode::new(format!("medwallet:join:{code}").as_bytes())?;
    let modules = qr.width();
    let side = (modules + 8) * 8;
    let mut luma = vec![255u8; side * side];
    for (i, color) in qr.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = ((i % modules + 4) * 8, (i / modules + 4) * 8);
            for row in y..y + 8 {
                luma[row * side + x..row * side + x + 8].fill(0);
            }
        }
    }
    let mut encoder = png::Encoder::new(std::fs::File::create(path)?, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(&luma)?;
    Ok(())
}

/// On the welcome screen, "Join from another device" reads the code from a picture of its QR
/// (the webview decodes it, the Rust side finds the code), then goes back.
async fn a_join_code_is_read_from_a_picture_of_its_qr(c: &Client) -> Result<()> {
    click(c, "join-wallet").await?;
    let code = "31874-ocean-velvet-ranch";
    let picture = std::env::temp_dir().join(format!("medwallet-join-{}.png", std::process::id()));
    write_join_qr(&picture, code)?;
    find(c, "join-picture")
        .await?
        .send_keys(&picture.display().to_string())
        .await?;
    let start = Instant::now();
    loop {
        let value = find(c, "join-code").await?.prop("value").await?;
        if value.as_deref() == Some(code) {
            break;
        }
        if start.elapsed() > Duration::from_secs(20) {
            bail!("the code was not read from the picture (field: {value:?})");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    shot(c, "00-join-code-from-a-picture").await?;
    let _ = std::fs::remove_file(&picture);
    c.find(Locator::XPath("//button[normalize-space()='Back']"))
        .await?
        .click()
        .await?;
    Ok(())
}

async fn patient_creates_a_wallet_and_receives_records(c: &Client) -> Result<()> {
    find(c, "create-wallet").await?;
    a_join_code_is_read_from_a_picture_of_its_qr(c).await?;
    find(c, "create-wallet").await?;
    shot(c, "01-welcome").await?;
    click(c, "create-wallet").await?;
    type_into(c, "password", PASSWORD).await?;
    type_into(c, "password-confirm", PASSWORD).await?;
    click(c, "create-submit").await?;
    wait_for(c, &id("recovery-word"), Duration::from_secs(60)).await?;
    type_back_recovery_words(c, "02-recovery-words", "02b-confirm-words").await?;
    find(c, "nav-home").await?;
    // The demo clinic issues as soon as the registration is final. Nobody presses Sync: the app
    // follows the ledger's announcements and syncs by itself, says so in the window, and has the
    // desktop notify.
    let start = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        // The demo clinic issues the history, then the allergy list: wait for both.
        let allergies = c
            .find_all(Locator::Css(
                "[data-testid='record-item'][data-category='allergies']",
            ))
            .await?;
        if all(c, "record-item").await?.len() >= 3 && !allergies.is_empty() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            bail!("no records arrived from the demo clinic within 2 minutes without pressing Sync");
        }
    }
    assert!(
        !all(c, "verified-badge").await?.is_empty(),
        "records carry the verified badge"
    );
    let notice = find(c, "records-arrived").await?.text().await?;
    assert!(
        notice.contains("new record") && notice.contains("from Demo Clinic"),
        "the window says what arrived: {notice:?}"
    );
    // The notification goes window → plugin → D-Bus → the recorder: give it a moment.
    let told = |n: &serde_json::Value| {
        n["summary"] == "Medwallet"
            && n["body"]
                .as_str()
                .is_some_and(|b| b.contains("new record") && b.ends_with("from Demo Clinic"))
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut shown = desktop_notifications()?;
    while !shown.iter().any(told) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        shown = desktop_notifications()?;
    }
    assert!(
        shown.iter().any(told),
        "the desktop was told what arrived: {shown:?}"
    );
    shot(c, "03-home-timeline").await?;
    Ok(())
}

async fn patient_opens_a_record_with_a_lab_chart(c: &Client) -> Result<()> {
    let count = all(c, "record-item").await?.len();
    for i in 0..count {
        let item = all(c, "record-item").await?.remove(i);
        item.click().await?;
        find(c, "record-view").await?;
        tokio::time::sleep(Duration::from_millis(800)).await;
        if !all(c, "lab-chart").await?.is_empty() {
            assert!(
                !all(c, "fhir-resource").await?.is_empty(),
                "resources rendered for people"
            );
            shot(c, "04-record-view").await?;
            let chart = find(c, "lab-chart").await?;
            c.execute(
                "arguments[0].scrollIntoView({ block: 'center' });",
                vec![serde_json::to_value(&chart)?],
            )
            .await?;
            shot(c, "04b-lab-chart").await?;
            click(c, "raw-json-toggle").await?;
            let raw = find(c, "raw-json").await?.text().await?;
            assert!(
                raw.contains("\"resourceType\""),
                "raw JSON is one click away"
            );
            shot(c, "05-record-raw-json").await?;
            click(c, "back-button").await?;
            find(c, "record-item").await?;
            return Ok(());
        }
        click(c, "back-button").await?;
        find(c, "record-item").await?;
    }
    bail!("no record showed a lab chart")
}

/// Search across records: a test's name finds the visits that measured it, from the records'
/// content (decrypted on the device), not only their titles.
async fn patient_searches_records_for_a_test(c: &Client) -> Result<()> {
    type_into(c, "record-search", "hemoglobin").await?;
    let results = wait_for(c, "[data-testid=search-results]", Duration::from_secs(20)).await?;
    let hits = results
        .find_all(Locator::Css("[data-testid=search-hit]"))
        .await?;
    assert!(!hits.is_empty(), "hemoglobin is measured in Ned's history");
    let text = results.text().await?;
    assert!(
        text.contains("Test: Hemoglobin [Mass/volume] in Blood"),
        "matched by the test's name: {text}"
    );
    shot(c, "04c-search").await?;
    let field = find(c, "record-search").await?;
    // WebDriver's Backspace key, once per letter typed: the timeline comes back.
    field
        .send_keys(&"\u{E003}".repeat("hemoglobin".len()))
        .await?;
    wait_for(
        c,
        "[data-testid=day-label], section.day",
        Duration::from_secs(10),
    )
    .await?;
    Ok(())
}

/// The main story by keyboard alone: Tab reaches the search field, typing searches, Tab reaches
/// a result, Enter opens it, and the back button is reached and pressed the same way.
async fn patient_finds_and_opens_a_record_by_keyboard(c: &Client) -> Result<()> {
    const TAB: &str = "\u{E004}";
    const ENTER: &str = "\u{E007}";
    /// Presses Tab until the focused element has `test_id` (at most 60 presses).
    async fn tab_to(c: &Client, test_id: &str) -> Result<()> {
        for _ in 0..60 {
            let focused = c.active_element().await?;
            if focused.attr("data-testid").await?.as_deref() == Some(test_id) {
                return Ok(());
            }
            focused.send_keys(TAB).await?;
        }
        bail!("Tab never reached {test_id}")
    }
    c.execute(
        "document.activeElement && document.activeElement.blur();",
        vec![],
    )
    .await?;
    tab_to(c, "record-search").await?;
    c.active_element().await?.send_keys("hemoglobin").await?;
    wait_for(c, "[data-testid=search-hit]", Duration::from_secs(20)).await?;
    tab_to(c, "record-item").await?;
    c.active_element().await?.send_keys(ENTER).await?;
    find(c, "record-view").await?;
    shot(c, "04d-opened-by-keyboard").await?;
    c.execute(
        "document.activeElement && document.activeElement.blur();",
        vec![],
    )
    .await?;
    tab_to(c, "back-button").await?;
    c.active_element().await?.send_keys(ENTER).await?;
    let field = find(c, "record-search").await?;
    field
        .send_keys(&"\u{E003}".repeat("hemoglobin".len()))
        .await?;
    wait_for(c, "section.day", Duration::from_secs(10)).await?;
    Ok(())
}

/// My summary: the IPS built from the verified records, with the demo clinic's allergy list
/// (each entry naming its clinic and verified height).
async fn patient_reads_the_summary(c: &Client) -> Result<()> {
    click(c, "nav-summary").await?;
    let allergies = wait_for(
        c,
        "[data-testid='summary-section'][data-key='allergies'] [data-testid='summary-entry']",
        Duration::from_secs(60),
    )
    .await?
    .text()
    .await?;
    assert!(
        allergies.contains("verified at ledger height"),
        "an entry names its provenance: {allergies}"
    );
    let text = find(c, "summary-section").await?.text().await?;
    assert!(
        text.contains("Problems"),
        "the problems section comes first: {text}"
    );
    shot(c, "05c-my-summary").await?;
    click(c, "export-records").await?;
    let exported = wait_for(c, &id("export-result"), Duration::from_secs(60))
        .await?
        .text()
        .await?;
    assert!(exported.contains(".zip"), "{exported}");
    shot(c, "05d-exported").await?;
    Ok(())
}

async fn patient_shows_card_and_grants_the_doctor(c: &Client) -> Result<()> {
    click(c, "nav-card").await?;
    let code = find(c, "my-share-code").await?.text().await?;
    assert!(
        code.trim().starts_with("mdwshare1"),
        "share code shown: {code}"
    );
    find(c, "qr-code").await?;
    shot(c, "06-my-card").await?;
    // A code of its own for a second clinic: a fresh account, registered on the ledger.
    type_into(c, "clinic-code-label", "Harbour Sexual Health").await?;
    click(c, "new-clinic-code").await?;
    let second = wait_for(c, &id("new-share-code"), Duration::from_secs(60))
        .await?
        .text()
        .await?;
    assert!(
        second.trim().starts_with("mdwshare1") && second.trim() != code.trim(),
        "a second, different share code: {second}"
    );
    let listed = c
        .find_all(Locator::Css("[data-testid='clinic-code']"))
        .await?;
    assert_eq!(listed.len(), 2, "both codes are listed");
    shot(c, "06b-a-code-per-clinic").await?;
    click(c, "nav-sharing").await?;
    type_into(c, "grant-doctor-input", &env("MEDWALLET_E2E_DOCTOR_CODE")?).await?;
    click(c, "lookup-doctor").await?;
    let info = find(c, "doctor-info").await?.text().await?;
    assert!(
        info.contains("Meredith Grey"),
        "the doctor's verified name: {info}"
    );
    click(c, "scope-category").await?;
    find(c, "grant-category")
        .await?
        .select_by_value("labs")
        .await?;
    // How the doctor is to know the patient: sealed to the doctor, never on the ledger.
    type_into(c, "grant-label", PATIENT_LABEL).await?;
    click(c, "grant-submit").await?;
    wait_for(c, &id("grant-result"), Duration::from_secs(60)).await?;
    wait_for(
        c,
        "[data-testid='grant-item'][data-status='active']",
        Duration::from_secs(30),
    )
    .await?;
    shot(c, "07-sharing-granted").await?;
    Ok(())
}

/// Text for a textarea, one line each: WebDriver types a line break as the Enter key (a bare
/// "\n" is dropped, and the lines would run together).
fn typed_lines(text: &str) -> String {
    text.lines()
        .collect::<Vec<_>>()
        .join(&char::from(fantoccini::key::Key::Enter).to_string())
}

/// The patient adds a node that forges certificates (scripts/lying_node.py): the sync still
/// succeeds from the honest nodes, and the red banner names the liar on every screen. Then the
/// patient removes it again.
async fn a_lying_node_is_caught_and_named(c: &Client) -> Result<()> {
    let liar = env("MEDWALLET_E2E_LIAR")?;
    let nodes = find(c, "settings-nodes").await?;
    let honest = nodes.prop("value").await?.context("node list")?;
    type_into(
        c,
        "settings-nodes",
        &typed_lines(&format!("{}\n{liar}", honest.trim())),
    )
    .await?;
    click(c, "settings-save").await?;
    find(c, "settings-saved").await?;
    click(c, "nav-sync").await?;
    click(c, "sync-now").await?;
    let banner = match find(c, "lying-banner").await {
        Ok(banner) => banner.text().await?,
        Err(e) => {
            shot(c, "failed-no-lying-banner").await?;
            return Err(e);
        }
    };
    assert!(
        banner.contains(&liar),
        "the banner names the lying node: {banner}"
    );
    shot(c, "08b-lying-node-banner").await?;
    click(c, "nav-home").await?;
    find(c, "lying-banner").await?;
    find(c, "record-item").await?;
    click(c, "nav-settings").await?;
    type_into(c, "settings-nodes", &typed_lines(honest.trim())).await?;
    click(c, "settings-save").await?;
    find(c, "settings-saved").await?;
    Ok(())
}

async fn patient_checks_sync_and_settings_then_locks(c: &Client) -> Result<()> {
    click(c, "nav-sync").await?;
    find(c, "node-item").await?;
    find(c, "verified-height").await?;
    shot(c, "08-sync-status").await?;
    click(c, "nav-settings").await?;
    find(c, "settings-nodes").await?;
    shot(c, "09-settings").await?;
    a_lying_node_is_caught_and_named(c).await?;
    click(c, "lock-button").await?;
    find(c, "unlock-password").await?;
    shot(c, "10-locked").await?;
    type_into(c, "unlock-password", "not my password").await?;
    click(c, "unlock-submit").await?;
    let error = find(c, "error").await?.text().await?;
    assert!(
        error.to_lowercase().contains("password"),
        "wrong password explained: {error}"
    );
    type_into(c, "unlock-password", PASSWORD).await?;
    click(c, "unlock-submit").await?;
    find(c, "nav-home").await?;
    Ok(())
}

async fn doctor_restores_on_a_fresh_profile_and_opens_a_shared_visit(c: &Client) -> Result<()> {
    click(c, "restore-wallet").await?;
    let words = std::fs::read_to_string(env("MEDWALLET_E2E_DOCTOR_WORDS")?)?;
    type_into(c, "restore-words", words.trim()).await?;
    type_into(c, "password", DOCTOR_PASSWORD).await?;
    type_into(c, "password-confirm", DOCTOR_PASSWORD).await?;
    shot(c, "11a-restore-from-words").await?;
    click(c, "restore-submit").await?;
    click(c, "nav-shared").await?;
    wait_for(
        c,
        "[data-testid='shared-item'][data-status='active']",
        Duration::from_secs(60),
    )
    .await?
    .click()
    .await?;
    find(c, "record-view").await?;
    find(c, "fhir-resource").await?;
    shot(c, "12-doctor-shared-record").await?;
    click(c, "back-button").await?;
    find(c, "shared-item").await?;
    let patient = find(c, "shared-patient").await?.text().await?;
    assert!(
        patient.contains(PATIENT_LABEL),
        "the doctor sees the patient under the label they gave: {patient}"
    );
    shot(c, "11-doctor-shared-with-me").await?;
    Ok(())
}

async fn patient_sees_the_access_log_and_revokes(c: &Client) -> Result<()> {
    type_into(c, "unlock-password", PASSWORD).await?;
    click(c, "unlock-submit").await?;
    // The receipt of the doctor's fetch lands in a block shortly after the fetch.
    let start = Instant::now();
    loop {
        click(c, "nav-home").await?;
        click(c, "nav-sharing").await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        if !all(c, "access-item").await?.is_empty() {
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            bail!("the doctor's fetch never appeared in the access log");
        }
    }
    shot(c, "13-access-log").await?;
    click(c, "revoke-button").await?;
    click(c, "revoke-confirm").await?;
    let notice = find(c, "revoke-notice").await?.text().await?;
    assert!(
        notice.contains("cannot be taken back"),
        "honest revocation: {notice}"
    );
    wait_for(
        c,
        "[data-testid='grant-item'][data-status='revoked']",
        Duration::from_secs(30),
    )
    .await?;
    shot(c, "14-revoked").await?;
    Ok(())
}

async fn doctor_is_refused_after_revocation(c: &Client) -> Result<()> {
    type_into(c, "unlock-password", DOCTOR_PASSWORD).await?;
    click(c, "unlock-submit").await?;
    click(c, "nav-shared").await?;
    wait_for(
        c,
        "[data-testid='shared-item'][data-status='revoked']",
        Duration::from_secs(30),
    )
    .await?;
    assert!(
        c.find(Locator::Css(
            "[data-testid='shared-item'][data-status='active']"
        ))
        .await
        .is_err(),
        "nothing is still active after the revocation"
    );
    shot(c, "15-doctor-after-revocation").await?;
    Ok(())
}

async fn session<F>(profile: &str, story: F) -> Result<()>
where
    F: AsyncFnOnce(&Client) -> Result<()>,
{
    let c = launch(profile).await?;
    let result = story(&c).await;
    if result.is_err() {
        let _ = shot(&c, &format!("failure-{profile}")).await;
    }
    c.close().await?;
    result
}

#[tokio::test]
#[ignore = "needs the devnet, Xvfb and tauri-driver: run `make e2e`"]
async fn the_whole_story_in_the_real_webview() -> Result<()> {
    session("app-patient", async |c| {
        patient_creates_a_wallet_and_receives_records(c).await?;
        patient_opens_a_record_with_a_lab_chart(c).await?;
        patient_searches_records_for_a_test(c).await?;
        patient_finds_and_opens_a_record_by_keyboard(c).await?;
        patient_reads_the_summary(c).await?;
        patient_shows_card_and_grants_the_doctor(c).await?;
        link_story::patient_shares_allergies_by_link_and_a_browser_opens_it(c).await?;
        patient_checks_sync_and_settings_then_locks(c).await
    })
    .await?;
    session(
        "app-doctor",
        doctor_restores_on_a_fresh_profile_and_opens_a_shared_visit,
    )
    .await?;
    session("app-patient", patient_sees_the_access_log_and_revokes).await?;
    session("app-doctor", doctor_is_refused_after_revocation).await?;
    session("app-patient", async |c| {
        lifecycle_story::patient_erases_a_record_and_every_node_deletes_it(c).await?;
        lifecycle_story::patient_moves_to_new_keys(c).await
    })
    .await?;
    recovery_story::story().await?;
    emergency_story::story().await?;
    accessibility::assert_none()
}
