//! The registry's name search held in memory (SQLite only): every person's name,
//! hukou and residence region and id, in the list's order (name, hukou, residence,
//! id), so a search by name in a scope finds its matches' ids without reading the
//! name index's entries of every other district (most of a 张伟 search's SQL at
//! city size). It is a cache of the database, never written to first:
//!
//! - **Loaded** from the database alone (`load`), the persons read in one read
//!   transaction together with the last `person_events` id, the watermark.
//! - **Brought in step before every search** (`ids`): every change to a person's
//!   name or regions writes an event (a registration for a new person,
//!   `DetailsChanged` for an edit or an import's update), so the events after the
//!   watermark name every person whose entry may have moved; their current rows are
//!   read again and their entries replaced. Searches therefore see every committed
//!   write, from this server or any other on the same file.
//! - **SQLite only**: there one writer commits at a time, so event ids become
//!   visible in order and nothing can appear behind the watermark. PostgreSQL's
//!   sequences hand out ids in the order transactions start, not commit, so a
//!   watermark could step over a slower transaction's events; there the search stays
//!   in SQL (`queries::named_page`).
//! - Many changes at once (an import while the server runs) are not replayed in a
//!   request: the cache drops itself and is loaded again on a background thread,
//!   the searches reading SQL meanwhile.
//!
//! The page's rows are still read from the table by id with the list's whole
//! condition, so the scope is checked on the rows themselves.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use crate::{Result, StoreError};

/// Changes replayed inside a search at most; beyond this many new events the cache
/// is loaded again in the background.
const MAX_REPLAY: usize = 20_000;

/// Person ids below this are kept in a dense table (4 bytes each).
const DENSE_IDS: i64 = 64 << 20;

/// No residence sorts first, as SQL's NULL does in ascending order.
const NO_RESIDENCE: i64 = i64::MIN;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    hukou: i64,
    residence: i64,
    id: i64,
}

impl Entry {
    /// Inside every one of `ranges`, by hukou or by residence (`Scope::persons`).
    fn within(&self, ranges: &[(i64, i64)]) -> bool {
        ranges.iter().all(|&(lo, hi)| (lo..=hi).contains(&self.hukou) || (lo..=hi).contains(&self.residence))
    }
}

/// The loaded cache.
#[derive(Default)]
struct Names {
    /// Each name (byte order, SQLite's own for `name`) and its slot in `buckets`.
    order: BTreeMap<Box<str>, u32>,
    /// A name's persons in (hukou, residence, id) order.
    buckets: Vec<Vec<Entry>>,
    /// Each person's slot, by id (`u32::MAX`: none).
    slot_of: Vec<u32>,
    /// The same for ids at or beyond `DENSE_IDS`.
    slot_of_sparse: std::collections::HashMap<i64, u32>,
    /// The last `person_events` id whose change is in the cache.
    watermark: i64,
}

impl Names {
    fn slot(&self, id: i64) -> Option<u32> {
        let s = match usize::try_from(id) {
            Ok(i) if id < DENSE_IDS => self.slot_of.get(i).copied().unwrap_or(u32::MAX),
            _ => self.slot_of_sparse.get(&id).copied().unwrap_or(u32::MAX),
        };
        (s != u32::MAX).then_some(s)
    }

    fn set_slot(&mut self, id: i64, slot: u32) {
        match usize::try_from(id) {
            Ok(i) if id < DENSE_IDS => {
                if self.slot_of.len() <= i {
                    self.slot_of.resize(i + 1, u32::MAX);
                }
                self.slot_of[i] = slot;
            }
            _ => {
                if slot == u32::MAX {
                    self.slot_of_sparse.remove(&id);
                } else {
                    self.slot_of_sparse.insert(id, slot);
                }
            }
        }
    }

    fn slot_for(&mut self, name: &str) -> Result<u32> {
        if let Some(&s) = self.order.get(name) {
            return Ok(s);
        }
        let s = u32::try_from(self.buckets.len())
            .ok()
            .filter(|&s| s != u32::MAX)
            .ok_or_else(|| StoreError::Corrupt("姓名索引的姓名过多".into()))?;
        self.buckets.push(Vec::new());
        self.order.insert(name.into(), s);
        Ok(s)
    }

    /// Puts person `id` where its current row says (`None`: no longer there).
    fn replace(&mut self, id: i64, now: Option<(&str, Entry)>) -> Result<()> {
        if let Some(old) = self.slot(id) {
            let bucket = &mut self.buckets[old as usize];
            if let Some(i) = bucket.iter().position(|e| e.id == id) {
                bucket.remove(i);
            }
            self.set_slot(id, u32::MAX);
        }
        if let Some((name, entry)) = now {
            let s = self.slot_for(name)?;
            let bucket = &mut self.buckets[s as usize];
            let at = bucket.binary_search(&entry).unwrap_or_else(|i| i);
            bucket.insert(at, entry);
            self.set_slot(id, s);
        }
        Ok(())
    }

    fn ids(&self, prefix: &str, ranges: &[(i64, i64)], limit: usize) -> Vec<i64> {
        let mut out = Vec::new();
        let names = self.order.range::<str, _>((std::ops::Bound::Included(prefix), std::ops::Bound::Unbounded));
        for (_, &slot) in names.take_while(|(n, _)| n.starts_with(prefix)) {
            for e in &self.buckets[slot as usize] {
                if e.within(ranges) {
                    out.push(e.id);
                    if out.len() >= limit {
                        return out;
                    }
                }
            }
        }
        out
    }

    fn len(&self) -> usize {
        self.buckets.iter().map(Vec::len).sum()
    }
}

enum State {
    /// Not loaded (PostgreSQL, a store that does not search, or a load pending).
    Off,
    Loading,
    Ready(Names),
}

/// One store's name cache; cheap to clone (shared).
#[derive(Clone)]
pub struct NameIndex {
    inner: Arc<Inner>,
}

struct Inner {
    state: RwLock<State>,
    /// Held while the cache is brought in step, so two searches never apply the
    /// same changes out of order.
    replay: Mutex<()>,
    /// Searches answered from memory.
    answered: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for NameIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NameIndex")
    }
}

impl Default for NameIndex {
    fn default() -> Self {
        NameIndex {
            inner: Arc::new(Inner {
                state: RwLock::new(State::Off),
                replay: Mutex::new(()),
                answered: Default::default(),
            }),
        }
    }
}

fn poisoned<T>(_: T) -> StoreError {
    StoreError::Corrupt("姓名索引已损坏".into())
}

impl NameIndex {
    /// Loads the cache from `path` on this thread (seconds at city size).
    pub fn load(&self, path: &Path) -> Result<usize> {
        *self.inner.state.write().map_err(poisoned)? = State::Loading;
        match read_all(path) {
            Ok(names) => {
                let n = names.len();
                *self.inner.state.write().map_err(poisoned)? = State::Ready(names);
                Ok(n)
            }
            Err(e) => {
                *self.inner.state.write().map_err(poisoned)? = State::Off;
                Err(e)
            }
        }
    }

    /// Loads the cache on a background thread; searches read SQL until it is ready.
    pub fn load_in_background(&self, path: PathBuf) {
        let me = self.clone();
        if let Ok(mut s) = self.inner.state.write() {
            if matches!(*s, State::Loading) {
                return;
            }
            *s = State::Loading;
        }
        std::thread::spawn(move || {
            let started = std::time::Instant::now();
            match me.load(&path) {
                Ok(n) => tracing::info!(persons = n, ms = started.elapsed().as_millis() as u64, "name index loaded"),
                Err(e) => tracing::warn!(error = %e, "name index not loaded; name searches read the database"),
            }
        });
    }

    /// How many searches were answered from memory (tests check that they were).
    pub fn answered(&self) -> u64 {
        self.inner.answered.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether searches are answered from memory now.
    pub fn is_ready(&self) -> bool {
        self.inner.state.read().is_ok_and(|s| matches!(*s, State::Ready(_)))
    }

    /// The ids of the persons whose name starts with `prefix` and who lie inside
    /// every one of `ranges` (hukou or residence), in the list's order, at most
    /// `limit`; `None` when the cache is not loaded (the caller reads SQL).
    pub(crate) fn ids(
        &self,
        path: &Path,
        prefix: &str,
        ranges: &[(i64, i64)],
        limit: usize,
    ) -> Result<Option<Vec<i64>>> {
        if !self.catch_up(path)? {
            return Ok(None);
        }
        let state = self.inner.state.read().map_err(poisoned)?;
        Ok(match &*state {
            State::Ready(names) => {
                self.inner.answered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Some(names.ids(prefix, ranges, limit))
            }
            _ => None,
        })
    }

    /// Applies the changes committed since the watermark; false when not loaded.
    fn catch_up(&self, path: &Path) -> Result<bool> {
        let _one = self.inner.replay.lock().map_err(poisoned)?;
        let watermark = match &*self.inner.state.read().map_err(poisoned)? {
            State::Ready(names) => names.watermark,
            _ => return Ok(false),
        };
        let changes = crate::inline::with_reader(path, crate::inline::Cost::Bounded, |c| {
            let mut q =
                c.prepare_cached("SELECT id, person_id FROM person_events WHERE id > ?1 ORDER BY id LIMIT ?2")?;
            let rows = q.query_map(rusqlite::params![watermark, MAX_REPLAY as i64 + 1], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
            })?;
            let events = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            if events.is_empty() || events.len() > MAX_REPLAY {
                return Ok((events.len(), Vec::new(), events.last().map(|e| e.0)));
            }
            let mut ids: Vec<i64> = events.iter().map(|e| e.1).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut found = std::collections::HashMap::with_capacity(ids.len());
            let mut q = c.prepare_cached(
                "SELECT id, name, hukou_region, residence_region FROM persons WHERE id IN (SELECT value FROM json_each(?1))",
            )?;
            let list = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
            let mut rows = q.query([list])?;
            while let Some(r) = rows.next()? {
                found.insert(
                    r.get::<_, i64>(0)?,
                    (r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<i64>>(3)?),
                );
            }
            // A person named by an event but without a row any more leaves the cache.
            let persons: Vec<(i64, Option<(String, i64, Option<i64>)>)> =
                ids.iter().map(|&id| (id, found.remove(&id))).collect();
            Ok((events.len(), persons, events.last().map(|e| e.0)))
        })?;
        let (n, persons, last) = changes;
        if n == 0 {
            return Ok(true);
        }
        if n > MAX_REPLAY {
            // Too many to replay here (an import): load again in the background.
            tracing::info!(events = n, "name index reloading after many changes");
            *self.inner.state.write().map_err(poisoned)? = State::Off;
            self.load_in_background(path.to_path_buf());
            return Ok(false);
        }
        let mut state = self.inner.state.write().map_err(poisoned)?;
        let State::Ready(names) = &mut *state else {
            return Ok(false);
        };
        for (id, now) in &persons {
            let now = now.as_ref().map(|(name, hukou, residence)| {
                (name.as_str(), Entry { hukou: *hukou, residence: residence.unwrap_or(NO_RESIDENCE), id: *id })
            });
            names.replace(*id, now)?;
        }
        if let Some(last) = last {
            names.watermark = last;
        }
        Ok(true)
    }
}

/// Every person's entry, and the last event id, in one read transaction.
fn read_all(path: &Path) -> Result<Names> {
    let mut conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.execute_batch("PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY")?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
    let watermark: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) FROM person_events", [], |r| r.get(0))?;
    let mut names = Names { watermark, ..Names::default() };
    {
        // The name index's own order: no sort, one pass over its entries.
        let mut q = tx.prepare(
            "SELECT name, hukou_region, residence_region, id FROM persons \
             ORDER BY name, hukou_region, residence_region, id",
        )?;
        let mut rows = q.query([])?;
        let mut current: Option<(String, u32)> = None;
        while let Some(r) = rows.next()? {
            let name = r.get_ref(0)?.as_str().map_err(|e| StoreError::Corrupt(format!("姓名不是文本：{e}")))?;
            let entry = Entry {
                hukou: r.get(1)?,
                residence: r.get::<_, Option<i64>>(2)?.unwrap_or(NO_RESIDENCE),
                id: r.get(3)?,
            };
            let slot = match &current {
                Some((n, s)) if n == name => *s,
                _ => {
                    let s = names.slot_for(name)?;
                    current = Some((name.to_string(), s));
                    s
                }
            };
            names.buckets[slot as usize].push(entry);
            names.set_slot(entry.id, slot);
        }
    }
    tx.commit()?;
    // Sorted by SQL already; sort again in case the collation of `name` is not
    // byte order in some database, so the cache's order is byte order throughout.
    for b in &mut names.buckets {
        if !b.is_sorted() {
            b.sort_unstable();
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn e(hukou: i64, residence: i64, id: i64) -> Entry {
        Entry { hukou, residence, id }
    }

    #[test]
    fn ids_follow_name_then_region_order_and_stop_at_the_limit() {
        let mut n = Names::default();
        n.replace(3, Some(("张伟", e(500101001001, NO_RESIDENCE, 3)))).unwrap();
        n.replace(1, Some(("张伟", e(500154001001, 500101002003, 1)))).unwrap();
        n.replace(2, Some(("张伟东", e(500101001002, NO_RESIDENCE, 2)))).unwrap();
        n.replace(4, Some(("张三", e(500101001001, NO_RESIDENCE, 4)))).unwrap();
        n.replace(5, Some(("李伟", e(500101001001, NO_RESIDENCE, 5)))).unwrap();
        let wanzhou = [(500101000000, 500101999999)];
        assert_eq!(n.ids("张伟", &wanzhou, 10), vec![3, 1, 2]);
        assert_eq!(n.ids("张", &wanzhou, 10), vec![4, 3, 1, 2]);
        assert_eq!(n.ids("张", &wanzhou, 2), vec![4, 3]);
        assert_eq!(n.ids("张伟", &[], 10), vec![3, 1, 2]);
        // Both ranges must hold: hukou in 万州 and residence in its town 002.
        assert_eq!(n.ids("张", &[(500101000000, 500101999999), (500101002000, 500101002999)], 10), vec![1]);
        // A rename moves the person; a removal takes them out.
        n.replace(3, Some(("李伟", e(500101001001, NO_RESIDENCE, 3)))).unwrap();
        assert_eq!(n.ids("张伟", &wanzhou, 10), vec![1, 2]);
        assert_eq!(n.ids("李", &wanzhou, 10), vec![3, 5]);
        n.replace(5, None).unwrap();
        assert_eq!(n.ids("李", &wanzhou, 10), vec![3]);
        assert_eq!(n.len(), 4);
    }

    #[test]
    fn ids_far_beyond_the_dense_table_are_kept_too() {
        let mut n = Names::default();
        n.replace(DENSE_IDS + 7, Some(("王芳", e(500101001001, NO_RESIDENCE, DENSE_IDS + 7)))).unwrap();
        n.replace(DENSE_IDS + 7, Some(("王芳芳", e(500101001001, NO_RESIDENCE, DENSE_IDS + 7)))).unwrap();
        assert_eq!(n.ids("王芳", &[], 10), vec![DENSE_IDS + 7]);
        assert_eq!(n.len(), 1);
        assert!(n.slot_of.len() < 16);
    }
}
