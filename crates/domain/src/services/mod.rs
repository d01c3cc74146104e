//! 就业服务 to people (SPEC §6), the part that is pure rules:
//!
//! - the monthly follow-up of registered unemployed persons (seed 002 #53: 建立登记失业
//!   人员定期联系……制度，每月至少进行1次跟踪调查): a person is due one calendar month
//!   after their registration or their last contact that reached them, and overdue
//!   after that day;
//! - the 1+1+3+1 services owed to every registered-unemployed 脱贫 person (seed 001
//!   §(八): 至少1次政策宣介、1次职业指导、3次岗位推送、1次就业培训推荐服务), counted from
//!   the contacts recorded since their registration and the job pushes delivered to them.
//!
//! Dates and counts in, states out; the store reads them and the pages show them.

use chrono::{Months, NaiveDate};

/// How a contact was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Channel {
    Phone,
    Visit,
    Message,
    Desk,
}

impl Channel {
    pub const ALL: &'static [Channel] = &[Channel::Phone, Channel::Visit, Channel::Message, Channel::Desk];

    pub fn code(self) -> i16 {
        match self {
            Channel::Phone => 1,
            Channel::Visit => 2,
            Channel::Message => 3,
            Channel::Desk => 4,
        }
    }

    pub fn from_code(code: i16) -> Option<Channel> {
        Channel::ALL.iter().copied().find(|c| c.code() == code)
    }

    pub fn key(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Visit => "visit",
            Channel::Message => "message",
            Channel::Desk => "desk",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Phone => "电话",
            Channel::Visit => "上门走访",
            Channel::Message => "短信/微信",
            Channel::Desk => "窗口服务",
        }
    }

    /// The Chinese label or the English key.
    pub fn parse(text: &str) -> Option<Channel> {
        let t = text.trim();
        Channel::ALL.iter().copied().find(|c| c.label() == t || c.key() == t)
    }
}

/// What came of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Outcome {
    /// Reached; still looking for work.
    Seeking,
    /// Reached; found work (staff then record the new status on the person's record).
    Employed,
    /// Reached; not looking for work for now.
    NotSeeking,
    /// Not reached: does not count as the month's follow-up.
    Unreachable,
}

impl Outcome {
    pub const ALL: &'static [Outcome] =
        &[Outcome::Seeking, Outcome::Employed, Outcome::NotSeeking, Outcome::Unreachable];

    pub fn code(self) -> i16 {
        match self {
            Outcome::Seeking => 1,
            Outcome::Employed => 2,
            Outcome::NotSeeking => 3,
            Outcome::Unreachable => 4,
        }
    }

    pub fn from_code(code: i16) -> Option<Outcome> {
        Outcome::ALL.iter().copied().find(|c| c.code() == code)
    }

    pub fn key(self) -> &'static str {
        match self {
            Outcome::Seeking => "seeking",
            Outcome::Employed => "employed",
            Outcome::NotSeeking => "not_seeking",
            Outcome::Unreachable => "unreachable",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Seeking => "仍在求职",
            Outcome::Employed => "已就业",
            Outcome::NotSeeking => "暂无求职意愿",
            Outcome::Unreachable => "未联系上",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        let t = text.trim();
        Outcome::ALL.iter().copied().find(|c| c.label() == t || c.key() == t)
    }

    /// Whether the person was reached (a follow-up that counts).
    pub fn reached(self) -> bool {
        self != Outcome::Unreachable
    }
}

/// A service offered in a contact (a set is stored as bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Offered {
    /// 岗位推送 (a job recommended by staff; pushes from matching are counted apart).
    Job,
    /// 政策宣介.
    Policy,
    /// 职业指导.
    Guidance,
    /// 就业培训推荐.
    Training,
    /// 创业服务.
    Startup,
}

impl Offered {
    pub const ALL: &'static [Offered] =
        &[Offered::Job, Offered::Policy, Offered::Guidance, Offered::Training, Offered::Startup];

    pub fn bit(self) -> i32 {
        1 << match self {
            Offered::Job => 0,
            Offered::Policy => 1,
            Offered::Guidance => 2,
            Offered::Training => 3,
            Offered::Startup => 4,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Offered::Job => "job",
            Offered::Policy => "policy",
            Offered::Guidance => "guidance",
            Offered::Training => "training",
            Offered::Startup => "startup",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Offered::Job => "岗位推送",
            Offered::Policy => "政策宣介",
            Offered::Guidance => "职业指导",
            Offered::Training => "就业培训推荐",
            Offered::Startup => "创业服务",
        }
    }

    pub fn parse(text: &str) -> Option<Offered> {
        let t = text.trim();
        Offered::ALL.iter().copied().find(|c| c.label() == t || c.key() == t)
    }

    /// The services in a stored set, in order.
    pub fn set_of(bits: i32) -> Vec<Offered> {
        Offered::ALL.iter().copied().filter(|o| bits & o.bit() != 0).collect()
    }

    /// The stored set of these services.
    pub fn bits_of(set: &[Offered]) -> i32 {
        set.iter().fold(0, |b, o| b | o.bit())
    }
}

/// Days before the due date from which a person is listed as due soon.
pub const DUE_SOON_DAYS: i64 = 7;

/// Where a registered unemployed person stands in the monthly follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum FollowUpState {
    /// Past the due date by this many days.
    Overdue(i64),
    /// Due within `DUE_SOON_DAYS` (this many days left, 0 = today).
    DueSoon(i64),
    /// Contacted recently enough.
    UpToDate,
}

/// The follow-up of one person on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct FollowUp {
    /// The day by which the next contact is owed.
    pub due: NaiveDate,
    pub state: FollowUpState,
}

impl FollowUp {
    /// Days overdue (0 when not overdue), for sorting a work list.
    pub fn days_overdue(&self) -> i64 {
        match self.state {
            FollowUpState::Overdue(d) => d,
            _ => 0,
        }
    }

    pub fn label(&self) -> String {
        match self.state {
            FollowUpState::Overdue(d) => format!("逾期{d}天"),
            FollowUpState::DueSoon(0) => "今日到期".to_string(),
            FollowUpState::DueSoon(d) => format!("{d}天后到期"),
            FollowUpState::UpToDate => "未到联系期".to_string(),
        }
    }
}

/// The follow-up of a person registered unemployed on `registered` whose last contact
/// that reached them was `last_reached` (a contact before the registration is of an
/// earlier spell and does not count). The next contact is owed one calendar month
/// later (31 January → 28 or 29 February: the month's last day when the day is
/// missing).
pub fn follow_up(registered: NaiveDate, last_reached: Option<NaiveDate>, today: NaiveDate) -> FollowUp {
    let from = last_reached.filter(|c| *c >= registered).unwrap_or(registered);
    let due = from.checked_add_months(Months::new(1)).unwrap_or(NaiveDate::MAX);
    let left = (due - today).num_days();
    let state = if left < 0 {
        FollowUpState::Overdue(-left)
    } else if left <= DUE_SOON_DAYS {
        FollowUpState::DueSoon(left)
    } else {
        FollowUpState::UpToDate
    };
    FollowUp { due, state }
}

/// The services of the 1+1+3+1 a person has had since their registration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ServiceCounts {
    /// 政策宣介.
    pub policy: u32,
    /// 职业指导.
    pub guidance: u32,
    /// 岗位推送: pushes delivered by matching and jobs recommended in contacts.
    pub job_pushes: u32,
    /// 就业培训推荐.
    pub training: u32,
}

/// What seed 001 §(八) requires of each registered-unemployed 脱贫 person.
pub const REQUIRED: ServiceCounts = ServiceCounts { policy: 1, guidance: 1, job_pushes: 3, training: 1 };

/// One service still owed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Gap {
    pub key: &'static str,
    pub label: &'static str,
    pub have: u32,
    pub need: u32,
}

impl ServiceCounts {
    fn items(&self) -> [(&'static str, &'static str, u32, u32); 4] {
        [
            ("policy", "政策宣介", self.policy, REQUIRED.policy),
            ("guidance", "职业指导", self.guidance, REQUIRED.guidance),
            ("job_pushes", "岗位推送", self.job_pushes, REQUIRED.job_pushes),
            ("training", "就业培训推荐", self.training, REQUIRED.training),
        ]
    }

    /// The services still owed, in the order the seed names them.
    pub fn gaps(&self) -> Vec<Gap> {
        self.items()
            .into_iter()
            .filter(|(_, _, have, need)| have < need)
            .map(|(key, label, have, need)| Gap { key, label, have, need })
            .collect()
    }

    pub fn complete(&self) -> bool {
        self.gaps().is_empty()
    }
}

pub mod recognition;

#[cfg(test)]
mod tests;

/// 就业困难人员 categories the registry can tell (SPEC §6; seed 004 §(十三)). The
/// others (graduates within two years of leaving school, released prisoners, recovered
/// drug users, workers shed by capacity cuts) need evidence that the registry does not
/// hold and are recognised by staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Difficulty {
    /// 4050: women from 40, men from 50, until their statutory retirement.
    FortyFifty,
    Dibao,
    ZeroEmployment,
    PovertyAlleviated,
    Disabled,
    Veteran,
}

impl Difficulty {
    pub fn label(self) -> &'static str {
        match self {
            Difficulty::FortyFifty => "4050人员",
            Difficulty::Dibao => "低保家庭成员",
            Difficulty::ZeroEmployment => "零就业家庭成员",
            Difficulty::PovertyAlleviated => "脱贫人口",
            Difficulty::Disabled => "残疾人",
            Difficulty::Veteran => "退役军人",
        }
    }
}

/// Whether a person is in the 4050 group on `on`: a woman aged 40 or more, a man aged
/// 50 or more (from the birthday on), before the statutory retirement date.
pub fn is_4050(birth: NaiveDate, sex: crate::identity::Sex, on: NaiveDate) -> bool {
    use crate::identity::Sex;
    let from = match sex {
        Sex::Female => 40,
        Sex::Male => 50,
    };
    crate::registry::age_on(birth, on) >= from && on < crate::registry::unemployment::retirement_date(birth, sex)
}

/// The 就业困难人员 categories a person falls in on `on`, from the registry: 4050 from
/// the birth date and sex, the rest from the recorded group flags.
pub fn difficulties(birth: NaiveDate, sex: crate::identity::Sex, flags: i64, on: NaiveDate) -> Vec<Difficulty> {
    use crate::registry::{GroupFlag, GroupFlags};
    let flags = GroupFlags::from_bits(flags);
    let mut out = Vec::new();
    if is_4050(birth, sex, on) {
        out.push(Difficulty::FortyFifty);
    }
    for (flag, d) in [
        (GroupFlag::Dibao, Difficulty::Dibao),
        (GroupFlag::ZeroEmploymentHousehold, Difficulty::ZeroEmployment),
        (GroupFlag::PovertyAlleviated, Difficulty::PovertyAlleviated),
        (GroupFlag::Disabled, Difficulty::Disabled),
        (GroupFlag::Veteran, Difficulty::Veteran),
    ] {
        if flags.contains(flag) {
            out.push(d);
        }
    }
    out
}

/// A household member as the zero-employment test reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub birth: NaiveDate,
    pub sex: crate::identity::Sex,
    pub status: crate::registry::EmploymentStatus,
}

/// Whether a member is of working age on `on`: from 16 until the statutory retirement
/// date.
pub fn working_age(m: &Member, on: NaiveDate) -> bool {
    crate::registry::age_on(m.birth, on) >= 16 && on < crate::registry::unemployment::retirement_date(m.birth, m.sex)
}

/// Whether a member is in stable work: employed in or outside Chongqing, or running a
/// business. 灵活就业 is work, but not the 稳定就业 seed 004 §(十三) asks one member of a
/// 零就业家庭 to reach, so it does not take a household off the list.
pub fn in_stable_work(m: &Member) -> bool {
    use crate::registry::EmploymentStatus;
    matches!(
        m.status,
        EmploymentStatus::LocalEmployed | EmploymentStatus::OutsideEmployed | EmploymentStatus::Entrepreneur
    )
}

/// 零就业家庭 on `on` (seed 004 §(十三)): a household with a member of working age in the
/// labour force and no member of working age in stable work. It stays listed until one
/// is.
pub fn zero_employment(members: &[Member], on: NaiveDate) -> bool {
    use crate::registry::EmploymentStatus;
    let able: Vec<&Member> =
        members.iter().filter(|m| working_age(m, on) && m.status != EmploymentStatus::NotInLaborForce).collect();
    !able.is_empty() && !able.iter().any(|m| in_stable_work(m))
}
