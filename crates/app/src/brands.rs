//! 劳务品牌 (seed 001 §(三): 每年新培育市级劳务品牌10个以上，并根据其带动就业等情况给予
//! 最高50万元/个的奖补; seed 003 专栏1: 国家级劳务品牌): the register kept by district
//! staff, checked field by field. A brand is registered in the caller's region,
//! recognised as 市级 and later perhaps as 国家级 (`domain::brands::recognition_problem`),
//! and assessed for the employment it drives, with the award the department assessed;
//! `labor-brand-award` reads those facts (`policy::brand_entitlements`).

use chrono::NaiveDate;
use jiujin_domain::brands::{recognition_problem, BrandCategory, BrandLevel, Recognitions};
use jiujin_domain::refdata::RefData;
use jiujin_domain::{Fen, RegionCode};
use jiujin_store::brands::{BrandChange, NewBrand};
use jiujin_store::entity::labor_brand;
use jiujin_store::{audit, Scope, Store};

use crate::support::{name, parse_day, region_in_scope, region_range};

/// Why a change was not made: the same field-by-field reasons (or not found, or a
/// store failure) as the other registers of the services.
pub type BrandError = crate::support::SupportError;

/// A brand as the form gives it.
#[derive(Debug, Clone, Default)]
pub struct BrandInput<'a> {
    pub name: &'a str,
    pub region: &'a str,
    pub category: &'a str,
    pub trade: &'a str,
    pub lead_organisation: &'a str,
    pub lead_credit_code: &'a str,
}

/// Registers a brand in a region inside the caller's scope.
pub async fn register(
    store: &Store,
    refdata: &RefData,
    scope: Scope,
    input: &BrandInput<'_>,
    by: &audit::Context,
) -> Result<i64, BrandError> {
    let mut errors = Vec::new();
    let brand_name = name(input.name, "name", "品牌名称", &mut errors);
    let trade = name(input.trade, "trade", "主要工种或行业", &mut errors);
    let category = BrandCategory::parse(input.category);
    if category.is_none() {
        errors.push(("category", format!("品牌类别“{}”无效，应为技能型、服务型、文旅类或家政", input.category.trim())));
    }
    let lead_organisation = match input.lead_organisation.trim() {
        "" => None,
        t if t.chars().count() > 100 => {
            errors.push(("lead_organisation", "龙头企业或机构名称不超过100字".into()));
            None
        }
        t => Some(t.to_string()),
    };
    let lead_credit_code = match input.lead_credit_code.trim() {
        "" => None,
        t => match jiujin_domain::identity::CreditCode::parse(t) {
            Ok((c, _)) => Some(c.as_str().to_string()),
            Err(e) => {
                errors.push(("lead_credit_code", format!("统一社会信用代码“{t}”无效：{e}")));
                None
            }
        },
    };
    let region = region_in_scope(refdata, scope, input.region, &mut errors);
    if region.is_some_and(|r| r.district().is_none()) {
        errors.push(("region", "所在区划应为区县或其下的乡镇（街道）、村（社区）".into()));
    }
    match (region, category) {
        (Some(region), Some(category)) if errors.is_empty() => {
            let b = NewBrand {
                name: brand_name,
                region: region.as_i64(),
                category: category.code(),
                trade,
                lead_organisation,
                lead_credit_code,
            };
            Ok(jiujin_store::brands::create_brand(store, &b, by).await?)
        }
        _ => Err(BrandError::Invalid(errors)),
    }
}

/// Brand `id`, if it lies inside the caller's scope (else not found, as for any record
/// outside it).
pub async fn brand_in_scope(store: &Store, scope: Scope, id: i64) -> Result<labor_brand::Model, BrandError> {
    let range = region_range(scope)?;
    let b = jiujin_store::brands::brand(store, id).await?.ok_or(BrandError::NotFound)?;
    if range.is_some_and(|(lo, hi)| !(lo..=hi).contains(&b.region)) {
        return Err(BrandError::NotFound);
    }
    Ok(b)
}

/// Records that brand `id` was recognised at `level` (市级 or 国家级) on a day: once at
/// each level, 国家级 not before 市级, not after today.
#[allow(clippy::too_many_arguments)]
pub async fn recognise(
    store: &Store,
    scope: Scope,
    id: i64,
    level: &str,
    on: &str,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<(), BrandError> {
    let b = brand_in_scope(store, scope, id).await?;
    let mut errors = Vec::new();
    let level_parsed = BrandLevel::parse(level);
    if level_parsed.is_none() {
        errors.push(("level", format!("认定级别“{}”无效，应为市级或国家级", level.trim())));
    }
    let day = parse_day(on, "on", "认定日期", today, &mut errors);
    let (Some(level), Some(day)) = (level_parsed, day) else {
        return Err(BrandError::Invalid(errors));
    };
    let now = Recognitions { municipal_on: b.municipal_on, national_on: b.national_on };
    if let Some(problem) = recognition_problem(now, level, day) {
        return Err(BrandError::Invalid(vec![("on", problem)]));
    }
    let change = match level {
        BrandLevel::Municipal => BrandChange::Municipal(day),
        BrandLevel::National => BrandChange::National(day),
    };
    Ok(jiujin_store::brands::change_brand(store, id, change, by).await?)
}

/// Records the employment brand `id` drives and the award assessed from it (yuan; the
/// policy caps what is paid, so an assessment above the cap is kept as assessed).
pub async fn assess(
    store: &Store,
    scope: Scope,
    id: i64,
    workers: &str,
    award_yuan: &str,
    by: &audit::Context,
) -> Result<(), BrandError> {
    brand_in_scope(store, scope, id).await?;
    let mut errors = Vec::new();
    let n = workers.trim().parse::<i32>().ok().filter(|n| (0..=10_000_000).contains(n));
    if n.is_none() {
        errors.push(("workers", format!("带动就业人数“{}”应为0至10000000的整数", workers.trim())));
    }
    let award = Fen::parse_yuan(award_yuan.trim()).ok().filter(|f| (0..=10_000_000_000).contains(&f.0));
    if award.is_none() {
        errors.push(("award", format!("核定奖补金额“{}”应为0至1亿元之间的金额（元）", award_yuan.trim())));
    }
    let (Some(workers), Some(award)) = (n, award) else {
        return Err(BrandError::Invalid(errors));
    };
    let change = BrandChange::Assessed { workers, award_fen: award.0 };
    Ok(jiujin_store::brands::change_brand(store, id, change, by).await?)
}

/// The brands inside the caller's scope.
pub async fn brands(store: &Store, scope: Scope) -> Result<Vec<labor_brand::Model>, BrandError> {
    Ok(jiujin_store::brands::brands(store, region_range(scope)?).await?)
}

/// A brand's place and category as the pages show them.
pub fn describe(refdata: &RefData, b: &labor_brand::Model) -> (String, &'static str) {
    let place = RegionCode::from_i64(b.region).map(|r| refdata.region_path(r)).unwrap_or_default();
    let category = BrandCategory::from_code(b.category).map_or("未知", BrandCategory::label);
    (place, category)
}
