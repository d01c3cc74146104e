//! The targets counted from business records rather than from person events: for
//! each target of `targets.toml` that the system keeps records for, which records
//! count and how (the 口径 shown beside the figure). A target with no such records
//! (以工代赈务工人数, 培训基地 …) has no source and is shown as not computed, never
//! typed in.

use chrono::NaiveDate;

use crate::monitoring::targets::{Span, Target};

/// Where a target's figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// Completions (结业) of 岗前 and 技能提升 courses, by the course's region.
    SkillTraining,
    /// Completions of 新市民 courses.
    NewCitizenTraining,
    /// Completions of courses for 家政服务员.
    DomesticTraining,
    /// 零工市场（驿站） opened.
    GigStations,
    /// Job fairs (online or on site) held.
    RecruitmentEvents,
    /// Municipal 返乡创业园区 recognised in the period.
    NewMunicipalParks,
    /// Municipal 返乡创业园区 recognised by the period's end.
    MunicipalParks,
    /// Places of 公益性岗位 recorded by the period's end.
    PublicPostPlaces,
    /// People who worked in a 就业帮扶车间 at some time in the period.
    WorkshopWorkers,
    /// 劳务经纪人 (persons and agencies) active, recorded by the period's end.
    ActiveBrokers,
    /// 劳务品牌 recognised as 市级 in the period.
    NewMunicipalBrands,
    /// 劳务品牌 recognised as 国家级 by the period's end.
    NationalBrands,
    /// People reached by a follow-up contact in the period (四清's 服务需求: how
    /// many were served), by hukou.
    ServedPersons,
    /// Jobs pushed to people (人岗匹配), by the person's hukou.
    JobPushes,
    /// People hired through a pushed job, by the day the hire was recorded.
    PushHires,
    /// 免申即享 payouts approved, by the beneficiary's region.
    ApprovedPayouts,
    /// 欠薪预警 open at some time in the period, by the site's region.
    WageWarnings,
}

impl Source {
    pub const ALL: [Source; 17] = [
        Source::SkillTraining,
        Source::NewCitizenTraining,
        Source::DomesticTraining,
        Source::GigStations,
        Source::RecruitmentEvents,
        Source::NewMunicipalParks,
        Source::MunicipalParks,
        Source::PublicPostPlaces,
        Source::WorkshopWorkers,
        Source::ActiveBrokers,
        Source::NewMunicipalBrands,
        Source::NationalBrands,
        Source::ServedPersons,
        Source::JobPushes,
        Source::PushHires,
        Source::ApprovedPayouts,
        Source::WageWarnings,
    ];

    /// The dashboard's figures of the other capabilities (matches and hires,
    /// payouts, wage warnings), which no target names.
    pub const ACTIVITY: [Source; 4] =
        [Source::JobPushes, Source::PushHires, Source::ApprovedPayouts, Source::WageWarnings];

    /// The source of a target, by its key in `targets.toml`.
    pub fn of_target(key: &str) -> Option<Source> {
        Some(match key {
            "training" | "plan_training" => Source::SkillTraining,
            "new_citizen_training" | "plan_new_citizen_training" => Source::NewCitizenTraining,
            "domestic_workers" => Source::DomesticTraining,
            "gig_stations" => Source::GigStations,
            "recruitment_events" => Source::RecruitmentEvents,
            "startup_parks" => Source::NewMunicipalParks,
            "plan_startup_parks" => Source::MunicipalParks,
            "public_posts" => Source::PublicPostPlaces,
            "workshop_jobs" => Source::WorkshopWorkers,
            "plan_brokers" => Source::ActiveBrokers,
            "labor_brands" => Source::NewMunicipalBrands,
            "plan_labor_brands" => Source::NationalBrands,
            _ => return None,
        })
    }

    /// A stable key (`/monitoring/records?source=`).
    pub fn key(self) -> &'static str {
        match self {
            Source::SkillTraining => "skill_training",
            Source::NewCitizenTraining => "new_citizen_training",
            Source::DomesticTraining => "domestic_training",
            Source::GigStations => "gig_stations",
            Source::RecruitmentEvents => "recruitment_events",
            Source::NewMunicipalParks => "new_municipal_parks",
            Source::MunicipalParks => "municipal_parks",
            Source::PublicPostPlaces => "public_post_places",
            Source::WorkshopWorkers => "workshop_workers",
            Source::ActiveBrokers => "active_brokers",
            Source::NewMunicipalBrands => "new_municipal_brands",
            Source::NationalBrands => "national_brands",
            Source::ServedPersons => "served_persons",
            Source::JobPushes => "job_pushes",
            Source::PushHires => "push_hires",
            Source::ApprovedPayouts => "approved_payouts",
            Source::WageWarnings => "wage_warnings",
        }
    }

    pub fn from_key(key: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.key() == key)
    }

    /// What is counted (口径), as the page states it.
    pub fn basis(self) -> &'static str {
        match self {
            Source::SkillTraining => "期间内结业的岗前培训、技能提升培训人次（按培训班所在地）",
            Source::NewCitizenTraining => "期间内结业的新市民培训人次（按培训班所在地）",
            Source::DomesticTraining => "期间内结业的家政服务员培训人次（本系统不登记家政从业，以培训结业计）",
            Source::GigStations => "期间内开办的零工市场（驿站）家数",
            Source::RecruitmentEvents => "期间内举办的线上线下招聘会场次",
            Source::NewMunicipalParks => "期间内认定的市级返乡创业园区家数",
            Source::MunicipalParks => "期末已认定的市级返乡创业园区家数",
            Source::PublicPostPlaces => "期末已登记的公益性岗位个数（各岗位名额之和）",
            Source::WorkshopWorkers => "期间内曾在就业帮扶车间就业的人数",
            Source::ActiveBrokers => "期末在册（未停用）的劳务经纪人数",
            Source::NewMunicipalBrands => "期间内认定为市级劳务品牌的个数（按品牌所在地）",
            Source::NationalBrands => "期末已认定为国家级劳务品牌的个数（按品牌所在地）",
            Source::ServedPersons => "期间内接受跟踪服务且已联系上的人数（按户籍地）",
            Source::JobPushes => "期间内向劳动者推送岗位的人次（按户籍地）",
            Source::PushHires => "期间内登记为“已录用”的岗位推送人次（按户籍地）",
            Source::ApprovedPayouts => "期间内审核通过的免申即享发放笔数（按受益地）",
            Source::WageWarnings => "期间内处于未办结状态的欠薪预警条数（按项目所在地）",
        }
    }

    /// What the figure is called where no target names it.
    pub fn label(self) -> &'static str {
        match self {
            Source::SkillTraining => "职业技能培训结业人次",
            Source::NewCitizenTraining => "新市民培训结业人次",
            Source::DomesticTraining => "家政服务员培训结业人次",
            Source::GigStations => "新开办零工市场（驿站）",
            Source::RecruitmentEvents => "招聘会场次",
            Source::NewMunicipalParks => "新认定市级返乡创业园区",
            Source::MunicipalParks => "市级返乡创业园区",
            Source::PublicPostPlaces => "公益性岗位个数",
            Source::WorkshopWorkers => "就业帮扶车间就业人数",
            Source::ActiveBrokers => "劳务经纪人数",
            Source::NewMunicipalBrands => "新认定市级劳务品牌",
            Source::NationalBrands => "国家级劳务品牌",
            Source::ServedPersons => "已服务人数",
            Source::JobPushes => "岗位推送",
            Source::PushHires => "推送后录用",
            Source::ApprovedPayouts => "免申即享批准发放",
            Source::WageWarnings => "欠薪预警（在办）",
        }
    }

    /// Whether the figure grows through the period (so it is compared with the
    /// share of the period elapsed), rather than a level held at its end.
    pub fn accumulates(self) -> bool {
        !matches!(
            self,
            Source::MunicipalParks | Source::PublicPostPlaces | Source::ActiveBrokers | Source::NationalBrands
        )
    }

    /// Whether each record is a person (listed by name inside the caller's scope).
    pub fn of_persons(self) -> bool {
        matches!(
            self,
            Source::SkillTraining
                | Source::NewCitizenTraining
                | Source::DomesticTraining
                | Source::WorkshopWorkers
                | Source::ServedPersons
                | Source::JobPushes
                | Source::PushHires
                | Source::ApprovedPayouts
        )
    }
}

/// The days a target of `year` counts over: `[from, until)` — the year, or for a
/// five-year target the five years ending with it.
pub fn period(target: &Target, year: i32) -> Option<(NaiveDate, NaiveDate)> {
    let first = match target.span {
        Span::Year => year,
        Span::FiveYears => year - 4,
    };
    Some((NaiveDate::from_ymd_opt(first, 1, 1)?, NaiveDate::from_ymd_opt(year + 1, 1, 1)?))
}

/// The share of a period elapsed on `today` (0 before it, 1 after it).
pub fn elapsed(from: NaiveDate, until: NaiveDate, today: NaiveDate) -> f64 {
    if today < from {
        return 0.0;
    }
    if today >= until {
        return 1.0;
    }
    ((today - from).num_days() + 1) as f64 / (until - from).num_days() as f64
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::monitoring::targets;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_sources_keys_round_trip_and_every_source_but_the_dashboards_own_has_a_target() {
        let all = targets::embedded().unwrap();
        for s in Source::ALL {
            assert_eq!(Source::from_key(s.key()), Some(s));
            let counts_a_target = all.iter().any(|t| Source::of_target(&t.key) == Some(s));
            assert_eq!(counts_a_target, !Source::ACTIVITY.contains(&s) && s != Source::ServedPersons, "{s:?}");
        }
        // The near-home targets come from the person events, not from records.
        assert_eq!(Source::of_target("near_home_jobs"), None);
        assert_eq!(Source::of_target("labor_brands"), Some(Source::NewMunicipalBrands));
        assert_eq!(Source::of_target("work_relief_workers"), None);
    }

    #[test]
    fn a_five_year_target_counts_the_five_years_ending_with_its_year() {
        let all = targets::embedded().unwrap();
        let plan = all.iter().find(|t| t.key == "plan_training").unwrap();
        assert_eq!(period(plan, 2025), Some((d("2021-01-01"), d("2026-01-01"))));
        let yearly = all.iter().find(|t| t.key == "training").unwrap();
        assert_eq!(period(yearly, 2026), Some((d("2026-01-01"), d("2027-01-01"))));
    }

    #[test]
    fn the_share_elapsed_runs_from_the_first_day_to_the_last() {
        let (from, until) = (d("2026-01-01"), d("2027-01-01"));
        assert_eq!(elapsed(from, until, d("2025-12-31")), 0.0);
        assert_eq!(elapsed(from, until, d("2026-01-01")), 1.0 / 365.0);
        assert_eq!(elapsed(from, until, d("2026-12-31")), 1.0);
        assert_eq!(elapsed(from, until, d("2027-03-01")), 1.0);
    }
}
