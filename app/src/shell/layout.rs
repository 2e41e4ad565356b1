//! Header (practice, person, role, "Sign out"), role-filtered navigation and
//! the demo-data banner. Never shows patient data.

use super::{hard_navigate, ErrorPage};
use crate::auth::{CurrentUser, SignOut};
use crate::AppError;
use domain::Area;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

/// The signed-in user, loaded once per page load (blocking, so the server
/// renders the shell with it).
#[derive(Clone, Copy)]
pub struct UserResource(pub Resource<Result<Option<CurrentUser>, AppError>>);

#[component]
pub fn DemoBanner() -> impl IntoView {
    view! {
        <div role="note" class="bg-nhs-warm-yellow px-4 py-2 text-center font-bold text-nhs-text">
            "Demo practice: every patient and staff member here is synthetic test data, not a real person."
        </div>
    }
}

/// The shell around every signed-in page, with the page in its outlet.
#[component]
pub fn ShellRoute() -> impl IntoView {
    let UserResource(user) = expect_context::<UserResource>();
    view! {
        <Suspense fallback=|| view! { <p class="p-4">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(u)) => view! { <SignedIn user=u /> }.into_any(),
                    Ok(None) => view! { <SignedOut /> }.into_any(),
                    Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignedOut() -> impl IntoView {
    view! {
        <main id="main" class="mx-auto max-w-xl px-4 py-8">
            <h1 class="mb-4 text-3xl font-bold">"You are signed out"</h1>
            <a class="op-link" href="/login">"Sign in"</a>
        </main>
    }
}

#[component]
fn SignedIn(user: CurrentUser) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            hard_navigate("/login");
        }
    });
    let areas = Area::for_role(user.role);
    let staff_id = user.staff_id.clone();
    let clinician = user.role.is_clinician();
    let demo = user.practice_is_demo;
    provide_context(user.clone());

    view! {
        {demo.then(|| view! { <DemoBanner /> })}
        <header class="bg-nhs-blue text-white">
            <div class="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-x-6 gap-y-2 px-4 py-3">
                <div class="flex flex-wrap items-baseline gap-x-4">
                    <a href="/" class="op-header-link text-2xl font-bold">"OpenPractice"</a>
                    <span class="text-lg">{user.practice_name.clone()}</span>
                </div>
                <div class="flex flex-wrap items-center gap-4">
                    <p>
                        <span class="font-bold">{user.display_name.clone()}</span>
                        " · "
                        <span>{user.role.label()}</span>
                    </p>
                    <a href="/account/sessions" class="op-header-link">"Your sessions"</a>
                    <a href="/account/password" class="op-header-link">"Change password"</a>
                    <ActionForm action=sign_out>
                        <button type="submit" class="op-button-reverse">"Sign out"</button>
                    </ActionForm>
                </div>
            </div>
            <nav aria-label="Main" class="border-t border-white/30 bg-nhs-dark-blue">
                <ul class="mx-auto flex max-w-6xl flex-wrap px-2">
                    {areas
                        .into_iter()
                        .map(|area| {
                            let counts = match area {
                                Area::Tasks => Some(view! { <TaskCounts staff=staff_id.to_string() /> }.into_any()),
                                Area::Results if clinician => Some(view! { <ResultCounts staff=staff_id.to_string() /> }.into_any()),
                                _ => None,
                            };
                            view! {
                                <li class="flex items-center">
                                    <A href=area.path() attr:class="op-nav-link">
                                        {area.label()}
                                    </A>
                                    {counts}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
        </header>
        <main id="main" class="mx-auto max-w-6xl px-4 py-6">
            {move || {
                sign_out
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| view! { <p role="alert" class="mb-4 font-bold text-nhs-red">{e.to_string()}</p> })
            }}
            <Outlet />
        </main>
    }
}

/// Beside "Results": the clinician's unfiled reports and how many are
/// abnormal, live; shown only while the connection is live.
#[component]
fn ResultCounts(staff: String) -> impl IntoView {
    use crate::live::{use_live, Connection};
    use domain::live::Topic;
    let list = use_live(Topic::Inbox { staff }, None);
    move || {
        if !list.loaded.get() || list.connection.get() != Connection::Live {
            return None;
        }
        let domain::results::InboxCounts { unfiled, abnormal } = list
            .rows
            .with(|r| r.result_rows().map(|w| w.counts()).unwrap_or_default());
        let (text, class) = if abnormal > 0 {
            (
                format!("{unfiled} to file, {abnormal} abnormal"),
                "mr-2 rounded bg-nhs-warm-yellow px-2 text-sm font-bold text-nhs-text",
            )
        } else {
            (
                format!("{unfiled} to file"),
                "mr-2 rounded bg-white px-2 text-sm font-bold text-nhs-dark-blue",
            )
        };
        Some(view! { <span class=class title="My results">{text}</span> })
    }
}

/// Beside "Tasks": my open tasks and how many are overdue, live. Shown only
/// while the connection is live, so a stale count is never on screen.
#[component]
fn TaskCounts(staff: String) -> impl IntoView {
    use crate::live::{use_live, use_now, Connection};
    use domain::live::Topic;
    use domain::task::Due;
    let list = use_live(Topic::MyTasks { staff }, None);
    let now = use_now(30_000);
    move || {
        if !list.loaded.get() || list.connection.get() != Connection::Live {
            return None;
        }
        let (open, overdue) = list.tasks.with(|tasks| {
            let open = tasks.iter().filter(|t| t.status.is_open()).count();
            let overdue = tasks
                .iter()
                .filter(|t| t.due(now.get()) == Due::Overdue)
                .count();
            (open, overdue)
        });
        let text = if overdue > 0 {
            format!("{open} open, {overdue} overdue")
        } else {
            format!("{open} open")
        };
        let class = if overdue > 0 {
            "mr-2 rounded bg-nhs-warm-yellow px-2 text-sm font-bold text-nhs-text"
        } else {
            "mr-2 rounded bg-white px-2 text-sm font-bold text-nhs-dark-blue"
        };
        Some(view! {
            <span class=class
                title="My tasks">
                {text}
            </span>
        })
    }
}
