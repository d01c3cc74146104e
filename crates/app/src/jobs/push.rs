//! 精准推送 (SPEC §4): `jiujin push run --date D` selects, for each worker who wants
//! work, the best open postings not pushed to them before, up to a daily cap, and
//! writes them to the outbox (`job_pushes`, unique per worker and job, so a run
//! repeated on the same day adds nothing and one on the next day adds only what is
//! new). Senders then deliver what waits in the outbox and record the outcome: the
//! in-app inbox is built in; SMS and WeChat gateways plug in behind `Sender`. Each push
//! is a service on the person's timeline and counts toward the 3 job pushes of the
//! 1+1+3+1 services (SPEC §6).

use std::collections::HashMap;
use std::time::Instant;

use chrono::{Duration, NaiveDate};
use jiujin_domain::audit::AuditAction;
use jiujin_store::jobs::{NewPush, CHANNEL_INBOX};
use jiujin_store::locks::BatchLock;
use jiujin_store::{audit, Scope, Store};

use super::board::JobBoard;

/// Postings pushed to one worker a day at most, by default.
pub const DAILY_CAP: usize = 3;
/// Seekers read and pushed to in one transaction.
const PAGE: u64 = 20_000;
const LEASE: &str = "push-run";

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("另一个推送任务正在运行（{0}），请稍后再试")]
    Busy(String),
    #[error(transparent)]
    Store(#[from] jiujin_store::StoreError),
}

/// What a run is asked to do.
pub struct PushRequest<'a> {
    pub store: &'a Store,
    pub board: &'a JobBoard,
    pub date: NaiveDate,
    /// Postings pushed to one worker on `date` at most (pushes already made that day
    /// count).
    pub cap: usize,
    /// Postings scoring below this are not pushed (a push should be worth reading).
    pub min_score: i32,
    pub scope: Scope,
    pub by: &'a audit::Context,
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
}

/// What a run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PushSummary {
    pub seekers: u64,
    /// New pushes written to the outbox.
    pub pushed: u64,
    /// Seekers who already had their day's pushes.
    pub capped: u64,
    /// Seekers with no posting above the minimum score that was new to them.
    pub nothing_new: u64,
    pub seconds: f64,
    pub matching_seconds: f64,
    pub writing_seconds: f64,
}

/// Selects and writes the day's pushes.
pub async fn push_run(req: PushRequest<'_>) -> Result<PushSummary, PushError> {
    let started = Instant::now();
    let lease = BatchLock::try_acquire(req.store, LEASE, Duration::minutes(30))
        .await?
        .ok_or_else(|| PushError::Busy(LEASE.into()))?;
    let result = run(&req, &lease).await;
    lease.release(req.store).await?;
    let mut summary = result?;
    summary.seconds = started.elapsed().as_secs_f64();
    let detail = serde_json::to_value(&summary).unwrap_or_default();
    audit::record(req.store, &req.by.entry(AuditAction::PushRun, "job_pushes", Some(req.date.to_string()), detail))
        .await?;
    Ok(summary)
}

async fn run(req: &PushRequest<'_>, lease: &BatchLock) -> Result<PushSummary, PushError> {
    req.board.refresh(req.store, req.date, true).await?;
    let mut s = PushSummary::default();
    let mut after = 0;
    loop {
        let page = jiujin_store::jobs::seekers_after(req.store, req.scope, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let ids: Vec<i64> = page.iter().map(|p| p.id).collect();
        let pushed = jiujin_store::jobs::pushed_jobs(req.store, &ids).await?;
        let t = Instant::now();
        let mut rows = Vec::new();
        for p in &page {
            s.seekers += 1;
            let Some(seeker) = req.board.vocab.seeker(p, req.date) else { continue };
            let before: &[(i64, NaiveDate, bool)] = pushed.get(&p.id).map_or(&[], Vec::as_slice);
            // The worker's own applications do not use up the day's pushes.
            let today = before.iter().filter(|(_, d, push)| *push && *d == req.date).count();
            let room = req.cap.saturating_sub(today);
            if room == 0 {
                s.capped += 1;
                continue;
            }
            let seen: std::collections::HashSet<i64> = before.iter().map(|(j, _, _)| *j).collect();
            let mut added = 0;
            for m in req.board.top_jobs(&seeker, room + seen.len())? {
                if added == room || m.score < req.min_score {
                    break;
                }
                if seen.contains(&m.id) {
                    continue;
                }
                let explanation = serde_json::to_string(&m.factors).unwrap_or_default();
                rows.push(NewPush { person_id: p.id, job_id: m.id, score: m.score, explanation });
                added += 1;
            }
            if added == 0 {
                s.nothing_new += 1;
            }
        }
        s.matching_seconds += t.elapsed().as_secs_f64();
        let t = Instant::now();
        s.pushed += jiujin_store::jobs::enqueue_pushes(req.store, &rows, req.date, CHANNEL_INBOX).await?;
        s.writing_seconds += t.elapsed().as_secs_f64();
        lease.renew(req.store, Duration::minutes(30)).await?;
        if let Some(f) = req.progress {
            f(s.seekers);
        }
    }
    Ok(s)
}

/// A push as a sender delivers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub push_id: i64,
    pub person_id: i64,
    pub job_id: i64,
    pub title: String,
    pub body: String,
    pub link: String,
}

/// A delivery channel (SMS gateway, WeChat template message …). The in-app inbox is
/// built in and needs no sender.
pub trait Sender: Send + Sync {
    /// The channel's Chinese name, for logs.
    fn name(&self) -> &'static str;
    /// Delivers one message; an error is the gateway's reason, in Chinese.
    fn send(&self, message: &Outgoing) -> Result<(), String>;
}

/// A sender that records what it would send, for tests and dry runs.
#[derive(Debug, Default)]
pub struct LoggingSender {
    pub sent: std::sync::Mutex<Vec<Outgoing>>,
    /// Persons whose messages fail (to test that a failure is recorded).
    pub failing: Vec<i64>,
}

impl Sender for LoggingSender {
    fn name(&self) -> &'static str {
        "记录（测试）"
    }
    fn send(&self, message: &Outgoing) -> Result<(), String> {
        if self.failing.contains(&message.person_id) {
            return Err("网关拒绝：号码无效".into());
        }
        tracing::info!(push = message.push_id, person = message.person_id, "推送：{}", message.title);
        if let Ok(mut v) = self.sent.lock() {
            v.push(message.clone());
        }
        Ok(())
    }
}

/// What a delivery round did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Delivered {
    pub sent: u64,
    pub failed: u64,
    /// Notices written to worker accounts' inboxes.
    pub inbox_notices: u64,
}

/// Delivers what waits in the outbox: a notice in the inbox of each worker account
/// bound to the person, and each extra sender; a push is sent when every channel
/// took it, failed otherwise.
pub async fn deliver(store: &Store, board: &JobBoard, senders: &[&dyn Sender]) -> Result<Delivered, PushError> {
    let mut d = Delivered::default();
    loop {
        let waiting = jiujin_store::jobs::waiting_pushes(store, 5_000).await?;
        if waiting.is_empty() {
            break;
        }
        let persons: Vec<i64> = waiting.iter().map(|p| p.person_id).collect();
        let accounts = jiujin_store::jobs::accounts_of_persons(store, &persons).await?;
        let job_ids: Vec<i64> = waiting.iter().map(|p| p.job_id).collect();
        let listings: HashMap<i64, _> =
            jiujin_store::jobs::listings(store, &job_ids).await?.into_iter().map(|l| (l.job.id, l)).collect();
        let mut notices = Vec::new();
        let (mut sent, mut failed) = (Vec::new(), Vec::new());
        for p in &waiting {
            let Some(l) = listings.get(&p.job_id) else {
                failed.push(p.id);
                continue;
            };
            let wage = super::board::wage_of(&l.job);
            let place = jiujin_domain::RegionCode::from_i64(l.job.place)
                .map(|r| board.vocab.refdata.region_path(r))
                .unwrap_or_default();
            let msg = Outgoing {
                push_id: p.id,
                person_id: p.person_id,
                job_id: p.job_id,
                title: format!("为您推荐岗位：{}", l.job.title),
                body: format!("{}，{}，{}。", l.employer_name, wage.display(), place),
                link: format!("/jobs/{}", p.job_id),
            };
            for u in accounts.get(&p.person_id).map_or(&[][..], Vec::as_slice) {
                notices.push((*u, msg.title.clone(), msg.body.clone(), msg.link.clone()));
            }
            match senders.iter().map(|s| s.send(&msg)).find(Result::is_err) {
                Some(Err(reason)) => {
                    tracing::warn!(push = p.id, "推送失败：{reason}");
                    failed.push(p.id);
                }
                _ => sent.push(p.id),
            }
        }
        d.inbox_notices += notices.len() as u64;
        d.sent += sent.len() as u64;
        d.failed += failed.len() as u64;
        jiujin_store::jobs::deliver(store, &notices, &sent, &failed).await?;
    }
    Ok(d)
}

#[derive(Debug, thiserror::Error)]
pub enum OutcomeError {
    #[error("未找到该推送记录，或其人员不在您的管辖范围内")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(jiujin_store::StoreError),
}

impl From<jiujin_store::StoreError> for OutcomeError {
    fn from(e: jiujin_store::StoreError) -> OutcomeError {
        match e {
            jiujin_store::StoreError::Conflict(m) => OutcomeError::Conflict(m),
            jiujin_store::StoreError::NotFound(_) => OutcomeError::NotFound,
            e => OutcomeError::Store(e),
        }
    }
}

/// Records what came of a push for a person inside `scope`. A hire first changes the
/// worker's status by an event (市内就业 at the posting's place, its industry and
/// occupation), then records the outcome and counts the hire against the posting's
/// headcount; recording the same outcome again is refused, so a retry after a failure
/// between the two steps completes it.
pub async fn record_outcome(
    store: &Store,
    scope: Scope,
    push_id: i64,
    outcome: jiujin_domain::jobs::PushOutcome,
    date: NaiveDate,
    by: &audit::Context,
) -> Result<(), OutcomeError> {
    use jiujin_domain::jobs::PushOutcome;
    use jiujin_domain::registry::{EmploymentStatus, EventSource};
    let push = jiujin_store::jobs::push(store, push_id).await?.ok_or(OutcomeError::NotFound)?;
    let person = jiujin_store::registry::person(store, scope, push.person_id).await?.ok_or(OutcomeError::NotFound)?;
    let hired = outcome == PushOutcome::Hired;
    if hired && push.outcome != Some(PushOutcome::Hired.code()) {
        let l = jiujin_store::jobs::listing(store, push.job_id).await?.ok_or(OutcomeError::NotFound)?;
        let mut state = person.state.clone();
        state.status = EmploymentStatus::LocalEmployed;
        state.work_region = jiujin_domain::RegionCode::from_i64(l.job.place);
        state.work_province = None;
        state.industry = Some(l.job.industry.clone());
        if let Some(o) = &l.job.occupation {
            state.occupation = Some(o.clone());
            state.occupation_name = Some(o.clone());
        }
        state.unemployed_since = None;
        jiujin_store::registry::apply_change(store, scope, person.id, &state, None, date, EventSource::Employer, by)
            .await?;
    }
    jiujin_store::jobs::record_outcome(store, push_id, outcome.code(), hired, by).await?;
    Ok(())
}

/// A worker's own application (自主申请) to a posting they found, for person
/// `person_id` inside `scope`: scored and explained like a match (so the employer sees
/// why the candidate fits), recorded once per worker and posting, and shown to the
/// posting's employer among its candidates. It is not a push and does not count as one.
/// Returns the row's id.
pub async fn apply(
    store: &Store,
    board: &JobBoard,
    scope: Scope,
    person_id: i64,
    job_id: i64,
    date: NaiveDate,
    by: &audit::Context,
) -> Result<i64, OutcomeError> {
    use jiujin_domain::matching::Scorer;
    let person = jiujin_store::jobs::seeker(store, scope, person_id).await?.ok_or(OutcomeError::NotFound)?;
    let listing = jiujin_store::jobs::listing(store, job_id).await?.ok_or(OutcomeError::NotFound)?;
    let scored = match (board.vocab.seeker(&person, date), board.vocab.posting(&listing, date)) {
        (Some(mut s), Some(p)) => {
            // Applying says the worker wants work, whatever the register last recorded.
            s.in_labor_force_and_wants_work = true;
            Scorer::new(&board.vocab.geo, board.vocab.weights).explain(&s, &p).ok()
        }
        _ => None,
    };
    let (score, explanation) = match scored {
        Some(f) => (f.iter().map(|x| x.points).sum(), serde_json::to_string(&f).unwrap_or_default()),
        None => (0, "[]".to_string()),
    };
    let row = jiujin_store::jobs::apply(store, person.id, job_id, date, score, explanation, by).await?;
    Ok(row.id)
}
