//! The messages that cross `/ws`, each way.

use super::{Rows, Topic};
use crate::results::InboxKey;
use serde::{Deserialize, Serialize};

/// A page people can be "also here" on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Place {
    Task { id: String },
    Patient { id: String },
}

/// Someone on a page, as presence shows them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PresentPerson {
    pub name: String,
    pub staff_id: String,
    /// Has unsaved edits on the page.
    pub editing: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Start watching `topic`. `since`: the last `seq` this client applied
    /// (after a reconnect), to get only what it missed.
    Subscribe {
        topic: Topic,
        since: Option<u64>,
    },
    Unsubscribe {
        topic: Topic,
    },
    /// "I have this page open" (again every `PRESENCE_HEARTBEAT_MS`), and
    /// whether I have unsaved edits there. Also starts watching who else is.
    Here {
        place: Place,
        editing: bool,
    },
    /// "I left this page."
    Away {
        place: Place,
    },
    /// Show the next window of a result list this socket watches: the
    /// reports after `after` (the list's horizon). Answered with `More`.
    ReadOn {
        topic: Topic,
        after: InboxKey,
    },
    Ping,
    /// A call screen's first message on `/ws/display`: which practice and
    /// the link's secret (kept out of every address, so out of proxy logs
    /// and browser history).
    Display {
        practice: String,
        key: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// Everything in the topic as of `seq`: replaces what the client had.
    Snapshot {
        topic: Topic,
        seq: u64,
        rows: Rows,
    },
    /// Rows that changed, up to and including `seq`: merge by version.
    Changes {
        topic: Topic,
        seq: u64,
        rows: Rows,
    },
    /// The next window of a result list, continuing from `after`: added
    /// to what the client holds if its list still ends at `after`
    /// (`Rows::read_on`); changes after it arrive as `Changes`.
    More {
        topic: Topic,
        after: InboxKey,
        rows: Rows,
    },
    /// Everyone else on `place` now (replaces the previous list).
    Presence {
        place: Place,
        people: Vec<PresentPerson>,
    },
    /// Presence on `place` was refused (not allowed, or not found).
    PresenceRefused {
        place: Place,
        message: String,
    },
    /// The subscription was refused (not allowed, or not valid).
    Refused {
        topic: Topic,
        message: String,
    },
    /// The practice's settings changed: read them again.
    SettingsChanged,
    Pong,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_tagged_json() {
        let m = ClientMessage::Subscribe {
            topic: Topic::WaitingRoom {
                date: "2026-11-21".into(),
            },
            since: Some(7),
        };
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            json,
            r#"{"type":"subscribe","topic":{"kind":"waiting_room","date":"2026-11-21"},"since":7}"#
        );
        assert_eq!(serde_json::from_str::<ClientMessage>(&json).unwrap(), m);
        assert!(serde_json::from_str::<ClientMessage>(r#"{"type":"drop_tables"}"#).is_err());
    }
}
