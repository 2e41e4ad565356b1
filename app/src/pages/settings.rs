//! `/admin/settings`: the practice's settings. Who the practice is (name,
//! ODS code, address, phone) and how its screens behave (wait thresholds,
//! when an unfiled result is overdue, whether the call screen chimes). Saved from
//! the version shown; the rules are the settings service's.

use crate::auth::sign_in_page::FormField;
use crate::auth::CurrentUser;
use crate::AppError;
use domain::settings::{PracticeSettings, SettingsForm};
use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;

#[server(prefix = "/api", endpoint = "practice_settings")]
pub async fn get_practice_settings() -> Result<PracticeSettings, AppError> {
    let (store, actor) = crate::door::staff()?;
    let default = crate::door::state()?.waiting;
    Ok(services::settings::get(&store, &actor, default).await?)
}

#[server(prefix = "/api", endpoint = "save_settings")]
pub async fn save_settings(form: SettingsForm, version: i64) -> Result<PracticeSettings, AppError> {
    let (store, actor) = crate::door::staff()?;
    let default = crate::door::state()?.waiting;
    Ok(services::settings::save(&store, &actor, &form, version, default).await?)
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Admin, &user) {
        return refusal;
    }
    let save = ServerAction::<SaveSettings>::new();
    let settings = LocalResource::new(move || {
        save.version().track();
        get_practice_settings()
    });
    let error = move || save.value().get().and_then(Result::err);
    let summary = move || {
        match save.value().get() {
        Some(Ok(_)) => Some(view! { <div role="status" class="mb-4 border-l-8 border-nhs-green bg-white p-4 font-bold">"Settings saved. Open screens use them now."</div> }.into_any()),
        Some(Err(AppError::Validation(_))) | None => None,
        Some(Err(e)) => Some(view! { <div role="alert" class="mb-4 border-l-8 border-nhs-red bg-white p-4 font-bold text-nhs-red">{e.to_string()}</div> }.into_any()),
    }
    };
    view! {
        <Title text="Practice settings" />
        <h1 class="mb-4 text-3xl font-bold">"Practice settings"</h1>
        {summary}
        {crate::loading::when_loaded(settings, move |loaded| match loaded {
            Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
            Ok(s) => form(s, save, error).into_any(),
        })}
    }
    .into_any()
}

fn form(
    s: PracticeSettings,
    save: ServerAction<SaveSettings>,
    error: impl Fn() -> Option<AppError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let field_error = move |field: &'static str| {
        Signal::derive(move || error().and_then(|e| e.field_message(field)))
    };
    let text = move |id: &'static str,
                     label: &'static str,
                     value: String,
                     hint: Option<&'static str>| {
        let described = if hint.is_some() {
            format!("{id}-hint {id}-error")
        } else {
            format!("{id}-error")
        };
        view! {
            <FormField id=id label=label error=field_error(id)>
                {hint.map(|h| view! { <p id=format!("{id}-hint") class="mb-1 text-nhs-grey-1">{h}</p> })}
                <input id=id name=format!("form[{id}]") class="op-input" value=value aria-describedby=described />
            </FormField>
        }
    };
    view! {
        <ActionForm action=save attr:class="max-w-2xl space-y-5">
            <input type="hidden" name="version" value=s.version.to_string() />
            <fieldset class="space-y-4">
                <legend class="mb-2 text-2xl font-bold">"The practice"</legend>
                {text("name", "Name", s.name.clone(), None)}
                {text("ods_code", "ODS code", s.ods_code.clone().unwrap_or_default(), Some("For example A81001. Other NHS systems know the practice by it."))}
                {text("address", "Address", s.address.clone().unwrap_or_default(), None)}
                {text("phone", "Phone number", s.phone.clone().unwrap_or_default(), None)}
            </fieldset>
            <fieldset class="space-y-4">
                <legend class="mb-2 text-2xl font-bold">"Screens"</legend>
                {text("wait_amber_minutes", "A wait turns amber after (minutes)", s.waiting.amber_minutes.to_string(), None)}
                {text("wait_red_minutes", "A wait turns red after (minutes)", s.waiting.red_minutes.to_string(), None)}
                {text("results_overdue_days", "A result not filed is overdue after (working days)", s.results_overdue_days.to_string(), None)}
                <div class="flex items-center gap-2">
                    <input id="call_chime" type="checkbox" name="form[call_chime]" value="on" checked=s.call_chime class="h-6 w-6" />
                    <label for="call_chime" class="font-bold">"The call screen chimes when a patient is called"</label>
                </div>
            </fieldset>
            <button type="submit" class="op-button" disabled=move || save.pending().get()>"Save settings"</button>
        </ActionForm>
    }
}
