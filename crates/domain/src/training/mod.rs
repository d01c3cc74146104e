//! 职业技能培训 (SPEC §6; seed 001 §(四): 每年开展农民工职业技能培训3万人次以上，确保
//! 培训后总体就业率达到60%以上。动态调整紧缺职业（工种）目录), the part that is pure rules:
//!
//! - the course kinds, the states of an enrolment and the certificate levels;
//! - whether a trainee was employed within 6 months after completing a course, read
//!   from their status timeline (`employed_within`), and the post-training employment
//!   rate of a course or provider against the 60 % floor (`Cohort`);
//! - the 紧缺职业目录: occupations ranked by open-job headcount against job seekers
//!   (`shortage_catalog`);
//! - the training recommendations for a worker (`recommend`), with their reasons.
//!
//! Dates, codes and counts in, results out; the store reads them and the pages show them.

use chrono::{Months, NaiveDate};

use crate::registry::EmploymentStatus;

#[cfg(test)]
mod tests;

/// Months after completion in which a job counts as post-training employment.
pub const EMPLOYMENT_WINDOW_MONTHS: u32 = 6;

/// The floor of the post-training employment rate (seed 001 §(四): 60%以上), as a
/// fraction `FLOOR_NUM / FLOOR_DEN` so that it is compared exactly.
pub const FLOOR_NUM: u64 = 60;
pub const FLOOR_DEN: u64 = 100;

/// A course's kind (SPEC §6: 岗前, 技能提升, 新市民).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum CourseKind {
    /// 岗前培训
    PreJob,
    /// 岗位技能提升培训
    SkillUpgrade,
    /// 新市民培训 (seed 001 §(十))
    NewCitizen,
}

impl CourseKind {
    pub const ALL: &'static [CourseKind] = &[CourseKind::PreJob, CourseKind::SkillUpgrade, CourseKind::NewCitizen];

    pub fn code(self) -> i16 {
        match self {
            CourseKind::PreJob => 1,
            CourseKind::SkillUpgrade => 2,
            CourseKind::NewCitizen => 3,
        }
    }

    pub fn from_code(code: i16) -> Option<CourseKind> {
        CourseKind::ALL.iter().copied().find(|k| k.code() == code)
    }

    pub fn key(self) -> &'static str {
        match self {
            CourseKind::PreJob => "pre_job",
            CourseKind::SkillUpgrade => "skill_upgrade",
            CourseKind::NewCitizen => "new_citizen",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CourseKind::PreJob => "岗前培训",
            CourseKind::SkillUpgrade => "技能提升培训",
            CourseKind::NewCitizen => "新市民培训",
        }
    }

    /// The Chinese label (with or without 培训) or the English key.
    pub fn parse(text: &str) -> Option<CourseKind> {
        let t = text.trim();
        CourseKind::ALL
            .iter()
            .copied()
            .find(|k| k.key() == t || k.label() == t || k.label().trim_end_matches("培训") == t)
    }
}

/// Where an enrolment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum EnrolmentState {
    /// 在训
    Enrolled,
    /// 结业
    Completed,
    /// 退训
    Dropped,
}

impl EnrolmentState {
    pub const ALL: &'static [EnrolmentState] =
        &[EnrolmentState::Enrolled, EnrolmentState::Completed, EnrolmentState::Dropped];

    pub fn code(self) -> i16 {
        match self {
            EnrolmentState::Enrolled => 1,
            EnrolmentState::Completed => 2,
            EnrolmentState::Dropped => 3,
        }
    }

    pub fn from_code(code: i16) -> Option<EnrolmentState> {
        EnrolmentState::ALL.iter().copied().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            EnrolmentState::Enrolled => "在训",
            EnrolmentState::Completed => "结业",
            EnrolmentState::Dropped => "退训",
        }
    }
}

/// The statuses that count as employment after training: 市内就业, 市外就业, 灵活就业 and
/// 自主创业 (the statistics of 培训后就业率 count flexible work; stable work is a
/// stricter test used elsewhere).
pub fn is_employed(status: EmploymentStatus) -> bool {
    matches!(
        status,
        EmploymentStatus::LocalEmployed
            | EmploymentStatus::OutsideEmployed
            | EmploymentStatus::Flexible
            | EmploymentStatus::Entrepreneur
    )
}

/// The last day of the window after `completed`: the same day 6 calendar months on (the
/// month's last day when that day is missing).
pub fn window_end(completed: NaiveDate) -> NaiveDate {
    completed.checked_add_months(Months::new(EMPLOYMENT_WINDOW_MONTHS)).unwrap_or(NaiveDate::MAX)
}

/// The day a trainee counts as employed after completing a course on `completed`, from
/// their status timeline (`(date, status)` in date order, same-day entries in the
/// order they happened): `completed` itself when their status on that day was
/// employment, else the first day in the window (up to and including `window_end`)
/// on which it became employment; `None` if neither.
pub fn employed_within(completed: NaiveDate, timeline: &[(NaiveDate, EmploymentStatus)]) -> Option<NaiveDate> {
    let end = window_end(completed);
    let at_completion = timeline.iter().take_while(|(d, _)| *d <= completed).last().map(|(_, s)| *s);
    if at_completion.is_some_and(is_employed) {
        return Some(completed);
    }
    // After completion, a day's status is its last entry's.
    timeline
        .iter()
        .enumerate()
        .filter(|(i, (d, _))| *d > completed && *d <= end && timeline.get(i + 1).is_none_or(|(next, _)| next != d))
        .find(|(_, (_, s))| is_employed(*s))
        .map(|(_, (d, _))| *d)
}

/// The trainees of a course or provider who completed it, by how their window stands
/// on a date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Cohort {
    /// Completed, with their 6-month window over.
    pub closed: u64,
    /// Of those, employed within the window.
    pub closed_employed: u64,
    /// Completed, window still open.
    pub open: u64,
    /// Of those, already employed.
    pub open_employed: u64,
}

impl Cohort {
    /// Adds a trainee who completed on `completed` and was employed on `employed` (if
    /// at all), as things stand on `as_of`.
    pub fn add(&mut self, completed: NaiveDate, employed: Option<NaiveDate>, as_of: NaiveDate) {
        let employed = employed.is_some_and(|d| d <= as_of);
        if window_end(completed) < as_of {
            self.closed += 1;
            self.closed_employed += u64::from(employed);
        } else {
            self.open += 1;
            self.open_employed += u64::from(employed);
        }
    }

    pub fn merge(&mut self, other: &Cohort) {
        self.closed += other.closed;
        self.closed_employed += other.closed_employed;
        self.open += other.open;
        self.open_employed += other.open_employed;
    }

    /// The post-training employment rate of the trainees whose window is over, as a
    /// fraction; `None` while no window is over.
    pub fn rate(&self) -> Option<f64> {
        (self.closed > 0).then(|| self.closed_employed as f64 / self.closed as f64)
    }

    /// Below the 60 % floor, compared exactly; never while no window is over.
    pub fn below_floor(&self) -> bool {
        self.closed > 0 && self.closed_employed * FLOOR_DEN < FLOOR_NUM * self.closed
    }
}

/// One occupation of the 紧缺职业目录.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ShortageRow {
    pub rank: u32,
    pub occupation: String,
    /// Open places (headcount not yet filled) of open postings.
    pub openings: u64,
    /// Job seekers who want this occupation.
    pub seekers: u64,
    /// 求人倍率: openings per seeker (openings when there is no seeker).
    pub ratio: f64,
}

/// The 紧缺职业目录: the occupations with more open places than seekers (求人倍率 above
/// 1), the most wanted first (ratio, then openings, then name). `openings` and
/// `seekers` may list occupations in any order and more than once.
pub fn shortage_catalog<'a>(
    openings: impl IntoIterator<Item = (&'a str, u64)>,
    seekers: impl IntoIterator<Item = (&'a str, u64)>,
) -> Vec<ShortageRow> {
    use std::collections::BTreeMap;
    let mut by: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for (o, n) in openings {
        by.entry(o).or_default().0 += n;
    }
    for (o, n) in seekers {
        by.entry(o).or_default().1 += n;
    }
    let mut rows: Vec<ShortageRow> = by
        .into_iter()
        .filter(|(o, (open, seek))| !o.is_empty() && open > seek)
        .map(|(o, (open, seek))| ShortageRow {
            rank: 0,
            occupation: o.to_string(),
            openings: open,
            seekers: seek,
            ratio: if seek == 0 { open as f64 } else { open as f64 / seek as f64 },
        })
        .collect();
    // Exact comparison of open/seek ratios by cross-multiplying (seekers 0 as 1).
    rows.sort_by(|a, b| {
        let (an, ad) = (u128::from(a.openings), u128::from(a.seekers.max(1)));
        let (bn, bd) = (u128::from(b.openings), u128::from(b.seekers.max(1)));
        (bn * ad).cmp(&(an * bd)).then(b.openings.cmp(&a.openings)).then(a.occupation.cmp(&b.occupation))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    rows
}

/// A course open for enrolment, as a recommendation reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCourse {
    pub id: i64,
    pub occupation: Option<String>,
    pub kind: CourseKind,
    /// The course's district (6-digit region code as 12 digits).
    pub district: i64,
    pub starts_on: NaiveDate,
    pub places_left: i64,
}

/// What a recommendation knows of the worker.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trainee {
    /// The occupation they want or have (normalised name).
    pub occupation: Option<String>,
    /// Their home district (of residence, else hukou).
    pub district: Option<i64>,
    /// In work already (a 技能提升 course suits them; 岗前 suits a seeker).
    pub employed: bool,
    /// Courses they are or were enrolled in.
    pub enrolled: Vec<i64>,
}

/// A recommended course with its score and its reasons in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Recommendation {
    pub course: i64,
    pub score: u32,
    pub reasons: Vec<String>,
}

/// The courses to recommend to a worker, best first, at most `k`: courses that start
/// on or after `today`, with places left, not already taken, scored by the occupation
/// they want (30), a 紧缺职业 (20 + 1 per rank above 20th), their district (20), and
/// the kind that suits them (10). A course that matches none of occupation, shortage
/// and district is not recommended.
pub fn recommend(
    trainee: &Trainee,
    courses: &[OpenCourse],
    shortage: &[ShortageRow],
    today: NaiveDate,
    k: usize,
) -> Vec<Recommendation> {
    let mut out: Vec<Recommendation> = Vec::new();
    for c in courses {
        if c.starts_on < today || c.places_left <= 0 || trainee.enrolled.contains(&c.id) {
            continue;
        }
        let mut score = 0u32;
        let mut reasons = Vec::new();
        let mut relevant = false;
        if let (Some(want), Some(occ)) = (&trainee.occupation, &c.occupation) {
            if want == occ {
                score += 30;
                reasons.push(format!("与您的职业“{occ}”相同"));
                relevant = true;
            }
        }
        if let Some(occ) = &c.occupation {
            if let Some(s) = shortage.iter().find(|s| &s.occupation == occ) {
                score += 20 + 20u32.saturating_sub(s.rank);
                reasons.push(format!("“{occ}”列入紧缺职业目录（第{}位，求人倍率 {:.2}）", s.rank, s.ratio));
                relevant = true;
            }
        }
        if trainee.district.is_some_and(|d| d == c.district) {
            score += 20;
            reasons.push("在您所在区县开班".to_string());
            relevant = true;
        }
        let suits = match c.kind {
            CourseKind::SkillUpgrade => trainee.employed,
            CourseKind::PreJob => !trainee.employed,
            CourseKind::NewCitizen => true,
        };
        if suits {
            score += 10;
            reasons.push(format!("{}适合您目前的就业状态", c.kind.label()));
        }
        if relevant {
            out.push(Recommendation { course: c.id, score, reasons });
        }
    }
    out.sort_by(|a, b| b.score.cmp(&a.score).then(a.course.cmp(&b.course)));
    out.truncate(k);
    out
}
