//! `/results`: a clinician's inbox (abnormal first, then oldest first),
//! the practice's pool, and covering a colleague's inbox (`?for=ID`). For
//! reception and admin, the way to the Unmatched list (and for admin the
//! overdue view).

use super::{day_of, flags, get_overdue_results, get_results_inbox};
use crate::appointments::LiveStatus;
use crate::auth::CurrentUser;
use crate::live::{use_live, Connection};
use domain::live::{Topic, RESULTS_SHOWN};
use domain::results::InboxRow;
use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// A live list of unfiled reports (an inbox or the pool) as a table,
/// with the page's filters applied.
#[component]
fn LiveResults(
    topic: Topic,
    caption: &'static str,
    empty: &'static str,
    abnormal_only: RwSignal<bool>,
    overdue_only: RwSignal<bool>,
    kind: RwSignal<String>,
) -> impl IntoView {
    let list = use_live(topic, None);
    let counts = move || {
        list.rows
            .with(|r| r.result_rows().map(|w| w.counts()).unwrap_or_default())
    };
    let more = move || {
        list.rows
            .with(|r| r.result_rows().is_some_and(|w| w.more()))
    };
    let shown = move || -> Vec<InboxRow> {
        list.rows.with(|r| {
            r.results()
                .iter()
                .filter(|r| !abnormal_only.get() || r.abnormal)
                .filter(|r| !overdue_only.get() || r.overdue)
                .filter(|r| kind.with(|k| k.is_empty() || k == r.kind.as_str()))
                .cloned()
                .collect()
        })
    };
    view! {
        <h2 class="mb-2 mt-6 text-2xl font-bold">
            {move || if list.loaded.get() { format!("{caption} ({})", counts().unfiled) } else { caption.to_string() }}
        </h2>
        <LiveStatus connection=list.connection />
        {move || more().then(|| {
            let held = list.rows.with(|r| r.len());
            let next = (counts().unfiled as usize).saturating_sub(held).clamp(1, RESULTS_SHOWN);
            view! {
                <div class="mb-2 flex flex-wrap items-center gap-4 border-l-8 border-nhs-blue bg-white p-3">
                    <p role="status">
                        {format!(
                            "Showing the first {held} of {} (abnormal first, then oldest first); the filters apply to these.",
                            counts().unfiled,
                        )}
                    </p>
                    <button
                        type="button"
                        class="op-button-secondary"
                        disabled=move || list.asked.with(Option::is_some) || list.connection.get() != Connection::Live
                        on:click=move |_| list.show_more()
                    >
                        {move || if list.asked.with(Option::is_some) {
                            "Loading more…".to_string()
                        } else {
                            format!("Show the next {next}")
                        }}
                    </button>
                </div>
            }
        })}
        {move || list.refused.get().map(|m| view! { <p role="alert" class="font-bold text-nhs-red">{m}</p> })}
        {move || {
            let rows = shown();
            if !list.loaded.get() {
                return view! { <p>"Loading…"</p> }.into_any();
            }
            if rows.is_empty() && !more() {
                return view! { <p class="bg-white p-4">{empty}</p> }.into_any();
            }
            view! {
                <table class="w-full bg-white" aria-label=caption>
                    <thead>
                        <tr class="text-left">
                            <th scope="col" class="p-2">"Test or letter"</th>
                            <th scope="col" class="p-2">"From"</th>
                            <th scope="col" class="p-2">"Issued"</th>
                            <th scope="col" class="p-2">"Received"</th>
                            <th scope="col" class="p-2">"Flags"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|r| {
                                let href = format!("/results/{}", r.id);
                                let who = r.patient_name.clone().unwrap_or_default();
                                view! {
                                    <tr class="border-t border-nhs-grey-4">
                                        <td class="p-2"><a class="op-link font-bold" href=href>{format!("{} – {who}", r.title)}</a></td>
                                        <td class="p-2">{r.laboratory.clone()}</td>
                                        <td class="p-2">{day_of(&r.issued)}</td>
                                        <td class="p-2">{day_of(&r.received_at)}</td>
                                        <td class="p-2">{flags(&r)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        }}
    }
}

#[component]
pub fn ResultsPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Results, &user) {
        return refusal;
    }
    if !user.role.is_clinician() {
        return view! { <MatchersResults admin=user.role == domain::Role::Admin /> }.into_any();
    }
    let query = use_query_map();
    let whose = move || query.with(|q| q.get("for")).filter(|w| !w.is_empty());
    let inbox = LocalResource::new(move || {
        let w = whose();
        async move { get_results_inbox(w, None).await }
    });
    let abnormal_only = RwSignal::new(false);
    let overdue_only = RwSignal::new(false);
    let kind = RwSignal::new(String::new());
    let me = user.staff_id.to_string();
    view! {
        <Title text="Results" />
        {crate::loading::when_loaded(inbox, move |loaded| match loaded {
            Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
            Ok(inbox) => {
                let heading = if inbox.covering {
                    format!("{}'s results inbox", inbox.owner.1)
                } else {
                    "Your results inbox".to_string()
                };
                let covering = inbox.covering.then(|| view! {
                    <p role="status" class="mb-4 border-l-8 border-nhs-warm-yellow bg-white p-3 font-bold">
                        {format!("You are covering {}'s inbox: what you file is recorded as filed by you.", inbox.owner.1)}
                    </p>
                });
                let colleagues = inbox
                    .clinicians
                    .iter()
                    .filter(|(id, _)| *id != me)
                    .map(|(id, n)| {
                        let selected = *id == inbox.owner.0;
                        view! { <option value=id.clone() selected=selected>{n.clone()}</option> }
                    })
                    .collect_view();
                let owner = inbox.owner.0.clone();
                view! {
                    <h1 class="mb-2 text-3xl font-bold">{heading}</h1>
                    {covering}
                    <div class="mb-4 flex flex-wrap items-end gap-6">
                        <form method="get" action="/results" class="flex flex-wrap items-end gap-2">
                            <div>
                                <label for="cover" class="mb-1 block font-bold">"Cover a colleague's inbox"</label>
                                <select id="cover" name="for" class="op-input">
                                    <option value="">"My own inbox"</option>
                                    {colleagues}
                                </select>
                            </div>
                            <button type="submit" class="op-button-secondary">"Open inbox"</button>
                        </form>
                        <fieldset class="flex flex-wrap gap-4">
                            <legend class="mb-1 font-bold">"Show"</legend>
                            <label class="flex items-center gap-2">
                                <input type="checkbox" class="h-5 w-5" on:change=move |ev| abnormal_only.set(event_target_checked(&ev)) />
                                "Abnormal only"
                            </label>
                            <label class="flex items-center gap-2">
                                <input type="checkbox" class="h-5 w-5" on:change=move |ev| overdue_only.set(event_target_checked(&ev)) />
                                "Overdue only"
                            </label>
                            <label class="flex items-center gap-2">
                                "Kind"
                                <select class="op-input" on:change=move |ev| kind.set(event_target_value(&ev))>
                                    <option value="">"Results and letters"</option>
                                    <option value="report">"Results only"</option>
                                    <option value="letter">"Letters only"</option>
                                </select>
                            </label>
                        </fieldset>
                        <a class="op-link" href="/results/unmatched">"Unmatched reports"</a>
                    </div>
                    <LiveResults topic=Topic::Inbox { staff: owner } caption="Unfiled" empty="Nothing waiting to be filed." abnormal_only overdue_only kind />
                    <LiveResults topic=Topic::ResultsPool caption="Results pool (no clinician)" empty="The pool is empty." abnormal_only overdue_only kind />
                }
                .into_any()
            }
        })}
    }
    .into_any()
}

/// Reception's and admin's results page: the Unmatched list, and for admin
/// the practice's overdue results (who has them, never their values).
#[component]
fn MatchersResults(admin: bool) -> impl IntoView {
    let overdue = LocalResource::new(move || async move {
        if admin {
            get_overdue_results().await.map(Some)
        } else {
            Ok(None)
        }
    });
    view! {
        <Title text="Results" />
        <h1 class="mb-2 text-3xl font-bold">"Results"</h1>
        <p class="mb-4 max-w-2xl">"Result values are for clinicians. Reports no patient was found for wait on the Unmatched list for you to match or reject."</p>
        <p class="mb-4"><a class="op-link text-xl font-bold" href="/results/unmatched">"Unmatched reports"</a></p>
        {crate::loading::when_loaded(overdue, move |loaded| match loaded {
            Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
            Ok(None) => ().into_any(),
            Ok(Some(overdue)) => view! {
                <h2 class="mb-2 mt-6 text-2xl font-bold">{format!("Overdue results ({}{})", overdue.rows.len(), if overdue.more { " or more" } else { "" })}</h2>
                {overdue.more.then(|| view! {
                    <p role="status" class="mb-2 border-l-8 border-nhs-blue bg-white p-3">
                        {format!("Showing the {} oldest overdue results; more are overdue.", overdue.rows.len())}
                    </p>
                })}
                {if overdue.rows.is_empty() {
                    view! { <p class="bg-white p-4">"No result is overdue."</p> }.into_any()
                } else {
                    view! {
                        <table class="w-full bg-white" aria-label="Overdue results">
                            <thead><tr class="text-left">
                                <th scope="col" class="p-2">"Test"</th>
                                <th scope="col" class="p-2">"Patient"</th>
                                <th scope="col" class="p-2">"With"</th>
                                <th scope="col" class="p-2">"Received"</th>
                            </tr></thead>
                            <tbody>
                                {overdue.rows.into_iter().map(|r| view! {
                                    <tr class="border-t border-nhs-grey-4">
                                        <td class="p-2">{r.title.clone()}</td>
                                        <td class="p-2">{r.patient_name.clone().unwrap_or_default()}</td>
                                        <td class="p-2">{r.assigned_name.clone().unwrap_or_else(|| "The pool".into())}</td>
                                        <td class="p-2">{day_of(&r.received_at)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            }.into_any(),
        })}
    }
}
