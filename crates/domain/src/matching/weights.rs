//! The points of each match factor, read from `data/matching/weights.toml` (compiled in)
//! or from a text a caller gives. A file that breaks the checks listed at the top of that
//! file is refused with its line and column and a Chinese reason.

use std::sync::LazyLock;

use serde_json::json;
use toml::Spanned;

use crate::policy::load::{LoadError, Src};
use crate::refdata::RefData;

/// The embedded weights file.
pub const WEIGHTS_TOML: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/matching/weights.toml"));

/// The name errors in the weights file carry.
const FILE: &str = "matching/weights.toml";

/// Highest points a single value may have.
const MAX_POINTS: i64 = 1000;

/// 离家距离, by tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearnessPoints {
    pub village: i32,
    pub town: i32,
    pub district: i32,
    pub adjacent: i32,
    pub area: i32,
    pub elsewhere: i32,
}

/// 工种匹配.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccupationPoints {
    pub exact: i32,
    pub same_category: i32,
    pub different: i32,
    pub unknown: i32,
}

/// 技能等级.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillPoints {
    pub meets: i32,
    pub no_requirement: i32,
    pub below: i32,
}

/// 工资待遇.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WagePoints {
    pub at_least: i32,
    pub near: i32,
    /// A monthly wage below the expectation by less than this percentage is `near`.
    pub near_below_percent: u8,
    pub far: i32,
    pub neutral: i32,
}

/// 用工形式.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindPoints {
    pub same: i32,
    pub no_wish: i32,
    pub different: i32,
}

/// 行业经验.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndustryPoints {
    pub same: i32,
    pub different: i32,
    pub unknown: i32,
}

/// 大龄适合岗位.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OlderPoints {
    pub points: i32,
    pub female_from_age: u8,
    pub male_from_age: u8,
    /// Occupation names, as in `data/occupations/occupations.csv`.
    pub occupation_names: Vec<String>,
    /// The same occupations as indexes into `RefData::occupations()`.
    pub occupations: Vec<u16>,
}

/// The points of every factor (SPEC §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weights {
    pub nearness: NearnessPoints,
    pub occupation: OccupationPoints,
    pub skill: SkillPoints,
    pub wage: WagePoints,
    pub kind: KindPoints,
    pub industry: IndustryPoints,
    pub older: OlderPoints,
}

static EMBEDDED: LazyLock<Result<Weights, LoadError>> = LazyLock::new(|| Weights::parse(WEIGHTS_TOML));

type P = Spanned<i64>;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeights {
    nearness: RawNearness,
    occupation: RawOccupation,
    skill: RawSkill,
    wage: RawWage,
    kind: RawKind,
    industry: RawIndustry,
    older: RawOlder,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNearness {
    village: P,
    town: P,
    district: P,
    adjacent: P,
    area: P,
    elsewhere: P,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOccupation {
    exact: P,
    same_category: P,
    different: P,
    unknown: P,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSkill {
    meets: P,
    no_requirement: P,
    below: P,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWage {
    at_least: P,
    near: P,
    near_below_percent: P,
    far: P,
    neutral: P,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    same: P,
    no_wish: P,
    different: P,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndustry {
    same: P,
    different: P,
    unknown: P,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOlder {
    points: P,
    female_from_age: P,
    male_from_age: P,
    occupations: Vec<Spanned<String>>,
}

impl Weights {
    /// The weights compiled into this binary (`data/matching/weights.toml`).
    pub fn embedded() -> Result<&'static Weights, &'static LoadError> {
        EMBEDDED.as_ref()
    }

    /// Parses a weights file, resolving occupation names against the embedded
    /// reference data.
    pub fn parse(text: &str) -> Result<Weights, LoadError> {
        let src = Src { file: FILE, text };
        let refdata = RefData::embedded().map_err(|e| src.at(0, format!("参考数据无法加载：{e}")))?;
        Weights::parse_with(text, refdata)
    }

    /// Parses a weights file, resolving occupation names against `refdata`.
    pub fn parse_with(text: &str, refdata: &RefData) -> Result<Weights, LoadError> {
        let src = Src { file: FILE, text };
        let raw: RawWeights = toml::from_str(text).map_err(|e| src.toml(&e))?;
        let pts = |p: &P| -> Result<i32, LoadError> {
            let v = *p.get_ref();
            if (0..=MAX_POINTS).contains(&v) {
                Ok(v as i32)
            } else {
                Err(src.span(p.span(), format!("分值应为 0 到 {MAX_POINTS} 之间的整数，实际为 {v}")))
            }
        };
        let age = |p: &P| -> Result<u8, LoadError> {
            let v = *p.get_ref();
            if (16..=100).contains(&v) {
                Ok(v as u8)
            } else {
                Err(src.span(p.span(), format!("年龄应为 16 到 100 之间的整数，实际为 {v}")))
            }
        };
        // Each pair (nearer/better, farther/worse) must not rise.
        let not_above = |better: (&str, &P), worse: (&str, &P), what: &str| -> Result<(), LoadError> {
            if worse.1.get_ref() > better.1.get_ref() {
                Err(src.span(
                    worse.1.span(),
                    format!(
                        "{what}：{} 的分值 {} 高于 {} 的分值 {}，应不高于后者",
                        worse.0,
                        worse.1.get_ref(),
                        better.0,
                        better.1.get_ref()
                    ),
                ))
            } else {
                Ok(())
            }
        };

        let n = &raw.nearness;
        let tiers = [
            ("village", &n.village),
            ("town", &n.town),
            ("district", &n.district),
            ("adjacent", &n.adjacent),
            ("area", &n.area),
            ("elsewhere", &n.elsewhere),
        ];
        for pair in tiers.windows(2) {
            not_above(pair[0], pair[1], "离家越远分值应越低")?;
        }
        let nearness = NearnessPoints {
            village: pts(&n.village)?,
            town: pts(&n.town)?,
            district: pts(&n.district)?,
            adjacent: pts(&n.adjacent)?,
            area: pts(&n.area)?,
            elsewhere: pts(&n.elsewhere)?,
        };

        let o = &raw.occupation;
        not_above(("exact", &o.exact), ("same_category", &o.same_category), "工种越接近分值应越高")?;
        not_above(("same_category", &o.same_category), ("different", &o.different), "工种越接近分值应越高")?;
        let occupation = OccupationPoints {
            exact: pts(&o.exact)?,
            same_category: pts(&o.same_category)?,
            different: pts(&o.different)?,
            unknown: pts(&o.unknown)?,
        };

        let s = &raw.skill;
        let skill =
            SkillPoints { meets: pts(&s.meets)?, no_requirement: pts(&s.no_requirement)?, below: pts(&s.below)? };

        let w = &raw.wage;
        not_above(("at_least", &w.at_least), ("near", &w.near), "工资越接近期望分值应越高")?;
        not_above(("near", &w.near), ("far", &w.far), "工资越接近期望分值应越高")?;
        let pct = *w.near_below_percent.get_ref();
        if !(1..=99).contains(&pct) {
            return Err(src.span(
                w.near_below_percent.span(),
                format!("near_below_percent 应为 1 到 99 之间的整数（百分比），实际为 {pct}"),
            ));
        }
        let wage = WagePoints {
            at_least: pts(&w.at_least)?,
            near: pts(&w.near)?,
            near_below_percent: pct as u8,
            far: pts(&w.far)?,
            neutral: pts(&w.neutral)?,
        };

        let k = &raw.kind;
        let kind = KindPoints { same: pts(&k.same)?, no_wish: pts(&k.no_wish)?, different: pts(&k.different)? };

        let i = &raw.industry;
        let industry = IndustryPoints { same: pts(&i.same)?, different: pts(&i.different)?, unknown: pts(&i.unknown)? };

        let r = &raw.older;
        let mut occupation_names = Vec::new();
        let mut occupations = Vec::new();
        for name in &r.occupations {
            let t = name.get_ref().trim();
            let Some(index) = refdata.occupations().iter().position(|occ| occ.name == t) else {
                return Err(src.span(
                    name.span(),
                    format!("未知的工种“{t}”：应为 data/occupations/occupations.csv 中的工种名称（name 列）"),
                ));
            };
            let index = u16::try_from(index).map_err(|_| src.span(name.span(), "工种序号超出范围"))?;
            if occupations.contains(&index) {
                return Err(src.span(name.span(), format!("工种“{t}”重复")));
            }
            occupations.push(index);
            occupation_names.push(t.to_string());
        }
        let older = OlderPoints {
            points: pts(&r.points)?,
            female_from_age: age(&r.female_from_age)?,
            male_from_age: age(&r.male_from_age)?,
            occupation_names,
            occupations,
        };

        Ok(Weights { nearness, occupation, skill, wage, kind, industry, older })
    }

    /// The weights as JSON for the numpy peer (`bench/peers/match_numpy.py`): the same
    /// keys as the TOML file, with older occupations as indexes into
    /// `RefData::occupations()` (`older.occupations`) and by name (`older.names`).
    pub fn peer_json(&self) -> String {
        let (n, o, s, w, k, i, r) =
            (&self.nearness, &self.occupation, &self.skill, &self.wage, &self.kind, &self.industry, &self.older);
        json!({
            "nearness": {
                "village": n.village, "town": n.town, "district": n.district,
                "adjacent": n.adjacent, "area": n.area, "elsewhere": n.elsewhere,
            },
            "occupation": {
                "exact": o.exact, "same_category": o.same_category, "different": o.different, "unknown": o.unknown,
            },
            "skill": { "meets": s.meets, "no_requirement": s.no_requirement, "below": s.below },
            "wage": {
                "at_least": w.at_least, "near": w.near, "near_below_percent": w.near_below_percent,
                "far": w.far, "neutral": w.neutral,
            },
            "kind": { "same": k.same, "no_wish": k.no_wish, "different": k.different },
            "industry": { "same": i.same, "different": i.different, "unknown": i.unknown },
            "older": {
                "points": r.points, "female_from_age": r.female_from_age, "male_from_age": r.male_from_age,
                "occupations": r.occupations, "names": r.occupation_names,
            },
        })
        .to_string()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_weights_load_and_name_the_four_older_occupations_of_seed_001() {
        let w = Weights::embedded().unwrap();
        assert_eq!(w.older.occupation_names, ["保安员", "保洁员", "仓储管理员", "物料整理员"]);
        assert_eq!(w.older.occupations.len(), 4);
        assert!(w.nearness.village > w.nearness.town && w.nearness.area > w.nearness.elsewhere);
        let json: serde_json::Value = serde_json::from_str(&w.peer_json()).unwrap();
        assert_eq!(json["wage"]["near_below_percent"], 15);
        assert_eq!(json["older"]["occupations"].as_array().unwrap().len(), 4);
    }

    fn broken(from: &str, to: &str) -> LoadError {
        assert!(WEIGHTS_TOML.contains(from), "{from}");
        Weights::parse(&WEIGHTS_TOML.replacen(from, to, 1)).unwrap_err()
    }

    fn line_of(text: &str) -> usize {
        WEIGHTS_TOML.lines().position(|l| l.starts_with(text)).unwrap() + 1
    }

    #[test]
    fn a_malformed_weights_file_is_refused_with_its_line_and_a_chinese_reason() {
        let e = broken("town = 30", "town = 50");
        assert_eq!(e.line, line_of("town = 30"));
        assert!(e.reason.contains("离家越远分值应越低"), "{e}");

        let e = broken("near = 10", "near = -1");
        assert!(e.reason.contains("高于") || e.reason.contains("0 到 1000"), "{e}");

        let e = broken("\"物料整理员\"", "\"物料整理工\"");
        assert_eq!(e.line, line_of("occupations = "));
        assert!(e.reason.contains("未知的工种“物料整理工”"), "{e}");

        let e = broken("near_below_percent = 15", "near_below_percent = 150");
        assert!(e.reason.contains("百分比"), "{e}");

        let e = broken("male_from_age = 50", "male_from_age = 5");
        assert!(e.reason.contains("年龄"), "{e}");

        let e = broken("same = 10\nno_wish", "same = 10\nsame_ish = 3\nno_wish");
        assert!(e.reason.contains("未知的字段“same_ish”"), "{e}");

        let e = broken("far = 0\n", "");
        assert!(e.reason.contains("缺少字段“far”"), "{e}");

        let e = broken("exact = 30", "exact = \"30\"");
        assert!(e.reason.contains("整数"), "{e}");

        let e = broken("[kind]", "[kind");
        assert!(e.to_string().starts_with("matching/weights.toml:"), "{e}");
    }
}
