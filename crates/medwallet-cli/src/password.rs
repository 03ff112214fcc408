use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use zeroize::Zeroizing;

/// Environment variable that holds the password when no file is given.
pub const PASSWORD_ENV: &str = "MEDWALLET_PASSWORD";

/// Where the password comes from: `--password-file` first, then `MEDWALLET_PASSWORD`, then (at a
/// terminal) a prompt that does not echo.
pub struct Source {
    file: Option<PathBuf>,
}

impl Source {
    pub fn new(file: Option<PathBuf>) -> Self {
        Self { file }
    }

    /// Reads the password of an existing wallet (never echoed, never logged).
    pub fn read(&self) -> anyhow::Result<Zeroizing<String>> {
        self.given()?.map_or_else(|| prompt("Password: "), Ok)
    }

    /// Reads the password for a new wallet: typed twice at a terminal.
    pub fn read_new(&self) -> anyhow::Result<Zeroizing<String>> {
        if let Some(given) = self.given()? {
            return Ok(given);
        }
        let first = prompt("New password: ")?;
        let again = prompt("The same password again: ")?;
        if first != again {
            bail!("the two passwords differ; nothing was written");
        }
        Ok(first)
    }

    /// The password from the file or the environment, if either gives one.
    fn given(&self) -> anyhow::Result<Option<Zeroizing<String>>> {
        match &self.file {
            Some(path) => read_first_line(path).map(Some),
            None => Ok(std::env::var(PASSWORD_ENV).ok().map(Zeroizing::new)),
        }
    }
}

/// Asks at the terminal, without echo; with no terminal there is nobody to ask.
fn prompt(question: &str) -> anyhow::Result<Zeroizing<String>> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        bail!("no password: pass --password-file FILE or set {PASSWORD_ENV}");
    }
    Ok(Zeroizing::new(
        rpassword::prompt_password(question).context("cannot read the password")?,
    ))
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
