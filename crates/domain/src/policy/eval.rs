//! "What is this entity entitled to on date D": each condition met, failed or unknown
//! (a fact is missing) with its Chinese explanation and citation, the status, and the
//! amount in fen.
//!
//! Logic is three-valued (Kleene): `false and unknown` is false, `true or unknown` is
//! true, anything else touching an unknown is unknown. A policy is 符合 when every
//! condition is met, 不符合 when one fails, 待补充信息 otherwise. Parameters are
//! bound to the versions in force on D first (`Bound`), then the conditions run over
//! the facts: the same split a bulk kernel will use (bind once, run per row).

use std::cmp::Ordering;

use chrono::{Datelike, NaiveDate};

use super::expr::{ArithOp, CmpOp, Expr, Func};
use super::facts::{EntityKind, Facts};
use super::model::{Citation, ParamVersion, Policy, PolicyId};
use super::value::{Rational, Value};
use crate::Fen;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Met,
    Failed,
    Unknown,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Met => "满足",
            Outcome::Failed => "不满足",
            Outcome::Unknown => "无法判断",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Eligible,
    NotEligible,
    Undetermined,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Eligible => "符合",
            Status::NotEligible => "不符合",
            Status::Undetermined => "待补充信息",
        }
    }
}

/// The id of the built-in condition "within the policy's effective dates".
pub const EFFECTIVE: &str = "effective";

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ConditionResult {
    pub id: String,
    pub outcome: Outcome,
    pub outcome_label: &'static str,
    pub explain: String,
    pub cite: Citation,
    /// The rule as written.
    pub rule: String,
    /// Facts (and parameters, as `param.NAME`) that were missing, when unknown.
    pub missing: Vec<String>,
    /// A computation problem (overflow), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ParamUsed {
    pub name: String,
    pub value: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Evaluation {
    pub policy: PolicyId,
    pub title: String,
    pub date: NaiveDate,
    pub entity: EntityKind,
    pub status: Status,
    pub status_label: &'static str,
    /// Whether the policy is granted (`status == eligible`).
    pub eligible: bool,
    /// The amount in fen, when eligible and the policy has a formula whose facts are known.
    pub amount_fen: Option<i64>,
    /// The amount as yuan text (`8000元`), or why there is none.
    pub amount_text: String,
    pub conditions: Vec<ConditionResult>,
    /// The parameter versions in force on the date.
    pub params: Vec<ParamUsed>,
}

impl Evaluation {
    pub fn amount(&self) -> Option<Fen> {
        self.amount_fen.map(Fen)
    }

    pub fn failed(&self) -> impl Iterator<Item = &ConditionResult> {
        self.conditions.iter().filter(|c| c.outcome == Outcome::Failed)
    }
}

/// A policy's parameters bound to the versions in force on a date.
pub struct Bound<'a> {
    pub policy: &'a Policy,
    pub date: NaiveDate,
    pub versions: Vec<Option<&'a ParamVersion>>,
}

impl<'a> Bound<'a> {
    pub fn new(policy: &'a Policy, date: NaiveDate) -> Bound<'a> {
        Bound { policy, date, versions: policy.params.iter().map(|p| p.at(date)).collect() }
    }
}

struct Env<'a> {
    bound: &'a Bound<'a>,
    facts: &'a Facts,
    missing: Vec<String>,
}

type R = Result<Option<Value>, String>;

impl Env<'_> {
    fn miss(&mut self, what: String) {
        if !self.missing.contains(&what) {
            self.missing.push(what);
        }
    }

    fn bool(&mut self, e: &Expr) -> Result<Option<bool>, String> {
        match self.eval(e)? {
            Some(Value::Bool(b)) => Ok(Some(b)),
            None => Ok(None),
            Some(v) => Err(format!("内部错误：应为是/否，得到{}", v.ty_label())),
        }
    }

    fn eval(&mut self, e: &Expr) -> R {
        Ok(match e {
            Expr::Fact(id) => match self.facts.get(*id) {
                Some(v) => Some(v.clone()),
                None => {
                    self.miss(id.def().key.to_string());
                    None
                }
            },
            Expr::Param(i) => match self.bound.versions.get(*i).copied().flatten() {
                Some(v) => Some(v.value.clone()),
                None => {
                    let name = self.bound.policy.params.get(*i).map_or("?", |p| p.name.as_str());
                    self.miss(format!("param.{name}"));
                    None
                }
            },
            Expr::Today => Some(Value::Date(self.bound.date)),
            Expr::Lit(v) => Some(v.clone()),
            Expr::Not(x) => self.bool(x)?.map(|b| Value::Bool(!b)),
            Expr::And(xs) | Expr::Or(xs) => {
                let dominant = matches!(e, Expr::Or(_));
                let mut unknown = false;
                let mut decided = false;
                for x in xs {
                    match self.bool(x)? {
                        Some(b) if b == dominant => decided = true,
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                if decided {
                    Some(Value::Bool(dominant))
                } else if unknown {
                    None
                } else {
                    Some(Value::Bool(!dominant))
                }
            }
            Expr::Cmp(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                match (a, b) {
                    (Some(a), Some(b)) => Some(Value::Bool(compare(*op, &a, &b)?)),
                    _ => None,
                }
            }
            Expr::Arith(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                match (a, b) {
                    (Some(a), Some(b)) => Some(arith(*op, &a, &b)?),
                    _ => None,
                }
            }
            Expr::Call(f, args) => self.call(*f, args)?,
        })
    }

    fn date(&mut self, e: &Expr) -> Result<Option<NaiveDate>, String> {
        match self.eval(e)? {
            Some(Value::Date(d)) => Ok(Some(d)),
            None => Ok(None),
            Some(v) => Err(format!("内部错误：应为日期，得到{}", v.ty_label())),
        }
    }

    fn call(&mut self, f: Func, args: &[Expr]) -> R {
        let today = self.bound.date;
        let arg = |i: usize| args.get(i).ok_or_else(|| "内部错误：参数个数".to_string());
        Ok(match f {
            Func::Since => self.date(arg(0)?)?.map(|d| Value::Span(d, today)),
            Func::Until => self.date(arg(0)?)?.map(|d| Value::Span(today, d)),
            Func::Between => {
                let (a, b) = (self.date(arg(0)?)?, self.date(arg(1)?)?);
                a.zip(b).map(|(a, b)| Value::Span(a, b))
            }
            Func::Year => self.date(arg(0)?)?.map(|d| Value::Number(Rational::int(i64::from(d.year())))),
            Func::Known => match arg(0)? {
                Expr::Fact(id) => Some(Value::Bool(self.facts.get(*id).is_some())),
                _ => return Err("内部错误：known() 的参数".into()),
            },
            Func::Min | Func::Max => {
                let mut best: Option<Value> = None;
                let mut unknown = false;
                for a in args {
                    match self.eval(a)? {
                        None => unknown = true,
                        Some(v) => {
                            let replace = match &best {
                                None => true,
                                Some(b) => {
                                    let o = order(&v, b)?;
                                    if f == Func::Min {
                                        o == Ordering::Less
                                    } else {
                                        o == Ordering::Greater
                                    }
                                }
                            };
                            if replace {
                                best = Some(v);
                            }
                        }
                    }
                }
                if unknown {
                    None
                } else {
                    best
                }
            }
            Func::If => match self.bool(arg(0)?)? {
                None => None,
                Some(true) => self.eval(arg(1)?)?,
                Some(false) => self.eval(arg(2)?)?,
            },
        })
    }
}

fn order(a: &Value, b: &Value) -> Result<Ordering, String> {
    Ok(match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.cmp(y),
        (Value::Money(x), Value::Money(y)) => x.cmp(y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        // The span from `s` to `e` against a duration `d`: compare `e` with `s + d`.
        (Value::Span(s, e), Value::Duration(d)) => match d.after(*s) {
            Some(end) => e.cmp(&end),
            None => Ordering::Less,
        },
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        _ => return Err(format!("内部错误：不能比较{}和{}", a.ty_label(), b.ty_label())),
    })
}

fn compare(op: CmpOp, a: &Value, b: &Value) -> Result<bool, String> {
    Ok(op.holds(order(a, b)?))
}

fn arith(op: ArithOp, a: &Value, b: &Value) -> Result<Value, String> {
    let overflow = || "计算溢出".to_string();
    Ok(match (op, a, b) {
        (ArithOp::Add, Value::Number(x), Value::Number(y)) => Value::Number(x.checked_add(*y).ok_or_else(overflow)?),
        (ArithOp::Sub, Value::Number(x), Value::Number(y)) => Value::Number(x.checked_sub(*y).ok_or_else(overflow)?),
        (ArithOp::Mul, Value::Number(x), Value::Number(y)) => Value::Number(x.checked_mul(*y).ok_or_else(overflow)?),
        (ArithOp::Add, Value::Money(x), Value::Money(y)) => {
            Value::Money(Fen(x.0.checked_add(y.0).ok_or_else(overflow)?))
        }
        (ArithOp::Sub, Value::Money(x), Value::Money(y)) => {
            Value::Money(Fen(x.0.checked_sub(y.0).ok_or_else(overflow)?))
        }
        // A share of money rounds down to the fen.
        (ArithOp::Mul, Value::Money(m), Value::Number(r)) | (ArithOp::Mul, Value::Number(r), Value::Money(m)) => {
            Value::Money(Fen(r.times_fen_floor(m.0).ok_or_else(overflow)?))
        }
        _ => return Err(format!("内部错误：不能计算{}和{}", a.ty_label(), b.ty_label())),
    })
}

/// Evaluates one policy for one entity on `date`.
pub fn evaluate(policy: &Policy, facts: &Facts, date: NaiveDate) -> Evaluation {
    let bound = Bound::new(policy, date);
    evaluate_bound(&bound, facts)
}

/// Evaluates with parameters already bound (many entities, one date).
pub fn evaluate_bound(bound: &Bound, facts: &Facts) -> Evaluation {
    let policy = bound.policy;
    let date = bound.date;
    let cite0 =
        policy.sources.first().cloned().unwrap_or_else(|| Citation { document: String::new(), article: String::new() });
    let in_force = policy.in_force(date);
    let mut conditions = vec![ConditionResult {
        id: EFFECTIVE.into(),
        outcome: if in_force { Outcome::Met } else { Outcome::Failed },
        outcome_label: if in_force { Outcome::Met.label() } else { Outcome::Failed.label() },
        explain: format!("评估日期在政策有效期内（{}）", policy.period_label()),
        cite: cite0,
        rule: format!("{} <= today", policy.effective_from)
            + &policy.effective_to.map_or(String::new(), |t| format!(" and today <= {t}")),
        missing: Vec::new(),
        note: None,
    }];
    for c in &policy.conditions {
        if !c.applies_to.is_empty() && !c.applies_to.contains(&facts.entity) {
            continue;
        }
        let mut env = Env { bound, facts, missing: Vec::new() };
        let (outcome, note) = match env.bool(&c.test) {
            Ok(Some(true)) => (Outcome::Met, None),
            Ok(Some(false)) => (Outcome::Failed, None),
            Ok(None) => (Outcome::Unknown, None),
            Err(e) => (Outcome::Unknown, Some(e)),
        };
        conditions.push(ConditionResult {
            id: c.id.clone(),
            outcome,
            outcome_label: outcome.label(),
            explain: c.explain.clone(),
            cite: c.cite.clone(),
            rule: c.text.clone(),
            missing: if outcome == Outcome::Unknown { env.missing } else { Vec::new() },
            note,
        });
    }
    let status = if conditions.iter().any(|c| c.outcome == Outcome::Failed) {
        Status::NotEligible
    } else if conditions.iter().any(|c| c.outcome == Outcome::Unknown) {
        Status::Undetermined
    } else {
        Status::Eligible
    };
    let (amount_fen, amount_text) = match (&policy.amount, status) {
        (_, Status::NotEligible) => (None, "不符合条件，无金额".to_string()),
        (None, _) => (None, format!("规则未规定金额：{}", policy.benefit)),
        (Some(a), _) => {
            let mut env = Env { bound, facts, missing: Vec::new() };
            match env.eval(&a.formula) {
                Ok(Some(Value::Money(f))) if status == Status::Eligible => {
                    (Some(f.0), format!("{}元（{}）", f.to_yuan_compact(), a.explain))
                }
                Ok(Some(Value::Money(f))) => (None, format!("若条件满足为{}元（{}）", f.to_yuan_compact(), a.explain)),
                Ok(_) => {
                    // In Chinese: each missing fact by its label (a parameter by its name).
                    let missing: Vec<&str> = env
                        .missing
                        .iter()
                        .map(|k| super::facts::fact_by_key(k).map_or(k.as_str(), |id| id.def().label))
                        .collect();
                    (None, format!("金额无法计算，缺少：{}", missing.join("、")))
                }
                Err(e) => (None, format!("金额无法计算：{e}")),
            }
        }
    };
    let params = policy
        .params
        .iter()
        .zip(&bound.versions)
        .filter_map(|(p, v)| {
            v.map(|v| ParamUsed { name: p.name.clone(), value: v.value.to_string(), from: v.from, to: v.to })
        })
        .collect();
    Evaluation {
        policy: policy.id.clone(),
        title: policy.title.clone(),
        date,
        entity: facts.entity,
        status,
        status_label: status.label(),
        eligible: status == Status::Eligible,
        amount_fen,
        amount_text,
        conditions,
        params,
    }
}
