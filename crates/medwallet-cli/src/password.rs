use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use zeroize::Zeroizing;

/// Environment variable that holds the password when no file is given.
pub const PASSWORD_ENV: &str = "MEDWALLET_PASSWORD";

/// Where the password comes from: `--password-file` first, then `MEDWALLET_PASSWORD`.
pub struct Source {
    file: Option<PathBuf>,
}

impl Source {
    pub fn new(file: Option<PathBuf>) -> Self {
        Self { file }
    }

    /// Reads the password (never echoed, never logged).
    pub fn read(&self) -> anyhow::Result<Zeroizing<String>> {
        match &self.file {
            Some(path) => read_first_line(path),
            None => match std::env::var(PASSWORD_ENV) {
                Ok(value) => Ok(Zeroizing::new(value)),
                Err(_) => bail!("no password: pass --password-file FILE or set {PASSWORD_ENV}"),
            },
        }
    }
}

/// First line of a small file, without its line ending.
pub fn read_first_line(path: &Path) -> anyhow::Result<Zeroizing<String>> {
    let bytes = Zeroizing::new(
        medwallet_files::read_bounded(path, 64 * 1024)
            .with_context(|| format!("cannot read {}", path.display()))?,
    );
    let text = std::str::from_utf8(&bytes)
        .with_context(|| format!("{} is not UTF-8 text", path.display()))?;
    Ok(Zeroizing::new(text.lines().next().unwrap_or("").to_owned()))
}
