//! Presence ("Also here") through real sockets: who joins, edits, leaves
//! and times out, across servers, and a dead server takes its people.

mod common;

use common::*;
use domain::live::{ClientMessage, Place, ServerMessage};
use std::time::Duration;

async fn here(ws: &mut Ws, place: &domain::live::Place, editing: bool) {
    send(
        ws,
        &ClientMessage::Here {
            place: place.clone(),
            editing,
        },
    )
    .await;
}

/// Waits (re-announcing `ws` every second) for a presence list on `place`
/// that satisfies `want`; returns it and when it came.
async fn presence_until(
    ws: &mut Ws,
    place: &domain::live::Place,
    wait: Duration,
    want: impl Fn(&[domain::live::PresentPerson]) -> bool,
) -> Option<(Vec<domain::live::PresentPerson>, std::time::Instant)> {
    let deadline = std::time::Instant::now() + wait;
    let mut last_here = std::time::Instant::now();
    while std::time::Instant::now() < deadline {
        if last_here.elapsed() > Duration::from_secs(1) {
            here(ws, place, false).await;
            last_here = std::time::Instant::now();
        }
        if let Some(ServerMessage::Presence { place: p, people }) =
            next(ws, Duration::from_millis(300)).await
        {
            if &p == place && want(&people) {
                return Some((people, std::time::Instant::now()));
            }
        }
    }
    None
}

fn names(people: &[domain::live::PresentPerson]) -> Vec<(String, bool)> {
    people.iter().map(|p| (p.name.clone(), p.editing)).collect()
}

/// Keeps a page open (heartbeats) until told to stop; then just goes
/// silent, as a tablet that lost its connection does, keeping the socket.
fn keep_here(mut ws: Ws, place: domain::live::Place) -> tokio::sync::oneshot::Sender<()> {
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        loop {
            here(&mut ws, &place, false).await;
            tokio::select! {
                _ = &mut stopped => break,
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
        // Silent but connected for a while.
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(ws);
    });
    stop
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_shows_who_joins_edits_leaves_and_times_out() {
    let w = world().await;
    let state = state(&w.store);
    let addr = serve(state.clone()).await;
    let place = presence_task(&w).await;
    let a = sign_in(&state, &addr, "admin").await;
    let b = sign_in(&state, &addr, "reception").await;
    let c = sign_in(&state, &addr, "gp").await;

    let mut a_ws = staff_socket(&addr, &a).await;
    here(&mut a_ws, &place, false).await;
    let (people, _) = presence_until(&mut a_ws, &place, Duration::from_secs(2), |_| true)
        .await
        .expect("A is told who is there");
    assert!(people.is_empty(), "A does not see itself: {people:?}");

    // B joins: each sees the other.
    let mut b_ws = staff_socket(&addr, &b).await;
    here(&mut b_ws, &place, false).await;
    let (b_sees, _) = presence_until(&mut b_ws, &place, Duration::from_secs(2), |_| true)
        .await
        .unwrap();
    assert_eq!(names(&b_sees), [("Eve Morgan".to_string(), false)]);
    presence_until(&mut a_ws, &place, Duration::from_secs(2), |p| {
        names(p) == [("Dee Patel".to_string(), false)]
    })
    .await
    .expect("A sees B join");

    // B starts editing, then leaves the page.
    here(&mut b_ws, &place, true).await;
    presence_until(&mut a_ws, &place, Duration::from_secs(2), |p| {
        names(p) == [("Dee Patel".to_string(), true)]
    })
    .await
    .expect("A sees B editing");
    send(
        &mut b_ws,
        &ClientMessage::Away {
            place: place.clone(),
        },
    )
    .await;
    presence_until(&mut a_ws, &place, Duration::from_secs(2), |p| p.is_empty())
        .await
        .expect("A sees B leave");

    // C joins, then loses the connection without closing it: gone within 5 s.
    let mut c_ws = staff_socket(&addr, &c).await;
    here(&mut c_ws, &place, false).await;
    presence_until(&mut a_ws, &place, Duration::from_secs(2), |p| {
        names(p) == [("Dr Ann Carter".to_string(), false)]
    })
    .await
    .expect("A sees C join");
    let silent_from = std::time::Instant::now();
    let (_, gone_at) = presence_until(&mut a_ws, &place, Duration::from_secs(8), |p| p.is_empty())
        .await
        .expect("C times out");
    let took = gone_at - silent_from;
    assert!(took <= Duration::from_secs(5), "C vanished after {took:?}");
    assert!(
        took >= Duration::from_secs(2),
        "C vanished too early ({took:?}): heartbeats would flicker"
    );

    // B comes back and closes the socket: gone at once.
    let mut b_ws = staff_socket(&addr, &b).await;
    here(&mut b_ws, &place, false).await;
    presence_until(&mut a_ws, &place, Duration::from_secs(2), |p| p.len() == 1)
        .await
        .unwrap();
    b_ws.close(None).await.unwrap();
    presence_until(&mut a_ws, &place, Duration::from_secs(1), |p| p.is_empty())
        .await
        .expect("B's closed socket leaves at once");

    // Another practice cannot be present on (or learn about) our task.
    let intruder = sign_in(&state, &addr, "o-admin").await;
    let mut x_ws = staff_socket(&addr, &intruder).await;
    here(&mut x_ws, &place, false).await;
    match next(&mut x_ws, Duration::from_secs(2)).await {
        Some(ServerMessage::PresenceRefused { message, .. }) => assert_eq!(message, "Not found."),
        other => panic!("expected a refusal, got {other:?}"),
    }
    // And A never saw them.
    assert!(
        presence_until(&mut a_ws, &place, Duration::from_millis(600), |p| !p
            .is_empty())
        .await
        .is_none()
    );
    // A patient's page works the same way, and is as private.
    let patient = Place::Patient {
        id: w.ours.patient_ids[1].clone(),
    };
    here(&mut a_ws, &patient, false).await;
    let mut b_ws = staff_socket(&addr, &b).await;
    here(&mut b_ws, &patient, false).await;
    presence_until(&mut a_ws, &patient, Duration::from_secs(2), |p| {
        names(p) == [("Dee Patel".to_string(), false)]
    })
    .await
    .expect("A sees B on the patient's page");
    here(&mut x_ws, &patient, false).await;
    match next(&mut x_ws, Duration::from_secs(2)).await {
        Some(ServerMessage::PresenceRefused { message, .. }) => assert_eq!(message, "Not found."),
        other => panic!("expected a refusal, got {other:?}"),
    }
    drop(c_ws);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_crosses_servers_and_a_dead_server_takes_its_people_with_it() {
    let w = world().await;
    // Two servers sharing one database, relaying presence to each other.
    let one = state(&w.store);
    let two = state(&w.store);
    let one_addr = serve(one.clone()).await;
    let two_addr = serve(two.clone()).await;
    let place = presence_task(&w).await;
    let a = sign_in(&one, &one_addr, "admin").await;
    let b = sign_in(&two, &two_addr, "reception").await;
    let mut a_ws = staff_socket(&one_addr, &a).await;
    here(&mut a_ws, &place, false).await;
    let mut b_ws = staff_socket(&two_addr, &b).await;
    here(&mut b_ws, &place, false).await;
    // The servers find each other within a couple of seconds of starting.
    presence_until(&mut a_ws, &place, Duration::from_secs(6), |p| {
        names(p) == [("Dee Patel".to_string(), false)]
    })
    .await
    .expect("A (server one) sees B (server two)");
    presence_until(&mut b_ws, &place, Duration::from_secs(3), |p| {
        names(p) == [("Eve Morgan".to_string(), false)]
    })
    .await
    .expect("B (server two) sees A (server one)");

    // B leaves: server one hears at once.
    send(
        &mut b_ws,
        &ClientMessage::Away {
            place: place.clone(),
        },
    )
    .await;
    presence_until(&mut a_ws, &place, Duration::from_secs(1), |p| p.is_empty())
        .await
        .expect("B's leaving crosses servers");

    // B is back (kept alive); then server two dies without a word.
    here(&mut b_ws, &place, false).await;
    let stop_b = keep_here(b_ws, place.clone());
    presence_until(&mut a_ws, &place, Duration::from_secs(3), |p| p.len() == 1)
        .await
        .unwrap();
    two.hub.presence().stop(false);
    let died = std::time::Instant::now();
    let (_, gone_at) = presence_until(&mut a_ws, &place, Duration::from_secs(8), |p| p.is_empty())
        .await
        .expect("a dead server's people disappear");
    assert!(
        gone_at - died <= Duration::from_secs(5),
        "took {:?}",
        gone_at - died
    );
    let _ = stop_b.send(());
}
