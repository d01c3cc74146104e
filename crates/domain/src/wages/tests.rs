#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;

use super::rules::{embedded, load, WageRules};
use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn rules(on: &str) -> WageRules {
    WageRules::bind(&embedded(), d(on)).unwrap()
}

fn yuan(n: i64) -> Fen {
    Fen::from_yuan(n)
}

fn worker(id: i64) -> RosterWorker {
    RosterWorker { id, entry_on: d("2026-01-10"), exit_on: None, daily_rate: yuan(300), card_last4: "1234".into() }
}

fn line(id: i64, w: Option<i64>, due: Fen, paid_on: Option<&str>) -> PayLine {
    PayLine {
        id,
        worker: w,
        period: Period(202610),
        due,
        paid: if paid_on.is_some() { due } else { Fen::ZERO },
        paid_on: paid_on.map(d),
        card_last4: "1234".into(),
        signed: true,
    }
}

/// A small project in good order: October's 20 days at 300 yuan paid on the payday
/// (15 November) from a transfer that arrived before it.
fn base() -> ProjectInput {
    let mut attendance = BTreeMap::new();
    attendance.insert((1, Period(202610)), 20);
    ProjectInput {
        id: 1,
        status: ProjectStatus::Active,
        contract_value: yuan(2_000_000),
        contract_on: d("2026-01-01"),
        start_on: d("2026-01-10"),
        end_on: d("2026-12-31"),
        payday: 15,
        monthly_labor_cost: Fen::ZERO,
        account_opened_on: Some(d("2026-01-05")),
        notice_board_on: Some(d("2026-01-10")),
        deposits: vec![],
        contractor_arrears_on: None,
        roster: vec![worker(1)],
        attendance,
        lines: vec![line(1, Some(1), yuan(6000), Some("2026-11-15"))],
        account: vec![
            AccountEntry { on: d("2026-11-10"), amount: yuan(6000), labor_transfer: true },
            AccountEntry { on: d("2026-11-15"), amount: yuan(-6000), labor_transfer: false },
        ],
        complaints: vec![],
    }
}

fn checks(p: &ProjectInput, on: &str) -> Vec<Check> {
    check_project(p, &rules(on)).into_iter().map(|f| f.check).collect()
}

fn finding(p: &ProjectInput, on: &str, c: Check) -> Option<Finding> {
    check_project(p, &rules(on)).into_iter().find(|f| f.check == c)
}

#[test]
fn the_shipped_thresholds_load_and_bind() {
    let params = load("data/wages/thresholds.toml", rules::THRESHOLDS_FILE).unwrap();
    let r = WageRules::bind(&params, d("2026-11-20")).unwrap();
    assert_eq!(r.account_min_contract, yuan(4_000_000));
    assert_eq!(r.deposit_exempt_below, yuan(3_000_000));
    assert_eq!(r.festivals, vec![d("2026-02-17")]);
    // Within 30 days of the turn of the year both festivals are known.
    let r = WageRules::bind(&params, d("2026-12-20")).unwrap();
    assert_eq!(r.festivals, vec![d("2026-02-17"), d("2027-02-06")]);
}

#[test]
fn a_malformed_thresholds_file_is_refused_with_its_line() {
    let bad = "[[param.red_days]]\nfrom = 2020-05-01\nvalue = 1.5\n";
    let e = load("t.toml", bad).unwrap_err();
    assert_eq!(e[0].line, 3, "{e:?}");
    // A missing threshold is named when binding.
    let params = load("t.toml", "[[param.red_days]]\nfrom = 2020-05-01\nvalue = 30\n").unwrap();
    let e = WageRules::bind(&params, d("2026-01-01")).unwrap_err();
    assert!(e.contains("缺少参数"), "{e}");
}

#[test]
fn a_new_version_of_a_threshold_applies_from_its_date_without_code() {
    let extra = "\n[[param.deposit_rate]]\nfrom = 2027-01-01\nvalue = \"2%\"\n";
    let text = rules::THRESHOLDS_FILE.replace(
        "[[param.deposit_rate]]\nfrom = 2020-05-01\nvalue = \"1%\"",
        "[[param.deposit_rate]]\nfrom = 2020-05-01\nto = 2026-12-31\nvalue = \"1%\"",
    ) + extra;
    let params = load("t.toml", &text).unwrap();
    let mut p = base();
    p.contract_value = yuan(5_000_000);
    p.deposits = vec![(d("2026-01-20"), yuan(50_000))];
    let before = check_project(&p, &WageRules::bind(&params, d("2026-12-31")).unwrap());
    assert!(before.iter().all(|f| f.check != Check::DepositShort));
    let after = check_project(&p, &WageRules::bind(&params, d("2027-01-01")).unwrap());
    let f = after.iter().find(|f| f.check == Check::DepositShort).unwrap();
    assert_eq!(f.amount, yuan(50_000), "2% of 5,000,000 is 100,000; 50,000 held");
}

#[test]
fn a_project_in_good_order_raises_nothing() {
    assert_eq!(checks(&base(), "2026-11-20"), vec![]);
}

#[test]
fn wages_unpaid_are_late_from_the_day_after_the_payday_and_the_grade_rises_with_the_days() {
    let mut p = base();
    p.lines = vec![line(1, Some(1), yuan(6000), None)];
    assert!(finding(&p, "2026-11-15", Check::Unpaid).is_none(), "the payday itself is not late");
    let f = finding(&p, "2026-11-16", Check::Unpaid).unwrap();
    assert_eq!((f.days_overdue, f.amount, f.workers, f.grade), (1, yuan(6000), 1, Grade::Yellow));
    assert_eq!(f.key, "2026-10");
    assert_eq!(finding(&p, "2026-11-29", Check::Unpaid).unwrap().grade, Grade::Yellow);
    assert_eq!(finding(&p, "2026-11-30", Check::Unpaid).unwrap().grade, Grade::Orange);
    assert_eq!(finding(&p, "2026-12-14", Check::Unpaid).unwrap().grade, Grade::Orange);
    assert_eq!(finding(&p, "2026-12-15", Check::Unpaid).unwrap().grade, Grade::Red);
    // Paid a day late: cured from that day on.
    p.lines = vec![line(1, Some(1), yuan(6000), Some("2026-11-17"))];
    assert!(finding(&p, "2026-11-16", Check::Unpaid).is_some());
    assert!(finding(&p, "2026-11-17", Check::Unpaid).is_none());
}

#[test]
fn the_grade_rises_with_the_amount_and_the_workers() {
    let r = rules("2026-11-20");
    assert_eq!(grade(0, Fen(yuan(100_000).0 - 1), 9, &r), Grade::Yellow);
    assert_eq!(grade(0, yuan(100_000), 0, &r), Grade::Orange);
    assert_eq!(grade(0, yuan(500_000), 0, &r), Grade::Red);
    assert_eq!(grade(0, Fen::ZERO, 10, &r), Grade::Orange);
    assert_eq!(grade(0, Fen::ZERO, 30, &r), Grade::Red);
}

#[test]
fn a_payroll_that_counts_less_than_the_attendance_is_found_and_owed() {
    let mut p = base();
    p.lines = vec![line(1, Some(1), yuan(5700), Some("2026-11-15"))];
    let f = finding(&p, "2026-11-16", Check::UnderComputed).unwrap();
    assert_eq!(f.amount, yuan(300));
    assert_eq!(finding(&p, "2026-11-16", Check::Unpaid).unwrap().amount, yuan(300));
    p.lines = vec![line(1, Some(1), yuan(6000), Some("2026-11-15"))];
    assert!(finding(&p, "2026-11-16", Check::UnderComputed).is_none());
}

#[test]
fn attendance_without_a_pay_line_and_a_month_without_payroll() {
    let mut p = base();
    p.roster.push(worker(2));
    p.attendance.insert((2, Period(202610)), 10);
    assert!(finding(&p, "2026-11-15", Check::NoPayLine).is_none(), "not before the payday");
    let f = finding(&p, "2026-11-16", Check::NoPayLine).unwrap();
    assert_eq!((f.workers, f.amount), (1, yuan(3000)));
    assert_eq!(f.evidence[0].worker, Some(2));
    // No line at all that month: the ledger itself is missing (Art. 15).
    p.lines.clear();
    let c = checks(&p, "2026-11-16");
    assert!(c.contains(&Check::NoPayroll) && !c.contains(&Check::NoPayLine), "{c:?}");
}

#[test]
fn a_pay_line_for_someone_off_the_roster_that_month() {
    let mut p = base();
    p.lines.push(line(2, None, yuan(1000), Some("2026-11-15")));
    assert_eq!(finding(&p, "2026-11-16", Check::NotOnRoster).unwrap().workers, 1);
    // On the roster but left before October began.
    let mut p = base();
    p.roster[0].exit_on = Some(d("2026-09-30"));
    assert!(finding(&p, "2026-11-16", Check::NotOnRoster).is_some());
    p.roster[0].exit_on = Some(d("2026-10-01"));
    assert!(finding(&p, "2026-11-16", Check::NotOnRoster).is_none());
}

#[test]
fn pay_to_another_card_and_unsigned_lines() {
    let mut p = base();
    p.lines[0].card_last4 = "9999".into();
    let f = finding(&p, "2026-11-16", Check::NotOwnCard).unwrap();
    assert!(f.evidence[0].text.contains("9999") && f.evidence[0].text.contains("1234"));
    let mut p = base();
    p.lines[0].signed = false;
    assert!(finding(&p, "2026-11-15", Check::Unsigned).is_none(), "may still be signed on the payday");
    assert!(finding(&p, "2026-11-16", Check::Unsigned).is_some());
}

#[test]
fn labor_cost_transfers_short_of_the_month_by_the_payday() {
    let mut p = base();
    p.account[0].amount = Fen(yuan(6000).0 - 1);
    let f = finding(&p, "2026-11-16", Check::TransferShort).unwrap();
    assert_eq!(f.amount, Fen(1));
    assert_eq!(f.days_overdue, 1);
    // In full, on the payday itself: nothing.
    let mut p = base();
    p.account[0].on = d("2026-11-15");
    assert!(finding(&p, "2026-11-16", Check::TransferShort).is_none());
    // A day late: a warning until it arrives, cured on the day it does.
    p.account[0].on = d("2026-11-17");
    assert!(finding(&p, "2026-11-16", Check::TransferShort).is_some());
    assert!(finding(&p, "2026-11-17", Check::TransferShort).is_none());
    // An agreed monthly labor cost is what must arrive, whatever the attendance.
    let mut p = base();
    p.monthly_labor_cost = yuan(8000);
    let f = finding(&p, "2026-11-16", Check::TransferShort).unwrap();
    assert!(f.amount.0 > 0);
}

#[test]
fn a_balance_below_the_next_payroll_within_the_lookahead() {
    let mut p = base();
    p.lines = vec![line(1, Some(1), yuan(6000), None)];
    p.account = vec![AccountEntry { on: d("2026-11-01"), amount: Fen(yuan(6000).0 - 1), labor_transfer: true }];
    assert!(finding(&p, "2026-11-07", Check::BalanceLow).is_none(), "the payday is 8 days away");
    let f = finding(&p, "2026-11-08", Check::BalanceLow).unwrap();
    assert_eq!(f.amount, Fen(1));
    assert_eq!(f.grade, Grade::Yellow);
    p.account[0].amount = yuan(6000);
    assert!(finding(&p, "2026-11-08", Check::BalanceLow).is_none());
}

#[test]
fn a_wage_account_is_required_from_four_million_and_three_months() {
    let mut p = base();
    p.contract_value = yuan(4_000_000);
    p.deposits = vec![(d("2026-01-20"), yuan(40_000))];
    p.end_on = d("2026-04-10");
    p.account_opened_on = None;
    p.roster.clear();
    p.attendance.clear();
    p.lines.clear();
    p.account.clear();
    assert!(finding(&p, "2026-01-31", Check::NoAccount).is_none(), "30 days after the contract");
    let f = finding(&p, "2026-02-01", Check::NoAccount).unwrap();
    assert_eq!(f.days_overdue, 1);
    let mut q = p.clone();
    q.contract_value = Fen(yuan(4_000_000).0 - 1);
    assert!(finding(&q, "2026-02-01", Check::NoAccount).is_none());
    let mut q = p.clone();
    q.end_on = d("2026-04-09");
    assert!(finding(&q, "2026-02-01", Check::NoAccount).is_none(), "shorter than 3 months");
    let mut q = p.clone();
    q.account_opened_on = Some(d("2026-02-01"));
    assert!(finding(&q, "2026-02-01", Check::NoAccount).is_none(), "opened late, but open");
}

#[test]
fn a_wage_deposit_unless_exempt() {
    let mut p = base();
    p.contract_value = yuan(3_000_000);
    assert!(finding(&p, "2026-01-31", Check::DepositShort).is_none(), "due 30 days after the contract");
    let f = finding(&p, "2026-02-01", Check::DepositShort).unwrap();
    assert_eq!(f.amount, yuan(30_000));
    p.deposits = vec![(d("2026-01-20"), yuan(30_000))];
    assert!(finding(&p, "2026-02-01", Check::DepositShort).is_none());
    // Under 3,000,000 with no arrears in the past year: exempt.
    let mut p = base();
    p.contract_value = Fen(yuan(3_000_000).0 - 1);
    assert!(finding(&p, "2026-11-20", Check::DepositShort).is_none());
    // ... but arrears 364 days ago end the exemption and raise the rate to 3%.
    p.contractor_arrears_on = Some(d("2025-11-21"));
    let f = finding(&p, "2026-11-20", Check::DepositShort).unwrap();
    assert_eq!(f.amount, Fen(3 * (yuan(3_000_000).0 - 1) / 100));
    p.contractor_arrears_on = Some(d("2025-11-20"));
    assert!(finding(&p, "2026-11-20", Check::DepositShort).is_none(), "a year ago is past");
}

#[test]
fn a_notice_board_and_a_roster_on_an_active_site() {
    let mut p = base();
    p.notice_board_on = None;
    assert!(finding(&p, "2026-01-17", Check::NoNoticeBoard).is_none());
    assert_eq!(finding(&p, "2026-01-18", Check::NoNoticeBoard).unwrap().days_overdue, 1);
    p.status = ProjectStatus::Suspended;
    assert!(finding(&p, "2026-01-18", Check::NoNoticeBoard).is_none());
    let mut p = base();
    p.roster.clear();
    p.attendance.clear();
    p.lines.clear();
    assert!(finding(&p, "2026-01-17", Check::NoRoster).is_none());
    assert!(finding(&p, "2026-01-18", Check::NoRoster).is_some());
}

#[test]
fn complaints_cluster_within_the_window() {
    let mut p = base();
    p.complaints = vec![d("2026-11-01"), d("2026-11-10")];
    assert!(finding(&p, "2026-11-20", Check::ComplaintCluster).is_none());
    p.complaints.push(d("2026-10-21"));
    assert!(finding(&p, "2026-11-20", Check::ComplaintCluster).is_none(), "30 days before is outside");
    p.complaints.push(d("2026-10-22"));
    let f = finding(&p, "2026-11-20", Check::ComplaintCluster).unwrap();
    assert_eq!(f.workers, 3);
    let r = rules("2026-11-20");
    let list = [("A", d("2026-11-01")), ("A", d("2026-11-02")), ("A", d("2026-11-20")), ("B", d("2026-11-20"))];
    assert_eq!(employer_clusters(list.iter().map(|(a, b)| (*a, *b)), &r), vec![("A".to_string(), 3)]);
}

#[test]
fn completion_or_spring_festival_near_with_wages_outstanding() {
    // November's work, unpaid until 15 December; the account holds less.
    let mut p = base();
    p.attendance.insert((1, Period(202611)), 20);
    p.end_on = d("2026-12-20");
    assert!(finding(&p, "2026-11-19", Check::CompletionOutstanding).is_none(), "31 days before");
    let f = finding(&p, "2026-11-20", Check::CompletionOutstanding).unwrap();
    assert_eq!(f.amount, yuan(6000));
    p.account.push(AccountEntry { on: d("2026-11-20"), amount: yuan(6000), labor_transfer: true });
    assert!(finding(&p, "2026-11-20", Check::CompletionOutstanding).is_none(), "the account covers it");

    let mut p = base();
    p.end_on = d("2027-06-30");
    p.attendance.insert((1, Period(202612)), 20);
    assert!(finding(&p, "2027-01-06", Check::FestivalOutstanding).is_none());
    let f = finding(&p, "2027-01-07", Check::FestivalOutstanding).unwrap();
    assert_eq!(f.key, "2027-02-06");
}

#[test]
fn escalation_after_the_handling_deadline() {
    let r = rules("2026-11-20");
    assert_eq!(handling_deadline(Grade::Red, d("2026-11-17"), &r), d("2026-11-20"));
    assert_eq!(escalation(Grade::Red, d("2026-11-17"), &r), 0);
    assert_eq!(escalation(Grade::Red, d("2026-11-16"), &r), 1);
    assert_eq!(escalation(Grade::Red, d("2026-11-13"), &r), 2);
    assert_eq!(escalation(Grade::Yellow, d("2026-11-05"), &r), 0);
    assert_eq!(escalation(Grade::Yellow, d("2026-11-04"), &r), 1);
}

#[test]
fn periods_and_paydays() {
    assert_eq!(Period::parse("2026-10"), Some(Period(202610)));
    assert_eq!(Period::parse("202610"), Some(Period(202610)));
    assert_eq!(Period::parse("2026年1月"), Some(Period(202601)));
    assert_eq!(Period::parse("2026-13"), None);
    assert_eq!(Period(202601).payday(31), d("2026-02-28"));
    assert_eq!(Period(202612).payday(15), d("2027-01-15"));
    assert_eq!(Period(202612).next(), Period(202701));
    assert_eq!(Period(202602).last_day(), d("2026-02-28"));
}

#[test]
fn a_listing_lasts_three_years_and_may_end_six_months_after_payment() {
    let r = rules("2026-11-20");
    assert_eq!(listing(d("2026-11-20"), &r).until, d("2029-11-20"));
    assert_eq!(early_removal_from(Some(d("2026-12-01")), &r), Some(d("2027-06-01")));
    assert_eq!(early_removal_from(None, &r), None);
}

proptest! {
    #[test]
    fn the_grade_never_falls_when_any_measure_rises(days in 0i64..100, amount in 0i64..100_000_000, workers in 0i64..100, more in 0i64..50) {
        let r = rules("2026-11-20");
        let g = grade(days, Fen(amount), workers, &r);
        prop_assert!(grade(days + more, Fen(amount), workers, &r) >= g);
        prop_assert!(grade(days, Fen(amount + more * 10_000), workers, &r) >= g);
        prop_assert!(grade(days, Fen(amount), workers + more, &r) >= g);
    }

    #[test]
    fn paying_every_worker_in_full_on_the_payday_clears_the_pay_checks(
        days in proptest::collection::vec(1u32..=31, 1..8),
        rate in 100i64..1000,
        late in 1i64..60,
    ) {
        let mut p = base();
        p.roster.clear();
        p.attendance.clear();
        p.lines.clear();
        p.account.clear();
        let mut total = 0;
        for (i, n) in days.iter().enumerate() {
            let id = i as i64 + 1;
            let mut w = worker(id);
            w.daily_rate = yuan(rate);
            p.roster.push(w);
            p.attendance.insert((id, Period(202610)), *n);
            let due = yuan(rate * i64::from(*n));
            total += due.0;
            p.lines.push(line(id, Some(id), due, Some("2026-11-15")));
        }
        p.account.push(AccountEntry { on: d("2026-11-01"), amount: Fen(total), labor_transfer: true });
        p.account.push(AccountEntry { on: d("2026-11-15"), amount: Fen(-total), labor_transfer: false });
        let on = d("2026-11-15") + chrono::Days::new(late as u64);
        let found = check_project(&p, &WageRules::bind(&embedded(), on).unwrap());
        prop_assert!(found.iter().all(|f| !matches!(f.check, Check::Unpaid | Check::UnderComputed | Check::NoPayLine | Check::NoPayroll | Check::TransferShort)), "{found:?}");
        // Remove one worker's payment: exactly that worker is owed.
        p.lines[0].paid_on = None;
        p.lines[0].paid = Fen::ZERO;
        let found = check_project(&p, &WageRules::bind(&embedded(), on).unwrap());
        let f = found.iter().find(|f| f.check == Check::Unpaid).unwrap();
        prop_assert_eq!(f.workers, 1);
        prop_assert_eq!(f.amount, p.lines[0].due);
        prop_assert_eq!(f.days_overdue, late);
    }
}
