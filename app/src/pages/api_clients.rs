//! `/admin/api-clients`: the systems allowed to call the practice's FHIR
//! API. Admin registers one with a name and SMART scopes and is shown its
//! secret once; a new secret or a revocation takes effect at once. The
//! rules are the API clients service's.

use crate::auth::sign_in_page::FormField;
use crate::auth::CurrentUser;
use crate::AppError;
use domain::scopes::{ApiClientInfo, ApiCredentials};
use domain::{ApiClientId, Area};
use leptos::prelude::*;
use leptos_meta::Title;

#[server(prefix = "/api", endpoint = "list_api_clients")]
pub async fn list_api_clients() -> Result<Vec<ApiClientInfo>, AppError> {
    let (store, actor) = crate::door::staff()?;
    let clients = services::api_clients::list(&store, &actor).await?;
    Ok(clients
        .into_iter()
        .map(|c| ApiClientInfo {
            id: c.id,
            name: c.name,
            scopes: c.scopes,
            active: c.active,
            created_at: c
                .created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })
        .collect())
}

#[server(prefix = "/api", endpoint = "register_api_client")]
pub async fn register_api_client(name: String, scopes: String) -> Result<ApiCredentials, AppError> {
    let (store, actor) = crate::door::staff()?;
    let r = services::api_clients::register(&store, &actor, &name, &scopes).await?;
    Ok(ApiCredentials {
        id: r.id,
        secret: r.secret,
        scopes: r.scopes,
    })
}

#[server(prefix = "/api", endpoint = "revoke_api_client")]
pub async fn revoke_api_client(id: ApiClientId) -> Result<(), AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::api_clients::revoke(&store, &actor, &id).await?)
}

#[server(prefix = "/api", endpoint = "rotate_api_client")]
pub async fn rotate_api_client(id: ApiClientId) -> Result<ApiCredentials, AppError> {
    let (store, actor) = crate::door::staff()?;
    let secret = services::api_clients::rotate(&store, &actor, &id).await?;
    Ok(ApiCredentials {
        id,
        secret,
        scopes: String::new(),
    })
}

/// The credentials, once, with how to use them.
fn shown_once(c: ApiCredentials) -> impl IntoView {
    view! {
        <div role="status" class="mt-4 max-w-3xl border-l-8 border-nhs-green bg-white p-4">
            <p class="font-bold">"Give these to the system's operator now, over a secure channel: the secret is shown only this once."</p>
            <dl class="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
                <dt class="font-bold">"Client id"</dt><dd class="break-all font-mono">{c.id.to_string()}</dd>
                <dt class="font-bold">"Client secret"</dt><dd class="break-all font-mono">{c.secret.clone()}</dd>
            </dl>
        </div>
    }
}

#[component]
pub fn ApiClientsPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Admin, &user) {
        return refusal;
    }
    let register = ServerAction::<RegisterApiClient>::new();
    let revoke = ServerAction::<RevokeApiClient>::new();
    let rotate = ServerAction::<RotateApiClient>::new();
    let clients = LocalResource::new(move || {
        register.version().track();
        revoke.version().track();
        rotate.version().track();
        list_api_clients()
    });
    let error = move || register.value().get().and_then(Result::err);
    let field_error =
        move |field: &'static str| move || error().and_then(|e| e.field_message(field));
    view! {
        <Title text="API clients" />
        <h1 class="mb-2 text-3xl font-bold">"API clients"</h1>
        <p class="mb-4 max-w-2xl">
            "Other systems (a laboratory, a booking service) reach this practice's records through the FHIR API at /fhir/r4, each with its own client id and secret and only what its scopes allow. Every request they make is in the audit trail."
        </p>
        <h2 class="mb-2 text-2xl font-bold">"Register a client"</h2>
        <ActionForm action=register attr:class="max-w-2xl space-y-4">
            <FormField id="name" label="Name of the system" error=Signal::derive(field_error("name"))>
                <input id="name" name="name" class="op-input" aria-describedby="name-error" />
            </FormField>
            <FormField id="scopes" label="Scopes (separated by spaces)" error=Signal::derive(field_error("scopes"))>
                <p id="scopes-hint" class="mb-1 text-nhs-grey-1">"For example system/Patient.rs system/Slot.rs system/Appointment.cruds"</p>
                <input id="scopes" name="scopes" class="op-input" value="system/Patient.rs" aria-describedby="scopes-hint scopes-error" />
            </FormField>
            <button type="submit" class="op-button">"Register the client"</button>
        </ActionForm>
        {move || register.value().get().and_then(Result::ok).map(shown_once)}
        {move || rotate.value().get().map(|r| match r {
            Ok(c) => shown_once(c).into_any(),
            Err(e) => view! { <p role="alert" class="mt-4 font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
        })}
        {move || revoke.value().get().and_then(Result::err).map(|e| view! { <p role="alert" class="mt-4 font-bold text-nhs-red">{e.to_string()}</p> })}
        <h2 class="mb-2 mt-8 text-2xl font-bold">"Clients"</h2>
        {crate::loading::when_loaded(clients, move |loaded| match loaded {
            Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
            Ok(list) if list.is_empty() => view! { <p>"No API clients yet."</p> }.into_any(),
            Ok(list) => view! {
                <table class="w-full max-w-4xl bg-white text-left">
                    <thead>
                        <tr class="border-b-2 border-nhs-text">
                            <th scope="col" class="p-2">"Name"</th>
                            <th scope="col" class="p-2">"Client id"</th>
                            <th scope="col" class="p-2">"Scopes"</th>
                            <th scope="col" class="p-2">"State"</th>
                            <th scope="col" class="p-2"><span class="sr-only">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|c| {
                            let (rotate_id, revoke_id, name) = (c.id.to_string(), c.id.to_string(), c.name.clone());
                            let (rotate_label, revoke_label) = (format!("New secret for {name}"), format!("Revoke {name}"));
                            view! {
                                <tr class="border-b border-nhs-grey-4">
                                    <td class="p-2">{c.name.clone()}</td>
                                    <td class="break-all p-2 font-mono">{c.id.to_string()}</td>
                                    <td class="p-2">{c.scopes.clone()}</td>
                                    <td class="p-2">{if c.active { "Active" } else { "Revoked" }}</td>
                                    <td class="flex gap-2 p-2">
                                        {c.active.then(move || view! {
                                            <ActionForm action=rotate>
                                                <input type="hidden" name="id" value=rotate_id />
                                                <button type="submit" class="op-button-secondary" aria-label=rotate_label>"New secret"</button>
                                            </ActionForm>
                                            <ActionForm action=revoke>
                                                <input type="hidden" name="id" value=revoke_id />
                                                <button type="submit" class="op-button-secondary" aria-label=revoke_label>"Revoke"</button>
                                            </ActionForm>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        })}
    }
    .into_any()
}
