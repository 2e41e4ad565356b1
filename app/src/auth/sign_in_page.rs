//! The sign-in page: "Username", "Password", "Sign in". Lists the demo
//! sign-ins only when the server runs the demo practice.

use super::{get_sign_in_info, SignIn};
use crate::shell::{hard_navigate, DemoBanner};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let info = Resource::new(|| (), |_| get_sign_in_info());
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();

    Effect::new(move |_| {
        if let Some(Ok(dest)) = action.value().get() {
            hard_navigate(&dest);
        }
    });
    let error = move || action.value().get().and_then(Result::err);
    let field_error =
        move |field: &'static str| move || error().and_then(|e| e.field_message(field));
    // The typed error from the hydrated form, or the reason a plain (pre-WASM)
    // form post was sent back with.
    let summary = move || match action.value().get() {
        Some(Err(crate::AppError::Validation(_))) | Some(Ok(_)) => None,
        Some(Err(e)) => Some(e.to_string()),
        None => query
            .read()
            .get("error")
            .and_then(|code| super::sign_in_error_message(&code)),
    };

    view! {
        <Suspense>
            {move || {
                info.get()
                    .and_then(Result::ok)
                    .filter(|i| !i.demo_accounts.is_empty())
                    .map(|_| view! { <DemoBanner /> })
            }}
        </Suspense>
        <header class="bg-nhs-blue text-white">
            <div class="mx-auto max-w-5xl px-4 py-4">
                <p class="text-2xl font-bold">"OpenPractice"</p>
            </div>
        </header>
        <Title text="Sign in" />
        <main id="main" class="mx-auto max-w-xl px-4 py-8">
            <h1 class="mb-6 text-3xl font-bold">"Sign in"</h1>
            {move || {
                summary()
                    .map(|message| {
                        view! {
                            <div role="alert" class="mb-6 border-l-8 border-nhs-red bg-white p-4 font-bold text-nhs-red">
                                {message}
                            </div>
                        }
                    })
            }}
            <ActionForm action=action attr:class="space-y-5">
                <input type="hidden" name="next" prop:value=next />
                <FormField id="username" label="Username" error=Signal::derive(field_error("username"))>
                    <input
                        id="username"
                        name="username"
                        type="text"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        class="op-input"
                        aria-describedby="username-error"
                    />
                </FormField>
                <FormField id="password" label="Password" error=Signal::derive(field_error("password"))>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        class="op-input"
                        aria-describedby="password-error"
                    />
                </FormField>
                <button type="submit" class="op-button" disabled=move || action.pending().get()>
                    "Sign in"
                </button>
            </ActionForm>
            <Suspense>
                {move || {
                    info.get()
                        .and_then(Result::ok)
                        .filter(|i| !i.demo_accounts.is_empty())
                        .map(|i| {
                            view! {
                                <section aria-labelledby="demo-heading" class="mt-10 border-t border-nhs-grey-4 pt-6">
                                    <h2 id="demo-heading" class="mb-2 text-xl font-bold">"Demo sign-ins"</h2>
                                    <p class="mb-3">
                                        "Password for all: "
                                        <code class="font-mono">{i.demo_password.clone()}</code>
                                    </p>
                                    <table class="w-full text-left">
                                        <thead>
                                            <tr>
                                                <th scope="col" class="py-1">"Username"</th>
                                                <th scope="col" class="py-1">"Role"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {i.demo_accounts
                                                .into_iter()
                                                .map(|(u, r)| {
                                                    view! {
                                                        <tr class="border-t border-nhs-grey-4">
                                                            <td class="py-1 font-mono">{u}</td>
                                                            <td class="py-1">{r.label()}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </section>
                            }
                        })
                }}
            </Suspense>
        </main>
    }
}

/// A labelled form field with its error message beside it (NHS.UK style:
/// red bar, message above the input, tied to it by `aria-describedby`).
#[component]
pub fn FormField(
    id: &'static str,
    label: &'static str,
    #[prop(into)] error: Signal<Option<String>>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class=move || {
            if error.get().is_some() { "border-l-4 border-nhs-red pl-4" } else { "" }
        }>
            <label for=id class="mb-1 block font-bold">
                {label}
            </label>
            <p id=format!("{id}-error") class="font-bold text-nhs-red empty:hidden">
                {move || error.get()}
            </p>
            {children()}
        </div>
    }
}
