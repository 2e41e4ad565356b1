use super::*;

/// The panel for what is selected: a booking form for a free slot, or an
/// appointment's details and actions.
#[component]
pub(crate) fn Panel(
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
                                    let result = book_slot(sid.into(), st, p.id.clone().into(), k, Some(r)).await;
                                    busy.set(false);
                                    match result {
                                        Ok(v) => {
                                            list.merge(&topic.get_value(), Rows::Appointments(vec![v.clone()]));
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
            let a = list.appointments.with(|all| all.iter().find(|x| x.id == a.id).cloned()).unwrap_or(*a);
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
                                    match appointment_action(a.id.clone().into(), a.version.into(), StatusAction::MarkDidNotAttend).await {
                                        Ok(v) => { list.merge(&topic.get_value(), Rows::Appointments(vec![v])); selected.set(Selected::Nothing); }
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
                                    match cancel_booking(a.id.clone().into(), a.version.into(), r).await {
                                        Ok(v) => {
                                            list.merge(&topic.get_value(), Rows::Appointments(vec![v.clone()]));
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
pub(crate) fn Week(clinician: String, from: String) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let data = LocalResource::new(move || {
        refresh.track();
        get_clinician_week(clinician.clone().into(), from.clone())
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
