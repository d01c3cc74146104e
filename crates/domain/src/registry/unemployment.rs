//! 失业登记 (seed 002 #48): "劳动年龄内、有劳动能力、有就业要求、处于失业状态的城乡劳动者
//! 可在常住地进行失业登记". Registration makes the person 失业 with the registration
//! date, clears the work place and records the need 求职.

use chrono::{Datelike, Months, NaiveDate};

use super::record::PersonState;
use super::validate::FieldError;
use super::vocab::{EmploymentStatus, ServiceNeed};
use super::MIN_WORKING_AGE;
use crate::identity::Sex;

/// What the registering staff member states and checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnemploymentRegistration {
    pub date: NaiveDate,
    /// 有劳动能力
    pub able_to_work: bool,
    /// 有就业要求
    pub wants_work: bool,
    /// 处于失业状态（目前无业）
    pub without_work: bool,
}

/// The form fields the problems name.
pub const FIELD_DATE: &str = "登记日期";
pub const FIELD_ABLE: &str = "有劳动能力";
pub const FIELD_WANTS: &str = "有就业要求";
pub const FIELD_WITHOUT: &str = "处于失业状态";

/// The last day of working age: the statutory retirement age (男60周岁, 女55周岁,
/// the upper of the two women's ages, so no one of working age is refused) raised
/// by the gradual delay decided on 2024-09-13 (全国人大常委会关于实施渐进式延迟法定退休
/// 年龄的决定): one month per four months of birth from January 1965 (men, up to 63)
/// and January 1970 (women, up to 58).
pub fn retirement_date(birth: NaiveDate, sex: Sex) -> NaiveDate {
    let (base_years, delay_from_year) = match sex {
        Sex::Male => (60, 1965),
        Sex::Female => (55, 1970),
    };
    let months_after = (birth.year() - delay_from_year) * 12 + birth.month0() as i32;
    let delay = if months_after < 0 { 0 } else { (months_after / 4 + 1).min(36) as u32 };
    birth.checked_add_months(Months::new(base_years * 12 + delay)).unwrap_or(NaiveDate::MAX)
}

/// The state after registering unemployment on `reg.date`, or every reason it cannot
/// be registered.
pub fn register_unemployment(
    s: &PersonState,
    reg: &UnemploymentRegistration,
    today: NaiveDate,
) -> Result<PersonState, Vec<FieldError>> {
    let mut errors = Vec::new();
    if reg.date > today {
        errors.push(FieldError::new(FIELD_DATE, "登记日期不能晚于今天"));
    }
    let sixteen = s.birth_date.checked_add_months(Months::new(MIN_WORKING_AGE * 12)).unwrap_or(NaiveDate::MAX);
    let retires = retirement_date(s.birth_date, s.sex);
    if reg.date < sixteen {
        errors.push(FieldError::new(FIELD_DATE, format!("登记日期时未满{MIN_WORKING_AGE}周岁，不在劳动年龄内")));
    } else if reg.date >= retires {
        errors.push(FieldError::new(
            FIELD_DATE,
            format!("已于 {retires} 达到法定退休年龄，不在劳动年龄内，不能办理失业登记"),
        ));
    }
    if let (EmploymentStatus::Unemployed, Some(since)) = (s.status, s.unemployed_since) {
        errors.push(FieldError::new(FIELD_DATE, format!("已于 {since} 办理失业登记，无须重复登记")));
    }
    if !reg.able_to_work {
        errors.push(FieldError::new(FIELD_ABLE, "失业登记须确认本人有劳动能力"));
    }
    if !reg.wants_work {
        errors.push(FieldError::new(FIELD_WANTS, "失业登记须确认本人有就业要求"));
    }
    if !reg.without_work {
        errors.push(FieldError::new(FIELD_WITHOUT, "失业登记须确认本人目前处于失业状态"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut next = s.clone();
    next.status = EmploymentStatus::Unemployed;
    next.work_region = None;
    next.work_province = None;
    next.industry = None;
    next.unemployed_since = Some(reg.date);
    next.needs.insert(ServiceNeed::JobSeeking);
    Ok(next)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::registry::vocab::{GroupFlags, InsuranceSet, ServiceNeeds};
    use crate::RegionCode;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn worker(birth: &str, sex: Sex) -> PersonState {
        PersonState {
            name: "测试".into(),
            birth_date: d(birth),
            sex,
            phone_digest: None,
            hukou_region: RegionCode::parse("500101001001").unwrap(),
            residence_region: None,
            household_no: None,
            status: EmploymentStatus::LocalEmployed,
            work_region: RegionCode::parse("500101").ok(),
            work_province: None,
            industry: Some("E".into()),
            occupation: None,
            occupation_name: None,
            skill_level: None,
            expected_wage: None,
            wanted_kind: None,
            flags: GroupFlags::empty(),
            insurance: InsuranceSet::empty(),
            needs: ServiceNeeds::empty(),
            unemployed_since: None,
        }
    }

    fn reg(date: &str) -> UnemploymentRegistration {
        UnemploymentRegistration { date: d(date), able_to_work: true, wants_work: true, without_work: true }
    }

    #[test]
    fn retirement_follows_the_gradual_delay() {
        // Before the delay starts: 60 and 55 exactly.
        assert_eq!(retirement_date(d("1964-12-15"), Sex::Male), d("2024-12-15"));
        assert_eq!(retirement_date(d("1969-12-01"), Sex::Female), d("2024-12-01"));
        // First cohort: one month later; a man born in May 1965: two months.
        assert_eq!(retirement_date(d("1965-01-10"), Sex::Male), d("2025-02-10"));
        assert_eq!(retirement_date(d("1965-05-10"), Sex::Male), d("2025-07-10"));
        // The delay stops at 36 months: 63 and 58.
        assert_eq!(retirement_date(d("1980-06-01"), Sex::Male), d("2043-06-01"));
        assert_eq!(retirement_date(d("1985-06-01"), Sex::Female), d("2043-06-01"));
    }

    #[test]
    fn registration_makes_the_person_unemployed_and_seeking_work() {
        let s = worker("1990-03-01", Sex::Male);
        let next = register_unemployment(&s, &reg("2025-06-01"), d("2025-06-02")).unwrap();
        assert_eq!(next.status, EmploymentStatus::Unemployed);
        assert_eq!(next.unemployed_since, Some(d("2025-06-01")));
        assert_eq!((next.work_region, next.industry.as_deref()), (None, None));
        assert!(next.needs.contains(ServiceNeed::JobSeeking));
        // Registering again is refused.
        let again = register_unemployment(&next, &reg("2025-06-02"), d("2025-06-02")).unwrap_err();
        assert!(again[0].message.contains("已于 2025-06-01 办理失业登记"), "{again:?}");
    }

    #[test]
    fn each_condition_of_the_seed_is_checked_and_named() {
        let s = worker("1990-03-01", Sex::Female);
        let mut r = reg("2025-06-01");
        r.able_to_work = false;
        r.wants_work = false;
        r.without_work = false;
        let e = register_unemployment(&s, &r, d("2025-06-01")).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.column).collect();
        assert_eq!(fields, [FIELD_ABLE, FIELD_WANTS, FIELD_WITHOUT]);
        let e = register_unemployment(&s, &reg("2025-06-03"), d("2025-06-02")).unwrap_err();
        assert_eq!(e[0].column, FIELD_DATE);
    }

    #[test]
    fn only_working_age_may_register() {
        // A woman born in 1968 reached 55 in 2023: outside working age.
        let old = worker("1968-04-01", Sex::Female);
        let e = register_unemployment(&old, &reg("2025-06-01"), d("2025-06-01")).unwrap_err();
        assert!(e[0].message.contains("法定退休年龄"), "{e:?}");
        // A man of the same birth is still of working age.
        let man = worker("1968-04-01", Sex::Male);
        assert!(register_unemployment(&man, &reg("2025-06-01"), d("2025-06-01")).is_ok());
        // Registration dated before the sixteenth birthday is refused.
        let young = worker("2009-07-01", Sex::Male);
        let e = register_unemployment(&young, &reg("2025-06-01"), d("2025-06-01")).unwrap_err();
        assert!(e[0].message.contains("未满16周岁"), "{e:?}");
    }
}
