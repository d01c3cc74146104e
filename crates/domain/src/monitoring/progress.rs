//! Progress against a yearly target: the counts of the 17 district groups of seed 001
//! annex 1 (a town of a 功能区 such as 两江新区 counts for the zone, every other
//! town for its district), the share of the year elapsed, and whether a unit lags.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::refdata::{GroupMember, RefData};
use crate::region::RegionCode;

/// The share of `year` elapsed by the end of `date` (0 before it, 1 after it).
pub fn year_elapsed(year: i32, date: NaiveDate) -> f64 {
    let (Some(start), Some(end)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year + 1, 1, 1))
    else {
        return 0.0;
    };
    if date < start {
        return 0.0;
    }
    if date >= end {
        return 1.0;
    }
    let days = (end - start).num_days() as f64;
    ((date - start).num_days() + 1) as f64 / days
}

/// One unit's standing.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Standing {
    pub done: i64,
    pub target: i64,
    /// done / target.
    pub rate: f64,
    /// target × share of the year elapsed.
    pub expected: f64,
    /// Below the expected count.
    pub lagging: bool,
}

impl Standing {
    pub fn new(done: i64, target: i64, elapsed: f64) -> Standing {
        let expected = target as f64 * elapsed;
        Standing {
            done,
            target,
            rate: if target > 0 { done as f64 / target as f64 } else { 0.0 },
            expected,
            lagging: target > 0 && (done as f64) < expected,
        }
    }
}

/// The count of each district group (by number), from counts by district and by
/// town (both keyed by the 12-digit code).
pub fn by_group(refdata: &RefData, districts: &HashMap<i64, i64>, towns: &HashMap<i64, i64>) -> Vec<(u8, i64)> {
    let zone_of: HashMap<i64, &str> = refdata
        .functional_zones()
        .iter()
        .flat_map(|z| z.towns.iter().map(move |t| (t.as_i64(), z.id.as_str())))
        .collect();
    // What the zones' towns take out of their districts.
    let mut taken: HashMap<i64, i64> = HashMap::new();
    let mut zones: HashMap<&str, i64> = HashMap::new();
    for (&town, &n) in towns {
        if let Some(z) = zone_of.get(&town) {
            *zones.entry(z).or_insert(0) += n;
            if let Some(d) = RegionCode::from_i64(town).and_then(RegionCode::district) {
                *taken.entry(d.as_i64()).or_insert(0) += n;
            }
        }
    }
    refdata
        .district_groups()
        .iter()
        .map(|g| {
            let n = g
                .members
                .iter()
                .map(|(m, _)| match m {
                    GroupMember::District(d) => {
                        let d = d.as_i64();
                        districts.get(&d).copied().unwrap_or(0) - taken.get(&d).copied().unwrap_or(0)
                    }
                    GroupMember::Zone(z) => zones.get(z.as_str()).copied().unwrap_or(0),
                })
                .sum();
            (g.number, n)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_year_elapsed_runs_from_the_first_day_to_the_last() {
        assert_eq!(year_elapsed(2026, d(2025, 12, 31)), 0.0);
        assert!((year_elapsed(2026, d(2026, 1, 1)) - 1.0 / 365.0).abs() < 1e-12);
        assert!((year_elapsed(2026, d(2026, 7, 2)) - 183.0 / 365.0).abs() < 1e-12);
        assert_eq!(year_elapsed(2026, d(2026, 12, 31)), 1.0);
        assert_eq!(year_elapsed(2026, d(2027, 3, 1)), 1.0);
        assert!((year_elapsed(2028, d(2028, 12, 30)) - 365.0 / 366.0).abs() < 1e-12);
    }

    #[test]
    fn a_unit_lags_below_the_share_of_its_target_the_year_has_used() {
        let s = Standing::new(499, 1000, 0.5);
        assert!(s.lagging);
        assert!(!Standing::new(500, 1000, 0.5).lagging);
        assert!(!Standing::new(0, 0, 0.9).lagging);
    }

    #[test]
    fn a_zone_town_counts_for_the_zone_and_not_for_its_district() {
        let r = RefData::embedded().unwrap();
        let zone = &r.functional_zones()[0];
        let town = zone.towns[0];
        let district = town.district().unwrap();
        let districts = HashMap::from([(district.as_i64(), 10)]);
        let towns = HashMap::from([(town.as_i64(), 4)]);
        let groups = by_group(r, &districts, &towns);
        let zone_group = r
            .district_groups()
            .iter()
            .find(|g| g.members.iter().any(|(m, _)| *m == GroupMember::Zone(zone.id.clone())))
            .unwrap();
        let district_group =
            r.district_groups().iter().find(|g| g.members.iter().any(|(m, _)| *m == GroupMember::District(district)));
        let get = |n: u8| groups.iter().find(|(g, _)| *g == n).unwrap().1;
        assert!(get(zone_group.number) >= 4);
        if let Some(g) = district_group {
            if g.number != zone_group.number {
                assert_eq!(get(g.number), 6);
            }
        }
        assert_eq!(groups.iter().map(|(_, n)| n).sum::<i64>(), 10);
    }
}
