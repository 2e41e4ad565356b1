//! One-off clinic sessions, for the admin team: a session is a clinician
//! in a room on a date, in slots; the appointment book offers its slots.

use super::day_list::{forbidden, pretty_date};
use crate::auth::CurrentUser;
use crate::AppError;
use domain::book::SessionView;
use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;

pub use domain::book::SessionsInfo;

#[server(prefix = "/api", endpoint = "sessions_info")]
pub async fn get_sessions_info(date: String) -> Result<SessionsInfo, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::clinics::sessions_info(&store, &actor, &date).await?)
}

#[server(prefix = "/api", endpoint = "add_clinic_session")]
pub async fn add_clinic_session(
    clinician: String,
    room: String,
    date: String,
    start: String,
    end: String,
    slot_minutes: String,
) -> Result<SessionView, AppError> {
    let (store, actor) = crate::door::staff()?;
    let form = services::clinics::SessionForm {
        clinician,
        room,
        date,
        start,
        end,
        slot_minutes,
    };
    Ok(services::clinics::add_session(&store, &actor, form).await?)
}

#[component]
fn FieldMessage(error: Signal<Option<AppError>>, field: &'static str) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.field_message(field)).map(
            |m| view! { <p id=format!("{field}-error") class="font-bold text-nhs-red">{m}</p> },
        )
    }
}

#[component]
pub fn SessionsPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = forbidden(Area::Admin, &user) {
        return refusal;
    }
    let date = RwSignal::new(String::new());
    let add = ServerAction::<AddClinicSession>::new();
    let info = LocalResource::new(move || {
        let d = date.get();
        add.version().track();
        async move {
            let d = if d.is_empty() {
                super::get_day_info()
                    .await
                    .map(|i| i.today)
                    .unwrap_or_default()
            } else {
                d
            };
            (d.clone(), get_sessions_info(d).await)
        }
    });
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err));
    view! {
        <Title text="Clinic sessions" />
        <h1 class="mb-4 text-3xl font-bold">"Clinic sessions"</h1>
        {crate::loading::when_loaded(info, move |loaded| {
                let (d, result) = loaded;
                let info = match result {
                    Ok(i) => i,
                    Err(e) => return view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
                };
                let d2 = d.clone();
                view! {
                    <div class="mb-4 max-w-xs">
                        <label for="sessions-date" class="mb-1 block font-bold">"Date"</label>
                        <input id="sessions-date" type="date" class="op-input" value=d.clone()
                            on:change=move |ev| { let v = event_target_value(&ev); if !v.is_empty() { date.set(v); } } />
                    </div>
                    <h2 class="mb-2 text-2xl font-bold">{format!("Sessions on {}", pretty_date(&d))}</h2>
                    {if info.sessions.is_empty() {
                        view! { <p class="mb-4">"No sessions on this day."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="mb-6 grid gap-1">
                                {info.sessions.iter().map(|s| view! {
                                    <li class="bg-white p-2">{format!("{} · {} · {}–{} · {}-minute slots", s.clinician_name, s.room, s.start, s.end, s.slot_minutes)}</li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    <h2 class="mb-2 text-2xl font-bold">"Add a session"</h2>
                    {move || add.value().get().and_then(Result::ok).map(|s| view! {
                        <p role="status" class="mb-2 border-l-8 border-nhs-green bg-white p-2 font-bold">{format!("Added {} in {}, {}–{}.", s.clinician_name, s.room, s.start, s.end)}</p>
                    })}
                    {move || add_error.get().map(|e| view! { <p role="alert" class="mb-2 font-bold text-nhs-red">{e.to_string()}</p> })}
                    <ActionForm action=add attr:class="mb-8 grid max-w-xl gap-3 bg-white p-4">
                        <input type="hidden" name="date" value=d2 />
                        <div>
                            <label for="session-clinician" class="mb-1 block font-bold">"Clinician"</label>
                            <FieldMessage error=add_error field="clinician" />
                            <select id="session-clinician" name="clinician" class="op-input">
                                {info.clinicians.iter().map(|(id, n)| view! { <option value=id.clone()>{n.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                        <div>
                            <label for="session-room" class="mb-1 block font-bold">"Room"</label>
                            <FieldMessage error=add_error field="room" />
                            <select id="session-room" name="room" class="op-input">
                                {info.rooms.iter().map(|(id, n)| view! { <option value=id.clone()>{n.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                        <div class="flex flex-wrap gap-3">
                            <div>
                                <label for="session-start" class="mb-1 block font-bold">"Start (HH:MM)"</label>
                                <FieldMessage error=add_error field="start" />
                                <input id="session-start" name="start" class="op-input" value="09:00" />
                            </div>
                            <div>
                                <label for="session-end" class="mb-1 block font-bold">"End (HH:MM)"</label>
                                <FieldMessage error=add_error field="end" />
                                <input id="session-end" name="end" class="op-input" value="12:00" />
                            </div>
                            <div>
                                <label for="session-slot" class="mb-1 block font-bold">"Slot length (minutes)"</label>
                                <FieldMessage error=add_error field="slot_minutes" />
                                <input id="session-slot" name="slot_minutes" class="op-input" inputmode="numeric" value="10" />
                            </div>
                        </div>
                        <button type="submit" class="op-button justify-self-start">"Add session"</button>
                    </ActionForm>
                    <p class="max-w-2xl">"Rooms are added, renamed and retired on "<a class="op-link" href="/admin/rooms">"Rooms"</a>"; a clinician's regular week is quicker as a "<a class="op-link" href="/admin/rotas">"rota"</a>"."</p>
                }.into_any()
            })}
    }
    .into_any()
}
