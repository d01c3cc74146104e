//! 人岗智能匹配 (SPEC §4): which open jobs fit a worker, and which workers fit a job,
//! best first, each result with its explanation in Chinese.
//!
//! - `weights`: the points of each factor, data in `data/matching/weights.toml`.
//! - `geo`: the reference tables scoring reads (districts, adjacency, 片区, occupations).
//! - `score`: hard constraints, the score of one pair and its explanation (`Scorer`),
//!   and the brute-force scans the indexes are tested against.
//! - `index`: `JobIndex` and `SeekerIndex`, items bucketed by district and occupation,
//!   searched best bucket first with branch and bound.
//! - `peer`: the exchange format of the numpy peer (`bench/peers/match_numpy.py`).
//!
//! The app fills `Seeker` and `Posting` from the database and keeps the indexes in step
//! with it (`upsert`, `remove`); nothing here reads or writes anything.

pub mod geo;
pub mod index;
pub mod peer;
pub mod score;
pub mod weights;

#[cfg(test)]
mod tests;

use crate::identity::Sex;
use crate::jobs::{JobKind, Wage};
use crate::money::Fen;
use crate::region::RegionCode;
use crate::registry::SkillLevel;

pub use geo::{section_index, Geo, Tier, NO_DISTRICT};
pub use index::{JobIndex, QueryStats, SeekerIndex};
pub use score::{scan_top_jobs, scan_top_workers, unmet, Scorer, Unmet};
pub use weights::Weights;

/// A worker looking for work, as matching sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeker {
    pub id: i64,
    /// Age in whole years on the day of matching.
    pub age: u8,
    /// Sex, for who counts as 大龄 (women and men from different ages).
    pub sex: Sex,
    /// Where the worker lives: a village, or the finest known place (town, district).
    pub home: RegionCode,
    /// Index into `RefData::occupations()`; an index out of range counts as unknown.
    pub occupation: Option<u16>,
    pub skill: Option<SkillLevel>,
    pub expected_monthly: Option<Fen>,
    pub wanted_kind: Option<JobKind>,
    /// GB/T 4754 section of the worker's last industry, `section_index` (0 = A … 19 = T);
    /// a value out of range counts as unknown.
    pub industry_section: Option<u8>,
    /// In the labour force and wanting work (SPEC §4's hard constraint); a worker for
    /// whom this is false is matched with nothing.
    pub in_labor_force_and_wants_work: bool,
}

/// An open job, as matching sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub id: i64,
    /// Where the work is: a town or a village.
    pub place: RegionCode,
    /// Index into `RefData::occupations()`; an index out of range counts as unknown.
    pub occupation: Option<u16>,
    /// GB/T 4754 section of the employer's industry (`section_index`).
    pub industry_section: Option<u8>,
    pub kind: JobKind,
    pub wage: Wage,
    /// Age range, both ends included.
    pub age_min: u8,
    pub age_max: u8,
    /// The lowest skill level accepted (`None`: no requirement).
    pub skill_min: Option<SkillLevel>,
    pub headcount_left: u32,
    /// On the board (`JobStatus::Open`).
    pub open: bool,
}

/// One factor of a score: a stable code, its Chinese label, its points and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Factor {
    /// `nearness`, `occupation`, `skill`, `wage`, `kind`, `industry`, `older`.
    pub code: &'static str,
    /// 离家距离, 工种匹配, 技能等级, 工资待遇, 用工形式, 行业经验, 大龄适合岗位.
    pub label: &'static str,
    pub points: i32,
    /// E.g. "同一乡镇（街道）", "月工资约4200元，低于期望 7%".
    pub detail: String,
}

/// A job for a worker or a worker for a job: the other side's id, the score and the
/// factors it is the sum of.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Match {
    pub id: i64,
    pub score: i32,
    pub factors: Vec<Factor>,
}
