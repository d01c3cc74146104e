//! Policy rules in bulk: the same rule definitions as `eval`, compiled into one fused
//! pass over a population held as columns (`columns::Population`).
//!
//! `Plan::compile` takes policies bound to a date (`Bound`: parameters resolved
//! first, as `evaluate_bound` does) and turns every condition and amount into a flat
//! list of column operations (`compile`), run over blocks of `BLOCK` rows (`exec`),
//! with three-valued results kept as bit sets (true, false, error) per block and
//! amounts evaluated on the eligible rows only. The result
//! per row and policy is the same status and amount `evaluate_bound` gives, including
//! unknown facts (false-and-unknown is false, true-or-unknown is true), computation
//! errors (an overflow makes a condition unknown) and the rounding of shares of money
//! (down to the fen). `tests.rs` checks that on generated populations. A construct
//! the kernel cannot run is refused by `compile` with the policy and construct named.

pub mod calendar;
pub mod columns;
mod compile;
mod exec;
mod pack;
#[cfg(test)]
mod tests;

use super::eval::{Bound, Status};
use super::facts::{EntityKind, FactId};
use super::model::PolicyId;

pub use columns::{Column, Population};

/// Rows per block (a multiple of 64: statuses are packed into bit sets per block);
/// lanes of a block stay in the first levels of cache.
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
    /// The operations of the amount when it is evaluated on the eligible rows only
    /// (gathered into a short selection), in order; empty when it runs on every row
    /// with the conditions (it shares a register with them or with another amount).
    pub amount_instrs: Vec<usize>,
    /// The columns those operations read (gathered for the selected rows).
    pub amount_cols: Vec<usize>,
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
    /// Per register: whether it may hold an error (otherwise its error lane is never
    /// written nor read).
    pub(crate) errs: Vec<bool>,
    /// The operations run on every row (those of selected amounts are run later).
    pub(crate) main: Vec<usize>,
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

    /// Runs into `out`, reusing its buffers, on one thread.
    pub fn run_into(&self, pop: &Population, out: &mut BulkResult) -> Result<(), BulkError> {
        self.run_into_threads(pop, out, 1)
    }

    /// Runs into `out` on up to `threads` threads, each over its own range of blocks.
    /// The result is the same for any number of threads.
    pub fn run_into_threads(&self, pop: &Population, out: &mut BulkResult, threads: usize) -> Result<(), BulkError> {
        exec::check(self, pop)?;
        if u32::try_from(pop.len()).is_err() {
            return Err(BulkError::Schema(format!("人群过大（{} 行），一次最多 {} 行", pop.len(), u32::MAX)));
        }
        let np = self.policies.len();
        out.ids = self.policies.iter().map(|p| p.id.clone()).collect();
        out.len = pop.len();
        let words = pop.len().div_ceil(64);
        // Every word is written by the run, so a result of the same size is reused as it
        // is (zeroing it first cost the city's run about 9 MB of writes).
        for v in [&mut out.eligible, &mut out.undetermined] {
            v.resize_with(np, Vec::new);
            v.iter_mut().filter(|w| w.len() != words).for_each(|w| {
                w.clear();
                w.resize(words, 0);
            });
        }
        out.amount_rows.resize_with(np, Vec::new);
        out.amount_fen.resize_with(np, Vec::new);
        out.amount_rows.iter_mut().for_each(Vec::clear);
        out.amount_fen.iter_mut().for_each(Vec::clear);
        for (rows, fens) in &mut out.more {
            rows.iter_mut().for_each(Vec::clear);
            fens.iter_mut().for_each(Vec::clear);
        }
        exec::run(self, pop, out, threads);
        Ok(())
    }
}

/// Per policy: the status of every row as two bit sets (eligible; undetermined; a row
/// in neither is not eligible) and the amounts of the rows that have one, in row
/// order. Compact, so that writing the result costs little next to reading columns.
#[derive(Debug, Clone, Default)]
pub struct BulkResult {
    ids: Vec<PolicyId>,
    len: usize,
    pub(crate) eligible: Vec<Vec<u64>>,
    pub(crate) undetermined: Vec<Vec<u64>>,
    pub(crate) amount_rows: Vec<Vec<u32>>,
    pub(crate) amount_fen: Vec<Vec<i64>>,
    /// The amounts found by the second and later threads, per thread then per policy,
    /// each after the rows of the one before: segments of the same list, so that
    /// nothing is copied after the threads end. Their capacity is kept from run to run.
    pub(crate) more: Vec<Amounts>,
}

/// Rows with an amount and their amounts, one vector each per policy.
pub(crate) type Amounts = (Vec<Vec<u32>>, Vec<Vec<i64>>);

/// Equal results: the same policies, rows, statuses and amounts, however the amounts
/// are split into segments.
impl PartialEq for BulkResult {
    fn eq(&self, o: &BulkResult) -> bool {
        (&self.ids, self.len, &self.eligible, &self.undetermined) == (&o.ids, o.len, &o.eligible, &o.undetermined)
            && (0..self.ids.len()).all(|p| self.amounts(p).eq(o.amounts(p)))
    }
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

/// One policy's rows and amounts in a segment (empty when it has none).
fn segment<'a>(rows: &'a [Vec<u32>], fens: &'a [Vec<i64>], policy: usize) -> (&'a [u32], &'a [i64]) {
    (rows.get(policy).map_or(&[][..], |v| v.as_slice()), fens.get(policy).map_or(&[][..], |v| v.as_slice()))
}

fn bit(words: &[u64], row: usize) -> Option<bool> {
    words.get(row / 64).map(|w| (w >> (row % 64)) & 1 == 1)
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
        if row >= self.len {
            return None;
        }
        let e = bit(self.eligible.get(policy)?, row)?;
        let u = bit(self.undetermined.get(policy)?, row)?;
        Some(match (e, u) {
            (true, _) => Status::Eligible,
            (false, true) => Status::Undetermined,
            (false, false) => Status::NotEligible,
        })
    }

    /// A policy's segments of amounts: rows and amounts, in row order one after another.
    fn segments(&self, policy: usize) -> impl Iterator<Item = (&[u32], &[i64])> + '_ {
        std::iter::once((&self.amount_rows, &self.amount_fen))
            .chain(self.more.iter().map(|(rows, fens)| (rows, fens)))
            .map(move |(rows, fens)| segment(rows, fens, policy))
    }

    pub fn amount(&self, policy: usize, row: usize) -> Option<i64> {
        let r = u32::try_from(row).ok()?;
        let (rows, fens) = self.segments(policy).find(|(rows, _)| rows.last().is_some_and(|last| r <= *last))?;
        let i = rows.binary_search(&r).ok()?;
        fens.get(i).copied()
    }

    /// The rows with an amount and their amounts in fen, in row order.
    pub fn amounts(&self, policy: usize) -> impl Iterator<Item = (usize, i64)> + '_ {
        self.segments(policy).flat_map(|(rows, fens)| rows.iter().zip(fens).map(|(r, f)| (*r as usize, *f)))
    }

    pub fn summary(&self, policy: usize) -> Summary {
        let count = |v: Option<&Vec<u64>>| v.map_or(0, |w| w.iter().map(|x| u64::from(x.count_ones())).sum::<u64>());
        let eligible = count(self.eligible.get(policy));
        let undetermined = count(self.undetermined.get(policy));
        let (mut with_amount, mut amount_fen) = (0u64, 0i128);
        for (_, fens) in self.segments(policy) {
            with_amount += fens.len() as u64;
            amount_fen += fens.iter().map(|f| i128::from(*f)).sum::<i128>();
        }
        Summary {
            eligible,
            undetermined,
            not_eligible: (self.len as u64).saturating_sub(eligible + undetermined),
            with_amount,
            amount_fen,
        }
    }
}
