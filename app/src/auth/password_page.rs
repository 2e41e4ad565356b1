//! "Change your password": the current one, the new one twice. The rules
//! (at least 12 characters, not a common password, not the username) are
//! the service's; each refusal shows beside its field.

use super::sign_in_page::FormField;
use super::ChangePassword;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PasswordPage() -> impl IntoView {
    // Signed in with a one-time password: nothing else opens until they
    // choose their own (the server sends every page here).
    let one_time = use_context::<super::CurrentUser>().is_some_and(|u| u.must_change_password);
    let action = ServerAction::<ChangePassword>::new();
    Effect::new(move |_| {
        if one_time && matches!(action.value().get(), Some(Ok(()))) {
            crate::shell::hard_navigate("/");
        }
    });
    let error = move || action.value().get().and_then(Result::err);
    let field_error =
        move |field: &'static str| move || error().and_then(|e| e.field_message(field));
    let summary = move || match action.value().get() {
        Some(Err(crate::AppError::Validation(_))) | None => None,
        Some(Err(e)) => Some(e.to_string()),
        Some(Ok(())) => None,
    };
    let done = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <Title text="Change your password" />
        <h1 class="mb-6 text-3xl font-bold">"Change your password"</h1>
        <div class="max-w-xl">
            {one_time.then(|| view! {
                <div role="status" class="mb-6 border-l-8 border-nhs-blue bg-white p-4 font-bold">
                    "You signed in with a one-time password. Choose your own password to continue: type the one-time password as your current password."
                </div>
            })}
            {move || done().then(|| view! {
                <div role="status" class="mb-6 border-l-8 border-nhs-green bg-white p-4 font-bold">
                    "Your password has been changed. You have been signed out everywhere else."
                </div>
            })}
            {move || summary().map(|message| view! {
                <div role="alert" class="mb-6 border-l-8 border-nhs-red bg-white p-4 font-bold text-nhs-red">{message}</div>
            })}
            <p class="mb-4">
                "Use at least 12 characters. Several words together make a password that is long and easy to remember; there are no rules about numbers or symbols. Very common passwords and your username are refused."
            </p>
            <ActionForm action=action attr:class="space-y-5">
                <FormField id="current_password" label="Current password" error=Signal::derive(field_error("current_password"))>
                    <input id="current_password" name="current_password" type="password" autocomplete="current-password"
                        class="op-input" aria-describedby="current_password-error" />
                </FormField>
                <FormField id="new_password" label="New password" error=Signal::derive(field_error("new_password"))>
                    <input id="new_password" name="new_password" type="password" autocomplete="new-password"
                        class="op-input" aria-describedby="new_password-error" />
                </FormField>
                <FormField id="confirm_password" label="New password again" error=Signal::derive(field_error("confirm_password"))>
                    <input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password"
                        class="op-input" aria-describedby="confirm_password-error" />
                </FormField>
                <button type="submit" class="op-button" disabled=move || action.pending().get()>
                    "Change password"
                </button>
            </ActionForm>
        </div>
    }
}
