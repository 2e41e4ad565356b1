//! The presence relay between servers sharing a database: UDP datagrams
//! carrying what each server's pages have open (staff names, patient ids),
//! sealed with XChaCha20-Poly1305 under a key derived from the cluster
//! secret in the database: unreadable and unforgeable on the wire. Each
//! server numbers its datagrams; a receiver accepts from each server only
//! numbers higher than any it has seen (so a captured datagram cannot be
//! replayed), and only datagrams sent in the last `MAX_AGE_MS`.

use super::*;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

#[derive(Serialize, Deserialize)]
pub(super) struct RelayMessage {
    pub(super) node: String,
    pub(super) seq: u64,
    pub(super) sent_ms: i64,
    pub(super) entries: Vec<RelayEntry>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct RelayEntry {
    pub(super) practice: String,
    pub(super) place: Place,
    /// This server's people on the page (empty: none any more).
    pub(super) people: Vec<PresentPerson>,
}

/// Where the relay listens and what address others should use.
#[derive(Clone, Debug)]
pub struct RelayConfig {
    pub bind: SocketAddr,
    /// The address other servers send to; defaults to the bound one.
    pub advertise: Option<String>,
}

impl Default for RelayConfig {
    fn default() -> Self {
        RelayConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            advertise: None,
        }
    }
}

pub(super) struct Relay {
    pub(super) socket: UdpSocket,
    pub(super) key: RelayKey,
    pub(super) peers: Mutex<Vec<SocketAddr>>,
    pub(super) seq: AtomicU64,
}

/// The relay's sealing key, derived from the cluster secret.
pub(super) struct RelayKey(XChaCha20Poly1305);

/// Bound into every sealed datagram: a datagram of another protocol or
/// version does not open.
const AAD: &[u8] = b"openpractice presence relay v2";
const NONCE_LEN: usize = 24;

impl RelayKey {
    pub(super) fn derive(secret: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update(b"openpractice presence relay key\0");
        h.update(secret);
        let key: [u8; 32] = h.finalize().into();
        RelayKey(XChaCha20Poly1305::new(&key.into()))
    }

    /// nonce ‖ ciphertext-and-tag.
    pub(super) fn seal(&self, body: &[u8]) -> Option<Vec<u8>> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let sealed = self
            .0
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: body,
                    aad: AAD,
                },
            )
            .ok()?;
        let mut datagram = nonce.to_vec();
        datagram.extend_from_slice(&sealed);
        Some(datagram)
    }

    /// The message in a datagram, if it opens with our key and is fresh.
    pub(super) fn open(&self, datagram: &[u8]) -> Option<RelayMessage> {
        if datagram.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = datagram.split_at(NONCE_LEN);
        let body = self
            .0
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: AAD,
                },
            )
            .ok()?;
        let message: RelayMessage = serde_json::from_slice(&body).ok()?;
        if (now_ms() - message.sent_ms).abs() > MAX_AGE_MS {
            return None;
        }
        Some(message)
    }
}

impl Relay {
    /// Sends `entries` to every peer, in datagrams within the budget.
    pub(super) async fn send(&self, node: &str, entries: Vec<RelayEntry>) {
        let peers = self.peers.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if peers.is_empty() || entries.is_empty() {
            return;
        }
        let mut chunk: Vec<RelayEntry> = Vec::new();
        let mut size = 0;
        let mut chunks = Vec::new();
        for e in entries {
            let len = serde_json::to_vec(&e).map(|v| v.len()).unwrap_or(0);
            if size + len > DATAGRAM_BUDGET && !chunk.is_empty() {
                chunks.push(std::mem::take(&mut chunk));
                size = 0;
            }
            size += len;
            chunk.push(e);
        }
        chunks.push(chunk);
        for entries in chunks {
            let message = RelayMessage {
                node: node.to_string(),
                seq: self.seq.fetch_add(1, Ordering::Relaxed),
                sent_ms: now_ms(),
                entries,
            };
            let Ok(body) = serde_json::to_vec(&message) else {
                continue;
            };
            let Some(datagram) = self.key.seal(&body) else {
                continue;
            };
            for peer in &peers {
                if let Err(e) = self.socket.send_to(&datagram, peer).await {
                    tracing::debug!(error = %e, %peer, "presence relay send failed");
                }
            }
        }
    }
}

pub(super) async fn run_relay(
    presence: Weak<Presence>,
    store: Store,
    config: RelayConfig,
    mut dirty: mpsc::Receiver<Key>,
    halt: Arc<tokio::sync::Notify>,
) -> anyhow::Result<()> {
    let socket = UdpSocket::bind(config.bind).await?;
    let bound = socket.local_addr()?;
    let advertise = config
        .advertise
        .clone()
        .unwrap_or_else(|| bound.to_string());
    let key = loop {
        match store.cluster_secret().await {
            Ok(k) => break RelayKey::derive(k.as_bytes()),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the presence relay key; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                if presence.strong_count() == 0 {
                    return Ok(());
                }
            }
        }
    };
    let node = match presence.upgrade() {
        Some(p) => p.node.clone(),
        None => return Ok(()),
    };
    let relay = Arc::new(Relay {
        socket,
        key,
        peers: Mutex::new(Vec::new()),
        seq: AtomicU64::new(1),
    });
    tracing::info!(%advertise, "presence relay listening");

    // Receive.
    let receiver = {
        let relay = relay.clone();
        let presence = presence.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let Ok((n, _from)) = relay.socket.recv_from(&mut buf).await else {
                    continue;
                };
                let Some(p) = presence.upgrade() else { return };
                if p.stopped.load(Ordering::Relaxed) {
                    continue;
                }
                match relay.key.open(&buf[..n]) {
                    Some(message) => p.receive(message),
                    None => tracing::debug!(
                        "ignored a presence datagram that did not open or was stale"
                    ),
                }
            }
        })
    };

    let mut announce = tokio::time::interval(ANNOUNCE_EVERY);
    let mut full = tokio::time::interval(FULL_STATE_EVERY);
    loop {
        tokio::select! {
            _ = halt.notified() => {
                // Send what is queued (the goodbye), then leave the cluster.
                if let Some(p) = presence.upgrade() {
                    let mut keys: HashSet<Key> = HashSet::new();
                    while let Ok(k) = dirty.try_recv() {
                        keys.insert(k);
                    }
                    let entries = p.entries(keys);
                    drop(p);
                    relay.send(&node, entries).await;
                }
                let _ = store.forget_node(&node).await;
                break;
            }
            _ = announce.tick() => {
                let Some(p) = presence.upgrade() else { break };
                if p.stopped.load(Ordering::Relaxed) {
                    let _ = store.forget_node(&node).await;
                    break;
                }
                drop(p);
                if let Err(e) = store.announce_node(&node, &advertise).await {
                    tracing::warn!(error = %e, "cannot announce this server's presence relay");
                }
                match store.live_nodes(&node, NODE_SILENCE_SECS).await {
                    Ok(nodes) => {
                        let addrs: Vec<SocketAddr> = nodes
                            .iter()
                            .filter_map(|n| n.address.parse().ok())
                            .collect();
                        *relay.peers.lock().unwrap_or_else(|p| p.into_inner()) = addrs;
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot list the other servers"),
                }
            }
            _ = full.tick() => {
                let Some(p) = presence.upgrade() else { break };
                if p.stopped.load(Ordering::Relaxed) {
                    continue;
                }
                let entries = p.local_snapshot();
                drop(p);
                relay.send(&node, entries).await;
            }
            key = dirty.recv() => {
                let Some(key) = key else { break };
                let Some(p) = presence.upgrade() else { break };
                // Coalesce everything already queued.
                let mut keys: HashSet<Key> = HashSet::from([key]);
                while let Ok(k) = dirty.try_recv() {
                    keys.insert(k);
                }
                let entries = p.entries(keys);
                drop(p);
                relay.send(&node, entries).await;
            }
        }
    }
    receiver.abort();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(seq: u64, sent_ms: i64) -> RelayMessage {
        RelayMessage {
            node: "n1".into(),
            seq,
            sent_ms,
            entries: vec![RelayEntry {
                practice: "p1".into(),
                place: Place::Patient {
                    id: "patient-42".into(),
                },
                people: vec![PresentPerson {
                    name: "Dr Ann Carter".into(),
                    staff_id: "s1".into(),
                    editing: true,
                }],
            }],
        }
    }

    #[test]
    pub(super) fn relay_datagrams_are_sealed_and_fresh() {
        let key = RelayKey::derive(b"a shared cluster key");
        let body = serde_json::to_vec(&message(1, now_ms())).unwrap();
        let datagram = key.seal(&body).unwrap();
        // Unreadable on the wire: neither names nor ids appear.
        let wire = String::from_utf8_lossy(&datagram);
        for secret in ["Ann Carter", "patient-42", "p1", "editing"] {
            assert!(!wire.contains(secret), "{secret} readable on the wire");
        }
        assert!(key.open(&datagram).is_some());
        assert!(
            RelayKey::derive(b"another key").open(&datagram).is_none(),
            "wrong key"
        );
        let mut forged = datagram.clone();
        let last = forged.len() - 2;
        forged[last] ^= 1;
        assert!(key.open(&forged).is_none(), "tampered");
        // An old plain signed datagram (the previous protocol) does not open.
        assert!(key.open(&body).is_none());
        let stale = serde_json::to_vec(&message(2, now_ms() - 60_000)).unwrap();
        assert!(key.open(&key.seal(&stale).unwrap()).is_none(), "stale");
    }
}
