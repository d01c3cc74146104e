//! Search against hand-made postings with real queries, the index against a brute-force
//! filter over all postings (proptest), and an indicative timing run (`#[ignore]`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;

use super::index::analyze;
use super::*;
use crate::jobs::JobKind;
use crate::money::Fen;
use crate::refdata::RefData;
use crate::region::RegionCode;

fn analyzer() -> &'static Analyzer {
    Analyzer::embedded().unwrap()
}

fn refdata() -> &'static RefData {
    RefData::embedded().unwrap()
}

fn code(text: &str) -> RegionCode {
    RegionCode::parse(text).unwrap()
}

fn occupation(name: &str) -> u16 {
    refdata().occupations().iter().position(|o| o.name == name).unwrap() as u16
}

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, day).unwrap()
}

/// A full-time posting with a monthly wage of 5,000 yuan, posted on 2025-03-01.
fn doc(id: i64, title: &str, place: &str, occupation_name: Option<&str>) -> JobDoc {
    JobDoc {
        id,
        title: title.to_string(),
        employer_name: "重庆某某实业有限公司".to_string(),
        description: "身体健康，吃苦耐劳，工资按月发放。".to_string(),
        place: code(place),
        occupation: occupation_name.map(occupation),
        kind: JobKind::FullTime,
        board_lodging: false,
        wage_monthly_mid: Some(Fen::from_yuan(5000)),
        posted: date(1),
    }
}

fn with_board(mut d: JobDoc) -> JobDoc {
    d.board_lodging = true;
    d
}

fn posted(mut d: JobDoc, day: u32) -> JobDoc {
    d.posted = date(day);
    d
}

fn search(index: &SearchIndex, text: &str, home: Option<RegionCode>) -> SearchResults {
    index.search(&Query::parse(text, analyzer()), &Filters::default(), home, 0, 20)
}

fn ids(results: &SearchResults) -> Vec<i64> {
    results.hits.iter().map(|h| h.id).collect()
}

#[test]
fn domain_words_occupations_and_region_names_are_segmented_whole() {
    let a = analyzer();
    assert_eq!(a.query_words("渝北焊工包吃住"), ["渝北", "焊工", "包吃住"]);
    assert_eq!(a.query_words("万州区 月嫂 五险一金"), ["万州区", "月嫂", "五险一金"]);
    assert_eq!(a.query_words("ＣＮＣ操作工，离家近"), ["cnc操作工", "离家近"]);
    let mut terms = Vec::new();
    a.index_terms("招聘电焊工（包吃住）", &mut terms);
    for t in ["电焊", "焊工", "电焊工", "包吃住"] {
        assert!(terms.iter().any(|x| x == t), "{t} in {terms:?}");
    }
    for w in query::BOARD_WORDS.iter().chain(query::NEAR_WORDS) {
        assert_eq!(a.query_words(w), [*w], "{w} is one word");
    }
}

#[test]
fn a_query_names_place_occupation_and_board_and_says_so_in_chinese() {
    let q = Query::parse("渝北 焊工 包吃住", analyzer());
    assert_eq!(q.places.len(), 1);
    assert_eq!(q.places[0].codes, [code("500112")]);
    assert_eq!(q.occupations.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), ["焊工"]);
    assert!(q.board_lodging && q.terms.is_empty());
    assert_eq!(q.describe(false), "地点：渝北区；职业：焊工；包吃住");
}

#[test]
fn a_synonym_names_its_occupation_and_kind_words_name_a_kind() {
    let q = Query::parse("电焊工 日结", analyzer());
    assert_eq!(q.occupations[0].index, occupation("焊工"));
    assert_eq!(q.kinds, [JobKind::DayWork]);
    assert_eq!(q.describe(false), "职业：焊工；用工形式：零工");
    let q = Query::parse("兼职 月嫂", analyzer());
    assert_eq!(q.kinds, [JobKind::PartTime]);
    assert_eq!(q.occupations[0].index, occupation("母婴护理员"));
}

#[test]
fn a_town_short_name_is_a_place_next_to_its_district_and_a_word_elsewhere() {
    let q = Query::parse("渝北 龙兴 普工", analyzer());
    assert_eq!(q.places.len(), 1);
    assert_eq!(q.places[0].codes, [code("500112131")]);
    assert_eq!(q.places[0].label, "渝北区龙兴镇");
    let q = Query::parse("龙兴镇", analyzer());
    assert_eq!(q.places[0].label, "渝北区龙兴镇");
    let q = Query::parse("平安", analyzer());
    assert!(q.places.is_empty());
    assert_eq!(q.terms, ["平安"]);
}

#[test]
fn places_apart_are_alternatives_and_overlapping_places_narrow_each_other() {
    let q = Query::parse("渝北 江北 保安", analyzer());
    let labels: Vec<&str> = q.places.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["渝北区", "江北区"]);
    // 两江新区 lies in 渝北区 (in this edition of the data): naming both is 两江新区.
    let q = Query::parse("两江新区 渝北", analyzer());
    assert_eq!(q.places.len(), 1);
    assert_eq!(q.places[0].label, "两江新区");
    // 重庆高新区 spans 沙坪坝区 and 九龙坡区: with 九龙坡 it is their overlap.
    let q = Query::parse("高新区 九龙坡", analyzer());
    assert_eq!(q.places.len(), 1);
    assert_eq!(q.places[0].codes.len(), 6);
    assert!(q.places[0].codes.iter().all(|c| code("500107").contains(*c)));
    assert_eq!(q.places[0].label, "西部科学城重庆高新区与九龙坡区的重叠部分");
    let q = Query::parse("石柱 彭水县", analyzer());
    let labels: Vec<&str> = q.places.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["石柱土家族自治县", "彭水苗族土家族自治县"]);
}

#[test]
fn near_home_without_a_home_is_ignored_and_the_description_says_so() {
    let q = Query::parse("保洁 离家近", analyzer());
    assert!(q.near_home);
    assert_eq!(q.describe(true), "职业：保洁员；按离家远近排序");
    assert_eq!(q.describe(false), "职业：保洁员；离家近：未提供家庭住址，未按远近排序");
}

#[test]
fn a_number_of_yuan_is_a_least_monthly_wage() {
    let q = Query::parse("沙坪坝 服务员 包吃包住 4000以上", analyzer());
    assert_eq!(q.min_wage, Some(Fen::from_yuan(4000)));
    assert!(q.terms.is_empty(), "{q:?}");
    assert_eq!(q.describe(false), "地点：沙坪坝区；职业：餐厅服务员；包吃住；月薪：4000元以上；已忽略：以上");
    assert_eq!(Query::parse("月薪6000元", analyzer()).min_wage, Some(Fen::from_yuan(6000)));
    // Small numbers are not wages.
    assert_eq!(Query::parse("3号线", analyzer()).min_wage, None);
}

#[test]
fn filler_words_are_ignored_and_listed() {
    let q = Query::parse("我想找个保洁的工作", analyzer());
    assert!(q.terms.is_empty(), "{q:?}");
    assert_eq!(q.occupations[0].name, "保洁员");
    assert!(q.ignored.contains(&"的".to_string()) && q.ignored.contains(&"工作".to_string()));
    assert!(q.describe(false).starts_with("职业：保洁员；已忽略："));
    assert_eq!(Query::parse("  ，。 ", analyzer()).describe(false), "全部岗位");
    let long = "焊工".repeat(1000);
    assert_eq!(Query::parse(&long, analyzer()).text.chars().count(), query::MAX_QUERY_CHARS);
}

/// Welders in and around 渝北, with and without board.
fn welders() -> Vec<JobDoc> {
    vec![
        posted(with_board(doc(1, "焊工（包吃住）", "500112131", Some("焊工"))), 5),
        posted(doc(2, "焊工", "500112131", Some("焊工")), 9),
        posted(with_board(doc(3, "焊工", "500105", Some("焊工"))), 9),
        posted(with_board(doc(4, "小区保洁", "500112016", Some("保洁员"))), 9),
        // Not coded, but its title says 电焊: an older posting.
        posted(with_board(doc(5, "招电焊师傅", "500112016001", None)), 2),
        posted(with_board(doc(6, "钢结构焊工", "500101001", Some("焊工"))), 9),
    ]
}

#[test]
fn yubei_welder_with_board_ranks_first() {
    let index = SearchIndex::build(analyzer(), &welders());
    let r = search(&index, "渝北 焊工 包吃住", None);
    assert_eq!(ids(&r), [1, 5]);
    assert_eq!(r.total, 2);
    assert_eq!(r.understood, "地点：渝北区；职业：焊工；包吃住");
    // The same with no spaces and with a synonym.
    assert_eq!(ids(&search(&index, "渝北电焊工包吃住", None)), [1, 5]);
}

#[test]
fn cleaner_near_home_lists_the_nearest_first() {
    let home = code("500112016001"); // 渝北区两路街道义学路社区
    let docs = vec![
        posted(doc(10, "商场保洁", "500101001", Some("保洁员")), 20), // 万州: far, newest
        posted(doc(11, "保洁员", "500105", Some("保洁员")), 10),      // 江北: adjacent
        posted(doc(12, "物业保洁", "500112131", Some("保洁员")), 10), // 渝北龙兴: same district
        posted(doc(13, "保洁阿姨", "500112016002", Some("保洁员")), 3), // same town
        posted(doc(14, "保洁", "500112016001", None), 1),             // same village, oldest
        posted(doc(15, "保安", "500112016001", Some("保安员")), 25),  // not a cleaner
        posted(doc(16, "开荒保洁", "500113", Some("保洁员")), 10),    // 巴南: adjacent
        posted(doc(17, "保洁", "500114", Some("保洁员")), 10),        // 黔江: another area
        posted(doc(18, "保洁", "500116", Some("保洁员")), 10),        // 江津: same area
    ];
    let index = SearchIndex::build(analyzer(), &docs);
    let r = search(&index, "保洁 离家近", Some(home));
    assert_eq!(ids(&r), [14, 13, 12, 16, 11, 18, 10, 17]);
    let near: Vec<Nearness> = r.hits.iter().filter_map(|h| h.nearness).collect();
    assert_eq!(near[0], Nearness::SameVillage);
    assert_eq!(near[near.len() - 1], Nearness::Farther);
    assert_eq!(r.understood, "职业：保洁员；按离家远近排序");
    // Without a home the hint is ignored: newest first.
    let r = search(&index, "保洁 离家近", None);
    assert_eq!(ids(&r)[0], 10);
    assert!(r.hits.iter().all(|h| h.nearness.is_none()));
    assert!(r.understood.contains("未提供家庭住址"));
}

#[test]
fn a_district_name_returns_only_postings_in_its_subtree() {
    let mut docs = welders();
    docs.push(doc(20, "普工", "500101", Some("普工")));
    docs.push(doc(21, "万州烤鱼店服务员", "500112", Some("餐厅服务员")));
    let index = SearchIndex::build(analyzer(), &docs);
    let r = search(&index, "万州", None);
    assert_eq!(r.understood, "地点：万州区");
    let wanzhou = code("500101");
    assert_eq!(r.total, 2);
    assert!(r.hits.iter().all(|h| [6, 20].contains(&h.id)));
    assert!(ids(&r).iter().all(|id| {
        let place = if *id == 6 { code("500101001") } else { wanzhou };
        wanzhou.contains(place)
    }));
    assert_eq!(search(&index, "万州区", None).total, 2);
}

#[test]
fn a_term_in_the_title_ranks_above_the_same_term_in_the_description() {
    let mut in_description = doc(31, "焊工", "500112", Some("焊工"));
    in_description.description = "承接钢结构厂房项目，长期用工。".to_string();
    in_description.posted = date(20);
    let docs = vec![in_description, doc(30, "钢结构焊工", "500112", Some("焊工")), doc(32, "普工", "500112", None)];
    let index = SearchIndex::build(analyzer(), &docs);
    let r = search(&index, "钢结构", None);
    assert_eq!(ids(&r), [30, 31]);
    assert_eq!(r.hits[0].score, Field::Title.weight());
    assert_eq!(r.hits[0].matched, [MatchedTerm { term: "钢结构".into(), field: Field::Title }]);
    assert_eq!(r.hits[1].matched[0].field, Field::Description);
    assert_eq!(r.understood, "关键词：钢结构");
    // Every term must be found.
    assert_eq!(search(&index, "钢结构 厂房", None).total, 1);
    assert_eq!(search(&index, "钢结构 无此词", None).total, 0);
    // A single character finds titles.
    assert_eq!(search(&index, "焊", None).total, 2);
}

#[test]
fn explicit_filters_combine_with_the_query() {
    let mut piece = doc(41, "包装工", "500112", Some("包装工"));
    piece.wage_monthly_mid = None;
    let mut day = doc(42, "包装工", "500112", Some("包装工"));
    day.kind = JobKind::DayWork;
    day.wage_monthly_mid = Some(Fen::from_yuan(4200));
    let rich = doc(43, "包装工", "500105", Some("包装工"));
    let index = SearchIndex::build(analyzer(), &[piece, day, rich]);
    let q = Query::parse("包装工", analyzer());
    let run = |f: Filters| {
        let mut v = ids(&index.search(&q, &f, None, 0, 10));
        v.sort();
        v
    };
    assert_eq!(run(Filters::default()), [41, 42, 43]);
    assert_eq!(run(Filters { min_wage: Some(Fen::from_yuan(4500)), ..Filters::default() }), [43]);
    assert_eq!(run(Filters { kind: Some(JobKind::DayWork), ..Filters::default() }), [42]);
    assert_eq!(run(Filters { place: Some(code("500112")), ..Filters::default() }), [41, 42]);
    assert_eq!(run(Filters { occupation: Some(occupation("焊工")), ..Filters::default() }), Vec::<i64>::new());
}

#[test]
fn an_upsert_is_seen_by_the_next_search_and_a_removal_hides_the_posting() {
    let mut index = SearchIndex::build(analyzer(), &welders());
    assert_eq!(search(&index, "钢结构", None).total, 1);
    let mut changed = doc(6, "叉车司机", "500101001", Some("起重装卸机械操作工"));
    changed.posted = date(28);
    index.upsert(&changed);
    assert_eq!(index.len(), 6);
    assert_eq!(search(&index, "钢结构", None).total, 0);
    assert_eq!(ids(&search(&index, "叉车工", None)), [6]);
    index.upsert(&doc(7, "叉车工", "500112", None));
    assert_eq!(ids(&search(&index, "叉车", None)), [6, 7]);
    assert!(index.remove(6));
    assert!(!index.remove(6));
    assert_eq!(ids(&search(&index, "叉车工", None)), [7]);
    assert_eq!(search(&index, "万州", None).total, 0);
    assert_eq!(index.len(), 6);
    // A reused slot carries the new posting only.
    index.upsert(&doc(8, "月嫂", "500101", Some("母婴护理员")));
    assert_eq!(ids(&search(&index, "月嫂", None)), [8]);
    assert_eq!(search(&index, "", None).total, 7);
}

#[test]
fn many_replacements_compact_by_themselves_and_change_no_result() {
    let mut index = SearchIndex::build(analyzer(), &welders());
    let before = ids(&search(&index, "焊工", None));
    for round in 0..1500u32 {
        let mut d = doc(100, "临时叉车工", "500112", None);
        d.posted = date(1 + round % 28);
        index.upsert(&d);
    }
    assert!(index.remove(100));
    assert_eq!(ids(&search(&index, "焊工", None)), before);
    assert_eq!(search(&index, "叉车", None).total, 0);
    assert_eq!(index.len(), 6);
    assert!(index.dead() < 1024, "dead numbers were compacted away");
}

#[test]
fn a_build_on_several_threads_equals_adding_one_posting_at_a_time() {
    let docs = synthetic_postings(3000);
    let built = SearchIndex::build(analyzer(), &docs);
    let mut added = SearchIndex::new(analyzer());
    for d in &docs {
        added.upsert(d);
    }
    let home = Some(docs[7].place);
    for text in ["焊工 包吃住", "保洁 离家近", "万州", "缴纳五险一金 身体健康", "急招", ""] {
        let q = Query::parse(text, analyzer());
        let a = built.search(&q, &Filters::default(), home, 0, 50);
        assert_eq!(a, added.search(&q, &Filters::default(), home, 0, 50), "{text}");
        assert!(a.total > 0, "{text}");
    }
}

#[test]
fn paging_takes_the_ranked_window_and_counts_all() {
    let docs: Vec<JobDoc> =
        (1..=25).map(|i| posted(doc(i, "普工", "500112", Some("普工")), (i % 28 + 1) as u32)).collect();
    let index = SearchIndex::build(analyzer(), &docs);
    let q = Query::parse("普工", analyzer());
    let all = ids(&index.search(&q, &Filters::default(), None, 0, 100));
    assert_eq!(all.len(), 25);
    let page = index.search(&q, &Filters::default(), None, 10, 5);
    assert_eq!(page.total, 25);
    assert_eq!(ids(&page), all[10..15]);
    assert!(index.search(&q, &Filters::default(), None, 30, 5).hits.is_empty());
    assert!(index.search(&q, &Filters::default(), None, 0, 0).hits.is_empty());
}

// ---- The index equals a brute-force filter over all postings. ----

type Ranked = (usize, Vec<(i64, u32, Option<Nearness>, Vec<MatchedTerm>)>);

/// What `search` must return, computed from the postings directly.
fn brute_force(
    docs: &BTreeMap<i64, JobDoc>,
    query: &Query,
    filters: &Filters,
    home: Option<RegionCode>,
    offset: usize,
    limit: usize,
) -> Ranked {
    let mut rows = Vec::new();
    for doc in docs.values() {
        let a = analyze(analyzer(), doc);
        let mut score = 0;
        let mut matched = Vec::new();
        let mut all_terms = true;
        for term in &query.terms {
            match Field::ALL.into_iter().find(|f| a.fields[*f as usize].contains(term)) {
                Some(field) => {
                    score += field.weight();
                    matched.push(MatchedTerm { term: term.clone(), field });
                }
                None => all_terms = false,
            }
        }
        let counts_as = |o: u16| doc.occupation == Some(o) || a.occupations.contains(&o);
        let keep = all_terms
            && (query.occupations.is_empty() || query.occupations.iter().any(|o| counts_as(o.index)))
            && filters.occupation.is_none_or(counts_as)
            && (query.places.is_empty() || query.places.iter().flat_map(|p| &p.codes).any(|c| c.contains(doc.place)))
            && filters.place.is_none_or(|p| p.contains(doc.place))
            && (query.kinds.is_empty() || query.kinds.contains(&doc.kind))
            && filters.kind.is_none_or(|k| k == doc.kind)
            && (!query.board_lodging || doc.board_lodging)
            && (!filters.board_lodging || doc.board_lodging)
            && query.min_wage.is_none_or(|m| doc.wage_monthly_mid.is_some_and(|w| w >= m))
            && filters.min_wage.is_none_or(|m| doc.wage_monthly_mid.is_some_and(|w| w >= m));
        if keep {
            let near = home.filter(|_| query.near_home).map(|h| Nearness::of(refdata(), h, doc.place));
            rows.push((score, near, doc.posted, doc.id, matched));
        }
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(b.2.cmp(&a.2)).then(b.3.cmp(&a.3)));
    let total = rows.len();
    let page = rows.into_iter().skip(offset).take(limit).map(|(s, n, _, id, m)| (id, s, n, m)).collect();
    (total, page)
}

const TITLES: &[&str] = &[
    "招聘电焊工",
    "钢结构焊工",
    "保洁员",
    "小区保洁",
    "保安",
    "叉车司机",
    "普工",
    "金牌月嫂",
    "川菜厨师",
    "餐厅服务员",
    "钢结构安装工",
    "搬运工日结",
    "物流分拣员",
    "家政保姆",
    "焊工学徒",
];
const EMPLOYERS: &[&str] = &["重庆钢构有限公司", "渝北物业管理公司", "万州家政服务部", "顺丰速运", "两江汽车厂"];
const PHRASES: &[&str] = &[
    "包吃住",
    "五险一金",
    "长期稳定",
    "有电焊经验优先",
    "工作地点在渝北区",
    "离家近",
    "钢结构厂房",
    "月休四天",
    "日结工资",
    "大龄可",
    "需要健康证",
];
const PLACES: &[&str] = &[
    "500112",
    "500112016",
    "500112016001",
    "500112016002",
    "500112131",
    "500105",
    "500101",
    "500101001",
    "500113",
    "500114",
    "500116",
    "500241",
];
const WORDS: &[&str] = &[
    "渝北",
    "万州",
    "江北区",
    "两路街道",
    "龙兴",
    "焊工",
    "电焊",
    "保洁",
    "钢结构",
    "包吃住",
    "日结",
    "离家近",
    "公司",
    "物业",
    "厨",
    "的",
    "顺丰",
    "安装",
    "重庆",
    "五险一金",
    "全职",
    "月嫂",
    "司机",
    "工资",
    "两江新区",
];

fn doc_strategy() -> impl Strategy<Value = JobDoc> {
    (
        0i64..40,
        (0..TITLES.len(), 0..EMPLOYERS.len(), proptest::collection::vec(0..PHRASES.len(), 0..4)),
        (0..PLACES.len(), proptest::option::of(0u16..90), 0..JobKind::ALL.len(), any::<bool>()),
        (proptest::option::of(3000i64..9000), 1u32..28),
    )
        .prop_map(|(id, (t, e, phrases), (p, occupation, k, board), (wage, day))| JobDoc {
            id,
            title: TITLES[t].to_string(),
            employer_name: EMPLOYERS[e].to_string(),
            description: phrases.iter().map(|i| PHRASES[*i]).collect::<Vec<_>>().join("，"),
            place: code(PLACES[p]),
            occupation,
            kind: JobKind::ALL[k],
            board_lodging: board,
            wage_monthly_mid: wage.map(Fen::from_yuan),
            posted: date(day),
        })
}

#[derive(Debug, Clone)]
enum Op {
    Upsert(JobDoc),
    Remove(i64),
    Compact,
}

fn filters_strategy() -> impl Strategy<Value = Filters> {
    (
        proptest::option::of(0..PLACES.len()),
        proptest::option::of(prop_oneof![Just("焊工"), Just("保洁员"), Just("普工"), Just("保安员")]),
        proptest::option::of(0..JobKind::ALL.len()),
        any::<bool>(),
        proptest::option::of(3000i64..9000),
    )
        .prop_map(|(p, o, k, board, wage)| Filters {
            place: p.map(|p| code(PLACES[p])),
            occupation: o.map(occupation),
            kind: k.map(|k| JobKind::ALL[k]),
            board_lodging: board,
            min_wage: wage.map(Fen::from_yuan),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn search_equals_a_brute_force_filter_over_all_postings(
        initial in proptest::collection::vec(doc_strategy(), 0..30),
        ops in proptest::collection::vec(prop_oneof![
            doc_strategy().prop_map(Op::Upsert),
            (0i64..40).prop_map(Op::Remove),
            Just(Op::Compact),
        ], 0..15),
        words in proptest::collection::vec(0..WORDS.len(), 0..4),
        filters in filters_strategy(),
        home in proptest::option::of(0..PLACES.len()),
        offset in 0usize..6,
        limit in 0usize..12,
    ) {
        let mut index = SearchIndex::build(analyzer(), &initial);
        let mut docs: BTreeMap<i64, JobDoc> = initial.into_iter().map(|d| (d.id, d)).collect();
        for op in ops {
            match op {
                Op::Upsert(d) => {
                    index.upsert(&d);
                    docs.insert(d.id, d);
                }
                Op::Remove(id) => prop_assert_eq!(index.remove(id), docs.remove(&id).is_some()),
                Op::Compact => index.compact(),
            }
        }
        prop_assert_eq!(index.len(), docs.len());
        let text = words.iter().map(|w| WORDS[*w]).collect::<Vec<_>>().join(" ");
        let query = Query::parse(&text, analyzer());
        let home = home.map(|h| code(PLACES[h]));
        let got = index.search(&query, &filters, home, offset, limit);
        let (total, page) = brute_force(&docs, &query, &filters, home, offset, limit);
        prop_assert_eq!(got.total, total, "query {}", text);
        let got_page: Vec<_> = got.hits.into_iter().map(|h| (h.id, h.score, h.nearness, h.matched)).collect();
        prop_assert_eq!(got_page, page, "query {}", text);
    }
}

// ---- Indicative timing: cargo test --release -p jiujin-domain -- --ignored --nocapture search_timing ----

/// A small deterministic generator (xorshift), so the run needs no extra crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const FILLER: &[&str] = &[
    "身体健康，吃苦耐劳",
    "有相关工作经验者优先",
    "缴纳五险一金",
    "工资按月发放，不拖欠",
    "每天工作8小时",
    "月休四天",
    "年龄18至55岁",
    "大龄可",
    "可接受新手，带薪培训",
    "服从安排，有责任心",
    "长期稳定",
    "节假日有加班费",
    "交通便利，有班车",
    "需要健康证",
    "持证上岗",
    "夫妻工优先",
];

fn synthetic_postings(n: usize) -> Vec<JobDoc> {
    let refdata = refdata();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut places: Vec<&crate::refdata::Region> = refdata.regions_at(crate::region::RegionLevel::Village).collect();
    places.extend(refdata.regions_at(crate::region::RegionLevel::Town));
    places.sort_by_key(|r| r.code);
    let occupations = refdata.occupations();
    (0..n)
        .map(|i| {
            let o = rng.below(occupations.len());
            let occ = &occupations[o];
            let word = if occ.synonyms.is_empty() || rng.below(3) == 0 { &occ.name } else { rng.pick(&occ.synonyms) };
            let place = rng.pick(&places);
            let district = place.code.district().and_then(|d| refdata.region(d)).map(|r| r.name.as_str()).unwrap_or("");
            let board = rng.below(3) == 0;
            let mut description = format!("{district}{}招聘{word}{}名。", place.name, 1 + rng.below(20));
            while description.chars().count() < 100 {
                let filler: &&str = rng.pick(FILLER);
                description.push_str(filler);
                description.push('，');
            }
            if board {
                description.push_str("包吃住。");
            }
            let wage = 3000 + 100 * rng.below(60) as i64;
            JobDoc {
                id: i as i64 + 1,
                title: format!("{}{word}", if rng.below(4) == 0 { "急招" } else { "" }),
                employer_name: format!(
                    "重庆{}{}有限公司",
                    rng.pick(&["宏达", "鑫源", "渝发", "长江", "山城", "巴渝"]),
                    rng.pick(&["实业", "建设", "物业", "家政服务", "物流", "机械"])
                ),
                description,
                place: place.code,
                occupation: (rng.below(5) != 0).then_some(o as u16),
                kind: *rng.pick(JobKind::ALL),
                board_lodging: board,
                wage_monthly_mid: (rng.below(10) != 0).then_some(Fen::from_yuan(wage)),
                posted: date(1 + rng.below(28) as u32),
            }
        })
        .collect()
}

#[test]
#[ignore]
fn search_timing() {
    use std::time::Instant;
    let refdata = refdata();
    let t = Instant::now();
    let fresh = Analyzer::new(refdata);
    eprintln!("analyzer (jieba default dictionary + our words): {:?}", t.elapsed());
    drop(fresh);
    let analyzer = analyzer();

    let n = 200_000;
    let docs = synthetic_postings(n);
    let chars: usize = docs
        .iter()
        .map(|d| d.title.chars().count() + d.employer_name.chars().count() + d.description.chars().count())
        .sum();
    let t = Instant::now();
    let sample = 20_000;
    let terms: usize =
        docs.iter().take(sample).map(|d| analyze(analyzer, d).fields.iter().map(Vec::len).sum::<usize>()).sum();
    eprintln!(
        "segmentation alone, one thread: {:?} per posting ({} term occurrences per posting)",
        t.elapsed() / sample as u32,
        terms / sample
    );
    let t = Instant::now();
    let mut index = SearchIndex::build(analyzer, &docs);
    let build = t.elapsed();
    eprintln!("index heap after build: about {} MB", index.heap_bytes() / 1_000_000);
    eprintln!(
        "build: {n} postings ({} characters) in {build:?}, {} distinct terms, {} threads",
        chars,
        index.term_count(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );

    let districts: Vec<&str> =
        refdata.districts().iter().filter_map(|d| refdata.region(*d)).map(|r| r.name.as_str()).collect();
    let mut rng = Rng(42);
    let mut queries = Vec::new();
    for i in 0..1000 {
        let occ = rng.pick(refdata.occupations());
        let word = if occ.synonyms.is_empty() { &occ.name } else { rng.pick(&occ.synonyms) };
        let district = rng.pick(&districts);
        let short = district.trim_end_matches('区');
        let text = match i % 8 {
            0 => format!("{short} {word} 包吃住"),
            1 => format!("{word} 离家近"),
            2 => district.to_string(),
            3 => format!("{word} 五险一金"),
            4 => format!("{short} 日结"),
            5 => "长期稳定 身体健康".to_string(),
            6 => format!("{} {}", rng.pick(FILLER).split('，').next().unwrap_or(""), word),
            _ => String::new(),
        };
        let home = (i % 2 == 0).then(|| docs[rng.below(docs.len())].place);
        let filters = if i % 5 == 0 {
            Filters { min_wage: Some(Fen::from_yuan(5000)), ..Filters::default() }
        } else {
            Filters::default()
        };
        queries.push((text, home, filters));
    }
    let mut times = Vec::with_capacity(queries.len());
    let mut worst = (std::time::Duration::ZERO, String::new(), 0);
    for (text, home, filters) in &queries {
        let t = Instant::now();
        let q = Query::parse(text, analyzer);
        let r = index.search(&q, filters, *home, 0, 20);
        let e = t.elapsed();
        if e > worst.0 {
            worst = (e, text.clone(), r.total);
        }
        times.push(e);
    }
    times.sort();
    let p = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    eprintln!(
        "1000 queries (parse + search, page of 20): p50 {:?}, p99 {:?}, max {:?} (\"{}\", {} hits)",
        p(0.5),
        p(0.99),
        times[times.len() - 1],
        worst.1,
        worst.2
    );

    let t = Instant::now();
    for d in docs.iter().take(1000) {
        let mut d = d.clone();
        d.title.push_str("（急招）");
        index.upsert(&d);
    }
    eprintln!("1000 upserts of existing postings: {:?}", t.elapsed());
    eprintln!("index heap after the upserts: about {} MB", index.heap_bytes() / 1_000_000);
    for d in docs.iter().skip(1000).take(49_000) {
        index.remove(d.id);
    }
    let t = Instant::now();
    index.compact();
    eprintln!("compaction after 50,000 removals: {:?}", t.elapsed());
    assert!(p(0.99) < std::time::Duration::from_millis(30), "p99 over 30 ms");
}
