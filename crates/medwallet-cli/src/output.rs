use serde_json::Value;

/// Human text or JSON, chosen once by `--json`.
pub struct Output {
    json: bool,
}

impl Output {
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    /// Prints a result: `human` as text, or `value` as one JSON document. A reader that stops
    /// early (`medwallet records | head`) ends the output quietly, not with a panic.
    pub fn print(&self, human: &str, value: Value) {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = if self.json {
            writeln!(out, "{value}")
        } else {
            writeln!(out, "{human}")
        };
    }

    /// A progress bar on stderr in this `template`; hidden in JSON mode (and by indicatif when
    /// stderr is not a terminal).
    pub fn progress_bar(&self, template: &str) -> indicatif::ProgressBar {
        if self.json {
            return indicatif::ProgressBar::hidden();
        }
        indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template(template)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        )
    }

    /// Reports a failure on stderr (as `{"error": {"message": …}}` with `--json`).
    pub fn error(&self, err: &anyhow::Error) {
        let message = format!("{err:#}");
        if self.json {
            eprintln!("{}", serde_json::json!({ "error": { "message": message } }));
        } else {
            eprintln!("error: {message}");
        }
    }
}

/// Human text for a list: one line per item, or `empty` when there is none.
pub fn listing<T>(items: &[T], empty: &str, line: impl Fn(&T) -> String) -> String {
    if items.is_empty() {
        empty.to_owned()
    } else {
        items.iter().map(line).collect::<Vec<_>>().join("\n")
    }
}
