//! Search across records: the names of tests, conditions, medications, allergies, procedures,
//! vaccines and visits in every record kept on this device, and every record's title. Nothing
//! leaves the device: the records are opened from the kept ciphertexts, and what is read is kept
//! in memory only while the wallet is unlocked.

use medwallet_fhir::search_terms::{matches, search_terms};

use crate::error::AppError;
use crate::session::App;
use crate::views::{SearchHit, SearchMatch, SearchResults};

/// Longest query (characters).
pub const MAX_QUERY_CHARS: usize = 100;
/// Most records one search lists.
pub const MAX_HITS: usize = 200;

impl App {
    /// The records matching `query` (case-insensitive, anywhere in a name), newest first.
    pub fn search_records(&self, query: &str) -> Result<SearchResults, AppError> {
        let query = query.trim();
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(AppError::invalid(format!(
                "a search is at most {MAX_QUERY_CHARS} characters"
            )));
        }
        let mut results = SearchResults {
            hits: Vec::new(),
            titles_only: 0,
        };
        if query.is_empty() {
            return Ok(results);
        }
        let wallet = self.wallet()?;
        for item in self.records()? {
            if item.erased {
                continue;
            }
            let mut found = Vec::new();
            if matches(&item.title, query) {
                found.push(SearchMatch {
                    kind: "title".into(),
                    text: item.title.clone(),
                });
            }
            let known = self.with_session(|s| s.terms.get(&item.id).cloned())?;
            let terms = match known {
                Some(terms) => Some(terms),
                None => {
                    let record = wallet
                        .record(&item.id)
                        .map_err(|e| AppError::invalid(e.to_string()))?;
                    // A file record (an imaging study) has no text to search but its title.
                    let offline = match record.file {
                        Some(_) => None,
                        None => wallet.open_offline(&record)?,
                    };
                    match offline {
                        Some(fhir) => {
                            let terms = search_terms(&fhir);
                            self.with_session(|s| s.terms.insert(item.id.clone(), terms.clone()))?;
                            Some(terms)
                        }
                        None => None,
                    }
                }
            };
            match terms {
                Some(terms) => {
                    found.extend(terms.iter().filter(|t| matches(&t.text, query)).map(|t| {
                        SearchMatch {
                            kind: t.kind.label().into(),
                            text: t.text.clone(),
                        }
                    }))
                }
                None => results.titles_only += 1,
            }
            if !found.is_empty() && results.hits.len() < MAX_HITS {
                results.hits.push(SearchHit {
                    record: item,
                    matches: found,
                });
            }
        }
        Ok(results)
    }
}
