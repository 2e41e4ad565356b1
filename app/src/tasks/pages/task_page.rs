use super::*;

#[component]
pub fn TaskPage() -> impl IntoView {
    let id = use_params_map()
        .with_untracked(|p| p.get("id"))
        .unwrap_or_default();
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(domain::Area::Tasks, &user) {
        return refusal;
    }
    let edit = EditState::new();
    let live = use_live_here(
        Some(Topic::Task { id: id.clone() }),
        Place::Task { id: id.clone() },
        Signal::derive(move || edit.open.get()),
    );
    let page = {
        let id = id.clone();
        LocalResource::new(move || {
            let _ = live.changes.get();
            get_task_page(id.clone().into())
        })
    };
    let options = LocalResource::new(|| get_task_form(None));
    let now = use_now(30_000);
    let error = RwSignal::new(None::<String>);
    let comment = RwSignal::new(String::new());
    let reassign_to = RwSignal::new(String::new());
    let me = user.staff_id.to_string();
    view! {
        <Title text="Task" />
        <LiveStatus connection=live.connection />
        <AlsoHere list=live />
        {move || error.get().map(|e| view! { <p role="alert" class="mb-2 font-bold text-nhs-red">{e}</p> })}
        {crate::loading::when_loaded(page, move |loaded| {
                let me = me.clone();
                    let options = options.get().and_then(Result::ok);
                    match loaded {
                        Err(AppError::NotFound) => view! { <h1 class="text-3xl font-bold">"Task not found"</h1> }.into_any(),
                        Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
                        Ok(p) => {
                            let t = p.task.clone();
                            let mut actions = action_buttons(&t, &me);
                            if t.status.apply(TaskAction::Cancel).is_ok() {
                                actions.push(TaskAction::Cancel);
                            }
                            let buttons = actions.into_iter().map(|a| {
                                let t = t.clone();
                                view! { <button type="button" class="op-button-secondary" on:click=move |_| run_action(&t, a, error)>{action_label(a)}</button> }
                            }).collect_view();
                            let tid = t.id.clone();
                            let for_due = t.clone();
                            let reassign = options.filter(|_| t.status.is_open()).map(|o| {
                                let (id, version) = (t.id.clone(), t.version);
                                view! {
                                    <form class="mb-6 flex flex-wrap items-end gap-2" on:submit=move |ev| {
                                        ev.prevent_default();
                                        let (id, to) = (id.clone(), reassign_to.get_untracked());
                                        error.set(None);
                                        let Some(to) = TaskAssignee::parse(&to) else {
                                            error.set(Some("Choose a team or a person.".into()));
                                            return;
                                        };
                                        leptos::task::spawn_local(async move {
                                            if let Err(e) = reassign_task(id.into(), version.into(), to).await {
                                                error.set(Some(e.to_string()));
                                            }
                                        });
                                    }>
                                        <div>
                                            <label for="reassign" class="mb-1 block font-bold">"Reassign to"</label>
                                            <select id="reassign" class="op-input" on:change=move |ev| reassign_to.set(event_target_value(&ev))>
                                                <option value="">"Choose a team or person"</option>
                                                {assignee_options(&o)}
                                            </select>
                                        </div>
                                        <button type="submit" class="op-button-secondary">"Reassign"</button>
                                    </form>
                                }
                                .into_any()
                            });
                            view! {
                                <h1 class="mb-2 text-3xl font-bold">{t.title.clone()}</h1>
                                <p class="mb-2">{format!("{} · {}", t.priority.label(), t.status.label())}
                                    {t.assigned_staff_name.clone().map(|n| format!(" · claimed by {n}"))}
                                    {t.assigned_team_name.clone().map(|n| format!(" · team {n}"))}
                                    {move || due_view(&for_due, now.get())}</p>
                                {t.patient_id.clone().zip(t.patient_name.clone()).map(|(pid, n)| view! {
                                    <p class="mb-2 font-bold">"Patient: "
                                        <a class="op-link" href=format!("/patients/{pid}")>{n}</a>
                                        {format!(", NHS number {}", t.patient_nhs_number.as_deref().and_then(|n| domain::nhs_number::NhsNumber::parse(n).ok()).map(|n| n.to_string()).unwrap_or_default())}
                                    </p>
                                }.into_any())}
                                <p class="mb-4 whitespace-pre-wrap">{t.details.clone()}</p>
                                <div class="mb-4 flex flex-wrap gap-2">{buttons}</div>
                                {reassign}
                                {view! { <EditTask task=t.clone() edit /> }.into_any()}
                                <h2 class="mb-2 text-2xl font-bold">"Comments"</h2>
                                <ul aria-label="Comments" class="mb-3 grid gap-2">
                                    {p.comments.into_iter().map(|(who, text, _)| view! { <li class="bg-white p-2"><span class="font-bold">{who}": "</span>{text}</li> }).collect_view()}
                                </ul>
                                <form class="mb-6 flex max-w-xl flex-wrap items-end gap-2" on:submit=move |ev| {
                                    ev.prevent_default();
                                    let (id, text) = (tid.clone(), comment.get_untracked());
                                    error.set(None);
                                    leptos::task::spawn_local(async move {
                                        match comment_on_task(id.into(), text).await {
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
                                    {p.history.into_iter().map(|(who, what, at)| view! { <li>{format!("{} · {} · {}", crate::live::london_text(&at), who, what)}</li> }).collect_view()}
                                </ol>
                            }.into_any()
                        }
                    }
        })}
    }
    .into_any()
}

/// A due time as the date and time inputs show it (London).
pub(crate) fn due_inputs(t: &TaskView) -> (String, String) {
    t.due_instant()
        .map(|d| {
            let local = domain::time::london_local(d);
            (
                local.format("%Y-%m-%d").to_string(),
                local.format("%H:%M").to_string(),
            )
        })
        .unwrap_or_default()
}

/// The edit form's state. It lives outside the live task view, so a
/// colleague's change (which re-renders the view) never loses unsaved text.
#[derive(Clone, Copy)]
pub(crate) struct EditState {
    open: RwSignal<bool>,
    title: RwSignal<String>,
    details: RwSignal<String>,
    priority: RwSignal<String>,
    due_date: RwSignal<String>,
    due_time: RwSignal<String>,
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
            due_date: RwSignal::new(String::new()),
            due_time: RwSignal::new(String::new()),
            base: RwSignal::new(0),
            conflict: RwSignal::new(None),
            saved: RwSignal::new(false),
        }
    }

    fn start(self, t: &TaskView) {
        self.title.set(t.title.clone());
        self.details.set(t.details.clone());
        self.priority.set(t.priority.as_str().to_string());
        let (d, h) = due_inputs(t);
        self.due_date.set(d);
        self.due_time.set(h);
        self.base.set(t.version);
        self.conflict.set(None);
        self.saved.set(false);
        self.open.set(true);
    }

    fn save(self, id: String) {
        self.conflict.set(None);
        let (v, t, d, p, dd, dt) = (
            self.base.get_untracked(),
            self.title.get_untracked(),
            self.details.get_untracked(),
            self.priority.get_untracked(),
            self.due_date.get_untracked(),
            self.due_time.get_untracked(),
        );
        let Some(p) = Priority::parse(&p) else {
            self.conflict
                .set(Some("Choose routine, urgent, ASAP or stat.".into()));
            return;
        };
        leptos::task::spawn_local(async move {
            match edit_task(id.into(), v.into(), t, d, p, Some(dd), Some(dt)).await {
                Ok(_) => {
                    self.saved.set(true);
                    self.open.set(false);
                }
                Err(e) => self.conflict.set(Some(e.to_string())),
            }
        });
    }
}

/// Edit form: on a conflict it says who changed the task, shows their
/// version beside the user's (which is kept), and offers to save the
/// user's over the current version.
#[component]
pub(crate) fn EditTask(task: TaskView, edit: EditState) -> impl IntoView {
    let latest = task.version;
    let (id1, id2) = (task.id.clone(), task.id.clone());
    let t = task.clone();
    let theirs = task.clone();
    view! {
        {move || edit.saved.get().then(|| view! { <p role="status" class="mb-2 font-bold">"Saved."</p> })}
        {move || (!edit.open.get()).then(|| {
            let t = t.clone();
            view! { <button type="button" class="op-button-secondary mb-6" on:click=move |_| edit.start(&t)>"Edit task"</button> }
        })}
        {move || edit.open.get().then(|| {
            let (id1, id2) = (id1.clone(), id2.clone());
            let theirs = theirs.clone();
            view! {
                <form class="mb-6 grid max-w-xl gap-3 bg-white p-4" on:submit=move |ev| { ev.prevent_default(); edit.save(id1.clone()); }>
                    {move || edit.conflict.get().map(|m| {
                        let id2 = id2.clone();
                        let conflict = m.starts_with("Changed by");
                        let (their_date, their_time) = due_inputs(&theirs);
                        view! {
                            <div role="alert" class="border-l-8 border-nhs-red p-2 font-bold text-nhs-red">
                                <p>{m}</p>
                                {conflict.then(|| view! {
                                    <div class="mt-2 font-normal text-nhs-text">
                                        <h3 class="font-bold">"Their version"</h3>
                                        <dl aria-label="Their version" class="grid grid-cols-[auto_1fr] gap-x-3">
                                            <dt>"Title"</dt><dd>{theirs.title.clone()}</dd>
                                            <dt>"Details"</dt><dd class="whitespace-pre-wrap">{theirs.details.clone()}</dd>
                                            <dt>"Priority"</dt><dd>{theirs.priority.label()}</dd>
                                            <dt>"Due"</dt><dd>{if their_date.is_empty() { "Not set".to_string() } else { format!("{their_date} {their_time}") }}</dd>
                                        </dl>
                                        <p class="mt-1">"Your version is in the form below."</p>
                                    </div>
                                })}
                                {conflict.then(|| view! {
                                    <button type="button" class="op-button-secondary mt-2"
                                        on:click=move |_| { edit.base.set(latest); edit.save(id2.clone()); }>
                                        "Save my version over theirs"
                                    </button>
                                })}
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
                    <div class="flex flex-wrap gap-3">
                        <div>
                            <label for="edit-priority" class="mb-1 block font-bold">"Priority"</label>
                            <select id="edit-priority" class="op-input" prop:value=move || edit.priority.get() on:change=move |ev| edit.priority.set(event_target_value(&ev))>
                                {Priority::ALL.into_iter().map(|p| view! { <option value=p.as_str()>{p.label()}</option> }).collect_view()}
                            </select>
                        </div>
                        <div>
                            <label for="edit-due-date" class="mb-1 block font-bold">"Due date"</label>
                            <input id="edit-due-date" type="date" class="op-input" prop:value=move || edit.due_date.get() on:input=move |ev| edit.due_date.set(event_target_value(&ev)) />
                        </div>
                        <div>
                            <label for="edit-due-time" class="mb-1 block font-bold">"Due time (UK)"</label>
                            <input id="edit-due-time" type="time" class="op-input" prop:value=move || edit.due_time.get() on:input=move |ev| edit.due_time.set(event_target_value(&ev)) />
                        </div>
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
