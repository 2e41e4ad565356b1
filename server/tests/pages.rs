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

/// The site's WASM, JS and CSS go out as their Brotli or gzip copy when
/// the browser accepts it and the release build made one, else as they
/// are; always revalidated (`no-cache`), so an upgrade is never served
/// stale, and unchanged files cost a 304.
#[tokio::test]
async fn static_files_go_precompressed_and_are_revalidated() {
    let site = std::env::temp_dir().join(format!("op-site-{}", std::process::id()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("openpractice.wasm"), vec![0u8; 4096]).unwrap();
    std::fs::write(pkg.join("openpractice.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("openpractice.wasm.gz"), b"gzip bytes").unwrap();
    std::fs::write(pkg.join("openpractice.css"), b"body{}").unwrap();
    let mut state = state().await;
    state.leptos.site_root = site.to_string_lossy().to_string().into();
    let fetch = |path: &'static str, accept: &'static str| {
        let state = state.clone();
        async move {
            let mut req = get(path, None);
            req.headers_mut()
                .insert(axum::http::header::ACCEPT_ENCODING, accept.parse().unwrap());
            app(state).oneshot(req).await.unwrap()
        }
    };
    let header = |res: &axum::response::Response, name: axum::http::HeaderName| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    use axum::http::header::{CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, LAST_MODIFIED};

    let res = fetch("/pkg/openpractice.wasm", "gzip, deflate, br").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, CONTENT_ENCODING), "br");
    assert_eq!(header(&res, CONTENT_TYPE), "application/wasm");
    assert_eq!(header(&res, CACHE_CONTROL), "no-cache");
    let modified = header(&res, LAST_MODIFIED);
    assert_eq!(body_text(res).await, "brotli bytes");

    let res = fetch("/pkg/openpractice.wasm", "gzip").await;
    assert_eq!(header(&res, CONTENT_ENCODING), "gzip");
    assert_eq!(body_text(res).await, "gzip bytes");

    let res = fetch("/pkg/openpractice.wasm", "identity").await;
    assert_eq!(header(&res, CONTENT_ENCODING), "");
    assert_eq!(body_text(res).await.len(), 4096);

    // No copy made: the file itself, whatever the browser accepts.
    let res = fetch("/pkg/openpractice.css", "br").await;
    assert_eq!(header(&res, CONTENT_ENCODING), "");
    assert_eq!(body_text(res).await, "body{}");

    // Unchanged since the browser's copy: 304, no body.
    let mut req = get("/pkg/openpractice.wasm", None);
    req.headers_mut().insert(
        axum::http::header::IF_MODIFIED_SINCE,
        modified.parse().unwrap(),
    );
    let res = app(state.clone()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    std::fs::remove_dir_all(&site).unwrap();
}
