//! 劳务经纪人 (SPEC §6, seed 003 ch2.1): registering brokers (bound to a `broker`
//! account), crediting them with the hires of registered persons, the service-subsidy
//! claim (checked against the person's timeline: registered unemployed or 脱贫人口
//! before the hire, then insured employment without a break for the configured number
//! of months; never twice for one placement, nor for the same person's hires within a
//! year), its review, the integrity record, and the claims as Excel.

use chrono::NaiveDate;
use jiujin_domain::access::Role;
use jiujin_domain::brokers::{
    assess, fold, standing, Assessment, BrokerKind, ClaimStatus, EventFacts, IntegrityKind, Snapshot, Standing,
};
use jiujin_domain::identity::IdNumber;
use jiujin_domain::refdata::RefData;
use jiujin_domain::registry::{GroupFlags, InsuranceSet};
use jiujin_domain::{Fen, RegionCode};
use jiujin_store::brokers::{ClaimRefusal, ClaimRow, NewBroker, NewClaim, PlacementRow};
use jiujin_store::entity::broker;
use jiujin_store::registry::{list_persons, timeline, PersonFilter, TimelineEntry};
use jiujin_store::{audit, Scope, Store, StoreError};

use crate::crypto::Keys;

/// Why a broker change was not made.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// Each problem with the field it belongs to (form keys).
    #[error("{}", .0.iter().map(|(f, m)| format!("{f}：{m}")).collect::<Vec<_>>().join("；"))]
    Invalid(Vec<(&'static str, String)>),
    #[error("未找到，或不在您的管辖范围内")]
    NotFound,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for BrokerError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => BrokerError::NotFound,
            StoreError::Conflict(m) => BrokerError::Invalid(vec![("username", m)]),
            e => BrokerError::Store(e),
        }
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> BrokerError {
    BrokerError::Invalid(vec![(field, message.into())])
}

/// A broker as a form gives it.
#[derive(Debug, Clone, Default)]
pub struct BrokerInput<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub credit_code: &'a str,
    pub region: &'a str,
    /// A `broker` account to bind (optional).
    pub username: &'a str,
}

/// Registers a broker in a region inside `scope`.
pub async fn register(
    store: &Store,
    refdata: &RefData,
    scope: Scope,
    b: &BrokerInput<'_>,
    by: &audit::Context,
) -> Result<i64, BrokerError> {
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let name = b.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(("name", "经纪人名称不能为空，且不超过100字".into()));
    }
    let kind = BrokerKind::parse(b.kind);
    if kind.is_none() {
        errors.push(("kind", "类型应为个人经纪人或劳务经纪机构".into()));
    }
    let credit_code = match b.credit_code.trim() {
        "" => {
            if kind == Some(BrokerKind::Organisation) {
                errors.push(("credit_code", "劳务经纪机构须填写统一社会信用代码".into()));
            }
            None
        }
        t => match jiujin_domain::identity::CreditCode::parse(t) {
            Ok((c, _)) => Some(c.as_str().to_string()),
            Err(e) => {
                errors.push(("credit_code", format!("统一社会信用代码“{t}”无效：{e}")));
                None
            }
        },
    };
    let region = match RegionCode::parse(b.region.trim()) {
        Ok(c) if refdata.region(c).is_some() => {
            if !scope.admits(c, None) {
                errors.push(("region", "所在区划不在您的管辖范围内".into()));
            }
            Some(c)
        }
        _ => {
            errors.push(("region", format!("区划代码“{}”不是重庆市的区划", b.region.trim())));
            None
        }
    };
    let username = Some(b.username.trim()).filter(|u| !u.is_empty()).map(str::to_string);
    if let Some(u) = &username {
        match jiujin_store::access::user_by_name(store, u).await? {
            Some((a, _)) if a.role == Role::Broker => {}
            Some(_) => errors.push(("username", format!("账号 {u} 不是劳务经纪人角色"))),
            None => errors.push(("username", format!("账号 {u} 不存在"))),
        }
    }
    let (Some(kind), Some(region)) = (kind, region) else {
        return Err(BrokerError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(BrokerError::Invalid(errors));
    }
    let nb = NewBroker { name: name.to_string(), kind: kind.code(), credit_code, region: region.as_i64(), username };
    Ok(jiujin_store::brokers::create_broker(store, &nb, by).await?)
}

/// A broker with its counts and standing.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BrokerSummary {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub place: String,
    pub active: bool,
    pub account: Option<String>,
    pub standing: &'static str,
    pub untrusted: bool,
    pub placements: u64,
    pub claims_submitted: u64,
    pub claims_approved: u64,
    pub paid_yuan: String,
}

/// The region range of a staff scope (none for a scope without a region).
fn region_range(scope: Scope) -> Result<Option<(i64, i64)>, BrokerError> {
    match scope {
        Scope::City => Ok(None),
        Scope::Region(code) => Ok(Some(code.subtree_range())),
        Scope::Person(_) | Scope::Nothing => Err(BrokerError::NotFound),
    }
}

pub async fn summary(
    store: &Store,
    refdata: &RefData,
    b: &broker::Model,
    today: NaiveDate,
) -> Result<BrokerSummary, BrokerError> {
    let placements = jiujin_store::brokers::placements_of(store, b.id).await?;
    let record = integrity(store, b.id).await?;
    let st = standing(&record.iter().map(|(d, k, _)| (*d, *k)).collect::<Vec<_>>(), today);
    let claims: Vec<_> = placements.iter().filter_map(|p| p.claim.as_ref()).collect();
    let approved: Vec<_> = claims.iter().filter(|c| c.status == ClaimStatus::Approved.code()).collect();
    Ok(BrokerSummary {
        id: b.id,
        name: b.name.clone(),
        kind: BrokerKind::from_code(b.kind).map_or("", BrokerKind::label),
        place: RegionCode::from_i64(b.region).map(|r| refdata.region_path(r)).unwrap_or_default(),
        active: b.active,
        account: b.username.clone(),
        standing: st.label(),
        untrusted: st == Standing::Untrusted,
        placements: placements.len() as u64,
        claims_submitted: claims.iter().filter(|c| c.status == ClaimStatus::Submitted.code()).count() as u64,
        claims_approved: approved.len() as u64,
        paid_yuan: Fen(approved.iter().filter_map(|c| c.amount_fen).sum()).to_yuan_compact(),
    })
}

/// The brokers of `scope`'s region with their counts and standing.
pub async fn list(
    store: &Store,
    refdata: &RefData,
    scope: Scope,
    today: NaiveDate,
) -> Result<Vec<BrokerSummary>, BrokerError> {
    let mut out = Vec::new();
    for b in jiujin_store::brokers::brokers(store, region_range(scope)?).await? {
        out.push(summary(store, refdata, &b, today).await?);
    }
    Ok(out)
}

/// A broker visible to `scope` (its home region inside it), else `NotFound`.
pub async fn visible(store: &Store, scope: Scope, id: i64) -> Result<broker::Model, BrokerError> {
    let b = jiujin_store::brokers::broker(store, id).await?.ok_or(BrokerError::NotFound)?;
    let inside = match region_range(scope)? {
        None => true,
        Some((lo, hi)) => (lo..=hi).contains(&b.region),
    };
    if inside {
        Ok(b)
    } else {
        Err(BrokerError::NotFound)
    }
}

/// A broker's integrity record, newest first: (date, kind, note).
pub async fn integrity(store: &Store, broker_id: i64) -> Result<Vec<(NaiveDate, IntegrityKind, String)>, BrokerError> {
    Ok(jiujin_store::brokers::integrity_of(store, broker_id)
        .await?
        .into_iter()
        .filter_map(|e| IntegrityKind::from_code(e.kind).map(|k| (e.record_date, k, e.note)))
        .collect())
}

/// Adds an entry to a broker's integrity record.
pub async fn add_integrity(
    store: &Store,
    broker_id: i64,
    date: &str,
    kind: &str,
    note: &str,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<i64, BrokerError> {
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let date = match jiujin_domain::registry::validate::parse_date(date.trim()) {
        Some(d) if d <= today => Some(d),
        Some(d) => {
            errors.push(("date", format!("日期 {d} 晚于今天")));
            None
        }
        None => {
            errors.push(("date", format!("日期“{}”无效，应为 YYYY-MM-DD", date.trim())));
            None
        }
    };
    let kind = IntegrityKind::parse(kind);
    if kind.is_none() {
        errors.push(("kind", "类型应为表扬、投诉核实或违规".into()));
    }
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 500 {
        errors.push(("note", "请填写事由（不超过500字）".into()));
    }
    match (date, kind) {
        (Some(d), Some(k)) if errors.is_empty() => {
            Ok(jiujin_store::brokers::add_integrity(store, broker_id, d, k, note, by).await?)
        }
        _ => Err(BrokerError::Invalid(errors)),
    }
}

/// Credits a broker with the hire of the person with identity number `id_number` on
/// `hired_on` at `employer`. The person is looked up by the exact number inside
/// `lookup` (staff: their scope; a broker's own account: the city, since it names the
/// exact number and learns nothing beyond the name it typed).
#[allow(clippy::too_many_arguments)]
pub async fn record_placement(
    store: &Store,
    keys: &Keys,
    lookup: Scope,
    b: &broker::Model,
    id_number: &str,
    hired_on: &str,
    employer: &str,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<i64, BrokerError> {
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    if !b.active {
        errors.push(("broker", "该经纪人已暂停，不能登记推荐就业".into()));
    }
    let id = match IdNumber::parse(id_number.trim(), today) {
        Ok(id) => Some(id),
        Err(e) => {
            errors.push(("id_number", format!("公民身份号码无效：{e}")));
            None
        }
    };
    let hired = match jiujin_domain::registry::validate::parse_date(hired_on.trim()) {
        Some(d) if d <= today => Some(d),
        Some(d) => {
            errors.push(("hired_on", format!("入职日期 {d} 晚于今天")));
            None
        }
        None => {
            errors.push(("hired_on", format!("入职日期“{}”无效，应为 YYYY-MM-DD", hired_on.trim())));
            None
        }
    };
    let employer = employer.trim();
    if employer.is_empty() || employer.chars().count() > 100 {
        errors.push(("employer", "请填写用人单位（不超过100字）".into()));
    }
    let person = match &id {
        Some(id) => {
            let filter = PersonFilter { id_hmac: Some(keys.id_hmac(id)), ..Default::default() };
            let page = list_persons(store, lookup, &filter, 0, 1).await?;
            let p = page.rows.into_iter().next();
            if p.is_none() {
                errors.push(("id_number", format!("{} 不在实名台账中（请先登记）", id.masked())));
            }
            p
        }
        None => None,
    };
    let (Some(person), Some(hired)) = (person, hired) else {
        return Err(BrokerError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(BrokerError::Invalid(errors));
    }
    match jiujin_store::brokers::record_placement(store, lookup, b.id, person.id, hired, employer, by).await? {
        Ok(id) => Ok(id),
        Err(other) => Err(invalid("id_number", format!("该人员 {hired} 的就业已由经纪人“{other}”登记"))),
    }
}

/// A person's timeline as the rules of hires read it (`domain::brokers::fold`): the
/// status, insurance and flags in force from each event, with the 失业登记 found from the
/// 登记失业日期 its changes name, or from the record's own date (`current`).
pub fn snapshots(events: &[TimelineEntry], current: Option<NaiveDate>) -> Vec<Snapshot> {
    let facts: Vec<EventFacts> = events
        .iter()
        .map(|e| EventFacts {
            date: e.date,
            status: e.status,
            insurance: e.insurance.map(|i| InsuranceSet::from_bits(i64::from(i))),
            flags: e.flags.map(|f| GroupFlags::from_bits(i64::from(f))),
            registrations: e
                .changes
                .iter()
                .filter(|c| c.label == "登记失业日期")
                .flat_map(|c| [c.old.as_deref(), c.new.as_deref()])
                .flatten()
                .filter_map(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
                .collect(),
        })
        .collect();
    fold(&facts, current)
}

/// The assessment of a placement for a claim on `today` with `months` of insured
/// employment required, from the person's timeline.
pub async fn assess_placement(
    store: &Store,
    p: &PlacementRow,
    months: u32,
    today: NaiveDate,
) -> Result<Assessment, BrokerError> {
    // The claim rule reads the whole timeline of a person the broker was credited with
    // (checked by staff in scope when the claim is decided); nothing of it is shown.
    let events = timeline(store, Scope::City, p.placement.person_id).await?.ok_or(BrokerError::NotFound)?;
    let current = jiujin_store::registry::person(store, Scope::City, p.placement.person_id)
        .await?
        .and_then(|s| s.state.unemployed_since);
    Ok(assess(&snapshots(&events, current), p.placement.hired_on, months, today))
}

/// Submits the service-subsidy claim of a placement of broker `b`: refused with every
/// reason when the placement does not qualify, when the broker is suspended or 失信,
/// or when it (or the same person's hire within a year) was claimed before.
pub async fn claim(
    store: &Store,
    b: &broker::Model,
    placement_id: i64,
    months: u32,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<i64, BrokerError> {
    let p = jiujin_store::brokers::placement(store, placement_id).await?.ok_or(BrokerError::NotFound)?;
    if p.placement.broker_id != b.id {
        return Err(BrokerError::NotFound);
    }
    let mut problems: Vec<String> = Vec::new();
    if !b.active {
        problems.push("该经纪人已暂停".into());
    }
    let record = integrity(store, b.id).await?;
    if standing(&record.iter().map(|(d, k, _)| (*d, *k)).collect::<Vec<_>>(), today) == Standing::Untrusted {
        problems.push("该经纪人近12个月有违规记录（失信），暂停申领补助".into());
    }
    let a = assess_placement(store, &p, months, today).await?;
    problems.extend(a.problems.iter().cloned());
    let (true, Some(stable_from)) = (problems.is_empty(), a.stable_on) else {
        return Err(BrokerError::Invalid(problems.into_iter().map(|m| ("placement", m)).collect()));
    };
    let c = NewClaim { placement_id, claimed_on: today, basis: a.basis.join("、"), stable_from };
    match jiujin_store::brokers::submit_claim(store, &c, by).await? {
        Ok(id) => Ok(id),
        Err(ClaimRefusal::AlreadyClaimed(s)) => {
            Err(invalid("placement", format!("该推荐就业已申请过补助（{}），不能重复申请", s.label())))
        }
        Err(ClaimRefusal::PersonClaimed(d)) => {
            Err(invalid("placement", format!("该人员 {d} 入职已有经纪人服务补助申请，一年内不重复补助")))
        }
    }
}

/// Decides a claim: approved with the amount paid (yuan), or rejected with a reason.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    store: &Store,
    scope: Scope,
    claim_id: i64,
    approve: bool,
    amount: &str,
    reason: &str,
    by: &audit::Context,
) -> Result<(), BrokerError> {
    let reason = reason.trim();
    let amount = if approve {
        match Fen::parse_yuan(amount.trim()) {
            Ok(f) if f.0 > 0 && f.0 <= 1_000_000 => Some(f.0),
            _ => return Err(invalid("amount", "批准须填写补助金额（0.01至10000元）")),
        }
    } else {
        if reason.is_empty() {
            return Err(invalid("reason", "不批准须填写原因"));
        }
        None
    };
    if reason.chars().count() > 500 {
        return Err(invalid("reason", "原因不超过500字"));
    }
    let reason = Some(reason).filter(|r| !r.is_empty());
    if jiujin_store::brokers::decide_claim(store, scope, claim_id, approve, amount, reason, by).await? {
        Ok(())
    } else {
        Err(invalid("claim", "该申请已审核，不能重复审核"))
    }
}

/// The claims of `scope` (optionally of one status).
pub async fn claims(store: &Store, scope: Scope, status: Option<ClaimStatus>) -> Result<Vec<ClaimRow>, BrokerError> {
    Ok(jiujin_store::brokers::claims(store, scope, status).await?)
}

/// Claims as Excel (names, no identity numbers).
pub fn claims_xlsx(rows: &[ClaimRow]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("经纪人服务补助")?;
    let head = [
        "申请编号",
        "经纪人",
        "人员",
        "用人单位",
        "入职日期",
        "类别",
        "稳定就业满期日",
        "申请日期",
        "状态",
        "补助金额（元）",
        "原因",
    ];
    for (i, h) in head.iter().enumerate() {
        sheet.write_with_format(0, i as u16, *h, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write(row, 0, r.claim.id as f64)?;
        sheet.write(row, 1, &r.broker)?;
        sheet.write(row, 2, &r.name)?;
        sheet.write(row, 3, &r.employer_name)?;
        sheet.write(row, 4, r.hired_on.to_string())?;
        sheet.write(row, 5, &r.claim.basis)?;
        sheet.write(row, 6, r.claim.stable_from.to_string())?;
        sheet.write(row, 7, r.claim.claimed_on.to_string())?;
        sheet.write(row, 8, ClaimStatus::from_code(r.claim.status).map_or("", ClaimStatus::label))?;
        sheet.write(row, 9, r.claim.amount_fen.map(|f| Fen(f).to_yuan_compact()).unwrap_or_default())?;
        sheet.write(row, 10, r.claim.reason.clone().unwrap_or_default())?;
    }
    sheet.autofit();
    book.save_to_buffer()
}
