//! Registering and changing one person by hand (the web forms): the form's fields
//! are the import template's columns, so a form is validated by exactly the rules
//! that validate a row of an import file, with the same Chinese reasons.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jiujin_domain::refdata::RefData;
use jiujin_domain::registry::unemployment::{self, UnemploymentRegistration};
use jiujin_domain::registry::{
    validate_row, EventSource, FieldError, HeaderMap, PersonRecord, PersonState, RowContext, COLUMNS,
};
use jiujin_store::registry::{apply_change, create_person, person, Created, NewPerson};
use jiujin_store::{audit, Scope, Store, StoreError};

use crate::crypto::{KeyError, Keys};

/// The fields of a form, by template column key (`name`, `id_number`, `phone` …).
pub type Fields = BTreeMap<String, String>;

/// Why a form was not accepted. Field problems name the field by its column key.
#[derive(Debug, thiserror::Error)]
pub enum EntryError {
    #[error("表单有{}处错误", .0.len())]
    Invalid(Vec<FieldProblem>),
    #[error("该人员不存在或不在本账号范围内")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// One problem of a form: the field's key (`""` for the form as a whole) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: &str, message: impl Into<String>) -> FieldProblem {
        FieldProblem { field: field.to_string(), message: message.into() }
    }
}

/// The column key of a validation error (errors name the Chinese header).
fn problem(e: FieldError) -> FieldProblem {
    let key = COLUMNS.iter().find(|c| c.header == e.column).map(|c| c.key).unwrap_or("");
    FieldProblem { field: key.to_string(), message: e.message }
}

fn validate(refdata: &RefData, today: NaiveDate, fields: &Fields) -> Result<PersonRecord, EntryError> {
    let keys: Vec<&str> = COLUMNS.iter().map(|c| c.key).collect();
    let header =
        HeaderMap::from_headers(&keys).map_err(|e| EntryError::Invalid(vec![FieldProblem::new("", e.to_string())]))?;
    let row: Vec<String> =
        keys.iter().map(|k| fields.get(*k).map(|v| v.trim().to_string()).unwrap_or_default()).collect();
    validate_row(&RowContext { refdata, today }, &header, &row)
        .map_err(|errors| EntryError::Invalid(errors.into_iter().map(problem).collect()))
}

/// The day a change or a registration takes effect: not in the future, not before
/// the person was 16.
pub fn effective_date(text: &str, today: NaiveDate) -> Result<NaiveDate, FieldProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(today);
    }
    let d = jiujin_domain::registry::validate::parse_date(text)
        .ok_or_else(|| FieldProblem::new("date", format!("日期“{text}”无法识别，格式如 2025-03-01")))?;
    if d > today {
        return Err(FieldProblem::new("date", "日期不能晚于今天"));
    }
    Ok(d)
}

/// Registers a person from the registration form, as `source` by `by`. Returns the
/// new person's id.
#[allow(clippy::too_many_arguments)]
pub async fn register(
    store: &Store,
    keys: &Keys,
    refdata: &RefData,
    scope: Scope,
    fields: &Fields,
    date: NaiveDate,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<i64, EntryError> {
    let mut record = validate(refdata, today, fields)?;
    if date < record.state.birth_date {
        return Err(EntryError::Invalid(vec![FieldProblem::new("date", "登记日期早于出生日期")]));
    }
    let id_hmac = keys.id_hmac(&record.id_number);
    record.state.phone_digest = record.phone.as_ref().map(|p| keys.phone_hmac(p));
    let mut scratch = Vec::new();
    let new = NewPerson {
        id_hmac,
        id_cipher: keys.encrypt_id(&record.id_number),
        phone_cipher: record.phone.as_ref().map(|p| keys.encrypt_phone(p)),
        row_digest: keys.record_digest(&id_hmac, &record.state, &mut scratch),
        state: record.state,
        date,
    };
    match create_person(store, scope, &new, EventSource::Staff, by).await? {
        Created::Person(id) => Ok(id),
        Created::Exists(Some(id)) => Err(EntryError::Invalid(vec![FieldProblem::new(
            "id_number",
            format!("该公民身份号码已登记（人员编号 {id}），请在原记录上修改"),
        )])),
        Created::Exists(None) => Err(EntryError::Invalid(vec![FieldProblem::new(
            "id_number",
            "该公民身份号码已由其他区县登记，请联系户籍地或现居住地经办机构核实",
        )])),
        Created::OutOfScope => Err(EntryError::Invalid(vec![FieldProblem::new(
            "hukou_region",
            "户籍地和现居住地都不在本账号的管辖范围内，无法登记",
        )])),
    }
}

/// What a change form keeps about the phone when its box is left empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneEdit {
    /// An empty box keeps the current number (the form never shows it in full).
    KeepIfEmpty,
    /// Remove the number.
    Remove,
}

/// Changes a person in `scope` from the change form: the identity number cannot be
/// changed (it is the person), the rest is validated like an import row. Returns the
/// number of events written (0: nothing changed).
#[allow(clippy::too_many_arguments)]
pub async fn update(
    store: &Store,
    keys: &Keys,
    refdata: &RefData,
    scope: Scope,
    id: i64,
    fields: &Fields,
    phone: PhoneEdit,
    date: NaiveDate,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<usize, EntryError> {
    let stored = person(store, scope, id).await?.ok_or(EntryError::NotFound)?;
    let mut fields = fields.clone();
    fields.insert("id_number".into(), keys.decrypt_id(&stored.id_cipher)?);
    let phone_text = fields.get("phone").map(|p| p.trim().to_string()).unwrap_or_default();
    if phone_text.is_empty() && phone == PhoneEdit::KeepIfEmpty {
        if let Some(c) = &stored.phone_cipher {
            fields.insert("phone".into(), keys.decrypt_phone(c)?);
        }
    }
    let mut record = validate(refdata, today, &fields)?;
    if date < stored.status_since && record.state.status != stored.state.status {
        return Err(EntryError::Invalid(vec![FieldProblem::new(
            "date",
            format!("变更日期早于当前就业状态的起始日期 {}", stored.status_since),
        )]));
    }
    record.state.phone_digest = record.phone.as_ref().map(|p| keys.phone_hmac(p));
    let cipher = match (&record.phone, stored.state.phone_digest == record.state.phone_digest) {
        (Some(p), false) => Some(keys.encrypt_phone(p)),
        (Some(_), true) => stored.phone_cipher.clone(),
        (None, _) => None,
    };
    apply_change(store, scope, id, &record.state, cipher.as_deref(), date, EventSource::Staff, by)
        .await?
        .ok_or(EntryError::NotFound)
}

/// The form's fields for a stored person (phone left empty: it is never shown in
/// full on a form; the identity number is masked).
pub fn fields_of(refdata: &RefData, id_number_masked: String, s: &PersonState) -> Fields {
    let cells = super::export::template_cells(refdata, id_number_masked, None, s);
    COLUMNS.iter().zip(cells).map(|(c, v)| (c.key.to_string(), v)).collect()
}

/// Registers the unemployment of a person in `scope` (seed 002 #48), at the desk
/// (`EventSource::Staff`) or online by the person (`EventSource::SelfService`).
/// Returns the number of events written.
pub async fn register_unemployment(
    store: &Store,
    scope: Scope,
    id: i64,
    reg: &UnemploymentRegistration,
    source: EventSource,
    today: NaiveDate,
    by: &audit::Context,
) -> Result<usize, EntryError> {
    let stored = person(store, scope, id).await?.ok_or(EntryError::NotFound)?;
    let field = |column: &str| match column {
        unemployment::FIELD_DATE => "date",
        unemployment::FIELD_ABLE => "able_to_work",
        unemployment::FIELD_WANTS => "wants_work",
        unemployment::FIELD_WITHOUT => "without_work",
        _ => "",
    };
    let next = unemployment::register_unemployment(&stored.state, reg, today).map_err(|errors| {
        EntryError::Invalid(errors.into_iter().map(|e| FieldProblem::new(field(e.column), e.message)).collect())
    })?;
    apply_change(store, scope, id, &next, stored.phone_cipher.as_deref(), reg.date, source, by)
        .await?
        .ok_or(EntryError::NotFound)
}
