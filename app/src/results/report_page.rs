//! `/results/:id`: one report for a clinician: who it is about and how it
//! was matched, each analyte with its value, range and flag (in words),
//! the patient's earlier values as a trend, and the forms to file it with
//! an outcome, reassign it, or undo a wrong match.

use super::{day_of, flags, get_result_page, when_of};
use super::{FileResult, ReassignResult, UnmatchResult};
use crate::auth::sign_in_page::FormField;
use crate::auth::CurrentUser;
use crate::pages::outcome;
use domain::results::{InboxKind, ItemState, Outcome, ReportPage};
use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ResultPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Results, &user) {
        return refusal;
    }
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let file = ServerAction::<FileResult>::new();
    let reassign = ServerAction::<ReassignResult>::new();
    let unmatch = ServerAction::<UnmatchResult>::new();
    let letter_filed = RwSignal::new(0_u64);
    let page = LocalResource::new(move || {
        letter_filed.track();
        file.version().track();
        reassign.version().track();
        unmatch.version().track();
        let id = id();
        async move { get_result_page(id).await }
    });
    view! {
        <Title text="Result" />
        <p class="mb-2"><a class="op-link" href="/results">"Back to the inbox"</a></p>
        {move || outcome(file.value().get(), |_| "Filed.".to_string())}
        {move || outcome(reassign.value().get(), |_| "Reassigned.".to_string())}
        {move || outcome(unmatch.value().get(), |_| "Match undone: it is back on the Unmatched list.".to_string())}
        {move || (letter_filed.get() > 0).then(|| view! { <p role="status" class="mb-2 border-l-8 border-nhs-green bg-white p-2 font-bold">"Filed."</p> })}
        {crate::loading::when_loaded(page, move |loaded| match loaded {
            Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
            Ok(p) if p.report.row.kind == InboxKind::Letter => {
                super::letter_page::letter_view(p, letter_filed, reassign, unmatch).into_any()
            }
            Ok(p) => report_view(p, file, reassign, unmatch).into_any(),
        })}
    }
    .into_any()
}

fn report_view(
    p: ReportPage,
    file: ServerAction<FileResult>,
    reassign: ServerAction<ReassignResult>,
    unmatch: ServerAction<UnmatchResult>,
) -> impl IntoView {
    let r = p.report;
    let row = r.row.clone();
    let who = row
        .patient_name
        .clone()
        .unwrap_or_else(|| "Unmatched".into());
    let patient_link = row.patient_id.clone().map(|pid| {
        view! { <a class="op-link" href=format!("/patients/{pid}")>{format!("Open {who}'s record")}</a> }
    });
    let notices = view! {
        {r.replaces.clone().map(|old| view! {
            <p role="note" class="mb-2 border-l-8 border-nhs-warm-yellow bg-white p-2 font-bold">
                "This is a corrected report. "<a class="op-link" href=format!("/results/{old}")>"See the report it replaces"</a>
            </p>
        })}
        {r.replaced_by.clone().map(|new| view! {
            <p role="note" class="mb-2 border-l-8 border-nhs-red bg-white p-2 font-bold">
                "The laboratory has corrected this report. "<a class="op-link" href=format!("/results/{new}")>"See the corrected report"</a>
            </p>
        })}
    };
    let analytes = r
        .analytes
        .iter()
        .map(|a| {
            let flag = a.flag.label();
            let strong = a.flag != domain::results::Flag::Normal;
            view! {
                <tr class="border-t border-nhs-grey-4">
                    <th scope="row" class="p-2 text-left">{a.display.clone()}</th>
                    <td class="p-2" class:font-bold=strong>{a.value_label()}</td>
                    <td class="p-2">{a.range_label()}</td>
                    <td class="p-2" class:font-bold=strong class:text-nhs-red=strong>{flag}</td>
                </tr>
            }
        })
        .collect_view();
    let trends = r
        .history
        .iter()
        .filter(|h| h.points.len() > 1)
        .map(|h| crate::patients::trend(&h.display, &h.unit, &h.points))
        .collect_view();
    let matched = super::match_line(r.matched.clone());
    let filing = r.filing.clone().map(|f| {
        view! {
            <section class="mb-4 border-l-8 border-nhs-green bg-white p-4">
                <h2 class="mb-2 text-2xl font-bold">"Filed"</h2>
                <p>{format!("{} – by {} on {}", f.outcome.label(), f.by, when_of(&f.at))}</p>
                {(!f.patient_comment.is_empty()).then(|| view! { <p><span class="font-bold">"For the patient: "</span>{f.patient_comment.clone()}</p> })}
                {(!f.note.is_empty()).then(|| view! { <p><span class="font-bold">"Note: "</span>{f.note.clone()}</p> })}
                {f.task_id.clone().map(|t| view! { <p><a class="op-link" href=format!("/tasks/{t}")>"The task it raised"</a></p> })}
            </section>
        }
    });
    let unfiled = row.state == ItemState::Unfiled;
    view! {
        <h1 class="mb-2 text-3xl font-bold">{format!("{} – {who}", row.title)}</h1>
        <p class="mb-2">{flags(&row)}</p>
        {notices}
        <dl class="mb-4 grid max-w-3xl grid-cols-1 bg-white p-4 sm:grid-cols-2">
            <dt class="font-bold">"As the laboratory sent it"</dt>
            <dd class="mb-2">{super::as_sent(&r.demographics)}</dd>
            <dt class="font-bold">"Laboratory"</dt><dd class="mb-2">{row.laboratory.clone()}</dd>
            <dt class="font-bold">"Requested by"</dt><dd class="mb-2">{r.requester_name.clone().unwrap_or_else(|| "Not given".into())}</dd>
            <dt class="font-bold">"Issued"</dt><dd class="mb-2">{when_of(&row.issued)}</dd>
            <dt class="font-bold">"Received"</dt><dd class="mb-2">{when_of(&row.received_at)}</dd>
            <dt class="font-bold">"In the inbox of"</dt><dd class="mb-2">{row.assigned_name.clone().unwrap_or_else(|| "The pool".into())}</dd>
            {matched}
        </dl>
        <p class="mb-4">{patient_link}</p>
        <table class="mb-4 w-full max-w-3xl bg-white">
            <caption class="p-2 text-left text-xl font-bold">{format!("Results issued {}", day_of(&row.issued))}</caption>
            <thead><tr class="text-left">
                <th scope="col" class="p-2">"Test"</th>
                <th scope="col" class="p-2">"Result"</th>
                <th scope="col" class="p-2">"Reference range"</th>
                <th scope="col" class="p-2">"Flag"</th>
            </tr></thead>
            <tbody>{analytes}</tbody>
        </table>
        {r.conclusion.clone().map(|c| view! { <p class="mb-4 bg-white p-4"><span class="font-bold">"Laboratory comment: "</span>{c}</p> })}
        <div class="mb-4 grid gap-4 lg:grid-cols-2">{trends}</div>
        {filing}
        {unfiled.then(|| file_form(row.id.clone(), row.version, p.teams.clone(), file))}
        {unfiled.then(|| other_actions(row.id.clone(), row.version, p.clinicians.clone(), reassign, unmatch))}
    }
}

fn file_form(
    id: String,
    version: i64,
    teams: Vec<(String, String)>,
    file: ServerAction<FileResult>,
) -> impl IntoView {
    let error_of = move |field: &'static str| {
        Signal::derive(move || {
            file.value()
                .get()
                .and_then(Result::err)
                .and_then(|e| e.field_message(field))
        })
    };
    let outcomes = Outcome::FOR_RESULTS
        .into_iter()
        .map(|o| {
            let input = format!("outcome-{}", o.as_str());
            view! {
                <div class="flex items-center gap-2">
                    <input type="radio" id=input.clone() name="form[outcome]" value=o.as_str() class="h-5 w-5" />
                    <label for=input>{o.label()}</label>
                </div>
            }
        })
        .collect_view();
    let team_options = teams
        .into_iter()
        .map(|(id, n)| view! { <option value=id>{n}</option> })
        .collect_view();
    view! {
        <section class="mb-4 bg-white p-4">
            <h2 class="mb-2 text-2xl font-bold">"File this result"</h2>
            <ActionForm action=file attr:class="grid max-w-2xl gap-3">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="version" value=version.to_string() />
                <fieldset aria-describedby="outcome-error">
                    <legend class="mb-1 font-bold">"Outcome"</legend>
                    {outcomes}
                    {move || error_of("outcome").get().map(|m| view! { <p id="outcome-error" class="font-bold text-nhs-red">{m}</p> })}
                </fieldset>
                <FormField id="file-team" label="Team to act on it (for an action)" error=error_of("team")>
                    <select id="file-team" name="form[team]" class="op-input" aria-describedby="file-team-error">
                        <option value="">"Choose a team"</option>
                        {team_options}
                    </select>
                </FormField>
                <FormField id="file-comment" label="Comment for the patient (reception reads this out)" error=error_of("patient_comment")>
                    <textarea id="file-comment" name="form[patient_comment]" rows="2" class="op-input" aria-describedby="file-comment-error"></textarea>
                </FormField>
                <FormField id="file-note" label="Internal note (colleagues only)" error=error_of("note")>
                    <textarea id="file-note" name="form[note]" rows="2" class="op-input" aria-describedby="file-note-error"></textarea>
                </FormField>
                <div><button type="submit" class="op-button">"File result"</button></div>
            </ActionForm>
        </section>
    }
}

pub(super) fn other_actions(
    id: String,
    version: i64,
    clinicians: Vec<(String, String)>,
    reassign: ServerAction<ReassignResult>,
    unmatch: ServerAction<UnmatchResult>,
) -> impl IntoView {
    let reason_error = Signal::derive(move || {
        unmatch
            .value()
            .get()
            .and_then(Result::err)
            .and_then(|e| e.field_message("reason"))
    });
    let again = id.clone();
    let options = clinicians
        .into_iter()
        .map(|(id, n)| view! { <option value=id>{n}</option> })
        .collect_view();
    view! {
        <section class="mb-4 grid gap-4 bg-white p-4 lg:grid-cols-2">
            <ActionForm action=reassign attr:class="flex flex-wrap items-end gap-2">
                <input type="hidden" name="id" value=id.clone() />
                <input type="hidden" name="version" value=version.to_string() />
                <div>
                    <label for="reassign-to" class="mb-1 block font-bold">"Reassign to"</label>
                    <select id="reassign-to" name="to" class="op-input">
                        <option value="">"The results pool"</option>
                        {options}
                    </select>
                </div>
                <button type="submit" class="op-button-secondary">"Reassign"</button>
            </ActionForm>
            <ActionForm action=unmatch attr:class="flex flex-wrap items-end gap-2">
                <input type="hidden" name="id" value=again />
                <input type="hidden" name="version" value=version.to_string() />
                <FormField id="unmatch-reason" label="Wrong patient? Why" error=reason_error>
                    <input id="unmatch-reason" name="reason" class="op-input" aria-describedby="unmatch-reason-error" />
                </FormField>
                <button type="submit" class="op-button-secondary">"Undo match"</button>
            </ActionForm>
        </section>
    }
}
