//! What each practice has besides the fixture, for the calls to name:
//! tasks, a team, a display link, an API client, a record item, a
//! consultation, rooms, a rota and an absence.

use super::*;
use store::fixtures::SmallPractice;

/// What each practice has besides the fixture: the objects the calls name.
pub struct Objects {
    pub task_for_action: String,
    pub task_for_edit: String,
    pub task_for_reassign: String,
    pub task_for_comment: String,
    pub team: String,
    pub display_link: String,
    pub api_client: String,
    pub record_item: String,
    pub consultation: String,
    pub room_for_rename: String,
    pub room_for_retire: String,
    pub rota: String,
    pub absence: String,
    /// Laboratory reports: matched (unfiled), for viewing, filing,
    /// reassigning and unmatching; unmatched, for matching and rejecting.
    pub result_for_file: String,
    pub result_for_reassign: String,
    pub result_for_unmatch: String,
    pub unmatched_for_match: String,
    pub unmatched_for_reject: String,
    /// A letter waiting to be filed (uploaded by reception).
    pub letter_for_file: String,
}

pub async fn objects(w: &World, p: &SmallPractice) -> Objects {
    let gp = actor(p, "gp");
    let admin = actor(p, "admin");
    let team = p.db(&w.store).create_team("Prescriptions").await.unwrap();
    let mut tasks = Vec::new();
    for title in ["Action", "Edit", "Reassign", "Comment"] {
        let t = services::tasks::create(
            &w.store,
            &admin,
            services::tasks::TaskForm {
                title: format!("{title} me"),
                details: String::new(),
                priority: domain::task::Priority::Routine,
                patient: None,
                assignee: domain::task::TaskAssignee::Team(team.clone().into()),
                due_date: None,
                due_time: None,
            },
        )
        .await
        .unwrap();
        tasks.push(t.id);
    }
    services::display::create(&w.store, &admin).await.unwrap();
    let display_link = services::display::list(&w.store, &admin).await.unwrap()[0]
        .id
        .clone();
    let api_client = services::api_clients::register(&w.store, &admin, "Lab", "system/Patient.rs")
        .await
        .unwrap()
        .id
        .to_string();
    let patient = domain::PatientId::new(p.patient_ids[0].as_str());
    let item = services::record::add_item(
        &w.store,
        &gp,
        &patient,
        &domain::record::ItemForm {
            kind: "problem".into(),
            term: "Asthma".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let consultation = services::record::save_consultation(
        &w.store,
        &gp,
        &patient,
        &domain::record::ConsultationForm {
            history: "Cough for a week.".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let room = |name: &'static str| services::clinics::add_room(&w.store, &admin, name);
    let (room_for_rename, room_for_retire) = (
        room("Matrix A").await.unwrap(),
        room("Matrix B").await.unwrap(),
    );
    let rota = services::clinics::add_rota(
        &w.store,
        &admin,
        services::clinics::RotaForm {
            clinician: p.staff_id("gp2").to_string(),
            room: room_for_rename.clone(),
            weekdays: vec!["6".into()],
            start: "09:00".into(),
            end: "10:00".into(),
            slot_minutes: "15".into(),
            kind: "telephone".into(),
        },
    )
    .await
    .unwrap()
    .id;
    let absence = services::clinics::add_absence(
        &w.store,
        &admin,
        services::clinics::AbsenceForm {
            clinician: p.staff_id("gp2").to_string(),
            kind: "training".into(),
            from: "2027-03-01".into(),
            to: "2027-03-02".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap()
    .id;
    let mut reports = Vec::new();
    for (n, born) in [
        "1961-04-03",
        "1961-04-03",
        "1961-04-03",
        "1900-01-01",
        "1900-01-01",
    ]
    .into_iter()
    .enumerate()
    {
        let r = super::lab_report(&format!("M{n}"), 53.0, None, born);
        let arrived = services::results::import(&w.store, &p.practice_id, "matrix", &r)
            .await
            .unwrap();
        reports.push(arrived.id);
    }
    let letter_for_file = services::results::upload(
        &w.store,
        &super::actor(p, "reception"),
        &domain::PatientId::new(p.patient_ids[0].clone()),
        &services::results::LetterUpload {
            title: "Clinic letter".into(),
            sender: "Riverside Hospital".into(),
            date: "2026-11-18".into(),
            document: store::demo::letter_pdf(&["Seen in clinic.".into()]),
        },
    )
    .await
    .unwrap()
    .id;
    Objects {
        letter_for_file,
        result_for_file: reports[0].clone(),
        result_for_reassign: reports[1].clone(),
        result_for_unmatch: reports[2].clone(),
        unmatched_for_match: reports[3].clone(),
        unmatched_for_reject: reports[4].clone(),
        room_for_rename,
        room_for_retire,
        rota,
        absence,
        task_for_action: tasks[0].to_string(),
        task_for_edit: tasks[1].to_string(),
        task_for_reassign: tasks[2].to_string(),
        task_for_comment: tasks[3].to_string(),
        team,
        display_link: display_link.to_string(),
        api_client,
        record_item: item.id.to_string(),
        consultation: consultation.to_string(),
    }
}

/// Which object a call names.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Obj {
    Own,
    Other,
    Missing,
}

impl Obj {
    pub const ALL: [Obj; 3] = [Obj::Own, Obj::Other, Obj::Missing];
    pub fn name(self) -> &'static str {
        match self {
            Obj::Own => "own",
            Obj::Other => "other",
            Obj::Missing => "missing",
        }
    }
}
