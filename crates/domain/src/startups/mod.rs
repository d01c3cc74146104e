//! 返乡创业 (SPEC §6, seed 001 §(七)), the part that is pure rules: the grades of a
//! 返乡创业园区's yearly evaluation and the award each brings, and the cap of a
//! 创业担保贷款, both read from the policy library's dated parameters
//! (`startup-park-subsidy`, `startup-guaranteed-loan`) so that a new version of an
//! amount needs no code change.

use chrono::NaiveDate;

use crate::policy::value::Value;
use crate::policy::Policy;
use crate::Fen;

/// The grade of a park's yearly evaluation (seed 001 §(七): 优、良、合格).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ParkGrade {
    Excellent,
    Good,
    Pass,
    Fail,
}

impl ParkGrade {
    pub const ALL: &'static [ParkGrade] = &[ParkGrade::Excellent, ParkGrade::Good, ParkGrade::Pass, ParkGrade::Fail];

    pub fn code(self) -> i16 {
        match self {
            ParkGrade::Excellent => 1,
            ParkGrade::Good => 2,
            ParkGrade::Pass => 3,
            ParkGrade::Fail => 4,
        }
    }

    pub fn from_code(code: i16) -> Option<ParkGrade> {
        ParkGrade::ALL.iter().copied().find(|g| g.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ParkGrade::Excellent => "优",
            ParkGrade::Good => "良",
            ParkGrade::Pass => "合格",
            ParkGrade::Fail => "不合格",
        }
    }

    pub fn parse(text: &str) -> Option<ParkGrade> {
        let t = text.trim();
        ParkGrade::ALL.iter().copied().find(|g| g.label() == t)
    }

    /// The parameter of `startup-park-subsidy` that holds this grade's award.
    pub fn param(self) -> Option<&'static str> {
        match self {
            ParkGrade::Excellent => Some("excellent"),
            ParkGrade::Good => Some("good"),
            ParkGrade::Pass => Some("pass"),
            ParkGrade::Fail => None,
        }
    }
}

/// A money parameter of a policy in force on `date`.
pub fn money(policy: &Policy, name: &str, date: NaiveDate) -> Option<Fen> {
    match policy.param(name)?.at(date)?.value {
        Value::Money(f) => Some(f),
        _ => None,
    }
}

/// The award a grade brings for the evaluation of `year` (the parameter in force on
/// the year's last day); none for 不合格.
pub fn park_award(policy: &Policy, grade: ParkGrade, year: i32) -> Option<Fen> {
    let end = NaiveDate::from_ymd_opt(year, 12, 31)?;
    money(policy, grade.param()?, end)
}

/// Whether a guaranteed loan to an individual of `amount` granted on `date` exceeds the
/// cap in force then (`individual_cap`); `None` when no cap is in force.
pub fn over_individual_cap(policy: &Policy, amount: Fen, date: NaiveDate) -> Option<(bool, Fen)> {
    let cap = money(policy, "individual_cap", date)?;
    Some((amount.0 > cap.0, cap))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::policy::Library;

    #[test]
    fn awards_and_caps_come_from_the_dated_parameters() {
        let lib = Library::embedded().unwrap();
        let park = lib.get("startup-park-subsidy").unwrap();
        assert_eq!(park_award(park, ParkGrade::Excellent, 2025), Some(Fen::from_yuan(300_000)));
        assert_eq!(park_award(park, ParkGrade::Good, 2025), Some(Fen::from_yuan(200_000)));
        assert_eq!(park_award(park, ParkGrade::Pass, 2025), Some(Fen::from_yuan(100_000)));
        assert_eq!(park_award(park, ParkGrade::Fail, 2025), None);
        let loan = lib.get("startup-guaranteed-loan").unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(over_individual_cap(loan, Fen::from_yuan(300_000), d), Some((false, Fen::from_yuan(300_000))));
        assert_eq!(over_individual_cap(loan, Fen::from_yuan(300_001), d).map(|x| x.0), Some(true));
        // The register's facts meet the library's rule: a 市级 park recognised on
        // 2025-06-01 with 优 for 2025 gets the one-off 600,000 in its first year and
        // the 300,000 award; after its first year only the award.
        use crate::policy::registry::park_facts;
        use crate::policy::{evaluate, Status};
        let on = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let f = park_facts(true, on("2025-06-01"), Some(ParkGrade::Excellent.label()), None).unwrap();
        let e = evaluate(park, &f, on("2026-03-01"));
        assert_eq!((e.status, e.amount()), (Status::Eligible, Some(Fen::from_yuan(900_000))));
        let e = evaluate(park, &f, on("2026-07-01"));
        assert_eq!(e.amount(), Some(Fen::from_yuan(300_000)));
        // A district-level park is refused by the 市级 condition, not left waiting.
        let district = park_facts(false, on("2025-06-01"), None, None).unwrap();
        assert_eq!(evaluate(park, &district, on("2026-03-01")).status, Status::NotEligible);
        // A workshop from its register: recognised, the amounts still to be recorded.
        let workshop = lib.get("workshop-subsidy").unwrap();
        let w = crate::policy::registry::workshop_facts(on("2026-01-01"), None).unwrap();
        let e = evaluate(workshop, &w, on("2026-03-01"));
        assert_eq!((e.status, e.amount()), (Status::Eligible, None), "{:?}", e.amount_text);
        assert!(e.amount_text.contains("缺少：申报建设补助金额"), "{}", e.amount_text);
        for g in ParkGrade::ALL {
            assert_eq!(ParkGrade::parse(g.label()), Some(*g));
            assert_eq!(ParkGrade::from_code(g.code()), Some(*g));
        }
    }
}
