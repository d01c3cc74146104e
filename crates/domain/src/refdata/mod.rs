//! Reference data embedded in the binary at build time from `data/` (see
//! `data/README.md` for sources and the regeneration script): Chongqing's divisions,
//! provinces, district geometry-derived adjacency, functional areas and groups,
//! GB/T 4754-2017 industries with the annex-2 mapping, and occupations with synonyms.
//! Parsing the embedded text is pure; a bad file is a build defect caught by tests.

mod parse;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use crate::region::{RegionCode, RegionLevel};

pub use parse::RefDataError;

/// One division of Chongqing (district, town or village) or a province.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub level: RegionLevel,
}

/// 一区两群 functional area of a district.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Area {
    /// 主城都市区
    MetroCore,
    /// 渝东北三峡库区城镇群
    Northeast,
    /// 渝东南武陵山区城镇群
    Southeast,
}

impl Area {
    pub const ALL: [Area; 3] = [Area::MetroCore, Area::Northeast, Area::Southeast];

    pub fn label(self) -> &'static str {
        match self {
            Area::MetroCore => "主城都市区",
            Area::Northeast => "渝东北",
            Area::Southeast => "渝东南",
        }
    }

    fn parse(text: &str) -> Option<Area> {
        Self::ALL.into_iter().find(|a| a.label() == text)
    }
}

/// A member of an annex-1 district group: a district or a functional zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupMember {
    District(RegionCode),
    Zone(String),
}

/// One of the 17 对口协作 groups of seed 001 annex 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistrictGroup {
    pub number: u8,
    pub annual_target: i64,
    pub members: Vec<(GroupMember, String)>,
}

/// A management area that is not a GB/T 2260 unit (两江新区 …): a named set of towns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionalZone {
    pub id: String,
    pub name: String,
    pub towns: Vec<RegionCode>,
}

/// GB/T 4754-2017 entry: a section (letter), division (2 digits) or group (3 digits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Industry {
    pub code: String,
    pub name: String,
    pub level: IndustryLevel,
    pub parent: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndustryLevel {
    Section,
    Division,
    Group,
}

/// One row of seed 001 annex 2 with the GB/T codes it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annex2Row {
    pub number: u8,
    pub name: String,
    pub annual_target: i64,
    pub lead_department: String,
    pub codes: Vec<String>,
}

/// An occupation with the free-text titles that mean it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupation {
    /// 职业分类大典 (2022) code where verified, else empty.
    pub code: String,
    pub name: String,
    pub category: Option<u8>,
    pub synonyms: Vec<String>,
}

/// All reference data, parsed once.
#[derive(Debug)]
pub struct RefData {
    regions: HashMap<RegionCode, Region>,
    children: HashMap<RegionCode, Vec<RegionCode>>,
    districts: Vec<RegionCode>,
    provinces: BTreeMap<i16, String>,
    areas: HashMap<RegionCode, Area>,
    adjacency: HashSet<(RegionCode, RegionCode)>,
    centers: HashMap<RegionCode, (f64, f64)>,
    groups: Vec<DistrictGroup>,
    zones: Vec<FunctionalZone>,
    industries: Vec<Industry>,
    industry_index: HashMap<String, usize>,
    annex2: Vec<Annex2Row>,
    occupations: Vec<Occupation>,
    occupation_index: HashMap<String, usize>,
}

macro_rules! data_file {
    ($path:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/", $path))
    };
}

/// The embedded files, by their path under `data/`.
pub const FILES: &[(&str, &str)] = &[
    ("regions/chongqing.csv", data_file!("regions/chongqing.csv")),
    ("regions/provinces.csv", data_file!("regions/provinces.csv")),
    ("regions/areas.csv", data_file!("regions/areas.csv")),
    ("regions/district_adjacency.csv", data_file!("regions/district_adjacency.csv")),
    ("regions/district_centers.csv", data_file!("regions/district_centers.csv")),
    ("regions/district_groups.csv", data_file!("regions/district_groups.csv")),
    ("regions/functional_zones.csv", data_file!("regions/functional_zones.csv")),
    ("industries/gbt4754_2017.csv", data_file!("industries/gbt4754_2017.csv")),
    ("industries/annex2_mapping.csv", data_file!("industries/annex2_mapping.csv")),
    ("occupations/occupations.csv", data_file!("occupations/occupations.csv")),
];

/// The district map (GeoJSON), served to the browser as is.
pub const DISTRICT_GEOJSON: &str = data_file!("regions/district_geo.json");

static EMBEDDED: LazyLock<Result<RefData, RefDataError>> = LazyLock::new(|| {
    let get = |name: &str| FILES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t).unwrap_or_default();
    RefData::from_files(&get)
});

impl RefData {
    /// The reference data compiled into this binary.
    pub fn embedded() -> Result<&'static RefData, &'static RefDataError> {
        EMBEDDED.as_ref()
    }

    /// Parses the files given by a lookup of their `data/` path.
    pub fn from_files(get: &dyn Fn(&str) -> &'static str) -> Result<RefData, RefDataError> {
        parse::build(get)
    }

    pub fn region(&self, code: RegionCode) -> Option<&Region> {
        self.regions.get(&code)
    }

    /// Region name with its ancestors below the province, e.g. `万州区 高笋塘街道`.
    pub fn region_path(&self, code: RegionCode) -> String {
        let mut parts = Vec::new();
        let mut cur = Some(code);
        while let Some(c) = cur {
            if c.level() == RegionLevel::Province {
                break;
            }
            match self.regions.get(&c) {
                Some(r) => parts.push(r.name.as_str()),
                None => parts.push("（未知区划）"),
            }
            cur = c.parent();
        }
        parts.reverse();
        parts.join(" ")
    }

    /// Whether `code` is a known Chongqing division (district, town or village).
    pub fn is_chongqing_division(&self, code: RegionCode) -> bool {
        code.province_number() == 50 && code.level() != RegionLevel::Province && self.regions.contains_key(&code)
    }

    pub fn children(&self, code: RegionCode) -> &[RegionCode] {
        self.children.get(&code).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The 38 districts/counties, by code.
    pub fn districts(&self) -> &[RegionCode] {
        &self.districts
    }

    /// All Chongqing divisions of one level.
    pub fn regions_at(&self, level: RegionLevel) -> impl Iterator<Item = &Region> {
        self.regions.values().filter(move |r| r.level == level && r.code.province_number() == 50)
    }

    pub fn provinces(&self) -> &BTreeMap<i16, String> {
        &self.provinces
    }

    /// Resolves a province by 2-digit code or by name (`广东`, `广东省`).
    pub fn province(&self, text: &str) -> Option<i16> {
        let t = text.trim();
        if let Ok(n) = t.parse::<i16>() {
            return self.provinces.contains_key(&n).then_some(n);
        }
        if t.is_empty() {
            return None;
        }
        self.provinces
            .iter()
            .find_map(|(code, name)| (name == t || name.starts_with(t) && short_province(name) == t).then_some(*code))
    }

    pub fn province_name(&self, code: i16) -> Option<&str> {
        self.provinces.get(&code).map(String::as_str)
    }

    pub fn area(&self, district: RegionCode) -> Option<Area> {
        self.areas.get(&district).copied()
    }

    pub fn adjacent(&self, a: RegionCode, b: RegionCode) -> bool {
        let (x, y) = if a <= b { (a, b) } else { (b, a) };
        self.adjacency.contains(&(x, y))
    }

    pub fn adjacency_pairs(&self) -> usize {
        self.adjacency.len()
    }

    /// District centre point (lng, lat).
    pub fn center(&self, district: RegionCode) -> Option<(f64, f64)> {
        self.centers.get(&district).copied()
    }

    pub fn district_groups(&self) -> &[DistrictGroup] {
        &self.groups
    }

    pub fn functional_zones(&self) -> &[FunctionalZone] {
        &self.zones
    }

    pub fn industries(&self) -> &[Industry] {
        &self.industries
    }

    /// Resolves an industry by GB/T code (`C`, `36`, `748`) or by name (section,
    /// division or annex-2 row name). Returns the stored code.
    pub fn industry(&self, text: &str) -> Option<&Industry> {
        let t = text.trim();
        let key = if t.len() == 1 { t.to_ascii_uppercase() } else { t.to_string() };
        if let Some(i) = self.industry_index.get(&key) {
            return self.industries.get(*i);
        }
        // An annex-2 row name stands for its first (main) code.
        let row = self.annex2.iter().find(|r| r.name == t)?;
        let first = row.codes.first()?;
        self.industry_index.get(first).and_then(|i| self.industries.get(*i))
    }

    pub fn industry_by_code(&self, code: &str) -> Option<&Industry> {
        self.industry_index.get(code).and_then(|i| self.industries.get(*i))
    }

    /// Section letter of an industry code.
    pub fn industry_section(&self, code: &str) -> Option<&str> {
        let mut cur = self.industry_by_code(code)?;
        while let Some(p) = &cur.parent {
            cur = self.industry_by_code(p)?;
        }
        Some(cur.code.as_str())
    }

    pub fn annex2_rows(&self) -> &[Annex2Row] {
        &self.annex2
    }

    /// The annex-2 row an industry code counts toward: the row mapping the code or its
    /// nearest ancestor; for a section, the row all its divisions map to (none when
    /// they split, as M does between 建筑业 and 其他).
    pub fn annex2_row_of(&self, code: &str) -> Option<&Annex2Row> {
        let mut cur = Some(code.to_string());
        while let Some(c) = cur {
            if let Some(row) = self.annex2.iter().find(|r| r.codes.contains(&c)) {
                return Some(row);
            }
            cur = self.industry_by_code(&c).and_then(|i| i.parent.clone());
        }
        let children: Vec<&Industry> = self.industries.iter().filter(|i| i.parent.as_deref() == Some(code)).collect();
        let mut rows = children.iter().map(|c| self.annex2_row_of(&c.code).map(|r| r.number));
        let first = rows.next()??;
        if rows.all(|r| r == Some(first)) {
            self.annex2.iter().find(|r| r.number == first)
        } else {
            None
        }
    }

    pub fn occupations(&self) -> &[Occupation] {
        &self.occupations
    }

    /// Normalises a free-text job title to an occupation through names and synonyms.
    pub fn occupation(&self, title: &str) -> Option<&Occupation> {
        let t: String = title.chars().filter(|c| !c.is_whitespace()).collect();
        self.occupation_index.get(&t).and_then(|i| self.occupations.get(*i))
    }
}

fn short_province(name: &str) -> &str {
    for suffix in ["维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"]
    {
        if let Some(s) = name.strip_suffix(suffix) {
            return s;
        }
    }
    name
}
