//! The values rules compute with: exact rationals for counts and ratios, integer fen
//! for money, calendar durations, dates and text. No floats: `2/3` of an amount is
//! `floor(fen × 2 / 3)`, rounded down to the fen (a payment never exceeds its exact
//! share).

use std::cmp::Ordering;
use std::fmt;

use chrono::{Days, Months, NaiveDate};

use crate::Fen;

/// The type of a fact, a parameter or an expression. Checked when a policy loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Bool,
    /// Counts and ratios (exact rationals).
    Number,
    Money,
    Date,
    /// A calendar length (`1年`, `6个月`, `30天`).
    Duration,
    /// The time between two dates (`since(d)`, `until(d)`, `between(a, b)`); only
    /// comparable with a `Duration`.
    Span,
    Text,
    /// One of a closed list of labels (fact vocabularies such as 就业状态).
    Enum(&'static [&'static str]),
}

impl Type {
    /// The Chinese name used in error messages.
    pub fn label(self) -> &'static str {
        match self {
            Type::Bool => "是/否",
            Type::Number => "数值",
            Type::Money => "金额",
            Type::Date => "日期",
            Type::Duration => "时长",
            Type::Span => "日期间隔",
            Type::Text => "文本",
            Type::Enum(_) => "选项",
        }
    }

    /// Whether two types are the same kind (any two enums count as text-like for
    /// this test; the value check is done on literals).
    pub fn same(self, other: Type) -> bool {
        match (self, other) {
            (Type::Enum(a), Type::Enum(b)) => std::ptr::eq(a, b) || a == b,
            (a, b) => a == b,
        }
    }
}

/// An exact rational `num / den` with `den > 0`, kept in lowest terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rational {
    num: i128,
    den: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

impl Rational {
    pub const ZERO: Rational = Rational { num: 0, den: 1 };

    pub fn int(n: i64) -> Rational {
        Rational { num: i128::from(n), den: 1 }
    }

    /// `None` when `den` is zero.
    pub fn new(num: i128, den: i128) -> Option<Rational> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den).max(1);
        let (num, den) = (num / g, den / g);
        Some(if den < 0 { Rational { num: -num, den: -den } } else { Rational { num, den } })
    }

    pub fn num(self) -> i128 {
        self.num
    }

    pub fn den(self) -> i128 {
        self.den
    }

    pub fn checked_add(self, o: Rational) -> Option<Rational> {
        Rational::new(
            self.num.checked_mul(o.den)?.checked_add(o.num.checked_mul(self.den)?)?,
            self.den.checked_mul(o.den)?,
        )
    }

    pub fn checked_sub(self, o: Rational) -> Option<Rational> {
        self.checked_add(Rational { num: o.num.checked_neg()?, den: o.den })
    }

    pub fn checked_mul(self, o: Rational) -> Option<Rational> {
        Rational::new(self.num.checked_mul(o.num)?, self.den.checked_mul(o.den)?)
    }

    /// Parses `20`, `20%`, `2/3`, `0.5`.
    pub fn parse(text: &str) -> Option<Rational> {
        let t = text.trim();
        let digits = |s: &str| !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit());
        if let Some(p) = t.strip_suffix('%') {
            let r = Rational::parse(p)?;
            return r.checked_mul(Rational::new(1, 100)?);
        }
        if let Some((a, b)) = t.split_once('/') {
            if !digits(a.trim()) || !digits(b.trim()) {
                return None;
            }
            return Rational::new(a.trim().parse().ok()?, b.trim().parse().ok()?);
        }
        if let Some((i, f)) = t.split_once('.') {
            if !digits(i) || !digits(f) {
                return None;
            }
            let scale = 10i128.checked_pow(u32::try_from(f.len()).ok()?)?;
            let n = i.parse::<i128>().ok()?.checked_mul(scale)?.checked_add(f.parse::<i128>().ok()?)?;
            return Rational::new(n, scale);
        }
        if !digits(t) {
            return None;
        }
        Some(Rational { num: t.parse().ok()?, den: 1 })
    }

    /// `floor(fen × self)`: the rounding rule for shares of money.
    pub fn times_fen_floor(self, fen: i64) -> Option<i64> {
        let p = i128::from(fen).checked_mul(self.num)?;
        i64::try_from(p.div_euclid(self.den)).ok()
    }
}

impl PartialOrd for Rational {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rational {
    fn cmp(&self, other: &Self) -> Ordering {
        // Both denominators are positive; the products fit for the magnitudes rules use
        // (facts are i64, parameters are short literals), and saturate otherwise.
        let a = self.num.saturating_mul(other.den);
        let b = other.num.saturating_mul(self.den);
        a.cmp(&b)
    }
}

impl fmt::Display for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else if 100 % self.den == 0 {
            write!(f, "{}%", self.num * (100 / self.den))
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

/// A calendar length: whole months (a year is 12) plus days. Adding it to a date adds
/// the months first (clamped to the month's last day: 2024-02-29 + 1年 = 2025-02-28),
/// then the days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    pub months: u32,
    pub days: u32,
}

impl Duration {
    /// Parses `1年`, `6个月`, `6月`, `30天`, `30日`.
    pub fn parse(text: &str) -> Option<Duration> {
        let t = text.trim();
        let num = |s: &str| -> Option<u32> {
            let s = s.trim();
            if s.is_empty() || s.len() > 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        if let Some(n) = t.strip_suffix('年') {
            return Some(Duration { months: num(n)?.checked_mul(12)?, days: 0 });
        }
        if let Some(n) = t.strip_suffix("个月").or_else(|| t.strip_suffix('月')) {
            return Some(Duration { months: num(n)?, days: 0 });
        }
        if let Some(n) = t.strip_suffix('天').or_else(|| t.strip_suffix('日')) {
            return Some(Duration { months: 0, days: num(n)? });
        }
        None
    }

    pub fn is_zero(self) -> bool {
        self.months == 0 && self.days == 0
    }

    /// `date + self`, or `None` past the calendar's end.
    pub fn after(self, date: NaiveDate) -> Option<NaiveDate> {
        date.checked_add_months(Months::new(self.months))?.checked_add_days(Days::new(u64::from(self.days)))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.months.is_multiple_of(12) && self.months > 0 {
            parts.push(format!("{}年", self.months / 12));
        } else if self.months > 0 {
            parts.push(format!("{}个月", self.months));
        }
        if self.days > 0 || parts.is_empty() {
            parts.push(format!("{}天", self.days));
        }
        f.write_str(&parts.concat())
    }
}

/// A computed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Bool(bool),
    Number(Rational),
    Money(Fen),
    Date(NaiveDate),
    Duration(Duration),
    /// From the first date to the second.
    Span(NaiveDate, NaiveDate),
    Text(String),
}

impl Value {
    pub fn ty_label(&self) -> &'static str {
        match self {
            Value::Bool(_) => Type::Bool.label(),
            Value::Number(_) => Type::Number.label(),
            Value::Money(_) => Type::Money.label(),
            Value::Date(_) => Type::Date.label(),
            Value::Duration(_) => Type::Duration.label(),
            Value::Span(..) => Type::Span.label(),
            Value::Text(_) => Type::Text.label(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => f.write_str(if *b { "是" } else { "否" }),
            Value::Number(r) => write!(f, "{r}"),
            Value::Money(m) => write!(f, "{}元", m.to_yuan_compact()),
            Value::Date(d) => write!(f, "{d}"),
            Value::Duration(d) => write!(f, "{d}"),
            Value::Span(a, b) => write!(f, "{a} 至 {b}"),
            Value::Text(t) => f.write_str(t),
        }
    }
}

/// Parses a parameter or fact written as text: `8000元` (money), `50%` / `2/3` / `0.5`
/// (number), `1年` / `6个月` / `30天` (duration); anything else is text.
pub fn parse_text_value(text: &str) -> Value {
    let t = text.trim();
    if t.ends_with('元') {
        if let Ok(f) = Fen::parse_yuan(t) {
            return Value::Money(f);
        }
    }
    if let Some(d) = Duration::parse(t) {
        return Value::Duration(d);
    }
    if let Some(r) = Rational::parse(t) {
        return Value::Number(r);
    }
    Value::Text(t.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ratios_parse_exactly_and_shares_round_down_to_the_fen() {
        assert_eq!(Rational::parse("2/3").unwrap(), Rational::new(2, 3).unwrap());
        assert_eq!(Rational::parse("50%").unwrap(), Rational::new(1, 2).unwrap());
        assert_eq!(Rational::parse("0.25").unwrap(), Rational::new(1, 4).unwrap());
        assert_eq!(Rational::parse("1/0"), None);
        assert_eq!(Rational::new(2, 3).unwrap().times_fen_floor(100).unwrap(), 66);
        assert_eq!(Rational::new(2, 3).unwrap().times_fen_floor(-100).unwrap(), -67);
    }

    #[test]
    fn a_year_after_a_leap_day_is_the_last_of_february() {
        let d = Duration::parse("1年").unwrap();
        assert_eq!(d.after(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()), NaiveDate::from_ymd_opt(2025, 2, 28));
        assert_eq!(Duration::parse("6个月").unwrap().months, 6);
        assert_eq!(Duration::parse("30天").unwrap().days, 30);
        assert_eq!(Duration::parse("年"), None);
    }

    #[test]
    fn text_values_are_typed_by_their_unit() {
        assert_eq!(parse_text_value("8000元"), Value::Money(Fen(800_000)));
        assert_eq!(parse_text_value("1年"), Value::Duration(Duration { months: 12, days: 0 }));
        assert_eq!(parse_text_value("20%"), Value::Number(Rational::new(1, 5).unwrap()));
        assert_eq!(parse_text_value("500116"), Value::Number(Rational::int(500116)));
        assert_eq!(parse_text_value("优"), Value::Text("优".into()));
    }
}
