//! The dashboards' counters are kept in the same transaction as the events: after
//! any sequence of registrations, staff changes and imports (initial loads and
//! merges), on either database, they equal a recount of every timeline; a rebuild
//! gives the same; the city's 人员底数 is the registry's size; the people listed
//! behind a figure add up to it.

use jiujin_domain::monitoring::figure::{Figure, Months};
use jiujin_domain::monitoring::tally::Measure;
use jiujin_domain::registry::{EmploymentStatus, EventSource, GroupFlags, InsuranceSet, PersonState, ServiceNeeds};
use jiujin_store::entity::person;
use jiujin_store::monitoring::{figure_total, kept, people, rebuild, recount, stock};
use jiujin_store::registry::{apply_change, create_person, NewPerson};
use jiujin_store::testing::TestDb;
use jiujin_store::{Scope, Store};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::{date, import_on, region, row, state, tester};

const HUKOU: [&str; 5] = ["500101001001", "500101002003", "500101", "500103001001", "500230001"];
const WORK: [&str; 4] = ["500101001", "500101003002", "500103001", "500230002"];
const INDUSTRY: [Option<&str>; 5] = [None, Some("C"), Some("13"), Some("E"), Some("47")];

/// A person's state as drawn: (hukou, status, work, industry, insurance, flags,
/// needs, registered unemployed).
type Spec = (usize, usize, Option<usize>, usize, i64, i64, i64, bool);

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..HUKOU.len(),
        0..6usize,
        proptest::option::of(0..WORK.len()),
        0..INDUSTRY.len(),
        0i64..16,
        0i64..128,
        0i64..64,
        any::<bool>(),
    )
}

fn person_state(key: u8, s: Spec, month: u32) -> PersonState {
    let (h, st, w, ind, ins, flags, needs, reg) = s;
    let mut p = state(u32::from(key), HUKOU[h]);
    p.status = EmploymentStatus::ALL[st];
    let outside = p.status == EmploymentStatus::OutsideEmployed;
    p.work_province = outside.then_some(44);
    p.work_region = if outside { None } else { w.map(|i| region(WORK[i])) };
    p.industry = INDUSTRY[ind].map(str::to_string);
    p.insurance = InsuranceSet::from_bits(ins);
    p.flags = GroupFlags::from_bits(flags);
    p.needs = ServiceNeeds::from_bits(needs);
    p.unemployed_since =
        (p.status == EmploymentStatus::Unemployed && reg).then(|| month_day(month.saturating_sub(1) % 24));
    p
}

fn month_day(m: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2025 + (m / 12) as i32, m % 12 + 1, 10).unwrap()
}

#[derive(Debug, Clone)]
enum Op {
    /// A bulk import dated in `month`; `initial` announces a large file (an initial
    /// load when the registry is empty).
    Import { month: u32, initial: bool, rows: Vec<(u8, Spec)> },
    /// A registration by staff.
    Create { key: u8, spec: Spec, month: u32 },
    /// A change by staff.
    Change { key: u8, spec: Spec, month: u32 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u32..24, any::<bool>(), proptest::collection::vec((1u8..10, spec()), 1..6))
            .prop_map(|(month, initial, rows)| Op::Import { month, initial, rows }),
        (1u8..10, spec(), 0u32..24).prop_map(|(key, spec, month)| Op::Create { key, spec, month }),
        (1u8..10, spec(), 0u32..24).prop_map(|(key, spec, month)| Op::Change { key, spec, month }),
    ]
}

async fn import_at(store: &Store, month: u32, initial: bool, rows: &[(u8, Spec)]) {
    // Distinct digests: a changed row is never taken for an unchanged one.
    let batch: Vec<_> = rows
        .iter()
        .enumerate()
        .map(|(i, (key, s))| row(i as u64 + 2, *key, person_state(*key, *s, month), (month as u8) ^ (i as u8) << 5))
        .collect();
    import_on(store, batch, if initial { 100_000 } else { 0 }, month_day(month)).await;
}

async fn id_of(store: &Store, key: u8) -> Option<i64> {
    person::Entity::find()
        .filter(person::Column::IdHmac.eq(vec![key; 16]))
        .one(store.conn())
        .await
        .unwrap()
        .map(|p| p.id)
}

async fn run(store: &Store, op: &Op) {
    match op {
        Op::Import { month, initial, rows } => import_at(store, *month, *initial, rows).await,
        Op::Create { key, spec, month } => {
            let s = person_state(*key, *spec, *month);
            let new = NewPerson {
                id_hmac: [*key; 16],
                id_cipher: vec![*key; 40],
                phone_cipher: Some(vec![1; 39]),
                state: s,
                row_digest: [0; 16],
                date: month_day(*month),
            };
            create_person(store, Scope::City, &new, EventSource::Staff, &tester()).await.unwrap();
        }
        Op::Change { key, spec, month } => {
            if let Some(id) = id_of(store, *key).await {
                let s = person_state(*key, *spec, *month);
                apply_change(
                    store,
                    Scope::City,
                    id,
                    &s,
                    Some(&[1; 39]),
                    month_day(*month),
                    EventSource::Staff,
                    &tester(),
                )
                .await
                .unwrap();
            }
        }
    }
}

/// Figures of the city, of stocks and flows, over the months the sequences use.
fn figures() -> Vec<Figure> {
    let city = vec![(jiujin_domain::region::CHONGQING, 1)];
    [
        (Measure::Persons, None, Months::Now),
        (Measure::Status, Some(EmploymentStatus::Unemployed.code()), Months::Now),
        (Measure::Status, Some(EmploymentStatus::OutsideEmployed.code()), Months::EndOf(202506)),
        (Measure::Insurance, Some(0), Months::EndOf(202612)),
        (Measure::Group, None, Months::EndOf(202603)),
        (Measure::Returned, None, Months::Window(202501, 202612)),
        (Measure::NearHomeNew, None, Months::Window(202503, 202611)),
        (Measure::BecameUnemployed, None, Months::Window(202502, 202502)),
        (Measure::Registered, None, Months::Window(202501, 202612)),
    ]
    .into_iter()
    .map(|(m, item, months)| Figure::new(city.clone(), m, item, months).unwrap())
    .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn kept_counters_equal_a_recount_after_random_event_sequences() {
    let cases = proptest::collection::vec(op(), 1..14);
    let mut runner = TestRunner::deterministic();
    for db in TestDb::all().await {
        for case in 0..12 {
            let ops = cases.new_tree(&mut runner).unwrap().current();
            let store = db.store().await;
            for op in &ops {
                run(&store, op).await;
            }
            let kept_now = kept(&store).await.unwrap();
            let (recounted, counts) = recount(&store).await.unwrap();
            let mut diff: Vec<_> = recounted
                .iter()
                .filter(|(k, n)| kept_now.get(k) != Some(n))
                .map(|(k, n)| (*k, kept_now.get(k).copied(), Some(*n)))
                .chain(kept_now.iter().filter(|(k, _)| !recounted.contains_key(k)).map(|(k, n)| (*k, Some(*n), None)))
                .collect();
            diff.sort();
            assert!(diff.is_empty(), "{} case {case}: (key, kept, recounted) {diff:?}\n{ops:?}", db.label);
            // The city's 人员底数 now is the registry's size.
            let persons = person::Entity::find().count(store.conn()).await.unwrap();
            assert_eq!(counts.persons, persons, "{}", db.label);
            let city = stock(&store, 0, jiujin_domain::region::CHONGQING, Measure::Persons, None).await.unwrap();
            assert_eq!(city.iter().map(|c| c.n).sum::<i64>(), persons as i64, "{} case {case}", db.label);
            // A rebuild writes the same counters.
            rebuild(&store).await.unwrap();
            assert_eq!(kept(&store).await.unwrap(), kept_now, "{} case {case}", db.label);
            // Every figure's people, read page by page, add up to it (the city: no
            // hukou ever leaves it), and it is the recount's figure.
            for figure in figures() {
                let total = figure_total(&store, &figure).await.unwrap();
                assert_eq!(total, figure.count(&recounted), "{} case {case}: {figure:?}", db.label);
                let (mut sum, mut after, mut pages) = (0, None, 0);
                loop {
                    let page = people(&store, Scope::City, &figure, after, 2, 3).await.unwrap();
                    assert!(page.rows.len() <= 2 && page.scanned <= 3, "{}", db.label);
                    assert!(page.rows.iter().all(|(_, n)| *n != 0), "{}", db.label);
                    sum += page.rows.iter().map(|(_, n)| n).sum::<i64>();
                    pages += 1;
                    assert!(pages < 100, "{} case {case}: the cursor moves on", db.label);
                    match page.next {
                        Some(c) => after = Some(c),
                        None => break,
                    }
                }
                assert_eq!(sum, total, "{} case {case}: {figure:?}\n{ops:?}", db.label);
                // A region's staff do not see the city's list.
                let other = people(&store, Scope::Region(region("500101")), &figure, None, 50, 100).await.unwrap();
                assert!(other.rows.is_empty(), "{}", db.label);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stock_at_a_months_end_counts_the_states_of_that_month() {
    for db in TestDb::all().await {
        let store = db.store().await;
        // Registered 2025-01 outside Chongqing; back home and employed 2025-02.
        let away = (0, 1, None, 1, 3, 0, 1, false);
        import_at(&store, 0, false, &[(1, away), (2, away)]).await;
        let home = (0, 0, Some(0), 1, 3, 0, 0, false);
        import_at(&store, 1, false, &[(1, home)]).await;
        let wanzhou = region("500101");
        let status = |cells: Vec<jiujin_store::monitoring::Cell>, s: EmploymentStatus| {
            cells.iter().filter(|c| c.item == s.code()).map(|c| c.n).sum::<i64>()
        };
        let jan = stock(&store, 1, wanzhou, Measure::Status, Some(202501)).await.unwrap();
        assert_eq!(status(jan.clone(), EmploymentStatus::OutsideEmployed), 2, "{}", db.label);
        let feb = stock(&store, 1, wanzhou, Measure::Status, Some(202502)).await.unwrap();
        assert_eq!(status(feb.clone(), EmploymentStatus::OutsideEmployed), 1, "{}", db.label);
        assert_eq!(status(feb, EmploymentStatus::LocalEmployed), 1, "{}", db.label);
        let now = stock(&store, 1, wanzhou, Measure::Status, None).await.unwrap();
        assert_eq!(status(now, EmploymentStatus::LocalEmployed), 1, "{}", db.label);
        // Flows: one return and one new near-home job in February, by the town.
        let flows = jiujin_store::monitoring::series(
            &store,
            region("500101001"),
            &[Measure::Returned, Measure::NearHomeNew],
            202501,
            202512,
        )
        .await
        .unwrap();
        assert_eq!(
            flows,
            vec![(202502, Measure::Returned, 0, 1), (202502, Measure::NearHomeNew, 2, 1)],
            "{}",
            db.label
        );
        // The February return is person 1's, listed to 万州's staff.
        let f = Figure::new(vec![(wanzhou, 1)], Measure::Returned, None, Months::Window(202502, 202502)).unwrap();
        let page = people(&store, Scope::Region(wanzhou), &f, None, 50, 1000).await.unwrap();
        assert_eq!(page.rows, vec![(id_of(&store, 1).await.unwrap(), 1)], "{}", db.label);
        assert_eq!((page.next, page.scanned), (None, 2), "{}", db.label);
        let _ = date("2025-01-01");
    }
}
