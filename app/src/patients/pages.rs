//! The patients pages: search, register, and the patient's page.

use super::{get_patient_page, get_practice_gps, RegisterPatient};
use crate::appointments::SearchPatients;
use crate::auth::CurrentUser;
use crate::AppError;
use domain::patient::{birth_and_age, PatientDetails, PatientForm};
use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn today() -> chrono::NaiveDate {
    domain::time::london_today(crate::live::clock_now())
}

/// `/patients`: find a patient; register one.
#[component]
pub fn PatientsPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Patients, &user) {
        return refusal;
    }
    let search = ServerAction::<SearchPatients>::new();
    view! {
        <Title text="Patients" />
        <h1 class="mb-4 text-3xl font-bold">"Patients"</h1>
        <p class="mb-4"><a class="op-link" href="/patients/new">"Register a patient"</a></p>
        <ActionForm action=search attr:class="mb-4 flex max-w-2xl flex-wrap items-end gap-2 bg-white p-4">
            <div class="flex-1">
                <label for="patient-query" class="mb-1 block font-bold">"Find a patient"</label>
                <p id="patient-query-hint" class="text-sm">"NHS number, family name (at least 3 letters; and given name), date of birth or postcode"</p>
                <input id="patient-query" name="query" class="op-input w-full" aria-describedby="patient-query-hint" />
            </div>
            <button type="submit" class="op-button">"Search"</button>
        </ActionForm>
        {move || search.value().get().map(|r| match r {
            Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
            Ok(hits) if hits.is_empty() => view! { <p role="status">"No patients found."</p> }.into_any(),
            Ok(hits) => {
                let today = today();
                view! {
                    <table class="w-full bg-white">
                        <caption class="sr-only">"Patients found"</caption>
                        <thead><tr class="text-left">
                            <th scope="col" class="p-2">"Name"</th>
                            <th scope="col" class="p-2">"Born"</th>
                            <th scope="col" class="p-2">"NHS number"</th>
                            <th scope="col" class="p-2">"Address"</th>
                        </tr></thead>
                        <tbody>
                            {hits.into_iter().map(|h| {
                                let nhs = domain::NhsNumber::parse(&h.nhs_number).map(|n| n.to_string()).unwrap_or(h.nhs_number.clone());
                                view! {
                                    <tr class="border-t border-nhs-grey-4">
                                        <td class="p-2"><a class="op-link font-bold" href=format!("/patients/{}", h.id)>{h.display_name()}</a></td>
                                        <td class="p-2">{birth_and_age(&h.date_of_birth, today)}</td>
                                        <td class="p-2">{nhs}</td>
                                        <td class="p-2">{h.address_lines.iter().chain(std::iter::once(&h.postcode)).cloned().collect::<Vec<_>>().join(", ")}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }
        })}
    }
    .into_any()
}

/// A labelled input with its error beside it.
#[component]
fn Field(
    id: &'static str,
    label: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] kind: Option<&'static str>,
    #[prop(optional, into)] value: String,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let name = format!("form[{id}]");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = move || {
        let mut ids = Vec::new();
        if hint.is_some() {
            ids.push(format!("{id}-hint"));
        }
        if error.get().is_some() {
            ids.push(format!("{id}-error"));
        }
        ids.join(" ")
    };
    view! {
        <div>
            <label for=id class="mb-1 block font-bold">{label}</label>
            {hint.map(|h| view! { <p id=hint_id.clone() class="text-sm">{h}</p> })}
            {move || error.get().map(|e| view! { <p id=error_id.clone() class="font-bold text-nhs-red">{e}</p> })}
            <input id=id name=name type=kind.unwrap_or("text") class="op-input w-full" aria-describedby=described
                value=value aria-invalid=move || error.get().is_some().to_string() />
        </div>
    }
}

/// Every field of a patient's details, filled from `initial`, each with
/// its error from `errors` beside it.
#[component]
fn PatientFields(initial: PatientForm, errors: Signal<Option<AppError>>) -> impl IntoView {
    let error_for = move |field: &'static str| -> Signal<Option<String>> {
        Signal::derive(move || errors.get().and_then(|e| e.field_message(field)))
    };
    let gps = LocalResource::new(get_practice_gps);
    let sex = initial.sex.clone();
    let gp = initial.usual_gp.clone();
    view! {
        <Field id="title" label="Title (optional)" value=initial.title error=error_for("title") />
        <Field id="given_name" label="Given name" value=initial.given_name error=error_for("given_name") />
        <Field id="family_name" label="Family name" value=initial.family_name error=error_for("family_name") />
        <Field id="date_of_birth" label="Date of birth" hint="For example 03/04/1987" value=initial.date_of_birth error=error_for("date_of_birth") />
        <div>
            <label for="sex" class="mb-1 block font-bold">"Sex"</label>
            {move || error_for("sex").get().map(|e| view! { <p class="font-bold text-nhs-red">{e}</p> })}
            <select id="sex" name="form[sex]" class="op-input">
                <option value="female" selected=sex == "female">"Female"</option>
                <option value="male" selected=sex == "male">"Male"</option>
                <option value="unknown" selected=sex == "unknown">"Not known"</option>
            </select>
        </div>
        <Field id="gender" label="Gender (optional, if different)" value=initial.gender error=error_for("gender") />
        <div>
            <label for="address" class="mb-1 block font-bold">"Address"</label>
            <p id="address-hint" class="text-sm">"One line per line of the address"</p>
            {move || error_for("address").get().map(|e| view! { <p class="font-bold text-nhs-red">{e}</p> })}
            <textarea id="address" name="form[address]" rows="3" class="op-input w-full" aria-describedby="address-hint">{initial.address}</textarea>
        </div>
        <Field id="postcode" label="Postcode" value=initial.postcode error=error_for("postcode") />
        <Field id="phone" label="Phone (optional)" kind="tel" value=initial.phone error=error_for("phone") />
        <Field id="email" label="Email (optional)" kind="email" value=initial.email error=error_for("email") />
        <Field id="nhs_number" label="NHS number" hint="10 digits, for example 943 476 5919" value=initial.nhs_number error=error_for("nhs_number") />
        <div>
            <label for="usual_gp" class="mb-1 block font-bold">"Usual GP"</label>
            {move || error_for("usual_gp").get().map(|e| view! { <p class="font-bold text-nhs-red">{e}</p> })}
            <select id="usual_gp" name="form[usual_gp]" class="op-input">
                <option value="">"None"</option>
                {move || {
                    let gp = gp.clone();
                    gps.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|(id, name)| {
                        let selected = id == gp;
                        view! { <option value=id selected=selected>{name}</option> }
                    }).collect_view()
                }}
            </select>
        </div>
        <Field id="registered_on" label="Registration date (optional)" hint="Today if left blank" value=initial.registered_on error=error_for("registered_on") />
    }
}

/// `/patients/new`.
#[component]
pub fn RegisterPatientPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Patients, &user) {
        return refusal;
    }
    let register = ServerAction::<RegisterPatient>::new();
    let errors = Signal::derive(move || register.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Register a patient" />
        <h1 class="mb-4 text-3xl font-bold">"Register a patient"</h1>
        {move || register.value().get().map(|r| match r {
            Ok(id) => view! { <p role="status" class="mb-4 font-bold">"Registered. "<a class="op-link" href=format!("/patients/{id}")>"Open the record"</a></p> }.into_any(),
            Err(e) => view! { <p role="alert" class="mb-4 font-bold text-nhs-red">{format!("Not saved: {e}")}</p> }.into_any(),
        })}
        <ActionForm action=register attr:class="grid max-w-2xl gap-3 bg-white p-4">
            <PatientFields initial=PatientForm::default() errors />
            <button type="submit" class="op-button justify-self-start">"Register patient"</button>
        </ActionForm>
    }
    .into_any()
}

/// `/patients/:id/edit`: change a patient's details (reception). A save
/// names the version it started from; if a colleague saved first it is
/// refused, naming them, and nothing is overwritten.
#[component]
pub fn EditPatientPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Patients, &user) {
        return refusal;
    }
    let id = use_params_map()
        .with_untracked(|p| p.get("id"))
        .unwrap_or_default();
    let page = {
        let id = id.clone();
        LocalResource::new(move || get_patient_page(id.clone().into()))
    };
    view! {
        <Title text="Edit patient details" />
        {crate::loading::when_loaded(page, move |loaded| match loaded {
            Err(AppError::NotFound) => view! { <h1 class="text-3xl font-bold">"Patient not found"</h1> }.into_any(),
            Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
            Ok(data) => view! { <EditPatientForm patient=data.patient allergies=data.summary.allergies /> }.into_any(),
        })}
    }
    .into_any()
}

#[component]
fn EditPatientForm(
    patient: PatientDetails,
    allergies: Option<Vec<domain::record::RecordItem>>,
) -> impl IntoView {
    let edit = ServerAction::<super::EditPatient>::new();
    let errors = Signal::derive(move || edit.value().get().and_then(|r| r.err()));
    let version = patient.version;
    let current_version = move || match edit.value().get() {
        Some(Ok(v)) => v,
        _ => domain::Version(version),
    };
    let href = format!("/patients/{}", patient.id);
    view! {
        {banner(&patient, "Edit details: ", allergies)}
        {move || edit.value().get().map(|r| match r {
            Ok(_) => view! { <p role="status" class="mb-4 font-bold">"Saved. "<a class="op-link" href=href.clone()>"Open the record"</a></p> }.into_any(),
            Err(e) => view! { <p role="alert" class="mb-4 font-bold text-nhs-red">{format!("Not saved: {e}")}</p> }.into_any(),
        })}
        <ActionForm action=edit attr:class="grid max-w-2xl gap-3 bg-white p-4">
            <input type="hidden" name="id" value=patient.id.clone() />
            <input type="hidden" name="version" prop:value=move || current_version().to_string() />
            <PatientFields initial=PatientForm::from_details(&patient) errors />
            <button type="submit" class="op-button justify-self-start">"Save changes"</button>
        </ActionForm>
    }
}

/// The patient banner every patient page starts with: name (after
/// `heading`, e.g. "Consultation: "), date of birth and age, NHS number,
/// gender, address, and the allergy alert when the role sees alerts.
pub(super) fn banner(
    p: &PatientDetails,
    heading: &'static str,
    allergies: Option<Vec<domain::record::RecordItem>>,
) -> impl IntoView {
    view! {
        <section aria-label="Patient banner" class="mb-4 bg-nhs-dark-blue p-4 text-white">
            <h1 class="text-3xl font-bold">{format!("{heading}{}", p.display_name())}</h1>
            <p class="text-lg">
                {format!("Born {} · NHS number {} · {}", birth_and_age(&p.date_of_birth, today()), p.nhs_display(), p.gender_text())}
            </p>
            <p>{format!("{}, {}", p.address_lines.join(", "), p.postcode)}</p>
            {super::record_pages::allergy_line(allergies.as_ref())}
        </section>
    }
}

/// `/admin/audit`: the practice's audit trail, filtered by member of staff,
/// patient (NHS number) and date.
#[component]
pub fn AuditPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Admin, &user) {
        return refusal;
    }
    let trail = ServerAction::<super::GetAuditTrail>::new();
    let staff = LocalResource::new(crate::tasks::get_task_form_staff);
    view! {
        <Title text="Audit trail" />
        <h1 class="mb-4 text-3xl font-bold">"Audit trail"</h1>
        <ActionForm action=trail attr:class="mb-4 flex flex-wrap items-end gap-3 bg-white p-4">
            <div>
                <label for="audit-staff" class="mb-1 block font-bold">"Member of staff"</label>
                <select id="audit-staff" name="staff" class="op-input">
                    <option value="">"Anyone"</option>
                    {move || staff.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                </select>
            </div>
            <div>
                <label for="audit-nhs" class="mb-1 block font-bold">"Patient's NHS number"</label>
                <input id="audit-nhs" name="nhs_number" class="op-input" />
            </div>
            <div>
                <label for="audit-date" class="mb-1 block font-bold">"Date"</label>
                <input id="audit-date" name="date" class="op-input" placeholder="21/11/2026" />
            </div>
            <button type="submit" class="op-button">"Show"</button>
        </ActionForm>
        {move || trail.value().get().map(|r| match r {
            Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
            Ok(rows) if rows.is_empty() => view! { <p role="status">"No entries match."</p> }.into_any(),
            Ok(rows) => view! {
                <table class="w-full bg-white">
                    <caption class="sr-only">"Audit entries, newest first"</caption>
                    <thead><tr class="text-left">
                        <th scope="col" class="p-2">"When"</th>
                        <th scope="col" class="p-2">"Who"</th>
                        <th scope="col" class="p-2">"What"</th>
                        <th scope="col" class="p-2">"Patient"</th>
                        <th scope="col" class="p-2">"From"</th>
                        <th scope="col" class="p-2">"Outcome"</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| view! {
                            <tr class="border-t border-nhs-grey-4">
                                <td class="p-2">{crate::live::london_text(&r.at)}</td>
                                <td class="p-2">{format!("{} ({})", r.staff_name, r.role)}</td>
                                <td class="p-2">{r.action}</td>
                                <td class="p-2">{r.patient_name.unwrap_or_default()}</td>
                                <td class="p-2">{r.address.unwrap_or_default()}</td>
                                <td class="p-2">{r.outcome}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        })}
    }
    .into_any()
}
