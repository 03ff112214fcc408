//! Break-glass, in the real webview. The patient (the wallet the recovery story took back)
//! prepares an emergency set with an emergency contact and reads its code; the doctor asks for
//! it with that code and a reason, and reads the patient's allergies once the validators
//! released their shares; the patient then sees the access in red: who, which clinic, why.

use super::*;

/// The patient prepares the set; returns the code for the emergency card.
pub(super) async fn patient_prepares_the_emergency_set(c: &Client) -> Result<String> {
    type_into(c, "unlock-password", PASSWORD).await?;
    click(c, "unlock-submit").await?;
    click(c, "nav-emergency").await?;
    find(c, "emergency-none").await?;
    type_into(c, "emergency-contact-name", "Ana Hintz").await?;
    type_into(c, "emergency-contact-relationship", "sister").await?;
    type_into(c, "emergency-contact-phone", "+1 555 0100").await?;
    click(c, "emergency-save").await?;
    let code = wait_for(c, &id("emergency-code"), Duration::from_secs(120))
        .await?
        .text()
        .await?;
    let ready = find(c, "emergency-ready").await?.text().await?;
    assert!(
        ready.contains("3 of the 4 validators"),
        "a quorum of the devnet's validators: {ready}"
    );
    shot(c, "23-emergency-set").await?;
    // What a clinician would read, opened from the ledger with the key wrapped to the account.
    click(c, "emergency-preview-toggle").await?;
    wait_for(
        c,
        "[data-testid='emergency-preview'] [data-resource-type='AllergyIntolerance']",
        Duration::from_secs(30),
    )
    .await?;
    shot(c, "23b-emergency-preview").await?;
    Ok(code.trim().to_owned())
}

/// The doctor breaks the glass and reads the allergies.
pub(super) async fn doctor_breaks_the_glass(c: &Client, code: &str) -> Result<()> {
    type_into(c, "unlock-password", DOCTOR_PASSWORD).await?;
    click(c, "unlock-submit").await?;
    click(c, "nav-emergency").await?;
    type_into(c, "emergency-patient", code).await?;
    type_into(
        c,
        "emergency-reason",
        "Unconscious after a fall, St Mary ED",
    )
    .await?;
    shot(c, "24-break-the-glass").await?;
    click(c, "emergency-ask").await?;
    wait_for(c, &id("emergency-opened"), Duration::from_secs(120)).await?;
    let allergies = c
        .find_all(Locator::Css(
            "[data-testid='emergency-opened'] [data-resource-type='AllergyIntolerance']",
        ))
        .await?;
    assert!(
        !allergies.is_empty(),
        "the emergency set shows the allergies"
    );
    let immunizations = c
        .find_all(Locator::Css(
            "[data-testid='emergency-opened'] [data-resource-type='Immunization']",
        ))
        .await?;
    assert!(
        immunizations.is_empty(),
        "the emergency set holds what an emergency needs, not the whole history"
    );
    shot(c, "25-emergency-opened").await?;
    Ok(())
}

/// The patient sees the access in red.
pub(super) async fn patient_sees_the_red_entry(c: &Client) -> Result<()> {
    type_into(c, "unlock-password", PASSWORD).await?;
    click(c, "unlock-submit").await?;
    click(c, "nav-emergency").await?;
    let entry = wait_for(c, &id("emergency-access"), Duration::from_secs(60))
        .await?
        .text()
        .await?;
    assert!(
        entry.contains("Emergency access by Meredith Grey"),
        "{entry}"
    );
    assert!(entry.contains("Demo Clinic"), "{entry}");
    assert!(
        entry.contains("Unconscious after a fall, St Mary ED"),
        "{entry}"
    );
    let card = find(c, "emergency-accesses").await?;
    c.execute(
        "arguments[0].scrollIntoView({ block: 'start' });",
        vec![serde_json::to_value(&card)?],
    )
    .await?;
    shot(c, "26-emergency-red-entry").await?;
    Ok(())
}

/// The whole break-glass story, across the profiles.
pub(super) async fn story() -> Result<()> {
    let mut code = String::new();
    session("app-recovered", async |c| {
        code = patient_prepares_the_emergency_set(c).await?;
        Ok(())
    })
    .await?;
    session("app-doctor", async |c| {
        doctor_breaks_the_glass(c, &code).await
    })
    .await?;
    session("app-recovered", patient_sees_the_red_entry).await
}
