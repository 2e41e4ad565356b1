//! `/patients/:id`, the patient's page: banner, presence, the record's
//! sections each role may see, results; live (a colleague's change to a
//! part of the record is read again at once, hazard H29).

use super::get_patient_page;
use super::pages::banner;
use crate::appointments::LiveStatus;
use crate::auth::CurrentUser;
use crate::live::{use_live_here, use_live_since, AlsoHere};
use crate::AppError;
use domain::live::{changed_since, Place, RecordPart, Topic};
use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/patients/:id`: the banner, presence, "New task", and for admin who
/// has accessed the record.
#[component]
pub fn PatientPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Patients, &user) {
        return refusal;
    }
    let role = user.role;
    let id = use_params_map()
        .with_untracked(|p| p.get("id"))
        .unwrap_or_default();
    // Unsaved input on the page: a colleague's change is then announced,
    // not applied (applying it redraws the page and would lose the entry).
    let dirty = RwSignal::new(false);
    let here = use_live_here(None, Place::Patient { id: id.clone() }, dirty.into());
    let page = {
        let id = id.clone();
        LocalResource::new(move || get_patient_page(id.clone().into()))
    };
    let results_refresh = RwSignal::new(0u64);
    let held_back = RwSignal::new(None::<String>);
    let refresh = move || {
        dirty.set(false);
        held_back.set(None);
        page.refetch();
    };
    view! {
        <Title text="Patient" />
        {crate::loading::when_loaded(page, move |loaded| {
                match loaded {
                    Err(AppError::NotFound) => view! { <h1 class="text-3xl font-bold">"Patient not found"</h1> }.into_any(),
                    Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
                    Ok(data) => {
                        let p = data.patient;
                        let summary = data.summary;
                        let allergies = summary.allergies.clone();
                        let on_change = Callback::new(move |_| refresh());
                        // Live from the seq this data reflects.
                        let live = use_live_since(Topic::Patient { id: p.id.clone() }, data.seq);
                        read_again_when_changed(live, data.seq, page, dirty, held_back, results_refresh);
                        let accesses = data.accesses.map(|rows| view! {
                            <h2 class="mb-2 mt-6 text-2xl font-bold">"Who has accessed this record"</h2>
                            <table class="w-full bg-white">
                                <thead><tr class="text-left">
                                    <th scope="col" class="p-2">"When"</th>
                                    <th scope="col" class="p-2">"Who"</th>
                                    <th scope="col" class="p-2">"What"</th>
                                    <th scope="col" class="p-2">"Outcome"</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|r| view! {
                                        <tr class="border-t border-nhs-grey-4">
                                            <td class="p-2">{crate::live::london_text(&r.at)}</td>
                                            <td class="p-2">{format!("{} ({})", r.staff_name, r.role)}</td>
                                            <td class="p-2">{r.action}</td>
                                            <td class="p-2">{r.outcome}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any());
                        view! {
                            {banner(&p, "", allergies)}
                            <AlsoHere list=here />
                            <LiveStatus connection=live.connection what="page" />
                            {move || held_back.get().map(|at| view! {
                                <p role="alert" class="mb-2 border-l-8 border-nhs-warm-yellow bg-white p-2 font-bold">
                                    {format!("A colleague changed this record at {at}. It is not shown yet because you have unsaved entries here: save them, or ")}
                                    <button type="button" class="op-link" on:click=move |_| refresh()>"show the changes now (clears your unsaved entries)"</button>
                                </p>
                            })}
                            <p class="flex flex-wrap gap-4">
                                <a class="op-button-secondary inline-block" href=format!("/tasks/new?patient={}", p.id)>"New task for this patient"</a>
                                {(domain::policy::access(role, domain::policy::DataKind::Demographics) == domain::policy::Access::Write).then(|| view! {
                                    <a class="op-button-secondary inline-block" href=format!("/patients/{}/edit", p.id)>"Edit details"</a>
                                })}
                            </p>
                            <div on:input=move |_| dirty.set(true)>
                                <super::record_pages::RecordSections patient_id=p.id.clone() summary on_change />
                            </div>
                            <crate::results::PatientResults patient_id=p.id.clone() clinician=role.is_clinician() refresh=results_refresh.into() />
                            <div on:input=move |_| dirty.set(true)>
                                <crate::results::UploadLetter patient_id=p.id.clone() />
                            </div>
                            {accesses}
                        }.into_any()
                    }
                }
            })}
    }
    .into_any()
}

/// Reads again each part of the open patient page that a colleague
/// changed after the data shown (`shown`: its `seq`): the record and
/// details by reloading the page (unless there is unsaved input: then
/// `held_back` says when, and the person chooses), the results section by
/// `results_refresh`.
fn read_again_when_changed(
    live: crate::live::LiveList,
    shown: u64,
    page: LocalResource<Result<domain::patient::PatientPageData, AppError>>,
    dirty: RwSignal<bool>,
    held_back: RwSignal<Option<String>>,
    results_refresh: RwSignal<u64>,
) {
    let results_seen = RwSignal::new(shown);
    Effect::new(move |_| {
        let changes = live.rows.with(|r| r.patient_changes().to_vec());
        let newer = changed_since(&changes, shown);
        if newer.iter().any(|p| *p != RecordPart::Results) {
            if dirty.get_untracked() {
                held_back.set(Some(domain::time::london_hhmm(crate::live::clock_now())));
            } else {
                page.refetch();
            }
        }
        let seen = results_seen.get_untracked();
        let latest = changes
            .iter()
            .filter(|c| c.part == RecordPart::Results && c.seq > seen)
            .map(|c| c.seq)
            .max();
        if let Some(latest) = latest {
            results_seen.set(latest);
            results_refresh.update(|n| *n += 1);
        }
    });
}
