//! Router tests without a port: the whole `app()` driven with `oneshot`, on
//! an in-memory SurrealDB with one practice and real argon2 hashes.

use app::state::{AppState, AuthConfig};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use domain::{Role, Username};
use leptos::prelude::LeptosOptions;
use server::{app, ServerState};
use std::net::SocketAddr;
use std::time::Duration;
use store::staff::{hash_password, NewStaff};
use store::Store;
use tower::ServiceExt;

const HOST: &str = "127.0.0.1:3000";
const PASSWORD: &str = "a long test password";

async fn state_with(auth: AuthConfig) -> ServerState {
    let store = Store::memory().await.unwrap();
    let practice = store.create_practice("Test Surgery", false).await.unwrap();
    for (username, name, role) in [
        ("gp", "Dr Test", Role::Gp),
        ("admin", "Ada Admin", Role::Admin),
    ] {
        store
            .create_staff(NewStaff {
                practice_id: &practice.id,
                username: &Username::parse(username).unwrap(),
                display_name: name,
                role,
                password_hash: hash_password(PASSWORD).unwrap(),
            })
            .await
            .unwrap();
    }
    ServerState {
        leptos: LeptosOptions::builder()
            .output_name("openpractice")
            .site_root("target/site")
            .build(),
        app: AppState {
            store: store.clone(),
            auth,
            demo: false,
            waiting: Default::default(),
        },
        public_origin: None,
        hub: server::live::hub::Hub::start(store.clone()),
    }
}

async fn state() -> ServerState {
    state_with(AuthConfig::default()).await
}

fn from_address(mut req: Request<Body>, ip: [u8; 4]) -> Request<Body> {
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
    req
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path).header(header::HOST, HOST);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

fn post_form(path: &str, body: &str, origin: Option<&str>, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    from_address(b.body(Body::from(body.to_string())).unwrap(), [10, 0, 0, 1])
}

async fn body_text(res: Response) -> String {
    let bytes = axum::body::to_bytes(res.into_body(), 4 * 1024 * 1024)
        .await
        .unwrap();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn session_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("op_session=") && !v.starts_with("op_session=;"))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

async fn sign_in(state: &ServerState, username: &str, password: &str) -> Response {
    app(state.clone())
        .oneshot(post_form(
            "/api/sign_in",
            &format!(
                "username={username}&password={}",
                password.replace(' ', "+")
            ),
            Some(&format!("http://{HOST}")),
            None,
        ))
        .await
        .unwrap()
}

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
    let res = sign_in(&state, "GP", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let set_cookie = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set_cookie.contains(attr), "{set_cookie} lacks {attr}");
    }
    assert!(!set_cookie.contains("Secure"), "not Secure without TLS");
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
    let res = sign_in(&state, "gp", PASSWORD).await;
    assert!(res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("; Secure"));
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
    let cookie = session_cookie(&sign_in(&state, "gp", PASSWORD).await).unwrap();
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
    let wrong_password = body_text(sign_in(&state, "gp", "not the password").await).await;
    let unknown_user = body_text(sign_in(&state, "nobody", "not the password").await).await;
    assert_eq!(wrong_password, unknown_user);
    assert_eq!(
        sign_in(&state, "gp", "not the password").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(
        wrong_password.contains("BadCredentials"),
        "{wrong_password}"
    );
}

#[tokio::test]
async fn repeated_failures_lock_the_account_even_against_the_right_password() {
    let state = state().await;
    for _ in 0..5 {
        let res = sign_in(&state, "gp", "wrong guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = sign_in(&state, "gp", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get(header::SET_COOKIE).is_none());
    let body = body_text(res).await;
    assert!(body.contains("Throttled"), "{body}");
    // Another account is not locked by the GP's failures.
    assert_eq!(
        sign_in(&state, "admin", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn repeated_failures_from_one_address_are_throttled_across_accounts() {
    let state = state().await;
    for i in 0..20 {
        let res = sign_in(&state, &format!("guess{i}"), "wrong guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let res = sign_in(&state, "admin", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let state = state().await;
    let cookie = session_cookie(&sign_in(&state, "admin", PASSWORD).await).unwrap();
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
    let cookie = session_cookie(&sign_in(&state, "gp", PASSWORD).await).unwrap();
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

    let res = app(state)
        .oneshot(form("username=gp&password=wrong&next=%2Ftasks"))
        .await
        .unwrap();
    assert!(res.status().is_redirection());
    assert_eq!(
        res.headers()[header::LOCATION],
        "/login?error=credentials&next=/tasks"
    );
    assert!(session_cookie(&res).is_none());
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
                    let cookie = session_cookie(&sign_in(&state, "gp", PASSWORD).await).unwrap();
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
        let cookie = session_cookie(&sign_in(&state, user, PASSWORD).await).unwrap();
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
    assert!(html.contains("This screen needs a display link"));
    assert!(!html.contains("Sign out"));
}
