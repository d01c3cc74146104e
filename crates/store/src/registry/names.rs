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

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use crate::{Result, StoreError};

/// Changes replayed inside a search at most; beyond this many new events the cache
/// is loaded again in the background.
const MAX_REPLAY: usize = 20_000;

/// Persons changed since the load kept aside at most before the cache is loaded
/// again (and the changes folded into its arrays).
const MAX_OVERLAY: usize = 200_000;

/// No residence sorts first, as SQL's NULL does in ascending order.
const NO_RESIDENCE: i64 = i64::MIN;

/// A changed person's row as read again: name, hukou, residence.
type Current = (String, i64, Option<i64>);

/// One person as the list orders them after the name: hukou, residence, id.
type Key = (i64, i64, i64);

/// A person of the loaded arrays: regions as positions in `Base::regions` (which
/// is sorted, so the order is the codes' order; residence 0 is none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    hukou: u32,
    residence: u32,
    id: i64,
}

/// Inside every one of `ranges`, by hukou or by residence (`Scope::persons`).
fn within(hukou: i64, residence: i64, ranges: &[(i64, i64)]) -> bool {
    ranges.iter().all(|&(lo, hi)| (lo..=hi).contains(&hukou) || (lo..=hi).contains(&residence))
}

/// The persons as loaded, in flat arrays (about 20 bytes a person at city size,
/// 2.6 million distinct names among 7.4 million persons).
#[derive(Default)]
struct Base {
    /// Every distinct name, in byte order (SQLite's own for `name`), end to end.
    text: String,
    /// Where name k starts in `text`; one more at the end.
    name_at: Vec<u32>,
    /// Where name k's persons start in `entries`; one more at the end.
    first: Vec<u32>,
    /// Each name's persons in (hukou, residence, id) order.
    entries: Vec<Entry>,
    /// The region codes the entries point at, sorted; position 0 stands for none.
    regions: Vec<i64>,
}

impl Base {
    fn names(&self) -> usize {
        self.first.len().saturating_sub(1)
    }

    fn name(&self, k: usize) -> &str {
        &self.text[self.name_at[k] as usize..self.name_at[k + 1] as usize]
    }

    fn key(&self, e: &Entry) -> Key {
        let residence = if e.residence == 0 { NO_RESIDENCE } else { self.regions[e.residence as usize] };
        (self.regions[e.hukou as usize], residence, e.id)
    }
}

/// The loaded cache: the arrays, and the persons changed since, kept aside.
#[derive(Default)]
struct Names {
    base: Base,
    /// Ids whose entry in `base` no longer holds (bit per id up to the load's last).
    moved: Vec<u64>,
    /// The changed persons' current entries, in the list's order.
    overlay: BTreeSet<(Box<str>, Key)>,
    /// Each changed person's entry in `overlay`.
    current: HashMap<i64, (Box<str>, Key)>,
    /// Some bit of `moved` is set.
    any_moved: bool,
    /// The last `person_events` id whose change is in the cache.
    watermark: i64,
}

impl Names {
    fn is_moved(&self, id: i64) -> bool {
        usize::try_from(id).ok().and_then(|i| self.moved.get(i / 64)).is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    /// Puts person `id` where its current row says (`None`: no longer there).
    fn replace(&mut self, id: i64, now: Option<(&str, i64, Option<i64>)>) {
        if let Some(w) = usize::try_from(id).ok().and_then(|i| self.moved.get_mut(i / 64)) {
            *w |= 1 << (id % 64);
            self.any_moved = true;
        }
        if let Some(old) = self.current.remove(&id) {
            self.overlay.remove(&old);
        }
        if let Some((name, hukou, residence)) = now {
            let entry: (Box<str>, Key) = (name.into(), (hukou, residence.unwrap_or(NO_RESIDENCE), id));
            self.overlay.insert(entry.clone());
            self.current.insert(id, entry);
        }
    }

    /// The ids of the persons whose name starts with `prefix` inside `ranges`, in
    /// the list's order: the arrays' persons (less the moved ones) and the changed
    /// ones merged.
    fn ids(&self, prefix: &str, ranges: &[(i64, i64)], limit: usize) -> Vec<i64> {
        let b = &self.base;
        let mut out = Vec::new();
        // The first name not below `prefix`, by bisection.
        let (mut lo, mut hi) = (0, b.names());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if b.name(mid) < prefix {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let from = lo;
        let lower: (Box<str>, Key) = (prefix.into(), (i64::MIN, i64::MIN, i64::MIN));
        let mut changed = self.overlay.range(lower..).take_while(|(n, _)| n.starts_with(prefix)).peekable();
        if changed.peek().is_none() && !self.any_moved {
            // Nothing changed since the load: the arrays alone, each range as the
            // positions of its codes in `regions` (no code looked up per person).
            let positions: Vec<(u32, u32)> = ranges
                .iter()
                .map(|&(lo, hi)| {
                    let at = |c: i64| u32::try_from(b.regions.partition_point(|&r| r < c)).unwrap_or(u32::MAX);
                    (at(lo), at(hi.saturating_add(1)))
                })
                .collect();
            let inside = |e: &Entry| {
                positions.iter().all(|&(lo, hi)| (lo..hi).contains(&e.hukou) || (lo..hi).contains(&e.residence))
            };
            for k in (from..b.names()).take_while(|&k| b.name(k).starts_with(prefix)) {
                for e in &b.entries[b.first[k] as usize..b.first[k + 1] as usize] {
                    if inside(e) {
                        out.push(e.id);
                        if out.len() >= limit {
                            return out;
                        }
                    }
                }
            }
            return out;
        }
        let mut base = (from..b.names())
            .take_while(|&k| b.name(k).starts_with(prefix))
            .flat_map(|k| {
                b.entries[b.first[k] as usize..b.first[k + 1] as usize].iter().map(move |e| (b.name(k), b.key(e)))
            })
            .filter(|(_, key)| !self.any_moved || !self.is_moved(key.2))
            .peekable();
        loop {
            let next = match (base.peek(), changed.peek()) {
                (Some(a), Some((n, k))) => {
                    if (a.0, a.1) <= (&**n, *k) {
                        base.next()
                    } else {
                        changed.next().map(|(n, k)| (&**n, *k))
                    }
                }
                (Some(_), None) => base.next(),
                (None, Some(_)) => changed.next().map(|(n, k)| (&**n, *k)),
                (None, None) => None,
            };
            let Some((_, (hukou, residence, id))) = next else {
                return out;
            };
            if within(hukou, residence, ranges) {
                out.push(id);
                if out.len() >= limit {
                    return out;
                }
            }
        }
    }

    fn len(&self) -> usize {
        self.base.entries.len()
    }
}

enum State {
    /// Not loaded (PostgreSQL, a store that does not search, or a load pending).
    Off,
    Ready(Box<Names>),
}

/// One store's name cache; cheap to clone (shared).
#[derive(Clone)]
pub struct NameIndex {
    inner: Arc<Inner>,
}

struct Inner {
    state: RwLock<State>,
    /// Held while the cache is brought in step or replaced, so changes are never
    /// applied out of order or to a newer load.
    replay: Mutex<()>,
    /// A load is running on a background thread.
    loading: std::sync::atomic::AtomicBool,
    /// Searches answered from memory.
    answered: std::sync::atomic::AtomicU64,
    /// New events replayed in a search at most (`MAX_REPLAY`; tests set less).
    max_replay: std::sync::atomic::AtomicUsize,
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
                loading: Default::default(),
                answered: Default::default(),
                max_replay: std::sync::atomic::AtomicUsize::new(MAX_REPLAY),
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
        let names = read_all(path)?;
        let n = names.len();
        let _one = self.inner.replay.lock().map_err(poisoned)?;
        *self.inner.state.write().map_err(poisoned)? = State::Ready(Box::new(names));
        Ok(n)
    }

    /// Loads the cache on a background thread; searches read SQL until it is ready.
    pub fn load_in_background(&self, path: PathBuf) {
        self.spawn_load(path, false);
    }

    /// Loads again in the background, answering from the present cache meanwhile.
    fn reload_keeping(&self, path: PathBuf) {
        self.spawn_load(path, true);
    }

    fn spawn_load(&self, path: PathBuf, keep: bool) {
        use std::sync::atomic::Ordering;
        if self.inner.loading.swap(true, Ordering::AcqRel) {
            return;
        }
        if !keep {
            if let Ok(mut s) = self.inner.state.write() {
                *s = State::Off;
            }
        }
        let me = self.clone();
        std::thread::spawn(move || {
            let started = std::time::Instant::now();
            match me.load(&path) {
                Ok(n) => tracing::info!(persons = n, ms = started.elapsed().as_millis() as u64, "name index loaded"),
                Err(e) => tracing::warn!(error = %e, "name index not loaded; name searches read the database"),
            }
            me.inner.loading.store(false, Ordering::Release);
        });
    }

    /// How many searches were answered from memory (tests check that they were).
    pub fn answered(&self) -> u64 {
        self.inner.answered.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sets how many new events a search replays at most before the cache is
    /// loaded again in the background (20,000 unless set; tests use a few).
    pub fn set_max_replay(&self, n: usize) {
        self.inner.max_replay.store(n, std::sync::atomic::Ordering::Relaxed);
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
        let max_replay = self.inner.max_replay.load(std::sync::atomic::Ordering::Relaxed);
        let watermark = match &*self.inner.state.read().map_err(poisoned)? {
            State::Ready(names) => names.watermark,
            _ => return Ok(false),
        };
        let changes = crate::inline::with_reader(path, crate::inline::Cost::Bounded, |c| {
            let mut q =
                c.prepare_cached("SELECT id, person_id FROM person_events WHERE id > ?1 ORDER BY id LIMIT ?2")?;
            let rows = q.query_map(
                rusqlite::params![watermark, i64::try_from(max_replay).unwrap_or(i64::MAX - 1) + 1],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )?;
            let events = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            if events.is_empty() || events.len() > max_replay {
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
            let persons: Vec<(i64, Option<Current>)> = ids.iter().map(|&id| (id, found.remove(&id))).collect();
            Ok((events.len(), persons, events.last().map(|e| e.0)))
        })?;
        let (n, persons, last) = changes;
        if n == 0 {
            return Ok(true);
        }
        if n > max_replay {
            // Too many to replay here (an import): load again in the background.
            tracing::info!(events = n, "name index reloading after many changes");
            *self.inner.state.write().map_err(poisoned)? = State::Off;
            drop(_one);
            self.load_in_background(path.to_path_buf());
            return Ok(false);
        }
        let mut state = self.inner.state.write().map_err(poisoned)?;
        let State::Ready(names) = &mut *state else {
            return Ok(false);
        };
        for (id, now) in &persons {
            names.replace(*id, now.as_ref().map(|(name, hukou, residence)| (name.as_str(), *hukou, *residence)));
        }
        if let Some(last) = last {
            names.watermark = last;
        }
        if names.current.len() > MAX_OVERLAY {
            // Fold the changes into the arrays: load again, answering from these
            // until the new ones are ready.
            drop(state);
            drop(_one);
            self.reload_keeping(path.to_path_buf());
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
    let too_many = || StoreError::Corrupt("姓名索引超出 32 位下标".into());
    let mut regions: Vec<i64> = vec![NO_RESIDENCE];
    {
        let mut q = tx.prepare(
            "SELECT hukou_region FROM persons GROUP BY hukou_region \
             UNION SELECT residence_region FROM persons WHERE residence_region IS NOT NULL GROUP BY residence_region",
        )?;
        let codes = q.query_map([], |r| r.get::<_, i64>(0))?;
        for c in codes {
            regions.push(c?);
        }
    }
    regions.sort_unstable();
    regions.dedup();
    let at = |code: i64| -> Result<u32> {
        let i = regions.binary_search(&code).map_err(|_| StoreError::Corrupt(format!("区划 {code} 不在姓名索引中")))?;
        u32::try_from(i).map_err(|_| too_many())
    };
    let mut base = Base::default();
    let mut max_id = 0i64;
    {
        // The name index's own order: no sort, one pass over its entries.
        let mut q = tx.prepare(
            "SELECT name, hukou_region, residence_region, id FROM persons \
             ORDER BY name, hukou_region, residence_region, id",
        )?;
        let mut rows = q.query([])?;
        while let Some(r) = rows.next()? {
            let name = r.get_ref(0)?.as_str().map_err(|e| StoreError::Corrupt(format!("姓名不是文本：{e}")))?;
            let entry = Entry {
                hukou: at(r.get(1)?)?,
                residence: match r.get::<_, Option<i64>>(2)? {
                    Some(c) => at(c)?,
                    None => 0,
                },
                id: r.get(3)?,
            };
            max_id = max_id.max(entry.id);
            let n = base.names();
            if n == 0 || base.name(n - 1) != name {
                if base.name_at.is_empty() {
                    base.name_at.push(0);
                    base.first.push(0);
                }
                base.text.push_str(name);
                base.name_at.push(u32::try_from(base.text.len()).map_err(|_| too_many())?);
                base.first.push(u32::try_from(base.entries.len()).map_err(|_| too_many())?);
            }
            base.entries.push(entry);
            if let Some(last) = base.first.last_mut() {
                *last = u32::try_from(base.entries.len()).map_err(|_| too_many())?;
            }
        }
    }
    tx.commit()?;
    base.regions = regions;
    base.text.shrink_to_fit();
    base.name_at.shrink_to_fit();
    base.first.shrink_to_fit();
    base.entries.shrink_to_fit();
    let words = usize::try_from(max_id).unwrap_or(0) / 64 + 1;
    Ok(Names { base, moved: vec![0; words], watermark, ..Names::default() })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Arrays as a load makes them, from (name, hukou, residence, id) in order.
    fn base(rows: &[(&str, i64, Option<i64>, i64)]) -> Names {
        let mut regions: Vec<i64> = vec![NO_RESIDENCE];
        regions.extend(rows.iter().flat_map(|r| std::iter::once(r.1).chain(r.2)));
        regions.sort_unstable();
        regions.dedup();
        let at = |c: i64| regions.binary_search(&c).unwrap() as u32;
        let mut b = Base { name_at: vec![0], first: vec![0], ..Base::default() };
        for &(name, hukou, residence, id) in rows {
            let n = b.names();
            if n == 0 || b.name(n - 1) != name {
                b.text.push_str(name);
                b.name_at.push(b.text.len() as u32);
                b.first.push(b.entries.len() as u32);
            }
            b.entries.push(Entry { hukou: at(hukou), residence: residence.map_or(0, at), id });
            *b.first.last_mut().unwrap() = b.entries.len() as u32;
        }
        b.regions = regions;
        Names { base: b, moved: vec![0; 1], ..Names::default() }
    }

    const WANZHOU: [(i64, i64); 1] = [(500101000000, 500101999999)];

    #[test]
    fn ids_follow_name_then_region_order_and_stop_at_the_limit() {
        let n = base(&[
            ("张三", 500101001001, None, 4),
            ("张伟", 500101001001, None, 3),
            ("张伟", 500154001001, Some(500101002003), 1),
            ("张伟东", 500101001002, None, 2),
            ("李伟", 500101001001, None, 5),
        ]);
        assert_eq!(n.ids("张伟", &WANZHOU, 10), vec![3, 1, 2]);
        assert_eq!(n.ids("张", &WANZHOU, 10), vec![4, 3, 1, 2]);
        assert_eq!(n.ids("张", &WANZHOU, 2), vec![4, 3]);
        assert_eq!(n.ids("张伟", &[], 10), vec![3, 1, 2]);
        assert_eq!(n.ids("王", &[], 10), Vec::<i64>::new());
        assert_eq!(n.ids("", &[], 10), vec![4, 3, 1, 2, 5]);
        // Both ranges must hold: in 万州 and, by hukou or residence, in its town 002.
        assert_eq!(n.ids("张", &[WANZHOU[0], (500101002000, 500101002999)], 10), vec![1]);
    }

    #[test]
    fn changed_persons_leave_their_place_and_merge_in_order() {
        let mut n =
            base(&[("张伟", 500101001001, None, 3), ("张伟", 500101001003, None, 7), ("李伟", 500101001001, None, 5)]);
        // Renamed, moved between two others of the same name, a new person, gone.
        n.replace(3, Some(("李伟", 500101001001, None)));
        n.replace(9, Some(("张伟", 500101001002, Some(500154001001))));
        n.replace(70, Some(("张伟", 500101001004, None)));
        assert_eq!(n.ids("张伟", &WANZHOU, 10), vec![9, 7, 70]);
        assert_eq!(n.ids("李", &WANZHOU, 10), vec![3, 5]);
        // 张 (U+5F20) before 李 (U+674E).
        assert_eq!(n.ids("", &WANZHOU, 2), vec![9, 7]);
        n.replace(5, None);
        n.replace(9, Some(("张伟", 500101001005, None)));
        assert_eq!(n.ids("", &WANZHOU, 10), vec![7, 70, 9, 3]);
        assert_eq!((n.overlay.len(), n.current.len()), (3, 3));
    }

    proptest::proptest! {
        /// From the arrays alone or with changes merged in, the ids are those of a
        /// plain sort-and-filter over the same persons.
        #[test]
        fn ids_agree_with_sorting_everyone(
            people in proptest::collection::vec((0usize..6, 0usize..4, proptest::option::of(0usize..4)), 0..60),
            changes in proptest::collection::vec((0i64..70, proptest::option::of((0usize..6, 0usize..4, proptest::option::of(0usize..4)))), 0..20),
            prefix in 0usize..5,
            chosen in proptest::collection::vec(0usize..5, 0..3),
            limit in 1usize..80,
        ) {
            const NAMES: [&str; 6] = ["张", "张伟", "张伟东", "张三", "李伟", "王芳"];
            const CODES: [i64; 4] = [500101001001, 500101002003, 500154001001, 500155002001];
            const PREFIXES: [&str; 5] = ["", "张", "张伟", "李", "赵"];
            const RANGES: [(i64, i64); 5] = [
                (500101000000, 500101999999),
                (500101002000, 500101002999),
                (500154000000, 500154999999),
                (500000000000, 509999999999),
                (500156000000, 500156999999),
            ];
            let person = |(n, h, r): (usize, usize, Option<usize>)| (NAMES[n], CODES[h], r.map(|r| CODES[r]));
            // Everyone as a reference: id -> (name, hukou, residence).
            let mut all: std::collections::BTreeMap<i64, (&str, i64, Option<i64>)> = people
                .iter()
                .enumerate()
                .map(|(i, p)| (i as i64 + 1, person(*p)))
                .collect();
            let mut rows: Vec<(&str, i64, Option<i64>, i64)> = all.iter().map(|(&id, &(n, h, r))| (n, h, r, id)).collect();
            rows.sort_by(|a, b| (a.0, a.1, a.2.unwrap_or(NO_RESIDENCE), a.3).cmp(&(b.0, b.1, b.2.unwrap_or(NO_RESIDENCE), b.3)));
            let mut n = base(&rows);
            n.moved = vec![0; 2];
            for (id, now) in &changes {
                let now = now.map(person);
                n.replace(*id, now);
                match now {
                    Some(p) => all.insert(*id, p),
                    None => all.remove(id),
                };
            }
            let ranges: Vec<(i64, i64)> = chosen.iter().map(|&c| RANGES[c]).collect();
            let prefix = PREFIXES[prefix];
            let mut want: Vec<(&str, i64, i64, i64)> = all
                .iter()
                .filter(|(_, (name, h, r))| name.starts_with(prefix) && within(*h, r.unwrap_or(NO_RESIDENCE), &ranges))
                .map(|(&id, &(name, h, r))| (name, h, r.unwrap_or(NO_RESIDENCE), id))
                .collect();
            want.sort();
            let want: Vec<i64> = want.into_iter().map(|w| w.3).take(limit).collect();
            proptest::prop_assert_eq!(n.ids(prefix, &ranges, limit), want);
        }
    }
}
