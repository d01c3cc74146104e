//! A person in the registry: `PersonRecord` is a validated row as it comes in (with the
//! identity number and phone in clear); `PersonState` is what is compared and stored in
//! clear, with the phone replaced by an opaque keyed digest.

use chrono::NaiveDate;

use super::phone::Phone;
use super::vocab::{EmploymentStatus, GroupFlags, InsuranceSet, ServiceNeeds, SkillLevel};
use crate::identity::{IdNumber, Sex};
use crate::jobs::JobKind;
use crate::money::Fen;
use crate::region::RegionCode;

/// A validated worker record, as imported or entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRecord {
    pub id_number: IdNumber,
    pub phone: Option<Phone>,
    pub state: PersonState,
}

/// Everything about a person that is kept in clear and compared on re-import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonState {
    pub name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    /// Keyed digest of the phone number (equal digests mean the same number).
    pub phone_digest: Option<[u8; 16]>,
    pub hukou_region: RegionCode,
    pub residence_region: Option<RegionCode>,
    pub household_no: Option<String>,
    pub status: EmploymentStatus,
    pub work_region: Option<RegionCode>,
    pub work_province: Option<i16>,
    /// GB/T 4754-2017 code (section letter, division or group).
    pub industry: Option<String>,
    /// Job title as written.
    pub occupation: Option<String>,
    /// Occupation it normalises to through the synonym table.
    pub occupation_name: Option<String>,
    pub skill_level: Option<SkillLevel>,
    pub expected_wage: Option<Fen>,
    /// 意向用工形式: the kind of work a job seeker wants (none: any).
    pub wanted_kind: Option<JobKind>,
    pub flags: GroupFlags,
    pub insurance: InsuranceSet,
    pub needs: ServiceNeeds,
    pub unemployed_since: Option<NaiveDate>,
}

impl PersonState {
    /// Deterministic bytes of every field, the input of the stored row digest that
    /// tells an unchanged re-imported row without reading it back.
    pub fn canonical_bytes(&self, out: &mut Vec<u8>) {
        fn put(out: &mut Vec<u8>, s: &str) {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        fn opt_i64(out: &mut Vec<u8>, v: Option<i64>) {
            match v {
                Some(v) => {
                    out.push(1);
                    out.extend_from_slice(&v.to_le_bytes());
                }
                None => out.push(0),
            }
        }
        fn opt_str(out: &mut Vec<u8>, v: Option<&str>) {
            match v {
                Some(v) => {
                    out.push(1);
                    put(out, v);
                }
                None => out.push(0),
            }
        }
        out.push(1); // format version
        put(out, &self.name);
        out.extend_from_slice(&self.birth_date.to_string().into_bytes());
        out.push(self.sex.code() as u8);
        match &self.phone_digest {
            Some(d) => {
                out.push(1);
                out.extend_from_slice(d);
            }
            None => out.push(0),
        }
        out.extend_from_slice(&self.hukou_region.as_i64().to_le_bytes());
        opt_i64(out, self.residence_region.map(RegionCode::as_i64));
        opt_str(out, self.household_no.as_deref());
        out.push(self.status.code() as u8);
        opt_i64(out, self.work_region.map(RegionCode::as_i64));
        opt_i64(out, self.work_province.map(i64::from));
        opt_str(out, self.industry.as_deref());
        opt_str(out, self.occupation.as_deref());
        opt_str(out, self.occupation_name.as_deref());
        opt_i64(out, self.skill_level.map(|s| i64::from(s.get())));
        opt_i64(out, self.expected_wage.map(|f| f.0));
        out.extend_from_slice(&self.flags.bits().to_le_bytes());
        out.extend_from_slice(&self.insurance.bits().to_le_bytes());
        out.extend_from_slice(&self.needs.bits().to_le_bytes());
        opt_i64(out, self.unemployed_since.map(|d| i64::from(chrono::Datelike::num_days_from_ce(&d))));
        // Fields added later are appended only when set, so the digest of a row that
        // does not use them is what it was before they existed.
        if let Some(k) = self.wanted_kind {
            out.push(b'K');
            out.extend_from_slice(&k.code().to_le_bytes());
        }
    }
}
