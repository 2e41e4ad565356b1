//! A patient's clinical record as other systems read it (the FHIR API):
//! problems, allergies, medications, observations and consultations, each
//! behind its own scope and the role × data policy, within the practice,
//! and each read audited against the patient.

use crate::{audit, Actor, Result, ServiceError};
use domain::policy::Access;
use domain::record::{ConsultationView, ItemKind, Observation, RecordItem};
use domain::scopes::{kind_of, Interaction, Kind};
use domain::PatientId;
use store::audit::Outcome;
use store::Store;

/// The most consultations one read returns.
const MAX_CONSULTATIONS: usize = 1000;

/// One part of a patient's record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Problems,
    Allergies,
    Medications,
    Observations,
    Consultations,
}

impl Part {
    pub const ALL: [Part; 5] = [
        Part::Problems,
        Part::Allergies,
        Part::Medications,
        Part::Observations,
        Part::Consultations,
    ];

    /// The FHIR resource type that carries it.
    pub fn resource(self) -> &'static str {
        match self {
            Part::Problems => "Condition",
            Part::Allergies => "AllergyIntolerance",
            Part::Medications => "MedicationStatement",
            Part::Observations => "Observation",
            Part::Consultations => "Encounter",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Part::Problems => "problems",
            Part::Allergies => "allergies",
            Part::Medications => "medications",
            Part::Observations => "observations",
            Part::Consultations => "consultations",
        }
    }
}

/// What was read.
#[derive(Clone, Debug, Default)]
pub struct Read {
    pub items: Vec<RecordItem>,
    pub observations: Vec<Observation>,
    pub consultations: Vec<ConsultationView>,
}

/// One part of a patient's record. A patient of another practice (or one
/// the actor may not read) answers as not found, audited as refused.
pub async fn part(store: &Store, actor: &Actor, patient: &PatientId, part: Part) -> Result<Read> {
    read_part(store, actor, patient, part, Interaction::Search).await
}

/// One entry of a part, by its id (a FHIR read): the patient it belongs
/// to, and the part of their record holding just that entry, audited as
/// a read of the part. An id of another practice, of another part (a
/// medication's id read as a problem) or of nothing is not found, audited
/// as refused.
pub async fn one(store: &Store, actor: &Actor, part: Part, id: &str) -> Result<(PatientId, Read)> {
    let db = actor.db(store);
    // Of this part only: a medication's id read as a Condition is no
    // problem, refused as an unknown id is, never audited as a read.
    let owner = match part {
        Part::Problems => {
            db.record_item_patient_of_kind(id, ItemKind::Problem)
                .await?
        }
        Part::Allergies => {
            db.record_item_patient_of_kind(id, ItemKind::Allergy)
                .await?
        }
        Part::Medications => {
            db.record_item_patient_of_kind(id, ItemKind::Medication)
                .await?
        }
        Part::Observations => db.observation_patient(id).await?,
        Part::Consultations => db.consultation_patient(id).await?,
    };
    let Some(patient) = owner.map(PatientId::new) else {
        audit::refused(
            store,
            actor,
            &format!("read one of the {} of", part.words()),
            id,
        )
        .await?;
        return Err(ServiceError::NotFound);
    };
    let mut read = read_part(store, actor, &patient, part, Interaction::Read).await?;
    read.items.retain(|i| i.id == id);
    read.observations.retain(|o| o.id == id);
    read.consultations.retain(|c| c.id == id);
    if read.items.is_empty() && read.observations.is_empty() && read.consultations.is_empty() {
        return Err(ServiceError::NotFound);
    }
    Ok((patient, read))
}

async fn read_part(
    store: &Store,
    actor: &Actor,
    patient: &PatientId,
    part: Part,
    interaction: Interaction,
) -> Result<Read> {
    let resource = part.resource();
    let Some(Kind::Patient(kind)) = kind_of(resource) else {
        return Err(ServiceError::internal(format!(
            "{resource} is not patient data"
        )));
    };
    if !(actor.may(kind, Access::Read) && actor.may_do(resource, interaction)) {
        return Err(ServiceError::Forbidden);
    }
    let db = actor.db(store);
    if patient.is_empty() || !db.patient_in_practice(patient.as_str()).await? {
        audit::refused(
            store,
            actor,
            &format!("read the {} of", part.words()),
            patient.as_str(),
        )
        .await?;
        return Err(ServiceError::NotFound);
    }
    let p = patient.as_str();
    let mut read = Read::default();
    let item_kind = match part {
        Part::Problems => Some(ItemKind::Problem),
        Part::Allergies => Some(ItemKind::Allergy),
        Part::Medications => Some(ItemKind::Medication),
        Part::Observations | Part::Consultations => None,
    };
    if let Some(k) = item_kind {
        read.items = db.record_items(p, Some(k)).await?;
    } else if part == Part::Observations {
        read.observations = db.observations(p).await?;
    } else {
        read.consultations = db.consultations(p, MAX_CONSULTATIONS).await?;
    }
    let action = format!("read the patient's {}", part.words());
    audit::record(store, actor, &action, Some(p), Outcome::Allowed).await?;
    Ok(read)
}
