#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::registry::EmploymentStatus as S;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn refdata() -> &'static RefData {
    RefData::embedded().unwrap()
}

/// The first village of the first town of a district (`500101` 万州区 …).
fn village(district: i64) -> RegionCode {
    let r = refdata();
    let d = RegionCode::from_i64(district * 1_000_000).unwrap();
    let town = r.children(d)[0];
    r.children(town)[0]
}

/// A town of the district other than the first.
fn other_town(district: i64) -> RegionCode {
    let r = refdata();
    r.children(RegionCode::from_i64(district * 1_000_000).unwrap())[1]
}

const WANZHOU: i64 = 500101;
const YUZHONG: i64 = 500103;

fn facet(hukou: RegionCode, status: S, work: Option<RegionCode>) -> Facet {
    Facet {
        hukou,
        status,
        work_region: work,
        industry_row: 0,
        insurance: InsuranceSet::empty(),
        flags: GroupFlags::empty(),
        needs: ServiceNeeds::empty(),
        unemployed_since: None,
    }
}

fn region(code: i64) -> i64 {
    code * 1_000_000
}

/// The count of a measure at a level-1 (district) region in a month.
fn at(t: &Tally, district: i64, month: i32, m: Measure, key: i16) -> i64 {
    t.nonzero().get(&(1, region(district), month, m.code(), key)).copied().unwrap_or(0)
}

fn city(t: &Tally, month: i32, m: Measure, key: i16) -> i64 {
    t.nonzero().get(&(0, 500_000_000_000, month, m.code(), key)).copied().unwrap_or(0)
}

#[test]
fn a_spring_festival_return_to_a_home_job_is_a_return_and_a_new_near_home_job() {
    let home = village(WANZHOU);
    let mut t = Tally::new();
    let away = facet(home, S::OutsideEmployed, None);
    t.register(&away, d(2025, 11, 3));
    let mut back = facet(home, S::LocalEmployed, Some(other_town(WANZHOU)));
    back.industry_row = 2; // 制造业
    t.change(&away, &back, d(2026, 2, 5));
    assert_eq!(at(&t, WANZHOU, 202602, Measure::Returned, 0), 1);
    assert_eq!(at(&t, WANZHOU, 202602, Measure::NearHomeNew, 2), 1);
    assert_eq!(at(&t, WANZHOU, 202602, Measure::Departed, 0), 0);
    // The stock moved in February; the running total holds the state now.
    assert_eq!(at(&t, WANZHOU, 202602, Measure::Status, S::OutsideEmployed.code()), -1);
    assert_eq!(at(&t, WANZHOU, 202602, Measure::Status, S::LocalEmployed.code()), 1);
    assert_eq!(at(&t, WANZHOU, 0, Measure::Status, S::LocalEmployed.code()), 1);
    assert_eq!(at(&t, WANZHOU, 0, Measure::Status, S::OutsideEmployed.code()), 0);
    assert_eq!(at(&t, WANZHOU, 0, Measure::Workplace, Workplace::HomeDistrict.code()), 1);
    assert_eq!(city(&t, 202511, Measure::Registered, 0), 1);
    assert_eq!(city(&t, 0, Measure::Persons, 0), 1);
    // The town level counts under the hukou's town.
    let town = home.town().unwrap().as_i64();
    assert_eq!(t.nonzero().get(&(2, town, 202602, Measure::Returned.code(), 0)), Some(&1));
}

#[test]
fn a_job_in_another_district_is_not_near_home_until_the_person_moves_home() {
    let home = village(WANZHOU);
    let mut t = Tally::new();
    let a = facet(home, S::Unemployed, None);
    t.register(&a, d(2026, 1, 10));
    let b = facet(home, S::LocalEmployed, Some(village(YUZHONG)));
    t.change(&a, &b, d(2026, 3, 2));
    assert_eq!(at(&t, WANZHOU, 202603, Measure::NearHomeNew, 0), 0);
    assert_eq!(at(&t, WANZHOU, 0, Measure::Workplace, Workplace::OtherDistrict.code()), 1);
    let c = facet(home, S::LocalEmployed, Some(other_town(WANZHOU)));
    t.change(&b, &c, d(2026, 3, 20));
    assert_eq!(at(&t, WANZHOU, 202603, Measure::NearHomeNew, 0), 1);
}

#[test]
fn two_jobs_near_home_in_one_month_count_once() {
    let home = village(WANZHOU);
    let mut t = Tally::new();
    let a = facet(home, S::OutsideEmployed, None);
    t.register(&a, d(2026, 1, 1));
    let b = facet(home, S::LocalEmployed, Some(home));
    t.change(&a, &b, d(2026, 4, 3));
    let c = facet(home, S::LocalEmployed, Some(other_town(WANZHOU)));
    t.change(&b, &c, d(2026, 4, 25));
    assert_eq!(at(&t, WANZHOU, 202604, Measure::NearHomeNew, 0), 1);
    assert_eq!(at(&t, WANZHOU, 202604, Measure::Returned, 0), 1);
}

#[test]
fn a_hukou_move_moves_the_stock_and_can_make_a_job_near_home() {
    let mut t = Tally::new();
    let work = village(YUZHONG);
    let a = facet(village(WANZHOU), S::LocalEmployed, Some(work));
    t.register(&a, d(2025, 6, 1));
    let b = facet(village(YUZHONG), S::LocalEmployed, Some(work));
    t.change(&a, &b, d(2026, 5, 1));
    assert_eq!(at(&t, WANZHOU, 0, Measure::Persons, 0), 0);
    assert_eq!(at(&t, YUZHONG, 0, Measure::Persons, 0), 1);
    assert_eq!(at(&t, WANZHOU, 202605, Measure::Persons, 0), -1);
    assert_eq!(at(&t, YUZHONG, 202605, Measure::NearHomeNew, 0), 1);
    // Still one person in the city.
    assert_eq!(city(&t, 0, Measure::Persons, 0), 1);
}

#[test]
fn unemployment_and_its_registration_are_flows_and_a_stock() {
    let home = village(WANZHOU);
    let mut t = Tally::new();
    let a = facet(home, S::LocalEmployed, Some(home));
    t.register(&a, d(2026, 1, 1));
    let b = facet(home, S::Unemployed, None);
    t.change(&a, &b, d(2026, 6, 10));
    let mut c = b.clone();
    c.unemployed_since = Some(d(2026, 7, 1));
    t.change(&b, &c, d(2026, 7, 1));
    assert_eq!(at(&t, WANZHOU, 202606, Measure::BecameUnemployed, 0), 1);
    assert_eq!(at(&t, WANZHOU, 202607, Measure::BecameUnemployed, 0), 0);
    assert_eq!(at(&t, WANZHOU, 202607, Measure::NewUnemploymentRegistration, 0), 1);
    assert_eq!(at(&t, WANZHOU, 0, Measure::RegisteredUnemployed, 0), 1);
}

#[test]
fn a_change_that_touches_no_counter_writes_nothing() {
    let home = village(WANZHOU);
    let mut t = Tally::new();
    let a = facet(home, S::Flexible, None);
    t.change(&a, &a.clone(), d(2026, 1, 1));
    assert!(t.is_empty());
    assert!(t.drain_sorted().is_empty());
}

#[test]
fn industry_rows_follow_annex_2() {
    let rows = IndustryRows::new(refdata());
    assert_eq!(rows.get(Some("13")), 2); // 农副食品加工业 → 制造业
    assert_eq!(rows.get(Some("C")), 2);
    assert_eq!(rows.get(Some("ZZ")), 0);
    assert_eq!(rows.get(None), 0);
}

// --- property: the kept deltas give each month's stock -------------------------

fn arb_facet(homes: Vec<RegionCode>) -> impl Strategy<Value = Facet> {
    let n = homes.len();
    (0..n, 0..6usize, proptest::option::of(0..n), 0u8..13, 0i64..16, 0i64..128, 0i64..64, any::<bool>()).prop_map(
        move |(h, s, w, row, ins, flags, needs, reg)| {
            let status = S::ALL[s];
            Facet {
                hukou: homes[h],
                status,
                work_region: if status == S::OutsideEmployed { None } else { w.map(|i| homes[i]) },
                industry_row: row,
                insurance: InsuranceSet::from_bits(ins),
                flags: GroupFlags::from_bits(flags),
                needs: ServiceNeeds::from_bits(needs),
                unemployed_since: (status == S::Unemployed && reg).then(|| d(2026, 1, 1)),
            }
        },
    )
}

fn stocks_of(f: &Facet) -> HashMap<Key, i64> {
    let mut t = Tally::new();
    t.register(f, d(2000, 1, 1));
    t.nonzero()
        .into_iter()
        .filter(|((_, _, month, m, _), _)| *month == 0 && Measure::from_code(*m).is_some_and(Measure::is_stock))
        .collect()
}

proptest! {
    #[test]
    fn the_sum_of_deltas_to_a_month_is_that_months_stock(
        steps in proptest::collection::vec(
            (arb_facet(vec![village(WANZHOU), other_town(WANZHOU), village(YUZHONG), village(500230)]), 0u32..24),
            1..12,
        ),
    ) {
        // One person: registered in the first step's month, then a change in each
        // later step's month (months ascending).
        let mut steps = steps;
        steps.sort_by_key(|s| s.1);
        let month = |i: u32| d(2025 + (i / 12) as i32, i % 12 + 1, 15);
        let mut t = Tally::new();
        t.register(&steps[0].0, month(steps[0].1));
        for w in steps.windows(2) {
            t.change(&w[0].0, &w[1].0, month(w[1].1));
        }
        let kept = t.nonzero();
        for (i, (f, m)) in steps.iter().enumerate() {
            // The state at the end of the month of step i (the last step of that month).
            if steps.get(i + 1).is_some_and(|n| n.1 == *m) {
                continue;
            }
            let code = month_code(month(*m));
            let mut sum: HashMap<Key, i64> = HashMap::new();
            for (&(l, r, mo, me, k), &n) in &kept {
                if mo != 0 && mo <= code && Measure::from_code(me).is_some_and(Measure::is_stock) {
                    *sum.entry((l, r, 0, me, k)).or_insert(0) += n;
                }
            }
            sum.retain(|_, n| *n != 0);
            prop_assert_eq!(&sum, &stocks_of(f));
        }
        // The running total is the last state's stock.
        let total: HashMap<Key, i64> = kept
            .into_iter()
            .filter(|((_, _, mo, me, _), _)| *mo == 0 && Measure::from_code(*me).is_some_and(Measure::is_stock))
            .collect();
        prop_assert_eq!(total, stocks_of(&steps[steps.len() - 1].0));
    }
}
