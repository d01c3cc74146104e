//! The policy service's use of the registry: what a registered person is entitled to
//! on a date, with the reasons, from the facts the registry holds
//! (`domain::policy::registry`). The read is audited like any read of a person.

use chrono::NaiveDate;
use jiujin_domain::audit::AuditAction;
use jiujin_domain::identity::IdNumber;
use jiujin_domain::policy::registry::person_facts;
use jiujin_domain::policy::{Evaluation, Facts, Library};
use jiujin_store::registry::{list_persons, PersonFilter, StoredPerson};
use jiujin_store::{audit, Scope, Store};

use crate::Keys;

/// Why an evaluation from the registry could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("公民身份号码无效：{0}")]
    BadIdNumber(String),
    #[error("登记库中没有此公民身份号码的人员（或不在您的管辖范围内）")]
    NotRegistered,
    #[error("{0}")]
    Facts(String),
    #[error(transparent)]
    Store(#[from] jiujin_store::StoreError),
}

/// A registered person's facts and what each person policy gives them on `date`.
#[derive(Debug)]
pub struct Entitlements {
    pub person: StoredPerson,
    pub facts: Facts,
    pub results: Vec<Evaluation>,
}

/// The facts and evaluations of `person` on `date` (no read, no audit: the caller
/// has read the person inside its scope and audits that read).
pub fn evaluate_person(
    library: &Library,
    person: &StoredPerson,
    masked_id: Option<String>,
    date: NaiveDate,
) -> Result<(Facts, Vec<Evaluation>), PolicyError> {
    let facts = person_facts(&person.state, masked_id).map_err(|e| PolicyError::Facts(e.to_string()))?;
    let results = library.evaluate_all(&facts, date);
    Ok((facts, results))
}

/// Looks the person up by identity number inside `scope`, evaluates every person
/// policy on `date`, and records the read (`person.read`, via `policy.eval`).
pub async fn entitlements_by_id_number(
    store: &Store,
    keys: &Keys,
    library: &Library,
    scope: Scope,
    id_number: &str,
    date: NaiveDate,
    by: &audit::Context,
) -> Result<Entitlements, PolicyError> {
    let today = chrono::Utc::now().date_naive();
    let id = IdNumber::parse(id_number.trim(), today).map_err(|e| PolicyError::BadIdNumber(e.to_string()))?;
    let filter = PersonFilter { id_hmac: Some(keys.id_hmac(&id)), ..Default::default() };
    let page = list_persons(store, scope, &filter, 0, 1).await?;
    let person = page.rows.into_iter().next().ok_or(PolicyError::NotRegistered)?;
    let (facts, results) = evaluate_person(library, &person, Some(id.masked()), date)?;
    let detail = serde_json::json!({
        "via": "policy.eval",
        "date": date,
        "eligible": results.iter().filter(|e| e.eligible).map(|e| e.policy.as_str()).collect::<Vec<_>>(),
    });
    audit::record(store, &by.entry(AuditAction::PersonRead, "person", Some(person.id.to_string()), detail)).await?;
    Ok(Entitlements { person, facts, results })
}
