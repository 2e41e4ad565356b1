use super::*;

#[component]
pub(crate) fn WaitingRoom(info: DayInfo) -> impl IntoView {
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
    let thresholds = live_thresholds(info.waiting);
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
                                move || view! { <Waited minutes=waited_minutes(&a, now.get()) thresholds=thresholds.get() /> }
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
pub(crate) fn MyDay(info: DayInfo) -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let topic = Topic::DayList {
        clinician: user.staff_id.to_string(),
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
    let thresholds = live_thresholds(info.waiting);
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
                        move || view! { <Waited minutes=waited_minutes(&a, now.get()) thresholds=thresholds.get() /> }
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

pub(crate) fn user_role() -> domain::Role {
    expect_context::<CurrentUser>().role
}

/// "2026-11-21" → "21 Nov 2026" (as UK practices write dates).
pub fn pretty_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%-d %b %Y").to_string())
        .unwrap_or_else(|_| iso.to_string())
}
