//! Pages through the router (no port): every page renders completely for
//! each role, while other routers are being built; health and readiness.

mod common;

use axum::http::StatusCode;
use common::router::*;
use server::app;
use std::time::Duration;
use tower::ServiceExt;

#[tokio::test]
async fn health_and_readiness() {
    let state = state().await;
    let res = app(state.clone())
        .oneshot(get("/healthz", None))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app(state).oneshot(get("/readyz", None)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_text(res).await, "ready");
}

/// Regression (a CI run hung here): building a router used to generate the
/// route list, which sets a process-global flag in leptos_server that
/// suspends resource loading, so a page rendered on another thread at that
/// moment never finished. Render signed-in pages on two threads while two
/// others keep building routers; every render must finish, and show the
/// person.
#[test]
fn pages_render_while_other_routers_are_built() {
    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let builders: Vec<_> = (0..2)
        .map(|_| {
            let done = done.clone();
            std::thread::spawn(move || {
                runtime().block_on(async {
                    let state = state().await;
                    while !done.load(std::sync::atomic::Ordering::Relaxed) {
                        drop(app(state.clone()));
                        tokio::task::yield_now().await;
                    }
                })
            })
        })
        .collect();
    let renderers: Vec<_> = (0..2)
        .map(|_| {
            std::thread::spawn(|| {
                runtime().block_on(async {
                    let state = state().await;
                    let cookie =
                        session_cookie(&sign_in_response(&state, "gp", PASSWORD).await).unwrap();
                    for _ in 0..40 {
                        let res = tokio::time::timeout(
                            Duration::from_secs(20),
                            app(state.clone()).oneshot(get("/", Some(&cookie))),
                        )
                        .await
                        .expect("a page render never finished")
                        .unwrap();
                        assert_eq!(res.status(), StatusCode::OK);
                        assert!(body_text(res).await.contains("Dr Test"));
                    }
                })
            })
        })
        .collect();
    let results: Vec<_> = renderers.into_iter().map(|r| r.join()).collect();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    for b in builders {
        b.join().unwrap();
    }
    for r in results {
        r.unwrap();
    }
}

/// Every page finishes rendering on the server for each role, with the
/// right status (a page whose server render never finishes is a page that
/// never loads). Regression: the appointment book once read a resource
/// outside its Suspense and its server render never completed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_renders_completely_for_each_role() {
    let state = state().await;
    for (user, pages) in [
        (
            "gp",
            &[
                ("/", 200),
                ("/my-day", 200),
                ("/waiting-room", 200),
                ("/appointments", 200),
                ("/patients", 200),
                ("/tasks", 200),
                ("/tasks/new", 200),
                ("/tasks/some-task", 200),
                ("/patients/some-patient", 200),
                ("/patients/some-patient/consultation?appointment=a", 200),
                ("/patients/some-patient/edit", 200),
                ("/call-screen-links", 403),
                ("/admin", 403),
                ("/admin/sessions", 403),
                ("/admin/teams", 403),
            ][..],
        ),
        (
            "admin",
            &[
                ("/appointments", 200),
                ("/admin", 200),
                ("/call-screen-links", 200),
                ("/admin/sessions", 200),
                ("/admin/teams", 200),
                ("/tasks/new?patient=some-patient", 200),
                ("/waiting-room", 403),
                ("/my-day", 403),
            ][..],
        ),
    ] {
        let cookie = session_cookie(&sign_in_response(&state, user, PASSWORD).await).unwrap();
        for (path, status) in pages {
            let res = tokio::time::timeout(
                Duration::from_secs(20),
                app(state.clone()).oneshot(get(path, Some(&cookie))),
            )
            .await
            .unwrap_or_else(|_| panic!("{path} did not answer for {user}"))
            .unwrap();
            assert_eq!(res.status().as_u16(), *status, "{path} for {user}");
            let html = tokio::time::timeout(Duration::from_secs(20), body_text(res))
                .await
                .unwrap_or_else(|_| panic!("{path} never finished rendering for {user}"));
            assert!(
                html.contains("</html>") || html.contains("__INCOMPLETE_CHUNKS"),
                "{path}: {html}"
            );
        }
    }
    // The call screen needs no session and shows no staff shell.
    let res = app(state.clone())
        .oneshot(get("/display/somewhere", None))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = body_text(res).await;
    // The link's secret is in the fragment, which only the browser sees:
    // the server draws the screen starting.
    assert!(
        html.contains("Call screen") && html.contains("Starting…"),
        "{html}"
    );
    assert!(!html.contains("Sign out"));
}
