//! The live protocol's numbers, shared by the server and the browser so
//! the two cannot drift: close codes, message sizes, heartbeats, limits.

use std::time::Duration;

/// The largest client message the server accepts, in bytes.
pub const MAX_CLIENT_MESSAGE: usize = 4 * 1024;

/// Close code: the client fell behind; reconnect and catch up from its `seq`.
pub const CLOSE_RESYNC: u16 = 4000;
/// Close code: the session (or display link) ended; do not reconnect.
pub const CLOSE_SIGNED_OUT: u16 = 4401;
/// Close code: the client sent messages faster than any page does;
/// reconnect after the usual backoff.
pub const CLOSE_TOO_MANY_MESSAGES: u16 = 4429;

/// Lists one connection may watch at once (a page watches two or three;
/// one tab holds one connection).
pub const MAX_TOPICS_PER_SOCKET: usize = 16;
/// Pages one connection may say it has open at once.
pub const MAX_PLACES_PER_SOCKET: usize = 8;
/// Client messages per connection: a burst of this many, then
/// `MESSAGES_PER_SECOND` sustained (a page sends a heartbeat every 1.5 s
/// and a few subscriptions on reconnecting).
pub const MESSAGE_BURST: u32 = 60;
pub const MESSAGES_PER_SECOND: u32 = 10;
/// Open connections per session (tabs), and per call-screen link.
pub const MAX_SOCKETS_PER_SESSION: usize = 12;
pub const MAX_SOCKETS_PER_DISPLAY_LINK: usize = 8;

/// The server pings each socket this often.
pub const SERVER_PING_EVERY: Duration = Duration::from_secs(20);
/// Silence from a client for longer than this means it is gone.
pub const SERVER_SILENCE_LIMIT: Duration = Duration::from_secs(60);
/// How often a socket's session (or display link) is re-checked.
pub const RECHECK_EVERY: Duration = Duration::from_secs(15);
/// More missed events than this and a reconnecting client gets a fresh
/// snapshot instead of the changes.
pub const CATCH_UP_LIMIT: usize = 1000;
/// Calls shown on the waiting-room call screen.
pub const CALLS_SHOWN: usize = 8;
/// Reports an inbox (or the pool) sends at a time: a screenful and more,
/// never a clinician's whole backlog (2,000 rows took ~300 ms to read).
pub const RESULTS_SHOWN: usize = 100;
/// Overdue results the practice's overdue view shows, oldest first.
pub const OVERDUE_SHOWN: usize = 200;

/// The browser pings the server this often; no message for longer than
/// `CLIENT_DEAD_AFTER` means the connection is dead even if the browser
/// has not noticed.
pub const CLIENT_PING_EVERY: Duration = Duration::from_secs(15);
pub const CLIENT_DEAD_AFTER: Duration = Duration::from_secs(40);
/// Reconnect backoff: the first wait, doubling to the longest, each with
/// ±50% jitter.
pub const RECONNECT_FIRST: Duration = Duration::from_millis(500);
pub const RECONNECT_LONGEST: Duration = Duration::from_secs(30);

/// How often a page re-announces that it is still open, in milliseconds.
pub const PRESENCE_HEARTBEAT_MS: u32 = 1_500;
/// Silence after which a page counts as gone (its connection was lost), in
/// milliseconds. With the sweep and the relay between servers, a person
/// disappears from colleagues' pages within 5 s.
pub const PRESENCE_TTL_MS: u64 = 3_500;
