#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn a_contact_is_owed_one_calendar_month_after_the_registration() {
    let f = follow_up(d("2026-03-10"), None, d("2026-03-20"));
    assert_eq!((f.due, f.state), (d("2026-04-10"), FollowUpState::UpToDate));
    assert_eq!(follow_up(d("2026-03-10"), None, d("2026-04-03")).state, FollowUpState::DueSoon(7));
    assert_eq!(follow_up(d("2026-03-10"), None, d("2026-04-10")).state, FollowUpState::DueSoon(0));
    assert_eq!(follow_up(d("2026-03-10"), None, d("2026-04-11")).state, FollowUpState::Overdue(1));
    assert_eq!(follow_up(d("2026-03-10"), None, d("2026-04-11")).label(), "逾期1天");
}

#[test]
fn month_ends_are_clamped_and_leap_years_kept() {
    // 31 January: due on the last day of February (28 in 2026, 29 in 2028).
    assert_eq!(follow_up(d("2026-01-31"), None, d("2026-02-01")).due, d("2026-02-28"));
    assert_eq!(follow_up(d("2028-01-31"), None, d("2028-02-01")).due, d("2028-02-29"));
    assert_eq!(follow_up(d("2026-02-28"), None, d("2026-03-01")).due, d("2026-03-28"));
    // The day after the clamped due date is overdue; a contact on it starts over.
    assert_eq!(follow_up(d("2026-01-31"), None, d("2026-03-01")).state, FollowUpState::Overdue(1));
    assert_eq!(follow_up(d("2026-01-31"), Some(d("2026-03-01")), d("2026-03-01")).due, d("2026-04-01"));
    // 31 December → 31 January, across the year.
    assert_eq!(follow_up(d("2026-12-31"), None, d("2027-01-05")).due, d("2027-01-31"));
}

#[test]
fn only_a_contact_since_the_registration_counts() {
    // A contact of an earlier spell of unemployment does not.
    let f = follow_up(d("2026-05-01"), Some(d("2026-04-20")), d("2026-05-15"));
    assert_eq!(f.due, d("2026-06-01"));
    let f = follow_up(d("2026-05-01"), Some(d("2026-05-20")), d("2026-06-15"));
    assert_eq!((f.due, f.state), (d("2026-06-20"), FollowUpState::DueSoon(5)));
}

#[test]
fn one_one_three_one_is_complete_only_with_every_service() {
    let none = ServiceCounts::default();
    let keys: Vec<&str> = none.gaps().iter().map(|g| g.key).collect();
    assert_eq!(keys, ["policy", "guidance", "job_pushes", "training"]);
    let mixed = ServiceCounts { policy: 2, guidance: 1, job_pushes: 2, training: 0 };
    let gaps = mixed.gaps();
    assert_eq!(gaps.len(), 2);
    assert_eq!((gaps[0].label, gaps[0].have, gaps[0].need), ("岗位推送", 2, 3));
    assert_eq!(gaps[1].label, "就业培训推荐");
    assert!(!mixed.complete());
    assert!(ServiceCounts { policy: 1, guidance: 1, job_pushes: 3, training: 1 }.complete());
}

#[test]
fn vocabularies_round_trip() {
    for c in Channel::ALL {
        assert_eq!(Channel::from_code(c.code()), Some(*c));
        assert_eq!(Channel::parse(c.label()), Some(*c));
    }
    for o in Outcome::ALL {
        assert_eq!(Outcome::from_code(o.code()), Some(*o));
        assert_eq!(Outcome::parse(o.key()), Some(*o));
    }
    let set = [Offered::Policy, Offered::Training];
    assert_eq!(Offered::set_of(Offered::bits_of(&set)), set);
    assert!(!Outcome::Unreachable.reached());
}

proptest! {
    /// The due date is a month after the last contact that counts, never before
    /// today's contact; being overdue means today is past it.
    #[test]
    fn the_due_date_follows_the_last_contact(reg in 0i64..3000, gap in 0i64..400, later in 0i64..200) {
        let base = d("2020-01-01");
        let registered = base + chrono::Duration::days(reg);
        let contact = registered + chrono::Duration::days(gap);
        let today = contact + chrono::Duration::days(later);
        let f = follow_up(registered, Some(contact), today);
        prop_assert!(f.due > contact);
        prop_assert!((f.due - contact).num_days() >= 28 && (f.due - contact).num_days() <= 31);
        prop_assert_eq!(matches!(f.state, FollowUpState::Overdue(_)), today > f.due);
    }
}

#[test]
fn the_4050_group_starts_on_the_birthday_and_ends_at_retirement() {
    use crate::identity::Sex;
    use crate::registry::unemployment::retirement_date;
    // A man from his 50th birthday, a woman from her 40th.
    assert!(!is_4050(d("1976-04-01"), Sex::Male, d("2026-03-31")));
    assert!(is_4050(d("1976-04-01"), Sex::Male, d("2026-04-01")));
    assert!(!is_4050(d("1986-04-01"), Sex::Female, d("2026-03-31")));
    assert!(is_4050(d("1986-04-01"), Sex::Female, d("2026-04-01")));
    // Born on 29 February: the birthday of a leap year.
    assert!(!is_4050(d("1988-02-29"), Sex::Female, d("2028-02-28")));
    assert!(is_4050(d("1988-02-29"), Sex::Female, d("2028-02-29")));
    // Until the statutory retirement date, not on it.
    for (birth, sex) in [(d("1966-07-15"), Sex::Male), (d("1972-03-10"), Sex::Female)] {
        let r = retirement_date(birth, sex);
        assert!(is_4050(birth, sex, r - chrono::Duration::days(1)), "{birth} {sex:?}");
        assert!(!is_4050(birth, sex, r), "{birth} {sex:?}");
    }
}

#[test]
fn difficulties_come_from_age_and_the_recorded_flags() {
    use crate::identity::Sex;
    use crate::registry::{GroupFlag, GroupFlags};
    let mut flags = GroupFlags::empty();
    flags.insert(GroupFlag::Dibao);
    flags.insert(GroupFlag::Veteran);
    let got = difficulties(d("1970-01-01"), Sex::Male, flags.bits(), d("2026-04-01"));
    assert_eq!(got, [Difficulty::FortyFifty, Difficulty::Dibao, Difficulty::Veteran]);
    assert_eq!(got[0].label(), "4050人员");
    assert!(difficulties(d("1995-01-01"), Sex::Female, 0, d("2026-04-01")).is_empty());
}

#[test]
fn a_household_is_zero_employment_until_a_working_age_member_has_stable_work() {
    use crate::identity::Sex;
    use crate::registry::EmploymentStatus as S;
    let on = d("2026-04-01");
    let m = |birth: &str, sex, status| Member { birth: d(birth), sex, status };
    let father = m("1975-05-01", Sex::Male, S::Unemployed);
    let mother = m("1978-05-01", Sex::Female, S::NotInLaborForce);
    let grandpa = m("1950-05-01", Sex::Male, S::LocalEmployed);
    let child = m("2012-05-01", Sex::Female, S::NotInLaborForce);
    // A retired grandfather's job and a child do not count.
    assert!(zero_employment(&[father, mother, grandpa, child], on));
    // Flexible work is not stable work.
    assert!(zero_employment(&[Member { status: S::Flexible, ..father }, mother], on));
    // The father hired: off the list.
    assert!(!zero_employment(&[Member { status: S::LocalEmployed, ..father }, mother], on));
    // Nobody of working age in the labour force: not a 零就业家庭 (nothing to help into work).
    assert!(!zero_employment(&[mother, grandpa, child], on));
    // Working age begins at 16.
    assert!(!working_age(&m("2010-04-02", Sex::Male, S::Unemployed), on));
    assert!(working_age(&m("2010-04-01", Sex::Male, S::Unemployed), on));
}
