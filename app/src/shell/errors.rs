//! The 404 page and the typed error page. Both set the HTTP status on the
//! server render; messages come from `AppError`, which never holds personal data.

use super::set_status;
use crate::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <Title text="Page not found" />
        <main id="main" class="mx-auto max-w-3xl px-4 py-8">
            <h1 class="mb-4 text-3xl font-bold">"Page not found"</h1>
            <p class="mb-4">"If you typed the web address, check it is correct. If you followed a link, it may be out of date."</p>
            <a class="op-link" href="/">"Go to the start page"</a>
        </main>
    }
}

#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    let (code, heading) = match &error {
        AppError::Unauthenticated => (401, "Sign in to continue"),
        AppError::Forbidden => (403, "You do not have access to this page"),
        AppError::NotFound => (404, "Not found"),
        AppError::Unavailable => (503, "OpenPractice is temporarily unavailable"),
        _ => (500, "Something went wrong"),
    };
    set_status(code);
    let sign_in = matches!(error, AppError::Unauthenticated);
    view! {
        <Title text=heading />
        <main id="main" class="mx-auto max-w-3xl px-4 py-8">
            <h1 class="mb-4 text-3xl font-bold">{heading}</h1>
            <p role="alert" class="mb-4">{error.to_string()}</p>
            {if sign_in {
                view! { <a class="op-link" href="/login">"Sign in"</a> }.into_any()
            } else {
                view! { <a class="op-link" href="/">"Go to the start page"</a> }.into_any()
            }}
        </main>
    }
}
