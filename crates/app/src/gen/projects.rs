//! Synthetic construction projects for the wage warnings (`jiujin gen --projects N`):
//! each with a site in a real town, a builder and a general contractor, a roster of
//! 20 to 100 workers with identity numbers valid in form but random, a month of daily
//! attendance (the month before the date), that month's payroll, the wage account's
//! transfers and payouts, deposits, the notice board, and complaints; with every kind
//! of breach planted at the rates below (deterministic for a seed).

use chrono::{Datelike, Days, NaiveDate};
use jiujin_domain::identity::{CreditCode, IdNumber};
use jiujin_domain::refdata::RefData;
use jiujin_domain::wages::{Period, ProjectStatus};
use jiujin_domain::Fen;
use jiujin_store::wages::{NewEntry, NewProject};
use jiujin_store::wages_bulk::{BulkLine, BulkProject, BulkWorker};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::crypto::Keys;

/// The random stream of projects (workers use stream 0, facts 1, jobs 2).
const STREAM: u64 = 3;

/// Planted breaches: the share of projects (or of their workers) affected.
pub mod rates {
    /// The month not paid by the payday (all workers, or a fifth of them).
    pub const UNPAID: f64 = 0.03;
    pub const NO_PAYROLL: f64 = 0.01;
    pub const UNDERPAID: f64 = 0.02;
    pub const MISSING_LINE: f64 = 0.02;
    pub const OFF_ROSTER: f64 = 0.01;
    pub const OTHER_CARD: f64 = 0.01;
    pub const UNSIGNED: f64 = 0.02;
    pub const TRANSFER_SHORT: f64 = 0.04;
    pub const NO_ACCOUNT: f64 = 0.03;
    pub const DEPOSIT_SHORT: f64 = 0.05;
    pub const NO_BOARD: f64 = 0.03;
    pub const NO_ROSTER: f64 = 0.005;
    pub const COMPLAINTS: f64 = 0.02;
}

const GIVEN: &[&str] =
    &["建", "国", "明", "华", "强", "军", "平", "勇", "伟", "刚", "芳", "丽", "红", "兵", "涛", "林", "波", "超"];
const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "谭", "冉", "向", "秦"];
const KINDS: &[&str] = &["安置房", "道路改造", "学校", "医院", "产业园厂房", "污水处理厂", "桥梁", "商住楼"];
const TEAMS: &[&str] = &["木工班", "钢筋班", "泥工班", "水电班", "架子班", "杂工班"];

fn credit(rng: &mut ChaCha8Rng, region6: &str, prefix: &str) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let body: String = (0..8).map(|_| char::from(CHARS[rng.gen_range(0..CHARS.len())])).collect();
    CreditCode::from_parts(prefix, region6, &body).map(|c| c.as_str().to_string()).unwrap_or_default()
}

/// Generates project `i` of a run with `seed` on `as_of` (attendance in the month
/// before). Towns are the city's real ones.
pub fn project(
    i: u64,
    seed: u64,
    as_of: NaiveDate,
    refdata: &RefData,
    towns: &[(i64, String)],
    keys: &Keys,
) -> BulkProject {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(STREAM);
    rng.set_word_pos(u128::from(i) * 1_000_000);
    let (region, region6) = towns[rng.gen_range(0..towns.len())].clone();
    let place = jiujin_domain::RegionCode::from_i64(region).map(|r| refdata.region_path(r)).unwrap_or_default();
    let chance = |rng: &mut ChaCha8Rng, p: f64| rng.gen_bool(p);
    // Contract: 0.5 to 200 million yuan, log-uniform.
    let yuan = (10f64).powf(rng.gen_range(5.7..8.3)) as i64;
    let contract_value = Fen::from_yuan(yuan);
    let start_on = as_of - Days::new(rng.gen_range(40..700));
    let contract_on = start_on - Days::new(rng.gen_range(5..60));
    let end_on = start_on + Days::new(rng.gen_range(150..1000));
    let status = if end_on < as_of { ProjectStatus::Completed } else { ProjectStatus::Active };
    let payday = rng.gen_range(5..=25u32);
    let required = contract_value >= Fen::from_yuan(4_000_000);
    let account_opened_on =
        (!(required && chance(&mut rng, rates::NO_ACCOUNT))).then(|| contract_on + Days::new(rng.gen_range(1..30)));
    let notice_board_on = (!chance(&mut rng, rates::NO_BOARD)).then(|| start_on + Days::new(rng.gen_range(0..7)));
    let builder_code = credit(&mut rng, &region6, "12");
    let contractor_code = credit(&mut rng, &region6, "91");
    let kind = KINDS[rng.gen_range(0..KINDS.len())];
    let project = NewProject {
        code: format!("GC{:04}{:07}", as_of.year() % 10_000, i + 1),
        name: format!("{}{}{}号项目", place.rsplit(' ').next().unwrap_or(""), kind, i % 97 + 1),
        region,
        address: place.clone(),
        builder_code,
        builder_name: format!("{}建设投资有限公司", place.split(' ').nth(1).unwrap_or("重庆")),
        contractor_code,
        contractor_name: format!("重庆{}建工集团第{}工程有限公司", GIVEN[rng.gen_range(0..GIVEN.len())], i % 9 + 1),
        contract_value,
        contract_on,
        start_on,
        end_on,
        status,
        payday,
        monthly_labor_cost: Fen::ZERO,
        account_opened_on,
        notice_board_on,
    };
    let mut deposits = Vec::new();
    if contract_value >= Fen::from_yuan(3_000_000) {
        let needed = contract_value.0 / 100;
        if !chance(&mut rng, rates::DEPOSIT_SHORT) {
            deposits.push((contract_on + Days::new(rng.gen_range(1..30)), needed, "银行保函".to_string()));
        } else if rng.gen_bool(0.5) {
            deposits.push((contract_on + Days::new(rng.gen_range(1..30)), needed / 2, "现金".to_string()));
        }
    }
    let period = Period::of(Period::of(as_of).first_day() - Days::new(1));
    let mut out = BulkProject {
        project,
        roster: Vec::new(),
        attendance: Vec::new(),
        lines: Vec::new(),
        entries: Vec::new(),
        deposits,
        complaints: Vec::new(),
    };
    if chance(&mut rng, rates::COMPLAINTS) {
        for _ in 0..rng.gen_range(1..=4) {
            out.complaints.push((
                as_of - Days::new(rng.gen_range(0..30)),
                rng.gen_range(1_000..50_000) * 100,
                rng.gen_range(1..8),
            ));
        }
    }
    if status == ProjectStatus::Completed || chance(&mut rng, rates::NO_ROSTER) {
        return out;
    }
    let n = rng.gen_range(20..=100usize);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..n {
        let birth = NaiveDate::from_ymd_opt(rng.gen_range(1966..2004), rng.gen_range(1..=12), rng.gen_range(1..=28))
            .unwrap_or(as_of);
        let seq: u16 = rng.gen_range(1..999);
        let district = &region6;
        let Ok(id) = IdNumber::from_parts(district, birth, seq) else { continue };
        if !seen.insert(id.as_str().to_string()) {
            continue;
        }
        out.roster.push(BulkWorker {
            id_hmac: keys.id_hmac(&id),
            id_masked: id.masked(),
            name: format!(
                "{}{}{}",
                SURNAMES[rng.gen_range(0..SURNAMES.len())],
                GIVEN[rng.gen_range(0..GIVEN.len())],
                GIVEN[rng.gen_range(0..GIVEN.len())]
            ),
            team: TEAMS[rng.gen_range(0..TEAMS.len())].to_string(),
            entry_on: start_on.max(period.first_day() - Days::new(rng.gen_range(0..200))),
            exit_on: None,
            daily_rate: rng.gen_range(250..=450) * 100,
            card_last4: format!("{:04}", rng.gen_range(0..10_000)),
        });
    }
    // A month of attendance: each worker 15 to 28 of the month's days.
    let last = period.last_day().day();
    let mut worked = vec![0u32; out.roster.len()];
    for (w, count) in worked.iter_mut().enumerate() {
        let k = rng.gen_range(15..=28u32.min(last));
        let mut days: Vec<u32> = (1..=last).collect();
        for j in 0..k as usize {
            let pick = rng.gen_range(j..days.len());
            days.swap(j, pick);
        }
        for &day in &days[..k as usize] {
            if let Some(date) = NaiveDate::from_ymd_opt(period.year(), period.month(), day) {
                out.attendance.push((w as u32, date));
            }
        }
        *count = k;
    }
    // The payroll of that month and the account.
    let payday_on = period.payday(payday);
    let paid_by_payday = payday_on <= as_of;
    let unpaid_all = chance(&mut rng, rates::UNPAID / 2.0);
    let unpaid_some = chance(&mut rng, rates::UNPAID / 2.0);
    let no_payroll = chance(&mut rng, rates::NO_PAYROLL);
    let underpaid = chance(&mut rng, rates::UNDERPAID);
    let missing = chance(&mut rng, rates::MISSING_LINE);
    let unsigned = chance(&mut rng, rates::UNSIGNED);
    let mut total_due = 0i64;
    let mut total_paid = 0i64;
    if !no_payroll {
        for (w, worker) in out.roster.iter().enumerate() {
            let expected = worker.daily_rate * i64::from(worked[w]);
            total_due += expected;
            if missing && w < 2 {
                continue;
            }
            let due = if underpaid && rng.gen_bool(0.1) {
                expected - worker.daily_rate * rng.gen_range(1..=3)
            } else {
                expected
            };
            let unpaid = unpaid_all || (unpaid_some && rng.gen_bool(0.2)) || !paid_by_payday;
            let paid = if unpaid { 0 } else { due };
            total_paid += paid;
            out.lines.push(BulkLine {
                worker: Some(w),
                id_hmac: worker.id_hmac,
                id_masked: worker.id_masked.clone(),
                name: worker.name.clone(),
                period,
                due,
                paid,
                paid_on: (paid > 0).then_some(payday_on),
                card_last4: if w == 0 && chance(&mut rng, rates::OTHER_CARD) {
                    "0000".to_string()
                } else {
                    worker.card_last4.clone()
                },
                signed: !(unsigned && rng.gen_bool(0.1)),
            });
        }
        if chance(&mut rng, rates::OFF_ROSTER) {
            let birth = NaiveDate::from_ymd_opt(1980, 5, 5).unwrap_or(as_of);
            if let Ok(id) = IdNumber::from_parts(&region6, birth, 999) {
                out.lines.push(BulkLine {
                    worker: None,
                    id_hmac: keys.id_hmac(&id),
                    id_masked: id.masked(),
                    name: "代领人".to_string(),
                    period,
                    due: 800_000,
                    paid: 800_000,
                    paid_on: Some(payday_on),
                    card_last4: "8888".to_string(),
                    signed: true,
                });
                total_paid += 800_000;
            }
        }
    }
    if account_opened_on.is_some() || !required {
        let share = if chance(&mut rng, rates::TRANSFER_SHORT) { rng.gen_range(0.7..0.95) } else { 1.05 };
        let transfer = (total_due as f64 * share) as i64;
        if transfer > 0 {
            out.entries.push(NewEntry {
                on: payday_on - Days::new(rng.gen_range(1..10)),
                amount: Fen(transfer),
                kind: 1,
                reference: format!("BK{}-{}", period.0, i),
            });
        }
        if total_paid > 0 {
            out.entries.push(NewEntry {
                on: payday_on,
                amount: Fen(-total_paid),
                kind: 2,
                reference: format!("DF{}-{}", period.0, i),
            });
        }
    }
    out
}

/// The towns of the city as (region, 6-digit district code).
pub fn towns(refdata: &RefData) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    for &d in refdata.districts() {
        let d6: String = d.short().chars().take(6).collect();
        for &t in refdata.children(d) {
            out.push((t.as_i64(), d6.clone()));
        }
    }
    out
}
