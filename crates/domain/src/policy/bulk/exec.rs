//! Running a plan: blocks of `BLOCK` rows, each operation one tight loop over the
//! block, all policies of the plan in the same pass, so each column is read once.
//! Three-valued results are bit sets (true, false, error; 64 rows a word, no error
//! words where the compiler proved a register cannot err), so a range test on a
//! column goes straight into bits and `and`/`or`/`not` and the combination of a
//! policy's conditions are word operations. Values are i64 lanes with u8 known and
//! error lanes. An amount is evaluated on the eligible rows only: their indices are
//! taken from the eligible bits, the amount's columns gathered at them, and its
//! operations run over that short selection.
//!
//! The block function is compiled for several x86-64 feature levels by `multiversion`
//! and picks one at run time (the shipped binary runs on any x86-64; AVX2 machines get
//! AVX2 loops). The crate emits the dispatch and `#[target_feature]` copies for us, with
//! no `unsafe` in this crate; it is maintained (0.9, 2025) and has no run-time deps.

// Loops index several lanes and getters by the same row; an index reads plainest.
#![allow(clippy::needless_range_loop)]

use multiversion::multiversion;

use super::super::expr::CmpOp;
use super::calendar::{after, civil};
use super::columns::{day_range, Column, Population};
use super::pack::{self, bits};
use super::{Amounts, BSrc, BulkError, BulkResult, Instr, Plan, Src, BLOCK};

/// Words of a bit set per block.
const W: usize = BLOCK / 64;

#[derive(Clone, Copy)]
enum ColRef<'a> {
    B(&'a [u8]),
    I32(&'a [i32]),
    I64(&'a [i64]),
    U8(&'a [u8]),
    U32(&'a [u32]),
}

impl<'a> ColRef<'a> {
    fn of(c: &'a Column) -> ColRef<'a> {
        match c {
            Column::Bool(v) => ColRef::B(v),
            Column::Int(v) | Column::Date(v) => ColRef::I32(v),
            Column::Money(v) => ColRef::I64(v),
            Column::Code(v) => ColRef::U8(v),
            Column::Text { codes, .. } => ColRef::U32(codes),
        }
    }

    fn slice(self, start: usize, n: usize) -> ColRef<'a> {
        let r = start..start + n;
        match self {
            ColRef::B(v) => ColRef::B(&v[r]),
            ColRef::I32(v) => ColRef::I32(&v[r]),
            ColRef::I64(v) => ColRef::I64(&v[r]),
            ColRef::U8(v) => ColRef::U8(&v[r]),
            ColRef::U32(v) => ColRef::U32(&v[r]),
        }
    }
}

/// Checks that `pop` has the columns the plan was compiled for.
pub(super) fn check(plan: &Plan, pop: &Population) -> Result<(), BulkError> {
    if plan.entity != pop.entity {
        return Err(BulkError::Schema(format!("计划为{}编译，人群是{}", plan.entity.label(), pop.entity.label())));
    }
    for need in &plan.needs {
        let id = super::super::facts::FactId(u16::try_from(need.fact).unwrap_or(u16::MAX));
        let key = super::super::facts::FACTS.get(need.fact).map_or("?", |f| f.key);
        let col = pop.column(id);
        let same = match (col, need.width) {
            (None, 0) => true,
            (Some(Column::Text { dict, .. }), w) => w == 4 && need.dict.as_ref() == Some(dict),
            (Some(c), w) => c.width() == w,
            (None, _) => false,
        };
        if !same {
            return Err(BulkError::Schema(format!("事实“{key}”的列与编译时不同")));
        }
    }
    Ok(())
}

/// A value lane read: `v(i)`, known `k(i)`, error `e(i)`.
trait Gv: Copy {
    fn fit(self, n: usize);
    fn v(self, i: usize) -> i64;
    fn k(self, i: usize) -> bool;
    fn e(self, i: usize) -> bool;
}

/// A three-valued lane read: true `t(i)`, false `f(i)`, error `e(i)`.
trait Gb: Copy {
    fn fit(self, n: usize);
    fn t(self, i: usize) -> bool;
    fn f(self, i: usize) -> bool;
    fn e(self, i: usize) -> bool;
}

#[derive(Clone, Copy)]
struct K(i64, bool, bool);
impl Gv for K {
    #[inline(always)]
    fn fit(self, _: usize) {}
    #[inline(always)]
    fn v(self, _: usize) -> i64 {
        self.0
    }
    #[inline(always)]
    fn k(self, _: usize) -> bool {
        self.1
    }
    #[inline(always)]
    fn e(self, _: usize) -> bool {
        self.2
    }
}

macro_rules! col_getter {
    ($name:ident, $t:ty, $unknown:expr) => {
        #[derive(Clone, Copy)]
        struct $name<'a>(&'a [$t]);
        impl Gv for $name<'_> {
            #[inline(always)]
            fn fit(self, n: usize) {
                assert!(self.0.len() >= n);
            }
            #[inline(always)]
            fn v(self, i: usize) -> i64 {
                i64::from(self.0[i])
            }
            #[inline(always)]
            fn k(self, i: usize) -> bool {
                self.0[i] != $unknown
            }
            #[inline(always)]
            fn e(self, _: usize) -> bool {
                false
            }
        }
    };
}
col_getter!(CI32, i32, i32::MIN);
col_getter!(CI64, i64, i64::MIN);
col_getter!(CU8, u8, u8::MAX);
col_getter!(CU32, u32, u32::MAX);

#[derive(Clone, Copy)]
struct R<'a>(&'a [i64], &'a [u8], &'a [u8]);
impl Gv for R<'_> {
    #[inline(always)]
    fn fit(self, n: usize) {
        assert!(self.0.len() >= n && self.1.len() >= n && self.2.len() >= n);
    }
    #[inline(always)]
    fn v(self, i: usize) -> i64 {
        self.0[i]
    }
    #[inline(always)]
    fn k(self, i: usize) -> bool {
        self.1[i] != 0
    }
    #[inline(always)]
    fn e(self, i: usize) -> bool {
        self.2[i] != 0
    }
}

#[derive(Clone, Copy)]
struct BR<'a>(&'a [u8], &'a [u8], &'a [u8]);
impl Gb for BR<'_> {
    #[inline(always)]
    fn fit(self, n: usize) {
        assert!(self.0.len() >= n && self.1.len() >= n && self.2.len() >= n);
    }
    #[inline(always)]
    fn t(self, i: usize) -> bool {
        self.0[i] != 0
    }
    #[inline(always)]
    fn f(self, i: usize) -> bool {
        self.1[i] != 0
    }
    #[inline(always)]
    fn e(self, i: usize) -> bool {
        self.2[i] != 0
    }
}

enum VRef<'a> {
    K(i64, bool, bool),
    I32(&'a [i32]),
    I64(&'a [i64]),
    U8(&'a [u8]),
    U32(&'a [u32]),
    R(&'a [i64], &'a [u8], &'a [u8]),
}

/// A boolean source read a word (64 rows) at a time: constant words, a `Bool`
/// column packed on the fly, or a register's bit sets (no error words when the
/// register cannot err).
#[derive(Clone, Copy)]
enum WRef<'a> {
    K(u64, u64, u64),
    C(&'a [u8]),
    R(&'a [u64], &'a [u64], Option<&'a [u64]>),
}

impl WRef<'_> {
    /// Words `w` of true, false and error.
    #[inline(always)]
    fn get(self, w: usize) -> (u64, u64, u64) {
        match self {
            WRef::K(t, f, e) => (t, f, e),
            WRef::C(c) => {
                let lo = (w * 64).min(c.len());
                let s = &c[lo..(lo + 64).min(c.len())];
                (bits(s, |x| x == 1), bits(s, |x| x == 0), 0)
            }
            WRef::R(t, f, e) => (t[w], f[w], e.map_or(0, |e| e[w])),
        }
    }
}

macro_rules! with_v {
    ($r:expr, $g:ident => $body:expr) => {
        match $r {
            VRef::K(v, k, e) => {
                let $g = K(v, k, e);
                $body
            }
            VRef::I32(s) => {
                let $g = CI32(s);
                $body
            }
            VRef::I64(s) => {
                let $g = CI64(s);
                $body
            }
            VRef::U8(s) => {
                let $g = CU8(s);
                $body
            }
            VRef::U32(s) => {
                let $g = CU32(s);
                $body
            }
            VRef::R(v, k, e) => {
                let $g = R(v, k, e);
                $body
            }
        }
    };
}

/// Bits of a row predicate over rows `64w..64w+64` (fewer in a block's last word).
#[inline(always)]
fn bits_rows(w: usize, n: usize, f: impl Fn(usize) -> bool) -> u64 {
    let base = w * 64;
    let mut bits = 0u64;
    if base + 64 <= n {
        for j in 0..64 {
            bits |= u64::from(f(base + j)) << j;
        }
    } else {
        for j in 0..n.saturating_sub(base).min(64) {
            bits |= u64::from(f(base + j)) << j;
        }
    }
    bits
}

/// The first `n - 64w` bits of word `w` (all of them for a whole word).
#[inline(always)]
fn valid(w: usize, n: usize) -> u64 {
    match n.saturating_sub(w * 64) {
        0 => 0,
        r if r >= 64 => !0,
        r => (1u64 << r) - 1,
    }
}

fn words(b: bool) -> u64 {
    if b {
        !0
    } else {
        0
    }
}

/// Registers below the one being written, and the block's columns (or the gathered
/// columns of a selection).
struct Ctx<'a> {
    cols: &'a [Option<ColRef<'a>>],
    /// The block's boolean columns as true and false words, by fact (empty for a
    /// selection, whose columns are read row by row).
    packed: &'a [Option<Packed>],
    v: &'a [i64],
    k: &'a [u8],
    e: &'a [u8],
    t: &'a [u64],
    f: &'a [u64],
    x: &'a [u64],
    errs: &'a [bool],
    n: usize,
}

impl<'a> Ctx<'a> {
    /// Every register of `regs` (after the block's operations have run), over `n` rows.
    fn of(
        regs: &'a Regs,
        (cols, packed): (&'a [Option<ColRef<'a>>], &'a [Option<Packed>]),
        errs: &'a [bool],
        n: usize,
    ) -> Self {
        Ctx { cols, packed, v: &regs.v, k: &regs.k, e: &regs.e, t: &regs.t, f: &regs.f, x: &regs.x, errs, n }
    }

    #[inline(always)]
    fn vref(&self, s: &Src) -> VRef<'a> {
        let col = |i: usize| self.cols.get(i).copied().flatten();
        match *s {
            Src::Const { v, k, e } => VRef::K(v, k, e),
            Src::ColI32(i) => match col(i) {
                Some(ColRef::I32(c)) => VRef::I32(c),
                _ => VRef::K(0, false, false),
            },
            Src::ColI64(i) => match col(i) {
                Some(ColRef::I64(c)) => VRef::I64(c),
                _ => VRef::K(0, false, false),
            },
            Src::ColU8(i) => match col(i) {
                Some(ColRef::U8(c)) => VRef::U8(c),
                _ => VRef::K(0, false, false),
            },
            Src::ColU32(i) => match col(i) {
                Some(ColRef::U32(c)) => VRef::U32(c),
                _ => VRef::K(0, false, false),
            },
            Src::Reg(r) => {
                let x = r * BLOCK..r * BLOCK + self.n;
                VRef::R(&self.v[x.clone()], &self.k[x.clone()], &self.e[x])
            }
        }
    }

    #[inline(always)]
    fn wref(&self, s: &BSrc) -> WRef<'a> {
        match *s {
            BSrc::Const { t, f, e } => WRef::K(words(t), words(f), words(e)),
            BSrc::Col(i) => match (self.packed.get(i), self.cols.get(i).copied().flatten()) {
                (Some(Some((t, f))), _) => {
                    let nw = self.n.div_ceil(64);
                    WRef::R(&t[..nw], &f[..nw], None)
                }
                (_, Some(ColRef::B(c))) => WRef::C(&c[..self.n]),
                _ => WRef::K(0, 0, 0),
            },
            BSrc::Reg(r) => {
                let x = r * W..r * W + self.n.div_ceil(64);
                let e = self.errs.get(r).copied().unwrap_or(true).then(|| &self.x[x.clone()]);
                WRef::R(&self.t[x.clone()], &self.f[x], e)
            }
        }
    }
}

/// The lanes (a value register) or words (a boolean register) being written, and
/// a row lane of scratch.
struct Out<'a> {
    v: &'a mut [i64],
    k: &'a mut [u8],
    e: &'a mut [u8],
    t: &'a mut [u64],
    f: &'a mut [u64],
    x: &'a mut [u64],
    /// Whether the register may hold an error (else `x` is neither written nor read).
    err: bool,
    scratch: &'a mut Lanes,
}

/// Three u8 lanes of a block: a boolean source spread out per row, for `IfV`.
struct Lanes(Vec<u8>, Vec<u8>, Vec<u8>);

impl Lanes {
    fn new() -> Lanes {
        Lanes(vec![0; BLOCK], vec![0; BLOCK], vec![0; BLOCK])
    }

    /// Spreads `src` over the first `n` rows (1 where set).
    fn spread(&mut self, src: WRef, n: usize) -> BR<'_> {
        for w in 0..n.div_ceil(64) {
            let (t, f, e) = src.get(w);
            for j in 0..64.min(n - w * 64) {
                let i = w * 64 + j;
                self.0[i] = ((t >> j) & 1) as u8;
                self.1[i] = ((f >> j) & 1) as u8;
                self.2[i] = ((e >> j) & 1) as u8;
            }
        }
        BR(&self.0[..n], &self.1[..n], &self.2[..n])
    }
}

struct Regs {
    v: Vec<i64>,
    k: Vec<u8>,
    e: Vec<u8>,
    t: Vec<u64>,
    f: Vec<u64>,
    x: Vec<u64>,
}

impl Regs {
    fn new(regs: usize) -> Regs {
        let (lanes, words) = (regs.max(1) * BLOCK, regs.max(1) * W);
        Regs {
            v: vec![0; lanes],
            k: vec![0; lanes],
            e: vec![0; lanes],
            t: vec![0; words],
            f: vec![0; words],
            x: vec![0; words],
        }
    }
}

/// A column's values at the selected rows of a block.
enum Gathered {
    B(Vec<u8>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    U8(Vec<u8>),
    U32(Vec<u32>),
}

impl Gathered {
    fn gather(&mut self, col: ColRef, idx: &[u32]) {
        fn g<T: Copy>(dst: &mut Vec<T>, src: &[T], idx: &[u32]) {
            dst.clear();
            dst.extend(idx.iter().map(|i| src[*i as usize]));
        }
        *self = match (std::mem::replace(self, Gathered::B(Vec::new())), col) {
            (Gathered::B(mut d), ColRef::B(s)) | (Gathered::U8(mut d), ColRef::B(s)) => {
                g(&mut d, s, idx);
                Gathered::B(d)
            }
            (Gathered::U8(mut d), ColRef::U8(s)) | (Gathered::B(mut d), ColRef::U8(s)) => {
                g(&mut d, s, idx);
                Gathered::U8(d)
            }
            (Gathered::I32(mut d), ColRef::I32(s)) => {
                g(&mut d, s, idx);
                Gathered::I32(d)
            }
            (Gathered::I64(mut d), ColRef::I64(s)) => {
                g(&mut d, s, idx);
                Gathered::I64(d)
            }
            (Gathered::U32(mut d), ColRef::U32(s)) => {
                g(&mut d, s, idx);
                Gathered::U32(d)
            }
            (_, ColRef::I32(s)) => Gathered::I32(idx.iter().map(|i| s[*i as usize]).collect()),
            (_, ColRef::I64(s)) => Gathered::I64(idx.iter().map(|i| s[*i as usize]).collect()),
            (_, ColRef::U32(s)) => Gathered::U32(idx.iter().map(|i| s[*i as usize]).collect()),
            (_, ColRef::B(s)) => Gathered::B(idx.iter().map(|i| s[*i as usize]).collect()),
            (_, ColRef::U8(s)) => Gathered::U8(idx.iter().map(|i| s[*i as usize]).collect()),
        };
    }

    fn col(&self) -> ColRef<'_> {
        match self {
            Gathered::B(v) => ColRef::B(v),
            Gathered::I32(v) => ColRef::I32(v),
            Gathered::I64(v) => ColRef::I64(v),
            Gathered::U8(v) => ColRef::U8(v),
            Gathered::U32(v) => ColRef::U32(v),
        }
    }
}

/// A boolean column's true and false words over a block.
type Packed = ([u64; W], [u64; W]);

/// A thread's working memory, kept from block to block.
struct Work {
    /// The block's boolean columns, packed once for all the conditions reading them.
    packed: Vec<Option<Packed>>,
    regs: Regs,
    lanes: Lanes,
    /// The selected rows of a block (eligible for a policy with an amount), `BLOCK` long.
    idx: Vec<u32>,
    /// The rows with an amount and their amounts, before they are appended.
    rows: Vec<u32>,
    fens: Vec<i64>,
    /// Gathered columns, by fact.
    gathered: Vec<Option<Gathered>>,
    /// An empty column table whose allocation is reused for each selection.
    spare: Vec<Option<ColRef<'static>>>,
}

/// What one thread writes: the bit-set words of its rows (from word `word0` on) and
/// the amounts found in them, in row order.
struct Part<'o> {
    word0: usize,
    eligible: Vec<&'o mut [u64]>,
    undetermined: Vec<&'o mut [u64]>,
    rows: Vec<Vec<u32>>,
    fens: Vec<Vec<i64>>,
}

/// Runs the plan over `pop` on `threads` threads, each over its own range of whole
/// blocks (the blocks are independent); their amounts are joined in row order.
pub(super) fn run(plan: &Plan, pop: &Population, out: &mut BulkResult, threads: usize) {
    let cols: Vec<Option<ColRef>> = (0..super::super::facts::FACTS.len())
        .map(|i| {
            let needed = plan.needs.iter().any(|n| n.fact == i && n.width > 0);
            let id = super::super::facts::FactId(u16::try_from(i).unwrap_or(u16::MAX));
            if needed {
                pop.column(id).map(ColRef::of)
            } else {
                None
            }
        })
        .collect();
    let len = pop.len();
    let np = plan.policies.len();
    // Rows per thread, a whole number of blocks.
    let per = len.div_ceil(threads.max(1)).div_ceil(BLOCK).max(1) * BLOCK;
    let ranges: Vec<(usize, usize)> = (0..len.max(1)).step_by(per).map(|s| (s, (s + per).min(len))).collect();
    let mut eligible: Vec<_> = out.eligible.iter_mut().map(|v| v.chunks_mut(per / 64)).collect();
    let mut undetermined: Vec<_> = out.undetermined.iter_mut().map(|v| v.chunks_mut(per / 64)).collect();
    let mut parts: Vec<Part> = ranges
        .iter()
        .enumerate()
        .map(|(i, (start, _))| {
            // The first part appends to the output's own vectors (no copy after).
            let (rows, fens) = if i == 0 {
                (std::mem::take(&mut out.amount_rows), std::mem::take(&mut out.amount_fen))
            } else {
                spare(&mut out.more, i - 1, np)
            };
            Part {
                word0: start / 64,
                eligible: eligible.iter_mut().map(|c| c.next().unwrap_or_default()).collect(),
                undetermined: undetermined.iter_mut().map(|c| c.next().unwrap_or_default()).collect(),
                rows,
                fens,
            }
        })
        .collect();
    if parts.len() == 1 {
        if let Some(part) = parts.first_mut() {
            run_range(plan, &cols, ranges[0], part);
        }
    } else {
        std::thread::scope(|s| {
            let cols = &cols;
            let mut work = ranges.iter().zip(parts.iter_mut());
            let first = work.next();
            for (range, part) in work {
                s.spawn(move || run_range(plan, cols, *range, part));
            }
            // The calling thread takes the first range itself.
            if let Some((range, part)) = first {
                run_range(plan, cols, *range, part);
            }
        });
    }
    let mut parts = parts.into_iter();
    if let Some(first) = parts.next() {
        out.amount_rows = first.rows;
        out.amount_fen = first.fens;
    }
    // The other parts' amounts follow as segments, in row order (not copied).
    for (i, part) in parts.enumerate() {
        if out.more.len() <= i {
            out.more.resize_with(i + 1, Default::default);
        }
        out.more[i] = (part.rows, part.fens);
    }
}

/// The `i`th spare pair of amount vectors, emptied, one vector per policy (their
/// capacity is what is kept).
fn spare(spare: &mut [Amounts], i: usize, np: usize) -> Amounts {
    let (mut rows, mut fens) = spare.get_mut(i).map(std::mem::take).unwrap_or_default();
    rows.resize_with(np, Vec::new);
    rows.iter_mut().for_each(Vec::clear);
    fens.resize_with(np, Vec::new);
    fens.iter_mut().for_each(Vec::clear);
    (rows, fens)
}

fn run_range(plan: &Plan, cols: &[Option<ColRef>], (from, to): (usize, usize), part: &mut Part) {
    let mut work = Work {
        packed: vec![None; cols.len()],
        regs: Regs::new(plan.regs),
        lanes: Lanes::new(),
        idx: vec![0; BLOCK],
        rows: vec![0; BLOCK],
        fens: vec![0; BLOCK],
        gathered: (0..cols.len()).map(|_| None).collect(),
        spare: Vec::with_capacity(cols.len()),
    };
    let mut block_cols: Vec<Option<ColRef>> = vec![None; cols.len()];
    let mut start = from;
    while start < to {
        let n = BLOCK.min(to - start);
        for (bc, c) in block_cols.iter_mut().zip(cols) {
            *bc = c.map(|c| c.slice(start, n));
        }
        run_block(plan, &block_cols, &mut work, n, start, part);
        start += n;
    }
}

/// Reuses a column table's allocation for a table of another lifetime (empty).
fn recycle<'b>(v: Vec<Option<ColRef<'_>>>) -> Vec<Option<ColRef<'b>>> {
    v.into_iter().map(|_| None).collect()
}

/// Runs `instrs` (indices into the plan) over `n` rows of `cols`.
#[inline(always)]
fn run_instrs(
    plan: &Plan,
    instrs: &[usize],
    (cols, packed): (&[Option<ColRef>], &[Option<Packed>]),
    regs: &mut Regs,
    lanes: &mut Lanes,
    n: usize,
) {
    let day_max = day_range().1;
    let nw = n.div_ceil(64);
    for &ii in instrs {
        let Some(ins) = plan.instrs.get(ii) else { continue };
        let dst = super::compile::dst_of(ins);
        let (d, dw) = (dst * BLOCK, dst * W);
        let (v0, v1) = regs.v.split_at_mut(d);
        let (k0, k1) = regs.k.split_at_mut(d);
        let (e0, e1) = regs.e.split_at_mut(d);
        let (t0, t1) = regs.t.split_at_mut(dw);
        let (f0, f1) = regs.f.split_at_mut(dw);
        let (x0, x1) = regs.x.split_at_mut(dw);
        let cx = Ctx { cols, packed, v: v0, k: k0, e: e0, t: t0, f: f0, x: x0, errs: &plan.errs, n };
        let o = Out {
            v: &mut v1[..n],
            k: &mut k1[..n],
            e: &mut e1[..n],
            t: &mut t1[..nw],
            f: &mut f1[..nw],
            x: &mut x1[..nw],
            err: plan.errs.get(dst).copied().unwrap_or(true),
            scratch: &mut *lanes,
        };
        step(ins, &cx, o, n, day_max);
    }
}

#[multiversion(targets = "simd")]
fn run_block(plan: &Plan, cols: &[Option<ColRef>], work: &mut Work, n: usize, start: usize, out: &mut Part) {
    for (slot, c) in work.packed.iter_mut().zip(cols) {
        match c {
            Some(ColRef::B(s)) => {
                let (t, f) = slot.get_or_insert(([0; W], [0; W]));
                pack::bool_words(&s[..n], t, f);
            }
            _ => *slot = None,
        }
    }
    run_instrs(plan, &plan.main, (cols, &work.packed), &mut work.regs, &mut work.lanes, n);
    let nw = n.div_ceil(64);
    let wrange = start / 64 - out.word0..start / 64 - out.word0 + nw;
    for (pi, p) in plan.policies.iter().enumerate() {
        let cx = Ctx::of(&work.regs, (cols, &work.packed), &plan.errs, n);
        // All met (which excludes a failure) is eligible; neither is undetermined.
        let mut met = [words(p.in_force); W];
        let mut fail = [words(!p.in_force); W];
        for c in &p.conditions {
            match cx.wref(c) {
                // A register or packed column that cannot err: a loop the compiler
                // vectorises (`get` decides the source's kind every word).
                WRef::R(t, f, None) => {
                    for ((m, x), (t, f)) in met.iter_mut().zip(fail.iter_mut()).zip(t.iter().zip(f)) {
                        *m &= t;
                        *x |= f;
                    }
                }
                src => {
                    for w in 0..nw {
                        let (t, f, e) = src.get(w);
                        met[w] &= t & !e;
                        fail[w] |= f & !e;
                    }
                }
            }
        }
        let mut und = [0u64; W];
        for w in 0..nw {
            let valid = valid(w, n);
            met[w] &= valid;
            und[w] = !(met[w] | fail[w]) & valid;
        }
        if let Some(dst) = out.eligible.get_mut(pi).and_then(|v| v.get_mut(wrange.clone())) {
            dst.copy_from_slice(&met[..nw]);
        }
        if let Some(dst) = out.undetermined.get_mut(pi).and_then(|v| v.get_mut(wrange.clone())) {
            dst.copy_from_slice(&und[..nw]);
        }
        let (Some(src), Some(rows), Some(fens)) = (&p.amount, out.rows.get_mut(pi), out.fens.get_mut(pi)) else {
            continue;
        };
        // The eligible rows; the amount is read (or evaluated) for those alone.
        let mut m = 0;
        // A local slice: through `work.idx` the loop reloaded the buffer every row.
        let buf: &mut [u32] = &mut work.idx;
        for (w, bits) in met[..nw].iter().enumerate() {
            let mut bits = *bits;
            while bits != 0 {
                if let Some(slot) = buf.get_mut(m) {
                    *slot = (w * 64) as u32 + bits.trailing_zeros();
                }
                m += 1;
                bits &= bits - 1;
            }
        }
        let idx = &work.idx[..m.min(BLOCK)];
        if idx.is_empty() {
            continue;
        }
        let buf = (&mut work.rows[..], &mut work.fens[..]);
        if p.amount_instrs.is_empty() {
            with_v!(cx.vref(src), g => emit(g, idx, false, start, buf, rows, fens));
            continue;
        }
        // Gather the amount's columns at the selected rows, then run its operations
        // over the selection.
        let m = idx.len();
        for &c in &p.amount_cols {
            if let (Some(Some(col)), Some(slot)) = (cols.get(c), work.gathered.get_mut(c)) {
                slot.get_or_insert(Gathered::B(Vec::new())).gather(*col, idx);
            }
        }
        let mut sel = recycle(std::mem::take(&mut work.spare));
        sel.resize(cols.len(), None);
        for &c in &p.amount_cols {
            if let (Some(slot), Some(Some(g))) = (sel.get_mut(c), work.gathered.get(c)) {
                *slot = Some(g.col());
            }
        }
        run_instrs(plan, &p.amount_instrs, (&sel, &[]), &mut work.regs, &mut work.lanes, m);
        let cx = Ctx::of(&work.regs, (&sel, &[]), &plan.errs, m);
        let buf = (&mut work.rows[..], &mut work.fens[..]);
        with_v!(cx.vref(src), g => emit(g, &work.idx[..m], true, start, buf, rows, fens));
        work.spare = recycle(sel);
    }
}

/// Appends the rows of `idx` whose amount is known and not an error, with the amount:
/// read at the row itself, or at its place in the selection when `compact`. Written
/// without a branch into `buf` (each `idx.len()` long at least), then appended.
#[inline(always)]
fn emit<G: Gv>(
    g: G,
    idx: &[u32],
    compact: bool,
    start: usize,
    (rbuf, fbuf): (&mut [u32], &mut [i64]),
    rows: &mut Vec<u32>,
    fens: &mut Vec<i64>,
) {
    let base = u32::try_from(start).unwrap_or(u32::MAX);
    if compact {
        // Usually every selected row has its amount: then both are copied whole.
        let m = idx.len();
        let missing = (0..m).fold(0u8, |a, i| a | u8::from(!g.k(i) | g.e(i)));
        if missing == 0 {
            rows.extend(idx.iter().map(|r| base.saturating_add(*r)));
            fens.extend((0..m).map(|i| g.v(i)));
            return;
        }
    }
    let (rbuf, fbuf) = (&mut rbuf[..idx.len()], &mut fbuf[..idx.len()]);
    let mut c = 0;
    for (i, r) in idx.iter().enumerate() {
        let j = if compact { i } else { *r as usize };
        rbuf[c.min(i)] = base.saturating_add(*r);
        fbuf[c.min(i)] = g.v(j);
        c += usize::from(g.k(j) & !g.e(j));
    }
    rows.extend_from_slice(&rbuf[..c]);
    fens.extend_from_slice(&fbuf[..c]);
}

/// `(on less, on equal, on greater)`.
#[inline(always)]
fn holds(op: CmpOp) -> (bool, bool, bool) {
    match op {
        CmpOp::Eq => (false, true, false),
        CmpOp::Ne => (true, false, true),
        CmpOp::Ge => (false, true, true),
        CmpOp::Le => (true, true, false),
        CmpOp::Gt => (false, false, true),
        CmpOp::Lt => (true, false, false),
    }
}

/// Writes a boolean register from per-row predicates: known-and-true, known-and-false,
/// and error (the last only when the register may err).
#[inline(always)]
fn bool_rows(o: Out, n: usize, t: impl Fn(usize) -> bool, f: impl Fn(usize) -> bool, e: impl Fn(usize) -> bool) {
    for w in 0..n.div_ceil(64) {
        o.t[w] = bits_rows(w, n, &t);
        o.f[w] = bits_rows(w, n, &f);
        if o.err {
            o.x[w] = bits_rows(w, n, &e);
        }
    }
}

/// A range test on a column, in the column's own width (`(min, max)` of the type),
/// straight into bit sets (a column cannot err), by `pack`'s dispatched copies.
#[inline(always)]
fn range_col<T>(
    s: &[T],
    unknown: T,
    (min, max): (i64, i64),
    (lo, hi, neg): (i64, i64, bool),
    o: Out,
    n: usize,
    pack: PackFn<T>,
) where
    T: Copy + PartialOrd + TryFrom<i64>,
{
    let bounds = match (T::try_from(lo.max(min)), T::try_from(hi.min(max))) {
        (Ok(l), Ok(h)) if lo <= hi && lo <= max && hi >= min => Some((l, h)),
        _ => None,
    };
    let nw = n.div_ceil(64);
    pack(&s[..n], unknown, bounds, neg, &mut o.t[..nw], &mut o.f[..nw]);
    if o.err {
        o.x.fill(0);
    }
}

/// One of `pack`'s range functions.
type PackFn<T> = fn(&[T], T, Option<(T, T)>, bool, &mut [u64], &mut [u64]);

#[inline(always)]
fn range<G: Gv>(g: G, lo: i64, hi: i64, neg: bool, o: Out, n: usize) {
    g.fit(n);
    let r = |i: usize| ((lo <= g.v(i)) & (g.v(i) <= hi)) ^ neg;
    bool_rows(o, n, |i| g.k(i) & r(i), |i| g.k(i) & !r(i), |i| g.e(i));
}

#[inline(always)]
fn step(ins: &Instr, cx: &Ctx, o: Out, n: usize, day_max: i64) {
    let nw = n.div_ceil(64);
    match ins {
        Instr::Range { src, lo, hi, neg, .. } => match cx.vref(src) {
            VRef::I32(s) => {
                range_col(s, i32::MIN, (i32::MIN.into(), i32::MAX.into()), (*lo, *hi, *neg), o, n, pack::range_i32)
            }
            VRef::I64(s) => range_col(s, i64::MIN, (i64::MIN, i64::MAX), (*lo, *hi, *neg), o, n, pack::range_i64),
            VRef::U8(s) => {
                range_col(s, u8::MAX, (u8::MIN.into(), u8::MAX.into()), (*lo, *hi, *neg), o, n, pack::range_u8)
            }
            VRef::U32(s) => {
                range_col(s, u32::MAX, (u32::MIN.into(), u32::MAX.into()), (*lo, *hi, *neg), o, n, pack::range_u32)
            }
            r => with_v!(r, g => range(g, *lo, *hi, *neg, o, n)),
        },
        Instr::Unknown { srcs, .. } => {
            o.t.fill(0);
            o.f.fill(0);
            o.x.fill(0);
            for s in srcs {
                with_v!(cx.vref(s), g => {
                    g.fit(n);
                    for w in 0..nw {
                        o.x[w] |= bits_rows(w, n, |i| g.e(i));
                    }
                });
            }
        }
        Instr::KnownV { src, .. } => with_v!(cx.vref(src), g => {
            g.fit(n);
            bool_rows(o, n, |i| g.k(i), |i| !g.k(i), |_| false);
        }),
        Instr::KnownB { src, .. } => {
            let s = cx.wref(src);
            for w in 0..nw {
                let (t, f, _) = s.get(w);
                o.t[w] = t | f;
                o.f[w] = !(t | f);
            }
            if o.err {
                o.x.fill(0);
            }
        }
        Instr::Not { src, .. } => {
            let s = cx.wref(src);
            for w in 0..nw {
                let (t, f, e) = s.get(w);
                o.t[w] = f;
                o.f[w] = t;
                if o.err {
                    o.x[w] = e;
                }
            }
        }
        Instr::Logic { srcs, or, .. } => {
            let or = *or;
            o.t.fill(words(!or));
            o.f.fill(words(or));
            o.x.fill(0);
            for s in srcs {
                let s = cx.wref(s);
                for w in 0..nw {
                    let (t, f, e) = s.get(w);
                    if or {
                        o.t[w] |= t;
                        o.f[w] &= f;
                    } else {
                        o.t[w] &= t;
                        o.f[w] |= f;
                    }
                    o.x[w] |= e;
                }
            }
        }
        Instr::BoolEq { a, b, ne, .. } => {
            let (a, b, ne) = (cx.wref(a), cx.wref(b), words(*ne));
            for w in 0..nw {
                let ((xt, xf, xe), (yt, yf, ye)) = (a.get(w), b.get(w));
                let known = (xt | xf) & (yt | yf);
                let r = ((xt & yt) | (xf & yf)) ^ ne;
                o.t[w] = known & r;
                o.f[w] = known & !r;
                o.x[w] = xe | ye;
            }
        }
        Instr::Cmp { a, b, op, .. } => {
            let (lt, eq, gt) = holds(*op);
            with_v!(cx.vref(a), x => with_v!(cx.vref(b), y => {
                x.fit(n);
                y.fit(n);
                let r = |i: usize| {
                    let (p, q) = (x.v(i), y.v(i));
                    ((p < q) & lt) | ((p == q) & eq) | ((p > q) & gt)
                };
                let k = |i: usize| x.k(i) & y.k(i);
                bool_rows(o, n, |i| k(i) & r(i), |i| k(i) & !r(i), |i| x.e(i) | y.e(i));
            }))
        }
        Instr::SpanRow { start, end, months, days, op, .. } => {
            let (lt, eq, gt) = holds(*op);
            with_v!(cx.vref(start), x => with_v!(cx.vref(end), y => {
                x.fit(n);
                y.fit(n);
                let k = |i: usize| x.k(i) & y.k(i);
                // `end.cmp(start + d)`.
                let r = |i: usize| {
                    let s = if k(i) { x.v(i) } else { 0 };
                    let limit = after(s, *months, *days, day_max);
                    let q = y.v(i);
                    ((q < limit) & lt) | ((q == limit) & eq) | ((q > limit) & gt)
                };
                bool_rows(o, n, |i| k(i) & r(i), |i| k(i) & !r(i), |i| x.e(i) | y.e(i));
            }))
        }
        Instr::IfB { c, a, b, .. } => {
            let (c, a, b) = (cx.wref(c), cx.wref(a), cx.wref(b));
            for w in 0..nw {
                let ((ct, cf, ce), (xt, xf, xe), (yt, yf, ye)) = (c.get(w), a.get(w), b.get(w));
                o.t[w] = (ct & xt) | (cf & yt);
                o.f[w] = (ct & xf) | (cf & yf);
                o.x[w] = ce | (ct & xe) | (cf & ye);
            }
        }
        Instr::Year { src, .. } => with_v!(cx.vref(src), g => {
            g.fit(n);
            for i in 0..n {
                let k = g.k(i);
                o.v[i] = if k { civil(g.v(i)).0 } else { 0 };
                o.k[i] = u8::from(k);
                o.e[i] = u8::from(g.e(i));
            }
        }),
        Instr::AddSub { a, b, sub, .. } => with_v!(cx.vref(a), x => with_v!(cx.vref(b), y => {
            x.fit(n);
            y.fit(n);
            for i in 0..n {
                let k = x.k(i) & y.k(i);
                let (r, over) = if *sub { x.v(i).overflowing_sub(y.v(i)) } else { x.v(i).overflowing_add(y.v(i)) };
                let ok = k & !over;
                o.v[i] = if ok { r } else { 0 };
                o.k[i] = u8::from(ok);
                o.e[i] = u8::from(x.e(i) | y.e(i) | (k & over));
            }
        })),
        Instr::Mul { a, b, .. } => with_v!(cx.vref(a), x => with_v!(cx.vref(b), y => {
            x.fit(n);
            y.fit(n);
            for i in 0..n {
                let k = x.k(i) & y.k(i);
                let (r, over) = x.v(i).overflowing_mul(y.v(i));
                let ok = k & !over;
                o.v[i] = if ok { r } else { 0 };
                o.k[i] = u8::from(ok);
                o.e[i] = u8::from(x.e(i) | y.e(i) | (k & over));
            }
        })),
        Instr::Share { m, num, den, .. } => with_v!(cx.vref(m), g => share(g, *num, *den, o, n)),
        Instr::MinMax { srcs, max, .. } => {
            let max = *max;
            o.v.fill(if max { i64::MIN } else { i64::MAX });
            o.k.fill(1);
            o.e.fill(0);
            for s in srcs {
                with_v!(cx.vref(s), g => {
                    g.fit(n);
                    for i in 0..n {
                        let x = g.v(i);
                        o.v[i] = if max { o.v[i].max(x) } else { o.v[i].min(x) };
                        o.k[i] &= u8::from(g.k(i));
                        o.e[i] |= u8::from(g.e(i));
                    }
                });
            }
            for i in 0..n {
                o.v[i] = if o.k[i] != 0 { o.v[i] } else { 0 };
            }
        }
        Instr::IfV { c, a, b, .. } => {
            let c = cx.wref(c);
            let Out { v, k, e, scratch, .. } = o;
            let c = scratch.spread(c, n);
            with_v!(cx.vref(a), x => with_v!(cx.vref(b), y => {
                c.fit(n);
                x.fit(n);
                y.fit(n);
                for i in 0..n {
                    let (ct, cf) = (c.t(i), c.f(i));
                    let kk = (ct & x.k(i)) | (cf & y.k(i));
                    let vv = if ct { x.v(i) } else { y.v(i) };
                    v[i] = if kk { vv } else { 0 };
                    k[i] = u8::from(kk);
                    e[i] = u8::from(c.e(i) | (ct & x.e(i)) | (cf & y.e(i)));
                }
            }))
        }
    }
}

/// `floor(m × num / den)`: in i64 with a shift when `den` is a power of two and the
/// product does not overflow; exactly in i128 otherwise (an error when the result does
/// not fit, as `Rational::times_fen_floor` has it).
#[inline(always)]
fn share<G: Gv>(g: G, num: i128, den: i128, o: Out, n: usize) {
    g.fit(n);
    let exact = |x: i64| -> Option<i64> {
        let p = i128::from(x).checked_mul(num)?;
        i64::try_from(p.div_euclid(den)).ok()
    };
    let pow2 = den > 0 && (den & (den - 1)) == 0;
    match (pow2, i64::try_from(num)) {
        (true, Ok(num64)) => {
            let shift = den.trailing_zeros();
            let mut any_over = false;
            if num64 > 0 {
                // The product overflows exactly when x lies outside [MIN/num, MAX/num]
                // (division truncates toward zero): two compares and a wrapping
                // multiply, which vectorise, instead of a flag per row.
                let (lo, hi) = (i64::MIN / num64, i64::MAX / num64);
                let mut over_any = 0u8;
                for i in 0..n {
                    let k = g.k(i);
                    let x = if k { g.v(i) } else { 0 };
                    let over = (x < lo) | (x > hi);
                    o.v[i] = x.wrapping_mul(num64) >> shift;
                    o.k[i] = u8::from(k & !over);
                    o.e[i] = u8::from(g.e(i) | over);
                    over_any |= u8::from(over);
                }
                any_over = over_any != 0;
            } else {
                for i in 0..n {
                    let k = g.k(i);
                    let x = if k { g.v(i) } else { 0 };
                    let (p, over) = x.overflowing_mul(num64);
                    o.v[i] = p >> shift;
                    o.k[i] = u8::from(k & !over);
                    o.e[i] = u8::from(g.e(i) | over);
                    any_over |= over;
                }
            }
            if any_over {
                for i in 0..n {
                    if g.k(i) && !g.e(i) {
                        let r = exact(g.v(i));
                        o.v[i] = r.unwrap_or(0);
                        o.k[i] = u8::from(r.is_some());
                        o.e[i] = u8::from(r.is_none());
                    }
                }
            }
        }
        _ => {
            for i in 0..n {
                let k = g.k(i);
                let r = if k { exact(g.v(i)) } else { Some(0) };
                o.v[i] = r.unwrap_or(0);
                o.k[i] = u8::from(k & r.is_some());
                o.e[i] = u8::from(g.e(i) | r.is_none());
            }
        }
    }
}
