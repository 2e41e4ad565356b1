use super::*;

/// How the draft stands, shown beside the form.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum DraftState {
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
        LocalResource::new(move || get_consultation_page(id.clone().into()))
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
pub(crate) fn Editor(
    id: String,
    data: ConsultationPageData,
    appointment: Option<String>,
) -> impl IntoView {
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
                    let result = save_consultation_draft(patient.into(), f).await;
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
            match save_consultation(id.clone().into(), f).await {
                Ok(_) => navigate(&format!("/patients/{id}"), Default::default()),
                Err(e) => {
                    saving.set(false);
                    finalising.set(false);
                    result.set(Some(e));
                    // Not saved: keep what was typed as the draft.
                    if let Ok(Some(at)) =
                        save_consultation_draft(id.into(), form.get_untracked()).await
                    {
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
        {crate::patients::pages::banner(&p, "Consultation: ", Some(data.allergies.clone()))}
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
