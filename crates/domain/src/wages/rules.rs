//! The wage warnings' thresholds, read from `data/wages/thresholds.toml` (dated
//! parameters in the policy library's format) and bound to one date.

use chrono::{Days, NaiveDate};

use crate::policy::load::{load_params_file, LoadError};
use crate::policy::value::{Duration, Rational, Value};
use crate::policy::Param;
use crate::Fen;

/// The embedded thresholds file.
pub const THRESHOLDS_FILE: &str = include_str!("../../../../data/wages/thresholds.toml");

/// Reads a thresholds file (`file` names it in errors).
pub fn load(file: &str, text: &str) -> Result<Vec<Param>, Vec<LoadError>> {
    load_params_file(file, text)
}

/// The embedded thresholds. A malformed file fails the build's tests
/// (`the_shipped_thresholds_load_and_bind`), so this is an empty list only in a broken
/// build, and binding then names what is missing.
pub fn embedded() -> Vec<Param> {
    load("data/wages/thresholds.toml", THRESHOLDS_FILE).unwrap_or_default()
}

/// The thresholds in force on one date.
#[derive(Debug, Clone, PartialEq)]
pub struct WageRules {
    pub on: NaiveDate,
    pub account_min_contract: Fen,
    pub account_min_duration: Duration,
    pub account_open_within: Duration,
    pub deposit_exempt_below: Fen,
    pub deposit_rate: Rational,
    pub deposit_rate_after_arrears: Rational,
    pub deposit_clean_period: Duration,
    pub deposit_due_within: Duration,
    pub notice_board_within: Duration,
    pub roster_within: Duration,
    pub balance_lookahead: Duration,
    pub cluster_window: Duration,
    pub cluster_min_complaints: i64,
    pub completion_lookahead: Duration,
    pub festival_lookahead: Duration,
    /// The 春节 in force on the date and on the date plus the lookahead (the next one
    /// when the year turns inside the window).
    pub festivals: Vec<NaiveDate>,
    pub orange_days: i64,
    pub red_days: i64,
    pub orange_amount: Fen,
    pub red_amount: Fen,
    pub orange_workers: i64,
    pub red_workers: i64,
    pub handle_within: [Duration; 3],
    pub fast_track_within: Duration,
    pub blacklist_term: Duration,
    pub blacklist_early_removal: Duration,
}

fn value<'a>(params: &'a [Param], name: &str, on: NaiveDate) -> Result<&'a Value, String> {
    let p = params.iter().find(|p| p.name == name).ok_or_else(|| format!("预警阈值缺少参数“{name}”"))?;
    p.at(on).map(|v| &v.value).ok_or_else(|| format!("预警阈值“{name}”在 {on} 没有生效的版本"))
}

fn money(params: &[Param], name: &str, on: NaiveDate) -> Result<Fen, String> {
    match value(params, name, on)? {
        Value::Money(f) => Ok(*f),
        v => Err(format!("预警阈值“{name}”应为金额，这里是{}", v.ty_label())),
    }
}

fn duration(params: &[Param], name: &str, on: NaiveDate) -> Result<Duration, String> {
    match value(params, name, on)? {
        Value::Duration(d) => Ok(*d),
        v => Err(format!("预警阈值“{name}”应为期限，这里是{}", v.ty_label())),
    }
}

fn ratio(params: &[Param], name: &str, on: NaiveDate) -> Result<Rational, String> {
    match value(params, name, on)? {
        Value::Number(r) => Ok(*r),
        v => Err(format!("预警阈值“{name}”应为比例，这里是{}", v.ty_label())),
    }
}

fn count(params: &[Param], name: &str, on: NaiveDate) -> Result<i64, String> {
    let r = ratio(params, name, on)?;
    if r.den() == 1 {
        i64::try_from(r.num()).map_err(|_| format!("预警阈值“{name}”过大"))
    } else {
        Err(format!("预警阈值“{name}”应为整数"))
    }
}

impl WageRules {
    /// The thresholds in force on `on`, or the first missing or mistyped one.
    pub fn bind(params: &[Param], on: NaiveDate) -> Result<WageRules, String> {
        let festival_lookahead = duration(params, "festival_lookahead", on)?;
        let mut festivals = Vec::new();
        let ahead = festival_lookahead.after(on).unwrap_or(on);
        for d in [on, ahead] {
            if let Ok(Value::Date(f)) = value(params, "spring_festival", d) {
                if !festivals.contains(f) {
                    festivals.push(*f);
                }
            }
        }
        Ok(WageRules {
            on,
            account_min_contract: money(params, "account_min_contract", on)?,
            account_min_duration: duration(params, "account_min_duration", on)?,
            account_open_within: duration(params, "account_open_within", on)?,
            deposit_exempt_below: money(params, "deposit_exempt_below", on)?,
            deposit_rate: ratio(params, "deposit_rate", on)?,
            deposit_rate_after_arrears: ratio(params, "deposit_rate_after_arrears", on)?,
            deposit_clean_period: duration(params, "deposit_clean_period", on)?,
            deposit_due_within: duration(params, "deposit_due_within", on)?,
            notice_board_within: duration(params, "notice_board_within", on)?,
            roster_within: duration(params, "roster_within", on)?,
            balance_lookahead: duration(params, "balance_lookahead", on)?,
            cluster_window: duration(params, "cluster_window", on)?,
            cluster_min_complaints: count(params, "cluster_min_complaints", on)?,
            completion_lookahead: duration(params, "completion_lookahead", on)?,
            festival_lookahead,
            festivals,
            orange_days: count(params, "orange_days", on)?,
            red_days: count(params, "red_days", on)?,
            orange_amount: money(params, "orange_amount", on)?,
            red_amount: money(params, "red_amount", on)?,
            orange_workers: count(params, "orange_workers", on)?,
            red_workers: count(params, "red_workers", on)?,
            handle_within: [
                duration(params, "handle_within_yellow", on)?,
                duration(params, "handle_within_orange", on)?,
                duration(params, "handle_within_red", on)?,
            ],
            fast_track_within: duration(params, "fast_track_within", on)?,
            blacklist_term: duration(params, "blacklist_term", on)?,
            blacklist_early_removal: duration(params, "blacklist_early_removal", on)?,
        })
    }
}

/// `date` plus `d`, saturating at the calendar's end.
pub fn plus(date: NaiveDate, d: Duration) -> NaiveDate {
    d.after(date).unwrap_or(NaiveDate::MAX)
}

/// `date` minus `d` (months first, then days), saturating at the calendar's start.
pub fn minus(date: NaiveDate, d: Duration) -> NaiveDate {
    date.checked_sub_months(chrono::Months::new(d.months))
        .and_then(|x| x.checked_sub_days(Days::new(u64::from(d.days))))
        .unwrap_or(NaiveDate::MIN)
}
