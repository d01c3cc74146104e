//! 就业困难人员认定与援助 (SPEC §6, seed 004 §(十三)): a recognition checked against the
//! record (registered unemployed; the category on the record or evidence given), its
//! revocation, the help recorded afterwards, and the list of recognised persons of a
//! region (categories, last help; those never helped first) with its Excel file.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jiujin_domain::refdata::RefData;
use jiujin_domain::registry::EmploymentStatus;
use jiujin_domain::services::recognition::{check, Category, HelpKind, Subject};
use jiujin_domain::RegionCode;
use jiujin_store::{audit, Scope, Store, StoreError};

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum DifficultyError {
    #[error("{}", .0.join("；"))]
    Invalid(Vec<String>),
    #[error("未找到，或不在您的管辖范围内")]
    NotFound,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for DifficultyError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => DifficultyError::NotFound,
            e => DifficultyError::Store(e),
        }
    }
}

fn day(text: &str, label: &str, today: NaiveDate) -> Result<NaiveDate, DifficultyError> {
    match jiujin_domain::registry::validate::parse_date(text.trim()) {
        Some(d) if d <= today => Ok(d),
        Some(d) => Err(DifficultyError::Invalid(vec![format!("{label} {d} 晚于今天")])),
        None => Err(DifficultyError::Invalid(vec![format!("{label}“{}”无效，应为 YYYY-MM-DD", text.trim())])),
    }
}

/// Recognises a person as 就业困难人员 of a category on a date, with evidence.
#[allow(clippy::too_many_arguments)]
pub async fn recognize(
    store: &Store,
    scope: Scope,
    person_id: i64,
    category: &str,
    on: &str,
    evidence: &str,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<i64, DifficultyError> {
    let Some(category) = Category::parse(category) else {
        return Err(DifficultyError::Invalid(vec!["请选择就业困难人员类别".into()]));
    };
    let on = day(on, "认定日期", today)?;
    let r = jiujin_store::difficulty::recognize(
        store,
        scope,
        person_id,
        category.code(),
        on,
        evidence,
        |s| {
            let subject = Subject {
                birth: s.birth_date,
                sex: s.sex,
                status: s.status,
                registered_since: s.unemployed_since,
                flags: s.flags,
            };
            check(&subject, category, on, evidence, today)
        },
        by,
    )
    .await?;
    r.map_err(DifficultyError::Invalid)
}

/// Revokes a recognition with a reason.
pub async fn revoke(
    store: &Store,
    scope: Scope,
    recognition_id: i64,
    on: &str,
    reason: &str,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<(), DifficultyError> {
    let on = day(on, "撤销日期", today)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(DifficultyError::Invalid(vec!["请填写撤销原因（不超过200字）".into()]));
    }
    if jiujin_store::difficulty::revoke(store, scope, recognition_id, on, reason, by).await? {
        Ok(())
    } else {
        Err(DifficultyError::Invalid(vec!["该认定已撤销".into()]))
    }
}

/// Records help given to a person.
#[allow(clippy::too_many_arguments)]
pub async fn add_help(
    store: &Store,
    scope: Scope,
    person_id: i64,
    kind: &str,
    on: &str,
    note: &str,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<i64, DifficultyError> {
    let Some(kind) = HelpKind::parse(kind) else {
        return Err(DifficultyError::Invalid(vec!["请选择援助方式".into()]));
    };
    let on = day(on, "援助日期", today)?;
    if note.trim().chars().count() > 500 {
        return Err(DifficultyError::Invalid(vec!["说明不超过500字".into()]));
    }
    Ok(jiujin_store::difficulty::add_help(store, scope, person_id, on, kind.code(), note, by).await?)
}

/// A recognised person on the list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Recognized {
    pub person: i64,
    pub name: String,
    pub place: String,
    pub categories: Vec<&'static str>,
    pub since: NaiveDate,
    pub status: &'static str,
    pub last_help: Option<NaiveDate>,
}

/// The recognised persons of a scope: never helped first, then the longest since help;
/// and the counts by category.
pub async fn recognized(
    store: &Store,
    refdata: &RefData,
    scope: Scope,
) -> Result<(Vec<Recognized>, Vec<(&'static str, u64)>), DifficultyError> {
    let rows = jiujin_store::difficulty::recognized(store, scope).await?;
    let mut by: BTreeMap<i64, Recognized> = BTreeMap::new();
    let mut counts: BTreeMap<i16, u64> = BTreeMap::new();
    for r in rows {
        let label = Category::from_code(r.category).map_or("", Category::label);
        *counts.entry(r.category).or_default() += 1;
        let e = by.entry(r.person_id).or_insert_with(|| Recognized {
            person: r.person_id,
            name: r.name.clone(),
            place: r
                .residence_region
                .or(Some(r.hukou_region))
                .and_then(RegionCode::from_i64)
                .map(|c| refdata.region_path(c))
                .unwrap_or_default(),
            categories: Vec::new(),
            since: r.recognized_on,
            status: EmploymentStatus::from_code(r.status).map_or("", EmploymentStatus::label),
            last_help: r.last_help,
        });
        e.categories.push(label);
        e.since = e.since.min(r.recognized_on);
    }
    let mut list: Vec<Recognized> = by.into_values().collect();
    list.sort_by(|a, b| a.last_help.cmp(&b.last_help).then(a.since.cmp(&b.since)).then(a.person.cmp(&b.person)));
    let counts = counts.into_iter().filter_map(|(c, n)| Category::from_code(c).map(|c| (c.label(), n))).collect();
    Ok((list, counts))
}

/// The list as Excel (names, no identity numbers).
pub fn recognized_xlsx(rows: &[Recognized]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("就业困难人员")?;
    for (i, h) in ["姓名", "所在地", "认定类别", "认定日期", "就业状态", "最近援助"].iter().enumerate()
    {
        sheet.write_with_format(0, i as u16, *h, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let n = i as u32 + 1;
        sheet.write(n, 0, &r.name)?;
        sheet.write(n, 1, &r.place)?;
        sheet.write(n, 2, r.categories.join("、"))?;
        sheet.write(n, 3, r.since.to_string())?;
        sheet.write(n, 4, r.status)?;
        sheet.write(n, 5, r.last_help.map_or("尚无".to_string(), |d| d.to_string()))?;
    }
    sheet.autofit();
    book.save_to_buffer()
}
