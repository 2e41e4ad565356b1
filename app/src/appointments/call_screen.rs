//! The waiting-room call screen, for a TV: the latest calls as
//! "J. Smith — Room 3" in large type, live, with an optional chime. Opened
//! with a display link (`/display/<practice>#key=…`) and no staff session;
//! it shows nothing but short names and rooms. The link's secret is in the
//! fragment, which the browser never sends: the page reads it and sends it
//! in its socket's first message.

use crate::live::{use_live, Connection};
use domain::live::Topic;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CallScreenPage() -> impl IntoView {
    let practice = use_params_map()
        .with_untracked(|p| p.get("practice"))
        .unwrap_or_default();
    // None until the browser has read the address (the server never sees
    // the key); then the key, or "" when the address has none.
    let key = RwSignal::new(None::<String>);
    Effect::new(move |_| key.set(Some(key_from_address())));
    view! {
        <Title text="Call screen" />
        <main id="main" class="min-h-screen bg-nhs-dark-blue p-8 text-white">
            {move || match key.get() {
                None => view! {
                    <h1 class="text-4xl font-bold">"Call screen"</h1>
                    <p class="mt-4 text-2xl">"Starting…"</p>
                }.into_any(),
                Some(k) if k.is_empty() => view! {
                    <h1 class="text-4xl font-bold">"Call screen"</h1>
                    <p class="mt-4 text-2xl">"This screen needs a display link. Ask a practice admin or receptionist for one."</p>
                }.into_any(),
                Some(k) => view! { <Calls key=k practice=practice.clone() /> }.into_any(),
            }}
        </main>
    }
}

/// `key=…` from the fragment. A link from before the key moved there
/// (`?key=…`) still opens, and is rewritten so the key leaves the address
/// bar and history.
fn key_from_address() -> String {
    #[cfg(feature = "hydrate")]
    {
        let location = window().location();
        let find = |s: &str| {
            s.trim_start_matches(['#', '?'])
                .split('&')
                .find_map(|kv| kv.strip_prefix("key="))
                .and_then(|v| js_sys::decode_uri_component(v).ok())
                .and_then(|v| v.as_string())
        };
        if let Some(key) = location.hash().ok().as_deref().and_then(find) {
            return key;
        }
        if let Some(key) = location.search().ok().as_deref().and_then(find) {
            let path = location.pathname().unwrap_or_default();
            if let Ok(history) = window().history() {
                let _ = history.replace_state_with_url(
                    &wasm_bindgen::JsValue::NULL,
                    "",
                    Some(&format!("{path}#key={key}")),
                );
            }
            return key;
        }
    }
    String::new()
}

/// The practice's name and chime setting, for a live display link.
#[server(prefix = "/api", endpoint = "call_screen_info")]
pub async fn call_screen_info(
    practice: String,
    key: String,
) -> Result<domain::settings::CallScreenInfo, crate::AppError> {
    let store = crate::door::state()?.store;
    Ok(services::display::screen_info(&store, &practice, &key).await?)
}

#[component]
fn Calls(key: String, practice: String) -> impl IntoView {
    let list = use_live(Topic::CallScreen, Some((practice.clone(), key.clone())));
    let chime = RwSignal::new(false);
    // The practice's setting, read again whenever its admin changes it;
    // the button still switches this screen's chime on or off.
    let info = LocalResource::new(move || {
        crate::live::settings_changes().track();
        call_screen_info(practice.clone(), key.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(i)) = info.get() {
            chime.set(i.chime);
        }
    });
    let practice_name = move || info.get().and_then(Result::ok).map(|i| i.practice_name);
    let last_seen = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        let latest = list.calls.with(|c| c.first().map(|c| c.id.clone()));
        let previous = last_seen.get_value();
        last_seen.set_value(latest.clone());
        if chime.get_untracked() && previous.is_some() && latest != previous {
            play_chime();
        }
    });
    view! {
        <div class="flex flex-wrap items-center justify-between gap-4">
            <div>
                <h1 class="text-3xl font-bold">"Now calling"</h1>
                <p class="text-xl">{practice_name}</p>
            </div>
            <div class="flex items-center gap-4">
                {move || match list.connection.get() {
                    Connection::Live => view! { <span class="text-xl">"Live"</span> }.into_any(),
                    Connection::Offline { since } => view! { <span role="status" class="bg-nhs-red px-2 text-xl font-bold">{format!("Offline since {since} — reconnecting")}</span> }.into_any(),
                    Connection::Connecting => view! { <span class="text-xl">"Connecting…"</span> }.into_any(),
                    Connection::SignedOut => view! { <span role="status" class="bg-nhs-red px-2 text-xl font-bold">"This display link has been revoked."</span> }.into_any(),
                }}
                <button
                    type="button"
                    class="op-button-reverse"
                    aria-pressed=move || chime.get().to_string()
                    on:click=move |_| chime.update(|c| *c = !*c)
                >
                    {move || if chime.get() { "Chime on" } else { "Chime off" }}
                </button>
            </div>
        </div>
        {move || list.refused.get().map(|m| view! { <p role="alert" class="mt-4 text-2xl">{m}</p> })}
        <div aria-live="polite" class="mt-8">
            {move || {
                // A revoked link shows no one, not the last calls it had.
                if list.connection.get() == Connection::SignedOut {
                    return None;
                }
                let calls = list.calls.get();
                let mut calls = calls.into_iter();
                let latest = calls.next();
                Some(view! {
                    {match latest {
                        Some(c) => view! {
                            <p class="text-7xl font-bold leading-tight">
                                {c.short_name}
                                <span class="block text-6xl">{format!("Please go to {}", c.room)}</span>
                            </p>
                        }.into_any(),
                        None => view! { <p class="text-4xl">"No one has been called yet."</p> }.into_any(),
                    }}
                    <ul aria-label="Earlier calls" class="mt-12 grid gap-3 text-4xl">
                        {calls.take(4).map(|c| view! { <li>{format!("{} — {}", c.short_name, c.room)}</li> }).collect_view()}
                    </ul>
                })
            }}
        </div>
    }
}

/// A short two-tone chime (browsers allow sound after the chime button was pressed).
fn play_chime() {
    #[cfg(feature = "hydrate")]
    {
        let Ok(ctx) = web_sys::AudioContext::new() else {
            return;
        };
        for (i, freq) in [660.0_f32, 880.0].into_iter().enumerate() {
            let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else {
                return;
            };
            osc.frequency().set_value(freq);
            gain.gain().set_value(0.2);
            let _ = osc.connect_with_audio_node(&gain);
            let _ = gain.connect_with_audio_node(&ctx.destination());
            let start = ctx.current_time() + i as f64 * 0.35;
            let _ = osc.start_with_when(start);
            let _ = osc.stop_with_when(start + 0.3);
        }
    }
}
