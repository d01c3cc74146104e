//! The registry's closed vocabularies: employment status, group flags (人员类别),
//! insurance kinds (参保险种), service needs (服务需求), skill levels, and the kinds
//! and sources of timeline events. Each has its Chinese label, the English key
//! accepted in files, and a stable integer code stored in the database.

use std::fmt;
use std::marker::PhantomData;

/// 就业状态 (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum EmploymentStatus {
    /// 市内就业: employed in Chongqing, with a work region.
    LocalEmployed,
    /// 市外就业: employed outside Chongqing, with a province.
    OutsideEmployed,
    /// 灵活就业.
    Flexible,
    /// 自主创业.
    Entrepreneur,
    /// 失业 (登记失业 when a registration date is known).
    Unemployed,
    /// 不在劳动力市场.
    NotInLaborForce,
}

impl EmploymentStatus {
    pub const ALL: [EmploymentStatus; 6] = [
        EmploymentStatus::LocalEmployed,
        EmploymentStatus::OutsideEmployed,
        EmploymentStatus::Flexible,
        EmploymentStatus::Entrepreneur,
        EmploymentStatus::Unemployed,
        EmploymentStatus::NotInLaborForce,
    ];

    pub fn label(self) -> &'static str {
        match self {
            EmploymentStatus::LocalEmployed => "市内就业",
            EmploymentStatus::OutsideEmployed => "市外就业",
            EmploymentStatus::Flexible => "灵活就业",
            EmploymentStatus::Entrepreneur => "自主创业",
            EmploymentStatus::Unemployed => "失业",
            EmploymentStatus::NotInLaborForce => "不在劳动力市场",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            EmploymentStatus::LocalEmployed => "local",
            EmploymentStatus::OutsideEmployed => "outside",
            EmploymentStatus::Flexible => "flexible",
            EmploymentStatus::Entrepreneur => "entrepreneur",
            EmploymentStatus::Unemployed => "unemployed",
            EmploymentStatus::NotInLaborForce => "not_in_labor_force",
        }
    }

    pub fn code(self) -> i16 {
        match self {
            EmploymentStatus::LocalEmployed => 1,
            EmploymentStatus::OutsideEmployed => 2,
            EmploymentStatus::Flexible => 3,
            EmploymentStatus::Entrepreneur => 4,
            EmploymentStatus::Unemployed => 5,
            EmploymentStatus::NotInLaborForce => 6,
        }
    }

    pub fn from_code(code: i16) -> Option<EmploymentStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Parses a label as staff write it, or the English key. `登记失业` is 失业 (the
    /// registration date comes from its own column).
    pub fn parse(text: &str) -> Option<EmploymentStatus> {
        let t = text.trim();
        match t {
            "登记失业" | "失业人员" => return Some(EmploymentStatus::Unemployed),
            "本地就业" | "市内务工" => return Some(EmploymentStatus::LocalEmployed),
            "市外务工" | "外出务工" => return Some(EmploymentStatus::OutsideEmployed),
            "创业" => return Some(EmploymentStatus::Entrepreneur),
            _ => {}
        }
        Self::ALL.into_iter().find(|s| s.label() == t || s.key().eq_ignore_ascii_case(t))
    }

    /// Whether the person is employed in some form.
    pub fn is_employed(self) -> bool {
        matches!(
            self,
            EmploymentStatus::LocalEmployed
                | EmploymentStatus::OutsideEmployed
                | EmploymentStatus::Flexible
                | EmploymentStatus::Entrepreneur
        )
    }

    /// Whether the person is in the labour force (employed or looking for work).
    pub fn in_labor_force(self) -> bool {
        self != EmploymentStatus::NotInLaborForce
    }
}

impl fmt::Display for EmploymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A member of a small closed set stored as one bit of an integer column.
pub trait Flag: Copy + Eq + 'static {
    const ALL: &'static [Self];
    /// Bit position, stable forever (it is stored).
    fn bit(self) -> u32;
    fn label(self) -> &'static str;
    fn key(self) -> &'static str;
    /// Other spellings staff use.
    fn aliases(self) -> &'static [&'static str] {
        &[]
    }
    /// What the set is called, for error messages (`人员类别`).
    fn set_name() -> &'static str;
}

/// A set of flags stored as a bit mask.
#[derive(PartialEq, Eq, Hash)]
pub struct FlagSet<F: Flag>(u32, PhantomData<F>);

impl<F: Flag> Clone for FlagSet<F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F: Flag> Copy for FlagSet<F> {}
impl<F: Flag> Default for FlagSet<F> {
    fn default() -> Self {
        FlagSet(0, PhantomData)
    }
}

impl<F: Flag> fmt::Debug for FlagSet<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter().map(|x| x.key())).finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{set}中的“{item}”不是可选值（可选：{allowed}）")]
pub struct UnknownFlag {
    pub set: &'static str,
    pub item: String,
    pub allowed: String,
}

impl<F: Flag> FlagSet<F> {
    pub fn empty() -> Self {
        Self::default()
    }

    pub fn from_bits(bits: i64) -> Self {
        let mask: u32 = F::ALL.iter().fold(0, |m, f| m | (1 << f.bit()));
        FlagSet((bits as u32) & mask, PhantomData)
    }

    pub fn bits(self) -> i64 {
        i64::from(self.0)
    }

    pub fn contains(self, flag: F) -> bool {
        self.0 & (1 << flag.bit()) != 0
    }

    pub fn insert(&mut self, flag: F) {
        self.0 |= 1 << flag.bit();
    }

    pub fn with(mut self, flag: F) -> Self {
        self.insert(flag);
        self
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = F> {
        F::ALL.iter().copied().filter(move |f| self.contains(*f))
    }

    /// Parses a list such as `脱贫人口,低保` (separators: `,` `，` `、` `;` `；` `|` and
    /// spaces); an empty text is the empty set.
    pub fn parse_list(text: &str) -> Result<Self, UnknownFlag> {
        let mut set = Self::empty();
        for item in text.split([',', '，', '、', ';', '；', '|', ' ', '　']).map(str::trim).filter(|s| !s.is_empty())
        {
            let flag = F::ALL
                .iter()
                .copied()
                .find(|f| f.label() == item || f.key().eq_ignore_ascii_case(item) || f.aliases().contains(&item))
                .ok_or_else(|| UnknownFlag {
                    set: F::set_name(),
                    item: item.to_string(),
                    allowed: F::ALL.iter().map(|f| f.label()).collect::<Vec<_>>().join("、"),
                })?;
            set.insert(flag);
        }
        Ok(set)
    }

    /// The labels joined with `,` as written in the import template.
    pub fn to_labels(self) -> String {
        self.iter().map(|f| f.label()).collect::<Vec<_>>().join(",")
    }
}

/// 人员类别 (group flags) that are recorded, not derived. 大龄 is derived from age.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum GroupFlag {
    /// 脱贫人口
    PovertyAlleviated,
    /// 低保
    Dibao,
    /// 零就业家庭
    ZeroEmploymentHousehold,
    /// 残疾
    Disabled,
    /// 退役军人
    Veteran,
    /// 就业困难人员
    EmploymentDifficulty,
    /// 返乡 (returned to Chongqing after working outside)
    Returnee,
}

impl Flag for GroupFlag {
    const ALL: &'static [Self] = &[
        GroupFlag::PovertyAlleviated,
        GroupFlag::Dibao,
        GroupFlag::ZeroEmploymentHousehold,
        GroupFlag::Disabled,
        GroupFlag::Veteran,
        GroupFlag::EmploymentDifficulty,
        GroupFlag::Returnee,
    ];
    fn bit(self) -> u32 {
        match self {
            GroupFlag::PovertyAlleviated => 0,
            GroupFlag::Dibao => 1,
            GroupFlag::ZeroEmploymentHousehold => 2,
            GroupFlag::Disabled => 3,
            GroupFlag::Veteran => 4,
            GroupFlag::EmploymentDifficulty => 5,
            GroupFlag::Returnee => 6,
        }
    }
    fn label(self) -> &'static str {
        match self {
            GroupFlag::PovertyAlleviated => "脱贫人口",
            GroupFlag::Dibao => "低保",
            GroupFlag::ZeroEmploymentHousehold => "零就业家庭",
            GroupFlag::Disabled => "残疾",
            GroupFlag::Veteran => "退役军人",
            GroupFlag::EmploymentDifficulty => "就业困难人员",
            GroupFlag::Returnee => "返乡人员",
        }
    }
    fn key(self) -> &'static str {
        match self {
            GroupFlag::PovertyAlleviated => "poverty_alleviated",
            GroupFlag::Dibao => "dibao",
            GroupFlag::ZeroEmploymentHousehold => "zero_employment_household",
            GroupFlag::Disabled => "disabled",
            GroupFlag::Veteran => "veteran",
            GroupFlag::EmploymentDifficulty => "employment_difficulty",
            GroupFlag::Returnee => "returnee",
        }
    }
    fn aliases(self) -> &'static [&'static str] {
        match self {
            GroupFlag::PovertyAlleviated => &["脱贫", "脱贫户", "脱贫劳动力"],
            GroupFlag::Dibao => &["低保户", "低保对象", "低保家庭"],
            GroupFlag::ZeroEmploymentHousehold => &["零就业"],
            GroupFlag::Disabled => &["残疾人"],
            GroupFlag::Veteran => &[],
            GroupFlag::EmploymentDifficulty => &["就业困难"],
            GroupFlag::Returnee => &["返乡", "返乡农民工"],
        }
    }
    fn set_name() -> &'static str {
        "人员类别"
    }
}

/// 参保险种.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Insurance {
    /// 养老保险
    Pension,
    /// 医疗保险
    Medical,
    /// 工伤保险
    Injury,
    /// 失业保险
    Unemployment,
}

impl Flag for Insurance {
    const ALL: &'static [Self] = &[Insurance::Pension, Insurance::Medical, Insurance::Injury, Insurance::Unemployment];
    fn bit(self) -> u32 {
        match self {
            Insurance::Pension => 0,
            Insurance::Medical => 1,
            Insurance::Injury => 2,
            Insurance::Unemployment => 3,
        }
    }
    fn label(self) -> &'static str {
        match self {
            Insurance::Pension => "养老",
            Insurance::Medical => "医疗",
            Insurance::Injury => "工伤",
            Insurance::Unemployment => "失业",
        }
    }
    fn key(self) -> &'static str {
        match self {
            Insurance::Pension => "pension",
            Insurance::Medical => "medical",
            Insurance::Injury => "injury",
            Insurance::Unemployment => "unemployment",
        }
    }
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Insurance::Pension => &["养老保险", "基本养老保险", "城乡居民养老保险", "职工养老保险"],
            Insurance::Medical => &["医疗保险", "基本医疗保险", "医保"],
            Insurance::Injury => &["工伤保险"],
            Insurance::Unemployment => &["失业保险"],
        }
    }
    fn set_name() -> &'static str {
        "参保险种"
    }
}

/// 服务需求.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ServiceNeed {
    /// 求职
    JobSeeking,
    /// 培训
    Training,
    /// 创业
    Entrepreneurship,
    /// 法律援助
    LegalAid,
    /// 政策咨询
    PolicyAdvice,
    /// 职业指导
    CareerGuidance,
}

impl Flag for ServiceNeed {
    const ALL: &'static [Self] = &[
        ServiceNeed::JobSeeking,
        ServiceNeed::Training,
        ServiceNeed::Entrepreneurship,
        ServiceNeed::LegalAid,
        ServiceNeed::PolicyAdvice,
        ServiceNeed::CareerGuidance,
    ];
    fn bit(self) -> u32 {
        match self {
            ServiceNeed::JobSeeking => 0,
            ServiceNeed::Training => 1,
            ServiceNeed::Entrepreneurship => 2,
            ServiceNeed::LegalAid => 3,
            ServiceNeed::PolicyAdvice => 4,
            ServiceNeed::CareerGuidance => 5,
        }
    }
    fn label(self) -> &'static str {
        match self {
            ServiceNeed::JobSeeking => "求职",
            ServiceNeed::Training => "培训",
            ServiceNeed::Entrepreneurship => "创业",
            ServiceNeed::LegalAid => "法律援助",
            ServiceNeed::PolicyAdvice => "政策咨询",
            ServiceNeed::CareerGuidance => "职业指导",
        }
    }
    fn key(self) -> &'static str {
        match self {
            ServiceNeed::JobSeeking => "job_seeking",
            ServiceNeed::Training => "training",
            ServiceNeed::Entrepreneurship => "entrepreneurship",
            ServiceNeed::LegalAid => "legal_aid",
            ServiceNeed::PolicyAdvice => "policy_advice",
            ServiceNeed::CareerGuidance => "career_guidance",
        }
    }
    fn aliases(self) -> &'static [&'static str] {
        match self {
            ServiceNeed::JobSeeking => &["找工作", "就业"],
            ServiceNeed::Training => &["技能培训", "职业培训"],
            ServiceNeed::Entrepreneurship => &["创业服务", "创业指导"],
            ServiceNeed::LegalAid => &["维权"],
            ServiceNeed::PolicyAdvice => &["政策"],
            ServiceNeed::CareerGuidance => &["就业指导"],
        }
    }
    fn set_name() -> &'static str {
        "服务需求"
    }
}

pub type GroupFlags = FlagSet<GroupFlag>;
pub type InsuranceSet = FlagSet<Insurance>;
pub type ServiceNeeds = FlagSet<ServiceNeed>;

/// 职业技能等级 1–5 (一级/高级技师 … 五级/初级工).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct SkillLevel(u8);

impl SkillLevel {
    pub fn new(level: u8) -> Option<SkillLevel> {
        (1..=5).contains(&level).then_some(SkillLevel(level))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn label(self) -> &'static str {
        match self.0 {
            1 => "一级/高级技师",
            2 => "二级/技师",
            3 => "三级/高级工",
            4 => "四级/中级工",
            _ => "五级/初级工",
        }
    }

    /// Accepts `1`…`5`, `一级`…`五级`, `高级技师`, `技师`, `高级工`, `中级工`, `初级工`.
    pub fn parse(text: &str) -> Option<SkillLevel> {
        let t = text.trim().trim_end_matches("级").trim();
        let n = match t {
            "1" | "一" | "一级/高级技师" | "高级技师" => 1,
            "2" | "二" | "二级/技师" | "技师" => 2,
            "3" | "三" | "三级/高级工" | "高级工" => 3,
            "4" | "四" | "四级/中级工" | "中级工" => 4,
            "5" | "五" | "五级/初级工" | "初级工" => 5,
            _ => return None,
        };
        Some(SkillLevel(n))
    }
}

/// What a timeline event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum EventKind {
    /// 登记: the person entered the registry (carries the initial state).
    Registered,
    /// 就业状态变更: status, work place or industry changed.
    StatusChanged,
    /// 参保变更
    InsuranceChanged,
    /// 人员类别变更
    FlagsChanged,
    /// 信息变更: other fields (name, phone, residence, needs …) changed.
    DetailsChanged,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::Registered,
        EventKind::StatusChanged,
        EventKind::InsuranceChanged,
        EventKind::FlagsChanged,
        EventKind::DetailsChanged,
    ];
    pub fn code(self) -> i16 {
        match self {
            EventKind::Registered => 1,
            EventKind::StatusChanged => 2,
            EventKind::InsuranceChanged => 3,
            EventKind::FlagsChanged => 4,
            EventKind::DetailsChanged => 5,
        }
    }
    pub fn from_code(code: i16) -> Option<EventKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
    pub fn label(self) -> &'static str {
        match self {
            EventKind::Registered => "登记",
            EventKind::StatusChanged => "就业状态变更",
            EventKind::InsuranceChanged => "参保变更",
            EventKind::FlagsChanged => "人员类别变更",
            EventKind::DetailsChanged => "信息变更",
        }
    }
}

/// Who reported a change (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum EventSource {
    /// 经办录入
    Staff,
    /// 批量导入
    Import,
    /// 用人单位
    Employer,
    /// 本人自助
    SelfService,
}

impl EventSource {
    pub const ALL: [EventSource; 4] =
        [EventSource::Staff, EventSource::Import, EventSource::Employer, EventSource::SelfService];
    pub fn code(self) -> i16 {
        match self {
            EventSource::Staff => 1,
            EventSource::Import => 2,
            EventSource::Employer => 3,
            EventSource::SelfService => 4,
        }
    }
    pub fn from_code(code: i16) -> Option<EventSource> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
    pub fn label(self) -> &'static str {
        match self {
            EventSource::Staff => "经办录入",
            EventSource::Import => "批量导入",
            EventSource::Employer => "用人单位",
            EventSource::SelfService => "本人自助",
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn status_labels_keys_and_codes_round_trip() {
        for s in EmploymentStatus::ALL {
            assert_eq!(EmploymentStatus::parse(s.label()), Some(s));
            assert_eq!(EmploymentStatus::parse(s.key()), Some(s));
            assert_eq!(EmploymentStatus::from_code(s.code()), Some(s));
        }
        assert_eq!(EmploymentStatus::parse("登记失业"), Some(EmploymentStatus::Unemployed));
        assert_eq!(EmploymentStatus::parse("待业"), None);
    }

    #[test]
    fn flag_lists_accept_chinese_separators_and_name_the_unknown_item() {
        let f = GroupFlags::parse_list("脱贫人口，低保、 残疾人").unwrap();
        assert!(f.contains(GroupFlag::PovertyAlleviated));
        assert!(f.contains(GroupFlag::Dibao));
        assert!(f.contains(GroupFlag::Disabled));
        assert!(!f.contains(GroupFlag::Veteran));
        assert_eq!(f.to_labels(), "脱贫人口,低保,残疾");
        assert_eq!(GroupFlags::parse_list(&f.to_labels()).unwrap(), f);
        let e = InsuranceSet::parse_list("养老,生育").unwrap_err().to_string();
        assert!(e.contains("生育") && e.contains("参保险种"), "{e}");
        assert!(GroupFlags::parse_list("").unwrap().is_empty());
    }

    #[test]
    fn flag_bits_survive_storage() {
        let f = ServiceNeeds::parse_list("求职,法律援助").unwrap();
        assert_eq!(ServiceNeeds::from_bits(f.bits()), f);
    }

    #[test]
    fn skill_levels_accept_numbers_and_titles() {
        assert_eq!(SkillLevel::parse("3").unwrap().get(), 3);
        assert_eq!(SkillLevel::parse("高级工").unwrap().get(), 3);
        assert_eq!(SkillLevel::parse("五级").unwrap().get(), 5);
        assert_eq!(SkillLevel::parse(SkillLevel::new(2).unwrap().label()).unwrap().get(), 2);
        assert!(SkillLevel::parse("6").is_none());
    }
}
