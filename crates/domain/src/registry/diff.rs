//! The difference between a stored person and an incoming record, grouped the way the
//! timeline records it: status/place, insurance, group flags, and other details.

use super::record::PersonState;
use crate::region::RegionCode;

/// One changed field, with values as a person reads them (the phone is never shown).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub field: &'static str,
    pub label: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Changes grouped by the event kind that records them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// 就业状态变更: status, work place, industry, registration date.
    pub status: Vec<Change>,
    /// 参保变更
    pub insurance: Vec<Change>,
    /// 人员类别变更
    pub flags: Vec<Change>,
    /// 信息变更
    pub details: Vec<Change>,
}

impl ChangeSet {
    pub fn is_empty(&self) -> bool {
        self.status.is_empty() && self.insurance.is_empty() && self.flags.is_empty() && self.details.is_empty()
    }
}

fn region(r: Option<RegionCode>) -> Option<String> {
    r.map(|c| c.short())
}

/// Compares two states of one person. Birth date and sex come from the identity number
/// and cannot change for the same number.
pub fn diff(old: &PersonState, new: &PersonState) -> ChangeSet {
    let mut set = ChangeSet::default();
    let push = |group: &mut Vec<Change>, field, label, o: Option<String>, n: Option<String>| {
        if o != n {
            group.push(Change { field, label, old: o, new: n });
        }
    };
    let s = &mut set.status;
    push(s, "status", "就业状态", Some(old.status.label().into()), Some(new.status.label().into()));
    push(s, "work_region", "就业地区划代码", region(old.work_region), region(new.work_region));
    push(
        s,
        "work_province",
        "务工省份",
        old.work_province.map(|p| p.to_string()),
        new.work_province.map(|p| p.to_string()),
    );
    push(s, "industry", "行业", old.industry.clone(), new.industry.clone());
    push(
        s,
        "unemployed_since",
        "登记失业日期",
        old.unemployed_since.map(|d| d.to_string()),
        new.unemployed_since.map(|d| d.to_string()),
    );
    push(&mut set.insurance, "insurance", "参保险种", Some(old.insurance.to_labels()), Some(new.insurance.to_labels()));
    push(&mut set.flags, "flags", "人员类别", Some(old.flags.to_labels()), Some(new.flags.to_labels()));
    let d = &mut set.details;
    push(d, "name", "姓名", Some(old.name.clone()), Some(new.name.clone()));
    if old.phone_digest != new.phone_digest {
        let mark = |p: &Option<[u8; 16]>| p.map(|_| "（已登记）".to_string());
        d.push(Change {
            field: "phone",
            label: "联系电话",
            old: mark(&old.phone_digest),
            new: mark(&new.phone_digest),
        });
    }
    push(d, "hukou_region", "户籍地区划代码", region(Some(old.hukou_region)), region(Some(new.hukou_region)));
    push(d, "residence_region", "现居住地区划代码", region(old.residence_region), region(new.residence_region));
    push(d, "household_no", "家庭户编号", old.household_no.clone(), new.household_no.clone());
    push(d, "occupation", "职业", old.occupation.clone(), new.occupation.clone());
    push(
        d,
        "skill_level",
        "技能等级",
        old.skill_level.map(|l| l.get().to_string()),
        new.skill_level.map(|l| l.get().to_string()),
    );
    push(
        d,
        "expected_wage",
        "期望月薪",
        old.expected_wage.map(|f| f.to_yuan_compact()),
        new.expected_wage.map(|f| f.to_yuan_compact()),
    );
    push(
        d,
        "wanted_kind",
        "意向用工形式",
        old.wanted_kind.map(|k| k.label().to_string()),
        new.wanted_kind.map(|k| k.label().to_string()),
    );
    push(d, "needs", "服务需求", Some(old.needs.to_labels()), Some(new.needs.to_labels()));
    set
}
