//! The match-quality report (SPEC §4): of the pushes to persons inside a scope, the
//! share that led to an application and to a hire, by the person's hukou district and
//! by group; beside them the workers' own applications (自主申请) and their hires. One
//! report for the page, the API and `jiujin push quality`.

use jiujin_domain::refdata::RefData;
use jiujin_domain::registry::{Flag, GroupFlag};
use jiujin_domain::RegionCode;
use jiujin_store::jobs::Quality;
use jiujin_store::{Result, Scope, Store};

/// One row of the report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QualityRow {
    /// The district's 6-digit code, or the group's key (`total` for the sum).
    pub key: String,
    pub label: String,
    #[serde(flatten)]
    pub counts: Quality,
    /// applied ÷ pushes, `None` without pushes.
    pub applied_share: Option<f64>,
    /// hired ÷ pushes.
    pub hired_share: Option<f64>,
}

impl QualityRow {
    fn new(key: String, label: String, counts: Quality) -> QualityRow {
        let share = |n: i64| (counts.pushes > 0).then(|| n as f64 / counts.pushes as f64);
        QualityRow { key, label, applied_share: share(counts.applied), hired_share: share(counts.hired), counts }
    }
}

/// The report: by district, by group, and the total over the districts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QualityReport {
    pub districts: Vec<QualityRow>,
    /// A person counts in every group they are in, so groups do not sum to the total.
    pub groups: Vec<QualityRow>,
    pub total: QualityRow,
}

/// The match-quality report over the persons inside `scope`.
pub async fn report(store: &Store, refdata: &RefData, scope: Scope) -> Result<QualityReport> {
    let (by_district, by_group) = jiujin_store::jobs::push_quality(store, scope).await?;
    let mut total = Quality::default();
    let districts = by_district
        .into_iter()
        .map(|(d, q)| {
            total.pushes += q.pushes;
            total.applied += q.applied;
            total.hired += q.hired;
            total.self_applied += q.self_applied;
            total.self_hired += q.self_hired;
            let region = RegionCode::from_i64(d);
            let name = region.and_then(|r| refdata.region(r)).map_or_else(|| d.to_string(), |r| r.name.clone());
            let key = region.map_or_else(|| d.to_string(), |r| r.to_string());
            QualityRow::new(key, name, q)
        })
        .collect();
    let groups = by_group
        .into_iter()
        .filter_map(|(i, q)| {
            let f = GroupFlag::ALL.get(usize::try_from(i).ok()?)?;
            Some(QualityRow::new(f.key().to_string(), f.label().to_string(), q))
        })
        .collect();
    Ok(QualityReport { districts, groups, total: QualityRow::new("total".into(), "合计".into(), total) })
}
