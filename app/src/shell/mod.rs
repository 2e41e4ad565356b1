//! The HTML document, the router and the app shell (header, navigation,
//! demo banner). Pages plug into the shell's outlet.

mod errors;
mod layout;

pub use errors::{ErrorPage, NotFound};
pub use layout::{DemoBanner, ShellRoute, UserResource};

use crate::appointments::{
    AppointmentsPage, CallScreenPage, DisplayLinksPage, MyDayPage, SessionsPage, WaitingRoomPage,
};
use crate::auth::{get_current_user, MySessionsPage, PasswordPage, SignInPage};
use crate::pages::{
    AdminPage, ApiClientsPage, HomePage, PracticesPage, RoomsPage, RotasPage, SettingsPage,
    StaffPage,
};
use crate::patients::{
    AuditPage, ConsultationPage, EditPatientPage, PatientPage, PatientsPage, RegisterPatientPage,
};
use crate::results::{ResultPage, ResultsPage, UnmatchedPage};
use crate::tasks::{NewTaskPage, TaskPageView, TasksPage, TeamsPage};
use domain::Area;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

/// The server-rendered document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <leptos_meta::MetaTags />
            </head>
            <body class="min-h-screen bg-nhs-grey-5 font-sans text-nhs-text">
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let user = Resource::new_blocking(|| (), |_| get_current_user());
    provide_context(UserResource(user));

    view! {
        <Stylesheet id="leptos" href="/pkg/openpractice.css" />
        <Title formatter=|t: String| if t.is_empty() { "OpenPractice".to_string() } else { format!("{t} – OpenPractice") } />
        <a href="#main" class="op-skip-link">"Skip to main content"</a>
        <Router>
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/login") view=SignInPage />
                <Route path=path!("/display/:practice") view=CallScreenPage />
                <ParentRoute path=path!("") view=ShellRoute>
                    <Route path=path!("") view=HomePage />
                    <Route path=path!("my-day") view=MyDayPage />
                    <Route path=path!("waiting-room") view=WaitingRoomPage />
                    <Route path=path!("call-screen-links") view=DisplayLinksPage />
                    <Route path=path!("admin/sessions") view=SessionsPage />
                    <Route path=path!("appointments") view=AppointmentsPage />
                    <Route path=path!("patients") view=PatientsPage />
                    <Route path=path!("patients/new") view=RegisterPatientPage />
                    <Route path=path!("patients/:id") view=PatientPage />
                    <Route path=path!("patients/:id/consultation") view=ConsultationPage />
                    <Route path=path!("patients/:id/edit") view=EditPatientPage />
                    <Route path=path!("tasks") view=TasksPage />
                    <Route path=path!("tasks/new") view=NewTaskPage />
                    <Route path=path!("tasks/:id") view=TaskPageView />
                    <Route path=path!("results") view=ResultsPage />
                    <Route path=path!("results/unmatched") view=UnmatchedPage />
                    <Route path=path!("results/:id") view=ResultPage />
                    <Route path=path!("admin/teams") view=TeamsPage />
                    <Route path=path!("admin/audit") view=AuditPage />
                    <Route path=path!("admin/api-clients") view=ApiClientsPage />
                    <Route path=path!("admin/staff") view=StaffPage />
                    <Route path=path!("admin/settings") view=SettingsPage />
                    <Route path=path!("admin/rotas") view=RotasPage />
                    <Route path=path!("admin/rooms") view=RoomsPage />
                    <Route path=path!("operator/practices") view=PracticesPage />
                    <Route path=path!("admin") view=AdminPage />
                    <Route path=path!("account/password") view=PasswordPage />
                    <Route path=path!("account/sessions") view=MySessionsPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// A full page load: used after sign-in and sign-out so every piece of
/// per-user state is rebuilt from the server, never carried over.
pub fn hard_navigate(path: &str) {
    let _ = window().location().set_href(path);
}

/// Sets the HTTP status of the server-rendered response (no-op in the browser).
pub fn set_status(_code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(options), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(_code),
    ) {
        options.set_status(status);
    }
}

/// The refusal page for a role that may not use `area` (with a 403), or
/// `None` when it may.
pub fn forbidden(area: Area, user: &crate::auth::CurrentUser) -> Option<AnyView> {
    if area.allows(user.role) {
        return None;
    }
    set_status(403);
    Some(
        leptos::view! {
            <leptos_meta::Title text=area.label() />
            <h1 class="mb-4 text-3xl font-bold">"You do not have access to this page"</h1>
            <p>{format!("{} is not available to the {} role.", area.label(), user.role.label())}</p>
        }
        .into_any(),
    )
}
