//! `jiujin export workers`: writes persons in a region (or the whole city) in the
//! import template with full identity numbers and phones, so that export → import
//! round-trips to "unchanged". An operator's command: it needs the database key.
//! Also writes the blank template staff download.

use std::path::Path;

use jiujin_domain::audit::{mask_id_number, mask_phone, AuditAction};
use jiujin_domain::refdata::RefData;
use jiujin_domain::registry::{header_row, PersonState, COLUMNS};
use jiujin_store::audit;
use jiujin_store::registry::{persons_after, PersonFilter};
use jiujin_store::{Scope, Store};
use rust_xlsxwriter::{Format, Workbook};

use crate::crypto::{KeyError, Keys};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("无法写入文件 {path}：{reason}")]
    Write { path: String, reason: String },
    #[error("导出文件须以 .xlsx 或 .csv 结尾：{0}")]
    Format(String),
    #[error(transparent)]
    Store(#[from] jiujin_store::StoreError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("数据库错误：{0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("参考数据损坏：{0}")]
    RefData(String),
    #[error("符合条件的人员超过 {0} 人，请缩小查询范围后再导出（更大范围请由管理员用命令行导出）")]
    TooMany(u64),
}

/// The template cells of one person, in `COLUMNS` order.
pub fn template_cells(refdata: &RefData, id_number: String, phone: Option<String>, s: &PersonState) -> Vec<String> {
    let region = |r: Option<jiujin_domain::RegionCode>| r.map(|c| c.short()).unwrap_or_default();
    COLUMNS
        .iter()
        .map(|c| match c.key {
            "name" => s.name.clone(),
            "id_number" => id_number.clone(),
            "phone" => phone.clone().unwrap_or_default(),
            "hukou_region" => s.hukou_region.short(),
            "residence_region" => region(s.residence_region),
            "status" => s.status.label().to_string(),
            "work_region" => region(s.work_region),
            "work_province" => s
                .work_province
                .map(|p| refdata.province_name(p).map(str::to_string).unwrap_or_else(|| p.to_string()))
                .unwrap_or_default(),
            "industry" => s.industry.clone().unwrap_or_default(),
            "occupation" => s.occupation.clone().unwrap_or_default(),
            "skill_level" => s.skill_level.map(|l| l.get().to_string()).unwrap_or_default(),
            "expected_wage" => s.expected_wage.map(|f| f.to_yuan_compact()).unwrap_or_default(),
            "wanted_kind" => s.wanted_kind.map(|k| k.label().to_string()).unwrap_or_default(),
            "flags" => s.flags.to_labels(),
            "insurance" => s.insurance.to_labels(),
            "unemployed_since" => s.unemployed_since.map(|d| d.to_string()).unwrap_or_default(),
            "needs" => s.needs.to_labels(),
            "household_no" => s.household_no.clone().unwrap_or_default(),
            _ => String::new(),
        })
        .collect()
}

enum Out {
    Csv(Box<csv::Writer<std::fs::File>>),
    Xlsx { book: Box<Workbook>, row: u32 },
}

struct Writer {
    path: String,
    out: Out,
}

impl Writer {
    fn create(path: &Path) -> Result<Writer, ExportError> {
        let shown = path.display().to_string();
        let err = |e: &dyn std::fmt::Display| ExportError::Write { path: shown.clone(), reason: e.to_string() };
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        let header = header_row();
        let out = match ext.as_str() {
            "csv" => {
                let mut f = std::fs::File::create(path).map_err(|e| err(&e))?;
                std::io::Write::write_all(&mut f, "\u{feff}".as_bytes()).map_err(|e| err(&e))?;
                let mut w = csv::Writer::from_writer(f);
                w.write_record(&header).map_err(|e| err(&e))?;
                Out::Csv(Box::new(w))
            }
            "xlsx" => {
                let mut book = Workbook::new();
                let sheet = book.add_worksheet_with_constant_memory();
                sheet.set_name("人员信息").map_err(|e| err(&e))?;
                let bold = Format::new().set_bold();
                for (i, h) in header.iter().enumerate() {
                    sheet.write_string_with_format(0, i as u16, *h, &bold).map_err(|e| err(&e))?;
                }
                Out::Xlsx { book: Box::new(book), row: 1 }
            }
            _ => return Err(ExportError::Format(shown)),
        };
        Ok(Writer { path: shown, out })
    }

    fn row(&mut self, cells: &[String]) -> Result<(), ExportError> {
        let path = self.path.clone();
        let err = |e: &dyn std::fmt::Display| ExportError::Write { path: path.clone(), reason: e.to_string() };
        match &mut self.out {
            Out::Csv(w) => w.write_record(cells).map_err(|e| err(&e)),
            Out::Xlsx { book, row } => {
                let sheet = book.worksheet_from_index(0).map_err(|e| err(&e))?;
                for (i, c) in cells.iter().enumerate() {
                    if !c.is_empty() {
                        sheet.write_string(*row, i as u16, c).map_err(|e| err(&e))?;
                    }
                }
                *row += 1;
                Ok(())
            }
        }
    }

    fn finish(self) -> Result<(), ExportError> {
        let path = self.path.clone();
        let err = |e: &dyn std::fmt::Display| ExportError::Write { path: path.clone(), reason: e.to_string() };
        match self.out {
            Out::Csv(mut w) => w.flush().map_err(|e| err(&e)),
            Out::Xlsx { mut book, .. } => book.save(&self.path).map_err(|e| err(&e)),
        }
    }
}

/// How identity numbers and phones appear in an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbers {
    /// In full, to hand data to another system or re-import it (privileged, with a reason).
    Full,
    /// Masked (500116********123X, 138****5678), as everywhere in the web app.
    Masked,
}

/// What to export and why, as the audit entry records it.
pub struct ExportRequest<'a> {
    pub scope: Scope,
    pub filter: &'a PersonFilter,
    pub numbers: Numbers,
    /// The filter as the user set it (identity numbers in it masked), for the entry.
    pub filter_detail: serde_json::Value,
    /// Why numbers are exported in full (required by the web app for `Numbers::Full`).
    pub reason: Option<&'a str>,
    /// At most this many rows; more is refused before anything is written.
    pub max_rows: Option<u64>,
}

/// Exports every person in `scope` (in id order) to `out`; returns the row count.
/// The export is one `export.run` audit entry by `by` (scope, rows, file and its
/// SHA-256); if that entry cannot be written the file is removed.
pub async fn export_workers(
    store: &Store,
    keys: &Keys,
    scope: Scope,
    out: &Path,
    progress: Option<&(dyn Fn(u64) + Sync)>,
    by: &audit::Context,
) -> Result<u64, ExportError> {
    let filter = PersonFilter::default();
    let req = ExportRequest {
        scope,
        filter: &filter,
        numbers: Numbers::Full,
        filter_detail: serde_json::Value::Null,
        reason: None,
        max_rows: None,
    };
    export_persons(store, keys, &req, out, progress, by).await
}

/// Exports the persons of `req.scope` matching `req.filter` (in id order) to `out`
/// (.xlsx or .csv); returns the row count. One `export.run` audit entry records it
/// with the filter, the numbers' mode, the reason, the rows and the file's SHA-256;
/// if that entry cannot be written the file is removed.
pub async fn export_persons(
    store: &Store,
    keys: &Keys,
    req: &ExportRequest<'_>,
    out: &Path,
    progress: Option<&(dyn Fn(u64) + Sync)>,
    by: &audit::Context,
) -> Result<u64, ExportError> {
    if let Some(max) = req.max_rows {
        let n = jiujin_store::registry::list_persons(store, req.scope, req.filter, 0, 1).await?;
        if n.total_capped || n.total > max {
            return Err(ExportError::TooMany(max));
        }
    }
    let refdata = RefData::embedded().map_err(|e| ExportError::RefData(e.to_string()))?;
    let mut w = Writer::create(out)?;
    let mut after = 0i64;
    let mut n = 0u64;
    loop {
        let chunk = persons_after(store, req.scope, req.filter, after, 10_000).await?;
        let Some(last) = chunk.last().map(|p| p.id) else {
            break;
        };
        for p in chunk {
            let id = keys.decrypt_id(&p.id_cipher)?;
            let phone = p.phone_cipher.as_deref().map(|c| keys.decrypt_phone(c)).transpose()?;
            let (id, phone) = match req.numbers {
                Numbers::Full => (id, phone),
                Numbers::Masked => (mask_id_number(&id), phone.as_deref().map(mask_phone)),
            };
            w.row(&template_cells(refdata, id, phone, &p.state))?;
            n += 1;
        }
        if let Some(f) = progress {
            f(n);
        }
        after = last;
    }
    w.finish()?;
    if let Err(e) = record_export(store, req, out, n, by).await {
        let _ = std::fs::remove_file(out);
        return Err(e);
    }
    Ok(n)
}

async fn record_export(
    store: &Store,
    req: &ExportRequest<'_>,
    out: &Path,
    rows: u64,
    by: &audit::Context,
) -> Result<(), ExportError> {
    let sha = crate::registry::import::file_sha256(out)
        .await
        .map_err(|e| ExportError::Write { path: out.display().to_string(), reason: e.to_string() })?;
    let region = match req.scope {
        Scope::City => serde_json::Value::Null,
        Scope::Region(r) => serde_json::Value::String(r.short()),
        Scope::Person(id) => serde_json::json!({ "person": id }),
        Scope::Nothing => serde_json::Value::String("（无）".into()),
    };
    let file = out.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let numbers = match req.numbers {
        Numbers::Full => "完整",
        Numbers::Masked => "脱敏",
    };
    let detail = serde_json::json!({
        "region": region,
        "filter": req.filter_detail,
        "numbers": numbers,
        "reason": req.reason,
        "rows": rows,
        "file_name": file,
        "file_sha256": sha,
    });
    audit::record(store, &by.entry(AuditAction::ExportRun, "export", None, detail)).await?;
    Ok(())
}

/// Writes the blank worker template: the header row and a sheet of instructions per
/// column (xlsx), or the header row only (csv).
pub fn write_template(out: &Path) -> Result<(), ExportError> {
    let shown = out.display().to_string();
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Writer::create(out)?.finish(),
        "xlsx" => {
            std::fs::write(out, template_xlsx()?).map_err(|e| ExportError::Write { path: shown, reason: e.to_string() })
        }
        _ => Err(ExportError::Format(shown)),
    }
}

/// The blank template as an .xlsx file's bytes (also served for download).
pub fn template_xlsx() -> Result<Vec<u8>, ExportError> {
    let err = |e: &dyn std::fmt::Display| ExportError::Write { path: "模板".into(), reason: e.to_string() };
    let mut book = Workbook::new();
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold();
    let required = Format::new().set_bold().set_font_color(rust_xlsxwriter::Color::Red);
    let sheet = book.add_worksheet();
    sheet.set_name("人员信息").map_err(|e| err(&e))?;
    for (i, c) in COLUMNS.iter().enumerate() {
        let col = i as u16;
        let f = if c.required { &required } else { &bold };
        sheet.write_string_with_format(0, col, c.header, f).map_err(|e| err(&e))?;
        // Text format so Excel keeps long numbers (identity numbers) intact.
        sheet.set_column_format(col, &text).map_err(|e| err(&e))?;
        sheet.set_column_width(col, 16).map_err(|e| err(&e))?;
    }
    let help = book.add_worksheet();
    help.set_name("填写说明").map_err(|e| err(&e))?;
    for (i, h) in ["列名", "英文键名", "是否必填", "说明"].iter().enumerate() {
        help.write_string_with_format(0, i as u16, *h, &bold).map_err(|e| err(&e))?;
    }
    for (i, c) in COLUMNS.iter().enumerate() {
        let r = (i + 1) as u32;
        help.write_string(r, 0, c.header).map_err(|e| err(&e))?;
        help.write_string(r, 1, c.key).map_err(|e| err(&e))?;
        help.write_string(r, 2, if c.required { "必填" } else { "选填" }).map_err(|e| err(&e))?;
        help.write_string(r, 3, c.help).map_err(|e| err(&e))?;
    }
    help.set_column_width(3, 80).map_err(|e| err(&e))?;
    book.save_to_buffer().map_err(|e| err(&e))
}
