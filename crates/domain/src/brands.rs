//! 劳务品牌 (seed 001 §(三); seed 003 专栏1 and 专栏3): the kinds of brand the seeds ask
//! each part of the city to cultivate, and the rule that a brand is counted as new in
//! the year it was recognised at a level.

use chrono::{Datelike, NaiveDate};

/// What a brand stands for (seed 001 §(三): 主城都市区 中高端技能型, 渝东北 高品质服务型,
/// 渝东南 文旅类; seed 003 专栏3: 家政劳务品牌).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum BrandCategory {
    Skilled,
    Service,
    CultureTourism,
    Domestic,
}

impl BrandCategory {
    pub const ALL: [BrandCategory; 4] =
        [BrandCategory::Skilled, BrandCategory::Service, BrandCategory::CultureTourism, BrandCategory::Domestic];

    pub fn code(self) -> i16 {
        match self {
            BrandCategory::Skilled => 1,
            BrandCategory::Service => 2,
            BrandCategory::CultureTourism => 3,
            BrandCategory::Domestic => 4,
        }
    }

    pub fn from_code(code: i16) -> Option<BrandCategory> {
        BrandCategory::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            BrandCategory::Skilled => "技能型",
            BrandCategory::Service => "服务型",
            BrandCategory::CultureTourism => "文旅类",
            BrandCategory::Domestic => "家政",
        }
    }

    /// By label (技能型 …) or by code as text.
    pub fn parse(text: &str) -> Option<BrandCategory> {
        let t = text.trim();
        BrandCategory::ALL.into_iter().find(|c| c.label() == t || c.code().to_string() == t)
    }
}

/// The level a brand was recognised at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum BrandLevel {
    Municipal,
    National,
}

impl BrandLevel {
    pub fn label(self) -> &'static str {
        match self {
            BrandLevel::Municipal => "市级",
            BrandLevel::National => "国家级",
        }
    }

    pub fn parse(text: &str) -> Option<BrandLevel> {
        match text.trim() {
            "市级" | "municipal" => Some(BrandLevel::Municipal),
            "国家级" | "national" => Some(BrandLevel::National),
            _ => None,
        }
    }
}

/// The brand's recognitions, as the register keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recognitions {
    pub municipal_on: Option<NaiveDate>,
    pub national_on: Option<NaiveDate>,
}

/// Why a recognition cannot be recorded, if it cannot: a brand is recognised once at
/// each level, and as 国家级 only after (or on the day) it became 市级.
pub fn recognition_problem(r: Recognitions, level: BrandLevel, on: NaiveDate) -> Option<String> {
    match level {
        BrandLevel::Municipal => match (r.municipal_on, r.national_on) {
            (Some(d), _) => Some(format!("该劳务品牌已于 {d} 认定为市级劳务品牌")),
            (None, Some(n)) if on > n => Some(format!("市级认定日期不能晚于国家级认定日期 {n}")),
            _ => None,
        },
        BrandLevel::National => match (r.municipal_on, r.national_on) {
            (_, Some(d)) => Some(format!("该劳务品牌已于 {d} 认定为国家级劳务品牌")),
            (Some(m), None) if on < m => Some(format!("国家级认定日期不能早于市级认定日期 {m}")),
            (None, None) => Some("应先认定为市级劳务品牌".into()),
            _ => None,
        },
    }
}

/// Whether a brand counts as newly recognised at `level` in `year` (the yearly target
/// 每年新培育市级劳务品牌10个以上 counts brands by the year of their 市级 recognition).
pub fn new_in_year(r: Recognitions, level: BrandLevel, year: i32) -> bool {
    let on = match level {
        BrandLevel::Municipal => r.municipal_on,
        BrandLevel::National => r.national_on,
    };
    on.is_some_and(|d| d.year() == year)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn categories_round_trip_by_code_and_label() {
        for c in BrandCategory::ALL {
            assert_eq!(BrandCategory::from_code(c.code()), Some(c));
            assert_eq!(BrandCategory::parse(c.label()), Some(c));
        }
        assert_eq!(BrandCategory::parse("工艺型"), None);
    }

    #[test]
    fn a_brand_is_recognised_once_at_each_level_and_national_after_municipal() {
        let none = Recognitions { municipal_on: None, national_on: None };
        assert_eq!(recognition_problem(none, BrandLevel::Municipal, d("2025-05-01")), None);
        assert!(recognition_problem(none, BrandLevel::National, d("2025-05-01")).unwrap().contains("先认定为市级"));
        let city = Recognitions { municipal_on: Some(d("2025-05-01")), national_on: None };
        assert!(recognition_problem(city, BrandLevel::Municipal, d("2025-06-01")).unwrap().contains("已于 2025-05-01"));
        assert!(recognition_problem(city, BrandLevel::National, d("2025-04-30")).unwrap().contains("不能早于"));
        assert_eq!(recognition_problem(city, BrandLevel::National, d("2025-05-01")), None);
        let both = Recognitions { national_on: Some(d("2026-01-01")), ..city };
        assert!(recognition_problem(both, BrandLevel::National, d("2026-02-01")).unwrap().contains("国家级"));
    }

    #[test]
    fn a_brand_is_new_in_the_year_of_its_recognition_at_that_level() {
        let r = Recognitions { municipal_on: Some(d("2025-12-31")), national_on: Some(d("2026-01-01")) };
        assert!(new_in_year(r, BrandLevel::Municipal, 2025));
        assert!(!new_in_year(r, BrandLevel::Municipal, 2026));
        assert!(new_in_year(r, BrandLevel::National, 2026));
        assert!(!new_in_year(Recognitions { municipal_on: None, national_on: None }, BrandLevel::Municipal, 2025));
    }
}
