//! The waiting room (reception: the whole practice's day) and "My day" (a
//! clinician's own list, tablet-first). Both are live lists over `/ws`; the
//! buttons call `appointment_action` and show its refusal, if any, in words.

mod lists;

pub use lists::*;

use super::{appointment_action, get_day_info};
use crate::auth::CurrentUser;
use crate::live::{now_millis, use_live, Connection, LiveList};
pub(crate) use crate::shell::forbidden;
use crate::AppError;
use domain::appointment_status::{Action, Status};
use domain::live::Rows;
use domain::live::{AppointmentView, Topic};
use domain::live::{DayInfo, WaitThresholds};
use domain::Area;
use leptos::prelude::*;

/// "New task" about this appointment's patient.
pub(crate) fn new_task_link(a: &AppointmentView) -> impl IntoView {
    view! {
        <a class="op-link ml-2 inline-block py-2" href=format!("/tasks/new?patient={}", a.patient_id)
            aria-label=format!("New task for {}", a.patient_name)>"New task"</a>
    }
}
use leptos_meta::Title;

/// "Live" / "Offline since 10:42 — reconnecting…": always visible above a
/// live list (or, with `what = "page"`, a live page), announced to screen
/// readers when it changes.
#[component]
pub fn LiveStatus(
    connection: RwSignal<Connection>,
    #[prop(default = "list")] what: &'static str,
) -> impl IntoView {
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
                        {format!("Offline since {since} — reconnecting. This {what} may be out of date.")}
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
pub(crate) fn ticking_now() -> RwSignal<Option<f64>> {
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

pub(crate) fn waited_minutes(a: &AppointmentView, now: Option<f64>) -> Option<i64> {
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

/// The wait thresholds, `first` as the page loaded them and read again
/// whenever the practice's admin changes them (the socket says so), so an
/// open waiting room colours waits by the practice's current rule.
pub(crate) fn live_thresholds(first: WaitThresholds) -> RwSignal<WaitThresholds> {
    let thresholds = RwSignal::new(first);
    let changes = crate::live::settings_changes();
    let seen = changes.get_untracked();
    Effect::new(move |_| {
        if changes.get() == seen {
            return;
        }
        leptos::task::spawn_local(async move {
            if let Ok(info) = get_day_info().await {
                thresholds.set(info.waiting);
            }
        });
    });
    thresholds
}

#[component]
pub(crate) fn Waited(minutes: Option<i64>, thresholds: WaitThresholds) -> impl IntoView {
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

pub(crate) fn status_class(s: Status) -> &'static str {
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
pub(crate) struct Act {
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
            let result = appointment_action(id.into(), version.into(), action).await;
            self.pending.set(None);
            match result {
                Ok(view) => {
                    if action == Action::StartConsultation {
                        self.go_to.set(Some(consultation_href(&view)));
                    }
                    self.list
                        .merge(&self.topic.get_value(), Rows::Appointments(vec![view]));
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
pub(crate) fn consultation_href(a: &AppointmentView) -> String {
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
pub(crate) fn ActionError(error: RwSignal<Option<String>>) -> impl IntoView {
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
