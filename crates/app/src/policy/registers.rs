//! 免申即享 / 直补快办 runs over the registers other than persons (SPEC §5 targets
//! workshops, parks, projects and employers as well as persons): the 就业帮扶车间,
//! 返乡创业园区 and 劳务品牌 registers, and the hires on employers' postings for the subsidies paid per hired
//! person. Each entity is evaluated by the explainer itself (`policy::evaluate`, the
//! same definition a workshop's or park's page and an employer's 政策直达 page show):
//! these registers hold thousands of entries, not millions, so no bulk kernel is
//! needed. Proposals go through the same ledger key as a person's, so an entitlement
//! is proposed once per beneficiary and period, also when a run is repeated.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use jiujin_domain::policy::{EntityKind, Facts, Policy, Status};
use jiujin_domain::RegionCode;
use jiujin_store::entity::payout;
use jiujin_store::policy::{self as store_policy, NewPayout, RunCounts};
use jiujin_store::Store;

use super::{evidence, period_key, PolicyError, RunRequest, RunSummary};

/// What a run of a policy goes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    /// The persons whose hukou lies in the region (the bulk kernel), paid per person
    /// or household.
    Persons,
    /// The 就业帮扶车间 register, paid per workshop.
    Workshops,
    /// The 返乡创业园区 register, paid per park.
    Parks,
    /// The hires on employers' postings, paid to the employer per hired person.
    Hires,
    /// The 劳务品牌 register, paid per brand.
    Brands,
}

/// What a run of `policy` goes over, if a run can evaluate it from the registers.
pub fn run_over(policy: &Policy) -> Option<Over> {
    let per_hire = jiujin_domain::policy::facts::fact_by_key("hire_date")
        .is_some_and(|hire_date| policy.facts_read().contains(&hire_date));
    match policy.payout_per {
        EntityKind::Person | EntityKind::Household if policy.targets.contains(&EntityKind::Person) => {
            Some(Over::Persons)
        }
        EntityKind::Workshop => Some(Over::Workshops),
        EntityKind::Park => Some(Over::Parks),
        EntityKind::Employer if per_hire => Some(Over::Hires),
        EntityKind::Project => Some(Over::Brands),
        _ => None,
    }
}

/// How a payout's beneficiary kind reads (`payouts.beneficiary_kind`).
pub fn beneficiary_label(kind: &str) -> &'static str {
    match kind {
        "person" => "个人",
        "household" => "家庭户",
        "workshop" => "就业帮扶车间",
        "park" => "返乡创业园区",
        "hire" => "用人单位（按吸纳人员）",
        "brand" => "劳务品牌",
        _ => "其他",
    }
}

/// One entity of a register: its facts, where its payout would go, and who it is.
pub(super) struct Candidate {
    pub kind: &'static str,
    pub key: String,
    pub region: RegionCode,
    pub facts: Facts,
    pub payee: Payee,
}

/// Entities a run reads and evaluates before writing their page.
const PAGE: usize = 1000;

/// Runs `policy` over the register `over` names, for the entities inside the run's
/// region, on its date: one run record, proposals written a page at a time (one
/// transaction each), one audit entry at the end.
pub(super) async fn run_register(
    store: &Store,
    req: &RunRequest<'_>,
    policy: &Policy,
    over: Over,
) -> Result<RunSummary, PolicyError> {
    let candidates = candidates(store, policy, over, req.region, req.date).await?;
    let run_id = store_policy::start_run(store, policy.id.as_str(), req.region, req.date, &req.by).await?;
    let period = period_key(policy.period, req.date);
    let mut totals = RunCounts::default();
    let mut status = "done";
    for page in candidates.chunks(PAGE) {
        let mut rows = Vec::new();
        let mut counts = RunCounts { evaluated: page.len() as u64, ..Default::default() };
        for c in page {
            let e = jiujin_domain::policy::evaluate(policy, &c.facts, req.date);
            match (e.status, e.amount_fen) {
                (Status::Eligible, Some(amount)) if amount > 0 => rows.push(NewPayout {
                    policy_id: policy.id.as_str().to_string(),
                    beneficiary_kind: c.kind.to_string(),
                    beneficiary_key: c.key.clone(),
                    period: period.clone(),
                    person_id: None,
                    region: c.region,
                    amount_fen: amount,
                    explanation: evidence(policy, &c.facts, req.date),
                }),
                (Status::NotEligible, _) => counts.not_eligible += 1,
                // Waiting for a fact, or eligible without an amount the facts give (as
                // the person run counts it).
                _ => counts.undetermined += 1,
            }
        }
        let written = store_policy::propose_pages(store, &[(run_id, rows, counts)]).await?;
        for c in written {
            totals.add(c);
        }
        if req.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
            status = "interrupted";
            break;
        }
    }
    let run = store_policy::finish_run(store, run_id, status, &req.by).await?;
    Ok(RunSummary { run_id, policy: policy.id.as_str().to_string(), status: run.status, counts: totals })
}

/// The entities of the register `over` names whose region lies in `region`, with
/// their facts on `date` (what a run and a what-if evaluate).
pub(super) async fn candidates(
    store: &Store,
    policy: &Policy,
    over: Over,
    region: RegionCode,
    date: chrono::NaiveDate,
) -> Result<Vec<Candidate>, PolicyError> {
    let range = (region != jiujin_domain::region::CHONGQING).then(|| region.subtree_range());
    let mut candidates = Vec::new();
    match over {
        Over::Persons => {
            return Err(PolicyError::Facts(format!("政策“{}”按人员批量评估", policy.id.as_str())));
        }
        Over::Workshops => {
            for w in jiujin_store::support::workshops(store, range).await? {
                // A revoked workshop is no longer a 就业帮扶车间 from that day.
                if w.revoked_on.is_some_and(|r| r <= date) {
                    continue;
                }
                let Some(region) = RegionCode::from_i64(w.region) else { continue };
                let facts = super::workshop_facts_of(&w)?;
                let payee = Payee { name: w.name.clone(), credit_code: w.credit_code.clone(), region };
                candidates.push(Candidate { kind: "workshop", key: w.id.to_string(), region, facts, payee });
            }
        }
        Over::Parks => {
            let evaluations = jiujin_store::startups::evaluations(store).await?;
            for park in jiujin_store::startups::parks(store, range).await? {
                let Some(region) = RegionCode::from_i64(park.region) else { continue };
                let facts = super::park_facts_on(&park, &evaluations, date)?;
                let payee = Payee { name: park.name.clone(), credit_code: None, region };
                candidates.push(Candidate { kind: "park", key: park.id.to_string(), region, facts, payee });
            }
        }
        Over::Brands => {
            for b in jiujin_store::brands::brands(store, range).await? {
                let Some(region) = RegionCode::from_i64(b.region) else { continue };
                let facts = super::brand_facts_of(&b, date)?;
                let payee = brand_payee(&b, region);
                candidates.push(Candidate { kind: "brand", key: b.id.to_string(), region, facts, payee });
            }
        }
        Over::Hires => {
            let hires = jiujin_store::jobs::hires_in(store, range).await?;
            // The hired persons and their timelines, a chunk at a time (two queries per
            // 500 persons, not two a hire).
            let mut people = std::collections::BTreeMap::new();
            let mut ids: Vec<i64> = hires.iter().map(|(_, p, _)| *p).collect();
            ids.sort_unstable();
            ids.dedup();
            for chunk in ids.chunks(5_000) {
                people.append(
                    &mut jiujin_store::registry::persons_with_timelines(store, jiujin_store::Scope::City, chunk)
                        .await?,
                );
            }
            for (employer, person_id, recorded) in hires {
                let Some(region) = RegionCode::from_i64(employer.region) else { continue };
                // A hired person no longer registered has no entitlement to pay for.
                let Some((person, events)) = people.get(&person_id) else { continue };
                let hire = super::hire_facts_from(&employer, person, events, recorded, date)?;
                // Once per employer and hired person: a second hire of the same
                // person by the same employer is the same entitlement.
                let key = format!("{}/{person_id}", employer.credit_code);
                let payee = Payee {
                    name: format!("{}（吸纳 {}）", employer.name, hire.name),
                    credit_code: Some(employer.credit_code.clone()),
                    region,
                };
                candidates.push(Candidate { kind: "hire", key, region, facts: hire.facts, payee });
            }
        }
    }
    Ok(candidates)
}

/// A brand's payee: the brand, with its leading organisation when there is one.
fn brand_payee(b: &jiujin_store::entity::labor_brand::Model, region: RegionCode) -> Payee {
    let name = match &b.lead_organisation {
        Some(lead) => format!("{}（{lead}）", b.name),
        None => b.name.clone(),
    };
    Payee { name, credit_code: b.lead_credit_code.clone(), region }
}

/// Who a payout not made to a person goes to, for the lists and the payment file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Payee {
    pub name: String,
    /// The 统一社会信用代码, where the register holds one.
    pub credit_code: Option<String>,
    #[serde(serialize_with = "region_code")]
    pub region: RegionCode,
}

/// A region as its short code (`500101`).
fn region_code<S: serde::Serializer>(r: &RegionCode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&r.short())
}

/// The payees of the payouts made to workshops, parks and employers (by payout id).
/// A payout whose entity has since left its register has none.
pub async fn payees(store: &Store, payouts: &[payout::Model]) -> Result<HashMap<i64, Payee>, PolicyError> {
    let mut out = HashMap::new();
    let wanted = |kind: &str| payouts.iter().filter(move |p| p.beneficiary_kind == kind).collect::<Vec<_>>();
    let workshops = wanted("workshop");
    if !workshops.is_empty() {
        let all: HashMap<String, _> =
            jiujin_store::support::workshops(store, None).await?.into_iter().map(|w| (w.id.to_string(), w)).collect();
        for p in workshops {
            if let Some(w) = all.get(&p.beneficiary_key) {
                let region = RegionCode::from_i64(w.region).unwrap_or(jiujin_domain::region::CHONGQING);
                out.insert(p.id, Payee { name: w.name.clone(), credit_code: w.credit_code.clone(), region });
            }
        }
    }
    let parks = wanted("park");
    if !parks.is_empty() {
        let all: HashMap<String, _> =
            jiujin_store::startups::parks(store, None).await?.into_iter().map(|w| (w.id.to_string(), w)).collect();
        for p in parks {
            if let Some(w) = all.get(&p.beneficiary_key) {
                let region = RegionCode::from_i64(w.region).unwrap_or(jiujin_domain::region::CHONGQING);
                out.insert(p.id, Payee { name: w.name.clone(), credit_code: None, region });
            }
        }
    }
    let brands = wanted("brand");
    if !brands.is_empty() {
        let all: HashMap<String, _> =
            jiujin_store::brands::brands(store, None).await?.into_iter().map(|b| (b.id.to_string(), b)).collect();
        for p in brands {
            if let Some(b) = all.get(&p.beneficiary_key) {
                let region = RegionCode::from_i64(b.region).unwrap_or(jiujin_domain::region::CHONGQING);
                out.insert(p.id, brand_payee(b, region));
            }
        }
    }
    // The employers of the hires, read in one pass (a payment file may hold many).
    let hires = wanted("hire");
    let code_of = |p: &payout::Model| p.beneficiary_key.split_once('/').map(|(code, _)| code.to_string());
    let codes: Vec<String> = hires.iter().filter_map(|p| code_of(p)).collect();
    let employers = jiujin_store::jobs::employers_by_credit(store, &codes).await?;
    for p in hires {
        let Some(code) = code_of(p) else { continue };
        if let Some(e) = employers.get(&code) {
            let region = RegionCode::from_i64(e.region).unwrap_or(jiujin_domain::region::CHONGQING);
            out.insert(p.id, Payee { name: e.name.clone(), credit_code: Some(code), region });
        }
    }
    Ok(out)
}
