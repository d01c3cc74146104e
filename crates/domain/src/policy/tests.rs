//! Tests of the policy library as shipped (every case passes, every stable id is
//! there), of each kind of bad file, of dated parameters, and properties of the
//! evaluator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::Fen;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn lib() -> &'static Library {
    match Library::embedded() {
        Ok(l) => l,
        Err(e) => panic!("{}", e.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")),
    }
}

/// The 12 ids of SPEC §5.
const STABLE: [&str; 12] = [
    "returnee-startup-subsidy",
    "startup-guaranteed-loan",
    "flexible-insurance-subsidy",
    "workshop-subsidy",
    "labor-brand-award",
    "startup-park-subsidy",
    "key-group-hiring-subsidy",
    "hiring-subsidy-2020",
    "jiangjin-startup-grant",
    "unemployment-benefit-extension",
    "skill-upgrade-subsidy",
    "poor-startup-loan",
];

#[test]
fn every_shipped_rule_case_passes() {
    let results = lib().run_cases();
    assert!(results.len() >= 80, "{} cases", results.len());
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| format!("{}:{} {}：{}", r.file, r.line, r.name, r.problems.join("；")))
        .collect();
    assert!(failed.is_empty(), "\n{}", failed.join("\n"));
}

#[test]
fn the_twelve_stable_policies_have_rules_and_boundary_cases() {
    for id in STABLE {
        let p = lib().get(id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(p.has_rules(), "{id}");
        let cases: Vec<_> = lib().cases().iter().filter(|c| c.policy == id).collect();
        assert!(cases.len() >= 4, "{id}: {} cases", cases.len());
        assert!(cases.iter().any(|c| c.status == Status::Eligible), "{id}: no eligible case");
        assert!(cases.iter().any(|c| c.status == Status::NotEligible), "{id}: no refused case");
        // Every condition is shown failing by at least one case.
        for cond in &p.conditions {
            assert!(
                cases.iter().any(|c| c.failed.as_ref().is_some_and(|f| f.contains(&cond.id))),
                "{id}: no case where condition {} fails",
                cond.id
            );
        }
    }
}

#[test]
fn the_enterprise_measures_of_seed_000_are_application_records() {
    let ent: Vec<_> = lib().policies().iter().filter(|p| p.id.as_str().starts_with("ent-")).collect();
    assert!(ent.len() >= 15);
    for p in ent {
        assert_eq!(p.obtain, Obtain::Application);
        assert!(p.sources[0].document.contains("渝府办发〔2025〕12号"));
        assert!(!p.department.is_empty());
    }
    assert_eq!(lib().search("产业大脑")[0].id.as_str(), "ent-industry-brain");
}

#[test]
fn every_file_under_data_policies_is_embedded() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/policies");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = FILES.iter().map(|(n, _)| n.to_string()).collect();
    embedded.sort();
    assert_eq!(on_disk, embedded, "add new files to policy_files! in policy/mod.rs");
}

#[test]
fn a_policy_lists_the_fact_columns_it_reads() {
    let p = lib().get("returnee-startup-subsidy").unwrap();
    let keys: Vec<&str> = p.facts_read().iter().map(|f| f.def().key).collect();
    assert_eq!(keys, vec!["returnee", "first_business", "business_start_date", "business_operating"]);
}

#[test]
fn hiring_subsidy_2020_is_never_granted_outside_2020() {
    let p = lib().get("hiring-subsidy-2020").unwrap();
    let facts = Facts::from_json(&serde_json::json!({"entity": "employer", "facts": {
        "unemployment_registered_date": "2018-01-01", "hire_date": "2019-06-01",
        "contract_months": 24, "hire_insured": true
    }}))
    .unwrap();
    for (date, ok) in [("2019-12-31", false), ("2020-01-01", true), ("2020-12-31", true), ("2021-01-01", false)] {
        assert_eq!(evaluate(p, &facts, d(date)).eligible, ok, "{date}");
    }
}

#[test]
fn evaluation_reports_each_condition_with_its_citation() {
    let p = lib().get("returnee-startup-subsidy").unwrap();
    let facts = Facts::from_json(&serde_json::json!({"entity": "person", "facts": {
        "returnee": true, "first_business": false, "business_start_date": "2024-01-01"
    }}))
    .unwrap();
    let ev = evaluate(p, &facts, d("2025-06-01"));
    assert_eq!(ev.status, Status::NotEligible);
    let by_id = |id: &str| ev.conditions.iter().find(|c| c.id == id).unwrap();
    assert_eq!(by_id("returnee").outcome, Outcome::Met);
    assert_eq!(by_id("first_business").outcome, Outcome::Failed);
    assert_eq!(by_id("operating").outcome, Outcome::Unknown);
    assert_eq!(by_id("operating").missing, vec!["business_operating".to_string()]);
    assert!(by_id("first_business").cite.document.contains("其他〔2020〕4号"));
    assert_eq!(ev.amount_fen, None);
    let json = serde_json::to_value(&ev).unwrap();
    assert_eq!(json["status"], "not_eligible");
    assert_eq!(json["conditions"][0]["id"], "effective");
}

// ---- Bad files -------------------------------------------------------------------

const GOOD: &str = r#"id = "demo-policy"
title = "示例"
effective_from = 2025-01-01
target = "个人"
obtain = "免申即享"
benefit = "示例"
department = "示例"

[[source]]
document = "示例文件"
article = "一"

[[param.cap]]
from = 2025-01-01
value = "8000元"

[[param.min]]
from = 2025-01-01
value = "1年"

[[condition]]
id = "a"
test = "returnee and since(business_start_date) >= param.min"
explain = "示例"
cite = { document = "示例文件", article = "一" }

[amount]
formula = "param.cap"
explain = "示例"
cite = { document = "示例文件", article = "一" }
"#;

fn load_err(text: &str) -> LoadError {
    let errs = load::load_policy("demo-policy.toml", text).expect_err("should be rejected");
    errs.into_iter().next().unwrap()
}

#[test]
fn the_fixture_loads() {
    let p = load::load_policy("demo-policy.toml", GOOD).unwrap();
    assert_eq!(p.params.len(), 2);
}

#[test]
fn a_toml_syntax_error_names_file_line_and_column() {
    let e = load_err(&GOOD.replace("title = \"示例\"", "title = \"示例"));
    assert_eq!(e.file, "demo-policy.toml");
    assert_eq!(e.line, 2);
    assert!(e.reason.contains("TOML"), "{e}");
}

#[test]
fn an_unknown_or_missing_field_is_named_in_chinese() {
    let e = load_err(&GOOD.replace("benefit = ", "benfit = "));
    assert!(e.reason.contains("未知的字段“benfit”"), "{e}");
    assert_eq!(e.line, 6);
    let e = load_err(&GOOD.replace("department = \"示例\"\n", ""));
    assert!(e.reason.contains("缺少字段“department”"), "{e}");
}

#[test]
fn an_unknown_fact_is_rejected_at_its_column() {
    let e = load_err(&GOOD.replace("test = \"returnee and", "test = \"returnie and"));
    assert_eq!((e.line, e.column), (23, 9), "{e}");
    assert!(e.reason.contains("未知的事实“returnie”"), "{e}");
}

#[test]
fn a_date_compared_with_a_number_is_rejected() {
    let e = load_err(&GOOD.replace("since(business_start_date) >= param.min", "business_start_date >= 1"));
    assert!(e.reason.contains("不能比较大小日期和数值"), "{e}");
    assert_eq!((e.line, e.column), (23, 42), "{e}");
}

#[test]
fn a_literal_amount_in_a_rule_must_be_a_parameter() {
    let e = load_err(&GOOD.replace("formula = \"param.cap\"", "formula = \"8000元\""));
    assert!(e.reason.contains("param."), "{e}");
    assert_eq!(e.line, 28);
}

#[test]
fn an_unknown_parameter_is_rejected() {
    let e = load_err(&GOOD.replace("formula = \"param.cap\"", "formula = \"param.cap2\""));
    assert!(e.reason.contains("未定义的参数“cap2”"), "{e}");
}

#[test]
fn duplicate_and_overlapping_parameter_versions_are_rejected() {
    let dup = GOOD.replace("[[param.min]]", "[[param.cap]]\nfrom = 2025-01-01\nvalue = \"9000元\"\n\n[[param.min]]");
    let e = load_err(&dup);
    assert!(e.reason.contains("两个版本都从 2025-01-01 起生效"), "{e}");
    assert_eq!(e.line, 18);
    let overlap = GOOD.replace(
        "[[param.cap]]\nfrom = 2025-01-01\nvalue = \"8000元\"",
        "[[param.cap]]\nfrom = 2025-01-01\nto = 2025-12-31\nvalue = \"8000元\"\n\n[[param.cap]]\nfrom = 2025-06-01\nvalue = \"9000元\"",
    );
    let e = load_err(&overlap);
    assert!(e.reason.contains("重叠"), "{e}");
    let ends_before = GOOD.replace("value = \"8000元\"", "to = 2024-01-01\nvalue = \"8000元\"");
    assert!(load_err(&ends_before).reason.contains("早于开始日期"));
}

#[test]
fn parameter_versions_must_share_a_type_and_avoid_floats() {
    let mixed = GOOD.replace("[[param.min]]", "[[param.cap]]\nfrom = 2026-01-01\nvalue = \"1年\"\n\n[[param.min]]");
    assert!(load_err(&mixed).reason.contains("类型应一致"));
    let float = GOOD.replace("value = \"8000元\"", "value = 0.5");
    assert!(load_err(&float).reason.contains("小数"));
}

#[test]
fn a_bad_target_obtain_id_or_date_is_rejected() {
    assert!(load_err(&GOOD.replace("target = \"个人\"", "target = \"外星人\"")).reason.contains("不是对象类型"));
    assert!(load_err(&GOOD.replace("obtain = \"免申即享\"", "obtain = \"自动\"")).reason.contains("享受方式"));
    assert!(load_err(&GOOD.replace("id = \"demo-policy\"", "id = \"other-policy\"")).reason.contains("文件名"));
    let e = load_err(&GOOD.replace("effective_from = 2025-01-01", "effective_from = \"2025-01-01\""));
    assert!(e.reason.contains("日期"), "{e}");
    let e = load_err(&GOOD.replace("effective_from = 2025-01-01", "effective_from = 2025-01-01T08:00:00"));
    assert!(e.reason.contains("不带时间"), "{e}");
}

#[test]
fn a_bad_test_case_file_is_rejected_with_its_place() {
    let files = [
        ("demo-policy.toml", GOOD.to_string()),
        (
            "demo-policy.tests.toml",
            "[[case]]\nname = \"x\"\ndate = 2025-06-01\neligible = true\n[case.facts]\nbusiness_start_date = 20240101\n"
                .to_string(),
        ),
    ];
    let errs = Library::load(&files).unwrap_err();
    assert_eq!(errs[0].file, "demo-policy.tests.toml");
    assert_eq!(errs[0].line, 6);
    assert!(errs[0].reason.contains("创业实体登记开业日期"), "{}", errs[0]);
    let files = [("demo-policy.toml", GOOD.to_string()), ("nobody.tests.toml", String::new())];
    assert!(Library::load(&files).unwrap_err()[0].reason.contains("nobody"));
}

// ---- Dated parameters --------------------------------------------------------------

/// The mechanism behind "Chongqing raised the guaranteed-loan limits later in 2025":
/// the seeds do not give the new figure, so this fixture adds an invented version
/// (`500000元` from 2025-10-01) to a copy of the shipped file, with no code change.
#[test]
fn a_new_parameter_version_applies_from_its_date_without_code_change() {
    let (_, text) = FILES.iter().find(|(n, _)| *n == "startup-guaranteed-loan.toml").unwrap();
    let raised = text.replacen(
        "[[param.enterprise_cap]]",
        "[[param.individual_cap]]\nfrom = 2025-10-01\nvalue = \"500000元\"\nnote = \"测试夹具：虚构的新额度\"\n\n[[param.enterprise_cap]]",
        1,
    );
    let p = load::load_policy("startup-guaranteed-loan.toml", &raised).unwrap();
    let facts = Facts::from_json(&serde_json::json!({"entity": "person", "facts": {
        "returnee": true, "loan_principal_fen": 40_000_000, "loan_interest_paid_fen": 200_000
    }}))
    .unwrap();
    assert!(!evaluate(&p, &facts, d("2025-09-30")).eligible);
    let ev = evaluate(&p, &facts, d("2025-10-01"));
    assert!(ev.eligible);
    assert_eq!(ev.amount(), Some(Fen(100_000)));
    assert!(ev.params.iter().any(|u| u.name == "individual_cap" && u.from == d("2025-10-01")));
}

fn fixture_with_versions(versions: &[(NaiveDate, Option<NaiveDate>, i64)]) -> String {
    let mut s = GOOD.replace("[[param.cap]]\nfrom = 2025-01-01\nvalue = \"8000元\"\n", "");
    for (from, to, yuan) in versions {
        s.push_str(&format!("\n[[param.cap]]\nfrom = {from}\n"));
        if let Some(to) = to {
            s.push_str(&format!("to = {to}\n"));
        }
        s.push_str(&format!("value = \"{yuan}元\"\n"));
    }
    s
}

fn eligible_facts() -> Facts {
    Facts::from_json(&serde_json::json!({"entity": "person", "facts": {
        "returnee": true, "business_start_date": "2000-01-01"
    }}))
    .unwrap()
}

proptest! {
    /// Generated non-overlapping version lists: on any date the amount is exactly the
    /// value of the version whose range holds the date, and unknown in gaps.
    #[test]
    fn evaluation_uses_exactly_the_version_in_force(
        steps in proptest::collection::vec((1u32..400, 0u32..3, 1i64..100_000), 1..6),
        probe in 0u32..2400,
    ) {
        let mut versions = Vec::new();
        let mut from = d("2025-01-01");
        for (gap, kind, yuan) in &steps {
            // kind 0: open-ended (superseded by the next); 1: ends the day before the next; 2: leaves a gap.
            let next = from + chrono::Days::new(u64::from(*gap));
            let to = match kind {
                0 => None,
                1 => Some(next.pred_opt().unwrap()),
                _ => Some(from + chrono::Days::new(u64::from(*gap / 2))),
            };
            versions.push((from, to, *yuan));
            from = next;
        }
        let p = load::load_policy("demo-policy.toml", &fixture_with_versions(&versions)).unwrap();
        let date = d("2024-12-01") + chrono::Days::new(u64::from(probe));
        let expected = versions.iter().enumerate().find_map(|(i, (f, to, yuan))| {
            let next_from = versions.get(i + 1).map(|v| v.0);
            let in_range = date >= *f
                && to.is_none_or(|t| date <= t)
                && next_from.is_none_or(|n| date < n);
            in_range.then_some(Fen::from_yuan(*yuan))
        });
        let ev = evaluate(&p, &eligible_facts(), date);
        prop_assert_eq!(ev.amount(), expected);
    }

    /// A capped amount never exceeds its cap, and equals the assessed amount below it.
    #[test]
    fn a_capped_award_never_exceeds_its_cap(assessed in 0i64..200_000_000, day in 0u32..1000) {
        let p = lib().get("labor-brand-award").unwrap();
        let facts = Facts::from_json(&serde_json::json!({"entity": "project", "facts": {
            "labor_brand_municipal": true, "labor_brand_award_assessed_fen": assessed
        }})).unwrap();
        let date = d("2025-03-27") + chrono::Days::new(u64::from(day));
        let ev = evaluate(p, &facts, date);
        prop_assert!(ev.eligible);
        let amount = ev.amount().unwrap().0;
        prop_assert!(amount <= 50_000_000);
        prop_assert_eq!(amount, assessed.min(50_000_000));
    }

    /// Two thirds of premiums: rounded down, never more than the exact share, less
    /// than one fen below it.
    #[test]
    fn a_share_of_premiums_rounds_down_to_the_fen(premiums in 1i64..10_000_000) {
        let p = lib().get("flexible-insurance-subsidy").unwrap();
        let facts = Facts::from_json(&serde_json::json!({"entity": "person", "facts": {
            "employment_status": "灵活就业", "employment_difficulty": true, "premiums_paid_fen": premiums,
            "flexible_insurance_start_date": "2025-01-01", "retirement_date": "2050-01-01"
        }})).unwrap();
        let amount = evaluate(p, &facts, d("2025-06-01")).amount().unwrap().0;
        prop_assert!(3 * amount <= 2 * premiums);
        prop_assert!(2 * premiums - 3 * amount < 3);
    }

    /// Undetermined never turns into eligible by adding facts that were not asked
    /// for, and a failed condition stays failed whatever else is added.
    #[test]
    fn a_failed_condition_is_not_rescued_by_other_facts(extra in any::<bool>(), months in 0i64..100) {
        let p = lib().get("skill-upgrade-subsidy").unwrap();
        let facts = Facts::from_json(&serde_json::json!({"entity": "person", "facts": {
            "district_code": "500116", "enterprise_employee": false, "unemployment_insurance_months": months,
            "certificate_date": "2024-03-01", "returnee": extra, "veteran": extra
        }})).unwrap();
        let ev = evaluate(p, &facts, d("2024-06-01"));
        prop_assert_eq!(ev.status, Status::NotEligible);
        prop_assert!(ev.failed().any(|c| c.id == "employee"));
    }
}

#[test]
fn docs_policy_facts_lists_every_fact_of_the_vocabulary() {
    let doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/policy-facts.md"));
    for f in FACTS {
        assert!(doc.contains(&format!("| `{}` | {} |", f.key, f.label)), "{} missing from docs/policy-facts.md", f.key);
    }
}
