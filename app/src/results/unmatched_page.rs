//! `/results/unmatched`: reports no patient was found for. Each shows the
//! demographics the laboratory sent and why it was not matched (never its
//! values); a person finds the patient with the usual search, compares
//! the candidate's details beside the report's, and matches or rejects.

use super::{when_of, MatchResult, RejectResult};
use crate::appointments::{search_patients, LiveStatus};
use crate::auth::CurrentUser;
use crate::live::use_live;
use crate::pages::outcome;
use domain::book::PatientHit;
use domain::live::{Rows, Topic};
use domain::results::UnmatchedRow;
use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UnmatchedPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Results, &user) {
        return refusal;
    }
    let matched = ServerAction::<MatchResult>::new();
    let rejected = ServerAction::<RejectResult>::new();
    // Live: a report a colleague matches or rejects leaves at once, a new
    // one appears; the others keep what is typed in them (keyed rows).
    let list = use_live(Topic::Unmatched, None);
    view! {
        <Title text="Unmatched reports" />
        <p class="mb-2"><a class="op-link" href="/results">"Back to results"</a></p>
        <h1 class="mb-2 text-3xl font-bold">"Unmatched reports"</h1>
        <p class="mb-4 max-w-2xl">"Each report's NHS number, date of birth and family name must all agree with one registered patient before it reaches a clinician. Find the patient, compare their details with the report's, then match it, or reject it with a reason."</p>
        {move || outcome(matched.value().get(), |_| "Matched: the report is now with the patient's clinician.".to_string())}
        {move || outcome(rejected.value().get(), |_| "Rejected.".to_string())}
        <LiveStatus connection=list.connection />
        {move || list.refused.get().map(|m| view! { <p role="alert" class="font-bold text-nhs-red">{m}</p> })}
        {move || (list.loaded.get() && list.rows.with(Rows::is_empty)).then(|| view! {
            <p class="bg-white p-4">"No report is waiting to be matched."</p>
        })}
        <ul class="grid gap-4">
            <For
                each=move || list.rows.with(|r| r.unmatched().to_vec())
                key=|r| (r.id.clone(), r.version)
                children=move |r| view! { <Unmatched row=r matched=matched rejected=rejected /> }
            />
        </ul>
    }
    .into_any()
}

#[component]
fn Unmatched(
    row: UnmatchedRow,
    matched: ServerAction<MatchResult>,
    rejected: ServerAction<RejectResult>,
) -> impl IntoView {
    let d = row.demographics.clone();
    let sent = format!(
        "{} {}, born {}, NHS number {}",
        d.given,
        d.family.to_uppercase(),
        if d.birth_date.is_empty() {
            "not given"
        } else {
            &d.birth_date
        },
        if d.nhs_number.is_empty() {
            "not given"
        } else {
            &d.nhs_number
        },
    );
    let query = RwSignal::new(String::new());
    let hits = RwSignal::new(None::<Result<Vec<PatientHit>, String>>);
    let search = move || {
        let q = query.get_untracked();
        leptos::task::spawn_local(async move {
            hits.set(Some(search_patients(q).await.map_err(|e| e.to_string())));
        });
    };
    let search_id = format!("find-{}", row.id);
    let reject_id = format!("reject-{}", row.id);
    let (id, version) = (row.id.clone(), row.version);
    let reason_error = Signal::derive(move || {
        rejected
            .value()
            .get()
            .and_then(Result::err)
            .and_then(|e| e.field_message("reason"))
    });
    let title = format!("{} from {}", row.kind, row.laboratory);
    view! {
        <li class="bg-white p-4">
            <h2 class="text-xl font-bold">{title}</h2>
            <p class="mb-1">{format!("Received {}", when_of(&row.received_at))}</p>
            <p class="mb-1"><span class="font-bold">"The report says: "</span>{sent.clone()}</p>
            <p class="mb-3"><span class="font-bold">"Not matched because: "</span>{row.reason.clone()}</p>
            <form class="mb-2 flex flex-wrap items-end gap-2" on:submit=move |ev| { ev.prevent_default(); search(); }>
                <div>
                    <label for=search_id.clone() class="mb-1 block font-bold">"Find the patient (name, NHS number or date of birth)"</label>
                    <input id=search_id class="op-input" bind:value=query />
                </div>
                <button type="submit" class="op-button-secondary">"Search"</button>
            </form>
            {move || match hits.get() {
                None => None,
                Some(Err(e)) => Some(view! { <p role="alert" class="font-bold text-nhs-red">{e}</p> }.into_any()),
                Some(Ok(found)) if found.is_empty() => Some(view! { <p role="status">"No patient found."</p> }.into_any()),
                Some(Ok(found)) => Some(view! {
                    <ul class="mb-2 grid gap-2">
                        {found.into_iter().map(|h| {
                            let id = id.clone();
                            let name = h.display_name();
                            let nhs = domain::NhsNumber::parse(&h.nhs_number).map(|n| n.to_string()).unwrap_or(h.nhs_number.clone());
                            view! {
                                <li class="flex flex-wrap items-center justify-between gap-2 border border-nhs-grey-4 p-2">
                                    <span>
                                        <span class="font-bold">{name.clone()}</span>
                                        {format!(", born {}, NHS number {nhs}", h.date_of_birth)}
                                        <br />
                                        <span class="text-sm">{format!("Report: {sent}")}</span>
                                    </span>
                                    <ActionForm action=matched>
                                        <input type="hidden" name="id" value=id />
                                        <input type="hidden" name="version" value=version.to_string() />
                                        <input type="hidden" name="patient" value=h.id.clone() />
                                        <button type="submit" class="op-button" aria-label=format!("Match to {name}")>"Match to this patient"</button>
                                    </ActionForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()),
            }}
            <ActionForm action=rejected attr:class="flex flex-wrap items-end gap-2">
                <input type="hidden" name="id" value=row.id.clone() />
                <input type="hidden" name="version" value=row.version.to_string() />
                <div>
                    <label for=reject_id.clone() class="mb-1 block font-bold">"Not ours, or not a real report? Why"</label>
                    <input id=reject_id.clone() name="reason" class="op-input" aria-describedby=format!("{reject_id}-error") />
                    {move || reason_error.get().map(|m| view! { <p id=format!("{}-error", reject_id) class="font-bold text-nhs-red">{m}</p> })}
                </div>
                <button type="submit" class="op-button-secondary">"Reject"</button>
            </ActionForm>
        </li>
    }
}
