//! Policy rules in bulk: the same rule definitions as `eval`, compiled into one fused
//! pass over a population held as columns (`columns::Population`).
//!
//! `Plan::compile` takes policies bound to a date (`Bound`: parameters resolved
//! first, as `evaluate_bound` does) and turns every condition and amount into a flat
//! list of column operations (`compile`), run over blocks of `BLOCK` rows (`exec`),
//! with three-valued results kept as masks (true, false, error) per row. The result
//! per row and policy is the same status and amount `evaluate_bound` gives, including
//! unknown facts (false-and-unknown is false, true-or-unknown is true), computation
//! errors (an overflow makes a condition unknown) and the rounding of shares of money
//! (down to the fen). `tests.rs` checks that on generated populations. A construct
//! the kernel cannot run is refused by `compile` with the policy and construct named.

pub mod calendar;
pub mod columns;
mod compile;
mod exec;
#[cfg(test)]
mod tests;

use super::eval::{Bound, Status};
use super::facts::{EntityKind, FactId};
use super::model::PolicyId;

pub use columns::{Column, Population};

/// Rows per block: lanes of a block stay in the first levels of cache.
pub const BLOCK: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BulkError {
    #[error("政策“{policy}”的{place}含批量计算尚不支持的写法：{construct}")]
    Unsupported { policy: String, place: String, construct: String },
    #[error("事实“{fact}”的列：{reason}")]
    Column { fact: String, reason: String },
    #[error("批量计划与人群的列不一致：{0}")]
    Schema(String),
}

/// How a condition or amount reads a value: a constant, a column, or an earlier
/// operation's lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Src {
    Const {
        v: i64,
        k: bool,
        e: bool,
    },
    /// `Int` or `Date` column (sentinel `i32::MIN`).
    ColI32(usize),
    /// `Money` column (sentinel `i64::MIN`).
    ColI64(usize),
    /// `Code` column (sentinel 255).
    ColU8(usize),
    /// `Text` column codes (sentinel `u32::MAX`).
    ColU32(usize),
    Reg(usize),
}

/// A three-valued boolean source: a constant, a `Bool` column or an earlier result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BSrc {
    Const { t: bool, f: bool, e: bool },
    Col(usize),
    Reg(usize),
}

/// One column operation. `dst` is a register written once; sources are earlier.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Instr {
    /// `lo <= x <= hi` (negated when `neg`), unknown where `x` is.
    Range {
        dst: usize,
        src: Src,
        lo: i64,
        hi: i64,
        neg: bool,
    },
    /// Unknown everywhere, with the errors of `srcs` (a comparison with a missing parameter).
    Unknown {
        dst: usize,
        srcs: Vec<Src>,
    },
    KnownV {
        dst: usize,
        src: Src,
    },
    KnownB {
        dst: usize,
        src: BSrc,
    },
    Not {
        dst: usize,
        src: BSrc,
    },
    Logic {
        dst: usize,
        srcs: Vec<BSrc>,
        or: bool,
    },
    BoolEq {
        dst: usize,
        a: BSrc,
        b: BSrc,
        ne: bool,
    },
    /// `a op b` on two value lanes.
    Cmp {
        dst: usize,
        a: Src,
        b: Src,
        op: super::expr::CmpOp,
    },
    /// The span from `start` to `end` against a duration, both per row.
    SpanRow {
        dst: usize,
        start: Src,
        end: Src,
        months: i64,
        days: i64,
        op: super::expr::CmpOp,
    },
    IfB {
        dst: usize,
        c: BSrc,
        a: BSrc,
        b: BSrc,
    },
    Year {
        dst: usize,
        src: Src,
    },
    AddSub {
        dst: usize,
        a: Src,
        b: Src,
        sub: bool,
    },
    /// `floor(m × num / den)` in fen; an error when out of range.
    Share {
        dst: usize,
        m: Src,
        num: i128,
        den: i128,
    },
    Mul {
        dst: usize,
        a: Src,
        b: Src,
    },
    MinMax {
        dst: usize,
        srcs: Vec<Src>,
        max: bool,
    },
    IfV {
        dst: usize,
        c: BSrc,
        a: Src,
        b: Src,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PolicyPlan {
    pub id: PolicyId,
    pub in_force: bool,
    pub conditions: Vec<BSrc>,
    pub amount: Option<Src>,
}

/// What a plan needs of a population's columns (checked before each run).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ColNeed {
    pub fact: usize,
    pub width: usize,
    /// A text column's dictionary, which literals were resolved against.
    pub dict: Option<Vec<String>>,
}

/// Policies compiled for one population's columns and one date.
#[derive(Debug, Clone)]
pub struct Plan {
    pub(crate) entity: EntityKind,
    pub(crate) instrs: Vec<Instr>,
    pub(crate) regs: usize,
    pub(crate) policies: Vec<PolicyPlan>,
    pub(crate) needs: Vec<ColNeed>,
}

impl Plan {
    /// Compiles the conditions (those that apply to `pop.entity`) and the amounts.
    pub fn compile(bounds: &[Bound], pop: &Population) -> Result<Plan, BulkError> {
        compile::compile(bounds, pop)
    }

    pub fn policies(&self) -> impl Iterator<Item = &PolicyId> {
        self.policies.iter().map(|p| &p.id)
    }

    /// The facts (columns) the plan reads.
    pub fn facts_read(&self) -> Vec<FactId> {
        self.needs.iter().filter_map(|n| u16::try_from(n.fact).ok()).map(FactId).collect()
    }

    /// Bytes of columns one run reads.
    pub fn bytes_read(&self, pop: &Population) -> usize {
        self.needs.iter().map(|n| n.width * pop.len()).sum()
    }

    pub fn run(&self, pop: &Population) -> Result<BulkResult, BulkError> {
        let mut out = BulkResult::default();
        self.run_into(pop, &mut out)?;
        Ok(out)
    }

    /// Runs into `out`, reusing its buffers.
    pub fn run_into(&self, pop: &Population, out: &mut BulkResult) -> Result<(), BulkError> {
        exec::check(self, pop)?;
        out.ids = self.policies.iter().map(|p| p.id.clone()).collect();
        out.len = pop.len();
        out.outcome.resize_with(self.policies.len(), Vec::new);
        out.amount.resize_with(self.policies.len(), Vec::new);
        for (i, p) in self.policies.iter().enumerate() {
            out.outcome[i].resize(pop.len(), 0);
            out.amount[i].resize(if p.amount.is_some() { pop.len() } else { 0 }, 0);
        }
        exec::run(self, pop, out);
        Ok(())
    }
}

/// Outcome byte: the status in the low two bits, `HAS_AMOUNT` when an amount is set.
pub const NOT_ELIGIBLE: u8 = 0;
pub const ELIGIBLE: u8 = 1;
pub const UNDETERMINED: u8 = 2;
pub const HAS_AMOUNT: u8 = 4;

/// Per policy and row: the status and the amount in fen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkResult {
    ids: Vec<PolicyId>,
    len: usize,
    outcome: Vec<Vec<u8>>,
    amount: Vec<Vec<i64>>,
}

/// Counts and the amount total of one policy over a population.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub eligible: u64,
    pub not_eligible: u64,
    pub undetermined: u64,
    pub with_amount: u64,
    pub amount_fen: i128,
}

impl BulkResult {
    pub fn ids(&self) -> &[PolicyId] {
        &self.ids
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn status(&self, policy: usize, row: usize) -> Option<Status> {
        let b = *self.outcome.get(policy)?.get(row)?;
        Some(match b & 3 {
            ELIGIBLE => Status::Eligible,
            UNDETERMINED => Status::Undetermined,
            _ => Status::NotEligible,
        })
    }

    pub fn amount(&self, policy: usize, row: usize) -> Option<i64> {
        let b = *self.outcome.get(policy)?.get(row)?;
        if b & HAS_AMOUNT == 0 {
            return None;
        }
        self.amount.get(policy)?.get(row).copied()
    }

    pub fn summary(&self, policy: usize) -> Summary {
        let mut s = Summary::default();
        let (Some(o), Some(a)) = (self.outcome.get(policy), self.amount.get(policy)) else { return s };
        for (i, b) in o.iter().enumerate() {
            match b & 3 {
                ELIGIBLE => s.eligible += 1,
                UNDETERMINED => s.undetermined += 1,
                _ => s.not_eligible += 1,
            }
            if b & HAS_AMOUNT != 0 {
                s.with_amount += 1;
                s.amount_fen += i128::from(a.get(i).copied().unwrap_or(0));
            }
        }
        s
    }
}
