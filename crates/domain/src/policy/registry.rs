//! What the real-name registry knows about a person, as policy facts: birth date,
//! sex, statutory retirement date, hukou district, employment status, the group flags
//! and registered unemployment. Every other fact (business, loan, insurance months,
//! certificates …) stays unknown, so a condition that needs one reads 待补充信息
//! rather than failing.
//!
//! The registry's group flags are recorded attributes: a person without the 低保 flag
//! is taken as not 低保 (false), not as unknown.

use chrono::NaiveDate;

use super::facts::{EntityKind, Facts, FactsError};
use super::value::Value;
use crate::registry::unemployment::retirement_date;
use crate::registry::{EmploymentStatus, GroupFlag, PersonState};

/// The registry's flag behind each boolean fact.
const FLAG_FACTS: &[(&str, GroupFlag)] = &[
    ("returnee", GroupFlag::Returnee),
    ("poverty", GroupFlag::PovertyAlleviated),
    ("low_income", GroupFlag::Dibao),
    ("zero_employment_household", GroupFlag::ZeroEmploymentHousehold),
    ("disabled", GroupFlag::Disabled),
    ("veteran", GroupFlag::Veteran),
    ("employment_difficulty", GroupFlag::EmploymentDifficulty),
];

/// The facts of `person` (labelled with `label`, e.g. the masked identity number).
pub fn person_facts(person: &PersonState, label: Option<String>) -> Result<Facts, FactsError> {
    let mut f = Facts::new(EntityKind::Person);
    f.label = label;
    f.set("birth_date", Value::Date(person.birth_date))?;
    f.set("sex", Value::Text(person.sex.label().into()))?;
    f.set("retirement_date", Value::Date(retirement_date(person.birth_date, person.sex)))?;
    if let Some(d) = person.hukou_region.district() {
        f.set("district_code", Value::Text(d.short()))?;
    }
    f.set("employment_status", Value::Text(person.status.label().into()))?;
    for (key, flag) in FLAG_FACTS {
        f.set(key, Value::Bool(person.flags.contains(*flag)))?;
    }
    let registered: Option<NaiveDate> =
        person.unemployed_since.filter(|_| person.status == EmploymentStatus::Unemployed);
    f.set("registered_unemployed", Value::Bool(registered.is_some()))?;
    if let Some(d) = registered {
        f.set("unemployment_registered_date", Value::Date(d))?;
    }
    Ok(f)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::identity::Sex;
    use crate::policy::facts::fact_by_key;
    use crate::policy::{Library, Status};
    use crate::registry::{GroupFlags, InsuranceSet, ServiceNeeds};
    use crate::RegionCode;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn person() -> PersonState {
        PersonState {
            name: "测试".into(),
            birth_date: date("1975-03-01"),
            sex: Sex::Female,
            phone_digest: None,
            hukou_region: RegionCode::parse("500116101001").unwrap(),
            residence_region: None,
            household_no: None,
            status: EmploymentStatus::Unemployed,
            work_region: None,
            work_province: None,
            industry: None,
            occupation: None,
            occupation_name: None,
            skill_level: None,
            expected_wage: None,
            flags: GroupFlags::empty(),
            insurance: InsuranceSet::empty(),
            needs: ServiceNeeds::empty(),
            unemployed_since: Some(date("2025-01-10")),
        }
    }

    fn get<'a>(f: &'a Facts, key: &str) -> Option<&'a Value> {
        f.get(fact_by_key(key).unwrap())
    }

    #[test]
    fn registry_fields_become_facts_and_the_rest_stays_unknown() {
        let mut p = person();
        let mut with_flags = p.clone();
        with_flags.flags = GroupFlags::empty().with(GroupFlag::Dibao).with(GroupFlag::Returnee);
        let f = person_facts(&with_flags, Some("500116********123X".into())).unwrap();
        assert_eq!(get(&f, "district_code"), Some(&Value::Text("500116".into())));
        assert_eq!(get(&f, "sex"), Some(&Value::Text("女".into())));
        assert_eq!(get(&f, "employment_status"), Some(&Value::Text("失业".into())));
        assert_eq!(get(&f, "low_income"), Some(&Value::Bool(true)));
        assert_eq!(get(&f, "returnee"), Some(&Value::Bool(true)));
        assert_eq!(get(&f, "disabled"), Some(&Value::Bool(false)));
        assert_eq!(get(&f, "registered_unemployed"), Some(&Value::Bool(true)));
        assert_eq!(get(&f, "unemployment_registered_date"), Some(&Value::Date(date("2025-01-10"))));
        // Born March 1975, a woman: 55 plus the delay's 21 months (one per four months
        // from January 1970) → December 2031.
        assert_eq!(get(&f, "retirement_date"), Some(&Value::Date(retirement_date(p.birth_date, p.sex))));
        assert_eq!(get(&f, "business_start_date"), None, "the registry does not know it");
        assert_eq!(get(&f, "unemployment_insurance_months"), None);
        // Working again: no longer a registered unemployed person.
        p.status = EmploymentStatus::LocalEmployed;
        let f = person_facts(&p, None).unwrap();
        assert_eq!(get(&f, "registered_unemployed"), Some(&Value::Bool(false)));
        assert_eq!(get(&f, "unemployment_registered_date"), None);
    }

    #[test]
    fn registry_facts_evaluate_against_every_person_policy() {
        let lib = Library::embedded().unwrap();
        let f = person_facts(&person(), None).unwrap();
        let results = lib.evaluate_all(&f, date("2025-06-01"));
        assert!(!results.is_empty());
        // Policies that need what the registry does not hold ask for it instead of
        // refusing: the returnee subsidy needs a business, which is unknown here …
        let returnee = results.iter().find(|e| e.policy.as_str() == "returnee-startup-subsidy").unwrap();
        assert_eq!(returnee.status, Status::NotEligible, "not a returnee per the registry");
        let mut r = person();
        r.flags = GroupFlags::empty().with(GroupFlag::Returnee);
        let f = person_facts(&r, None).unwrap();
        let results = lib.evaluate_all(&f, date("2025-06-01"));
        let returnee = results.iter().find(|e| e.policy.as_str() == "returnee-startup-subsidy").unwrap();
        assert_eq!(returnee.status, Status::Undetermined, "a returnee's business is not in the registry");
    }
}
