//! What the real-name registry knows about a person, as policy facts: birth date,
//! sex, statutory retirement date, hukou district, employment status, the group flags
//! and registered unemployment (`REGISTRY_FACTS`). Every other fact (business, loan,
//! insurance months, certificates …) comes from other systems as dated, sourced
//! values (`person_facts` in the store, `jiujin import facts`); one not recorded stays
//! unknown, so a condition that needs it reads 待补充信息 rather than failing.
//!
//! The registry's group flags are recorded attributes: a person without the 低保 flag
//! is taken as not 低保 (false), not as unknown.
//!
//! The same facts come out two ways: `person_facts` for one person (the page, the
//! explainer) and `PopulationBuilder` as columns for the bulk kernel; a test checks
//! that a builder's row reads back as `person_facts` gives.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::bulk::columns::{
    date_to_days, BOOL_UNKNOWN, CODE_UNKNOWN, DATE_UNKNOWN, INT_UNKNOWN, MONEY_UNKNOWN, TEXT_UNKNOWN,
};
use super::bulk::{BulkError, Column, Population};
use super::facts::{EntityKind, FactId, Facts, FactsError, SEX, STATUS};
use super::value::{Type, Value};
use crate::identity::Sex;
use crate::registry::unemployment::retirement_date;
use crate::registry::{EmploymentStatus, GroupFlag, GroupFlags, PersonState};
use crate::RegionCode;

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

/// The facts the registry itself holds: another system's value for one of these is
/// refused (the registry's record is corrected instead).
pub const REGISTRY_FACTS: &[&str] = &[
    "birth_date",
    "sex",
    "retirement_date",
    "district_code",
    "employment_status",
    "returnee",
    "poverty",
    "low_income",
    "zero_employment_household",
    "disabled",
    "veteran",
    "employment_difficulty",
    "registered_unemployed",
    "unemployment_registered_date",
];

pub fn is_registry_fact(key: &str) -> bool {
    REGISTRY_FACTS.contains(&key)
}

/// The part of a person's record that policy facts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonCore {
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub hukou_region: RegionCode,
    pub status: EmploymentStatus,
    pub flags: GroupFlags,
    pub unemployed_since: Option<NaiveDate>,
}

impl PersonCore {
    pub fn of(p: &PersonState) -> PersonCore {
        PersonCore {
            birth_date: p.birth_date,
            sex: p.sex,
            hukou_region: p.hukou_region,
            status: p.status,
            flags: p.flags,
            unemployed_since: p.unemployed_since,
        }
    }

    /// The date of 失业登记 while the person is still unemployed.
    fn registered_since(&self) -> Option<NaiveDate> {
        self.unemployed_since.filter(|_| self.status == EmploymentStatus::Unemployed)
    }
}

/// The facts of `person` (labelled with `label`, e.g. the masked identity number).
pub fn person_facts(person: &PersonState, label: Option<String>) -> Result<Facts, FactsError> {
    core_facts(&PersonCore::of(person), label)
}

/// The registry's facts of a person's core record.
pub fn core_facts(person: &PersonCore, label: Option<String>) -> Result<Facts, FactsError> {
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
    let registered = person.registered_since();
    f.set("registered_unemployed", Value::Bool(registered.is_some()))?;
    if let Some(d) = registered {
        f.set("unemployment_registered_date", Value::Date(d))?;
    }
    Ok(f)
}

/// The employer register's facts of an employer (SPEC §3): the district it is
/// registered in, and whether it is a small or micro enterprise (its 企业规模 band,
/// 国统字〔2017〕213号; unknown when the register has no band). Everything else (staff
/// numbers, loans, hires that qualify) stays unknown, so a condition on it reads
/// 待补充信息 rather than failing.
pub fn employer_facts(
    district: Option<RegionCode>,
    size: Option<crate::jobs::EmployerSize>,
    label: Option<String>,
) -> Result<Facts, FactsError> {
    use crate::jobs::EmployerSize;
    let mut f = Facts::new(EntityKind::Employer);
    f.label = label;
    if let Some(d) = district.and_then(RegionCode::district) {
        f.set("district_code", Value::Text(d.short()))?;
    }
    if let Some(s) = size {
        f.set("small_micro_enterprise", Value::Bool(matches!(s, EmployerSize::Micro | EmployerSize::Small)))?;
    }
    Ok(f)
}

/// The facts of a 返乡创业园区 from its register (SPEC §6): the date it was recognised
/// as a 市级 park (a district-level park has none: the policy is for 市级 parks) and
/// the grade of the latest year evaluated before `date`'s year.
pub fn park_facts(
    municipal: bool,
    recognised: NaiveDate,
    last_grade: Option<&str>,
    label: Option<String>,
) -> Result<Facts, FactsError> {
    let mut f = Facts::new(EntityKind::Park);
    f.label = label;
    f.set("park_municipal", Value::Bool(municipal))?;
    if municipal {
        f.set("park_recognised_date", Value::Date(recognised))?;
    }
    if let Some(g) = last_grade {
        f.set("park_evaluation", Value::Text(g.to_string()))?;
    }
    Ok(f)
}

/// The facts of a 劳务品牌 from its register on `date`: whether it had been recognised
/// as 市级 by then, and the award assessed from the employment it drives (from the
/// department's assessment, when recorded).
pub fn brand_facts(
    municipal_on: Option<NaiveDate>,
    award_assessed: Option<i64>,
    date: NaiveDate,
    label: Option<String>,
) -> Result<Facts, FactsError> {
    let mut f = Facts::new(EntityKind::Project);
    f.label = label;
    f.set("labor_brand_municipal", Value::Bool(municipal_on.is_some_and(|d| d <= date)))?;
    if let Some(fen) = award_assessed {
        f.set("labor_brand_award_assessed_fen", Value::Money(crate::Fen(fen)))?;
    }
    Ok(f)
}

/// The facts of a 就业帮扶车间 from its register: the date it was recognised (the
/// amounts claimed and assessed come from the department's files, as recorded facts).
pub fn workshop_facts(recognised: NaiveDate, label: Option<String>) -> Result<Facts, FactsError> {
    let mut f = Facts::new(EntityKind::Workshop);
    f.label = label;
    f.set("workshop_recognised_date", Value::Date(recognised))?;
    Ok(f)
}

/// The facts of one hire, for the employer policies paid per hired person (SPEC §5:
/// 一次性吸纳重点群体就业岗位补贴, 一次性吸纳就业补贴): the employer's district, what the
/// registry held of the hired person the day before the hire (their group flags, and
/// their 失业登记 with its date when registered), the hire date, and whether they have
/// been in insured employment since. What the registry does not hold (a graduate's
/// leaving date, the contract's length) stays unknown.
pub fn hire_facts(
    district: Option<RegionCode>,
    before: Option<(GroupFlags, Option<NaiveDate>)>,
    hire_date: NaiveDate,
    insured_since: bool,
    label: Option<String>,
) -> Result<Facts, FactsError> {
    let mut f = Facts::new(EntityKind::Employer);
    f.label = label;
    if let Some(d) = district.and_then(RegionCode::district) {
        f.set("district_code", Value::Text(d.short()))?;
    }
    if let Some((flags, registered)) = before {
        f.set("registered_unemployed", Value::Bool(registered.is_some()))?;
        if let Some(on) = registered {
            f.set("unemployment_registered_date", Value::Date(on))?;
        }
        f.set("poverty", Value::Bool(flags.contains(GroupFlag::PovertyAlleviated)))?;
        f.set("low_income", Value::Bool(flags.contains(GroupFlag::Dibao)))?;
        f.set("zero_employment_household", Value::Bool(flags.contains(GroupFlag::ZeroEmploymentHousehold)))?;
        f.set("employment_difficulty", Value::Bool(flags.contains(GroupFlag::EmploymentDifficulty)))?;
    }
    f.set("hire_date", Value::Date(hire_date))?;
    f.set("hire_insured", Value::Bool(insured_since))?;
    Ok(f)
}

/// Adds facts recorded by other systems (already parsed, in force on the date of
/// the evaluation) to a person's registry facts. A registry fact is left as the
/// registry has it.
pub fn add_recorded(f: &mut Facts, recorded: impl IntoIterator<Item = (FactId, Value)>) -> Result<(), FactsError> {
    for (id, v) in recorded {
        let key = id.def().key;
        if !is_registry_fact(key) {
            f.set(key, v)?;
        }
    }
    Ok(())
}

/// A population of persons as columns, built row by row from the same record
/// `core_facts` reads, plus the recorded facts of each row.
#[derive(Debug)]
pub struct PopulationBuilder {
    len: usize,
    birth: Vec<i32>,
    retire: Vec<i32>,
    sex: Vec<u8>,
    district: Vec<u32>,
    dict: Vec<String>,
    dict_index: HashMap<i64, u32>,
    status: Vec<u8>,
    flags: Vec<Vec<u8>>,
    registered: Vec<u8>,
    registered_date: Vec<i32>,
    recorded: BTreeMap<usize, Column>,
}

impl Default for PopulationBuilder {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

impl PopulationBuilder {
    pub fn with_capacity(n: usize) -> PopulationBuilder {
        PopulationBuilder {
            len: 0,
            birth: Vec::with_capacity(n),
            retire: Vec::with_capacity(n),
            sex: Vec::with_capacity(n),
            district: Vec::with_capacity(n),
            dict: Vec::new(),
            dict_index: HashMap::new(),
            status: Vec::with_capacity(n),
            flags: FLAG_FACTS.iter().map(|_| Vec::with_capacity(n)).collect(),
            registered: Vec::with_capacity(n),
            registered_date: Vec::with_capacity(n),
            recorded: BTreeMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends a person; returns the row.
    pub fn push(&mut self, p: &PersonCore) -> usize {
        self.birth.push(date_to_days(p.birth_date));
        self.retire.push(date_to_days(retirement_date(p.birth_date, p.sex)));
        let sex = SEX.iter().position(|s| *s == p.sex.label());
        self.sex.push(sex.and_then(|i| u8::try_from(i).ok()).unwrap_or(CODE_UNKNOWN));
        let district = match p.hukou_region.district() {
            Some(d) => {
                let next = u32::try_from(self.dict.len()).unwrap_or(TEXT_UNKNOWN);
                *self.dict_index.entry(d.as_i64()).or_insert_with(|| {
                    self.dict.push(d.short());
                    next
                })
            }
            None => TEXT_UNKNOWN,
        };
        self.district.push(district);
        let status = STATUS.iter().position(|s| *s == p.status.label());
        self.status.push(status.and_then(|i| u8::try_from(i).ok()).unwrap_or(CODE_UNKNOWN));
        for (col, (_, flag)) in self.flags.iter_mut().zip(FLAG_FACTS) {
            col.push(u8::from(p.flags.contains(*flag)));
        }
        let registered = p.registered_since();
        self.registered.push(u8::from(registered.is_some()));
        self.registered_date.push(registered.map_or(DATE_UNKNOWN, date_to_days));
        self.len += 1;
        self.len - 1
    }

    /// Sets a recorded fact of row `row` (a registry fact is left as the registry
    /// has it, as `add_recorded` does). Call after every row is pushed.
    pub fn set_recorded(&mut self, row: usize, id: FactId, v: &Value) {
        let def = id.def();
        if row >= self.len || is_registry_fact(def.key) {
            return;
        }
        let len = self.len;
        let col = self.recorded.entry(usize::from(id.0)).or_insert_with(|| match def.ty {
            Type::Bool => Column::Bool(vec![BOOL_UNKNOWN; len]),
            Type::Number => Column::Int(vec![INT_UNKNOWN; len]),
            Type::Money => Column::Money(vec![MONEY_UNKNOWN; len]),
            Type::Date => Column::Date(vec![DATE_UNKNOWN; len]),
            Type::Enum(_) => Column::Code(vec![CODE_UNKNOWN; len]),
            _ => Column::Text { codes: vec![TEXT_UNKNOWN; len], dict: Vec::new() },
        });
        match (col, v, def.ty) {
            (Column::Bool(c), Value::Bool(b), _) => c[row] = u8::from(*b),
            (Column::Int(c), Value::Number(n), _) if n.den() == 1 => {
                c[row] = i32::try_from(n.num()).unwrap_or(INT_UNKNOWN);
            }
            (Column::Money(c), Value::Money(f), _) => c[row] = f.0,
            (Column::Date(c), Value::Date(d), _) => c[row] = date_to_days(*d),
            (Column::Code(c), Value::Text(t), Type::Enum(values)) => {
                c[row] = values.iter().position(|x| x == t).and_then(|i| u8::try_from(i).ok()).unwrap_or(CODE_UNKNOWN);
            }
            (Column::Text { codes, dict }, Value::Text(t), _) => {
                let i = dict.iter().position(|x| x == t).unwrap_or_else(|| {
                    dict.push(t.clone());
                    dict.len() - 1
                });
                codes[row] = u32::try_from(i).unwrap_or(TEXT_UNKNOWN);
            }
            // A value of another type was refused when it was parsed.
            _ => {}
        }
    }

    pub fn finish(self) -> Result<Population, BulkError> {
        let mut pop = Population::new(EntityKind::Person, self.len);
        pop.set("birth_date", Column::Date(self.birth))?;
        pop.set("retirement_date", Column::Date(self.retire))?;
        pop.set("sex", Column::Code(self.sex))?;
        pop.set("district_code", Column::Text { codes: self.district, dict: self.dict })?;
        pop.set("employment_status", Column::Code(self.status))?;
        for (col, (key, _)) in self.flags.into_iter().zip(FLAG_FACTS) {
            pop.set(key, Column::Bool(col))?;
        }
        pop.set("registered_unemployed", Column::Bool(self.registered))?;
        pop.set("unemployment_registered_date", Column::Date(self.registered_date))?;
        for (i, col) in self.recorded {
            let key = super::facts::FACTS.get(i).map_or("", |d| d.key);
            pop.set(key, col)?;
        }
        Ok(pop)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::policy::facts::fact_by_key;
    use crate::policy::{Library, Status};
    use crate::registry::{InsuranceSet, ServiceNeeds};

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn an_employers_register_gives_its_district_and_whether_it_is_small_or_micro() {
        use crate::jobs::EmployerSize;
        let jiangjin = RegionCode::parse("500116002").ok();
        let f = employer_facts(jiangjin, Some(EmployerSize::Small), Some("某公司".into())).unwrap();
        assert_eq!(f.entity, EntityKind::Employer);
        let get = |f: &Facts, k: &str| f.get(super::super::facts::fact_by_key(k).unwrap()).cloned();
        assert_eq!(get(&f, "district_code"), Some(Value::Text("500116".into())));
        assert_eq!(get(&f, "small_micro_enterprise"), Some(Value::Bool(true)));
        let big = employer_facts(jiangjin, Some(EmployerSize::Large), None).unwrap();
        assert_eq!(get(&big, "small_micro_enterprise"), Some(Value::Bool(false)));
        let unknown = employer_facts(None, None, None).unwrap();
        assert_eq!(unknown.known().count(), 0, "nothing the register does not say");
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
            wanted_kind: None,
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

    #[test]
    fn registry_fact_names_are_in_the_vocabulary() {
        for k in REGISTRY_FACTS {
            assert!(fact_by_key(k).is_some(), "{k}");
        }
        let f = core_facts(&PersonCore::of(&person()), None).unwrap();
        let mut known: Vec<&str> = f.known().map(|(id, _)| id.def().key).collect();
        known.sort_unstable();
        assert!(known.iter().all(|k| is_registry_fact(k)), "{known:?}");
    }

    /// The builder's columns read back, row by row, as the facts `core_facts` and
    /// `add_recorded` give the same person.
    #[test]
    fn columns_agree_with_the_per_person_facts() {
        use crate::policy::facts::parse_stored;
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let regions = ["500116101001", "500101001001", "500235102003", "500000000000"];
        let statuses = EmploymentStatus::ALL;
        let recorded: &[(&str, &[&str])] = &[
            ("flexible_form", &["商贩", "家政服务", "其他"]),
            ("premiums_paid_fen", &["0", "120000", "98765"]),
            ("business_start_date", &["2019-01-01", "2024-12-31"]),
            ("first_business", &["true", "false"]),
            ("staff_count", &["0", "3", "250"]),
            ("returnee", &["true"]), // a registry fact: ignored by both paths
        ];
        let mut b = PopulationBuilder::with_capacity(0);
        let mut expected = Vec::new();
        let mut rec_rows = Vec::new();
        for _ in 0..3000 {
            let core = PersonCore {
                birth_date: date("1950-01-01") + chrono::Days::new(next(20_000)),
                sex: if next(2) == 0 { Sex::Male } else { Sex::Female },
                hukou_region: RegionCode::parse(regions[next(4) as usize]).unwrap(),
                status: statuses[next(statuses.len() as u64) as usize],
                flags: GroupFlags::from_bits(next(256) as i64),
                unemployed_since: (next(3) > 0).then(|| date("2020-01-01") + chrono::Days::new(next(2000))),
            };
            let row = b.push(&core);
            let mut f = core_facts(&core, None).unwrap();
            let mut mine = Vec::new();
            for (k, values) in recorded {
                if next(3) == 0 {
                    let id = fact_by_key(k).unwrap();
                    let v = parse_stored(id.def(), values[next(values.len() as u64) as usize]).unwrap();
                    mine.push((row, id, v));
                }
            }
            add_recorded(&mut f, mine.iter().map(|(_, id, v)| (*id, v.clone()))).unwrap();
            expected.push(f);
            rec_rows.extend(mine);
        }
        for (row, id, v) in &rec_rows {
            b.set_recorded(*row, *id, v);
        }
        let pop = b.finish().unwrap();
        assert_eq!(pop.len(), expected.len());
        for (row, f) in expected.iter().enumerate() {
            assert_eq!(&pop.facts(row), f, "row {row}");
        }
    }
}
