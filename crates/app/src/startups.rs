//! 返乡创业 (SPEC §6, seed 001 §(七)): entrepreneurs registered from the real-name
//! registry (by 公民身份号码 inside the caller's scope) with their business linked to the
//! employer register by 统一社会信用代码, loans (a guaranteed loan above the cap in force
//! is refused, the cap read from `startup-guaranteed-loan`), 返乡创业园区 with tenants and
//! one evaluation per year (the award read from `startup-park-subsidy`), the 导师库 and
//! pairings, and the 在外创业成功人士信息库. Every input checked field by field.

use chrono::NaiveDate;
use jiujin_domain::identity::IdNumber;
use jiujin_domain::policy::Library;
use jiujin_domain::refdata::RefData;
use jiujin_domain::startups::{over_individual_cap, park_award, ParkGrade};
use jiujin_domain::{Fen, RegionCode};
use jiujin_store::registry::{list_persons, PersonFilter};
use jiujin_store::startups::{NewEntrepreneur, NewLoan, NewOutside};
use jiujin_store::{audit, Scope, Store, StoreError};

use crate::crypto::Keys;

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{}", .0.join("；"))]
    Invalid(Vec<String>),
    #[error("未找到，或不在您的管辖范围内")]
    NotFound,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for StartupError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => StartupError::NotFound,
            StoreError::Conflict(m) => StartupError::Invalid(vec![m]),
            e => StartupError::Store(e),
        }
    }
}

/// The region range of a staff scope.
pub fn region_range(scope: Scope) -> Result<Option<(i64, i64)>, StartupError> {
    match scope {
        Scope::City => Ok(None),
        Scope::Region(code) => Ok(Some(code.subtree_range())),
        Scope::Person(_) | Scope::Nothing => Err(StartupError::NotFound),
    }
}

/// Field checks that collect every problem.
struct Check<'r> {
    refdata: &'r RefData,
    today: NaiveDate,
    errors: Vec<String>,
}

impl Check<'_> {
    fn text(&mut self, v: &str, label: &str, max: usize) -> String {
        let t = v.trim();
        if t.is_empty() || t.chars().count() > max {
            self.errors.push(format!("{label}不能为空，且不超过{max}字"));
        }
        t.to_string()
    }

    fn day(&mut self, v: &str, label: &str) -> Option<NaiveDate> {
        match jiujin_domain::registry::validate::parse_date(v.trim()) {
            Some(d) if d <= self.today => Some(d),
            Some(d) => {
                self.errors.push(format!("{label} {d} 晚于今天"));
                None
            }
            None => {
                self.errors.push(format!("{label}“{}”无效，应为 YYYY-MM-DD", v.trim()));
                None
            }
        }
    }

    fn number(&mut self, v: &str, label: &str, range: std::ops::RangeInclusive<i32>) -> Option<i32> {
        let n = v.trim().parse::<i32>().ok().filter(|n| range.contains(n));
        if n.is_none() {
            self.errors.push(format!("{label}应为{}至{}的整数", range.start(), range.end()));
        }
        n
    }

    fn region(&mut self, v: &str, scope: Scope) -> Option<RegionCode> {
        match RegionCode::parse(v.trim()) {
            Ok(c) if self.refdata.region(c).is_some() => {
                if scope.admits(c, None) {
                    Some(c)
                } else {
                    self.errors.push("所在区划不在您的管辖范围内".into());
                    None
                }
            }
            _ => {
                self.errors.push(format!("区划代码“{}”不是重庆市的区划", v.trim()));
                None
            }
        }
    }

    fn industry(&mut self, v: &str) -> Option<String> {
        match v.trim() {
            "" => None,
            t => match self.refdata.industry(t) {
                Some(i) => Some(i.code.clone()),
                None => {
                    self.errors.push(format!("行业“{t}”不在国民经济行业分类中"));
                    None
                }
            },
        }
    }

    fn done(self) -> Result<(), StartupError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(StartupError::Invalid(self.errors))
        }
    }
}

/// An entrepreneur as a form gives it.
#[derive(Debug, Clone, Default)]
pub struct EntrepreneurInput<'a> {
    pub id_number: &'a str,
    pub returned_on: &'a str,
    pub business_name: &'a str,
    pub credit_code: &'a str,
    pub industry: &'a str,
    pub region: &'a str,
    pub started_on: &'a str,
    pub employees: &'a str,
}

/// Registers the person with this 公民身份号码 (inside `scope`) as an entrepreneur.
pub async fn register(
    store: &Store,
    keys: &Keys,
    refdata: &RefData,
    scope: Scope,
    i: &EntrepreneurInput<'_>,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<i64, StartupError> {
    let mut c = Check { refdata, today, errors: Vec::new() };
    let person = match IdNumber::parse(i.id_number.trim(), today) {
        Ok(id) => {
            let filter = PersonFilter { id_hmac: Some(keys.id_hmac(&id)), ..Default::default() };
            let p = list_persons(store, scope, &filter, 0, 1).await?.rows.into_iter().next();
            if p.is_none() {
                c.errors.push(format!("{} 不在实名台账中，或不在您的管辖范围内", id.masked()));
            }
            p
        }
        Err(e) => {
            c.errors.push(format!("公民身份号码无效：{e}"));
            None
        }
    };
    let returned_on = match i.returned_on.trim() {
        "" => None,
        t => c.day(t, "返乡日期"),
    };
    let business_name = c.text(i.business_name, "经营主体名称", 100);
    let credit_code = match i.credit_code.trim() {
        "" => None,
        t => match jiujin_domain::identity::CreditCode::parse(t) {
            Ok((code, _)) => Some(code.as_str().to_string()),
            Err(e) => {
                c.errors.push(format!("统一社会信用代码“{t}”无效：{e}"));
                None
            }
        },
    };
    let industry = c.industry(i.industry);
    let region = c.region(i.region, scope);
    let started_on = c.day(i.started_on, "开业日期");
    let employees = c.number(i.employees, "带动就业人数", 0..=100_000);
    if let (Some(r), Some(s)) = (returned_on, started_on) {
        if s < r.checked_sub_months(chrono::Months::new(12)).unwrap_or(r) {
            c.errors.push(format!("开业日期 {s} 早于返乡日期 {r} 一年以上，不是返乡后创业"));
        }
    }
    let (Some(p), Some(region), Some(started_on), Some(employees)) = (person, region, started_on, employees) else {
        return Err(StartupError::Invalid(c.errors));
    };
    c.done()?;
    let e = NewEntrepreneur {
        person_id: p.id,
        returned_on,
        business_name,
        credit_code,
        industry,
        region: region.as_i64(),
        started_on,
        employees,
    };
    Ok(jiujin_store::startups::create_entrepreneur(store, scope, &e, by).await?)
}

/// Records a loan; a guaranteed loan above the individual cap in force on its date is
/// refused with the cap.
#[allow(clippy::too_many_arguments)]
pub async fn add_loan(
    store: &Store,
    library: &Library,
    scope: Scope,
    entrepreneur_id: i64,
    lender: &str,
    amount: &str,
    granted_on: &str,
    term_months: &str,
    guaranteed: bool,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<i64, StartupError> {
    let refdata = RefData::embedded().map_err(|e| StartupError::Invalid(vec![e.to_string()]))?;
    let mut c = Check { refdata, today, errors: Vec::new() };
    let lender = c.text(lender, "贷款银行", 100);
    let amount = match Fen::parse_yuan(amount.trim()) {
        Ok(f) if f.0 > 0 => Some(f),
        _ => {
            c.errors.push(format!("贷款金额“{}”应为正数（元）", amount.trim()));
            None
        }
    };
    let on = c.day(granted_on, "放款日期");
    let term = c.number(term_months, "贷款期限（月）", 1..=120);
    if let (true, Some(a), Some(d)) = (guaranteed, amount, on) {
        if let Some(p) = library.get("startup-guaranteed-loan") {
            if let Some((true, cap)) = over_individual_cap(p, a, d) {
                c.errors.push(format!(
                    "个人创业担保贷款最高 {} 元（{d} 起执行的额度），本笔 {} 元超出",
                    cap.to_yuan_compact(),
                    a.to_yuan_compact()
                ));
            }
        }
    }
    let (Some(amount), Some(granted_on), Some(term_months)) = (amount, on, term) else {
        return Err(StartupError::Invalid(c.errors));
    };
    c.done()?;
    let l = NewLoan { lender, amount_fen: amount.0, granted_on, term_months, guaranteed };
    Ok(jiujin_store::startups::add_loan(store, scope, entrepreneur_id, &l, by).await?)
}

/// Registers a park.
#[allow(clippy::too_many_arguments)]
pub async fn create_park(
    store: &Store,
    refdata: &RefData,
    scope: Scope,
    name: &str,
    region: &str,
    municipal: bool,
    recognized_on: &str,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<i64, StartupError> {
    let mut c = Check { refdata, today, errors: Vec::new() };
    let name = c.text(name, "园区名称", 100);
    let region = c.region(region, scope);
    let on = c.day(recognized_on, "认定日期");
    let (Some(region), Some(on)) = (region, on) else {
        return Err(StartupError::Invalid(c.errors));
    };
    c.done()?;
    Ok(jiujin_store::startups::create_park(store, &name, region.as_i64(), municipal, on, by).await?)
}

/// Records a park's evaluation of a finished year; the award of a 市级 park comes from
/// `startup-park-subsidy` (none for a district park or 不合格).
#[allow(clippy::too_many_arguments)]
pub async fn evaluate(
    store: &Store,
    library: &Library,
    scope: Scope,
    park_id: i64,
    year: &str,
    grade: &str,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<Option<Fen>, StartupError> {
    let park = jiujin_store::startups::park(store, park_id).await?.ok_or(StartupError::NotFound)?;
    if let Some((lo, hi)) = region_range(scope)? {
        if !(lo..=hi).contains(&park.region) {
            return Err(StartupError::NotFound);
        }
    }
    let mut errors = Vec::new();
    let year = year.trim().parse::<i32>().ok().filter(|y| (2000..chrono::Datelike::year(&today)).contains(y));
    if year.is_none() {
        errors.push("评估年度应为已结束的年份".to_string());
    }
    let grade = ParkGrade::parse(grade);
    if grade.is_none() {
        errors.push("评估等次应为优、良、合格或不合格".into());
    }
    let (Some(year), Some(grade)) = (year, grade) else {
        return Err(StartupError::Invalid(errors));
    };
    let award = if park.municipal {
        library.get("startup-park-subsidy").and_then(|p| park_award(p, grade, year))
    } else {
        None
    };
    jiujin_store::startups::evaluate_park(store, park_id, year, grade.code(), award.map(|f| f.0), by).await?;
    Ok(award)
}

/// Adds a mentor.
#[allow(clippy::too_many_arguments)]
pub async fn create_mentor(
    store: &Store,
    refdata: &RefData,
    scope: Scope,
    name: &str,
    organisation: &str,
    expertise: &str,
    region: &str,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<i64, StartupError> {
    let mut c = Check { refdata, today, errors: Vec::new() };
    let name = c.text(name, "导师姓名", 50);
    let organisation = c.text(organisation, "所在单位", 100);
    let expertise = c.text(expertise, "擅长领域", 100);
    let region = c.region(region, scope);
    let Some(region) = region else {
        return Err(StartupError::Invalid(c.errors));
    };
    c.done()?;
    Ok(jiujin_store::startups::create_mentor(store, &name, &organisation, &expertise, region.as_i64(), by).await?)
}

/// An entry of the 在外创业成功人士信息库 as a form gives it.
#[derive(Debug, Clone, Default)]
pub struct OutsideInput<'a> {
    pub name: &'a str,
    pub home_region: &'a str,
    pub province: &'a str,
    pub city: &'a str,
    pub enterprise: &'a str,
    pub industry: &'a str,
    pub employees: &'a str,
    pub willing_to_return: bool,
}

pub async fn create_outside(
    store: &Store,
    refdata: &RefData,
    scope: Scope,
    i: &OutsideInput<'_>,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<i64, StartupError> {
    let mut c = Check { refdata, today, errors: Vec::new() };
    let name = c.text(i.name, "姓名", 50);
    let home = c.region(i.home_region, scope);
    let province = refdata.province(i.province.trim()).filter(|p| *p != 50);
    if province.is_none() {
        c.errors.push(format!("创业所在省份“{}”应为重庆市以外的省份", i.province.trim()));
    }
    let city = c.text(i.city, "所在城市", 50);
    let enterprise = c.text(i.enterprise, "企业名称", 100);
    let industry = c.industry(i.industry);
    let employees = c.number(i.employees, "企业人数", 0..=1_000_000);
    let (Some(home), Some(province), Some(employees)) = (home, province, employees) else {
        return Err(StartupError::Invalid(c.errors));
    };
    c.done()?;
    let o = NewOutside {
        name,
        home_region: home.as_i64(),
        province,
        city,
        enterprise,
        industry,
        employees,
        willing_to_return: i.willing_to_return,
    };
    Ok(jiujin_store::startups::create_outside(store, &o, by).await?)
}

/// Entrepreneurs as Excel (names and businesses; no identity number).
pub fn entrepreneurs_xlsx(
    refdata: &RefData,
    rows: &[jiujin_store::startups::EntrepreneurRow],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let header = ["姓名", "经营主体", "统一社会信用代码", "行业", "所在地", "返乡日期", "开业日期", "带动就业"];
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.e.business_name.clone(),
                r.e.credit_code.clone().unwrap_or_default(),
                r.e.industry.clone().unwrap_or_default(),
                RegionCode::from_i64(r.e.region).map(|c| refdata.region_path(c)).unwrap_or_default(),
                r.e.returned_on.map(|d| d.to_string()).unwrap_or_default(),
                r.e.started_on.to_string(),
                r.e.employees.to_string(),
            ]
        })
        .collect();
    crate::services::table_xlsx("返乡创业", &header, &rows)
}
