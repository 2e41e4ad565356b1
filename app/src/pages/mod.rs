//! Top-level pages. Areas whose features are not built yet say so plainly
//! rather than showing an empty or fake screen.

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

fn coming_in(area: Area) -> &'static str {
    match area {
        Area::MyDay => "Your day list arrives with the appointments and waiting-room work.",
        Area::WaitingRoom => {
            "The live waiting room arrives with the appointments and waiting-room work."
        }
        Area::Appointments => {
            "The appointment book arrives with the appointments and waiting-room work."
        }
        Area::Patients => "Patient search and records arrive with the patient record work.",
        Area::Tasks => "Team task lists arrive with the tasks work.",
        Area::Admin => "Staff, team, room and audit management arrive with later work.",
    }
}

/// An area's page: refuses roles that may not use it, otherwise says
/// plainly that the feature is not built yet.
#[component]
pub fn AreaPage(area: Area) -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(area, &user) {
        return refusal;
    }
    view! {
        <Title text=area.label() />
        <h1 class="mb-4 text-3xl font-bold">{area.label()}</h1>
        {(area == Area::Admin).then(|| view! {
            <ul class="mb-4 grid gap-2">
                <li><a class="op-link text-xl font-bold" href="/admin/sessions">"Clinic sessions and rooms"</a></li>
                <li><a class="op-link text-xl font-bold" href="/call-screen-links">"Call screen links"</a></li>
                <li><a class="op-link text-xl font-bold" href="/admin/teams">"Teams"</a></li>
                <li><a class="op-link text-xl font-bold" href="/admin/audit">"Audit trail"</a></li>
            </ul>
        })}
        <div class="border-l-8 border-nhs-blue bg-white p-4">
            <p class="font-bold">"Not built yet."</p>
            <p>{coming_in(area)}</p>
        </div>
    }
    .into_any()
}
