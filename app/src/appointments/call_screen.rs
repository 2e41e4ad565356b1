//! The waiting-room call screen, for a TV: the latest calls as
//! "J. Smith — Room 3" in large type, live, with an optional chime. Opened
//! with a display link (`/display/<practice>?key=…`) and no staff session;
//! it shows nothing but short names and rooms.

use crate::live::{use_live, Connection};
use domain::live::Topic;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn CallScreenPage() -> impl IntoView {
    let key = use_query_map()
        .with_untracked(|q| q.get("key"))
        .unwrap_or_default();
    let practice = use_params_map()
        .with_untracked(|p| p.get("practice"))
        .unwrap_or_default();
    view! {
        <Title text="Call screen" />
        <main id="main" class="min-h-screen bg-nhs-dark-blue p-8 text-white">
            {if key.is_empty() {
                view! {
                    <h1 class="text-4xl font-bold">"Call screen"</h1>
                    <p class="mt-4 text-2xl">"This screen needs a display link. Ask a practice admin or receptionist for one."</p>
                }.into_any()
            } else {
                view! { <Calls key practice /> }.into_any()
            }}
        </main>
    }
}

#[component]
fn Calls(key: String, practice: String) -> impl IntoView {
    let list = use_live(Topic::CallScreen, Some((practice, key)));
    let chime = RwSignal::new(false);
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
            <h1 class="text-3xl font-bold">"Now calling"</h1>
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
                let calls = list.calls.get();
                let mut calls = calls.into_iter();
                let latest = calls.next();
                view! {
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
                }
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
