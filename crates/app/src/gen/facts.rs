//! The synthetic city's recorded policy facts (`facts.csv`, imported by `jiujin
//! import facts`): what the 社保 system, 市场监管 and the banks would tell the policy
//! service about the generated persons, at plausible rates, so that a 免申即享 run
//! over the synthetic city proposes payouts as it would over a real one.
//!
//! Drawn from its own random stream (so `workers.csv` is the same with or without
//! it), from each person's status and age:
//! - 灵活就业: the form of flexible work, the start of the insurance subsidy and this
//!   month's premiums paid (about two in three pay);
//! - 自主创业: first business, small business, date opened, still operating, insured
//!   employees, and for some a guaranteed loan with its interest;
//! - employed in an enterprise with a certificate earned this year: enterprise
//!   employee, months of unemployment insurance, the certificate date;
//! - registered unemployed: for some, the end of unemployment benefit;
//! - aged 21–24: some are this year's graduates.

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Days, NaiveDate};
use jiujin_domain::registry::{EmploymentStatus, GroupFlag};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::population::Person;
use super::GenError;

const FORMS: [(&str, f64); 5] =
    [("家政服务", 0.15), ("个体工商户雇工", 0.20), ("商贩", 0.20), ("网约车驾驶员", 0.15), ("其他", 0.30)];
/// Share of flexible workers who pay their pension and medical premiums.
const FLEXIBLE_PAYING: f64 = 0.65;
const ENTREPRENEUR_LOAN: f64 = 0.15;
const EMPLOYED_CERTIFICATE: f64 = 0.03;
const BENEFIT_ENDED: f64 = 0.25;
const GRADUATE: f64 = 0.06;

pub(super) struct FactsWriter {
    writer: csv::Writer<File>,
    rng: ChaCha8Rng,
    as_of: NaiveDate,
    month_start: NaiveDate,
    year_start: NaiveDate,
    path: PathBuf,
    pub rows: u64,
}

impl FactsWriter {
    pub fn create(part: &Path, rng: ChaCha8Rng, as_of: NaiveDate) -> Result<FactsWriter, GenError> {
        let file = File::create(part).map_err(|source| GenError::Io { path: part.to_path_buf(), source })?;
        let mut writer = csv::WriterBuilder::new()
            .buffer_capacity(1 << 20)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(file);
        writer
            .write_record(crate::facts::COLUMNS)
            .map_err(|source| GenError::Csv { path: part.to_path_buf(), source })?;
        let month_start = as_of.with_day(1).unwrap_or(as_of);
        let year_start = NaiveDate::from_ymd_opt(as_of.year(), 1, 1).unwrap_or(as_of);
        Ok(FactsWriter { writer, rng, as_of, month_start, year_start, path: part.to_path_buf(), rows: 0 })
    }

    fn put(&mut self, p: &Person, fact: &str, value: &str, from: NaiveDate, source: &str) -> Result<(), GenError> {
        let from = from.format("%Y-%m-%d").to_string();
        self.writer
            .write_record([p.id.as_str(), fact, value, from.as_str(), source])
            .map_err(|source| GenError::Csv { path: self.path.clone(), source })?;
        self.rows += 1;
        Ok(())
    }

    /// A day in the `days` before the data date (not before `floor`).
    fn back(&mut self, days: u64, floor: NaiveDate) -> NaiveDate {
        let d = self.as_of - Days::new(self.rng.gen_range(0..=days));
        d.max(floor)
    }

    pub fn write(&mut self, p: &Person) -> Result<(), GenError> {
        let adult = p.birth + chrono::Months::new(16 * 12);
        let age = self.as_of.years_since(p.birth).unwrap_or(0);
        match p.status {
            EmploymentStatus::Flexible => {
                let r: f64 = self.rng.gen_range(0.0..1.0);
                let mut acc = 0.0;
                let form = FORMS.iter().find(|(_, w)| {
                    acc += w;
                    r < acc
                });
                let start = self.back(6 * 365, adult);
                self.put(p, "flexible_form", form.map_or("其他", |f| f.0), start, "人力社保局就业登记")?;
                self.put(p, "flexible_insurance_start_date", &start.to_string(), start, "社保系统")?;
                let premiums: u32 =
                    if self.rng.gen_bool(FLEXIBLE_PAYING) { self.rng.gen_range(95_000..=135_000) } else { 0 };
                let month = self.month_start;
                self.put(p, "premiums_paid_fen", &premiums.to_string(), month, "社保系统")?;
            }
            EmploymentStatus::Entrepreneur => {
                let opened = self.back(8 * 365, adult);
                let first = self.rng.gen_bool(0.8);
                self.put(p, "first_business", bool_text(first), opened, "市场监管")?;
                let small = self.rng.gen_bool(0.9);
                self.put(p, "small_business", bool_text(small), opened, "市场监管")?;
                self.put(p, "business_start_date", &opened.to_string(), opened, "市场监管")?;
                let operating = self.rng.gen_bool(0.9);
                self.put(p, "business_operating", bool_text(operating), self.year_start.max(opened), "市场监管")?;
                let employees: u32 = self.rng.gen_range(0..=8);
                self.put(p, "business_insured_employees", &employees.to_string(), self.month_start, "社保系统")?;
                if self.rng.gen_bool(ENTREPRENEUR_LOAN) {
                    let yuan: u32 = self.rng.gen_range(5..=30) * 10_000;
                    let lent = self.back(2 * 365, opened);
                    self.put(p, "loan_principal_fen", &(u64::from(yuan) * 100).to_string(), lent, "经办银行")?;
                    // A quarter's interest at about 3.5% a year.
                    let interest = u64::from(yuan) * 100 * 35 / 1000 / 4;
                    self.put(p, "loan_interest_paid_fen", &interest.to_string(), self.month_start, "经办银行")?;
                }
            }
            EmploymentStatus::LocalEmployed if self.rng.gen_bool(EMPLOYED_CERTIFICATE) => {
                let earned = self.back(u64::from(self.as_of.ordinal0()), self.year_start);
                self.put(p, "enterprise_employee", "true", self.year_start, "社保系统")?;
                let months: u32 = self.rng.gen_range(0..=180);
                self.put(p, "unemployment_insurance_months", &months.to_string(), self.month_start, "社保系统")?;
                self.put(p, "certificate_date", &earned.to_string(), earned, "职业技能鉴定中心")?;
            }
            EmploymentStatus::Unemployed if p.unemployed_since.is_some() && self.rng.gen_bool(BENEFIT_ENDED) => {
                let since = p.unemployed_since.unwrap_or(self.as_of);
                let ended = self.back(400, since);
                self.put(p, "benefit_end_date", &ended.to_string(), ended, "社保系统")?;
            }
            _ => {}
        }
        if (21..=24).contains(&age) && !p.flags.contains(GroupFlag::Returnee) && self.rng.gen_bool(GRADUATE) {
            self.put(p, "fresh_graduate", "true", self.year_start, "教育部门")?;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<u64, GenError> {
        let path = self.path.clone();
        self.writer.into_inner().map_err(|e| GenError::Io { path, source: e.into_error() })?;
        Ok(self.rows)
    }
}

fn bool_text(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}
