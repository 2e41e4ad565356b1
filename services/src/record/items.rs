//! Problems, allergies and medications: add, review, end.

use super::{clinical, refused};
use crate::{audit, Actor, Result, ServiceError};
use domain::policy::Access;
use domain::record::{ItemAction, ItemForm, ItemKind, RecordItem, ITEM_TEXT_MAX};
use domain::{Area, PatientId, RecordItemId, Version};
use store::audit::Outcome;
use store::Store;

/// Adds a problem, allergy or medication to a patient's record.
pub async fn add_item(
    store: &Store,
    actor: &Actor,
    patient: &PatientId,
    form: &ItemForm,
) -> Result<RecordItem> {
    let what = ItemKind::parse(form.kind.trim())
        .map(|k| format!("add {}", k.with_article()))
        .unwrap_or_else(|| "add to the record".into());
    clinical(store, actor, patient.as_str(), Access::Write, &what).await?;
    let today = domain::time::london_today(chrono::Utc::now());
    let valid = form.validate(today).map_err(ServiceError::fields)?;
    let history = match &valid.note {
        Some(n) => format!("Added ({n})"),
        None => "Added".to_string(),
    };
    let item = actor
        .db(store)
        .add_record_item(
            patient.as_str(),
            &valid,
            actor.staff_id()?.as_str(),
            &history,
        )
        .await
        .map_err(refused)?;
    audit::record(
        store,
        actor,
        &format!("added {}", valid.kind.with_article()),
        Some(patient.as_str()),
        Outcome::Allowed,
    )
    .await?;
    Ok(item)
}

/// Reviews (still current, with a note) or ends a problem, allergy or
/// medication, if no one has changed it since `version`.
pub async fn change_item(
    store: &Store,
    actor: &Actor,
    id: &RecordItemId,
    version: Version,
    action: ItemAction,
    note: &str,
) -> Result<RecordItem> {
    actor.require(Area::Patients)?;
    let db = actor.db(store);
    let patient = db
        .record_item_patient(id.as_str())
        .await?
        .unwrap_or_default();
    let (verb, done) = match action {
        ItemAction::Review => ("review", "Reviewed"),
        ItemAction::End => ("end", "Ended"),
    };
    clinical(
        store,
        actor,
        &patient,
        Access::Write,
        &format!("{verb} an entry"),
    )
    .await?;
    let note = note.trim();
    if note.chars().count() > ITEM_TEXT_MAX {
        return Err(ServiceError::field(
            "note",
            format!("The note must be {ITEM_TEXT_MAX} characters or fewer."),
        ));
    }
    let history = if note.is_empty() {
        done.to_string()
    } else {
        format!("{done}: {note}")
    };
    let item = db
        .change_record_item(
            id.as_str(),
            version.get(),
            action,
            actor.staff_id()?.as_str(),
            &history,
        )
        .await
        .map_err(refused)?;
    audit::record(
        store,
        actor,
        &format!("{} {}", done.to_lowercase(), item.kind.with_article()),
        Some(&patient),
        Outcome::Allowed,
    )
    .await?;
    Ok(item)
}
