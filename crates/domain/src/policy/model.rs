//! A loaded policy: its library record (title, documents, dates, target, how it is
//! obtained, department) and, for machine-checkable policies, its rule: conditions
//! and an amount formula over facts, and dated parameters.

use std::fmt;

use chrono::NaiveDate;

use super::expr::Expr;
use super::facts::EntityKind;
use super::value::{Type, Value};

/// A stable policy id (`returnee-startup-subsidy`): lowercase ASCII letters, digits
/// and hyphens, 3 to 64 characters. The API, the command line and tests use it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct PolicyId(String);

impl PolicyId {
    pub fn parse(text: &str) -> Option<PolicyId> {
        let ok = (3..=64).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !text.starts_with('-')
            && !text.ends_with('-');
        ok.then(|| PolicyId(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PolicyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a benefit is obtained (seed 001 §(一)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Obtain {
    /// 免申即享: paid without an application.
    Automatic,
    /// 直补快办: paid directly after a fast check.
    FastTrack,
    /// 申请: on application.
    Application,
}

impl Obtain {
    pub const ALL: [Obtain; 3] = [Obtain::Automatic, Obtain::FastTrack, Obtain::Application];

    pub fn label(self) -> &'static str {
        match self {
            Obtain::Automatic => "免申即享",
            Obtain::FastTrack => "直补快办",
            Obtain::Application => "申请",
        }
    }

    pub fn parse(text: &str) -> Option<Obtain> {
        Self::ALL.into_iter().find(|o| o.label() == text.trim())
    }
}

/// How often an entitlement can be paid, for the payout ledger's key (entity, policy,
/// period): the future 免申即享 batch never pays the same key twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Once,
    Yearly,
    Monthly,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Once, Period::Yearly, Period::Monthly];

    pub fn label(self) -> &'static str {
        match self {
            Period::Once => "一次性",
            Period::Yearly => "每年",
            Period::Monthly => "每月",
        }
    }

    pub fn parse(text: &str) -> Option<Period> {
        Self::ALL.into_iter().find(|o| o.label() == text.trim())
    }
}

/// A document and article (`渝府办发〔2025〕18号`, `二、（七）`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Citation {
    pub document: String,
    pub article: String,
}

impl fmt::Display for Citation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.document, self.article)
    }
}

/// One version of a parameter: in force from `from` (inclusive) until the next
/// version's `from`, or until `to` (inclusive) when given.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamVersion {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub value: Value,
    pub cite: Option<Citation>,
    pub note: Option<String>,
}

/// A named amount, limit or threshold with its dated versions (sorted by `from`, not
/// overlapping: checked at load).
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: Type,
    pub versions: Vec<ParamVersion>,
}

impl Param {
    /// The version in force on `date`, if any.
    pub fn at(&self, date: NaiveDate) -> Option<&ParamVersion> {
        let i = self.versions.partition_point(|v| v.from <= date);
        let v = self.versions.get(i.checked_sub(1)?)?;
        match v.to {
            Some(to) if date > to => None,
            _ => Some(v),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Short stable name within the policy (tests name failed conditions by it).
    pub id: String,
    /// The expression as written.
    pub text: String,
    pub test: Expr,
    pub explain: String,
    pub cite: Citation,
    /// Checked only for these kinds of entity (all of the policy's targets if empty).
    pub applies_to: Vec<EntityKind>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Amount {
    pub text: String,
    pub formula: Expr,
    pub explain: String,
    pub cite: Citation,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub id: PolicyId,
    pub title: String,
    pub sources: Vec<Citation>,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub targets: Vec<EntityKind>,
    pub obtain: Obtain,
    pub benefit: String,
    pub evidence: Vec<String>,
    pub department: String,
    pub tags: Vec<String>,
    /// The ledger key's entity and period (see `Period`).
    pub payout_per: EntityKind,
    pub period: Period,
    pub params: Vec<Param>,
    pub conditions: Vec<Condition>,
    pub amount: Option<Amount>,
    /// The file it came from.
    pub file: String,
}

impl Policy {
    /// Whether the policy has machine-checkable rules.
    pub fn has_rules(&self) -> bool {
        !self.conditions.is_empty()
    }

    pub fn in_force(&self, date: NaiveDate) -> bool {
        date >= self.effective_from && self.effective_to.is_none_or(|to| date <= to)
    }

    /// A draft of this policy for a what-if: parameter `name`'s version in force on
    /// `date` takes `value` (written as in a policy file: `6000元`, `2/3`, `1年`).
    /// Refused when the parameter does not exist, has no version on that date, or the
    /// value is not of the parameter's type.
    pub fn with_draft_value(&self, name: &str, value: &str, date: NaiveDate) -> Result<Policy, String> {
        let mut draft = self.clone();
        let known = self.params.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join("、");
        let param = draft
            .params
            .iter_mut()
            .find(|p| p.name == name)
            .ok_or_else(|| format!("政策“{}”没有参数“{name}”（可用：{known}）", self.id.as_str()))?;
        let i = param.versions.partition_point(|v| v.from <= date);
        let in_force = i.checked_sub(1).filter(|&i| param.versions[i].to.is_none_or(|to| date <= to));
        let i = in_force.ok_or_else(|| format!("参数“{name}”在 {date} 没有生效的版本"))?;
        let new = super::value::parse_text_value(value);
        let ty = param.ty;
        let same_type = matches!(
            (&new, ty),
            (Value::Money(_), Type::Money) | (Value::Number(_), Type::Number) | (Value::Duration(_), Type::Duration)
        ) || (ty == Type::Date && super::facts::parse_date(value).is_some())
            || (ty == Type::Text && matches!(new, Value::Text(_)));
        if !same_type {
            return Err(format!("参数“{name}”应为{}，“{value}”不是", ty.label()));
        }
        let new = match ty {
            Type::Date => Value::Date(super::facts::parse_date(value).ok_or_else(|| format!("日期“{value}”无效"))?),
            _ => new,
        };
        param.versions[i].value = new;
        param.versions[i].note = Some(format!("测算草稿：{value}"));
        Ok(draft)
    }

    /// `2025-03-27 至 2027-12-31` or `2020-03-04 起`.
    pub fn period_label(&self) -> String {
        match self.effective_to {
            Some(to) => format!("{} 至 {to}", self.effective_from),
            None => format!("{} 起", self.effective_from),
        }
    }

    /// Every fact the conditions and the amount read: the columns a bulk kernel loads
    /// for this policy.
    pub fn facts_read(&self) -> Vec<super::facts::FactId> {
        let mut out = Vec::new();
        for c in &self.conditions {
            c.test.facts(&mut out);
        }
        if let Some(a) = &self.amount {
            a.formula.facts(&mut out);
        }
        out.sort();
        out
    }

    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::policy::value::Rational;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn policy_ids_are_kebab_case() {
        assert!(PolicyId::parse("hiring-subsidy-2020").is_some());
        assert!(PolicyId::parse("Hiring").is_none());
        assert!(PolicyId::parse("-ab").is_none());
        assert!(PolicyId::parse("ab").is_none());
    }

    #[test]
    fn the_version_in_force_is_the_latest_started_and_not_ended() {
        let v = |from: &str, to: Option<&str>, n: i64| ParamVersion {
            from: d(from),
            to: to.map(d),
            value: Value::Number(Rational::int(n)),
            cite: None,
            note: None,
        };
        let p = Param {
            name: "x".into(),
            ty: Type::Number,
            versions: vec![v("2020-01-01", Some("2020-12-31"), 1), v("2022-01-01", None, 2)],
        };
        assert!(p.at(d("2019-12-31")).is_none());
        assert_eq!(p.at(d("2020-01-01")).unwrap().value, Value::Number(Rational::int(1)));
        assert_eq!(p.at(d("2020-12-31")).unwrap().value, Value::Number(Rational::int(1)));
        assert!(p.at(d("2021-01-01")).is_none(), "a gap between versions");
        assert_eq!(p.at(d("2030-01-01")).unwrap().value, Value::Number(Rational::int(2)));
    }

    #[test]
    fn a_draft_value_replaces_the_version_in_force_and_is_checked() {
        use crate::policy::{evaluate, Facts, Library};
        let lib = Library::embedded().unwrap();
        let p = lib.get("returnee-startup-subsidy").unwrap();
        let on = d("2025-06-01");
        let facts = Facts::from_json(&serde_json::json!({"entity": "person", "facts": {
            "returnee": true, "first_business": true, "business_operating": true,
            "business_start_date": "2024-01-01"}}))
        .unwrap();
        assert_eq!(evaluate(p, &facts, on).amount_fen, Some(800_000));
        let draft = p.with_draft_value("max_amount", "10000元", on).unwrap();
        assert_eq!(evaluate(&draft, &facts, on).amount_fen, Some(1_000_000));
        assert_eq!(evaluate(p, &facts, on).amount_fen, Some(800_000), "the policy itself is unchanged");
        let e = p.with_draft_value("nope", "1元", on).unwrap_err();
        assert!(e.contains("没有参数“nope”") && e.contains("max_amount"), "{e}");
        let e = p.with_draft_value("max_amount", "2/3", on).unwrap_err();
        assert!(e.contains("应为"), "{e}");
        let e = p.with_draft_value("max_amount", "9000元", d("2020-01-01")).unwrap_err();
        assert!(e.contains("没有生效的版本"), "{e}");
        assert!(p.with_draft_value("min_operation", "2年", on).is_ok());
    }
}
