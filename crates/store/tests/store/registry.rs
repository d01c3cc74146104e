//! Scoped reads: a region sees the people whose hukou or residence lies in its
//! subtree, and nobody else, in lists, counts, person pages and timelines.

use jiujin_domain::registry::{EmploymentStatus, EventSource};
use jiujin_store::registry::{
    apply_change, likely_duplicates, list_persons, person, person_count, persons_with_timelines, timeline, PersonFilter,
};
use jiujin_store::testing::TestDb;
use jiujin_store::Scope;

use super::{date, import, region, row, state, tester};

#[tokio::test(flavor = "multi_thread")]
async fn a_district_sees_only_people_of_its_subtree_by_hukou_or_residence() {
    for db in TestDb::all().await {
        let store = db.store().await;
        let mut lives_in_wanzhou = state(3, "500154001001");
        lives_in_wanzhou.residence_region = Some(region("500101001"));
        import(
            &store,
            vec![
                row(2, 1, state(1, "500101001001"), 1),
                row(3, 2, state(2, "500154001001"), 2),
                row(4, 3, lives_in_wanzhou, 3),
            ],
        )
        .await;
        let wanzhou = Scope::Region(region("500101"));
        let kaizhou = Scope::Region(region("500154"));
        let all = PersonFilter::default();
        assert_eq!(person_count(&store, wanzhou, &all).await.unwrap(), 2, "{}", db.label);
        assert_eq!(person_count(&store, kaizhou, &all).await.unwrap(), 2, "{}", db.label);
        assert_eq!(person_count(&store, Scope::City, &all).await.unwrap(), 3);
        let page = list_persons(&store, wanzhou, &all, 0, 50).await.unwrap();
        let names: Vec<_> = page.rows.iter().map(|p| p.state.name.as_str()).collect();
        assert_eq!(names, vec!["测试1", "测试3"]);
        let kaizhou_only = page.rows.iter().find(|p| p.state.name == "测试1").unwrap().id;
        let other =
            list_persons(&store, Scope::City, &PersonFilter { name: Some("测试2".into()), ..all.clone() }, 0, 50)
                .await
                .unwrap()
                .rows[0]
                .id;
        assert!(person(&store, wanzhou, other).await.unwrap().is_none(), "{}", db.label);
        assert!(timeline(&store, wanzhou, other).await.unwrap().is_none());
        assert!(person(&store, kaizhou, kaizhou_only).await.unwrap().is_none());
        // Searching by name from the wrong district finds nothing.
        let f = PersonFilter { name: Some("测试2".into()), ..all.clone() };
        assert_eq!(person_count(&store, wanzhou, &f).await.unwrap(), 0);
        // A filter region outside the scope narrows to the scope's own people there
        // (测试3 lives in 万州 with hukou in 开州), never widening it to 测试2.
        let f = PersonFilter { region: Some(region("500154")), ..all.clone() };
        let page = list_persons(&store, wanzhou, &f, 0, 50).await.unwrap();
        let names: Vec<_> = page.rows.iter().map(|p| p.state.name.as_str()).collect();
        assert_eq!((page.total, names), (1, vec!["测试3"]), "{}", db.label);
        // A change through the wrong scope is refused as absent.
        let mut s = state(2, "500154001001");
        s.status = EmploymentStatus::Unemployed;
        s.work_province = None;
        assert_eq!(
            apply_change(&store, wanzhou, other, &s, None, date("2025-07-01"), EventSource::Staff, &tester())
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            apply_change(&store, kaizhou, other, &s, None, date("2025-07-01"), EventSource::Staff, &tester())
                .await
                .unwrap(),
            Some(1)
        );
        let t = timeline(&store, kaizhou, other).await.unwrap().unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].source, EventSource::Staff);
        assert_eq!(t[1].status, Some(EmploymentStatus::Unemployed));
        // Many persons with their timelines at once: the same as one by one, inside the
        // scope only (an id outside it, or absent, is left out).
        let ids = [other, kaizhou_only, other, 999_999];
        for scope in [wanzhou, kaizhou, Scope::City] {
            let many = persons_with_timelines(&store, scope, &ids).await.unwrap();
            let mut one_by_one = Vec::new();
            for id in [kaizhou_only, other] {
                if let Some(p) = person(&store, scope, id).await.unwrap() {
                    one_by_one.push((id, p, timeline(&store, scope, id).await.unwrap().unwrap()));
                }
            }
            let many: Vec<_> = many.into_iter().map(|(id, (p, t))| (id, p, t)).collect();
            assert_eq!(many, one_by_one, "{} {scope:?}", db.label);
        }
        let both = persons_with_timelines(&store, Scope::City, &ids).await.unwrap();
        assert_eq!(both.get(&other).map(|(_, t)| t.len()), Some(2), "{}", db.label);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn people_with_the_same_name_birth_date_and_phone_are_listed_not_merged() {
    for db in TestDb::all().await {
        let store = db.store().await;
        let a = state(7, "500101");
        let mut b = state(7, "500101");
        b.household_no = None;
        let c = state(8, "500101");
        import(&store, vec![row(2, 1, a, 1), row(3, 2, b, 2), row(4, 3, c, 3)]).await;
        let pairs = likely_duplicates(&store, Scope::City, 10).await.unwrap();
        assert_eq!(pairs.len(), 1, "{}", db.label);
        assert_eq!(pairs[0].a.state.name, "测试7");
        assert_ne!(pairs[0].a.id, pairs[0].b.id);
        assert_eq!(person_count(&store, Scope::City, &PersonFilter::default()).await.unwrap(), 3, "never merged");
        assert!(likely_duplicates(&store, Scope::Region(region("500154")), 10).await.unwrap().is_empty());
        jiujin_store::registry::review_duplicate(
            &store,
            Scope::City,
            pairs[0].b.id,
            pairs[0].a.id,
            2,
            Some("不同人"),
            &tester(),
        )
        .await
        .unwrap();
        assert!(likely_duplicates(&store, Scope::City, 10).await.unwrap().is_empty(), "reviewed pairs leave the queue");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn household_members_are_the_others_with_the_same_number_in_the_same_village() {
    for db in TestDb::all().await {
        let store = db.store().await;
        let mut a = state(1, "500101001001");
        a.household_no = Some("H1".into());
        let mut b = state(2, "500101001001");
        b.household_no = Some("H1".into());
        let mut c = state(3, "500101001001");
        c.household_no = Some("H2".into());
        let mut d = state(4, "500154001001");
        d.household_no = Some("H1".into()); // same number, another village: another household
        import(&store, vec![row(2, 1, a, 1), row(3, 2, b, 2), row(4, 3, c, 3), row(5, 4, d, 4)]).await;
        let all = list_persons(&store, Scope::City, &PersonFilter::default(), 0, 10).await.unwrap().rows;
        let first = all.iter().find(|p| p.state.name == "测试1").unwrap();
        let members = jiujin_store::registry::household_members(&store, Scope::City, first).await.unwrap();
        let names: Vec<_> = members.iter().map(|p| p.state.name.as_str()).collect();
        assert_eq!(names, ["测试2"], "{}", db.label);
        let kaizhou = Scope::Region(region("500154"));
        assert!(jiujin_store::registry::household_members(&store, kaizhou, first).await.unwrap().is_empty());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_district_finds_its_duplicates_even_behind_many_elsewhere() {
    for db in TestDb::all().await {
        let store = db.store().await;
        // 30 pairs in 开州区 first (lower ids), then one pair in 万州区.
        let mut rows = Vec::new();
        for k in 0..30u8 {
            let n = 100 + u32::from(k);
            rows.push(row(u64::from(k) * 2 + 2, k * 2 + 1, state(n, "500154001001"), 1));
            rows.push(row(u64::from(k) * 2 + 3, k * 2 + 2, state(n, "500154001001"), 2));
        }
        rows.push(row(200, 201, state(7, "500101001001"), 3));
        rows.push(row(201, 202, state(7, "500101001001"), 4));
        import(&store, rows).await;
        let wanzhou = Scope::Region(region("500101"));
        let pairs = likely_duplicates(&store, wanzhou, 1).await.unwrap();
        assert_eq!(pairs.len(), 1, "{}", db.label);
        assert_eq!(pairs[0].a.state.name, "测试7");
        assert_eq!(likely_duplicates(&store, Scope::City, 100).await.unwrap().len(), 31);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_filter_wider_than_the_scope_keeps_the_scope() {
    for db in TestDb::all().await {
        let store = db.store().await;
        import(&store, vec![row(2, 1, state(1, "500101001001"), 1), row(3, 2, state(2, "500154001001"), 2)]).await;
        let wanzhou = Scope::Region(region("500101"));
        let whole_city = PersonFilter { region: Some(region("50")), ..Default::default() };
        let page = list_persons(&store, wanzhou, &whole_city, 0, 10).await.unwrap();
        assert_eq!(page.total, 1, "{}", db.label);
        assert_eq!(page.rows[0].state.name, "测试1");
        assert_eq!(person_count(&store, wanzhou, &whole_city).await.unwrap(), 1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_duplicates_list_looks_people_up_by_phone_hash_not_by_scanning() {
    use sea_orm::{ConnectionTrait, Statement};
    // At city size a scan-and-join takes minutes; the plan must go through the index.
    let db = TestDb::sqlite();
    let store = db.store().await;
    for scope in [Scope::City, Scope::Region(region("500101"))] {
        let sql = format!("EXPLAIN QUERY PLAN {}", jiujin_store::registry::likely_duplicates_sql(scope, 50));
        let rows = store.conn().query_all(Statement::from_string(store.backend(), sql)).await.unwrap();
        let plan: Vec<String> = rows.iter().map(|r| r.try_get::<String>("", "detail").unwrap()).collect();
        assert!(plan.iter().any(|d| d.contains("SEARCH q USING INDEX persons_phone_hmac")), "{scope:?}: {plan:#?}");
        assert!(!plan.iter().any(|d| d.contains("AUTOMATIC")), "{scope:?}: no transient index: {plan:#?}");
    }
}

#[test]
fn a_name_prefix_ends_at_the_next_code_point() {
    use jiujin_store::registry::prefix_upper_bound;
    assert_eq!(prefix_upper_bound("张").as_deref(), Some("弡"));
    assert_eq!(prefix_upper_bound("张三").as_deref(), Some("张上"));
    assert_eq!(prefix_upper_bound("a\u{D7FF}").as_deref(), Some("a\u{E000}"), "surrogates are skipped");
    assert_eq!(prefix_upper_bound(&char::MAX.to_string()), None);
}

/// Name search is a prefix inside the scope; counts stop at `COUNT_CAP` and say so.
#[tokio::test(flavor = "multi_thread")]
async fn name_prefixes_are_found_inside_the_scope_and_big_counts_are_capped() {
    use jiujin_store::registry::COUNT_CAP;
    for db in TestDb::all().await {
        let store = db.store().await;
        let n = COUNT_CAP as u32 + 30;
        let mut rows = Vec::new();
        for i in 0..n {
            let mut s = state(i, if i % 2 == 0 { "500101001001" } else { "500154001001" });
            s.name = match i {
                0 => "张三".into(),
                1 => "张三丰".into(),
                2 => "弡一".into(),
                3 => "张".into(),
                _ => format!("张{i}"),
            };
            let mut r = row(u64::from(i) + 2, 0, s, 1);
            r.id_hmac[..4].copy_from_slice(&i.to_be_bytes());
            r.id_cipher = r.id_hmac.to_vec();
            rows.push(r);
        }
        super::import_expecting(&store, rows, u64::from(n)).await;
        let by_name = |name: &str| PersonFilter { name: Some(name.into()), ..Default::default() };
        let wanzhou = Scope::Region(region("500101"));
        let kaizhou = Scope::Region(region("500154"));
        let page = list_persons(&store, Scope::City, &by_name("张三"), 0, 50).await.unwrap();
        let names: Vec<_> = page.rows.iter().map(|p| p.state.name.as_str()).collect();
        assert_eq!((page.total, page.total_capped, names), (2, false, vec!["张三", "张三丰"]), "{}", db.label);
        let page = list_persons(&store, kaizhou, &by_name("张三"), 0, 50).await.unwrap();
        assert_eq!(page.rows.iter().map(|p| p.state.name.as_str()).collect::<Vec<_>>(), ["张三丰"], "{}", db.label);
        let page = list_persons(&store, wanzhou, &by_name("弡"), 0, 50).await.unwrap();
        assert_eq!((page.total, page.rows[0].state.name.as_str()), (1, "弡一"), "{}", db.label);
        // 张 matches everyone but 弡一: more than the cap city-wide, half of it in one district.
        let page = list_persons(&store, Scope::City, &by_name("张"), 0, 50).await.unwrap();
        assert_eq!((page.total, page.total_capped, page.rows.len()), (COUNT_CAP, true, 50), "{}", db.label);
        let page = list_persons(&store, wanzhou, &by_name("张"), 1, 50).await.unwrap();
        assert_eq!((page.total, page.total_capped), (u64::from(n / 2) - 1, false), "{}", db.label);
        assert!(page.rows.iter().all(|p| p.state.hukou_region == region("500101001001")), "{}", db.label);
        // A name search lists in name order (the index's), and pages do not overlap.
        let key = |p: &jiujin_store::registry::StoredPerson| (p.state.name.clone(), p.id);
        assert!(page.rows.windows(2).all(|w| key(&w[0]) < key(&w[1])), "{}: ordered by name", db.label);
        let first = list_persons(&store, wanzhou, &by_name("张"), 0, 50).await.unwrap();
        assert!(key(first.rows.last().unwrap()) < key(&page.rows[0]), "{}: page 2 follows page 1", db.label);
        // Pages past the cap still list the matches in order, up to the last one.
        let last = list_persons(&store, Scope::City, &by_name("张"), 200, 50).await.unwrap();
        assert_eq!((last.rows.len(), last.total, last.total_capped), (29, COUNT_CAP, true), "{}", db.label);
        let before = list_persons(&store, Scope::City, &by_name("张"), 199, 50).await.unwrap();
        assert_eq!(before.rows.len(), 50, "{}", db.label);
        assert!(key(before.rows.last().unwrap()) < key(&last.rows[0]), "{}: the last page follows", db.label);
        let lines = jiujin_store::registry::person_lines(&store, Scope::City, &by_name("张"), 200, 50).await.unwrap();
        assert_eq!(
            lines.rows.iter().map(|l| l.id).collect::<Vec<_>>(),
            last.rows.iter().map(|p| p.id).collect::<Vec<_>>()
        );
        let past = list_persons(&store, Scope::City, &by_name("张"), 201, 50).await.unwrap();
        assert!(past.rows.is_empty(), "{}", db.label);
        // Other lists are by id.
        let all = list_persons(&store, wanzhou, &PersonFilter::default(), 0, 50).await.unwrap();
        assert!(all.rows.windows(2).all(|w| w[0].id < w[1].id), "{}: ordered by id", db.label);
        // Exact counts stay exact below the cap.
        assert_eq!(person_count(&store, Scope::City, &by_name("张")).await.unwrap(), u64::from(n) - 1);
    }
}

/// A district's list with nothing else to narrow it is read in id order from the
/// table (no region index, `PageQuery`); it must list exactly the persons the
/// indexes would, by hukou or by residence, page after page, and the list's lines
/// must be the same persons as the whole rows.
#[tokio::test(flavor = "multi_thread")]
async fn wide_region_lists_match_the_scope_page_by_page() {
    use jiujin_store::registry::{person_lines, persons_after};
    for db in TestDb::all().await {
        let store = db.store().await;
        let mut rows = Vec::new();
        for i in 0..300u32 {
            let (hukou, residence) = match i % 5 {
                0 => ("500101001001", None),
                1 => ("500154001001", Some("500101002003")),
                2 => ("500101001002", Some("500154001001")),
                3 => ("500154001001", None),
                _ => ("500154002001", Some("500155001001")),
            };
            let mut s = state(i, hukou);
            s.residence_region = residence.map(region);
            if i % 7 == 0 {
                s.status = EmploymentStatus::Unemployed;
                s.work_province = None;
            }
            if i % 3 == 0 {
                s.birth_date = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
            }
            let mut r = row(u64::from(i) + 2, 0, s, 1);
            r.id_hmac[..4].copy_from_slice(&i.to_be_bytes());
            rows.push(r);
        }
        super::import_expecting(&store, rows, 300).await;
        let everyone = list_persons(&store, Scope::City, &PersonFilter::default(), 0, 500).await.unwrap().rows;
        assert_eq!(everyone.len(), 300, "{}", db.label);
        let wanzhou = region("500101");
        let in_wanzhou = |p: &jiujin_store::registry::StoredPerson| {
            wanzhou.contains(p.state.hukou_region) || p.state.residence_region.is_some_and(|r| wanzhou.contains(r))
        };
        let expected: Vec<i64> = everyone.iter().filter(|p| in_wanzhou(p)).map(|p| p.id).collect();
        assert_eq!(expected.len(), 180, "{}", db.label);
        let by_region = PersonFilter { region: Some(wanzhou), ..Default::default() };
        // The district's own staff with no filter, the city's staff choosing the
        // district, and the district's staff choosing it again: all the wide reading.
        let asks = [
            (Scope::Region(wanzhou), PersonFilter::default()),
            (Scope::City, by_region.clone()),
            (Scope::Region(wanzhou), by_region),
            (Scope::Region(region("50")), PersonFilter { region: Some(wanzhou), ..Default::default() }),
        ];
        for (scope, filter) in &asks {
            for page in 0..4u64 {
                let got = list_persons(&store, *scope, filter, page, 50).await.unwrap();
                let want: Vec<i64> = expected.iter().copied().skip(page as usize * 50).take(50).collect();
                assert_eq!(
                    got.rows.iter().map(|p| p.id).collect::<Vec<_>>(),
                    want,
                    "{} {scope:?} page {page}",
                    db.label
                );
                assert_eq!((got.total, got.total_capped), (180, false), "{} {scope:?} page {page}", db.label);
                let after = if page == 0 { 0 } else { expected[page as usize * 50 - 1] };
                let export = persons_after(&store, *scope, filter, after, 50).await.unwrap();
                assert_eq!(export.iter().map(|p| p.id).collect::<Vec<_>>(), want, "{} export after {after}", db.label);
                let lines = person_lines(&store, *scope, filter, page, 50).await.unwrap();
                assert_eq!(lines.total, got.total, "{}", db.label);
                assert_eq!(lines.rows.len(), got.rows.len(), "{}", db.label);
                for (l, p) in lines.rows.iter().zip(&got.rows) {
                    let s = &p.state;
                    assert_eq!(
                        (l.id, &l.name, &l.id_cipher, &l.phone_cipher, l.sex, l.birth_date),
                        (p.id, &s.name, &p.id_cipher, &p.phone_cipher, s.sex, s.birth_date),
                        "{}",
                        db.label
                    );
                    assert_eq!(
                        (l.hukou_region, l.residence_region, l.status, l.work_region, l.work_province),
                        (s.hukou_region, s.residence_region, s.status, s.work_region, s.work_province),
                        "{}",
                        db.label
                    );
                }
            }
        }
        // With other filters too (checked on the table walk, and counted by it).
        let young = chrono::NaiveDate::from_ymd_opt(1995, 1, 1).unwrap();
        let filtered = [
            (Scope::Region(wanzhou), PersonFilter { status: Some(EmploymentStatus::Unemployed), ..Default::default() }),
            (Scope::City, PersonFilter { region: Some(wanzhou), born_after: Some(young), ..Default::default() }),
            (
                Scope::Region(wanzhou),
                PersonFilter {
                    status: Some(EmploymentStatus::OutsideEmployed),
                    born_after: Some(young),
                    ..Default::default()
                },
            ),
        ];
        for (scope, filter) in &filtered {
            let want: Vec<i64> = everyone
                .iter()
                .filter(|p| in_wanzhou(p))
                .filter(|p| filter.status.is_none_or(|s| p.state.status == s))
                .filter(|p| filter.born_after.is_none_or(|d| p.state.birth_date >= d))
                .map(|p| p.id)
                .collect();
            assert!(want.len() > 20 && want.len() < 180, "{}: {} match {filter:?}", db.label, want.len());
            for page in 0..3u64 {
                let got = list_persons(&store, *scope, filter, page, 20).await.unwrap();
                let page_ids: Vec<i64> = want.iter().copied().skip(page as usize * 20).take(20).collect();
                assert_eq!(
                    got.rows.iter().map(|p| p.id).collect::<Vec<_>>(),
                    page_ids,
                    "{} {filter:?} {page}",
                    db.label
                );
                if !(page == 0 && want.len() < 20) {
                    assert_eq!(got.total, want.len() as u64, "{} {filter:?} page {page}", db.label);
                }
                let after = if page == 0 { 0 } else { want.get(page as usize * 20 - 1).copied().unwrap_or(i64::MAX) };
                let export = persons_after(&store, *scope, filter, after, 20).await.unwrap();
                assert_eq!(export.iter().map(|p| p.id).collect::<Vec<_>>(), page_ids, "{} export {filter:?}", db.label);
            }
        }
        // A town keeps the indexes, with the same rule.
        let town = region("500101002");
        let got = list_persons(&store, Scope::Region(town), &PersonFilter::default(), 0, 500).await.unwrap();
        let want: Vec<i64> = everyone
            .iter()
            .filter(|p| {
                town.contains(p.state.hukou_region) || p.state.residence_region.is_some_and(|r| town.contains(r))
            })
            .map(|p| p.id)
            .collect();
        assert_eq!(got.rows.iter().map(|p| p.id).collect::<Vec<_>>(), want, "{}", db.label);
        assert_eq!(want.len(), 60, "{}", db.label);
        // The district's staff choosing the town: the town's condition alone.
        let chosen = PersonFilter { region: Some(town), ..Default::default() };
        let got = list_persons(&store, Scope::Region(wanzhou), &chosen, 0, 500).await.unwrap();
        assert_eq!(got.rows.iter().map(|p| p.id).collect::<Vec<_>>(), want, "{}", db.label);
        assert_eq!(got.total, 60, "{}", db.label);
        // A town of another district chosen by 万州区's staff finds nobody.
        let elsewhere = PersonFilter { region: Some(region("500154001")), ..Default::default() };
        let got = list_persons(&store, Scope::Region(wanzhou), &elsewhere, 0, 500).await.unwrap();
        let want: Vec<i64> = everyone
            .iter()
            .filter(|p| in_wanzhou(p))
            .filter(|p| {
                let kz = region("500154001");
                kz.contains(p.state.hukou_region) || p.state.residence_region.is_some_and(|r| kz.contains(r))
            })
            .map(|p| p.id)
            .collect();
        assert_eq!(got.rows.iter().map(|p| p.id).collect::<Vec<_>>(), want, "{}", db.label);
    }
}

/// The list's inline SQLite reads (rusqlite on the worker thread, multi-thread
/// runtime) return exactly what sqlx returns for the same statement (current-thread
/// runtime), for every kind of filter.
#[test]
fn inline_sqlite_reads_agree_with_sqlx() {
    use jiujin_store::Store;
    let db = TestDb::sqlite();
    let multi = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let single = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let store = multi.block_on(async {
        let store = db.store().await;
        let mut rows = Vec::new();
        for i in 0..120u32 {
            let mut s = state(i, if i % 3 == 0 { "500101001001" } else { "500154001001" });
            s.name = format!("{}{i}", if i % 2 == 0 { "张" } else { "李" });
            if i % 4 == 0 {
                s.status = EmploymentStatus::Unemployed;
                s.work_province = None;
            }
            let mut r = row(u64::from(i) + 2, 0, s, 1);
            r.id_hmac[..4].copy_from_slice(&i.to_be_bytes());
            rows.push(r);
        }
        super::import_expecting(&store, rows, 120).await;
        store
    });
    let filters = [
        PersonFilter::default(),
        PersonFilter { name: Some("张".into()), ..Default::default() },
        PersonFilter { name: Some("李1".into()), region: Some(region("500154")), ..Default::default() },
        PersonFilter { status: Some(EmploymentStatus::Unemployed), ..Default::default() },
        PersonFilter { region: Some(region("500101001")), ..Default::default() },
    ];
    let scopes = [Scope::City, Scope::Region(region("500101")), Scope::Person(3)];
    let other = single.block_on(Store::connect(&db.url)).unwrap();
    let before = jiujin_store::registry::inline_reads();
    for f in &filters {
        for scope in scopes {
            for page in [0, 1] {
                let a = multi.block_on(list_persons(&store, scope, f, page, 20)).unwrap();
                let b = single.block_on(list_persons(&other, scope, f, page, 20)).unwrap();
                assert_eq!((a.total, a.total_capped), (b.total, b.total_capped), "{f:?} {scope:?} {page}");
                assert_eq!(a.rows, b.rows, "{f:?} {scope:?} page {page}");
                let a = multi.block_on(jiujin_store::registry::person_lines(&store, scope, f, page, 20)).unwrap();
                let b = single.block_on(jiujin_store::registry::person_lines(&other, scope, f, page, 20)).unwrap();
                assert_eq!((a.total, a.total_capped), (b.total, b.total_capped), "{f:?} {scope:?} {page}");
                assert_eq!(a.rows, b.rows, "lines: {f:?} {scope:?} page {page}");
            }
        }
    }
    // Each multi-thread list (2 statements at most) went inline.
    assert!(jiujin_store::registry::inline_reads() - before >= 60, "the inline path was taken");
    assert!(multi.block_on(list_persons(&store, Scope::City, &filters[0], 0, 200)).unwrap().rows.len() == 120);
}

/// The name search in memory (SQLite, `registry::names`) answers exactly as the
/// database does, page by page and count by count, in every scope and region
/// filter, and still after renames, moves, new persons and an import's updates
/// written behind its back (it catches up from the events before each search).
#[tokio::test(flavor = "multi_thread")]
async fn the_name_search_in_memory_answers_as_the_database_and_follows_its_changes() {
    use jiujin_store::registry::{person_lines, Page, PersonLine};
    let db = TestDb::sqlite();
    let plain = db.store().await;
    const NAMES: [&str; 7] = ["张伟", "张伟东", "张三", "李伟", "王芳", "张", "赵敏"];
    let regions = [
        ("500101001001", None),
        ("500154001001", Some("500101002003")),
        ("500101001002", Some("500154001001")),
        ("500154001001", None),
        ("500154002001", Some("500155001001")),
        ("500101002003", Some("500101001001")),
    ];
    let person = |i: u32, name: &str| {
        let (hukou, residence) = regions[(i as usize * 7 + i as usize / 3) % regions.len()];
        let mut s = state(i, hukou);
        s.name = name.to_string();
        s.residence_region = residence.map(region);
        let mut r = row(u64::from(i) + 2, 0, s, 1);
        r.id_hmac[..4].copy_from_slice(&i.to_be_bytes());
        r
    };
    let rows: Vec<_> = (0..400u32).map(|i| person(i, NAMES[(i as usize * 5 + i as usize / 7) % NAMES.len()])).collect();
    super::import_expecting(&plain, rows, 400).await;
    let cached = db.store().await;
    cached.load_name_index(true).unwrap();
    assert!(cached.name_index().is_ready());
    assert!(!plain.name_index().is_ready());
    let scopes = [
        Scope::City,
        Scope::Region(region("500101")),
        Scope::Region(region("500154")),
        Scope::Region(region("500101001")),
    ];
    let chosen = [None, Some("500101"), Some("500101001"), Some("500154002"), Some("500155")];
    let prefixes = ["张", "张伟", "李", "王芳", "赵敏", "张伟东", "无此人"];
    let ids = |p: &Page<PersonLine>| (p.total, p.total_capped, p.rows.iter().map(|l| l.id).collect::<Vec<_>>());
    let compare = |when: &'static str| {
        let (plain, cached) = (plain.clone(), cached.clone());
        async move {
            let before = cached.name_index().answered();
            let mut nonempty = 0;
            for scope in scopes {
                for r in chosen {
                    for q in prefixes {
                        let filter = PersonFilter { name: Some(q.into()), region: r.map(region), ..Default::default() };
                        for page in 0..3 {
                            let want = person_lines(&plain, scope, &filter, page, 7).await.unwrap();
                            let got = person_lines(&cached, scope, &filter, page, 7).await.unwrap();
                            assert_eq!(ids(&got), ids(&want), "{when}: {scope:?} {filter:?} page {page}");
                            nonempty += usize::from(!want.rows.is_empty());
                        }
                    }
                }
            }
            assert!(nonempty > 100, "{when}: the searches must find people ({nonempty} pages)");
            // Every one of them was answered from memory, none fell back to SQL.
            let asked = (scopes.len() * chosen.len() * prefixes.len() * 3) as u64;
            assert_eq!(cached.name_index().answered() - before, asked, "{when}");
        }
    };
    compare("loaded").await;
    // Written through the other store: a rename and move by staff, new persons and
    // an import that renames some and moves others.
    let zhang = named(&plain, "500101", "张伟").await;
    assert!(zhang.len() >= 3);
    let moved = jiujin_store::registry::person(&plain, Scope::City, zhang[0]).await.unwrap().unwrap();
    let mut s = moved.state.clone();
    s.name = "李伟".into();
    s.hukou_region = region("500154001001");
    s.residence_region = None;
    let n = apply_change(&plain, Scope::City, moved.id, &s, None, date("2025-07-01"), EventSource::Staff, &tester())
        .await
        .unwrap();
    assert_eq!(n, Some(1));
    let mut later: Vec<_> = (400..430u32).map(|i| person(i, NAMES[i as usize % NAMES.len()])).collect();
    for i in [3u32, 10, 17, 24, 31] {
        let mut r = person(i, "赵敏");
        r.digest = [9; 16];
        later.push(r);
    }
    super::import(&plain, later).await;
    compare("after changes").await;
    let found = named(&cached, "500154", "李伟").await;
    assert!(found.contains(&moved.id), "the moved person is found under the new name");
    let found = named(&cached, "500101", "张伟").await;
    assert!(!found.contains(&moved.id), "and no longer under the old one");
}

/// The ids of the first 500 persons named `name…` in the scope of region `scope`.
async fn named(store: &jiujin_store::Store, scope: &str, name: &str) -> Vec<i64> {
    let filter = PersonFilter { name: Some(name.into()), ..Default::default() };
    let page =
        jiujin_store::registry::person_lines(store, Scope::Region(region(scope)), &filter, 0, 500).await.unwrap();
    page.rows.iter().map(|l| l.id).collect()
}

/// More new events than a search replays (an import while the server runs) drop
/// the cache: that search reads the database, the cache loads again in the
/// background, and then answers again, with the import in it.
#[tokio::test(flavor = "multi_thread")]
async fn many_changes_at_once_load_the_name_search_in_memory_again() {
    let db = TestDb::sqlite();
    let plain = db.store().await;
    let person = |i: u32| {
        let mut s = state(i, "500101001001");
        s.name = format!("张{}", i % 3);
        let mut r = row(u64::from(i) + 2, 0, s, 1);
        r.id_hmac[..4].copy_from_slice(&i.to_be_bytes());
        r
    };
    super::import(&plain, (0..20).map(person).collect()).await;
    let cached = db.store().await;
    cached.load_name_index(true).unwrap();
    cached.name_index().set_max_replay(5);
    assert_eq!(named(&cached, "500101", "张").await.len(), 20);
    // Ten registrations: more than the five a search may replay.
    super::import(&plain, (20..30).map(person).collect()).await;
    let before = cached.name_index().answered();
    let found = named(&cached, "500101", "张").await;
    assert_eq!(found.len(), 30, "the database answers while the cache loads again");
    assert_eq!(cached.name_index().answered(), before, "not from the stale cache");
    for _ in 0..500 {
        if cached.name_index().is_ready() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(cached.name_index().is_ready(), "loaded again in the background");
    assert_eq!(named(&cached, "500101", "张").await, found);
    assert_eq!(cached.name_index().answered(), before + 1);
}
