//! Running a plan: blocks of `BLOCK` rows, each operation one tight loop over the
//! block's lanes (u8 masks for true/false/error, i64 values with a known mask), all
//! policies of the plan in the same pass, so each column is read once.
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
use super::{BSrc, BulkError, BulkResult, Instr, Plan, Src, BLOCK};

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
struct BK(bool, bool, bool);
impl Gb for BK {
    #[inline(always)]
    fn fit(self, _: usize) {}
    #[inline(always)]
    fn t(self, _: usize) -> bool {
        self.0
    }
    #[inline(always)]
    fn f(self, _: usize) -> bool {
        self.1
    }
    #[inline(always)]
    fn e(self, _: usize) -> bool {
        self.2
    }
}

#[derive(Clone, Copy)]
struct BC<'a>(&'a [u8]);
impl Gb for BC<'_> {
    #[inline(always)]
    fn fit(self, n: usize) {
        assert!(self.0.len() >= n);
    }
    #[inline(always)]
    fn t(self, i: usize) -> bool {
        self.0[i] == 1
    }
    #[inline(always)]
    fn f(self, i: usize) -> bool {
        self.0[i] == 0
    }
    #[inline(always)]
    fn e(self, _: usize) -> bool {
        false
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

enum BRef<'a> {
    K(bool, bool, bool),
    C(&'a [u8]),
    R(&'a [u8], &'a [u8], &'a [u8]),
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

macro_rules! with_b {
    ($r:expr, $g:ident => $body:expr) => {
        match $r {
            BRef::K(t, f, e) => {
                let $g = BK(t, f, e);
                $body
            }
            BRef::C(s) => {
                let $g = BC(s);
                $body
            }
            BRef::R(t, f, e) => {
                let $g = BR(t, f, e);
                $body
            }
        }
    };
}

/// Registers below the one being written, and the block's columns.
struct Ctx<'a> {
    cols: &'a [Option<ColRef<'a>>],
    v: &'a [i64],
    a: &'a [u8],
    b: &'a [u8],
    e: &'a [u8],
    n: usize,
}

impl<'a> Ctx<'a> {
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
                VRef::R(&self.v[x.clone()], &self.a[x.clone()], &self.e[x])
            }
        }
    }

    #[inline(always)]
    fn bref(&self, s: &BSrc) -> BRef<'a> {
        match *s {
            BSrc::Const { t, f, e } => BRef::K(t, f, e),
            BSrc::Col(i) => match self.cols.get(i).copied().flatten() {
                Some(ColRef::B(c)) => BRef::C(c),
                _ => BRef::K(false, false, false),
            },
            BSrc::Reg(r) => {
                let x = r * BLOCK..r * BLOCK + self.n;
                BRef::R(&self.a[x.clone()], &self.b[x.clone()], &self.e[x])
            }
        }
    }
}

/// The lanes being written.
struct Out<'a> {
    v: &'a mut [i64],
    a: &'a mut [u8],
    b: &'a mut [u8],
    e: &'a mut [u8],
}

struct Regs {
    v: Vec<i64>,
    a: Vec<u8>,
    b: Vec<u8>,
    e: Vec<u8>,
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
        .map(|(i, (start, _))| Part {
            word0: start / 64,
            eligible: eligible.iter_mut().map(|c| c.next().unwrap_or_default()).collect(),
            undetermined: undetermined.iter_mut().map(|c| c.next().unwrap_or_default()).collect(),
            // The first part appends to the output's own vectors (no copy after).
            rows: if i == 0 { std::mem::take(&mut out.amount_rows) } else { vec![Vec::new(); np] },
            fens: if i == 0 { std::mem::take(&mut out.amount_fen) } else { vec![Vec::new(); np] },
        })
        .collect();
    if parts.len() == 1 {
        if let Some(part) = parts.first_mut() {
            run_range(plan, &cols, ranges[0], part);
        }
    } else {
        std::thread::scope(|s| {
            let cols = &cols;
            for (range, part) in ranges.iter().zip(parts.iter_mut()) {
                s.spawn(move || run_range(plan, cols, *range, part));
            }
        });
    }
    let mut parts = parts.into_iter();
    if let Some(first) = parts.next() {
        out.amount_rows = first.rows;
        out.amount_fen = first.fens;
    }
    for part in parts {
        for (dst, src) in out.amount_rows.iter_mut().zip(part.rows) {
            dst.extend(src);
        }
        for (dst, src) in out.amount_fen.iter_mut().zip(part.fens) {
            dst.extend(src);
        }
    }
}

fn run_range(plan: &Plan, cols: &[Option<ColRef>], (from, to): (usize, usize), part: &mut Part) {
    let size = plan.regs.max(1) * BLOCK;
    let mut regs = Regs { v: vec![0; size], a: vec![0; size], b: vec![0; size], e: vec![0; size] };
    let mut scratch = (vec![0u8; BLOCK], vec![0u8; BLOCK], vec![0u8; BLOCK]);
    let mut block_cols: Vec<Option<ColRef>> = vec![None; cols.len()];
    let mut start = from;
    while start < to {
        let n = BLOCK.min(to - start);
        for (bc, c) in block_cols.iter_mut().zip(cols) {
            *bc = c.map(|c| c.slice(start, n));
        }
        run_block(plan, &block_cols, &mut regs, &mut scratch, n, start, part);
        start += n;
    }
}

#[multiversion(targets = "simd")]
fn run_block(
    plan: &Plan,
    cols: &[Option<ColRef>],
    regs: &mut Regs,
    scratch: &mut (Vec<u8>, Vec<u8>, Vec<u8>),
    n: usize,
    start: usize,
    out: &mut Part,
) {
    let day_max = day_range().1;
    for ins in &plan.instrs {
        let d = super::compile::dst_of(ins) * BLOCK;
        let (v0, v1) = regs.v.split_at_mut(d);
        let (a0, a1) = regs.a.split_at_mut(d);
        let (b0, b1) = regs.b.split_at_mut(d);
        let (e0, e1) = regs.e.split_at_mut(d);
        let cx = Ctx { cols, v: v0, a: a0, b: b0, e: e0, n };
        let o = Out { v: &mut v1[..n], a: &mut a1[..n], b: &mut b1[..n], e: &mut e1[..n] };
        step(ins, &cx, o, n, day_max);
    }
    let cx = Ctx { cols, v: &regs.v, a: &regs.a, b: &regs.b, e: &regs.e, n };
    let (allmet, anyfail, und) = (&mut scratch.0[..n], &mut scratch.1[..n], &mut scratch.2[..n]);
    let words = start / 64 - out.word0..start / 64 - out.word0 + n.div_ceil(64);
    for (pi, p) in plan.policies.iter().enumerate() {
        allmet.fill(u8::from(p.in_force));
        anyfail.fill(u8::from(!p.in_force));
        for c in &p.conditions {
            with_b!(cx.bref(c), g => {
                g.fit(n);
                for i in 0..n {
                    let e = g.e(i);
                    allmet[i] &= u8::from(g.t(i) & !e);
                    anyfail[i] |= u8::from(g.f(i) & !e);
                }
            });
        }
        // All met (which excludes a failure) is eligible; neither is undetermined.
        for i in 0..n {
            und[i] = (allmet[i] | anyfail[i]) ^ 1;
        }
        if let Some(w) = out.eligible.get_mut(pi).and_then(|v| v.get_mut(words.clone())) {
            pack(allmet, w);
        }
        if let Some(w) = out.undetermined.get_mut(pi).and_then(|v| v.get_mut(words.clone())) {
            pack(und, w);
        }
        if let (Some(src), Some(rows), Some(fens)) = (&p.amount, out.rows.get_mut(pi), out.fens.get_mut(pi)) {
            // Rows with an amount: a mask, packed to bits, then one step per set bit.
            let mut has = [0u64; BLOCK / 64];
            with_v!(cx.vref(src), g => {
                g.fit(n);
                for i in 0..n {
                    und[i] = allmet[i] & u8::from(g.k(i) & !g.e(i));
                }
                pack(und, &mut has);
                for (w, bits) in has.iter().enumerate() {
                    let mut bits = *bits;
                    while bits != 0 {
                        let i = w * 64 + bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        rows.push(u32::try_from(start + i).unwrap_or(u32::MAX));
                        fens.push(g.v(i));
                    }
                }
            });
        }
    }
}

/// Packs lanes of 0/1 bytes into bits (a fixed 64-byte loop the compiler turns into
/// vector compares and ors).
#[inline(always)]
fn pack(lane: &[u8], words: &mut [u64]) {
    let chunks = lane.chunks_exact(64);
    let rest = chunks.remainder();
    let full = chunks.len();
    for (w, chunk) in words.iter_mut().zip(chunks) {
        let mut bits = 0u64;
        for j in 0..64 {
            bits |= u64::from(chunk[j] != 0) << j;
        }
        *w = bits;
    }
    if let Some(w) = words.get_mut(full).filter(|_| !rest.is_empty()) {
        let mut bits = 0u64;
        for (j, b) in rest.iter().enumerate() {
            bits |= u64::from(*b != 0) << j;
        }
        *w = bits;
    }
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

#[inline(always)]
fn range<G: Gv>(g: G, lo: i64, hi: i64, neg: bool, o: Out, n: usize) {
    g.fit(n);
    for i in 0..n {
        let x = g.v(i);
        let k = g.k(i);
        let r = ((lo <= x) & (x <= hi)) ^ neg;
        o.a[i] = u8::from(k & r);
        o.b[i] = u8::from(k & !r);
        o.e[i] = u8::from(g.e(i));
    }
}

/// A range test on a narrow column, in the column's own width.
macro_rules! range_narrow {
    ($s:expr, $t:ty, $unknown:expr, $lo:expr, $hi:expr, $neg:expr, $o:expr, $n:expr) => {{
        let (min, max) = (i64::from(<$t>::MIN), i64::from(<$t>::MAX));
        let (lo, hi) = if $lo > $hi || $lo > max || $hi < min {
            (1 as $t, 0 as $t)
        } else {
            (<$t>::try_from($lo.max(min)).unwrap_or(<$t>::MAX), <$t>::try_from($hi.min(max)).unwrap_or(<$t>::MIN))
        };
        let s = &$s[..$n];
        let o = $o;
        for i in 0..$n {
            let x = s[i];
            let k = x != $unknown;
            let r = ((lo <= x) & (x <= hi)) ^ $neg;
            o.a[i] = u8::from(k & r);
            o.b[i] = u8::from(k & !r);
            o.e[i] = 0;
        }
    }};
}

#[inline(always)]
fn step(ins: &Instr, cx: &Ctx, o: Out, n: usize, day_max: i64) {
    match ins {
        Instr::Range { src, lo, hi, neg, .. } => match cx.vref(src) {
            VRef::I32(s) => range_narrow!(s, i32, i32::MIN, *lo, *hi, *neg, o, n),
            VRef::U8(s) => range_narrow!(s, u8, u8::MAX, *lo, *hi, *neg, o, n),
            r => with_v!(r, g => range(g, *lo, *hi, *neg, o, n)),
        },
        Instr::Unknown { srcs, .. } => {
            o.a.fill(0);
            o.b.fill(0);
            o.e.fill(0);
            for s in srcs {
                with_v!(cx.vref(s), g => {
                    g.fit(n);
                    for i in 0..n {
                        o.e[i] |= u8::from(g.e(i));
                    }
                });
            }
        }
        Instr::KnownV { src, .. } => with_v!(cx.vref(src), g => {
            g.fit(n);
            for i in 0..n {
                let k = g.k(i);
                o.a[i] = u8::from(k);
                o.b[i] = u8::from(!k);
                o.e[i] = 0;
            }
        }),
        Instr::KnownB { src, .. } => with_b!(cx.bref(src), g => {
            g.fit(n);
            for i in 0..n {
                let k = g.t(i) | g.f(i);
                o.a[i] = u8::from(k);
                o.b[i] = u8::from(!k);
                o.e[i] = 0;
            }
        }),
        Instr::Not { src, .. } => with_b!(cx.bref(src), g => {
            g.fit(n);
            for i in 0..n {
                o.a[i] = u8::from(g.f(i));
                o.b[i] = u8::from(g.t(i));
                o.e[i] = u8::from(g.e(i));
            }
        }),
        Instr::Logic { srcs, or, .. } => {
            let or = *or;
            o.a.fill(u8::from(!or));
            o.b.fill(u8::from(or));
            o.e.fill(0);
            for s in srcs {
                with_b!(cx.bref(s), g => {
                    g.fit(n);
                    for i in 0..n {
                        let (t, f) = (u8::from(g.t(i)), u8::from(g.f(i)));
                        if or {
                            o.a[i] |= t;
                            o.b[i] &= f;
                        } else {
                            o.a[i] &= t;
                            o.b[i] |= f;
                        }
                        o.e[i] |= u8::from(g.e(i));
                    }
                });
            }
        }
        Instr::BoolEq { a, b, ne, .. } => with_b!(cx.bref(a), x => with_b!(cx.bref(b), y => {
            x.fit(n);
            y.fit(n);
            for i in 0..n {
                let known = (x.t(i) | x.f(i)) & (y.t(i) | y.f(i));
                let r = ((x.t(i) & y.t(i)) | (x.f(i) & y.f(i))) ^ *ne;
                o.a[i] = u8::from(known & r);
                o.b[i] = u8::from(known & !r);
                o.e[i] = u8::from(x.e(i) | y.e(i));
            }
        })),
        Instr::Cmp { a, b, op, .. } => {
            let (lt, eq, gt) = holds(*op);
            with_v!(cx.vref(a), x => with_v!(cx.vref(b), y => {
                x.fit(n);
                y.fit(n);
                for i in 0..n {
                    let k = x.k(i) & y.k(i);
                    let (p, q) = (x.v(i), y.v(i));
                    let r = ((p < q) & lt) | ((p == q) & eq) | ((p > q) & gt);
                    o.a[i] = u8::from(k & r);
                    o.b[i] = u8::from(k & !r);
                    o.e[i] = u8::from(x.e(i) | y.e(i));
                }
            }))
        }
        Instr::SpanRow { start, end, months, days, op, .. } => {
            let (lt, eq, gt) = holds(*op);
            with_v!(cx.vref(start), x => with_v!(cx.vref(end), y => {
                x.fit(n);
                y.fit(n);
                for i in 0..n {
                    let k = x.k(i) & y.k(i);
                    let s = if k { x.v(i) } else { 0 };
                    let limit = after(s, *months, *days, day_max);
                    let q = y.v(i);
                    // `end.cmp(start + d)`.
                    let r = ((q < limit) & lt) | ((q == limit) & eq) | ((q > limit) & gt);
                    o.a[i] = u8::from(k & r);
                    o.b[i] = u8::from(k & !r);
                    o.e[i] = u8::from(x.e(i) | y.e(i));
                }
            }))
        }
        Instr::IfB { c, a, b, .. } => with_b!(cx.bref(c), c => with_b!(cx.bref(a), x => with_b!(cx.bref(b), y => {
            c.fit(n);
            x.fit(n);
            y.fit(n);
            for i in 0..n {
                let (ct, cf) = (c.t(i), c.f(i));
                o.a[i] = u8::from((ct & x.t(i)) | (cf & y.t(i)));
                o.b[i] = u8::from((ct & x.f(i)) | (cf & y.f(i)));
                o.e[i] = u8::from(c.e(i) | (ct & x.e(i)) | (cf & y.e(i)));
            }
        }))),
        Instr::Year { src, .. } => with_v!(cx.vref(src), g => {
            g.fit(n);
            for i in 0..n {
                let k = g.k(i);
                o.v[i] = if k { civil(g.v(i)).0 } else { 0 };
                o.a[i] = u8::from(k);
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
                o.a[i] = u8::from(ok);
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
                o.a[i] = u8::from(ok);
                o.e[i] = u8::from(x.e(i) | y.e(i) | (k & over));
            }
        })),
        Instr::Share { m, num, den, .. } => with_v!(cx.vref(m), g => share(g, *num, *den, o, n)),
        Instr::MinMax { srcs, max, .. } => {
            let max = *max;
            o.v.fill(if max { i64::MIN } else { i64::MAX });
            o.a.fill(1);
            o.e.fill(0);
            for s in srcs {
                with_v!(cx.vref(s), g => {
                    g.fit(n);
                    for i in 0..n {
                        let x = g.v(i);
                        o.v[i] = if max { o.v[i].max(x) } else { o.v[i].min(x) };
                        o.a[i] &= u8::from(g.k(i));
                        o.e[i] |= u8::from(g.e(i));
                    }
                });
            }
            for i in 0..n {
                o.v[i] = if o.a[i] != 0 { o.v[i] } else { 0 };
            }
        }
        Instr::IfV { c, a, b, .. } => with_b!(cx.bref(c), c => with_v!(cx.vref(a), x => with_v!(cx.vref(b), y => {
            c.fit(n);
            x.fit(n);
            y.fit(n);
            for i in 0..n {
                let (ct, cf) = (c.t(i), c.f(i));
                let k = (ct & x.k(i)) | (cf & y.k(i));
                let v = if ct { x.v(i) } else { y.v(i) };
                o.v[i] = if k { v } else { 0 };
                o.a[i] = u8::from(k);
                o.e[i] = u8::from(c.e(i) | (ct & x.e(i)) | (cf & y.e(i)));
            }
        }))),
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
                    o.a[i] = u8::from(k & !over);
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
                    o.a[i] = u8::from(k & !over);
                    o.e[i] = u8::from(g.e(i) | over);
                    any_over |= over;
                }
            }
            if any_over {
                for i in 0..n {
                    if g.k(i) && !g.e(i) {
                        let r = exact(g.v(i));
                        o.v[i] = r.unwrap_or(0);
                        o.a[i] = u8::from(r.is_some());
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
                o.a[i] = u8::from(k & r.is_some());
                o.e[i] = u8::from(g.e(i) | r.is_none());
            }
        }
    }
}
