//! Services to people (SPEC §6): recording a follow-up contact (checked field by field,
//! nothing written on a mistake), the monthly follow-up work list of a region (who is
//! overdue or due, most overdue first, and the overdue counts by town that feed the
//! monitoring), and the 1+1+3+1 gap list of the registered-unemployed 脱贫 persons with
//! the share complete by district.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jiujin_domain::refdata::RefData;
use jiujin_domain::registry::{Flag, GroupFlag, GroupFlags};
use jiujin_domain::services::{
    difficulties, follow_up, Channel, FollowUp, FollowUpState, Gap, Offered, Outcome, ServiceCounts,
};
use jiujin_domain::RegionCode;
use jiujin_store::services::{NewContact, ServiceRow};
use jiujin_store::{audit, Scope, Store, StoreError};

/// Why a contact was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    /// Each problem with the field it belongs to (form keys).
    #[error("{}", .0.iter().map(|(f, m)| format!("{f}：{m}")).collect::<Vec<_>>().join("；"))]
    Invalid(Vec<(&'static str, String)>),
    #[error("未找到该人员，或其不在您的管辖范围内")]
    NotFound,
    #[error(transparent)]
    Store(StoreError),
}

/// A contact as a form or a file gives it.
#[derive(Debug, Clone, Default)]
pub struct ContactInput<'a> {
    pub date: &'a str,
    pub channel: &'a str,
    pub offered: Vec<&'a str>,
    pub outcome: &'a str,
    pub note: &'a str,
}

/// Checks a contact: a real date not after `today`, a known channel and outcome, known
/// services, a note of reasonable length. Every problem is reported.
pub fn check_contact(input: &ContactInput<'_>, today: NaiveDate) -> Result<NewContact, ContactError> {
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let date = match jiujin_domain::registry::validate::parse_date(input.date.trim()) {
        Some(d) if d > today => {
            errors.push(("date", format!("联系日期 {d} 晚于今天")));
            None
        }
        Some(d) => Some(d),
        None => {
            errors.push(("date", format!("联系日期“{}”无效，应为 YYYY-MM-DD", input.date.trim())));
            None
        }
    };
    let channel = Channel::parse(input.channel);
    if channel.is_none() {
        errors.push(("channel", "联系方式应为电话、上门走访、短信/微信或窗口服务".into()));
    }
    let outcome = Outcome::parse(input.outcome);
    if outcome.is_none() {
        errors.push(("outcome", "联系结果应为仍在求职、已就业、暂无求职意愿或未联系上".into()));
    }
    let mut offered = Vec::new();
    for o in input.offered.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match Offered::parse(o) {
            Some(x) => offered.push(x),
            None => errors.push(("offered", format!("未知的服务内容“{o}”"))),
        }
    }
    let note = input.note.trim();
    if note.chars().count() > 500 {
        errors.push(("note", "情况说明不超过500字".into()));
    }
    match (date, channel, outcome) {
        (Some(contact_date), Some(c), Some(o)) if errors.is_empty() => Ok(NewContact {
            contact_date,
            channel: c.code(),
            offered: Offered::bits_of(&offered),
            outcome: o.code(),
            note: note.to_string(),
        }),
        _ => Err(ContactError::Invalid(errors)),
    }
}

/// Checks and records a contact with a person inside `scope`.
pub async fn record_contact(
    store: &Store,
    scope: Scope,
    person_id: i64,
    input: &ContactInput<'_>,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<i64, ContactError> {
    let c = check_contact(input, today)?;
    jiujin_store::services::record_contact(store, scope, person_id, &c, by).await.map_err(|e| match e {
        StoreError::NotFound(_) => ContactError::NotFound,
        e => ContactError::Store(e),
    })
}

/// One person on the follow-up work list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WorkItem {
    pub person: i64,
    pub name: String,
    /// Town (or district) of residence, else of hukou.
    #[serde(skip)]
    pub town: Option<RegionCode>,
    pub place: String,
    pub registered: NaiveDate,
    pub last_reached: Option<NaiveDate>,
    pub due: NaiveDate,
    pub days_overdue: i64,
    pub state: String,
    pub overdue: bool,
    /// 就业困难人员 categories (4050人员, 低保家庭成员, 脱贫人口 …) and a recognition on
    /// record (就业困难人员).
    pub groups: Vec<&'static str>,
}

/// Registered unemployed, overdue and due, by town.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct TownCount {
    pub town: String,
    pub name: String,
    pub registered: u64,
    pub overdue: u64,
    pub due_soon: u64,
}

/// The follow-up work list of a scope on a date.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct WorkList {
    pub date: NaiveDate,
    pub registered: u64,
    pub overdue: u64,
    pub due_soon: u64,
    pub up_to_date: u64,
    /// Overdue (most days first) then due soon (soonest first).
    pub items: Vec<WorkItem>,
    pub towns: Vec<TownCount>,
}

fn home(hukou: i64, residence: Option<i64>) -> Option<RegionCode> {
    residence.and_then(RegionCode::from_i64).or_else(|| RegionCode::from_i64(hukou))
}

/// The follow-up work list of the registered unemployed inside `scope` on `today`.
pub async fn work_list(
    store: &Store,
    refdata: &RefData,
    scope: Scope,
    today: NaiveDate,
) -> Result<WorkList, StoreError> {
    let rows = jiujin_store::services::follow_up_rows(store, scope).await?;
    let mut list = WorkList { date: today, registered: rows.len() as u64, ..Default::default() };
    let mut towns: BTreeMap<i64, TownCount> = BTreeMap::new();
    for r in rows {
        let f: FollowUp = follow_up(r.registered, r.last_reached, today);
        let town = home(r.hukou_region, r.residence_region).and_then(|c| c.town().or(c.district()));
        let t = towns.entry(town.map_or(0, RegionCode::as_i64)).or_insert_with(|| TownCount {
            town: town.map(|c| c.short()).unwrap_or_default(),
            name: town.map(|c| refdata.region_path(c)).unwrap_or_else(|| "（区划不详）".into()),
            ..Default::default()
        });
        t.registered += 1;
        match f.state {
            FollowUpState::Overdue(_) => {
                list.overdue += 1;
                t.overdue += 1;
            }
            FollowUpState::DueSoon(_) => {
                list.due_soon += 1;
                t.due_soon += 1;
            }
            FollowUpState::UpToDate => {
                list.up_to_date += 1;
                continue;
            }
        }
        // The 就业困难人员 categories the registry can tell (4050 from age and sex), and
        // a recognition already recorded: the neediest are seen first among equals.
        let sex = jiujin_domain::identity::Sex::from_code(r.sex).unwrap_or(jiujin_domain::identity::Sex::Male);
        let mut groups: Vec<&'static str> =
            difficulties(r.birth_date, sex, i64::from(r.flags), today).iter().map(|d| d.label()).collect();
        if GroupFlags::from_bits(i64::from(r.flags)).contains(GroupFlag::EmploymentDifficulty) {
            groups.push(GroupFlag::EmploymentDifficulty.label());
        }
        list.items.push(WorkItem {
            person: r.id,
            name: r.name,
            town,
            place: town.map(|c| refdata.region_path(c)).unwrap_or_default(),
            registered: r.registered,
            last_reached: r.last_reached,
            due: f.due,
            days_overdue: f.days_overdue(),
            state: f.label(),
            overdue: f.days_overdue() > 0,
            groups,
        });
    }
    list.items
        .sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then(a.due.cmp(&b.due)).then(a.person.cmp(&b.person)));
    let mut towns: Vec<TownCount> = towns.into_values().collect();
    towns.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.town.cmp(&b.town)));
    list.towns = towns;
    Ok(list)
}

/// One registered-unemployed 脱贫 person's 1+1+3+1.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GapItem {
    pub person: i64,
    pub name: String,
    pub place: String,
    pub registered: NaiveDate,
    pub counts: ServiceCounts,
    pub gaps: Vec<Gap>,
}

/// The share of persons complete in one district.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DistrictShare {
    pub district: String,
    pub name: String,
    pub persons: u64,
    pub complete: u64,
    /// complete ÷ persons.
    pub share: Option<f64>,
}

/// The 1+1+3+1 of a scope: each person with gaps, and the share complete by district.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct GapReport {
    pub persons: u64,
    pub complete: u64,
    /// Persons with at least one service owed, most owed first.
    pub gaps: Vec<GapItem>,
    pub districts: Vec<DistrictShare>,
}

/// A row's counts: contacts' services, and pushes from matching plus jobs recommended
/// in contacts as 岗位推送.
pub fn counts_of(r: &ServiceRow) -> ServiceCounts {
    let n = |v: i64| u32::try_from(v.max(0)).unwrap_or(u32::MAX);
    ServiceCounts {
        policy: n(r.policy),
        guidance: n(r.guidance),
        job_pushes: n(r.pushes.saturating_add(r.job_offers)),
        training: n(r.training),
    }
}

/// The 1+1+3+1 gap list of the registered-unemployed 脱贫 persons inside `scope`.
pub async fn gap_report(store: &Store, refdata: &RefData, scope: Scope) -> Result<GapReport, StoreError> {
    let rows = jiujin_store::services::one_one_three_one_rows(store, scope).await?;
    let mut report = GapReport { persons: rows.len() as u64, ..Default::default() };
    let mut districts: BTreeMap<i64, DistrictShare> = BTreeMap::new();
    for r in &rows {
        let counts = counts_of(r);
        let place = home(r.hukou_region, r.residence_region);
        // By hukou district: the district answers for its 脱贫 population.
        let d = RegionCode::from_i64(r.hukou_region).and_then(RegionCode::district);
        let share = districts.entry(d.map_or(0, RegionCode::as_i64)).or_insert_with(|| DistrictShare {
            district: d.map(|c| c.short()).unwrap_or_default(),
            name: d.and_then(|c| refdata.region(c)).map_or_else(|| "（区划不详）".into(), |x| x.name.clone()),
            ..Default::default()
        });
        share.persons += 1;
        if counts.complete() {
            share.complete += 1;
            report.complete += 1;
            continue;
        }
        report.gaps.push(GapItem {
            person: r.id,
            name: r.name.clone(),
            place: place.and_then(|c| c.town().or(c.district())).map(|c| refdata.region_path(c)).unwrap_or_default(),
            registered: r.registered,
            gaps: counts.gaps(),
            counts,
        });
    }
    let owed = |g: &GapItem| g.gaps.iter().map(|x| x.need - x.have).sum::<u32>();
    report
        .gaps
        .sort_by(|a, b| owed(b).cmp(&owed(a)).then(a.registered.cmp(&b.registered)).then(a.person.cmp(&b.person)));
    report.districts = districts
        .into_values()
        .map(|mut d| {
            d.share = (d.persons > 0).then(|| d.complete as f64 / d.persons as f64);
            d
        })
        .collect();
    Ok(report)
}

/// A member as the household list shows them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MemberView {
    pub person: i64,
    pub name: String,
    pub age: u32,
    pub status: &'static str,
}

/// A 零就业家庭 (no member of working age in stable work).
#[derive(Debug, Clone, serde::Serialize)]
pub struct HouseholdItem {
    pub household_no: String,
    pub village: String,
    pub dibao: bool,
    /// Whether the registry already flags the household 零就业家庭.
    pub flagged: bool,
    pub members: Vec<MemberView>,
}

/// The 零就业家庭 inside `scope` on `today`, computed from the members' status (seed 004
/// §(十三)): each stays listed until a member of working age is in stable work. 低保
/// households among them are marked.
pub async fn zero_employment_households(
    store: &Store,
    refdata: &RefData,
    scope: Scope,
    today: NaiveDate,
) -> Result<Vec<HouseholdItem>, StoreError> {
    use jiujin_domain::identity::Sex;
    use jiujin_domain::registry::EmploymentStatus;
    use jiujin_domain::services::{zero_employment, Member};
    // No one younger than 55 has reached the statutory retirement age (55 is the
    // lowest, women's, before the gradual raise): their stable work always counts.
    let born_after = today.checked_sub_months(chrono::Months::new(55 * 12)).unwrap_or(NaiveDate::MIN);
    let rows = jiujin_store::services::households_without_stable_work(store, scope, born_after).await?;
    let mut out = Vec::new();
    for group in rows.chunk_by(|a, b| a.hukou_region == b.hukou_region && a.household_no == b.household_no) {
        let members: Vec<Member> = group
            .iter()
            .filter_map(|r| {
                Some(Member {
                    birth: r.birth_date,
                    sex: Sex::from_code(r.sex)?,
                    status: EmploymentStatus::from_code(r.status)?,
                })
            })
            .collect();
        if !zero_employment(&members, today) {
            continue;
        }
        let flags = |f: GroupFlag| group.iter().any(|r| GroupFlags::from_bits(i64::from(r.flags)).contains(f));
        out.push(HouseholdItem {
            household_no: group[0].household_no.clone(),
            village: RegionCode::from_i64(group[0].hukou_region).map(|c| refdata.region_path(c)).unwrap_or_default(),
            dibao: flags(GroupFlag::Dibao),
            flagged: flags(GroupFlag::ZeroEmploymentHousehold),
            members: group
                .iter()
                .map(|r| MemberView {
                    person: r.id,
                    name: r.name.clone(),
                    age: jiujin_domain::registry::age_on(r.birth_date, today),
                    status: EmploymentStatus::from_code(r.status).map_or("", EmploymentStatus::label),
                })
                .collect(),
        });
    }
    Ok(out)
}

/// A list as an Excel sheet: a bold header row, then the rows as text (no identity
/// number or phone is ever put in one).
pub fn table_xlsx(
    sheet_name: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name)?;
    for (i, h) in header.iter().enumerate() {
        sheet.write_with_format(0, i as u16, *h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write(r as u32 + 1, c as u16, v)?;
        }
    }
    sheet.autofit();
    book.save_to_buffer()
}

/// The follow-up work list as rows of `table_xlsx`.
pub fn work_list_rows(list: &WorkList) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let header = vec!["姓名", "所在地", "登记失业日期", "上次联系上", "应联系日期", "状态", "人员类别"];
    let rows = list
        .items
        .iter()
        .map(|w| {
            vec![
                w.name.clone(),
                w.place.clone(),
                w.registered.to_string(),
                w.last_reached.map_or("无".to_string(), |d| d.to_string()),
                w.due.to_string(),
                w.state.clone(),
                w.groups.join("、"),
            ]
        })
        .collect();
    (header, rows)
}

/// The 1+1+3+1 gaps as rows of `table_xlsx`.
pub fn gap_rows(r: &GapReport) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let header = vec!["姓名", "所在地", "登记失业日期", "政策宣介", "职业指导", "岗位推送", "就业培训推荐", "尚缺"];
    let rows = r
        .gaps
        .iter()
        .map(|g| {
            vec![
                g.name.clone(),
                g.place.clone(),
                g.registered.to_string(),
                g.counts.policy.to_string(),
                g.counts.guidance.to_string(),
                g.counts.job_pushes.to_string(),
                g.counts.training.to_string(),
                g.gaps.iter().map(|x| format!("{} {}/{}", x.label, x.have, x.need)).collect::<Vec<_>>().join("、"),
            ]
        })
        .collect();
    (header, rows)
}

/// The 零就业家庭 as rows of `table_xlsx` (one per member).
pub fn household_rows(list: &[HouseholdItem]) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let header = vec!["家庭户编号", "村（社区）", "低保", "姓名", "年龄", "就业状态"];
    let rows = list
        .iter()
        .flat_map(|h| {
            h.members.iter().map(move |m| {
                vec![
                    h.household_no.clone(),
                    h.village.clone(),
                    if h.dibao { "是".into() } else { String::new() },
                    m.name.clone(),
                    m.age.to_string(),
                    m.status.to_string(),
                ]
            })
        })
        .collect();
    (header, rows)
}
