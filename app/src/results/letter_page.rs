//! Letters: a clinician reads one inline (the PDF in a same-origin frame)
//! and files it with a one-line summary and coded entries picked from the
//! practice's SNOMED CT list (they join the problem list); any member of
//! staff who sees the patient uploads one from the patient's page.

use super::{when_of, ReassignResult, UnmatchResult};
use crate::AppError;
use domain::clinical::CodeKind;
use domain::results::{ItemState, LetterForm, ReportPage};
use leptos::prelude::*;

/// What the last answer said about `field`, if it was refused.
fn field_error<T: Send + Sync + 'static>(
    result: RwSignal<Option<Result<T, AppError>>>,
    field: &'static str,
) -> impl Fn() -> Option<String> + Copy {
    move || {
        result.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().err())
                .and_then(|e| e.field_message(field))
        })
    }
}

/// A letter's page: who it is about, who sent it, the PDF, and (unfiled)
/// the filing form. `filed` is bumped when it is filed, so the page is
/// read again.
pub(super) fn letter_view(
    p: ReportPage,
    filed: RwSignal<u64>,
    reassign: ServerAction<ReassignResult>,
    unmatch: ServerAction<UnmatchResult>,
) -> impl IntoView {
    let r = p.report;
    let row = r.row.clone();
    let who = row
        .patient_name
        .clone()
        .unwrap_or_else(|| "Unmatched".into());
    let src = format!("/letters/{}/document", row.id);
    let matched = super::match_line(r.matched.clone());
    let filing = r.filing.clone().map(|f| {
        view! {
            <section class="mb-4 border-l-8 border-nhs-green bg-white p-4" aria-labelledby="letter-filed">
                <h2 id="letter-filed" class="mb-2 text-2xl font-bold">"Filed"</h2>
                <p>{format!("By {} on {}", f.by, when_of(&f.at))}</p>
                <p><span class="font-bold">"Summary: "</span>{f.summary.clone()}</p>
                {(!f.codes.is_empty()).then(|| view! {
                    <p class="font-bold">"Coded entries (on the problem list)"</p>
                    <ul class="list-disc pl-6">
                        {f.codes.iter().map(|(c, t)| view! { <li>{format!("{t} ({c})")}</li> }).collect_view()}
                    </ul>
                })}
            </section>
        }
    });
    let unfiled = row.state == ItemState::Unfiled;
    view! {
        <h1 class="mb-2 text-3xl font-bold">{format!("{} – {who}", row.title)}</h1>
        <dl class="mb-4 grid max-w-3xl grid-cols-1 bg-white p-4 sm:grid-cols-2">
            <dt class="font-bold">"As the sender gave it"</dt>
            <dd class="mb-2">{super::as_sent(&r.demographics)}</dd>
            <dt class="font-bold">"From"</dt><dd class="mb-2">{row.laboratory.clone()}</dd>
            <dt class="font-bold">"Dated"</dt><dd class="mb-2">{super::day_of(&row.issued)}</dd>
            <dt class="font-bold">"Received"</dt><dd class="mb-2">{when_of(&row.received_at)}</dd>
            <dt class="font-bold">"In the inbox of"</dt><dd class="mb-2">{row.assigned_name.clone().unwrap_or_else(|| "The pool".into())}</dd>
            {matched}
        </dl>
        {row.patient_id.clone().map(|pid| view! {
            <p class="mb-4"><a class="op-link" href=format!("/patients/{pid}")>{format!("Open {who}'s record")}</a></p>
        })}
        <section class="mb-4 bg-white p-4" aria-labelledby="letter-document">
            <h2 id="letter-document" class="mb-2 text-2xl font-bold">"The letter"</h2>
            <p class="mb-2"><a class="op-link" href=src.clone() target="_blank" rel="noopener">"Open the letter in a new tab"</a></p>
            <iframe src=src title=format!("Letter: {}", row.title) class="h-[75vh] w-full border-2 border-nhs-grey-3"></iframe>
        </section>
        {filing}
        {unfiled.then(|| view! { <FileLetter id=row.id.clone() version=row.version filed /> })}
        {unfiled.then(|| super::report_page::other_actions(row.id.clone(), row.version, p.clinicians.clone(), reassign, unmatch))}
    }
}

/// The letter's filing form: coded entries picked one by one (each can be
/// taken off again), and the summary.
#[component]
fn FileLetter(id: String, version: i64, filed: RwSignal<u64>) -> impl IntoView {
    let codes = RwSignal::new(Vec::<(String, String)>::new());
    let typed = RwSignal::new(String::new());
    let summary = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Result<(), AppError>>);
    let pending = RwSignal::new(false);
    let error_of = move |field: &'static str| field_error(result, field);
    let pick = Callback::new(move |(code, term): (String, String)| {
        codes.update(|c| {
            if !c.iter().any(|(x, _)| *x == code) {
                c.push((code, term));
            }
        });
        typed.set(String::new());
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        let form = LetterForm {
            codes: codes.get_untracked().into_iter().map(|(c, _)| c).collect(),
            summary: summary.get_untracked(),
        };
        let id = id.clone();
        leptos::task::spawn_local(async move {
            let outcome = super::file_letter(id, version, form).await;
            pending.set(false);
            let ok = outcome.is_ok();
            result.set(Some(outcome));
            if ok {
                filed.update(|n| *n += 1);
            }
        });
    };
    view! {
        <section class="mb-4 bg-white p-4" aria-labelledby="file-letter">
            <h2 id="file-letter" class="mb-2 text-2xl font-bold">"File this letter"</h2>
            <form class="grid max-w-2xl gap-3" on:submit=submit>
                <crate::patients::Picker id="letter-code" label="Coded entry (joins the problem list)"
                    kind=Signal::derive(|| Some(CodeKind::Problem)) on_pick=pick typed />
                <div>
                    <p class="font-bold">"Coded entries to add"</p>
                    {move || {
                        let chosen = codes.get();
                        if chosen.is_empty() {
                            return view! { <p>"None yet."</p> }.into_any();
                        }
                        view! {
                            <ul aria-label="Coded entries to add" class="grid gap-1">
                                {chosen.into_iter().map(|(code, term)| {
                                    let label = format!("{term} ({code})");
                                    view! {
                                        <li class="flex items-center gap-2">
                                            <span>{label.clone()}</span>
                                            <button type="button" class="op-button-secondary"
                                                aria-label=format!("Remove {label}")
                                                on:click=move |_| codes.update(|c| c.retain(|(x, _)| *x != code))>
                                                "Remove"
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    {move || error_of("codes")().map(|m| view! { <p class="font-bold text-nhs-red">{m}</p> })}
                </div>
                <div>
                    <label for="letter-summary" class="mb-1 block font-bold">"Summary (one line)"</label>
                    <input id="letter-summary" class="op-input w-full" maxlength="200"
                        aria-describedby="letter-summary-error"
                        prop:value=move || summary.get() on:input=move |ev| summary.set(event_target_value(&ev)) />
                    <p id="letter-summary-error" class="font-bold text-nhs-red">{error_of("summary")}</p>
                </div>
                {move || result.get().and_then(Result::err).filter(|e| e.field_message("summary").is_none() && e.field_message("codes").is_none())
                    .map(|e| view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> })}
                <div><button type="submit" class="op-button" disabled=move || pending.get()>"File letter"</button></div>
            </form>
        </section>
    }
}

/// Reads the chosen file (in the browser) as base64.
#[cfg(feature = "hydrate")]
async fn file_as_base64(input: &web_sys::HtmlInputElement) -> Result<String, AppError> {
    use base64::Engine;
    use wasm_bindgen::JsCast;
    let file = input
        .files()
        .and_then(|f| f.get(0))
        .ok_or_else(|| AppError::field("document", "Choose the letter's PDF."))?;
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| AppError::field("document", "The file could not be read: choose it again."))?;
    let bytes = js_sys::Uint8Array::new(buffer.unchecked_ref()).to_vec();
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

#[cfg(not(feature = "hydrate"))]
async fn file_as_base64(_: &()) -> Result<String, AppError> {
    Err(AppError::field(
        "document",
        "Uploading needs the page to have finished loading.",
    ))
}

/// "Upload a letter" on the patient's page: its type, sender, date and
/// PDF; it goes to the patient's usual GP's inbox.
#[component]
pub fn UploadLetter(patient_id: String) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let sender = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Result<String, AppError>>);
    let pending = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let error_of = move |field: &'static str| field_error(result, field);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        let patient_id = patient_id.clone();
        leptos::task::spawn_local(async move {
            #[cfg(feature = "hydrate")]
            let read = match file_input.get_untracked() {
                Some(input) => file_as_base64(&input).await,
                None => Err(AppError::field("document", "Choose the letter's PDF.")),
            };
            #[cfg(not(feature = "hydrate"))]
            let read = {
                let _ = file_input;
                file_as_base64(&()).await
            };
            let outcome = match read {
                Ok(doc) => {
                    super::upload_letter(
                        patient_id,
                        title.get_untracked(),
                        sender.get_untracked(),
                        date.get_untracked(),
                        doc,
                    )
                    .await
                }
                Err(e) => Err(e),
            };
            pending.set(false);
            if outcome.is_ok() {
                for s in [title, sender, date] {
                    s.set(String::new());
                }
                if let Some(input) = file_input.get_untracked() {
                    input.set_value("");
                }
            }
            result.set(Some(outcome));
        });
    };
    let field = move |id: &'static str,
                      label: &'static str,
                      kind: &'static str,
                      value: RwSignal<String>,
                      err: &'static str| {
        view! {
            <div>
                <label for=id class="mb-1 block font-bold">{label}</label>
                <input id=id type=kind class="op-input w-full" aria-describedby=format!("{id}-error")
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                <p id=format!("{id}-error") class="font-bold text-nhs-red">{error_of(err)}</p>
            </div>
        }
    };
    view! {
        <section class="mt-6 bg-white p-4" aria-labelledby="upload-letter">
            <h2 id="upload-letter" class="mb-2 text-2xl font-bold">"Upload a letter"</h2>
            <p class="mb-2">"A PDF of up to 5 MB. It goes to the patient's usual GP to read and file."</p>
            <form class="grid max-w-2xl gap-3" on:submit=submit>
                {field("letter-title", "What it is (e.g. Discharge summary)", "text", title, "title")}
                {field("letter-sender", "From (e.g. Riverside Hospital, Cardiology)", "text", sender, "sender")}
                {field("letter-date", "Letter date", "date", date, "date")}
                <div>
                    <label for="letter-file" class="mb-1 block font-bold">"The letter (PDF)"</label>
                    <input id="letter-file" type="file" accept="application/pdf,.pdf" node_ref=file_input
                        class="op-input w-full" aria-describedby="letter-file-error" />
                    <p id="letter-file-error" class="font-bold text-nhs-red">{error_of("document")}</p>
                </div>
                {move || match result.get() {
                    Some(Ok(_)) => Some(view! { <p role="status" class="font-bold text-nhs-green">"Letter uploaded: it is in the GP's inbox."</p> }.into_any()),
                    Some(Err(e)) if ["title", "sender", "date", "document"].iter().all(|f| e.field_message(f).is_none()) =>
                        Some(view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any()),
                    _ => None,
                }}
                <div><button type="submit" class="op-button" disabled=move || pending.get()>"Upload letter"</button></div>
            </form>
        </section>
    }
}
