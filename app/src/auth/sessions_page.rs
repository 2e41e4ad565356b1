//! `/account/sessions`, "Where you are signed in": the person's sessions
//! (device, address, when signed in, last used), each of which they can
//! end, or every one but this. The rules are the auth service's.

use crate::AppError;
use domain::SessionView;
use leptos::prelude::*;
use leptos_meta::Title;

#[server(prefix = "/api", endpoint = "my_sessions")]
pub async fn my_sessions() -> Result<Vec<SessionView>, AppError> {
    let state = crate::door::state()?;
    let signed_in = crate::door::signed_in().ok_or(AppError::Unauthenticated)?;
    Ok(services::auth::sessions::mine(&state.store, &signed_in).await?)
}

/// Ends one of the person's other sessions.
#[server(prefix = "/api", endpoint = "end_my_session")]
pub async fn end_my_session(id: String) -> Result<(), AppError> {
    let state = crate::door::state()?;
    let mut signed_in = crate::door::signed_in().ok_or(AppError::Unauthenticated)?;
    signed_in.actor.address = Some(crate::door::client_address());
    Ok(services::auth::sessions::end_mine(&state.store, &signed_in, Some(&id)).await?)
}

/// Ends every session of the person's but this one.
#[server(prefix = "/api", endpoint = "end_my_other_sessions")]
pub async fn end_my_other_sessions() -> Result<(), AppError> {
    let state = crate::door::state()?;
    let mut signed_in = crate::door::signed_in().ok_or(AppError::Unauthenticated)?;
    signed_in.actor.address = Some(crate::door::client_address());
    Ok(services::auth::sessions::end_mine(&state.store, &signed_in, None).await?)
}

#[component]
pub fn MySessionsPage() -> impl IntoView {
    let end_one = ServerAction::<EndMySession>::new();
    let end_others = ServerAction::<EndMyOtherSessions>::new();
    let sessions = LocalResource::new(move || {
        end_one.version().track();
        end_others.version().track();
        my_sessions()
    });
    let failed = move || {
        end_one
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| end_others.value().get().and_then(Result::err))
    };
    view! {
        <Title text="Where you are signed in" />
        <h1 class="mb-2 text-3xl font-bold">"Where you are signed in"</h1>
        <p class="mb-4 max-w-2xl">
            "Every browser signed in as you. If you do not recognise one, sign it out and change your password."
        </p>
        {move || failed().map(|e| view! { <p role="alert" class="mb-4 font-bold text-nhs-red">{e.to_string()}</p> })}
        {crate::loading::when_loaded(sessions, move |loaded| match loaded {
            Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
            Ok(list) => {
                let others = list.iter().filter(|s| !s.current).count();
                view! {
                    <table class="w-full max-w-4xl bg-white text-left">
                        <thead>
                            <tr class="border-b-2 border-nhs-text">
                                <th scope="col" class="p-2">"Device"</th>
                                <th scope="col" class="p-2">"Address"</th>
                                <th scope="col" class="p-2">"Signed in"</th>
                                <th scope="col" class="p-2">"Last used"</th>
                                <th scope="col" class="p-2"><span class="sr-only">"Actions"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|s| {
                                let label = format!("Sign out {} at {}", s.device, s.address);
                                view! {
                                    <tr class="border-b border-nhs-grey-4">
                                        <td class="p-2 font-bold">{s.device.clone()}</td>
                                        <td class="p-2">{s.address.clone()}</td>
                                        <td class="p-2">{crate::live::london_text(&s.signed_in_at)}</td>
                                        <td class="p-2">{crate::live::london_text(&s.last_used)}</td>
                                        <td class="p-2">
                                            {if s.current {
                                                view! { <span class="font-bold">"This browser"</span> }.into_any()
                                            } else {
                                                view! {
                                                    <ActionForm action=end_one>
                                                        <input type="hidden" name="id" value=s.id.clone() />
                                                        <button type="submit" class="op-button-secondary" aria-label=label>"Sign out"</button>
                                                    </ActionForm>
                                                }.into_any()
                                            }}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    {(others > 0).then(|| view! {
                        <ActionForm action=end_others attr:class="mt-4">
                            <button type="submit" class="op-button">"Sign out everywhere else"</button>
                        </ActionForm>
                    })}
                }.into_any()
            }
        })}
    }
}
