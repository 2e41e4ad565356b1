//! The tasks pages: "My tasks" and a team's list (live, with filters), the
//! new-task form (also at /tasks/new, from a patient or an appointment),
//! and the task page (details, actions, reassign, presence, comments,
//! history; live).

mod task_page;

pub use task_page::*;

use super::{
    comment_on_task, edit_task, get_task_form, get_task_page, reassign_task, task_action,
    TaskFormOptions,
};
use crate::appointments::LiveStatus;
use crate::auth::CurrentUser;
use crate::live::{use_live, use_live_here, use_now, AlsoHere};
use crate::AppError;
use domain::live::{Place, Topic};
use domain::task::{Due, ListFilter, Priority, TaskAction, TaskAssignee, TaskStatus, TaskView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

pub(crate) fn action_buttons(t: &TaskView, me: &str) -> Vec<TaskAction> {
    let mine = t.assigned_staff_id.as_deref() == Some(me);
    let mut actions = Vec::new();
    if t.status == TaskStatus::Requested && t.assigned_staff_id.is_none() {
        actions.push(TaskAction::Claim);
    }
    if mine || t.assigned_staff_id.is_none() {
        for a in [
            TaskAction::Start,
            TaskAction::PutOnHold,
            TaskAction::Resume,
            TaskAction::Complete,
        ] {
            if a != TaskAction::Claim
                && t.status.apply(a).is_ok()
                && (mine || a == TaskAction::Complete)
            {
                actions.push(a);
            }
        }
    }
    if t.status.apply(TaskAction::Reopen).is_ok() {
        actions.push(TaskAction::Reopen);
    }
    actions
}

pub(crate) fn action_label(a: TaskAction) -> &'static str {
    match a {
        TaskAction::Claim => "Claim",
        TaskAction::Start => "Start",
        TaskAction::PutOnHold => "Put on hold",
        TaskAction::Resume => "Resume",
        TaskAction::Complete => "Complete",
        TaskAction::Cancel => "Cancel task",
        TaskAction::Reopen => "Reopen",
    }
}

/// Runs a task action and reports a refusal in words.
pub(crate) fn run_action(t: &TaskView, a: TaskAction, error: RwSignal<Option<String>>) {
    let (id, version) = (t.id.clone(), t.version);
    error.set(None);
    leptos::task::spawn_local(async move {
        if let Err(e) = task_action(id.into(), version.into(), a).await {
            error.set(Some(e.to_string()));
        }
    });
}

/// "Overdue · Due 09:00 today" (London time), or nothing.
pub(crate) fn due_view(t: &TaskView, now: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let text = t.due_text(now);
    let overdue = t.due(now) == Due::Overdue;
    text.map(|text| {
        view! {
            <span class={if overdue { "font-bold text-nhs-red" } else { "" }}>
                {if overdue { format!(" · Overdue: {}", text.to_lowercase()) } else { format!(" · {text}") }}
            </span>
        }
    })
}

/// The assignee picker's options: teams, then people.
pub(crate) fn assignee_options(o: &TaskFormOptions) -> impl IntoView {
    view! {
        <optgroup label="Teams">
            {o.teams.iter().map(|(id, n)| view! { <option value=format!("team:{id}")>{n.clone()}</option> }).collect_view()}
        </optgroup>
        <optgroup label="People">
            {o.staff.iter().map(|p| view! { <option value=format!("staff:{}", p.id)>{p.name.clone()}</option> }).collect_view()}
        </optgroup>
    }
}

#[component]
pub(crate) fn TaskRow(task: TaskView, error: RwSignal<Option<String>>) -> impl IntoView {
    let now = use_context::<RwSignal<chrono::DateTime<chrono::Utc>>>();
    let me = expect_context::<CurrentUser>().staff_id.into_string();
    let assigned = match (&task.assigned_staff_name, &task.assigned_team_name) {
        (Some(p), _) => format!("Claimed by {p}"),
        (None, Some(t)) => format!("{t} (unassigned)"),
        _ => String::new(),
    };
    let for_due = task.clone();
    let buttons = action_buttons(&task, &me)
        .into_iter()
        .map(|a| {
            let t = task.clone();
            let label = format!("{} – {}", action_label(a), task.title);
            view! {
                <button type="button" class="op-button-secondary" aria-label=label on:click=move |_| run_action(&t, a, error)>
                    {action_label(a)}
                </button>
            }
        })
        .collect_view();
    view! {
        <li class="flex flex-wrap items-center gap-3 border-l-8 border-nhs-blue bg-white p-3">
            <span class="min-w-64 flex-1">
                <a class="op-link block text-lg font-bold" href=format!("/tasks/{}", task.id)>{task.title.clone()}</a>
                <span class="block text-sm">
                    {format!("{} · {} · {}", task.priority.label(), task.status.label(), assigned)}
                    {task.patient_name.clone().map(|p| format!(" · {p}"))}
                    {match task.comment_count { 0 => String::new(), 1 => " · 1 comment".to_string(), n => format!(" · {n} comments") }}
                    {move || now.map(|n| due_view(&for_due, n.get()))}
                </span>
            </span>
            <span class="flex flex-wrap gap-2">{buttons}</span>
        </li>
    }
}

#[component]
pub(crate) fn TaskList(topic: Topic, label: String, filter: RwSignal<ListFilter>) -> impl IntoView {
    let list = use_live(topic, None);
    let me = expect_context::<CurrentUser>().staff_id.into_string();
    let now = expect_context::<RwSignal<chrono::DateTime<chrono::Utc>>>();
    let error = RwSignal::new(None::<String>);
    view! {
        <LiveStatus connection=list.connection />
        {move || error.get().map(|e| view! { <p role="alert" class="mb-2 font-bold text-nhs-red">{e}</p> })}
        {move || list.refused.get().map(|m| view! { <p role="alert" class="font-bold text-nhs-red">{m}</p> })}
        <ul aria-label=label class="grid gap-2">
            <For
                each=move || { filter.get().apply(&list.tasks.get(), &me, now.get()) }
                key=|t| (t.id.clone(), t.version)
                children=move |t| view! { <TaskRow task=t error /> }
            />
        </ul>
        {move || (list.loaded.get() && list.tasks.with(|t| t.iter().all(|t| !t.status.is_open()))).then(|| view! { <p>"No open tasks."</p> })}
        {move || (list.loaded.get() && list.tasks.with(|t| t.iter().any(|t| t.status.is_open())) && list.tasks.with(|t| filter.get().apply(t, "", now.get()).is_empty()) && *filter.read() != ListFilter::default()).then(|| view! { <p>"No open tasks match these filters."</p> })}
    }
}

/// The team list's filter and sort controls.
#[component]
pub(crate) fn Filters(filter: RwSignal<ListFilter>) -> impl IntoView {
    let due_value = move || match filter.get().due {
        Some(Due::Overdue) => "overdue",
        Some(Due::Today) => "today",
        _ => "",
    };
    view! {
        <fieldset class="mb-3 flex flex-wrap items-end gap-4">
            <legend class="sr-only">"Filter and sort the team list"</legend>
            <label class="flex items-center gap-2 font-bold">
                <input type="checkbox" class="h-6 w-6" prop:checked=move || filter.get().unassigned_only on:change=move |ev| filter.update(|f| f.unassigned_only = event_target_checked(&ev)) />
                "Unassigned only"
            </label>
            <label class="flex items-center gap-2 font-bold">
                <input type="checkbox" class="h-6 w-6" prop:checked=move || filter.get().mine_only on:change=move |ev| filter.update(|f| f.mine_only = event_target_checked(&ev)) />
                "Mine only"
            </label>
            <div>
                <label for="filter-due" class="mb-1 block font-bold">"Due"</label>
                <select id="filter-due" class="op-input" prop:value=due_value on:change=move |ev| {
                    let v = event_target_value(&ev);
                    filter.update(|f| f.due = match v.as_str() { "overdue" => Some(Due::Overdue), "today" => Some(Due::Today), _ => None });
                }>
                    <option value="">"Any time"</option>
                    <option value="overdue">"Overdue"</option>
                    <option value="today">"Due today"</option>
                </select>
            </div>
            <div>
                <label for="filter-priority" class="mb-1 block font-bold">"Priority"</label>
                <select id="filter-priority" class="op-input" prop:value=move || filter.get().priority.map(|p| p.as_str()).unwrap_or_default() on:change=move |ev| {
                    let v = event_target_value(&ev);
                    filter.update(|f| f.priority = Priority::parse(&v));
                }>
                    <option value="">"Any priority"</option>
                    {Priority::ALL.into_iter().map(|p| view! { <option value=p.as_str()>{p.label()}</option> }).collect_view()}
                </select>
            </div>
            <div>
                <label for="filter-sort" class="mb-1 block font-bold">"Sort by"</label>
                <select id="filter-sort" class="op-input" prop:value=move || if filter.get().by_due { "due" } else { "priority" } on:change=move |ev| {
                    let v = event_target_value(&ev);
                    filter.update(|f| f.by_due = v == "due");
                }>
                    <option value="priority">"Priority"</option>
                    <option value="due">"Due time"</option>
                </select>
            </div>
        </fieldset>
    }
}

/// The new-task form. `options.patient`: the task is about that patient.
#[component]
pub(crate) fn NewTaskForm(options: TaskFormOptions) -> impl IntoView {
    let create = ServerAction::<super::CreateTask>::new();
    let patient = options.patient.clone();
    view! {
        {move || create.value().get().map(|r| match r {
            Ok(t) => view! {
                <p role="status" class="mb-2 font-bold">
                    {format!("Created “{}”. ", t.title)}
                    <a class="op-link" href=format!("/tasks/{}", t.id)>"Open it"</a>
                </p>
            }.into_any(),
            Err(e) => view! { <p role="alert" class="mb-2 font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
        })}
        <ActionForm action=create attr:class="grid max-w-xl gap-3 bg-white p-4">
            {patient.map(|(id, name, nhs)| view! {
                <p class="font-bold">{format!("For patient: {name}, NHS number {nhs}")}</p>
                <input type="hidden" name="patient_id" value=id />
            })}
            <div>
                <label for="task-title" class="mb-1 block font-bold">"Title"</label>
                <input id="task-title" name="title" class="op-input" maxlength="200" />
            </div>
            <div>
                <label for="task-details" class="mb-1 block font-bold">"Details"</label>
                <textarea id="task-details" name="details" class="op-input" rows="3"></textarea>
            </div>
            <div class="flex flex-wrap gap-3">
                <div>
                    <label for="task-priority" class="mb-1 block font-bold">"Priority"</label>
                    <select id="task-priority" name="priority" class="op-input">
                        {Priority::ALL.into_iter().map(|p| view! { <option value=p.as_str()>{p.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="task-assignee" class="mb-1 block font-bold">"Assign to"</label>
                    <select id="task-assignee" name="assignee" class="op-input">{assignee_options(&options)}</select>
                </div>
            </div>
            <div class="flex flex-wrap gap-3">
                <div>
                    <label for="task-due-date" class="mb-1 block font-bold">"Due date (optional)"</label>
                    <input id="task-due-date" name="due_date" type="date" class="op-input" />
                </div>
                <div>
                    <label for="task-due-time" class="mb-1 block font-bold">"Due time"</label>
                    <p id="task-due-time-hint" class="text-sm">"UK time; 17:00 if left blank"</p>
                    <input id="task-due-time" name="due_time" type="time" class="op-input" aria-describedby="task-due-time-hint" />
                </div>
            </div>
            <button type="submit" class="op-button justify-self-start">"Create task"</button>
        </ActionForm>
    }
}

#[component]
pub fn TasksPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(domain::Area::Tasks, &user) {
        return refusal;
    }
    let options = LocalResource::new(|| get_task_form(None));
    let team = RwSignal::new(String::new());
    let filter = RwSignal::new(ListFilter::default());
    let none = RwSignal::new(ListFilter::default());
    provide_context(use_now(30_000));
    let me = user.staff_id.to_string();
    view! {
        <Title text="Tasks" />
        <h1 class="mb-4 text-3xl font-bold">"Tasks"</h1>
        <section aria-labelledby="my-tasks" class="mb-8">
            <h2 id="my-tasks" class="mb-2 text-2xl font-bold">"My tasks"</h2>
            <TaskList topic=Topic::MyTasks { staff: me.to_string() } label="My tasks".into() filter=none />
        </section>
        <section aria-labelledby="team-tasks" class="mb-8">
            <h2 id="team-tasks" class="mb-2 text-2xl font-bold">"Team lists"</h2>
            {crate::loading::when_loaded(options, move |loaded| {
                    let options = match loaded {
                        Ok(o) => o,
                        Err(e) => return view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
                    };
                    if team.get_untracked().is_empty() {
                        if let Some((id, _)) = options.teams.first() {
                            team.set(id.clone());
                        }
                    }
                    view! {
                        <div class="mb-3">
                            <label for="team" class="mb-1 block font-bold">"Team"</label>
                            <select id="team" class="op-input" prop:value=move || team.get() on:change=move |ev| team.set(event_target_value(&ev))>
                                {options.teams.iter().map(|(id, n)| view! { <option value=id.clone()>{n.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                        <Filters filter />
                        {move || {
                            let t = team.get();
                            (!t.is_empty()).then(|| view! { <TaskList topic=Topic::TeamTasks { team: t.clone() } label="Team tasks".into() filter /> })
                        }}
                        <h2 id="new-task" class="mb-2 mt-8 text-2xl font-bold">"New task"</h2>
                        <NewTaskForm options=options.clone() />
                    }.into_any()
                })}
        </section>
    }
    .into_any()
}

/// `/tasks/new?patient=ID`: a new task, about a patient when started from
/// their page or an appointment.
#[component]
pub fn NewTaskPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(domain::Area::Tasks, &user) {
        return refusal;
    }
    let patient = use_query_map().with_untracked(|q| q.get("patient"));
    let options = LocalResource::new(move || get_task_form(patient.clone().map(Into::into)));
    view! {
        <Title text="New task" />
        <h1 class="mb-4 text-3xl font-bold">"New task"</h1>
        {crate::loading::when_loaded(options, move |loaded| {
                match loaded {
                    Ok(o) => view! { <NewTaskForm options=o /> }.into_any(),
                    Err(AppError::NotFound) => view! { <p role="alert" class="font-bold text-nhs-red">"That patient was not found."</p> }.into_any(),
                    Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
                }
            })}
        <p class="mt-4"><a class="op-link" href="/tasks">"Back to tasks"</a></p>
    }
    .into_any()
}
