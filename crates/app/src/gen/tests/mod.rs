//! Tests of the synthetic population: determinism, validity of every row against the
//! importer's rules, and the calibrated shares within tolerance.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod history;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use chrono::NaiveDate;
use jiujin_domain::refdata::RefData;
use jiujin_domain::registry::{age_on, validate_row, EmploymentStatus, HeaderMap, RowContext};
use jiujin_domain::RegionCode;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::calibration::World;
use super::population::{Generator, Role};
use super::*;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
}

fn refdata() -> &'static RefData {
    RefData::embedded().unwrap()
}

fn generate_into(dir: &Path, workers: u64, seed: u64) -> PathBuf {
    let opts = GenOptions { workers, seed, out_dir: dir.to_path_buf(), as_of: as_of() };
    let summary = generate(&opts, refdata(), &|_| {}).unwrap();
    assert_eq!(summary.files.len(), 2, "workers.csv and facts.csv");
    assert_eq!(summary.files[0].1, workers);
    assert!(summary.files[1].0.ends_with("facts.csv"));
    summary.files[0].0.clone()
}

fn read_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_path(path).unwrap();
    let mut records = r.records().map(|x| x.unwrap().iter().map(str::to_string).collect());
    let header: Vec<String> = records.next().unwrap();
    (header, records.collect())
}

/// The 20,000-row file shared by the tests that only read it.
fn sample() -> &'static (HeaderMap, Vec<Vec<String>>) {
    static SAMPLE: OnceLock<(HeaderMap, Vec<Vec<String>>)> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = generate_into(dir.path(), 20_000, 7);
        let (header, rows) = read_rows(&path);
        (HeaderMap::from_headers(&header).unwrap(), rows)
    })
}

fn share(rows: &[Vec<String>], pred: impl Fn(&Vec<String>) -> bool) -> f64 {
    rows.iter().filter(|r| pred(r)).count() as f64 / rows.len() as f64
}

#[test]
fn the_same_seed_gives_a_byte_identical_file_and_another_seed_does_not() {
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let fa = std::fs::read(generate_into(a.path(), 3_000, 42)).unwrap();
    let fb = std::fs::read(generate_into(b.path(), 3_000, 42)).unwrap();
    let fc = std::fs::read(generate_into(c.path(), 3_000, 43)).unwrap();
    assert_eq!(fa, fb);
    assert_ne!(fa, fc);
    assert!(!fa.starts_with(&[0xEF, 0xBB, 0xBF]), "no BOM");
    assert!(!a.path().join("workers.csv.part").exists());
}

#[test]
fn the_header_is_the_template_header_and_progress_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let calls = std::cell::RefCell::new(Vec::new());
    let opts = GenOptions { workers: 25_000, seed: 1, out_dir: dir.path().join("sub"), as_of: as_of() };
    let summary = generate(&opts, refdata(), &|n| calls.borrow_mut().push(n)).unwrap();
    assert_eq!(*calls.borrow(), vec![10_000, 20_000, 25_000]);
    let (header, rows) = read_rows(&summary.files[0].0);
    assert_eq!(header, header_row());
    assert_eq!(rows.len(), 25_000);
}

#[test]
fn an_empty_population_is_just_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = read_rows(&generate_into(dir.path(), 0, 1));
    assert_eq!(header.len(), COLUMNS.len());
    assert!(rows.is_empty());
}

#[test]
fn every_row_of_twenty_thousand_passes_the_importers_validation() {
    let (map, rows) = sample();
    let ctx = RowContext { refdata: refdata(), today: as_of() };
    for (i, row) in rows.iter().enumerate() {
        if let Err(e) = validate_row(&ctx, map, row) {
            panic!("row {} {:?} is invalid: {:?}", i + 2, row, e);
        }
    }
}

#[test]
fn identity_numbers_are_unique_and_ages_lie_between_16_and_70() {
    let (map, rows) = sample();
    let ctx = RowContext { refdata: refdata(), today: as_of() };
    let mut seen = HashSet::new();
    let mut men = 0;
    let mut over_50 = 0;
    for row in rows {
        assert!(seen.insert(map.get(row, "id_number").to_string()), "duplicate id {row:?}");
        let rec = validate_row(&ctx, map, row).unwrap();
        let age = age_on(rec.state.birth_date, as_of());
        assert!((16..=70).contains(&age), "age {age}");
        if rec.state.sex == jiujin_domain::identity::Sex::Male {
            men += 1;
        }
        if age >= 50 {
            over_50 += 1;
        }
    }
    let male = men as f64 / rows.len() as f64;
    let older = over_50 as f64 / rows.len() as f64;
    assert!((0.60..=0.68).contains(&male), "male share {male}");
    assert!((0.25..=0.36).contains(&older), "50+ share {older}");
}

#[test]
fn the_status_mix_follows_the_calibration_and_sixty_percent_work_away_from_home() {
    let (map, rows) = sample();
    let status = |r: &Vec<String>| EmploymentStatus::parse(map.get(r, "status")).unwrap();
    let expected = [
        (EmploymentStatus::OutsideEmployed, 0.35),
        (EmploymentStatus::LocalEmployed, 0.48),
        (EmploymentStatus::Flexible, 0.07),
        (EmploymentStatus::Entrepreneur, 0.03),
        (EmploymentStatus::Unemployed, 0.04),
        (EmploymentStatus::NotInLaborForce, 0.03),
    ];
    for (s, want) in expected {
        let got = share(rows, |r| status(r) == s);
        assert!((got - want).abs() < 0.02, "{s}: {got} vs {want}");
    }
    let away = share(rows, |r| match status(r) {
        EmploymentStatus::OutsideEmployed => true,
        _ => {
            let work = map.get(r, "work_region");
            !work.is_empty() && work[..6] != map.get(r, "hukou_region")[..6]
        }
    });
    assert!((0.55..=0.65).contains(&away), "away from home {away}");
    let registered = share(rows, |r| !map.get(r, "unemployed_since").is_empty());
    let unemployed = share(rows, |r| status(r) == EmploymentStatus::Unemployed);
    assert!((registered / unemployed - 0.5).abs() < 0.12, "{registered} of {unemployed}");
}

#[test]
fn the_big_sending_districts_lead_the_hukou_shares_and_yuzhong_is_tiny() {
    let (map, rows) = sample();
    let mut by_district: HashMap<String, usize> = HashMap::new();
    for r in rows {
        *by_district.entry(map.get(r, "hukou_region")[..6].to_string()).or_default() += 1;
    }
    let mut ranked: Vec<(String, usize)> = by_district.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let name = |code: &str| refdata().region(RegionCode::parse(code).unwrap()).unwrap().name.clone();
    let top: Vec<String> = ranked.iter().take(10).map(|(c, _)| name(c)).collect();
    let sending = top.iter().filter(|n| calibration::SENDING_DISTRICTS.contains(&n.as_str())).count();
    assert!(sending >= 4, "top ten {top:?}");
    let yuzhong = ranked.iter().find(|(c, _)| c == "500103").map_or(0, |(_, n)| *n);
    assert!((yuzhong as f64) < rows.len() as f64 * 0.005, "渝中区 {yuzhong}");
}

#[test]
fn about_two_per_thousand_persons_have_a_likely_duplicate_row() {
    let (map, rows) = sample();
    let mut groups: HashMap<(String, String, String), Vec<String>> = HashMap::new();
    for r in rows {
        let phone = map.get(r, "phone");
        if phone.is_empty() {
            continue;
        }
        let id = map.get(r, "id_number");
        let key = (map.get(r, "name").to_string(), id[6..14].to_string(), phone.to_string());
        groups.entry(key).or_default().push(id.to_string());
    }
    let pairs = groups.values().filter(|ids| ids.len() == 2 && ids[0] != ids[1]).count();
    assert!((15..=75).contains(&pairs), "{pairs} likely-duplicate pairs in {}", rows.len());
}

#[test]
fn households_have_one_to_four_rows_in_one_village_and_zero_employment_households_have_no_worker() {
    let (map, rows) = sample();
    let mut households: BTreeMap<String, Vec<&Vec<String>>> = BTreeMap::new();
    for r in rows {
        let h = map.get(r, "household_no");
        if !h.is_empty() {
            households.entry(h.to_string()).or_default().push(r);
        }
    }
    assert!(households.len() > 8_000);
    let mut zero = 0;
    for (h, members) in &households {
        assert!((1..=4).contains(&members.len()), "{h}: {}", members.len());
        let hukou = map.get(members[0], "hukou_region");
        assert_eq!(&h[1..13], hukou, "{h}");
        let phones: Vec<&str> = members.iter().map(|r| map.get(r, "phone")).filter(|p| !p.is_empty()).collect();
        assert_eq!(phones.iter().collect::<HashSet<_>>().len(), phones.len(), "{h}");
        let flagged = members.iter().filter(|r| map.get(r, "flags").contains("零就业家庭")).count();
        assert!(flagged == 0 || flagged == members.len(), "{h}");
        for r in members {
            assert_eq!(map.get(r, "hukou_region"), hukou, "{h}");
            if flagged > 0 {
                assert!(matches!(map.get(r, "status"), "失业" | "不在劳动力市场"), "{h}: {r:?}");
            }
        }
        if flagged > 0 {
            zero += members.len();
        }
    }
    assert!(zero > 0 && (zero as f64) < rows.len() as f64 * 0.01, "{zero}");
    let sizes: Vec<usize> = households.values().map(Vec::len).collect();
    let multi = sizes.iter().filter(|n| **n > 1).count() as f64 / sizes.len() as f64;
    assert!((0.4..=0.7).contains(&multi), "multi-person households {multi}");
}

#[test]
fn parents_are_twenty_to_thirty_five_years_older_than_their_children() {
    let world = World::build(refdata(), as_of()).unwrap();
    let mut gen = Generator::new(&world, ChaCha8Rng::seed_from_u64(5), as_of(), 0);
    let mut families = 0;
    for _ in 0..20_000 {
        let slots = gen.plan(4);
        assert!((1..=4).contains(&slots.len()));
        let parents: Vec<u32> = slots
            .iter()
            .filter(|s| matches!(s.role, Role::Husband | Role::Wife | Role::Parent))
            .map(|s| s.age)
            .collect();
        let children: Vec<u32> = slots.iter().filter(|s| s.role == Role::Child).map(|s| s.age).collect();
        if !children.is_empty() {
            families += 1;
        }
        for p in &parents {
            for c in &children {
                assert!((20..=35).contains(&(p - c)), "parent {p}, child {c}");
                assert!(*c >= 16);
            }
        }
        if let [h, w] = &slots[..2.min(slots.len())] {
            if h.role == Role::Husband {
                assert!(h.male && !w.male);
            }
        }
        for s in &slots {
            assert!((16..=70).contains(&s.age), "{s:?}");
        }
    }
    assert!(families > 3_000, "{families}");
}

#[test]
fn industries_and_occupations_are_known_and_construction_leads_outside_more_than_at_home() {
    let (map, rows) = sample();
    let rd = refdata();
    let construction = |r: &Vec<String>| {
        let code = map.get(r, "industry");
        !code.is_empty() && rd.annex2_row_of(&rd.industry(code).unwrap().code).is_some_and(|row| row.number == 3)
    };
    let outside: Vec<Vec<String>> = rows.iter().filter(|r| map.get(r, "status") == "市外就业").cloned().collect();
    let local: Vec<Vec<String>> = rows.iter().filter(|r| map.get(r, "status") == "市内就业").cloned().collect();
    let c_out = share(&outside, construction);
    let c_local = share(&local, construction);
    assert!(c_out > 0.15 && c_local < 0.08, "outside {c_out}, local {c_local}");
    let manufacturing = share(&local, |r| {
        let code = map.get(r, "industry");
        !code.is_empty() && rd.industry_section(&rd.industry(code).unwrap().code) == Some("C")
    });
    assert!((0.35..=0.52).contains(&manufacturing), "manufacturing {manufacturing}");
    let mut known = 0;
    let mut filled = 0;
    for r in rows {
        let occ = map.get(r, "occupation");
        if !occ.is_empty() {
            filled += 1;
            if rd.occupation(occ).is_some() {
                known += 1;
            }
        }
    }
    assert_eq!(known, filled);
}

#[test]
fn surnames_are_listed_once() {
    let set: HashSet<&str> = names::SURNAMES.iter().map(|(s, _)| *s).collect();
    assert_eq!(set.len(), names::SURNAMES.len());
    assert!(names::SURNAMES.iter().all(|(s, w)| s.chars().count() == 1 && *w > 0));
}

#[test]
fn only_job_seekers_state_a_wanted_kind_and_older_ones_want_day_work_more_often() {
    use jiujin_domain::jobs::JobKind;
    let (map, rows) = sample();
    let seeking = |r: &Vec<String>| map.get(r, "needs").contains("求职");
    let kind = |r: &Vec<String>| JobKind::parse(map.get(r, "wanted_kind"));
    assert!(rows.iter().all(|r| map.get(r, "wanted_kind").is_empty() || (seeking(r) && kind(r).is_some())));
    let seekers: Vec<Vec<String>> = rows.iter().filter(|r| seeking(r)).cloned().collect();
    let stated = share(&seekers, |r| kind(r).is_some());
    assert!((stated - 0.6).abs() < 0.05, "stated {stated} of {} seekers", seekers.len());
    let birth_year = |r: &Vec<String>| map.get(r, "id_number")[6..10].parse::<i32>().unwrap();
    let (older, younger): (Vec<Vec<String>>, Vec<Vec<String>>) = seekers
        .into_iter()
        .filter(|r| kind(r).is_some())
        .partition(|r| chrono::Datelike::year(&as_of()) - birth_year(r) >= 51);
    let day = |v: &[Vec<String>]| share(v, |r| kind(r) == Some(JobKind::DayWork));
    assert!(day(&older) > 2.0 * day(&younger), "older {} vs younger {}", day(&older), day(&younger));
    assert!(share(&younger, |r| kind(r) == Some(JobKind::FullTime)) > 0.6);
}
