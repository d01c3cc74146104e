//! Who may do what: the roles of SPEC §0 with their Chinese names, and the region a
//! role's account must carry. Access decisions made from these are pure; the store
//! turns the resulting scope into WHERE clauses.

use std::fmt;

pub mod throttle;

/// A role, with the names used on the command line and in the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Role {
    /// 系统管理员
    Admin,
    /// 市人力社保局
    CityStaff,
    /// 区县人力社保局经办
    DistrictStaff,
    /// 乡镇（街道）经办
    TownStaff,
    /// 村（社区）网格员
    GridWorker,
    /// 劳动保障监察
    Inspector,
    /// 用人单位
    Employer,
    /// 劳动者本人
    Worker,
    /// 劳务经纪人
    Broker,
    /// 审计（只读）
    Auditor,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Admin,
        Role::CityStaff,
        Role::DistrictStaff,
        Role::TownStaff,
        Role::GridWorker,
        Role::Inspector,
        Role::Employer,
        Role::Worker,
        Role::Broker,
        Role::Auditor,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::CityStaff => "city_staff",
            Role::DistrictStaff => "district_staff",
            Role::TownStaff => "town_staff",
            Role::GridWorker => "grid_worker",
            Role::Inspector => "inspector",
            Role::Employer => "employer",
            Role::Worker => "worker",
            Role::Broker => "broker",
            Role::Auditor => "auditor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::CityStaff => "市人力社保局",
            Role::DistrictStaff => "区县经办",
            Role::TownStaff => "乡镇（街道）经办",
            Role::GridWorker => "村（社区）网格员",
            Role::Inspector => "劳动保障监察",
            Role::Employer => "用人单位",
            Role::Worker => "劳动者",
            Role::Broker => "劳务经纪人",
            Role::Auditor => "审计",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.key() == text.trim() || r.label() == text.trim())
    }

    /// Whether an account of this role must name a home region.
    pub fn needs_region(self) -> bool {
        matches!(self, Role::DistrictStaff | Role::TownStaff | Role::GridWorker | Role::Inspector)
    }

    /// Whether the role sees the registry of the whole city.
    pub fn sees_city(self) -> bool {
        matches!(self, Role::Admin | Role::CityStaff | Role::Auditor)
    }

    /// Whether an account of this role must name the employer (统一社会信用代码) it
    /// acts for.
    pub fn needs_credit_code(self) -> bool {
        matches!(self, Role::Employer)
    }

    /// Whether an account of this role must name the person it is.
    pub fn needs_person(self) -> bool {
        matches!(self, Role::Worker)
    }

    /// Whether the role may change registry records (staff in their region; the
    /// auditor and the inspector read only).
    pub fn edits_registry(self) -> bool {
        matches!(self, Role::Admin | Role::CityStaff | Role::DistrictStaff | Role::TownStaff | Role::GridWorker)
    }

    /// Whether the role may show an identity number or phone in full (a separate,
    /// audited action with a reason): staff who handle cases, and inspectors.
    pub fn reveals_identity(self) -> bool {
        matches!(
            self,
            Role::Admin | Role::CityStaff | Role::DistrictStaff | Role::TownStaff | Role::GridWorker | Role::Inspector
        )
    }

    /// Whether the role may read the audit log.
    pub fn sees_audit_log(self) -> bool {
        matches!(self, Role::Admin | Role::Auditor)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_keys_and_labels_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.key()), Some(r));
            assert_eq!(Role::parse(r.label()), Some(r));
        }
        assert_eq!(Role::parse("boss"), None);
        assert!(Role::DistrictStaff.needs_region() && !Role::CityStaff.needs_region());
        let readers: Vec<Role> = Role::ALL.into_iter().filter(|r| r.sees_audit_log()).collect();
        assert_eq!(readers, [Role::Admin, Role::Auditor]);
    }
}
