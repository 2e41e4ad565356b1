//! The tasks pages: "My tasks" and a team's list (live), a new-task form,
//! and the task page (details, actions, comments, history; live).

use super::{comment_on_task, edit_task, get_task_page, get_teams, task_action};
use crate::appointments::LiveStatus;
use crate::auth::CurrentUser;
use crate::live::use_live;
use crate::AppError;
use domain::live::Topic;
use domain::task::{TaskAction, TaskStatus, TaskView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn action_buttons(t: &TaskView, me: &str) -> Vec<TaskAction> {
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

/// "21 Nov 2026 14:05", London time, from RFC 3339.
fn london(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            domain::time::london_local(t.with_timezone(&chrono::Utc))
                .format("%-d %b %Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

fn action_label(a: TaskAction) -> &'static str {
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
fn run_action(t: &TaskView, a: TaskAction, error: RwSignal<Option<String>>) {
    let (id, version) = (t.id.clone(), t.version);
    error.set(None);
    leptos::task::spawn_local(async move {
        if let Err(e) = task_action(id, version, a.as_str().to_string()).await {
            error.set(Some(e.to_string()));
        }
    });
}

#[component]
fn TaskRow(task: TaskView, error: RwSignal<Option<String>>) -> impl IntoView {
    let me = expect_context::<CurrentUser>().staff_id;
    let assigned = match (&task.assigned_staff_name, &task.assigned_team_name) {
        (Some(p), _) => format!("Claimed by {p}"),
        (None, Some(t)) => format!("{t} (unassigned)"),
        _ => String::new(),
    };
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
                </span>
            </span>
            <span class="flex flex-wrap gap-2">{buttons}</span>
        </li>
    }
}

#[component]
fn TaskList(topic: Topic, label: String, unassigned_only: RwSignal<bool>) -> impl IntoView {
    let list = use_live(topic, None);
    let error = RwSignal::new(None::<String>);
    view! {
        <LiveStatus connection=list.connection />
        {move || error.get().map(|e| view! { <p role="alert" class="mb-2 font-bold text-nhs-red">{e}</p> })}
        {move || list.refused.get().map(|m| view! { <p role="alert" class="font-bold text-nhs-red">{m}</p> })}
        <ul aria-label=label class="grid gap-2">
            <For
                each=move || {
                    let only = unassigned_only.get();
                    list.tasks.get().into_iter().filter(|t| t.status.is_open()).filter(|t| !only || t.assigned_staff_id.is_none()).collect::<Vec<_>>()
                }
                key=|t| (t.id.clone(), t.version)
                children=move |t| view! { <TaskRow task=t error /> }
            />
        </ul>
        {move || (list.loaded.get() && list.tasks.with(|t| t.iter().all(|t| !t.status.is_open()))).then(|| view! { <p>"No open tasks."</p> })}
    }
}

#[component]
pub fn TasksPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let teams = LocalResource::new(|| async { get_teams().await.unwrap_or_default() });
    let team = RwSignal::new(String::new());
    let unassigned_only = RwSignal::new(false);
    let none = RwSignal::new(false);
    let create = ServerAction::<super::CreateTask>::new();
    let me = user.staff_id.clone();
    view! {
        <Title text="Tasks" />
        <h1 class="mb-4 text-3xl font-bold">"Tasks"</h1>
        <section aria-labelledby="my-tasks" class="mb-8">
            <h2 id="my-tasks" class="mb-2 text-2xl font-bold">"My tasks"</h2>
            <TaskList topic=Topic::MyTasks { staff: me } label="My tasks".into() unassigned_only=none />
        </section>
        <section aria-labelledby="team-tasks" class="mb-8">
            <h2 id="team-tasks" class="mb-2 text-2xl font-bold">"Team lists"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let teams = teams.await;
                    if team.get_untracked().is_empty() {
                        if let Some((id, _)) = teams.first() {
                            team.set(id.clone());
                        }
                    }
                    view! {
                        <div class="mb-3 flex flex-wrap items-end gap-4">
                            <div>
                                <label for="team" class="mb-1 block font-bold">"Team"</label>
                                <select id="team" class="op-input" prop:value=move || team.get() on:change=move |ev| team.set(event_target_value(&ev))>
                                    {teams.iter().map(|(id, n)| view! { <option value=id.clone()>{n.clone()}</option> }).collect_view()}
                                </select>
                            </div>
                            <label class="flex items-center gap-2 font-bold">
                                <input type="checkbox" class="h-6 w-6" prop:checked=move || unassigned_only.get() on:change=move |ev| unassigned_only.set(event_target_checked(&ev)) />
                                "Unassigned only"
                            </label>
                        </div>
                        {move || {
                            let t = team.get();
                            (!t.is_empty()).then(|| view! { <TaskList topic=Topic::TeamTasks { team: t.clone() } label="Team tasks".into() unassigned_only /> })
                        }}
                        <h2 class="mb-2 mt-8 text-2xl font-bold">"New task"</h2>
                        {move || create.value().get().map(|r| match r {
                            Ok(t) => view! { <p role="status" class="mb-2 font-bold">{format!("Created “{}”.", t.title)}</p> }.into_any(),
                            Err(e) => view! { <p role="alert" class="mb-2 font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
                        })}
                        <ActionForm action=create attr:class="grid max-w-xl gap-3 bg-white p-4">
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
                                        {domain::task::Priority::ALL.into_iter().map(|p| view! { <option value=p.as_str()>{p.label()}</option> }).collect_view()}
                                    </select>
                                </div>
                                <div>
                                    <label for="task-team" class="mb-1 block font-bold">"For team"</label>
                                    <select id="task-team" name="team" class="op-input">
                                        {teams.iter().map(|(id, n)| view! { <option value=id.clone()>{n.clone()}</option> }).collect_view()}
                                    </select>
                                </div>
                            </div>
                            <button type="submit" class="op-button justify-self-start">"Create task"</button>
                        </ActionForm>
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn TaskPage() -> impl IntoView {
    let id = use_params_map()
        .with_untracked(|p| p.get("id"))
        .unwrap_or_default();
    let user = expect_context::<CurrentUser>();
    let live = use_live(Topic::Task { id: id.clone() }, None);
    let page = {
        let id = id.clone();
        LocalResource::new(move || {
            let _ = live.changes.get();
            get_task_page(id.clone())
        })
    };
    let error = RwSignal::new(None::<String>);
    let comment = RwSignal::new(String::new());
    let edit = EditState::new();
    let me = user.staff_id.clone();
    view! {
        <Title text="Task" />
        <LiveStatus connection=live.connection />
        {move || error.get().map(|e| view! { <p role="alert" class="mb-2 font-bold text-nhs-red">{e}</p> })}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let me = me.clone();
                Suspend::new(async move {
                    match page.await {
                        Err(AppError::NotFound) => view! { <h1 class="text-3xl font-bold">"Task not found"</h1> }.into_any(),
                        Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
                        Ok(p) => {
                            let t = p.task.clone();
                            let buttons = action_buttons(&t, &me).into_iter().map(|a| {
                                let t = t.clone();
                                view! { <button type="button" class="op-button-secondary" on:click=move |_| run_action(&t, a, error)>{action_label(a)}</button> }
                            }).collect_view();
                            let tid = t.id.clone();
                            view! {
                                <h1 class="mb-2 text-3xl font-bold">{t.title.clone()}</h1>
                                <p class="mb-2">{format!("{} · {}", t.priority.label(), t.status.label())}
                                    {t.assigned_staff_name.clone().map(|n| format!(" · claimed by {n}"))}
                                    {t.assigned_team_name.clone().map(|n| format!(" · team {n}"))}</p>
                                {t.patient_name.clone().map(|n| view! { <p class="mb-2 font-bold">{format!("Patient: {n}, NHS {}", t.patient_nhs_number.clone().unwrap_or_default())}</p> })}
                                <p class="mb-4 whitespace-pre-wrap">{t.details.clone()}</p>
                                <div class="mb-6 flex flex-wrap gap-2">{buttons}</div>
                                <EditTask task=t.clone() edit />
                                <h2 class="mb-2 text-2xl font-bold">"Comments"</h2>
                                <ul aria-label="Comments" class="mb-3 grid gap-2">
                                    {p.comments.into_iter().map(|(who, text, _)| view! { <li class="bg-white p-2"><span class="font-bold">{who}": "</span>{text}</li> }).collect_view()}
                                </ul>
                                <form class="mb-6 flex max-w-xl flex-wrap items-end gap-2" on:submit=move |ev| {
                                    ev.prevent_default();
                                    let (id, text) = (tid.clone(), comment.get_untracked());
                                    error.set(None);
                                    leptos::task::spawn_local(async move {
                                        match comment_on_task(id, text).await {
                                            Ok(_) => comment.set(String::new()),
                                            Err(e) => error.set(Some(e.to_string())),
                                        }
                                    });
                                }>
                                    <div class="flex-1">
                                        <label for="comment" class="mb-1 block font-bold">"Add a comment"</label>
                                        <textarea id="comment" class="op-input" rows="2" prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                                    </div>
                                    <button type="submit" class="op-button">"Add comment"</button>
                                </form>
                                <h2 class="mb-2 text-2xl font-bold">"History"</h2>
                                <ol aria-label="History" class="grid gap-1">
                                    {p.history.into_iter().map(|(who, what, at)| view! { <li>{format!("{} · {} · {}", london(&at), who, what)}</li> }).collect_view()}
                                </ol>
                            }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

/// The edit form's state. It lives outside the live task view, so a
/// colleague's change (which re-renders the view) never loses unsaved text.
#[derive(Clone, Copy)]
struct EditState {
    open: RwSignal<bool>,
    title: RwSignal<String>,
    details: RwSignal<String>,
    priority: RwSignal<String>,
    /// The version the user started editing from.
    base: RwSignal<i64>,
    conflict: RwSignal<Option<String>>,
    saved: RwSignal<bool>,
}

impl EditState {
    fn new() -> Self {
        Self {
            open: RwSignal::new(false),
            title: RwSignal::new(String::new()),
            details: RwSignal::new(String::new()),
            priority: RwSignal::new(String::new()),
            base: RwSignal::new(0),
            conflict: RwSignal::new(None),
            saved: RwSignal::new(false),
        }
    }

    fn start(self, t: &TaskView) {
        self.title.set(t.title.clone());
        self.details.set(t.details.clone());
        self.priority.set(t.priority.as_str().to_string());
        self.base.set(t.version);
        self.conflict.set(None);
        self.saved.set(false);
        self.open.set(true);
    }

    fn save(self, id: String) {
        self.conflict.set(None);
        let (v, t, d, p) = (
            self.base.get_untracked(),
            self.title.get_untracked(),
            self.details.get_untracked(),
            self.priority.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            match edit_task(id, v, t, d, p).await {
                Ok(_) => {
                    self.saved.set(true);
                    self.open.set(false);
                }
                Err(e) => self.conflict.set(Some(e.to_string())),
            }
        });
    }
}

/// Edit form: on a conflict it says who changed the task, keeps the user's
/// text, and offers to save it over the current version.
#[component]
fn EditTask(task: TaskView, edit: EditState) -> impl IntoView {
    let latest = task.version;
    let (id1, id2) = (task.id.clone(), task.id.clone());
    let t = task.clone();
    view! {
        {move || edit.saved.get().then(|| view! { <p role="status" class="mb-2 font-bold">"Saved."</p> })}
        {move || (!edit.open.get()).then(|| {
            let t = t.clone();
            view! { <button type="button" class="op-button-secondary mb-6" on:click=move |_| edit.start(&t)>"Edit task"</button> }
        })}
        {move || edit.open.get().then(|| {
            let (id1, id2) = (id1.clone(), id2.clone());
            view! {
                <form class="mb-6 grid max-w-xl gap-3 bg-white p-4" on:submit=move |ev| { ev.prevent_default(); edit.save(id1.clone()); }>
                    {move || edit.conflict.get().map(|m| {
                        let id2 = id2.clone();
                        view! {
                            <div role="alert" class="border-l-8 border-nhs-red p-2 font-bold text-nhs-red">
                                <p>{m}</p>
                                <button type="button" class="op-button-secondary mt-2"
                                    on:click=move |_| { edit.base.set(latest); edit.save(id2.clone()); }>
                                    "Save my version over theirs"
                                </button>
                            </div>
                        }
                    })}
                    <div>
                        <label for="edit-title" class="mb-1 block font-bold">"Title"</label>
                        <input id="edit-title" class="op-input" maxlength="200" prop:value=move || edit.title.get() on:input=move |ev| edit.title.set(event_target_value(&ev)) />
                    </div>
                    <div>
                        <label for="edit-details" class="mb-1 block font-bold">"Details"</label>
                        <textarea id="edit-details" class="op-input" rows="4" prop:value=move || edit.details.get() on:input=move |ev| edit.details.set(event_target_value(&ev))></textarea>
                    </div>
                    <div>
                        <label for="edit-priority" class="mb-1 block font-bold">"Priority"</label>
                        <select id="edit-priority" class="op-input" prop:value=move || edit.priority.get() on:change=move |ev| edit.priority.set(event_target_value(&ev))>
                            {domain::task::Priority::ALL.into_iter().map(|p| view! { <option value=p.as_str()>{p.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="flex gap-2">
                        <button type="submit" class="op-button">"Save changes"</button>
                        <button type="button" class="op-button-secondary" on:click=move |_| edit.open.set(false)>"Discard"</button>
                    </div>
                </form>
            }
        })}
    }
}
