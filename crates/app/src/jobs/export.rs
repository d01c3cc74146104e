//! `jiujin export employers|jobs` and `jiujin template employers|jobs`: employers and
//! postings in their import templates (.csv in UTF-8 with BOM, or .xlsx), so that a
//! file exported and imported again changes nothing. An export is audited with its
//! row count.

use std::path::Path;

use jiujin_domain::audit::AuditAction;
use jiujin_domain::jobs::template::{headers, EMPLOYER_COLUMNS, JOB_COLUMNS};
use jiujin_domain::jobs::validate::Board;
use jiujin_domain::jobs::{CreditStatus, EmployerSize, EmployerType, JobKind, JobSource, WageForm};
use jiujin_domain::registry::SkillLevel;
use jiujin_domain::{Fen, RegionCode};
use jiujin_store::entity::employer;
use jiujin_store::{audit, Store};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("无法写入 {path}：{reason}")]
    Write { path: String, reason: String },
    #[error(transparent)]
    Store(#[from] jiujin_store::StoreError),
    #[error("数据库操作失败：{0}")]
    Db(#[from] sea_orm::DbErr),
}

fn write_err(path: &Path) -> impl Fn(&dyn std::fmt::Display) -> ExportError + '_ {
    move |e| ExportError::Write { path: path.display().to_string(), reason: e.to_string() }
}

/// Writes a header row and the rows under it: .xlsx by extension, else CSV (UTF-8
/// with BOM, which Excel opens).
pub fn write_rows(out: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<(), ExportError> {
    let err = write_err(out);
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if ext == "xlsx" {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (i, h) in header.iter().enumerate() {
            sheet.write_string_with_format(0, i as u16, *h, &bold).map_err(|e| err(&e))?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 1, c as u16, v).map_err(|e| err(&e))?;
            }
        }
        return book.save(out).map_err(|e| err(&e));
    }
    let mut f = std::fs::File::create(out).map_err(|e| err(&e))?;
    std::io::Write::write_all(&mut f, "\u{feff}".as_bytes()).map_err(|e| err(&e))?;
    let mut w = csv::Writer::from_writer(f);
    w.write_record(header).map_err(|e| err(&e))?;
    for row in rows {
        w.write_record(row).map_err(|e| err(&e))?;
    }
    w.flush().map_err(|e| err(&e))
}

/// A blank template (the header row).
pub fn write_template(jobs: bool, out: &Path) -> Result<(), ExportError> {
    write_rows(out, &headers(if jobs { JOB_COLUMNS } else { EMPLOYER_COLUMNS }), &[])
}

/// A blank template as .xlsx bytes: the header row and, on a second sheet, each
/// column's help (for the web download).
pub fn template_xlsx(jobs: bool) -> Result<Vec<u8>, ExportError> {
    let columns = if jobs { JOB_COLUMNS } else { EMPLOYER_COLUMNS };
    let err = |e: &dyn std::fmt::Display| ExportError::Write { path: "模板".into(), reason: e.to_string() };
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(if jobs { "招聘岗位" } else { "用人单位" }).map_err(|e| err(&e))?;
    for (i, c) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, c.header, &bold).map_err(|e| err(&e))?;
    }
    let help = book.add_worksheet();
    help.set_name("填写说明").map_err(|e| err(&e))?;
    for (i, c) in columns.iter().enumerate() {
        help.write_string(i as u32, 0, c.header).map_err(|e| err(&e))?;
        help.write_string(i as u32, 1, if c.required { "必填" } else { "选填" }).map_err(|e| err(&e))?;
        help.write_string(i as u32, 2, c.help).map_err(|e| err(&e))?;
    }
    book.save_to_buffer().map_err(|e| err(&e))
}

fn short(code: i64) -> String {
    RegionCode::from_i64(code).map(|r| r.short()).unwrap_or_default()
}

fn yuan(f: i64) -> String {
    Fen(f).to_yuan_string()
}

/// Exports the employers registered in `region` (all for `None`); returns the count.
pub async fn export_employers(
    store: &Store,
    region: Option<RegionCode>,
    out: &Path,
    by: &audit::Context,
) -> Result<u64, ExportError> {
    let mut rows = Vec::new();
    let mut after = 0;
    loop {
        let mut q = employer::Entity::find().filter(employer::Column::Id.gt(after));
        if let Some(r) = region {
            let (lo, hi) = r.subtree_range();
            q = q.filter(employer::Column::Region.between(lo, hi));
        }
        let page = q.order_by_asc(employer::Column::Id).limit(10_000).all(store.conn()).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        rows.extend(page.iter().map(|e| {
            vec![
                e.credit_code.clone(),
                e.name.clone(),
                EmployerType::from_code(e.employer_type).map_or("", EmployerType::label).to_string(),
                e.industry.clone(),
                short(e.region),
                e.size.and_then(EmployerSize::from_code).map_or("", EmployerSize::label).to_string(),
                CreditStatus::from_code(e.credit_status).map_or("", CreditStatus::label).to_string(),
            ]
        }));
    }
    write_rows(out, &headers(EMPLOYER_COLUMNS), &rows)?;
    let detail = serde_json::json!({ "what": "employers", "rows": rows.len(), "region": region.map(|r| r.short()) });
    audit::record(store, &by.entry(AuditAction::ExportRun, "employers", None, detail)).await?;
    Ok(rows.len() as u64)
}

/// Exports the postings whose place lies in `region` (all for `None`), every state;
/// returns the count.
pub async fn export_jobs(
    store: &Store,
    region: Option<RegionCode>,
    out: &Path,
    by: &audit::Context,
) -> Result<u64, ExportError> {
    let mut rows = Vec::new();
    let mut after = 0;
    loop {
        let page = jiujin_store::jobs::listings_after(store, after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.job.id;
        for l in &page {
            let j = &l.job;
            if region.is_some_and(|r| RegionCode::from_i64(j.place).is_none_or(|p| !r.contains(p))) {
                continue;
            }
            rows.push(vec![
                j.reference.clone(),
                l.employer_credit_code.clone(),
                j.title.clone(),
                j.occupation.clone().unwrap_or_default(),
                j.industry.clone(),
                short(j.place),
                j.headcount.to_string(),
                WageForm::from_code(j.wage_form).map_or("", WageForm::label).to_string(),
                yuan(j.wage_min_fen),
                yuan(j.wage_max_fen),
                JobKind::from_code(j.kind).map_or("", JobKind::label).to_string(),
                j.age_min.to_string(),
                j.age_max.to_string(),
                j.age_reason.clone().unwrap_or_default(),
                j.sex.clone().unwrap_or_default(),
                j.skill_min
                    .and_then(|s| u8::try_from(s).ok())
                    .and_then(SkillLevel::new)
                    .map(|s| s.get().to_string())
                    .unwrap_or_default(),
                j.certificate.clone().unwrap_or_default(),
                Board::from_code(j.board).label().to_string(),
                j.description.clone(),
                j.valid_from.to_string(),
                j.valid_to.to_string(),
                JobSource::from_code(j.source).map_or("", JobSource::label).to_string(),
            ]);
        }
    }
    write_rows(out, &headers(JOB_COLUMNS), &rows)?;
    let detail = serde_json::json!({ "what": "jobs", "rows": rows.len(), "region": region.map(|r| r.short()) });
    audit::record(store, &by.entry(AuditAction::ExportRun, "jobs", None, detail)).await?;
    Ok(rows.len() as u64)
}
