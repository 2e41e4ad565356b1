//! The clinical parts of the patient page (summary, charts, consultations
//! with their amendments, problems / allergies / medications) and the
//! consultation page with its server-side draft.

mod consultation;
mod items;

pub use consultation::*;
pub use items::*;

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
pub(crate) fn card(title: &'static str, body: AnyView) -> AnyView {
    view! {
        <section aria-label=title class="bg-white p-4">
            <h3 class="mb-2 text-xl font-bold">{title}</h3>
            {body}
        </section>
    }
    .into_any()
}

pub(crate) fn list_or(empty: &'static str, items: Vec<String>) -> AnyView {
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
    let me = user.staff_id.to_string();
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
pub(crate) fn Consultation(c: ConsultationView, on_change: Callback<()>) -> impl IntoView {
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
                id.into(),
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
pub(crate) fn TextArea(
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
