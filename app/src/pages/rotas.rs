//! `/admin/rotas`: clinicians' weekly rotas, making sessions from them
//! weeks ahead, and absences (leave, training) that block sessions and
//! list the booked appointments to move, never cancelling one. The rules
//! are the clinics service's.

use crate::auth::sign_in_page::FormField;
use crate::auth::CurrentUser;
use crate::AppError;
use domain::book::AppointmentKind;
use domain::rota::{
    AbsenceKind, AbsenceView, GenerateReport, RoomView, RotaFields, RotaView, RotasInfo, WEEKDAYS,
};
use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;

#[server(prefix = "/api", endpoint = "rotas_info")]
pub async fn get_rotas_info() -> Result<RotasInfo, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::clinics::rotas_info(&store, &actor).await?)
}

#[server(prefix = "/api", endpoint = "add_rota")]
pub async fn add_rota(form: RotaFields) -> Result<RotaView, AppError> {
    let (store, actor) = crate::door::staff()?;
    let typed = services::clinics::RotaForm {
        weekdays: form.weekdays(),
        clinician: form.clinician,
        room: form.room,
        start: form.start,
        end: form.end,
        slot_minutes: form.slot_minutes,
        kind: form.kind,
    };
    Ok(services::clinics::add_rota(&store, &actor, typed).await?)
}

#[server(prefix = "/api", endpoint = "set_rota_active")]
pub async fn set_rota_active(id: String, version: i64, active: bool) -> Result<(), AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::clinics::set_rota_active(&store, &actor, &id, version, active).await?)
}

#[server(prefix = "/api", endpoint = "generate_sessions")]
pub async fn generate_sessions(from: String, weeks: String) -> Result<GenerateReport, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::clinics::generate(&store, &actor, &from, &weeks).await?)
}

#[server(prefix = "/api", endpoint = "add_absence")]
pub async fn add_absence(
    clinician: String,
    kind: String,
    from: String,
    to: String,
    note: String,
) -> Result<AbsenceView, AppError> {
    let (store, actor) = crate::door::staff()?;
    let form = services::clinics::AbsenceForm {
        clinician,
        kind,
        from,
        to,
        note,
    };
    Ok(services::clinics::add_absence(&store, &actor, form).await?)
}

#[server(prefix = "/api", endpoint = "remove_absence")]
pub async fn remove_absence(id: String) -> Result<(), AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::clinics::remove_absence(&store, &actor, &id).await?)
}

/// What an admin action did: its result in words (green), or its refusal
/// (field refusals are shown beside their fields instead).
pub(crate) fn outcome<T>(
    value: Option<Result<T, AppError>>,
    done: impl Fn(T) -> String,
) -> impl IntoView {
    match value {
        Some(Ok(v)) => Some(view! { <p role="status" class="mb-2 border-l-8 border-nhs-green bg-white p-2 font-bold">{done(v)}</p> }.into_any()),
        Some(Err(AppError::Validation(_))) | None => None,
        Some(Err(e)) => Some(view! { <p role="alert" class="mb-2 font-bold text-nhs-red">{e.to_string()}</p> }.into_any()),
    }
}

fn options(items: Vec<(String, String)>) -> impl IntoView {
    items
        .into_iter()
        .map(|(id, n)| view! { <option value=id>{n}</option> })
        .collect_view()
}

#[component]
pub fn RotasPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Admin, &user) {
        return refusal;
    }
    let add = ServerAction::<AddRota>::new();
    let active = ServerAction::<SetRotaActive>::new();
    let generate = ServerAction::<GenerateSessions>::new();
    let away = ServerAction::<AddAbsence>::new();
    let remove = ServerAction::<RemoveAbsence>::new();
    let info = LocalResource::new(move || {
        add.version().track();
        active.version().track();
        generate.version().track();
        away.version().track();
        remove.version().track();
        get_rotas_info()
    });
    view! {
        <Title text="Rotas and absences" />
        <h1 class="mb-2 text-3xl font-bold">"Rotas and absences"</h1>
        <p class="mb-4 max-w-2xl">"A rota is a clinician's week. Make sessions from the rotas a few weeks ahead; record leave and training here, and the appointments booked over it are listed for moving: none is cancelled."</p>
        {move || outcome(active.value().get(), |_| "Rota changed.".to_string())}
        {move || outcome(remove.value().get(), |_| "Absence removed: those sessions take bookings again.".to_string())}
        {crate::loading::when_loaded(info, move |loaded| match loaded {
            Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
            Ok(info) => view! {
                {rota_list(info.rotas, active)}
                {rota_form(info.clinicians.clone(), info.rooms, add)}
                {generate_form(generate)}
                {absence_list(info.absences, remove)}
                {absence_form(info.clinicians, away)}
            }.into_any(),
        })}
    }
    .into_any()
}

fn rota_list(rotas: Vec<RotaView>, active: ServerAction<SetRotaActive>) -> impl IntoView {
    view! {
        <h2 class="mb-2 text-2xl font-bold">"Rotas"</h2>
        {if rotas.is_empty() { Some(view! { <p class="mb-4">"No rotas yet."</p> }) } else { None }}
        <ul class="mb-6 grid max-w-3xl gap-2">
            {rotas.into_iter().map(|r| {
                let (verb, next) = if r.active { ("Stop", false) } else { ("Restart", true) };
                let label = format!("{verb} rota: {}, {}", r.clinician_name, r.describe());
                view! {
                    <li class="flex flex-wrap items-center justify-between gap-2 bg-white p-3">
                        <span><span class="font-bold">{r.clinician_name.clone()}</span>" · "{r.describe()}
                            {if r.active { None } else { Some(view! { <span class="ml-2 font-bold">"(stopped)"</span> }) }}</span>
                        <ActionForm action=active>
                            <input type="hidden" name="id" value=r.id.clone() />
                            <input type="hidden" name="version" value=r.version.to_string() />
                            <input type="hidden" name="active" value=next.to_string() />
                            <button type="submit" class="op-button-secondary" aria-label=label>{format!("{verb} rota")}</button>
                        </ActionForm>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

fn rota_form(
    clinicians: Vec<(String, String)>,
    rooms: Vec<RoomView>,
    add: ServerAction<AddRota>,
) -> impl IntoView {
    let error = move || add.value().get().and_then(Result::err);
    let field =
        move |f: &'static str| Signal::derive(move || error().and_then(|e| e.field_message(f)));
    let rooms: Vec<(String, String)> = rooms
        .into_iter()
        .filter(|r| !r.retired)
        .map(|r| (r.id, r.name))
        .collect();
    view! {
        <h2 class="mb-2 text-2xl font-bold">"Add a rota"</h2>
        {move || outcome(add.value().get(), |r| format!("Added {}'s rota: {}.", r.clinician_name, r.describe()))}
        <ActionForm action=add attr:class="mb-8 grid max-w-2xl gap-3 bg-white p-4">
            <FormField id="rota-clinician" label="Clinician" error=field("clinician")>
                <select id="rota-clinician" name="form[clinician]" class="op-input">{options(clinicians)}</select>
            </FormField>
            <FormField id="rota-room" label="Room" error=field("room")>
                <select id="rota-room" name="form[room]" class="op-input">{options(rooms)}</select>
            </FormField>
            <fieldset aria-describedby="weekdays-error">
                <legend class="mb-1 font-bold">"Days"</legend>
                <p id="weekdays-error" class="font-bold text-nhs-red empty:hidden">{move || field("weekdays").get()}</p>
                <div class="flex flex-wrap gap-4">
                    {WEEKDAYS.iter().enumerate().map(|(i, day)| {
                        let n = i + 1;
                        view! {
                            <label class="flex items-center gap-1">
                                <input type="checkbox" name=format!("form[day{n}]") value=n.to_string() checked=n <= 5 class="h-5 w-5" />
                                {*day}
                            </label>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            <div class="flex flex-wrap gap-3">
                <FormField id="rota-start" label="Start (HH:MM)" error=field("start")>
                    <input id="rota-start" name="form[start]" class="op-input" value="08:30" />
                </FormField>
                <FormField id="rota-end" label="End (HH:MM)" error=field("end")>
                    <input id="rota-end" name="form[end]" class="op-input" value="12:00" />
                </FormField>
                <FormField id="rota-slot" label="Slot length (minutes)" error=field("slot_minutes")>
                    <input id="rota-slot" name="form[slot_minutes]" class="op-input" inputmode="numeric" value="10" />
                </FormField>
            </div>
            <FormField id="rota-kind" label="Appointments" error=field("kind")>
                <select id="rota-kind" name="form[kind]" class="op-input">
                    {AppointmentKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                </select>
            </FormField>
            <button type="submit" class="op-button justify-self-start">"Add rota"</button>
        </ActionForm>
    }
}

fn generate_form(generate: ServerAction<GenerateSessions>) -> impl IntoView {
    let error = move || generate.value().get().and_then(Result::err);
    let field =
        move |f: &'static str| Signal::derive(move || error().and_then(|e| e.field_message(f)));
    view! {
        <h2 class="mb-2 text-2xl font-bold">"Make sessions from the rotas"</h2>
        {move || outcome(generate.value().get(), |r| format!("Made {} sessions ({} already made).", r.created, r.already_made))}
        {move || generate.value().get().and_then(Result::ok).filter(|r| !r.skipped.is_empty()).map(|r| view! {
            <div class="mb-2 max-w-3xl bg-white p-3">
                <h3 class="font-bold">{format!("Not made ({})", r.skipped.len())}</h3>
                <ul class="list-disc pl-6">
                    {r.skipped.into_iter().map(|s| view! { <li>{format!("{} · {}: {}", s.date, s.clinician_name, s.reason)}</li> }).collect_view()}
                </ul>
            </div>
        })}
        <ActionForm action=generate attr:class="mb-8 flex max-w-2xl flex-wrap items-end gap-3 bg-white p-4">
            <FormField id="generate-from" label="From (empty: today)" error=field("from")>
                <input id="generate-from" name="from" type="date" class="op-input" />
            </FormField>
            <FormField id="generate-weeks" label="Weeks ahead" error=field("weeks")>
                <input id="generate-weeks" name="weeks" class="op-input" inputmode="numeric" value="4" />
            </FormField>
            <button type="submit" class="op-button">"Make sessions"</button>
        </ActionForm>
    }
}

fn absence_list(absences: Vec<AbsenceView>, remove: ServerAction<RemoveAbsence>) -> impl IntoView {
    view! {
        <h2 class="mb-2 text-2xl font-bold">"Absences"</h2>
        {if absences.is_empty() { Some(view! { <p class="mb-4">"No one is recorded as away from today on."</p> }) } else { None }}
        <ul class="mb-6 grid max-w-3xl gap-3">
            {absences.into_iter().map(|a| {
                let what = format!("{} · {}, {} to {}", a.clinician_name, a.kind.label(), a.from, a.to);
                let label = format!("Remove absence: {what}");
                view! {
                    <li class="bg-white p-3">
                        <p class="font-bold">{what.clone()}</p>
                        {a.note.clone().map(|n| view! { <p>{n}</p> })}
                        <p>{format!("{} sessions blocked: nothing more can be booked into them.", a.sessions_blocked)}</p>
                        {if a.to_move.is_empty() {
                            view! { <p>"No booked appointments to move."</p> }.into_any()
                        } else {
                            view! {
                                <table class="my-2 w-full text-left">
                                    <caption class="text-left font-bold text-nhs-red">{format!("Appointments to move ({})", a.to_move.len())}</caption>
                                    <thead><tr><th scope="col">"Date"</th><th scope="col">"Time"</th><th scope="col">"Patient"</th></tr></thead>
                                    <tbody>
                                        {a.to_move.iter().map(|m| view! { <tr><td>{m.date.clone()}</td><td>{m.start.clone()}</td><td>{m.patient_name.clone()}</td></tr> }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }}
                        <ActionForm action=remove>
                            <input type="hidden" name="id" value=a.id.clone() />
                            <button type="submit" class="op-button-secondary" aria-label=label>"Remove absence"</button>
                        </ActionForm>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

fn absence_form(
    clinicians: Vec<(String, String)>,
    away: ServerAction<AddAbsence>,
) -> impl IntoView {
    let error = move || away.value().get().and_then(Result::err);
    let field =
        move |f: &'static str| Signal::derive(move || error().and_then(|e| e.field_message(f)));
    view! {
        <h2 class="mb-2 text-2xl font-bold">"Record an absence"</h2>
        {move || outcome(away.value().get(), |a| format!("Recorded: {} away, {} to {}. {} sessions blocked; {} appointments to move.", a.clinician_name, a.from, a.to, a.sessions_blocked, a.to_move.len()))}
        <ActionForm action=away attr:class="mb-8 grid max-w-2xl gap-3 bg-white p-4">
            <FormField id="absence-clinician" label="Clinician" error=field("clinician")>
                <select id="absence-clinician" name="clinician" class="op-input">{options(clinicians)}</select>
            </FormField>
            <FormField id="absence-kind" label="Reason" error=field("kind")>
                <select id="absence-kind" name="kind" class="op-input">
                    {AbsenceKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                </select>
            </FormField>
            <div class="flex flex-wrap gap-3">
                <FormField id="absence-from" label="First day away" error=field("from")>
                    <input id="absence-from" name="from" type="date" class="op-input" />
                </FormField>
                <FormField id="absence-to" label="Last day away" error=field("to")>
                    <input id="absence-to" name="to" type="date" class="op-input" />
                </FormField>
            </div>
            <FormField id="absence-note" label="Note (optional)" error=field("note")>
                <input id="absence-note" name="note" class="op-input" />
            </FormField>
            <button type="submit" class="op-button justify-self-start">"Record absence"</button>
        </ActionForm>
    }
}
