//! The targets of seed 001 (渝府办发〔2025〕18号) and seed 003 专栏1, as data: each with
//! its value, unit, kind (以上 / 左右 / a level), period (each year, or five years
//! cumulated), the years it applies to, and the sentence of the seed it comes from.
//! The figure quoted must appear in the sentence and equal the value; the district
//! groups of annex 1 and the industry rows of annex 2 (reference data) must each sum
//! to the near-home target (tested).

use std::fmt;

/// The embedded targets file.
pub const TARGETS_FILE: &str = include_str!("../../../../data/targets/targets.toml");

/// How a target is to be met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 以上.
    AtLeast,
    /// 左右.
    About,
    /// A level to reach by the year.
    Level,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::AtLeast => "以上",
            Kind::About => "左右",
            Kind::Level => "达到",
        }
    }
}

/// Over what time a target counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Span {
    /// Each year.
    Year,
    /// Five years cumulated (the plan's 【】).
    FiveYears,
}

/// One target.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub key: String,
    pub label: String,
    pub unit: String,
    pub value: i64,
    pub kind: Kind,
    #[serde(rename = "period")]
    pub span: Span,
    pub years: Vec<i32>,
    pub document: String,
    pub article: String,
    pub quote: String,
    pub figure: String,
    /// The figure's multiplier (万 written as a column heading: 10000).
    #[serde(default)]
    pub scale: Option<i64>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    target: Vec<Target>,
}

/// Why the targets file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetsError(pub String);

impl fmt::Display for TargetsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The number a figure states (`30 万人` → 300000, `1.3 万人` → 13000, `3000 场次`,
/// `100%` → 100), times `scale`.
pub fn figure_value(figure: &str, scale: Option<i64>) -> Option<i64> {
    let t = figure.trim();
    let end = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, rest) = t.split_at(end);
    let rest = rest.trim_start();
    let wan = rest.starts_with('万');
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty() || frac.len() > 4 {
        return None;
    }
    let mut value: i64 = int.parse().ok()?;
    let mut denominator = 1i64;
    for c in frac.chars() {
        value = value.checked_mul(10)?.checked_add(i64::from(c.to_digit(10)?))?;
        denominator *= 10;
    }
    let factor = if wan { 10_000 } else { 1 } * scale.unwrap_or(1);
    let total = value.checked_mul(factor)?;
    (total % denominator == 0).then_some(total / denominator)
}

/// Reads a targets file, checking every target: a known unique key, years, the
/// figure inside its quote and equal to the value.
pub fn load(text: &str) -> Result<Vec<Target>, TargetsError> {
    let f: File = toml::from_str(text).map_err(|e| TargetsError(format!("目标文件格式错误：{e}")))?;
    let mut seen = std::collections::HashSet::new();
    for t in &f.target {
        if !seen.insert(t.key.clone()) {
            return Err(TargetsError(format!("目标“{}”重复", t.key)));
        }
        if t.years.is_empty() {
            return Err(TargetsError(format!("目标“{}”没有适用年份", t.key)));
        }
        if !t.quote.contains(&t.figure) {
            return Err(TargetsError(format!("目标“{}”的数字“{}”不在原文中", t.key, t.figure)));
        }
        if figure_value(&t.figure, t.scale) != Some(t.value) {
            return Err(TargetsError(format!("目标“{}”的数值 {} 与原文“{}”不符", t.key, t.value, t.figure)));
        }
    }
    Ok(f.target)
}

/// The embedded targets.
pub fn embedded() -> Result<Vec<Target>, TargetsError> {
    load(TARGETS_FILE)
}

/// The targets that apply in `year`.
pub fn for_year(targets: &[Target], year: i32) -> Vec<&Target> {
    targets.iter().filter(|t| t.years.contains(&year)).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::refdata::RefData;

    #[test]
    fn figures_read_as_written() {
        assert_eq!(figure_value("30 万人", None), Some(300_000));
        assert_eq!(figure_value("1.3 万人", None), Some(13_000));
        assert_eq!(figure_value("3000 场次", None), Some(3000));
        assert_eq!(figure_value("1.5", Some(10_000)), Some(15_000));
        assert_eq!(figure_value("100%", None), Some(100));
        assert_eq!(figure_value("万人", None), None);
        assert_eq!(figure_value("1.00001", None), None);
    }

    #[test]
    fn the_shipped_targets_load_and_each_figure_is_in_its_sentence() {
        let all = embedded().unwrap();
        assert_eq!(all.len(), 25);
        let y2026 = for_year(&all, 2026);
        assert_eq!(y2026.len(), 15, "seed 001's yearly targets apply 2025–2027");
        assert!(for_year(&all, 2028).is_empty());
        let near = all.iter().find(|t| t.key == "near_home_jobs").unwrap();
        assert_eq!((near.value, near.kind, near.span), (300_000, Kind::AtLeast, Span::Year));
        // The four sector targets of §(一) add up to the near-home target.
        let sectors: i64 = ["services_jobs", "manufacturing_jobs", "construction_jobs", "agriculture_jobs"]
            .iter()
            .map(|k| all.iter().find(|t| t.key == *k).unwrap().value)
            .sum();
        assert_eq!(sectors, 300_000);
    }

    #[test]
    fn both_annexes_sum_to_the_near_home_target() {
        let r = RefData::embedded().unwrap();
        let near = embedded().unwrap().into_iter().find(|t| t.key == "near_home_jobs").unwrap().value;
        let groups = r.district_groups();
        assert_eq!(groups.len(), 17);
        assert_eq!(groups.iter().map(|g| g.annual_target).sum::<i64>(), near);
        let rows = r.annex2_rows();
        assert_eq!(rows.len(), 12);
        assert_eq!(rows.iter().map(|g| g.annual_target).sum::<i64>(), near);
    }

    /// The rows of the two annex tables as seed 000 prints them (its second copy of
    /// 渝府办发〔2025〕18号 carries the tables; seed 001 omits them), in their order.
    const ANNEX1_SEED: &str = "14600人以上 7800人以上 29400人以上 14500人以上 30200人以上 4200人以上 22500人以上 \
        21500人以上 24800人以上 20100人以上 14100人以上 17200人以上 6100人以上 17300人以上 18600人以上 8600人以上 28500人以上";
    const ANNEX2_SEED: &str = "10000人以上 130000人以上 10000人以上 28000人以上 11000人以上 12000人以上 4600人以上 \
        1500人以上 11200人以上 19000人以上 2700人以上 60000人以上";

    fn seed_rows(text: &str) -> Vec<i64> {
        text.split_whitespace().map(|w| w.trim_end_matches("人以上").parse().unwrap()).collect()
    }

    #[test]
    fn the_annexes_match_the_seed_row_by_row() {
        let r = RefData::embedded().unwrap();
        let mut groups: Vec<_> = r.district_groups().iter().map(|g| (g.number, g.annual_target)).collect();
        groups.sort();
        assert_eq!(groups.iter().map(|g| g.1).collect::<Vec<_>>(), seed_rows(ANNEX1_SEED));
        let mut rows: Vec<_> = r.annex2_rows().iter().map(|g| (g.number, g.annual_target)).collect();
        rows.sort();
        assert_eq!(rows.iter().map(|g| g.1).collect::<Vec<_>>(), seed_rows(ANNEX2_SEED));
        assert_eq!(seed_rows(ANNEX1_SEED).iter().sum::<i64>(), 300_000);
        assert_eq!(seed_rows(ANNEX2_SEED).iter().sum::<i64>(), 300_000);
    }

    #[test]
    fn a_figure_that_disagrees_with_its_sentence_is_refused() {
        let bad = TARGETS_FILE.replacen("value = 300000", "value = 310000", 1);
        assert!(load(&bad).unwrap_err().0.contains("near_home_jobs"));
        let bad = TARGETS_FILE.replacen("figure = \"30 万人\"", "figure = \"31 万人\"", 1);
        assert!(load(&bad).unwrap_err().0.contains("不在原文中"));
    }
}
