#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::jobs::template::{EMPLOYER_COLUMNS, JOB_COLUMNS};

fn refdata() -> &'static RefData {
    RefData::embedded().expect("embedded reference data")
}

fn code() -> String {
    CreditCode::from_parts("91", "500112", "MA5U7J3X").expect("valid parts").as_str().to_string()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).expect("date")
}

fn posting(pairs: &[(&str, &str)]) -> Result<PostingRecord, Vec<FieldError>> {
    let mut cells: Vec<(String, String)> = vec![
        ("岗位编号".into(), "HJ-001".into()),
        ("统一社会信用代码".into(), code()),
        ("岗位名称".into(), "电焊工".into()),
        ("职业".into(), "电焊工".into()),
        ("工作地点区划代码".into(), "500112002".into()),
        ("招聘人数".into(), "5".into()),
        ("薪酬下限".into(), "6000".into()),
        ("薪酬上限".into(), "8000".into()),
        ("用工形式".into(), "全职".into()),
        ("食宿".into(), "包吃住".into()),
    ];
    for (k, v) in pairs {
        match cells.iter_mut().find(|(h, _)| h == k) {
            Some(c) => c.1 = (*v).to_string(),
            None => cells.push(((*k).to_string(), (*v).to_string())),
        }
    }
    let headers: Vec<&str> = cells.iter().map(|(h, _)| h.as_str()).collect();
    let map = Mapped::from_headers(JOB_COLUMNS, &headers).expect("headers");
    let row: Vec<&str> = cells.iter().map(|(_, v)| v.as_str()).collect();
    validate_posting(refdata(), &map, row.as_slice(), today())
}

fn columns_of(errors: &[FieldError]) -> Vec<&'static str> {
    errors.iter().map(|e| e.column).collect()
}

#[test]
fn a_plain_posting_is_open_with_defaults() {
    let p = posting(&[]).expect("valid");
    assert_eq!(p.status_on(today()), JobStatus::Open);
    assert_eq!((p.age_min, p.age_max), (AGE_FLOOR, AGE_CEILING));
    assert_eq!(p.valid_from, today());
    assert_eq!(p.valid_to, NaiveDate::from_ymd_opt(2026, 4, 30).expect("date"));
    assert_eq!(p.board, Board { meals: true, lodging: true });
    assert_eq!(p.wage.monthly_mid(), Some(Fen::from_yuan(7000)));
    assert_eq!(p.source, JobSource::Employer);
}

#[test]
fn wage_min_above_max_names_the_column() {
    let e = posting(&[("薪酬下限", "9000")]).expect_err("refused");
    assert_eq!(columns_of(&e), ["薪酬上限"]);
    assert!(e[0].message.contains("低于下限"), "{e:?}");
}

#[test]
fn ages_outside_16_to_70_are_refused() {
    let e = posting(&[("年龄下限", "15"), ("年龄上限", "71")]).expect_err("refused");
    assert_eq!(columns_of(&e), ["年龄下限", "年龄上限"]);
    let e = posting(&[("年龄下限", "40"), ("年龄上限", "30"), ("年龄要求理由", "高空作业")]).expect_err("refused");
    assert_eq!(columns_of(&e), ["年龄上限"]);
}

#[test]
fn a_region_that_does_not_exist_or_is_a_district_is_refused() {
    let e = posting(&[("工作地点区划代码", "500199001")]).expect_err("refused");
    assert_eq!(columns_of(&e), ["工作地点区划代码"]);
    let e = posting(&[("工作地点区划代码", "500112")]).expect_err("district only");
    assert!(e[0].message.contains("乡镇"), "{e:?}");
}

#[test]
fn every_problem_of_a_row_is_reported_together() {
    let e = posting(&[("招聘人数", "0"), ("用工形式", "长工短工"), ("统一社会信用代码", "91500112MA5U7J3X0Z")])
        .expect_err("refused");
    assert_eq!(columns_of(&e), ["统一社会信用代码", "招聘人数", "用工形式"]);
}

#[test]
fn restricting_sex_or_cutting_off_older_workers_holds_the_posting() {
    let p = posting(&[("性别要求", "男")]).expect("valid but held");
    assert_eq!(p.status_on(today()), JobStatus::Held);
    assert!(p.holds[0].contains("限定性别"), "{:?}", p.holds);

    let p = posting(&[("年龄上限", "45")]).expect("valid but held");
    assert_eq!(p.status_on(today()), JobStatus::Held);
    assert!(p.holds[0].contains("一刀切"), "{:?}", p.holds);

    let p = posting(&[("年龄上限", "45"), ("年龄要求理由", "高处作业须通过体检")]).expect("valid");
    assert!(p.holds.is_empty());
    let p = posting(&[("年龄上限", "55")]).expect("valid");
    assert_eq!(p.status_on(today()), JobStatus::Open);
}

#[test]
fn a_posting_past_its_end_date_is_closed() {
    let p = posting(&[("有效期起", "2026-01-01"), ("有效期止", "2026-02-01")]).expect("valid");
    assert_eq!(p.status_on(today()), JobStatus::Closed);
    let e = posting(&[("有效期起", "2026-03-01"), ("有效期止", "2026-02-01")]).expect_err("refused");
    assert_eq!(columns_of(&e), ["有效期止"]);
}

#[test]
fn an_occupation_synonym_is_stored_by_its_canonical_name() {
    let p = posting(&[("职业", "保姆")]).expect("valid");
    assert_eq!(p.occupation.as_deref(), Some("家政服务员"));
}

#[test]
fn an_employer_row_is_checked_column_by_column() {
    let map =
        Mapped::from_headers(EMPLOYER_COLUMNS, &["统一社会信用代码", "单位名称", "单位类型", "行业", "所在地区划代码"])
            .expect("headers");
    let good = [code(), "重庆渝北焊接工程有限公司".into(), "民营".into(), "C".into(), "500112".into()];
    let e = validate_employer(refdata(), &map, good.as_slice()).expect("valid");
    assert_eq!(e.employer_type, EmployerType::Private);
    assert_eq!(e.credit_status, CreditStatus::Good);
    let bad = ["91500112MA5U7J3X0Z".to_string(), String::new(), "公司".into(), "ZZ".into(), "500199".into()];
    let errs = validate_employer(refdata(), &map, bad.as_slice()).expect_err("refused");
    assert_eq!(columns_of(&errs), ["统一社会信用代码", "单位名称", "单位类型", "行业", "所在地区划代码"]);
}

#[test]
fn a_missing_required_header_is_named() {
    let e = Mapped::from_headers(JOB_COLUMNS, &["岗位编号", "岗位名称"]).expect_err("refused");
    assert!(e.to_string().contains("统一社会信用代码"), "{e}");
}
