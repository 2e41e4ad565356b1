//! `/operator/practices`: the deployment's operator (`service_admin`)
//! lists the practices and creates one with its first admin, whose
//! one-time password is shown once. No patient data is shown here or
//! reachable from here; the rules are the practices service's.

use crate::auth::sign_in_page::FormField;
use crate::auth::CurrentUser;
use crate::AppError;
use domain::practice::{CreatedPractice, NewPracticeForm, PracticeSummary};
use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;

#[server(prefix = "/api", endpoint = "list_practices")]
pub async fn list_practices() -> Result<Vec<PracticeSummary>, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::practices::list(&store, &actor).await?)
}

#[server(prefix = "/api", endpoint = "create_practice")]
pub async fn create_practice(form: NewPracticeForm) -> Result<CreatedPractice, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::practices::create(&store, &actor, &form).await?)
}

#[component]
pub fn PracticesPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Practices, &user) {
        return refusal;
    }
    let create = ServerAction::<CreatePractice>::new();
    let practices = LocalResource::new(move || {
        create.version().track();
        list_practices()
    });
    let error = move || create.value().get().and_then(Result::err);
    let field =
        move |f: &'static str| Signal::derive(move || error().and_then(|e| e.field_message(f)));
    let outcome = move || {
        match create.value().get() {
        Some(Ok(made)) => Some(view! {
            <div role="status" class="mb-4 max-w-3xl border-l-8 border-nhs-green bg-white p-4">
                <p class="font-bold">{format!("Created {}. Give {} this one-time password in person: it is shown only this once. They choose their own when they first sign in.", made.practice.name, made.admin.name)}</p>
                <dl class="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
                    <dt class="font-bold">"Username"</dt><dd class="font-mono">{made.admin.username.clone()}</dd>
                    <dt class="font-bold">"One-time password"</dt><dd class="font-mono">{made.admin.password.clone()}</dd>
                </dl>
            </div>
        }.into_any()),
        Some(Err(AppError::Validation(_))) | None => None,
        Some(Err(e)) => Some(view! { <p role="alert" class="mb-4 font-bold text-nhs-red">{e.to_string()}</p> }.into_any()),
    }
    };
    let text = move |id: &'static str, label: &'static str| {
        view! {
            <FormField id=id label=label error=field(id)>
                <input id=id name=format!("form[{id}]") class="op-input" autocomplete="off" aria-describedby=format!("{id}-error") />
            </FormField>
        }
    };
    view! {
        <Title text="Practices" />
        <h1 class="mb-2 text-3xl font-bold">"Practices"</h1>
        <p class="mb-4 max-w-2xl">"The practices on this deployment. Each is kept apart: its staff see only its own patients, appointments, tasks and staff."</p>
        {outcome}
        {crate::loading::when_loaded(practices, move |loaded| match loaded {
            Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
            Ok(list) => view! {
                <table class="mb-6 w-full max-w-3xl bg-white text-left">
                    <caption class="sr-only">"Practices"</caption>
                    <thead><tr class="border-b-2 border-nhs-text">
                        <th scope="col" class="p-2">"Name"</th><th scope="col" class="p-2">"ODS code"</th>
                        <th scope="col" class="p-2">"Phone"</th><th scope="col" class="p-2">"Staff"</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|p| view! {
                            <tr class="border-b border-nhs-grey-4">
                                <td class="p-2">{p.name}</td><td class="p-2">{p.ods_code.unwrap_or_default()}</td>
                                <td class="p-2">{p.phone.unwrap_or_default()}</td><td class="p-2">{p.staff}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        })}
        <h2 class="mb-2 text-2xl font-bold">"Create a practice"</h2>
        <ActionForm action=create attr:class="max-w-2xl space-y-4 bg-white p-4">
            {text("name", "Practice name")}
            {text("ods_code", "ODS code (optional)")}
            {text("address", "Address (optional)")}
            {text("phone", "Phone number (optional)")}
            <fieldset class="space-y-4">
                <legend class="mb-2 text-xl font-bold">"Its first admin"</legend>
                {text("admin_name", "Name (as colleagues see it)")}
                {text("admin_username", "Username")}
            </fieldset>
            <button type="submit" class="op-button" disabled=move || create.pending().get()>"Create practice"</button>
        </ActionForm>
    }
    .into_any()
}
