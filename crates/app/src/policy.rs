//! The policy service's use of the registry: what a registered person is entitled to
//! on a date, with the reasons, from the facts the registry holds
//! (`domain::policy::registry`; the read is audited like any read of a person), and
//! the 免申即享 run that proposes payouts for a region (`run_batch`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::NaiveDate;
use jiujin_domain::audit::AuditAction;
use jiujin_domain::identity::IdNumber;
use jiujin_domain::policy::eval::Bound;
use jiujin_domain::policy::facts::stored_text;
use jiujin_domain::policy::facts::FactId;
use jiujin_domain::policy::registry::{add_recorded, person_facts};
use jiujin_domain::policy::value::Value;
use jiujin_domain::policy::{EntityKind, Evaluation, Facts, Library, Period, Status};
use jiujin_domain::RegionCode;
use jiujin_store::policy::{self as store_policy, NewPayout, RunCounts};
use jiujin_store::registry::{list_persons, PersonFilter, StoredPerson};
use jiujin_store::{audit, Scope, Store};

use crate::Keys;

pub mod registers;

/// Why an evaluation from the registry could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("公民身份号码无效：{0}")]
    BadIdNumber(String),
    #[error("登记库中没有此公民身份号码的人员（或不在您的管辖范围内）")]
    NotRegistered,
    #[error("统一社会信用代码无效：{0}")]
    BadCreditCode(String),
    #[error("用人单位登记库中没有统一社会信用代码为 {0} 的单位（可用 jiujin import employers 导入）")]
    EmployerNotRegistered(String),
    #[error("{0}")]
    Facts(String),
    #[error("没有编号为“{0}”的政策（用 jiujin policy list 查看）")]
    UnknownPolicy(String),
    #[error("{0}")]
    NotAutomatic(String),
    #[error("{0}")]
    NotInForce(String),
    #[error("区划代码 {0} 不是重庆市或其区县、乡镇（街道）、村（社区）")]
    UnknownRegion(String),
    #[error(transparent)]
    Store(#[from] jiujin_store::StoreError),
}

/// A registered person's facts and what each person policy gives them on `date`.
#[derive(Debug)]
pub struct Entitlements {
    pub person: StoredPerson,
    pub facts: Facts,
    pub results: Vec<Evaluation>,
}

/// The facts and evaluations of `person` on `date`: the registry's facts and the
/// recorded facts in force on that date (`recorded_facts`). No read, no audit: the
/// caller has read the person inside its scope and audits that read.
pub fn evaluate_person(
    library: &Library,
    person: &StoredPerson,
    recorded: Vec<(FactId, Value)>,
    masked_id: Option<String>,
    date: NaiveDate,
) -> Result<(Facts, Vec<Evaluation>), PolicyError> {
    let mut facts = person_facts(&person.state, masked_id).map_err(|e| PolicyError::Facts(e.to_string()))?;
    add_recorded(&mut facts, recorded).map_err(|e| PolicyError::Facts(e.to_string()))?;
    let results = library.evaluate_all(&facts, date);
    Ok((facts, results))
}

/// One recorded fact of a person, in force on a date, with where it came from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecordedFact {
    pub fact: String,
    pub label: String,
    pub value: String,
    pub valid_from: NaiveDate,
    pub source: String,
}

/// The recorded facts of a person (inside `scope`) in force on `date`, parsed, and
/// as shown to users.
pub async fn recorded_facts(
    store: &Store,
    scope: Scope,
    person_id: i64,
    date: NaiveDate,
) -> Result<(Vec<(FactId, Value)>, Vec<RecordedFact>), PolicyError> {
    use jiujin_domain::policy::facts::{fact_by_key, parse_stored};
    let rows = jiujin_store::facts::in_force(store, scope, person_id, date).await?;
    let mut parsed = Vec::with_capacity(rows.len());
    let mut shown = Vec::with_capacity(rows.len());
    for r in rows {
        let bad = |why: String| PolicyError::Facts(format!("人员 {person_id} 的事实“{}”：{why}", r.fact));
        let id = fact_by_key(&r.fact).ok_or_else(|| bad("不在事实词表中".into()))?;
        let v = parse_stored(id.def(), &r.value).map_err(bad)?;
        let value = match &v {
            Value::Money(f) => format!("{}元", f.to_yuan_compact()),
            Value::Bool(b) => (if *b { "是" } else { "否" }).to_string(),
            other => stored_text(other),
        };
        shown.push(RecordedFact {
            fact: r.fact.clone(),
            label: id.def().label.to_string(),
            value,
            valid_from: r.valid_from,
            source: r.source.clone(),
        });
        parsed.push((id, v));
    }
    Ok((parsed, shown))
}

/// Looks the person up by identity number inside `scope`, evaluates every person
/// policy on `date`, and records the read (`person.read`, via `policy.eval`).
pub async fn entitlements_by_id_number(
    store: &Store,
    keys: &Keys,
    library: &Library,
    scope: Scope,
    id_number: &str,
    date: NaiveDate,
    by: &audit::Context,
) -> Result<Entitlements, PolicyError> {
    let today = chrono::Utc::now().date_naive();
    let id = IdNumber::parse(id_number.trim(), today).map_err(|e| PolicyError::BadIdNumber(e.to_string()))?;
    let filter = PersonFilter { id_hmac: Some(keys.id_hmac(&id)), ..Default::default() };
    let page = list_persons(store, scope, &filter, 0, 1).await?;
    let person = page.rows.into_iter().next().ok_or(PolicyError::NotRegistered)?;
    let (recorded, _) = recorded_facts(store, scope, person.id, date).await?;
    let (facts, results) = evaluate_person(library, &person, recorded, Some(id.masked()), date)?;
    let detail = serde_json::json!({
        "via": "policy.eval",
        "date": date,
        "eligible": results.iter().filter(|e| e.eligible).map(|e| e.policy.as_str()).collect::<Vec<_>>(),
    });
    audit::record(store, &by.entry(AuditAction::PersonRead, "person", Some(person.id.to_string()), detail)).await?;
    Ok(Entitlements { person, facts, results })
}

/// A registered employer's facts and what each employer policy gives it on `date`.
#[derive(Debug)]
pub struct EmployerEntitlements {
    pub employer: jiujin_store::entity::employer::Model,
    pub facts: Facts,
    pub results: Vec<Evaluation>,
}

/// What a registered employer (by 统一社会信用代码) may obtain on `date`, from the
/// employer register's facts (`employer_facts`): the employer policies of the library,
/// each condition met, failed or waiting for a fact the register does not hold.
pub async fn employer_entitlements(
    store: &Store,
    library: &Library,
    credit_code: &str,
    date: NaiveDate,
) -> Result<EmployerEntitlements, PolicyError> {
    use jiujin_domain::identity::CreditCode;
    use jiujin_domain::jobs::EmployerSize;
    let (code, _) = CreditCode::parse(credit_code.trim()).map_err(|e| PolicyError::BadCreditCode(e.to_string()))?;
    let employer = jiujin_store::jobs::employer_by_credit(store, code.as_str())
        .await?
        .ok_or_else(|| PolicyError::EmployerNotRegistered(code.as_str().to_string()))?;
    let size = employer.size.and_then(EmployerSize::from_code);
    let label = Some(format!("{}（{}）", employer.name, employer.credit_code));
    let facts = jiujin_domain::policy::registry::employer_facts(RegionCode::from_i64(employer.region), size, label)
        .map_err(|e| PolicyError::Facts(e.to_string()))?;
    let results = library.evaluate_all(&facts, date);
    Ok(EmployerEntitlements { employer, facts, results })
}

/// One hire of an employer with what each policy paid per hired person gives for it.
#[derive(Debug)]
pub struct HireEntitlement {
    pub person_id: i64,
    pub name: String,
    pub hire_date: NaiveDate,
    pub results: Vec<Evaluation>,
}

/// The employer policies paid per hired person (those that read `hire_date`),
/// evaluated on `date` for each hire recorded on the employer's postings, from the
/// hired person's timeline: their groups and 失业登记 the day before the hire, and
/// whether they have been in insured employment since (`domain::brokers`).
pub async fn hire_entitlements(
    store: &Store,
    library: &Library,
    employer: &jiujin_store::entity::employer::Model,
    date: NaiveDate,
) -> Result<Vec<HireEntitlement>, PolicyError> {
    let Some(hire_date_fact) = jiujin_domain::policy::facts::fact_by_key("hire_date") else {
        return Ok(Vec::new());
    };
    let per_hire: Vec<&jiujin_domain::policy::Policy> =
        library.policies().iter().filter(|p| p.has_rules() && p.facts_read().contains(&hire_date_fact)).collect();
    let mut out = Vec::new();
    let hires = jiujin_store::jobs::hires_of_employer(store, employer.id).await?;
    let ids: Vec<i64> = hires.iter().map(|(p, _)| *p).collect();
    let people = jiujin_store::registry::persons_with_timelines(store, Scope::City, &ids).await?;
    for (person_id, recorded) in hires {
        // A hired person no longer registered is left out.
        let Some((person, events)) = people.get(&person_id) else { continue };
        let hire = hire_facts_from(employer, person, events, recorded, date)?;
        let results = per_hire.iter().map(|p| jiujin_domain::policy::evaluate(p, &hire.facts, date)).collect();
        out.push(HireEntitlement { person_id, name: hire.name, hire_date: hire.hire_date, results });
    }
    Ok(out)
}

/// One hire's facts for the policies paid per hired person.
pub(crate) struct HireFacts {
    pub name: String,
    pub hire_date: NaiveDate,
    pub facts: Facts,
}

/// The facts of `employer`'s hire of `person` (recorded on `recorded`), on `date`,
/// from their timeline `events` (oldest first), read one by one or many at once.
pub(crate) fn hire_facts_from(
    employer: &jiujin_store::entity::employer::Model,
    person: &jiujin_store::registry::StoredPerson,
    events: &[jiujin_store::registry::TimelineEntry],
    recorded: NaiveDate,
    date: NaiveDate,
) -> Result<HireFacts, PolicyError> {
    use jiujin_domain::brokers::{insured_throughout, state_on_day};
    // The hire's own day: the status change the employer's 录用 wrote (dated as the
    // employer gave it), else the day the outcome was recorded.
    let hire_date = events
        .iter()
        .filter(|e| {
            e.source == jiujin_domain::registry::EventSource::Employer
                && e.date <= recorded
                && e.status.is_some_and(|s| s != jiujin_domain::registry::EmploymentStatus::Unemployed)
        })
        .map(|e| e.date)
        .next_back()
        .unwrap_or(recorded);
    let timeline = crate::brokers::snapshots(events, person.state.unemployed_since);
    let before = hire_date.pred_opt().and_then(|d| state_on_day(&timeline, d)).map(|s| (s.flags, s.registered_on));
    let insured = insured_throughout(&timeline, hire_date, date);
    let label = Some(format!("{}（{}录用）", person.state.name, hire_date));
    let facts = jiujin_domain::policy::registry::hire_facts(
        RegionCode::from_i64(employer.region),
        before,
        hire_date,
        insured,
        label,
    )
    .map_err(|e| PolicyError::Facts(e.to_string()))?;
    Ok(HireFacts { name: person.state.name.clone(), hire_date, facts })
}

/// A registered 返乡创业园区's or 就业帮扶车间's facts and what each policy for it gives on
/// `date` (SPEC §5 targets 园区 and 车间; their registers are kept by the services of
/// SPEC §6).
#[derive(Debug)]
pub struct HostEntitlements {
    pub name: String,
    pub facts: Facts,
    pub results: Vec<Evaluation>,
}

/// A park's entitlements on `date`: recognised as 市级 on its date, and the grade of
/// the latest year evaluated before `date`'s year.
pub async fn park_entitlements(
    store: &Store,
    library: &Library,
    park_id: i64,
    date: NaiveDate,
) -> Result<HostEntitlements, PolicyError> {
    let park = jiujin_store::startups::park(store, park_id)
        .await?
        .ok_or_else(|| PolicyError::Facts(format!("返乡创业园区 {park_id} 不存在")))?;
    let evaluations = jiujin_store::startups::evaluations(store).await?;
    let facts = park_facts_on(&park, &evaluations, date)?;
    let results = library.evaluate_all(&facts, date);
    Ok(HostEntitlements { name: park.name, facts, results })
}

/// A park's facts on `date`: recognised as 市级 on its date, and the grade of the
/// latest year evaluated before `date`'s year (`evaluations` may hold other parks').
pub(crate) fn park_facts_on(
    park: &jiujin_store::entity::startup_park::Model,
    evaluations: &[jiujin_store::entity::park_evaluation::Model],
    date: NaiveDate,
) -> Result<Facts, PolicyError> {
    use chrono::Datelike;
    let grade = evaluations
        .iter()
        .filter(|e| e.park_id == park.id && e.year < date.year())
        .max_by_key(|e| e.year)
        .and_then(|e| jiujin_domain::startups::ParkGrade::from_code(e.grade));
    jiujin_domain::policy::registry::park_facts(
        park.municipal,
        park.recognized_on,
        grade.map(|g| g.label()),
        Some(park.name.clone()),
    )
    .map_err(|e| PolicyError::Facts(e.to_string()))
}

/// A 劳务品牌's facts on `date`, from its register.
pub(crate) fn brand_facts_of(
    b: &jiujin_store::entity::labor_brand::Model,
    date: NaiveDate,
) -> Result<Facts, PolicyError> {
    jiujin_domain::policy::registry::brand_facts(b.municipal_on, b.award_assessed_fen, date, Some(b.name.clone()))
        .map_err(|e| PolicyError::Facts(e.to_string()))
}

/// A 劳务品牌's entitlements on `date`, from its register (`labor-brand-award`: 市级
/// recognition, and the award assessed from the employment it drives).
pub async fn brand_entitlements(
    store: &Store,
    library: &Library,
    brand_id: i64,
    date: NaiveDate,
) -> Result<HostEntitlements, PolicyError> {
    let b = jiujin_store::brands::brand(store, brand_id)
        .await?
        .ok_or_else(|| PolicyError::Facts(format!("劳务品牌 {brand_id} 不存在")))?;
    let facts = brand_facts_of(&b, date)?;
    let results = library.evaluate_all(&facts, date);
    Ok(HostEntitlements { name: b.name, facts, results })
}

/// A workshop's facts, from its recognition date.
pub(crate) fn workshop_facts_of(w: &jiujin_store::entity::workshop::Model) -> Result<Facts, PolicyError> {
    jiujin_domain::policy::registry::workshop_facts(w.recognized_on, Some(w.name.clone()))
        .map_err(|e| PolicyError::Facts(e.to_string()))
}

/// A workshop's entitlements on `date`, from its recognition date.
pub async fn workshop_entitlements(
    store: &Store,
    library: &Library,
    workshop_id: i64,
    date: NaiveDate,
) -> Result<HostEntitlements, PolicyError> {
    let w = jiujin_store::support::workshop(store, workshop_id)
        .await?
        .ok_or_else(|| PolicyError::Facts(format!("就业帮扶车间 {workshop_id} 不存在")))?;
    let facts = workshop_facts_of(&w)?;
    let results = library.evaluate_all(&facts, date);
    Ok(HostEntitlements { name: w.name, facts, results })
}

/// Which policies a run evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which<'a> {
    /// Every policy of the library that a run can pay (person policies obtained
    /// without an application, 免申即享 or 直补快办, with rules and an amount, paid
    /// per person or household, in force on the date); the others are listed as
    /// skipped with the reason.
    All,
    One(&'a str),
}

/// A 免申即享 run: person policies over the persons whose hukou lies in a region, on
/// a date.
pub struct RunRequest<'a> {
    pub library: &'a Library,
    pub policies: Which<'a>,
    pub region: RegionCode,
    pub date: NaiveDate,
    pub by: audit::Context,
    /// Ids per chunk (one transaction each; for a region, the persons of it among
    /// that many consecutive ids).
    pub page_size: u64,
    /// Set (Ctrl-C) to stop after the current chunk; the runs end `interrupted`.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Called after each chunk with the counts so far (all policies together;
    /// `evaluated` counts persons).
    pub progress: Option<&'a (dyn Fn(&RunCounts) + Sync)>,
}

/// How one policy's run ended.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunSummary {
    pub run_id: i64,
    pub policy: String,
    pub status: String,
    pub counts: RunCounts,
}

/// How a run of several policies ended.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BatchSummary {
    pub status: String,
    pub persons: u64,
    pub runs: Vec<RunSummary>,
    /// Policies not run, with the reason.
    pub skipped: Vec<(String, String)>,
    pub seconds: f64,
    /// Where the time went (seconds): reading persons and facts, building columns,
    /// the kernel, collecting proposals with their evidence, writing them.
    pub phases: Phases,
}

/// Seconds spent in each phase of a run.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Phases {
    pub read: f64,
    pub columns: f64,
    pub kernel: f64,
    pub collect: f64,
    pub write: f64,
}

/// A run's region must be Chongqing or one of its divisions (reference data).
fn check_region(region: RegionCode) -> Result<(), PolicyError> {
    let known = region == jiujin_domain::region::CHONGQING
        || jiujin_domain::refdata::RefData::embedded().is_ok_and(|rd| rd.is_chongqing_division(region));
    if known {
        Ok(())
    } else {
        Err(PolicyError::UnknownRegion(region.short()))
    }
}

/// The ledger key's period for a payout made on `date`.
pub fn period_key(period: Period, date: NaiveDate) -> String {
    match period {
        Period::Once => "once".into(),
        Period::Yearly => date.format("%Y").to_string(),
        Period::Monthly => date.format("%Y-%m").to_string(),
    }
}

/// The ledger key's beneficiary: the person, or their household (hukou village and
/// household number; a person without one is a household of one).
pub fn beneficiary(per: EntityKind, p: &StoredPerson) -> Option<(String, String)> {
    beneficiary_of(per, p.id, p.state.hukou_region, p.state.household_no.as_deref())
}

fn beneficiary_of(per: EntityKind, id: i64, hukou: RegionCode, household_no: Option<&str>) -> Option<(String, String)> {
    match per {
        EntityKind::Person => Some(("person".into(), id.to_string())),
        EntityKind::Household => Some((
            "household".into(),
            match household_no.map(str::trim).filter(|h| !h.is_empty()) {
                Some(h) => format!("{}/{h}", hukou.short()),
                None => format!("person:{id}"),
            },
        )),
        _ => None,
    }
}

/// Why a run cannot pay `policy` on `date`, if it cannot.
fn not_runnable(policy: &jiujin_domain::policy::Policy, date: NaiveDate) -> Option<PolicyError> {
    let id = policy.id.as_str();
    if !policy.has_rules() {
        return Some(PolicyError::NotAutomatic(format!(
            "政策“{id}”是{}类政策，没有可自动判定的规则",
            policy.obtain.label()
        )));
    }
    if registers::run_over(policy).is_none() {
        return Some(PolicyError::NotAutomatic(format!(
            "政策“{id}”按{}发放；批量评估按登记库进行，只支持按个人、家庭户、就业帮扶车间、返乡创业园区或用人单位吸纳的人员发放",
            policy.payout_per.label()
        )));
    }
    if policy.amount.is_none() {
        return Some(PolicyError::NotAutomatic(format!("政策“{id}”没有金额公式，不产生发放记录")));
    }
    if !policy.in_force(date) {
        return Some(PolicyError::NotInForce(format!(
            "政策“{id}”在 {date} 不在有效期内（{}），不予发放",
            policy.period_label()
        )));
    }
    None
}

/// The facts a payout was proposed from (those its policy reads), kept with it as
/// its evidence: the same facts and date give the same explanation again.
fn evidence(policy: &jiujin_domain::policy::Policy, facts: &Facts, date: NaiveDate) -> String {
    let mut map = serde_json::Map::new();
    for id in policy.facts_read() {
        if let Some(v) = facts.get(id) {
            map.insert(id.def().key.to_string(), stored_text(v).into());
        }
    }
    serde_json::json!({ "date": date, "facts": map }).to_string()
}

/// Runs the chosen policies over the region on the date. Person policies are
/// evaluated for every person whose hukou lies in the region, in one columnar pass per
/// chunk of persons (`domain::policy::bulk`, the same rules the explainer reads), from
/// the registry and the recorded facts in force on the date; policies for workshops,
/// parks and hires go over their registers (`registers`). Proposals (eligible, with an
/// amount) are written a chunk at a time, one transaction each. An entitlement already
/// proposed, by an earlier run or one running at the same time, is skipped by the
/// database's unique key. Each policy's run ends with one audit entry.
pub async fn run_policies(store: &Store, req: RunRequest<'_>) -> Result<BatchSummary, PolicyError> {
    let started = std::time::Instant::now();
    let mut skipped = Vec::new();
    let chosen: Vec<&jiujin_domain::policy::Policy> = match req.policies {
        Which::One(id) => {
            let policy = req.library.get(id).ok_or_else(|| PolicyError::UnknownPolicy(id.into()))?;
            if let Some(e) = not_runnable(policy, req.date) {
                return Err(e);
            }
            vec![policy]
        }
        Which::All => req
            .library
            .policies()
            .iter()
            .filter(|p| match not_runnable(p, req.date) {
                // A policy obtained on application is paid after one, not by a run
                // over everyone (`Which::One` may still screen for it).
                None if p.obtain == jiujin_domain::policy::Obtain::Application => {
                    skipped.push((
                        p.id.as_str().to_string(),
                        format!(
                            "政策“{}”须本人申请，不在全部政策批量发放之列（可用 --policy 单独筛查）",
                            p.id.as_str()
                        ),
                    ));
                    false
                }
                None => true,
                Some(e) => {
                    skipped.push((p.id.as_str().to_string(), e.to_string()));
                    false
                }
            })
            .collect(),
    };
    check_region(req.region)?;
    let (persons_chosen, others): (Vec<_>, Vec<_>) =
        chosen.into_iter().partition(|p| registers::run_over(p) == Some(registers::Over::Persons));
    let mut batch = BatchSummary {
        status: "done".into(),
        persons: 0,
        runs: Vec::new(),
        skipped,
        seconds: 0.0,
        phases: Phases::default(),
    };
    if !persons_chosen.is_empty() {
        run_persons(store, &req, &persons_chosen, &mut batch).await?;
    }
    for p in others {
        if batch.status != "done" {
            break;
        }
        let Some(over) = registers::run_over(p) else { continue };
        let run = registers::run_register(store, &req, p, over).await?;
        batch.status = run.status.clone();
        batch.runs.push(run);
    }
    batch.seconds = started.elapsed().as_secs_f64();
    Ok(batch)
}

/// The person policies of a run, over the persons whose hukou lies in the region, in
/// one columnar pass per chunk; adds their runs, the persons read, the phases and the
/// status to `batch`.
async fn run_persons(
    store: &Store,
    req: &RunRequest<'_>,
    chosen: &[&jiujin_domain::policy::Policy],
    batch: &mut BatchSummary,
) -> Result<(), PolicyError> {
    use jiujin_domain::policy::bulk::Plan;
    let bounds: Vec<Bound> = chosen.iter().map(|p| Bound::new(p, req.date)).collect();
    let periods: Vec<String> = chosen.iter().map(|p| period_key(p.period, req.date)).collect();
    let mut runs = Vec::with_capacity(chosen.len());
    for p in chosen {
        runs.push(store_policy::start_run(store, p.id.as_str(), req.region, req.date, &req.by).await?);
    }
    let mut totals = vec![RunCounts::default(); chosen.len()];
    let mut reader =
        jiujin_store::population::PopulationReader::open(store, req.region, req.date, req.page_size).await?;
    let mut persons = 0u64;
    let mut status = "done";
    let mut phases = Phases::default();
    let mut clock = std::time::Instant::now();
    let mut lap = |into: &mut f64| {
        let now = std::time::Instant::now();
        *into += (now - clock).as_secs_f64();
        clock = now;
    };
    loop {
        let chunk = reader.next_chunk().await?;
        lap(&mut phases.read);
        let Some(chunk) = chunk else { break };
        let n = chunk.len();
        persons += n as u64;
        let pop = population(&chunk)?;
        lap(&mut phases.columns);
        let plan = Plan::compile(&bounds, &pop).map_err(|e| PolicyError::Facts(e.to_string()))?;
        let result = plan.run(&pop).map_err(|e| PolicyError::Facts(e.to_string()))?;
        lap(&mut phases.kernel);
        let mut pages = Vec::with_capacity(chosen.len());
        for (i, policy) in chosen.iter().enumerate() {
            let pi = result
                .ids()
                .iter()
                .position(|id| id == &policy.id)
                .ok_or_else(|| PolicyError::Facts(format!("批量计划中缺少政策“{}”", policy.id.as_str())))?;
            let mut rows = Vec::new();
            for (row, amount) in result.amounts(pi) {
                if amount <= 0 || result.status(pi, row) != Some(Status::Eligible) {
                    continue;
                }
                let core = &chunk.cores[row];
                let Some((kind, key)) = beneficiary_of(
                    policy.payout_per,
                    chunk.ids[row],
                    core.hukou_region,
                    chunk.households[row].as_deref(),
                ) else {
                    continue;
                };
                rows.push(NewPayout {
                    policy_id: policy.id.as_str().to_string(),
                    beneficiary_kind: kind,
                    beneficiary_key: key,
                    period: periods[i].clone(),
                    person_id: Some(chunk.ids[row]),
                    region: core.hukou_region,
                    amount_fen: amount,
                    explanation: evidence(policy, &pop.facts(row), req.date),
                });
            }
            let sum = result.summary(pi);
            let counts = RunCounts {
                evaluated: n as u64,
                not_eligible: sum.not_eligible,
                undetermined: (n as u64).saturating_sub(sum.not_eligible + rows.len() as u64),
                ..Default::default()
            };
            pages.push((runs[i], rows, counts));
        }
        lap(&mut phases.collect);
        let written = store_policy::propose_pages(store, &pages).await?;
        lap(&mut phases.write);
        let mut all = RunCounts::default();
        for (t, c) in totals.iter_mut().zip(written) {
            t.add(c);
            all.add(*t);
        }
        all.evaluated = persons;
        if let Some(report) = req.progress {
            report(&all);
        }
        if req.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
            status = "interrupted";
            break;
        }
    }
    reader.close().await;
    for ((p, run_id), counts) in chosen.iter().zip(&runs).zip(totals) {
        let run = store_policy::finish_run(store, *run_id, status, &req.by).await?;
        batch.runs.push(RunSummary { run_id: *run_id, policy: p.id.as_str().to_string(), status: run.status, counts });
    }
    batch.status = status.to_string();
    batch.persons = persons;
    batch.phases = phases;
    Ok(())
}

/// One policy's 免申即享 run (`run_policies` with `Which::One`).
pub async fn run_batch(store: &Store, req: RunRequest<'_>) -> Result<RunSummary, PolicyError> {
    let batch = run_policies(store, req).await?;
    batch.runs.into_iter().next().ok_or_else(|| PolicyError::Facts("批次没有运行任何政策".into()))
}

/// One beneficiary whose payout a draft changes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WhatIfChange {
    pub beneficiary_kind: String,
    pub beneficiary_key: String,
    /// The first person of the beneficiary (by id) found eligible; none for a
    /// workshop, park, brand or hire.
    pub person_id: Option<i64>,
    /// Who a workshop, park, brand or hire is.
    pub payee: Option<registers::Payee>,
    pub before_fen: Option<i64>,
    pub after_fen: Option<i64>,
}

/// Beneficiaries and budget of a policy in force and of a draft, over one region on
/// one date.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct WhatIf {
    pub evaluated: u64,
    pub beneficiaries_before: u64,
    pub budget_before_fen: i64,
    pub beneficiaries_after: u64,
    pub budget_after_fen: i64,
    /// Those who gain (newly eligible, or a larger amount) and lose, in person order.
    pub gainers: Vec<WhatIfChange>,
    pub losers: Vec<WhatIfChange>,
}

/// What a draft parameter value would change (`name` takes `value` in the version in
/// force on `date`): beneficiaries and budget before and after over the persons whose
/// hukou lies in `region`, keyed as a run keys payouts (one per person or household),
/// from the same facts a run reads (registry and recorded facts), through the same
/// columnar kernel. Writes nothing but its audit entry (one bulk read).
pub async fn what_if(
    store: &Store,
    library: &Library,
    policy_id: &str,
    region: RegionCode,
    date: NaiveDate,
    draft: (&str, &str),
    by: &audit::Context,
) -> Result<WhatIf, PolicyError> {
    let policy = library.get(policy_id).ok_or_else(|| PolicyError::UnknownPolicy(policy_id.into()))?;
    let over = registers::run_over(policy)
        .filter(|_| policy.has_rules())
        .ok_or_else(|| PolicyError::NotAutomatic(format!("政策“{policy_id}”没有可按登记库自动判定的规则，无法测算")))?;
    check_region(region)?;
    let changed = policy.with_draft_value(draft.0, draft.1, date).map_err(PolicyError::Facts)?;
    let mut out = if over == registers::Over::Persons {
        what_if_persons(store, policy, &changed, region, date).await?
    } else {
        what_if_register(store, policy, &changed, over, region, date).await?
    };
    out.gainers.sort_by(|a, b| (a.person_id, &a.beneficiary_key).cmp(&(b.person_id, &b.beneficiary_key)));
    out.losers.sort_by(|a, b| (a.person_id, &a.beneficiary_key).cmp(&(b.person_id, &b.beneficiary_key)));
    let detail = serde_json::json!({
        "via": "policy.what_if", "policy": policy_id, "region": region.short(), "date": date,
        "param": draft.0, "value": draft.1, "evaluated": out.evaluated,
        "gainers": out.gainers.len(), "losers": out.losers.len(),
    });
    audit::record(store, &by.entry(AuditAction::PersonSearch, "person", None, detail)).await?;
    Ok(out)
}

/// The what-if of a policy paid over a register: each entity evaluated by the
/// explainer with the policy in force and with the draft.
async fn what_if_register(
    store: &Store,
    policy: &jiujin_domain::policy::Policy,
    changed: &jiujin_domain::policy::Policy,
    over: registers::Over,
    region: RegionCode,
    date: NaiveDate,
) -> Result<WhatIf, PolicyError> {
    let mut out = WhatIf::default();
    let paid = |p: &jiujin_domain::policy::Policy, facts: &Facts| {
        let e = jiujin_domain::policy::evaluate(p, facts, date);
        e.amount_fen.filter(|a| *a > 0 && e.status == Status::Eligible)
    };
    for c in registers::candidates(store, policy, over, region, date).await? {
        out.evaluated += 1;
        let (a, b) = (paid(policy, &c.facts), paid(changed, &c.facts));
        tally(
            &mut out,
            WhatIfChange {
                beneficiary_kind: c.kind.to_string(),
                beneficiary_key: c.key,
                person_id: None,
                payee: Some(c.payee),
                before_fen: a,
                after_fen: b,
            },
        );
    }
    Ok(out)
}

/// Adds one beneficiary's amounts before and after to the counts, budgets and lists.
fn tally(out: &mut WhatIf, change: WhatIfChange) {
    let (a, b) = (change.before_fen, change.after_fen);
    out.beneficiaries_before += u64::from(a.is_some());
    out.beneficiaries_after += u64::from(b.is_some());
    out.budget_before_fen = out.budget_before_fen.saturating_add(a.unwrap_or(0));
    out.budget_after_fen = out.budget_after_fen.saturating_add(b.unwrap_or(0));
    match (a.unwrap_or(0), b.unwrap_or(0)) {
        (x, y) if y > x => out.gainers.push(change),
        (x, y) if y < x => out.losers.push(change),
        _ => {}
    }
}

/// The what-if of a person policy over the persons whose hukou lies in `region`,
/// through the columnar kernel.
async fn what_if_persons(
    store: &Store,
    policy: &jiujin_domain::policy::Policy,
    changed: &jiujin_domain::policy::Policy,
    region: RegionCode,
    date: NaiveDate,
) -> Result<WhatIf, PolicyError> {
    use jiujin_domain::policy::bulk::Plan;
    use std::collections::BTreeMap;
    let bounds = [Bound::new(policy, date), Bound::new(changed, date)];
    // Beneficiary (kind, key) → (first person, amount before, amount after).
    type Amounts = (i64, Option<i64>, Option<i64>);
    let mut seen: BTreeMap<(String, String), Amounts> = BTreeMap::new();
    let mut out = WhatIf::default();
    let mut reader = jiujin_store::population::PopulationReader::open(store, region, date, 65_536).await?;
    while let Some(chunk) = reader.next_chunk().await? {
        out.evaluated += chunk.len() as u64;
        let pop = population(&chunk)?;
        // The draft has the policy's id: compile each alone.
        let mut amounts: Vec<BTreeMap<usize, i64>> = Vec::with_capacity(2);
        for b in &bounds {
            let plan = Plan::compile(std::slice::from_ref(b), &pop).map_err(|e| PolicyError::Facts(e.to_string()))?;
            let result = plan.run(&pop).map_err(|e| PolicyError::Facts(e.to_string()))?;
            amounts.push(
                result
                    .amounts(0)
                    .filter(|(row, a)| *a > 0 && result.status(0, *row) == Some(Status::Eligible))
                    .collect(),
            );
        }
        let rows: std::collections::BTreeSet<usize> = amounts.iter().flat_map(|m| m.keys().copied()).collect();
        for row in rows {
            let core = &chunk.cores[row];
            let (id, hh) = (chunk.ids[row], chunk.households[row].as_deref());
            let Some(key) = beneficiary_of(policy.payout_per, id, core.hukou_region, hh) else { continue };
            let e = seen.entry(key).or_insert((id, None, None));
            e.1 = e.1.or(amounts[0].get(&row).copied());
            e.2 = e.2.or(amounts[1].get(&row).copied());
        }
    }
    reader.close().await;
    for ((kind, key), (person_id, a, b)) in seen {
        let change = WhatIfChange {
            beneficiary_kind: kind,
            beneficiary_key: key,
            person_id: Some(person_id),
            payee: None,
            before_fen: a,
            after_fen: b,
        };
        tally(&mut out, change);
    }
    Ok(out)
}

/// A chunk of persons as the kernel's columns: registry facts and recorded facts.
fn population(
    chunk: &jiujin_store::population::PersonChunk,
) -> Result<jiujin_domain::policy::bulk::Population, PolicyError> {
    use jiujin_domain::policy::facts::{fact_by_key, parse_stored};
    use jiujin_domain::policy::registry::PopulationBuilder;
    let mut b = PopulationBuilder::with_capacity(chunk.len());
    for c in &chunk.cores {
        b.push(c);
    }
    for (row, key, text) in &chunk.recorded {
        let bad = |why: String| PolicyError::Facts(format!("人员 {} 的事实“{key}”：{why}", chunk.ids[*row]));
        let id = fact_by_key(key).ok_or_else(|| bad("不在事实词表中".into()))?;
        let v = parse_stored(id.def(), text).map_err(bad)?;
        b.set_recorded(*row, id, &v);
    }
    b.finish().map_err(|e| PolicyError::Facts(e.to_string()))
}

/// Approved payouts for the bank: one line per ledger entry in the caller's scope
/// (optionally of one run), with name, identity number (in full only in the file
/// meant for the bank), hukou, policy, period and amount. Returns the number of lines
/// and their total; the file is audited as an export with its SHA-256.
#[allow(clippy::too_many_arguments)]
pub async fn bank_file(
    store: &Store,
    keys: &Keys,
    library: &Library,
    scope: Scope,
    run_id: Option<i64>,
    numbers: crate::registry::export::Numbers,
    out: &std::path::Path,
    by: &audit::Context,
) -> Result<(u64, i64), PolicyError> {
    use crate::registry::export::Numbers;
    let today = chrono::Utc::now().date_naive();
    let refdata = jiujin_domain::refdata::RefData::embedded().map_err(|e| PolicyError::Facts(e.to_string()))?;
    let header = [
        "序号",
        "姓名/名称",
        "公民身份号码/统一社会信用代码",
        "户籍地/所在地",
        "政策",
        "发放对象",
        "期间",
        "金额（元）",
        "台账编号",
        "批准人",
        "批准时间",
    ];
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut total = 0i64;
    let entries: Vec<_> = store_policy::ledger(store, scope)
        .await?
        .into_iter()
        .filter(|(_, p)| run_id.is_none_or(|r| r == p.run_id))
        .collect();
    let ids: Vec<i64> = entries.iter().filter_map(|(_, p)| p.person_id).collect();
    let persons = jiujin_store::registry::persons_by_ids(store, scope, &ids).await?;
    let by_id: std::collections::HashMap<i64, &StoredPerson> = persons.iter().map(|p| (p.id, p)).collect();
    let organisations: Vec<_> = entries.iter().filter(|(_, p)| p.person_id.is_none()).map(|(_, p)| p.clone()).collect();
    let payees = registers::payees(store, &organisations).await?;
    for (entry, payout) in entries {
        // A person's line carries their identity number (masked unless the file is
        // meant for the bank); a workshop's, park's or employer's its 统一社会信用代码,
        // which is public.
        let (name, number, place) = if let Some(person) = payout.person_id.and_then(|id| by_id.get(&id).copied()) {
            let id_text = keys.decrypt_id(&person.id_cipher).map_err(|e| PolicyError::Facts(e.to_string()))?;
            let id_shown = match numbers {
                Numbers::Full => id_text,
                Numbers::Masked => {
                    IdNumber::parse(&id_text, today).map(|i| i.masked()).unwrap_or_else(|_| "（无法解析）".into())
                }
            };
            (person.state.name.clone(), id_shown, refdata.region_path(person.state.hukou_region))
        } else if let Some(payee) = payees.get(&payout.id) {
            (
                payee.name.clone(),
                payee.credit_code.clone().unwrap_or_else(|| "—".into()),
                refdata.region_path(payee.region),
            )
        } else {
            continue;
        };
        total = total.saturating_add(entry.amount_fen);
        lines.push(vec![
            (lines.len() + 1).to_string(),
            name,
            number,
            place,
            library.get(&payout.policy_id).map_or(payout.policy_id.clone(), |p| p.title.clone()),
            registers::beneficiary_label(&payout.beneficiary_kind).into(),
            if payout.period == "once" { "一次性".into() } else { payout.period.clone() },
            jiujin_domain::Fen(entry.amount_fen).to_yuan_compact(),
            entry.id.to_string(),
            entry.actor.clone(),
            entry.entered_at.format("%Y-%m-%d %H:%M").to_string(),
        ]);
    }
    let shown = out.display().to_string();
    let werr = |e: &dyn std::fmt::Display| PolicyError::Facts(format!("无法写入 {shown}：{e}"));
    match out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("csv") => {
            let mut f = std::fs::File::create(out).map_err(|e| werr(&e))?;
            std::io::Write::write_all(&mut f, "\u{feff}".as_bytes()).map_err(|e| werr(&e))?;
            let mut w = csv::Writer::from_writer(f);
            w.write_record(header).map_err(|e| werr(&e))?;
            for l in &lines {
                w.write_record(l).map_err(|e| werr(&e))?;
            }
            w.flush().map_err(|e| werr(&e))?;
        }
        Some("xlsx") => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            sheet.set_name("发放名单").map_err(|e| werr(&e))?;
            write_table(sheet, &header, &lines).map_err(|e| werr(&e))?;
            book.save(out).map_err(|e| werr(&e))?;
        }
        _ => return Err(PolicyError::Facts(format!("发放文件应为 .csv 或 .xlsx：{shown}"))),
    }
    let sha = crate::registry::import::file_sha256(out).await.map_err(|e| werr(&e))?;
    let detail = serde_json::json!({
        "kind": "bank_file", "run": run_id,
        "numbers": if numbers == Numbers::Full { "完整" } else { "脱敏" },
        "rows": lines.len(), "amount_fen": total, "file_sha256": sha,
        "file_name": out.file_name().map(|f| f.to_string_lossy().into_owned()),
    });
    audit::record(store, &by.entry(AuditAction::ExportRun, "export", None, detail)).await?;
    Ok((lines.len() as u64, total))
}

/// A bold header row and the lines under it, as text cells.
fn write_table<L: AsRef<[String]>>(
    sheet: &mut rust_xlsxwriter::Worksheet,
    header: &[&str],
    lines: &[L],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (i, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, *h, &bold)?;
    }
    for (r, l) in lines.iter().enumerate() {
        for (c, v) in l.as_ref().iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, v)?;
        }
    }
    Ok(())
}

/// A digest of what a policy says (record, dates, parameters and their versions,
/// conditions, amount): a changed digest is a changed policy for its subscribers.
pub fn policy_digest(p: &jiujin_domain::policy::Policy) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut put = |s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    put(&p.title);
    put(&p.benefit);
    put(&p.period_label());
    put(p.obtain.label());
    for t in &p.targets {
        put(t.key());
    }
    for param in &p.params {
        put(&param.name);
        for v in &param.versions {
            put(&format!("{}|{:?}|{}", v.from, v.to, v.value));
        }
    }
    for c in &p.conditions {
        put(&c.text);
    }
    if let Some(a) = &p.amount {
        put(&a.text);
    }
    hex::encode(h.finalize())
}

/// Records the library's policies in the database and notifies subscribers of those
/// added or changed since it last saw them (`store::notices`). Runs when a server
/// starts; of servers starting together, the one holding the `policy-sync` lease
/// does it and the others skip.
pub async fn sync_library(
    store: &Store,
    library: &Library,
) -> Result<Option<jiujin_store::notices::Synced>, PolicyError> {
    use jiujin_store::locks::BatchLock;
    let Some(lease) = BatchLock::try_acquire(store, "policy-sync", chrono::Duration::minutes(5)).await? else {
        return Ok(None);
    };
    let items: Vec<jiujin_store::notices::PolicyDigest> = library
        .policies()
        .iter()
        .map(|p| jiujin_store::notices::PolicyDigest {
            id: p.id.as_str().to_string(),
            title: p.title.clone(),
            digest: policy_digest(p),
            tags: p.tags.clone(),
            targets: p.targets.iter().map(|t| t.key().to_string()).collect(),
        })
        .collect();
    let synced = jiujin_store::notices::sync_policies(store, &items).await;
    lease.release(store).await?;
    Ok(Some(synced?))
}

/// A what-if as it was asked: the policy, the region, the date and the draft
/// (parameter, value).
#[derive(Debug, Clone, Copy)]
pub struct WhatIfAsked<'a> {
    pub policy_id: &'a str,
    pub region: RegionCode,
    pub date: NaiveDate,
    pub draft: (&'a str, &'a str),
}

/// A what-if's gainers and losers as Excel (sheet 汇总: the counts and budgets
/// before and after; sheet 变化名单: one line per beneficiary, identity numbers
/// masked), persons read inside `scope`. Returns the number of lines; the file is
/// audited as an export with its SHA-256.
pub async fn what_if_file(
    store: &Store,
    keys: &Keys,
    scope: Scope,
    asked: WhatIfAsked<'_>,
    w: &WhatIf,
    out: &std::path::Path,
    by: &audit::Context,
) -> Result<u64, PolicyError> {
    use jiujin_domain::Fen;
    let today = chrono::Utc::now().date_naive();
    let refdata = jiujin_domain::refdata::RefData::embedded().map_err(|e| PolicyError::Facts(e.to_string()))?;
    let ids: Vec<i64> = w.gainers.iter().chain(&w.losers).filter_map(|c| c.person_id).collect();
    let persons = jiujin_store::registry::persons_by_ids(store, scope, &ids).await?;
    let by_id: std::collections::HashMap<i64, &StoredPerson> = persons.iter().map(|p| (p.id, p)).collect();
    let yuan = |f: Option<i64>| f.map_or_else(|| "—".to_string(), |f| Fen(f).to_yuan_compact());
    let mut lines: Vec<[String; 9]> = Vec::new();
    for (change, label) in w.gainers.iter().map(|c| (c, "增加")).chain(w.losers.iter().map(|c| (c, "减少"))) {
        let (name, number, place) = if let Some(person) = change.person_id.and_then(|id| by_id.get(&id)) {
            let id_masked = keys
                .decrypt_id(&person.id_cipher)
                .ok()
                .and_then(|t| IdNumber::parse(&t, today).ok())
                .map_or_else(|| "（无法解析）".to_string(), |i| i.masked());
            (person.state.name.clone(), id_masked, refdata.region_path(person.state.hukou_region))
        } else if let Some(payee) = &change.payee {
            // A workshop, park, brand or hire, inside the caller's scope only.
            if !scope.admits(payee.region, None) {
                continue;
            }
            let code = payee.credit_code.clone().unwrap_or_else(|| "—".into());
            (payee.name.clone(), code, refdata.region_path(payee.region))
        } else {
            continue;
        };
        let diff = change.after_fen.unwrap_or(0).saturating_sub(change.before_fen.unwrap_or(0));
        lines.push([
            (lines.len() + 1).to_string(),
            label.to_string(),
            name,
            number,
            place,
            registers::beneficiary_label(&change.beneficiary_kind).into(),
            yuan(change.before_fen),
            yuan(change.after_fen),
            Fen(diff).to_yuan_compact(),
        ]);
    }
    let shown = out.display().to_string();
    let werr = |e: &dyn std::fmt::Display| PolicyError::Facts(format!("无法写入 {shown}：{e}"));
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("汇总").map_err(|e| werr(&e))?;
    let (param, value) = asked.draft;
    let summary = [
        ["政策".to_string(), asked.policy_id.to_string(), String::new(), String::new()],
        ["区划".into(), refdata.region_path(asked.region), String::new(), String::new()],
        ["评估日".into(), asked.date.to_string(), String::new(), String::new()],
        ["参数".into(), param.to_string(), "草稿值".into(), value.to_string()],
        ["项目".into(), "测算前".into(), "测算后".into(), "差额".into()],
        [
            "受益对象".into(),
            w.beneficiaries_before.to_string(),
            w.beneficiaries_after.to_string(),
            (i128::from(w.beneficiaries_after) - i128::from(w.beneficiaries_before)).to_string(),
        ],
        [
            "预算（元）".into(),
            Fen(w.budget_before_fen).to_yuan_compact(),
            Fen(w.budget_after_fen).to_yuan_compact(),
            Fen(w.budget_after_fen.saturating_sub(w.budget_before_fen)).to_yuan_compact(),
        ],
    ];
    for (r, row) in summary.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if c == 0 || r == 4 {
                sheet.write_string_with_format(r as u32, c as u16, v, &bold).map_err(|e| werr(&e))?;
            } else {
                sheet.write_string(r as u32, c as u16, v).map_err(|e| werr(&e))?;
            }
        }
    }
    let sheet = book.add_worksheet();
    sheet.set_name("变化名单").map_err(|e| werr(&e))?;
    let header = [
        "序号",
        "变化",
        "姓名/名称",
        "公民身份号码/统一社会信用代码",
        "户籍地/所在地",
        "发放对象",
        "测算前（元）",
        "测算后（元）",
        "差额（元）",
    ];
    write_table(sheet, &header, &lines).map_err(|e| werr(&e))?;
    book.save(out).map_err(|e| werr(&e))?;
    let sha = crate::registry::import::file_sha256(out).await.map_err(|e| werr(&e))?;
    let detail = serde_json::json!({
        "kind": "what_if", "policy": asked.policy_id, "region": asked.region.short(), "date": asked.date,
        "param": param, "value": value, "numbers": "脱敏", "rows": lines.len(),
        "gainers": w.gainers.len(), "losers": w.losers.len(), "file_sha256": sha,
        "file_name": out.file_name().map(|f| f.to_string_lossy().into_owned()),
    });
    audit::record(store, &by.entry(AuditAction::ExportRun, "export", None, detail)).await?;
    Ok(lines.len() as u64)
}
