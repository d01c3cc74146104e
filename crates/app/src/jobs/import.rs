//! `jiujin import employers|jobs FILE`: employers by 统一社会信用代码 and postings by
//! (employer, 岗位编号), from .csv/.xlsx files shaped like the templates of
//! `domain::jobs::template`. Like the worker import: every row is validated with all
//! its problems by column; refused rows go to the rejects file (row number, column,
//! reason, the original cells) and the rest are written in one transaction with one
//! audit entry (file SHA-256 and counts); importing the same file again changes
//! nothing. Rows outside the importer's region are refused, and so are postings whose
//! employer is not registered.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use chrono::NaiveDate;
use jiujin_domain::jobs::template::{Mapped, EMPLOYER_COLUMNS, JOB_COLUMNS};
use jiujin_domain::jobs::validate::{validate_employer, validate_posting, EmployerRecord, PostingRecord};
use jiujin_domain::refdata::RefData;
use jiujin_domain::registry::{FieldError, HeaderError};
use jiujin_store::jobs::{NewEmployer, NewJob, Written};
use jiujin_store::{audit, Scope, Store};
use sha2::{Digest, Sha256};

use crate::registry::rejects::{Reject, RejectsError, RejectsWriter};
use crate::registry::source::{Source, SourceError};

#[derive(Debug, thiserror::Error)]
pub enum JobsImportError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Header(#[from] HeaderError),
    #[error(transparent)]
    Rejects(#[from] RejectsError),
    #[error("参考数据无法加载：{0}")]
    RefData(String),
    #[error(transparent)]
    Store(#[from] jiujin_store::StoreError),
}

/// What an import did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct JobsImportReport {
    pub rows: u64,
    pub written: Written,
    pub rejected: u64,
    /// Postings held for review (a sex restriction, an age cut-off without a reason).
    pub held: u64,
    pub sha256: String,
    pub rejects_file: Option<PathBuf>,
    /// The first refused rows, for a summary on screen.
    pub first_rejects: Vec<Reject>,
}

/// An import's inputs.
pub struct JobsImportRequest<'a> {
    pub store: &'a Store,
    pub path: &'a Path,
    /// Where refused rows go (default: beside the file, `<name>.rejects.csv`).
    pub rejects: Option<PathBuf>,
    pub scope: Scope,
    pub by: &'a audit::Context,
    /// The day the file is imported on (postings' default start, and open or closed).
    pub today: NaiveDate,
}

fn default_rejects(path: &Path) -> PathBuf {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("import");
    path.with_file_name(format!("{stem}.rejects.csv"))
}

fn reject(row: u64, errors: &[FieldError], cells: Vec<String>) -> Reject {
    Reject {
        row,
        column: errors.iter().map(|e| e.column).collect::<Vec<_>>().join("；"),
        reason: errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("；"),
        cells,
    }
}

/// Collects refused rows: the file (created at the first one) and the first few.
struct Refused {
    path: PathBuf,
    header: Vec<String>,
    writer: Option<RejectsWriter>,
    count: u64,
    first: Vec<Reject>,
}

impl Refused {
    fn push(&mut self, r: Reject) -> Result<(), RejectsError> {
        if self.writer.is_none() {
            self.writer = Some(RejectsWriter::create(&self.path, &self.header)?);
        }
        if let Some(w) = self.writer.as_mut() {
            w.write(&r)?;
        }
        self.count += 1;
        if self.first.len() < 20 {
            self.first.push(r);
        }
        Ok(())
    }

    fn finish(self, report: &mut JobsImportReport) -> Result<(), RejectsError> {
        report.rejected = self.count;
        report.first_rejects = self.first;
        if let Some(w) = self.writer {
            w.finish()?;
            report.rejects_file = Some(self.path);
        }
        Ok(())
    }
}

fn digest(parts: &[&str]) -> Vec<u8> {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0x1f]);
    }
    h.finalize()[..16].to_vec()
}

fn employer_row(e: &EmployerRecord) -> NewEmployer {
    let district = e.region.district().unwrap_or(e.region).as_i64();
    let size = e.size.map(|s| s.code());
    NewEmployer {
        credit_code: e.credit_code.as_str().to_string(),
        name: e.name.clone(),
        employer_type: e.employer_type.code(),
        industry: e.industry.clone(),
        region: e.region.as_i64(),
        district,
        size,
        credit_status: e.credit_status.code(),
        digest: digest(&[
            &e.name,
            &e.employer_type.code().to_string(),
            &e.industry,
            &e.region.as_i64().to_string(),
            &format!("{size:?}"),
            &e.credit_status.code().to_string(),
        ]),
    }
}

/// The row of a posting for the store, tied to its employer, with its state on `today`.
pub fn job_row(p: &PostingRecord, employer_id: i64, employer_industry: &str, today: NaiveDate) -> NewJob {
    let status = p.status_on(today).code();
    let review_note = (!p.holds.is_empty()).then(|| p.holds.join("；"));
    let industry = p.industry.clone().unwrap_or_else(|| employer_industry.to_string());
    let fields = format!(
        "{:?}",
        (
            (&p.title, &p.occupation, &industry, p.place.as_i64(), p.headcount),
            p.wage.form.code(),
            p.wage.min.0,
            p.wage.max.0,
            p.kind.code(),
            (p.age_min, p.age_max, &p.age_reason, &p.sex, p.skill_min.map(|s| s.get()), &p.certificate),
            p.board.code(),
            &p.description,
            (p.valid_from, p.valid_to, p.source.code(), status),
        )
    );
    NewJob {
        employer_id,
        reference: p.reference.clone(),
        title: p.title.clone(),
        occupation: p.occupation.clone(),
        industry,
        place: p.place.as_i64(),
        district: p.place.district().unwrap_or(p.place).as_i64(),
        headcount: p.headcount as i32,
        wage_form: p.wage.form.code(),
        wage_min_fen: p.wage.min.0,
        wage_max_fen: p.wage.max.0,
        kind: p.kind.code(),
        age_min: i16::from(p.age_min),
        age_max: i16::from(p.age_max),
        age_reason: p.age_reason.clone(),
        sex: p.sex.clone(),
        skill_min: p.skill_min.map(|s| i16::from(s.get())),
        certificate: p.certificate.clone(),
        board: p.board.code(),
        description: p.description.clone(),
        valid_from: p.valid_from,
        valid_to: p.valid_to,
        source: p.source.code(),
        status,
        review_note,
        digest: digest(&[&fields]),
        station_id: None,
        fair_id: None,
    }
}

fn out_of_scope(column: &'static str, what: &str) -> FieldError {
    FieldError::new(column, format!("{what}不在您的管辖范围内"))
}

/// Imports an employers file.
pub async fn import_employers(req: JobsImportRequest<'_>) -> Result<JobsImportReport, JobsImportError> {
    let refdata = RefData::embedded().map_err(|e| JobsImportError::RefData(e.to_string()))?;
    let mut source = Source::open(req.path, Arc::new(AtomicU64::new(0)))?;
    let map = Mapped::from_headers(EMPLOYER_COLUMNS, &source.header)?;
    let mut refused = Refused {
        path: req.rejects.clone().unwrap_or_else(|| default_rejects(req.path)),
        header: source.header.clone(),
        writer: None,
        count: 0,
        first: Vec::new(),
    };
    let mut report = JobsImportReport::default();
    let mut good = Vec::new();
    while let Some(row) = source.next_row()? {
        report.rows += 1;
        let cells = row.cells.to_vec();
        match validate_employer(refdata, &map, cells.as_slice()) {
            Ok(e) if !req.scope.admits(e.region, None) => {
                refused.push(reject(row.row_no, &[out_of_scope(map.header("region"), "单位所在地")], cells))?
            }
            Ok(e) => good.push(employer_row(&e)),
            Err(errors) => refused.push(reject(row.row_no, &errors, cells))?,
        }
    }
    report.sha256 = source.sha256();
    let detail = serde_json::json!({
        "file": req.path.file_name().and_then(|n| n.to_str()).unwrap_or(""),
        "sha256": report.sha256,
        "rows": report.rows,
        "rejected": refused.count,
    });
    report.written = jiujin_store::jobs::upsert_employers(req.store, &good, req.by, detail).await?;
    refused.finish(&mut report)?;
    Ok(report)
}

/// Imports a postings file.
pub async fn import_jobs(req: JobsImportRequest<'_>) -> Result<JobsImportReport, JobsImportError> {
    let refdata = RefData::embedded().map_err(|e| JobsImportError::RefData(e.to_string()))?;
    let mut source = Source::open(req.path, Arc::new(AtomicU64::new(0)))?;
    let map = Mapped::from_headers(JOB_COLUMNS, &source.header)?;
    let mut refused = Refused {
        path: req.rejects.clone().unwrap_or_else(|| default_rejects(req.path)),
        header: source.header.clone(),
        writer: None,
        count: 0,
        first: Vec::new(),
    };
    let mut report = JobsImportReport::default();
    let mut valid: Vec<(u64, Vec<String>, PostingRecord)> = Vec::new();
    while let Some(row) = source.next_row()? {
        report.rows += 1;
        let cells = row.cells.to_vec();
        match validate_posting(refdata, &map, cells.as_slice(), req.today) {
            Ok(p) if !req.scope.admits(p.place, None) => {
                refused.push(reject(row.row_no, &[out_of_scope(map.header("place"), "工作地点")], cells))?
            }
            Ok(p) => valid.push((row.row_no, cells, p)),
            Err(errors) => refused.push(reject(row.row_no, &errors, cells))?,
        }
    }
    report.sha256 = source.sha256();
    let mut codes: Vec<String> = valid.iter().map(|(_, _, p)| p.credit_code.as_str().to_string()).collect();
    codes.sort_unstable();
    codes.dedup();
    let employers = jiujin_store::jobs::employers_by_credit(req.store, &codes).await?;
    let mut good = Vec::with_capacity(valid.len());
    for (row_no, cells, p) in valid {
        match employers.get(p.credit_code.as_str()) {
            Some(e) => {
                report.held += u64::from(!p.holds.is_empty());
                good.push(job_row(&p, e.id, &e.industry, req.today));
            }
            None => {
                let e = FieldError::new(
                    map.header("credit_code"),
                    format!("统一社会信用代码为 {} 的用人单位尚未登记，请先导入用人单位", p.credit_code.as_str()),
                );
                refused.push(reject(row_no, &[e], cells))?;
            }
        }
    }
    let detail = serde_json::json!({
        "file": req.path.file_name().and_then(|n| n.to_str()).unwrap_or(""),
        "sha256": report.sha256,
        "rows": report.rows,
        "rejected": refused.count,
        "held": report.held,
    });
    let (written, _) = jiujin_store::jobs::upsert_jobs(req.store, &good, req.by, detail).await?;
    report.written = written;
    refused.finish(&mut report)?;
    Ok(report)
}
