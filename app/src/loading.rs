//! Page data fetched in the browser and shown when it arrives.
//!
//! Pages do not wrap their data in `<Suspense>`. Every page renders inside
//! the shell's own `<Suspense>` (the signed-in user, rendered on the
//! server); under it, a page's `<Suspense>` over browser-fetched data does
//! not hydrate after a full page load (the browser stops with a hydration
//! error and nothing on the page works), and a page's server-rendered
//! resource is never delivered when the page is reached by a link clicked
//! while the previous page was still hydrating (it stays on "Loading…").
//! Both are in the hazard log (H17, H23). Here the data is always fetched
//! in the browser, and "Loading…" is plain reactive content: the server
//! renders it, hydration finds it, and the data replaces it on arrival.

use leptos::prelude::*;

/// Shows "Loading…" until `resource` has a value, then `body(value)`
/// (again whenever the resource is fetched again).
pub fn when_loaded<T, V>(
    resource: LocalResource<T>,
    body: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    move || match resource.get() {
        None => view! { <p>"Loading…"</p> }.into_any(),
        Some(value) => body(value).into_any(),
    }
}
