//! 农民工工资支付监控预警 (SPEC §7; seed 003 ch5.2 第二节 加强农民工欠薪治理: 在工程建设领域
//! 推行农民工工资支付监控预警平台……做到早发现、早反馈、早预警、早处置), the pure part: what a
//! construction project's records say on a date against the duties of the 保障农民工工资支付条例
//! (国务院令第724号), each finding naming its article and the penalty article, graded
//! 黄/橙/红 by days overdue, amount and workers, with every threshold a dated parameter
//! (`rules`, `data/wages/thresholds.toml`). The daily run and the per-project page both
//! call `check_project` on the same `ProjectInput`.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use crate::Fen;

pub mod rules;
#[cfg(test)]
mod tests;

pub use rules::WageRules;
use rules::{minus, plus};

/// A pay period: a calendar month as `yyyymm` (202610).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Period(pub i32);

impl Period {
    pub fn of(date: NaiveDate) -> Period {
        Period(date.year() * 100 + date.month() as i32)
    }

    pub fn year(self) -> i32 {
        self.0 / 100
    }

    pub fn month(self) -> u32 {
        (self.0 % 100).unsigned_abs()
    }

    /// Parses `2026-10`, `202610` or `2026年10月`.
    pub fn parse(text: &str) -> Option<Period> {
        let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
        let t = text.trim();
        let (y, m) = if digits.len() == 6 && !t.contains('-') && !t.contains('年') {
            (digits[..4].parse::<i32>().ok()?, digits[4..].parse::<u32>().ok()?)
        } else {
            let mut parts = t.split(['-', '年', '/', '.']).filter(|s| !s.is_empty());
            let y = parts.next()?.trim().parse::<i32>().ok()?;
            let m = parts.next()?.trim_end_matches('月').trim().parse::<u32>().ok()?;
            (y, m)
        };
        ((1..=12).contains(&m) && (1990..=2100).contains(&y)).then_some(Period(y * 100 + m as i32))
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), self.month(), 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn next(self) -> Period {
        if self.month() == 12 {
            Period((self.year() + 1) * 100 + 1)
        } else {
            Period(self.0 + 1)
        }
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    /// The agreed payday of this period's wages: day `day` of the next month (Art. 14:
    /// 当期或者次期), the month's last day when it is shorter.
    pub fn payday(self, day: u32) -> NaiveDate {
        let next = self.next();
        let last = next.last_day().day();
        NaiveDate::from_ymd_opt(next.year(), next.month(), day.clamp(1, last)).unwrap_or(NaiveDate::MAX)
    }

    pub fn label(self) -> String {
        format!("{}年{}月", self.year(), self.month())
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// 黄 / 橙 / 红.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Grade {
    Yellow = 1,
    Orange = 2,
    Red = 3,
}

impl Grade {
    pub const ALL: [Grade; 3] = [Grade::Yellow, Grade::Orange, Grade::Red];

    pub fn code(self) -> i16 {
        self as i16
    }

    pub fn from_code(code: i16) -> Option<Grade> {
        Self::ALL.into_iter().find(|g| g.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Grade::Yellow => "黄",
            Grade::Orange => "橙",
            Grade::Red => "红",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Grade::Yellow => "yellow",
            Grade::Orange => "orange",
            Grade::Red => "red",
        }
    }
}

/// The grade of a finding: 黄 at least; 橙 or 红 when the days overdue, the amount or
/// the number of workers reaches that grade's threshold (any one suffices).
pub fn grade(days_overdue: i64, amount: Fen, workers: i64, r: &WageRules) -> Grade {
    let by_days = if days_overdue >= r.red_days {
        Grade::Red
    } else if days_overdue >= r.orange_days {
        Grade::Orange
    } else {
        Grade::Yellow
    };
    let by_amount = if amount >= r.red_amount {
        Grade::Red
    } else if amount >= r.orange_amount {
        Grade::Orange
    } else {
        Grade::Yellow
    };
    let by_workers = if workers >= r.red_workers {
        Grade::Red
    } else if workers >= r.orange_workers {
        Grade::Orange
    } else {
        Grade::Yellow
    };
    by_days.max(by_amount).max(by_workers)
}

/// Who must cure a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Responsible {
    /// 建设单位.
    Builder,
    /// 施工总承包单位.
    Contractor,
    /// The employer complained about (a cluster not tied to one project).
    Employer,
}

impl Responsible {
    pub fn label(self) -> &'static str {
        match self {
            Responsible::Builder => "建设单位",
            Responsible::Contractor => "施工总承包单位",
            Responsible::Employer => "用人单位",
        }
    }
}

/// The checks, each from the regulation (国务院令第724号).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Check {
    /// A month's wages not paid in full by the agreed payday.
    Unpaid,
    /// A pay line's amount due is less than the attendance at the agreed rate.
    UnderComputed,
    /// A worker with attendance in the month and no pay line.
    NoPayLine,
    /// A month with attendance and no payroll at all.
    NoPayroll,
    /// A pay line for someone not on the roster in that month.
    NotOnRoster,
    /// Pay to a card other than the worker's own.
    NotOwnCard,
    /// A pay line not signed by the worker after the payday.
    Unsigned,
    /// The builder's labor-cost transfers short of what the months' work needs.
    TransferShort,
    /// The account's balance below the next payroll, within the lookahead.
    BalanceLow,
    /// No wage account where one is required.
    NoAccount,
    /// No or short wage deposit.
    DepositShort,
    /// No notice board on an active project.
    NoNoticeBoard,
    /// No roster on an active project.
    NoRoster,
    /// Complaints clustering on one project or employer.
    ComplaintCluster,
    /// Completion near with money outstanding.
    CompletionOutstanding,
    /// 春节 near with money outstanding.
    FestivalOutstanding,
}

impl Check {
    pub const ALL: [Check; 16] = [
        Check::Unpaid,
        Check::UnderComputed,
        Check::NoPayLine,
        Check::NoPayroll,
        Check::NotOnRoster,
        Check::NotOwnCard,
        Check::Unsigned,
        Check::TransferShort,
        Check::BalanceLow,
        Check::NoAccount,
        Check::DepositShort,
        Check::NoNoticeBoard,
        Check::NoRoster,
        Check::ComplaintCluster,
        Check::CompletionOutstanding,
        Check::FestivalOutstanding,
    ];

    /// The stable code stored with a warning.
    pub fn code(self) -> &'static str {
        match self {
            Check::Unpaid => "unpaid",
            Check::UnderComputed => "under_computed",
            Check::NoPayLine => "no_pay_line",
            Check::NoPayroll => "no_payroll",
            Check::NotOnRoster => "not_on_roster",
            Check::NotOwnCard => "not_own_card",
            Check::Unsigned => "unsigned",
            Check::TransferShort => "transfer_short",
            Check::BalanceLow => "balance_low",
            Check::NoAccount => "no_account",
            Check::DepositShort => "deposit_short",
            Check::NoNoticeBoard => "no_notice_board",
            Check::NoRoster => "no_roster",
            Check::ComplaintCluster => "complaint_cluster",
            Check::CompletionOutstanding => "completion_outstanding",
            Check::FestivalOutstanding => "festival_outstanding",
        }
    }

    pub fn parse(code: &str) -> Option<Check> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Check::Unpaid => "未按约定支付日足额支付工资",
            Check::UnderComputed => "应发工资低于考勤和约定标准",
            Check::NoPayLine => "有考勤无工资支付记录",
            Check::NoPayroll => "未编制工资支付台账",
            Check::NotOnRoster => "工资发放对象不在实名花名册",
            Check::NotOwnCard => "工资未发放至农民工本人银行卡",
            Check::Unsigned => "工资支付表未经农民工本人签字确认",
            Check::TransferShort => "人工费用未按月足额拨付至专用账户",
            Check::BalanceLow => "专用账户余额不足下次发放",
            Check::NoAccount => "未按规定开设农民工工资专用账户",
            Check::DepositShort => "未按规定存储工资保证金",
            Check::NoNoticeBoard => "未设立维权信息告示牌",
            Check::NoRoster => "在建项目无实名制花名册",
            Check::ComplaintCluster => "投诉集中",
            Check::CompletionOutstanding => "临近完工仍有工资未结清",
            Check::FestivalOutstanding => "临近春节仍有工资未结清",
        }
    }

    /// The duty's article(s) in the regulation.
    pub fn article(self) -> &'static str {
        match self {
            Check::Unpaid => "第十二条、第十三条、第十四条",
            Check::UnderComputed => "第十二条、第三十一条第二款",
            Check::NoPayLine => "第三十一条第二款",
            Check::NoPayroll => "第十五条",
            Check::NotOnRoster => "第二十八条第一款",
            Check::NotOwnCard => "第十一条、第三十一条第三款",
            Check::Unsigned => "第十五条第二款、第三十一条第二款",
            Check::TransferShort => "第二十四条第二款、第二十九条第一款",
            Check::BalanceLow => "第二十九条第一款",
            Check::NoAccount => "第二十六条",
            Check::DepositShort => "第三十二条",
            Check::NoNoticeBoard => "第三十四条",
            Check::NoRoster => "第二十八条",
            Check::ComplaintCluster => "第十条、第二十九条第三款",
            Check::CompletionOutstanding => "第二十七条第二款、第二十九条",
            Check::FestivalOutstanding => "第三条、第十二条",
        }
    }

    /// The penalty article for the breach. Arrears themselves fall under 第五十三条
    /// (依照有关法律规定执行: 劳动合同法第八十五条), not under 54–57.
    pub fn penalty(self) -> &'static str {
        match self {
            Check::Unpaid | Check::UnderComputed => {
                "第五十三条：违反本条例规定拖欠农民工工资的，依照有关法律规定执行（劳动合同法第八十五条：责令限期支付；逾期不支付的，加付应付金额50%以上100%以下的赔偿金）"
            }
            Check::NoPayLine | Check::Unsigned => {
                "第五十六条第（一）项：分包单位未按月考核农民工工作量、编制工资支付表并经农民工本人签字确认，责令限期改正；逾期不改正的，处5万元以上10万元以下的罚款"
            }
            Check::NoPayroll => {
                "第五十四条第（二）项：未编制工资支付台账并依法保存，责令限期改正；逾期不改正的，对单位处2万元以上5万元以下的罚款，对直接责任人员处1万元以上3万元以下的罚款"
            }
            Check::NotOnRoster | Check::NoRoster => {
                "第五十五条第（三）项：施工总承包单位、分包单位未实行劳动用工实名制管理，责令限期改正；逾期不改正的，责令项目停工，并处5万元以上10万元以下的罚款"
            }
            Check::NotOwnCard | Check::NoAccount => {
                "第五十五条第（一）项：施工总承包单位未按规定开设或者使用农民工工资专用账户，责令限期改正；逾期不改正的，责令项目停工，并处5万元以上10万元以下的罚款"
            }
            Check::TransferShort | Check::BalanceLow => {
                "第五十七条第（二）项：建设单位未按约定及时足额向农民工工资专用账户拨付工程款中的人工费用，责令限期改正；逾期不改正的，责令项目停工，并处5万元以上10万元以下的罚款"
            }
            Check::DepositShort => {
                "第五十五条第（二）项：施工总承包单位未按规定存储工资保证金或者未提供金融机构保函，责令限期改正；逾期不改正的，责令项目停工，并处5万元以上10万元以下的罚款"
            }
            Check::NoNoticeBoard => {
                "第五十六条第（四）项：施工总承包单位未实行施工现场维权信息公示制度，责令限期改正；逾期不改正的，处5万元以上10万元以下的罚款"
            }
            Check::ComplaintCluster | Check::CompletionOutstanding | Check::FestivalOutstanding => {
                "风险预警，尚非违法认定；查实拖欠的，依第五十三条处理，情节严重的依第四十八条列入失信联合惩戒对象名单"
            }
        }
    }

    pub fn responsible(self) -> Responsible {
        match self {
            Check::TransferShort | Check::BalanceLow => Responsible::Builder,
            _ => Responsible::Contractor,
        }
    }

    /// A risk rather than a breach: graded by amount and workers only.
    pub fn is_risk(self) -> bool {
        matches!(
            self,
            Check::BalanceLow | Check::ComplaintCluster | Check::CompletionOutstanding | Check::FestivalOutstanding
        )
    }
}

/// A project's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ProjectStatus {
    /// 在建.
    Active,
    /// 停工.
    Suspended,
    /// 完工.
    Completed,
}

impl ProjectStatus {
    pub const ALL: [ProjectStatus; 3] = [ProjectStatus::Active, ProjectStatus::Suspended, ProjectStatus::Completed];

    pub fn code(self) -> i16 {
        match self {
            ProjectStatus::Active => 1,
            ProjectStatus::Suspended => 2,
            ProjectStatus::Completed => 3,
        }
    }

    pub fn from_code(code: i16) -> Option<ProjectStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ProjectStatus::Active => "在建",
            ProjectStatus::Suspended => "停工",
            ProjectStatus::Completed => "完工",
        }
    }

    pub fn parse(text: &str) -> Option<ProjectStatus> {
        Self::ALL.into_iter().find(|s| s.label() == text.trim())
    }
}

/// A worker on the roster (实名制花名册).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterWorker {
    /// The roster row's id.
    pub id: i64,
    pub entry_on: NaiveDate,
    pub exit_on: Option<NaiveDate>,
    /// The agreed daily wage.
    pub daily_rate: Fen,
    /// The last 4 digits of the worker's own wage card.
    pub card_last4: String,
}

impl RosterWorker {
    /// On the roster on some day of `p`.
    pub fn on_roster_in(&self, p: Period) -> bool {
        self.entry_on <= p.last_day() && self.exit_on.is_none_or(|x| x >= p.first_day())
    }
}

/// One line of a month's payroll (工资支付表).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayLine {
    pub id: i64,
    /// The roster row the line names, `None` when the person is not on the roster.
    pub worker: Option<i64>,
    pub period: Period,
    pub due: Fen,
    pub paid: Fen,
    pub paid_on: Option<NaiveDate>,
    pub card_last4: String,
    pub signed: bool,
}

/// A movement of the wage account: a credit (the builder's labor-cost transfer, an
/// opening balance) or a debit (wages paid out), with its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountEntry {
    pub on: NaiveDate,
    /// Positive in, negative out.
    pub amount: Fen,
    /// A labor-cost transfer from the builder (counts for Art. 24).
    pub labor_transfer: bool,
}

/// Everything the checks read about one project, as of the run date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectInput {
    pub id: i64,
    pub status: ProjectStatus,
    pub contract_value: Fen,
    pub contract_on: NaiveDate,
    pub start_on: NaiveDate,
    /// The planned completion.
    pub end_on: NaiveDate,
    /// The agreed payday: this day of the month after the work.
    pub payday: u32,
    /// The labor cost agreed per month in the contract (Art. 24); zero when not agreed,
    /// then the month's attendance at the agreed rates is what must be transferred.
    pub monthly_labor_cost: Fen,
    pub account_opened_on: Option<NaiveDate>,
    pub notice_board_on: Option<NaiveDate>,
    /// Deposits (or bank guarantees) with their dates.
    pub deposits: Vec<(NaiveDate, Fen)>,
    /// The general contractor's latest proven arrears (from closed complaints).
    pub contractor_arrears_on: Option<NaiveDate>,
    pub roster: Vec<RosterWorker>,
    /// Days of attendance per (roster row, period).
    pub attendance: BTreeMap<(i64, Period), u32>,
    pub lines: Vec<PayLine>,
    pub account: Vec<AccountEntry>,
    /// The dates of complaints about this project.
    pub complaints: Vec<NaiveDate>,
}

/// One row of a finding's evidence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Evidence {
    /// The roster row it is about, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub worker: Option<i64>,
    /// The pay line it is about, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<i64>,
    pub text: String,
}

/// The most evidence rows a finding keeps (its counts cover all of them).
pub const EVIDENCE_ROWS: usize = 50;

/// What a check found on a project on the run date.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub check: Check,
    /// What makes two days' findings the same warning (a period, a date, or empty).
    pub key: String,
    /// Days since the duty fell due (0 for a risk).
    pub days_overdue: i64,
    pub amount: Fen,
    pub workers: i64,
    pub grade: Grade,
    /// One line in Chinese.
    pub summary: String,
    pub evidence: Vec<Evidence>,
}

fn yuan(f: Fen) -> String {
    format!("{}元", f.to_yuan_compact())
}

fn days_between(a: NaiveDate, b: NaiveDate) -> i64 {
    (b - a).num_days()
}

struct Builder<'a> {
    r: &'a WageRules,
    out: Vec<Finding>,
}

impl Builder<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        check: Check,
        key: String,
        days: i64,
        amount: Fen,
        workers: i64,
        summary: String,
        evidence: Vec<Evidence>,
    ) {
        let days = if check.is_risk() { 0 } else { days.max(0) };
        let grade = grade(days, amount, workers, self.r);
        let mut evidence = evidence;
        evidence.truncate(EVIDENCE_ROWS);
        self.out.push(Finding { check, key, days_overdue: days, amount, workers, grade, summary, evidence });
    }
}

/// Per worker and period: the attendance, the lines' due and paid (paid on or before
/// the date).
#[derive(Debug, Default, Clone, Copy)]
struct Owed {
    days: u32,
    expected: Fen,
    due: Fen,
    paid: Fen,
    lines: u32,
}

/// Every finding on project `p` on `r.on`. Pure; the same for the daily run and a
/// project's page.
pub fn check_project(p: &ProjectInput, r: &WageRules) -> Vec<Finding> {
    let on = r.on;
    let mut b = Builder { r, out: Vec::new() };
    let roster: BTreeMap<i64, &RosterWorker> = p.roster.iter().map(|w| (w.id, w)).collect();
    let active = p.status == ProjectStatus::Active && p.start_on <= on;

    // Per (worker, period): attendance at the agreed rate against the payroll.
    let mut owed: BTreeMap<(i64, Period), Owed> = BTreeMap::new();
    for (&(w, per), &days) in &p.attendance {
        let rate = roster.get(&w).map_or(Fen::ZERO, |x| x.daily_rate);
        let e = owed.entry((w, per)).or_default();
        e.days += days;
        e.expected = Fen(e.expected.0.saturating_add(rate.0.saturating_mul(i64::from(days))));
    }
    let mut lines_by_period: BTreeMap<Period, Vec<&PayLine>> = BTreeMap::new();
    for l in &p.lines {
        lines_by_period.entry(l.period).or_default().push(l);
        if let Some(w) = l.worker {
            let e = owed.entry((w, l.period)).or_default();
            e.due = Fen(e.due.0.saturating_add(l.due.0));
            if l.paid_on.is_some_and(|d| d <= on) {
                e.paid = Fen(e.paid.0.saturating_add(l.paid.0));
            }
            e.lines += 1;
        }
    }
    let mut periods: Vec<Period> = owed.keys().map(|&(_, per)| per).collect();
    periods.extend(lines_by_period.keys().copied());
    periods.sort();
    periods.dedup();

    // Per period whose payday has passed.
    for &per in &periods {
        let payday = per.payday(p.payday);
        if on <= payday {
            continue;
        }
        let overdue = days_between(payday, on);
        let key = per.to_string();
        let in_period = owed.range((i64::MIN, per)..=(i64::MAX, per)).filter(|((_, q), _)| *q == per);
        let (mut unpaid, mut unpaid_workers, mut unpaid_ev) = (0i64, 0i64, Vec::new());
        let (mut under, mut under_workers, mut under_ev) = (0i64, 0i64, Vec::new());
        let (mut noline, mut noline_workers, mut noline_ev) = (0i64, 0i64, Vec::new());
        let mut attended = false;
        for (&(w, _), o) in in_period {
            if o.days > 0 {
                attended = true;
            }
            let owed_now = o.expected.max(o.due);
            let short = owed_now.0 - o.paid.0;
            if short > 0 {
                unpaid += short;
                unpaid_workers += 1;
                unpaid_ev.push(Evidence {
                    worker: Some(w),
                    line: None,
                    text: format!(
                        "{}：出勤{}天，应发{}，已发{}，欠{}",
                        per.label(),
                        o.days,
                        yuan(owed_now),
                        yuan(o.paid),
                        yuan(Fen(short))
                    ),
                });
            }
            if o.lines > 0 && o.due < o.expected {
                let gap = o.expected.0 - o.due.0;
                under += gap;
                under_workers += 1;
                under_ev.push(Evidence {
                    worker: Some(w),
                    line: None,
                    text: format!(
                        "{}：出勤{}天按约定{}计应发{}，工资支付表只列{}",
                        per.label(),
                        o.days,
                        yuan(roster.get(&w).map_or(Fen::ZERO, |x| x.daily_rate)),
                        yuan(o.expected),
                        yuan(o.due)
                    ),
                });
            }
            if o.days > 0 && o.lines == 0 {
                noline += o.expected.0;
                noline_workers += 1;
                noline_ev.push(Evidence {
                    worker: Some(w),
                    line: None,
                    text: format!("{}：出勤{}天，工资支付表无此人", per.label(), o.days),
                });
            }
        }
        let has_lines = lines_by_period.get(&per).is_some_and(|l| !l.is_empty());
        if unpaid > 0 {
            b.push(
                Check::Unpaid,
                key.clone(),
                overdue,
                Fen(unpaid),
                unpaid_workers,
                format!(
                    "{}工资应于{}前发放，逾期{}天仍欠{}人{}",
                    per.label(),
                    payday,
                    overdue,
                    unpaid_workers,
                    yuan(Fen(unpaid))
                ),
                unpaid_ev,
            );
        }
        if under > 0 {
            b.push(
                Check::UnderComputed,
                key.clone(),
                overdue,
                Fen(under),
                under_workers,
                format!("{}工资支付表少计{}人{}", per.label(), under_workers, yuan(Fen(under))),
                under_ev,
            );
        }
        if attended && !has_lines {
            b.push(
                Check::NoPayroll,
                key.clone(),
                overdue,
                Fen(noline),
                noline_workers,
                format!("{}有{}人出勤，发薪日{}已过，未编制工资支付台账", per.label(), noline_workers, payday),
                noline_ev,
            );
        } else if noline_workers > 0 {
            b.push(
                Check::NoPayLine,
                key.clone(),
                overdue,
                Fen(noline),
                noline_workers,
                format!("{}有{}人有考勤但工资支付表无其工资", per.label(), noline_workers),
                noline_ev,
            );
        }
        let unsigned: Vec<&&PayLine> =
            lines_by_period.get(&per).map(|l| l.iter().filter(|l| !l.signed).collect()).unwrap_or_default();
        if !unsigned.is_empty() {
            let amount = unsigned.iter().map(|l| l.due.0).sum();
            b.push(
                Check::Unsigned,
                key.clone(),
                overdue,
                Fen(amount),
                unsigned.len() as i64,
                format!("{}工资支付表有{}行未经本人签字确认", per.label(), unsigned.len()),
                unsigned
                    .iter()
                    .map(|l| Evidence {
                        worker: l.worker,
                        line: Some(l.id),
                        text: format!("{}：应发{}，未签字", per.label(), yuan(l.due)),
                    })
                    .collect(),
            );
        }
    }

    // Lines for people not on the roster that month, and pay to another card: as soon
    // as the line exists.
    for (&per, lines) in &lines_by_period {
        if per.first_day() > on {
            continue;
        }
        let off: Vec<&&PayLine> = lines
            .iter()
            .filter(|l| l.worker.and_then(|w| roster.get(&w)).is_none_or(|w| !w.on_roster_in(per)))
            .collect();
        if !off.is_empty() {
            let since = off.iter().filter_map(|l| l.paid_on).min().unwrap_or(per.payday(p.payday));
            b.push(
                Check::NotOnRoster,
                per.to_string(),
                days_between(since, on),
                Fen(off.iter().map(|l| l.due.0).sum()),
                off.len() as i64,
                format!("{}工资支付表有{}人不在当月实名花名册", per.label(), off.len()),
                off.iter()
                    .map(|l| Evidence {
                        worker: l.worker,
                        line: Some(l.id),
                        text: format!("{}：应发{}，不在花名册或不在进退场期间", per.label(), yuan(l.due)),
                    })
                    .collect(),
            );
        }
        let other_card: Vec<(&&PayLine, &RosterWorker)> = lines
            .iter()
            .filter(|l| l.paid.0 > 0 && l.paid_on.is_some_and(|d| d <= on))
            .filter_map(|l| l.worker.and_then(|w| roster.get(&w)).map(|w| (l, *w)))
            .filter(|(l, w)| l.card_last4.trim() != w.card_last4.trim())
            .collect();
        if !other_card.is_empty() {
            let since = other_card.iter().filter_map(|(l, _)| l.paid_on).min().unwrap_or(on);
            b.push(
                Check::NotOwnCard,
                per.to_string(),
                days_between(since, on),
                Fen(other_card.iter().map(|(l, _)| l.paid.0).sum()),
                other_card.len() as i64,
                format!("{}有{}人的工资发到非本人登记的银行卡", per.label(), other_card.len()),
                other_card
                    .iter()
                    .map(|(l, w)| Evidence {
                        worker: Some(w.id),
                        line: Some(l.id),
                        text: format!(
                            "{}：实发{}至尾号{}，本人工资卡尾号{}",
                            per.label(),
                            yuan(l.paid),
                            l.card_last4,
                            w.card_last4
                        ),
                    })
                    .collect(),
            );
        }
    }

    // The wage account: transfers against the months' labor cost (Art. 24), balance
    // against the next payroll.
    let required = |per: Period| -> i64 {
        if p.monthly_labor_cost.0 > 0 {
            p.monthly_labor_cost.0
        } else {
            owed.iter().filter(|((_, q), _)| *q == per).map(|(_, o)| o.expected.max(o.due).0).sum()
        }
    };
    let work_periods: Vec<Period> = {
        let mut v: Vec<Period> =
            periods.iter().copied().filter(|q| q.first_day() >= p.start_on.with_day(1).unwrap_or(p.start_on)).collect();
        if p.monthly_labor_cost.0 > 0 && active {
            // With an agreed monthly cost every month since the start counts.
            let mut q = Period::of(p.start_on);
            while q.payday(p.payday) < on && q <= Period::of(on) {
                v.push(q);
                q = q.next();
            }
            v.sort();
            v.dedup();
        }
        v
    };
    let transferred_by =
        |d: NaiveDate| -> i64 { p.account.iter().filter(|e| e.labor_transfer && e.on <= d).map(|e| e.amount.0).sum() };
    let mut cumulative = 0i64;
    let mut short_since: Option<(Period, NaiveDate)> = None;
    for &per in &work_periods {
        let payday = per.payday(p.payday);
        if payday >= on {
            break;
        }
        cumulative += required(per);
        let short = cumulative - transferred_by(payday);
        if short > 0 {
            if short_since.is_none() {
                short_since = Some((per, payday));
            }
        } else {
            short_since = None;
        }
    }
    if let Some((from, payday)) = short_since {
        let now_short = cumulative - transferred_by(on);
        if now_short > 0 {
            b.push(
                Check::TransferShort,
                String::new(),
                days_between(payday, on),
                Fen(now_short),
                0,
                format!(
                    "自{}起人工费用拨付不足：截至{}应拨{}，实拨{}，差{}",
                    from.label(),
                    on,
                    yuan(Fen(cumulative)),
                    yuan(Fen(transferred_by(on))),
                    yuan(Fen(now_short))
                ),
                Vec::new(),
            );
        }
    }
    let balance: i64 = p.account.iter().filter(|e| e.on <= on).map(|e| e.amount.0).sum();
    if let Some(next) = periods.iter().copied().find(|q| q.payday(p.payday) >= on) {
        let payday = next.payday(p.payday);
        if payday <= plus(on, r.balance_lookahead) {
            let (mut need, mut workers) = (0i64, 0i64);
            for ((_, q), o) in &owed {
                if *q == next {
                    let left = o.expected.max(o.due).0 - o.paid.0;
                    if left > 0 {
                        need += left;
                        workers += 1;
                    }
                }
            }
            if need > balance.max(0) {
                b.push(
                    Check::BalanceLow,
                    next.to_string(),
                    0,
                    Fen(need - balance.max(0)),
                    workers,
                    format!(
                        "{}发薪日{}应发{}人{}，专用账户余额{}，缺口{}",
                        next.label(),
                        payday,
                        workers,
                        yuan(Fen(need)),
                        yuan(Fen(balance)),
                        yuan(Fen(need - balance.max(0)))
                    ),
                    Vec::new(),
                );
            }
        }
    }

    // The account itself (Art. 26) and the deposit (Art. 32).
    let long_enough = plus(p.start_on, r.account_min_duration) <= p.end_on;
    if p.contract_value >= r.account_min_contract && long_enough && p.status != ProjectStatus::Completed {
        let due = plus(p.contract_on, r.account_open_within);
        if on > due && p.account_opened_on.is_none_or(|d| d > on) {
            b.push(
                Check::NoAccount,
                String::new(),
                days_between(due, on),
                Fen::ZERO,
                p.roster.iter().filter(|w| w.exit_on.is_none_or(|x| x >= on)).count() as i64,
                format!(
                    "合同额{}、工期{}至{}，应于{}前开设专用账户，至今未开设",
                    yuan(p.contract_value),
                    p.start_on,
                    p.end_on,
                    due
                ),
                Vec::new(),
            );
        }
    }
    let recent_arrears = p.contractor_arrears_on.is_some_and(|d| d <= on && d > minus(on, r.deposit_clean_period));
    let exempt = p.contract_value < r.deposit_exempt_below && !recent_arrears;
    if !exempt && p.status != ProjectStatus::Completed {
        let rate = if recent_arrears { r.deposit_rate_after_arrears } else { r.deposit_rate };
        let needed = Fen(rate.times_fen_floor(p.contract_value.0).unwrap_or(i64::MAX));
        let due = plus(p.contract_on, r.deposit_due_within);
        let held: i64 = p.deposits.iter().filter(|(d, _)| *d <= on).map(|(_, a)| a.0).sum();
        if on > due && held < needed.0 {
            b.push(
                Check::DepositShort,
                String::new(),
                days_between(due, on),
                Fen(needed.0 - held),
                0,
                format!(
                    "应按合同额{}的{}存储工资保证金{}（{}前），已存{}",
                    yuan(p.contract_value),
                    percent(rate),
                    yuan(needed),
                    due,
                    yuan(Fen(held))
                ),
                Vec::new(),
            );
        }
    }

    // The site: the notice board (Art. 34) and the roster (Art. 28).
    if active {
        let due = plus(p.start_on, r.notice_board_within);
        if on > due && p.notice_board_on.is_none_or(|d| d > on) {
            b.push(
                Check::NoNoticeBoard,
                String::new(),
                days_between(due, on),
                Fen::ZERO,
                0,
                format!("{}开工，应于{}前设立维权信息告示牌，未设立", p.start_on, due),
                Vec::new(),
            );
        }
        let due = plus(p.start_on, r.roster_within);
        if on > due && !p.roster.iter().any(|w| w.entry_on <= on) {
            b.push(
                Check::NoRoster,
                String::new(),
                days_between(due, on),
                Fen::ZERO,
                0,
                format!("{}开工，至今无实名制花名册", p.start_on),
                Vec::new(),
            );
        }
    }

    // Complaints clustering on the project.
    let window_from = minus(on, r.cluster_window);
    let recent = p.complaints.iter().filter(|d| **d > window_from && **d <= on).count() as i64;
    if recent >= r.cluster_min_complaints {
        b.push(
            Check::ComplaintCluster,
            String::new(),
            0,
            Fen::ZERO,
            recent,
            format!("{}至{}收到{}件投诉", window_from.succ_opt().unwrap_or(window_from), on, recent),
            Vec::new(),
        );
    }

    // Completion or 春节 near with wages outstanding beyond the account's balance.
    let outstanding: i64 = owed.values().map(|o| (o.expected.max(o.due).0 - o.paid.0).max(0)).sum();
    let uncovered = outstanding - balance.max(0);
    let owed_workers = owed
        .iter()
        .filter(|(_, o)| o.expected.max(o.due).0 > o.paid.0)
        .map(|((w, _), _)| *w)
        .collect::<std::collections::BTreeSet<_>>()
        .len() as i64;
    if active && uncovered > 0 && p.end_on >= on && p.end_on <= plus(on, r.completion_lookahead) {
        b.push(
            Check::CompletionOutstanding,
            p.end_on.to_string(),
            0,
            Fen(uncovered),
            owed_workers,
            format!(
                "计划{}完工，尚有{}人工资{}未结清，专用账户余额{}",
                p.end_on,
                owed_workers,
                yuan(Fen(outstanding)),
                yuan(Fen(balance))
            ),
            Vec::new(),
        );
    }
    if p.status != ProjectStatus::Completed && uncovered > 0 {
        if let Some(f) = r.festivals.iter().copied().find(|f| *f >= on && *f <= plus(on, r.festival_lookahead)) {
            b.push(
                Check::FestivalOutstanding,
                f.to_string(),
                0,
                Fen(uncovered),
                owed_workers,
                format!(
                    "春节（{}）前尚有{}人工资{}未结清，专用账户余额{}",
                    f,
                    owed_workers,
                    yuan(Fen(outstanding)),
                    yuan(Fen(balance))
                ),
                Vec::new(),
            );
        }
    }
    b.out
}

fn percent(r: crate::policy::value::Rational) -> String {
    let hundred = r.checked_mul(crate::policy::value::Rational::int(100));
    match hundred {
        Some(h) if h.den() == 1 => format!("{}%", h.num()),
        Some(h) => format!("{}/{}%", h.num(), h.den()),
        None => "?".to_string(),
    }
}

/// Complaints about one employer (across its projects or none) clustering: the
/// employers with at least the threshold in the window ending on `r.on`, with their
/// counts.
pub fn employer_clusters<'a>(
    complaints: impl IntoIterator<Item = (&'a str, NaiveDate)>,
    r: &WageRules,
) -> Vec<(String, i64)> {
    let from = minus(r.on, r.cluster_window);
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for (who, d) in complaints {
        if d > from && d <= r.on {
            *counts.entry(who).or_default() += 1;
        }
    }
    counts.into_iter().filter(|(_, n)| *n >= r.cluster_min_complaints).map(|(w, n)| (w.to_string(), n)).collect()
}

/// A warning's handling state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum WarningState {
    /// 待分派.
    Open,
    /// 已分派.
    Assigned,
    /// 处置中.
    Working,
    /// 已办结: closed by an inspector with a note.
    Closed,
    /// 已解除: the cause was cured, found by the daily run.
    Resolved,
}

impl WarningState {
    pub const ALL: [WarningState; 5] = [
        WarningState::Open,
        WarningState::Assigned,
        WarningState::Working,
        WarningState::Closed,
        WarningState::Resolved,
    ];

    pub fn code(self) -> i16 {
        match self {
            WarningState::Open => 1,
            WarningState::Assigned => 2,
            WarningState::Working => 3,
            WarningState::Closed => 4,
            WarningState::Resolved => 5,
        }
    }

    pub fn from_code(code: i16) -> Option<WarningState> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            WarningState::Open => "待分派",
            WarningState::Assigned => "已分派",
            WarningState::Working => "处置中",
            WarningState::Closed => "已办结",
            WarningState::Resolved => "已解除",
        }
    }

    /// Still to be worked (the run updates it, the list shows it).
    pub fn is_live(self) -> bool {
        matches!(self, WarningState::Open | WarningState::Assigned | WarningState::Working)
    }
}

/// When a warning of `grade` assigned on `assigned_on` must be closed.
pub fn handling_deadline(grade: Grade, assigned_on: NaiveDate, r: &WageRules) -> NaiveDate {
    let i = match grade {
        Grade::Yellow => 0,
        Grade::Orange => 1,
        Grade::Red => 2,
    };
    plus(assigned_on, r.handle_within[i])
}

/// The escalation level a live warning should have on `r.on`: 0 in its district; 1
/// (市级督办) once past its deadline; 2 once past twice the time again. A warning never
/// assigned counts from the day it was raised.
pub fn escalation(grade: Grade, since: NaiveDate, r: &WageRules) -> i16 {
    let first = handling_deadline(grade, since, r);
    if r.on <= first {
        return 0;
    }
    let second = handling_deadline(grade, first, r);
    if r.on <= second {
        1
    } else {
        2
    }
}

pub fn escalation_label(level: i16) -> &'static str {
    match level {
        0 => "区县处置",
        1 => "逾期：市级督办",
        _ => "严重逾期：市级挂牌督办",
    }
}

/// A complaint's state on the 工资争议速裁 fast track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ComplaintState {
    /// 已受理.
    Received,
    /// 速裁中.
    FastTrack,
    /// 已结案：拖欠属实.
    Proven,
    /// 已结案：不属实或已调解.
    Dismissed,
}

impl ComplaintState {
    pub const ALL: [ComplaintState; 4] =
        [ComplaintState::Received, ComplaintState::FastTrack, ComplaintState::Proven, ComplaintState::Dismissed];

    pub fn code(self) -> i16 {
        match self {
            ComplaintState::Received => 1,
            ComplaintState::FastTrack => 2,
            ComplaintState::Proven => 3,
            ComplaintState::Dismissed => 4,
        }
    }

    pub fn from_code(code: i16) -> Option<ComplaintState> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ComplaintState::Received => "已受理",
            ComplaintState::FastTrack => "速裁中",
            ComplaintState::Proven => "已结案：拖欠属实",
            ComplaintState::Dismissed => "已结案：不属实或已调解",
        }
    }

    pub fn is_open(self) -> bool {
        matches!(self, ComplaintState::Received | ComplaintState::FastTrack)
    }
}

/// The 失信 listing of an employer with proven arrears on `proven_on`: listed until
/// the term ends; may ask to leave early once paid in full and the early-removal time
/// has passed since (人社部令第45号).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Listing {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

pub fn listing(proven_on: NaiveDate, r: &WageRules) -> Listing {
    Listing { from: proven_on, until: plus(proven_on, r.blacklist_term) }
}

/// The first day an employer listed on `from` that paid everything on `paid_on` may
/// be removed early, or `None` when not yet paid.
pub fn early_removal_from(paid_on: Option<NaiveDate>, r: &WageRules) -> Option<NaiveDate> {
    paid_on.map(|d| plus(d, r.blacklist_early_removal))
}
