#![allow(clippy::unwrap_used)]

use chrono::{Days, NaiveDate};
use proptest::prelude::*;

use super::*;
use crate::registry::EmploymentStatus as S;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn hired_on_day_181_counts_and_day_183_does_not() {
    // 2026-01-15 + 6 months = 2026-07-15, which is day 181 after completion.
    let done = d("2026-01-15");
    assert_eq!(window_end(done), done + Days::new(181));
    let seeking = (d("2025-12-01"), S::Unemployed);
    let on = |day: u64| vec![seeking, (done + Days::new(day), S::LocalEmployed)];
    assert_eq!(employed_within(done, &on(181)), Some(done + Days::new(181)));
    assert_eq!(employed_within(done, &on(183)), None);
    assert_eq!(employed_within(done, &on(182)), None, "day 182 is past the same day six months on");
    // A completion where six calendar months are 184 days: day 183 is inside.
    let done = d("2026-07-01");
    assert_eq!(window_end(done), d("2027-01-01"));
    assert_eq!(employed_within(done, &[(done + Days::new(183), S::Flexible)]), Some(done + Days::new(183)));
    // Month end: 08-31 + 6 months is the last day of February.
    assert_eq!(window_end(d("2026-08-31")), d("2027-02-28"));
}

#[test]
fn employed_at_completion_counts_from_that_day() {
    let done = d("2026-03-10");
    let t = [(d("2025-01-01"), S::LocalEmployed), (d("2026-03-10"), S::Unemployed), (d("2026-03-10"), S::Entrepreneur)];
    assert_eq!(employed_within(done, &t), Some(done), "the last entry of the day decides");
    let t = [(d("2025-01-01"), S::LocalEmployed), (d("2026-02-01"), S::Unemployed)];
    assert_eq!(employed_within(done, &t), None, "a job before the course that ended before it does not count");
    let t = [(d("2026-04-01"), S::NotInLaborForce), (d("2026-05-01"), S::OutsideEmployed)];
    assert_eq!(employed_within(done, &t), Some(d("2026-05-01")));
    assert_eq!(employed_within(done, &[]), None);
}

#[test]
fn cohort_rate_against_the_floor() {
    let as_of = d("2026-11-30");
    let mut c = Cohort::default();
    // Three whose window is over: two employed.
    c.add(d("2026-01-10"), Some(d("2026-02-01")), as_of);
    c.add(d("2026-02-10"), Some(d("2026-02-10")), as_of);
    c.add(d("2026-03-10"), None, as_of);
    // One whose window is open (completed 2026-06-01, ends 2026-12-01).
    c.add(d("2026-06-01"), None, as_of);
    assert_eq!(c, Cohort { closed: 3, closed_employed: 2, open: 1, open_employed: 0 });
    assert!(!c.below_floor(), "2/3 is above 60 %");
    c.add(d("2026-01-20"), None, as_of);
    assert!(c.below_floor(), "2/4 is below 60 %");
    // Exactly 60 %: 3 of 5 is not below.
    let mut e = Cohort::default();
    for i in 0..5 {
        e.add(d("2026-01-01"), (i < 3).then(|| d("2026-02-01")), as_of);
    }
    assert!(!e.below_floor());
    assert_eq!(e.rate(), Some(0.6));
    assert!(!Cohort::default().below_floor());
    // The window's last day is still open; the day after it is closed.
    let mut w = Cohort::default();
    w.add(d("2026-05-30"), None, as_of);
    assert_eq!(w.open, 1);
    w.add(d("2026-05-29"), None, as_of);
    assert_eq!(w.closed, 1);
}

#[test]
fn shortage_catalog_ranks_by_ratio() {
    let rows = shortage_catalog(
        [("焊工", 30), ("电工", 10), ("保洁员", 5), ("焊工", 10), ("", 99), ("育婴员", 8)],
        [("焊工", 10), ("电工", 10), ("保洁员", 50), ("育婴员", 0)],
    );
    let names: Vec<_> = rows.iter().map(|r| r.occupation.as_str()).collect();
    assert_eq!(names, ["育婴员", "焊工"], "电工 is balanced, 保洁员 oversupplied, an empty occupation dropped");
    assert_eq!((rows[0].rank, rows[0].openings, rows[0].seekers), (1, 8, 0));
    assert_eq!((rows[1].rank, rows[1].openings, rows[1].seekers), (2, 40, 10));
    assert!((rows[1].ratio - 4.0).abs() < 1e-9);
}

#[test]
fn recommendations_have_reasons_and_skip_what_does_not_fit() {
    let today = d("2026-11-30");
    let course = |id, occ: &str, kind, district, starts: &str, left| OpenCourse {
        id,
        occupation: Some(occ.to_string()),
        kind,
        district,
        starts_on: d(starts),
        places_left: left,
    };
    let wanzhou = 500101000000;
    let courses = [
        course(1, "焊工", CourseKind::PreJob, wanzhou, "2026-12-05", 10),
        course(2, "焊工", CourseKind::PreJob, wanzhou, "2026-11-01", 10), // started
        course(3, "焊工", CourseKind::PreJob, wanzhou, "2026-12-05", 0),  // full
        course(4, "育婴员", CourseKind::NewCitizen, 500102000000, "2026-12-05", 10),
        course(5, "电工", CourseKind::SkillUpgrade, 500103000000, "2026-12-05", 10), // nothing relevant
        course(6, "焊工", CourseKind::PreJob, wanzhou, "2026-12-20", 10),
    ];
    let shortage = shortage_catalog([("育婴员", 9u64)], [("育婴员", 1u64)]);
    let t = Trainee { occupation: Some("焊工".into()), district: Some(wanzhou), employed: false, enrolled: vec![6] };
    let r = recommend(&t, &courses, &shortage, today, 10);
    let ids: Vec<_> = r.iter().map(|x| x.course).collect();
    assert_eq!(ids, [1, 4]);
    assert_eq!(r[0].score, 30 + 20 + 10);
    assert!(r[0].reasons.iter().any(|x| x.contains("焊工")));
    assert!(r[1].reasons.iter().any(|x| x.contains("紧缺职业目录（第1位")));
    assert_eq!(recommend(&t, &courses, &shortage, today, 1).len(), 1);
}

#[test]
fn vocabularies_round_trip() {
    for k in CourseKind::ALL {
        assert_eq!(CourseKind::from_code(k.code()), Some(*k));
        assert_eq!(CourseKind::parse(k.label()), Some(*k));
        assert_eq!(CourseKind::parse(k.key()), Some(*k));
    }
    assert_eq!(CourseKind::parse("新市民"), Some(CourseKind::NewCitizen));
    for s in EnrolmentState::ALL {
        assert_eq!(EnrolmentState::from_code(s.code()), Some(*s));
    }
}

fn status() -> impl Strategy<Value = S> {
    prop::sample::select(S::ALL.to_vec())
}

proptest! {
    /// The answer is a day in [completion, window end] on which the trainee's status
    /// was employment, and there is none earlier in that range.
    #[test]
    fn employed_within_is_the_first_employed_day_of_the_window(
        done_off in 0u64..400,
        mut steps in prop::collection::vec((0u64..700, status()), 0..8),
    ) {
        let base = d("2025-01-01");
        steps.sort_by_key(|(o, _)| *o);
        let timeline: Vec<(NaiveDate, S)> = steps.iter().map(|(o, s)| (base + Days::new(*o), *s)).collect();
        let done = base + Days::new(done_off);
        let status_on = |day: NaiveDate| timeline.iter().take_while(|(d, _)| *d <= day).last().map(|(_, s)| *s);
        let mut expect = None;
        let mut day = done;
        while day <= window_end(done) {
            if status_on(day).is_some_and(is_employed) {
                expect = Some(day);
                break;
            }
            day = day + Days::new(1);
        }
        prop_assert_eq!(employed_within(done, &timeline), expect);
    }
}
