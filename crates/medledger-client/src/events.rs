//! The node's stream of new finalized heights (`GET /v1/events`, server-sent events), read as
//! hints: a wallet that hears of a new height runs its verified sync, which trusts nothing the
//! stream said. The reader bounds every line, so a node cannot make it buffer without end.

/// Longest line of the stream kept (an event line is a few dozen bytes).
pub const MAX_LINE: usize = 1024;

/// Reads `finalized` events from the stream's bytes, as they arrive in any chunking.
#[derive(Debug, Default)]
pub struct FinalizedEvents {
    line: Vec<u8>,
    /// The current line is past [`MAX_LINE`]: its rest is skipped up to the newline.
    skipping: bool,
    event: Option<String>,
    data: Option<String>,
}

impl FinalizedEvents {
    /// Feeds bytes; returns the heights of the events they completed, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<u64> {
        let mut heights = Vec::new();
        for &b in bytes {
            if b == b'\n' {
                let line = std::mem::take(&mut self.line);
                if !std::mem::take(&mut self.skipping)
                    && let Some(h) = self.line_done(&line)
                {
                    heights.push(h);
                }
            } else if self.line.len() < MAX_LINE {
                self.line.push(b);
            } else {
                self.skipping = true;
                self.line.clear();
            }
        }
        heights
    }

    /// One line of the stream (without its newline); a blank line ends an event.
    fn line_done(&mut self, line: &[u8]) -> Option<u64> {
        let line = String::from_utf8_lossy(line);
        let line = line.strip_suffix('\r').unwrap_or(&line);
        if line.is_empty() {
            let event = self.event.take();
            let data = self.data.take()?;
            if event.as_deref().is_some_and(|e| e != "finalized") {
                return None;
            }
            let value: serde_json::Value = serde_json::from_str(&data).ok()?;
            return value["height"].as_u64();
        }
        if let Some(rest) = line.strip_prefix("event:") {
            self.event = Some(rest.trim().to_owned());
        } else if let Some(rest) = line.strip_prefix("data:") {
            self.data = Some(rest.trim().to_owned());
        }
        // Comments (`:` keep-alives), ids and retries are not needed.
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heights_are_read_across_any_chunking_and_other_lines_are_ignored() {
        let stream = b": keep-alive\n\nevent: finalized\ndata: {\"height\":7}\n\nevent: other\ndata: {\"height\":99}\n\nevent: finalized\r\ndata: {\"height\":8}\r\n\r\n";
        for size in [1, 2, 5, stream.len()] {
            let mut events = FinalizedEvents::default();
            let heights: Vec<u64> = stream.chunks(size).flat_map(|c| events.push(c)).collect();
            assert_eq!(heights, [7, 8], "chunks of {size}");
        }
    }

    #[test]
    fn an_endless_line_is_skipped_without_being_kept() {
        let mut events = FinalizedEvents::default();
        let long = vec![b'x'; 10 * MAX_LINE];
        assert!(events.push(b"data: ").is_empty());
        assert!(events.push(&long).is_empty());
        assert!(events.line.len() <= MAX_LINE);
        // The next event still reads.
        let heights = events.push(b"\n\nevent: finalized\ndata: {\"height\":3}\n\n");
        assert_eq!(heights, [3]);
        assert!(events.push(b"data: not json\n\n").is_empty());
    }
}
