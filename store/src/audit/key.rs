//! The audit chain's key: HMAC-SHA-256 with a secret kept outside the
//! database, so someone with direct database access cannot rewrite the
//! chain so that it verifies. Kept in a file (by default beside the data
//! directory) that also says from which entry on the chain is keyed.
//! Never logged; `Debug` shows nothing of it.

use crate::{AuditKeySource, Store, StoreError};
use std::path::{Path, PathBuf};

/// The key, and the first entry it keys (entries before it were written
/// before the chain was keyed and are plain SHA-256).
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey {
    key: [u8; 32],
    pub keyed_from: i64,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey")
            .field("keyed_from", &self.keyed_from)
            .finish_non_exhaustive()
    }
}

impl AuditKey {
    /// A new random key for a chain whose next entry is `keyed_from`.
    pub fn generate(keyed_from: i64) -> Self {
        Self {
            key: rand::random(),
            keyed_from,
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.key
    }

    fn parse(text: &str) -> Result<Self, String> {
        let mut key = None;
        let mut keyed_from = None;
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.split_once('=') {
                Some(("key", v)) => {
                    let bytes = hex::decode(v.trim()).map_err(|_| "the key is not hex")?;
                    key = Some(
                        <[u8; 32]>::try_from(bytes.as_slice())
                            .map_err(|_| "the key is not 32 bytes")?,
                    );
                }
                Some(("keyed-from", v)) => {
                    keyed_from = Some(v.trim().parse().map_err(|_| "keyed-from is not a number")?)
                }
                _ => return Err(format!("unexpected line \"{line:.20}\"")),
            }
        }
        Ok(Self {
            key: key.ok_or("no key= line")?,
            keyed_from: keyed_from.ok_or("no keyed-from= line")?,
        })
    }

    fn render(&self) -> String {
        format!(
            "# OpenPractice audit key. Keep it secret and outside the database, and\n\
             # back it up with the database: without it the audit trail can be\n\
             # neither extended nor verified.\n\
             key={}\nkeyed-from={}\n",
            hex::encode(self.key),
            self.keyed_from
        )
    }

    /// Reads the key file.
    pub fn load(path: &Path) -> Result<Self, StoreError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            StoreError::Config(format!("cannot read the audit key {}: {e}", path.display()))
        })?;
        Self::parse(&text).map_err(|e| {
            StoreError::Config(format!(
                "the audit key {} is not valid: {e}",
                path.display()
            ))
        })
    }

    /// Writes a new key file (owner read/write only); refuses to replace one.
    pub fn create(path: &Path, keyed_from: i64) -> Result<Self, StoreError> {
        let key = Self::generate(keyed_from);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| {
            StoreError::Config(format!(
                "cannot create the audit key {}: {e}",
                path.display()
            ))
        })?;
        use std::io::Write;
        file.write_all(key.render().as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(|e| {
                StoreError::Config(format!(
                    "cannot write the audit key {}: {e}",
                    path.display()
                ))
            })?;
        Ok(key)
    }
}

/// The default key file for an embedded database in `data_dir`: beside
/// it, so a copy of the data directory alone does not carry the key.
pub fn key_file_beside(data_dir: &Path) -> PathBuf {
    let name = data_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".into());
    data_dir.with_file_name(format!("{name}.audit-key"))
}

impl Store {
    /// Loads (or for a new chain makes) the key; refuses to run without the
    /// key of a chain that has keyed entries, since nothing could then be
    /// audited or verified.
    pub(crate) async fn resolve_audit_key(
        &self,
        source: &AuditKeySource,
    ) -> Result<AuditKey, StoreError> {
        let next = self.audit_head().await?.map_or(1, |h| h.seq + 1);
        let keyed: Option<i64> = self
            .db()
            .query("SELECT VALUE seq FROM ONLY audit_event WHERE alg = $alg ORDER BY seq LIMIT 1")
            .bind(("alg", super::HMAC_SHA256))
            .await?
            .check()?
            .take(0)?;
        match source {
            AuditKeySource::File { path, .. } if path.exists() => {
                let key = AuditKey::load(path)?;
                if key.keyed_from > next {
                    tracing::error!(
                        keyed_from = key.keyed_from,
                        next,
                        "the audit trail is shorter than when its key was made: entries were removed \
                         (or the database was restored from an older backup); verify-audit will report it"
                    );
                }
                Ok(key)
            }
            _ if keyed.is_some() => Err(StoreError::Config(match source {
                AuditKeySource::File { path, .. } => format!(
                    "the audit trail is keyed but its key {} is missing: restore the key file from \
                     the backup taken with the database; nothing was started",
                    path.display()
                ),
                AuditKeySource::Generate => "the audit trail is keyed: give its key file \
                     with --audit-key-file"
                    .to_string(),
            })),
            AuditKeySource::Generate => Ok(AuditKey::generate(next)),
            AuditKeySource::File { path, create: true } => {
                let key = AuditKey::create(path, next)?;
                tracing::info!(file = %path.display(), keyed_from = next, "made a new audit key");
                Ok(key)
            }
            AuditKeySource::File {
                path,
                create: false,
            } => Err(StoreError::Config(format!(
                "no audit key at {}: make one once with `openpractice admin create-audit-key \
                 --audit-key-file {}` and give the same file to every server on this database",
                path.display(),
                path.display()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_round_trips_and_a_bad_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.key");
        let made = AuditKey::create(&path, 7).unwrap();
        assert_eq!(AuditKey::load(&path).unwrap(), made);
        assert!(AuditKey::create(&path, 1).is_err(), "never replaced");
        assert!(!format!("{made:?}").contains(&hex::encode(made.key)));
        assert_eq!(
            key_file_beside(Path::new("./data")),
            PathBuf::from("./data.audit-key")
        );
        assert_eq!(
            key_file_beside(Path::new("/var/op/db/")),
            PathBuf::from("/var/op/db.audit-key")
        );
        std::fs::write(&path, "key=abcd\nkeyed-from=1\n").unwrap();
        assert!(AuditKey::load(&path).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let other = dir.path().join("other.key");
            AuditKey::create(&other, 1).unwrap();
            let mode = std::fs::metadata(&other).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
