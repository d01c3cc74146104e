//! Employers and job postings (SPEC §3): the closed vocabularies of a posting (kind of
//! work, wage form, source, review state) and of an employer (type, size, credit
//! status), each with its Chinese label, the English key accepted in files and a stable
//! integer code stored in the database. Validation of a posting or employer row, the
//! matching score and the search index build on these.

pub mod template;
pub mod validate;

use crate::money::Fen;

macro_rules! vocab {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $code:literal, $key:literal, $label:literal, [$($alias:literal),*];)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        pub enum $name { $($(#[$vm])* $v,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)+];

            pub fn code(self) -> i16 {
                match self { $($name::$v => $code,)+ }
            }

            pub fn from_code(code: i16) -> Option<$name> {
                match code { $($code => Some($name::$v),)+ _ => None }
            }

            pub fn key(self) -> &'static str {
                match self { $($name::$v => $key,)+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$v => $label,)+ }
            }

            /// Parses the Chinese label, an alias as staff write it, or the English key.
            pub fn parse(text: &str) -> Option<$name> {
                let t = text.trim();
                $(if t == $label || t == $key $(|| t == $alias)* { return Some($name::$v); })+
                None
            }
        }
    };
}

vocab! {
    /// 用工形式 of a posting (SPEC §3).
    JobKind {
        FullTime = 1, "full_time", "全职", ["全日制", "长期"];
        PartTime = 2, "part_time", "非全日制", ["兼职", "小时工"];
        Seasonal = 3, "seasonal", "临时/季节性", ["临时", "季节性", "季节工", "临时工"];
        DayWork = 4, "day_work", "零工", ["日结", "零活", "打零工"];
    }
}

vocab! {
    /// How a posting states its pay.
    WageForm {
        Monthly = 1, "monthly", "月薪", ["按月", "月工资"];
        Daily = 2, "daily", "日薪", ["按日", "日工资", "日结"];
        Hourly = 3, "hourly", "时薪", ["按小时", "小时工资"];
        Piece = 4, "piece", "计件", ["按件"];
    }
}

vocab! {
    /// Where a posting came from (SPEC §3).
    JobSource {
        Employer = 1, "employer", "用人单位", ["企业", "单位自主发布"];
        Staff = 2, "staff", "经办人员", ["人社部门", "工作人员"];
        Station = 3, "station", "零工市场", ["零工驿站", "驿站"];
        Fair = 4, "fair", "招聘会", ["春风行动"];
    }
}

vocab! {
    /// A posting's state on the board. Only `Open` postings are searched and matched.
    JobStatus {
        Open = 1, "open", "招聘中", [];
        Held = 2, "held", "待审核", ["审核中"];
        Closed = 3, "closed", "已结束", ["关闭", "已关闭"];
        Rejected = 4, "rejected", "未通过审核", ["驳回"];
    }
}

vocab! {
    /// 单位类型.
    EmployerType {
        Private = 1, "private", "民营企业", ["民营", "私营企业", "私营"];
        StateOwned = 2, "state_owned", "国有企业", ["国有", "国企"];
        Foreign = 3, "foreign", "外资企业", ["外资", "港澳台企业", "合资企业"];
        Individual = 4, "individual", "个体工商户", ["个体"];
        Cooperative = 5, "cooperative", "农民专业合作社", ["合作社"];
        Institution = 6, "institution", "机关事业单位", ["事业单位", "机关"];
        SocialOrg = 7, "social_org", "社会组织", ["民办非企业单位", "社会团体"];
    }
}

vocab! {
    /// 企业规模 (国统字〔2017〕213号 bands, by headcount).
    EmployerSize {
        Micro = 1, "micro", "微型", ["微型企业"];
        Small = 2, "small", "小型", ["小型企业"];
        Medium = 3, "medium", "中型", ["中型企业"];
        Large = 4, "large", "大型", ["大型企业"];
    }
}

vocab! {
    /// 信用状态: failing to pay wages puts an employer on the 失信 list (SPEC §7), which
    /// the job board shows.
    CreditStatus {
        Good = 1, "good", "正常", ["守信"];
        Dishonest = 2, "dishonest", "失信", ["拖欠农民工工资失信联合惩戒对象名单", "失信名单"];
    }
}

vocab! {
    /// What came of a push (SPEC §4: viewed, applied, hired, declined).
    PushOutcome {
        Viewed = 1, "viewed", "已查看", ["查看"];
        Applied = 2, "applied", "已申请", ["申请", "投递"];
        Hired = 3, "hired", "已录用", ["录用", "入职"];
        Declined = 4, "declined", "不感兴趣", ["拒绝", "已拒绝"];
    }
}

/// Working days in a month, for the monthly equivalent of a day or hourly rate
/// (21.75 by 劳社部发〔2008〕3号, rounded down to whole days here).
pub const WORK_DAYS_PER_MONTH: i64 = 21;
/// Hours in a working day, for the monthly equivalent of an hourly rate.
pub const HOURS_PER_DAY: i64 = 8;

/// A posting's pay: a range in one form (`min == max` for a single rate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Wage {
    pub form: WageForm,
    pub min: Fen,
    pub max: Fen,
}

impl Wage {
    /// The middle of the range as a monthly amount, for comparing with a worker's
    /// expected monthly wage; `None` for piece rates, which have no fixed month. The
    /// middle is rounded toward zero; an amount beyond `i64` saturates.
    pub fn monthly_mid(&self) -> Option<Fen> {
        let mid = (i128::from(self.min.0) + i128::from(self.max.0)) / 2;
        let month = match self.form {
            WageForm::Monthly => mid,
            WageForm::Daily => mid * i128::from(WORK_DAYS_PER_MONTH),
            WageForm::Hourly => mid * i128::from(HOURS_PER_DAY * WORK_DAYS_PER_MONTH),
            WageForm::Piece => return None,
        };
        Some(Fen(i64::try_from(month).unwrap_or(if month < 0 { i64::MIN } else { i64::MAX })))
    }

    /// "4000–6000元/月", "200元/日", "25元/小时", "计件 0.5–0.8元/件".
    pub fn display(&self) -> String {
        let unit = match self.form {
            WageForm::Monthly => "元/月",
            WageForm::Daily => "元/日",
            WageForm::Hourly => "元/小时",
            WageForm::Piece => "元/件",
        };
        let y = |f: Fen| {
            let s = f.to_yuan_string();
            s.strip_suffix(".00").map(str::to_string).unwrap_or(s)
        };
        let prefix = if self.form == WageForm::Piece { "计件 " } else { "" };
        if self.min == self.max {
            format!("{prefix}{}{unit}", y(self.min))
        } else {
            format!("{prefix}{}–{}{unit}", y(self.min), y(self.max))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip_codes_keys_and_labels() {
        for k in JobKind::ALL {
            assert_eq!(JobKind::from_code(k.code()), Some(*k));
            assert_eq!(JobKind::parse(k.key()), Some(*k));
            assert_eq!(JobKind::parse(k.label()), Some(*k));
        }
        for k in EmployerType::ALL {
            assert_eq!(EmployerType::from_code(k.code()), Some(*k));
            assert_eq!(EmployerType::parse(k.label()), Some(*k));
        }
        assert_eq!(JobKind::parse("日结"), Some(JobKind::DayWork));
        assert_eq!(JobKind::parse("全职工"), None);
    }

    #[test]
    fn a_wage_has_a_monthly_equivalent_except_piece_rates() {
        let w = Wage { form: WageForm::Daily, min: Fen::from_yuan(200), max: Fen::from_yuan(200) };
        assert_eq!(w.monthly_mid(), Some(Fen::from_yuan(4200)));
        assert_eq!(w.display(), "200元/日");
        let m = Wage { form: WageForm::Monthly, min: Fen::from_yuan(4000), max: Fen::from_yuan(6000) };
        assert_eq!(m.monthly_mid(), Some(Fen::from_yuan(5000)));
        assert_eq!(m.display(), "4000–6000元/月");
        let p = Wage { form: WageForm::Piece, min: Fen(50), max: Fen(80) };
        assert_eq!(p.monthly_mid(), None);
        assert_eq!(p.display(), "计件 0.50–0.80元/件");
    }
}
