//! A population held as compact columns (a struct of arrays), one optional column per
//! fact of the vocabulary (`FactId` is the column's index). Unknown values are
//! sentinels, so a kernel reads one array per fact and nothing else.

use chrono::NaiveDate;

use super::super::facts::{EntityKind, FactId, Facts, FACTS};
use super::super::value::{Rational, Type, Value};
use super::BulkError;
use crate::Fen;

/// A boolean column's byte for an unknown value (0 is false, 1 is true).
pub const BOOL_UNKNOWN: u8 = 2;
/// An enum column's code for an unknown value (otherwise the index in the vocabulary).
pub const CODE_UNKNOWN: u8 = u8::MAX;
/// A text column's code for an unknown value (otherwise the index in its dictionary).
pub const TEXT_UNKNOWN: u32 = u32::MAX;
/// A count column's unknown value.
pub const INT_UNKNOWN: i32 = i32::MIN;
/// A money column's unknown value (so `i64::MIN` fen is not a representable amount).
pub const MONEY_UNKNOWN: i64 = i64::MIN;
/// A date column's unknown value (dates are days since 1970-01-01).
pub const DATE_UNKNOWN: i32 = i32::MIN;

/// Days since 1970-01-01 (fits in i32 for every `NaiveDate`).
pub fn date_to_days(d: NaiveDate) -> i32 {
    d.to_epoch_days()
}

pub fn days_to_date(days: i64) -> Option<NaiveDate> {
    NaiveDate::from_epoch_days(i32::try_from(days).ok()?)
}

/// The first and last day numbers a `NaiveDate` can hold.
pub fn day_range() -> (i64, i64) {
    (i64::from(date_to_days(NaiveDate::MIN)), i64::from(date_to_days(NaiveDate::MAX)))
}

/// One fact's values for every row.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// 0 false, 1 true, `BOOL_UNKNOWN`.
    Bool(Vec<u8>),
    /// Counts (`Type::Number` facts are whole numbers), `INT_UNKNOWN`.
    Int(Vec<i32>),
    /// Fen, `MONEY_UNKNOWN`.
    Money(Vec<i64>),
    /// Days since 1970-01-01, `DATE_UNKNOWN`.
    Date(Vec<i32>),
    /// Index into the fact's option list (`Type::Enum`), `CODE_UNKNOWN`.
    Code(Vec<u8>),
    /// Index into `dict`, `TEXT_UNKNOWN`.
    Text { codes: Vec<u32>, dict: Vec<String> },
}

impl Column {
    pub fn len(&self) -> usize {
        match self {
            Column::Bool(v) | Column::Code(v) => v.len(),
            Column::Int(v) | Column::Date(v) => v.len(),
            Column::Money(v) => v.len(),
            Column::Text { codes, .. } => codes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes per row a kernel reads from this column.
    pub fn width(&self) -> usize {
        match self {
            Column::Bool(_) | Column::Code(_) => 1,
            Column::Int(_) | Column::Date(_) | Column::Text { .. } => 4,
            Column::Money(_) => 8,
        }
    }

    fn kind_label(&self) -> &'static str {
        match self {
            Column::Bool(_) => "是/否列",
            Column::Int(_) => "整数列",
            Column::Money(_) => "金额列",
            Column::Date(_) => "日期列",
            Column::Code(_) => "选项列",
            Column::Text { .. } => "文本列",
        }
    }
}

/// Many entities of one kind, as columns. A fact without a column is unknown for all.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    pub entity: EntityKind,
    len: usize,
    columns: Vec<Option<Column>>,
}

fn col_err(fact: &str, reason: impl Into<String>) -> BulkError {
    BulkError::Column { fact: fact.to_string(), reason: reason.into() }
}

impl Population {
    pub fn new(entity: EntityKind, len: usize) -> Population {
        Population { entity, len, columns: vec![None; FACTS.len()] }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Sets the column of fact `key`, checking its kind against the fact's type, its
    /// length, and every value (codes within their list, dates within the calendar).
    pub fn set(&mut self, key: &str, column: Column) -> Result<(), BulkError> {
        let id = super::super::facts::fact_by_key(key).ok_or_else(|| col_err(key, "未知的事实名称"))?;
        let def = id.def();
        if column.len() != self.len {
            return Err(col_err(key, format!("有 {} 行，人群有 {} 行", column.len(), self.len)));
        }
        let ok = match (&column, def.ty) {
            (Column::Bool(v), Type::Bool) => v.iter().all(|b| *b <= BOOL_UNKNOWN),
            (Column::Int(_), Type::Number) | (Column::Money(_), Type::Money) => true,
            (Column::Date(v), Type::Date) => {
                let (lo, hi) = day_range();
                v.iter().all(|d| *d == DATE_UNKNOWN || (lo..=hi).contains(&i64::from(*d)))
            }
            (Column::Code(v), Type::Enum(values)) => {
                v.iter().all(|c| *c == CODE_UNKNOWN || usize::from(*c) < values.len())
            }
            (Column::Text { codes, dict }, Type::Text) => {
                codes.iter().all(|c| *c == TEXT_UNKNOWN || usize::try_from(*c).is_ok_and(|c| c < dict.len()))
            }
            _ => {
                return Err(col_err(
                    key,
                    format!("“{}”是{}，不能用{}", def.label, def.ty.label(), column.kind_label()),
                ));
            }
        };
        if !ok {
            return Err(col_err(key, format!("“{}”的{}含超出范围的值", def.label, column.kind_label())));
        }
        self.columns[usize::from(id.0)] = Some(column);
        Ok(())
    }

    pub fn column(&self, id: FactId) -> Option<&Column> {
        self.columns.get(usize::from(id.0)).and_then(|c| c.as_ref())
    }

    /// The bytes a kernel reading `facts` reads for all rows.
    pub fn bytes(&self, facts: &[FactId]) -> usize {
        facts.iter().filter_map(|f| self.column(*f)).map(|c| c.width() * self.len).sum()
    }

    /// Row `row` as `Facts`, for the per-entity evaluator (tests, explanations).
    pub fn facts(&self, row: usize) -> Facts {
        let mut out = Facts::new(self.entity);
        for (i, col) in self.columns.iter().enumerate() {
            let Some(col) = col else { continue };
            let def = &FACTS[i];
            let value = match col {
                Column::Bool(v) => match v.get(row) {
                    Some(0) => Some(Value::Bool(false)),
                    Some(1) => Some(Value::Bool(true)),
                    _ => None,
                },
                Column::Int(v) => {
                    v.get(row).filter(|x| **x != INT_UNKNOWN).map(|x| Value::Number(Rational::int(i64::from(*x))))
                }
                Column::Money(v) => v.get(row).filter(|x| **x != MONEY_UNKNOWN).map(|x| Value::Money(Fen(*x))),
                Column::Date(v) => v
                    .get(row)
                    .filter(|x| **x != DATE_UNKNOWN)
                    .and_then(|x| days_to_date(i64::from(*x)))
                    .map(Value::Date),
                Column::Code(v) => match def.ty {
                    Type::Enum(values) => {
                        v.get(row).and_then(|c| values.get(usize::from(*c))).map(|s| Value::Text((*s).to_string()))
                    }
                    _ => None,
                },
                Column::Text { codes, dict } => codes
                    .get(row)
                    .and_then(|c| usize::try_from(*c).ok())
                    .and_then(|c| dict.get(c))
                    .map(|s| Value::Text(s.clone())),
            };
            if let Some(v) = value {
                // The column was checked against the fact's type when set.
                let _ = out.set(def.key, v);
            }
        }
        out
    }
}
