//! Top-level pages: the home page (the areas a role uses) and the admin
//! team's index.

mod api_clients;
mod practices;
mod rooms;
mod rotas;
mod settings;
mod staff;

pub use api_clients::*;
pub use practices::*;
pub use rooms::*;
pub use rotas::*;
pub use settings::*;
pub use staff::*;

use crate::auth::CurrentUser;
use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let areas = Area::for_role(user.role);
    view! {
        <Title text="Home" />
        <h1 class="mb-2 text-3xl font-bold">{format!("Welcome, {}", user.display_name)}</h1>
        <p class="mb-6 text-nhs-grey-1">{format!("Signed in to {} as {}.", user.practice_name, user.role.label())}</p>
        <ul class="grid gap-4 sm:grid-cols-2">
            {areas
                .into_iter()
                .map(|a| {
                    view! {
                        <li class="border-b-4 border-nhs-grey-4 bg-white p-4">
                            <a class="op-link text-xl font-bold" href=a.path()>{a.label()}</a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// The admin team's index (`/admin`): the practice's set-up pages.
#[component]
pub fn AdminPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Admin, &user) {
        return refusal;
    }
    view! {
        <Title text=Area::Admin.label() />
        <h1 class="mb-4 text-3xl font-bold">{Area::Admin.label()}</h1>
        <ul class="mb-4 grid gap-2">
            <li><a class="op-link text-xl font-bold" href="/admin/staff">"Staff"</a></li>
            <li><a class="op-link text-xl font-bold" href="/admin/settings">"Practice settings"</a></li>
            <li><a class="op-link text-xl font-bold" href="/admin/rotas">"Rotas and absences"</a></li>
            <li><a class="op-link text-xl font-bold" href="/admin/sessions">"Clinic sessions"</a></li>
            <li><a class="op-link text-xl font-bold" href="/admin/rooms">"Rooms"</a></li>
            <li><a class="op-link text-xl font-bold" href="/call-screen-links">"Call screen links"</a></li>
            <li><a class="op-link text-xl font-bold" href="/admin/teams">"Teams"</a></li>
            <li><a class="op-link text-xl font-bold" href="/admin/audit">"Audit trail"</a></li>
            <li><a class="op-link text-xl font-bold" href="/admin/api-clients">"API clients"</a></li>
        </ul>
    }
    .into_any()
}
