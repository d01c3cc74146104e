//! The records behind the targets that are not counted from person events (see
//! `jiujin_domain::monitoring::records`): one query per source gives the rows, and
//! the figure is the sum over the same query, so the list behind a figure is the
//! figure's exactly.

use chrono::NaiveDate;
use jiujin_domain::monitoring::records::Source;
use jiujin_domain::RegionCode;
use sea_orm::{ConnectionTrait, Value};

use crate::{sql, Result, Store};

/// One record behind a figure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecordRow {
    pub id: i64,
    /// The person the record is of, for the sources of persons.
    pub person_id: Option<i64>,
    /// A course's, station's, fair's, park's, post's or broker's name.
    pub title: String,
    /// The day that puts it in the period (completion, opening, holding …), if any.
    pub day: Option<NaiveDate>,
    pub region: i64,
    /// How much it counts (a post's places; 1 otherwise).
    pub n: i64,
}

/// The query of a source's rows over `[from, until)` in the subtree of `within`, and
/// its parameters.
fn query(source: Source, from: NaiveDate, until: NaiveDate, within: RegionCode) -> (String, Vec<Value>) {
    let (lo, hi) = within.subtree_range();
    let dated = |from: NaiveDate, until: NaiveDate| vec![from.into(), until.into(), lo.into(), hi.into()];
    let training = |kind: &str| {
        format!(
            "SELECT e.id AS id, e.person_id AS person_id, c.title AS title, e.completed_on AS day, c.region AS region, \
             CAST(1 AS BIGINT) AS n FROM training_enrolments e JOIN training_courses c ON c.id = e.course_id \
             WHERE e.state = 2 AND e.completed_on >= $1 AND e.completed_on < $2 AND c.region BETWEEN $3 AND $4 AND {kind}"
        )
    };
    match source {
        Source::SkillTraining => (training("c.kind IN (1, 2)"), dated(from, until)),
        Source::NewCitizenTraining => (training("c.kind = 3"), dated(from, until)),
        Source::DomesticTraining => (training("c.occupation = '家政服务员'"), dated(from, until)),
        Source::GigStations => (
            "SELECT s.id AS id, CAST(NULL AS BIGINT) AS person_id, s.name AS title, s.opened_on AS day, \
             s.region AS region, CAST(1 AS BIGINT) AS n FROM gig_stations s \
             WHERE s.opened_on >= $1 AND s.opened_on < $2 AND s.region BETWEEN $3 AND $4"
                .into(),
            dated(from, until),
        ),
        Source::RecruitmentEvents => (
            "SELECT f.id AS id, CAST(NULL AS BIGINT) AS person_id, f.name AS title, f.held_on AS day, \
             f.region AS region, CAST(1 AS BIGINT) AS n FROM job_fairs f \
             WHERE f.held_on >= $1 AND f.held_on < $2 AND f.region BETWEEN $3 AND $4"
                .into(),
            dated(from, until),
        ),
        Source::NewMunicipalParks => (
            "SELECT p.id AS id, CAST(NULL AS BIGINT) AS person_id, p.name AS title, p.recognized_on AS day, \
             p.region AS region, CAST(1 AS BIGINT) AS n FROM startup_parks p \
             WHERE p.recognized_on >= $1 AND p.recognized_on < $2 AND p.region BETWEEN $3 AND $4 AND p.municipal = $5"
                .into(),
            {
                let mut v = dated(from, until);
                v.push(true.into());
                v
            },
        ),
        Source::MunicipalParks => (
            "SELECT p.id AS id, CAST(NULL AS BIGINT) AS person_id, p.name AS title, p.recognized_on AS day, \
             p.region AS region, CAST(1 AS BIGINT) AS n FROM startup_parks p \
             WHERE p.recognized_on < $1 AND p.region BETWEEN $2 AND $3 AND p.municipal = $4"
                .into(),
            vec![until.into(), lo.into(), hi.into(), true.into()],
        ),
        Source::PublicPostPlaces => (
            "SELECT p.id AS id, CAST(NULL AS BIGINT) AS person_id, p.title AS title, CAST(NULL AS DATE) AS day, \
             p.region AS region, CAST(p.places AS BIGINT) AS n FROM public_posts p \
             WHERE p.created_at < $1 AND p.region BETWEEN $2 AND $3"
                .into(),
            vec![until.into(), lo.into(), hi.into()],
        ),
        Source::WorkshopWorkers => (
            "SELECT MIN(w.id) AS id, w.person_id AS person_id, MIN(h.name) AS title, MIN(w.start_on) AS day, \
             MIN(h.region) AS region, CAST(1 AS BIGINT) AS n FROM workshop_workers w JOIN workshops h ON h.id = w.host_id \
             WHERE w.start_on < $2 AND (w.end_on IS NULL OR w.end_on >= $1) AND h.region BETWEEN $3 AND $4 \
             GROUP BY w.person_id"
                .into(),
            dated(from, until),
        ),
        Source::ServedPersons => (
            "SELECT MIN(s.id) AS id, s.person_id AS person_id, CAST('跟踪服务' AS TEXT) AS title, \
             MAX(s.contact_date) AS day, MIN(p.hukou_region) AS region, CAST(1 AS BIGINT) AS n \
             FROM service_contacts s JOIN persons p ON p.id = s.person_id \
             WHERE s.contact_date >= $1 AND s.contact_date < $2 AND s.outcome <> 4 \
             AND p.hukou_region BETWEEN $3 AND $4 GROUP BY s.person_id"
                .into(),
            dated(from, until),
        ),
        Source::JobPushes => (
            "SELECT j.id AS id, j.person_id AS person_id, b.title AS title, j.push_date AS day, \
             p.hukou_region AS region, CAST(1 AS BIGINT) AS n \
             FROM job_pushes j JOIN persons p ON p.id = j.person_id JOIN jobs b ON b.id = j.job_id \
             WHERE j.push_date >= $1 AND j.push_date < $2 AND p.hukou_region BETWEEN $3 AND $4"
                .into(),
            dated(from, until),
        ),
        Source::PushHires => (
            "SELECT j.id AS id, j.person_id AS person_id, b.title AS title, j.push_date AS day, \
             p.hukou_region AS region, CAST(1 AS BIGINT) AS n \
             FROM job_pushes j JOIN persons p ON p.id = j.person_id JOIN jobs b ON b.id = j.job_id \
             WHERE j.outcome = 3 AND j.outcome_at >= $1 AND j.outcome_at < $2 AND p.hukou_region BETWEEN $3 AND $4"
                .into(),
            dated(from, until),
        ),
        Source::ApprovedPayouts => (
            "SELECT y.id AS id, y.person_id AS person_id, y.policy_id AS title, CAST(NULL AS DATE) AS day, \
             y.region AS region, CAST(1 AS BIGINT) AS n FROM payouts y \
             WHERE y.status = 'approved' AND y.decided_at >= $1 AND y.decided_at < $2 AND y.region BETWEEN $3 AND $4"
                .into(),
            dated(from, until),
        ),
        Source::WageWarnings => (
            "SELECT w.id AS id, CAST(NULL AS BIGINT) AS person_id, COALESCE(p.name, w.subject) AS title, \
             w.first_seen AS day, w.region AS region, CAST(1 AS BIGINT) AS n \
             FROM wage_warnings w LEFT JOIN wage_projects p ON p.id = w.project_id \
             WHERE w.first_seen < $2 AND (w.ended_on IS NULL OR w.ended_on >= $1) AND w.region BETWEEN $3 AND $4"
                .into(),
            dated(from, until),
        ),
        Source::NewMunicipalBrands => (
            "SELECT b.id AS id, CAST(NULL AS BIGINT) AS person_id, b.name AS title, b.municipal_on AS day, \
             b.region AS region, CAST(1 AS BIGINT) AS n FROM labor_brands b \
             WHERE b.municipal_on >= $1 AND b.municipal_on < $2 AND b.region BETWEEN $3 AND $4"
                .into(),
            dated(from, until),
        ),
        Source::NationalBrands => (
            "SELECT b.id AS id, CAST(NULL AS BIGINT) AS person_id, b.name AS title, b.national_on AS day, \
             b.region AS region, CAST(1 AS BIGINT) AS n FROM labor_brands b \
             WHERE b.national_on < $1 AND b.region BETWEEN $2 AND $3"
                .into(),
            vec![until.into(), lo.into(), hi.into()],
        ),
        Source::ActiveBrokers => (
            "SELECT b.id AS id, CAST(NULL AS BIGINT) AS person_id, b.name AS title, CAST(NULL AS DATE) AS day, \
             b.region AS region, CAST(1 AS BIGINT) AS n FROM brokers b \
             WHERE b.created_at < $1 AND b.region BETWEEN $2 AND $3 AND b.active = $4"
                .into(),
            vec![until.into(), lo.into(), hi.into(), true.into()],
        ),
    }
}

/// A source's figure over `[from, until)` in the subtree of `within`: the sum over
/// the rows `list` gives.
pub async fn count(
    store: &Store,
    source: Source,
    from: NaiveDate,
    until: NaiveDate,
    within: RegionCode,
) -> Result<i64> {
    let (rows, params) = query(source, from, until, within);
    let text = format!("SELECT CAST(COALESCE(SUM(t.n), 0) AS BIGINT) AS n FROM ({rows}) t");
    let row = store.conn().query_one(sql::statement(store.backend(), &text, params)).await?;
    Ok(match row {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    })
}

/// The rows behind `count`, by day and id, one page (`offset`, `limit`).
pub async fn list(
    store: &Store,
    source: Source,
    from: NaiveDate,
    until: NaiveDate,
    within: RegionCode,
    offset: u64,
    limit: u64,
) -> Result<Vec<RecordRow>> {
    let (rows, params) = query(source, from, until, within);
    let text = format!("SELECT * FROM ({rows}) t ORDER BY t.day, t.id LIMIT {limit} OFFSET {offset}");
    let found = store.conn().query_all(sql::statement(store.backend(), &text, params)).await?;
    let mut out = Vec::with_capacity(found.len());
    for r in found {
        out.push(RecordRow {
            id: r.try_get("", "id")?,
            person_id: r.try_get("", "person_id")?,
            title: r.try_get("", "title")?,
            day: crate::services::date_of(&r, "day")?,
            region: r.try_get("", "region")?,
            n: r.try_get("", "n")?,
        });
    }
    Ok(out)
}
