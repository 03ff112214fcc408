//! Saving a record to a file in a folder (the user's Downloads): a patient's own, or a doctor's
//! shared one. A file record (an imaging study) is saved rather than shown, as it downloads
//! and opens, in constant memory whatever its size, with `save-progress` events; the file
//! appears only once it is complete and checked against the ledger's hash.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use medledger_types::hash::{GrantId, RecordId};
use medwallet_core::{SaveProgress, SaveProgressFn};
use medwallet_files::AtomicWriter;

use crate::error::{AppError, ErrorCode};
use crate::session::App;
use crate::views::{SaveProgressItem, SaveStage, SavedFile};

fn storage(e: std::io::Error, path: &Path) -> AppError {
    AppError::new(
        ErrorCode::Storage,
        format!("cannot write {}: {e}", path.display()),
    )
}

/// `name` in `dir`, numbered ("scan (1).dcm") if that is taken.
fn free_path(dir: &Path, name: &str) -> Result<PathBuf, AppError> {
    std::fs::create_dir_all(dir).map_err(|e| storage(e, dir))?;
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_owned(), format!(".{ext}")),
        _ => (name.to_owned(), String::new()),
    };
    (0..100)
        .map(|n| match n {
            0 => dir.join(name),
            n => dir.join(format!("{stem} ({n}){extension}")),
        })
        .find(|p| !p.exists())
        .ok_or_else(|| AppError::invalid(format!("too many copies of {name} in that folder")))
}

/// The wallet's progress as the UI's `save-progress` events for record `id`.
fn events(
    id: String,
    progress: impl Fn(SaveProgressItem) + Send + Sync + 'static,
) -> SaveProgressFn {
    Arc::new(move |p| {
        let (stage, done, of) = match p {
            SaveProgress::Downloading { done, of } => (SaveStage::Downloading, done, of),
            SaveProgress::Opening { done, of } => (SaveStage::Opening, done, of),
        };
        progress(SaveProgressItem {
            id: id.clone(),
            stage,
            done,
            of,
        });
    })
}

fn saved(path: &Path, size: u64, writer: AtomicWriter) -> Result<SavedFile, AppError> {
    writer.commit_new().map_err(|e| storage(e, path))?;
    Ok(SavedFile {
        path: path.display().to_string(),
        size_bytes: size,
    })
}

impl App {
    /// Saves record `id` into `dir` under its file name (a FHIR record as JSON).
    pub async fn save_record_file(
        &self,
        id: &str,
        dir: &Path,
        progress: impl Fn(SaveProgressItem) + Send + Sync + 'static,
    ) -> Result<SavedFile, AppError> {
        let record = self.summary(id)?;
        let name = match &record.file {
            Some(file) => file.name.clone(),
            None => format!("record-{}.json", &record.id[..12]),
        };
        let path = free_path(dir, &name)?;
        let writer = AtomicWriter::create(&path).map_err(|e| storage(e, &path))?;
        let wallet = self.wallet()?;
        let told = events(record.id.clone(), progress);
        let (size, writer) = self
            .with_ledger(async |source| wallet.save_record(source, &record.id, writer, told).await)
            .await?;
        saved(&path, size, writer)
    }

    /// Doctor mode: saves a file record shared under `grant_id` into `dir` under `name` (the
    /// name its listing gave), while that grant is active.
    pub async fn save_shared_file(
        &self,
        grant_id: &str,
        record_id: &str,
        name: &str,
        dir: &Path,
        progress: impl Fn(SaveProgressItem) + Send + Sync + 'static,
    ) -> Result<SavedFile, AppError> {
        let grant = GrantId::from_hex(grant_id)
            .map_err(|_| AppError::invalid(format!("{grant_id:?} is not a grant id")))?;
        let record = RecordId::from_hex(record_id)
            .map_err(|_| AppError::invalid(format!("{record_id:?} is not a record id")))?;
        // Only the name's last part: the listing's name came from a patient's clinic.
        let name = Path::new(name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("record-{}", &record_id[..12]));
        let path = free_path(dir, &name)?;
        let writer = AtomicWriter::create(&path).map_err(|e| storage(e, &path))?;
        let wallet = self.wallet()?;
        let told = events(record_id.to_owned(), progress);
        let (size, writer) = self
            .with_ledger(async |source| {
                wallet
                    .save_shared(source, grant, record, writer, told)
                    .await
            })
            .await?;
        saved(&path, size, writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_name_is_numbered_before_its_extension() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            free_path(dir.path(), "ct.dcm").expect("free"),
            dir.path().join("ct.dcm")
        );
        std::fs::write(dir.path().join("ct.dcm"), b"x").expect("write");
        std::fs::write(dir.path().join("ct (1).dcm"), b"x").expect("write");
        assert_eq!(
            free_path(dir.path(), "ct.dcm").expect("free"),
            dir.path().join("ct (2).dcm")
        );
        assert_eq!(
            free_path(dir.path(), "README").expect("free"),
            dir.path().join("README")
        );
    }
}
