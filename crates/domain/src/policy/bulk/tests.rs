//! Agreement of the bulk kernel with `evaluate_bound`: on generated populations
//! (unknown facts, dates a day either side of each threshold, month ends and leap
//! days, amounts that overflow), every shipped policy that targets persons and
//! generated rules give, per person, the same status and amount both ways.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use proptest::prelude::*;

use super::columns::*;
use super::*;
use crate::policy::eval::{evaluate_bound, Bound};
use crate::policy::facts::{fact_by_key, FactId, FACTS, SEX, STATUS};
use crate::policy::value::{Duration, Type};
use crate::policy::{load, Library, Policy};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const EVAL_DATES: [&str; 14] = [
    "2018-03-07",
    "2018-03-08",
    "2019-12-31",
    "2020-01-01",
    "2020-03-04",
    "2020-12-31",
    "2021-01-01",
    "2024-02-29",
    "2025-03-26",
    "2025-03-27",
    "2025-06-30",
    "2026-01-31",
    "2027-12-31",
    "2028-01-01",
];

/// Lengths rules compare dates with: a date this far before (or after) the
/// evaluation date, a day either side, is a threshold's boundary.
const OFFSETS: [(u32, u32); 12] =
    [(0, 0), (0, 30), (6, 0), (12, 0), (24, 0), (36, 0), (48, 0), (60, 0), (192, 0), (552, 0), (720, 0), (0, 1)];

/// One raw generated cell; mapped to a column value once the evaluation date is known.
#[derive(Debug, Clone, Copy)]
struct Cell {
    kind: u8,
    a: i64,
    b: i8,
}

fn cell() -> impl Strategy<Value = Cell> {
    (0u8..12, any::<i64>(), -2i8..=2).prop_map(|(kind, a, b)| Cell { kind, a, b })
}

fn date_value(c: Cell, eval: NaiveDate) -> i32 {
    let e = i64::from(date_to_days(eval));
    let idx = usize::try_from(c.a.rem_euclid(OFFSETS.len() as i64)).unwrap();
    let (months, days) = OFFSETS[idx];
    let dur = Duration { months, days };
    let day = match c.kind {
        0 | 1 => return DATE_UNKNOWN,
        2..=5 => {
            // `eval - dur`: the start whose `start + dur` is `eval`, or near it.
            let back =
                eval.checked_sub_months(chrono::Months::new(months)).unwrap() - chrono::Days::new(u64::from(days));
            i64::from(date_to_days(back)) + i64::from(c.b)
        }
        6 | 7 => i64::from(date_to_days(dur.after(eval).unwrap())) + i64::from(c.b),
        8 => [d("2024-02-29"), d("2025-01-31"), d("2025-02-28"), d("2023-03-31"), d("2020-03-04")]
            [usize::try_from(c.a.rem_euclid(5)).unwrap()]
        .to_epoch_days()
        .into(),
        _ => e + c.a.rem_euclid(51_000) - 25_500,
    };
    i32::try_from(day).unwrap()
}

fn bool_value(c: Cell) -> u8 {
    match c.kind {
        0 | 1 => BOOL_UNKNOWN,
        _ => u8::from(c.a & 1 == 1),
    }
}

fn int_value(c: Cell) -> i32 {
    match c.kind {
        0 | 1 => INT_UNKNOWN,
        2..=5 => [0, 1, 2, 3, 4, 11, 12, 13, 35, 36, 37, 100][usize::try_from(c.a.rem_euclid(12)).unwrap()],
        6..=9 => i32::try_from(c.a.rem_euclid(80)).unwrap() - 5,
        _ => i32::try_from(c.a.rem_euclid(i64::from(i32::MAX))).unwrap() * if c.b < 0 { -1 } else { 1 },
    }
}

fn money_value(c: Cell) -> i64 {
    match c.kind {
        0 | 1 => MONEY_UNKNOWN,
        2 => 0,
        3..=5 => {
            [800_000, 15_000_000, 30_000_000, 400_000_000, 1][usize::try_from(c.a.rem_euclid(5)).unwrap()]
                + i64::from(c.b)
        }
        6..=9 => c.a.rem_euclid(50_000_000) - 1_000_000,
        // Near the ends of i64: shares and sums overflow.
        _ => c.a.max(i64::MIN + 1),
    }
}

fn code_value(c: Cell, n: usize) -> u8 {
    match c.kind {
        0 | 1 => CODE_UNKNOWN,
        _ => u8::try_from(c.a.rem_euclid(i64::try_from(n).unwrap())).unwrap(),
    }
}

/// A population of `rows` (one `Cell` per fact), for evaluation on `eval`.
fn population(rows: &[Vec<Cell>], eval: NaiveDate, dict: &[&str], absent: &[FactId]) -> Population {
    let mut pop = Population::new(crate::policy::EntityKind::Person, rows.len());
    for (i, def) in FACTS.iter().enumerate() {
        if absent.iter().any(|a| usize::from(a.0) == i) {
            continue;
        }
        let cells = rows.iter().map(|r| r[i]);
        let col = match def.ty {
            Type::Bool => Column::Bool(cells.map(bool_value).collect()),
            Type::Number => Column::Int(cells.map(int_value).collect()),
            Type::Money => Column::Money(cells.map(money_value).collect()),
            Type::Date => Column::Date(cells.map(|c| date_value(c, eval)).collect()),
            Type::Enum(values) => Column::Code(cells.map(|c| code_value(c, values.len())).collect()),
            Type::Text => Column::Text {
                codes: cells
                    .map(|c| match c.kind {
                        0 | 1 => TEXT_UNKNOWN,
                        _ => u32::try_from(c.a.rem_euclid(i64::try_from(dict.len()).unwrap())).unwrap(),
                    })
                    .collect(),
                dict: dict.iter().map(|s| s.to_string()).collect(),
            },
            Type::Duration | Type::Span => continue,
        };
        pop.set(def.key, col).unwrap();
    }
    pop
}

fn rows(max: usize) -> impl Strategy<Value = Vec<Vec<Cell>>> {
    prop::collection::vec(prop::collection::vec(cell(), FACTS.len()), 1..max)
}

/// Compares the plan's result with `evaluate_bound` row by row.
fn agree(policies: &[&Policy], pop: &Population, date: NaiveDate) -> Result<(), TestCaseError> {
    let bounds: Vec<Bound> = policies.iter().map(|p| Bound::new(p, date)).collect();
    let plan = Plan::compile(&bounds, pop).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let out = plan.run(pop).map_err(|e| TestCaseError::fail(e.to_string()))?;
    for (pi, bound) in bounds.iter().enumerate() {
        for row in 0..pop.len() {
            let facts = pop.facts(row);
            let want = evaluate_bound(bound, &facts);
            let got = (out.status(pi, row), out.amount(pi, row));
            prop_assert_eq!(
                got,
                (Some(want.status), want.amount_fen),
                "policy {} on {} row {}: facts {:?}\nconditions {:?}\namount {}",
                bound.policy.id,
                date,
                row,
                facts.known().map(|(k, v)| format!("{}={v}", k.def().key)).collect::<Vec<_>>(),
                want.conditions.iter().map(|c| (c.id.clone(), c.outcome)).collect::<Vec<_>>(),
                want.amount_text
            );
        }
    }
    Ok(())
}

fn person_policies() -> Vec<&'static Policy> {
    let lib = Library::embedded().unwrap();
    lib.policies().iter().filter(|p| p.has_rules() && p.targets.contains(&crate::policy::EntityKind::Person)).collect()
}

#[test]
fn every_shipped_person_policy_compiles() {
    let pop = population(&[vec![Cell { kind: 0, a: 0, b: 0 }; FACTS.len()]], d("2025-06-30"), &["500116"], &[]);
    let policies = person_policies();
    assert!(policies.len() >= 7, "{} person policies", policies.len());
    let bounds: Vec<Bound> = policies.iter().map(|p| Bound::new(p, d("2025-06-30"))).collect();
    let plan = Plan::compile(&bounds, &pop).unwrap();
    assert_eq!(plan.policies().count(), policies.len());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn bulk_agrees_with_per_person_evaluation_on_shipped_person_policies(
        rows in rows(120),
        date in 0..EVAL_DATES.len(),
        dict in prop_oneof![Just(vec!["500116", "500101", "500112"]), Just(vec!["500101"])],
        drop in prop::option::of(0..FACTS.len()),
    ) {
        let date = d(EVAL_DATES[date]);
        let absent: Vec<FactId> = drop.map(|i| FactId(u16::try_from(i).unwrap())).into_iter().collect();
        let pop = population(&rows, date, &dict, &absent);
        agree(&person_policies(), &pop, date)?;
    }
}

// Generated rules, written as policy files so they also go through the parser and
// type checker. Every construct here compiles to the kernel.

const FLAGS: [&str; 6] = ["returnee", "poverty", "low_income", "disabled", "fresh_graduate", "enterprise_employee"];
const DATES: [&str; 6] =
    ["birth_date", "graduation_date", "certificate_date", "business_start_date", "retirement_date", "benefit_end_date"];
const COUNTS: [&str; 3] = ["unemployment_insurance_months", "business_insured_employees", "contract_months"];
const MONEY: [&str; 3] = ["premiums_paid_fen", "loan_principal_fen", "loan_interest_paid_fen"];
const OPS: [&str; 6] = ["==", "!=", ">=", "<=", ">", "<"];

fn pick<T: Clone + std::fmt::Debug + 'static>(xs: &'static [T]) -> impl Strategy<Value = T> {
    prop::sample::select(xs)
}

fn date_expr() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        4 => pick(&DATES).prop_map(str::to_string),
        1 => Just("today".to_string()),
        1 => Just("param.day".to_string()),
    ];
    leaf.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone(), any::<bool>())
                .prop_map(|(a, b, max)| format!("{}({a}, {b})", if max { "max" } else { "min" })),
            (bool_leaf(), inner.clone(), inner).prop_map(|(c, a, b)| format!("if({c}, {a}, {b})")),
        ]
    })
    .boxed()
}

fn money_expr() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        4 => pick(&MONEY).prop_map(str::to_string),
        2 => Just("param.cap".to_string()),
        1 => Just("0元".to_string()),
    ];
    leaf.prop_recursive(3, 10, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|m| format!("{m} * param.ratio")),
            (inner.clone(), pick(&COUNTS)).prop_map(|(m, c)| format!("{m} * {c}")),
            (inner.clone(), inner.clone(), any::<bool>())
                .prop_map(|(a, b, sub)| format!("({a} {} {b})", if sub { "-" } else { "+" })),
            (inner.clone(), inner.clone(), any::<bool>())
                .prop_map(|(a, b, max)| format!("{}({a}, {b})", if max { "max" } else { "min" })),
            (bool_leaf(), inner.clone(), inner).prop_map(|(c, a, b)| format!("if({c}, {a}, {b})")),
        ]
    })
    .boxed()
}

fn number_expr() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => pick(&COUNTS).prop_map(str::to_string),
        1 => Just("param.n".to_string()),
        1 => Just("param.ratio".to_string()),
        1 => Just("1".to_string()),
        1 => date_expr().prop_map(|d| format!("year({d})")),
    ]
}

fn bool_leaf() -> BoxedStrategy<String> {
    prop_oneof![
        3 => pick(&FLAGS).prop_map(str::to_string),
        1 => (pick(&FLAGS), pick(&FLAGS)).prop_map(|(a, b)| format!("{a} == {b}")),
        1 => pick(&DATES).prop_map(|d| format!("known({d})")),
        1 => Just("param.flag".to_string()),
        1 => pick(STATUS).prop_map(|s| format!("employment_status == '{s}'")),
        1 => (pick(SEX), any::<bool>()).prop_map(|(s, ne)| format!("sex {} '{s}'", if ne { "!=" } else { "==" })),
        1 => prop_oneof![Just("'500116'"), Just("'500112'"), Just("param.district")]
            .prop_map(|s| format!("district_code == {s}")),
    ]
    .boxed()
}

fn cmp_expr() -> BoxedStrategy<String> {
    prop_oneof![
        (pick(&DATES), pick(&OPS)).prop_map(|(d, op)| format!("since({d}) {op} param.dur")),
        (pick(&DATES), pick(&OPS)).prop_map(|(d, op)| format!("until({d}) {op} param.dur")),
        (date_expr(), date_expr(), pick(&OPS)).prop_map(|(a, b, op)| format!("between({a}, {b}) {op} param.dur")),
        (date_expr(), date_expr(), pick(&OPS)).prop_map(|(a, b, op)| format!("{a} {op} {b}")),
        (number_expr(), number_expr(), pick(&OPS)).prop_map(|(a, b, op)| format!("{a} {op} {b}")),
        (money_expr(), money_expr(), pick(&OPS)).prop_map(|(a, b, op)| format!("{a} {op} {b}")),
        Just("year(certificate_date) == year(today)".to_string()),
    ]
    .boxed()
}

fn bool_expr() -> BoxedStrategy<String> {
    prop_oneof![bool_leaf(), cmp_expr()]
        .prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..4).prop_map(|v| format!("({})", v.join(" and "))),
                prop::collection::vec(inner.clone(), 2..4).prop_map(|v| format!("({})", v.join(" or "))),
                inner.clone().prop_map(|a| format!("not {a}")),
                (inner.clone(), inner.clone(), inner).prop_map(|(c, a, b)| format!("if({c}, {a}, {b})")),
            ]
        })
        .boxed()
}

#[derive(Debug, Clone)]
struct Params {
    dur: String,
    day: String,
    n: i64,
    ratio: (u32, u32),
    cap: String,
    flag: bool,
    /// Whether each parameter's only version starts after some evaluation dates.
    late: bool,
    effective: (usize, Option<usize>),
}

fn params() -> impl Strategy<Value = Params> {
    (
        (0u32..80, prop_oneof![Just("年"), Just("个月"), Just("天")]).prop_map(|(n, u)| format!("{n}{u}")),
        (0usize..EVAL_DATES.len(), -400i64..400)
            .prop_map(|(i, off)| (d(EVAL_DATES[i]) + chrono::TimeDelta::days(off)).to_string()),
        -3i64..60,
        (0u32..13, 1u32..7),
        prop_oneof![
            Just("0元".to_string()),
            (0u64..400_000).prop_map(|y| format!("{y}.5元")),
            Just("9999999999999元".to_string())
        ],
        any::<bool>(),
        any::<bool>(),
        (0usize..6, prop::option::of(6usize..EVAL_DATES.len())),
    )
        .prop_map(|(dur, day, n, ratio, cap, flag, late, effective)| Params {
            dur,
            day,
            n,
            ratio,
            cap,
            flag,
            late,
            effective,
        })
}

fn policy_text(p: &Params, conditions: &[String], amount: Option<&str>) -> String {
    let from = if p.late { "2025-03-27" } else { "2000-01-01" };
    let mut s =
        format!("id = \"generated-rule\"\ntitle = \"生成的规则\"\neffective_from = {}\n", EVAL_DATES[p.effective.0]);
    if let Some(to) = p.effective.1 {
        s += &format!("effective_to = {}\n", EVAL_DATES[to]);
    }
    s +=
        "target = \"个人\"\nobtain = \"申请\"\nbenefit = \"测试\"\nevidence = []\ndepartment = \"测试\"\ntags = []\n\n";
    s += "[[source]]\ndocument = \"测试\"\narticle = \"一\"\n\n";
    let params = [
        ("dur", format!("\"{}\"", p.dur)),
        ("day", p.day.clone()),
        ("n", p.n.to_string()),
        ("ratio", format!("\"{}/{}\"", p.ratio.0, p.ratio.1)),
        ("cap", format!("\"{}\"", p.cap)),
        ("flag", p.flag.to_string()),
        ("district", "\"江津\"".to_string()),
    ];
    for (name, value) in params {
        // `dur` and `cap` start late when `late`: unknown on earlier dates.
        let f = if matches!(name, "dur" | "cap") { from } else { "2000-01-01" };
        s += &format!("[[param.{name}]]\nfrom = {f}\nvalue = {value}\n\n");
    }
    for (i, c) in conditions.iter().enumerate() {
        s += &format!("[[condition]]\nid = \"c{i}\"\ntest = \"{c}\"\nexplain = \"测试\"\ncite = {{ document = \"测试\", article = \"一\" }}\n\n");
    }
    if let Some(a) = amount {
        s += &format!(
            "[amount]\nformula = \"{a}\"\nexplain = \"测试\"\ncite = {{ document = \"测试\", article = \"一\" }}\n"
        );
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn bulk_agrees_with_per_person_evaluation_on_generated_rules(
        rows in rows(60),
        date in 0..EVAL_DATES.len(),
        params in params(),
        conditions in prop::collection::vec(bool_expr(), 1..4),
        amount in prop::option::of(money_expr()),
    ) {
        let text = policy_text(&params, &conditions, amount.as_deref());
        let policy = match load::load_policy("generated-rule.toml", &text) {
            Ok(p) => p,
            Err(e) => return Err(TestCaseError::fail(format!("{}\n{text}", e.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")))),
        };
        let date = d(EVAL_DATES[date]);
        let pop = population(&rows, date, &["500116", "江津", "500112"], &[]);
        agree(&[&policy], &pop, date)?;
    }
}

#[test]
fn a_construct_the_kernel_cannot_run_is_refused_naming_the_policy() {
    let text = policy_text(
        &Params {
            dur: "1年".into(),
            day: "2020-01-01".into(),
            n: 3,
            ratio: (2, 3),
            cap: "100元".into(),
            flag: true,
            late: false,
            effective: (0, None),
        },
        &["contract_months * param.ratio >= param.n".to_string()],
        None,
    );
    let policy = load::load_policy("generated-rule.toml", &text).unwrap();
    let pop = population(&[vec![Cell { kind: 3, a: 1, b: 0 }; FACTS.len()]], d("2025-06-30"), &["500116"], &[]);
    let e = Plan::compile(&[Bound::new(&policy, d("2025-06-30"))], &pop).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("generated-rule") && msg.contains("条件“c0”") && msg.contains("相乘"), "{msg}");
}

#[test]
fn a_population_with_other_columns_is_refused_by_a_compiled_plan() {
    let date = d("2025-06-30");
    let lib = Library::embedded().unwrap();
    let p = lib.get("returnee-startup-subsidy").unwrap();
    let full = population(&[vec![Cell { kind: 3, a: 1, b: 0 }; FACTS.len()]], date, &["500116"], &[]);
    let plan = Plan::compile(&[Bound::new(p, date)], &full).unwrap();
    let returnee = fact_by_key("returnee").unwrap();
    let without = population(&[vec![Cell { kind: 3, a: 1, b: 0 }; FACTS.len()]], date, &["500116"], &[returnee]);
    assert!(matches!(plan.run(&without), Err(BulkError::Schema(_))));
    let mut bad = Population::new(crate::policy::EntityKind::Person, 2);
    assert!(bad.set("sex", Column::Code(vec![0, 9])).is_err(), "a code outside the option list");
    assert!(bad.set("birth_date", Column::Money(vec![0, 1])).is_err(), "a column of the wrong kind");
    assert!(bad.set("returnee", Column::Bool(vec![1])).is_err(), "a column of the wrong length");
}

/// `n` rows of cells from a seed (splitmix64), for populations of many blocks.
fn many_rows(seed: u64, n: usize) -> Vec<Vec<Cell>> {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    (0..n)
        .map(|_| {
            (0..FACTS.len())
                .map(|_| {
                    let r = next();
                    Cell { kind: (r % 12) as u8, a: (r >> 8) as i64, b: ((r >> 4) % 5) as i8 - 2 }
                })
                .collect()
        })
        .collect()
}

#[test]
fn bulk_agrees_across_many_blocks_and_a_partial_last_one() {
    // More rows than two blocks, not a multiple of 64: packing and block edges.
    let rows = many_rows(7, 2 * BLOCK + 77);
    for date in ["2020-06-15", "2025-06-30"] {
        let date = d(date);
        let pop = population(&rows, date, &["500116", "500101"], &[]);
        agree(&person_policies(), &pop, date).unwrap();
        // Any number of threads gives the same result, bit for bit (the ranges
        // split at block edges; the last one is partial; more threads than blocks).
        let bounds: Vec<Bound> = person_policies().iter().map(|p| Bound::new(p, date)).collect();
        let plan = Plan::compile(&bounds, &pop).unwrap();
        let one = plan.run(&pop).unwrap();
        for threads in [2, 3, 8] {
            let mut many = BulkResult::default();
            plan.run_into_threads(&pop, &mut many, threads).unwrap();
            assert_eq!(many, one, "{threads} threads on {date}");
            // Reused buffers give the same again.
            plan.run_into_threads(&pop, &mut many, threads).unwrap();
            assert_eq!(many, one, "{threads} threads, second run, on {date}");
        }
        assert!((0..plan.policies.len()).any(|p| one.summary(p).with_amount > 0), "amounts are compared too");
    }
}

/// A share of money whose denominator is a power of two: the products at the edge of
/// overflow (the last value that fits, the first that does not, both signs) agree
/// with the per-person evaluator, as do the rows exactly representable after it.
#[test]
fn a_share_agrees_at_the_edge_of_overflow() {
    let text = "id = \"edge\"\ntitle = \"边界\"\neffective_from = 2000-01-01\ntarget = \"个人\"\nobtain = \"申请\"\n\
        benefit = \"测试\"\nevidence = []\ndepartment = \"测试\"\ntags = []\n\n[[source]]\ndocument = \"测试\"\narticle = \"一\"\n\n\
        [[param.share]]\nfrom = 2000-01-01\nvalue = \"3/4\"\n\n\
        [[param.floor]]\nfrom = 2000-01-01\nvalue = \"100元\"\n\n\
        [[condition]]\nid = \"c0\"\ntest = \"premiums_paid_fen > 0元 or premiums_paid_fen <= 0元\"\nexplain = \"测试\"\n\
        cite = { document = \"测试\", article = \"一\" }\n\n\
        [amount]\nformula = \"premiums_paid_fen * param.share\"\nexplain = \"测试\"\ncite = { document = \"测试\", article = \"一\" }\n";
    let policy = load::load_policy("edge.toml", text).unwrap();
    let (lo, hi) = (i64::MIN / 3, i64::MAX / 3);
    let mut values = vec![hi - 1, hi, hi + 1, lo - 1, lo, lo + 1, 0, -1, 1, 7, i64::MAX, i64::MIN + 1, MONEY_UNKNOWN];
    // Enough rows for a full block and a partial one.
    while values.len() < BLOCK + 100 {
        values.push(values[values.len() % 13] ^ (values.len() as i64 & 3));
    }
    let mut pop = Population::new(crate::policy::EntityKind::Person, values.len());
    pop.set("premiums_paid_fen", Column::Money(values)).unwrap();
    let date = d("2025-06-30");
    agree(&[&policy], &pop, date).unwrap();
    let bounds = [Bound::new(&policy, date)];
    let out = Plan::compile(&bounds, &pop).unwrap().run(&pop).unwrap();
    assert_eq!(out.amount(0, 1), Some((hi * 3).div_euclid(4)), "the last product that fits");
    assert_eq!(out.amount(0, 2), Some(i64::try_from(i128::from(hi + 1) * 3 / 4).unwrap()), "exact past i64 products");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Generated rules over more than a block (whole words, a partial last word and
    /// a partial last block), on 1, 2 and 3 threads: conditions as bit sets and
    /// amounts evaluated on the selected rows agree with the per-person evaluator.
    #[test]
    fn bulk_agrees_on_generated_rules_across_blocks_and_threads(
        seed in any::<u64>(),
        extra in 0usize..130,
        date in 0..EVAL_DATES.len(),
        params in params(),
        conditions in prop::collection::vec(bool_expr(), 1..4),
        amount in prop::option::of(money_expr()),
    ) {
        let text = policy_text(&params, &conditions, amount.as_deref());
        let policy = load::load_policy("generated-rule.toml", &text).map_err(|e| TestCaseError::fail(format!("{}\n{text}", e.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))))?;
        let date = d(EVAL_DATES[date]);
        let pop = population(&many_rows(seed, BLOCK + extra), date, &["500116", "江津", "500112"], &[]);
        agree(&[&policy], &pop, date)?;
        let bounds = [Bound::new(&policy, date)];
        let plan = Plan::compile(&bounds, &pop).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let one = plan.run(&pop).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for threads in [2, 3] {
            let mut many = BulkResult::default();
            plan.run_into_threads(&pop, &mut many, threads).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&many, &one, "{} threads", threads);
        }
        // A result reused from a run over other rows of the same length (its words and
        // the threads' amount vectors are kept, not cleared first) holds this run alone.
        let other = population(&many_rows(seed ^ 0x5555, BLOCK + extra), date, &["500116", "江津", "500112"], &[]);
        let mut reused = BulkResult::default();
        for threads in [3, 2, 1, 2] {
            plan.run_into_threads(&other, &mut reused, 3).map_err(|e| TestCaseError::fail(e.to_string()))?;
            plan.run_into_threads(&pop, &mut reused, threads).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&reused, &one, "reused, {} threads", threads);
            // Its amounts come in segments, one a thread: looked up row by row and summed.
            prop_assert_eq!(reused.summary(0), one.summary(0));
            for row in 0..pop.len() {
                prop_assert_eq!(reused.amount(0, row), one.amount(0, row), "row {}", row);
            }
        }
    }
}

/// An amount that shares an operation with a condition runs on every row with the
/// conditions (not on a selection); both ways give the same result, and agree with
/// the per-person evaluator, including rows whose share overflows or is unknown.
#[test]
fn an_amount_sharing_a_register_with_a_condition_runs_on_every_row() {
    let text = "id = \"shared\"\ntitle = \"共用\"\neffective_from = 2000-01-01\ntarget = \"个人\"\nobtain = \"申请\"\n\
        benefit = \"测试\"\nevidence = []\ndepartment = \"测试\"\ntags = []\n\n[[source]]\ndocument = \"测试\"\narticle = \"一\"\n\n\
        [[param.share]]\nfrom = 2000-01-01\nvalue = \"3/4\"\n\n\
        [[param.floor]]\nfrom = 2000-01-01\nvalue = \"100元\"\n\n\
        [[condition]]\nid = \"c0\"\ntest = \"premiums_paid_fen * param.share >= param.floor\"\nexplain = \"测试\"\n\
        cite = { document = \"测试\", article = \"一\" }\n\n\
        [amount]\nformula = \"premiums_paid_fen * param.share\"\nexplain = \"测试\"\ncite = { document = \"测试\", article = \"一\" }\n";
    let policy = load::load_policy("shared.toml", text).unwrap();
    let date = d("2025-06-30");
    let rows = many_rows(11, 2 * BLOCK + 5);
    let pop = population(&rows, date, &["500116"], &[]);
    agree(&[&policy], &pop, date).unwrap();
    let bounds = [Bound::new(&policy, date)];
    let selected = Plan::compile(&bounds, &pop).unwrap();
    assert!(!selected.policies[0].amount_instrs.is_empty(), "the amount alone is evaluated on the eligible rows");
    // The same plan with the amount read from the condition's share.
    let mut shared = selected.clone();
    let share = shared.instrs.iter().find_map(|i| match i {
        Instr::Share { dst, .. } if shared.main.iter().any(|m| super::compile::dst_of(&shared.instrs[*m]) == *dst) => {
            Some(*dst)
        }
        _ => None,
    });
    shared.policies[0].amount = Some(Src::Reg(share.unwrap()));
    super::compile::select_amounts(&mut shared);
    assert!(shared.policies[0].amount_instrs.is_empty(), "a shared register keeps the amount on every row");
    let (a, b) = (selected.run(&pop).unwrap(), shared.run(&pop).unwrap());
    assert_eq!(a, b);
    assert!(a.summary(0).with_amount > 0 && a.summary(0).eligible > a.summary(0).with_amount / 2);
    for threads in [2, 3] {
        let mut many = BulkResult::default();
        shared.run_into_threads(&pop, &mut many, threads).unwrap();
        assert_eq!(many, a, "{threads} threads");
    }
}
