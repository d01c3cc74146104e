//! `JobIndex` (the best jobs for a worker) and `SeekerIndex` (the best workers for a
//! job): one search over buckets, used from either side.
//!
//! Items are kept in buckets by (district slot, occupation slot), each sorted by place
//! and id, with a summary of what its items can score (age range, the skill levels,
//! kinds and sections present, the best wage), for the whole bucket and for each block
//! of `BLOCK` items. A query splits the other side into combinations of a nearness tier
//! and an occupation group (exact, same category, different, unknown; suited to older
//! workers or not), each with an upper bound, and visits them best bound first. Inside a
//! combination, a bucket, then each of its blocks, is scanned only while its bound (from
//! its summary) can still beat the k-th best found so far (a tie counts when it holds a
//! lower id); the search stops at the first combination whose bound cannot. In the home
//! district the same-village and same-town parts of a bucket are contiguous ranges of
//! its sorted items.
//! Results are exactly those of scoring every item (`score::scan_top_jobs`, tested).

use std::collections::HashMap;

use super::geo::{has_town, Tier, NO_DISTRICT};
use super::score::{better, industry_case, kind_case, skill_case, JobRow, Scorer, SeekerRow, WageCase, NO_SECTION};
use super::{Geo, Match, Posting, Seeker, Weights};

/// What one query did, for benchmarks and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueryStats {
    /// Tier × occupation-group combinations visited.
    pub combos: u32,
    /// Non-empty buckets whose bound was computed.
    pub buckets_checked: u32,
    /// Buckets whose items were scored.
    pub buckets_scanned: u32,
    /// Items scored.
    pub rows_scored: u32,
}

/// An item kept in an index.
pub(crate) trait Stored: Copy {
    type Summary: Copy + Default + std::fmt::Debug;
    fn id(&self) -> i64;
    fn place(&self) -> i64;
    fn district(&self) -> u16;
    fn occ(&self) -> u16;
    fn add_to(&self, summary: &mut Self::Summary);
}

/// A query against the items of one side, prepared once (lookup tables of its points).
pub(crate) trait Probe {
    type Row: Stored;
    fn place(&self) -> i64;
    fn district(&self) -> u16;
    fn occ(&self) -> u16;
    /// The most the factors other than nearness and occupation can add, over items of
    /// occupations suited to older workers or not.
    fn max_rest(&self, suited: bool) -> i32;
    /// Points the same for every item of occupation `occ`.
    fn bucket_const(&self, occ: u16) -> i32;
    /// The most `rest` can be for an item of a bucket; `None` when no item's age fits.
    fn bucket_bound(&self, summary: &<Self::Row as Stored>::Summary) -> Option<i32>;
    /// The points of an item other than nearness, occupation and `bucket_const`;
    /// `None` when the age does not fit.
    fn rest(&self, row: &Self::Row) -> Option<i32>;
}

/// Items per block: a bucket larger than this has a summary per block of its sorted
/// items too, a tighter bound than the bucket's for the few items of each.
const BLOCK: usize = 16;

#[derive(Debug, Clone)]
struct Bucket<R: Stored> {
    rows: Vec<R>,
    summary: R::Summary,
    min_id: i64,
    /// Per block of `BLOCK` items (when there is more than one): summary and lowest id.
    blocks: Vec<(R::Summary, i64)>,
}

impl<R: Stored> Bucket<R> {
    fn empty() -> Bucket<R> {
        Bucket { rows: Vec::new(), summary: R::Summary::default(), min_id: i64::MAX, blocks: Vec::new() }
    }

    fn resummarise(&mut self) {
        self.summary = R::Summary::default();
        self.min_id = i64::MAX;
        self.blocks.clear();
        for r in &self.rows {
            r.add_to(&mut self.summary);
            self.min_id = self.min_id.min(r.id());
        }
        if self.rows.len() > BLOCK {
            for chunk in self.rows.chunks(BLOCK) {
                let mut s = R::Summary::default();
                let mut min_id = i64::MAX;
                for r in chunk {
                    r.add_to(&mut s);
                    min_id = min_id.min(r.id());
                }
                self.blocks.push((s, min_id));
            }
        }
    }

    fn position(&self, place: i64, id: i64) -> usize {
        self.rows.partition_point(|r| (r.place(), r.id()) < (place, id))
    }
}

/// Items of one side in buckets by (district, occupation).
#[derive(Debug, Clone)]
struct Core<R: Stored> {
    occ_slots: usize,
    district_slots: usize,
    buckets: Vec<Bucket<R>>,
    /// id → (bucket, place), for upsert and remove.
    located: HashMap<i64, (u32, i64)>,
}

impl<R: Stored> Core<R> {
    fn new(geo: &Geo) -> Core<R> {
        let occ_slots = geo.occupations() + 1;
        let district_slots = geo.districts() + 1;
        Core {
            occ_slots,
            district_slots,
            buckets: (0..occ_slots * district_slots).map(|_| Bucket::empty()).collect(),
            located: HashMap::new(),
        }
    }

    fn build(geo: &Geo, rows: impl Iterator<Item = R>) -> Core<R> {
        let mut core = Core::new(geo);
        let mut latest: HashMap<i64, R> = HashMap::new();
        for r in rows {
            latest.insert(r.id(), r);
        }
        core.located.reserve(latest.len());
        for (id, r) in latest {
            let b = core.bucket_index(r.district(), r.occ());
            core.buckets[b].rows.push(r);
            core.located.insert(id, (b as u32, r.place()));
        }
        for b in &mut core.buckets {
            b.rows.sort_unstable_by_key(|r| (r.place(), r.id()));
            b.resummarise();
        }
        core
    }

    fn bucket_index(&self, district: u16, occ: u16) -> usize {
        let d = usize::from(district).min(self.district_slots - 1);
        let o = usize::from(occ).min(self.occ_slots - 1);
        d * self.occ_slots + o
    }

    fn len(&self) -> usize {
        self.located.len()
    }

    fn upsert(&mut self, r: R) {
        self.remove(r.id());
        let b = self.bucket_index(r.district(), r.occ());
        let bucket = &mut self.buckets[b];
        let at = bucket.position(r.place(), r.id());
        bucket.rows.insert(at, r);
        bucket.resummarise();
        self.located.insert(r.id(), (b as u32, r.place()));
    }

    fn remove(&mut self, id: i64) -> bool {
        let Some((b, place)) = self.located.remove(&id) else { return false };
        let Some(bucket) = self.buckets.get_mut(b as usize) else { return false };
        let at = bucket.position(place, id);
        if bucket.rows.get(at).is_some_and(|r| r.id() == id) {
            bucket.rows.remove(at);
            bucket.resummarise();
        }
        true
    }

    /// The best `k` items for `q`, best first, with their scores.
    fn top<P: Probe<Row = R>>(&self, scorer: &Scorer, q: &P, k: usize, stats: &mut QueryStats) -> Vec<(i32, R)> {
        let mut top = TopK { k, items: Vec::with_capacity(k + 1) };
        if k == 0 || self.located.is_empty() {
            return Vec::new();
        }
        let geo = scorer.geo();
        let home = q.district();
        let place = q.place();
        let known = home != NO_DISTRICT && usize::from(home) < geo.districts();
        let home = if known { home } else { NO_DISTRICT };
        let town = known && has_town(place);
        let village = town && place % 1_000 != 0;
        let possible = |t: Tier| match t {
            Tier::Village => village,
            Tier::Town => town,
            Tier::District | Tier::Adjacent | Tier::Area => known,
            Tier::Elsewhere => true,
        };

        let groups = scorer.groups(q.occ());
        let mut combos: Vec<(i32, Tier, usize)> = Vec::with_capacity(Tier::ALL.len() * groups.len());
        for tier in Tier::ALL.into_iter().filter(|t| possible(*t)) {
            for (gi, g) in groups.iter().enumerate() {
                combos.push((scorer.tier_points(tier) + scorer.occ_points(g.case) + q.max_rest(g.suited), tier, gi));
            }
        }
        combos.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));

        let home_slice = [home];
        for (bound, tier, gi) in combos {
            if !top.may_enter(bound, i64::MIN) {
                break;
            }
            stats.combos += 1;
            let group = &groups[gi];
            let fixed = scorer.tier_points(tier) + scorer.occ_points(group.case);
            let districts: &[u16] = match tier {
                Tier::Village | Tier::Town | Tier::District => &home_slice,
                Tier::Adjacent => geo.adjacent_slots(home),
                Tier::Area => geo.area_slots(home),
                Tier::Elsewhere => geo.elsewhere_slots(home),
            };
            for &d in districts {
                for &o in &group.occs {
                    let bucket = &self.buckets[self.bucket_index(d, o)];
                    if bucket.rows.is_empty() {
                        continue;
                    }
                    stats.buckets_checked += 1;
                    let Some(rest_bound) = q.bucket_bound(&bucket.summary) else { continue };
                    let base = fixed + q.bucket_const(o);
                    if !top.may_enter(base + rest_bound, bucket.min_id) {
                        continue;
                    }
                    stats.buckets_scanned += 1;
                    let rows = bucket.rows.as_slice();
                    let mut scan = |lo: usize, hi: usize| {
                        let mut i = lo;
                        while i < hi {
                            let end = if bucket.blocks.is_empty() { hi } else { hi.min((i / BLOCK + 1) * BLOCK) };
                            if let Some((summary, min_id)) = bucket.blocks.get(i / BLOCK) {
                                let fits = q.bucket_bound(summary).is_some_and(|b| top.may_enter(base + b, *min_id));
                                if !fits {
                                    i = end;
                                    continue;
                                }
                            }
                            stats.rows_scored += (end - i) as u32;
                            for r in &rows[i..end] {
                                if let Some(rest) = q.rest(r) {
                                    top.push(base + rest, r);
                                }
                            }
                            i = end;
                        }
                    };
                    match tier {
                        Tier::Village | Tier::Town | Tier::District => {
                            // Sorted by place: the home town's items, and its village's
                            // items inside them, are contiguous.
                            let (t0, t1) = if town {
                                let lo = place / 1_000 * 1_000;
                                (
                                    rows.partition_point(|r| r.place() < lo),
                                    rows.partition_point(|r| r.place() <= lo + 999),
                                )
                            } else {
                                (0, 0)
                            };
                            let (v0, v1) = if village {
                                (
                                    rows.partition_point(|r| r.place() < place),
                                    rows.partition_point(|r| r.place() <= place),
                                )
                            } else {
                                (t0, t0)
                            };
                            match tier {
                                Tier::Village => scan(v0, v1),
                                Tier::Town => {
                                    scan(t0, v0);
                                    scan(v1, t1);
                                }
                                _ => {
                                    scan(0, t0);
                                    scan(t1, rows.len());
                                }
                            }
                        }
                        _ => scan(0, rows.len()),
                    }
                }
            }
        }
        top.items
    }
}

/// The best `k` so far, best first.
struct TopK<R> {
    k: usize,
    items: Vec<(i32, R)>,
}

impl<R: Stored> TopK<R> {
    /// Whether an item with this score and id (or any with a score up to this and an id
    /// from this) could still enter.
    #[inline]
    fn may_enter(&self, score: i32, id: i64) -> bool {
        match self.items.last() {
            Some(last) if self.items.len() >= self.k => better((score, id), (last.0, last.1.id())),
            _ => true,
        }
    }

    #[inline]
    fn push(&mut self, score: i32, r: &R) {
        if !self.may_enter(score, r.id()) {
            return;
        }
        let at = self.items.partition_point(|x| better((x.0, x.1.id()), (score, r.id())));
        self.items.insert(at, (score, *r));
        self.items.truncate(self.k);
    }
}

/// Bits 0..20: the known sections.
const KNOWN_SECTIONS: u32 = (1 << NO_SECTION) - 1;

/// The best of `table` (points by the other side's section) over the sections in `mask`.
/// For a fixed query every known section but the query's own scores the same, so one
/// representative is enough.
#[inline]
fn industry_bound(table: &[i32; 32], own: u8, mask: u32) -> i32 {
    let own_bit = if own < NO_SECTION { 1u32 << own } else { 0 };
    let mut best = i32::MIN;
    if mask & own_bit != 0 {
        best = table[usize::from(own)];
    }
    let others = mask & KNOWN_SECTIONS & !own_bit;
    if others != 0 {
        best = best.max(table[others.trailing_zeros() as usize]);
    }
    if mask & (1 << NO_SECTION) != 0 {
        best = best.max(table[usize::from(NO_SECTION)]);
    }
    best
}

/// `best[mask]`: the best of `table` over the set bits of `mask`.
fn best_by_mask<const N: usize>(table: &[i32], bits: usize) -> [i32; N] {
    let mut best = [i32::MIN; N];
    for (mask, b) in best.iter_mut().enumerate() {
        for (i, v) in table.iter().enumerate().take(bits) {
            if mask & (1 << i) != 0 {
                *b = (*b).max(*v);
            }
        }
    }
    best
}

// ---- Jobs for a worker ----

/// What a bucket of jobs can score.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JobSummary {
    min_age_min: u8,
    max_age_max: u8,
    /// Bit `l`: a job with minimum skill level `l` (0: none).
    skills: u8,
    /// Bit `JobKind::code`.
    kinds: u8,
    sections: u32,
    max_mid: i64,
    has_paid: bool,
    has_piece: bool,
}

impl Default for JobSummary {
    fn default() -> JobSummary {
        JobSummary {
            min_age_min: u8::MAX,
            max_age_max: 0,
            skills: 0,
            kinds: 0,
            sections: 0,
            max_mid: i64::MIN,
            has_paid: false,
            has_piece: false,
        }
    }
}

impl Stored for JobRow {
    type Summary = JobSummary;
    fn id(&self) -> i64 {
        self.id
    }
    fn place(&self) -> i64 {
        self.place
    }
    fn district(&self) -> u16 {
        self.district
    }
    fn occ(&self) -> u16 {
        self.occ
    }
    fn add_to(&self, s: &mut JobSummary) {
        s.min_age_min = s.min_age_min.min(self.age_min);
        s.max_age_max = s.max_age_max.max(self.age_max);
        s.skills |= 1 << (self.skill & 7);
        s.kinds |= 1 << (self.kind & 7);
        s.sections |= 1 << (self.section & 31);
        if self.piece {
            s.has_piece = true;
        } else {
            s.has_paid = true;
            s.max_mid = s.max_mid.max(self.mid);
        }
    }
}

/// A seeker, prepared to score jobs.
struct JobProbe<'a> {
    scorer: &'a Scorer,
    s: SeekerRow,
    /// By the job's minimum skill level (0..=5).
    skill: [i32; 8],
    skill_best: [i32; 64],
    /// By the job's kind code.
    kind: [i32; 8],
    kind_best: [i32; 32],
    /// By the job's section slot.
    industry: [i32; 32],
    neutral: i32,
    at_least: i32,
    near: i32,
    far: i32,
    max_plain: i32,
    older: i32,
}

impl<'a> JobProbe<'a> {
    fn new(scorer: &'a Scorer, s: SeekerRow) -> JobProbe<'a> {
        let mut skill = [0; 8];
        for (l, p) in skill.iter_mut().enumerate().take(6) {
            *p = scorer.skill_points(skill_case(s.skill, l as u8));
        }
        let mut kind = [0; 8];
        for (k, p) in kind.iter_mut().enumerate().take(5).skip(1) {
            *p = scorer.kind_points(kind_case(s.wanted, k as u8));
        }
        let mut industry = [0; 32];
        for (x, p) in industry.iter_mut().enumerate().take(usize::from(NO_SECTION) + 1) {
            *p = scorer.industry_points(industry_case(s.section, x as u8));
        }
        let w = |c| scorer.wage_points(c);
        let (neutral, at_least, near, far) =
            (w(WageCase::NoExpectation), w(WageCase::AtLeast), w(WageCase::Near), w(WageCase::Far));
        let max = |t: &[i32]| t.iter().copied().max().unwrap_or(0);
        let wage_max = if s.has_expectation { neutral.max(at_least) } else { neutral };
        let max_plain = max(&skill[..6]) + max(&kind[1..5]) + max(&industry[..=usize::from(NO_SECTION)]) + wage_max;
        JobProbe {
            scorer,
            s,
            skill,
            skill_best: best_by_mask(&skill, 6),
            kind,
            kind_best: best_by_mask(&kind, 5),
            industry,
            neutral,
            at_least,
            near,
            far,
            max_plain,
            older: if s.older { scorer.weights().older.points } else { 0 },
        }
    }

    #[inline]
    fn wage(&self, piece: bool, mid: i64) -> i32 {
        if !self.s.has_expectation || piece {
            self.neutral
        } else if mid >= self.s.expected {
            self.at_least
        } else if mid >= self.s.near_min {
            self.near
        } else {
            self.far
        }
    }
}

impl Probe for JobProbe<'_> {
    type Row = JobRow;
    fn place(&self) -> i64 {
        self.s.place
    }
    fn district(&self) -> u16 {
        self.s.district
    }
    fn occ(&self) -> u16 {
        self.s.occ
    }
    fn max_rest(&self, suited: bool) -> i32 {
        self.max_plain + if suited { self.older } else { 0 }
    }
    fn bucket_const(&self, occ: u16) -> i32 {
        self.scorer.older_points(self.s.older, occ)
    }
    #[inline]
    fn bucket_bound(&self, b: &JobSummary) -> Option<i32> {
        if self.s.age < b.min_age_min || self.s.age > b.max_age_max {
            return None;
        }
        let mut wage = i32::MIN;
        if b.has_piece {
            wage = self.wage(true, 0);
        }
        if b.has_paid {
            // Wage points never fall as the wage rises (checked when weights load).
            wage = wage.max(self.wage(false, b.max_mid));
        }
        Some(
            self.skill_best[usize::from(b.skills & 63)]
                + self.kind_best[usize::from(b.kinds & 31)]
                + industry_bound(&self.industry, self.s.section, b.sections)
                + wage,
        )
    }
    #[inline]
    fn rest(&self, j: &JobRow) -> Option<i32> {
        if self.s.age < j.age_min || self.s.age > j.age_max {
            return None;
        }
        Some(
            self.skill[usize::from(j.skill & 7)]
                + self.kind[usize::from(j.kind & 7)]
                + self.industry[usize::from(j.section & 31)]
                + self.wage(j.piece, j.mid),
        )
    }
}

/// Open jobs with headcount left, searchable by worker (SPEC §4).
#[derive(Debug, Clone)]
pub struct JobIndex {
    scorer: Scorer,
    core: Core<JobRow>,
}

impl JobIndex {
    /// Indexes the postings that are open with headcount left (for a repeated id, the
    /// last one).
    pub fn build(postings: &[Posting], geo: &Geo, weights: &Weights) -> JobIndex {
        JobIndex::with_scorer(postings, Scorer::new(geo, weights))
    }

    pub fn with_scorer(postings: &[Posting], scorer: Scorer) -> JobIndex {
        let mut latest: HashMap<i64, &Posting> = HashMap::with_capacity(postings.len());
        for p in postings {
            latest.insert(p.id, p);
        }
        let rows = latest.into_values().filter(|p| p.open && p.headcount_left > 0).map(|p| scorer.job_row(p));
        let core = Core::build(scorer.geo(), rows);
        JobIndex { scorer, core }
    }

    pub fn scorer(&self) -> &Scorer {
        &self.scorer
    }

    /// Adds or replaces a posting; a closed or full one is taken out.
    pub fn upsert(&mut self, posting: &Posting) {
        if posting.open && posting.headcount_left > 0 {
            self.core.upsert(self.scorer.job_row(posting));
        } else {
            self.core.remove(posting.id);
        }
    }

    /// Takes a posting out; false if it was not in.
    pub fn remove(&mut self, id: i64) -> bool {
        self.core.remove(id)
    }

    pub fn len(&self) -> usize {
        self.core.len()
    }

    pub fn is_empty(&self) -> bool {
        self.core.len() == 0
    }

    /// The best `k` jobs for a worker, best first (ties: lower job id first), each with
    /// its explanation. Nothing for a worker not in the labour force or not wanting work.
    pub fn top_jobs(&self, seeker: &Seeker, k: usize) -> Vec<Match> {
        self.top_jobs_with_stats(seeker, k).0
    }

    pub fn top_jobs_with_stats(&self, seeker: &Seeker, k: usize) -> (Vec<Match>, QueryStats) {
        let mut stats = QueryStats::default();
        if !seeker.in_labor_force_and_wants_work {
            return (Vec::new(), stats);
        }
        let s = self.scorer.seeker_row(seeker);
        let probe = JobProbe::new(&self.scorer, s);
        let top = self.core.top(&self.scorer, &probe, k, &mut stats);
        let out =
            top.into_iter().map(|(score, j)| Match { id: j.id, score, factors: self.scorer.factors(&s, &j) }).collect();
        (out, stats)
    }
}

// ---- Workers for a job ----

/// What a bucket of seekers can score.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SeekerSummary {
    min_age: u8,
    max_age: u8,
    /// Bit `l`: a seeker with skill level `l` (0: none).
    skills: u8,
    /// Bit `JobKind::code` wanted (0: no wish).
    wanted: u8,
    sections: u32,
    /// The lowest expectation and its `near_min`, over seekers with one.
    min_expected: i64,
    min_near: i64,
    has_expectation: bool,
    has_no_expectation: bool,
    has_older: bool,
    has_younger: bool,
}

impl Default for SeekerSummary {
    fn default() -> SeekerSummary {
        SeekerSummary {
            min_age: u8::MAX,
            max_age: 0,
            skills: 0,
            wanted: 0,
            sections: 0,
            min_expected: i64::MAX,
            min_near: i64::MAX,
            has_expectation: false,
            has_no_expectation: false,
            has_older: false,
            has_younger: false,
        }
    }
}

impl Stored for SeekerRow {
    type Summary = SeekerSummary;
    fn id(&self) -> i64 {
        self.id
    }
    fn place(&self) -> i64 {
        self.place
    }
    fn district(&self) -> u16 {
        self.district
    }
    fn occ(&self) -> u16 {
        self.occ
    }
    fn add_to(&self, s: &mut SeekerSummary) {
        s.min_age = s.min_age.min(self.age);
        s.max_age = s.max_age.max(self.age);
        s.skills |= 1 << (self.skill & 7);
        s.wanted |= 1 << (self.wanted & 7);
        s.sections |= 1 << (self.section & 31);
        if self.has_expectation {
            s.has_expectation = true;
            s.min_expected = s.min_expected.min(self.expected);
            s.min_near = s.min_near.min(self.near_min);
        } else {
            s.has_no_expectation = true;
        }
        if self.older {
            s.has_older = true;
        } else {
            s.has_younger = true;
        }
    }
}

/// A posting, prepared to score seekers.
struct SeekerProbe {
    j: JobRow,
    /// By the seeker's skill level (0..=5).
    skill: [i32; 8],
    skill_best: [i32; 64],
    /// By the seeker's wanted kind (0: none).
    kind: [i32; 8],
    kind_best: [i32; 32],
    /// By the seeker's section slot.
    industry: [i32; 32],
    /// By whether the seeker is older.
    older: [i32; 2],
    neutral: i32,
    at_least: i32,
    near: i32,
    far: i32,
    max_rest: i32,
}

impl SeekerProbe {
    fn new(scorer: &Scorer, j: JobRow) -> SeekerProbe {
        let mut skill = [0; 8];
        for (l, p) in skill.iter_mut().enumerate().take(6) {
            *p = scorer.skill_points(skill_case(l as u8, j.skill));
        }
        let mut kind = [0; 8];
        for (k, p) in kind.iter_mut().enumerate().take(5) {
            *p = scorer.kind_points(kind_case(k as u8, j.kind));
        }
        let mut industry = [0; 32];
        for (x, p) in industry.iter_mut().enumerate().take(usize::from(NO_SECTION) + 1) {
            *p = scorer.industry_points(industry_case(x as u8, j.section));
        }
        let older = [scorer.older_points(false, j.occ), scorer.older_points(true, j.occ)];
        let w = |c| scorer.wage_points(c);
        let (neutral, at_least, near, far) =
            (w(WageCase::NoExpectation), w(WageCase::AtLeast), w(WageCase::Near), w(WageCase::Far));
        let max = |t: &[i32]| t.iter().copied().max().unwrap_or(0);
        let wage_max = if j.piece { neutral } else { neutral.max(at_least) };
        let max_rest = max(&skill[..6])
            + max(&kind[..5])
            + max(&industry[..=usize::from(NO_SECTION)])
            + wage_max
            + older[0].max(older[1]);
        SeekerProbe {
            j,
            skill,
            skill_best: best_by_mask(&skill, 6),
            kind,
            kind_best: best_by_mask(&kind, 5),
            industry,
            older,
            neutral,
            at_least,
            near,
            far,
            max_rest,
        }
    }

    #[inline]
    fn wage(&self, has_expectation: bool, expected: i64, near_min: i64) -> i32 {
        if !has_expectation || self.j.piece {
            self.neutral
        } else if self.j.mid >= expected {
            self.at_least
        } else if self.j.mid >= near_min {
            self.near
        } else {
            self.far
        }
    }
}

impl Probe for SeekerProbe {
    type Row = SeekerRow;
    fn place(&self) -> i64 {
        self.j.place
    }
    fn district(&self) -> u16 {
        self.j.district
    }
    fn occ(&self) -> u16 {
        self.j.occ
    }
    fn max_rest(&self, _suited: bool) -> i32 {
        self.max_rest
    }
    fn bucket_const(&self, _occ: u16) -> i32 {
        0
    }
    #[inline]
    fn bucket_bound(&self, b: &SeekerSummary) -> Option<i32> {
        if b.max_age < self.j.age_min || b.min_age > self.j.age_max {
            return None;
        }
        let mut wage = i32::MIN;
        if b.has_no_expectation {
            wage = self.neutral;
        }
        if b.has_expectation {
            // The lowest expectation scores best (checked when weights load).
            wage = wage.max(self.wage(true, b.min_expected, b.min_near));
        }
        let mut older = i32::MIN;
        if b.has_younger {
            older = self.older[0];
        }
        if b.has_older {
            older = older.max(self.older[1]);
        }
        Some(
            self.skill_best[usize::from(b.skills & 63)]
                + self.kind_best[usize::from(b.wanted & 31)]
                + industry_bound(&self.industry, self.j.section, b.sections)
                + wage
                + older,
        )
    }
    #[inline]
    fn rest(&self, s: &SeekerRow) -> Option<i32> {
        if s.age < self.j.age_min || s.age > self.j.age_max {
            return None;
        }
        Some(
            self.skill[usize::from(s.skill & 7)]
                + self.kind[usize::from(s.wanted & 7)]
                + self.industry[usize::from(s.section & 31)]
                + self.older[usize::from(s.older)]
                + self.wage(s.has_expectation, s.expected, s.near_min),
        )
    }
}

/// Workers in the labour force who want work, searchable by job (SPEC §4).
#[derive(Debug, Clone)]
pub struct SeekerIndex {
    scorer: Scorer,
    core: Core<SeekerRow>,
}

impl SeekerIndex {
    /// Indexes the seekers in the labour force who want work (for a repeated id, the
    /// last one).
    pub fn build(seekers: &[Seeker], geo: &Geo, weights: &Weights) -> SeekerIndex {
        SeekerIndex::with_scorer(seekers, Scorer::new(geo, weights))
    }

    pub fn with_scorer(seekers: &[Seeker], scorer: Scorer) -> SeekerIndex {
        let mut latest: HashMap<i64, &Seeker> = HashMap::with_capacity(seekers.len());
        for s in seekers {
            latest.insert(s.id, s);
        }
        let rows = latest.into_values().filter(|s| s.in_labor_force_and_wants_work).map(|s| scorer.seeker_row(s));
        let core = Core::build(scorer.geo(), rows);
        SeekerIndex { scorer, core }
    }

    pub fn scorer(&self) -> &Scorer {
        &self.scorer
    }

    /// Adds or replaces a seeker; one not wanting work is taken out.
    pub fn upsert(&mut self, seeker: &Seeker) {
        if seeker.in_labor_force_and_wants_work {
            self.core.upsert(self.scorer.seeker_row(seeker));
        } else {
            self.core.remove(seeker.id);
        }
    }

    /// Takes a seeker out; false if they were not in.
    pub fn remove(&mut self, id: i64) -> bool {
        self.core.remove(id)
    }

    pub fn len(&self) -> usize {
        self.core.len()
    }

    pub fn is_empty(&self) -> bool {
        self.core.len() == 0
    }

    /// The best `k` workers for a job, best first (ties: lower seeker id first), each
    /// with its explanation. Nothing for a closed or full job.
    pub fn top_workers(&self, posting: &Posting, k: usize) -> Vec<Match> {
        self.top_workers_with_stats(posting, k).0
    }

    pub fn top_workers_with_stats(&self, posting: &Posting, k: usize) -> (Vec<Match>, QueryStats) {
        let mut stats = QueryStats::default();
        if !posting.open || posting.headcount_left == 0 {
            return (Vec::new(), stats);
        }
        let j = self.scorer.job_row(posting);
        let probe = SeekerProbe::new(&self.scorer, j);
        let top = self.core.top(&self.scorer, &probe, k, &mut stats);
        let out =
            top.into_iter().map(|(score, s)| Match { id: s.id, score, factors: self.scorer.factors(&s, &j) }).collect();
        (out, stats)
    }
}
