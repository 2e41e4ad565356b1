//! The clinical parts of the patient page (summary, charts, consultations
//! with their amendments, problems / allergies / medications) and the
//! consultation page with its server-side draft.

use super::record::{
    add_record_item, amend_consultation, change_record_item, get_consultation_page,
    save_consultation, save_consultation_draft, ConsultationPageData,
};
use crate::appointments::pretty_date;
use crate::auth::CurrentUser;
use crate::live::{london_text, use_live_here, AlsoHere};
use crate::AppError;
use domain::clinical::{find_concepts, CodeKind, ObservationKind};
use domain::live::Place;
use domain::record::{
    latest_observations, ConsultationForm, ConsultationView, DraftView, ItemForm, ItemKind,
    RecordItem, RecordSummary,
};
use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// The banner's allergy line: every current allergy, or "none recorded".
/// `None` (the role does not see alerts): nothing.
pub fn allergy_line(allergies: Option<&Vec<RecordItem>>) -> AnyView {
    match allergies {
        None => ().into_any(),
        Some(a) if a.is_empty() => {
            view! { <p class="mt-1 font-bold">"Allergies: none recorded"</p> }.into_any()
        }
        Some(a) => {
            let text = a
                .iter()
                .map(|i| match &i.note {
                    Some(n) => format!("{} ({n})", i.term),
                    None => i.term.clone(),
                })
                .collect::<Vec<_>>()
                .join("; ");
            view! {
                <p class="mt-2 inline-block border-4 border-nhs-warm-yellow bg-white px-3 py-1 font-bold text-nhs-text">
                    {format!("Allergies: {text}")}
                </p>
            }
            .into_any()
        }
    }
}

/// A card of the summary.
fn card(title: &'static str, body: AnyView) -> AnyView {
    view! {
        <section aria-label=title class="bg-white p-4">
            <h3 class="mb-2 text-xl font-bold">{title}</h3>
            {body}
        </section>
    }
    .into_any()
}

fn list_or(empty: &'static str, items: Vec<String>) -> AnyView {
    if items.is_empty() {
        view! { <p>{empty}</p> }.into_any()
    } else {
        view! { <ul class="list-disc pl-6">{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul> }
            .into_any()
    }
}

/// Everything of the record below the banner that the role may see.
#[component]
pub fn RecordSections(
    patient_id: String,
    summary: RecordSummary,
    on_change: Callback<()>,
) -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let clinical = summary.items.is_some();
    let items = summary.items.clone().unwrap_or_default();
    let current = |kind: ItemKind| -> Vec<String> {
        items
            .iter()
            .filter(|i| i.kind == kind && i.active)
            .map(|i| match (&i.note, kind) {
                (Some(n), ItemKind::Allergy) => format!("{} ({n})", i.term),
                _ => i.describe(),
            })
            .collect()
    };
    let observations = summary.observations.clone().unwrap_or_default();
    let upcoming = summary.upcoming.clone().map(|u| {
        let rows: Vec<String> = u
            .into_iter()
            .map(|a| {
                format!(
                    "{} at {} with {}",
                    pretty_date(&a.date),
                    a.start,
                    a.clinician
                )
            })
            .collect();
        card("Upcoming appointments", list_or("None booked.", rows))
    });
    let drafts = summary.drafts.clone().unwrap_or_default();
    let me = user.staff_id.clone();
    let draft_notes = drafts
        .into_iter()
        .map(|d| {
            let whose = if d.author_staff_id == me {
                "Your".to_string()
            } else {
                format!("{}'s", d.author)
            };
            view! {
                <p role="note" class="mb-2 border-l-8 border-nhs-warm-yellow bg-white p-3 font-bold">
                    {format!("{whose} unsaved consultation draft, last saved {}.", london_text(&d.saved_at))}
                    {(d.author_staff_id == me).then(|| view! { " "<a class="op-link" href=format!("/patients/{}/consultation", patient_id)>"Continue your draft"</a> })}
                </p>
            }
        })
        .collect_view();
    if !clinical {
        return view! { <div class="mt-4 grid gap-4 md:grid-cols-2">{upcoming}</div> }.into_any();
    }
    let latest = latest_observations(&observations)
        .into_iter()
        .map(|o| format!("{}: {} ({})", o.kind.label(), o.text(), london_text(&o.at)))
        .collect::<Vec<_>>();
    let consultations = summary.consultations.clone().unwrap_or_default();
    view! {
        <div class="mt-4">
            {draft_notes}
            <p class="mb-4">
                <a class="op-button inline-block" href=format!("/patients/{}/consultation", patient_id)>"Start consultation"</a>
            </p>
            <h2 class="mb-2 text-2xl font-bold">"Summary"</h2>
            <div class="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
                {card("Active problems", list_or("None recorded.", current(ItemKind::Problem)))}
                {card("Current medications", list_or("None recorded.", current(ItemKind::Medication)))}
                {card("Allergies", list_or("None recorded.", current(ItemKind::Allergy)))}
                {card("Latest observations", list_or("None recorded.", latest))}
                {upcoming}
            </div>
            <h2 class="mb-2 mt-6 text-2xl font-bold">"Charts"</h2>
            {super::charts::observation_charts(&observations)}
            <h2 class="mb-2 mt-6 text-2xl font-bold">"Last consultations"</h2>
            {if consultations.is_empty() {
                view! { <p>"No consultations recorded."</p> }.into_any()
            } else {
                consultations.into_iter().map(|c| view! { <Consultation c on_change /> }).collect_view().into_any()
            }}
            <h2 class="mb-2 mt-6 text-2xl font-bold">"Problems, allergies and medications"</h2>
            <ItemLists patient_id=patient_id.clone() items on_change />
        </div>
    }
    .into_any()
}

/// One saved consultation: the text in force, what it recorded, and its
/// amendments (the original is always shown when amended).
#[component]
fn Consultation(c: ConsultationView, on_change: Callback<()>) -> impl IntoView {
    let (h, e, p) = c.current_text();
    let (h, e, p) = (h.to_string(), e.to_string(), p.to_string());
    let heading = format!("{} — {}", london_text(&c.at), c.author);
    let section = |label: &'static str, text: String| {
        (!text.trim().is_empty()).then(|| {
            view! {
                <h4 class="font-bold">{label}</h4>
                <p class="mb-2 whitespace-pre-wrap">{text}</p>
            }
        })
    };
    let entries = (!c.entries.is_empty()).then(|| {
        let list = c
            .entries
            .iter()
            .map(|e| format!("{} (SNOMED CT {})", e.term, e.code))
            .collect::<Vec<_>>();
        view! { <h4 class="font-bold">"Coded entries"</h4>{list_or("", list)} }
    });
    let obs = (!c.observations.is_empty()).then(|| {
        let list = c
            .observations
            .iter()
            .map(|o| format!("{}: {}", o.kind.label(), o.text()))
            .collect::<Vec<_>>();
        view! { <h4 class="font-bold">"Observations"</h4>{list_or("", list)} }
    });
    let amended = c.amendments.last().map(|a| {
        let original = format!(
            "History: {}\nExamination: {}\nPlan: {}",
            c.history, c.examination, c.plan
        );
        let trail = c
            .amendments
            .iter()
            .map(|a| {
                format!(
                    "Amended by {} on {}: {}",
                    a.by,
                    london_text(&a.at),
                    a.reason
                )
            })
            .collect::<Vec<_>>();
        view! {
            <p class="font-bold">{format!("Amended by {} on {}", a.by, london_text(&a.at))}</p>
            <details class="mb-2">
                <summary class="op-link cursor-pointer">"Original text and amendments"</summary>
                {list_or("", trail)}
                <p class="whitespace-pre-wrap">{original}</p>
            </details>
        }
    });
    let id = c.id.clone();
    let reason = RwSignal::new(String::new());
    let new_h = RwSignal::new(h.clone());
    let new_e = RwSignal::new(e.clone());
    let new_p = RwSignal::new(p.clone());
    let error = RwSignal::new(None::<AppError>);
    let open = RwSignal::new(false);
    let save = move |_| {
        let id = id.clone();
        leptos::task::spawn_local(async move {
            match amend_consultation(
                id,
                reason.get_untracked(),
                new_h.get_untracked(),
                new_e.get_untracked(),
                new_p.get_untracked(),
            )
            .await
            {
                Ok(()) => {
                    open.set(false);
                    on_change.run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let amend_id = format!("amend-{}", c.id);
    view! {
        <article class="mb-4 bg-white p-4" aria-label=format!("Consultation {heading}")>
            <h3 class="mb-2 text-xl font-bold">{heading.clone()}</h3>
            {amended}
            {section("History", h)}
            {section("Examination", e)}
            {section("Plan", p)}
            {entries}
            {obs}
            <button type="button" class="op-button-secondary" aria-expanded=move || open.get().to_string()
                aria-controls=amend_id.clone() on:click=move |_| open.update(|o| *o = !*o)>
                "Amend this consultation"
            </button>
            <div id=amend_id class="mt-2 grid gap-2" hidden=move || !open.get()>
                {move || error.get().map(|e| view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> })}
                <TextArea id=format!("{}-reason", c.id) label="Reason for the amendment" value=reason rows=1 />
                <TextArea id=format!("{}-history", c.id) label="History" value=new_h rows=3 />
                <TextArea id=format!("{}-examination", c.id) label="Examination" value=new_e rows=3 />
                <TextArea id=format!("{}-plan", c.id) label="Plan" value=new_p rows=3 />
                <button type="button" class="op-button justify-self-start" on:click=save>"Save amendment"</button>
            </div>
        </article>
    }
}

#[component]
fn TextArea(
    #[prop(into)] id: String,
    label: &'static str,
    value: RwSignal<String>,
    rows: u32,
    #[prop(optional)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let err = move || error.and_then(|e| e.get());
    view! {
        <div>
            <label for=id.clone() class="mb-1 block font-bold">{label}</label>
            {move || err().map(|e| view! { <p id=error_id.clone() class="font-bold text-nhs-red">{e}</p> })}
            <textarea id=id.clone() class="op-input w-full" rows=rows
                aria-invalid=move || err().is_some().to_string()
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
        </div>
    }
}

/// Problems, allergies and medications, current and past, with their
/// history; review, end, and add.
#[component]
fn ItemLists(patient_id: String, items: Vec<RecordItem>, on_change: Callback<()>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let empty = items.is_empty();
    let rows = items
        .into_iter()
        .map(|i| view! { <ItemRow item=i error on_change /> })
        .collect_view();
    view! {
        {move || error.get().map(|e| view! { <p role="alert" class="mb-2 font-bold text-nhs-red">{e}</p> })}
        {empty.then(|| view! { <p class="mb-2">"None recorded."</p> })}
        <table hidden=empty class="mb-4 w-full bg-white">
            <caption class="sr-only">"Problems, allergies and medications, current first"</caption>
            <thead><tr class="text-left">
                <th scope="col" class="p-2">"Kind"</th>
                <th scope="col" class="p-2">"Entry"</th>
                <th scope="col" class="p-2">"Status"</th>
                <th scope="col" class="p-2">"History"</th>
                <th scope="col" class="p-2">"Actions"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <AddItem patient_id on_change />
    }
}

#[component]
fn ItemRow(
    item: RecordItem,
    error: RwSignal<Option<String>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let kind = match item.kind {
        ItemKind::Problem => "Problem",
        ItemKind::Allergy => "Allergy",
        ItemKind::Medication => "Medication",
    };
    let status = if item.active {
        format!("Current since {}", pretty_date(&item.since))
    } else {
        format!(
            "Past: ended {}",
            item.ended_on
                .as_deref()
                .map(pretty_date)
                .unwrap_or_default()
        )
    };
    let history = item
        .history
        .iter()
        .map(|h| format!("{} — {} ({})", london_text(&h.at), h.what, h.by))
        .collect::<Vec<_>>();
    let name = item.describe();
    let note = RwSignal::new(String::new());
    let act = move |id: String, version: i64, action: &'static str| {
        leptos::task::spawn_local(async move {
            match change_record_item(id, version, action.to_string(), note.get_untracked()).await {
                Ok(_) => {
                    error.set(None);
                    on_change.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let actions = item.active.then(|| {
        let (id1, id2) = (item.id.clone(), item.id.clone());
        let v = item.version;
        let note_id = format!("note-{}", item.id);
        view! {
            <label for=note_id.clone() class="sr-only">{format!("Note for {name}")}</label>
            <input id=note_id class="op-input mb-1 w-full" placeholder="Note (optional)"
                prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
            <span class="flex flex-wrap gap-2">
                <button type="button" class="op-button-secondary" aria-label=format!("Review {name}")
                    on:click=move |_| act(id1.clone(), v, "review")>"Review"</button>
                <button type="button" class="op-button-secondary" aria-label=format!("End {name}")
                    on:click=move |_| act(id2.clone(), v, "end")>"End"</button>
            </span>
        }
    });
    view! {
        <tr class="border-t border-nhs-grey-4 align-top">
            <td class="p-2">{kind}</td>
            <td class="p-2 font-bold">{item.describe()}{item.note.clone().map(|n| format!(" ({n})"))}</td>
            <td class="p-2">{status}</td>
            <td class="p-2"><details><summary class="op-link cursor-pointer">{format!("{} changes", history.len())}</summary>{list_or("", history)}</details></td>
            <td class="p-2">{actions}</td>
        </tr>
    }
}

/// The term box with the SNOMED picker under it: typing lists matching
/// concepts as buttons; picking one fills the box and keeps its code.
#[component]
fn Picker(
    id: &'static str,
    label: &'static str,
    kind: Signal<Option<CodeKind>>,
    on_pick: Callback<(String, String)>,
    typed: RwSignal<String>,
) -> impl IntoView {
    let hits = move || {
        let t = typed.get();
        if t.trim().chars().count() < 3 {
            Vec::new()
        } else {
            find_concepts(&t, kind.get(), 8)
        }
    };
    let list_id = format!("{id}-choices");
    view! {
        <div>
            <label for=id class="mb-1 block font-bold">{label}</label>
            <p id=format!("{id}-hint") class="text-sm">"Type at least 3 letters, then pick from the list"</p>
            <input id=id class="op-input w-full" autocomplete="off" aria-describedby=format!("{id}-hint")
                aria-controls=list_id.clone()
                prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
            <ul id=list_id aria-label=format!("{label}: matching codes") class="mt-1 grid gap-1">
                {move || hits().into_iter().map(|c| {
                    let (code, term) = (c.id.to_string(), c.term.to_string());
                    view! {
                        <li>
                            <button type="button" class="op-button-secondary w-full text-left"
                                on:click=move |_| on_pick.run((code.clone(), term.clone()))>
                                {format!("{} ({})", c.term, c.id)}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn AddItem(patient_id: String, on_change: Callback<()>) -> impl IntoView {
    let kind = RwSignal::new("problem".to_string());
    let code = RwSignal::new(String::new());
    let term = RwSignal::new(String::new());
    let dose = RwSignal::new(String::new());
    let frequency = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let since = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Result<String, AppError>>);
    let code_kind =
        Signal::derive(move || ItemKind::parse(&kind.get()).and_then(|k| k.code_kind()));
    let err = move |f: &'static str| {
        Signal::derive(move || {
            result
                .get()
                .and_then(|r| r.err())
                .and_then(|e| e.field_message(f))
        })
    };
    let pick = Callback::new(move |(c, t): (String, String)| {
        code.set(c);
        term.set(t);
    });
    // Typing over a picked term un-picks its code.
    Effect::new(move |prev: Option<String>| {
        let t = term.get();
        if prev.is_some_and(|p| p != t) && !code.get_untracked().is_empty() {
            let still =
                domain::clinical::concept(&code.get_untracked()).is_some_and(|c| c.term == t);
            if !still {
                code.set(String::new());
            }
        }
        t
    });
    let submit = move |_| {
        let patient_id = patient_id.clone();
        let form = ItemForm {
            kind: kind.get_untracked(),
            code: code.get_untracked(),
            term: term.get_untracked(),
            dose: dose.get_untracked(),
            frequency: frequency.get_untracked(),
            note: note.get_untracked(),
            since: since.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match add_record_item(patient_id, form).await {
                Ok(item) => {
                    result.set(Some(Ok(format!("Added: {}", item.describe()))));
                    for s in [code, term, dose, frequency, note, since] {
                        s.set(String::new());
                    }
                    on_change.run(());
                }
                Err(e) => result.set(Some(Err(e))),
            }
        });
    };
    let field = |id: &'static str,
                 label: &'static str,
                 value: RwSignal<String>,
                 error: Signal<Option<String>>| {
        view! {
            <div>
                <label for=id class="mb-1 block font-bold">{label}</label>
                {move || error.get().map(|e| view! { <p class="font-bold text-nhs-red">{e}</p> })}
                <input id=id class="op-input w-full" aria-invalid=move || error.get().is_some().to_string()
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            </div>
        }
    };
    view! {
        <section aria-label="Add to the record" class="grid max-w-2xl gap-3 bg-white p-4">
            <h3 class="text-xl font-bold">"Add a problem, allergy or medication"</h3>
            {move || result.get().map(|r| match r {
                Ok(m) => view! { <p role="status" class="font-bold">{m}</p> }.into_any(),
                Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{format!("Not added: {e}")}</p> }.into_any(),
            })}
            <div>
                <label for="item-kind" class="mb-1 block font-bold">"Kind"</label>
                <select id="item-kind" class="op-input" on:change=move |ev| { kind.set(event_target_value(&ev)); code.set(String::new()); }>
                    <option value="problem">"Problem"</option>
                    <option value="allergy">"Allergy"</option>
                    <option value="medication">"Medication"</option>
                </select>
            </div>
            {move || err("term").get().map(|e| view! { <p class="font-bold text-nhs-red">{e}</p> })}
            {move || if code_kind.get().is_some() {
                view! { <Picker id="item-term" label="Problem or allergy" kind=code_kind on_pick=pick typed=term /> }.into_any()
            } else {
                view! {
                    {field("item-term", "Medication name", term, Signal::derive(|| None))}
                    {field("item-dose", "Dose", dose, err("dose"))}
                    {field("item-frequency", "Frequency", frequency, err("frequency"))}
                }.into_any()
            }}
            {move || (!code.get().is_empty()).then(|| view! { <p class="text-sm">{format!("Coded: SNOMED CT {}", code.get())}</p> })}
            {field("item-note", "Note or reaction (optional)", note, err("note"))}
            {field("item-since", "Since (optional, today if blank)", since, err("since"))}
            <button type="button" class="op-button justify-self-start" on:click=submit>"Add to the record"</button>
        </section>
    }
}

/// How the draft stands, shown beside the form.
#[derive(Clone, Debug, PartialEq)]
enum DraftState {
    Unchanged,
    Saving,
    Saved(String),
    Failed(String),
}

/// `/patients/:id/consultation` (`?appointment=` when started from the day
/// list).
#[component]
pub fn ConsultationPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Patients, &user) {
        return refusal;
    }
    let id = use_params_map()
        .with_untracked(|p| p.get("id"))
        .unwrap_or_default();
    let appointment = use_query_map().with_untracked(|q| q.get("appointment"));
    let page = {
        let id = id.clone();
        LocalResource::new(move || get_consultation_page(id.clone()))
    };
    view! {
        <Title text="Consultation" />
        {crate::loading::when_loaded(page, move |loaded| {
            let (id, appointment) = (id.clone(), appointment.clone());
            match loaded {
                Err(AppError::NotFound) => view! { <h1 class="text-3xl font-bold">"Patient not found"</h1> }.into_any(),
                Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
                Ok(data) => view! { <Editor id data appointment /> }.into_any(),
            }
        })}
    }
    .into_any()
}

#[component]
fn Editor(id: String, data: ConsultationPageData, appointment: Option<String>) -> impl IntoView {
    let live = use_live_here(
        None,
        Place::Patient { id: id.clone() },
        Signal::derive(|| true),
    );
    let start = data
        .draft
        .as_ref()
        .map(|d| d.form.clone())
        .unwrap_or_default();
    let history = RwSignal::new(start.history.clone());
    let examination = RwSignal::new(start.examination.clone());
    let plan = RwSignal::new(start.plan.clone());
    let codes = RwSignal::new(
        start
            .codes
            .iter()
            .filter_map(|c| {
                domain::clinical::concept(c).map(|c| (c.id.to_string(), c.term.to_string()))
            })
            .collect::<Vec<_>>(),
    );
    let obs: Vec<(ObservationKind, RwSignal<String>)> = ObservationKind::ALL
        .into_iter()
        .map(|k| (k, RwSignal::new(start.observation(k).to_string())))
        .collect();
    let obs = StoredValue::new(obs);
    let appointment_id = appointment.or(start.appointment_id.clone());
    let form = {
        let appointment_id = appointment_id.clone();
        move || ConsultationForm {
            appointment_id: appointment_id.clone(),
            history: history.get(),
            examination: examination.get(),
            plan: plan.get(),
            codes: codes.get().into_iter().map(|c| c.0).collect(),
            observations: obs.with_value(|o| {
                o.iter()
                    .map(|(k, v)| (k.key().to_string(), v.get()))
                    .filter(|(_, v)| !v.trim().is_empty())
                    .collect()
            }),
        }
    };
    let form = Memo::new(move |_| form());
    let draft = RwSignal::new(match &data.draft {
        Some(d) => DraftState::Saved(d.saved_at.clone()),
        None => DraftState::Unchanged,
    });
    // Autosave: a second after the last change, the draft goes to the
    // server (so a reload or a dropped connection loses nothing).
    // A draft save in flight finishes before the consultation is saved
    // (which removes the draft), so a late draft never outlives it.
    let generation = StoredValue::new(0u64);
    let in_flight = RwSignal::new(false);
    let finalising = RwSignal::new(false);
    // A failed draft save (connection down, server restarting) is tried
    // again every few seconds until it succeeds or the text changes.
    let retry = RwSignal::new(0u32);
    let saving_for = id.clone();
    Effect::new(move |first: Option<()>| {
        let f = form.get();
        retry.track();
        if first.is_none() {
            return;
        }
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        draft.set(DraftState::Saving);
        let patient = saving_for.clone();
        set_timeout(
            move || {
                if generation.get_value() != mine || finalising.get_untracked() {
                    return;
                }
                in_flight.set(true);
                leptos::task::spawn_local(async move {
                    let result = save_consultation_draft(patient, f).await;
                    in_flight.set(false);
                    if generation.get_value() != mine {
                        return;
                    }
                    draft.set(match result {
                        Ok(Some(at)) => DraftState::Saved(at),
                        Ok(None) => DraftState::Unchanged,
                        Err(e) => {
                            set_timeout(
                                move || {
                                    if generation.get_value() == mine && !finalising.get_untracked()
                                    {
                                        retry.update(|r| *r += 1);
                                    }
                                },
                                std::time::Duration::from_secs(5),
                            );
                            DraftState::Failed(e.to_string())
                        }
                    });
                });
            },
            std::time::Duration::from_millis(1000),
        );
    });
    let result = RwSignal::new(None::<AppError>);
    let saving = RwSignal::new(false);
    let navigate = use_navigate();
    let save_for = id.clone();
    Effect::new(move |_| {
        if !finalising.get() || in_flight.get() || saving.get_untracked() {
            return;
        }
        saving.set(true);
        let id = save_for.clone();
        let navigate = navigate.clone();
        let f = form.get_untracked();
        leptos::task::spawn_local(async move {
            match save_consultation(id.clone(), f).await {
                Ok(_) => navigate(&format!("/patients/{id}"), Default::default()),
                Err(e) => {
                    saving.set(false);
                    finalising.set(false);
                    result.set(Some(e));
                    // Not saved: keep what was typed as the draft.
                    if let Ok(Some(at)) = save_consultation_draft(id, form.get_untracked()).await {
                        draft.set(DraftState::Saved(at));
                    }
                }
            }
        });
    });
    let save = move |_| {
        generation.update_value(|g| *g += 1);
        result.set(None);
        finalising.set(true);
    };
    let err = move |f: &'static str| {
        Signal::derive(move || result.get().and_then(|e| e.field_message(f)))
    };
    let pick = Callback::new(move |(c, t): (String, String)| {
        codes.update(|v| {
            if !v.iter().any(|x| x.0 == c) {
                v.push((c, t));
            }
        })
    });
    let typed = RwSignal::new(String::new());
    Effect::new(move |_| {
        codes.track();
        typed.set(String::new());
    });
    let bmi = move || {
        let get = |k: ObservationKind| {
            obs.with_value(|o| {
                o.iter()
                    .find(|x| x.0 == k)
                    .map(|x| x.1.get())
                    .unwrap_or_default()
            })
        };
        let w = ObservationKind::Weight
            .read(&get(ObservationKind::Weight))
            .ok()?;
        let h = ObservationKind::Height
            .read(&get(ObservationKind::Height))
            .ok()?;
        domain::clinical::bmi(w, h)
    };
    let p = data.patient.clone();
    let others = data
        .others
        .iter()
        .map(|d: &DraftView| {
            view! {
                <p role="note" class="mb-2 border-l-8 border-nhs-warm-yellow bg-white p-3 font-bold">
                    {format!("{} also has an unsaved draft on this patient (last saved {}).", d.author, london_text(&d.saved_at))}
                </p>
            }
        })
        .collect_view();
    let obs_inputs = ObservationKind::ALL
        .into_iter()
        .map(|k| {
            let value = obs.with_value(|o| o.iter().find(|x| x.0 == k).map(|x| x.1)).unwrap_or(RwSignal::new(String::new()));
            let id = format!("obs-{}", k.key());
            let e = err(k.key());
            view! {
                <div>
                    <label for=id.clone() class="mb-1 block font-bold">{format!("{} ({})", k.label(), k.unit())}</label>
                    {move || e.get().map(|m| view! { <p class="font-bold text-nhs-red">{m}</p> })}
                    <input id=id class="op-input w-32" inputmode="decimal" aria-invalid=move || e.get().is_some().to_string()
                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                </div>
            }
        })
        .collect_view();
    view! {
        {super::pages::banner(&p, "Consultation: ", Some(data.allergies.clone()))}
        <AlsoHere list=live />
        {others}
        <p role="status" class="mb-4 font-bold">
            {move || match draft.get() {
                DraftState::Unchanged => "Nothing written yet.".to_string(),
                DraftState::Saving => "Saving your draft…".to_string(),
                DraftState::Saved(at) => format!("Your draft is saved (last saved {}). Only you can continue it.", london_text(&at)),
                DraftState::Failed(e) => format!("Your draft is NOT saved: {e} Trying again every few seconds; keep this page open."),
            }}
        </p>
        {move || result.get().map(|e| view! { <p role="alert" class="mb-4 font-bold text-nhs-red">{format!("Not saved: {e}")}</p> })}
        <div class="grid max-w-3xl gap-4 bg-white p-4">
            <TextArea id="consult-history" label="History" value=history rows=5 error=err("history") />
            <TextArea id="consult-examination" label="Examination" value=examination rows=4 error=err("examination") />
            <fieldset class="border-2 border-nhs-grey-4 p-3">
                <legend class="px-1 text-xl font-bold">"Observations"</legend>
                <div class="flex flex-wrap gap-4">{obs_inputs}</div>
                <p class="mt-2" aria-live="polite">{move || bmi().map(|b| format!("BMI: {b:.1} kg/m² (from the weight and height above)"))}</p>
            </fieldset>
            <fieldset class="border-2 border-nhs-grey-4 p-3">
                <legend class="px-1 text-xl font-bold">"Coded entries"</legend>
                {move || err("codes").get().map(|m| view! { <p class="font-bold text-nhs-red">{m}</p> })}
                <ul aria-label="Coded entries chosen" class="mb-2 grid gap-1">
                    {move || codes.get().into_iter().map(|(c, t)| {
                        let label = format!("Remove {t}");
                        let text = format!("{t} (SNOMED CT {c})");
                        view! {
                            <li class="flex items-center gap-2">
                                <span class="font-bold">{text}</span>
                                <button type="button" class="op-button-secondary" aria-label=label
                                    on:click=move |_| codes.update(|v| v.retain(|x| x.0 != c))>"Remove"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <Picker id="consult-code" label="Add a coded entry" kind=Signal::derive(|| None) on_pick=pick typed />
            </fieldset>
            <TextArea id="consult-plan" label="Plan" value=plan rows=4 error=err("plan") />
            <div class="flex flex-wrap gap-4">
                <button type="button" class="op-button" disabled=move || finalising.get() on:click=save>"Save consultation"</button>
            </div>
        </div>
    }
}
