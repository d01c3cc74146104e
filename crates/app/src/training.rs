//! 职业技能培训 (SPEC §6, seed 001 §(四)): providers and courses checked field by field
//! (nothing written on a mistake), enrolment and completion, the post-training
//! employment rate by course and provider against the 60 % floor (employment within 6
//! months after completion, read from each trainee's status events), the monthly
//! 紧缺职业目录 run, and the training recommendations shown to a worker beside their
//! job matches.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use jiujin_domain::refdata::RefData;
use jiujin_domain::registry::{EmploymentStatus, SkillLevel};
use jiujin_domain::training::{
    employed_within, recommend, shortage_catalog, Cohort, CourseKind, EnrolmentState, OpenCourse, Recommendation,
    ShortageRow, Trainee,
};
use jiujin_domain::{Fen, RegionCode};
use jiujin_store::training::{CourseRow, EnrolRefusal, Finish, NewCourse, NewProvider};
use jiujin_store::{audit, Scope, Store, StoreError};

/// Why a training change was not made.
#[derive(Debug, thiserror::Error)]
pub enum TrainingError {
    /// Each problem with the field it belongs to (form keys).
    #[error("{}", .0.iter().map(|(f, m)| format!("{f}：{m}")).collect::<Vec<_>>().join("；"))]
    Invalid(Vec<(&'static str, String)>),
    #[error("未找到，或不在您的管辖范围内")]
    NotFound,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for TrainingError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => TrainingError::NotFound,
            StoreError::Conflict(m) => TrainingError::Invalid(vec![("name", m)]),
            e => TrainingError::Store(e),
        }
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> TrainingError {
    TrainingError::Invalid(vec![(field, message.into())])
}

/// The 12-digit range of a staff scope's region; a scope without a region (a worker,
/// an employer) has none and gets nothing.
pub fn region_range(scope: Scope) -> Result<Option<(i64, i64)>, TrainingError> {
    match scope {
        Scope::City => Ok(None),
        Scope::Region(code) => Ok(Some(code.subtree_range())),
        Scope::Person(_) | Scope::Nothing => Err(TrainingError::NotFound),
    }
}

fn parse_region(
    refdata: &RefData,
    text: &str,
    field: &'static str,
    errors: &mut Vec<(&'static str, String)>,
) -> Option<RegionCode> {
    match RegionCode::parse(text.trim()) {
        Ok(c) if refdata.region(c).is_some() => Some(c),
        _ => {
            errors.push((field, format!("区划代码“{}”不是重庆市的区划", text.trim())));
            None
        }
    }
}

/// Registers a provider: a name, its region inside `scope`, and a 统一社会信用代码 if
/// it has one (checked).
pub async fn create_provider(
    store: &Store,
    refdata: &RefData,
    scope: Scope,
    name: &str,
    credit_code: &str,
    region: &str,
    by: &audit::Context,
) -> Result<i64, TrainingError> {
    let mut errors = Vec::new();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(("name", "机构名称不能为空，且不超过100字".to_string()));
    }
    let code = credit_code.trim();
    let credit_code = if code.is_empty() {
        None
    } else {
        match jiujin_domain::identity::CreditCode::parse(code) {
            Ok((c, _)) => Some(c.as_str().to_string()),
            Err(e) => {
                errors.push(("credit_code", format!("统一社会信用代码“{code}”无效：{e}")));
                None
            }
        }
    };
    let region = parse_region(refdata, region, "region", &mut errors);
    if let Some(r) = region {
        if !scope.admits(r, None) {
            errors.push(("region", "所在区划不在您的管辖范围内".to_string()));
        }
    }
    if !errors.is_empty() {
        return Err(TrainingError::Invalid(errors));
    }
    let region = region.map_or(0, RegionCode::as_i64);
    Ok(jiujin_store::training::create_provider(store, &NewProvider { name: name.to_string(), credit_code, region }, by)
        .await?)
}

/// A course as a form gives it.
#[derive(Debug, Clone, Default)]
pub struct CourseInput<'a> {
    pub provider: &'a str,
    pub title: &'a str,
    pub occupation: &'a str,
    pub kind: &'a str,
    pub region: &'a str,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub capacity: &'a str,
    /// Yuan per trainee.
    pub subsidy: &'a str,
}

/// Checks a course; every problem is reported by field.
pub fn check_course(refdata: &RefData, scope: Scope, c: &CourseInput<'_>) -> Result<NewCourse, TrainingError> {
    use jiujin_domain::registry::validate::parse_date;
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let provider = c.provider.trim().parse::<i64>().ok();
    if provider.is_none() {
        errors.push(("provider", "请选择培训机构".into()));
    }
    let title = c.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        errors.push(("title", "培训班名称不能为空，且不超过100字".into()));
    }
    let occupation = match c.occupation.trim() {
        "" => None,
        t => match refdata.occupation(t) {
            Some(o) => Some(o.name.clone()),
            None => {
                errors.push(("occupation", format!("职业（工种）“{t}”不在职业表中")));
                None
            }
        },
    };
    let kind = CourseKind::parse(c.kind);
    if kind.is_none() {
        errors.push(("kind", "培训类型应为岗前培训、技能提升培训或新市民培训".into()));
    }
    let region = parse_region(refdata, c.region, "region", &mut errors).and_then(|r| r.district());
    if let Some(r) = region {
        if !scope.admits(r, None) {
            errors.push(("region", "开班区县不在您的管辖范围内".into()));
        }
    }
    let starts = parse_date(c.starts_on.trim());
    if starts.is_none() {
        errors.push(("starts_on", format!("开班日期“{}”无效，应为 YYYY-MM-DD", c.starts_on.trim())));
    }
    let ends = parse_date(c.ends_on.trim());
    match (starts, ends) {
        (_, None) => errors.push(("ends_on", format!("结业日期“{}”无效，应为 YYYY-MM-DD", c.ends_on.trim()))),
        (Some(s), Some(e)) if e < s => errors.push(("ends_on", format!("结业日期 {e} 早于开班日期 {s}"))),
        _ => {}
    }
    let capacity = c.capacity.trim().parse::<i32>().ok().filter(|n| (1..=10_000).contains(n));
    if capacity.is_none() {
        errors.push(("capacity", "招生人数应为1至10000的整数".into()));
    }
    let subsidy = match c.subsidy.trim() {
        "" => Some(Fen(0)),
        t => match Fen::parse_yuan(t) {
            Ok(f) if f.0 >= 0 && f.0 <= 1_000_000 => Some(f),
            _ => {
                errors.push(("subsidy", format!("培训补贴“{t}”应为0至10000元")));
                None
            }
        },
    };
    match (provider, kind, region, starts, ends, capacity, subsidy) {
        (
            Some(provider_id),
            Some(kind),
            Some(region),
            Some(starts_on),
            Some(ends_on),
            Some(capacity),
            Some(subsidy),
        ) if errors.is_empty() => Ok(NewCourse {
            provider_id,
            title: title.to_string(),
            occupation,
            kind: kind.code(),
            region: region.as_i64(),
            starts_on,
            ends_on,
            capacity,
            subsidy_fen: subsidy.0,
        }),
        _ => Err(TrainingError::Invalid(errors)),
    }
}

pub async fn create_course(
    store: &Store,
    refdata: &RefData,
    scope: Scope,
    c: &CourseInput<'_>,
    by: &audit::Context,
) -> Result<i64, TrainingError> {
    let course = check_course(refdata, scope, c)?;
    match jiujin_store::training::create_course(store, &course, by).await {
        Err(StoreError::NotFound(_)) => Err(invalid("provider", "培训机构不存在")),
        r => Ok(r?),
    }
}

/// Enrols a person in a course on `today`.
pub async fn enrol(
    store: &Store,
    scope: Scope,
    course_id: i64,
    person_id: i64,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<i64, TrainingError> {
    match jiujin_store::training::enrol(store, scope, course_id, person_id, today, by).await? {
        Ok(id) => Ok(id),
        Err(EnrolRefusal::Full) => Err(invalid("person", "该培训班名额已满")),
        Err(EnrolRefusal::AlreadyEnrolled) => Err(invalid("person", "该人员已报名本培训班")),
        Err(EnrolRefusal::Ended) => Err(invalid("person", "该培训班已结业，不能再报名")),
    }
}

/// The end of an enrolment as a form gives it.
#[derive(Debug, Clone, Default)]
pub struct FinishInput<'a> {
    /// `completed` or `dropped`.
    pub state: &'a str,
    pub date: &'a str,
    pub cert_level: &'a str,
    pub cert_no: &'a str,
}

/// Records completion (with a certificate if any) or dropping out; the date may not be
/// after `today` nor before the enrolment's course starts.
pub async fn finish(
    store: &Store,
    scope: Scope,
    enrolment_id: i64,
    f: &FinishInput<'_>,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<i64, TrainingError> {
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let state = match f.state.trim() {
        "completed" | "结业" => Some(EnrolmentState::Completed),
        "dropped" | "退训" => Some(EnrolmentState::Dropped),
        _ => {
            errors.push(("state", "应为结业或退训".into()));
            None
        }
    };
    let date = match jiujin_domain::registry::validate::parse_date(f.date.trim()) {
        Some(d) if d > today => {
            errors.push(("date", format!("日期 {d} 晚于今天")));
            None
        }
        Some(d) => Some(d),
        None => {
            errors.push(("date", format!("日期“{}”无效，应为 YYYY-MM-DD", f.date.trim())));
            None
        }
    };
    let cert_level = match f.cert_level.trim() {
        "" => None,
        t => match SkillLevel::parse(t) {
            Some(l) => Some(i16::from(l.get())),
            None => {
                errors.push(("cert_level", format!("证书等级“{t}”应为一级至五级")));
                None
            }
        },
    };
    let cert_no = Some(f.cert_no.trim()).filter(|s| !s.is_empty()).map(str::to_string);
    if cert_no.as_ref().is_some_and(|s| s.chars().count() > 50) {
        errors.push(("cert_no", "证书编号不超过50字".into()));
    }
    let (Some(state), Some(date)) = (state, date) else {
        return Err(TrainingError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(TrainingError::Invalid(errors));
    }
    let finish = Finish { state, date, cert_level, cert_no };
    match jiujin_store::training::finish(store, scope, enrolment_id, &finish, by).await? {
        Ok(person) => Ok(person),
        Err(s) => Err(invalid("state", format!("该报名已{}，不能重复登记", s.label()))),
    }
}

/// The post-training employment of one course.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CourseRate {
    pub course: i64,
    pub title: String,
    pub cohort: Cohort,
}

/// The post-training employment of one provider and its courses.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProviderRate {
    pub provider: i64,
    pub name: String,
    pub cohort: Cohort,
    /// Below the 60 % floor (with at least one trainee whose window is over).
    pub below_floor: bool,
    pub courses: Vec<CourseRate>,
}

/// The post-training employment rate of a region's courses on a date.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RateReport {
    pub as_of: NaiveDate,
    pub total: Cohort,
    /// Providers below the floor first, then by name.
    pub providers: Vec<ProviderRate>,
}

/// The post-training employment rate by course and provider of the courses held in
/// `scope`'s region, as things stand on `as_of`.
pub async fn rates(store: &Store, scope: Scope, as_of: NaiveDate) -> Result<RateReport, TrainingError> {
    let region = region_range(scope)?;
    let (done, events) = jiujin_store::training::completions(store, region).await?;
    let mut timelines: HashMap<i64, Vec<(NaiveDate, EmploymentStatus)>> = HashMap::new();
    for (p, d, s) in events {
        timelines.entry(p).or_default().push((d, s));
    }
    let courses: HashMap<i64, CourseRow> =
        jiujin_store::training::courses(store, region).await?.into_iter().map(|c| (c.course.id, c)).collect();
    let providers: HashMap<i64, String> =
        jiujin_store::training::providers(store).await?.into_iter().map(|p| (p.id, p.name)).collect();
    let mut by_course: BTreeMap<i64, Cohort> = BTreeMap::new();
    let mut total = Cohort::default();
    for c in &done {
        let employed = employed_within(c.completed_on, timelines.get(&c.person_id).map_or(&[][..], |v| v.as_slice()));
        by_course.entry(c.course_id).or_default().add(c.completed_on, employed, as_of);
        total.add(c.completed_on, employed, as_of);
    }
    let mut by_provider: BTreeMap<i64, ProviderRate> = BTreeMap::new();
    for (course, cohort) in by_course {
        let Some(row) = courses.get(&course) else { continue };
        let p = by_provider.entry(row.course.provider_id).or_insert_with(|| ProviderRate {
            provider: row.course.provider_id,
            name: providers.get(&row.course.provider_id).cloned().unwrap_or_default(),
            cohort: Cohort::default(),
            below_floor: false,
            courses: Vec::new(),
        });
        p.cohort.merge(&cohort);
        p.courses.push(CourseRate { course, title: row.course.title.clone(), cohort });
    }
    let mut providers: Vec<ProviderRate> = by_provider
        .into_values()
        .map(|mut p| {
            p.below_floor = p.cohort.below_floor();
            p
        })
        .collect();
    providers.sort_by(|a, b| b.below_floor.cmp(&a.below_floor).then(a.name.cmp(&b.name)));
    Ok(RateReport { as_of, total, providers })
}

fn pct(c: &Cohort) -> String {
    c.rate().map_or_else(|| "—".to_string(), |r| format!("{:.1}%", r * 100.0))
}

/// The report as Excel: one row per course with its provider, and the providers'
/// totals, flagged under the floor. No person appears in it.
pub fn rates_xlsx(r: &RateReport) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("培训后就业率")?;
    let head = [
        "培训机构",
        "培训班",
        "结业满6个月人数",
        "其中6个月内就业",
        "培训后就业率",
        "结业未满6个月",
        "其中已就业",
        "低于60%",
    ];
    for (i, h) in head.iter().enumerate() {
        sheet.write_with_format(0, i as u16, *h, &bold)?;
    }
    let mut row = 1u32;
    let mut put = |sheet: &mut rust_xlsxwriter::Worksheet, provider: &str, course: &str, c: &Cohort, flag: bool| {
        let _ = sheet.write(row, 0, provider);
        let _ = sheet.write(row, 1, course);
        let _ = sheet.write(row, 2, c.closed as f64);
        let _ = sheet.write(row, 3, c.closed_employed as f64);
        let _ = sheet.write(row, 4, pct(c));
        let _ = sheet.write(row, 5, c.open as f64);
        let _ = sheet.write(row, 6, c.open_employed as f64);
        let _ = sheet.write(row, 7, if flag { "是" } else { "" });
        row += 1;
    };
    for p in &r.providers {
        put(sheet, &p.name, "（合计）", &p.cohort, p.below_floor);
        for c in &p.courses {
            put(sheet, &p.name, &c.title, &c.cohort, c.cohort.below_floor());
        }
    }
    put(sheet, "全部", "（合计）", &r.total, r.total.below_floor());
    sheet.autofit();
    book.save_to_buffer()
}

/// The monthly 紧缺职业目录 run: open places of the postings open on `date` against the
/// job seekers, by occupation, saved as `month` (a month run again is replaced).
pub async fn shortage_run(
    store: &Store,
    month: &str,
    date: NaiveDate,
    by: &audit::Context,
) -> Result<Vec<ShortageRow>, TrainingError> {
    if chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_err() {
        return Err(invalid("month", format!("月份“{month}”应为 YYYY-MM")));
    }
    let openings = jiujin_store::training::openings_by_occupation(store, date).await?;
    let seekers = jiujin_store::training::seekers_by_occupation(store).await?;
    let rows =
        shortage_catalog(openings.iter().map(|(o, n)| (o.as_str(), *n)), seekers.iter().map(|(o, n)| (o.as_str(), *n)));
    jiujin_store::training::save_shortage(store, month, &rows, by).await?;
    Ok(rows)
}

/// A recommended course with what the worker reads of it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CourseSuggestion {
    pub course: i64,
    pub title: String,
    pub provider: String,
    pub kind: &'static str,
    pub place: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub subsidy_yuan: String,
    pub score: u32,
    pub reasons: Vec<String>,
}

/// The courses to recommend to a person on `today` (at most `k`), from the courses
/// open for enrolment, the latest 紧缺职业目录 and what the record says of them.
pub async fn recommendations(
    store: &Store,
    refdata: &RefData,
    p: &jiujin_store::registry::StoredPerson,
    today: NaiveDate,
    k: usize,
) -> Result<Vec<CourseSuggestion>, TrainingError> {
    let courses = jiujin_store::training::courses(store, None).await?;
    let open: Vec<OpenCourse> = courses
        .iter()
        .filter(|c| c.course.starts_on >= today)
        .filter_map(|c| {
            Some(OpenCourse {
                id: c.course.id,
                occupation: c.course.occupation.clone(),
                kind: CourseKind::from_code(c.course.kind)?,
                district: c.course.region,
                starts_on: c.course.starts_on,
                places_left: i64::from(c.course.capacity) - c.taken,
            })
        })
        .collect();
    let shortage = jiujin_store::training::shortage(store, None).await?.map(|(_, r)| r).unwrap_or_default();
    let enrolled = jiujin_store::training::enrolments_of_person(store, p.id)
        .await?
        .into_iter()
        .map(|(e, _)| e.course_id)
        .collect();
    let s = &p.state;
    let trainee = Trainee {
        occupation: s.occupation_name.clone(),
        district: s.residence_region.or(Some(s.hukou_region)).and_then(|r| r.district()).map(RegionCode::as_i64),
        employed: jiujin_domain::training::is_employed(s.status),
        enrolled,
    };
    let picked: Vec<Recommendation> = recommend(&trainee, &open, &shortage, today, k);
    let by_id: HashMap<i64, &CourseRow> = courses.iter().map(|c| (c.course.id, c)).collect();
    Ok(picked
        .into_iter()
        .filter_map(|r| {
            let c = by_id.get(&r.course)?;
            Some(CourseSuggestion {
                course: r.course,
                title: c.course.title.clone(),
                provider: c.provider.clone(),
                kind: CourseKind::from_code(c.course.kind).map_or("", CourseKind::label),
                place: RegionCode::from_i64(c.course.region).map(|r| refdata.region_path(r)).unwrap_or_default(),
                starts_on: c.course.starts_on,
                ends_on: c.course.ends_on,
                subsidy_yuan: Fen(c.course.subsidy_fen).to_yuan_compact(),
                score: r.score,
                reasons: r.reasons,
            })
        })
        .collect())
}

/// The monthly run as servers do it: when the catalog of `today`'s month is missing,
/// one server (under the lease `shortage-run:YYYY-MM`) runs it. Returns the number of
/// occupations listed when this call ran it.
pub async fn monthly_shortage(
    store: &Store,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<Option<usize>, TrainingError> {
    let month = today.format("%Y-%m").to_string();
    if jiujin_store::training::shortage(store, Some(&month)).await?.is_some() {
        return Ok(None);
    }
    let kind = format!("shortage-run:{month}");
    let Some(lock) = jiujin_store::locks::BatchLock::try_acquire(store, &kind, chrono::Duration::minutes(10)).await?
    else {
        return Ok(None);
    };
    // Another server may have finished it between the check and the lease.
    let done = jiujin_store::training::shortage(store, Some(&month)).await?.is_some();
    let r = if done { Ok(None) } else { shortage_run(store, &month, today, by).await.map(|rows| Some(rows.len())) };
    lock.release(store).await?;
    r
}
