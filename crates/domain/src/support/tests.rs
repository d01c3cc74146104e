#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn a_term_is_three_years_or_to_retirement_near_it() {
    let r = TenureRules::default();
    // Born 1985: far from retirement; three years to the day before.
    let t = tenure(d("2024-03-01"), d("1985-06-01"), Sex::Male, &r, false);
    assert_eq!(t, Tenure { ends: d("2027-02-28"), to_retirement: false, extended: false });
    // A man born 1966-03-10 retires at 60 and 4 months (14 months after January 1965).
    let birth = d("1966-03-10");
    let retires = retirement_date(birth, Sex::Male);
    // Appointed within 5 years of it: to retirement.
    let start = retires.checked_sub_months(Months::new(59)).unwrap();
    let t = tenure(start, birth, Sex::Male, &r, false);
    assert!(t.to_retirement);
    assert_eq!(t.ends, retires.pred_opt().unwrap());
    // Appointed just over 5 years before: three years.
    let start = retires.checked_sub_months(Months::new(61)).unwrap();
    assert!(!tenure(start, birth, Sex::Male, &r, false).to_retirement);
}

#[test]
fn a_term_ending_in_2020_without_stable_work_gets_a_year_more() {
    let r = TenureRules::default();
    let t = tenure(d("2017-11-01"), d("1980-01-01"), Sex::Female, &r, false);
    assert_eq!(t, Tenure { ends: d("2021-10-31"), to_retirement: false, extended: true });
    let t = tenure(d("2017-11-01"), d("1980-01-01"), Sex::Female, &r, true);
    assert_eq!(t.ends, d("2020-10-31"), "with stable work: no extension");
    // A term ending in 2021 is not extended.
    let t = tenure(d("2018-01-02"), d("1980-01-01"), Sex::Female, &r, false);
    assert_eq!((t.ends, t.extended), (d("2021-01-01"), false));
    // The rules are data: a new version of the term from a date changes only later terms.
    let mut r2 = r.clone();
    r2.term.push(DatedMonths { from: d("2026-01-01"), to: None, months: 24 });
    assert_eq!(tenure(d("2025-12-31"), d("1985-01-01"), Sex::Male, &r2, false).ends, d("2028-12-30"));
    assert_eq!(tenure(d("2026-01-01"), d("1985-01-01"), Sex::Male, &r2, false).ends, d("2027-12-31"));
}

#[test]
fn tenure_states_and_counts() {
    let t = Tenure { ends: d("2026-12-31"), to_retirement: false, extended: false };
    assert_eq!(TenureState::of(&t, d("2026-10-02")), TenureState::EndingSoon(90));
    assert_eq!(TenureState::of(&t, d("2026-10-01")), TenureState::InTerm);
    assert_eq!(TenureState::of(&t, d("2026-09-01")), TenureState::InTerm);
    assert_eq!(TenureState::of(&t, d("2027-01-05")), TenureState::Overdue(5));
    assert!(TenureState::Overdue(5).label().contains("超期5天"));
    let spells = [
        Spell { start: d("2026-01-01"), end: None, poverty_alleviated: true },
        Spell { start: d("2026-01-01"), end: Some(d("2026-03-31")), poverty_alleviated: false },
        Spell { start: d("2026-05-01"), end: None, poverty_alleviated: false },
    ];
    assert_eq!(employed_on(&spells, d("2026-03-31")), (2, 1));
    assert_eq!(employed_on(&spells, d("2026-04-01")), (1, 1));
    assert_eq!(employed_during(&spells, d("2026-01-01"), d("2026-12-31")), 3);
    assert_eq!(employed_during(&spells, d("2026-04-01"), d("2026-04-30")), 1);
    for r in ExitReason::ALL {
        assert_eq!(ExitReason::parse(r.label()), Some(*r));
        assert_eq!(ExitReason::from_code(r.code()), Some(*r));
    }
}
