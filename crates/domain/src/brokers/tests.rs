#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;

use super::*;
use crate::registry::EmploymentStatus as S;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn insured() -> InsuranceSet {
    InsuranceSet::empty().with(Insurance::Pension).with(Insurance::Medical)
}

fn snap(date: &str, status: S, insurance: InsuranceSet, registered: bool) -> Snapshot {
    Snapshot {
        date: d(date),
        status,
        flags: GroupFlags::empty(),
        insurance,
        registered_unemployed: registered,
        registered_on: registered.then(|| d(date)),
    }
}

#[test]
fn six_months_of_insured_work_after_a_registered_unemployment() {
    let t = [
        snap("2025-10-01", S::Unemployed, InsuranceSet::empty(), true),
        snap("2026-01-10", S::LocalEmployed, insured(), false),
    ];
    let hired = d("2026-01-10");
    let a = assess(&t, hired, 6, d("2026-07-10"));
    assert!(a.eligible(), "{:?}", a.problems);
    assert_eq!(a.basis, ["登记失业人员"]);
    assert_eq!(a.stable_on, Some(d("2026-07-10")));
    // The day before six months are up: not yet.
    let a = assess(&t, hired, 6, d("2026-07-09"));
    assert!(!a.eligible());
    assert!(a.problems[0].contains("尚未满6个月"), "{:?}", a.problems);
    // Configurable: 3 months.
    assert!(assess(&t, hired, 3, d("2026-04-10")).eligible());
}

#[test]
fn a_break_or_missing_insurance_or_no_basis_is_refused_with_reasons() {
    let hired = d("2026-01-10");
    let today = d("2026-12-01");
    let broken = [
        snap("2025-10-01", S::Unemployed, InsuranceSet::empty(), true),
        snap("2026-01-10", S::LocalEmployed, insured(), false),
        snap("2026-03-01", S::Unemployed, insured(), false),
        snap("2026-03-20", S::LocalEmployed, insured(), false),
    ];
    let a = assess(&broken, hired, 6, today);
    assert!(a.problems.iter().any(|p| p.contains("2026-03-01 起不在参保就业状态")), "{:?}", a.problems);
    let medical_only = [
        snap("2025-10-01", S::Unemployed, InsuranceSet::empty(), true),
        snap("2026-01-10", S::LocalEmployed, InsuranceSet::empty().with(Insurance::Medical), false),
    ];
    assert!(!assess(&medical_only, hired, 6, today).eligible());
    let flexible = [
        snap("2025-10-01", S::Unemployed, InsuranceSet::empty(), true),
        snap("2026-01-10", S::Flexible, insured(), false),
    ];
    assert!(!assess(&flexible, hired, 6, today).eligible(), "灵活就业 is not stable work");
    let not_registered = [
        snap("2025-10-01", S::Unemployed, InsuranceSet::empty(), false),
        snap("2026-01-10", S::LocalEmployed, insured(), false),
    ];
    let a = assess(&not_registered, hired, 6, today);
    assert_eq!(a.problems, ["入职前既不是登记失业人员，也不是脱贫人口"]);
    // 脱贫人口 are a basis without registration.
    let mut poor = not_registered;
    poor[0].flags = GroupFlags::empty().with(GroupFlag::PovertyAlleviated);
    let a = assess(&poor, hired, 6, today);
    assert!(a.eligible());
    assert_eq!(a.basis, ["脱贫人口"]);
    // A break after the six months does not matter.
    let later = [
        snap("2025-10-01", S::Unemployed, InsuranceSet::empty(), true),
        snap("2026-01-10", S::LocalEmployed, insured(), false),
        snap("2026-08-01", S::Unemployed, InsuranceSet::empty(), false),
    ];
    assert!(assess(&later, hired, 6, today).eligible());
}

#[test]
fn fold_finds_registration_from_the_changes() {
    let e = |date: &str, status: Option<S>, regs: &[&str]| EventFacts {
        date: d(date),
        status,
        insurance: None,
        flags: None,
        registrations: regs.iter().map(|r| d(r)).collect(),
    };
    // Imported as registered unemployed (no changes on the 登记 event), then hired: the
    // hire's changes name the old registration date.
    let events = [e("2025-09-01", Some(S::Unemployed), &[]), e("2026-01-10", Some(S::LocalEmployed), &["2025-09-01"])];
    let s = fold(&events, None);
    assert!(s[0].registered_unemployed && !s[1].registered_unemployed);
    assert_eq!(s[0].registered_on, Some(d("2025-09-01")));
    assert!(insured_throughout(
        &[snap("2026-01-10", S::LocalEmployed, insured(), false)],
        d("2026-01-10"),
        d("2027-01-10")
    ));
    // Unemployed without ever registering.
    let s = fold(&[e("2025-09-01", Some(S::Unemployed), &[])], None);
    assert!(!s[0].registered_unemployed);
    // Still registered now: the record's own date.
    let s = fold(&[e("2025-09-01", Some(S::Unemployed), &[])], Some(d("2025-09-05")));
    assert!(!s[0].registered_unemployed, "registered after that day");
    let s = fold(&[e("2025-09-01", Some(S::Unemployed), &[]), e("2025-09-05", None, &[])], Some(d("2025-09-05")));
    assert!(s[1].registered_unemployed);
    // A registration of an earlier stretch does not carry over.
    let events = [
        e("2024-01-01", Some(S::Unemployed), &["2024-01-01"]),
        e("2024-06-01", Some(S::LocalEmployed), &["2024-01-01"]),
        e("2025-09-01", Some(S::Unemployed), &[]),
    ];
    let s = fold(&events, None);
    assert!(s[0].registered_unemployed && !s[2].registered_unemployed);
    // Imported on 03-01 with a registration of 01-10: registered from the first event.
    let events = [e("2026-03-01", Some(S::Unemployed), &[]), e("2026-04-01", Some(S::LocalEmployed), &["2026-01-10"])];
    let s = fold(&events, None);
    assert_eq!(s[0].registered_on, Some(d("2026-01-10")));
}

#[test]
fn standing_from_the_last_twelve_months() {
    let on = d("2026-11-30");
    assert_eq!(standing(&[], on), Standing::Good);
    let rec = [(d("2025-11-30"), IntegrityKind::Violation), (d("2026-05-01"), IntegrityKind::Complaint)];
    assert_eq!(standing(&rec, on), Standing::Good, "a violation exactly 12 months ago has lapsed");
    let rec = [(d("2025-12-01"), IntegrityKind::Violation)];
    assert_eq!(standing(&rec, on), Standing::Untrusted);
    let rec = [(d("2026-01-01"), IntegrityKind::Complaint), (d("2026-02-01"), IntegrityKind::Complaint)];
    assert_eq!(standing(&rec, on), Standing::Warned);
    for k in IntegrityKind::ALL {
        assert_eq!(IntegrityKind::parse(k.label()), Some(*k));
        assert_eq!(IntegrityKind::from_code(k.code()), Some(*k));
    }
    for k in BrokerKind::ALL {
        assert_eq!(BrokerKind::parse(k.key()), Some(*k));
    }
    for s in ClaimStatus::ALL {
        assert_eq!(ClaimStatus::from_code(s.code()), Some(*s));
    }
}
