//! Property tests of the server function door (the socket door's are in
//! `fuzz_sockets.rs`): random, spoilt and cut-short arguments. Whatever
//! arrives: never a panic, never a 500; a refusal is a 4xx whose
//! body the client can turn into words (an `AppError`), and a refused
//! request writes nothing (a refused look at a record is audited, by
//! design, and a sign-in attempt or a password change's check of the
//! current password is counted, by design: nothing else).
//!
//! `OP_FUZZ_CASES` runs more cases than the default.

mod common;

use app::AppError;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::calls::*;
use common::fuzz::{junk, runner};
use common::*;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value;

const HOST: &str = "127.0.0.1:3000";

/// How a request's arguments are spoilt.
#[derive(Clone, Debug)]
enum Spoil {
    /// Bytes that are not a form or JSON at all.
    Bytes(Vec<u8>),
    /// One field (by position, among the nested ones too) given junk.
    Field(usize, Value),
    /// One field left out.
    Drop(usize),
    /// A field nobody asked for.
    Extra(String, Value),
    /// The body cut short.
    Cut(usize),
    /// A form sent as JSON, or JSON as a form.
    OtherEncoding,
}

fn spoil() -> impl Strategy<Value = Spoil> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200).prop_map(Spoil::Bytes),
        (any::<usize>(), junk()).prop_map(|(i, v)| Spoil::Field(i, v)),
        (any::<usize>(), junk()).prop_map(|(i, v)| Spoil::Field(i, v)),
        any::<usize>().prop_map(Spoil::Drop),
        ("[a-z_\\[\\]]{1,12}", junk()).prop_map(|(k, v)| Spoil::Extra(k, v)),
        any::<usize>().prop_map(Spoil::Cut),
        Just(Spoil::OtherEncoding),
    ]
}

/// The paths of every leaf field of `v` ("form", "given_name"…).
fn fields(v: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if let Value::Object(m) = v {
        for (k, child) in m {
            prefix.push(k.clone());
            if child.is_object() {
                fields(child, prefix, out);
            }
            out.push(prefix.clone());
            prefix.pop();
        }
    }
}

fn at<'a>(v: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, k| v.get_mut(k))
}

/// The request body (content type, bytes) for `call` spoilt by `how`.
fn spoilt(call: &Call, how: &Spoil) -> (&'static str, Vec<u8>) {
    let encode = |v: &Value, json: bool| -> (&'static str, Vec<u8>) {
        if json {
            ("application/json", v.to_string().into_bytes())
        } else {
            (
                "application/x-www-form-urlencoded",
                serde_qs::to_string(v).unwrap_or_default().into_bytes(),
            )
        }
    };
    let mut body = call.body.clone();
    let mut paths = Vec::new();
    fields(&body, &mut Vec::new(), &mut paths);
    let pick = |i: usize| (!paths.is_empty()).then(|| paths[i % paths.len()].clone());
    match how {
        Spoil::Bytes(b) => (
            if call.json {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            },
            b.clone(),
        ),
        Spoil::Field(i, v) => {
            if let Some(p) = pick(*i) {
                if let Some(slot) = at(&mut body, &p) {
                    *slot = v.clone();
                }
            }
            encode(&body, call.json)
        }
        Spoil::Drop(i) => {
            if let Some(p) = pick(*i) {
                let (last, parent) = p.split_last().unwrap();
                if let Some(Value::Object(m)) = at(&mut body, parent) {
                    m.remove(last);
                }
            }
            encode(&body, call.json)
        }
        Spoil::Extra(k, v) => {
            if let Value::Object(m) = &mut body {
                m.insert(k.clone(), v.clone());
            }
            encode(&body, call.json)
        }
        Spoil::Cut(n) => {
            let (ct, bytes) = encode(&body, call.json);
            let n = if bytes.is_empty() { 0 } else { n % bytes.len() };
            (ct, bytes[..n].to_vec())
        }
        Spoil::OtherEncoding => encode(&body, !call.json),
    }
}

/// The database without what a refusal may write by design.
fn written(everything: &str, status: StatusCode) -> String {
    let by_design: &[&str] = match status {
        // A refused look at a record, or a refused role, is audited.
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => &["audit_event:", "audit_head:"],
        _ => &[],
    };
    let kept = everything
        .lines()
        .filter(|l| !by_design.iter().any(|t| l.starts_with(t)))
        .collect::<Vec<_>>()
        .join("\n");
    // Any request of a signed-in person is their activity: it keeps their
    // session from going idle (at most once a minute).
    let mut out = String::new();
    let mut rest = kept.as_str();
    const SEEN: &str = "\"last_seen\": Datetime(Datetime(";
    while let Some(i) = rest.find(SEEN) {
        out.push_str(&rest[..i + SEEN.len()]);
        rest = &rest[i + SEEN.len()..];
        rest = &rest[rest.find(')').unwrap_or(0)..];
    }
    out.push_str(rest);
    out
}

/// Where two dumps first differ, with some context.
fn difference(a: &str, b: &str) -> String {
    let at = a
        .bytes()
        .zip(b.bytes())
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let window = |s: &str| {
        let mut from = at.saturating_sub(300);
        while !s.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (at + 300).min(s.len());
        while !s.is_char_boundary(to) {
            to += 1;
        }
        s[from..to].to_string()
    };
    format!("before: …{}…\nafter:  …{}…", window(a), window(b))
}

#[test]
fn spoilt_server_function_arguments_get_a_clear_refusal_and_write_nothing() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (w, state, calls, cookies) = rt.block_on(async {
        let w = world().await;
        let ours = objects(&w, &w.ours).await;
        let theirs = objects(&w, &w.theirs).await;
        let state = state(&w.store);
        let mut cookies = Vec::new();
        for role in ["reception", "gp", "admin"] {
            cookies.push(sign_in(&state, HOST, role).await);
        }
        let calls = calls(&w, &ours, &theirs, w.ours.staff_id("reception"));
        (w, state, calls, cookies)
    });
    let last = std::cell::RefCell::new(Some(
        rt.block_on(store::fixtures::everything(&w.store)).unwrap(),
    ));
    let strategy = (0..calls.len(), 0..cookies.len(), spoil());
    let served = std::cell::RefCell::new([0usize; 6]);
    let result = runner(160).run(&strategy, |(which, who, how)| {
        let call = &calls[which];
        let (content_type, body) = spoilt(call, &how);
        // Signing in and out are tried without a session, so the others
        // keep theirs.
        let cookie = (!matches!(call.name, "sign_in" | "sign_out")).then(|| cookies[who].as_str());
        let mut req = Request::post(format!("/api/{}", call.name))
            .header(header::HOST, HOST)
            .header(header::ORIGIN, format!("http://{HOST}"))
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        let mut req = req.body(Body::from(body)).unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [10, 0, 0, 1],
                40000,
            ))));
        // The database as the previous case left it (one dump per case).
        let before = last.borrow_mut().take().unwrap();
        let (status, text, after) = rt.block_on(async {
            let (status, text) = respond(&state, req).await;
            let after = store::fixtures::everything(&w.store).await.unwrap();
            (status, text, after)
        });
        *last.borrow_mut() = Some(after.clone());
        let what = format!("{} {how:?} → {status} {text}", call.name);
        prop_assert!(status.is_success() || status.is_client_error(), "{what}");
        served.borrow_mut()[(status.as_u16() / 100) as usize] += 1;
        if status.is_client_error() {
            prop_assert!(
                serde_json::from_str::<AppError>(&text).is_ok(),
                "a refusal the client cannot put in words: {what}"
            );
            // A sign-in, and a password change's check of the current
            // password, count the attempt (and audit a failure) by design.
            if !matches!(call.name, "sign_in" | "change_password") {
                let (before, after) = (written(&before, status), written(&after, status));
                prop_assert!(
                    before == after,
                    "a refused request wrote: {what}\n{}",
                    difference(&before, &after)
                );
            }
        }
        Ok::<(), TestCaseError>(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let served = served.into_inner();
    assert!(
        served[2] > 0 && served[4] > 0,
        "some spoilt requests are still valid, most are refused: {served:?}"
    );
}

/// Deterministic, beside the random cases: every call's arguments cut
/// short at every byte (a dropped connection, a truncated form), as
/// reception and as admin: always a 4xx the page can put in words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_argument_list_cut_short_is_refused_in_words() {
    let w = world().await;
    let ours = objects(&w, &w.ours).await;
    let theirs = objects(&w, &w.theirs).await;
    let state = state(&w.store);
    let calls = calls(&w, &ours, &theirs, w.ours.staff_id("reception"));
    let mut tried = 0;
    let mut failures = Vec::new();
    for role in ["reception", "admin"] {
        let cookie = sign_in(&state, HOST, role).await;
        for call in calls
            .iter()
            .filter(|c| !matches!(c.name, "sign_in" | "sign_out"))
        {
            let (content_type, full) = if call.json {
                ("application/json", call.body.to_string())
            } else {
                ("application/x-www-form-urlencoded", form_body(&call.body))
            };
            for n in (0..full.len()).filter(|&n| full.is_char_boundary(n)) {
                let req = post(
                    &format!("/api/{}", call.name),
                    HOST,
                    content_type,
                    full[..n].to_string(),
                    Some(&cookie),
                );
                let (status, text) = respond(&state, req).await;
                tried += 1;
                if !(status.is_client_error() || status.is_success()) {
                    failures.push(format!(
                        "{role} {} {} cut to {:?}: {status} {text}",
                        call.name,
                        call.obj,
                        &full[..n]
                    ));
                    continue;
                }
                if status.is_client_error() {
                    assert!(
                        serde_json::from_str::<AppError>(&text).is_ok(),
                        "{role} {} cut to {:?}: {text}",
                        call.name,
                        &full[..n]
                    );
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(tried > 1000, "{tried}");
}
