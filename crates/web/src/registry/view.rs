//! What a page or API response shows of a person or an event: Chinese labels,
//! region names, and masked identity number and phone.

use jiujin_domain::identity::IdNumber;
use jiujin_domain::registry::{age_on, FlagSet, GroupFlags, InsuranceSet, Phone};
use jiujin_domain::RegionCode;
use jiujin_store::registry::{PersonLine, StoredPerson, TimelineEntry};
use serde::Serialize;

use crate::AppState;

/// A person as lists, pages and the API show them: identity number and phone masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonView {
    pub id: i64,
    pub name: String,
    pub id_number_masked: String,
    pub phone_masked: Option<String>,
    pub sex: &'static str,
    pub birth_year: i32,
    pub age: u32,
    pub hukou_region: String,
    pub hukou_region_name: String,
    pub residence_region_name: Option<String>,
    pub status: &'static str,
    pub status_since: String,
    pub work_place: Option<String>,
    pub industry: Option<String>,
    pub occupation: Option<String>,
    pub skill_level: Option<u8>,
    pub expected_wage_yuan: Option<String>,
    /// 意向用工形式（全职、非全日制、临时/季节性、零工），未填为 null
    pub wanted_kind: Option<&'static str>,
    pub flags: Vec<&'static str>,
    pub insurance: Vec<&'static str>,
    pub needs: Vec<&'static str>,
    pub unemployed_since: Option<String>,
    pub household_no: Option<String>,
}

fn labels<F: jiujin_domain::registry::Flag>(set: FlagSet<F>) -> Vec<&'static str> {
    set.iter().map(|f| f.label()).collect()
}

/// The identity number behind `cipher`, masked (`500116********123X`).
fn masked_id(state: &AppState, cipher: &[u8], today: chrono::NaiveDate) -> String {
    state
        .keys
        .decrypt_id(cipher)
        .ok()
        .and_then(|t| IdNumber::parse(&t, today).ok())
        .map(|i| i.masked())
        .unwrap_or_else(|| "（无法解密）".into())
}

/// The phone behind `cipher`, masked (`138****5678`).
fn masked_phone(state: &AppState, cipher: Option<&[u8]>) -> Option<String> {
    cipher.and_then(|c| state.keys.decrypt_phone(c).ok()).and_then(|t| Phone::parse(&t).ok()).map(|p| p.masked())
}

/// Where a person works: the region's path in Chongqing, or the province outside it.
fn work_place(state: &AppState, region: Option<RegionCode>, province: Option<i16>) -> Option<String> {
    match (region, province) {
        (Some(r), _) => Some(state.refdata.region_path(r)),
        (None, Some(p)) => state.refdata.province_name(p).map(str::to_string),
        _ => None,
    }
}

impl PersonView {
    pub fn new(state: &AppState, p: &StoredPerson) -> PersonView {
        let s = &p.state;
        let today = chrono::Utc::now().date_naive();
        let rd = state.refdata;
        use chrono::Datelike;
        PersonView {
            id: p.id,
            name: s.name.clone(),
            id_number_masked: masked_id(state, &p.id_cipher, today),
            phone_masked: masked_phone(state, p.phone_cipher.as_deref()),
            sex: s.sex.label(),
            birth_year: s.birth_date.year(),
            age: age_on(s.birth_date, today),
            hukou_region: s.hukou_region.short(),
            hukou_region_name: rd.region_path(s.hukou_region),
            residence_region_name: s.residence_region.map(|r| rd.region_path(r)),
            status: s.status.label(),
            status_since: p.status_since.to_string(),
            work_place: work_place(state, s.work_region, s.work_province),
            industry: s.industry.as_deref().map(|c| match rd.industry_by_code(c) {
                Some(i) => format!("{} {}", i.code, i.name),
                None => c.to_string(),
            }),
            occupation: s.occupation.clone(),
            skill_level: s.skill_level.map(|l| l.get()),
            expected_wage_yuan: s.expected_wage.map(|f| f.to_yuan_compact()),
            wanted_kind: s.wanted_kind.map(|k| k.label()),
            flags: labels(s.flags),
            insurance: labels(s.insurance),
            needs: labels(s.needs),
            unemployed_since: s.unemployed_since.map(|d| d.to_string()),
            household_no: s.household_no.clone(),
        }
    }
}

/// One line of the registry list: what its columns show, masked as everywhere.
#[derive(Debug, Clone, Serialize)]
pub struct LineView {
    pub id: i64,
    pub name: String,
    pub id_number_masked: String,
    pub phone_masked: Option<String>,
    pub sex: &'static str,
    pub age: u32,
    pub hukou_region_name: String,
    pub status: &'static str,
    pub work_place: Option<String>,
}

impl LineView {
    pub fn new(state: &AppState, p: &PersonLine, today: chrono::NaiveDate) -> LineView {
        LineView {
            id: p.id,
            name: p.name.clone(),
            id_number_masked: masked_id(state, &p.id_cipher, today),
            phone_masked: masked_phone(state, p.phone_cipher.as_deref()),
            sex: p.sex.label(),
            age: age_on(p.birth_date, today),
            hukou_region_name: state.refdata.region_path(p.hukou_region),
            status: p.status.label(),
            work_place: work_place(state, p.work_region, p.work_province),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineView {
    pub date: String,
    pub kind: &'static str,
    pub source: &'static str,
    pub summary: String,
    pub changes: Vec<jiujin_store::registry::TimelineChange>,
}

impl TimelineView {
    /// A service given to the person (a payout proposed or decided), shown among the
    /// registry's events.
    pub fn service(date: chrono::NaiveDate, kind: &'static str, summary: String) -> TimelineView {
        TimelineView { date: date.to_string(), kind, source: "政策服务", summary, changes: Vec::new() }
    }

    pub fn new(state: &AppState, e: &TimelineEntry) -> TimelineView {
        let rd = state.refdata;
        let mut parts = Vec::new();
        if let Some(s) = e.status {
            parts.push(s.label().to_string());
        }
        if let Some(r) = e.work_region {
            parts.push(rd.region_path(r));
        }
        if let Some(p) = e.work_province.and_then(|p| rd.province_name(p)) {
            parts.push(p.to_string());
        }
        if let Some(i) = e.industry.as_deref().and_then(|c| rd.industry_by_code(c)) {
            parts.push(i.name.clone());
        }
        if let Some(i) = e.insurance {
            let l = InsuranceSet::from_bits(i64::from(i)).to_labels();
            parts.push(format!("参保：{}", if l.is_empty() { "无".into() } else { l }));
        }
        if let Some(f) = e.flags {
            let l = GroupFlags::from_bits(i64::from(f)).to_labels();
            if !l.is_empty() {
                parts.push(format!("类别：{l}"));
            }
        }
        TimelineView {
            date: e.date.to_string(),
            kind: e.kind.label(),
            source: e.source.label(),
            summary: parts.join("，"),
            changes: e.changes.clone(),
        }
    }
}
