//! Keys for real people, in the real webview. The patient erases a record: the confirmation
//! says what stays, the timeline then lists it as erased, and Settings shows every validator's
//! node proving it deleted its copy. Then the patient moves to new keys: password, an honest
//! confirmation, the new 24 words typed back; the wallet goes on under them.

use super::*;

pub(super) async fn patient_erases_a_record_and_every_node_deletes_it(c: &Client) -> Result<()> {
    type_into(c, "unlock-password", PASSWORD).await?;
    click(c, "unlock-submit").await?;
    click(c, "nav-home").await?;
    let item = c
        .find(Locator::Css(
            "[data-testid='record-item'][data-category='encounter']",
        ))
        .await
        .context("a visit to erase")?;
    let record = item.attr("data-id").await?.context("id")?;
    item.click().await?;
    find(c, "record-view").await?;
    click(c, "erase-record").await?;
    let dialog = find(c, "erase-confirm").await?;
    let said = c.find(Locator::Css("dialog[open]")).await?.text().await?;
    assert!(
        said.contains("cannot be recalled") && said.contains("a record existed"),
        "the confirmation says what stays: {said}"
    );
    shot(c, "16-erase-confirm").await?;
    dialog.click().await?;
    wait_for(c, &id("erase-notice"), Duration::from_secs(60)).await?;
    let erased = c
        .find(Locator::Css(&format!(
            "[data-testid='record-item'][data-id='{record}'] [data-testid='erased-note']"
        )))
        .await;
    assert!(erased.is_ok(), "the timeline lists the record as erased");
    shot(c, "16b-record-erased").await?;
    // Each validator's node deletes its copy and writes its receipt a block or two later.
    let start = Instant::now();
    loop {
        click(c, "nav-home").await?;
        click(c, "nav-settings").await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let line = match find(c, "erasure-deleted-by").await {
            Ok(line) => line.text().await?,
            Err(_) => String::new(),
        };
        if line.contains("Deleted by 4 of 4 nodes") {
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            bail!("the four nodes' erasure receipts did not arrive: {line:?}");
        }
    }
    let erasures = find(c, "erasures").await?;
    c.execute(
        "arguments[0].scrollIntoView({ block: 'center' });",
        vec![serde_json::to_value(&erasures)?],
    )
    .await?;
    shot(c, "16c-erasure-receipts").await?;
    Ok(())
}

pub(super) async fn patient_moves_to_new_keys(c: &Client) -> Result<()> {
    click(c, "nav-settings").await?;
    type_into(c, "rotate-password", PASSWORD).await?;
    click(c, "rotate-keys").await?;
    let confirm = find(c, "rotate-confirm").await?;
    shot(c, "17-rotate-confirm").await?;
    confirm.click().await?;
    wait_for(c, &id("recovery-word"), Duration::from_secs(120)).await?;
    let done = find(c, "rotation-done").await?.text().await?;
    assert!(done.contains("account(s) moved"), "{done}");
    type_back_recovery_words(c, "17b-new-recovery-words", "17c-confirm-new-words").await?;
    find(c, "rotation-confirmed").await?;
    shot(c, "17d-keys-moved").await?;
    // The wallet goes on under the new keys: its records are there and a sync verifies.
    click(c, "nav-home").await?;
    click(c, "sync-button").await?;
    wait_for(c, &id("sync-report"), Duration::from_secs(60)).await?;
    assert!(
        all(c, "record-item").await?.len() >= 3,
        "the records stay under the new keys"
    );
    shot(c, "17e-home-after-new-keys").await?;
    Ok(())
}
