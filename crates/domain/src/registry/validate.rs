//! Validation of one row of the worker template into a `PersonRecord`, collecting
//! every problem of the row with the column it is in and a reason in Chinese.

use chrono::NaiveDate;

use super::phone::Phone;
use super::record::{PersonRecord, PersonState};
use super::template::{Cells, HeaderMap};
use super::vocab::{EmploymentStatus, GroupFlags, InsuranceSet, ServiceNeeds, SkillLevel};
use super::{age_on, MIN_WORKING_AGE};
use crate::identity::IdNumber;
use crate::money::Fen;
use crate::refdata::RefData;
use crate::region::{RegionCode, RegionLevel};

/// What validation needs besides the row.
#[derive(Debug, Clone, Copy)]
pub struct RowContext<'a> {
    pub refdata: &'a RefData,
    /// The day the data describes; birth and registration dates may not be after it.
    pub today: NaiveDate,
}

/// One problem in a row: the column (Chinese header) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub column: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(column: &'static str, message: impl Into<String>) -> FieldError {
        FieldError { column, message: message.into() }
    }
}

/// Highest monthly wage expectation accepted (a typo guard), in yuan.
const MAX_EXPECTED_WAGE_YUAN: i64 = 1_000_000;
const MAX_NAME_CHARS: usize = 30;
const MAX_TEXT_CHARS: usize = 50;

/// Parses a date as staff write it: `2024-03-01`, `2024/3/1`, `2024.3.1`, `20240301`
/// or `2024年3月1日`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(t, "%Y%m%d").ok();
    }
    let norm: String = t
        .chars()
        .map(|c| match c {
            '/' | '.' | '年' | '月' => '-',
            c => c,
        })
        .filter(|c| *c != '日')
        .collect();
    let norm = norm.split(' ').next().unwrap_or("");
    NaiveDate::parse_from_str(norm, "%Y-%m-%d").ok()
}

fn chongqing_region(
    ctx: &RowContext,
    column: &'static str,
    text: &str,
    errors: &mut Vec<FieldError>,
) -> Option<RegionCode> {
    match RegionCode::parse(text) {
        Err(e) => {
            errors.push(FieldError::new(column, e.to_string()));
            None
        }
        Ok(code) if code.level() == RegionLevel::Province || !ctx.refdata.is_chongqing_division(code) => {
            errors.push(FieldError::new(
                column,
                format!("区划代码 {text} 不是重庆市现行的区县、乡镇（街道）或村（社区）代码"),
            ));
            None
        }
        Ok(code) => Some(code),
    }
}

fn optional_text(column: &'static str, text: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        errors.push(FieldError::new(column, format!("内容过长（最多{MAX_TEXT_CHARS}个字）")));
        return None;
    }
    if text.chars().any(char::is_control) {
        errors.push(FieldError::new(column, "含有不可见的控制字符"));
        return None;
    }
    Some(text.to_string())
}

/// Validates one data row. All problems of the row are reported together.
pub fn validate_row<C: Cells + ?Sized>(
    ctx: &RowContext,
    header: &HeaderMap,
    row: &C,
) -> Result<PersonRecord, Vec<FieldError>> {
    let cell = |key: &str| header.get(row, key);
    let mut errors = Vec::new();

    let name = cell("name");
    let name_ok = if name.is_empty() {
        errors.push(FieldError::new("姓名", "姓名不能为空"));
        false
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.push(FieldError::new("姓名", format!("姓名过长（最多{MAX_NAME_CHARS}个字）")));
        false
    } else if name.chars().any(|c| c.is_ascii_digit() || c.is_control()) {
        errors.push(FieldError::new("姓名", format!("姓名“{name}”含有数字或控制字符")));
        false
    } else {
        true
    };

    let id_text = cell("id_number");
    let id = if id_text.is_empty() {
        errors.push(FieldError::new("公民身份号码", "公民身份号码不能为空"));
        None
    } else {
        match IdNumber::parse(id_text, ctx.today) {
            Ok(id) => {
                let age = age_on(id.birth_date(), ctx.today);
                if age < MIN_WORKING_AGE {
                    errors.push(FieldError::new(
                        "公民身份号码",
                        format!("出生日期 {}，未满{MIN_WORKING_AGE}周岁，不属于劳动力登记范围", id.birth_date()),
                    ));
                    None
                } else {
                    Some(id)
                }
            }
            Err(e) => {
                errors.push(FieldError::new("公民身份号码", e.to_string()));
                None
            }
        }
    };

    let phone_text = cell("phone");
    let phone = if phone_text.is_empty() {
        None
    } else {
        match Phone::parse(phone_text) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.push(FieldError::new("联系电话", e.to_string()));
                None
            }
        }
    };

    let hukou_text = cell("hukou_region");
    let hukou = if hukou_text.is_empty() {
        errors.push(FieldError::new("户籍地区划代码", "户籍地区划代码不能为空"));
        None
    } else {
        chongqing_region(ctx, "户籍地区划代码", hukou_text, &mut errors)
    };

    let residence_text = cell("residence_region");
    let residence = if residence_text.is_empty() {
        None
    } else {
        chongqing_region(ctx, "现居住地区划代码", residence_text, &mut errors)
    };

    let status_text = cell("status");
    let status = if status_text.is_empty() {
        errors.push(FieldError::new("就业状态", "就业状态不能为空"));
        None
    } else {
        let s = EmploymentStatus::parse(status_text);
        if s.is_none() {
            let allowed: Vec<&str> = EmploymentStatus::ALL.iter().map(|s| s.label()).collect();
            errors.push(FieldError::new(
                "就业状态",
                format!("就业状态“{status_text}”不是可选值（可选：{}）", allowed.join("、")),
            ));
        }
        s
    };

    let work_text = cell("work_region");
    let province_text = cell("work_province");
    let mut work_region = None;
    let mut work_province = None;
    if let Some(status) = status {
        match status {
            EmploymentStatus::OutsideEmployed => {
                if !work_text.is_empty() {
                    errors.push(FieldError::new("就业地区划代码", "市外就业人员不填写就业地区划代码，请填写务工省份"));
                }
                if province_text.is_empty() {
                    errors.push(FieldError::new("务工省份", "市外就业人员必须填写务工省份"));
                } else {
                    match ctx.refdata.province(province_text) {
                        Some(50) => errors.push(FieldError::new(
                            "务工省份",
                            "务工省份为重庆市的应登记为市内就业并填写就业地区划代码",
                        )),
                        Some(p) => work_province = Some(p),
                        None => errors.push(FieldError::new(
                            "务工省份",
                            format!("务工省份“{province_text}”不是有效的省份名称或代码"),
                        )),
                    }
                }
            }
            other => {
                if !province_text.is_empty() {
                    errors.push(FieldError::new("务工省份", format!("就业状态为{}时不填写务工省份", other.label())));
                }
                if !work_text.is_empty() {
                    if other.is_employed() {
                        work_region = chongqing_region(ctx, "就业地区划代码", work_text, &mut errors);
                    } else {
                        errors.push(FieldError::new(
                            "就业地区划代码",
                            format!("就业状态为{}时不填写就业地区", other.label()),
                        ));
                    }
                } else if other == EmploymentStatus::LocalEmployed {
                    errors.push(FieldError::new("就业地区划代码", "市内就业人员必须填写就业地区划代码"));
                }
            }
        }
    }

    let industry_text = cell("industry");
    let industry = if industry_text.is_empty() {
        None
    } else {
        match ctx.refdata.industry(industry_text) {
            Some(i) => Some(i.code.clone()),
            None => {
                errors.push(FieldError::new(
                    "行业",
                    format!("行业“{industry_text}”不是国民经济行业分类（GB/T 4754-2017）的门类、大类代码或名称"),
                ));
                None
            }
        }
    };

    let occupation = optional_text("职业", cell("occupation"), &mut errors);
    let occupation_name = occupation.as_deref().and_then(|t| ctx.refdata.occupation(t)).map(|o| o.name.clone());

    let skill_text = cell("skill_level");
    let skill_level = if skill_text.is_empty() {
        None
    } else {
        let s = SkillLevel::parse(skill_text);
        if s.is_none() {
            errors.push(FieldError::new("技能等级", format!("技能等级“{skill_text}”应为1至5级")));
        }
        s
    };

    let wage_text = cell("expected_wage");
    let expected_wage = if wage_text.is_empty() {
        None
    } else {
        match Fen::parse_yuan(wage_text) {
            Ok(f) if f.0 < 0 => {
                errors.push(FieldError::new("期望月薪", "期望月薪不能为负数"));
                None
            }
            Ok(f) if f > Fen::from_yuan(MAX_EXPECTED_WAGE_YUAN) => {
                errors.push(FieldError::new(
                    "期望月薪",
                    format!("期望月薪 {wage_text} 元超出合理范围，请核对单位（元/月）"),
                ));
                None
            }
            Ok(f) => Some(f),
            Err(e) => {
                errors.push(FieldError::new("期望月薪", e.to_string()));
                None
            }
        }
    };

    let kind_text = cell("wanted_kind");
    let wanted_kind = if kind_text.is_empty() || kind_text == "不限" {
        None
    } else {
        let k = crate::jobs::JobKind::parse(kind_text);
        if k.is_none() {
            errors.push(FieldError::new(
                "意向用工形式",
                format!("意向用工形式“{kind_text}”应为全职、非全日制、临时/季节性或零工（不限的留空）"),
            ));
        }
        k
    };

    let flags = GroupFlags::parse_list(cell("flags")).unwrap_or_else(|e| {
        errors.push(FieldError::new("人员类别", e.to_string()));
        GroupFlags::empty()
    });
    let insurance = InsuranceSet::parse_list(cell("insurance")).unwrap_or_else(|e| {
        errors.push(FieldError::new("参保险种", e.to_string()));
        InsuranceSet::empty()
    });
    let needs = ServiceNeeds::parse_list(cell("needs")).unwrap_or_else(|e| {
        errors.push(FieldError::new("服务需求", e.to_string()));
        ServiceNeeds::empty()
    });

    let since_text = cell("unemployed_since");
    let unemployed_since = if since_text.is_empty() {
        None
    } else {
        match parse_date(since_text) {
            None => {
                errors.push(FieldError::new("登记失业日期", format!("日期“{since_text}”无效，格式应为 YYYY-MM-DD")));
                None
            }
            Some(d) if d > ctx.today => {
                errors.push(FieldError::new("登记失业日期", format!("登记失业日期 {d} 晚于今天")));
                None
            }
            Some(d) => {
                if let Some(id) = &id {
                    if age_on(id.birth_date(), d) < MIN_WORKING_AGE {
                        errors.push(FieldError::new(
                            "登记失业日期",
                            format!("登记失业日期 {d} 时未满{MIN_WORKING_AGE}周岁"),
                        ));
                    }
                }
                if status.is_some_and(|s| s != EmploymentStatus::Unemployed) {
                    errors.push(FieldError::new("登记失业日期", "就业状态不是失业时不填写登记失业日期"));
                }
                Some(d)
            }
        }
    };

    let household_no = optional_text("家庭户编号", cell("household_no"), &mut errors);

    match (errors.is_empty(), id, hukou, status) {
        (true, Some(id_number), Some(hukou_region), Some(status)) if name_ok => Ok(PersonRecord {
            id_number,
            phone,
            state: PersonState {
                name: name.to_string(),
                birth_date: id_number.birth_date(),
                sex: id_number.sex(),
                phone_digest: None,
                hukou_region,
                residence_region: residence,
                household_no,
                status,
                work_region,
                work_province,
                industry,
                occupation,
                occupation_name,
                skill_level,
                expected_wage,
                wanted_kind,
                flags,
                insurance,
                needs,
                unemployed_since,
            },
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::registry::template::{header_row, HeaderMap};

    fn ctx() -> RowContext<'static> {
        RowContext { refdata: RefData::embedded().unwrap(), today: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap() }
    }

    fn id() -> String {
        IdNumber::from_parts("500101", NaiveDate::from_ymd_opt(1980, 5, 6).unwrap(), 123).unwrap().to_string()
    }

    /// A row from (column key, value) pairs; other cells empty.
    fn check(cells: &[(&str, &str)]) -> Result<PersonRecord, Vec<FieldError>> {
        let header = header_row();
        let map = HeaderMap::from_headers(&header).unwrap();
        let row: Vec<String> = crate::registry::COLUMNS
            .iter()
            .map(|c| cells.iter().find(|(k, _)| *k == c.key).map(|(_, v)| v.to_string()).unwrap_or_default())
            .collect();
        validate_row(&ctx(), &map, &row)
    }

    fn base<'a>(id: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut v = vec![("name", "张三"), ("id_number", id), ("hukou_region", "500101001001"), ("status", "失业")];
        v.extend_from_slice(extra);
        v
    }

    fn columns(r: Result<PersonRecord, Vec<FieldError>>) -> Vec<&'static str> {
        r.unwrap_err().iter().map(|e| e.column).collect()
    }

    #[test]
    fn a_minimal_row_is_valid_and_birth_date_and_sex_come_from_the_number() {
        let id = id();
        let r = check(&base(&id, &[])).unwrap();
        assert_eq!(r.state.birth_date, NaiveDate::from_ymd_opt(1980, 5, 6).unwrap());
        assert_eq!(r.state.sex, crate::identity::Sex::Male);
        assert_eq!(r.state.status, EmploymentStatus::Unemployed);
    }

    #[test]
    fn outside_work_needs_a_province_other_than_chongqing_and_no_work_region() {
        let id = id();
        let b = |extra: &[(&'static str, &'static str)]| {
            let mut v = base(&id, &[]);
            v.retain(|(k, _)| *k != "status");
            v.push(("status", "市外就业"));
            v.extend_from_slice(extra);
            check(&v)
        };
        assert_eq!(columns(b(&[])), vec!["务工省份"]);
        assert_eq!(columns(b(&[("work_province", "重庆市")])), vec!["务工省份"]);
        assert_eq!(columns(b(&[("work_province", "广东"), ("work_region", "500101")])), vec!["就业地区划代码"]);
        assert_eq!(b(&[("work_province", "广东省")]).unwrap().state.work_province, Some(44));
    }

    #[test]
    fn local_work_needs_a_chongqing_work_region() {
        let id = id();
        let mut v = base(&id, &[]);
        v.retain(|(k, _)| *k != "status");
        v.push(("status", "市内就业"));
        assert_eq!(columns(check(&v)), vec!["就业地区划代码"]);
        v.push(("work_region", "440300"));
        assert_eq!(columns(check(&v)), vec!["就业地区划代码"]);
        v.pop();
        v.push(("work_region", "500103"));
        assert!(check(&v).is_ok());
    }

    #[test]
    fn every_problem_of_a_row_is_reported_together() {
        let e = check(&[
            ("name", ""),
            ("id_number", "123"),
            ("hukou_region", "500199"),
            ("status", "待业"),
            ("phone", "12"),
            ("skill_level", "7"),
            ("expected_wage", "-1"),
            ("flags", "贫困"),
            ("insurance", "生育"),
            ("unemployed_since", "2025-13-01"),
        ])
        .unwrap_err();
        let cols: Vec<&str> = e.iter().map(|e| e.column).collect();
        assert_eq!(
            cols,
            vec![
                "姓名",
                "公民身份号码",
                "联系电话",
                "户籍地区划代码",
                "就业状态",
                "技能等级",
                "期望月薪",
                "人员类别",
                "参保险种",
                "登记失业日期"
            ]
        );
    }

    #[test]
    fn a_child_is_not_registered_and_registration_dates_are_checked() {
        let child =
            IdNumber::from_parts("500101", NaiveDate::from_ymd_opt(2012, 1, 1).unwrap(), 1).unwrap().to_string();
        assert!(check(&base(&child, &[])).unwrap_err()[0].message.contains("未满16周岁"));
        let id = id();
        assert_eq!(columns(check(&base(&id, &[("unemployed_since", "2026-01-01")]))), vec!["登记失业日期"]);
        assert!(check(&base(&id, &[("unemployed_since", "2025年3月1日")])).is_ok());
        let mut v = base(&id, &[("unemployed_since", "2025-03-01"), ("work_province", "广东")]);
        v.retain(|(k, _)| *k != "status");
        v.push(("status", "市外就业"));
        assert_eq!(columns(check(&v)), vec!["登记失业日期"]);
    }

    #[test]
    fn dates_are_read_in_the_forms_staff_write() {
        for t in ["2024-03-01", "2024/3/1", "2024.3.1", "20240301", "2024年3月1日", "2024-03-01 00:00:00"] {
            assert_eq!(parse_date(t), NaiveDate::from_ymd_opt(2024, 3, 1), "{t}");
        }
        assert_eq!(parse_date("2024-02-30"), None);
    }
}
