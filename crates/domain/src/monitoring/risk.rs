//! 规模性失业风险预警 (seed 002 #49, #50, #64; seed 004 §(二十) “分级预警、分层响应、
//! 分类施策”): a district's indicators for a month — layoffs reported by employers,
//! large employers closing, new unemployment registrations against the same month
//! last year, and the returned-but-unemployed share — graded 黄/橙/红 by thresholds
//! the city sets as dated parameters (`data/monitoring/risk.toml`), and the response
//! checklist each level opens.

use chrono::NaiveDate;

use crate::policy::load::{load_params_file, LoadError};
use crate::policy::value::{Rational, Value};
use crate::policy::Param;

/// The embedded thresholds file.
pub const RISK_FILE: &str = include_str!("../../../../data/monitoring/risk.toml");

/// Reads a thresholds file (`file` names it in errors).
pub fn load(file: &str, text: &str) -> Result<Vec<Param>, Vec<LoadError>> {
    load_params_file(file, text)
}

/// The embedded thresholds (empty only in a broken build, which the tests catch).
pub fn embedded() -> Vec<Param> {
    load("data/monitoring/risk.toml", RISK_FILE).unwrap_or_default()
}

/// A warning level. Codes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Level {
    /// 黄色（三级）
    Yellow,
    /// 橙色（二级）
    Orange,
    /// 红色（一级）
    Red,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Yellow, Level::Orange, Level::Red];

    pub fn code(self) -> i16 {
        match self {
            Level::Yellow => 1,
            Level::Orange => 2,
            Level::Red => 3,
        }
    }

    pub fn from_code(code: i16) -> Option<Level> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::Yellow => "黄色（三级）",
            Level::Orange => "橙色（二级）",
            Level::Red => "红色（一级）",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Level::Yellow => "yellow",
            Level::Orange => "orange",
            Level::Red => "red",
        }
    }
}

/// Three thresholds, one per level, ascending.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Steps<T> {
    pub yellow: T,
    pub orange: T,
    pub red: T,
}

impl<T: PartialOrd + Copy> Steps<T> {
    /// The highest level whose threshold `v` reaches.
    pub fn level(&self, v: T) -> Option<Level> {
        if v >= self.red {
            Some(Level::Red)
        } else if v >= self.orange {
            Some(Level::Orange)
        } else if v >= self.yellow {
            Some(Level::Yellow)
        } else {
            None
        }
    }

    fn at(&self, l: Level) -> T {
        match l {
            Level::Yellow => self.yellow,
            Level::Orange => self.orange,
            Level::Red => self.red,
        }
    }
}

/// The thresholds in force on one date.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskRules {
    pub on: NaiveDate,
    pub layoffs: Steps<i64>,
    pub closure_min_workers: i64,
    pub closures: Steps<i64>,
    pub registrations_min: i64,
    pub registrations_growth: Steps<Rational>,
    pub returnee_unemployed: Steps<Rational>,
}

fn ordered<T: PartialOrd>(y: T, o: T, r: T) -> bool {
    y <= o && o <= r
}

fn number(params: &[Param], name: &str, on: NaiveDate) -> Result<Rational, String> {
    let p = params.iter().find(|p| p.name == name).ok_or_else(|| format!("风险预警阈值缺少参数“{name}”"))?;
    match p.at(on).map(|v| &v.value) {
        Some(Value::Number(r)) => Ok(*r),
        Some(v) => Err(format!("风险预警阈值“{name}”应为数值或比例，这里是{}", v.ty_label())),
        None => Err(format!("风险预警阈值“{name}”在 {on} 没有生效的版本")),
    }
}

fn count(params: &[Param], name: &str, on: NaiveDate) -> Result<i64, String> {
    let r = number(params, name, on)?;
    if r.den() == 1 {
        i64::try_from(r.num()).map_err(|_| format!("风险预警阈值“{name}”过大"))
    } else {
        Err(format!("风险预警阈值“{name}”应为整数"))
    }
}

impl RiskRules {
    /// The thresholds in force on `on`, or the first missing, mistyped or
    /// out-of-order one.
    pub fn bind(params: &[Param], on: NaiveDate) -> Result<RiskRules, String> {
        let counts = |base: &str| -> Result<Steps<i64>, String> {
            Ok(Steps {
                yellow: count(params, &format!("{base}_yellow"), on)?,
                orange: count(params, &format!("{base}_orange"), on)?,
                red: count(params, &format!("{base}_red"), on)?,
            })
        };
        let ratios = |base: &str| -> Result<Steps<Rational>, String> {
            Ok(Steps {
                yellow: number(params, &format!("{base}_yellow"), on)?,
                orange: number(params, &format!("{base}_orange"), on)?,
                red: number(params, &format!("{base}_red"), on)?,
            })
        };
        let rules = RiskRules {
            on,
            layoffs: counts("layoffs")?,
            closure_min_workers: count(params, "closure_min_workers", on)?,
            closures: counts("closures")?,
            registrations_min: count(params, "registrations_min", on)?,
            registrations_growth: ratios("registrations_growth")?,
            returnee_unemployed: ratios("returnee_unemployed")?,
        };
        for (name, ok) in [
            ("layoffs", ordered(rules.layoffs.yellow, rules.layoffs.orange, rules.layoffs.red)),
            ("closures", ordered(rules.closures.yellow, rules.closures.orange, rules.closures.red)),
            (
                "registrations_growth",
                ordered(
                    rules.registrations_growth.yellow,
                    rules.registrations_growth.orange,
                    rules.registrations_growth.red,
                ),
            ),
            (
                "returnee_unemployed",
                ordered(
                    rules.returnee_unemployed.yellow,
                    rules.returnee_unemployed.orange,
                    rules.returnee_unemployed.red,
                ),
            ),
        ] {
            if !ok {
                return Err(format!("风险预警阈值“{name}”应满足 黄 ≤ 橙 ≤ 红"));
            }
        }
        Ok(rules)
    }
}

/// A district's indicators for one month.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RiskInput {
    /// Workers laid off, as employers reported for the month.
    pub layoffs: i64,
    /// Employers of at least `closure_min_workers` closing, moving or merging (关停并转).
    pub closures: i64,
    /// New unemployment registrations in the month.
    pub registrations: i64,
    /// The same, in the same month a year before.
    pub registrations_last_year: i64,
    /// Returned persons (返乡人员) unemployed at the month's end.
    pub returnee_unemployed: i64,
    /// Persons registered in the district at the month's end.
    pub persons: i64,
}

/// Which indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Indicator {
    Layoffs,
    Closures,
    RegistrationsGrowth,
    ReturneeUnemployed,
}

impl Indicator {
    pub fn label(self) -> &'static str {
        match self {
            Indicator::Layoffs => "用人单位报告裁员人数",
            Indicator::Closures => "规模以上用人单位关停并转",
            Indicator::RegistrationsGrowth => "新增登记失业同比增幅",
            Indicator::ReturneeUnemployed => "返乡未就业人员占比",
        }
    }
}

/// One indicator that reached a level, in words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reason {
    pub indicator: Indicator,
    pub level: Level,
    /// 例：“当月报告裁员 520 人，达到橙色（二级）阈值 500 人”
    pub text: String,
}

/// A district's grade for the month: the highest level any indicator reaches.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Assessment {
    pub level: Level,
    pub reasons: Vec<Reason>,
}

fn pct(r: Rational) -> String {
    let v = r.num() as f64 / r.den() as f64 * 100.0;
    format!("{}%", (v * 10.0).round() / 10.0)
}

/// Grades `input` by `rules`; `None` when no indicator reaches yellow.
pub fn assess(input: &RiskInput, rules: &RiskRules) -> Option<Assessment> {
    let mut reasons = Vec::new();
    if let Some(level) = rules.layoffs.level(input.layoffs) {
        let t = rules.layoffs.at(level);
        let text = format!("当月报告裁员 {} 人，达到{}阈值 {t} 人", input.layoffs, level.label());
        reasons.push(Reason { indicator: Indicator::Layoffs, level, text });
    }
    if let Some(level) = rules.closures.level(input.closures) {
        let t = rules.closures.at(level);
        let text = format!(
            "当月 {} 户职工 {} 人以上的用人单位关停并转，达到{}阈值 {t} 户",
            input.closures,
            rules.closure_min_workers,
            level.label()
        );
        reasons.push(Reason { indicator: Indicator::Closures, level, text });
    }
    // Growth against last year: (now − before) / before, when there are enough now
    // and there were some before (from none, any number is “new”, not a growth).
    if input.registrations >= rules.registrations_min && input.registrations_last_year > 0 {
        if let Some(growth) = Rational::new(
            i128::from(input.registrations - input.registrations_last_year),
            i128::from(input.registrations_last_year),
        ) {
            if let Some(level) = rules.registrations_growth.level(growth) {
                let t = rules.registrations_growth.at(level);
                let text = format!(
                    "当月新增登记失业 {} 人，上年同月 {} 人，增长 {}，达到{}阈值 {}",
                    input.registrations,
                    input.registrations_last_year,
                    pct(growth),
                    level.label(),
                    pct(t)
                );
                reasons.push(Reason { indicator: Indicator::RegistrationsGrowth, level, text });
            }
        }
    }
    if input.persons > 0 {
        if let Some(share) = Rational::new(i128::from(input.returnee_unemployed), i128::from(input.persons)) {
            if let Some(level) = rules.returnee_unemployed.level(share) {
                let t = rules.returnee_unemployed.at(level);
                let text = format!(
                    "返乡未就业 {} 人，占登记人员 {} 人的 {}，达到{}阈值 {}",
                    input.returnee_unemployed,
                    input.persons,
                    pct(share),
                    level.label(),
                    pct(t)
                );
                reasons.push(Reason { indicator: Indicator::ReturneeUnemployed, level, text });
            }
        }
    }
    let level = reasons.iter().map(|r| r.level).max()?;
    Some(Assessment { level, reasons })
}

/// The response a level opens (分层响应): each level's items and those of the levels
/// below it, from seed 004 §(二十) and seed 002 #50, #64.
pub fn checklist(level: Level) -> Vec<&'static str> {
    let yellow = [
        "加强对失业风险的分析研判，逐一排查主要风险点（seed 004 第（二十）条）",
        "对涉及关停并转的用人单位摸清职工底数，同步制定应对措施（seed 002 第50条）",
        "对裁员单位和返乡未就业人员开展岗位推送和职业指导",
    ];
    let orange = [
        "启动应对规模性失业风险预案（seed 004 第（二十）条）",
        "组织跨地区劳务对接（seed 004 第（二十）条）",
        "开展以工代赈，吸纳当地农民工就业（seed 004 第（二十）条）",
        "合理降低企业人工成本，落实稳岗政策（seed 004 第（二十）条）",
    ];
    let red = [
        "提高稳岗补贴标准（seed 004 第（二十）条）",
        "阶段性延长领取失业保险金期限（seed 004 第（二十）条）",
        "开展生活帮扶（seed 004 第（二十）条）",
        "启动应急处置预案，第一时间处置群体性突发事件，防止矛盾激化（seed 002 第64条）",
    ];
    let mut items: Vec<&'static str> = yellow.to_vec();
    if level >= Level::Orange {
        items.extend(orange);
    }
    if level >= Level::Red {
        items.extend(red);
    }
    items
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn rules() -> RiskRules {
        RiskRules::bind(&embedded(), NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()).unwrap()
    }

    fn level(input: RiskInput) -> Option<Level> {
        assess(&input, &rules()).map(|a| a.level)
    }

    #[test]
    fn the_shipped_thresholds_load_and_bind() {
        let r = rules();
        assert_eq!((r.layoffs.yellow, r.layoffs.orange, r.layoffs.red), (200, 500, 1000));
        assert_eq!(r.closure_min_workers, 100);
        assert_eq!(r.registrations_growth.yellow, Rational::new(3, 10).unwrap());
    }

    #[test]
    fn layoffs_grade_at_each_threshold_and_not_below() {
        let at = |n| level(RiskInput { layoffs: n, ..RiskInput::default() });
        assert_eq!(at(199), None);
        assert_eq!(at(200), Some(Level::Yellow));
        assert_eq!(at(499), Some(Level::Yellow));
        assert_eq!(at(500), Some(Level::Orange));
        assert_eq!(at(999), Some(Level::Orange));
        assert_eq!(at(1000), Some(Level::Red));
    }

    #[test]
    fn registrations_compare_with_the_same_month_last_year_above_a_minimum() {
        let at = |now, before| {
            level(RiskInput { registrations: now, registrations_last_year: before, ..Default::default() })
        };
        assert_eq!(at(130, 100), Some(Level::Yellow)); // +30%
        assert_eq!(at(129, 100), None);
        assert_eq!(at(160, 100), Some(Level::Orange));
        assert_eq!(at(200, 100), Some(Level::Red));
        // Too few this month to compare, and nothing to compare with.
        assert_eq!(at(29, 10), None);
        assert_eq!(at(300, 0), None);
    }

    #[test]
    fn the_returnee_share_and_closures_grade_and_the_highest_level_wins() {
        let share = |n| level(RiskInput { returnee_unemployed: n, persons: 1000, ..Default::default() });
        assert_eq!(share(19), None);
        assert_eq!(share(20), Some(Level::Yellow));
        assert_eq!(share(60), Some(Level::Red));
        let a = assess(&RiskInput { layoffs: 250, closures: 2, ..Default::default() }, &rules()).unwrap();
        assert_eq!(a.level, Level::Orange);
        assert_eq!(a.reasons.len(), 2);
        assert!(a.reasons[0].text.contains("250 人") && a.reasons[0].text.contains("黄色"));
        assert_eq!(level(RiskInput { persons: 0, returnee_unemployed: 5, ..Default::default() }), None);
    }

    #[test]
    fn each_level_opens_its_own_response_and_those_below() {
        let (y, o, r) = (checklist(Level::Yellow), checklist(Level::Orange), checklist(Level::Red));
        assert!(y.len() < o.len() && o.len() < r.len());
        assert!(o.starts_with(&y) && r.starts_with(&o));
        assert!(r.iter().any(|i| i.contains("延长领取失业保险金期限")));
    }

    #[test]
    fn thresholds_out_of_order_are_refused() {
        let text = RISK_FILE.replace("value = \"1000\"", "value = \"100\"");
        let params = load("risk.toml", &text).unwrap();
        let e = RiskRules::bind(&params, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).unwrap_err();
        assert!(e.contains("layoffs"), "{e}");
    }
}
