//! The waiting room (reception: the whole practice's day) and "My day" (a
//! clinician's own list, tablet-first). Both are live lists over `/ws`; the
//! buttons call `appointment_action` and show its refusal, if any, in words.

use super::{appointment_action, get_day_info, DayInfo, WaitThresholds};
use crate::auth::CurrentUser;
use crate::live::{now_millis, use_live, Connection, LiveList};
pub(crate) use crate::shell::forbidden;
use crate::AppError;
use domain::appointment_status::{Action, Status};
use domain::live::{AppointmentView, Topic};
use domain::Area;
use leptos::prelude::*;

/// "New task" about this appointment's patient.
fn new_task_link(a: &AppointmentView) -> impl IntoView {
    view! {
        <a class="op-link ml-2 inline-block py-2" href=format!("/tasks/new?patient={}", a.patient_id)
            aria-label=format!("New task for {}", a.patient_name)>"New task"</a>
    }
}
use leptos_meta::Title;

/// "Live" / "Offline since 10:42 — reconnecting…": always visible above a
/// live list, announced to screen readers when it changes.
#[component]
pub fn LiveStatus(connection: RwSignal<Connection>) -> impl IntoView {
    view! {
        <p role="status" class="mb-4 font-bold">
            {move || match connection.get() {
                Connection::Live => view! {
                    <span class="inline-flex items-center gap-2 text-nhs-green">
                        <span aria-hidden="true" class="inline-block h-3 w-3 rounded-full bg-nhs-green"></span>
                        "Live"
                    </span>
                }.into_any(),
                Connection::Connecting => view! { <span class="text-nhs-grey-1">"Connecting…"</span> }.into_any(),
                Connection::Offline { since } => view! {
                    <span class="block border-l-8 border-nhs-red bg-white p-2 text-nhs-red">
                        {format!("Offline since {since} — reconnecting. This list may be out of date.")}
                    </span>
                }.into_any(),
                Connection::SignedOut => view! {
                    <span class="text-nhs-red">
                        "Your session has ended. " <a class="op-link" href="/login">"Sign in again"</a>
                    </span>
                }.into_any(),
            }}
        </p>
    }
}

/// Loads the practice's date, then renders `body` with it.
pub(super) fn with_day_info(
    body: impl Fn(DayInfo) -> AnyView + Send + Sync + 'static,
) -> impl IntoView {
    let info = LocalResource::new(get_day_info);
    crate::loading::when_loaded(info, move |loaded| match loaded {
        Ok(info) => body(info),
        Err(e) => {
            view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any()
        }
    })
}

#[component]
pub fn WaitingRoomPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = forbidden(Area::WaitingRoom, &user) {
        return refusal;
    }
    view! {
        <Title text="Waiting room" />
        {with_day_info(|info| view! { <WaitingRoom info /> }.into_any())}
    }
    .into_any()
}

#[component]
pub fn MyDayPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = forbidden(Area::MyDay, &user) {
        return refusal;
    }
    view! {
        <Title text="My day" />
        {with_day_info(move |info| view! { <MyDay info /> }.into_any())}
    }
    .into_any()
}

/// A clock that ticks every 15 s in the browser (`None` until hydrated, so
/// the server and the first client render agree).
fn ticking_now() -> RwSignal<Option<f64>> {
    let now = RwSignal::new(None);
    Effect::new(move |_| {
        now.set(Some(now_millis()));
        #[cfg(feature = "hydrate")]
        {
            if let Ok(handle) = set_interval_with_handle(
                move || now.set(Some(now_millis())),
                std::time::Duration::from_secs(15),
            ) {
                on_cleanup(move || handle.clear());
            }
        }
    });
    now
}

fn waited_minutes(a: &AppointmentView, now: Option<f64>) -> Option<i64> {
    let now = now?;
    if a.status != Status::Arrived {
        return None;
    }
    let arrived = chrono::DateTime::parse_from_rfc3339(a.arrived_at.as_deref()?).ok()?;
    Some(
        ((now - arrived.timestamp_millis() as f64) / 60_000.0)
            .floor()
            .max(0.0) as i64,
    )
}

#[component]
fn Waited(minutes: Option<i64>, thresholds: WaitThresholds) -> impl IntoView {
    minutes.map(|m| {
        let (class, note) = if m >= thresholds.red_minutes {
            ("bg-nhs-red text-white", " (very long wait)")
        } else if m >= thresholds.amber_minutes {
            ("bg-nhs-warm-yellow text-nhs-text", " (long wait)")
        } else {
            ("", "")
        };
        view! { <span class=format!("px-1 font-bold {class}")>{format!("{m} min{note}")}</span> }
    })
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Arrived => "bg-nhs-blue text-white",
        Status::SentIn | Status::InConsultation => "bg-nhs-dark-blue text-white",
        Status::Finished | Status::Left => "bg-nhs-grey-4 text-nhs-text",
        Status::DidNotAttend | Status::WalkedOut | Status::Cancelled => {
            "bg-white text-nhs-red border border-nhs-red"
        }
        Status::Booked => "bg-white text-nhs-text border border-nhs-grey-1",
    }
}

/// Sends an action and merges the result into the list at once; a refusal
/// is shown in words (e.g. "Changed by Dee Patel at 10:42: now Arrived…").
#[derive(Clone, Copy)]
struct Act {
    list: LiveList,
    topic: StoredValue<Topic>,
    error: RwSignal<Option<String>>,
    pending: RwSignal<Option<String>>,
    /// Where to go once an action succeeds ("Start consultation" opens
    /// the consultation).
    go_to: RwSignal<Option<String>>,
}

impl Act {
    fn new(list: LiveList, topic: Topic) -> Self {
        Self {
            list,
            topic: StoredValue::new(topic),
            error: RwSignal::new(None),
            pending: RwSignal::new(None),
            go_to: RwSignal::new(None),
        }
    }

    fn run(self, a: &AppointmentView, action: Action) {
        let (id, version) = (a.id.clone(), a.version);
        self.pending.set(Some(id.clone()));
        self.error.set(None);
        leptos::task::spawn_local(async move {
            let result = appointment_action(id, version, action.as_str().to_string()).await;
            self.pending.set(None);
            match result {
                Ok(view) => {
                    if action == Action::StartConsultation {
                        self.go_to.set(Some(consultation_href(&view)));
                    }
                    self.list.merge(&self.topic.get_value(), vec![view]);
                }
                Err(e) => self.error.set(Some(refusal_text(&e))),
            }
        });
    }

    fn button(self, a: &AppointmentView, action: Action, primary: bool) -> impl IntoView {
        let row = a.clone();
        let id = a.id.clone();
        let label = format!("{} – {}", action.label(), a.patient_name);
        view! {
            <button
                type="button"
                class=if primary { "op-button" } else { "op-button-secondary" }
                aria-label=label
                disabled=move || self.pending.get().as_deref() == Some(id.as_str())
                on:click=move |_| self.run(&row, action)
            >
                {action.label()}
            </button>
        }
    }
}

/// The consultation page for an appointment's patient.
fn consultation_href(a: &AppointmentView) -> String {
    format!(
        "/patients/{}/consultation?appointment={}",
        a.patient_id, a.id
    )
}

pub(super) fn refusal_text(e: &AppError) -> String {
    match e {
        AppError::Forbidden => "Your role cannot do that for this appointment.".into(),
        AppError::NotFound => "That appointment no longer exists.".into(),
        other => other.to_string(),
    }
}

#[component]
fn ActionError(error: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            view! {
                <div role="alert" class="mb-4 border-l-8 border-nhs-red bg-white p-4 font-bold text-nhs-red">
                    {e}
                </div>
            }
        })
    }
}

#[component]
fn WaitingRoom(info: DayInfo) -> impl IntoView {
    let topic = Topic::WaitingRoom {
        date: info.today.clone(),
    };
    let list = use_live(topic.clone(), None);
    let act = Act::new(list, topic);
    let now = ticking_now();
    let clinician = RwSignal::new(String::new());
    let clinicians = Memo::new(move |_| {
        let mut c: Vec<(String, String)> = list
            .appointments
            .get()
            .iter()
            .map(|a| (a.clinician_id.clone(), a.clinician_name.clone()))
            .collect();
        c.sort_by(|a, b| a.1.cmp(&b.1));
        c.dedup();
        c
    });
    let thresholds = info.waiting;
    let today = info.today.clone();
    view! {
        <div class="mb-2 flex flex-wrap items-baseline justify-between gap-4">
            <h1 class="text-3xl font-bold">"Waiting room"</h1>
            <p class="text-lg">
                {format!("Today, {}", pretty_date(&today))}
                {(user_role() == domain::Role::Reception).then(|| view! { " · " <a class="op-link" href="/call-screen-links">"Call screen links"</a> })}
            </p>
        </div>
        <LiveStatus connection=list.connection />
        <ActionError error=act.error />
        <div class="mb-4 max-w-sm">
            <label for="clinician-filter" class="mb-1 block font-bold">"Clinician"</label>
            <select
                id="clinician-filter"
                class="op-input"
                on:change=move |ev| clinician.set(event_target_value(&ev))
                prop:value=move || clinician.get()
            >
                <option value="">"All clinicians"</option>
                {move || clinicians.get().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
            </select>
        </div>
        {move || list.refused.get().map(|m| view! { <p role="alert" class="font-bold text-nhs-red">{m}</p> })}
        <div class=move || { if list.connection.get() == Connection::Live { "" } else { "op-stale" } }>
            <table class="w-full border-collapse bg-white text-left">
                <caption class="sr-only">"Today's appointments"</caption>
                <thead>
                    <tr class="border-b-2 border-nhs-text">
                        <th scope="col" class="p-2">"Time"</th>
                        <th scope="col" class="p-2">"Patient"</th>
                        <th scope="col" class="p-2">"Clinician"</th>
                        <th scope="col" class="p-2">"Status"</th>
                        <th scope="col" class="p-2">"Waiting"</th>
                        <th scope="col" class="p-2"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || {
                            let c = clinician.get();
                            list.appointments
                                .get()
                                .into_iter()
                                .filter(|a| a.status != Status::Cancelled)
                                .filter(|a| c.is_empty() || a.clinician_id == c)
                                .collect::<Vec<_>>()
                        }
                        key=|a| (a.id.clone(), a.version)
                        children=move |a| {
                            let waited = {
                                let a = a.clone();
                                move || view! { <Waited minutes=waited_minutes(&a, now.get()) thresholds /> }
                            };
                            view! {
                                <tr class="border-b border-nhs-grey-4">
                                    <td class="p-2 font-bold">{a.start.clone()}</td>
                                    <td class="p-2">
                                        <a class="op-link font-bold" href=format!("/patients/{}", a.patient_id)>{a.patient_name.clone()}</a>
                                        <span class="block text-sm text-nhs-secondary-text">{format!("Born {}", pretty_date(&a.patient_date_of_birth))}</span>
                                    </td>
                                    <td class="p-2">{a.clinician_name.clone()}</td>
                                    <td class="p-2"><span class=format!("px-2 py-1 {}", status_class(a.status))>{a.status.label()}</span></td>
                                    <td class="p-2">{waited}</td>
                                    <td class="p-2">
                                        {(a.status == Status::Booked).then(|| act.button(&a, Action::MarkArrived, true))}
                                        {new_task_link(&a)}
                                    </td>
                                </tr>
                            }
                        }
                    />
                </tbody>
            </table>
            {move || (list.loaded.get() && list.appointments.with(|a| a.is_empty())).then(|| view! { <p class="p-4">"No appointments today."</p> })}
        </div>
    }
}

#[component]
fn MyDay(info: DayInfo) -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let topic = Topic::DayList {
        clinician: user.staff_id.clone(),
        date: info.today.clone(),
    };
    let list = use_live(topic.clone(), None);
    let act = Act::new(list, topic);
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(href) = act.go_to.get() {
            navigate(&href, Default::default());
        }
    });
    let now = ticking_now();
    let thresholds = info.waiting;
    view! {
        <div class="mb-2 flex flex-wrap items-baseline justify-between gap-4">
            <h1 class="text-3xl font-bold">"My day"</h1>
            <p class="text-lg">{format!("Today, {}", pretty_date(&info.today))}</p>
        </div>
        <LiveStatus connection=list.connection />
        <ActionError error=act.error />
        {move || list.refused.get().map(|m| view! { <p role="alert" class="font-bold text-nhs-red">{m}</p> })}
        <ol aria-label="My appointments today" class=move || { if list.connection.get() == Connection::Live { "grid gap-3" } else { "grid gap-3 op-stale" } }>
            <For
                each=move || {
                    list.appointments.get().into_iter().filter(|a| a.status != Status::Cancelled).collect::<Vec<_>>()
                }
                key=|a| (a.id.clone(), a.version)
                children=move |a| {
                    let waited = {
                        let a = a.clone();
                        move || view! { <Waited minutes=waited_minutes(&a, now.get()) thresholds /> }
                    };
                    let buttons = match a.status {
                        Status::Arrived => vec![
                            act.button(&a, Action::SendIn { quiet: false }, true).into_any(),
                            act.button(&a, Action::SendIn { quiet: true }, false).into_any(),
                        ],
                        Status::SentIn => vec![
                            act.button(&a, Action::StartConsultation, true).into_any(),
                            act.button(&a, Action::ReturnToWaiting, false).into_any(),
                        ],
                        Status::Booked if a.kind != "face_to_face" => {
                            vec![act.button(&a, Action::StartConsultation, true).into_any()]
                        }
                        Status::InConsultation => vec![
                            view! {
                                <a class="op-button inline-block" href=consultation_href(&a)
                                    aria-label=format!("Open consultation – {}", a.patient_name)>"Open consultation"</a>
                            }.into_any(),
                            act.button(&a, Action::Finish, false).into_any(),
                        ],
                        _ => Vec::new(),
                    };
                    view! {
                        <li class="flex flex-wrap items-center gap-4 border-l-8 border-nhs-blue bg-white p-4">
                            <span class="w-16 text-xl font-bold">{a.start.clone()}</span>
                            <span class="min-w-48 flex-1">
                                <a class="op-link block text-xl font-bold" href=format!("/patients/{}", a.patient_id)>{a.patient_name.clone()}</a>
                                <span class="block text-nhs-secondary-text">
                                    {format!("Born {} · {}", pretty_date(&a.patient_date_of_birth), a.kind_label())}
                                    {a.reason.clone().map(|r| format!(" · {r}"))}
                                </span>
                            </span>
                            <span class=format!("px-2 py-1 font-bold {}", status_class(a.status))>{a.status.label()}</span>
                            <span>{waited}</span>
                            <span class="flex flex-wrap gap-2">{buttons}{new_task_link(&a)}</span>
                        </li>
                    }
                }
            />
        </ol>
        {move || (list.loaded.get() && list.appointments.with(|a| a.is_empty())).then(|| view! { <p class="p-4">"No appointments today."</p> })}
    }
}

fn user_role() -> domain::Role {
    expect_context::<CurrentUser>().role
}

/// "2026-11-21" → "21 Nov 2026" (as UK practices write dates).
pub fn pretty_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%-d %b %Y").to_string())
        .unwrap_or_else(|_| iso.to_string())
}
