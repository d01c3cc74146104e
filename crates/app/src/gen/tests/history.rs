//! Tests of the monthly history: the calendar, determinism, the seasonal shape of the
//! flows, and every row valid for the importer on its import date.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use chrono::NaiveDate;
use jiujin_domain::registry::{validate_row, EmploymentStatus, HeaderMap, PersonRecord, RowContext};

use super::super::history::*;
use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The end of the test histories: ten months from October 2024 to July 2025, with
/// the 2025 return month (January) and its departure months (February, March).
fn end() -> NaiveDate {
    date(2025, 7, 10)
}

const MONTHS: u32 = 10;

/// Writes a base file of `workers` persons as of the history's start and its history.
fn history_into(dir: &Path, workers: u64, seed: u64) -> (PathBuf, Vec<HistoryFile>) {
    let first = history_start(end(), MONTHS).unwrap();
    let opts = GenOptions { workers, seed, out_dir: dir.to_path_buf(), as_of: first };
    let base = generate(&opts, refdata(), &|_| {}).unwrap().files[0].0.clone();
    let calls = std::cell::RefCell::new(Vec::new());
    let files = generate_history(&base, dir, end(), MONTHS, seed, refdata(), &|k| calls.borrow_mut().push(k)).unwrap();
    assert_eq!(*calls.borrow(), (1..=MONTHS).collect::<Vec<_>>());
    (base, files)
}

/// One validated row: the record and the raw cells.
type Row = (PersonRecord, Vec<String>);

fn read_valid(path: &Path, today: NaiveDate) -> Vec<Row> {
    let (header, rows) = read_rows(path);
    let map = HeaderMap::from_headers(&header).unwrap();
    let ctx = RowContext { refdata: refdata(), today };
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| match validate_row(&ctx, &map, &r) {
            Ok(rec) => (rec, r),
            Err(e) => panic!("{} row {} {:?} is invalid on {today}: {:?}", path.display(), i + 2, r, e),
        })
        .collect()
}

/// The shared 8,000-person history (seed 11), read and validated.
struct Sample {
    base: Vec<Row>,
    files: Vec<HistoryFile>,
    months: Vec<Vec<Row>>,
}

fn sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let (base, files) = history_into(dir.path(), 8_000, 11);
        let base = read_valid(&base, files[0].as_of);
        let months = files.iter().map(|f| read_valid(&f.path, f.as_of)).collect();
        Sample { base, files, months }
    })
}

/// Per month, the flows recounted from the files: (returns, departures, near-home jobs).
fn recount(s: &Sample) -> Vec<(u64, u64, u64)> {
    let mut state: HashMap<String, PersonRecord> =
        s.base.iter().map(|(rec, _)| (rec.id_number.to_string(), rec.clone())).collect();
    let mut out = Vec::new();
    for rows in &s.months {
        let (mut returns, mut departures, mut near) = (0, 0, 0);
        for (rec, _) in rows {
            let before = state.insert(rec.id_number.to_string(), rec.clone()).expect("a person of the base file");
            let (was, now) = (before.state.status, rec.state.status);
            if was == EmploymentStatus::OutsideEmployed && now != was {
                returns += 1;
            }
            if was != EmploymentStatus::OutsideEmployed && now == EmploymentStatus::OutsideEmployed {
                departures += 1;
            }
            if now == EmploymentStatus::LocalEmployed && was != now {
                let work = rec.state.work_region.unwrap().district();
                if work == rec.state.hukou_region.district() {
                    near += 1;
                }
            }
        }
        out.push((returns, departures, near));
    }
    out
}

#[test]
fn the_festival_table_gives_the_return_month_and_later_years_fall_back_to_february() {
    assert_eq!(spring_festival(2026), date(2026, 2, 17));
    // 15 days before 2025-01-29 is 14 January; before 2026-02-17 it is 2 February.
    assert_eq!(return_month(2025), date(2025, 1, 1));
    assert_eq!(return_month(2026), date(2026, 2, 1));
    assert_eq!(return_month(2024), date(2024, 1, 1));
    assert_eq!(spring_festival(2031), date(2031, 2, 1));
    assert_eq!(return_month(2031), date(2031, 1, 1));
    assert_eq!(history_start(date(2025, 7, 10), 10), Some(date(2024, 9, 1)));
    assert_eq!(history_start(date(2026, 3, 31), 24), Some(date(2024, 3, 1)));
    assert_eq!(history_import_date(date(2025, 6, 1), date(2025, 7, 10)), date(2025, 6, 15));
    assert_eq!(history_import_date(date(2025, 7, 1), date(2025, 7, 10)), date(2025, 7, 10));
    assert_eq!(history_import_date(date(2025, 7, 1), date(2025, 7, 20)), date(2025, 7, 15));
}

#[test]
fn files_are_one_per_month_named_by_month_and_dated_the_fifteenth() {
    let s = sample();
    let names: Vec<String> =
        s.files.iter().map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names.first().map(String::as_str), Some("2024-10.csv"));
    assert_eq!(names.last().map(String::as_str), Some("2025-07.csv"));
    assert_eq!(names.len(), MONTHS as usize);
    assert!(s.files.iter().all(|f| f.path.parent().unwrap().ends_with("history")));
    assert_eq!(s.files[0].as_of, date(2024, 10, 15));
    assert_eq!(s.files[9].as_of, end(), "the last month is imported on the data date");
    for (f, rows) in s.files.iter().zip(&s.months) {
        assert_eq!(f.rows as usize, rows.len());
    }
}

#[test]
fn the_same_seed_gives_byte_identical_history_files_and_another_seed_does_not() {
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (_, fa) = history_into(a.path(), 2_000, 5);
    let (_, fb) = history_into(b.path(), 2_000, 5);
    let (_, fc) = history_into(c.path(), 2_000, 6);
    for ((x, y), z) in fa.iter().zip(&fb).zip(&fc) {
        assert_eq!(std::fs::read(&x.path).unwrap(), std::fs::read(&y.path).unwrap(), "{}", x.path.display());
        assert_eq!((x.rows, x.flows), (y.rows, y.flows));
        assert_ne!(std::fs::read(&x.path).unwrap(), std::fs::read(&z.path).unwrap(), "{}", x.path.display());
    }
    assert!(!a.path().join("history").join("2025-01.csv.part").exists());
}

#[test]
fn every_history_row_passes_the_importers_validation_on_its_import_date_and_is_a_change() {
    // `sample` validates every row; here each person is in a month's file at most once
    // and differs from their previous row.
    let s = sample();
    let mut last: HashMap<String, PersonRecord> =
        s.base.iter().map(|(rec, _)| (rec.id_number.to_string(), rec.clone())).collect();
    for (f, rows) in s.files.iter().zip(&s.months) {
        let mut seen = std::collections::HashSet::new();
        for (rec, raw) in rows {
            let id = rec.id_number.to_string();
            assert!(seen.insert(id.clone()), "{} twice in {}", id, f.path.display());
            let before = last.insert(id, rec.clone()).unwrap();
            assert_ne!(before, *rec, "{raw:?} in {} changes nothing", f.path.display());
            assert_eq!((&before.state.name, before.phone.as_ref()), (&rec.state.name, rec.phone.as_ref()));
        }
    }
}

#[test]
fn the_festival_month_has_many_more_returns_and_the_spring_months_more_departures() {
    let s = sample();
    let counted = recount(s);
    let month = |y, m| s.files.iter().position(|f| f.month == date(y, m, 1)).unwrap();
    let (jan, feb, mar, jun) = (month(2025, 1), month(2025, 2), month(2025, 3), month(2025, 6));
    // The flows the generator reports are the ones in the files.
    for (i, f) in s.files.iter().enumerate() {
        assert_eq!((f.flows.returns, f.flows.departures, f.flows.near_home_jobs), counted[i], "{}", f.month);
    }
    let outside = s.base.iter().filter(|(r, _)| r.state.status == EmploymentStatus::OutsideEmployed).count() as f64;
    let returns = counted[jan].0 as f64;
    assert!((0.09..=0.15).contains(&(returns / outside)), "January returns {returns} of {outside} outside");
    assert!(
        counted[jan].0 > 10 * counted[jun].0.max(1),
        "returns January {} vs June {}",
        counted[jan].0,
        counted[jun].0
    );
    assert!(
        counted[jan].2 > 3 * counted[jun].2,
        "near-home jobs January {:?} vs June {:?}",
        counted[jan],
        counted[jun]
    );
    assert!(
        counted[feb].1 > 3 * counted[jun].1.max(1),
        "departures February {} vs June {}",
        counted[feb].1,
        counted[jun].1
    );
    assert!(
        counted[mar].1 > 2 * counted[jun].1.max(1),
        "departures March {:?} vs June {:?}",
        counted[mar],
        counted[jun]
    );
    // About 60 % of those who came back in January to be 失业 are working outside
    // again by the end of March.
    let returned_unemployed: std::collections::HashSet<String> = s.months[jan]
        .iter()
        .filter(|(r, _)| r.state.status == EmploymentStatus::Unemployed)
        .filter(|(r, _)| r.state.flags.contains(jiujin_domain::registry::GroupFlag::Returnee))
        .map(|(r, _)| r.id_number.to_string())
        .collect();
    let left = s.months[feb]
        .iter()
        .chain(&s.months[mar])
        .filter(|(r, _)| r.state.status == EmploymentStatus::OutsideEmployed)
        .filter(|(r, _)| returned_unemployed.contains(&r.id_number.to_string()))
        .count() as f64;
    let share = left / returned_unemployed.len() as f64;
    assert!((0.45..=0.7).contains(&share), "{left} of {} returned 失业 left again", returned_unemployed.len());
    // Returns come back to Chongqing: near-home jobs lie in the hukou district, and
    // the returned live in Chongqing again.
    for (rec, _) in &s.months[jan] {
        if rec.state.flags.contains(jiujin_domain::registry::GroupFlag::Returnee)
            && rec.state.status != EmploymentStatus::OutsideEmployed
        {
            assert!(rec.state.residence_region.is_some(), "{rec:?}");
            assert_eq!(rec.state.work_province, None);
        }
    }
}

#[test]
fn steady_months_move_few_people_and_the_status_mix_stays_near_the_calibration() {
    let s = sample();
    let persons = s.base.len() as f64;
    let june = s.files.iter().position(|f| f.month == date(2025, 6, 1)).unwrap();
    let share = s.files[june].rows as f64 / persons;
    assert!((0.003..=0.03).contains(&share), "June changes {share}");
    let jan = s.files.iter().position(|f| f.month == date(2025, 1, 1)).unwrap();
    assert!(s.files[jan].rows > 3 * s.files[june].rows);
    let f = &s.files[june].flows;
    assert!(f.became_unemployed > 0 && f.other_local_jobs + f.near_home_jobs > 0, "{f:?}");
    // The final mix: the last row of each person.
    let mut last: HashMap<String, EmploymentStatus> =
        s.base.iter().map(|(r, _)| (r.id_number.to_string(), r.state.status)).collect();
    for rows in &s.months {
        for (r, _) in rows {
            last.insert(r.id_number.to_string(), r.state.status);
        }
    }
    let of = |st: EmploymentStatus| last.values().filter(|s| **s == st).count() as f64 / persons;
    assert!(
        (0.25..=0.38).contains(&of(EmploymentStatus::OutsideEmployed)),
        "{}",
        of(EmploymentStatus::OutsideEmployed)
    );
    assert!((0.44..=0.56).contains(&of(EmploymentStatus::LocalEmployed)), "{}", of(EmploymentStatus::LocalEmployed));
    assert!((0.02..=0.07).contains(&of(EmploymentStatus::Unemployed)), "{}", of(EmploymentStatus::Unemployed));
}

#[test]
fn the_job_seekers_stay_near_the_base_share_as_the_unemployed_find_work() {
    let s = sample();
    let seeking = |r: &PersonRecord| r.state.needs.contains(jiujin_domain::registry::ServiceNeed::JobSeeking);
    let mut last: HashMap<String, bool> = s.base.iter().map(|(r, _)| (r.id_number.to_string(), seeking(r))).collect();
    let before = last.values().filter(|x| **x).count() as f64 / last.len() as f64;
    for rows in &s.months {
        for (r, _) in rows {
            last.insert(r.id_number.to_string(), seeking(r));
            if r.state.status == EmploymentStatus::Unemployed {
                assert!(seeking(r), "{r:?}");
            }
        }
    }
    let after = last.values().filter(|x| **x).count() as f64 / last.len() as f64;
    assert!((after - before).abs() < 0.03, "求职 {before} → {after}");
}

#[test]
fn facts_are_moved_forward_by_the_months_of_the_history_and_not_past_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let first = history_start(end(), MONTHS).unwrap();
    let opts = GenOptions { workers: 2_000, seed: 3, out_dir: dir.path().to_path_buf(), as_of: first };
    let summary = generate(&opts, refdata(), &|_| {}).unwrap();
    let (facts, n) = summary.files[1].clone();
    let out = dir.path().join("facts-now.csv");
    assert_eq!(shift_facts(&facts, &out, MONTHS, end()).unwrap(), n);
    let (h0, before) = read_rows(&facts);
    let (h1, after) = read_rows(&out);
    assert_eq!((h0, before.len()), (h1, after.len()));
    let mut moved = 0;
    for (a, b) in before.iter().zip(&after) {
        assert_eq!((&a[0], &a[1], &a[4]), (&b[0], &b[1], &b[4]));
        let from = |r: &Vec<String>| NaiveDate::parse_from_str(&r[3], "%Y-%m-%d").unwrap();
        let want = from(a).checked_add_months(chrono::Months::new(MONTHS)).unwrap().min(end());
        assert_eq!(from(b), want, "{a:?} → {b:?}");
        match NaiveDate::parse_from_str(&a[2], "%Y-%m-%d") {
            Ok(d) => {
                let want = d.checked_add_months(chrono::Months::new(MONTHS)).unwrap().min(end());
                assert_eq!(b[2], want.to_string());
                moved += 1;
            }
            Err(_) => assert_eq!(a[2], b[2]),
        }
    }
    assert!(moved > 0, "date values are moved too");
}
