//! `/admin/staff`: the practice's staff accounts. Admin adds a member of
//! staff (shown a one-time password, once), changes a name or role,
//! deactivates (their sessions end and open tabs close at once) or
//! reactivates an account, and resets a password. The rules (roles,
//! versions, who may change whom) are the staff service's.

use crate::auth::sign_in_page::FormField;
use crate::auth::CurrentUser;
use crate::AppError;
use domain::{Area, OneTimePassword, Role, StaffAccount, StaffId};
use leptos::prelude::*;
use leptos_meta::Title;

#[server(prefix = "/api", endpoint = "list_staff")]
pub async fn list_staff() -> Result<Vec<StaffAccount>, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::staff::admin::list(&store, &actor).await?)
}

#[server(prefix = "/api", endpoint = "add_staff")]
pub async fn add_staff(
    name: String,
    username: String,
    role: String,
    team: Option<String>,
) -> Result<OneTimePassword, AppError> {
    let (store, actor) = crate::door::staff()?;
    let new = services::staff::admin::NewMember {
        name,
        username,
        role,
        teams: team.into_iter().filter(|t| !t.is_empty()).collect(),
    };
    Ok(services::staff::admin::add(&store, &actor, &new).await?)
}

#[server(prefix = "/api", endpoint = "edit_staff")]
pub async fn edit_staff(
    id: StaffId,
    version: i64,
    name: String,
    role: String,
) -> Result<StaffAccount, AppError> {
    let (store, actor) = crate::door::staff()?;
    let what = services::staff::admin::Change::Details { name, role };
    Ok(services::staff::admin::change(&store, &actor, &id, version, what).await?)
}

/// Deactivates (`active` false) or reactivates an account.
#[server(prefix = "/api", endpoint = "set_staff_active")]
pub async fn set_staff_active(
    id: StaffId,
    version: i64,
    active: bool,
) -> Result<StaffAccount, AppError> {
    use services::staff::admin::Change;
    let (store, actor) = crate::door::staff()?;
    let what = if active {
        Change::Reactivate
    } else {
        Change::Deactivate
    };
    Ok(services::staff::admin::change(&store, &actor, &id, version, what).await?)
}

#[server(prefix = "/api", endpoint = "reset_staff_password")]
pub async fn reset_staff_password(id: StaffId, version: i64) -> Result<OneTimePassword, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::staff::admin::reset_password(&store, &actor, &id, version).await?)
}

/// Ends every session of a colleague: their open tabs go to sign in.
#[server(prefix = "/api", endpoint = "sign_out_staff")]
pub async fn sign_out_staff(id: StaffId) -> Result<(), AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::auth::sessions::sign_out_everywhere(&store, &actor, &id).await?)
}

/// The one-time password, once, with what to do with it.
fn shown_once(p: OneTimePassword) -> impl IntoView {
    view! {
        <div role="status" class="mt-4 max-w-3xl border-l-8 border-nhs-green bg-white p-4">
            <p class="font-bold">{format!("Give {} this one-time password in person: it is shown only this once. They choose their own when they first sign in.", p.name)}</p>
            <dl class="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
                <dt class="font-bold">"Username"</dt><dd class="font-mono">{p.username.clone()}</dd>
                <dt class="font-bold">"One-time password"</dt><dd class="font-mono">{p.password.clone()}</dd>
            </dl>
        </div>
    }
}

fn role_options(selected: Role) -> impl IntoView {
    Role::PRACTICE
        .into_iter()
        .map(|r| view! { <option value=r.as_str() selected={r == selected}>{r.label()}</option> })
        .collect_view()
}

fn alert(message: String) -> impl IntoView {
    view! { <p role="alert" class="mt-4 font-bold text-nhs-red">{message}</p> }
}

#[component]
pub fn StaffPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Admin, &user) {
        return refusal;
    }
    let add = ServerAction::<AddStaff>::new();
    let edit = ServerAction::<EditStaff>::new();
    let active = ServerAction::<SetStaffActive>::new();
    let reset = ServerAction::<ResetStaffPassword>::new();
    let sign_out = ServerAction::<SignOutStaff>::new();
    let staff = LocalResource::new(move || {
        add.version().track();
        edit.version().track();
        active.version().track();
        reset.version().track();
        list_staff()
    });
    let teams = LocalResource::new(crate::tasks::get_teams);
    let error = move || add.value().get().and_then(Result::err);
    let field_error =
        move |field: &'static str| move || error().and_then(|e| e.field_message(field));
    let add_summary = move || match error() {
        Some(AppError::Validation(_)) | None => None,
        Some(e) => Some(e.to_string()),
    };
    let me = user.staff_id.clone();
    view! {
        <Title text="Staff" />
        <h1 class="mb-2 text-3xl font-bold">"Staff"</h1>
        <p class="mb-4 max-w-2xl">
            "Everyone who signs in to this practice. A deactivated account cannot sign in and its sessions end at once; its name stays in the history."
        </p>
        <h2 class="mb-2 text-2xl font-bold">"Add a member of staff"</h2>
        <ActionForm action=add attr:class="max-w-2xl space-y-4">
            <FormField id="name" label="Name (as colleagues see it)" error=Signal::derive(field_error("name"))>
                <input id="name" name="name" class="op-input" autocomplete="off" aria-describedby="name-error" />
            </FormField>
            <FormField id="username" label="Username" error=Signal::derive(field_error("username"))>
                <input id="username" name="username" class="op-input" autocomplete="off" aria-describedby="username-error" />
            </FormField>
            <FormField id="role" label="Role" error=Signal::derive(field_error("role"))>
                <select id="role" name="role" class="op-input" aria-describedby="role-error">{role_options(Role::Reception)}</select>
            </FormField>
            <FormField id="team" label="Team (optional)" error=Signal::derive(field_error("teams"))>
                <select id="team" name="team" class="op-input" aria-describedby="team-error">
                    <option value="">"No team"</option>
                    {move || teams.get().and_then(Result::ok).unwrap_or_default().into_iter()
                        .map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                </select>
            </FormField>
            <button type="submit" class="op-button" disabled=move || add.pending().get()>"Add the member of staff"</button>
        </ActionForm>
        {move || add_summary().map(alert)}
        {move || add.value().get().and_then(Result::ok).map(shown_once)}
        {move || reset.value().get().map(|r| match r {
            Ok(p) => shown_once(p).into_any(),
            Err(e) => alert(e.to_string()).into_any(),
        })}
        {move || edit.value().get().and_then(Result::err).map(|e| alert(e.to_string()))}
        {move || active.value().get().and_then(Result::err).map(|e| alert(e.to_string()))}
        {move || sign_out.value().get().map(|r| match r {
            Ok(()) => view! { <p role="status" class="mt-4 font-bold">"Signed out everywhere: their open pages have gone to the sign-in page."</p> }.into_any(),
            Err(e) => alert(e.to_string()).into_any(),
        })}
        <h2 class="mb-2 mt-8 text-2xl font-bold">"Accounts"</h2>
        {crate::loading::when_loaded(staff, move |loaded| match loaded {
            Err(e) => alert(e.to_string()).into_any(),
            Ok(list) => view! {
                <table class="w-full bg-white text-left">
                    <thead>
                        <tr class="border-b-2 border-nhs-text">
                            <th scope="col" class="p-2">"Name"</th>
                            <th scope="col" class="p-2">"Username"</th>
                            <th scope="col" class="p-2">"Role"</th>
                            <th scope="col" class="p-2">"Teams"</th>
                            <th scope="col" class="p-2">"Last signed in"</th>
                            <th scope="col" class="p-2">"State"</th>
                            <th scope="col" class="p-2"><span class="sr-only">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|a| row(a, &me, Actions { edit, active, reset, sign_out })).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        })}
    }
    .into_any()
}

/// What a row's buttons do.
#[derive(Clone, Copy)]
struct Actions {
    edit: ServerAction<EditStaff>,
    active: ServerAction<SetStaffActive>,
    reset: ServerAction<ResetStaffPassword>,
    sign_out: ServerAction<SignOutStaff>,
}

/// The hidden fields that name the account (and the version it was read at).
fn hidden_fields(id: String, version: Option<String>) -> impl IntoView {
    view! {
        <input type="hidden" name="id" value=id />
        {version.map(|v| view! { <input type="hidden" name="version" value=v /> })}
    }
}

fn row(a: StaffAccount, me: &StaffId, actions: Actions) -> impl IntoView {
    let Actions {
        edit,
        active,
        reset,
        sign_out,
    } = actions;
    let is_me = a.id == *me;
    let (id, version, name) = (a.id.to_string(), a.version.to_string(), a.name.clone());
    let state = match (a.active, a.must_change_password) {
        (false, _) => "Deactivated",
        (true, true) => "Active (one-time password)",
        (true, false) => "Active",
    };
    let last = a
        .last_sign_in
        .as_deref()
        .map(crate::live::london_text)
        .unwrap_or_else(|| "Never".to_string());
    let teams = if a.teams.is_empty() {
        "None".to_string()
    } else {
        a.teams.join(", ")
    };
    // Each form gets its own copies: a view owns what it shows.
    let hidden =
        |with_version: bool| hidden_fields(id.clone(), with_version.then(|| version.clone()));
    let edit_form = {
        let field = format!("edit-{id}");
        let (name_id, role_id) = (format!("{field}-name"), format!("{field}-role"));
        let (name_for, role_for) = (name_id.clone(), role_id.clone());
        let summary_label = format!("Change name or role of {name}");
        let save_label = format!("Save changes to {name}");
        let (current_name, role) = (a.name.clone(), a.role);
        let fields = hidden(true);
        view! {
            <details>
                <summary class="op-link cursor-pointer" aria-label=summary_label>"Change name or role"</summary>
                <ActionForm action=edit attr:class="mt-2 space-y-2">
                    {fields}
                    <label class="block font-bold" for=name_for>"Name"</label>
                    <input id=name_id name="name" class="op-input" value=current_name />
                    <label class="block font-bold" for=role_for>"Role"</label>
                    <select id=role_id name="role" class="op-input">{role_options(role)}</select>
                    <button type="submit" class="op-button-secondary" aria-label=save_label>"Save changes"</button>
                </ActionForm>
            </details>
        }
    };
    let active_form = {
        let (verb, label) = if a.active {
            ("Deactivate", format!("Deactivate {name}"))
        } else {
            ("Reactivate", format!("Reactivate {name}"))
        };
        let fields = hidden(true);
        view! {
            <ActionForm action=active>
                {fields}
                <input type="hidden" name="active" value=(!a.active).to_string() />
                <button type="submit" class="op-button-secondary" aria-label=label>{verb}</button>
            </ActionForm>
        }
    };
    let access_forms = a.active.then(|| {
        let (reset_label, out_label) = (
            format!("Reset password of {name}"),
            format!("Sign out everywhere: {name}"),
        );
        let (reset_fields, out_fields) = (hidden(true), hidden(false));
        view! {
            <ActionForm action=reset>
                {reset_fields}
                <button type="submit" class="op-button-secondary" aria-label=reset_label>"Reset password"</button>
            </ActionForm>
            <ActionForm action=sign_out>
                {out_fields}
                <button type="submit" class="op-button-secondary" aria-label=out_label>"Sign out everywhere"</button>
            </ActionForm>
        }
    });
    // Not on your own row: you cannot lock yourself out.
    let others = (!is_me).then(|| {
        view! { <div class="flex flex-wrap gap-2">{active_form}{access_forms}</div> }
    });
    view! {
        <tr class="border-b border-nhs-grey-4 align-top">
            <td class="p-2 font-bold">{a.name.clone()}</td>
            <td class="p-2 font-mono">{a.username.clone()}</td>
            <td class="p-2">{a.role.label()}</td>
            <td class="p-2">{teams}</td>
            <td class="p-2">{last}</td>
            <td class="p-2">{state}</td>
            <td class="space-y-2 p-2">{edit_form}{others}</td>
        </tr>
    }
}
