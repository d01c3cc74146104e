//! The counts the dashboards read, as deltas of person events. Every change to a
//! person (a registration, a status change, an import row) is turned here into
//! `+1`/`-1` on a few counters, which the store adds to `mon_counts` in the same
//! transaction as the event. A full recount folds each person's timeline through the
//! same function, so the kept counts and a recount agree by construction, and a
//! property test checks it.
//!
//! Counts are kept by the person's **hukou** region (户籍地: the seeds' targets are
//! the home areas' figures, and 就近就业 is defined against it) at three levels: the
//! city, the district and the town. Villages are counted on demand from the registry.
//!
//! Two kinds of measure:
//! - *stocks* (人员底数, status mix, insurance, group flags, service needs, where the
//!   employed work): a delta in the month of the event; the stock at the end of month
//!   M is the sum of the deltas of months up to M, and month `0` keeps the running
//!   total (the stock now);
//! - *flows* (返乡, 外出, 新增就近就业 by annex-2 industry row, 新增失业, 新增登记失业,
//!   新登记): transitions counted in the month of the event.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use crate::refdata::RefData;
use crate::region::{RegionCode, RegionLevel};
use crate::registry::{
    EmploymentStatus, Flag, GroupFlag, GroupFlags, Insurance, InsuranceSet, PersonState, ServiceNeed, ServiceNeeds,
};

/// What a counter counts. The codes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Measure {
    /// 人员底数 (key 0).
    Persons,
    /// 就业状态 (key: the status code).
    Status,
    /// 参保 (key: insurance bit + 1; 0 is 未参保).
    Insurance,
    /// 人员类别 (key: flag bit + 1).
    Group,
    /// 服务需求, open (key: need bit + 1).
    Need,
    /// Where the employed work (key: `Workplace` code).
    Workplace,
    /// 登记失业 stock: unemployed with a registration date (key 0).
    RegisteredUnemployed,
    /// 返乡未就业: 返乡人员 who are unemployed (key 0), for the mass-unemployment risk.
    ReturneeUnemployed,
    /// 返乡: left 市外就业 (key 0).
    Returned,
    /// 外出: became 市外就业 (key 0).
    Departed,
    /// 新增就近就业 (key: annex-2 row number, 0 when the industry maps to none).
    NearHomeNew,
    /// 新增失业: became unemployed (key 0).
    BecameUnemployed,
    /// 新增登记失业: a new unemployment registration date (key 0).
    NewUnemploymentRegistration,
    /// 新登记入库 (key 0).
    Registered,
}

impl Measure {
    pub const ALL: [Measure; 14] = [
        Measure::Persons,
        Measure::Status,
        Measure::Insurance,
        Measure::Group,
        Measure::Need,
        Measure::Workplace,
        Measure::RegisteredUnemployed,
        Measure::ReturneeUnemployed,
        Measure::Returned,
        Measure::Departed,
        Measure::NearHomeNew,
        Measure::BecameUnemployed,
        Measure::NewUnemploymentRegistration,
        Measure::Registered,
    ];

    pub fn code(self) -> i16 {
        match self {
            Measure::Persons => 1,
            Measure::Status => 2,
            Measure::Insurance => 3,
            Measure::Group => 4,
            Measure::Need => 5,
            Measure::Workplace => 6,
            Measure::RegisteredUnemployed => 7,
            Measure::ReturneeUnemployed => 8,
            Measure::Returned => 11,
            Measure::Departed => 12,
            Measure::NearHomeNew => 13,
            Measure::BecameUnemployed => 14,
            Measure::NewUnemploymentRegistration => 15,
            Measure::Registered => 16,
        }
    }

    pub fn from_code(code: i16) -> Option<Measure> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    /// Stocks keep a running total in month 0; flows do not.
    pub fn is_stock(self) -> bool {
        self.code() < 10
    }

    pub fn label(self) -> &'static str {
        match self {
            Measure::Persons => "人员底数",
            Measure::Status => "就业状态",
            Measure::Insurance => "参保情况",
            Measure::Group => "人员类别",
            Measure::Need => "服务需求",
            Measure::Workplace => "就业地点",
            Measure::RegisteredUnemployed => "登记失业人员",
            Measure::ReturneeUnemployed => "返乡未就业人员",
            Measure::Returned => "返乡",
            Measure::Departed => "外出务工",
            Measure::NearHomeNew => "新增就近就业",
            Measure::BecameUnemployed => "新增失业",
            Measure::NewUnemploymentRegistration => "新增登记失业",
            Measure::Registered => "新登记入库",
        }
    }
}

/// Where an employed person works, relative to the hukou district.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workplace {
    /// 本区县 (就近就业).
    HomeDistrict,
    /// 市内其他区县.
    OtherDistrict,
    /// 市外.
    OutsideCity,
    /// Employed in Chongqing without a recorded place (灵活就业, 自主创业 …).
    Unrecorded,
}

impl Workplace {
    pub const ALL: [Workplace; 4] =
        [Workplace::HomeDistrict, Workplace::OtherDistrict, Workplace::OutsideCity, Workplace::Unrecorded];

    pub fn code(self) -> i16 {
        match self {
            Workplace::HomeDistrict => 1,
            Workplace::OtherDistrict => 2,
            Workplace::OutsideCity => 3,
            Workplace::Unrecorded => 4,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Workplace::HomeDistrict => "本区县（就近就业）",
            Workplace::OtherDistrict => "市内其他区县",
            Workplace::OutsideCity => "市外",
            Workplace::Unrecorded => "市内（未登记地点）",
        }
    }
}

/// The part of a person the counts depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facet {
    pub hukou: RegionCode,
    pub status: EmploymentStatus,
    pub work_region: Option<RegionCode>,
    /// Annex-2 row of the person's industry (0: none).
    pub industry_row: u8,
    pub insurance: InsuranceSet,
    pub flags: GroupFlags,
    pub needs: ServiceNeeds,
    pub unemployed_since: Option<NaiveDate>,
}

/// The annex-2 row each industry code counts toward, looked up once per code (this
/// runs for every imported row).
#[derive(Debug, Clone, Default)]
pub struct IndustryRows(HashMap<String, u8>);

impl IndustryRows {
    pub fn new(refdata: &RefData) -> IndustryRows {
        let map = refdata
            .industries()
            .iter()
            .filter_map(|i| refdata.annex2_row_of(&i.code).map(|r| (i.code.clone(), r.number)))
            .collect();
        IndustryRows(map)
    }

    /// For the embedded reference data (empty if it cannot load, which the program
    /// refuses to start without anyway).
    pub fn embedded() -> &'static IndustryRows {
        static ROWS: std::sync::OnceLock<IndustryRows> = std::sync::OnceLock::new();
        ROWS.get_or_init(|| RefData::embedded().map(IndustryRows::new).unwrap_or_default())
    }

    /// The annex-2 row of an industry code (0: none or unknown).
    pub fn get(&self, industry: Option<&str>) -> u8 {
        industry.and_then(|c| self.0.get(c)).copied().unwrap_or(0)
    }
}

impl Facet {
    /// The facet of a registry state.
    pub fn of(s: &PersonState, rows: &IndustryRows) -> Facet {
        Facet {
            hukou: s.hukou_region,
            status: s.status,
            work_region: s.work_region,
            industry_row: rows.get(s.industry.as_deref()),
            insurance: s.insurance,
            flags: s.flags,
            needs: s.needs,
            unemployed_since: s.unemployed_since,
        }
    }

    pub fn workplace(&self) -> Option<Workplace> {
        if !self.status.is_employed() {
            return None;
        }
        if self.status == EmploymentStatus::OutsideEmployed {
            return Some(Workplace::OutsideCity);
        }
        Some(match self.work_region {
            None => Workplace::Unrecorded,
            Some(w) if w.district().is_some() && w.district() == self.hukou.district() => Workplace::HomeDistrict,
            Some(_) => Workplace::OtherDistrict,
        })
    }

    /// 就近就业 (SPEC §2): employed in Chongqing within the hukou district.
    pub fn near_home(&self) -> bool {
        self.workplace() == Some(Workplace::HomeDistrict)
    }

    /// The stock counters this person adds 1 to.
    fn stocks(&self, out: &mut Vec<(Measure, i16)>) {
        out.push((Measure::Persons, 0));
        out.push((Measure::Status, self.status.code()));
        if self.insurance.is_empty() {
            out.push((Measure::Insurance, 0));
        }
        out.extend(self.insurance.iter().map(|i: Insurance| (Measure::Insurance, i.bit() as i16 + 1)));
        out.extend(self.flags.iter().map(|f: GroupFlag| (Measure::Group, f.bit() as i16 + 1)));
        out.extend(self.needs.iter().map(|n: ServiceNeed| (Measure::Need, n.bit() as i16 + 1)));
        if let Some(w) = self.workplace() {
            out.push((Measure::Workplace, w.code()));
        }
        if self.status == EmploymentStatus::Unemployed && self.unemployed_since.is_some() {
            out.push((Measure::RegisteredUnemployed, 0));
        }
        if self.status == EmploymentStatus::Unemployed && self.flags.contains(GroupFlag::Returnee) {
            out.push((Measure::ReturneeUnemployed, 0));
        }
    }
}

/// The flows of one change (none for a registration but `Registered`).
fn flows(before: &Facet, after: &Facet, out: &mut Vec<(Measure, i16)>) {
    let outside = |f: &Facet| f.status == EmploymentStatus::OutsideEmployed;
    if outside(before) && !outside(after) {
        out.push((Measure::Returned, 0));
    }
    if !outside(before) && outside(after) {
        out.push((Measure::Departed, 0));
    }
    if after.near_home() && !before.near_home() {
        out.push((Measure::NearHomeNew, i16::from(after.industry_row)));
    }
    let unemployed = |f: &Facet| f.status == EmploymentStatus::Unemployed;
    if unemployed(after) && !unemployed(before) {
        out.push((Measure::BecameUnemployed, 0));
    }
    if unemployed(after) && after.unemployed_since.is_some() && after.unemployed_since != before.unemployed_since {
        out.push((Measure::NewUnemploymentRegistration, 0));
    }
}

/// A month as stored: `YYYYMM` (0 is the running total of stocks).
pub fn month_code(d: NaiveDate) -> i32 {
    d.year() * 100 + d.month() as i32
}

/// The first day of a stored month code.
pub fn month_start(code: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(code / 100, (code % 100) as u32, 1)
}

/// The stored level of a counter's region: 0 city, 1 district, 2 town.
pub fn level_code(level: RegionLevel) -> Option<i16> {
    match level {
        RegionLevel::Province => Some(0),
        RegionLevel::District => Some(1),
        RegionLevel::Town => Some(2),
        RegionLevel::Village => None,
    }
}

/// The finest region a hukou is counted under: its town (or the district or
/// province, as far as the code goes). Levels above are added when the tally is read.
fn finest(hukou: RegionCode) -> i64 {
    hukou.town().or_else(|| hukou.district()).unwrap_or_else(|| hukou.province()).as_i64()
}

/// The regions a finest region counts under: its province (the city), district and
/// town, each with its level.
fn counted_regions(finest: i64) -> impl Iterator<Item = (i16, i64)> {
    let code = RegionCode::from_i64(finest);
    let city = code.map(|c| (0, c.province().as_i64()));
    let district = code.and_then(RegionCode::district).map(|d| (1, d.as_i64()));
    let town = code.and_then(RegionCode::town).map(|t| (2, t.as_i64()));
    [city, district, town].into_iter().flatten()
}

/// One counter: (level, region, month, measure, key).
pub type Key = (i16, i64, i32, i16, i16);

/// (finest region, month, measure, key): what a change adds to, before levels.
type Raw = (i64, i32, i16, i16);

/// A cheap hasher for the small integer keys of a tally (this runs for every
/// imported row; SipHash would be a tenth of the import's time).
#[derive(Default, Clone, Copy)]
pub struct MixHasher(u64);

impl std::hash::Hasher for MixHasher {
    fn finish(&self) -> u64 {
        let x = self.0 ^ (self.0 >> 29);
        x.wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (x >> 32)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(23) ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn write_i64(&mut self, v: i64) {
        self.write_u64(v as u64);
    }
    fn write_i32(&mut self, v: i32) {
        self.write_u64(v as u64);
    }
    fn write_i16(&mut self, v: i16) {
        self.write_u64(v as u64);
    }
}

type Map<K> = HashMap<K, i64, std::hash::BuildHasherDefault<MixHasher>>;

/// Deltas gathered in memory, written by the store in the transaction that writes
/// the events they come from.
#[derive(Default, Clone)]
pub struct Tally {
    counts: Map<Raw>,
    scratch: Vec<(Measure, i16)>,
}

impl std::fmt::Debug for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tally").field("counters", &self.counts.len()).finish()
    }
}

impl Tally {
    pub fn new() -> Tally {
        Tally::default()
    }

    fn add_all(&mut self, hukou: RegionCode, month: i32, n: i64) {
        let region = finest(hukou);
        for &(m, k) in &self.scratch {
            *self.counts.entry((region, month, m.code(), k)).or_insert(0) += n;
        }
    }

    /// A person entered the registry on `date` in state `after`.
    pub fn register(&mut self, after: &Facet, date: NaiveDate) {
        self.scratch.clear();
        after.stocks(&mut self.scratch);
        self.scratch.push((Measure::Registered, 0));
        // Registered as 登记失业: a new unemployment registration in the registry.
        if after.status == EmploymentStatus::Unemployed && after.unemployed_since.is_some() {
            self.scratch.push((Measure::NewUnemploymentRegistration, 0));
        }
        self.add_all(after.hukou, month_code(date), 1);
    }

    /// A person moved from `before` to `after` on `date`: counted in the steps the
    /// timeline records it in (就业状态变更, 参保变更, 人员类别变更, 信息变更 — see
    /// `registry::events`), so that folding the events one by one counts the same
    /// (a move of hukou recorded with a new job counts the job under the old hukou).
    pub fn change(&mut self, before: &Facet, after: &Facet, date: NaiveDate) {
        let mut cur = before.clone();
        let mut next = cur.clone();
        next.status = after.status;
        next.work_region = after.work_region;
        next.industry_row = after.industry_row;
        next.unemployed_since = after.unemployed_since;
        self.step(&cur, &next, date);
        cur = next.clone();
        next.insurance = after.insurance;
        self.step(&cur, &next, date);
        cur = next.clone();
        next.flags = after.flags;
        self.step(&cur, &next, date);
        cur = next.clone();
        next.hukou = after.hukou;
        next.needs = after.needs;
        self.step(&cur, &next, date);
    }

    /// One recorded step: the stocks of `before` out, those of `after` in, and the
    /// flows between them.
    pub fn step(&mut self, before: &Facet, after: &Facet, date: NaiveDate) {
        if before == after {
            return;
        }
        let month = month_code(date);
        self.scratch.clear();
        before.stocks(&mut self.scratch);
        self.add_all(before.hukou, month, -1);
        self.scratch.clear();
        after.stocks(&mut self.scratch);
        flows(before, after, &mut self.scratch);
        self.add_all(after.hukou, month, 1);
    }

    /// Adds another tally's counts.
    pub fn merge(&mut self, other: Tally) {
        for (k, n) in other.counts {
            *self.counts.entry(k).or_insert(0) += n;
        }
    }

    /// Whether no counter changes.
    pub fn is_empty(&self) -> bool {
        self.counts.values().all(|n| *n == 0)
    }

    /// The counters at every level, stocks also in month 0, without the zeros.
    pub fn nonzero(&self) -> HashMap<Key, i64> {
        let mut out: HashMap<Key, i64> = HashMap::new();
        for (&(region, month, m, k), &n) in &self.counts {
            if n == 0 {
                continue;
            }
            let stock = Measure::from_code(m).is_some_and(Measure::is_stock);
            for (level, r) in counted_regions(region) {
                *out.entry((level, r, month, m, k)).or_insert(0) += n;
                if stock {
                    *out.entry((level, r, 0, m, k)).or_insert(0) += n;
                }
            }
        }
        out.retain(|_, n| *n != 0);
        out
    }

    /// The non-zero counters in key order (the order writers lock rows in, so that
    /// two transactions never wait on each other in a cycle). Empties the tally.
    pub fn drain_sorted(&mut self) -> Vec<(Key, i64)> {
        let mut v: Vec<(Key, i64)> = self.nonzero().into_iter().collect();
        self.counts.clear();
        v.sort_unstable_by_key(|(k, _)| *k);
        v
    }
}

#[cfg(test)]
mod tests;
