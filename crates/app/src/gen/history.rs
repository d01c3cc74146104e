//! `jiujin gen --history MONTHS`: the months after the base file, as import files of
//! the persons whose state changed (`history/YYYY-MM.csv`, the worker template, one
//! full row per changed person with the new state). Imported in order after the base
//! file, each with its own date, they give the registry a timeline of monthly flows:
//! returns to Chongqing, departures, new near-home jobs (市内就业 in the hukou
//! district), jobs lost, with the 春节 return and the spring departure.
//!
//! The base file is read once; each person keeps in memory only what the months
//! change (status, work region or province, industry, residence, insurance, flags,
//! needs, 登记失业日期), about 20 bytes, plus the row's byte offset in the base file
//! (8 bytes). A changed person's row is read back from the base file when its month
//! is written, and the tracked cells replaced. Deterministic for a given seed.
//!
//! The flows (monthly shares are assumptions chosen to give the well-known seasonal
//! shape; the stocks stay near the base file's calibration, see the constants):
//! - the month holding the day 15 days before 春节: about 12 % of 市外就业 persons
//!   return: 45 % become 失业 (30 % of them registered), 35 % take a near-home job
//!   (市内就业 in a town of the hukou district), 20 % 灵活就业;
//! - the two months after it: about 60 % of the returned who are still 失业 leave again
//!   for a province outside, and some of the returned near-home and flexible workers;
//! - every month: 0.5 % of 市内就业 lose their job, 8 % of 失业 (and 0.5 % of 灵活就业)
//!   find 市内就业 (70 % near home), 0.2 % change job within the work district, 3 % of
//!   the unregistered 失业 register, 0.2 % of 市外就业 return, 0.5 % of 市内就业 and
//!   灵活就业 and 1.5 % of 失业 leave for work outside (under 60 only); 0.3 % of
//!   everyone gains an insurance type.
//!
//! Over a year the departures balance the returns: the share working outside falls
//! by about 4 points in the return month, is back within a few months and rises
//! slowly until the next 春节 (35 % → 37 % → 33 %); 失业 peaks at about 5.5 % after
//! the return. A member of a 零就业家庭 stays 失业 or 不在劳动力市场 (the flag is the
//! household's). A new job redraws 工伤 and 失业 insurance as the base file draws
//! them; becoming 失业 ends them and adds the need 求职, which goes again with the
//! next job unless the person had it before.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Days, Months, NaiveDate};
use jiujin_domain::refdata::RefData;
use jiujin_domain::registry::validate::parse_date;
use jiujin_domain::registry::{
    header_row, EmploymentStatus, Flag, FlagSet, GroupFlag, GroupFlags, HeaderMap, Insurance, InsuranceSet,
    ServiceNeed, ServiceNeeds, COLUMNS,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::calibration::{self as cal, Weighted, World};
use super::GenError;

// ---------------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------------

/// 春节 (the first day of the lunar year), from the published calendars. Years beyond
/// the table fall back to 1 February.
pub const SPRING_FESTIVALS: &[(i32, u32, u32)] =
    &[(2024, 2, 10), (2025, 1, 29), (2026, 2, 17), (2027, 2, 6), (2028, 1, 26)];

/// Days before 春节 on which the return home is under way: the return month is the
/// month holding that day.
pub const RETURN_LEAD_DAYS: u64 = 15;

/// Months after the return month in which the returned leave again.
pub const DEPARTURE_MONTHS: u32 = 2;

/// Day of the month on which a month's changes are imported.
pub const IMPORT_DAY: u32 = 15;

/// 春节 of `year` (1 February beyond the table).
pub fn spring_festival(year: i32) -> NaiveDate {
    let (m, d) = SPRING_FESTIVALS.iter().find(|(y, _, _)| *y == year).map_or((2, 1), |(_, m, d)| (*m, *d));
    NaiveDate::from_ymd_opt(year, m, d).unwrap_or(NaiveDate::MIN)
}

/// The first day of the return month of `year`: the month holding the day
/// `RETURN_LEAD_DAYS` before 春节.
pub fn return_month(year: i32) -> NaiveDate {
    let day = spring_festival(year) - Days::new(RETURN_LEAD_DAYS);
    first_of_month(day)
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The first day of the month `months` months before `as_of`'s month: the date the
/// base file of a history ending in `as_of`'s month describes.
pub fn history_start(as_of: NaiveDate, months: u32) -> Option<NaiveDate> {
    first_of_month(as_of).checked_sub_months(Months::new(months))
}

/// The date a month's changes are imported with: the 15th of the month, or `as_of`
/// when that is earlier in the same month (the last month of a history).
pub fn history_import_date(month: NaiveDate, as_of: NaiveDate) -> NaiveDate {
    let fifteenth = month.with_day(IMPORT_DAY).unwrap_or(month);
    if first_of_month(as_of) == first_of_month(month) && as_of < fifteenth {
        as_of
    } else {
        fifteenth
    }
}

/// What kind of month it is for the seasonal flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Season {
    /// The return month before 春节.
    Return,
    /// The n-th month (1 or 2) after the return month.
    Departure(u32),
    Ordinary,
}

fn season_of(month: NaiveDate) -> Season {
    // The departure months may fall in the year after the return month only if the
    // return month were in November or December, which it never is; still, look at
    // both years.
    for year in [month.year(), month.year() - 1] {
        let ret = return_month(year);
        if ret == month {
            return Season::Return;
        }
        for n in 1..=DEPARTURE_MONTHS {
            if ret.checked_add_months(Months::new(n)) == Some(month) {
                return Season::Departure(n);
            }
        }
    }
    Season::Ordinary
}

// ---------------------------------------------------------------------------------
// Rates (per person and month)
// ---------------------------------------------------------------------------------

/// Share of 市外就业 persons returning in the return month.
const FESTIVAL_RETURN: f64 = 0.12;
/// What the returned become: 失业, near-home 市内就业, then 灵活就业 for the rest.
const RETURN_UNEMPLOYED: f64 = 0.45;
const RETURN_NEAR_HOME: f64 = 0.35;
/// Share of the returned 失业 with a 登记失业日期.
const RETURN_REGISTERED: f64 = 0.3;
/// Chance of leaving again in the first and in the second month after the return
/// month, by what the returned became: about 60 % of the 失业 (0.4, then a third of
/// the rest), about 15 % of the near-home workers and 25 % of the flexible ones.
const DEPART_RETURNED_UNEMPLOYED: [f64; DEPARTURE_MONTHS as usize] = [0.4, 1.0 / 3.0];
const DEPART_RETURNED_NEAR_HOME: [f64; DEPARTURE_MONTHS as usize] = [0.10, 0.06];
const DEPART_RETURNED_FLEXIBLE: [f64; DEPARTURE_MONTHS as usize] = [0.15, 0.12];
/// Other 失业 persons leaving in the spring months, and in any other month.
const DEPART_OTHER_UNEMPLOYED_SPRING: [f64; DEPARTURE_MONTHS as usize] = [0.04, 0.02];
const DEPART_UNEMPLOYED: f64 = 0.015;
/// 市内就业 and 灵活就业 persons leaving for work outside in a month. With the
/// departures above these balance the year's returns, so that the share working
/// outside stays near the base file's 35 %.
const DEPART_LOCAL: f64 = 0.005;
const DEPART_FLEXIBLE: f64 = 0.005;
/// 市外就业 persons returning in a month other than the return month.
const STEADY_RETURN: f64 = 0.002;
/// Nobody leaves for work outside from this age on.
const DEPART_MAX_AGE: i32 = 60;

/// 市内就业 → 失业.
const JOB_LOSS: f64 = 0.005;
/// Share of those newly unemployed who register (as in the base file).
const LOSS_REGISTERED: f64 = cal::REGISTERED_UNEMPLOYED_SHARE;
/// 失业 → 市内就业, and the share of those near home (in the hukou district).
const JOB_FIND: f64 = 0.08;
const JOB_FIND_NEAR_HOME: f64 = 0.7;
/// 灵活就业 → 市内就业 (as 失业 → 市内就业), which with their departures balances the
/// returned who become 灵活就业.
const FLEXIBLE_TO_LOCAL: f64 = 0.005;
/// 市内就业 changing job within the work district (the work town changes).
const JOB_MOVE: f64 = 0.002;
/// Unregistered 失业 persons who register in a month.
const LATE_REGISTRATION: f64 = 0.03;
/// Anyone gaining one insurance type they lack (养老 and 医疗 for all, 工伤 and 失业
/// for the employed).
const INSURANCE_GAIN: f64 = 0.003;

/// Where the newly employed live: near-home workers mostly stay at home, those
/// working in another district mostly move there (as in the base file).
const NEAR_HOME_LIVES_AT_WORK: f64 = 0.3;
const ELSEWHERE_LIVES_AT_WORK: f64 = 0.85;
/// Flexible workers with a work region (as in the base file).
const FLEXIBLE_WITH_REGION: f64 = 0.6;

// ---------------------------------------------------------------------------------
// What is kept per person
// ---------------------------------------------------------------------------------

/// Region index meaning "none"; for the residence, `RES_HUKOU` means "the hukou
/// place" (written as the row's hukou cell).
const NONE: u32 = 0;
const RES_HUKOU: u32 = 1;
const NO_DISTRICT: u8 = u8::MAX;

/// Marks of the season's returned, for their departures.
const SEASON_UNEMPLOYED: u8 = 1;
const SEASON_NEAR_HOME: u8 = 2;
const SEASON_FLEXIBLE: u8 = 4;
const SEASON_MARKS: u8 = SEASON_UNEMPLOYED | SEASON_NEAR_HOME | SEASON_FLEXIBLE;
/// In the same byte: the need 求职 was added when the person became 失业 (and goes
/// with the next job).
const SEEKING_ADDED: u8 = 0x80;

fn job_seeking_bit() -> u8 {
    1 << ServiceNeed::JobSeeking.bit()
}

/// The mutable state of one person (20 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct State {
    /// Work region (interned), `NONE` if none.
    work: u32,
    /// Residence (interned), `NONE` or `RES_HUKOU`.
    residence: u32,
    /// 登记失业日期 as days after 1970-01-01, 0 if none.
    since: u16,
    /// Industry (interned), 0 if none.
    industry: u16,
    /// 务工省份 code, 0 if none.
    province: u8,
    /// Index of the hukou district in the world, `NO_DISTRICT` if unknown.
    district: u8,
    /// Birth year − 1900, 0 if unknown.
    born: u8,
    /// Index in `EmploymentStatus::ALL`.
    status: u8,
    insurance: u8,
    flags: u8,
    needs: u8,
    /// `SEASON_*` marks and `SEEKING_ADDED`: not written.
    season: u8,
}

const _: () = assert!(std::mem::size_of::<State>() == 20);

fn status_index(s: EmploymentStatus) -> u8 {
    EmploymentStatus::ALL.iter().position(|x| *x == s).map_or(0, |i| i as u8)
}

impl State {
    fn status(&self) -> EmploymentStatus {
        EmploymentStatus::ALL[usize::from(self.status) % EmploymentStatus::ALL.len()]
    }

    fn set_status(&mut self, s: EmploymentStatus) {
        self.status = status_index(s);
    }

    fn insurance(&self) -> InsuranceSet {
        InsuranceSet::from_bits(i64::from(self.insurance))
    }

    fn flags(&self) -> GroupFlags {
        GroupFlags::from_bits(i64::from(self.flags))
    }

    fn needs(&self) -> ServiceNeeds {
        ServiceNeeds::from_bits(i64::from(self.needs))
    }

    fn set_flag(&mut self, f: GroupFlag, on: bool) {
        let bit = 1u8 << f.bit();
        if on {
            self.flags |= bit;
        } else {
            self.flags &= !bit;
        }
    }

    fn set_insurance(&mut self, i: Insurance, on: bool) {
        let bit = 1u8 << i.bit();
        if on {
            self.insurance |= bit;
        } else {
            self.insurance &= !bit;
        }
    }

    /// Whether the rows written for `self` and `other` are the same.
    fn same_row(&self, other: &State) -> bool {
        State { season: self.season, ..*other } == *self
    }

    /// Looking for work: 求职 is added if missing (and marked as added).
    fn start_search(&mut self) {
        if self.needs & job_seeking_bit() == 0 {
            self.needs |= job_seeking_bit();
            self.season |= SEEKING_ADDED;
        }
    }

    /// Employed again: 求职 goes if it was added by `start_search`.
    fn end_search(&mut self) {
        if self.season & SEEKING_ADDED != 0 {
            self.needs &= !job_seeking_bit();
            self.season &= !SEEKING_ADDED;
        }
    }

    fn age_in(&self, year: i32) -> Option<i32> {
        (self.born > 0).then(|| year - 1900 - i32::from(self.born))
    }
}

const EPOCH_DAYS_FROM_CE: i32 = 719_163; // 1970-01-01

fn since_days(d: NaiveDate) -> Option<u16> {
    u16::try_from(d.num_days_from_ce() - EPOCH_DAYS_FROM_CE).ok().filter(|n| *n > 0)
}

fn since_date(days: u16) -> Option<NaiveDate> {
    (days > 0).then(|| NaiveDate::from_num_days_from_ce_opt(EPOCH_DAYS_FROM_CE + i32::from(days))).flatten()
}

/// Strings kept once, by index (index 0 is the empty string).
struct Interner {
    index: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    fn new(reserved: usize) -> Interner {
        Interner { index: HashMap::new(), names: vec!["".into(); reserved.max(1)] }
    }

    fn intern(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return NONE;
        }
        if let Some(i) = self.index.get(s) {
            return *i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.into());
        self.index.insert(s.into(), i);
        i
    }

    fn name(&self, i: u32) -> &str {
        self.names.get(i as usize).map_or("", |s| s)
    }
}

// ---------------------------------------------------------------------------------
// Results and errors
// ---------------------------------------------------------------------------------

/// The flows of one month (each person counted once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Flows {
    /// 市外就业 → another status (back in Chongqing).
    pub returns: u64,
    /// Another status → 市外就业.
    pub departures: u64,
    /// → 市内就业 with the work region in the hukou district.
    pub near_home_jobs: u64,
    /// → 市内就业 in another district.
    pub other_local_jobs: u64,
    /// → 失业.
    pub became_unemployed: u64,
    /// A new 登记失业日期.
    pub registered: u64,
    /// 市内就业 changing work town within the district.
    pub job_moves: u64,
    /// An insurance type gained (alone, not with a new job).
    pub insurance_gains: u64,
}

/// One month's import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryFile {
    pub path: PathBuf,
    /// The month (its first day).
    pub month: NaiveDate,
    /// The date to import it with (`--as-of`).
    pub as_of: NaiveDate,
    /// Data rows: the persons whose state changed that month.
    pub rows: u64,
    pub flows: Flows,
}

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(transparent)]
    Gen(#[from] GenError),
    #[error("无法读取 {}：{source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("读取 {} 失败：{source}", path.display())]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
    #[error("{} 第{row}行：{reason}", path.display())]
    Row { path: PathBuf, row: u64, reason: String },
    #[error("{} 的表头不是人员导入模板：{reason}", path.display())]
    Header { path: PathBuf, reason: String },
    #[error("数据日期 {as_of} 之前 {months} 个月超出日期范围")]
    Range { as_of: NaiveDate, months: u32 },
}

// ---------------------------------------------------------------------------------
// The simulation
// ---------------------------------------------------------------------------------

/// Writes `out_dir/history/YYYY-MM.csv` for each month after the base file's, up to
/// and including `as_of`'s month (`months` files). `base` is a worker file as
/// `generate` writes it for `history_start(as_of, months)`: the first day of the
/// month `months` months before `as_of`'s.
///
/// Each file holds the persons whose state changed that month, each as a full row of
/// the import template with the new state, to be imported with the returned date
/// (`history_import_date`). `progress` is called after each month with the months
/// done. Deterministic: the same base file and seed give byte-identical files.
pub fn generate_history(
    base: &Path,
    out_dir: &Path,
    as_of: NaiveDate,
    months: u32,
    seed: u64,
    refdata: &RefData,
    progress: &dyn Fn(u32),
) -> Result<Vec<HistoryFile>, HistoryError> {
    let started = std::time::Instant::now();
    let first = history_start(as_of, months).ok_or(HistoryError::Range { as_of, months })?;
    let world = World::build(refdata, first)?;
    let mut sim = Sim::new(&world, refdata, ChaCha8Rng::seed_from_u64(seed ^ 0x6869_7374_6f72_7900));
    let loaded = sim.load(base)?;
    tracing::info!(
        persons = loaded.states.len(),
        seconds = started.elapsed().as_secs_f64(),
        "历史变动：已读入基础文件"
    );

    let dir = out_dir.join("history");
    std::fs::create_dir_all(&dir).map_err(|source| GenError::Io { path: dir.clone(), source })?;
    let base_file = File::open(base).map_err(|source| HistoryError::Read { path: base.to_path_buf(), source })?;
    // One reader for every row read back, moved to each row's offset (building a
    // reader per row would cost more than everything else).
    let mut base_rows =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).buffer_capacity(4096).from_reader(base_file);
    let Loaded { header, offsets, mut states } = loaded;
    let mut changed: Vec<u32> = Vec::new();
    let mut files = Vec::with_capacity(months as usize);
    for k in 1..=months {
        let month = first.checked_add_months(Months::new(k)).ok_or(HistoryError::Range { as_of, months })?;
        let import = history_import_date(month, as_of);
        changed.clear();
        let flows = sim.step(&mut states, season_of(month), import, &mut changed);
        let path = dir.join(format!("{}.csv", month.format("%Y-%m")));
        let reader = RowSource { path: base, reader: &mut base_rows, header: &header, offsets: &offsets };
        let rows = sim.write_month(reader, &states, &changed, &path)?;
        files.push(HistoryFile { path, month, as_of: import, rows, flows });
        progress(k);
    }
    tracing::info!(months, seconds = started.elapsed().as_secs_f64(), "历史变动已生成");
    Ok(files)
}

/// Copies a recorded-facts file (`facts.csv` as `generate` writes it) to `out` with
/// every date (起始日期, and values that are dates) moved `months` months later, none
/// after `latest`; returns the data rows. The facts of a base file describe its day;
/// moved by the history's months they describe its last month instead (this month's
/// premiums, this year's certificates), as if the other departments had reported
/// today. Facts of persons whose situation changed in the history are not redrawn.
pub fn shift_facts(facts: &Path, out: &Path, months: u32, latest: NaiveDate) -> Result<u64, HistoryError> {
    let read_error = |source| HistoryError::Csv { path: facts.to_path_buf(), source };
    let write_error = |source| GenError::Csv { path: out.to_path_buf(), source };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_path(facts).map_err(read_error)?;
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_path(out).map_err(write_error)?;
    let mut record = csv::StringRecord::new();
    let mut cells: Vec<String> = Vec::new();
    let mut rows = 0u64;
    let mut header = true;
    while reader.read_record(&mut record).map_err(read_error)? {
        cells.clear();
        for cell in &record {
            let moved = (!header && cell.len() == 10)
                .then(|| NaiveDate::parse_from_str(cell, "%Y-%m-%d").ok())
                .flatten()
                .and_then(|d| d.checked_add_months(Months::new(months)))
                .map(|d| d.min(latest).format("%Y-%m-%d").to_string());
            cells.push(moved.unwrap_or_else(|| cell.to_string()));
        }
        writer.write_record(&cells).map_err(write_error)?;
        rows += u64::from(!header);
        header = false;
    }
    writer.flush().map_err(|source| GenError::Io { path: out.to_path_buf(), source })?;
    Ok(rows)
}

/// The base file as read: the header, where each row starts and each person's state.
struct Loaded {
    header: HeaderMap,
    offsets: Vec<u64>,
    states: Vec<State>,
}

/// Reads rows of the base file back by their offsets.
struct RowSource<'a> {
    path: &'a Path,
    reader: &'a mut csv::Reader<File>,
    header: &'a HeaderMap,
    offsets: &'a [u64],
}

struct Sim<'w> {
    world: &'w World,
    refdata: &'w RefData,
    rng: ChaCha8Rng,
    regions: Interner,
    /// District index of each interned region (`NO_DISTRICT` if not in one).
    region_district: Vec<u8>,
    industries: Interner,
    /// Interned codes of each district's towns, in the world's order.
    towns: Vec<Vec<u32>>,
    district_by_code: HashMap<String, u8>,
}

impl<'w> Sim<'w> {
    fn new(world: &'w World, refdata: &'w RefData, rng: ChaCha8Rng) -> Sim<'w> {
        let district_by_code: HashMap<String, u8> = world
            .districts
            .iter()
            .enumerate()
            .map(|(i, d)| (d.code.clone(), i.min(usize::from(NO_DISTRICT) - 1) as u8))
            .collect();
        let mut sim = Sim {
            world,
            refdata,
            rng,
            regions: Interner::new(2),
            region_district: vec![NO_DISTRICT; 2],
            industries: Interner::new(1),
            towns: Vec::new(),
            district_by_code,
        };
        let towns =
            world.districts.iter().map(|d| d.towns.iter().map(|t| sim.region(&t.code)).collect::<Vec<u32>>()).collect();
        sim.towns = towns;
        sim
    }

    fn district_of(&self, code: &str) -> u8 {
        code.get(..6).and_then(|c| self.district_by_code.get(c)).copied().unwrap_or(NO_DISTRICT)
    }

    fn region(&mut self, code: &str) -> u32 {
        let i = self.regions.intern(code);
        if i as usize >= self.region_district.len() {
            let d = self.district_of(code);
            self.region_district.push(d);
        }
        i
    }

    fn load(&mut self, path: &Path) -> Result<Loaded, HistoryError> {
        let csv_error = |source| HistoryError::Csv { path: path.to_path_buf(), source };
        let len =
            std::fs::metadata(path).map_err(|source| HistoryError::Read { path: path.to_path_buf(), source })?.len();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(1 << 20)
            .from_path(path)
            .map_err(csv_error)?;
        let mut record = csv::ByteRecord::new();
        let header_error = |reason: String| HistoryError::Header { path: path.to_path_buf(), reason };
        if !reader.read_byte_record(&mut record).map_err(csv_error)? {
            return Err(header_error("文件为空".into()));
        }
        let names: Vec<String> = record.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        let header = HeaderMap::from_headers(&names).map_err(|e| header_error(e.to_string()))?;
        let col = |key: &str| header.position(key);
        let cols = LoadColumns {
            id: col("id_number"),
            hukou: col("hukou_region"),
            residence: col("residence_region"),
            status: col("status"),
            work: col("work_region"),
            province: col("work_province"),
            industry: col("industry"),
            insurance: col("insurance"),
            flags: col("flags"),
            needs: col("needs"),
            since: col("unemployed_since"),
        };

        // About 150 bytes a row: reserving by the file's size avoids regrowing (pages
        // reserved but never written cost no memory).
        let expected = usize::try_from(len / 100).unwrap_or(0);
        let mut offsets = Vec::with_capacity(expected);
        let mut states = Vec::with_capacity(expected);
        let mut provinces: HashMap<Box<str>, u8> = HashMap::new();
        let mut row = 1u64;
        while reader.read_byte_record(&mut record).map_err(csv_error)? {
            row += 1;
            let bad = |reason: String| HistoryError::Row { path: path.to_path_buf(), row, reason };
            let offset = record.position().map_or(0, csv::Position::byte);
            let cell = |c: Option<usize>| -> Result<&str, HistoryError> {
                match c.and_then(|i| record.get(i)) {
                    None => Ok(""),
                    Some(b) => std::str::from_utf8(b).map(str::trim).map_err(|_| bad("不是UTF-8编码".into())),
                }
            };
            let status_text = cell(cols.status)?;
            let status =
                EmploymentStatus::parse(status_text).ok_or_else(|| bad(format!("就业状态“{status_text}”无效")))?;
            let hukou = cell(cols.hukou)?;
            let residence_text = cell(cols.residence)?;
            let residence = if residence_text.is_empty() {
                NONE
            } else if residence_text == hukou {
                RES_HUKOU
            } else {
                self.region(residence_text)
            };
            let work = self.region(cell(cols.work)?);
            let province_text = cell(cols.province)?;
            let province = if province_text.is_empty() {
                0
            } else if let Some(p) = provinces.get(province_text) {
                *p
            } else {
                let p = self
                    .refdata
                    .province(province_text)
                    .and_then(|p| u8::try_from(p).ok())
                    .ok_or_else(|| bad(format!("务工省份“{province_text}”无效")))?;
                provinces.insert(province_text.into(), p);
                p
            };
            let industry_index = self.industries.intern(cell(cols.industry)?);
            let industry = u16::try_from(industry_index).map_err(|_| bad("行业种类过多".into()))?;
            let insurance = InsuranceSet::parse_list(cell(cols.insurance)?).map_err(|e| bad(e.to_string()))?;
            let flags = GroupFlags::parse_list(cell(cols.flags)?).map_err(|e| bad(e.to_string()))?;
            let needs = ServiceNeeds::parse_list(cell(cols.needs)?).map_err(|e| bad(e.to_string()))?;
            let since_text = cell(cols.since)?;
            let since = if since_text.is_empty() {
                0
            } else {
                parse_date(since_text)
                    .and_then(since_days)
                    .ok_or_else(|| bad(format!("登记失业日期“{since_text}”无效")))?
            };
            let born = cell(cols.id)?
                .get(6..10)
                .and_then(|y| y.parse::<i32>().ok())
                .and_then(|y| u8::try_from(y - 1900).ok())
                .unwrap_or(0);
            offsets.push(offset);
            states.push(State {
                work,
                residence,
                since,
                industry,
                province,
                district: self.district_of(hukou),
                born,
                status: status_index(status),
                insurance: insurance.bits() as u8,
                flags: flags.bits() as u8,
                needs: needs.bits() as u8,
                season: 0,
            });
        }
        Ok(Loaded { header, offsets, states })
    }

    // -- the month's transitions ----------------------------------------------------

    fn step(&mut self, states: &mut [State], season: Season, import: NaiveDate, changed: &mut Vec<u32>) -> Flows {
        let mut flows = Flows::default();
        let year = import.year();
        for (i, s) in states.iter_mut().enumerate() {
            // A new season: last year's marks go (they are not written, so clearing
            // them is no change of the person).
            if season == Season::Return {
                s.season &= !SEASON_MARKS;
            }
            let before = *s;
            let may_leave = s.age_in(year).is_none_or(|a| a < DEPART_MAX_AGE);
            let x: f64 = self.rng.gen();
            match s.status() {
                EmploymentStatus::OutsideEmployed => {
                    let p = if season == Season::Return { FESTIVAL_RETURN } else { STEADY_RETURN };
                    if x < p {
                        self.come_home(s, season == Season::Return, import);
                    }
                }
                EmploymentStatus::Unemployed => {
                    let leave = match season {
                        Season::Departure(n) if s.season & SEASON_UNEMPLOYED != 0 => {
                            DEPART_RETURNED_UNEMPLOYED[n as usize - 1]
                        }
                        Season::Departure(n) => DEPART_OTHER_UNEMPLOYED_SPRING[n as usize - 1],
                        _ => DEPART_UNEMPLOYED,
                    };
                    let leave = if may_leave { leave } else { 0.0 };
                    // Members of a 零就业家庭 stay as they are: the flag is the household's.
                    let zero = s.flags().contains(GroupFlag::ZeroEmploymentHousehold);
                    if x < leave && !zero {
                        self.leave(s);
                    } else if x < leave + JOB_FIND && !zero {
                        self.find_job(s);
                    } else if s.since == 0 && x < leave + JOB_FIND + LATE_REGISTRATION {
                        s.since = self.registration(import);
                    }
                }
                EmploymentStatus::LocalEmployed => {
                    let leave = match season {
                        Season::Departure(n) if s.season & SEASON_NEAR_HOME != 0 => {
                            DEPART_RETURNED_NEAR_HOME[n as usize - 1]
                        }
                        _ => DEPART_LOCAL,
                    };
                    let leave = if may_leave { leave } else { 0.0 };
                    if x < leave {
                        self.leave(s);
                    } else if x < leave + JOB_LOSS {
                        self.lose_job(s, LOSS_REGISTERED, import);
                    } else if x < leave + JOB_LOSS + JOB_MOVE {
                        self.move_job(s);
                    }
                }
                EmploymentStatus::Flexible => {
                    let leave = match season {
                        Season::Departure(n) if s.season & SEASON_FLEXIBLE != 0 => {
                            DEPART_RETURNED_FLEXIBLE[n as usize - 1]
                        }
                        _ => DEPART_FLEXIBLE,
                    };
                    let leave = if may_leave { leave } else { 0.0 };
                    if x < leave {
                        self.leave(s);
                    } else if x < leave + FLEXIBLE_TO_LOCAL {
                        self.find_job(s);
                    }
                }
                EmploymentStatus::Entrepreneur | EmploymentStatus::NotInLaborForce => {}
            }
            let transition = s.status != before.status || s.work != before.work || s.since != before.since;
            if self.rng.gen::<f64>() < INSURANCE_GAIN && self.gain_insurance(s) && !transition {
                flows.insurance_gains += 1;
            }
            if !s.same_row(&before) {
                count(&mut flows, &before, s, &self.region_district);
                changed.push(i as u32);
            }
        }
        flows
    }

    /// A 市外就业 person back in Chongqing: 失业, a near-home job or 灵活就业.
    fn come_home(&mut self, s: &mut State, festival: bool, import: NaiveDate) {
        let world = self.world;
        s.set_flag(GroupFlag::Returnee, true);
        s.residence = RES_HUKOU;
        s.province = 0;
        let r: f64 = self.rng.gen();
        let mark = if r < RETURN_UNEMPLOYED {
            self.lose_job(s, RETURN_REGISTERED, import);
            SEASON_UNEMPLOYED
        } else if r < RETURN_UNEMPLOYED + RETURN_NEAR_HOME {
            s.set_status(EmploymentStatus::LocalEmployed);
            s.work = match self.town_in(s.district) {
                Some(t) => t,
                None => self.town_elsewhere(s.district),
            };
            if self.rng.gen_bool(NEAR_HOME_LIVES_AT_WORK) {
                s.residence = s.work;
            }
            s.industry = self.industry(&world.rows_local);
            self.job_insurance(s);
            SEASON_NEAR_HOME
        } else {
            s.set_status(EmploymentStatus::Flexible);
            s.work =
                if self.rng.gen_bool(FLEXIBLE_WITH_REGION) { self.town_in(s.district).unwrap_or(NONE) } else { NONE };
            s.industry = self.industry(&world.rows_flexible);
            self.job_insurance(s);
            SEASON_FLEXIBLE
        };
        s.season = (s.season & !SEASON_MARKS) | if festival { mark } else { 0 };
    }

    /// Leaves for work in another province.
    fn leave(&mut self, s: &mut State) {
        let world = self.world;
        s.set_status(EmploymentStatus::OutsideEmployed);
        s.work = NONE;
        s.residence = NONE;
        s.since = 0;
        s.season &= !SEASON_MARKS;
        s.end_search();
        s.set_flag(GroupFlag::Returnee, false);
        s.province = world
            .provinces
            .pick(&mut self.rng)
            .and_then(|name| self.refdata.province(name))
            .and_then(|p| u8::try_from(p).ok())
            .unwrap_or(44);
        s.industry = self.industry(&world.rows_outside);
        self.job_insurance(s);
    }

    /// 失业 → 市内就业, near home or in another district.
    fn find_job(&mut self, s: &mut State) {
        let world = self.world;
        let near = if self.rng.gen_bool(JOB_FIND_NEAR_HOME) { self.town_in(s.district) } else { None };
        s.set_status(EmploymentStatus::LocalEmployed);
        s.since = 0;
        s.end_search();
        match near {
            Some(town) => {
                s.work = town;
                if self.rng.gen_bool(NEAR_HOME_LIVES_AT_WORK) {
                    s.residence = town;
                }
            }
            None => {
                s.work = self.town_elsewhere(s.district);
                if self.rng.gen_bool(ELSEWHERE_LIVES_AT_WORK) {
                    s.residence = s.work;
                }
            }
        }
        s.industry = self.industry(&world.rows_local);
        self.job_insurance(s);
    }

    /// → 失业: no work place or industry, 求职 (see `start_search`), the job's insurance ends; registered
    /// with chance `registered`.
    fn lose_job(&mut self, s: &mut State, registered: f64, import: NaiveDate) {
        s.set_status(EmploymentStatus::Unemployed);
        s.work = NONE;
        s.province = 0;
        s.industry = 0;
        s.start_search();
        s.set_insurance(Insurance::Injury, false);
        s.set_insurance(Insurance::Unemployment, false);
        s.since = if self.rng.gen_bool(registered) { self.registration(import) } else { 0 };
    }

    /// Another town of the work district.
    fn move_job(&mut self, s: &mut State) {
        let d = self.region_district.get(s.work as usize).copied().unwrap_or(NO_DISTRICT);
        for _ in 0..4 {
            match self.town_in(d) {
                Some(t) if t != s.work => {
                    s.work = t;
                    return;
                }
                Some(_) => {}
                None => return,
            }
        }
    }

    /// A new job's 工伤 and 失业 insurance, drawn as in the base file.
    fn job_insurance(&mut self, s: &mut State) {
        let injury = self.rng.gen_bool(cal::INJURY_SHARE_EMPLOYED);
        let p = if injury { cal::UNEMPLOYMENT_IF_INJURY } else { cal::UNEMPLOYMENT_WITHOUT_INJURY };
        let unemployment = self.rng.gen_bool(p);
        s.set_insurance(Insurance::Injury, injury);
        s.set_insurance(Insurance::Unemployment, unemployment);
    }

    /// One insurance type the person lacks and may have; false if none.
    fn gain_insurance(&mut self, s: &mut State) -> bool {
        let have = s.insurance();
        let employed = s.status().is_employed();
        let missing: Vec<Insurance> = Insurance::ALL
            .iter()
            .copied()
            .filter(|i| !have.contains(*i))
            .filter(|i| employed || matches!(i, Insurance::Pension | Insurance::Medical))
            .collect();
        if missing.is_empty() {
            return false;
        }
        let i = missing[self.rng.gen_range(0..missing.len())];
        s.set_insurance(i, true);
        true
    }

    /// A 登记失业日期 in the month, not after its import date.
    fn registration(&mut self, import: NaiveDate) -> u16 {
        let day = self.rng.gen_range(1..=import.day());
        import.with_day(day).and_then(since_days).unwrap_or(0)
    }

    fn town_in(&mut self, district: u8) -> Option<u32> {
        let d = self.world.districts.get(usize::from(district))?;
        let t = *d.town_pick.pick(&mut self.rng)?;
        self.towns.get(usize::from(district)).and_then(|v| v.get(t)).copied()
    }

    /// A town of a district other than `home`, by work attraction.
    fn town_elsewhere(&mut self, home: u8) -> u32 {
        let mut d = usize::from(home);
        for _ in 0..32 {
            if let Some(x) = self.world.work_district_pick.pick(&mut self.rng) {
                d = *x;
                if d != usize::from(home) {
                    break;
                }
            }
        }
        self.town_in(u8::try_from(d).unwrap_or(NO_DISTRICT)).unwrap_or(NONE)
    }

    /// An industry cell from an annex-2 row mix (sometimes the section letter).
    fn industry(&mut self, mix: &Weighted<usize>) -> u16 {
        let world = self.world;
        let Some(row) = mix.pick(&mut self.rng).map(|r| &world.rows[*r]) else {
            return 0;
        };
        let Some(code) = row.codes.pick(&mut self.rng) else {
            return 0;
        };
        let text = match &row.section {
            Some(letter) if self.rng.gen_bool(cal::SECTION_LETTER_SHARE) => letter.as_str(),
            _ => code.code.as_str(),
        };
        u16::try_from(self.industries.intern(text)).unwrap_or(0)
    }

    // -- writing ----------------------------------------------------------------------

    fn write_month(
        &self,
        src: RowSource<'_>,
        states: &[State],
        changed: &[u32],
        path: &Path,
    ) -> Result<u64, HistoryError> {
        let part = path.with_extension("csv.part");
        let result = self.write_rows(src, states, changed, &part);
        match result {
            Ok(n) => {
                std::fs::rename(&part, path).map_err(|source| GenError::Io { path: path.to_path_buf(), source })?;
                Ok(n)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&part);
                Err(e)
            }
        }
    }

    fn write_rows(
        &self,
        src: RowSource<'_>,
        states: &[State],
        changed: &[u32],
        part: &Path,
    ) -> Result<u64, HistoryError> {
        let csv_error = |source| GenError::Csv { path: part.to_path_buf(), source };
        let file = File::create(part).map_err(|source| GenError::Io { path: part.to_path_buf(), source })?;
        let mut out = csv::WriterBuilder::new()
            .buffer_capacity(1 << 20)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(file);
        out.write_record(header_row()).map_err(csv_error)?;
        let csv_read_error = |source| HistoryError::Csv { path: src.path.to_path_buf(), source };
        let positions: Vec<Option<usize>> = COLUMNS.iter().map(|c| src.header.position(c.key)).collect();
        let key_at = |key: &str| COLUMNS.iter().position(|c| c.key == key).unwrap_or(usize::MAX);
        let (k_hukou, k_residence, k_status, k_work, k_province, k_industry, k_flags, k_insurance, k_since, k_needs) = (
            key_at("hukou_region"),
            key_at("residence_region"),
            key_at("status"),
            key_at("work_region"),
            key_at("work_province"),
            key_at("industry"),
            key_at("flags"),
            key_at("insurance"),
            key_at("unemployed_since"),
            key_at("needs"),
        );
        let mut record = csv::ByteRecord::new();
        let (mut province, mut flags, mut insurance, mut since, mut needs) =
            (String::new(), String::new(), String::new(), String::new(), String::new());
        let mut rows = 0u64;
        for &i in changed {
            let i = i as usize;
            let mut at = csv::Position::new();
            at.set_byte(src.offsets[i]).set_line(i as u64 + 2).set_record(i as u64 + 1);
            src.reader.seek(at).map_err(csv_read_error)?;
            let found = src.reader.read_byte_record(&mut record).map_err(csv_read_error)?;
            if !found {
                return Err(HistoryError::Row {
                    path: src.path.to_path_buf(),
                    row: i as u64 + 2,
                    reason: "无法读回该行".into(),
                });
            }
            let s = &states[i];
            province.clear();
            if s.province > 0 {
                province.push_str(&format!("{:02}", s.province));
            }
            put_labels(&mut flags, s.flags());
            put_labels(&mut insurance, s.insurance());
            put_labels(&mut needs, s.needs());
            since.clear();
            if let Some(d) = since_date(s.since) {
                since.push_str(&d.format("%Y-%m-%d").to_string());
            }
            let base_cell = |k: usize| -> &[u8] {
                positions.get(k).copied().flatten().and_then(|p| record.get(p)).map_or(&[][..], |b| b.trim_ascii())
            };
            let mut cells: [&[u8]; COLUMNS.len()] = [&[]; COLUMNS.len()];
            for (k, cell) in cells.iter_mut().enumerate() {
                *cell = base_cell(k);
            }
            cells[k_residence] = match s.residence {
                NONE => b"",
                RES_HUKOU => base_cell(k_hukou),
                r => self.regions.name(r).as_bytes(),
            };
            cells[k_status] = s.status().label().as_bytes();
            cells[k_work] = self.regions.name(s.work).as_bytes();
            cells[k_province] = province.as_bytes();
            cells[k_industry] = self.industries.name(u32::from(s.industry)).as_bytes();
            cells[k_flags] = flags.as_bytes();
            cells[k_insurance] = insurance.as_bytes();
            cells[k_since] = since.as_bytes();
            cells[k_needs] = needs.as_bytes();
            out.write_record(cells).map_err(csv_error)?;
            rows += 1;
        }
        out.into_inner().map_err(|e| GenError::Io { path: part.to_path_buf(), source: e.into_error() })?;
        Ok(rows)
    }
}

/// Positions in the base file of the columns read.
struct LoadColumns {
    id: Option<usize>,
    hukou: Option<usize>,
    residence: Option<usize>,
    status: Option<usize>,
    work: Option<usize>,
    province: Option<usize>,
    industry: Option<usize>,
    insurance: Option<usize>,
    flags: Option<usize>,
    needs: Option<usize>,
    since: Option<usize>,
}

/// Counts one person's change of the month in `flows`.
fn count(flows: &mut Flows, before: &State, after: &State, region_district: &[u8]) {
    use EmploymentStatus::{LocalEmployed, OutsideEmployed, Unemployed};
    let (was, now) = (before.status(), after.status());
    if was == OutsideEmployed && now != OutsideEmployed {
        flows.returns += 1;
    }
    if was != OutsideEmployed && now == OutsideEmployed {
        flows.departures += 1;
    }
    if now == LocalEmployed && was != LocalEmployed {
        let d = region_district.get(after.work as usize).copied().unwrap_or(NO_DISTRICT);
        if d != NO_DISTRICT && d == after.district {
            flows.near_home_jobs += 1;
        } else {
            flows.other_local_jobs += 1;
        }
    }
    if was == LocalEmployed && now == LocalEmployed && before.work != after.work {
        flows.job_moves += 1;
    }
    if now == Unemployed && was != Unemployed {
        flows.became_unemployed += 1;
    }
    if after.since != 0 && after.since != before.since {
        flows.registered += 1;
    }
}

fn put_labels<F: Flag>(buf: &mut String, set: FlagSet<F>) {
    buf.clear();
    for (i, flag) in set.iter().enumerate() {
        if i > 0 {
            buf.push(',');
        }
        buf.push_str(flag.label());
    }
}
