//! The appointment book: a day view (a column per clinician, a row per
//! slot, live), a week view for one clinician, "find the next free slot",
//! and booking, moving, cancelling and did-not-attend.

mod panel;

pub use panel::*;

use super::day_list::{forbidden, pretty_date, refusal_text, with_day_info, LiveStatus};
use super::{
    appointment_action, book_slot, cancel_booking, find_next_free_slot, get_clinician_week,
    get_day_sessions, move_booking, search_patients,
};
use crate::auth::CurrentUser;
use crate::live::use_live;
use domain::appointment_status::{Action as StatusAction, Status};
use domain::book::{FreeSlot, PatientHit, SessionView};
use domain::live::Rows;
use domain::live::{AppointmentView, DayInfo, Topic};
use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;

/// What is selected in the book.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Selected {
    Nothing,
    /// A free slot: (session, start).
    Slot(Box<SessionView>, String),
    Appointment(Box<AppointmentView>),
}

pub(crate) fn shift_date(date: &str, days: i64) -> String {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map(|d| (d + chrono::Duration::days(days)).to_string())
        .unwrap_or_else(|_| date.to_string())
}

#[component]
pub fn AppointmentsPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = forbidden(Area::Appointments, &user) {
        return refusal;
    }
    view! {
        <Title text="Appointments" />
        {with_day_info(|info| view! { <Book info /> }.into_any())}
    }
    .into_any()
}

#[component]
pub(crate) fn Book(info: DayInfo) -> impl IntoView {
    let date = RwSignal::new(info.today.clone());
    let week = RwSignal::new(false);
    let clinician = RwSignal::new(String::new());
    let selected = RwSignal::new(Selected::Nothing);
    let message = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let moving = RwSignal::new(None::<AppointmentView>);
    // Loaded in the browser only: read outside a Suspense during SSR it
    // would make the enclosing Suspense wait on it and rebuild this view.
    let sessions = LocalResource::new(move || get_day_sessions(date.get()));
    let clinicians = Memo::new(move |_| {
        let mut c: Vec<(String, String)> = sessions
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.clinician_id, s.clinician_name))
            .collect();
        c.sort_by(|a, b| a.1.cmp(&b.1));
        c.dedup();
        c
    });
    let next_free = Action::new(move |_: &()| {
        let (c, d) = (clinician.get_untracked(), date.get_untracked());
        async move { find_next_free_slot(Some(c.into()), d).await }
    });
    let go_to = move |slot: FreeSlot| {
        date.set(slot.date.clone());
        week.set(false);
        selected.set(Selected::Slot(
            Box::new(SessionView {
                id: slot.session_id,
                clinician_id: slot.clinician_id,
                clinician_name: slot.clinician_name,
                room: slot.room,
                date: slot.date,
                start: String::new(),
                end: String::new(),
                slot_minutes: 0,
                room_id: String::new(),
                blocked: None,
            }),
            slot.start,
        ));
    };
    view! {
        <h1 class="mb-4 text-3xl font-bold">"Appointments"</h1>
        <div class="mb-4 flex flex-wrap items-end gap-4">
            <div>
                <label for="book-date" class="mb-1 block font-bold">"Date"</label>
                <input id="book-date" type="date" class="op-input" prop:value=move || date.get()
                    on:change=move |ev| { let v = event_target_value(&ev); if !v.is_empty() { date.set(v); selected.set(Selected::Nothing); } } />
            </div>
            <button type="button" class="op-button-secondary" on:click=move |_| { date.update(|d| *d = shift_date(d, -1)); selected.set(Selected::Nothing); }>"Previous day"</button>
            <button type="button" class="op-button-secondary" on:click=move |_| { date.update(|d| *d = shift_date(d, 1)); selected.set(Selected::Nothing); }>"Next day"</button>
            <div>
                <label for="book-clinician" class="mb-1 block font-bold">"Clinician"</label>
                <select id="book-clinician" class="op-input" prop:value=move || clinician.get() on:change=move |ev| clinician.set(event_target_value(&ev))>
                    <option value="">"Any clinician"</option>
                    {move || clinicians.get().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                </select>
            </div>
            <button type="button" class="op-button-secondary" on:click=move |_| { next_free.dispatch(()); }>"Find next free slot"</button>
            <button type="button" class="op-button-secondary" aria-pressed=move || week.get().to_string()
                on:click=move |_| week.update(|w| *w = !*w)>
                {move || if week.get() { "Day view" } else { "Week view" }}
            </button>
        </div>
        {move || next_free.value().get().map(|r| match r {
            Ok(Some(slot)) => {
                let text = format!("Next free slot: {} at {} with {} ({}).", pretty_date(&slot.date), slot.start, slot.clinician_name, slot.room);
                view! {
                    <div role="status" class="mb-4 flex flex-wrap items-center gap-4 border-l-8 border-nhs-blue bg-white p-4">
                        <span class="font-bold">{text}</span>
                        <button type="button" class="op-button" on:click=move |_| go_to(slot.clone())>"Go to this slot"</button>
                    </div>
                }.into_any()
            }
            Ok(None) => view! { <p role="status" class="mb-4 font-bold">"No free slot in the next four weeks."</p> }.into_any(),
            Err(e) => view! { <p role="alert" class="mb-4 font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
        })}
        {move || message.get().map(|m| view! { <p role="status" class="mb-4 border-l-8 border-nhs-green bg-white p-4 font-bold">{m}</p> })}
        {move || error.get().map(|m| view! { <p role="alert" class="mb-4 border-l-8 border-nhs-red bg-white p-4 font-bold text-nhs-red">{m}</p> })}
        {move || {
            if week.get() {
                let c = clinician.get();
                if c.is_empty() {
                    view! { <p class="font-bold">"Choose a clinician to see their week."</p> }.into_any()
                } else {
                    view! { <Week clinician=c from=date.get() /> }.into_any()
                }
            } else {
                let d = date.get();
                view! { <DayGrid date=d sessions selected moving message error /> }.into_any()
            }
        }}
    }
}

#[component]
pub(crate) fn DayGrid(
    date: String,
    sessions: LocalResource<Result<Vec<SessionView>, crate::AppError>>,
    selected: RwSignal<Selected>,
    moving: RwSignal<Option<AppointmentView>>,
    message: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let topic = Topic::WaitingRoom { date: date.clone() };
    let list = use_live(topic.clone(), None);
    let topic = StoredValue::new(topic);
    view! {
        <LiveStatus connection=list.connection />
        <Panel list selected moving message error topic />
        {crate::loading::when_loaded(sessions, move |loaded| {
                let sessions = match loaded {
                    Ok(s) => s,
                    Err(e) => return view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
                };
                if sessions.is_empty() {
                    return view! { <p class="font-bold">"No clinics on this day."</p> }.into_any();
                }
                let mut columns: Vec<(String, String)> = sessions.iter().map(|s| (s.clinician_id.clone(), s.clinician_name.clone())).collect();
                columns.dedup();
                let mut times: Vec<String> = sessions.iter().flat_map(|s| s.slots()).collect();
                times.sort();
                times.dedup();
                let sessions = StoredValue::new(sessions);
                view! {
                    <div class="overflow-x-auto">
                        <table class="border-collapse bg-white text-left">
                            <caption class="sr-only">"Appointment book"</caption>
                            <thead>
                                <tr class="border-b-2 border-nhs-text">
                                    <th scope="col" class="p-2">"Time"</th>
                                    {columns.iter().map(|(_, name)| view! { <th scope="col" class="min-w-44 p-2">{name.clone()}</th> }).collect_view()}
                                </tr>
                            </thead>
                            <tbody>
                                {times.into_iter().map(|t| {
                                    let cells = columns.iter().map(|(cid, cname)| {
                                        let (cid, cname, t) = (cid.clone(), cname.clone(), t.clone());
                                        move || {
                                            let booked = list.appointments.with(|all| all.iter().find(|a| a.clinician_id == cid && a.start == t && a.status != Status::Cancelled).cloned());
                                            let session = sessions.with_value(|ss| ss.iter().find(|s| s.clinician_id == cid && s.slots().contains(&t)).cloned());
                                            let away = session.as_ref().and_then(|s| s.blocked.clone());
                                            match (booked, session) {
                                                (None, Some(_)) if away.is_some() => view! {
                                                    <td class="border border-nhs-grey-4 bg-nhs-grey-5 p-1 text-sm">{format!("Away: {}", away.unwrap_or_default().to_lowercase())}</td>
                                                }.into_any(),
                                                (Some(a), _) => {
                                                    // The visible text first (WCAG 2.5.3, label in name), then the time.
                                                    let label = format!("{} {} · {}{}, {}", a.patient_name, a.status.label(), a.kind_label(), if away.is_some() { " Clinician away: move" } else { "" }, t);
                                                    let a2 = a.clone();
                                                    view! {
                                                        <td class="border border-nhs-grey-4 p-1">
                                                            <button type="button" class="w-full text-left op-link" aria-label=label
                                                                on:click=move |_| selected.set(Selected::Appointment(Box::new(a2.clone())))>
                                                                <span class="block font-bold">{a.patient_name.clone()}</span>" "
                                                                <span class="block text-sm">{format!("{} · {}", a.status.label(), a.kind_label())}</span>
                                                                {away.map(|_| view! { <span class="block text-sm font-bold text-nhs-red">"Clinician away: move"</span> })}
                                                            </button>
                                                        </td>
                                                    }.into_any()
                                                }
                                                (None, Some(s)) => {
                                                    let verb = if moving.get().is_some() { "Move here" } else { "Book" };
                                                    let label = format!("{verb}: {t} with {cname}");
                                                    let (s2, t2) = (s.clone(), t.clone());
                                                    view! {
                                                        <td class="border border-nhs-grey-4 p-1">
                                                            <button type="button" class="op-button-secondary w-full" aria-label=label
                                                                on:click=move |_| {
                                                                    if let Some(m) = moving.get_untracked() {
                                                                        let (s3, t3) = (s2.clone(), t2.clone());
                                                                        error.set(None);
                                                                        leptos::task::spawn_local(async move {
                                                                            match move_booking(m.id.clone().into(), m.version.into(), s3.id.clone().into(), t3.clone()).await {
                                                                                Ok(v) => {
                                                                                    list.merge(&topic.get_value(), Rows::Appointments(vec![v.clone()]));
                                                                                    moving.set(None);
                                                                                    selected.set(Selected::Nothing);
                                                                                    message.set(Some(format!("Moved {} to {} at {} with {}.", v.patient_name, pretty_date(&v.date), v.start, v.clinician_name)));
                                                                                }
                                                                                Err(e) => error.set(Some(refusal_text(&e))),
                                                                            }
                                                                        });
                                                                    } else {
                                                                        message.set(None);
                                                                        selected.set(Selected::Slot(Box::new(s2.clone()), t2.clone()));
                                                                    }
                                                                }>
                                                                {verb}
                                                            </button>
                                                        </td>
                                                    }.into_any()
                                                }
                                                (None, None) => view! { <td class="border border-nhs-grey-4 bg-nhs-grey-5 p-1"><span class="sr-only">"No clinic"</span></td> }.into_any(),
                                            }
                                        }
                                    }).collect_view();
                                    view! { <tr><th scope="row" class="p-2">{t.clone()}</th>{cells}</tr> }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            })}
    }
}
