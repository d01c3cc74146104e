//! The job board each server keeps in memory (SPEC §4): the open postings as a
//! matching index (`domain::matching::JobIndex`) and a Chinese search index
//! (`domain::search::SearchIndex`), built from the database at start and kept in step
//! with it. Any server can rebuild both from the database alone, so servers stay
//! interchangeable: a posting changed through another server is picked up by the next
//! request here that finds the last refresh older than `REFRESH_EVERY`, which reads the
//! postings whose `updated_at` is at or after the last one seen (less a margin for
//! clocks and transactions still in flight). When the day changes, postings whose
//! dates open or close them are re-read whole.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use jiujin_domain::identity::Sex;
use jiujin_domain::jobs::validate::Board as BoardCode;
use jiujin_domain::jobs::{JobKind, JobStatus, Wage, WageForm};
use jiujin_domain::matching::{section_index, Geo, JobIndex, Match, Posting, Seeker, Weights};
use jiujin_domain::refdata::RefData;
use jiujin_domain::registry::{age_on, EmploymentStatus, ServiceNeed, ServiceNeeds, SkillLevel};
use jiujin_domain::search::{Analyzer, Filters, JobDoc, Query, SearchIndex, SearchResults};
use jiujin_domain::{Fen, RegionCode};
use jiujin_store::jobs::{JobListing, SeekerRow};
use jiujin_store::{Result, Store, StoreError};

/// How stale a server's board may be before a request refreshes it.
pub const REFRESH_EVERY: Duration = Duration::from_secs(2);
/// Re-read postings changed this long before the last change seen (clock skew between
/// servers, transactions that committed after a later one).
const MARGIN: chrono::Duration = chrono::Duration::seconds(30);
const PAGE: u64 = 20_000;

/// A stored posting's pay (a form code the vocabulary does not know reads as 月薪).
pub fn wage_of(j: &jiujin_store::entity::job::Model) -> Wage {
    Wage {
        form: WageForm::from_code(j.wage_form).unwrap_or(WageForm::Monthly),
        min: Fen(j.wage_min_fen),
        max: Fen(j.wage_max_fen),
    }
}

/// The reference tables matching needs, built once.
pub struct Vocab {
    pub refdata: &'static RefData,
    pub geo: Geo,
    pub weights: &'static Weights,
    pub analyzer: &'static Analyzer,
    occupations: HashMap<String, u16>,
}

impl Vocab {
    pub fn embedded() -> std::result::Result<Vocab, String> {
        let refdata = RefData::embedded().map_err(|e| e.to_string())?;
        let weights = Weights::embedded().map_err(|e| e.to_string())?;
        let analyzer = Analyzer::embedded().map_err(|e| e.to_string())?;
        let occupations = refdata.occupations().iter().enumerate().map(|(i, o)| (o.name.clone(), i as u16)).collect();
        Ok(Vocab { refdata, geo: Geo::new(refdata), weights, analyzer, occupations })
    }

    /// The occupation index of a canonical name or a synonym.
    pub fn occupation(&self, name: &str) -> Option<u16> {
        self.occupations
            .get(name)
            .copied()
            .or_else(|| self.refdata.occupation(name).and_then(|o| self.occupations.get(&o.name).copied()))
    }

    fn section(&self, industry: &str) -> Option<u8> {
        self.refdata.industry_section(industry).and_then(section_index)
    }

    fn wage(l: &JobListing) -> Wage {
        wage_of(&l.job)
    }

    /// Whether a posting is open on `date`: approved, inside its dates, headcount left.
    pub fn is_open(l: &JobListing, date: NaiveDate) -> bool {
        l.job.status == JobStatus::Open.code()
            && l.job.valid_from <= date
            && date <= l.job.valid_to
            && l.job.hired < l.job.headcount
    }

    /// A posting as matching sees it on `date`.
    pub fn posting(&self, l: &JobListing, date: NaiveDate) -> Option<Posting> {
        let place = RegionCode::from_i64(l.job.place)?;
        Some(Posting {
            id: l.job.id,
            place,
            occupation: l.job.occupation.as_deref().and_then(|o| self.occupation(o)),
            industry_section: self.section(&l.job.industry),
            kind: JobKind::from_code(l.job.kind)?,
            wage: Self::wage(l),
            age_min: u8::try_from(l.job.age_min).unwrap_or(16),
            age_max: u8::try_from(l.job.age_max).unwrap_or(70),
            skill_min: l.job.skill_min.and_then(|s| u8::try_from(s).ok()).and_then(SkillLevel::new),
            headcount_left: u32::try_from(l.job.headcount - l.job.hired).unwrap_or(0),
            open: Self::is_open(l, date),
        })
    }

    /// A posting as search sees it.
    pub fn doc(&self, l: &JobListing) -> Option<JobDoc> {
        Some(JobDoc {
            id: l.job.id,
            title: l.job.title.clone(),
            employer_name: l.employer_name.clone(),
            description: l.job.description.clone(),
            place: RegionCode::from_i64(l.job.place)?,
            occupation: l.job.occupation.as_deref().and_then(|o| self.occupation(o)),
            kind: JobKind::from_code(l.job.kind)?,
            board_lodging: BoardCode::from_code(l.job.board).lodging && BoardCode::from_code(l.job.board).meals,
            wage_monthly_mid: Self::wage(l).monthly_mid(),
            posted: l.job.valid_from,
        })
    }

    /// A person as matching sees them on `date`.
    pub fn seeker(&self, p: &SeekerRow, date: NaiveDate) -> Option<Seeker> {
        let home =
            p.residence_region.and_then(RegionCode::from_i64).or_else(|| RegionCode::from_i64(p.hukou_region))?;
        let status = EmploymentStatus::from_code(p.status);
        let needs = ServiceNeeds::from_bits(i64::from(p.needs));
        let wants = status != Some(EmploymentStatus::NotInLaborForce)
            && (status == Some(EmploymentStatus::Unemployed) || needs.contains(ServiceNeed::JobSeeking));
        Some(Seeker {
            id: p.id,
            age: u8::try_from(age_on(p.birth_date, date)).unwrap_or(u8::MAX),
            sex: Sex::from_code(p.sex).unwrap_or(Sex::Male),
            home,
            occupation: p.occupation_name.as_deref().and_then(|o| self.occupation(o)),
            skill: p.skill_level.and_then(|s| u8::try_from(s).ok()).and_then(SkillLevel::new),
            expected_monthly: p.expected_wage_fen.map(Fen),
            wanted_kind: p.wanted_kind.and_then(JobKind::from_code),
            industry_section: p.industry.as_deref().and_then(|i| self.section(i)),
            in_labor_force_and_wants_work: wants,
        })
    }
}

struct Inner {
    matching: JobIndex,
    search: SearchIndex,
    /// Every posting known (any state), for what the pages show of a hit.
    listings: HashMap<i64, JobListing>,
    date: NaiveDate,
    /// The latest `updated_at` seen.
    seen: DateTime<Utc>,
    refreshed: Instant,
}

/// A server's board.
pub struct JobBoard {
    pub vocab: Vocab,
    inner: RwLock<Inner>,
    refreshing: tokio::sync::Mutex<()>,
}

fn poisoned() -> StoreError {
    StoreError::Task("岗位索引的锁已损坏".into())
}

impl JobBoard {
    /// Reads every posting and builds both indexes for `date`.
    pub async fn load(store: &Store, vocab: Vocab, date: NaiveDate) -> Result<JobBoard> {
        let inner = Self::read_all(store, &vocab, date).await?;
        Ok(JobBoard { vocab, inner: RwLock::new(inner), refreshing: tokio::sync::Mutex::new(()) })
    }

    async fn read_all(store: &Store, vocab: &Vocab, date: NaiveDate) -> Result<Inner> {
        let mut listings = HashMap::new();
        let mut after = 0;
        let mut seen = DateTime::<Utc>::UNIX_EPOCH;
        loop {
            let page = jiujin_store::jobs::listings_after(store, after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.job.id;
            for l in page {
                seen = seen.max(l.job.updated_at);
                listings.insert(l.job.id, l);
            }
        }
        let open: Vec<&JobListing> = listings.values().filter(|l| Vocab::is_open(l, date)).collect();
        let postings: Vec<Posting> = open.iter().filter_map(|l| vocab.posting(l, date)).collect();
        let docs: Vec<JobDoc> = open.iter().filter_map(|l| vocab.doc(l)).collect();
        Ok(Inner {
            matching: JobIndex::build(&postings, &vocab.geo, vocab.weights),
            search: SearchIndex::build(vocab.analyzer, &docs),
            listings,
            date,
            seen,
            refreshed: Instant::now(),
        })
    }

    /// Brings the board in step with the database if it is older than
    /// `REFRESH_EVERY` (or `force`): the postings changed since, or everything when the
    /// day has changed.
    pub async fn refresh(&self, store: &Store, date: NaiveDate, force: bool) -> Result<()> {
        let (stale, since, same_day) = {
            let g = self.inner.read().map_err(|_| poisoned())?;
            (
                force || g.refreshed.elapsed() >= REFRESH_EVERY,
                g.seen.checked_sub_signed(MARGIN).unwrap_or(g.seen),
                g.date == date,
            )
        };
        if !stale {
            return Ok(());
        }
        let _one = self.refreshing.lock().await;
        if !same_day {
            let fresh = Self::read_all(store, &self.vocab, date).await?;
            *self.inner.write().map_err(|_| poisoned())? = fresh;
            return Ok(());
        }
        let changed = jiujin_store::jobs::listings_changed_since(store, since).await?;
        let mut g = self.inner.write().map_err(|_| poisoned())?;
        for l in changed {
            g.seen = g.seen.max(l.job.updated_at);
            let id = l.job.id;
            match (Vocab::is_open(&l, date), self.vocab.posting(&l, date), self.vocab.doc(&l)) {
                (true, Some(p), Some(d)) => {
                    g.matching.upsert(&p);
                    g.search.upsert(&d);
                }
                _ => {
                    g.matching.remove(id);
                    g.search.remove(id);
                }
            }
            g.listings.insert(id, l);
        }
        g.refreshed = Instant::now();
        Ok(())
    }

    /// The best `k` open postings for a seeker, each with its explanation.
    pub fn top_jobs(&self, seeker: &Seeker, k: usize) -> Result<Vec<Match>> {
        Ok(self.inner.read().map_err(|_| poisoned())?.matching.top_jobs(seeker, k))
    }

    /// A search of the open postings.
    pub fn search(
        &self,
        text: &str,
        filters: &Filters,
        home: Option<RegionCode>,
        offset: usize,
        limit: usize,
    ) -> Result<SearchResults> {
        let q = Query::parse(text, self.vocab.analyzer);
        Ok(self.inner.read().map_err(|_| poisoned())?.search.search(&q, filters, home, offset, limit))
    }

    /// The postings with these ids as last read (for a page of hits or matches).
    pub fn listings(&self, ids: &[i64]) -> Result<Vec<JobListing>> {
        let g = self.inner.read().map_err(|_| poisoned())?;
        Ok(ids.iter().filter_map(|id| g.listings.get(id).cloned()).collect())
    }

    /// A posting as matching sees it (for matching workers to one posting).
    pub fn posting(&self, id: i64) -> Result<Option<Posting>> {
        let g = self.inner.read().map_err(|_| poisoned())?;
        Ok(g.listings.get(&id).and_then(|l| self.vocab.posting(l, g.date)))
    }

    /// Open postings on the board.
    pub fn open_count(&self) -> Result<usize> {
        Ok(self.inner.read().map_err(|_| poisoned())?.matching.len())
    }
}

impl JobBoard {
    /// The open postings as matching sees them (for benchmarks and peers).
    pub fn open_postings(&self) -> Result<Vec<Posting>> {
        let g = self.inner.read().map_err(|_| poisoned())?;
        let mut out: Vec<Posting> = g
            .listings
            .values()
            .filter(|l| Vocab::is_open(l, g.date))
            .filter_map(|l| self.vocab.posting(l, g.date))
            .collect();
        out.sort_by_key(|p| p.id);
        Ok(out)
    }
}
