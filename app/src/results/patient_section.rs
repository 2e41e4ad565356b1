//! The patient's page's results: for clinicians, every report of theirs
//! and letter (unfiled and filed, newest first, each a link to its page); for
//! everyone, what clinicians asked reception to tell the patient.

use super::{day_of, flags, when_of};
use crate::AppError;
use domain::results::{InboxKind, InboxRow, PatientMessage};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "patient_results")]
pub async fn get_patient_results(patient: String) -> Result<Vec<InboxRow>, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::results::for_patient(&store, &actor, &patient).await?)
}

#[server(prefix = "/api", endpoint = "patient_result_messages")]
pub async fn get_patient_result_messages(patient: String) -> Result<Vec<PatientMessage>, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::results::messages_for_patient(&store, &actor, &patient).await?)
}

/// `refresh`: bumped when the patient's results changed (the page's live
/// topic says so): both parts are read again.
#[component]
pub fn PatientResults(patient_id: String, clinician: bool, refresh: Signal<u64>) -> impl IntoView {
    let messages = {
        let id = patient_id.clone();
        LocalResource::new(move || {
            refresh.track();
            get_patient_result_messages(id.clone())
        })
    };
    let reports = LocalResource::new(move || {
        refresh.track();
        let id = patient_id.clone();
        async move {
            if clinician {
                get_patient_results(id).await.map(Some)
            } else {
                Ok(None)
            }
        }
    });
    view! {
        {crate::loading::when_loaded(messages, |loaded| match loaded {
            Ok(m) if !m.is_empty() => view! {
                <h2 class="mb-2 mt-6 text-2xl font-bold">"Results: what to tell the patient"</h2>
                <ul class="grid gap-2">
                    {m.into_iter().map(|m| view! {
                        <li class="border-l-8 border-nhs-blue bg-white p-3">
                            <p class="font-bold">{format!("{} – filed by {} on {}", m.title, m.by, when_of(&m.at))}</p>
                            <p>{m.comment}</p>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any(),
            Ok(_) => ().into_any(),
            Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
        })}
        {crate::loading::when_loaded(reports, |loaded| match loaded {
            Ok(None) => ().into_any(),
            Ok(Some(rows)) => {
                let (letters, reports): (Vec<InboxRow>, Vec<InboxRow>) =
                    rows.into_iter().partition(|r| r.kind == InboxKind::Letter);
                view! {
                    <h2 class="mb-2 mt-6 text-2xl font-bold">"Results"</h2>
                    {items_table(reports, "No laboratory results.", "Test", "Laboratory")}
                    <h2 class="mb-2 mt-6 text-2xl font-bold">"Documents"</h2>
                    {items_table(letters, "No letters or documents.", "Letter", "From")}
                }.into_any()
            }
            Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
        })}
    }
}

/// A patient's reports or letters, newest first, each a link to its page.
fn items_table(
    rows: Vec<InboxRow>,
    empty: &'static str,
    what: &'static str,
    from: &'static str,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="bg-white p-4">{empty}</p> }.into_any();
    }
    view! {
        <table class="w-full bg-white">
            <thead><tr class="text-left">
                <th scope="col" class="p-2">"Issued"</th>
                <th scope="col" class="p-2">{what}</th>
                <th scope="col" class="p-2">{from}</th>
                <th scope="col" class="p-2">"State"</th>
                <th scope="col" class="p-2">"Flags"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let state = if r.state == domain::results::ItemState::Filed { "Filed" } else { "Waiting to be filed" };
                    view! {
                        <tr class="border-t border-nhs-grey-4">
                            <td class="p-2">{day_of(&r.issued)}</td>
                            <td class="p-2"><a class="op-link" href=format!("/results/{}", r.id)>{r.title.clone()}</a></td>
                            <td class="p-2">{r.laboratory.clone()}</td>
                            <td class="p-2">{state}</td>
                            <td class="p-2">{flags(&r)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
