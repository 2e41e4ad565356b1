//! An Encounter as a past consultation: when (`period.start`), what it
//! was about (`reasonCode`, SNOMED CT), and its notes, from the narrative
//! (`text.div`). Our export writes the notes there as paragraphs headed
//! History, Examination and Plan, which come back to their sections;
//! another system's narrative arrives whole, as the history.

use super::map::Refusal;
use chrono::{DateTime, NaiveDate, Utc};
use domain::clinical::CodeKind;
use domain::record::SECTION_MAX;
use serde_json::Value;
use services::import::ImportedConsultation;

const SNOMED: &str = "http://snomed.info/sct";

/// The section headings our export writes, in order.
pub const SECTIONS: [&str; 3] = ["History", "Examination", "Plan"];

/// The notes as the export writes them: an XHTML narrative, a paragraph
/// per section that has text.
pub fn narrative(sections: [&str; 3]) -> Option<Value> {
    let paragraphs: String = SECTIONS
        .iter()
        .zip(sections)
        .filter(|(_, text)| !text.trim().is_empty())
        .map(|(heading, text)| format!("<p>{heading}: {}</p>", escape(text)))
        .collect();
    (!paragraphs.is_empty()).then(|| {
        serde_json::json!({
            "status": "additional",
            "div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{paragraphs}</div>"),
        })
    })
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The text of each paragraph of a narrative (tags dropped).
fn paragraphs(div: &str) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in div.split("<p>").skip(1) {
        let inner = chunk.split("</p>").next().unwrap_or_default();
        out.push(strip_tags(inner));
    }
    if out.is_empty() {
        out.push(strip_tags(div));
    }
    out
}

fn strip_tags(s: &str) -> String {
    let mut text = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    unescape(text.trim())
}

/// (history, examination, plan) from a narrative.
fn notes(div: &str) -> [String; 3] {
    let mut sections: [String; 3] = Default::default();
    let mut unheaded = Vec::new();
    for p in paragraphs(div) {
        let headed = SECTIONS
            .iter()
            .position(|h| p.strip_prefix(h).is_some_and(|rest| rest.starts_with(": ")));
        match headed {
            Some(i) => sections[i] = p[SECTIONS[i].len() + 2..].to_string(),
            None if !p.is_empty() => unheaded.push(p),
            None => {}
        }
    }
    if !unheaded.is_empty() {
        let rest = unheaded.join("\n\n");
        sections[0] = if sections[0].is_empty() {
            rest
        } else {
            format!("{}\n\n{rest}", sections[0])
        };
    }
    sections
}

/// An Encounter as a consultation.
pub fn consultation(
    r: &Value,
    key: String,
    today: NaiveDate,
) -> Result<ImportedConsultation, Refusal> {
    match r["status"].as_str() {
        Some("finished") => {}
        Some("entered-in-error") => return Err("status: entered in error, so not imported".into()),
        _ => return Err("status: only a finished encounter is a past consultation".into()),
    }
    let start = r["period"]["start"]
        .as_str()
        .ok_or("period.start: missing (when it happened is needed)")?;
    let at = match DateTime::parse_from_rfc3339(start) {
        Ok(t) => t.with_timezone(&Utc),
        Err(_) => NaiveDate::parse_from_str(start, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map(|t| t.and_utc())
            .ok_or("period.start: not a date or time")?,
    };
    if at.date_naive() > today {
        return Err("period.start: in the future".into());
    }
    let [history, examination, plan] = notes(r["text"]["div"].as_str().unwrap_or_default());
    for (heading, text) in SECTIONS.iter().zip([&history, &examination, &plan]) {
        if text.chars().count() > SECTION_MAX {
            return Err(format!(
                "text: the {} is longer than {SECTION_MAX} characters",
                heading.to_lowercase()
            ));
        }
    }
    let mut entries = Vec::new();
    for (i, reason) in r["reasonCode"].as_array().into_iter().flatten().enumerate() {
        let coding = reason["coding"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["system"] == SNOMED));
        let Some(code) = coding.and_then(|c| c["code"].as_str()) else {
            continue; // Text alone says nothing a code can find.
        };
        if !(6..=18).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("reasonCode[{i}]: not a SNOMED CT concept id"));
        }
        let known = domain::clinical::concept(code);
        let term = coding
            .and_then(|c| c["display"].as_str())
            .or(reason["text"].as_str())
            .map(String::from)
            .or_else(|| known.map(|k| k.term.to_string()))
            .ok_or_else(|| format!("reasonCode[{i}]: no term"))?;
        entries.push((
            code.to_string(),
            term,
            known.map_or(CodeKind::Problem, |k| k.kind),
        ));
    }
    if history.is_empty() && examination.is_empty() && plan.is_empty() && entries.is_empty() {
        return Err("text: no notes and no coded reason: nothing to record".into());
    }
    Ok(ImportedConsultation {
        key,
        at,
        history,
        examination,
        plan,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_written_as_a_narrative_come_back_to_their_sections() {
        let written = narrative(["Cough <3 weeks> & fever", "", "Review in 1 week\nif worse"]);
        let div = written.unwrap()["div"].as_str().unwrap().to_string();
        assert_eq!(
            notes(&div),
            [
                "Cough <3 weeks> & fever".to_string(),
                String::new(),
                "Review in 1 week\nif worse".to_string()
            ]
        );
        assert_eq!(narrative(["", " ", ""]), None);
        // Another system's narrative arrives whole, as the history.
        let theirs = "<div xmlns=\"http://www.w3.org/1999/xhtml\">Seen for <b>knee pain</b>.</div>";
        assert_eq!(notes(theirs)[0], "Seen for knee pain.");
    }
}
