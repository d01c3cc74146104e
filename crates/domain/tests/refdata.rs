//! The embedded reference data has the published counts and holds together.

#![allow(clippy::unwrap_used)]

use std::collections::{HashSet, VecDeque};

use jiujin_domain::refdata::{Area, GroupMember, IndustryLevel, RefData, Region};
use jiujin_domain::{RegionCode, RegionLevel};

fn rd() -> &'static RefData {
    RefData::embedded().unwrap()
}

#[test]
fn chongqing_has_38_districts_1031_towns_and_11270_villages() {
    let r = rd();
    assert_eq!(r.districts().len(), 38);
    assert_eq!(r.regions_at(RegionLevel::Town).count(), 1_031);
    assert_eq!(r.regions_at(RegionLevel::Village).count(), 11_270);
    let towns: Vec<&Region> = r.regions_at(RegionLevel::Town).collect();
    let kind = |suffix: &str| towns.iter().filter(|t| t.name.ends_with(suffix)).count();
    assert_eq!((kind("街道"), kind("镇"), kind("乡")), (245, 625, 161));
    assert_eq!(r.region(RegionCode::parse("500101").unwrap()).unwrap().name, "万州区");
    assert_eq!(r.region(RegionCode::parse("500243").unwrap()).unwrap().name, "彭水苗族土家族自治县");
    let v = RegionCode::parse("500101001001").unwrap();
    assert!(r.is_chongqing_division(v));
    assert!(r.region_path(v).starts_with("万州区 "));
}

#[test]
fn there_are_34_provinces_found_by_name_or_code() {
    let r = rd();
    assert_eq!(r.provinces().len(), 34);
    assert_eq!(r.province("广东省"), Some(44));
    assert_eq!(r.province("广东"), Some(44));
    assert_eq!(r.province("新疆"), Some(65));
    assert_eq!(r.province("44"), Some(44));
    assert_eq!(r.province("火星"), None);
}

#[test]
fn every_district_has_an_area_a_centre_and_neighbours_in_one_connected_map() {
    let r = rd();
    let count = |a: Area| r.districts().iter().filter(|d| r.area(**d) == Some(a)).count();
    assert_eq!((count(Area::MetroCore), count(Area::Northeast), count(Area::Southeast)), (21, 11, 6));
    for d in r.districts() {
        assert!(r.center(*d).is_some(), "{d}");
    }
    let c = |s: &str| RegionCode::parse(s).unwrap();
    assert!(r.adjacent(c("500103"), c("500105")), "渝中—江北");
    assert!(r.adjacent(c("500105"), c("500103")), "symmetric");
    assert!(r.adjacent(c("500101"), c("500154")), "万州—开州");
    assert!(!r.adjacent(c("500103"), c("500101")));
    // Connected: a walk from 渝中 reaches all 38.
    let mut seen = HashSet::from([c("500103")]);
    let mut queue = VecDeque::from([c("500103")]);
    while let Some(d) = queue.pop_front() {
        for e in r.districts() {
            if r.adjacent(d, *e) && seen.insert(*e) {
                queue.push_back(*e);
            }
        }
    }
    assert_eq!(seen.len(), 38);
}

#[test]
fn the_17_groups_of_annex_1_cover_every_district_once_and_sum_to_300000() {
    let r = rd();
    let g = r.district_groups();
    assert_eq!(g.len(), 17);
    assert_eq!(g.iter().map(|g| g.annual_target).sum::<i64>(), 300_000);
    let mut districts = HashSet::new();
    for m in g.iter().flat_map(|g| &g.members) {
        if let (GroupMember::District(d), _) = m {
            assert!(districts.insert(*d), "{d} twice");
        }
    }
    assert_eq!(districts.len(), 38);
    assert_eq!(g[0].members.len(), 2, "万州区、两江新区");
    let zones: Vec<&str> = r.functional_zones().iter().map(|z| z.id.as_str()).collect();
    assert_eq!(zones.len(), 3);
    assert!(r.functional_zones().iter().all(|z| !z.towns.is_empty()));
}

#[test]
fn industries_have_20_sections_and_97_divisions_and_annex_2_partitions_them() {
    let r = rd();
    let n = |l: IndustryLevel| r.industries().iter().filter(|i| i.level == l).count();
    assert_eq!((n(IndustryLevel::Section), n(IndustryLevel::Division)), (20, 97));
    let rows = r.annex2_rows();
    assert_eq!(rows.len(), 12);
    assert_eq!(rows.iter().map(|r| r.annual_target).sum::<i64>(), 300_000);
    // Every division counts toward exactly one row (74's groups split between rows).
    for d in r.industries().iter().filter(|i| i.level == IndustryLevel::Division) {
        if d.code == "74" {
            continue;
        }
        assert!(r.annex2_row_of(&d.code).is_some(), "division {} unmapped", d.code);
    }
    assert_eq!(r.annex2_row_of("748").unwrap().name, "建筑业（含勘察设计业等）");
    assert_eq!(r.annex2_row_of("742").unwrap().name, "其他");
    assert_eq!(r.annex2_row_of("47").unwrap().name, "建筑业（含勘察设计业等）", "E division 47 房屋建筑业");
    assert_eq!(r.annex2_row_of("C").unwrap().name, "制造业");
    assert_eq!(r.industry("制造业").unwrap().code, "C");
    assert_eq!(r.industry("c").unwrap().code, "C");
    assert_eq!(r.industry("36").unwrap().name, "汽车制造业");
    assert_eq!(r.industry_section("36"), Some("C"));
}

#[test]
fn job_titles_normalise_to_occupations_through_synonyms() {
    let r = rd();
    assert!(r.occupations().len() >= 80);
    assert_eq!(r.occupation("电焊工").unwrap().name, r.occupation("焊工").unwrap().name);
    assert!(r.occupation("月嫂").is_some());
    assert!(r.occupation("外卖骑手").is_some());
    assert!(r.occupation("宇航员").is_none());
}
