//! Display links for the waiting-room call screen: reception or the admin
//! team create one for a TV, and revoke it when a screen is lost or moved.
//! The secret is shown once, when created; only its hash is stored.

use crate::auth::CurrentUser;
use crate::shell::set_status;
use crate::AppError;
use domain::DisplayLinkId;
use leptos::prelude::*;
use leptos_meta::Title;

pub use domain::live::DisplayLinkInfo;

/// Creates a link; returns its address (path and query), shown once.
#[server(prefix = "/api", endpoint = "create_display_link")]
pub async fn create_display_link() -> Result<String, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::display::create(&store, &actor).await?)
}

#[server(prefix = "/api", endpoint = "list_display_links")]
pub async fn list_display_links() -> Result<Vec<DisplayLinkInfo>, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::display::list(&store, &actor).await?)
}

#[server(prefix = "/api", endpoint = "revoke_display_link")]
pub async fn revoke_display_link(id: DisplayLinkId) -> Result<(), AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::display::revoke(&store, &actor, &id).await?)
}

fn when(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            let t = t.with_timezone(&chrono::Utc);
            format!(
                "{} at {}",
                domain::time::london_today(t).format("%-d %b %Y"),
                domain::time::london_hhmm(t)
            )
        })
        .unwrap_or_default()
}

#[component]
pub fn DisplayLinksPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if !domain::policy::manages_display_links(user.role) {
        set_status(403);
        return view! {
            <Title text="Call screen links" />
            <h1 class="mb-4 text-3xl font-bold">"You do not have access to this page"</h1>
        }
        .into_any();
    }
    let create = ServerAction::<CreateDisplayLink>::new();
    let revoke = ServerAction::<RevokeDisplayLink>::new();
    let links = LocalResource::new(move || {
        create.version().track();
        revoke.version().track();
        list_display_links()
    });
    view! {
        <Title text="Call screen links" />
        <h1 class="mb-2 text-3xl font-bold">"Call screen links"</h1>
        <p class="mb-4 max-w-2xl">
            "A display link opens the waiting-room call screen on a TV without anyone signed in. It shows only a short name and a room. Revoke a link if a screen is lost or replaced: it stops at once."
        </p>
        <ActionForm action=create>
            <button type="submit" class="op-button">"Create a display link"</button>
        </ActionForm>
        {move || create.value().get().map(|r| match r {
            Ok(path) => view! {
                <div role="status" class="mt-4 border-l-8 border-nhs-green bg-white p-4">
                    <p class="font-bold">"New display link (shown once: open it on the screen now, or copy it):"</p>
                    <p class="break-all font-mono">{path.clone()}</p>
                    <a class="op-link" href=path target="_blank">"Open the call screen"</a>
                </div>
            }.into_any(),
            Err(e) => view! { <p role="alert" class="mt-4 font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
        })}
        {move || revoke.value().get().and_then(Result::err).map(|e| view! { <p role="alert" class="mt-4 font-bold text-nhs-red">{e.to_string()}</p> })}
        <h2 class="mb-2 mt-8 text-2xl font-bold">"Links"</h2>
        {crate::loading::when_loaded(links, move |loaded| {
                match loaded {
                    Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p>"No display links yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="w-full max-w-3xl bg-white text-left">
                            <thead>
                                <tr class="border-b-2 border-nhs-text">
                                    <th scope="col" class="p-2">"Created"</th>
                                    <th scope="col" class="p-2">"By"</th>
                                    <th scope="col" class="p-2">"State"</th>
                                    <th scope="col" class="p-2"><span class="sr-only">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|l| {
                                    let created = when(&l.created_at);
                                    view! {
                                        <tr class="border-b border-nhs-grey-4">
                                            <td class="p-2">{created.clone()}</td>
                                            <td class="p-2">{l.created_by.clone()}</td>
                                            <td class="p-2">{if l.revoked { "Revoked" } else { "Active" }}</td>
                                            <td class="p-2">
                                                {(!l.revoked).then(|| view! {
                                                    <ActionForm action=revoke>
                                                        <input type="hidden" name="id" value=l.id.clone() />
                                                        <button type="submit" class="op-button-secondary" aria-label=format!("Revoke the link created {created}")>"Revoke"</button>
                                                    </ActionForm>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
    }
    .into_any()
}
