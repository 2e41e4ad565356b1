//! The appointment book: a day view (a column per clinician, a row per
//! slot, live), a week view for one clinician, "find the next free slot",
//! and booking, moving, cancelling and did-not-attend.

use super::day_list::{forbidden, pretty_date, refusal_text, with_day_info, LiveStatus};
use super::{
    appointment_action, book_slot, cancel_booking, find_next_free_slot, get_clinician_week,
    get_day_sessions, move_booking, search_patients, DayInfo,
};
use crate::auth::CurrentUser;
use crate::live::use_live;
use domain::appointment_status::{Action as StatusAction, Status};
use domain::book::{FreeSlot, PatientHit, SessionView};
use domain::live::{AppointmentView, Topic};
use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;

/// What is selected in the book.
#[derive(Clone, Debug, PartialEq)]
enum Selected {
    Nothing,
    /// A free slot: (session, start).
    Slot(SessionView, String),
    Appointment(AppointmentView),
}

fn shift_date(date: &str, days: i64) -> String {
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
fn Book(info: DayInfo) -> impl IntoView {
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
        async move { find_next_free_slot(Some(c), d).await }
    });
    let go_to = move |slot: FreeSlot| {
        date.set(slot.date.clone());
        week.set(false);
        selected.set(Selected::Slot(
            SessionView {
                id: slot.session_id,
                clinician_id: slot.clinician_id,
                clinician_name: slot.clinician_name,
                room: slot.room,
                date: slot.date,
                start: String::new(),
                end: String::new(),
                slot_minutes: 0,
            },
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
fn DayGrid(
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
                                            match (booked, session) {
                                                (Some(a), _) => {
                                                    let label = format!("{} – {}, {}", a.patient_name, a.status.label(), t);
                                                    let a2 = a.clone();
                                                    view! {
                                                        <td class="border border-nhs-grey-4 p-1">
                                                            <button type="button" class="w-full text-left op-link" aria-label=label
                                                                on:click=move |_| selected.set(Selected::Appointment(a2.clone()))>
                                                                <span class="block font-bold">{a.patient_name.clone()}</span>
                                                                <span class="block text-sm">{format!("{} · {}", a.status.label(), a.kind_label())}</span>
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
                                                                            match move_booking(m.id.clone(), m.version, s3.id.clone(), t3.clone()).await {
                                                                                Ok(v) => {
                                                                                    list.merge(&topic.get_value(), vec![v.clone()]);
                                                                                    moving.set(None);
                                                                                    selected.set(Selected::Nothing);
                                                                                    message.set(Some(format!("Moved {} to {} at {} with {}.", v.patient_name, pretty_date(&v.date), v.start, v.clinician_name)));
                                                                                }
                                                                                Err(e) => error.set(Some(refusal_text(&e))),
                                                                            }
                                                                        });
                                                                    } else {
                                                                        message.set(None);
                                                                        selected.set(Selected::Slot(s2.clone(), t2.clone()));
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

/// The panel for what is selected: a booking form for a free slot, or an
/// appointment's details and actions.
#[component]
fn Panel(
    list: crate::live::LiveList,
    selected: RwSignal<Selected>,
    moving: RwSignal<Option<AppointmentView>>,
    message: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
    topic: StoredValue<Topic>,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let hits = RwSignal::new(Vec::<PatientHit>::new());
    let searched = RwSignal::new(false);
    let patient = RwSignal::new(None::<PatientHit>);
    let kind = RwSignal::new("face_to_face".to_string());
    let reason = RwSignal::new(String::new());
    let cancel_reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let search = move || {
        let q = query.get_untracked();
        error.set(None);
        leptos::task::spawn_local(async move {
            match search_patients(q).await {
                Ok(h) => {
                    hits.set(h);
                    searched.set(true);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    move || {
        match selected.get() {
        Selected::Nothing => moving.get().map(|m| view! {
            <div role="status" class="mb-4 flex flex-wrap items-center gap-4 border-l-8 border-nhs-warm-yellow bg-white p-4">
                <span class="font-bold">{format!("Moving {} (now {} at {}): choose a free slot with “Move here”.", m.patient_name, pretty_date(&m.date), m.start)}</span>
                <button type="button" class="op-button-secondary" on:click=move |_| moving.set(None)>"Stop moving"</button>
            </div>
        }.into_any()).unwrap_or_else(|| ().into_any()),
        Selected::Slot(session, start) => {
            let heading = format!("Book {} at {} with {}", pretty_date(&session.date), start, session.clinician_name);
            let (sid, st) = (session.id.clone(), start.clone());
            view! {
                <section aria-label="Book this slot" class="mb-4 border-l-8 border-nhs-blue bg-white p-4">
                    <h2 class="mb-2 text-2xl font-bold">{heading}</h2>
                    <form class="mb-2 flex flex-wrap items-end gap-2" on:submit=move |ev| { ev.prevent_default(); search(); }>
                        <div class="min-w-72 flex-1">
                            <label for="patient-search" class="mb-1 block font-bold">"Find patient"</label>
                            <span class="block text-sm text-nhs-secondary-text">"Family name (and given name), date of birth or NHS number"</span>
                            <input id="patient-search" class="op-input" prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
                        </div>
                        <button type="submit" class="op-button-secondary">"Search"</button>
                    </form>
                    {move || (searched.get() && hits.with(Vec::is_empty)).then(|| view! { <p class="font-bold">"No patients found."</p> })}
                    <ul aria-label="Patients found" class="mb-2 grid gap-1">
                        {move || hits.get().into_iter().map(|h| {
                            let label = format!("Choose {}, born {}, NHS {}", h.display_name(), pretty_date(&h.date_of_birth), h.nhs_number);
                            let text = format!("{} · born {} · NHS {} · {}", h.display_name(), pretty_date(&h.date_of_birth), domain::NhsNumber::parse(&h.nhs_number).map(|n| n.to_string()).unwrap_or(h.nhs_number.clone()), h.postcode);
                            let chosen = patient.with(|p| p.as_ref().map(|p| p.id == h.id).unwrap_or(false));
                            view! {
                                <li>
                                    <button type="button" class=if chosen { "op-button w-full text-left" } else { "op-button-secondary w-full text-left" } aria-label=label aria-pressed=chosen.to_string()
                                        on:click=move |_| patient.set(Some(h.clone()))>{text}</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <div class="mb-2 flex flex-wrap gap-4">
                        <div>
                            <label for="appointment-kind" class="mb-1 block font-bold">"Type"</label>
                            <select id="appointment-kind" class="op-input" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                                <option value="face_to_face">"Face to face"</option>
                                <option value="telephone">"Telephone"</option>
                                <option value="video">"Video"</option>
                            </select>
                        </div>
                        <div class="min-w-72 flex-1">
                            <label for="booking-reason" class="mb-1 block font-bold">"Reason (optional)"</label>
                            <input id="booking-reason" class="op-input" maxlength="200" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                        </div>
                    </div>
                    <div class="flex flex-wrap gap-2">
                        <button type="button" class="op-button" disabled=move || busy.get()
                            on:click=move |_| {
                                let Some(p) = patient.get_untracked() else {
                                    error.set(Some("Choose the patient to book.".into()));
                                    return;
                                };
                                let (sid, st, k, r) = (sid.clone(), st.clone(), kind.get_untracked(), reason.get_untracked());
                                busy.set(true);
                                error.set(None);
                                leptos::task::spawn_local(async move {
                                    let result = book_slot(sid, st, p.id.clone(), k, Some(r)).await;
                                    busy.set(false);
                                    match result {
                                        Ok(v) => {
                                            list.merge(&topic.get_value(), vec![v.clone()]);
                                            message.set(Some(format!("Booked {} at {} with {}.", v.patient_name, v.start, v.clinician_name)));
                                            selected.set(Selected::Nothing);
                                            patient.set(None);
                                            hits.set(Vec::new());
                                            searched.set(false);
                                            query.set(String::new());
                                            reason.set(String::new());
                                        }
                                        Err(e) => error.set(Some(refusal_text(&e))),
                                    }
                                });
                            }>"Book appointment"</button>
                        <button type="button" class="op-button-secondary" on:click=move |_| selected.set(Selected::Nothing)>"Close"</button>
                    </div>
                </section>
            }.into_any()
        }
        Selected::Appointment(a) => {
            // Show the live version of the row, if the list has a newer one.
            let a = list.appointments.with(|all| all.iter().find(|x| x.id == a.id).cloned()).unwrap_or(a);
            let heading = format!("{} at {} with {}", a.patient_name, a.start, a.clinician_name);
            let (a_dna, a_cancel, a_move) = (a.clone(), a.clone(), a.clone());
            view! {
                <section aria-label="Appointment" class="mb-4 border-l-8 border-nhs-blue bg-white p-4">
                    <h2 class="mb-2 text-2xl font-bold">{heading}</h2>
                    <p class="mb-2">{format!("{} · {} · born {}", a.status.label(), a.kind_label(), pretty_date(&a.patient_date_of_birth))}{a.reason.clone().map(|r| format!(" · {r}"))}</p>
                    {(a.status == Status::Booked).then(|| view! {
                        <div class="flex flex-wrap items-end gap-2">
                            <button type="button" class="op-button-secondary" on:click=move |_| { moving.set(Some(a_move.clone())); selected.set(Selected::Nothing); }>"Move"</button>
                            <button type="button" class="op-button-secondary" on:click=move |_| {
                                let a = a_dna.clone();
                                error.set(None);
                                leptos::task::spawn_local(async move {
                                    match appointment_action(a.id.clone(), a.version, StatusAction::MarkDidNotAttend.as_str().into()).await {
                                        Ok(v) => { list.merge(&topic.get_value(), vec![v]); selected.set(Selected::Nothing); }
                                        Err(e) => error.set(Some(refusal_text(&e))),
                                    }
                                });
                            }>"Did not attend"</button>
                            <div>
                                <label for="cancel-reason" class="mb-1 block font-bold">"Reason for cancelling"</label>
                                <input id="cancel-reason" class="op-input" maxlength="200" prop:value=move || cancel_reason.get() on:input=move |ev| cancel_reason.set(event_target_value(&ev)) />
                            </div>
                            <button type="button" class="op-button-secondary" on:click=move |_| {
                                let a = a_cancel.clone();
                                let r = cancel_reason.get_untracked();
                                error.set(None);
                                leptos::task::spawn_local(async move {
                                    match cancel_booking(a.id.clone(), a.version, r).await {
                                        Ok(v) => {
                                            list.merge(&topic.get_value(), vec![v.clone()]);
                                            cancel_reason.set(String::new());
                                            selected.set(Selected::Nothing);
                                            message.set(Some(format!("Cancelled {}'s appointment at {}.", v.patient_name, v.start)));
                                        }
                                        Err(e) => error.set(Some(refusal_text(&e))),
                                    }
                                });
                            }>"Cancel appointment"</button>
                        </div>
                    })}
                    <button type="button" class="op-button-secondary mt-2" on:click=move |_| selected.set(Selected::Nothing)>"Close"</button>
                </section>
            }.into_any()
        }
    }
    }
}

#[component]
fn Week(clinician: String, from: String) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let data = LocalResource::new(move || {
        refresh.track();
        get_clinician_week(clinician.clone(), from.clone())
    });
    view! {
        {crate::loading::when_loaded(data, move |loaded| {
                match loaded {
                    Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
                    Ok(week) => {
                        let mut days: Vec<String> = week.sessions.iter().map(|s| s.date.clone()).collect();
                        days.dedup();
                        view! {
                            <p role="status" class="mb-2">
                                {format!("Week view as of {} (not live). ", week.as_of)}
                                <button type="button" class="op-link" on:click=move |_| refresh.update(|r| *r += 1)>"Refresh"</button>
                            </p>
                            {days.is_empty().then(|| view! { <p class="font-bold">"No clinics this week."</p> })}
                            <div class="grid gap-4 md:grid-cols-2">
                                {days.into_iter().map(|d| {
                                    let slots: Vec<(String, Option<AppointmentView>)> = week.sessions.iter().filter(|s| s.date == d).flat_map(|s| s.slots()).map(|t| {
                                        let a = week.appointments.iter().find(|a| a.date == d && a.start == t && a.status != Status::Cancelled).cloned();
                                        (t, a)
                                    }).collect();
                                    let free = slots.iter().filter(|(_, a)| a.is_none()).count();
                                    view! {
                                        <section class="bg-white p-4" aria-label=pretty_date(&d)>
                                            <h2 class="text-xl font-bold">{format!("{} · {} free", pretty_date(&d), free)}</h2>
                                            <ul>
                                                {slots.into_iter().map(|(t, a)| view! {
                                                    <li class="border-b border-nhs-grey-4 py-1">
                                                        <span class="font-bold">{t}</span>
                                                        " "
                                                        {match a { Some(a) => format!("{} ({})", a.patient_name, a.status.label()), None => "free".to_string() }}
                                                    </li>
                                                }).collect_view()}
                                            </ul>
                                        </section>
                                    }
                                }).collect_view()}
                            </div>
                        }.into_any()
                    }
                }
            })}
    }
}
