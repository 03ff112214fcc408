//! axe-core (Deque's accessibility engine, from the UI's npm dev dependencies) on every screen
//! the story saves: each `shot` runs it in the real webview against WCAG 2.1 A and AA, and
//! the story fails at its end listing every serious or critical violation found on the way.

use std::sync::Mutex;

use anyhow::{Context, Result};
use fantoccini::Client;
use serde_json::Value;

/// Violations found so far, with the screen they were on.
static FOUND: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn axe_source() -> Result<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .with_context(|| format!("{} (installed by `make ui`)", path.display()))
}

/// Runs axe on the current screen; notes its serious and critical violations.
pub async fn check(c: &Client, screen: &str) -> Result<()> {
    let loaded: Value = c
        .execute("return typeof window.axe === 'object';", vec![])
        .await?;
    if loaded != Value::Bool(true) {
        // Evaluated by the driver, not by the page, so the app's CSP does not apply.
        c.execute(&format!("{};\nreturn true;", axe_source()?), vec![])
            .await?;
    }
    let result = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               window.axe
                 .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                 .then((r) => done(r.violations
                   .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                   .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`)))
                 .catch((e) => done([`axe failed: ${e}`]));"#,
            vec![],
        )
        .await?;
    let mut found = FOUND.lock().unwrap_or_else(|e| e.into_inner());
    for v in result.as_array().into_iter().flatten() {
        found.push(format!("{screen}: {}", v.as_str().unwrap_or_default()));
    }
    Ok(())
}

/// Fails when any screen had a serious or critical violation.
pub fn assert_none() -> Result<()> {
    let found = FOUND.lock().unwrap_or_else(|e| e.into_inner());
    anyhow::ensure!(
        found.is_empty(),
        "axe found {} serious or critical accessibility violations:\n{}",
        found.len(),
        found.join("\n")
    );
    Ok(())
}
