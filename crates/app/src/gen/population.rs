//! Households and persons of the synthetic population: who lives together (1–4
//! registered workers sharing a hukou village), their ages, names and identity
//! numbers, and each person's status, work place, industry, flags and needs.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use chrono::{Datelike, Days, Months, NaiveDate};
use jiujin_domain::identity::IdNumber;
use jiujin_domain::jobs::JobKind;
use jiujin_domain::registry::{
    age_on, EmploymentStatus, GroupFlag, GroupFlags, Insurance, InsuranceSet, ServiceNeed, ServiceNeeds,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::calibration::*;
use super::names::NamePicker;
use super::GenError;

/// One generated row.
#[derive(Debug, Clone)]
pub(super) struct Person<'w> {
    pub name: String,
    pub id: IdNumber,
    pub male: bool,
    pub birth: NaiveDate,
    pub phone: Option<u64>,
    pub hukou: &'w str,
    /// Index of the hukou village in the world.
    pub village: usize,
    pub residence: Option<&'w str>,
    pub status: EmploymentStatus,
    pub work_region: Option<&'w str>,
    pub work_province: Option<&'w str>,
    pub industry: Option<&'w str>,
    pub occupation: Option<&'w str>,
    pub skill: Option<u8>,
    /// Expected monthly wage in yuan.
    pub wage: Option<u32>,
    /// 意向用工形式 of a job seeker who states one.
    pub wanted: Option<JobKind>,
    pub flags: GroupFlags,
    pub insurance: InsuranceSet,
    pub needs: ServiceNeeds,
    pub unemployed_since: Option<NaiveDate>,
    pub household: Option<String>,
    /// Whether a likely-duplicate row of this person should follow.
    pub wants_duplicate: bool,
}

/// A member's place in the household, used for ages, names and shared provinces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Alone,
    Husband,
    Wife,
    Parent,
    Child,
}

/// The plan of one member before the person is drawn.
#[derive(Debug, Clone, Copy)]
pub(super) struct Slot {
    pub role: Role,
    pub male: bool,
    pub age: u32,
    pub surname: &'static str,
}

/// A fast, well-mixed hasher for the packed identity-number keys (splitmix64 finaliser).
#[derive(Default, Clone, Copy)]
pub(super) struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_4761_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = z ^ (z >> 31);
    }
}

type IdKeys = HashSet<u64, BuildHasherDefault<MixHasher>>;

/// The 意向用工形式 of a job seeker (or none stated), drawn from a hash of the identity
/// number rather than from the random stream, so that adding the field left every
/// other generated value of a seed as it was.
fn wanted_kind(id: &IdNumber, older: bool) -> Option<JobKind> {
    let mut h = MixHasher::default();
    h.write(id.as_str().as_bytes());
    let mut m = MixHasher::default();
    m.write_u64(h.finish());
    let x = (m.finish() >> 11) as f64 / (1u64 << 53) as f64;
    if x >= WANTED_KIND_SHARE {
        return None;
    }
    let mix = if older { WANTED_KINDS_OLDER } else { WANTED_KINDS };
    let total: f64 = mix.iter().map(|(_, w)| w).sum();
    let mut at = x / WANTED_KIND_SHARE * total;
    for (k, w) in mix {
        if at < *w {
            return Some(*k);
        }
        at -= w;
    }
    mix.last().map(|(k, _)| *k)
}

/// Most keys reserved up front (the set grows past this if needed).
const MAX_PRESIZE: u64 = 8_000_000;
/// Draws of a sequence number before giving up on an (address, birth) pair.
const ID_TRIES: usize = 400;

/// Draws households and persons from the world with one random stream.
pub(super) struct Generator<'w> {
    world: &'w World,
    names: NamePicker,
    rng: ChaCha8Rng,
    as_of: NaiveDate,
    ids: IdKeys,
    serials: Vec<u32>,
    epoch: i32,
}

impl<'w> Generator<'w> {
    pub(super) fn new(world: &'w World, rng: ChaCha8Rng, as_of: NaiveDate, expected: u64) -> Self {
        let cap = usize::try_from(expected.min(MAX_PRESIZE)).unwrap_or(0);
        let mut ids = IdKeys::default();
        ids.reserve(cap);
        Generator {
            world,
            names: NamePicker::new(),
            rng,
            as_of,
            ids,
            serials: vec![0; world.villages.len()],
            epoch: NaiveDate::from_ymd_opt(1900, 1, 1).map_or(0, |d| d.num_days_from_ce()),
        }
    }

    /// Rows after which a queued duplicate is written.
    pub(super) fn duplicate_delay(&mut self) -> u64 {
        self.rng.gen_range(DUPLICATE_DELAY.0..=DUPLICATE_DELAY.1)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p.clamp(0.0, 1.0))
    }

    fn age(&mut self) -> u32 {
        self.world.ages.pick(&mut self.rng).copied().unwrap_or(35)
    }

    /// An age from the pyramid of at least `min` (a few draws, then a fallback).
    fn age_at_least(&mut self, min: u32) -> u32 {
        for _ in 0..16 {
            let a = self.age();
            if a >= min {
                return a;
            }
        }
        self.rng.gen_range(min..=(min + 15).min(MAX_AGE))
    }

    /// The members of one household of at most `max_size` (≥ 1) people.
    pub(super) fn plan(&mut self, max_size: usize) -> Vec<Slot> {
        let size = self.world.household_sizes.pick(&mut self.rng).copied().unwrap_or(1);
        let size = size.clamp(1, max_size.max(1));
        match size {
            1 => {
                let male = self.chance(MALE_SHARE_SINGLE);
                let surname = self.names.surname(&mut self.rng);
                let age = self.age();
                vec![Slot { role: Role::Alone, male, age, surname }]
            }
            2 if self.chance(COUPLE_SHARE_OF_PAIRS) => self.couple(0),
            2 => self.single_parent(1),
            3 if self.chance(COUPLE_SHARE_OF_TRIPLES) => self.couple(1),
            3 => self.single_parent(2),
            _ => self.couple(2),
        }
    }

    fn couple(&mut self, children: usize) -> Vec<Slot> {
        let husband_surname = self.names.surname(&mut self.rng);
        let wife_surname = self.names.surname(&mut self.rng);
        let (husband, wife) = if children == 0 {
            // Husbands are mostly a little older than their wives.
            let h = self.age_at_least(20);
            let d: i64 = self.rng.gen_range(-2..=5);
            let w = (i64::from(h) - d).clamp(18, i64::from(MAX_AGE));
            (h, u32::try_from(w).unwrap_or(h))
        } else {
            // The younger parent is old enough for a child of CHILD_MIN_AGE to be at least
            // 20 years younger.
            let young = self.age_at_least(PARENT_MIN_AGE);
            let old = (young + self.rng.gen_range(0..=5)).min(MAX_AGE);
            if self.chance(0.8) {
                (old, young)
            } else {
                (young, old)
            }
        };
        let mut slots = vec![
            Slot { role: Role::Husband, male: true, age: husband, surname: husband_surname },
            Slot { role: Role::Wife, male: false, age: wife, surname: wife_surname },
        ];
        let ages = self.child_ages(husband.max(wife), husband.min(wife), children);
        for age in ages {
            let male = self.chance(MALE_SHARE_CHILD);
            let surname = if self.chance(0.95) { husband_surname } else { wife_surname };
            slots.push(Slot { role: Role::Child, male, age, surname });
        }
        slots
    }

    fn single_parent(&mut self, children: usize) -> Vec<Slot> {
        let male = self.chance(MALE_SHARE_SINGLE_PARENT);
        let surname = self.names.surname(&mut self.rng);
        let age = self.age_at_least(PARENT_MIN_AGE);
        let mut slots = vec![Slot { role: Role::Parent, male, age, surname }];
        let child_surname = if male || self.chance(0.3) { surname } else { self.names.surname(&mut self.rng) };
        for age in self.child_ages(age, age, children) {
            let male = self.chance(MALE_SHARE_CHILD);
            slots.push(Slot { role: Role::Child, male, age, surname: child_surname });
        }
        slots
    }

    /// Ages of `n` children of parents aged `older` and `younger`: `CHILD_MIN_AGE` or
    /// more and 20–35 years younger than both parents; siblings of different ages where
    /// possible.
    fn child_ages(&mut self, older: u32, younger: u32, n: usize) -> Vec<u32> {
        let lo = CHILD_MIN_AGE.max(older.saturating_sub(35));
        let hi = younger.saturating_sub(20);
        let mut ages: Vec<u32> = Vec::with_capacity(n);
        if lo > hi {
            return ages;
        }
        // Within the window, ages follow the pyramid (few workers are under 20).
        let window = Weighted::new((lo..=hi).map(|a| (a, age_weight(a).max(0.01))));
        for _ in 0..n {
            let mut a = window.pick(&mut self.rng).copied().unwrap_or(lo);
            for _ in 0..4 {
                if !ages.contains(&a) {
                    break;
                }
                a = window.pick(&mut self.rng).copied().unwrap_or(lo);
            }
            ages.push(a);
        }
        ages
    }

    /// A whole household of at most `max_size` persons.
    pub(super) fn household(&mut self, max_size: usize) -> Result<Vec<Person<'w>>, GenError> {
        let world = self.world;
        let village_index = world.village_pick.pick(&mut self.rng).copied().unwrap_or(0);
        let village = &world.villages[village_index];
        let district = &world.districts[village.district];
        self.serials[village_index] += 1;
        let household = format!("H{}-{:05}", village.code, self.serials[village_index]);

        let mut shared = GroupFlags::empty();
        if self.chance(poverty_share(district.area)) {
            shared.insert(GroupFlag::PovertyAlleviated);
        }
        if self.chance(DIBAO_SHARE) {
            shared.insert(GroupFlag::Dibao);
        }
        let zero_employment = self.chance(ZERO_EMPLOYMENT_SHARE);
        if zero_employment {
            shared.insert(GroupFlag::ZeroEmploymentHousehold);
        }

        let slots = self.plan(max_size);
        let mut members: Vec<Person<'w>> = Vec::with_capacity(slots.len());
        let mut partner_province: Option<&'w str> = None;
        for slot in slots {
            let mut name = self.names.full_name(&mut self.rng, slot.surname, slot.male);
            for _ in 0..8 {
                if !members.iter().any(|m| m.name == name) {
                    break;
                }
                name = self.names.full_name(&mut self.rng, slot.surname, slot.male);
            }
            let shares_province = matches!(slot.role, Role::Husband | Role::Wife);
            let mut p = self.person(
                slot,
                name,
                village_index,
                shared,
                zero_employment,
                if shares_province { partner_province } else { None },
            )?;
            if shares_province && p.work_province.is_some() {
                partner_province = p.work_province;
            }
            if p.phone.is_some() {
                for _ in 0..8 {
                    if !members.iter().any(|m| m.phone == p.phone) {
                        break;
                    }
                    p.phone = Some(self.phone());
                }
            }
            p.household = Some(household.clone());
            members.push(p);
        }
        Ok(members)
    }

    fn phone(&mut self) -> u64 {
        let prefix = self.world.phone_prefixes.pick(&mut self.rng).copied().unwrap_or(138);
        u64::from(prefix) * 100_000_000 + self.rng.gen_range(0..100_000_000u64)
    }

    fn birth_date(&mut self, age: u32) -> NaiveDate {
        let (latest, span) = self.world.birth_ranges[age.min(MAX_AGE) as usize];
        let back = self.rng.gen_range(0..span.max(1));
        NaiveDate::from_num_days_from_ce_opt(latest - back).unwrap_or(self.as_of)
    }

    /// A unique identity number for `birth` and sex with the given address code.
    fn id_number(&mut self, address: &str, birth: NaiveDate, male: bool) -> Result<IdNumber, GenError> {
        let addr: u64 = address.parse().unwrap_or(0);
        let days = u64::try_from(birth.num_days_from_ce() - self.epoch).unwrap_or(0);
        for _ in 0..ID_TRIES {
            // The 17th digit is odd for men and even for women (GB 11643); sequence 000
            // is not issued.
            let half: u16 = self.rng.gen_range(0..500);
            let seq = if male { half * 2 + 1 } else { (half * 2).max(2) };
            let key = (addr << 27) | (days << 10) | u64::from(seq);
            if self.ids.insert(key) {
                return IdNumber::from_parts(address, birth, seq).map_err(GenError::Id);
            }
        }
        Err(GenError::IdExhausted { address: address.to_string(), birth })
    }

    fn address_for(&mut self, district_code: &'w str, birth: NaiveDate) -> &'w str {
        if birth.year() <= OLD_CODE_LAST_BIRTH_YEAR && self.chance(OLD_CODE_SHARE) {
            OLD_SICHUAN_CODES[self.rng.gen_range(0..OLD_SICHUAN_CODES.len())]
        } else {
            district_code
        }
    }

    fn person(
        &mut self,
        slot: Slot,
        name: String,
        village_index: usize,
        shared: GroupFlags,
        zero_employment: bool,
        partner_province: Option<&'w str>,
    ) -> Result<Person<'w>, GenError> {
        let world = self.world;
        let village = &world.villages[village_index];
        let district = &world.districts[village.district];
        let home_town = &district.towns[village.town];
        let age = slot.age.clamp(MIN_AGE, MAX_AGE);
        let male = slot.male;

        let birth = self.birth_date(age);
        let address = self.address_for(&district.code, birth);
        let id = self.id_number(address, birth, male)?;

        let status = if zero_employment {
            let nilf = if age >= 60 { 0.6 } else { 0.15 };
            if self.chance(nilf) {
                EmploymentStatus::NotInLaborForce
            } else {
                EmploymentStatus::Unemployed
            }
        } else {
            let table = if age >= 60 { &world.status_old } else { &world.status_young };
            table.pick(&mut self.rng).copied().unwrap_or(EmploymentStatus::LocalEmployed)
        };

        let hukou = village.code.as_str();
        let mut residence = Some(hukou);
        let mut work_region = None;
        let mut work_province = None;
        match status {
            EmploymentStatus::LocalEmployed => {
                let (d, town) = if self.chance(LOCAL_OUTSIDE_DISTRICT) {
                    let d = self.other_district(village.district);
                    (d, self.town_in(d))
                } else if self.chance(LOCAL_SAME_TOWN) {
                    (village.district, village.town)
                } else {
                    (village.district, self.town_in(village.district))
                };
                let code = world.districts[d].towns[town].code.as_str();
                work_region = Some(code);
                let at_home = d == village.district && town == village.town;
                let lives_at_work = if at_home { 0.2 } else { 0.85 };
                if self.chance(lives_at_work) {
                    residence = Some(code);
                }
            }
            EmploymentStatus::OutsideEmployed => {
                residence = None;
                work_province = match partner_province {
                    Some(p) if self.chance(COUPLE_SAME_PROVINCE) => Some(p),
                    _ => world.provinces.pick(&mut self.rng).map(String::as_str),
                };
            }
            EmploymentStatus::Flexible => {
                if self.chance(0.6) {
                    let town = if self.chance(0.7) { village.town } else { self.town_in(village.district) };
                    work_region = Some(district.towns[town].code.as_str());
                }
            }
            EmploymentStatus::Entrepreneur => {
                if self.chance(0.85) {
                    let x = self.rng.gen::<f64>();
                    work_region = Some(if x < 0.6 {
                        home_town.code.as_str()
                    } else if x < 0.85 {
                        district.towns[self.town_in(village.district)].code.as_str()
                    } else {
                        let d = self.other_district(village.district);
                        world.districts[d].towns[self.town_in(d)].code.as_str()
                    });
                }
            }
            EmploymentStatus::Unemployed | EmploymentStatus::NotInLaborForce => {}
        }

        let (industry, occupation) = self.job(status);
        let skill = if occupation.is_some() && self.chance(SKILL_SHARE) {
            world.skill_levels.pick(&mut self.rng).copied()
        } else {
            None
        };
        let wage = if self.chance(WAGE_SHARE) {
            let mut h = self.triangular(WAGE_MIN_HUNDREDS, WAGE_MODE_HUNDREDS, WAGE_MAX_HUNDREDS);
            if skill.is_some_and(|s| s <= 3) {
                h = (h + 5.0).min(WAGE_MAX_HUNDREDS);
            }
            Some(h.round() as u32 * 100)
        } else {
            None
        };

        let mut flags = shared;
        let disabled = self.chance(DISABLED_SHARE);
        if disabled {
            flags.insert(GroupFlag::Disabled);
        }
        let veteran = if male { VETERAN_SHARE_MALE } else { VETERAN_SHARE_FEMALE };
        if age >= 20 && self.chance(veteran) {
            flags.insert(GroupFlag::Veteran);
        }
        let difficulty = if disabled {
            DIFFICULTY_IF_DISABLED
        } else if zero_employment {
            DIFFICULTY_IF_ZERO_HOUSEHOLD
        } else if status == EmploymentStatus::Unemployed {
            DIFFICULTY_IF_UNEMPLOYED
        } else if age >= 50 {
            DIFFICULTY_IF_OLDER
        } else {
            DIFFICULTY_OTHERWISE
        };
        if self.chance(difficulty) {
            flags.insert(GroupFlag::EmploymentDifficulty);
        }
        let returnee = status != EmploymentStatus::OutsideEmployed && self.chance(RETURNEE_SHARE);
        if returnee {
            flags.insert(GroupFlag::Returnee);
        }

        let mut insurance = InsuranceSet::empty();
        if self.chance(PENSION_SHARE) {
            insurance.insert(Insurance::Pension);
        }
        if self.chance(MEDICAL_SHARE) {
            insurance.insert(Insurance::Medical);
        }
        if status.is_employed() {
            let injury = self.chance(INJURY_SHARE_EMPLOYED);
            if injury {
                insurance.insert(Insurance::Injury);
            }
            let p = if injury { UNEMPLOYMENT_IF_INJURY } else { UNEMPLOYMENT_WITHOUT_INJURY };
            if self.chance(p) {
                insurance.insert(Insurance::Unemployment);
            }
        }

        let mut needs = ServiceNeeds::empty();
        if status == EmploymentStatus::Unemployed || self.chance(NEED_JOB_OTHERS) {
            needs.insert(ServiceNeed::JobSeeking);
        }
        if self.chance(NEED_TRAINING) {
            needs.insert(ServiceNeed::Training);
        }
        let keen = returnee || status == EmploymentStatus::Entrepreneur;
        if self.chance(if keen { NEED_STARTUP_KEEN } else { NEED_STARTUP_BASE }) {
            needs.insert(ServiceNeed::Entrepreneurship);
        }
        if self.chance(NEED_LEGAL) {
            needs.insert(ServiceNeed::LegalAid);
        }
        if self.chance(NEED_POLICY) {
            needs.insert(ServiceNeed::PolicyAdvice);
        }
        if self.chance(NEED_GUIDANCE) {
            needs.insert(ServiceNeed::CareerGuidance);
        }

        let unemployed_since = if status == EmploymentStatus::Unemployed && self.chance(REGISTERED_UNEMPLOYED_SHARE) {
            self.registration_date(birth)
        } else {
            None
        };

        let wanted =
            if needs.contains(ServiceNeed::JobSeeking) { wanted_kind(&id, slot.age >= OLDER_AGE) } else { None };

        let wants_duplicate = self.chance(DUPLICATE_SHARE);
        let phone = if wants_duplicate || !self.chance(NO_PHONE_SHARE) { Some(self.phone()) } else { None };

        Ok(Person {
            name,
            id,
            male,
            birth,
            phone,
            hukou,
            village: village_index,
            residence,
            status,
            work_region,
            work_province,
            industry,
            occupation,
            skill,
            wage,
            wanted,
            flags,
            insurance,
            needs,
            unemployed_since,
            household: None,
            wants_duplicate,
        })
    }

    /// A district other than `home`, by work attraction.
    fn other_district(&mut self, home: usize) -> usize {
        for _ in 0..32 {
            if let Some(d) = self.world.work_district_pick.pick(&mut self.rng) {
                if *d != home {
                    return *d;
                }
            }
        }
        home
    }

    fn town_in(&mut self, district: usize) -> usize {
        self.world.districts[district].town_pick.pick(&mut self.rng).copied().unwrap_or(0)
    }

    /// Industry cell and occupation cell for a person of `status`.
    fn job(&mut self, status: EmploymentStatus) -> (Option<&'w str>, Option<&'w str>) {
        let world = self.world;
        let mix = match status {
            EmploymentStatus::LocalEmployed => &world.rows_local,
            EmploymentStatus::OutsideEmployed => &world.rows_outside,
            EmploymentStatus::Flexible => &world.rows_flexible,
            EmploymentStatus::Entrepreneur => &world.rows_entrepreneur,
            EmploymentStatus::Unemployed => {
                if !self.chance(UNEMPLOYED_OCCUPATION_SHARE) {
                    return (None, None);
                }
                &world.rows_local
            }
            EmploymentStatus::NotInLaborForce => return (None, None),
        };
        let Some(&row_index) = mix.pick(&mut self.rng) else {
            return (None, None);
        };
        let row = &world.rows[row_index];
        let Some(code) = row.codes.pick(&mut self.rng) else {
            return (None, None);
        };
        let industry = if !status.is_employed() || self.chance(NO_INDUSTRY_SHARE) {
            None
        } else {
            match &row.section {
                Some(letter) if self.chance(SECTION_LETTER_SHARE) => Some(letter.as_str()),
                _ => Some(code.code.as_str()),
            }
        };
        if self.chance(NO_OCCUPATION_SHARE) {
            return (industry, None);
        }
        let list = match &code.occupations {
            Some(specific) if self.chance(CODE_OCCUPATION_SHARE) => specific,
            _ => &row.occupations,
        };
        let occupation = list.pick(&mut self.rng).map(|i| &world.occupations[*i]).map(|o| {
            if !o.synonyms.is_empty() && self.chance(SYNONYM_SHARE) {
                o.synonyms[self.rng.gen_range(0..o.synonyms.len())].as_str()
            } else {
                o.name.as_str()
            }
        });
        (industry, occupation)
    }

    fn triangular(&mut self, a: f64, c: f64, b: f64) -> f64 {
        let u = self.rng.gen::<f64>();
        let f = (c - a) / (b - a);
        if u < f {
            a + (u * (b - a) * (c - a)).sqrt()
        } else {
            b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
        }
    }

    /// A 登记失业 date within the registration window, not before the 16th birthday.
    fn registration_date(&mut self, birth: NaiveDate) -> Option<NaiveDate> {
        let mut sixteen = birth.checked_add_months(Months::new(12 * MIN_AGE))?;
        if age_on(birth, sixteen) < MIN_AGE {
            // Born on 29 February: the birthday falls on 1 March in common years.
            sixteen = sixteen.checked_add_days(Days::new(1))?;
        }
        let window = self.as_of.checked_sub_days(Days::new(REGISTRATION_WINDOW_DAYS as u64))?;
        let earliest = window.max(sixteen);
        let span = (self.as_of - earliest).num_days();
        if span < 0 {
            return None;
        }
        let back = self.rng.gen_range(0..=span);
        self.as_of.checked_sub_days(Days::new(back as u64))
    }

    /// A second row for the same person as staff might register it again: same name,
    /// birth date, sex and phone, another valid identity number (the old Sichuan code
    /// against the current one, or another sequence), no household number.
    pub(super) fn duplicate_of(&mut self, p: &Person<'w>) -> Result<Person<'w>, GenError> {
        let world = self.world;
        let district_code = world.districts[world.villages[p.village].district].code.as_str();
        let address: &'w str = if p.id.address_code() != district_code {
            district_code
        } else if p.birth.year() <= OLD_CODE_LAST_BIRTH_YEAR {
            OLD_SICHUAN_CODES[self.rng.gen_range(0..OLD_SICHUAN_CODES.len())]
        } else {
            district_code
        };
        let id = self.id_number(address, p.birth, p.male)?;
        let mut twin = p.clone();
        twin.id = id;
        twin.household = None;
        twin.wants_duplicate = false;
        Ok(twin)
    }
}
