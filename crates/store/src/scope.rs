//! The region scope of a query: which people a caller may see. Every query in this
//! crate that returns people takes a `Scope` and turns it into its WHERE clause here,
//! so no caller writes a region filter of its own.

use jiujin_domain::RegionCode;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::ColumnTrait;

use crate::entity::{payout, person};

/// Which persons a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The whole city (city staff, operators on the command line).
    City,
    /// The subtree of one region: a person belongs to it by hukou or by residence.
    Region(RegionCode),
    /// One person only (a worker seeing themself).
    Person(i64),
    /// Nobody.
    Nothing,
}

impl Scope {
    /// The condition on `persons` rows for this scope.
    pub fn persons(self) -> Condition {
        match self {
            Scope::City => Condition::all(),
            Scope::Region(code) => {
                let (lo, hi) = code.subtree_range();
                Condition::any()
                    .add(person::Column::HukouRegion.between(lo, hi))
                    .add(person::Column::ResidenceRegion.between(lo, hi))
            }
            Scope::Person(id) => Condition::all().add(person::Column::Id.eq(id)),
            Scope::Nothing => Condition::all().add(Expr::val(1).eq(0)),
        }
    }

    /// The condition on `payouts` rows: a payout belongs to its beneficiary's hukou
    /// region (a 免申即享 run pays each person through their hukou district only).
    pub fn payouts(self) -> Condition {
        match self {
            Scope::City => Condition::all(),
            Scope::Region(code) => {
                let (lo, hi) = code.subtree_range();
                Condition::all().add(payout::Column::Region.between(lo, hi))
            }
            Scope::Person(id) => Condition::all().add(payout::Column::PersonId.eq(id)),
            Scope::Nothing => Condition::all().add(Expr::val(1).eq(0)),
        }
    }

    /// The region range of a staff scope, for records that belong to one region (a
    /// project's site, a workshop): `Some(None)` for the city, `Some(Some(range))` for
    /// a region's subtree, `None` for a scope that sees no such records (a worker).
    pub fn range(self) -> Option<Option<(i64, i64)>> {
        match self {
            Scope::City => Some(None),
            Scope::Region(code) => Some(Some(code.subtree_range())),
            Scope::Person(_) | Scope::Nothing => None,
        }
    }

    /// Whether a person with these regions, not yet stored, would lie in this scope
    /// (the same rule as `persons`: by hukou or by residence). A person scope admits
    /// no new person.
    pub fn admits(self, hukou: RegionCode, residence: Option<RegionCode>) -> bool {
        match self {
            Scope::City => true,
            Scope::Region(home) => home.contains(hukou) || residence.is_some_and(|r| home.contains(r)),
            Scope::Person(_) | Scope::Nothing => false,
        }
    }

    /// The same condition as SQL text for the `persons` row aliased `alias`, for the
    /// few hand-written queries (self-joins). Only integers are inlined.
    pub fn sql(self, alias: &str) -> String {
        match self {
            Scope::City => "1 = 1".to_string(),
            Scope::Region(code) => {
                let (lo, hi) = code.subtree_range();
                format!(
                    "({alias}.hukou_region BETWEEN {lo} AND {hi} OR {alias}.residence_region BETWEEN {lo} AND {hi})"
                )
            }
            Scope::Person(id) => format!("{alias}.id = {id}"),
            Scope::Nothing => "1 = 0".to_string(),
        }
    }
}
