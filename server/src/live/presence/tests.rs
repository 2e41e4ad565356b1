use super::*;

fn from_n2(seq: u64, people: Vec<PresentPerson>) -> RelayMessage {
    RelayMessage {
        node: "n2".into(),
        seq,
        sent_ms: now_ms(),
        entries: vec![RelayEntry {
            practice: "p1".into(),
            place: Place::Patient { id: "x".into() },
            people,
        }],
    }
}

/// A datagram captured while a colleague was on a page, replayed after
/// they left, must not bring them back (nor an equal number be taken
/// twice).
#[tokio::test]
async fn a_replayed_datagram_is_ignored() {
    let store = Store::memory().await.unwrap();
    let presence = Presence::start(store, RelayConfig::default());
    let place = Place::Patient { id: "x".into() };
    let ann = PresentPerson {
        name: "Dr Ann Carter".into(),
        staff_id: "s1".into(),
        editing: false,
    };
    presence.receive(from_n2(5, vec![ann.clone()]));
    assert_eq!(presence.people("p1", &place), vec![ann.clone()]);
    presence.receive(from_n2(6, vec![]));
    assert!(presence.people("p1", &place).is_empty());
    presence.receive(from_n2(5, vec![ann.clone()]));
    assert!(presence.people("p1", &place).is_empty(), "replay of 5");
    presence.receive(from_n2(6, vec![ann.clone()]));
    assert!(presence.people("p1", &place).is_empty(), "a second 6");
    presence.receive(from_n2(7, vec![ann.clone()]));
    assert_eq!(presence.people("p1", &place), vec![ann]);
    presence.stop(false);
}
