//! Reading policy files (`data/policies/<id>.toml`): TOML into a checked `Policy`.
//! Every problem is reported with the file, line and column (from the TOML spans,
//! down to the character inside a rule expression) and a Chinese reason.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use chrono::NaiveDate;
use toml::Spanned;

use super::expr::{self, Scope};
use super::facts::EntityKind;
use super::model::{Amount, Citation, Condition, Obtain, Param, ParamVersion, Period, Policy, PolicyId};
use super::value::{parse_text_value, Rational, Type, Value};

/// A problem in a policy or test file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub reason: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.reason)
    }
}

impl std::error::Error for LoadError {}

/// A file's name and text, for positions.
#[derive(Clone, Copy)]
pub(crate) struct Src<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl Src<'_> {
    pub fn at(&self, offset: usize, reason: impl Into<String>) -> LoadError {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        LoadError { file: self.file.to_string(), line, column, reason: reason.into() }
    }

    pub fn span(&self, span: Range<usize>, reason: impl Into<String>) -> LoadError {
        self.at(span.start, reason)
    }

    /// The offset of byte `i` of a string value whose TOML literal is at `span`.
    /// Exact for single-line strings without escapes; otherwise the literal's start.
    pub fn in_string(&self, span: &Range<usize>, i: usize) -> usize {
        let lit = self.text.get(span.clone()).unwrap_or("");
        let simple = |q: &str| lit.starts_with(q) && !lit.starts_with(&q.repeat(3));
        if simple("'") || (simple("\"") && !lit.contains('\\')) {
            span.start + 1 + i
        } else {
            span.start
        }
    }

    /// A `toml` crate error with its position and the reason in Chinese.
    pub fn toml(&self, e: &toml::de::Error) -> LoadError {
        let at = e.span().map_or(0, |s| s.start);
        self.at(at, translate(e.message()))
    }
}

/// The `toml` crate's messages in Chinese, for the common cases.
fn translate(msg: &str) -> String {
    let msg = msg.trim();
    let quoted = |s: &str| s.split('`').nth(1).unwrap_or("").to_string();
    if msg.starts_with("unknown field") {
        let expected: Vec<_> = msg.split('`').skip(3).step_by(2).collect();
        return format!("未知的字段“{}”（可用：{}）", quoted(msg), expected.join("、"));
    }
    if msg.starts_with("missing field") {
        return format!("缺少字段“{}”", quoted(msg));
    }
    if msg.starts_with("invalid type") {
        let kind = |s: &str| {
            if s.contains("string") {
                "文本"
            } else if s.contains("integer") || ["i64", "i32", "u64", "u32", "u8"].iter().any(|t| s.contains(t)) {
                "整数"
            } else if s.contains("bool") {
                "true/false"
            } else if s.contains("sequence") {
                "数组"
            } else if s.contains("map") || s.contains("struct") || s.contains("table") {
                "表"
            } else if s.contains("datetime") || s.contains("date") {
                "日期"
            } else if s.contains("float") {
                "小数"
            } else {
                "其他值"
            }
        };
        let (got, want) = msg.split_once("expected").unwrap_or((msg, ""));
        return format!("值的类型不对：应为{}，得到{}", kind(want), kind(got));
    }
    if msg.contains("duplicate key") {
        return format!("重复的键“{}”", quoted(msg));
    }
    format!("TOML 语法错误：{msg}")
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    id: Spanned<String>,
    title: String,
    source: Vec<Citation>,
    effective_from: Spanned<toml::value::Datetime>,
    effective_to: Option<Spanned<toml::value::Datetime>>,
    /// One kind (`"个人"`) or a list.
    target: Spanned<toml::Value>,
    obtain: Spanned<String>,
    benefit: String,
    #[serde(default)]
    evidence: Vec<String>,
    department: String,
    #[serde(default)]
    tags: Vec<String>,
    payout: Option<RawPayout>,
    #[serde(default)]
    param: BTreeMap<String, Vec<RawVersion>>,
    #[serde(default)]
    condition: Vec<RawCondition>,
    amount: Option<RawAmount>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPayout {
    per: Spanned<String>,
    period: Spanned<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVersion {
    from: Spanned<toml::value::Datetime>,
    to: Option<Spanned<toml::value::Datetime>>,
    value: Spanned<toml::Value>,
    cite: Option<Citation>,
    note: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    id: Spanned<String>,
    test: Spanned<String>,
    explain: String,
    cite: Citation,
    #[serde(default)]
    applies_to: Vec<Spanned<String>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAmount {
    formula: Spanned<String>,
    explain: String,
    cite: Citation,
}

/// A TOML date (no time, no offset) as a `NaiveDate`.
pub(crate) fn toml_date(src: Src, d: &Spanned<toml::value::Datetime>) -> Result<NaiveDate, LoadError> {
    let bad = || src.span(d.span(), "应为日期（例如 2025-03-27，不带时间）");
    let v = d.get_ref();
    if v.time.is_some() || v.offset.is_some() {
        return Err(bad());
    }
    let date = v.date.ok_or_else(bad)?;
    NaiveDate::from_ymd_opt(i32::from(date.year), u32::from(date.month), u32::from(date.day)).ok_or_else(bad)
}

struct ParamScope<'a>(&'a [Param]);

impl Scope for ParamScope<'_> {
    fn param(&self, name: &str) -> Option<(usize, Type)> {
        self.0.iter().position(|p| p.name == name).map(|i| (i, self.0[i].ty))
    }
    fn param_names(&self) -> Vec<String> {
        self.0.iter().map(|p| p.name.clone()).collect()
    }
}

fn param_value(src: Src, v: &Spanned<toml::Value>) -> Result<Value, LoadError> {
    match v.get_ref() {
        toml::Value::Integer(n) => Ok(Value::Number(Rational::int(*n))),
        toml::Value::String(s) => Ok(parse_text_value(s)),
        toml::Value::Boolean(b) => Ok(Value::Bool(*b)),
        toml::Value::Datetime(_) => {
            let d = Spanned::new(
                v.span(),
                match v.get_ref() {
                    toml::Value::Datetime(d) => *d,
                    _ => return Err(src.span(v.span(), "应为日期")),
                },
            );
            Ok(Value::Date(toml_date(src, &d)?))
        }
        toml::Value::Float(_) => {
            Err(src.span(v.span(), "参数值不能写成小数（避免浮点误差）：金额写“8000元”，比例写“50%”或“2/3”"))
        }
        _ => Err(src.span(v.span(), "参数值应为整数、文本（如“8000元”“50%”“1年”）或日期")),
    }
}

fn value_type(v: &Value) -> Type {
    match v {
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::Money(_) => Type::Money,
        Value::Date(_) => Type::Date,
        Value::Duration(_) => Type::Duration,
        Value::Span(..) => Type::Span,
        Value::Text(_) => Type::Text,
    }
}

fn load_params(src: Src, raw: BTreeMap<String, Vec<RawVersion>>, errors: &mut Vec<LoadError>) -> Vec<Param> {
    let mut params = Vec::new();
    for (name, raw_versions) in raw {
        let mut versions: Vec<(Range<usize>, ParamVersion)> = Vec::new();
        let mut ty: Option<Type> = None;
        for rv in raw_versions {
            let (from, to) = match (toml_date(src, &rv.from), rv.to.as_ref().map(|t| toml_date(src, t)).transpose()) {
                (Ok(f), Ok(t)) => (f, t),
                (Err(e), _) | (_, Err(e)) => {
                    errors.push(e);
                    continue;
                }
            };
            if let Some(t) = to {
                if t < from {
                    errors
                        .push(src.span(rv.from.span(), format!("参数“{name}”的版本结束日期 {t} 早于开始日期 {from}")));
                    continue;
                }
            }
            let value = match param_value(src, &rv.value) {
                Ok(v) => v,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let t = value_type(&value);
            match ty {
                None => ty = Some(t),
                Some(first) if first != t => {
                    errors.push(src.span(
                        rv.value.span(),
                        format!("参数“{name}”各版本的类型应一致：前面是{}，这里是{}", first.label(), t.label()),
                    ));
                    continue;
                }
                Some(_) => {}
            }
            versions.push((rv.from.span(), ParamVersion { from, to, value, cite: rv.cite, note: rv.note }));
        }
        versions.sort_by_key(|(_, v)| v.from);
        for w in versions.windows(2) {
            let (prev, (span, next)) = (&w[0].1, &w[1]);
            if prev.from == next.from {
                errors.push(src.span(span.clone(), format!("参数“{name}”有两个版本都从 {} 起生效", next.from)));
            } else if prev.to.is_some_and(|t| t >= next.from) {
                errors.push(src.span(
                    span.clone(),
                    format!(
                        "参数“{name}”的版本（{} 起）与前一版本（{} 至 {}）重叠",
                        next.from,
                        prev.from,
                        prev.to.map_or(String::new(), |t| t.to_string())
                    ),
                ));
            }
        }
        if let Some(ty) = ty {
            params.push(Param { name, ty, versions: versions.into_iter().map(|(_, v)| v).collect() });
        }
    }
    params
}

fn entity(src: Src, s: &Spanned<String>) -> Result<EntityKind, LoadError> {
    EntityKind::parse(s.get_ref())
        .ok_or_else(|| src.span(s.span(), format!("“{}”不是对象类型（可选：{}）", s.get_ref(), EntityKind::choices())))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParams {
    #[serde(default)]
    param: BTreeMap<String, Vec<RawVersion>>,
}

/// Reads a file of dated parameters only (`[[param.NAME]]` versions, the same format
/// and checks as a policy's: types agree across versions, no overlap), for the
/// thresholds other capabilities keep as data (the wage warnings' `data/wages/`).
pub fn load_params_file(file: &str, text: &str) -> Result<Vec<Param>, Vec<LoadError>> {
    let src = Src { file, text };
    let raw: RawParams = toml::from_str(text).map_err(|e| vec![src.toml(&e)])?;
    let mut errors = Vec::new();
    let params = load_params(src, raw.param, &mut errors);
    if errors.is_empty() {
        Ok(params)
    } else {
        Err(errors)
    }
}

/// Reads one policy file. `file` is its name (`returnee-startup-subsidy.toml`).
pub fn load_policy(file: &str, text: &str) -> Result<Policy, Vec<LoadError>> {
    let src = Src { file, text };
    let raw: RawPolicy = toml::from_str(text).map_err(|e| vec![src.toml(&e)])?;
    let mut errors = Vec::new();

    let id = PolicyId::parse(raw.id.get_ref());
    let stem = file.rsplit('/').next().unwrap_or(file).trim_end_matches(".toml");
    match &id {
        None => errors.push(src.span(raw.id.span(), "政策编号只能用小写英文字母、数字和连字符（3至64个字符）")),
        Some(id) if id.as_str() != stem => {
            errors.push(src.span(raw.id.span(), format!("政策编号“{id}”与文件名“{stem}.toml”不一致")))
        }
        Some(_) => {}
    }
    if raw.source.is_empty() {
        errors.push(src.at(0, "至少需要一个出处（[[source]] 的 document 与 article）"));
    }
    let from = toml_date(src, &raw.effective_from).map_err(|e| errors.push(e)).ok();
    let to = raw.effective_to.as_ref().and_then(|t| toml_date(src, t).map_err(|e| errors.push(e)).ok());
    if let (Some(f), Some(t), Some(span)) = (from, to, raw.effective_to.as_ref().map(|t| t.span())) {
        if t < f {
            errors.push(src.span(span, format!("失效日期 {t} 早于生效日期 {f}")));
        }
    }
    let mut targets = Vec::new();
    let target_list: Vec<Option<&str>> = match raw.target.get_ref() {
        toml::Value::String(s) => vec![Some(s.as_str())],
        toml::Value::Array(a) => a.iter().map(|v| v.as_str()).collect(),
        _ => vec![None],
    };
    if target_list.is_empty() {
        errors.push(src.span(raw.target.span(), "至少需要一个对象类型"));
    }
    for s in target_list {
        let s = Spanned::new(raw.target.span(), s.unwrap_or("").to_string());
        match entity(src, &s) {
            Ok(k) => targets.push(k),
            Err(e) => errors.push(e),
        }
    }
    let obtain = Obtain::parse(raw.obtain.get_ref())
        .ok_or_else(|| src.span(raw.obtain.span(), "享受方式应为“免申即享”“直补快办”或“申请”"))
        .map_err(|e| errors.push(e))
        .ok();
    let (payout_per, period) = match &raw.payout {
        None => (targets.first().copied(), Some(Period::Once)),
        Some(p) => (
            entity(src, &p.per).map_err(|e| errors.push(e)).ok(),
            Period::parse(p.period.get_ref())
                .ok_or_else(|| src.span(p.period.span(), "发放周期应为“一次性”“每年”或“每月”"))
                .map_err(|e| errors.push(e))
                .ok(),
        ),
    };

    let params = load_params(src, raw.param, &mut errors);
    let scope = ParamScope(&params);
    let mut conditions: Vec<Condition> = Vec::new();
    for rc in raw.condition {
        let cid = rc.id.get_ref().clone();
        if conditions.iter().any(|c| c.id == cid) {
            errors.push(src.span(rc.id.span(), format!("条件编号“{cid}”重复")));
        }
        let mut applies_to = Vec::new();
        for a in &rc.applies_to {
            match entity(src, a) {
                Ok(k) if targets.contains(&k) => applies_to.push(k),
                Ok(k) => errors.push(src.span(a.span(), format!("本政策的对象不含“{}”", k.label()))),
                Err(e) => errors.push(e),
            }
        }
        let span = rc.test.span();
        match expr::parse(rc.test.get_ref(), &scope, Type::Bool) {
            Ok(test) => conditions.push(Condition {
                id: cid,
                text: rc.test.get_ref().clone(),
                test,
                explain: rc.explain,
                cite: rc.cite,
                applies_to,
            }),
            Err(e) => errors.push(src.at(src.in_string(&span, e.offset), format!("条件“{cid}”：{}", e.reason))),
        }
    }
    let amount = raw.amount.and_then(|ra| {
        let span = ra.formula.span();
        match expr::parse(ra.formula.get_ref(), &scope, Type::Money) {
            Ok(formula) => {
                Some(Amount { text: ra.formula.get_ref().clone(), formula, explain: ra.explain, cite: ra.cite })
            }
            Err(e) => {
                errors.push(src.at(src.in_string(&span, e.offset), format!("金额公式：{}", e.reason)));
                None
            }
        }
    });
    if amount.is_some() && conditions.is_empty() {
        errors.push(src.at(0, "有金额公式的政策至少需要一个条件"));
    }

    match (id, from, obtain, payout_per, period) {
        (Some(id), Some(effective_from), Some(obtain), Some(payout_per), Some(period)) if errors.is_empty() => {
            Ok(Policy {
                id,
                title: raw.title,
                sources: raw.source,
                effective_from,
                effective_to: to,
                targets,
                obtain,
                benefit: raw.benefit,
                evidence: raw.evidence,
                department: raw.department,
                tags: raw.tags,
                payout_per,
                period,
                params,
                conditions,
                amount,
                file: file.to_string(),
            })
        }
        _ => Err(errors),
    }
}
