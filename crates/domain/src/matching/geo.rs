//! `Geo`: the reference tables scoring reads, as plain arrays built once from `RefData`
//! (districts by slot, adjacency as a bitset, 片区 per district, and the occupations'
//! categories and names), so that scoring does no hashing and no string work.

use serde_json::json;

use crate::refdata::{Area, IndustryLevel, RefData};
use crate::region::RegionCode;

/// The district slot of a place outside the known districts (or above district level).
pub const NO_DISTRICT: u16 = u16::MAX;

/// Number of GB/T 4754-2017 sections (门类 A … T).
pub const SECTIONS: u8 = 20;

/// Scoring's view of the reference data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Geo {
    /// District codes (12-digit normalised values), sorted; a district's slot is its
    /// position here.
    districts: Vec<i64>,
    /// 片区 per district slot.
    areas: Vec<Option<Area>>,
    /// Row `d` of the adjacency matrix is `adjacency[d * words .. (d + 1) * words]`.
    adjacency: Vec<u64>,
    words: usize,
    /// Per slot (and one more for `NO_DISTRICT`), the other slots by tier relative to it.
    adjacent_slots: Vec<Vec<u16>>,
    area_slots: Vec<Vec<u16>>,
    elsewhere_slots: Vec<Vec<u16>>,
    /// 职业分类大典 大类 per occupation index (`None`: unknown).
    categories: Vec<Option<u8>>,
    occupation_names: Vec<String>,
    section_names: Vec<String>,
}

impl Geo {
    /// Builds the tables from reference data.
    pub fn new(refdata: &RefData) -> Geo {
        let mut districts: Vec<i64> = refdata.districts().iter().map(|d| d.as_i64()).collect();
        districts.sort_unstable();
        districts.dedup();
        districts.truncate(usize::from(NO_DISTRICT));
        let n = districts.len();
        let code = |slot: usize| RegionCode::from_i64(districts[slot]);
        let areas: Vec<Option<Area>> = (0..n).map(|d| code(d).and_then(|c| refdata.area(c))).collect();
        let words = n.div_ceil(64).max(1);
        let mut adjacency = vec![0u64; n * words];
        for a in 0..n {
            for b in 0..n {
                if a != b && matches!((code(a), code(b)), (Some(x), Some(y)) if refdata.adjacent(x, y)) {
                    adjacency[a * words + b / 64] |= 1 << (b % 64);
                }
            }
        }
        let mut geo = Geo {
            districts,
            areas,
            adjacency,
            words,
            adjacent_slots: Vec::new(),
            area_slots: Vec::new(),
            elsewhere_slots: Vec::new(),
            categories: refdata.occupations().iter().map(|o| o.category).collect(),
            occupation_names: refdata.occupations().iter().map(|o| o.name.clone()).collect(),
            section_names: Vec::new(),
        };
        let mut sections: Vec<(u8, String)> = refdata
            .industries()
            .iter()
            .filter(|i| i.level == IndustryLevel::Section)
            .filter_map(|i| section_index(&i.code).map(|s| (s, i.name.clone())))
            .collect();
        sections.sort();
        geo.section_names = (0..SECTIONS)
            .map(|s| sections.iter().find(|(i, _)| *i == s).map(|(_, name)| name.clone()).unwrap_or_default())
            .collect();
        // Slot n stands for NO_DISTRICT in these lists.
        for home in 0..=n {
            let (mut adj, mut area, mut other) = (Vec::new(), Vec::new(), Vec::new());
            for d in 0..=n {
                let (h, s) = (slot_or_none(home, n), slot_or_none(d, n));
                if home < n && d == home {
                    continue;
                }
                match geo.tier_between(h, s) {
                    Tier::Adjacent => adj.push(s),
                    Tier::Area => area.push(s),
                    _ => other.push(s),
                }
            }
            geo.adjacent_slots.push(adj);
            geo.area_slots.push(area);
            geo.elsewhere_slots.push(other);
        }
        geo
    }

    /// The number of districts.
    pub fn districts(&self) -> usize {
        self.districts.len()
    }

    /// The slot of the district containing `place`, `NO_DISTRICT` outside the known
    /// districts.
    pub fn district_slot(&self, place: RegionCode) -> u16 {
        let Some(d) = place.district() else { return NO_DISTRICT };
        match self.districts.binary_search(&d.as_i64()) {
            Ok(i) => i as u16,
            Err(_) => NO_DISTRICT,
        }
    }

    /// The district code of a slot.
    pub fn district_code(&self, slot: u16) -> Option<RegionCode> {
        self.districts.get(usize::from(slot)).and_then(|c| RegionCode::from_i64(*c))
    }

    pub fn area(&self, slot: u16) -> Option<Area> {
        self.areas.get(usize::from(slot)).copied().flatten()
    }

    pub fn adjacent(&self, a: u16, b: u16) -> bool {
        let (a, b) = (usize::from(a), usize::from(b));
        let n = self.districts.len();
        a < n && b < n && self.adjacency[a * self.words + b / 64] & (1 << (b % 64)) != 0
    }

    /// The tier between two different district slots (or any slot and `NO_DISTRICT`):
    /// adjacent, same 片区, or elsewhere. Same-district tiers need the places themselves
    /// (`Tier::of`).
    pub(crate) fn tier_between(&self, a: u16, b: u16) -> Tier {
        if a == NO_DISTRICT || b == NO_DISTRICT {
            Tier::Elsewhere
        } else if a == b {
            Tier::District
        } else if self.adjacent(a, b) {
            Tier::Adjacent
        } else if self.area(a).is_some() && self.area(a) == self.area(b) {
            Tier::Area
        } else {
            Tier::Elsewhere
        }
    }

    /// The district slots bordering `home` (none for `NO_DISTRICT`).
    pub(crate) fn adjacent_slots(&self, home: u16) -> &[u16] {
        &self.adjacent_slots[self.list_index(home)]
    }

    /// The district slots in `home`'s 片区 that do not border it.
    pub(crate) fn area_slots(&self, home: u16) -> &[u16] {
        &self.area_slots[self.list_index(home)]
    }

    /// All other slots, `NO_DISTRICT` included (every slot for `NO_DISTRICT`).
    pub(crate) fn elsewhere_slots(&self, home: u16) -> &[u16] {
        &self.elsewhere_slots[self.list_index(home)]
    }

    fn list_index(&self, slot: u16) -> usize {
        usize::from(slot).min(self.districts.len())
    }

    /// The number of occupations (`RefData::occupations().len()`).
    pub fn occupations(&self) -> usize {
        self.categories.len()
    }

    pub fn occupation_category(&self, occupation: u16) -> Option<u8> {
        self.categories.get(usize::from(occupation)).copied().flatten()
    }

    pub fn occupation_name(&self, occupation: u16) -> &str {
        self.occupation_names.get(usize::from(occupation)).map_or("", String::as_str)
    }

    /// The name of a GB/T 4754 section by its index (0 = A … 19 = T).
    pub fn section_name(&self, section: u8) -> &str {
        self.section_names.get(usize::from(section)).map_or("", String::as_str)
    }

    /// The tables as JSON for the numpy peer: `districts` (12-digit codes; a district's
    /// slot is its position), `areas` (per slot: 0 主城都市区, 1 渝东北, 2 渝东南, -1
    /// unknown), `adjacent` (pairs of slots `[a, b]`, `a < b`), `occupation_category`
    /// (per occupation index, -1 unknown) and `occupations` (names, for reading only).
    pub fn peer_json(&self) -> String {
        let n = self.districts.len();
        let areas: Vec<i32> = (0..n)
            .map(|d| match self.areas[d] {
                Some(Area::MetroCore) => 0,
                Some(Area::Northeast) => 1,
                Some(Area::Southeast) => 2,
                None => -1,
            })
            .collect();
        let mut adjacent = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                if self.adjacent(a as u16, b as u16) {
                    adjacent.push([a, b]);
                }
            }
        }
        let categories: Vec<i32> = self.categories.iter().map(|c| c.map_or(-1, i32::from)).collect();
        json!({
            "districts": self.districts,
            "areas": areas,
            "adjacent": adjacent,
            "occupation_category": categories,
            "occupations": self.occupation_names,
        })
        .to_string()
    }
}

fn slot_or_none(i: usize, n: usize) -> u16 {
    if i >= n {
        NO_DISTRICT
    } else {
        i as u16
    }
}

/// The index of a GB/T 4754 section letter (`"A"` → 0 … `"T"` → 19).
pub fn section_index(letter: &str) -> Option<u8> {
    match letter.trim().as_bytes() {
        [b] if b.is_ascii_alphabetic() => {
            let i = b.to_ascii_uppercase() - b'A';
            (i < SECTIONS).then_some(i)
        }
        _ => None,
    }
}

/// Whether a 12-digit code names a town or a place inside one.
pub(crate) fn has_town(code: i64) -> bool {
    code / 1_000 % 1_000 != 0
}

/// How near a job is to a worker's home, nearest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    Village,
    Town,
    District,
    Adjacent,
    Area,
    Elsewhere,
}

impl Tier {
    pub const ALL: [Tier; 6] = [Tier::Village, Tier::Town, Tier::District, Tier::Adjacent, Tier::Area, Tier::Elsewhere];

    /// The tier between two places (12-digit codes), given their district slots: the
    /// same town needs two places in one town (a code whose town digits are `000` has no
    /// town), the same village two equal village codes. A place outside the known
    /// districts is always elsewhere.
    pub fn of(a: i64, a_slot: u16, b: i64, b_slot: u16, geo: &Geo) -> Tier {
        if a_slot != b_slot || a_slot == NO_DISTRICT {
            return geo.tier_between(a_slot, b_slot);
        }
        if !has_town(a) || a / 1_000 != b / 1_000 {
            Tier::District
        } else if a == b && a % 1_000 != 0 {
            Tier::Village
        } else {
            Tier::Town
        }
    }

    /// The Chinese description of the tier.
    pub fn label(self, area: Option<Area>) -> String {
        match self {
            Tier::Village => "同一村（社区）".into(),
            Tier::Town => "同一乡镇（街道）".into(),
            Tier::District => "同一区县".into(),
            Tier::Adjacent => "相邻区县".into(),
            Tier::Area => match area {
                Some(a) => format!("同属{}", a.label()),
                None => "同一片区".into(),
            },
            Tier::Elsewhere => "重庆市内其他区县或区划不明".into(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn geo() -> Geo {
        Geo::new(RefData::embedded().unwrap())
    }

    fn slot(g: &Geo, code: &str) -> u16 {
        g.district_slot(RegionCode::parse(code).unwrap())
    }

    #[test]
    fn tiers_follow_the_region_tree_adjacency_and_areas() {
        let g = geo();
        assert_eq!(g.districts(), 38);
        let yuzhong = slot(&g, "500103");
        let jiangbei = slot(&g, "500105");
        let wanzhou = slot(&g, "500101");
        let kaizhou = slot(&g, "500154");
        let fuling = slot(&g, "500102");
        let qianjiang = slot(&g, "500114");
        assert_eq!(g.tier_between(yuzhong, jiangbei), Tier::Adjacent);
        assert_eq!(g.tier_between(wanzhou, kaizhou), Tier::Adjacent);
        assert_eq!(g.tier_between(yuzhong, fuling), Tier::Area);
        assert_eq!(g.tier_between(yuzhong, wanzhou), Tier::Elsewhere);
        assert_eq!(g.tier_between(qianjiang, NO_DISTRICT), Tier::Elsewhere);
        assert_eq!(slot(&g, "510104"), NO_DISTRICT);

        let (v, t) = (500_101_001_001, 500_101_001_000);
        assert_eq!(Tier::of(v, wanzhou, v, wanzhou, &g), Tier::Village);
        assert_eq!(Tier::of(v, wanzhou, v + 1, wanzhou, &g), Tier::Town);
        assert_eq!(Tier::of(v, wanzhou, t, wanzhou, &g), Tier::Town);
        assert_eq!(Tier::of(t, wanzhou, t, wanzhou, &g), Tier::Town);
        assert_eq!(Tier::of(v, wanzhou, 500_101_002_001, wanzhou, &g), Tier::District);
        assert_eq!(Tier::of(v, wanzhou, 500_101_000_000, wanzhou, &g), Tier::District);
        // Town digits 000: no town, so at most the same district.
        assert_eq!(Tier::of(500_101_000_001, wanzhou, 500_101_000_001, wanzhou, &g), Tier::District);
    }

    #[test]
    fn tier_lists_partition_the_other_slots() {
        let g = geo();
        for home in (0..g.districts() as u16).chain([NO_DISTRICT]) {
            let mut all: Vec<u16> = [g.adjacent_slots(home), g.area_slots(home), g.elsewhere_slots(home)].concat();
            all.sort_unstable();
            let mut want: Vec<u16> = (0..g.districts() as u16).filter(|d| *d != home).chain([NO_DISTRICT]).collect();
            want.sort_unstable();
            assert_eq!(all, want);
        }
    }

    #[test]
    fn section_letters_index_from_zero() {
        assert_eq!(section_index("A"), Some(0));
        assert_eq!(section_index("c"), Some(2));
        assert_eq!(section_index("T"), Some(19));
        assert_eq!(section_index("U"), None);
        assert_eq!(section_index("36"), None);
        assert_eq!(geo().section_name(2), "制造业");
    }

    #[test]
    fn the_peer_json_lists_districts_areas_and_adjacency() {
        let g = geo();
        let v: serde_json::Value = serde_json::from_str(&g.peer_json()).unwrap();
        assert_eq!(v["districts"].as_array().unwrap().len(), 38);
        assert_eq!(v["adjacent"].as_array().unwrap().len(), RefData::embedded().unwrap().adjacency_pairs());
        assert_eq!(v["occupation_category"].as_array().unwrap().len(), g.occupations());
    }
}
