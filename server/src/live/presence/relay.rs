//! The presence relay between servers sharing a database: signed UDP
//! datagrams carrying what each server's pages have open.

use super::*;

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
    pub(super) key: Vec<u8>,
    pub(super) peers: Mutex<Vec<SocketAddr>>,
    pub(super) seq: AtomicU64,
}

pub(super) fn sign(key: &[u8], body: &[u8]) -> Vec<u8> {
    // HMAC accepts a key of any length, so this never fails.
    match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(body);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => vec![0; TAG_LEN],
    }
}

pub(super) fn verify(key: &[u8], datagram: &[u8]) -> Option<RelayMessage> {
    if datagram.len() <= TAG_LEN {
        return None;
    }
    let (tag, body) = datagram.split_at(TAG_LEN);
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).ok()?;
    mac.update(body);
    mac.verify_slice(tag).ok()?;
    let message: RelayMessage = serde_json::from_slice(body).ok()?;
    if (now_ms() - message.sent_ms).abs() > MAX_AGE_MS {
        return None;
    }
    Some(message)
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
            let mut datagram = sign(&self.key, &body);
            datagram.extend_from_slice(&body);
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
    mut dirty: mpsc::UnboundedReceiver<Key>,
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
            Ok(k) => break k.into_bytes(),
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
                match verify(&relay.key, &buf[..n]) {
                    Some(message) => p.receive(message),
                    None => tracing::debug!("ignored an unsigned or stale presence datagram"),
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

    #[test]
    pub(super) fn relay_messages_are_signed_and_fresh() {
        let key = b"a shared cluster key".to_vec();
        let message = RelayMessage {
            node: "n1".into(),
            seq: 1,
            sent_ms: now_ms(),
            entries: vec![],
        };
        let body = serde_json::to_vec(&message).unwrap();
        let mut datagram = sign(&key, &body);
        datagram.extend_from_slice(&body);
        assert!(verify(&key, &datagram).is_some());
        assert!(verify(b"another key", &datagram).is_none(), "wrong key");
        let mut forged = datagram.clone();
        let last = forged.len() - 2;
        forged[last] ^= 1;
        assert!(verify(&key, &forged).is_none(), "tampered body");
        let old = RelayMessage {
            sent_ms: now_ms() - 60_000,
            ..message
        };
        let body = serde_json::to_vec(&old).unwrap();
        let mut stale = sign(&key, &body);
        stale.extend_from_slice(&body);
        assert!(verify(&key, &stale).is_none(), "replayed");
    }
}
