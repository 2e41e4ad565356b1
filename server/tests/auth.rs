//! Signing in and out through the router (no port): hardened cookies,
//! one generic message (throttling: `throttle.rs`), Origin checks, idle expiry, and the
//! plain form post that works before the WASM loads.

mod common;

use app::state::AuthConfig;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::router::*;
use server::app;
use std::time::Duration;
use tower::ServiceExt;

#[tokio::test]
async fn signed_out_page_requests_go_to_sign_in_and_api_calls_get_401() {
    let state = state().await;
    let res = app(state.clone()).oneshot(get("/", None)).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/login");

    let res = app(state.clone())
        .oneshot(get("/tasks?team=1", None))
        .await
        .unwrap();
    assert_eq!(
        res.headers()[header::LOCATION],
        "/login?next=/tasks%3Fteam%3D1"
    );

    let res = app(state.clone())
        .oneshot(post_form(
            "/api/sign_out",
            "",
            Some(&format!("http://{HOST}")),
            None,
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // A made-up session cookie is no better than none.
    let res = app(state.clone())
        .oneshot(get("/admin", Some("op_session=forged")))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let res = app(state).oneshot(get("/login", None)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = body_text(res).await;
    assert!(html.contains("Username") && html.contains("Password") && html.contains("Sign in"));
    assert!(
        !html.contains("Demo sign-ins"),
        "demo sign-ins are shown in demo mode only"
    );
}

#[tokio::test]
async fn sign_in_sets_a_hardened_cookie_and_the_shell_shows_the_person() {
    let state = state().await;
    let res = sign_in_response(&state, "GP", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let set_cookie = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set_cookie.contains(attr), "{set_cookie} lacks {attr}");
    }
    assert!(!set_cookie.contains("Secure"), "not Secure without TLS");
    // A browser-session cookie: gone when the browser closes.
    assert!(
        !set_cookie.contains("Max-Age") && !set_cookie.contains("Expires"),
        "{set_cookie}"
    );
    let cookie = session_cookie(&res).unwrap();

    let res = app(state.clone())
        .oneshot(get("/", Some(&cookie)))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = body_text(res).await;
    assert!(
        html.contains("Dr Test") && html.contains("Test Surgery"),
        "{html}"
    );
    assert!(!html.contains(">Admin<"), "a GP's navigation has no Admin");

    let res = app(state.clone())
        .oneshot(get("/no-such-page", Some(&cookie)))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(body_text(res).await.contains("Page not found"));

    // A GP who types the admin address is refused, not shown it.
    let res = app(state)
        .oneshot(get("/admin", Some(&cookie)))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn secure_cookies_when_configured() {
    let state = state_with(AuthConfig {
        secure_cookies: true,
        ..AuthConfig::default()
    })
    .await;
    let res = sign_in_response(&state, "gp", PASSWORD).await;
    let set_cookie = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    // The __Host- prefix: only with Secure, Path=/ and no Domain, so no
    // sibling site can set or replace it; not kept across a browser restart.
    assert!(set_cookie.starts_with("__Host-op_session="), "{set_cookie}");
    for attr in ["; Secure", "HttpOnly", "Path=/"] {
        assert!(set_cookie.contains(attr), "{set_cookie} lacks {attr}");
    }
    assert!(!set_cookie.contains("Domain") && !set_cookie.contains("Max-Age"));
    let token = set_cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("__Host-op_session=")
        .to_string();
    let signed_in = |cookie: String| {
        let state = state.clone();
        async move {
            app(state)
                .oneshot(get("/", Some(&cookie)))
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        signed_in(format!("__Host-op_session={token}")).await,
        StatusCode::OK
    );
    // The same token under the unprefixed name (as a sibling site could
    // plant it) is not a session here.
    assert_eq!(
        signed_in(format!("op_session={token}")).await,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_foreign_origin_post_is_refused_and_changes_nothing() {
    let state = state().await;
    let res = app(state.clone())
        .oneshot(post_form(
            "/api/sign_in",
            &format!("username=gp&password={}", PASSWORD.replace(' ', "+")),
            Some("https://evil.example"),
            None,
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        res.headers().get(header::SET_COOKIE).is_none(),
        "no session for a cross-site request"
    );

    // Cross-site sign-out (CSRF) cannot end someone's session.
    let cookie = session_cookie(&sign_in_response(&state, "gp", PASSWORD).await).unwrap();
    let res = app(state.clone())
        .oneshot(post_form(
            "/api/sign_out",
            "",
            Some("https://evil.example"),
            Some(&cookie),
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app(state).oneshot(get("/", Some(&cookie))).await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the session survives the refused request"
    );
}

#[tokio::test]
async fn wrong_credentials_get_one_generic_message() {
    let state = state().await;
    let wrong_password = body_text(sign_in_response(&state, "gp", "not the password").await).await;
    let unknown_user =
        body_text(sign_in_response(&state, "nobody", "not the password").await).await;
    assert_eq!(wrong_password, unknown_user);
    assert_eq!(
        sign_in_response(&state, "gp", "not the password")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(
        wrong_password.contains("BadCredentials"),
        "{wrong_password}"
    );
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let state = state().await;
    let cookie = session_cookie(&sign_in_response(&state, "admin", PASSWORD).await).unwrap();
    let res = app(state.clone())
        .oneshot(post_form(
            "/api/sign_out",
            "",
            Some(&format!("http://{HOST}")),
            Some(&cookie),
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app(state).oneshot(get("/", Some(&cookie))).await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the old cookie no longer works"
    );
}

#[tokio::test]
async fn an_idle_session_expires() {
    let state = state_with(AuthConfig {
        idle_timeout: Duration::from_secs(1),
        ..AuthConfig::default()
    })
    .await;
    let cookie = session_cookie(&sign_in_response(&state, "gp", PASSWORD).await).unwrap();
    assert_eq!(
        app(state.clone())
            .oneshot(get("/", Some(&cookie)))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        app(state)
            .oneshot(get("/", Some(&cookie)))
            .await
            .unwrap()
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_plain_form_post_before_the_wasm_loads_still_signs_in_and_redirects() {
    let state = state().await;
    let form = |body: &str| {
        from_address(
            Request::post("/api/sign_in")
                .header(header::HOST, HOST)
                .header(header::ORIGIN, format!("http://{HOST}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "text/html,application/xhtml+xml")
                .header(header::REFERER, format!("http://{HOST}/login"))
                .body(Body::from(body.to_string()))
                .unwrap(),
            [10, 0, 0, 2],
        )
    };
    let res = app(state.clone())
        .oneshot(form(&format!(
            "username=gp&password={}&next=%2Ftasks",
            PASSWORD.replace(' ', "+")
        )))
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()[header::LOCATION], "/tasks");
    assert!(session_cookie(&res).is_some());

    let res = app(state.clone())
        .oneshot(form("username=gp&password=wrong&next=%2Ftasks"))
        .await
        .unwrap();
    assert!(res.status().is_redirection());
    assert_eq!(
        res.headers()[header::LOCATION],
        "/login?error=credentials&next=/tasks"
    );
    assert!(session_cookie(&res).is_none());

    // A crafted `next` that a browser would read as another site (the tab
    // is dropped, leaving "//evil.example") goes home instead.
    for next in [
        "%2F%09%2Fevil.example",
        "%2F%0A%2Fevil.example",
        "%2F%5C%2Fevil.example",
    ] {
        let res = app(state.clone())
            .oneshot(form(&format!(
                "username=admin&password={}&next={next}",
                PASSWORD.replace(' ', "+")
            )))
            .await
            .unwrap();
        assert!(res.status().is_redirection(), "{next}: {}", res.status());
        assert_eq!(res.headers()[header::LOCATION], "/", "{next}");
    }
}

/// Sign-ins, sign-outs and failed sign-ins are in the audit trail, with the
/// address, never the password, and never a username that matched nothing.
#[tokio::test]
async fn sign_ins_sign_outs_and_failures_are_audited() {
    let state = state().await;
    let store = state.app.store.clone();
    assert_eq!(
        sign_in_response(&state, "gp", "the wrong password")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in_response(&state, "nobody-typed-this", "hunter2 secret")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let cookie = session_cookie(&sign_in_response(&state, "admin", PASSWORD).await).unwrap();
    let res = app(state.clone())
        .oneshot(post_form(
            "/api/sign_out",
            "",
            Some(&format!("http://{HOST}")),
            Some(&cookie),
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let practice = store.practices().await.unwrap()[0].id.clone();
    let rows = store
        .practice(&practice)
        .audit_rows(&Default::default(), 100)
        .await
        .unwrap();
    let actions: Vec<(&str, Option<&str>, &str, Option<&str>)> = rows
        .iter()
        .rev()
        .map(|r| {
            (
                r.action.as_str(),
                r.staff_name.as_deref(),
                r.outcome.as_str(),
                r.address.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            (
                "failed to sign in",
                Some("Dr Test"),
                "refused",
                Some("10.0.0.1")
            ),
            ("signed in", Some("Ada Admin"), "allowed", Some("10.0.0.1")),
            ("signed out", Some("Ada Admin"), "allowed", Some("10.0.0.1")),
        ]
    );
    // The unknown username's failure is the deployment's, not a practice's:
    // it is in the chain (4 entries in all) but names no one.
    assert_eq!(store.verify_audit().await.unwrap(), Ok(4));
    let everything = format!("{rows:?}");
    for secret in [
        "the wrong password",
        "hunter2",
        "nobody-typed-this",
        PASSWORD,
    ] {
        assert!(
            !everything.contains(secret),
            "{secret} is in the audit trail"
        );
    }
}
