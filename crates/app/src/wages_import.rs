//! The wage records' Excel (or CSV) files (SPEC §7): the real-name roster, attendance
//! (one row per worker and day, or a month's grid with the days as columns), the
//! monthly payroll and the wage account's bank statement, each with its blank template.
//! Like the workers' import, a bad row is rejected with its row number and reason (in
//! the rejects file) and the good rows of the file are written in one transaction with
//! one audit entry naming the file's SHA-256; attendance or pay for someone not on
//! the project's roster is a rejected row.

use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use jiujin_store::wages::{self as store, Recorded};
use jiujin_store::{audit, Scope, Store};

use crate::crypto::Keys;
use crate::registry::source::Source;
use crate::wages::{range, rows, WageError};

/// Which file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Roster,
    Attendance,
    Payroll,
    Bank,
}

impl FileKind {
    pub const ALL: [FileKind; 4] = [FileKind::Roster, FileKind::Attendance, FileKind::Payroll, FileKind::Bank];

    pub fn key(self) -> &'static str {
        match self {
            FileKind::Roster => "roster",
            FileKind::Attendance => "attendance",
            FileKind::Payroll => "payroll",
            FileKind::Bank => "bank",
        }
    }

    pub fn parse(text: &str) -> Option<FileKind> {
        Self::ALL.into_iter().find(|k| k.key() == text.trim() || k.label() == text.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            FileKind::Roster => "实名制花名册",
            FileKind::Attendance => "考勤表",
            FileKind::Payroll => "工资支付表",
            FileKind::Bank => "专用账户流水",
        }
    }

    /// The columns, in the template's order, with whether each is required.
    pub fn columns(self) -> &'static [(&'static str, bool)] {
        match self {
            FileKind::Roster => &[
                ("公民身份号码", true),
                ("姓名", true),
                ("班组", false),
                ("分包单位统一社会信用代码", false),
                ("进场日期", true),
                ("退场日期", false),
                ("日工资（元）", true),
                ("工资卡尾号", true),
            ],
            FileKind::Attendance => &[("公民身份号码", true), ("日期", true)],
            FileKind::Payroll => &[
                ("公民身份号码", true),
                ("姓名", true),
                ("月份", true),
                ("应发（元）", true),
                ("实发（元）", true),
                ("发放日期", false),
                ("银行卡尾号", true),
                ("本人签字", true),
            ],
            FileKind::Bank => &[("日期", true), ("金额（元）", true), ("类别", true), ("银行流水号", true)],
        }
    }
}

/// The blank template of `kind` (header row; attendance also accepts a month's grid:
/// 公民身份号码, 月份, then 1 … 31 marked √).
pub fn template_xlsx(kind: FileKind) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let header: Vec<&str> = kind.columns().iter().map(|(c, _)| *c).collect();
    crate::services::table_xlsx(kind.label(), &header, &[])
}

/// What an import did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FileReport {
    pub rows: u64,
    pub written: Recorded,
    /// (row number, reason), every rejected row.
    pub rejected: Vec<(u64, String)>,
    pub sha256: String,
}

fn norm(h: &str) -> String {
    h.trim().trim_end_matches('*').trim().replace(['(', ')'], "").replace(['（', '）'], "")
}

const MARKS: &[&str] = &["√", "✓", "✔", "1", "出勤", "Y", "y"];

/// Imports `path` (a `kind` file) onto project `project` in the caller's scope,
/// writing the rejects to `rejects` when given.
#[allow(clippy::too_many_arguments)]
pub async fn import_file(
    store: &Store,
    keys: &Keys,
    scope: Scope,
    project: i64,
    kind: FileKind,
    path: &Path,
    rejects: Option<&Path>,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<FileReport, WageError> {
    let range = range(scope)?;
    store::project(store, range, project).await?.ok_or(WageError::NotFound)?;
    let mut src =
        Source::open(path, Arc::new(AtomicU64::new(0))).map_err(|e| WageError::Invalid(vec![e.to_string()]))?;
    let header: Vec<String> = src.header.iter().map(|h| norm(h)).collect();
    let col = |name: &str| header.iter().position(|h| *h == norm(name));
    let grid = kind == FileKind::Attendance && col("月份").is_some() && col("1").is_some();
    let mut missing = Vec::new();
    let wanted: Vec<(&str, bool)> =
        if grid { vec![("公民身份号码", true), ("月份", true)] } else { kind.columns().to_vec() };
    let mut at = Vec::new();
    for (name, required) in &wanted {
        let i = col(name);
        if i.is_none() && *required {
            missing.push(*name);
        }
        at.push(i);
    }
    if !missing.is_empty() {
        return Err(WageError::Invalid(vec![format!(
            "{}缺少列：{}（请使用模板：jiujin template wages-{}）",
            kind.label(),
            missing.join("、"),
            kind.key()
        )]));
    }
    let on_roster = store::roster_hashes(store, project).await?;
    let day_cols: Vec<(u32, usize)> =
        if grid { (1..=31).filter_map(|d| col(&d.to_string()).map(|i| (d, i))).collect() } else { Vec::new() };
    let mut report = FileReport::default();
    let mut records = store::Records::default();
    let mut bad_rows: Vec<Vec<String>> = Vec::new();
    loop {
        let row = match src.next_row() {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => return Err(WageError::Invalid(vec![e.to_string()])),
        };
        report.rows += 1;
        let cells = row.cells.to_vec();
        let get = |i: Option<usize>| i.and_then(|i| cells.get(i)).map(|s| s.trim().to_string()).unwrap_or_default();
        let n = row.row_no as usize;
        let parsed = match kind {
            FileKind::Roster => {
                let r: rows::RosterRow = std::array::from_fn(|k| get(at[k]));
                rows::parse_from(keys, &[r], &[], &[], &[], today, n)
            }
            FileKind::Attendance if grid => {
                let month = jiujin_domain::wages::Period::parse(&get(at[1]));
                match month {
                    None => Err(vec![format!("考勤第{n}行 月份：“{}”应为 YYYY-MM", get(at[1]))]),
                    Some(p) => {
                        let days: Vec<rows::DayRow> = day_cols
                            .iter()
                            .filter(|(_, i)| MARKS.contains(&get(Some(*i)).as_str()))
                            .filter(|(d, _)| *d <= p.last_day().day())
                            .map(|(d, _)| [get(at[0]), format!("{}-{:02}", p, d)])
                            .collect();
                        if days.is_empty() {
                            Err(vec![format!("考勤第{n}行：没有标记出勤的日期（出勤填 √）")])
                        } else {
                            rows::parse_from(keys, &[], &days, &[], &[], today, n)
                        }
                    }
                }
            }
            FileKind::Attendance => {
                let r: rows::DayRow = [get(at[0]), get(at[1])];
                rows::parse_from(keys, &[], &[r], &[], &[], today, n)
            }
            FileKind::Payroll => {
                let r: rows::PayRow = std::array::from_fn(|k| get(at[k]));
                rows::parse_from(keys, &[], &[], &[r], &[], today, n)
            }
            FileKind::Bank => {
                let r: rows::EntryRow = std::array::from_fn(|k| get(at[k]));
                rows::parse_from(keys, &[], &[], &[], &[r], today, n)
            }
        };
        let reason = match parsed {
            Err(e) => Some(e.join("；")),
            Ok(r) if kind == FileKind::Attendance && r.attendance.iter().any(|(h, _)| !on_roster.contains(h)) => {
                Some(format!("考勤第{n}行：此人不在本项目实名花名册，请先登记花名册"))
            }
            Ok(r) => {
                records.roster.extend(r.roster);
                records.attendance.extend(r.attendance);
                records.lines.extend(r.lines);
                records.entries.extend(r.entries);
                None
            }
        };
        if let Some(reason) = reason {
            report.rejected.push((row.row_no, reason.clone()));
            let mut c = cells.clone();
            c.push(reason);
            bad_rows.push(c);
        }
    }
    report.sha256 = src.sha256();
    if let Some(out) = rejects {
        let mut h: Vec<&str> = src.header.iter().map(String::as_str).collect();
        h.push("错误原因");
        let bytes = crate::services::table_xlsx("错误行", &h, &bad_rows)
            .map_err(|e| WageError::Invalid(vec![format!("无法写错误行文件：{e}")]))?;
        std::fs::write(out, bytes).map_err(|e| WageError::Invalid(vec![format!("无法写错误行文件：{e}")]))?;
    }
    let what = format!("{}：{}", kind.label(), path.file_name().and_then(|n| n.to_str()).unwrap_or(""));
    report.written = match store::record(store, project, &records, &what, Some(report.sha256.clone()), by).await? {
        Ok(w) => w,
        Err(store::Refused(list)) => {
            return Err(WageError::Invalid(list.into_iter().map(|(t, r, m)| format!("{t}第{r}行：{m}")).collect()))
        }
    };
    Ok(report)
}
