//! 劳务经纪人 (SPEC §6; seed 003 ch2.1: 对劳务经纪人免费帮助城乡户籍登记失业人员、脱贫劳动力
//! 等群体稳定就业的，给予就业创业服务补助……加强诚信体系建设), the part that is pure rules:
//! who a claim may be made for, when the hire became stable work (a number of months
//! of continuous insured employment, configurable, 6 by default), the claim states and
//! the integrity record's kinds.

use chrono::{Months, NaiveDate};

use crate::registry::{EmploymentStatus, GroupFlag, GroupFlags, Insurance, InsuranceSet};

#[cfg(test)]
mod tests;

/// Months of continuous insured employment after the hire that make it stable work,
/// unless the deployment sets another (`services.broker_min_insured_months`).
pub const DEFAULT_MIN_INSURED_MONTHS: u32 = 6;

/// A broker is a person or an organisation (劳务公司、劳务合作社).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum BrokerKind {
    Person,
    Organisation,
}

impl BrokerKind {
    pub const ALL: &'static [BrokerKind] = &[BrokerKind::Person, BrokerKind::Organisation];

    pub fn code(self) -> i16 {
        match self {
            BrokerKind::Person => 1,
            BrokerKind::Organisation => 2,
        }
    }

    pub fn from_code(code: i16) -> Option<BrokerKind> {
        BrokerKind::ALL.iter().copied().find(|k| k.code() == code)
    }

    pub fn key(self) -> &'static str {
        match self {
            BrokerKind::Person => "person",
            BrokerKind::Organisation => "organisation",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BrokerKind::Person => "个人经纪人",
            BrokerKind::Organisation => "劳务经纪机构",
        }
    }

    pub fn parse(text: &str) -> Option<BrokerKind> {
        let t = text.trim();
        BrokerKind::ALL.iter().copied().find(|k| k.key() == t || k.label() == t)
    }
}

/// Where a claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ClaimStatus {
    Submitted,
    Approved,
    Rejected,
}

impl ClaimStatus {
    pub const ALL: &'static [ClaimStatus] = &[ClaimStatus::Submitted, ClaimStatus::Approved, ClaimStatus::Rejected];

    pub fn code(self) -> i16 {
        match self {
            ClaimStatus::Submitted => 1,
            ClaimStatus::Approved => 2,
            ClaimStatus::Rejected => 3,
        }
    }

    pub fn from_code(code: i16) -> Option<ClaimStatus> {
        ClaimStatus::ALL.iter().copied().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ClaimStatus::Submitted => "待审核",
            ClaimStatus::Approved => "已批准",
            ClaimStatus::Rejected => "未批准",
        }
    }
}

/// An entry of a broker's integrity record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum IntegrityKind {
    /// 表扬: a commendation.
    Commendation,
    /// 投诉核实: a substantiated complaint.
    Complaint,
    /// 违规: a violation (false claims, fees charged to workers …).
    Violation,
}

impl IntegrityKind {
    pub const ALL: &'static [IntegrityKind] =
        &[IntegrityKind::Commendation, IntegrityKind::Complaint, IntegrityKind::Violation];

    pub fn code(self) -> i16 {
        match self {
            IntegrityKind::Commendation => 1,
            IntegrityKind::Complaint => 2,
            IntegrityKind::Violation => 3,
        }
    }

    pub fn from_code(code: i16) -> Option<IntegrityKind> {
        IntegrityKind::ALL.iter().copied().find(|k| k.code() == code)
    }

    pub fn key(self) -> &'static str {
        match self {
            IntegrityKind::Commendation => "commendation",
            IntegrityKind::Complaint => "complaint",
            IntegrityKind::Violation => "violation",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            IntegrityKind::Commendation => "表扬",
            IntegrityKind::Complaint => "投诉核实",
            IntegrityKind::Violation => "违规",
        }
    }

    pub fn parse(text: &str) -> Option<IntegrityKind> {
        let t = text.trim();
        IntegrityKind::ALL.iter().copied().find(|k| k.key() == t || k.label() == t)
    }
}

/// A broker's standing from its integrity record on a date: 失信 with a violation in
/// the past 12 months (no new claim is accepted), 警示 with two or more substantiated
/// complaints in that time, else 良好.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Standing {
    Good,
    Warned,
    Untrusted,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::Good => "良好",
            Standing::Warned => "警示",
            Standing::Untrusted => "失信",
        }
    }
}

pub fn standing(record: &[(NaiveDate, IntegrityKind)], on: NaiveDate) -> Standing {
    let since = on.checked_sub_months(Months::new(12)).unwrap_or(NaiveDate::MIN);
    let recent = record.iter().filter(|(d, _)| *d > since && *d <= on);
    let (mut complaints, mut violations) = (0, 0);
    for (_, k) in recent {
        match k {
            IntegrityKind::Violation => violations += 1,
            IntegrityKind::Complaint => complaints += 1,
            IntegrityKind::Commendation => {}
        }
    }
    if violations > 0 {
        Standing::Untrusted
    } else if complaints >= 2 {
        Standing::Warned
    } else {
        Standing::Good
    }
}

/// One entry of a person's timeline as a claim reads it: the status, group flags and
/// insurance in force from `date` (the last entry of a day decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub date: NaiveDate,
    pub status: EmploymentStatus,
    pub flags: GroupFlags,
    pub insurance: InsuranceSet,
    /// The person was a registered unemployed person (失业登记) on this date.
    pub registered_unemployed: bool,
    /// The date of that registration, when registered.
    pub registered_on: Option<NaiveDate>,
}

/// Stable work: in employment (市内、市外、自主创业; not 灵活就业) with an employment-linked
/// insurance (养老, 失业 or 工伤; 医疗 alone may be residents' insurance).
pub fn insured_employment(s: &Snapshot) -> bool {
    matches!(
        s.status,
        EmploymentStatus::LocalEmployed | EmploymentStatus::OutsideEmployed | EmploymentStatus::Entrepreneur
    ) && [Insurance::Pension, Insurance::Unemployment, Insurance::Injury].iter().any(|i| s.insurance.contains(*i))
}

fn state_on(timeline: &[Snapshot], day: NaiveDate) -> Option<&Snapshot> {
    timeline.iter().take_while(|s| s.date <= day).last()
}

/// The state in force on `day` (the last entry on or before it).
pub fn state_on_day(timeline: &[Snapshot], day: NaiveDate) -> Option<&Snapshot> {
    state_on(timeline, day)
}

/// Whether the person was in insured employment on every day from `hired_on` to
/// `until` (inclusive; a day's last entry decides).
pub fn insured_throughout(timeline: &[Snapshot], hired_on: NaiveDate, until: NaiveDate) -> bool {
    state_on(timeline, hired_on).is_some_and(insured_employment)
        && timeline.iter().enumerate().all(|(i, s)| {
            let last_of_day = timeline.get(i + 1).is_none_or(|n| n.date != s.date);
            s.date <= hired_on || s.date > until || !last_of_day || insured_employment(s)
        })
}

/// Why a claim may be made, or every reason it may not, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// 登记失业人员 or 脱贫人口 (both when both).
    pub basis: Vec<&'static str>,
    /// The day the hire reached `months` of continuous insured employment.
    pub stable_on: Option<NaiveDate>,
    pub problems: Vec<String>,
}

impl Assessment {
    pub fn eligible(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Whether a claim for the hire of a person on `hired_on` may be made on `today`:
/// the day before the hire they were registered unemployed or 脱贫人口, and from the
/// hire on they were in insured employment without a break for `months` months (up to
/// and including the day `hired_on + months`), which has passed by `today`.
pub fn assess(timeline: &[Snapshot], hired_on: NaiveDate, months: u32, today: NaiveDate) -> Assessment {
    let mut problems = Vec::new();
    let mut basis = Vec::new();
    let before = hired_on.pred_opt().and_then(|d| state_on(timeline, d));
    match before {
        Some(s) => {
            if s.registered_unemployed {
                basis.push("登记失业人员");
            }
            if s.flags.contains(GroupFlag::PovertyAlleviated) {
                basis.push("脱贫人口");
            }
            if basis.is_empty() {
                problems.push("入职前既不是登记失业人员，也不是脱贫人口".to_string());
            }
        }
        None => problems.push("入职前不在实名台账中，无法核实人员类别".to_string()),
    }
    let until = hired_on.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX);
    if hired_on > today {
        problems.push(format!("入职日期 {hired_on} 晚于今天"));
        return Assessment { basis, stable_on: None, problems };
    }
    // Every state in force on some day of [hired_on, until] must be insured employment.
    let mut ok = state_on(timeline, hired_on).is_some_and(insured_employment);
    let mut broke_on = if ok { None } else { Some(hired_on) };
    if ok {
        for (i, s) in timeline.iter().enumerate() {
            let last_of_day = timeline.get(i + 1).is_none_or(|n| n.date != s.date);
            if s.date > hired_on && s.date <= until.min(today) && last_of_day && !insured_employment(s) {
                ok = false;
                broke_on = Some(s.date);
                break;
            }
        }
    }
    let stable_on = (ok && until <= today).then_some(until);
    if let Some(d) = broke_on {
        problems.push(format!("{d} 起不在参保就业状态（需自入职起连续参保就业满{months}个月）"));
    } else if until > today {
        problems.push(format!("参保就业尚未满{months}个月（{until} 满）"));
    }
    Assessment { basis, stable_on, problems }
}

/// An event of a person's timeline as `fold` reads it: what it sets (a status,
/// insurance, group flags) and the 失业登记 dates its changes mention.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFacts {
    pub date: NaiveDate,
    pub status: Option<EmploymentStatus>,
    pub insurance: Option<InsuranceSet>,
    pub flags: Option<GroupFlags>,
    /// Registration dates (old or new values of 登记失业日期) this event's changes name.
    pub registrations: Vec<NaiveDate>,
}

/// Folds a timeline (oldest first) into the state in force from each event on. A
/// snapshot counts as registered unemployed when its status is 失业 and a registration
/// date known anywhere in the timeline (or `current_registration`, the record's own)
/// falls on or before the snapshot's day and not before the last day the person was
/// known to be employed or out of the labour force; the latest such date is the
/// registration in force.
pub fn fold(events: &[EventFacts], current_registration: Option<NaiveDate>) -> Vec<Snapshot> {
    let mut registrations: Vec<NaiveDate> =
        events.iter().flat_map(|e| e.registrations.iter().copied()).chain(current_registration).collect();
    registrations.sort_unstable();
    let mut out: Vec<Snapshot> = Vec::with_capacity(events.len());
    let mut status = EmploymentStatus::NotInLaborForce;
    let mut insurance = InsuranceSet::empty();
    let mut flags = GroupFlags::empty();
    // The last day the person was known to be out of unemployment (employed, or out of
    // the labour force): a registration on or after it belongs to the current stretch.
    let mut last_other: Option<NaiveDate> = None;
    for e in events {
        if let Some(st) = e.status {
            if st != EmploymentStatus::Unemployed {
                last_other = Some(e.date);
            }
            status = st;
        }
        if let Some(i) = e.insurance {
            insurance = i;
        }
        if let Some(f) = e.flags {
            flags = f;
        }
        // A registration may be dated before the status event that records it, even
        // before the person's first event (an import of an older registration).
        let registered_on = if status == EmploymentStatus::Unemployed {
            registrations.iter().copied().filter(|r| *r <= e.date && last_other.is_none_or(|o| *r >= o)).max()
        } else {
            None
        };
        out.push(Snapshot {
            date: e.date,
            status,
            flags,
            insurance,
            registered_unemployed: registered_on.is_some(),
            registered_on,
        });
    }
    out
}
