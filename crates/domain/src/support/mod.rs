//! 就业帮扶车间 and 公益性岗位 (SPEC §6; seed 001 §(二): 就业帮扶车间……每年促进农民工
//! “家门口”就业人数保持在1.3万人以上……每年公益性岗位数量保持在10万个以上), the part that
//! is pure rules: who counts as employed in a workshop on a date and its 脱贫 share; the
//! tenure of a 公益性岗位 holder (3 years; to retirement for someone within 5 years of
//! it when appointed; one more year for a term ending in 2020 without stable work,
//! seed 002 #33), with the dates as dated parameters; the exit reasons.

use chrono::{Months, NaiveDate};

use crate::identity::Sex;
use crate::registry::unemployment::retirement_date;

#[cfg(test)]
mod tests;

/// A dated number of months: in force from `from` (inclusive) to `to` (inclusive, open
/// when `None`), for terms whose end falls in that range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatedMonths {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub months: u32,
}

/// The tenure rules of 公益性岗位, each a dated parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenureRules {
    /// The standard term (就业补助资金管理办法 财社〔2017〕164号 第七条: 公益性岗位补贴期限
    /// 最长不超过3年): by the appointment date.
    pub term: Vec<DatedMonths>,
    /// Within this many months of the statutory retirement age at appointment, the term
    /// runs to retirement (同上: 对距法定退休年龄不足5年的……可延长至退休).
    pub near_retirement: Vec<DatedMonths>,
    /// The extension of a term that ends, without stable work, inside the parameter's
    /// dates (seed 002 #33: 政策期满仍未实现稳定就业的，政策享受期限可延长1年，实施期限为
    /// 2020年1月1日至12月31日).
    pub extension: Vec<DatedMonths>,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

impl Default for TenureRules {
    fn default() -> Self {
        TenureRules {
            term: vec![DatedMonths { from: date(2017, 10, 13), to: None, months: 36 }],
            near_retirement: vec![DatedMonths { from: date(2017, 10, 13), to: None, months: 60 }],
            extension: vec![DatedMonths { from: date(2020, 1, 1), to: Some(date(2020, 12, 31)), months: 12 }],
        }
    }
}

fn in_force(list: &[DatedMonths], on: NaiveDate) -> Option<u32> {
    list.iter().rev().find(|p| p.from <= on && p.to.is_none_or(|t| on <= t)).map(|p| p.months)
}

/// How a holder's term ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Tenure {
    /// The last day of the term.
    pub ends: NaiveDate,
    /// The term runs to the statutory retirement age.
    pub to_retirement: bool,
    /// Extended by seed 002 #33.
    pub extended: bool,
}

/// The term of a holder appointed on `start`, born on `birth`, from `rules`. The 2020
/// extension applies only when `stably_employed` is false (the holder had not found
/// stable work when the term ran out).
pub fn tenure(start: NaiveDate, birth: NaiveDate, sex: Sex, rules: &TenureRules, stably_employed: bool) -> Tenure {
    let retires = retirement_date(birth, sex);
    let near = in_force(&rules.near_retirement, start).unwrap_or(0);
    let near_from = retires.checked_sub_months(Months::new(near)).unwrap_or(NaiveDate::MIN);
    if near > 0 && start >= near_from {
        return Tenure { ends: retires.pred_opt().unwrap_or(retires), to_retirement: true, extended: false };
    }
    let months = in_force(&rules.term, start).unwrap_or(36);
    let ends = start.checked_add_months(Months::new(months)).and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX);
    if !stably_employed {
        if let Some(more) = in_force(&rules.extension, ends) {
            let ends = ends
                .checked_add_months(Months::new(more))
                .unwrap_or(NaiveDate::MAX)
                .min(retires.pred_opt().unwrap_or(retires));
            return Tenure { ends, to_retirement: false, extended: true };
        }
    }
    Tenure { ends: ends.min(retires.pred_opt().unwrap_or(retires)), to_retirement: false, extended: false }
}

/// Where a holder stands on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum TenureState {
    InTerm,
    /// The term ends within 90 days: prepare the exit (or stable work).
    EndingSoon(i64),
    /// Past the term and not yet exited.
    Overdue(i64),
}

pub const ENDING_SOON_DAYS: i64 = 90;

impl TenureState {
    pub fn of(t: &Tenure, on: NaiveDate) -> TenureState {
        let left = (t.ends - on).num_days();
        if left < 0 {
            TenureState::Overdue(-left)
        } else if left <= ENDING_SOON_DAYS {
            TenureState::EndingSoon(left)
        } else {
            TenureState::InTerm
        }
    }

    pub fn label(self) -> String {
        match self {
            TenureState::InTerm => "在期".into(),
            TenureState::EndingSoon(d) => format!("{d}天后期满"),
            TenureState::Overdue(d) => format!("已超期{d}天，应办理退出"),
        }
    }
}

/// Why a holder left a 公益性岗位.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ExitReason {
    TermEnded,
    StableWork,
    Resigned,
    Dismissed,
    Retired,
}

impl ExitReason {
    pub const ALL: &'static [ExitReason] = &[
        ExitReason::TermEnded,
        ExitReason::StableWork,
        ExitReason::Resigned,
        ExitReason::Dismissed,
        ExitReason::Retired,
    ];

    pub fn code(self) -> i16 {
        match self {
            ExitReason::TermEnded => 1,
            ExitReason::StableWork => 2,
            ExitReason::Resigned => 3,
            ExitReason::Dismissed => 4,
            ExitReason::Retired => 5,
        }
    }

    pub fn from_code(code: i16) -> Option<ExitReason> {
        ExitReason::ALL.iter().copied().find(|r| r.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ExitReason::TermEnded => "期满退出",
            ExitReason::StableWork => "实现稳定就业",
            ExitReason::Resigned => "本人辞职",
            ExitReason::Dismissed => "考核不合格解除",
            ExitReason::Retired => "达到法定退休年龄",
        }
    }

    pub fn parse(text: &str) -> Option<ExitReason> {
        let t = text.trim();
        ExitReason::ALL.iter().copied().find(|r| r.label() == t || r.code().to_string() == t)
    }
}

/// A spell of work: from `start` to `end` (inclusive; open when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spell {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// The worker is 脱贫人口.
    pub poverty_alleviated: bool,
}

impl Spell {
    pub fn on(&self, day: NaiveDate) -> bool {
        self.start <= day && self.end.is_none_or(|e| day <= e)
    }
}

/// Persons in work on `day` and how many of them are 脱贫人口 (a person with two spells
/// on the day counts once only if the caller gives one spell per person and day).
pub fn employed_on(spells: &[Spell], day: NaiveDate) -> (u64, u64) {
    spells.iter().filter(|s| s.on(day)).fold((0, 0), |(n, p), s| (n + 1, p + u64::from(s.poverty_alleviated)))
}

/// Persons who worked at any time in `[from, to]` (the year's 家门口 employment count).
pub fn employed_during(spells: &[Spell], from: NaiveDate, to: NaiveDate) -> u64 {
    spells.iter().filter(|s| s.start <= to && s.end.is_none_or(|e| e >= from)).count() as u64
}
