//! Counted connection slots: how many sockets one session (or one
//! call-screen link) holds open on this server. A slot is given back when
//! its socket ends, however it ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
pub struct Slots {
    held: Mutex<HashMap<String, usize>>,
}

/// One held slot; dropping it gives it back.
#[derive(Debug)]
pub struct Slot {
    slots: Arc<Slots>,
    key: String,
}

impl Slots {
    /// Takes one of `key`'s `limit` slots, if one is free.
    pub fn take(self: &Arc<Self>, key: String, limit: usize) -> Option<Slot> {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        let n = held.entry(key.clone()).or_insert(0);
        if *n >= limit {
            return None;
        }
        *n += 1;
        Some(Slot {
            slots: self.clone(),
            key,
        })
    }

    /// Slots held for `key` now.
    pub fn held(&self, key: &str) -> usize {
        let held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        held.get(key).copied().unwrap_or(0)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self.slots.held.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = held.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                held.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_limited_and_given_back() {
        let slots = Arc::new(Slots::default());
        let a = slots.take("s".into(), 2).unwrap();
        let b = slots.take("s".into(), 2).unwrap();
        assert!(slots.take("s".into(), 2).is_none());
        assert!(slots.take("other".into(), 2).is_some(), "per key");
        drop(a);
        assert_eq!(slots.held("s"), 1);
        let _c = slots.take("s".into(), 2).unwrap();
        drop(b);
        assert_eq!(slots.held("s"), 1);
    }
}
