//! 就业帮扶车间 and 公益性岗位 (SPEC §6, seed 001 §(二)): registering workshops and posts
//! (checked field by field), the spells of the persons they employ (looked up by
//! 公民身份号码 inside the caller's scope), the counts that feed the workshop award and
//! the targets (家门口 employment this year, 脱贫 share; holders on a date), the tenure
//! of each holder with those due to leave, and both lists as Excel.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use jiujin_domain::identity::{IdNumber, Sex};
use jiujin_domain::refdata::RefData;
use jiujin_domain::registry::{GroupFlag, GroupFlags};
use jiujin_domain::support::{employed_during, employed_on, tenure, ExitReason, Spell, TenureRules, TenureState};
use jiujin_domain::RegionCode;
use jiujin_store::registry::{list_persons, PersonFilter};
use jiujin_store::support::{Host, NewPost, NewWorkshop, SpellRefusal, SpellRow};
use jiujin_store::{audit, Scope, Store, StoreError};

use crate::crypto::Keys;

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum SupportError {
    #[error("{}", .0.iter().map(|(f, m)| format!("{f}：{m}")).collect::<Vec<_>>().join("；"))]
    Invalid(Vec<(&'static str, String)>),
    #[error("未找到，或不在您的管辖范围内")]
    NotFound,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for SupportError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => SupportError::NotFound,
            StoreError::Conflict(m) => SupportError::Invalid(vec![("name", m)]),
            e => SupportError::Store(e),
        }
    }
}

/// The region range of a staff scope.
pub fn region_range(scope: Scope) -> Result<Option<(i64, i64)>, SupportError> {
    match scope {
        Scope::City => Ok(None),
        Scope::Region(code) => Ok(Some(code.subtree_range())),
        Scope::Person(_) | Scope::Nothing => Err(SupportError::NotFound),
    }
}

pub(crate) fn region_in_scope(
    refdata: &RefData,
    scope: Scope,
    text: &str,
    errors: &mut Vec<(&'static str, String)>,
) -> Option<RegionCode> {
    match RegionCode::parse(text.trim()) {
        Ok(c) if refdata.region(c).is_some() => {
            if scope.admits(c, None) {
                Some(c)
            } else {
                errors.push(("region", "所在区划不在您的管辖范围内".into()));
                None
            }
        }
        _ => {
            errors.push(("region", format!("区划代码“{}”不是重庆市的区划", text.trim())));
            None
        }
    }
}

pub(crate) fn parse_day(
    text: &str,
    field: &'static str,
    label: &str,
    today: NaiveDate,
    errors: &mut Vec<(&'static str, String)>,
) -> Option<NaiveDate> {
    match jiujin_domain::registry::validate::parse_date(text.trim()) {
        Some(d) if d <= today => Some(d),
        Some(d) => {
            errors.push((field, format!("{label} {d} 晚于今天")));
            None
        }
        None => {
            errors.push((field, format!("{label}“{}”无效，应为 YYYY-MM-DD", text.trim())));
            None
        }
    }
}

pub(crate) fn name(text: &str, field: &'static str, label: &str, errors: &mut Vec<(&'static str, String)>) -> String {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > 100 {
        errors.push((field, format!("{label}不能为空，且不超过100字")));
    }
    t.to_string()
}

/// Registers a workshop recognised on a date.
#[allow(clippy::too_many_arguments)]
pub async fn register_workshop(
    store: &Store,
    refdata: &RefData,
    scope: Scope,
    name_text: &str,
    credit_code: &str,
    region: &str,
    trade: &str,
    recognized_on: &str,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<i64, SupportError> {
    let mut errors = Vec::new();
    let name = name(name_text, "name", "车间名称", &mut errors);
    let trade = self::name(trade, "trade", "主营业务", &mut errors);
    let credit_code = match credit_code.trim() {
        "" => None,
        t => match jiujin_domain::identity::CreditCode::parse(t) {
            Ok((c, _)) => Some(c.as_str().to_string()),
            Err(e) => {
                errors.push(("credit_code", format!("统一社会信用代码“{t}”无效：{e}")));
                None
            }
        },
    };
    let region = region_in_scope(refdata, scope, region, &mut errors);
    let on = parse_day(recognized_on, "recognized_on", "认定日期", today, &mut errors);
    match (region, on) {
        (Some(region), Some(recognized_on)) if errors.is_empty() => {
            let w = NewWorkshop { name, credit_code, region: region.as_i64(), trade, recognized_on };
            Ok(jiujin_store::support::create_workshop(store, &w, by).await?)
        }
        _ => Err(SupportError::Invalid(errors)),
    }
}

/// Creates a 公益性岗位 with its places.
#[allow(clippy::too_many_arguments)]
pub async fn create_post(
    store: &Store,
    refdata: &RefData,
    scope: Scope,
    title: &str,
    unit: &str,
    region: &str,
    rural: bool,
    places: &str,
    by: &audit::Context,
) -> Result<i64, SupportError> {
    let mut errors = Vec::new();
    let title = name(title, "title", "岗位名称", &mut errors);
    let unit = name(unit, "unit", "用人单位", &mut errors);
    let region = region_in_scope(refdata, scope, region, &mut errors);
    let places = places.trim().parse::<i32>().ok().filter(|n| (1..=1000).contains(n));
    if places.is_none() {
        errors.push(("places", "岗位数应为1至1000的整数".into()));
    }
    match (region, places) {
        (Some(region), Some(places)) if errors.is_empty() => {
            let p = NewPost { title, unit, region: region.as_i64(), rural, places };
            Ok(jiujin_store::support::create_post(store, &p, by).await?)
        }
        _ => Err(SupportError::Invalid(errors)),
    }
}

/// Starts the spell of the person with this 公民身份号码 (inside `scope`) at a host in
/// the caller's region.
#[allow(clippy::too_many_arguments)]
pub async fn start(
    store: &Store,
    keys: &Keys,
    scope: Scope,
    host: Host,
    host_id: i64,
    id_number: &str,
    start_on: &str,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<i64, SupportError> {
    let mut errors = Vec::new();
    let on = parse_day(start_on, "start_on", "上岗日期", today, &mut errors);
    let person = match IdNumber::parse(id_number.trim(), today) {
        Ok(id) => {
            let filter = PersonFilter { id_hmac: Some(keys.id_hmac(&id)), ..Default::default() };
            let p = list_persons(store, scope, &filter, 0, 1).await?.rows.into_iter().next();
            if p.is_none() {
                errors.push(("id_number", format!("{} 不在实名台账中，或不在您的管辖范围内", id.masked())));
            }
            p
        }
        Err(e) => {
            errors.push(("id_number", format!("公民身份号码无效：{e}")));
            None
        }
    };
    let (Some(p), Some(on)) = (person, on) else {
        return Err(SupportError::Invalid(errors));
    };
    match jiujin_store::support::start_spell(store, scope, host, host_id, p.id, on, by).await? {
        Ok(id) => Ok(id),
        Err(SpellRefusal::AlreadyThere) => Err(SupportError::Invalid(vec![("id_number", "该人员已在岗".into())])),
        Err(SpellRefusal::HoldsAnotherPost(h)) => Err(SupportError::Invalid(vec![(
            "id_number",
            format!("该人员已在其他公益性岗位（编号 {h}）在岗，不能同时安置"),
        )])),
        Err(SpellRefusal::Full) => Err(SupportError::Invalid(vec![("id_number", "该公益性岗位已满员".into())])),
    }
}

/// Ends a spell on a date, with the reason (required for a 公益性岗位).
#[allow(clippy::too_many_arguments)]
pub async fn end(
    store: &Store,
    scope: Scope,
    host: Host,
    spell_id: i64,
    end_on: &str,
    reason: &str,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<(), SupportError> {
    let mut errors = Vec::new();
    let on = parse_day(end_on, "end_on", "离岗日期", today, &mut errors);
    let reason = match (host, reason.trim()) {
        (Host::Workshop, "") => None,
        (_, t) => match ExitReason::parse(t) {
            Some(r) => Some(r.code()),
            None => {
                errors.push(("reason", "请选择退出原因".into()));
                None
            }
        },
    };
    let Some(on) = on else {
        return Err(SupportError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(SupportError::Invalid(errors));
    }
    match jiujin_store::support::end_spell(store, scope, host, spell_id, on, reason, by).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(SupportError::Invalid(vec![("end_on", "该记录已离岗".into())])),
        Err(StoreError::Conflict(m)) => Err(SupportError::Invalid(vec![("end_on", m)])),
        Err(e) => Err(e.into()),
    }
}

fn spell(r: &SpellRow) -> Spell {
    Spell {
        start: r.start,
        end: r.end,
        poverty_alleviated: GroupFlags::from_bits(i64::from(r.flags)).contains(GroupFlag::PovertyAlleviated),
    }
}

/// A workshop with its counts on a date.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WorkshopSummary {
    pub id: i64,
    pub name: String,
    pub place: String,
    pub trade: String,
    pub recognized_on: NaiveDate,
    /// Employed on the date, and of them 脱贫人口.
    pub employed: u64,
    pub poverty: u64,
    /// Persons who worked there at any time this year (家门口就业).
    pub this_year: u64,
}

/// The workshops of the caller's region with their counts, and the totals.
pub async fn workshops(
    store: &Store,
    refdata: &RefData,
    scope: Scope,
    on: NaiveDate,
) -> Result<(Vec<WorkshopSummary>, WorkshopSummary), SupportError> {
    let region = region_range(scope)?;
    let list = jiujin_store::support::workshops(store, region).await?;
    // Counts cover everyone employed there (no person is shown), so the whole city.
    let rows = jiujin_store::support::spells(store, Scope::City, Host::Workshop, region, None).await?;
    let mut by: HashMap<i64, Vec<Spell>> = HashMap::new();
    for r in &rows {
        by.entry(r.host_id).or_default().push(spell(r));
    }
    let year_start = NaiveDate::from_ymd_opt(on.year(), 1, 1).unwrap_or(on);
    let mut total = WorkshopSummary {
        id: 0,
        name: "合计".into(),
        place: String::new(),
        trade: String::new(),
        recognized_on: on,
        employed: 0,
        poverty: 0,
        this_year: 0,
    };
    let out = list
        .into_iter()
        .map(|w| {
            let spells = by.get(&w.id).map_or(&[][..], |v| v.as_slice());
            let (employed, poverty) = employed_on(spells, on);
            let this_year = employed_during(spells, year_start, on);
            total.employed += employed;
            total.poverty += poverty;
            total.this_year += this_year;
            WorkshopSummary {
                id: w.id,
                name: w.name,
                place: RegionCode::from_i64(w.region).map(|r| refdata.region_path(r)).unwrap_or_default(),
                trade: w.trade,
                recognized_on: w.recognized_on,
                employed,
                poverty,
                this_year,
            }
        })
        .collect();
    Ok((out, total))
}

/// A holder of a 公益性岗位 with their tenure.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Holder {
    pub spell: i64,
    pub post: i64,
    pub post_title: String,
    pub person: i64,
    pub name: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub exit: Option<&'static str>,
    pub term_ends: NaiveDate,
    pub to_retirement: bool,
    pub state: String,
    /// Past the term and still on the post.
    pub overdue: bool,
    pub ending_soon: bool,
    pub poverty: bool,
}

/// The holders (current and past) of the posts of the caller's region whose persons
/// lie in its scope; those still on their post first, most overdue first.
pub async fn holders(store: &Store, scope: Scope, on: NaiveDate) -> Result<Vec<Holder>, SupportError> {
    let region = region_range(scope)?;
    let titles: HashMap<i64, String> =
        jiujin_store::support::posts(store, region).await?.into_iter().map(|p| (p.id, p.title)).collect();
    let rules = TenureRules::default();
    let mut out: Vec<Holder> = jiujin_store::support::spells(store, scope, Host::Post, region, None)
        .await?
        .into_iter()
        .map(|r| {
            let sex = Sex::from_code(r.sex).unwrap_or(Sex::Male);
            let t = tenure(r.start, r.birth_date, sex, &rules, false);
            let st = TenureState::of(&t, on);
            let current = r.end.is_none();
            Holder {
                spell: r.id,
                post: r.host_id,
                post_title: titles.get(&r.host_id).cloned().unwrap_or_default(),
                person: r.person_id,
                name: r.name.clone(),
                start: r.start,
                end: r.end,
                exit: r.exit_reason.and_then(ExitReason::from_code).map(ExitReason::label),
                term_ends: t.ends,
                to_retirement: t.to_retirement,
                state: if current { st.label() } else { "已离岗".into() },
                overdue: current && matches!(st, TenureState::Overdue(_)),
                ending_soon: current && matches!(st, TenureState::EndingSoon(_)),
                poverty: GroupFlags::from_bits(i64::from(r.flags)).contains(GroupFlag::PovertyAlleviated),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        a.end.is_some().cmp(&b.end.is_some()).then(a.term_ends.cmp(&b.term_ends)).then(a.spell.cmp(&b.spell))
    });
    Ok(out)
}

/// Holders as Excel (names, no identity numbers).
pub fn holders_xlsx(rows: &[Holder]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("公益性岗位在岗人员")?;
    let head = ["岗位", "姓名", "脱贫人口", "上岗日期", "期满日期", "状态", "离岗日期", "退出原因"];
    for (i, h) in head.iter().enumerate() {
        sheet.write_with_format(0, i as u16, *h, &bold)?;
    }
    for (i, h) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write(r, 0, &h.post_title)?;
        sheet.write(r, 1, &h.name)?;
        sheet.write(r, 2, if h.poverty { "是" } else { "" })?;
        sheet.write(r, 3, h.start.to_string())?;
        sheet.write(
            r,
            4,
            if h.to_retirement { format!("{}（至退休）", h.term_ends) } else { h.term_ends.to_string() },
        )?;
        sheet.write(r, 5, &h.state)?;
        sheet.write(r, 6, h.end.map(|d| d.to_string()).unwrap_or_default())?;
        sheet.write(r, 7, h.exit.unwrap_or(""))?;
    }
    sheet.autofit();
    book.save_to_buffer()
}

/// Workshops as Excel (counts only).
pub fn workshops_xlsx(
    rows: &[WorkshopSummary],
    total: &WorkshopSummary,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("就业帮扶车间")?;
    let head = ["车间", "所在地", "主营业务", "认定日期", "在岗人数", "其中脱贫人口", "本年带动就业"];
    for (i, h) in head.iter().enumerate() {
        sheet.write_with_format(0, i as u16, *h, &bold)?;
    }
    for (i, w) in rows.iter().chain(std::iter::once(total)).enumerate() {
        let r = i as u32 + 1;
        sheet.write(r, 0, &w.name)?;
        sheet.write(r, 1, &w.place)?;
        sheet.write(r, 2, &w.trade)?;
        sheet.write(r, 3, if w.id == 0 { String::new() } else { w.recognized_on.to_string() })?;
        sheet.write(r, 4, w.employed as f64)?;
        sheet.write(r, 5, w.poverty as f64)?;
        sheet.write(r, 6, w.this_year as f64)?;
    }
    sheet.autofit();
    book.save_to_buffer()
}
