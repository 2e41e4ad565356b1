//! Letters and documents (discharge summaries, clinic letters): they
//! arrive, are matched and sit in the inbox like laboratory reports, but
//! carry a PDF instead of results, and are filed with coded entries that
//! join the patient's problem list and a one-line summary.

use crate::clinical::{concept, CodeKind};
use serde::{Deserialize, Serialize};

/// What an inbox item is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxKind {
    /// A laboratory report with its results.
    #[default]
    Report,
    /// A letter or document: a PDF.
    Letter,
}

impl InboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InboxKind::Report => "report",
            InboxKind::Letter => "letter",
        }
    }

    pub fn parse(s: &str) -> Option<InboxKind> {
        [InboxKind::Report, InboxKind::Letter]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// "report" or "document", in a sentence.
    pub fn noun(self) -> &'static str {
        match self {
            InboxKind::Report => "report",
            InboxKind::Letter => "document",
        }
    }

    /// What the Unmatched list and the inbox call it.
    pub fn label(self) -> &'static str {
        match self {
            InboxKind::Report => "Pathology report",
            InboxKind::Letter => "Letter",
        }
    }
}

/// The largest document accepted (a scanned letter of a few pages).
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;

/// What is wrong with a document's content, if anything: empty, too
/// large, or not a PDF. The type is decided by the content, never by a
/// file name or a declared type.
pub fn document_problem(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return Some("The document is empty.".into());
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Some(format!(
            "The document is {:.1} MB: the most accepted is {} MB.",
            bytes.len() as f64 / (1024.0 * 1024.0),
            MAX_DOCUMENT_BYTES / (1024 * 1024)
        ));
    }
    if !is_pdf(bytes) {
        return Some("The document is not a PDF (its content is not a PDF's).".into());
    }
    None
}

/// A PDF starts "%PDF-" (within its first kilobyte, as readers allow)
/// and ends with "%%EOF" (within its last kilobyte, trailing whitespace
/// and all).
pub fn is_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    head.windows(5).any(|w| w == b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF")
}

/// The most coded entries one letter is filed with.
pub const MAX_LETTER_CODES: usize = 10;

/// How a clinician files a letter, as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterForm {
    /// SNOMED CT concept ids from the practice's list (problems).
    #[serde(default)]
    pub codes: Vec<String>,
    /// One line: what the letter says.
    pub summary: String,
}

/// A letter filing that can be stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidLetterFiling {
    /// (concept id, term), each once.
    pub codes: Vec<(String, String)>,
    pub summary: String,
}

impl LetterForm {
    pub fn validate(&self) -> Result<ValidLetterFiling, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        let summary = self.summary.trim();
        if summary.is_empty() || summary.chars().count() > 200 || summary.contains('\n') {
            problems.push((
                "summary",
                "Summarise the letter in one line of up to 200 characters.".to_string(),
            ));
        }
        let mut codes: Vec<(String, String)> = Vec::new();
        for c in self
            .codes
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
        {
            match concept(c) {
                Some(k) if k.kind == CodeKind::Problem => {
                    if !codes.iter().any(|(id, _)| id == k.id) {
                        codes.push((k.id.to_string(), k.term.to_string()));
                    }
                }
                _ => problems.push((
                    "codes",
                    format!("{c} is not a problem in the practice's list: pick one from the list."),
                )),
            }
        }
        if codes.len() > MAX_LETTER_CODES {
            problems.push((
                "codes",
                format!("File a letter with at most {MAX_LETTER_CODES} coded entries."),
            ));
        }
        if problems.is_empty() {
            Ok(ValidLetterFiling {
                codes,
                summary: summary.to_string(),
            })
        } else {
            Err(problems)
        }
    }
}
