//! The response cache: bodies keyed by the planned request, each with its own expiry, bounded
//! in bytes (the oldest entries go first). Shared by every league through the one fetcher, so
//! two leagues asking for the same URL within its lifetime cost one upstream call. Pure: time is
//! a parameter.

use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// One cached body.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The body.
    pub body: Arc<[u8]>,
    /// When it was fetched.
    pub fetched_at: DateTime<Utc>,
    /// When it stops being served.
    pub expires_at: DateTime<Utc>,
    /// Whether the expiry is upstream's own (`max-age`), which binds every asker.
    pub upstream_expiry: bool,
    /// When upstream made the body, where its response said (see `origin`).
    pub made: Option<DateTime<Utc>>,
    seq: u64,
}

/// The cache.
#[derive(Debug)]
pub struct Cache {
    max_bytes: usize,
    bytes: usize,
    seq: u64,
    entries: HashMap<String, Entry>,
    /// Insertion order, for eviction: seq → key.
    order: BTreeMap<u64, String>,
}

impl Cache {
    /// An empty cache holding at most `max_bytes` of bodies.
    pub fn new(max_bytes: usize) -> Cache {
        Cache {
            max_bytes,
            bytes: 0,
            seq: 0,
            entries: HashMap::new(),
            order: BTreeMap::new(),
        }
    }

    /// The entry for `key` if it is fresh at `now` for an asker who accepts bodies up to
    /// `max_age` old. An expiry upstream set (`max-age`) binds every asker; else the stricter of
    /// the entry's own lifetime and the asker's wins, so a settle fetch (0 s) never gets a body
    /// cached for an idle one (5 min). Every expired entry is dropped first, so a body nobody
    /// asks for again is freed by the next lookup of any URL, not kept until an insert.
    pub fn get(
        &mut self,
        key: &str,
        now: DateTime<Utc>,
        max_age: chrono::Duration,
    ) -> Option<&Entry> {
        self.purge_expired(now);
        self.entries
            .get(key)
            .filter(|e| now < e.expires_at && (e.upstream_expiry || now - e.fetched_at < max_age))
    }

    /// Keep `body` for `key` until `expires_at` (`upstream_expiry`: set by upstream's
    /// `max-age`). A body larger than the whole cache, or one already expired, is not kept.
    pub fn insert(
        &mut self,
        key: &str,
        body: Arc<[u8]>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        upstream_expiry: bool,
    ) {
        self.insert_made(key, body, now, expires_at, upstream_expiry, None);
    }

    /// [`Cache::insert`], with when upstream made the body (served back with it).
    pub fn insert_made(
        &mut self,
        key: &str,
        body: Arc<[u8]>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        upstream_expiry: bool,
        made: Option<DateTime<Utc>>,
    ) {
        self.remove(key);
        self.purge_expired(now);
        if expires_at <= now || body.len() > self.max_bytes {
            return;
        }
        while self.bytes + body.len() > self.max_bytes {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            if let Some(e) = self.entries.remove(&oldest) {
                self.bytes -= e.body.len();
            }
        }
        self.seq += 1;
        self.bytes += body.len();
        self.order.insert(self.seq, key.to_owned());
        self.entries.insert(
            key.to_owned(),
            Entry {
                body,
                fetched_at: now,
                expires_at,
                upstream_expiry,
                made,
                seq: self.seq,
            },
        );
    }

    fn remove(&mut self, key: &str) {
        if let Some(e) = self.entries.remove(key) {
            self.bytes -= e.body.len();
            self.order.remove(&e.seq);
        }
    }

    fn purge_expired(&mut self, now: DateTime<Utc>) {
        let (order, bytes) = (&mut self.order, &mut self.bytes);
        self.entries.retain(|_, e| {
            let fresh = now < e.expires_at;
            if !fresh {
                *bytes -= e.body.len();
                order.remove(&e.seq);
            }
            fresh
        });
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Entries held (fresh or not yet purged).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    fn body(n: usize) -> Arc<[u8]> {
        vec![b'x'; n].into()
    }

    const ANY: chrono::Duration = chrono::Duration::MAX;

    #[test]
    fn serves_until_expiry_only() {
        let mut c = Cache::new(1000);
        c.insert("a", body(10), t(0), t(5), false);
        assert_eq!(c.get("a", t(4), ANY).map(|e| e.body.len()), Some(10));
        assert_eq!(c.get("a", t(4), ANY).map(|e| e.fetched_at), Some(t(0)));
        // A stricter asker: only bodies younger than its own limit.
        assert!(c.get("a", t(3), chrono::Duration::seconds(4)).is_some());
        assert!(c.get("a", t(4), chrono::Duration::seconds(4)).is_none());
        assert!(c.get("a", t(5), ANY).is_none());
        assert!(c.get("b", t(0), ANY).is_none());
        // Upstream's max-age binds every asker, even one that wants it fresh.
        c.insert("m", body(1), t(0), t(30), true);
        assert!(c.get("m", t(29), chrono::Duration::zero()).is_some());
        assert!(c.get("m", t(30), ANY).is_none());
        c.insert("m", body(1), t(0), t(1), false);
        // Zero lifetime: not kept at all.
        c.insert("z", body(10), t(0), t(0), false);
        assert!(c.get("z", t(0), ANY).is_none());
        // Only `m` is held: `a` went when the lookup at t(5) found it expired.
        assert_eq!(c.len(), 1);
        assert!(c.get("m", t(0), ANY).is_some());
    }

    #[test]
    fn evicts_oldest_first_and_keeps_the_byte_count() {
        let mut c = Cache::new(100);
        c.insert("a", body(40), t(0), t(100), false);
        c.insert("b", body(40), t(1), t(100), false);
        c.insert("c", body(40), t(2), t(100), false);
        assert!(c.get("a", t(3), ANY).is_none());
        assert!(c.get("b", t(3), ANY).is_some() && c.get("c", t(3), ANY).is_some());
        assert_eq!(c.bytes(), 80);
        // Replacing a key frees its old body first.
        c.insert("b", body(60), t(4), t(100), false);
        assert_eq!(c.bytes(), 100);
        assert!(c.get("c", t(5), ANY).is_some());
        // Too big for the whole cache: dropped, nothing evicted.
        c.insert("huge", body(101), t(6), t(100), false);
        assert!(c.get("huge", t(6), ANY).is_none());
        assert_eq!(c.bytes(), 100);
        // Expired entries are purged before anything fresh is evicted.
        c.insert("short", body(0), t(7), t(8), false);
        let mut c2 = Cache::new(100);
        c2.insert("old", body(50), t(0), t(1), false);
        c2.insert("keep", body(50), t(0), t(100), false);
        c2.insert("new", body(50), t(2), t(100), false);
        assert!(c2.get("keep", t(2), ANY).is_some());
        assert_eq!(c2.bytes(), 100);
    }

    #[test]
    fn expired_bodies_are_freed_by_any_lookup_or_insert() {
        let mut c = Cache::new(1000);
        c.insert("idle", body(300), t(0), t(300), false);
        c.insert("live", body(200), t(0), t(5), false);
        assert_eq!(c.bytes(), 500);
        // A lookup of another URL after `live` expired frees it; `idle` stays.
        assert!(c.get("other", t(5), ANY).is_none());
        assert_eq!((c.bytes(), c.len()), (300, 1));
        // An insert that is not kept (zero lifetime) still frees what expired.
        c.insert("zero", body(50), t(300), t(300), false);
        assert_eq!((c.bytes(), c.len()), (0, 0));
    }
}
