//! The exchange format of the numpy peer (`bench/peers/match_numpy.py`): one CSV line
//! per posting and per seeker, all integers, with the same fields as `Posting` and
//! `Seeker`; the weights (`Weights::peer_json`) and the reference tables
//! (`Geo::peer_json`) as JSON. Pure string building: the benchmark writes the files.
//!
//! `postings.csv` (header `POSTINGS_HEADER`):
//! - `id`: `Posting::id`
//! - `place`: the 12-digit normalised region code (`RegionCode::as_i64`)
//! - `occupation`: index into `RefData::occupations()`, -1 for none
//! - `industry_section`: 0 = A … 19 = T, -1 for none
//! - `kind`: `JobKind::code` (1 全职, 2 非全日制, 3 临时/季节性, 4 零工)
//! - `wage_form`: `WageForm::code` (1 月薪, 2 日薪, 3 时薪, 4 计件)
//! - `wage_min`, `wage_max`: fen
//! - `age_min`, `age_max`: years, both included
//! - `skill_min`: 1 (highest) … 5, 0 for none
//! - `headcount_left`
//! - `open`: 1 or 0
//!
//! `seekers.csv` (header `SEEKERS_HEADER`):
//! - `id`, `age` (years)
//! - `sex`: GB/T 2261.1 (1 男, 2 女)
//! - `home`: the 12-digit normalised region code
//! - `occupation`: as above, -1 for none
//! - `skill`: 1 … 5, 0 for none
//! - `expected_monthly`: fen, -1 for none
//! - `wanted_kind`: `JobKind::code`, 0 for none
//! - `industry_section`: as above, -1 for none
//! - `wants_work`: `in_labor_force_and_wants_work`, 1 or 0
//!
//! Values out of range (an occupation index past the list, a section past 19) are
//! written as given; both sides read them as unknown.

use super::{Posting, Seeker};

pub const POSTINGS_HEADER: &str =
    "id,place,occupation,industry_section,kind,wage_form,wage_min,wage_max,age_min,age_max,skill_min,headcount_left,open";

pub const SEEKERS_HEADER: &str =
    "id,age,sex,home,occupation,skill,expected_monthly,wanted_kind,industry_section,wants_work";

impl Posting {
    /// This posting as one line of `postings.csv` (no line break).
    pub fn peer_csv_row(&self) -> String {
        format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{}",
            self.id,
            self.place.as_i64(),
            self.occupation.map_or(-1, i32::from),
            self.industry_section.map_or(-1, i32::from),
            self.kind.code(),
            self.wage.form.code(),
            self.wage.min.0,
            self.wage.max.0,
            self.age_min,
            self.age_max,
            self.skill_min.map_or(0, |s| s.get()),
            self.headcount_left,
            u8::from(self.open),
        )
    }
}

impl Seeker {
    /// This seeker as one line of `seekers.csv` (no line break).
    pub fn peer_csv_row(&self) -> String {
        format!(
            "{},{},{},{},{},{},{},{},{},{}",
            self.id,
            self.age,
            self.sex.code(),
            self.home.as_i64(),
            self.occupation.map_or(-1, i32::from),
            self.skill.map_or(0, |s| s.get()),
            self.expected_monthly.map_or(-1, |f| f.0),
            self.wanted_kind.map_or(0, |k| k.code()),
            self.industry_section.map_or(-1, i32::from),
            u8::from(self.in_labor_force_and_wants_work),
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::identity::Sex;
    use crate::jobs::{JobKind, Wage, WageForm};
    use crate::registry::SkillLevel;
    use crate::{Fen, RegionCode};

    #[test]
    fn rows_have_one_integer_per_header_column() {
        let p = Posting {
            id: 7,
            place: RegionCode::parse("500101001").unwrap(),
            occupation: Some(9),
            industry_section: None,
            kind: JobKind::DayWork,
            wage: Wage { form: WageForm::Daily, min: Fen(20_000), max: Fen(25_000) },
            age_min: 18,
            age_max: 60,
            skill_min: SkillLevel::new(4),
            headcount_left: 3,
            open: true,
        };
        let row = p.peer_csv_row();
        assert_eq!(row, "7,500101001000,9,-1,4,2,20000,25000,18,60,4,3,1");
        assert_eq!(row.split(',').count(), POSTINGS_HEADER.split(',').count());

        let s = Seeker {
            id: 11,
            age: 52,
            sex: Sex::Male,
            home: RegionCode::parse("500101001001").unwrap(),
            occupation: None,
            skill: None,
            expected_monthly: Some(Fen(450_000)),
            wanted_kind: None,
            industry_section: Some(2),
            in_labor_force_and_wants_work: true,
        };
        let row = s.peer_csv_row();
        assert_eq!(row, "11,52,1,500101001001,-1,0,450000,0,2,1");
        assert_eq!(row.split(',').count(), SEEKERS_HEADER.split(',').count());
    }
}
