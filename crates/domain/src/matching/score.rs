//! The hard constraints of SPEC §4, the score of one worker against one job (the sum of
//! the factors of `Weights`) and its explanation in Chinese, and the brute-force scans
//! that score every item (the reference the indexes are tested against).
//!
//! Scoring works on compact rows (`SeekerRow`, `JobRow`: integers and district and
//! occupation slots from `Geo`); each factor is one function of the two rows (`*_case`)
//! that both the indexes' lookup tables and the explanation are built from.

use crate::identity::Sex;
use crate::jobs::JobKind;
use crate::registry::SkillLevel;

use super::geo::{Geo, Tier, SECTIONS};
use super::{Factor, Match, Posting, Seeker, Weights};

/// Section slot meaning "none recorded".
pub(crate) const NO_SECTION: u8 = SECTIONS;

/// A hard constraint of SPEC §4 that a pair fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unmet {
    #[error("求职者不在劳动力中或暂无就业意愿")]
    NotSeekingWork,
    #[error("岗位已停止招聘")]
    JobClosed,
    #[error("岗位已招满")]
    NoHeadcount,
    #[error("年龄{age}岁，低于岗位要求的最低年龄{min}岁")]
    TooYoung { age: u8, min: u8 },
    #[error("年龄{age}岁，高于岗位要求的最高年龄{max}岁")]
    TooOld { age: u8, max: u8 },
}

impl Unmet {
    /// A stable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Unmet::NotSeekingWork => "not_seeking_work",
            Unmet::JobClosed => "job_closed",
            Unmet::NoHeadcount => "no_headcount",
            Unmet::TooYoung { .. } => "too_young",
            Unmet::TooOld { .. } => "too_old",
        }
    }
}

/// Every hard constraint the pair fails (none: they may be matched).
pub fn unmet(seeker: &Seeker, posting: &Posting) -> Vec<Unmet> {
    let mut out = Vec::new();
    if !seeker.in_labor_force_and_wants_work {
        out.push(Unmet::NotSeekingWork);
    }
    if !posting.open {
        out.push(Unmet::JobClosed);
    }
    if posting.headcount_left == 0 {
        out.push(Unmet::NoHeadcount);
    }
    if seeker.age < posting.age_min {
        out.push(Unmet::TooYoung { age: seeker.age, min: posting.age_min });
    }
    if seeker.age > posting.age_max {
        out.push(Unmet::TooOld { age: seeker.age, max: posting.age_max });
    }
    out
}

/// A posting as scoring reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JobRow {
    pub id: i64,
    pub place: i64,
    /// Monthly equivalent in fen (meaningless when `piece`).
    pub mid: i64,
    pub district: u16,
    /// Occupation slot; `Scorer::no_occupation()` for none.
    pub occ: u16,
    pub age_min: u8,
    pub age_max: u8,
    /// Minimum skill level 1–5, 0 for none.
    pub skill: u8,
    /// `JobKind::code`.
    pub kind: u8,
    pub section: u8,
    pub piece: bool,
}

/// A seeker as scoring reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SeekerRow {
    pub id: i64,
    pub place: i64,
    /// Expected monthly wage in fen (meaningless without `has_expectation`).
    pub expected: i64,
    /// The lowest monthly wage within `near_below_percent` of the expectation.
    pub near_min: i64,
    pub district: u16,
    pub occ: u16,
    pub age: u8,
    pub skill: u8,
    /// `JobKind::code`, 0 for no wish.
    pub wanted: u8,
    pub section: u8,
    pub has_expectation: bool,
    pub older: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OccCase {
    Exact,
    SameCategory,
    Different,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SkillCase {
    NoRequirement,
    Meets,
    Below,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WageCase {
    NoExpectation,
    Piece,
    AtLeast,
    Near,
    Far,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KindCase {
    Same,
    NoWish,
    Different,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IndustryCase {
    Same,
    Different,
    Unknown,
}

/// Occupations of the other side grouped by how they relate to one occupation: the
/// unit the indexes order their search by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OccGroup {
    pub case: OccCase,
    /// Whether the group's occupations suit older workers.
    pub suited: bool,
    pub occs: Vec<u16>,
}

/// Scores pairs: the weights, the reference tables and what is derived from them once.
#[derive(Debug, Clone)]
pub struct Scorer {
    pub(crate) geo: Geo,
    pub(crate) weights: Weights,
    /// Per occupation slot (the last is "none"): suits older workers.
    suited: Vec<bool>,
    /// Per occupation slot of one side, the other side's slots in groups.
    groups: Vec<Vec<OccGroup>>,
    tier_points: [i32; 6],
}

impl Scorer {
    pub fn new(geo: &Geo, weights: &Weights) -> Scorer {
        let n = geo.occupations();
        let no = n as u16;
        let mut suited = vec![false; n + 1];
        for o in weights.older.occupations.iter().map(|o| usize::from(*o)).filter(|o| *o < n) {
            suited[o] = true;
        }
        let w = &weights.nearness;
        let mut scorer = Scorer {
            geo: geo.clone(),
            weights: weights.clone(),
            suited,
            groups: Vec::new(),
            tier_points: [w.village, w.town, w.district, w.adjacent, w.area, w.elsewhere],
        };
        for q in 0..=no {
            let mut groups: Vec<OccGroup> = Vec::new();
            for o in 0..=no {
                let case = scorer.occ_case(q, o);
                let suited = scorer.suited[usize::from(o)];
                match groups.iter_mut().find(|g| g.case == case && g.suited == suited) {
                    Some(g) => g.occs.push(o),
                    None => groups.push(OccGroup { case, suited, occs: vec![o] }),
                }
            }
            scorer.groups.push(groups);
        }
        scorer
    }

    pub fn geo(&self) -> &Geo {
        &self.geo
    }

    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// The occupation slot meaning "none".
    pub(crate) fn no_occupation(&self) -> u16 {
        self.geo.occupations() as u16
    }

    /// Whether the seeker counts as 大龄 (`[older]` of the weights).
    pub fn is_older(&self, seeker: &Seeker) -> bool {
        let o = &self.weights.older;
        match seeker.sex {
            Sex::Female => seeker.age >= o.female_from_age,
            Sex::Male => seeker.age >= o.male_from_age,
        }
    }

    /// The score of a pair that meets the hard constraints, else the constraints it fails.
    pub fn score(&self, seeker: &Seeker, posting: &Posting) -> Result<i32, Vec<Unmet>> {
        let fails = unmet(seeker, posting);
        if !fails.is_empty() {
            return Err(fails);
        }
        let (s, j) = (self.seeker_row(seeker), self.job_row(posting));
        self.points(&s, &j).ok_or_else(Vec::new)
    }

    /// The factors of a pair's score (their points sum to `score`), or the hard
    /// constraints it fails.
    pub fn explain(&self, seeker: &Seeker, posting: &Posting) -> Result<Vec<Factor>, Vec<Unmet>> {
        let fails = unmet(seeker, posting);
        if !fails.is_empty() {
            return Err(fails);
        }
        Ok(self.factors(&self.seeker_row(seeker), &self.job_row(posting)))
    }

    pub(crate) fn seeker_row(&self, s: &Seeker) -> SeekerRow {
        let (expected, has_expectation) = match s.expected_monthly {
            Some(f) => (f.0, true),
            None => (0, false),
        };
        SeekerRow {
            id: s.id,
            place: s.home.as_i64(),
            expected,
            near_min: near_min(expected, self.weights.wage.near_below_percent),
            district: self.geo.district_slot(s.home),
            occ: self.occ_slot(s.occupation),
            age: s.age,
            skill: s.skill.map_or(0, SkillLevel::get),
            wanted: s.wanted_kind.map_or(0, |k| k.code() as u8),
            section: section_slot(s.industry_section),
            has_expectation,
            older: self.is_older(s),
        }
    }

    pub(crate) fn job_row(&self, p: &Posting) -> JobRow {
        let mid = p.wage.monthly_mid();
        JobRow {
            id: p.id,
            place: p.place.as_i64(),
            mid: mid.map_or(0, |f| f.0),
            district: self.geo.district_slot(p.place),
            occ: self.occ_slot(p.occupation),
            age_min: p.age_min,
            age_max: p.age_max,
            skill: p.skill_min.map_or(0, SkillLevel::get),
            kind: p.kind.code() as u8,
            section: section_slot(p.industry_section),
            piece: mid.is_none(),
        }
    }

    fn occ_slot(&self, occ: Option<u16>) -> u16 {
        let no = self.no_occupation();
        occ.filter(|o| *o < no).unwrap_or(no)
    }

    pub(crate) fn groups(&self, occ: u16) -> &[OccGroup] {
        self.groups.get(usize::from(occ)).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn suited(&self, occ: u16) -> bool {
        self.suited.get(usize::from(occ)).copied().unwrap_or(false)
    }

    pub(crate) fn tier_points(&self, tier: Tier) -> i32 {
        self.tier_points[tier as usize]
    }

    // One function per factor: the case of a pair, then its points.

    pub(crate) fn occ_case(&self, a: u16, b: u16) -> OccCase {
        let no = self.no_occupation();
        if a >= no || b >= no {
            OccCase::Unknown
        } else if a == b {
            OccCase::Exact
        } else if self.geo.occupation_category(a).is_some()
            && self.geo.occupation_category(a) == self.geo.occupation_category(b)
        {
            OccCase::SameCategory
        } else {
            OccCase::Different
        }
    }

    pub(crate) fn occ_points(&self, case: OccCase) -> i32 {
        let w = &self.weights.occupation;
        match case {
            OccCase::Exact => w.exact,
            OccCase::SameCategory => w.same_category,
            OccCase::Different => w.different,
            OccCase::Unknown => w.unknown,
        }
    }

    pub(crate) fn skill_points(&self, case: SkillCase) -> i32 {
        let w = &self.weights.skill;
        match case {
            SkillCase::NoRequirement => w.no_requirement,
            SkillCase::Meets => w.meets,
            SkillCase::Below => w.below,
        }
    }

    pub(crate) fn wage_points(&self, case: WageCase) -> i32 {
        let w = &self.weights.wage;
        match case {
            WageCase::NoExpectation | WageCase::Piece => w.neutral,
            WageCase::AtLeast => w.at_least,
            WageCase::Near => w.near,
            WageCase::Far => w.far,
        }
    }

    pub(crate) fn kind_points(&self, case: KindCase) -> i32 {
        let w = &self.weights.kind;
        match case {
            KindCase::Same => w.same,
            KindCase::NoWish => w.no_wish,
            KindCase::Different => w.different,
        }
    }

    pub(crate) fn industry_points(&self, case: IndustryCase) -> i32 {
        let w = &self.weights.industry;
        match case {
            IndustryCase::Same => w.same,
            IndustryCase::Different => w.different,
            IndustryCase::Unknown => w.unknown,
        }
    }

    pub(crate) fn older_points(&self, older: bool, job_occ: u16) -> i32 {
        if older && self.suited(job_occ) {
            self.weights.older.points
        } else {
            0
        }
    }

    /// The score of two rows, `None` when the age is outside the job's range. The rows
    /// are assumed to pass the other hard constraints (the indexes hold only such rows).
    pub(crate) fn points(&self, s: &SeekerRow, j: &JobRow) -> Option<i32> {
        if s.age < j.age_min || s.age > j.age_max {
            return None;
        }
        let tier = Tier::of(s.place, s.district, j.place, j.district, &self.geo);
        Some(
            self.tier_points(tier)
                + self.occ_points(self.occ_case(s.occ, j.occ))
                + self.skill_points(skill_case(s.skill, j.skill))
                + self.wage_points(wage_case(s, j.piece, j.mid))
                + self.kind_points(kind_case(s.wanted, j.kind))
                + self.industry_points(industry_case(s.section, j.section))
                + self.older_points(s.older, j.occ),
        )
    }

    /// The explanation of two rows' score.
    pub(crate) fn factors(&self, s: &SeekerRow, j: &JobRow) -> Vec<Factor> {
        let geo = &self.geo;
        let occ_name = |o: u16| geo.occupation_name(o);
        let mut out = Vec::with_capacity(7);

        let tier = Tier::of(s.place, s.district, j.place, j.district, geo);
        out.push(Factor {
            code: "nearness",
            label: "离家距离",
            points: self.tier_points(tier),
            detail: tier.label(geo.area(s.district)),
        });

        let case = self.occ_case(s.occ, j.occ);
        let detail = match case {
            OccCase::Exact => format!("工种一致：{}", occ_name(j.occ)),
            OccCase::SameCategory => {
                format!("工种相近：岗位为{}，求职意向为{}（同一职业大类）", occ_name(j.occ), occ_name(s.occ))
            }
            OccCase::Different => format!("工种不同：岗位为{}，求职意向为{}", occ_name(j.occ), occ_name(s.occ)),
            OccCase::Unknown if s.occ >= self.no_occupation() => "求职者未填写意向工种".to_string(),
            OccCase::Unknown => "岗位未注明工种".to_string(),
        };
        out.push(Factor { code: "occupation", label: "工种匹配", points: self.occ_points(case), detail });

        let case = skill_case(s.skill, j.skill);
        let level = |l: u8| SkillLevel::new(l).map_or("", SkillLevel::label);
        let detail = match case {
            SkillCase::NoRequirement => "岗位无技能等级要求".to_string(),
            SkillCase::Meets => format!("技能等级{}，达到岗位要求的{}", level(s.skill), level(j.skill)),
            SkillCase::Below if s.skill == 0 => format!("未登记技能等级，岗位要求{}及以上", level(j.skill)),
            SkillCase::Below => format!("技能等级{}，低于岗位要求的{}", level(s.skill), level(j.skill)),
        };
        out.push(Factor { code: "skill", label: "技能等级", points: self.skill_points(case), detail });

        let case = wage_case(s, j.piece, j.mid);
        let yuan = |fen: i64| fen / 100;
        let below = || {
            let pct = if s.expected > 0 {
                (i128::from(s.expected) - i128::from(j.mid)) * 100 / i128::from(s.expected)
            } else {
                0
            };
            format!("月工资约{}元，低于期望 {}%（期望{}元）", yuan(j.mid), pct, yuan(s.expected))
        };
        let detail = match case {
            WageCase::NoExpectation if j.piece => "计件工资；求职者未填写期望工资".to_string(),
            WageCase::NoExpectation => format!("月工资约{}元；求职者未填写期望工资", yuan(j.mid)),
            WageCase::Piece => "计件工资，无法与期望月工资比较".to_string(),
            WageCase::AtLeast => format!("月工资约{}元，不低于期望的{}元", yuan(j.mid), yuan(s.expected)),
            WageCase::Near | WageCase::Far => below(),
        };
        out.push(Factor { code: "wage", label: "工资待遇", points: self.wage_points(case), detail });

        let case = kind_case(s.wanted, j.kind);
        let kind = |code: u8| JobKind::from_code(i16::from(code)).map_or("", JobKind::label);
        let detail = match case {
            KindCase::Same => format!("用工形式一致：{}", kind(j.kind)),
            KindCase::NoWish => format!("求职者未限定用工形式，岗位为{}", kind(j.kind)),
            KindCase::Different => format!("希望{}，岗位为{}", kind(s.wanted), kind(j.kind)),
        };
        out.push(Factor { code: "kind", label: "用工形式", points: self.kind_points(case), detail });

        let case = industry_case(s.section, j.section);
        let detail = match case {
            IndustryCase::Same => format!("有同行业经验：{}", geo.section_name(j.section)),
            IndustryCase::Different => {
                format!("无同行业经验：岗位属{}，此前从事{}", geo.section_name(j.section), geo.section_name(s.section))
            }
            IndustryCase::Unknown if s.section >= NO_SECTION => "未登记此前从事的行业".to_string(),
            IndustryCase::Unknown => "岗位未注明行业".to_string(),
        };
        out.push(Factor { code: "industry", label: "行业经验", points: self.industry_points(case), detail });

        if s.older {
            let points = self.older_points(true, j.occ);
            let detail = if points > 0 || self.suited(j.occ) {
                format!("{}是适合大龄劳动者的岗位（渝府办发〔2025〕18号）", occ_name(j.occ))
            } else {
                "不在适合大龄劳动者的岗位之列".to_string()
            };
            out.push(Factor { code: "older", label: "大龄适合岗位", points, detail });
        }
        out
    }
}

fn section_slot(section: Option<u8>) -> u8 {
    section.filter(|s| *s < SECTIONS).unwrap_or(NO_SECTION)
}

/// The lowest monthly wage (fen) less than `percent` below `expected`:
/// ceil(expected × (100 − percent) / 100).
pub(crate) fn near_min(expected: i64, percent: u8) -> i64 {
    let num = i128::from(expected) * (100 - i128::from(percent.min(100)));
    let ceil = -((-num).div_euclid(100));
    i64::try_from(ceil).unwrap_or(if ceil < 0 { i64::MIN } else { i64::MAX })
}

pub(crate) fn skill_case(seeker: u8, job_min: u8) -> SkillCase {
    if job_min == 0 {
        SkillCase::NoRequirement
    } else if seeker != 0 && seeker <= job_min {
        SkillCase::Meets
    } else {
        SkillCase::Below
    }
}

pub(crate) fn wage_case(s: &SeekerRow, piece: bool, mid: i64) -> WageCase {
    wage_case_of(s.has_expectation, s.expected, s.near_min, piece, mid)
}

pub(crate) fn wage_case_of(has_expectation: bool, expected: i64, near_min: i64, piece: bool, mid: i64) -> WageCase {
    if !has_expectation {
        WageCase::NoExpectation
    } else if piece {
        WageCase::Piece
    } else if mid >= expected {
        WageCase::AtLeast
    } else if mid >= near_min {
        WageCase::Near
    } else {
        WageCase::Far
    }
}

pub(crate) fn kind_case(wanted: u8, kind: u8) -> KindCase {
    if wanted == 0 {
        KindCase::NoWish
    } else if wanted == kind {
        KindCase::Same
    } else {
        KindCase::Different
    }
}

pub(crate) fn industry_case(seeker: u8, job: u8) -> IndustryCase {
    if seeker >= NO_SECTION || job >= NO_SECTION {
        IndustryCase::Unknown
    } else if seeker == job {
        IndustryCase::Same
    } else {
        IndustryCase::Different
    }
}

/// Best first: higher score, then lower id.
pub(crate) fn better(a: (i32, i64), b: (i32, i64)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 < b.1)
}

/// The top `k` jobs for a seeker by scoring every posting: the reference for
/// `JobIndex::top_jobs`.
pub fn scan_top_jobs(scorer: &Scorer, postings: &[Posting], seeker: &Seeker, k: usize) -> Vec<Match> {
    if !seeker.in_labor_force_and_wants_work {
        return Vec::new();
    }
    let s = scorer.seeker_row(seeker);
    let mut scored: Vec<(i32, i64, JobRow)> = postings
        .iter()
        .filter(|p| p.open && p.headcount_left > 0)
        .map(|p| scorer.job_row(p))
        .filter_map(|j| scorer.points(&s, &j).map(|p| (p, j.id, j)))
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.truncate(k);
    scored.into_iter().map(|(score, id, j)| Match { id, score, factors: scorer.factors(&s, &j) }).collect()
}

/// The top `k` seekers for a posting by scoring every seeker: the reference for
/// `SeekerIndex::top_workers`.
pub fn scan_top_workers(scorer: &Scorer, seekers: &[Seeker], posting: &Posting, k: usize) -> Vec<Match> {
    if !posting.open || posting.headcount_left == 0 {
        return Vec::new();
    }
    let j = scorer.job_row(posting);
    let mut scored: Vec<(i32, i64, SeekerRow)> = seekers
        .iter()
        .filter(|s| s.in_labor_force_and_wants_work)
        .map(|s| scorer.seeker_row(s))
        .filter_map(|s| scorer.points(&s, &j).map(|p| (p, s.id, s)))
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.truncate(k);
    scored.into_iter().map(|(score, id, s)| Match { id, score, factors: scorer.factors(&s, &j) }).collect()
}
