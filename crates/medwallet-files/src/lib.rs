//! Durable files for every Medwallet program (wallet, node, issuer). Every write is atomic: a
//! temporary file in the same directory, fsync, rename, fsync of the directory; so a crash or
//! `kill -9` at any moment leaves either the old file or the new one, never a mixture. Reads are
//! bounded, so a huge or hostile file cannot exhaust memory.
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("config.json");
//! medwallet_files::write_new_atomically(&path, b"{}")?;
//! assert!(medwallet_files::write_new_atomically(&path, b"{}").is_err()); // never replaces
//! medwallet_files::write_atomically(&path, b"{\"a\":1}")?;
//! assert_eq!(medwallet_files::read_bounded(&path, 64)?, b"{\"a\":1}");
//! # Ok::<(), std::io::Error>(())
//! ```
#![forbid(unsafe_code)]

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::Path;

use tempfile::NamedTempFile;

/// Writes a complete temporary file next to `path` and makes it durable. Returns it unpersisted.
fn durable_temp(path: &Path, bytes: &[u8]) -> io::Result<NamedTempFile> {
    let dir = parent_dir(path);
    // Same directory as the target, so the final rename never crosses file systems.
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .suffix(".partial")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The rename is only durable once the directory entry is on disk.
fn sync_dir(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(parent_dir(path))?.sync_all()?;
    Ok(())
}

/// Replaces (or creates) `path` with `bytes` atomically.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = durable_temp(path, bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(path)
}

/// Creates `path` with `bytes` atomically; fails with `AlreadyExists` rather than replace
/// anything, even if another process creates the file at the same moment.
pub fn write_new_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = durable_temp(path, bytes)?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    sync_dir(path)
}

/// A file of any size written as it streams in, in place of `path` only once
/// [`AtomicWriter::commit`] makes it durable and renames it there; dropped uncommitted, nothing
/// is left but what was there before.
pub struct AtomicWriter {
    path: std::path::PathBuf,
    tmp: NamedTempFile,
    out: io::BufWriter<File>,
}

impl AtomicWriter {
    /// A writer for `path` (a temporary file beside it until committed).
    pub fn create(path: &Path) -> io::Result<Self> {
        let tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .suffix(".partial")
            .tempfile_in(parent_dir(path))?;
        let out = io::BufWriter::with_capacity(1 << 20, tmp.reopen()?);
        Ok(Self {
            path: path.to_path_buf(),
            tmp,
            out,
        })
    }

    /// Drops everything written so far.
    pub fn restart(&mut self) -> io::Result<()> {
        self.out.flush()?;
        let file = self.out.get_mut();
        file.set_len(0)?;
        io::Seek::seek(file, io::SeekFrom::Start(0))?;
        Ok(())
    }

    /// Makes what was written durable and puts it at the path, replacing what was there.
    pub fn commit(mut self) -> io::Result<()> {
        self.out.flush()?;
        self.out.get_ref().sync_all()?;
        self.tmp.persist(&self.path).map_err(|e| e.error)?;
        sync_dir(&self.path)
    }

    /// [`AtomicWriter::commit`], but fails with `AlreadyExists` rather than replace a file.
    pub fn commit_new(mut self) -> io::Result<()> {
        self.out.flush()?;
        self.out.get_ref().sync_all()?;
        self.tmp
            .persist_noclobber(&self.path)
            .map_err(|e| e.error)?;
        sync_dir(&self.path)
    }
}

impl Write for AtomicWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Reads a whole file that must not exceed `max` bytes (so a huge or hostile file cannot
/// exhaust memory). Errors with `InvalidData` when it is larger.
pub fn read_bounded(path: &Path, max: usize) -> io::Result<Vec<u8>> {
    let file = File::open(path)?;
    let mut bytes = Vec::new();
    file.take(max as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is larger than {max} bytes", path.display()),
        ));
    }
    Ok(bytes)
}

/// Removes temporary files that a crash left behind (they are never read).
pub fn remove_stale_temps(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(".tmp-") && name.ends_with(".partial") {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_file_appears_only_when_committed_and_restarts_from_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("study.dcm");
        write_atomically(&path, b"old").expect("write");
        let mut writer = AtomicWriter::create(&path).expect("create");
        writer.write_all(b"wrong bytes").expect("write");
        writer.restart().expect("restart");
        writer.write_all(b"new").expect("write");
        assert_eq!(fs::read(&path).expect("read"), b"old");
        writer.commit().expect("commit");
        assert_eq!(fs::read(&path).expect("read"), b"new");
        let dropped = AtomicWriter::create(&path).expect("create");
        drop(dropped);
        assert_eq!(fs::read(&path).expect("read"), b"new");
        assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 1);
    }

    #[test]
    fn replaces_content_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        write_atomically(&path, b"one").expect("write");
        write_atomically(&path, b"two").expect("write");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 1);
    }

    #[test]
    fn write_new_refuses_to_replace() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        write_new_atomically(&path, b"one").expect("write");
        let err = write_new_atomically(&path, b"two").expect_err("must refuse");
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&path).expect("read"), b"one");
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 1);
    }

    #[test]
    fn read_bounded_refuses_large_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        fs::write(&path, [0u8; 11]).expect("write");
        assert_eq!(read_bounded(&path, 11).expect("fits").len(), 11);
        assert_eq!(
            read_bounded(&path, 10).expect_err("too big").kind(),
            io::ErrorKind::InvalidData
        );
    }

    #[test]
    fn stale_temporaries_are_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join(".tmp-abc.partial"), b"x").expect("write");
        fs::write(dir.path().join("keep"), b"x").expect("write");
        assert_eq!(remove_stale_temps(dir.path()).expect("clean"), 1);
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 1);
    }
}
