//! 人岗匹配 both ways (SPEC §4), for the command line, the pages and the API: the best
//! open postings for a registered worker (from the server's `JobBoard`), and the best
//! workers for a posting (a `SeekerIndex` over the persons inside the caller's scope
//! who want work). Every result carries its explanation. Reads of persons are audited.

use chrono::NaiveDate;
use jiujin_domain::audit::AuditAction;
use jiujin_domain::matching::{Match, SeekerIndex};
use jiujin_store::jobs::{JobListing, SeekerRow};
use jiujin_store::{audit, Scope, Store};

use super::board::JobBoard;

#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error("未找到该人员（编号 {0}），或其不在您的管辖范围内")]
    UnknownPerson(i64),
    #[error("未找到该岗位（编号 {0}）")]
    UnknownJob(i64),
    #[error("该岗位{0}，不参与匹配")]
    JobNotOpen(&'static str),
    #[error(transparent)]
    Store(#[from] jiujin_store::StoreError),
}

/// The best postings for one worker.
#[derive(Debug, Clone)]
pub struct WorkerMatches {
    pub person: SeekerRow,
    /// Why the worker is matched with nothing (not in the labour force, not seeking
    /// work), in Chinese; empty when they are matched.
    pub unmet: Vec<String>,
    pub jobs: Vec<(Match, JobListing)>,
}

/// The best `k` open postings for person `person_id` inside `scope` on `date`.
pub async fn match_worker(
    store: &Store,
    board: &JobBoard,
    scope: Scope,
    person_id: i64,
    date: NaiveDate,
    k: usize,
    by: &audit::Context,
) -> Result<WorkerMatches, MatchError> {
    board.refresh(store, date, false).await?;
    let person =
        jiujin_store::jobs::seeker(store, scope, person_id).await?.ok_or(MatchError::UnknownPerson(person_id))?;
    let detail = serde_json::json!({ "purpose": "人岗匹配", "top": k });
    audit::record(store, &by.entry(AuditAction::PersonRead, "persons", Some(person_id.to_string()), detail)).await?;
    let Some(seeker) = board.vocab.seeker(&person, date) else {
        return Ok(WorkerMatches { person, unmet: vec!["登记的地区代码无效".into()], jobs: Vec::new() });
    };
    if !seeker.in_labor_force_and_wants_work {
        let why = "不在劳动力市场或没有求职需求（就业状态为失业，或服务需求含“求职”的人员才参与匹配）".to_string();
        return Ok(WorkerMatches { person, unmet: vec![why], jobs: Vec::new() });
    }
    let matches = board.top_jobs(&seeker, k)?;
    let ids: Vec<i64> = matches.iter().map(|m| m.id).collect();
    let listings = board.listings(&ids)?;
    let jobs = matches.into_iter().zip(listings).collect();
    Ok(WorkerMatches { person, unmet: Vec::new(), jobs })
}

/// Pages of seekers read at a time.
const PAGE: u64 = 50_000;

/// What to match workers to.
#[derive(Debug, Clone, Copy)]
pub struct JobQuery {
    pub job_id: i64,
    pub date: NaiveDate,
    pub k: usize,
    /// Only candidates from the posting's district and the districts bordering it
    /// (what a page shows at once); otherwise every seeker in the scope.
    pub near_only: bool,
}

/// The best `k` workers inside `scope` for a posting on a date.
pub async fn match_job(
    store: &Store,
    board: &JobBoard,
    scope: Scope,
    q: JobQuery,
    by: &audit::Context,
) -> Result<(JobListing, Vec<(Match, SeekerRow)>), MatchError> {
    let JobQuery { job_id, date, k, near_only } = q;
    board.refresh(store, date, false).await?;
    let listing = jiujin_store::jobs::listing(store, job_id).await?.ok_or(MatchError::UnknownJob(job_id))?;
    let Some(posting) = board.vocab.posting(&listing, date) else {
        return Err(MatchError::UnknownJob(job_id));
    };
    if !posting.open {
        let why = match jiujin_domain::jobs::JobStatus::from_code(listing.job.status) {
            Some(jiujin_domain::jobs::JobStatus::Open) if posting.headcount_left == 0 => "已招满",
            Some(jiujin_domain::jobs::JobStatus::Open) => "不在有效期内",
            Some(s) => s.label(),
            None => "状态未知",
        };
        return Err(MatchError::JobNotOpen(why));
    }
    let refdata = board.vocab.refdata;
    let district = posting.place.district();
    let near = |r: i64| match (district, jiujin_domain::RegionCode::from_i64(r).and_then(|c| c.district())) {
        (Some(d), Some(h)) => d == h || refdata.adjacent(d, h),
        _ => false,
    };
    let mut rows = Vec::new();
    let mut after = 0;
    loop {
        let page = jiujin_store::jobs::seekers_after(store, scope, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        rows.extend(page.into_iter().filter(|p| !near_only || near(p.residence_region.unwrap_or(p.hukou_region))));
    }
    let seekers: Vec<_> = rows.iter().filter_map(|p| board.vocab.seeker(p, date)).collect();
    let index = SeekerIndex::build(&seekers, &board.vocab.geo, board.vocab.weights);
    let top = index.top_workers(&posting, k);
    let by_id: std::collections::HashMap<i64, &SeekerRow> = rows.iter().map(|r| (r.id, r)).collect();
    let out: Vec<(Match, SeekerRow)> =
        top.into_iter().filter_map(|m| by_id.get(&m.id).map(|r| (m, (*r).clone()))).collect();
    if !out.is_empty() {
        let detail = serde_json::json!({ "purpose": "岗位匹配人员", "job": job_id, "persons": out.len() });
        audit::record(store, &by.entry(AuditAction::PersonSearch, "persons", None, detail)).await?;
    }
    Ok((listing, out))
}
