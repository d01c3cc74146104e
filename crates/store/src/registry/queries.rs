//! Scoped reads of the registry (lists, one person, the timeline, likely duplicates)
//! and the single-record write path (one change → events + projection + audit entry,
//! one transaction).

use chrono::{NaiveDate, Utc};
use jiujin_domain::audit::{mask_field, AuditAction};
use jiujin_domain::monitoring::tally::{Facet, IndustryRows, Tally};
use jiujin_domain::registry::{
    diff, ChangeSet, EmploymentStatus, EventKind, EventSource, Flag, GroupFlag, Insurance, PersonState,
};
use jiujin_domain::RegionCode;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, Statement, TransactionTrait,
};
use sea_orm::{ConnectionTrait, QueryTrait};

use super::convert::{state_from_model, StoredPerson};
use super::events::{self, EventRow, Projection};
use crate::entity::{person, person_event};
use crate::{audit, Result, Scope, Store, StoreError};

/// Filters of the registry list (all optional, combined with AND).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonFilter {
    /// Name, or the start of it.
    pub name: Option<String>,
    /// Keyed hash of an identity number typed into the search box.
    pub id_hmac: Option<[u8; 16]>,
    /// Keyed hash of a mobile number typed into the search box.
    pub phone_hmac: Option<[u8; 16]>,
    /// Restrict to a region's subtree (must lie inside the caller's scope).
    pub region: Option<RegionCode>,
    pub status: Option<EmploymentStatus>,
    pub flag: Option<GroupFlag>,
    pub insurance: Option<InsuranceFilter>,
    /// Inclusive birth-date bounds (an age band).
    pub born_after: Option<NaiveDate>,
    pub born_before: Option<NaiveDate>,
}

/// The insurance filter of the registry list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsuranceFilter {
    /// Insured under this scheme (others may be present too).
    Has(Insurance),
    /// Under no scheme at all (未参保).
    Uninsured,
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub total: u64,
    /// More than `total` match (`COUNT_CAP`).
    pub total_capped: bool,
    pub page: u64,
    pub per_page: u64,
    pub rows: Vec<T>,
}

/// One page of persons, whole.
pub type PersonPage = Page<StoredPerson>;

/// A person as one line of the registry list shows them: the columns of that line
/// only (no ciphertexts but the two the line masks, no history, no digests), so a
/// busy list reads, decodes and renders a third of a whole row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonLine {
    pub id: i64,
    pub name: String,
    pub id_cipher: Vec<u8>,
    pub phone_cipher: Option<Vec<u8>>,
    pub sex: jiujin_domain::identity::Sex,
    pub birth_date: NaiveDate,
    pub hukou_region: RegionCode,
    pub residence_region: Option<RegionCode>,
    pub status: EmploymentStatus,
    pub work_region: Option<RegionCode>,
    pub work_province: Option<i16>,
}

/// The stored columns of a `PersonLine`, in `LINE_COLUMNS` order.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct LineRow {
    pub id: i64,
    pub name: String,
    pub id_cipher: Vec<u8>,
    pub phone_cipher: Option<Vec<u8>>,
    pub sex: i16,
    pub birth_date: NaiveDate,
    pub hukou_region: i64,
    pub residence_region: Option<i64>,
    pub status: i16,
    pub work_region: Option<i64>,
    pub work_province: Option<i16>,
}

/// The columns a `PersonLine` is read from; the inline reader decodes them by
/// position in this order (`inline::line_row`).
const LINE_COLUMNS: [person::Column; 11] = [
    person::Column::Id,
    person::Column::Name,
    person::Column::IdCipher,
    person::Column::PhoneCipher,
    person::Column::Sex,
    person::Column::BirthDate,
    person::Column::HukouRegion,
    person::Column::ResidenceRegion,
    person::Column::Status,
    person::Column::WorkRegion,
    person::Column::WorkProvince,
];

impl PersonLine {
    fn from_row(r: LineRow) -> Result<PersonLine> {
        let bad = |what: &str| StoreError::Corrupt(format!("persons.{what}（id={}）", r.id));
        let region = |v: i64, what: &str| RegionCode::from_i64(v).ok_or_else(|| bad(what));
        Ok(PersonLine {
            id: r.id,
            sex: jiujin_domain::identity::Sex::from_code(r.sex).ok_or_else(|| bad("sex"))?,
            birth_date: r.birth_date,
            hukou_region: region(r.hukou_region, "hukou_region")?,
            residence_region: r.residence_region.map(|v| region(v, "residence_region")).transpose()?,
            status: EmploymentStatus::from_code(r.status).ok_or_else(|| bad("status"))?,
            work_region: r.work_region.map(|v| region(v, "work_region")).transpose()?,
            work_province: r.work_province,
            name: r.name,
            id_cipher: r.id_cipher,
            phone_cipher: r.phone_cipher,
        })
    }
}

fn filter_condition(scope: Scope, f: &PersonFilter) -> Condition {
    let within = match (scope, f.region) {
        // A region chosen inside the caller's is the whole condition: written with
        // the caller's too, SQLite would answer the two ORs from the wider one's
        // indexes and sort a whole district to list one town (2 s for 万州区).
        (Scope::City, Some(r)) => Scope::Region(r).persons(),
        (Scope::Region(s), Some(r)) if s.contains(r) => Scope::Region(r).persons(),
        (_, Some(r)) => Condition::all().add(scope.persons()).add(Scope::Region(r).persons()),
        (_, None) => scope.persons(),
    };
    Condition::all().add(within).add(filter_rest(f))
}

/// The regions of a list (the caller's and the chosen one) when no name, identity
/// number or phone narrows it and each region holds a district or more. Such a list
/// is read in id order straight from the table, its other filters checked on the
/// way, and the first rows already hold a page: a district is at least a few
/// thousandths of the city. Through the region indexes, SQLite would first look up
/// every person of the district, then sort them (万州区's 500,000: about a second
/// unfiltered, 1.5–3.5 s with a status, flag, age or insurance filter). A town or a
/// village keeps the indexes: few rows, and a rare filter could make the walk
/// read the whole table. PostgreSQL's planner already walks the primary key for
/// such a page (`EXPLAIN ANALYZE` at city size), and written this way its filtered
/// lists got slower, so there the conditions stay as they are.
fn wide_regions(store: &Store, scope: Scope, f: &PersonFilter) -> Option<Vec<RegionCode>> {
    if store.backend() != sea_orm::DatabaseBackend::Sqlite {
        return None;
    }
    let unkeyed =
        f.name.as_deref().is_none_or(|n| n.trim().is_empty()) && f.id_hmac.is_none() && f.phone_hmac.is_none();
    let regions: Vec<RegionCode> = match scope {
        Scope::Region(r) => std::iter::once(r).chain(f.region).collect(),
        Scope::City => f.region.into_iter().collect(),
        Scope::Person(_) | Scope::Nothing => return None,
    };
    let wide = |r: &RegionCode| {
        matches!(r.level(), jiujin_domain::region::RegionLevel::District | jiujin_domain::region::RegionLevel::Province)
    };
    (unkeyed && !regions.is_empty() && regions.iter().all(wide)).then_some(regions)
}

/// Each region's subtree on `persons` (by hukou or by residence, as
/// `Scope::persons`), written so that no index answers it: `+column` is the same
/// value, but not a column an index could seek.
fn unindexed_regions(regions: Vec<RegionCode>) -> Condition {
    let col = |c: &str| Expr::expr(Expr::cust(format!("+\"{c}\"")));
    regions.into_iter().fold(Condition::all(), |all, r| {
        let (lo, hi) = r.subtree_range();
        all.add(Condition::any().add(col("hukou_region").between(lo, hi)).add(col("residence_region").between(lo, hi)))
    })
}

/// The conditions of `f` other than its region.
fn filter_rest(f: &PersonFilter) -> Condition {
    let mut c = Condition::all();
    if let Some(name) = f.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        // A prefix as a range of code points, which both databases answer from the
        // name index (a LIKE would not use it under every collation).
        c = match prefix_upper_bound(name) {
            Some(upper) => c.add(person::Column::Name.gte(name)).add(person::Column::Name.lt(upper)),
            None => c.add(person::Column::Name.starts_with(name)),
        };
    }
    if let Some(h) = f.id_hmac {
        c = c.add(person::Column::IdHmac.eq(h.to_vec()));
    }
    if let Some(h) = f.phone_hmac {
        c = c.add(person::Column::PhoneHmac.eq(h.to_vec()));
    }
    if let Some(s) = f.status {
        c = c.add(person::Column::Status.eq(s.code()));
    }
    if let Some(flag) = f.flag {
        let bit = 1i32 << flag.bit();
        c = c.add(Expr::col(person::Column::Flags).binary(sea_orm::sea_query::BinOper::BitAnd, bit).ne(0));
    }
    match f.insurance {
        Some(InsuranceFilter::Has(i)) => {
            let bit = 1i32 << i.bit();
            c = c.add(Expr::col(person::Column::Insurance).binary(sea_orm::sea_query::BinOper::BitAnd, bit).ne(0));
        }
        Some(InsuranceFilter::Uninsured) => c = c.add(person::Column::Insurance.eq(0)),
        None => {}
    }
    if let Some(d) = f.born_after {
        c = c.add(person::Column::BirthDate.gte(d));
    }
    if let Some(d) = f.born_before {
        c = c.add(person::Column::BirthDate.lte(d));
    }
    c
}

/// The least string greater than every string starting with `prefix`, in code-point
/// order: the prefix with its last character moved to the next one.
pub fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(n) = next {
            chars.push(n);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// Lists count their matches up to this many; beyond it the page says "more than".
pub const COUNT_CAP: u64 = 10_000;

/// A page of persons in `scope` matching `filter`, by id. `total` is exact up to
/// `COUNT_CAP`; beyond it `total_capped` is set and `total` is `COUNT_CAP` (counting
/// half a million people of a district on every page view would cost seconds).
pub async fn list_persons(
    store: &Store,
    scope: Scope,
    filter: &PersonFilter,
    page: u64,
    per_page: u64,
) -> Result<PersonPage> {
    PageQuery::new(store, scope, filter, page, per_page)
        .run(store, |rows| rows, crate::inline::model, StoredPerson::from_model)
        .await
}

/// The same page as `list_persons`, as the registry list's lines (`PersonLine`).
pub async fn person_lines(
    store: &Store,
    scope: Scope,
    filter: &PersonFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<PersonLine>> {
    PageQuery::new(store, scope, filter, page, per_page)
        .run(store, |rows| rows.select_only().columns(LINE_COLUMNS), crate::inline::line_row, PersonLine::from_row)
        .await
}

/// The two statements of a list's page: its rows, and the count of all matches.
struct PageQuery {
    /// The page's rows (`None` for a name search, whose page is read by id).
    rows: Option<sea_orm::Select<person::Entity>>,
    /// The count of all matches, up to the cap (a name search counts its ids).
    count: Option<Statement>,
    cost: crate::inline::Cost,
    page: u64,
    per_page: u64,
    /// A name search: its matches' ids in the list's order, read from the name
    /// index alone, and the condition its page's rows are then read with.
    named: Option<Named>,
}

/// A name search's matches: the query that reads their ids, the condition the
/// page's rows are read with, and, when only a name and regions narrow it, the
/// question for the name search in memory (`names`).
struct Named {
    /// Their ids in the list's order; built into SQL only when memory cannot answer.
    order: sea_orm::Select<person::Entity>,
    cond: Condition,
    in_memory: Option<(String, Vec<(i64, i64)>)>,
    limit: u64,
}

/// The prefix and the region ranges (each one by hukou or by residence) of a search
/// the name search in memory can answer: a name, perhaps a region, nothing else,
/// by the city's or a region's staff. The ranges are `filter_condition`'s.
fn in_memory_question(scope: Scope, f: &PersonFilter) -> Option<(String, Vec<(i64, i64)>)> {
    let name = f.name.as_deref().map(str::trim).filter(|n| !n.is_empty())?;
    let only_name = f.id_hmac.is_none()
        && f.phone_hmac.is_none()
        && f.status.is_none()
        && f.flag.is_none()
        && f.insurance.is_none()
        && f.born_after.is_none()
        && f.born_before.is_none();
    if !only_name {
        return None;
    }
    let regions: Vec<RegionCode> = match (scope, f.region) {
        (Scope::City, r) => r.into_iter().collect(),
        (Scope::Region(s), Some(r)) if s.contains(r) => vec![r],
        (Scope::Region(s), r) => std::iter::once(s).chain(r).collect(),
        (Scope::Person(_) | Scope::Nothing, _) => return None,
    };
    Some((name.to_string(), regions.into_iter().map(RegionCode::subtree_range).collect()))
}

/// The order of a name search's list: the name index's own.
fn in_name_order<S: QueryOrder>(rows: S) -> S {
    rows.order_by_asc(person::Column::Name)
        .order_by_asc(person::Column::HukouRegion)
        .order_by_asc(person::Column::ResidenceRegion)
        .order_by_asc(person::Column::Id)
}

impl PageQuery {
    fn new(store: &Store, scope: Scope, filter: &PersonFilter, page: u64, per_page: u64) -> PageQuery {
        let per_page = per_page.clamp(1, 500);
        let cond = filter_condition(scope, filter);
        let named = filter.name.as_deref().is_some_and(|n| !n.trim().is_empty());
        if named {
            // A name search reads its matches' ids once, in order, up to the cap (or
            // to the page asked for, beyond it): their number is the count, and the
            // page is a slice of them. One pass over the name index's entries, where
            // a count and a page each read them (about 130 µs of a 张伟 search's 400
            // µs of SQL at city size); on SQLite, from memory once it is loaded.
            let limit = (COUNT_CAP + 1).max(page.saturating_add(1).saturating_mul(per_page));
            let order =
                in_name_order(person::Entity::find().select_only().column(person::Column::Id).filter(cond.clone()))
                    .limit(limit);
            let named = Named { order, cond, in_memory: in_memory_question(scope, filter), limit };
            return PageQuery {
                rows: None,
                count: None,
                cost: crate::inline::Cost::Bounded,
                page,
                per_page,
                named: Some(named),
            };
        }
        // Other lists by id (a name search is listed in the name index's order, above).
        let wide =
            wide_regions(store, scope, filter).map(|regions| unindexed_regions(regions).add(filter_rest(filter)));
        let rows = person::Entity::find().filter(wide.clone().unwrap_or_else(|| cond.clone()));
        let rows = rows.order_by_asc(person::Column::Id).offset(page.saturating_mul(per_page)).limit(per_page);
        // The count of a district's list with only its region reaches the cap within
        // the region indexes; with another filter, every person of the district is
        // read to check it, which the table walk does in order (0.7 s against 0.8 s
        // for 失业 in 万州区, 1.7 s against 2.8 s for 未参保, in the `sqlite3` shell).
        let filtered = filter.status.is_some()
            || filter.flag.is_some()
            || filter.insurance.is_some()
            || filter.born_after.is_some()
            || filter.born_before.is_some();
        let counted = match wide {
            Some(w) if filtered => w,
            _ => cond,
        };
        let matches = person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .filter(counted)
            .limit(COUNT_CAP + 1)
            .as_query()
            .to_owned();
        let count = sea_orm::sea_query::Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from_subquery(matches, sea_orm::sea_query::Alias::new("m"))
            .to_owned();
        let count = Some(store.backend().build(&count));
        // An identity number or phone narrows the read to one index range.
        let bounded = filter.id_hmac.is_some() || filter.phone_hmac.is_some();
        let cost = if bounded { crate::inline::Cost::Bounded } else { crate::inline::Cost::Unbounded };
        PageQuery { rows: Some(rows), count, cost, page, per_page, named: None }
    }

    /// Reads the page with the columns `select` keeps, each row decoded by
    /// `inline_row` on the inline SQLite path or as `M` through sqlx, then `convert`ed.
    async fn run<M, T>(
        self,
        store: &Store,
        select: impl FnOnce(sea_orm::Select<person::Entity>) -> sea_orm::Select<person::Entity>,
        inline_row: fn(&rusqlite::Row<'_>) -> rusqlite::Result<M>,
        convert: fn(M) -> Result<T>,
    ) -> Result<Page<T>>
    where
        M: FromQueryResult + Send + Sync,
    {
        let PageQuery { rows, count, cost, page, per_page, named } = self;
        let rows = match (named, rows) {
            (Some(named), _) => return named_page(store, named, page, per_page, select, inline_row, convert).await,
            (None, Some(rows)) => select(rows),
            (None, None) => return Err(StoreError::Corrupt("列表查询缺少语句".into())),
        };
        // A first page that is not full is every match: no count needed.
        let short = |n: usize| page == 0 && (n as u64) < per_page;
        let (models, total) = read_rows(store, rows, cost, count.as_ref(), |n| !short(n), inline_row).await?;
        let rows = models.into_iter().map(convert).collect::<Result<Vec<_>>>()?;
        if short(rows.len()) {
            let n = rows.len() as u64;
            return Ok(Page { total: n, total_capped: false, page, per_page, rows });
        }
        let n: i64 = match (total, count) {
            (Some(n), _) => n,
            (None, Some(count)) => match store.conn().query_one(count).await? {
                Some(row) => row.try_get_by_index(0)?,
                None => 0,
            },
            (None, None) => i64::try_from(rows.len()).unwrap_or(i64::MAX),
        };
        let n = u64::try_from(n).unwrap_or(0);
        Ok(Page { total: n.min(COUNT_CAP), total_capped: n > COUNT_CAP, page, per_page, rows })
    }
}

/// The rows of `q`, and the count `count` when `counted(rows read)` asks for it:
/// read on the calling thread on SQLite (`inline::page`), else through sqlx, which
/// leaves the count to the caller.
async fn read_rows<M>(
    store: &Store,
    q: sea_orm::Select<person::Entity>,
    cost: crate::inline::Cost,
    count: Option<&Statement>,
    counted: impl FnOnce(usize) -> bool,
    inline_row: fn(&rusqlite::Row<'_>) -> rusqlite::Result<M>,
) -> Result<(Vec<M>, Option<i64>)>
where
    M: FromQueryResult + Send + Sync,
{
    let read = crate::inline::path(store)
        .map(|path| crate::inline::page(path, cost, &q.build(store.backend()), count, counted, inline_row))
        .transpose()?
        .flatten();
    Ok(match read {
        Some(p) => (p.rows, p.total),
        None => (q.into_model::<M>().all(store.conn()).await?, None),
    })
}

/// A name search's page: the ids of its matches in order (`ids`), then the rows of
/// the page's slice of them, read with the list's condition again (so the scope is
/// checked on the rows themselves) and in the same order.
#[allow(clippy::too_many_arguments)]
async fn named_page<M, T>(
    store: &Store,
    named: Named,
    page: u64,
    per_page: u64,
    select: impl FnOnce(sea_orm::Select<person::Entity>) -> sea_orm::Select<person::Entity>,
    inline_row: fn(&rusqlite::Row<'_>) -> rusqlite::Result<M>,
    convert: fn(M) -> Result<T>,
) -> Result<Page<T>>
where
    M: FromQueryResult + Send + Sync,
{
    let Named { order, cond, in_memory, limit } = named;
    let path = crate::inline::path(store);
    // From memory when it is loaded (SQLite), else from the name index.
    let remembered = match (path, in_memory) {
        (Some(p), Some((prefix, ranges))) => {
            store.name_index().ids(p, &prefix, &ranges, usize::try_from(limit).unwrap_or(usize::MAX))?
        }
        _ => None,
    };
    let ids = match remembered {
        Some(ids) => ids,
        None => {
            let ids = order.build(store.backend());
            match path.map(|p| crate::inline::rows(p, &ids, |r| r.get::<_, i64>(0))).transpose()?.flatten() {
                Some(found) => found,
                None => {
                    let mut out = Vec::new();
                    for row in store.conn().query_all(ids).await? {
                        out.push(row.try_get_by_index::<i64>(0)?);
                    }
                    out
                }
            }
        }
    };
    let n = ids.len() as u64;
    let start = usize::try_from(page.saturating_mul(per_page)).unwrap_or(usize::MAX).min(ids.len());
    let end = start.saturating_add(usize::try_from(per_page).unwrap_or(usize::MAX)).min(ids.len());
    let wanted = &ids[start..end];
    let mut rows = Vec::with_capacity(wanted.len());
    if !wanted.is_empty() {
        let q = select(in_name_order(
            person::Entity::find().filter(cond).filter(person::Column::Id.is_in(wanted.iter().copied())),
        ));
        let (models, _) = read_rows(store, q, crate::inline::Cost::Bounded, None, |_| false, inline_row).await?;
        for m in models {
            rows.push(convert(m)?);
        }
    }
    Ok(Page { total: n.min(COUNT_CAP), total_capped: n > COUNT_CAP, page, per_page, rows })
}

/// Up to `limit` persons in `scope` matching `filter` with an id above `after`, by
/// id: the pages of an export, each one index range read.
pub async fn persons_after(
    store: &Store,
    scope: Scope,
    filter: &PersonFilter,
    after: i64,
    limit: u64,
) -> Result<Vec<StoredPerson>> {
    // A district's export, like its list, reads the table in id order from `after`.
    let cond = match wide_regions(store, scope, filter) {
        Some(regions) => unindexed_regions(regions).add(filter_rest(filter)),
        None => filter_condition(scope, filter),
    };
    person::Entity::find()
        .filter(cond)
        .filter(person::Column::Id.gt(after))
        .order_by_asc(person::Column::Id)
        .limit(limit)
        .all(store.conn())
        .await?
        .into_iter()
        .map(StoredPerson::from_model)
        .collect()
}

/// Number of persons in `scope` matching `filter`.
pub async fn person_count(store: &Store, scope: Scope, filter: &PersonFilter) -> Result<u64> {
    Ok(person::Entity::find().filter(filter_condition(scope, filter)).count(store.conn()).await?)
}

/// The persons with these ids that lie inside `scope` (others read as absent), read
/// in chunks of 500 ids (SQLite's limit on bound values), by id.
pub async fn persons_by_ids(store: &Store, scope: Scope, ids: &[i64]) -> Result<Vec<StoredPerson>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows = person::Entity::find()
            .filter(scope.persons())
            .filter(person::Column::Id.is_in(chunk.iter().copied()))
            .order_by_asc(person::Column::Id)
            .all(store.conn())
            .await?;
        for m in rows {
            out.push(StoredPerson::from_model(m)?);
        }
    }
    Ok(out)
}

/// One person, if it exists inside `scope` (outside it looks like absence).
pub async fn person(store: &Store, scope: Scope, id: i64) -> Result<Option<StoredPerson>> {
    person::Entity::find_by_id(id)
        .filter(scope.persons())
        .one(store.conn())
        .await?
        .map(StoredPerson::from_model)
        .transpose()
}

/// The other members of a person's household in `scope` (same 家庭户编号 and hukou
/// village; found through the hukou index), at most 20.
pub async fn household_members(store: &Store, scope: Scope, p: &StoredPerson) -> Result<Vec<StoredPerson>> {
    let Some(no) = p.state.household_no.as_deref() else {
        return Ok(Vec::new());
    };
    person::Entity::find()
        .filter(scope.persons())
        .filter(person::Column::HukouRegion.eq(p.state.hukou_region.as_i64()))
        .filter(person::Column::HouseholdNo.eq(no))
        .filter(person::Column::Id.ne(p.id))
        .order_by_asc(person::Column::Id)
        .limit(20)
        .all(store.conn())
        .await?
        .into_iter()
        .map(StoredPerson::from_model)
        .collect()
}

/// One event of a person's timeline, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub id: i64,
    pub date: NaiveDate,
    pub kind: EventKind,
    pub source: EventSource,
    pub status: Option<EmploymentStatus>,
    pub work_region: Option<RegionCode>,
    pub work_province: Option<i16>,
    pub industry: Option<String>,
    pub insurance: Option<i32>,
    pub flags: Option<i32>,
    pub changes: Vec<TimelineChange>,
    pub import_run_id: Option<i64>,
    pub actor: Option<String>,
    pub recorded_at: chrono::DateTime<Utc>,
}

/// One changed field recorded in an event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct TimelineChange {
    pub label: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// The timeline of a person in `scope`, oldest first; `None` if not visible.
pub async fn timeline(store: &Store, scope: Scope, id: i64) -> Result<Option<Vec<TimelineEntry>>> {
    if person(store, scope, id).await?.is_none() {
        return Ok(None);
    }
    let rows = person_event::Entity::find()
        .filter(person_event::Column::PersonId.eq(id))
        .order_by_asc(person_event::Column::Id)
        .all(store.conn())
        .await?;
    rows.into_iter().map(timeline_entry).collect::<Result<Vec<_>>>().map(Some)
}

/// The persons with these ids inside `scope`, each with their timeline (oldest first),
/// by id: two queries per chunk of 500 ids, for runs that read many people at once
/// (a per-hire run). A person outside `scope` or absent is left out.
pub async fn persons_with_timelines(
    store: &Store,
    scope: Scope,
    ids: &[i64],
) -> Result<std::collections::BTreeMap<i64, (StoredPerson, Vec<TimelineEntry>)>> {
    let mut out = std::collections::BTreeMap::new();
    let persons = persons_by_ids(store, scope, ids).await?;
    let visible: Vec<i64> = persons.iter().map(|p| p.id).collect();
    for p in persons {
        out.insert(p.id, (p, Vec::new()));
    }
    for chunk in visible.chunks(500) {
        let rows = person_event::Entity::find()
            .filter(person_event::Column::PersonId.is_in(chunk.iter().copied()))
            .order_by_asc(person_event::Column::PersonId)
            .order_by_asc(person_event::Column::Id)
            .all(store.conn())
            .await?;
        for r in rows {
            if let Some((_, events)) = out.get_mut(&r.person_id) {
                events.push(timeline_entry(r)?);
            }
        }
    }
    Ok(out)
}

fn timeline_entry(r: person_event::Model) -> Result<TimelineEntry> {
    let bad = |what: &str| StoreError::Corrupt(format!("person_events.{what}（id={}）", r.id));
    let changes: Vec<TimelineChange> = match &r.changes {
        Some(j) => serde_json::from_str(j).map_err(|_| bad("changes"))?,
        None => Vec::new(),
    };
    Ok(TimelineEntry {
        id: r.id,
        date: r.event_date,
        kind: EventKind::from_code(r.kind).ok_or_else(|| bad("kind"))?,
        source: EventSource::from_code(r.source).ok_or_else(|| bad("source"))?,
        status: r.status.and_then(EmploymentStatus::from_code),
        work_region: r.work_region.and_then(RegionCode::from_i64),
        work_province: r.work_province,
        industry: r.industry,
        insurance: r.insurance,
        flags: r.flags,
        changes,
        import_run_id: r.import_run_id,
        actor: r.actor,
        recorded_at: r.recorded_at,
    })
}

fn event_model(
    person_id: i64,
    date: NaiveDate,
    source: EventSource,
    actor: Option<&str>,
    e: EventRow,
) -> person_event::ActiveModel {
    person_event::ActiveModel {
        person_id: Set(person_id),
        event_date: Set(date),
        kind: Set(e.kind.code()),
        source: Set(source.code()),
        status: Set(e.status),
        work_region: Set(e.work_region),
        work_province: Set(e.work_province),
        industry: Set(e.industry),
        insurance: Set(e.insurance),
        flags: Set(e.flags),
        changes: Set(e.changes),
        import_run_id: Set(None),
        actor: Set(actor.map(str::to_string)),
        recorded_at: Set(Utc::now()),
        ..Default::default()
    }
}

/// Adds a change's deltas to the dashboards' counters, in the transaction of its events.
async fn count_change<C: sea_orm::ConnectionTrait>(
    txn: &C,
    old: &PersonState,
    new: &PersonState,
    date: NaiveDate,
) -> Result<()> {
    let rows = IndustryRows::embedded();
    let mut tally = Tally::new();
    tally.change(&Facet::of(old, rows), &Facet::of(new, rows), date);
    crate::monitoring::add_in(txn, &mut tally).await
}

/// Inside a caller's transaction (which has taken the audit slot): moves the person of
/// `model` to `new` with its events, dated `date`. Returns the number of events; the
/// caller writes the audit entry. For changes that belong to another record (a
/// recognition setting a group flag), so that both commit together.
pub(crate) async fn change_in<C: sea_orm::ConnectionTrait>(
    txn: &C,
    model: person::Model,
    new: &PersonState,
    date: NaiveDate,
    source: EventSource,
    actor: Option<&str>,
) -> Result<usize> {
    let old = state_from_model(&model)?;
    let rows = events::changes(&old, new);
    let n = rows.len();
    if n == 0 {
        return Ok(0);
    }
    for e in rows {
        event_model(model.id, date, source, actor, e).insert(txn).await?;
    }
    count_change(txn, &old, new, date).await?;
    let status_since = if old.status != new.status { date } else { model.status_since };
    let mut am: person::ActiveModel = model.into();
    set_state(&mut am, new);
    am.status_since = Set(status_since);
    am.row_digest = Set(Vec::new());
    am.updated_at = Set(Utc::now());
    am.update(txn).await?;
    Ok(n)
}

/// Records a change to one person in `scope`: writes one event per changed group,
/// updates the projected state and appends a `person.update` audit entry (the changed
/// fields before and after, masked), in one transaction. Returns the number of events
/// (0 when nothing changed, and then nothing is written), or `None` when the person
/// is not visible.
///
/// A new phone comes as `new.phone_digest` with its ciphertext in `phone_cipher`
/// (both `None` removes it). The row digest of the last import is cleared, so the
/// next import of this person compares field by field.
#[allow(clippy::too_many_arguments)]
pub async fn apply_change(
    store: &Store,
    scope: Scope,
    id: i64,
    new: &PersonState,
    phone_cipher: Option<&[u8]>,
    date: NaiveDate,
    source: EventSource,
    by: &audit::Context,
) -> Result<Option<usize>> {
    let txn = store.conn().begin().await?;
    // First statement: takes the audit chain's place (and SQLite's write lock) before
    // anything is read. Returning without commit gives it back.
    let slot = audit::reserve(&txn).await?;
    let Some(model) = person::Entity::find_by_id(id).filter(scope.persons()).one(&txn).await? else {
        return Ok(None);
    };
    let old = state_from_model(&model)?;
    let phone_changed = old.phone_digest != new.phone_digest;
    if phone_changed && new.phone_digest.is_some() != phone_cipher.is_some() {
        return Err(StoreError::Conflict("电话号码的密文与摘要须同时提供".into()));
    }
    let rows = events::changes(&old, new);
    let n = rows.len();
    if n == 0 {
        return Ok(Some(0));
    }
    let actor = Some(by.actor.username.as_str());
    for e in rows {
        event_model(id, date, source, actor, e).insert(&txn).await?;
    }
    count_change(&txn, &old, new, date).await?;
    let status_since = if old.status != new.status { date } else { model.status_since };
    let mut am: person::ActiveModel = model.into();
    set_state(&mut am, new);
    if phone_changed {
        am.phone_hmac = Set(new.phone_digest.map(|d| d.to_vec()));
        am.phone_cipher = Set(phone_cipher.map(<[u8]>::to_vec));
    }
    am.status_since = Set(status_since);
    am.row_digest = Set(Vec::new());
    am.updated_at = Set(Utc::now());
    am.update(&txn).await?;
    let detail = serde_json::json!({
        "date": date.to_string(),
        "source": source.label(),
        "changes": masked_changes(&diff(&old, new)),
    });
    audit::write(&txn, slot, &by.entry(AuditAction::PersonUpdate, "person", Some(id.to_string()), detail)).await?;
    txn.commit().await?;
    Ok(Some(n))
}

/// A person entered by hand (the registration form): the encrypted identity, the
/// state, and the day the registration describes.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub id_hmac: [u8; 16],
    pub id_cipher: Vec<u8>,
    pub phone_cipher: Option<Vec<u8>>,
    pub state: PersonState,
    pub row_digest: [u8; 16],
    pub date: NaiveDate,
}

/// What became of a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Person(i64),
    /// The identity number is registered already; the id when the caller may see it.
    Exists(Option<i64>),
    /// Neither the hukou nor the residence lies in the caller's scope.
    OutOfScope,
}

/// Registers one person: the `persons` row, its 登记 event and a `person.create` audit
/// entry (masked), in one transaction. Refused when the number is registered already
/// or the person would fall outside `scope` (nothing is written then).
pub async fn create_person(
    store: &Store,
    scope: Scope,
    new: &NewPerson,
    source: EventSource,
    by: &audit::Context,
) -> Result<Created> {
    let s = &new.state;
    if !scope.admits(s.hukou_region, s.residence_region) {
        return Ok(Created::OutOfScope);
    }
    if s.phone_digest.is_some() != new.phone_cipher.is_some() {
        return Err(StoreError::Conflict("电话号码的密文与摘要须同时提供".into()));
    }
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let existing = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .filter(person::Column::IdHmac.eq(new.id_hmac.to_vec()))
        .into_tuple::<i64>()
        .one(&txn)
        .await?;
    if let Some(id) = existing {
        let visible = person::Entity::find_by_id(id).filter(scope.persons()).count(&txn).await? > 0;
        return Ok(Created::Exists(visible.then_some(id)));
    }
    let now = Utc::now();
    let mut am = person::ActiveModel {
        id_hmac: Set(new.id_hmac.to_vec()),
        id_cipher: Set(new.id_cipher.clone()),
        phone_hmac: Set(s.phone_digest.map(|d| d.to_vec())),
        phone_cipher: Set(new.phone_cipher.clone()),
        birth_date: Set(s.birth_date),
        sex: Set(s.sex.code()),
        status_since: Set(new.date),
        row_digest: Set(new.row_digest.to_vec()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    set_state(&mut am, s);
    let model = am.insert(&txn).await?;
    let actor = Some(by.actor.username.as_str());
    event_model(model.id, new.date, source, actor, events::registration(s)).insert(&txn).await?;
    let mut tally = Tally::new();
    tally.register(&Facet::of(s, IndustryRows::embedded()), new.date);
    crate::monitoring::add_in(&txn, &mut tally).await?;
    let detail = serde_json::json!({
        "date": new.date.to_string(),
        "source": source.label(),
        "name": s.name,
        "hukou_region": s.hukou_region.short(),
        "residence_region": s.residence_region.map(RegionCode::short),
        "status": s.status.label(),
    });
    let entry = by.entry(AuditAction::PersonCreate, "person", Some(model.id.to_string()), detail);
    audit::write(&txn, slot, &entry).await?;
    txn.commit().await?;
    Ok(Created::Person(model.id))
}

/// The changed fields as the audit log keeps them: before and after, with identity
/// numbers and phones masked.
fn masked_changes(set: &ChangeSet) -> Vec<serde_json::Value> {
    let mask = |field: &str, v: &Option<String>| v.as_deref().map(|v| mask_field(field, v));
    [&set.status, &set.insurance, &set.flags, &set.details]
        .into_iter()
        .flatten()
        .map(|c| {
            serde_json::json!({
                "field": c.field,
                "label": c.label,
                "old": mask(c.field, &c.old),
                "new": mask(c.field, &c.new),
            })
        })
        .collect()
}

fn set_state(am: &mut person::ActiveModel, s: &PersonState) {
    am.name = Set(s.name.clone());
    am.hukou_region = Set(s.hukou_region.as_i64());
    am.residence_region = Set(s.residence_region.map(RegionCode::as_i64));
    am.household_no = Set(s.household_no.clone());
    am.status = Set(s.status.code());
    am.work_region = Set(s.work_region.map(RegionCode::as_i64));
    am.work_province = Set(s.work_province);
    am.industry = Set(s.industry.clone());
    am.occupation = Set(s.occupation.clone());
    am.occupation_name = Set(s.occupation_name.clone());
    am.skill_level = Set(s.skill_level.map(|l| i16::from(l.get())));
    am.expected_wage_fen = Set(s.expected_wage.map(|f| f.0));
    am.wanted_kind = Set(s.wanted_kind.map(|k| k.code()));
    am.flags = Set(s.flags.bits() as i32);
    am.insurance = Set(s.insurance.bits() as i32);
    am.needs = Set(s.needs.bits() as i32);
    am.unemployed_since = Set(s.unemployed_since);
}

/// The projection of one person's events.
pub async fn fold_events(store: &Store, id: i64) -> Result<Projection> {
    let rows = person_event::Entity::find()
        .filter(person_event::Column::PersonId.eq(id))
        .order_by_asc(person_event::Column::Id)
        .all(store.conn())
        .await?;
    let mut p = Projection::default();
    for r in rows {
        let kind = EventKind::from_code(r.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("person_events.kind（id={}）", r.id)))?;
        let row = EventRow {
            kind,
            status: r.status,
            work_region: r.work_region,
            work_province: r.work_province,
            industry: r.industry,
            insurance: r.insurance,
            flags: r.flags,
            changes: None,
        };
        p.apply(kind, r.event_date, &row);
    }
    Ok(p)
}

/// A person whose stored state differs from the fold of their events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectionMismatch {
    pub person_id: i64,
    pub stored: Projection,
    pub folded: Projection,
}

/// Re-folds every person's events and lists those whose stored state disagrees
/// (the check behind `jiujin registry check`). Streams persons in id order.
pub async fn verify_projection(store: &Store, limit: usize) -> Result<(u64, Vec<ProjectionMismatch>)> {
    #[derive(FromQueryResult)]
    struct Ev {
        person_id: i64,
        event_date: NaiveDate,
        kind: i16,
        status: Option<i16>,
        work_region: Option<i64>,
        work_province: Option<i16>,
        industry: Option<String>,
        insurance: Option<i32>,
        flags: Option<i32>,
    }
    let mut checked = 0u64;
    let mut bad = Vec::new();
    let mut after = 0i64;
    const CHUNK: u64 = 20_000;
    loop {
        let persons = person::Entity::find()
            .filter(person::Column::Id.gt(after))
            .order_by_asc(person::Column::Id)
            .limit(CHUNK)
            .all(store.conn())
            .await?;
        let (Some(first), Some(last)) = (persons.first().map(|p| p.id), persons.last().map(|p| p.id)) else {
            break;
        };
        let evs = Ev::find_by_statement(crate::sql::statement(
            store.backend(),
            "SELECT person_id, event_date, kind, status, work_region, work_province, industry, insurance, flags \
             FROM person_events WHERE person_id BETWEEN $1 AND $2 ORDER BY person_id, id",
            [first.into(), last.into()],
        ))
        .all(store.conn())
        .await?;
        let mut it = evs.into_iter().peekable();
        for p in &persons {
            let mut folded = Projection::default();
            while let Some(e) = it.next_if(|e| e.person_id <= p.id) {
                if e.person_id < p.id {
                    continue;
                }
                let kind = EventKind::from_code(e.kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("person_events.kind {}", e.kind)))?;
                let row = EventRow {
                    kind,
                    status: e.status,
                    work_region: e.work_region,
                    work_province: e.work_province,
                    industry: e.industry,
                    insurance: e.insurance,
                    flags: e.flags,
                    changes: None,
                };
                folded.apply(kind, e.event_date, &row);
            }
            let stored = Projection {
                status: Some(p.status),
                status_since: Some(p.status_since),
                work_region: p.work_region,
                work_province: p.work_province,
                industry: p.industry.clone(),
                insurance: p.insurance,
                flags: p.flags,
            };
            checked += 1;
            if stored != folded && bad.len() < limit {
                bad.push(ProjectionMismatch { person_id: p.id, stored, folded });
            }
        }
        after = last;
    }
    Ok((checked, bad))
}

/// Two persons with the same name, birth date and phone but different numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicatePair {
    pub a: StoredPerson,
    pub b: StoredPerson,
}

/// The pairs query of `likely_duplicates`: each person with a phone is matched to
/// later persons through the phone-hash index (`persons_phone_hmac`), so the list
/// costs milliseconds at city size. Public for the query-plan test.
pub fn likely_duplicates_sql(scope: Scope, limit: u64) -> String {
    format!(
        "SELECT p.id AS a, q.id AS b FROM persons p JOIN persons q \
           ON q.phone_hmac = p.phone_hmac AND q.name = p.name AND q.birth_date = p.birth_date AND q.id > p.id \
         WHERE p.phone_hmac IS NOT NULL AND q.phone_hmac IS NOT NULL AND {} AND {} \
           AND NOT EXISTS (SELECT 1 FROM duplicate_reviews r WHERE r.person_a = p.id AND r.person_b = q.id) \
         ORDER BY p.id, q.id LIMIT {limit}",
        scope.sql("p"),
        scope.sql("q"),
    )
}

/// Likely duplicates inside `scope` not yet reviewed, at most `limit` pairs.
pub async fn likely_duplicates(store: &Store, scope: Scope, limit: u64) -> Result<Vec<DuplicatePair>> {
    #[derive(FromQueryResult)]
    struct Pair {
        a: i64,
        b: i64,
    }
    let pairs = Pair::find_by_statement(Statement::from_string(store.backend(), likely_duplicates_sql(scope, limit)))
        .all(store.conn())
        .await?;
    // One query for all the persons of the pairs (both members lie in the scope).
    let ids: Vec<i64> = pairs.iter().flat_map(|p| [p.a, p.b]).collect();
    let mut visible: std::collections::HashMap<i64, StoredPerson> = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let found = person::Entity::find()
            .filter(scope.persons())
            .filter(person::Column::Id.is_in(chunk.to_vec()))
            .all(store.conn())
            .await?;
        for m in found {
            visible.insert(m.id, StoredPerson::from_model(m)?);
        }
    }
    let mut out = Vec::new();
    for pair in pairs {
        let (Some(a), Some(b)) = (visible.get(&pair.a), visible.get(&pair.b)) else {
            continue;
        };
        out.push(DuplicatePair { a: a.clone(), b: b.clone() });
        if out.len() as u64 >= limit {
            break;
        }
    }
    Ok(out)
}

/// Records a staff decision on a listed pair (1 = 同一人待核实, 2 = 不同人) and its
/// `duplicate.review` audit entry, in one transaction; false when either person is
/// not visible in `scope` (nothing is written).
pub async fn review_duplicate(
    store: &Store,
    scope: Scope,
    a: i64,
    b: i64,
    decision: i16,
    note: Option<&str>,
    by: &audit::Context,
) -> Result<bool> {
    let (a, b) = if a < b { (a, b) } else { (b, a) };
    let txn = store.conn().begin().await?;
    let slot = audit::reserve(&txn).await?;
    let visible =
        person::Entity::find().filter(scope.persons()).filter(person::Column::Id.is_in([a, b])).count(&txn).await?;
    if visible != 2 {
        return Ok(false);
    }
    let am = crate::entity::duplicate_review::ActiveModel {
        person_a: Set(a),
        person_b: Set(b),
        decision: Set(decision),
        note: Set(note.map(str::to_string)),
        decided_by: Set(Some(by.actor.username.clone())),
        decided_at: Set(Utc::now()),
        ..Default::default()
    };
    let review = am.insert(&txn).await?;
    let detail = serde_json::json!({
        "person_a": a,
        "person_b": b,
        "decision": decision,
        "decision_label": match decision { 1 => "同一人待核实", 2 => "不同人", _ => "其他" },
        "note": note,
    });
    let entry = by.entry(AuditAction::DuplicateReview, "duplicate_review", Some(review.id.to_string()), detail);
    audit::write(&txn, slot, &entry).await?;
    txn.commit().await?;
    Ok(true)
}
