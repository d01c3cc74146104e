//! Rule tests kept beside each policy (`<id>.tests.toml`), in the manner of
//! OpenFisca's YAML tests: facts, a date, the expected status and amount, and
//! optionally exactly which conditions fail. `run` compares them with `evaluate`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use toml::Spanned;

use super::eval::{evaluate, Outcome, Status};
use super::facts::{EntityKind, Facts};
use super::load::{toml_date, LoadError, Src};
use super::model::Policy;
use crate::Fen;

/// One case.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub file: String,
    pub line: usize,
    pub policy: String,
    pub name: String,
    pub date: NaiveDate,
    pub facts: Facts,
    pub status: Status,
    /// Expected amount; `None` means "not checked".
    pub amount: Option<Option<Fen>>,
    /// Expected set of failed condition ids, when given.
    pub failed: Option<Vec<String>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    case: Vec<RawCase>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: Spanned<String>,
    date: Spanned<toml::value::Datetime>,
    entity: Option<Spanned<String>>,
    eligible: Option<bool>,
    status: Option<Spanned<String>>,
    /// `"8000元"`, or `"无"` for no amount.
    amount: Option<Spanned<String>>,
    failed: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    facts: BTreeMap<String, Spanned<toml::Value>>,
}

fn to_json(v: &toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => serde_json::Value::String(s.clone()),
        toml::Value::Integer(n) => serde_json::Value::from(*n),
        toml::Value::Float(f) => serde_json::Value::from(*f),
        toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(a) => serde_json::Value::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => serde_json::Value::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

/// Reads a test file for `policy`.
pub fn load_cases(file: &str, text: &str, policy: &Policy) -> Result<Vec<Case>, Vec<LoadError>> {
    let src = Src { file, text };
    let raw: RawFile = toml::from_str(text).map_err(|e| vec![src.toml(&e)])?;
    let mut errors = Vec::new();
    let mut cases = Vec::new();
    for rc in raw.case {
        let name = rc.name.get_ref().clone();
        let here = src.span(rc.name.span(), "");
        let date = match toml_date(src, &rc.date) {
            Ok(d) => d,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let entity = match &rc.entity {
            None => policy.targets.first().copied().unwrap_or(EntityKind::Person),
            Some(s) => match EntityKind::parse(s.get_ref()) {
                Some(k) => k,
                None => {
                    errors.push(
                        src.span(s.span(), format!("“{}”不是对象类型（可选：{}）", s.get_ref(), EntityKind::choices())),
                    );
                    continue;
                }
            },
        };
        let json = serde_json::json!({
            "entity": entity.key(),
            "facts": rc.facts.iter().map(|(k, v)| (k.clone(), to_json(v.get_ref()))).collect::<serde_json::Map<_, _>>(),
        });
        let facts = match Facts::from_json(&json) {
            Ok(f) => f,
            Err(e) => {
                let key = e.place.strip_prefix("facts.").unwrap_or("");
                let at = rc.facts.get(key).map_or(rc.name.span().start, |v| v.span().start);
                errors.push(src.at(at, format!("用例“{name}”：{e}")));
                continue;
            }
        };
        let status = match (&rc.status, rc.eligible) {
            (None, Some(true)) => Status::Eligible,
            (None, Some(false)) => Status::NotEligible,
            (Some(s), None) => match s.get_ref().as_str() {
                "符合" => Status::Eligible,
                "不符合" => Status::NotEligible,
                "待补充信息" => Status::Undetermined,
                other => {
                    errors.push(src.span(s.span(), format!("status 应为“符合”“不符合”或“待补充信息”，得到“{other}”")));
                    continue;
                }
            },
            _ => {
                errors.push(
                    src.span(rc.name.span(), format!("用例“{name}”须写 eligible = true/false 或 status（二选一）")),
                );
                continue;
            }
        };
        let amount = match &rc.amount {
            None => None,
            Some(s) if s.get_ref() == "无" => Some(None),
            Some(s) => match Fen::parse_yuan(s.get_ref()) {
                Ok(f) => Some(Some(f)),
                Err(e) => {
                    errors.push(src.span(s.span(), format!("用例“{name}”：{e}")));
                    continue;
                }
            },
        };
        let mut failed = None;
        if let Some(list) = &rc.failed {
            let mut ids = Vec::new();
            for s in list {
                let id = s.get_ref();
                if id != super::eval::EFFECTIVE && !policy.conditions.iter().any(|c| &c.id == id) {
                    errors.push(src.span(s.span(), format!("政策“{}”没有条件“{id}”", policy.id)));
                }
                ids.push(id.clone());
            }
            ids.sort();
            failed = Some(ids);
        }
        cases.push(Case {
            file: file.to_string(),
            line: here.line,
            policy: policy.id.to_string(),
            name,
            date,
            facts,
            status,
            amount,
            failed,
        });
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(errors)
    }
}

/// The outcome of one case: empty `problems` means it passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    pub file: String,
    pub line: usize,
    pub policy: String,
    pub name: String,
    pub problems: Vec<String>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

fn amount_label(a: Option<Fen>) -> String {
    a.map_or("无".into(), |f| format!("{}元", f.to_yuan_compact()))
}

/// Runs one case against its policy.
pub fn run(case: &Case, policy: &Policy) -> CaseResult {
    let ev = evaluate(policy, &case.facts, case.date);
    let mut problems = Vec::new();
    if ev.status != case.status {
        let why: Vec<_> = ev
            .conditions
            .iter()
            .filter(|c| c.outcome != Outcome::Met)
            .map(|c| format!("{}（{}）", c.id, c.outcome.label()))
            .collect();
        problems.push(format!(
            "期望“{}”，实际“{}”{}",
            case.status.label(),
            ev.status.label(),
            if why.is_empty() { String::new() } else { format!("：{}", why.join("、")) }
        ));
    }
    if let Some(want) = case.amount {
        if ev.amount() != want {
            problems.push(format!(
                "期望金额{}，实际{}（{}）",
                amount_label(want),
                amount_label(ev.amount()),
                ev.amount_text
            ));
        }
    }
    if let Some(want) = &case.failed {
        let mut got: Vec<String> = ev.failed().map(|c| c.id.clone()).collect();
        got.sort();
        if &got != want {
            problems.push(format!("期望不满足的条件为[{}]，实际为[{}]", want.join(", "), got.join(", ")));
        }
    }
    CaseResult {
        file: case.file.clone(),
        line: case.line,
        policy: case.policy.clone(),
        name: case.name.clone(),
        problems,
    }
}
