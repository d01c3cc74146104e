//! One figure of the dashboards as a sum over counters, so that a page can list the
//! people behind it. The counters are linear in people: a person's timeline folded
//! alone (`tally`) gives their own counters, and a figure — a measure and item, in
//! some regions with a sign, over some months — is the same sum over everyone's
//! counters as over the kept ones. So the people behind a figure are those whose own
//! sum is not zero, with that sum as how many times they count (a return in February
//! and another in April both count in a window that holds both).

use std::collections::HashMap;

use crate::monitoring::tally::{level_code, Key, Measure};
use crate::refdata::{GroupMember, RefData};
use crate::region::RegionCode;

/// The months a figure reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Months {
    /// A stock now (the running total, month 0).
    Now,
    /// A stock at the end of month `YYYYMM` (the months' net changes up to it).
    EndOf(i32),
    /// A flow over months `[from, to]` (`YYYYMM`).
    Window(i32, i32),
}

/// A figure: `measure` (and one `item` of it, or all), summed over `parts` — regions
/// counted with a sign (a district group is its districts less the towns of the
/// functional zones in them, plus the zones' towns) — over `months`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub parts: Vec<(RegionCode, i64)>,
    pub measure: Measure,
    pub item: Option<i16>,
    pub months: Months,
}

/// Why a figure cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FigureError {
    /// A stock read over a window or a flow at a point in time.
    MonthsOfKind,
    /// A village (counters are kept down to towns).
    Village,
    /// A window whose end is before its start.
    Window,
}

impl std::fmt::Display for FigureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FigureError::MonthsOfKind => "存量指标按时点（当前或某月末）查看，流量指标按起止月份查看",
            FigureError::Village => "监测数字统计到乡镇街道，不含村（社区）",
            FigureError::Window => "起始月应不晚于截至月",
        })
    }
}

impl Figure {
    /// A figure, checked: stocks are read at a point in time, flows over a window,
    /// and no part is a village.
    pub fn new(
        parts: Vec<(RegionCode, i64)>,
        measure: Measure,
        item: Option<i16>,
        months: Months,
    ) -> Result<Figure, FigureError> {
        match (measure.is_stock(), months) {
            (true, Months::Window(..)) | (false, Months::Now | Months::EndOf(_)) => {
                return Err(FigureError::MonthsOfKind)
            }
            (_, Months::Window(a, b)) if a > b => return Err(FigureError::Window),
            _ => {}
        }
        if parts.iter().any(|(r, _)| level_code(r.level()).is_none()) {
            return Err(FigureError::Village);
        }
        Ok(Figure { parts, measure, item, months })
    }

    fn month_counts(&self, month: i32) -> bool {
        match self.months {
            Months::Now => month == 0,
            Months::EndOf(m) => (1..=m).contains(&month),
            Months::Window(a, b) => month != 0 && (a..=b).contains(&month),
        }
    }

    fn sign(&self, level: i16, region: i64) -> i64 {
        self.parts
            .iter()
            .filter(|(r, _)| r.as_i64() == region && level_code(r.level()) == Some(level))
            .map(|(_, s)| s)
            .sum()
    }

    /// The figure over `counters` (a person's own, or everyone's).
    pub fn count(&self, counters: &HashMap<Key, i64>) -> i64 {
        counters
            .iter()
            .filter(|((_, _, month, measure, item), _)| {
                *measure == self.measure.code() && self.item.is_none_or(|i| i == *item) && self.month_counts(*month)
            })
            .map(|(&(level, region, ..), &n)| self.sign(level, region) * n)
            .sum()
    }

    /// The hukou ranges (region-code bounds, sorted, not overlapping) whose people
    /// may count: the subtrees of the parts with a positive sign (the negative parts
    /// lie inside them).
    pub fn ranges(&self) -> Vec<(i64, i64)> {
        let mut v: Vec<(i64, i64)> =
            self.parts.iter().filter(|(_, s)| *s > 0).map(|(r, _)| r.subtree_range()).collect();
        v.sort_unstable();
        let mut out: Vec<(i64, i64)> = Vec::with_capacity(v.len());
        for (lo, hi) in v {
            match out.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        out
    }
}

/// The parts of annex 1's district group `number`, as `progress::by_group` counts
/// it: each member district less the towns of functional zones inside it, and each
/// zone's towns. `None` for an unknown group.
pub fn group_parts(refdata: &RefData, number: u8) -> Option<Vec<(RegionCode, i64)>> {
    let group = refdata.district_groups().iter().find(|g| g.number == number)?;
    let zone_towns: Vec<RegionCode> = refdata.functional_zones().iter().flat_map(|z| z.towns.iter().copied()).collect();
    let mut parts = Vec::new();
    for (member, _) in &group.members {
        match member {
            GroupMember::District(d) => {
                parts.push((*d, 1));
                parts.extend(zone_towns.iter().filter(|t| t.district() == Some(*d)).map(|t| (*t, -1)));
            }
            GroupMember::Zone(z) => {
                let zone = refdata.functional_zones().iter().find(|f| f.id == *z)?;
                parts.extend(zone.towns.iter().map(|t| (*t, 1)));
            }
        }
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::monitoring::progress::by_group;
    use crate::region::RegionLevel;
    use proptest::prelude::*;

    fn rd() -> &'static RefData {
        RefData::embedded().unwrap()
    }

    fn r(code: i64) -> RegionCode {
        RegionCode::parse(&code.to_string()).unwrap()
    }

    #[test]
    fn a_stock_is_read_at_a_time_and_a_flow_over_months() {
        let city = vec![(crate::region::CHONGQING, 1)];
        assert_eq!(
            Figure::new(city.clone(), Measure::Status, Some(1), Months::Window(202601, 202602)),
            Err(FigureError::MonthsOfKind)
        );
        assert_eq!(Figure::new(city.clone(), Measure::Returned, None, Months::Now), Err(FigureError::MonthsOfKind));
        assert_eq!(
            Figure::new(city.clone(), Measure::Returned, None, Months::Window(202603, 202602)),
            Err(FigureError::Window)
        );
        let village = rd().regions_at(RegionLevel::Village).next().unwrap().code;
        assert_eq!(Figure::new(vec![(village, 1)], Measure::Status, None, Months::Now), Err(FigureError::Village));
        assert!(Figure::new(city, Measure::Returned, None, Months::Window(202601, 202612)).is_ok());
    }

    #[test]
    fn counts_the_months_items_and_signs_it_names() {
        let wanzhou = r(500101);
        let town = rd().children(wanzhou).first().copied().unwrap();
        let w = wanzhou.as_i64();
        let t = town.as_i64();
        let ret = Measure::Returned.code();
        let status = Measure::Status.code();
        let counters: HashMap<Key, i64> = [
            ((1, w, 202602, ret, 0), 3),
            ((1, w, 202604, ret, 0), 2),
            ((1, w, 202701, ret, 0), 7),
            ((2, t, 202602, ret, 0), 1),
            ((1, w, 0, status, 1), 10),
            ((1, w, 202601, status, 1), 4),
            ((1, w, 202603, status, 1), -1),
            ((1, w, 0, status, 2), 5),
            ((0, crate::region::CHONGQING.as_i64(), 202602, ret, 0), 99),
        ]
        .into_iter()
        .collect();
        let flow = |parts, a, b| Figure::new(parts, Measure::Returned, None, Months::Window(a, b)).unwrap();
        assert_eq!(flow(vec![(wanzhou, 1)], 202601, 202612).count(&counters), 5);
        assert_eq!(flow(vec![(wanzhou, 1)], 202603, 202704).count(&counters), 9);
        assert_eq!(flow(vec![(wanzhou, 1), (town, -1)], 202601, 202612).count(&counters), 4);
        assert_eq!(flow(vec![(crate::region::CHONGQING, 1)], 202602, 202602).count(&counters), 99);
        let stock = |item, months| Figure::new(vec![(wanzhou, 1)], Measure::Status, item, months).unwrap();
        assert_eq!(stock(Some(1), Months::Now).count(&counters), 10);
        assert_eq!(stock(None, Months::Now).count(&counters), 15);
        assert_eq!(stock(Some(1), Months::EndOf(202602)).count(&counters), 4);
        assert_eq!(stock(Some(1), Months::EndOf(202612)).count(&counters), 3);
    }

    #[test]
    fn ranges_merge_and_leave_out_the_negative_parts() {
        let wanzhou = r(500101);
        let town = rd().children(wanzhou).first().copied().unwrap();
        let f =
            Figure::new(vec![(wanzhou, 1), (town, -1), (r(500102), 1)], Measure::Returned, None, Months::Window(1, 2))
                .unwrap();
        assert_eq!(f.ranges(), vec![(wanzhou.subtree_range().0, r(500102).subtree_range().1)]);
        let f = Figure::new(vec![(r(500103), 1), (wanzhou, 1)], Measure::Returned, None, Months::Window(1, 2)).unwrap();
        assert_eq!(f.ranges(), vec![wanzhou.subtree_range(), r(500103).subtree_range()]);
    }

    fn towns() -> Vec<RegionCode> {
        let mut v: Vec<RegionCode> = rd().regions_at(RegionLevel::Town).map(|x| x.code).collect();
        v.sort_unstable_by_key(|c| c.as_i64());
        v
    }

    proptest! {
        /// A group's parts give what `by_group` gives, on any counts.
        #[test]
        fn group_parts_count_as_by_group(seed in proptest::collection::vec((0usize..1031, 1i64..50), 0..300)) {
            let towns = towns();
            let mut by_town: HashMap<i64, i64> = HashMap::new();
            let mut by_district: HashMap<i64, i64> = HashMap::new();
            let mut counters: HashMap<Key, i64> = HashMap::new();
            let nh = Measure::NearHomeNew.code();
            for (i, n) in seed {
                let t = towns[i % towns.len()];
                let d = t.district().unwrap();
                *by_town.entry(t.as_i64()).or_insert(0) += n;
                *by_district.entry(d.as_i64()).or_insert(0) += n;
                *counters.entry((level_code(RegionLevel::Town).unwrap(), t.as_i64(), 202603, nh, 1)).or_insert(0) += n;
                *counters.entry((level_code(RegionLevel::District).unwrap(), d.as_i64(), 202603, nh, 1)).or_insert(0) += n;
            }
            for (number, n) in by_group(rd(), &by_district, &by_town) {
                let parts = group_parts(rd(), number).unwrap();
                let f = Figure::new(parts, Measure::NearHomeNew, None, Months::Window(202601, 202612)).unwrap();
                prop_assert_eq!(f.count(&counters), n, "group {}", number);
            }
        }
    }
}
