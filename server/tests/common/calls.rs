//! Every server function with real arguments, for each object a call can
//! name (own practice, another practice, missing): shared by the
//! authorisation matrix and the CSRF matrix, so both cover every route.

#[allow(unused_imports)] // the matrices name them through `calls::*`
pub use super::objects::{objects, Obj, Objects};
use super::*;
use serde_json::{json, Value};

pub const MISSING: &str = "0000000000000000000000000000dead";

/// One call: the row's name, the object column, the path and the body
/// (JSON for the functions that take JSON, else a form).
pub struct Call {
    pub name: &'static str,
    pub obj: &'static str,
    pub body: Value,
    pub json: bool,
}

pub fn form_body(v: &Value) -> String {
    serde_qs::to_string(v).unwrap()
}

/// Every server function, with its arguments for each object.
pub fn calls(w: &World, ours: &Objects, theirs: &Objects, caller_id: &str) -> Vec<Call> {
    let pick = |o: Obj, own: &str, other: &str| -> String {
        match o {
            Obj::Own => own.to_string(),
            Obj::Other => other.to_string(),
            Obj::Missing => MISSING.to_string(),
        }
    };
    let (us, them) = (&w.ours, &w.theirs);
    let date = us.date.clone();
    let mut out = Vec::new();
    let mut none = |name: &'static str, body: Value| {
        out.push(Call {
            name,
            obj: "-",
            body,
            json: false,
        })
    };
    none("sign_in_info", json!({}));
    none("current_user", json!({}));
    none("day_info", json!({}));
    none("day_sessions", json!({"date": date}));
    none("sessions_info", json!({"date": date}));
    none("search_patients", json!({"query": "Smith"}));
    none("practice_gps", json!({}));
    none("teams", json!({}));
    none("team_admin", json!({}));
    none("practice_staff", json!({}));
    none("list_display_links", json!({}));
    none("list_api_clients", json!({}));
    none("list_staff", json!({}));
    none("my_sessions", json!({}));
    none("practice_settings", json!({}));
    none(
        "save_settings",
        json!({"version": 1, "form": {"name": "Test Surgery", "ods_code": "A81001", "address": "",
               "phone": "", "wait_amber_minutes": "10", "wait_red_minutes": "20",
               "results_overdue_days": "2"}}),
    );
    none("end_my_other_sessions", json!({}));
    // A session of nobody's: not found, for everyone signed in.
    none("end_my_session", json!({"id": "00000000deadbeef"}));
    none(
        "add_staff",
        json!({"name": "Sam Patel", "username": "sam.patel", "role": "reception", "team": ""}),
    );
    none(
        "register_api_client",
        json!({"name": "Results feed", "scopes": "system/Patient.rs"}),
    );
    none("audit_trail", json!({}));
    none("create_display_link", json!({}));
    none("add_room", json!({"room_name": "Room 9"}));
    none("rotas_info", json!({}));
    none("list_practices", json!({}));
    none("results_inbox", json!({}));
    none("overdue_results", json!({}));
    none("unmatched_results", json!({}));
    // Not a live link's secret: not found, for everyone.
    none(
        "call_screen_info",
        json!({"practice": "p", "key": "not-a-display-key"}),
    );
    none(
        "create_practice",
        json!({"form": {"name": "Hillside Surgery", "ods_code": "B82005", "address": "", "phone": "",
               "admin_name": "Hana Hill", "admin_username": "hana.hill"}}),
    );
    none("generate_sessions", json!({"from": "", "weeks": "1"}));
    none("create_team", json!({"name": "Letters"}));
    none(
        "register_patient",
        json!({"form": {
            "title": "Ms", "given_name": "Nia", "family_name": "Reed",
            "date_of_birth": "02/03/1990", "sex": "female", "gender": "",
            "address": "1 High Street", "postcode": "RV1 1AA", "phone": "", "email": "",
            "nhs_number": "943 476 5919", "usual_gp": "", "registered_on": ""
        }}),
    );
    // With a wrong current password: it reaches the rule, changes nothing.
    none(
        "change_password",
        json!({"current_password": "not the password", "new_password": "kettle harbour violin",
               "confirm_password": "kettle harbour violin"}),
    );
    none(
        "create_task",
        json!({"title": "Call back", "details": "", "priority": "routine",
               "assignee": format!("staff:{caller_id}")}),
    );
    for o in Obj::ALL {
        let obj = o.name();
        let patient = pick(o, &us.patient_ids[1], &them.patient_ids[1]);
        let clinician = pick(o, us.staff_id("gp"), them.staff_id("gp"));
        let session = pick(o, &us.gp_session_id, &them.gp_session_id);
        let appt = |i: usize| {
            (
                pick(o, &us.appointments[i].id, &them.appointments[i].id),
                match o {
                    Obj::Own => us.appointments[i].version,
                    _ => them.appointments[i].version,
                },
            )
        };
        let task = |f: fn(&Objects) -> &String| pick(o, f(ours), f(theirs));
        let mut call = |name: &'static str, body: Value, json: bool| {
            out.push(Call {
                name,
                obj,
                body,
                json,
            })
        };
        call("patient_page", json!({"id": patient}), false);
        call("patient_results", json!({"patient": patient}), false);
        call(
            "patient_result_messages",
            json!({"patient": patient}),
            false,
        );
        call("consultation_page", json!({"patient_id": patient}), false);
        call("task_form", json!({"patient": patient}), false);
        call(
            "edit_patient",
            json!({"id": patient, "version": 1, "form": {
                "title": "Mrs", "given_name": "Aisha", "family_name": "Khan",
                "date_of_birth": "12/09/1987", "sex": "female", "gender": "",
                "address": "2 Mill Lane", "postcode": "RV2 2BB", "phone": "", "email": "",
                "nhs_number": "9990000026", "usual_gp": "", "registered_on": ""
            }}),
            false,
        );
        call(
            "record_item_add",
            json!({"patient_id": patient, "form": {"kind": "allergy", "term": "Penicillin"}}),
            false,
        );
        call(
            "consultation_draft",
            json!({"patient_id": patient, "form": {"history": "Draft"}}),
            true,
        );
        call(
            "consultation_save",
            json!({"patient_id": patient, "form": {"history": "Seen today."}}),
            true,
        );
        call(
            "record_item_change",
            json!({"id": pick(o, &ours.record_item, &theirs.record_item), "version": 1,
                   "action": "review", "note": "Still current."}),
            false,
        );
        call(
            "consultation_amend",
            json!({"id": pick(o, &ours.consultation, &theirs.consultation),
                   "reason": "Typo", "history": "Cough for two weeks.",
                   "examination": "", "plan": ""}),
            false,
        );
        call(
            "clinician_week",
            json!({"clinician": clinician, "from": date}),
            false,
        );
        call(
            "next_free_slot",
            json!({"clinician": clinician, "date": date}),
            false,
        );
        call(
            "add_clinic_session",
            json!({"clinician": clinician, "date": date,
                   "room": pick(o, &format!("{}-r1", us.practice_id.as_str()), &format!("{}-r1", them.practice_id.as_str())),
                   "start": "14:00", "end": "15:00", "slot_minutes": "10"}),
            false,
        );
        call(
            "book_slot",
            json!({"session_id": session, "start": "11:50", "patient_id": pick(o, &us.patient_ids[0], &them.patient_ids[0]),
                   "kind": "face_to_face"}),
            false,
        );
        let (id, version) = appt(0);
        call(
            "appointment_action",
            json!({"id": id, "version": version, "action": "mark_arrived"}),
            false,
        );
        let (id, version) = appt(1);
        call(
            "move_booking",
            json!({"id": id, "version": version, "session_id": session, "start": "11:40"}),
            false,
        );
        let (id, version) = appt(2);
        call(
            "cancel_booking",
            json!({"id": id, "version": version, "reason": "Patient rang"}),
            false,
        );
        call(
            "task_page",
            json!({"id": task(|o| &o.task_for_action)}),
            false,
        );
        call(
            "task_action",
            json!({"id": task(|o| &o.task_for_action), "version": 1, "action": "claim"}),
            false,
        );
        call(
            "edit_task",
            json!({"id": task(|o| &o.task_for_edit), "version": 1, "title": "Edited",
                   "details": "", "priority": "urgent"}),
            false,
        );
        call(
            "reassign_task",
            json!({"id": task(|o| &o.task_for_reassign), "version": 1,
                   "assignee": format!("staff:{}", clinician)}),
            false,
        );
        call(
            "comment_on_task",
            json!({"id": task(|o| &o.task_for_comment), "comment": "Done?"}),
            false,
        );
        call(
            "team_member",
            json!({"team": pick(o, &ours.team, &theirs.team), "staff": pick(o, us.staff_id("nurse"), them.staff_id("nurse")), "add": true}),
            false,
        );
        call(
            "revoke_display_link",
            json!({"id": pick(o, &ours.display_link, &theirs.display_link)}),
            false,
        );
        // Each on its own person, at the fixture's version 1.
        let person = |who: &str| pick(o, us.staff_id(who), them.staff_id(who));
        call(
            "edit_staff",
            json!({"id": person("nurse"), "version": 1, "name": "Nia Jones RN", "role": "nurse"}),
            false,
        );
        call(
            "set_staff_active",
            json!({"id": person("gp2"), "version": 1, "active": true}),
            false,
        );
        call("sign_out_staff", json!({"id": person("gp2")}), false);
        call(
            "reset_staff_password",
            json!({"id": person("reception"), "version": 1}),
            false,
        );
        call(
            "add_rota",
            json!({"form": {"clinician": person("nurse"), "room": pick(o, &ours.room_for_retire, &theirs.room_for_retire),
                   "day2": "2", "start": "14:00", "end": "15:00", "slot_minutes": "15", "kind": "video"}}),
            false,
        );
        call(
            "set_rota_active",
            json!({"id": pick(o, &ours.rota, &theirs.rota), "version": 1, "active": false}),
            false,
        );
        call(
            "add_absence",
            json!({"clinician": person("nurse"), "kind": "leave", "from": "2027-04-05",
                   "to": "2027-04-09", "note": ""}),
            false,
        );
        call(
            "remove_absence",
            json!({"id": pick(o, &ours.absence, &theirs.absence)}),
            false,
        );
        call(
            "rename_room",
            json!({"id": pick(o, &ours.room_for_rename, &theirs.room_for_rename), "version": 1, "room_name": "Matrix C"}),
            false,
        );
        call(
            "set_room_retired",
            json!({"id": pick(o, &ours.room_for_retire, &theirs.room_for_retire), "version": 1, "retired": true}),
            false,
        );
        let report = |f: fn(&Objects) -> &String| pick(o, f(ours), f(theirs));
        call(
            "result_page",
            json!({"id": report(|x| &x.result_for_file)}),
            false,
        );
        call(
            "file_result",
            json!({"id": report(|x| &x.result_for_file), "version": 1,
                   "form": {"outcome": "abnormal_no_action", "team": "", "patient_comment": "", "note": ""}}),
            false,
        );
        call(
            "upload_letter",
            json!({"patient_id": pick(o, &us.patient_ids[0], &them.patient_ids[0]),
                   "title": "Clinic letter", "sender": "Riverside Hospital", "date": "2026-11-18",
                   "document": base64::Engine::encode(&base64::engine::general_purpose::STANDARD,
                       store::demo::letter_pdf(&["Seen in clinic.".into()]))}),
            false,
        );
        call(
            "file_letter",
            json!({"id": report(|x| &x.letter_for_file), "version": 1,
                   "form": {"codes": ["49436004"], "summary": "Atrial fibrillation, anticoagulated."}}),
            false,
        );
        call(
            "reassign_result",
            json!({"id": report(|x| &x.result_for_reassign), "version": 1, "to": ""}),
            false,
        );
        call(
            "unmatch_result",
            json!({"id": report(|x| &x.result_for_unmatch), "version": 1, "reason": "Wrong John Smith"}),
            false,
        );
        call(
            "match_result",
            json!({"id": report(|x| &x.unmatched_for_match), "version": 1,
                   "patient": pick(o, &us.patient_ids[0], &them.patient_ids[0])}),
            false,
        );
        call(
            "reject_result",
            json!({"id": report(|x| &x.unmatched_for_reject), "version": 1, "reason": "Not our patient"}),
            false,
        );
        // A new secret first: after the revocation it would be refused.
        call(
            "rotate_api_client",
            json!({"id": pick(o, &ours.api_client, &theirs.api_client)}),
            false,
        );
        call(
            "revoke_api_client",
            json!({"id": pick(o, &ours.api_client, &theirs.api_client)}),
            false,
        );
    }
    // Last: these end the session the other calls use (signing in again
    // replaces the session the request carried).
    for (name, body) in [
        ("sign_out", json!({})),
        ("sign_in", json!({"username": "gp", "password": PASSWORD})),
    ] {
        out.push(Call {
            name,
            obj: "-",
            body,
            json: false,
        });
    }
    out
}
