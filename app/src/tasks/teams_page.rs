//! `/admin/teams`: the practice's teams and who is in each (admin only).

use super::{change_team_member, get_team_admin, CreateTeam};
use crate::auth::CurrentUser;
use crate::AppError;
use domain::{Area, Role};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TeamsPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Admin, &user) {
        return refusal;
    }
    let refresh = RwSignal::new(0u32);
    let data = LocalResource::new(move || {
        refresh.track();
        get_team_admin()
    });
    let create = ServerAction::<CreateTeam>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = create.value().get() {
            refresh.update(|n| *n += 1);
        }
    });
    let error = RwSignal::new(None::<String>);
    let change = move |team: String, staff: String, add: bool| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match change_team_member(team.into(), staff.into(), add).await {
                Ok(()) => refresh.update(|n| *n += 1),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <Title text="Teams" />
        <h1 class="mb-4 text-3xl font-bold">"Teams"</h1>
        {move || error.get().map(|e| view! { <p role="alert" class="mb-2 font-bold text-nhs-red">{e}</p> })}
        {crate::loading::when_loaded(data, move |loaded| {
                let (teams, staff) = match loaded {
                    Ok(d) => d,
                    Err(AppError::Forbidden) => return view! { <p role="alert">"Only admin can manage teams."</p> }.into_any(),
                    Err(e) => return view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
                };
                teams.into_iter().map(|team| {
                    let candidates: Vec<_> = staff.iter().filter(|p| !team.members.iter().any(|m| m.id == p.id)).cloned().collect();
                    let pick = RwSignal::new(String::new());
                    let add_id = team.id.clone();
                    let select_id = format!("add-{}", team.id);
                    view! {
                        <section class="mb-6 bg-white p-4" aria-label=team.name.clone()>
                            <h2 class="mb-2 text-2xl font-bold">{team.name.clone()}</h2>
                            <ul aria-label=format!("{} members", team.name) class="mb-3 grid gap-1">
                                {team.members.iter().map(|m| {
                                    let (tid, sid) = (team.id.clone(), m.id.clone());
                                    let role = m.role.parse::<Role>().map(|r| r.label()).unwrap_or_default();
                                    view! {
                                        <li class="flex items-center gap-3">
                                            <span>{format!("{} ({role})", m.name)}</span>
                                            <button type="button" class="op-button-secondary" aria-label=format!("Remove {} from {}", m.name, team.name)
                                                on:click=move |_| change(tid.clone(), sid.clone(), false)>"Remove"</button>
                                        </li>
                                    }
                                }).collect_view()}
                                {team.members.is_empty().then(|| view! { <li>"No members yet."</li> })}
                            </ul>
                            <form class="flex flex-wrap items-end gap-2" on:submit=move |ev| {
                                ev.prevent_default();
                                let who = pick.get_untracked();
                                if who.is_empty() {
                                    error.set(Some("Choose someone to add.".into()));
                                } else {
                                    change(add_id.clone(), who, true);
                                }
                            }>
                                <div>
                                    <label for=select_id.clone() class="mb-1 block font-bold">{format!("Add to {}", team.name)}</label>
                                    <select id=select_id class="op-input" on:change=move |ev| pick.set(event_target_value(&ev))>
                                        <option value="">"Choose a person"</option>
                                        {candidates.into_iter().map(|p| view! { <option value=p.id.clone()>{p.name.clone()}</option> }).collect_view()}
                                    </select>
                                </div>
                                <button type="submit" class="op-button-secondary">"Add"</button>
                            </form>
                        </section>
                    }
                }).collect_view().into_any()
            })}
        <h2 class="mb-2 text-2xl font-bold">"New team"</h2>
        {move || create.value().get().and_then(Result::err).map(|e| view! { <p role="alert" class="mb-2 font-bold text-nhs-red">{e.to_string()}</p> })}
        <ActionForm action=create attr:class="flex max-w-xl flex-wrap items-end gap-2 bg-white p-4">
            <div>
                <label for="team-name" class="mb-1 block font-bold">"Team name"</label>
                <input id="team-name" name="name" class="op-input" maxlength="60" />
            </div>
            <button type="submit" class="op-button">"Create team"</button>
        </ActionForm>
    }
    .into_any()
}
