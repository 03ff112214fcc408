//! What the figure benches share: how many runs, and the Synthea patients they use.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Runs per case (`MEDWALLET_FIGURES_RUNS`, default 5).
pub fn run_count() -> usize {
    std::env::var("MEDWALLET_FIGURES_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(5)
}

/// The Synthea bundles: the seven shared patients when they are beside the repository, else
/// the one in `tests/fixtures/fhir`; sorted by name.
pub fn synthea_files() -> Result<Vec<PathBuf>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = root.join("../shared/fixtures/fhir/synthea");
    let dir = if shared.is_dir() {
        shared
    } else {
        root.join("tests/fixtures/fhir")
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    Ok(files)
}
