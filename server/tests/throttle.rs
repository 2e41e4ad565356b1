//! Sign-in throttling through the router (no port): each attempt counted
//! before its password is checked, per account-at-address and per address,
//! and, behind a trusted proxy, by the client's own address, so nobody can
//! lock a named clinician out from elsewhere.

mod common;

use app::state::AuthConfig;
use axum::http::{header, StatusCode};
use common::router::*;
use server::app;
use tower::ServiceExt;

#[tokio::test]
async fn repeated_failures_lock_the_account_even_against_the_right_password() {
    let state = state().await;
    for _ in 0..5 {
        let res = sign_in_response(&state, "gp", "wrong guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = sign_in_response(&state, "gp", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get(header::SET_COOKIE).is_none());
    let body = body_text(res).await;
    assert!(body.contains("Throttled"), "{body}");
    // Another account is not locked by the GP's failures.
    assert_eq!(
        sign_in_response(&state, "admin", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn repeated_failures_from_one_address_are_throttled_across_accounts() {
    let state = state().await;
    for i in 0..20 {
        let res = sign_in_response(&state, &format!("guess{i}"), "wrong guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let res = sign_in_response(&state, "admin", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// A sign-in from a client at `client` (as a trusted proxy forwards it:
/// X-Forwarded-For) with the request itself from 10.0.0.1.
async fn sign_in_via_proxy(
    state: &server::ServerState,
    client: &str,
    username: &str,
    password: &str,
) -> StatusCode {
    let mut req = post_form(
        "/api/sign_in",
        &format!(
            "username={username}&password={}",
            password.replace(' ', "+")
        ),
        Some(&format!("http://{HOST}")),
        None,
    );
    req.headers_mut()
        .insert("x-forwarded-for", client.parse().unwrap());
    app(state.clone()).oneshot(req).await.unwrap().status()
}

/// Forty guesses at one account at once: each is counted before its
/// password is checked, so at most the five allowed are ever checked.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_parallel_guesses_at_one_account_check_at_most_five() {
    let state = state().await;
    let guesses: Vec<_> = (0..40)
        .map(|i| {
            let state = state.clone();
            tokio::spawn(async move {
                sign_in_response(&state, "gp", &format!("guess number {i}"))
                    .await
                    .status()
            })
        })
        .collect();
    let mut checked = 0;
    let mut throttled = 0;
    for g in guesses {
        match g.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        checked <= 5,
        "{checked} of 40 were checked against a limit of 5"
    );
    assert_eq!(checked + throttled, 40);
    // The right password is refused too while the account waits.
    assert_eq!(
        sign_in_response(&state, "gp", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// Behind the TLS proxy: X-Forwarded-For says who a client is (only from a
/// trusted proxy), so one client's failures cannot lock out a named
/// clinician signing in from elsewhere; without trust configured the
/// header is ignored and cannot be used to dodge the count.
#[tokio::test]
async fn behind_a_trusted_proxy_one_address_cannot_lock_out_another() {
    let mut state = state().await;
    state.app.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    for _ in 0..5 {
        assert_eq!(
            sign_in_via_proxy(&state, "203.0.113.7", "gp", "wrong guess").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in_via_proxy(&state, "203.0.113.7", "gp", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the guessing client waits"
    );
    assert_eq!(
        sign_in_via_proxy(&state, "198.51.100.2", "gp", PASSWORD).await,
        StatusCode::OK,
        "the GP at their own desk is not locked out"
    );

    let state = state_with(AuthConfig::default()).await;
    for i in 0..5 {
        assert_eq!(
            sign_in_via_proxy(&state, &format!("203.0.113.{i}"), "gp", "wrong guess").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in_via_proxy(&state, "198.51.100.2", "gp", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "an untrusted X-Forwarded-For changes nothing"
    );
}
