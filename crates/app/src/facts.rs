//! Importing what other systems know about registered persons as dated, sourced
//! policy facts (`jiujin import facts FILE`): social-insurance months from the 社保
//! system, a business licence from 市场监管, a guaranteed loan from the bank … The
//! file has one value a row:
//!
//! | 公民身份号码 | 事实 | 取值 | 起始日期 | 来源 |
//!
//! `事实` is a key of the vocabulary (`docs/policy-facts.md`) or its Chinese label;
//! `取值` is written as `domain::policy::facts::parse_stored` reads it. The facts the
//! registry itself holds (birth date, status, group flags …) are refused: those are
//! corrected in the registry. Every row is checked first; one bad row refuses the
//! whole file, with every problem listed by row and column, and nothing is written.
//! A good file is written in one transaction with its audit entry.

use std::collections::HashMap;
use std::path::Path;

use chrono::Datelike as _;

use jiujin_domain::identity::IdNumber;
use jiujin_domain::policy::facts::{fact_by_key, parse_date, parse_stored, stored_text, FACTS};
use jiujin_domain::policy::registry::is_registry_fact;
use jiujin_store::facts::NewFact;
use jiujin_store::{audit, Scope, Store};

use crate::registry::source::{Source, SourceError};
use crate::Keys;

/// The columns of a facts file, in the template's order.
pub const COLUMNS: [&str; 5] = ["公民身份号码", "事实", "取值", "起始日期", "来源"];

/// One problem of a row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowProblem {
    pub row: u64,
    pub column: String,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FactsImportError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("表头缺少“{0}”列（应有：{cols}）", cols = COLUMNS.join("、"))]
    MissingColumn(String),
    #[error("{} 行有误，未写入任何数据：{}", .0.len(), first(.0))]
    Rows(Vec<RowProblem>),
    #[error(transparent)]
    Store(#[from] jiujin_store::StoreError),
}

fn first(problems: &[RowProblem]) -> String {
    let shown: Vec<String> =
        problems.iter().take(5).map(|p| format!("第{}行“{}”：{}", p.row, p.column, p.reason)).collect();
    let more = if problems.len() > 5 { format!(" 等（共 {} 处）", problems.len()) } else { String::new() };
    format!("{}{more}", shown.join("；"))
}

/// What an import wrote.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FactsImported {
    pub rows: u64,
    pub persons: u64,
    /// New values and changed ones; the rest were recorded already.
    pub written: u64,
    pub sha256: String,
}

fn fact_by_name(text: &str) -> Option<jiujin_domain::policy::facts::FactId> {
    let t = text.trim();
    fact_by_key(t).or_else(|| FACTS.iter().position(|d| d.label == t).and_then(|i| fact_by_key(FACTS[i].key)))
}

/// Reads, checks and records a facts file for persons inside `scope`.
pub async fn import_facts(
    store: &Store,
    keys: &Keys,
    scope: Scope,
    path: &Path,
    by: &audit::Context,
) -> Result<FactsImported, FactsImportError> {
    let today = chrono::Utc::now().date_naive();
    let mut src = Source::open(path, Default::default())?;
    let col = |name: &str| {
        src.header
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
            .ok_or_else(|| FactsImportError::MissingColumn(name.to_string()))
    };
    let idx = [col(COLUMNS[0])?, col(COLUMNS[1])?, col(COLUMNS[2])?, col(COLUMNS[3])?, col(COLUMNS[4])?];
    let mut problems = Vec::new();
    // (row, id hmac, fact, value, valid_from, source)
    let mut rows: Vec<(u64, Vec<u8>, NewFact)> = Vec::new();
    while let Some(raw) = src.next_row()? {
        let cells = raw.cells.to_vec();
        let cell = |i: usize| cells.get(idx[i]).map(|s| s.trim()).unwrap_or("");
        let mut bad = |c: usize, reason: String| {
            problems.push(RowProblem { row: raw.row_no, column: COLUMNS[c].to_string(), reason });
        };
        let id = match IdNumber::parse(cell(0), today) {
            Ok(id) => Some(id),
            Err(e) => {
                bad(0, e.to_string());
                None
            }
        };
        let fact = match fact_by_name(cell(1)) {
            None => {
                bad(1, format!("“{}”不是事实名称（见 docs/policy-facts.md）", cell(1)));
                None
            }
            Some(f) if is_registry_fact(f.def().key) => {
                bad(1, format!("“{}”由登记库提供，请修改人员登记信息", f.def().label));
                None
            }
            Some(f) => Some(f),
        };
        let value = fact.and_then(|f| match parse_stored(f.def(), cell(2)) {
            Ok(v) => Some(stored_text(&v)),
            Err(e) => {
                bad(2, e);
                None
            }
        });
        let from = match parse_date(cell(3)) {
            Some(d) if d.year_ce().1 >= 1900 && d <= today + chrono::Days::new(366) => Some(d),
            Some(d) => {
                bad(3, format!("起始日期 {d} 超出范围（1900年至明年今日）"));
                None
            }
            None => {
                bad(3, format!("“{}”不是日期，应为 YYYY-MM-DD", cell(3)));
                None
            }
        };
        let source = cell(4);
        if source.is_empty() || source.chars().count() > 100 {
            bad(4, "来源应填写提供数据的部门或系统（1 至 100 字）".into());
        }
        if let (Some(id), Some(f), Some(value), Some(from)) = (id, fact, value, from) {
            if !source.is_empty() && source.chars().count() <= 100 {
                let fact_row = NewFact {
                    person_id: 0,
                    fact: f.def().key.to_string(),
                    value,
                    valid_from: from,
                    source: source.to_string(),
                };
                rows.push((raw.row_no, keys.id_hmac(&id).to_vec(), fact_row));
            }
        }
    }
    // Persons by identity number, inside the importer's scope.
    let mut hmacs: Vec<Vec<u8>> = rows.iter().map(|r| r.1.clone()).collect();
    hmacs.sort_unstable();
    hmacs.dedup();
    let ids = jiujin_store::facts::person_ids_by_hmac(store, scope, &hmacs).await?;
    let mut seen: HashMap<(i64, String, chrono::NaiveDate), (u64, String)> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (row, hmac, mut f) in rows {
        let Some(pid) = ids.get(&hmac) else {
            problems.push(RowProblem {
                row,
                column: COLUMNS[0].into(),
                reason: "登记库中没有此公民身份号码的人员（或不在您的管辖范围内）".into(),
            });
            continue;
        };
        f.person_id = *pid;
        match seen.get(&(f.person_id, f.fact.clone(), f.valid_from)) {
            Some((first, v)) if *v != f.value => problems.push(RowProblem {
                row,
                column: COLUMNS[2].into(),
                reason: format!("与第{first}行同一人、同一事实、同一起始日期，取值却不同"),
            }),
            Some(_) => {}
            None => {
                seen.insert((f.person_id, f.fact.clone(), f.valid_from), (row, f.value.clone()));
                out.push(f);
            }
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.row);
        return Err(FactsImportError::Rows(problems));
    }
    let sha256 = src.sha256();
    let persons = ids.len() as u64;
    let detail = serde_json::json!({
        "kind": "person_facts",
        "file_name": path.file_name().map(|f| f.to_string_lossy().into_owned()),
        "file_sha256": sha256,
        "persons": persons,
    });
    let written = jiujin_store::facts::record(store, &out, by, detail).await?;
    Ok(FactsImported { rows: out.len() as u64, persons, written, sha256 })
}
