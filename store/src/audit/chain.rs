//! The audit chain: each row's hash covers the row and the hash before it.
//! Rows written since the chain was keyed are HMAC-SHA-256 with a key kept
//! outside the database (`key.rs`), so someone with only database access
//! can neither rewrite a row and re-link the rest nor forge new ones; rows
//! from before that are plain SHA-256 (`alg` none).

use super::{AuditKey, AuditRow, GENESIS, ROW_FIELDS};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use surrealdb::types::{Datetime, SurrealValue};

/// The `alg` of a keyed row.
pub const HMAC_SHA256: &str = "hmac-sha256";

/// The fields a row's hash covers.
#[derive(Clone, Copy, Debug)]
pub struct Linked<'a> {
    pub prev: &'a str,
    pub seq: i64,
    pub at: &'a DateTime<Utc>,
    pub practice: Option<&'a str>,
    pub staff: Option<&'a str>,
    pub role: Option<&'a str>,
    pub action: &'a str,
    pub patient: Option<&'a str>,
    pub address: Option<&'a str>,
    pub outcome: &'a str,
}

impl Linked<'_> {
    /// The row as an unambiguous JSON array (what is hashed).
    fn body(&self) -> String {
        serde_json::json!([
            self.prev,
            self.seq,
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            self.practice,
            self.staff,
            self.role,
            self.action,
            self.patient,
            self.address,
            self.outcome
        ])
        .to_string()
    }

    /// Plain SHA-256 (rows from before the chain was keyed).
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(self.body().as_bytes()))
    }

    /// HMAC-SHA-256 with the audit key.
    pub fn hmac(&self, key: &AuditKey) -> String {
        // HMAC takes a key of any length; `new_from_slice` cannot fail.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.bytes()) else {
            return String::new();
        };
        mac.update(self.body().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Where the chain is broken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainBreak {
    /// Row `seq`'s contents do not match its hash: it was changed (or the
    /// key is not the one the chain was written with).
    Altered { seq: i64 },
    /// Row `seq` does not follow the row before it: a row before it was
    /// removed, or it was re-linked.
    Unlinked { seq: i64 },
    /// Row `seq` was written after the chain was keyed but carries a plain
    /// hash: forged by someone without the key.
    Unkeyed { seq: i64 },
    /// The chain ends before an entry known to have been written (the head,
    /// the key's start, or a head recorded outside the database).
    Truncated { expected_last: i64, found_last: i64 },
    /// There are entries but no head, or the head does not name the last
    /// entry's hash.
    HeadMissing { found_last: i64 },
    /// The entry a head recorded outside the database names has a
    /// different hash: the chain was rewritten from there.
    NotTheRecordedHead { seq: i64 },
}

/// The chain head as recorded outside the database (the log prints it), for
/// `verify-audit --expect-head SEQ:HASH`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedHead {
    pub seq: i64,
    pub hash: String,
}

impl std::str::FromStr for RecordedHead {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (seq, hash) = s
            .split_once(':')
            .ok_or("expected SEQ:HASH, as the server log prints the audit head")?;
        let seq: i64 = seq
            .trim()
            .parse()
            .map_err(|_| format!("\"{seq:.20}\" is not an entry number"))?;
        let hash = hash.trim().to_ascii_lowercase();
        if seq < 1 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(
                "expected SEQ:HASH with a positive entry number and a 64-digit hex hash".into(),
            );
        }
        Ok(Self { seq, hash })
    }
}

#[derive(SurrealValue)]
pub(crate) struct Head {
    pub seq: i64,
    pub hash: String,
}

fn to_utc(d: &Datetime) -> DateTime<Utc> {
    DateTime::<Utc>::from(*d)
}

impl Store {
    /// The chain head (the last entry's number and hash), if any entry was written.
    pub async fn audit_head(&self) -> Result<Option<RecordedHead>, StoreError> {
        let head: Option<Head> = self
            .db()
            .query("SELECT seq, hash FROM ONLY audit_head:chain")
            .await?
            .check()?
            .take(0)?;
        Ok(head.map(|h| RecordedHead {
            seq: h.seq,
            hash: h.hash,
        }))
    }

    /// Checks the whole chain; `Ok(n)` when all `n` rows link up.
    pub async fn verify_audit(&self) -> Result<Result<i64, ChainBreak>, StoreError> {
        self.verify_audit_against(None).await
    }

    /// Checks the whole chain, and that it still holds `recorded` (a head
    /// printed to the log earlier), so removing the newest entries and
    /// resetting the head in the database is found too.
    pub async fn verify_audit_against(
        &self,
        recorded: Option<&RecordedHead>,
    ) -> Result<Result<i64, ChainBreak>, StoreError> {
        let key = self.audit_key();
        let mut prev_hash = GENESIS.to_string();
        let mut expected_seq = 1;
        let mut after = 0i64;
        loop {
            let mut res = self
                .db()
                .query(format!(
                    "SELECT {ROW_FIELDS} FROM audit_event WHERE seq > $after ORDER BY seq LIMIT 1000"
                ))
                .bind(("after", after))
                .await?
                .check()?;
            let rows: Vec<AuditRow> = res.take(0)?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                if r.seq != expected_seq || r.prev_hash.as_deref() != Some(prev_hash.as_str()) {
                    return Ok(Err(ChainBreak::Unlinked { seq: r.seq }));
                }
                let linked = Linked {
                    prev: &prev_hash,
                    seq: r.seq,
                    at: &to_utc(&r.at),
                    practice: r.practice.as_deref(),
                    staff: r.staff.as_deref(),
                    role: r.role.as_deref(),
                    action: &r.action,
                    patient: r.patient.as_deref(),
                    address: r.address.as_deref(),
                    outcome: &r.outcome,
                };
                let keyed = r.alg.as_deref() == Some(HMAC_SHA256);
                if r.seq >= key.keyed_from && !keyed {
                    return Ok(Err(ChainBreak::Unkeyed { seq: r.seq }));
                }
                let hash = if keyed {
                    linked.hmac(&key)
                } else {
                    linked.sha256()
                };
                if r.hash.as_deref() != Some(hash.as_str()) {
                    return Ok(Err(ChainBreak::Altered { seq: r.seq }));
                }
                if let Some(rec) = recorded.filter(|rec| rec.seq == r.seq) {
                    if rec.hash != hash {
                        return Ok(Err(ChainBreak::NotTheRecordedHead { seq: r.seq }));
                    }
                }
                prev_hash = hash;
                expected_seq += 1;
            }
            after = rows.last().map(|r| r.seq).unwrap_or(after);
        }
        let found_last = expected_seq - 1;
        let head = self.audit_head().await?;
        match head {
            Some(h) if h.seq > found_last => {
                return Ok(Err(ChainBreak::Truncated {
                    expected_last: h.seq,
                    found_last,
                }))
            }
            Some(h) if h.seq == found_last && h.hash == prev_hash => {}
            None if found_last == 0 => {}
            _ => return Ok(Err(ChainBreak::HeadMissing { found_last })),
        }
        // Entries known to exist from outside the database: those before
        // the key was made, and a head recorded in the log.
        let known = (key.keyed_from - 1).max(recorded.map_or(0, |r| r.seq));
        if found_last < known {
            return Ok(Err(ChainBreak::Truncated {
                expected_last: known,
                found_last,
            }));
        }
        Ok(Ok(found_last))
    }
}
