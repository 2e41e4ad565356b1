//! Laboratory results: a clinician's inbox (and a colleague's, covering),
//! a report with its filing form, and the Unmatched list reception and
//! admin match reports from. Every rule is the results service's; these
//! server functions only carry its answers.

mod inbox_page;
mod letter_page;
mod patient_section;
mod report_page;
mod unmatched_page;

pub use inbox_page::ResultsPage;
pub use letter_page::UploadLetter;
pub use patient_section::*;
pub use report_page::ResultPage;
pub use unmatched_page::UnmatchedPage;

use crate::AppError;
use domain::results::{
    FileForm, Inbox, InboxKey, InboxRow, OverdueResults, ReportPage, UnmatchedRow,
};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "results_inbox")]
pub async fn get_results_inbox(
    whose: Option<String>,
    after: Option<InboxKey>,
) -> Result<Inbox, AppError> {
    let (store, actor) = crate::door::staff()?;
    let whose = whose.filter(|w| !w.is_empty()).map(domain::StaffId::from);
    Ok(services::results::inbox_after(&store, &actor, whose.as_ref(), after.as_ref()).await?)
}

#[server(prefix = "/api", endpoint = "overdue_results")]
pub async fn get_overdue_results() -> Result<OverdueResults, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::results::overdue(&store, &actor).await?)
}

#[server(prefix = "/api", endpoint = "result_page")]
pub async fn get_result_page(id: String) -> Result<ReportPage, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::results::page(&store, &actor, &id).await?)
}

#[server(prefix = "/api", endpoint = "file_result")]
pub async fn file_result(id: String, version: i64, form: FileForm) -> Result<(), AppError> {
    let (store, actor) = crate::door::staff()?;
    services::results::file(&store, &actor, &id, version, &form).await?;
    Ok(())
}

/// Uploads a letter for a patient; `document` is the PDF as base64.
/// Answers the new item's id.
#[server(prefix = "/api", endpoint = "upload_letter")]
pub async fn upload_letter(
    patient_id: String,
    title: String,
    sender: String,
    date: String,
    document: String,
) -> Result<String, AppError> {
    use base64::Engine;
    let (store, actor) = crate::door::staff()?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(document.trim())
        .map_err(|_| AppError::field("document", "The file could not be read: choose it again."))?;
    let letter = services::results::LetterUpload {
        title,
        sender,
        date,
        document: bytes,
    };
    let patient = domain::PatientId::new(patient_id);
    Ok(services::results::upload(&store, &actor, &patient, &letter)
        .await?
        .id)
}

#[server(prefix = "/api", endpoint = "file_letter")]
pub async fn file_letter(
    id: String,
    version: i64,
    form: domain::results::LetterForm,
) -> Result<(), AppError> {
    let (store, actor) = crate::door::staff()?;
    services::results::file_letter(&store, &actor, &id, version, &form).await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "reassign_result")]
pub async fn reassign_result(id: String, version: i64, to: String) -> Result<(), AppError> {
    let (store, actor) = crate::door::staff()?;
    let to = Some(to)
        .filter(|t| !t.is_empty())
        .map(domain::StaffId::from);
    services::results::reassign(&store, &actor, &id, version, to.as_ref()).await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "unmatch_result")]
pub async fn unmatch_result(id: String, version: i64, reason: String) -> Result<(), AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::results::unmatch(&store, &actor, &id, version, &reason).await?)
}

#[server(prefix = "/api", endpoint = "unmatched_results")]
pub async fn get_unmatched_results() -> Result<Vec<UnmatchedRow>, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::results::unmatched(&store, &actor).await?)
}

#[server(prefix = "/api", endpoint = "match_result")]
pub async fn match_result(id: String, version: i64, patient: String) -> Result<(), AppError> {
    let (store, actor) = crate::door::staff()?;
    let patient = domain::PatientId::new(patient);
    services::results::match_to(&store, &actor, &id, version, &patient).await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "reject_result")]
pub async fn reject_result(id: String, version: i64, reason: String) -> Result<(), AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::results::reject(&store, &actor, &id, version, &reason).await?)
}

/// "20 Nov 2026" from a stored time.
pub(crate) fn day_of(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            domain::time::london_local(t.with_timezone(&chrono::Utc))
                .format("%-d %b %Y")
                .to_string()
        })
        .unwrap_or_default()
}

/// "20 Nov 2026 10:00" from a stored time.
pub(crate) fn when_of(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            domain::time::london_local(t.with_timezone(&chrono::Utc))
                .format("%-d %b %Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// Who the sender said the item is about, in one line.
pub(crate) fn as_sent(d: &domain::results::Demographics) -> String {
    format!(
        "{} {}, born {}, NHS number {}",
        d.given,
        d.family.to_uppercase(),
        d.birth_date,
        d.nhs_number
    )
}

/// How an item came to its patient, as the "Match" line of its page.
pub(crate) fn match_line(m: Option<domain::results::MatchInfo>) -> impl IntoView {
    m.map(|m| {
        let how = if m.how == "automatic" {
            format!("Matched automatically on {}", when_of(&m.at))
        } else {
            format!(
                "Matched by {} on {}",
                m.by.unwrap_or_default(),
                when_of(&m.at)
            )
        };
        view! { <dt class="font-bold">"Match"</dt><dd class="mb-2">{how}</dd> }
    })
}

/// A row's flags in words (never colour alone).
pub(crate) fn flags(r: &InboxRow) -> impl IntoView {
    let mut out = Vec::new();
    if r.abnormal {
        out.push(("Abnormal", "bg-nhs-red text-white"));
    }
    if r.overdue {
        out.push(("Overdue", "bg-nhs-warm-yellow text-nhs-text"));
    }
    if r.status.is_correction() {
        out.push(("Corrected", "bg-nhs-grey-4 text-nhs-text"));
    }
    if r.kind == domain::results::InboxKind::Letter {
        out.push(("Letter", "bg-nhs-blue text-white"));
    }
    out.into_iter()
        .map(|(label, class)| {
            view! { <span class=format!("mr-1 inline-block px-2 py-0.5 text-sm font-bold {class}")>{label}</span> }
        })
        .collect_view()
}
