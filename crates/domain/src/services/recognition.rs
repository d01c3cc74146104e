//! 就业困难人员认定 (seed 004 §(十三): 将登记失业的“4050”人员、低保家庭人员、零就业家庭人员、
//! 离校2年内的高校毕业生、农村建卡贫困户人员、残疾人、退役军人、刑满释放人员、戒毒康复人员、
//! 去产能企业职工纳入就业困难人员范围): the ten categories, the check of a recognition
//! against the registry (the person must be registered unemployed; a category the
//! registry can tell must be on the record; the others need evidence), and the kinds
//! of help (援助) recorded afterwards.

use chrono::NaiveDate;

use crate::identity::Sex;
use crate::registry::{EmploymentStatus, Flag, GroupFlag, GroupFlags};

/// A category of 就业困难人员.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Category {
    FortyFifty,
    Dibao,
    ZeroEmployment,
    Graduate,
    PovertyAlleviated,
    Disabled,
    Veteran,
    Released,
    Rehabilitated,
    CapacityCut,
}

impl Category {
    pub const ALL: &'static [Category] = &[
        Category::FortyFifty,
        Category::Dibao,
        Category::ZeroEmployment,
        Category::Graduate,
        Category::PovertyAlleviated,
        Category::Disabled,
        Category::Veteran,
        Category::Released,
        Category::Rehabilitated,
        Category::CapacityCut,
    ];

    pub fn code(self) -> i16 {
        match self {
            Category::FortyFifty => 1,
            Category::Dibao => 2,
            Category::ZeroEmployment => 3,
            Category::Graduate => 4,
            Category::PovertyAlleviated => 5,
            Category::Disabled => 6,
            Category::Veteran => 7,
            Category::Released => 8,
            Category::Rehabilitated => 9,
            Category::CapacityCut => 10,
        }
    }

    pub fn from_code(code: i16) -> Option<Category> {
        Category::ALL.iter().copied().find(|c| c.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::FortyFifty => "4050人员",
            Category::Dibao => "低保家庭人员",
            Category::ZeroEmployment => "零就业家庭人员",
            Category::Graduate => "离校2年内高校毕业生",
            Category::PovertyAlleviated => "农村建卡贫困户（脱贫）人员",
            Category::Disabled => "残疾人",
            Category::Veteran => "退役军人",
            Category::Released => "刑满释放人员",
            Category::Rehabilitated => "戒毒康复人员",
            Category::CapacityCut => "去产能企业职工",
        }
    }

    pub fn parse(text: &str) -> Option<Category> {
        let t = text.trim();
        Category::ALL.iter().copied().find(|c| c.label() == t || c.code().to_string() == t)
    }

    /// The group flag on the record that shows the category, where there is one.
    pub fn flag(self) -> Option<GroupFlag> {
        match self {
            Category::Dibao => Some(GroupFlag::Dibao),
            Category::ZeroEmployment => Some(GroupFlag::ZeroEmploymentHousehold),
            Category::PovertyAlleviated => Some(GroupFlag::PovertyAlleviated),
            Category::Disabled => Some(GroupFlag::Disabled),
            Category::Veteran => Some(GroupFlag::Veteran),
            _ => None,
        }
    }
}

/// What the check reads of the person on the recognition date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    pub birth: NaiveDate,
    pub sex: Sex,
    pub status: EmploymentStatus,
    pub registered_since: Option<NaiveDate>,
    pub flags: GroupFlags,
}

/// Every reason a recognition of `category` on `on` with `evidence` may not be made, in
/// Chinese (empty: it may).
pub fn check(s: &Subject, category: Category, on: NaiveDate, evidence: &str, today: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    if on > today {
        out.push(format!("认定日期 {on} 晚于今天"));
    }
    match (s.status, s.registered_since) {
        (EmploymentStatus::Unemployed, Some(since)) if since <= on => {}
        _ => out.push("须为登记失业人员（认定日期前已办理失业登记且仍处于失业状态）".into()),
    }
    match category {
        Category::FortyFifty => {
            if !super::is_4050(s.birth, s.sex, on) {
                out.push("认定日期时不是4050人员（女性满40周岁、男性满50周岁，未到法定退休年龄）".into());
            }
        }
        c => {
            if let Some(flag) = c.flag() {
                if !s.flags.contains(flag) {
                    out.push(format!("人员类别中没有“{}”，请先核实登记", flag.label()));
                }
            }
        }
    }
    let evidence = evidence.trim();
    if category.flag().is_none() && category != Category::FortyFifty && evidence.is_empty() {
        out.push(format!("{}须填写证明材料（如证书、释放证明、单位证明的名称和编号）", category.label()));
    }
    if evidence.chars().count() > 500 {
        out.push("证明材料说明不超过500字".into());
    }
    out
}

/// A kind of help given to a recognised person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum HelpKind {
    JobReferral,
    PublicPost,
    InsuranceSubsidy,
    Training,
    Guidance,
    Startup,
    Other,
}

impl HelpKind {
    pub const ALL: &'static [HelpKind] = &[
        HelpKind::JobReferral,
        HelpKind::PublicPost,
        HelpKind::InsuranceSubsidy,
        HelpKind::Training,
        HelpKind::Guidance,
        HelpKind::Startup,
        HelpKind::Other,
    ];

    pub fn code(self) -> i16 {
        match self {
            HelpKind::JobReferral => 1,
            HelpKind::PublicPost => 2,
            HelpKind::InsuranceSubsidy => 3,
            HelpKind::Training => 4,
            HelpKind::Guidance => 5,
            HelpKind::Startup => 6,
            HelpKind::Other => 7,
        }
    }

    pub fn from_code(code: i16) -> Option<HelpKind> {
        HelpKind::ALL.iter().copied().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            HelpKind::JobReferral => "岗位推荐",
            HelpKind::PublicPost => "公益性岗位安置",
            HelpKind::InsuranceSubsidy => "社会保险补贴",
            HelpKind::Training => "技能培训",
            HelpKind::Guidance => "职业指导",
            HelpKind::Startup => "创业服务",
            HelpKind::Other => "其他援助",
        }
    }

    pub fn parse(text: &str) -> Option<HelpKind> {
        let t = text.trim();
        HelpKind::ALL.iter().copied().find(|k| k.label() == t || k.code().to_string() == t)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn subject() -> Subject {
        Subject {
            birth: d("1980-06-15"),
            sex: Sex::Female,
            status: EmploymentStatus::Unemployed,
            registered_since: Some(d("2026-01-01")),
            flags: GroupFlags::empty(),
        }
    }

    #[test]
    fn a_recognition_needs_registration_the_category_on_record_or_evidence() {
        let today = d("2026-11-30");
        let s = subject();
        // 4050 from the 40th birthday of a woman: 2020-06-15.
        assert!(check(&s, Category::FortyFifty, d("2026-06-15"), "", today).is_empty());
        let young = Subject { birth: d("1990-01-01"), ..s };
        assert!(check(&young, Category::FortyFifty, d("2026-06-15"), "", today)[0].contains("不是4050人员"));
        let employed = Subject { status: EmploymentStatus::LocalEmployed, ..s };
        assert!(check(&employed, Category::FortyFifty, d("2026-06-15"), "", today)[0].contains("登记失业"));
        let early = check(&s, Category::FortyFifty, d("2025-12-31"), "", today);
        assert!(early[0].contains("登记失业"), "before the registration: {early:?}");
        assert!(check(&s, Category::Dibao, d("2026-06-15"), "", today)[0].contains("没有“低保”"));
        let dibao = Subject { flags: GroupFlags::empty().with(GroupFlag::Dibao), ..s };
        assert!(check(&dibao, Category::Dibao, d("2026-06-15"), "", today).is_empty());
        assert!(check(&s, Category::Released, d("2026-06-15"), " ", today)[0].contains("证明材料"));
        assert!(check(&s, Category::Released, d("2026-06-15"), "释放证明书（2025）渝监字第12号", today).is_empty());
        assert!(check(&s, Category::Graduate, d("2026-12-01"), "毕业证书", today)[0].contains("晚于今天"));
        for c in Category::ALL {
            assert_eq!(Category::parse(c.label()), Some(*c));
            assert_eq!(Category::from_code(c.code()), Some(*c));
        }
        for k in HelpKind::ALL {
            assert_eq!(HelpKind::parse(k.label()), Some(*k));
        }
    }
}
