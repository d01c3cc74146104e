//! Conversion between stored rows and domain types.

use jiujin_domain::identity::Sex;
use jiujin_domain::registry::{EmploymentStatus, GroupFlags, InsuranceSet, PersonState, ServiceNeeds, SkillLevel};
use jiujin_domain::{Fen, RegionCode};

use crate::entity::person;
use crate::{Result, StoreError};

/// A stored person: its row id, encrypted identity and clear state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPerson {
    pub id: i64,
    pub id_cipher: Vec<u8>,
    pub phone_cipher: Option<Vec<u8>>,
    pub state: PersonState,
    pub status_since: chrono::NaiveDate,
}

fn region(v: i64, what: &str) -> Result<RegionCode> {
    RegionCode::from_i64(v).ok_or_else(|| StoreError::Corrupt(format!("{what} {v}")))
}

fn digest16(v: &[u8]) -> Option<[u8; 16]> {
    v.try_into().ok()
}

/// The domain state of a stored row.
pub fn state_from_model(m: &person::Model) -> Result<PersonState> {
    let bad = |what: &str| StoreError::Corrupt(format!("persons.{what}（id={}）", m.id));
    Ok(PersonState {
        name: m.name.clone(),
        birth_date: m.birth_date,
        sex: Sex::from_code(m.sex).ok_or_else(|| bad("sex"))?,
        phone_digest: m.phone_hmac.as_deref().and_then(digest16),
        hukou_region: region(m.hukou_region, "hukou_region")?,
        residence_region: m.residence_region.map(|r| region(r, "residence_region")).transpose()?,
        household_no: m.household_no.clone(),
        status: EmploymentStatus::from_code(m.status).ok_or_else(|| bad("status"))?,
        work_region: m.work_region.map(|r| region(r, "work_region")).transpose()?,
        work_province: m.work_province,
        industry: m.industry.clone(),
        occupation: m.occupation.clone(),
        occupation_name: m.occupation_name.clone(),
        skill_level: m.skill_level.and_then(|l| u8::try_from(l).ok()).and_then(SkillLevel::new),
        expected_wage: m.expected_wage_fen.map(Fen),
        wanted_kind: m.wanted_kind.and_then(jiujin_domain::jobs::JobKind::from_code),
        flags: GroupFlags::from_bits(i64::from(m.flags)),
        insurance: InsuranceSet::from_bits(i64::from(m.insurance)),
        needs: ServiceNeeds::from_bits(i64::from(m.needs)),
        unemployed_since: m.unemployed_since,
    })
}

impl StoredPerson {
    pub fn from_model(m: person::Model) -> Result<StoredPerson> {
        let state = state_from_model(&m)?;
        Ok(StoredPerson {
            id: m.id,
            id_cipher: m.id_cipher,
            phone_cipher: m.phone_cipher,
            state,
            status_since: m.status_since,
        })
    }
}
