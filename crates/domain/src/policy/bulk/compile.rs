//! From a bound policy's `Expr` trees to a flat list of column operations. Constants
//! (parameters in force, `today`, literals) are folded here; comparisons of a column
//! with a constant become one range test, including durations since a date (the
//! calendar is monotone, so `since(d) >= 1年` is `d <= t` for a threshold `t` found
//! once) and counts against exact ratios (`n >= 2/3` is `n >= 1`).

use super::super::eval::Bound;
use super::super::expr::{ArithOp, CmpOp, Expr, Func};
use super::super::facts::{FactId, FACTS};
use super::super::value::{Duration, Rational, Type, Value};
use super::calendar::{after_dur, civil};
use super::columns::{date_to_days, day_range, Column, Population};
use super::{BSrc, BulkError, ColNeed, Instr, Plan, PolicyPlan, Src};

/// A value known at compile time or held in lanes.
#[derive(Debug, Clone)]
enum Cv {
    B(BSrc),
    /// Counts, money, dates (day numbers) and codes as i64 lanes.
    V(Src),
    /// A number constant (possibly not whole).
    Num(Rational),
    Dur(Option<Duration>),
    Span(Src, Src),
    Text(Tv),
}

#[derive(Debug, Clone)]
enum Tv {
    Lit(Option<String>),
    /// Codes into an option list.
    Enum(Src, &'static [&'static str]),
    /// Codes into a text column's dictionary (fact index).
    Dict(Src, usize),
}

const UNK: Src = Src::Const { v: 0, k: false, e: false };
const ERR: Src = Src::Const { v: 0, k: false, e: true };
const B_UNK: BSrc = BSrc::Const { t: false, f: false, e: false };

fn bconst(b: bool) -> BSrc {
    BSrc::Const { t: b, f: !b, e: false }
}

fn vconst(v: i64) -> Src {
    Src::Const { v, k: true, e: false }
}

struct Cx<'a> {
    bound: &'a Bound<'a>,
    pop: &'a Population,
    instrs: Vec<Instr>,
    /// Whether each register may hold an error.
    reg_err: Vec<bool>,
    needs: Vec<ColNeed>,
    policy: String,
    place: String,
    day_min: i64,
    day_max: i64,
}

pub(super) fn compile(bounds: &[Bound], pop: &Population) -> Result<Plan, BulkError> {
    let (day_min, day_max) = day_range();
    let mut cx = Cx {
        bound: match bounds.first() {
            Some(b) => b,
            None => {
                return Ok(Plan {
                    entity: pop.entity,
                    instrs: Vec::new(),
                    regs: 0,
                    errs: Vec::new(),
                    main: Vec::new(),
                    policies: Vec::new(),
                    needs: Vec::new(),
                })
            }
        },
        pop,
        instrs: Vec::new(),
        reg_err: Vec::new(),
        needs: Vec::new(),
        policy: String::new(),
        place: String::new(),
        day_min,
        day_max,
    };
    let mut policies = Vec::new();
    for bound in bounds {
        cx.bound = bound;
        let p = bound.policy;
        cx.policy = p.id.to_string();
        let mut conditions = Vec::new();
        for c in &p.conditions {
            if !c.applies_to.is_empty() && !c.applies_to.contains(&pop.entity) {
                continue;
            }
            cx.place = format!("条件“{}”", c.id);
            let b = cx.bool(&c.test)?;
            conditions.push(b);
        }
        let amount = match &p.amount {
            None => None,
            Some(a) => {
                cx.place = "金额公式".into();
                match cx.expr(&a.formula)? {
                    Cv::V(s) => Some(s),
                    other => return Err(cx.unsupported(&format!("金额不是逐行数值（{other:?}）"))),
                }
            }
        };
        policies.push(PolicyPlan {
            id: p.id.clone(),
            in_force: p.in_force(bound.date),
            conditions,
            amount,
            amount_instrs: Vec::new(),
            amount_cols: Vec::new(),
        });
    }
    let regs = cx.instrs.len();
    let mut plan = Plan {
        entity: pop.entity,
        instrs: cx.instrs,
        regs,
        errs: cx.reg_err,
        main: Vec::new(),
        policies,
        needs: cx.needs,
    };
    eliminate_dead(&mut plan);
    select_amounts(&mut plan);
    Ok(plan)
}

/// The value and boolean sources an operation reads.
fn reads(ins: &Instr) -> (Vec<Src>, Vec<BSrc>) {
    match ins {
        Instr::Range { src, .. } | Instr::KnownV { src, .. } | Instr::Year { src, .. } => (vec![*src], Vec::new()),
        Instr::Share { m, .. } => (vec![*m], Vec::new()),
        Instr::Unknown { srcs, .. } | Instr::MinMax { srcs, .. } => (srcs.clone(), Vec::new()),
        Instr::KnownB { src, .. } | Instr::Not { src, .. } => (Vec::new(), vec![*src]),
        Instr::Logic { srcs, .. } => (Vec::new(), srcs.clone()),
        Instr::BoolEq { a, b, .. } => (Vec::new(), vec![*a, *b]),
        Instr::Cmp { a, b, .. } | Instr::AddSub { a, b, .. } | Instr::Mul { a, b, .. } => (vec![*a, *b], Vec::new()),
        Instr::SpanRow { start, end, .. } => (vec![*start, *end], Vec::new()),
        Instr::IfB { c, a, b, .. } => (Vec::new(), vec![*c, *a, *b]),
        Instr::IfV { c, a, b, .. } => (vec![*a, *b], vec![*c]),
    }
}

/// The registers the roots depend on (themselves included).
fn reach(plan: &Plan, roots_v: &[Src], roots_b: &[BSrc]) -> Vec<bool> {
    fn mark(v: &[Src], b: &[BSrc], live: &mut [bool]) {
        for s in v {
            if let Src::Reg(r) = s {
                live[*r] = true;
            }
        }
        for s in b {
            if let BSrc::Reg(r) = s {
                live[*r] = true;
            }
        }
    }
    let mut live = vec![false; plan.regs];
    mark(roots_v, roots_b, &mut live);
    for ins in plan.instrs.iter().rev() {
        if live[dst_of(ins)] {
            let (v, b) = reads(ins);
            mark(&v, &b, &mut live);
        }
    }
    live
}

/// Moves each amount that only it reads (no condition, no other amount) out of the
/// pass over every row: it is evaluated on the eligible rows alone, gathered.
pub(super) fn select_amounts(plan: &mut Plan) {
    for p in &mut plan.policies {
        p.amount_instrs.clear();
        p.amount_cols.clear();
    }
    let conds: Vec<BSrc> = plan.policies.iter().flat_map(|p| p.conditions.iter().copied()).collect();
    let cond = reach(plan, &[], &conds);
    let sets: Vec<Option<Vec<bool>>> = plan.policies.iter().map(|p| p.amount.map(|a| reach(plan, &[a], &[]))).collect();
    let mut selected = vec![false; plan.regs];
    for (pi, set) in sets.iter().enumerate() {
        let Some(set) = set else { continue };
        let alone = (0..plan.regs).all(|r| {
            !set[r] || (!cond[r] && sets.iter().enumerate().all(|(qi, q)| qi == pi || q.as_ref().is_none_or(|q| !q[r])))
        });
        let instrs: Vec<usize> = (0..plan.instrs.len()).filter(|i| set[dst_of(&plan.instrs[*i])]).collect();
        if !alone || instrs.is_empty() {
            continue;
        }
        let mut cols = Vec::new();
        for i in &instrs {
            let (v, b) = reads(&plan.instrs[*i]);
            let facts = v.iter().filter_map(|s| match s {
                Src::ColI32(c) | Src::ColI64(c) | Src::ColU8(c) | Src::ColU32(c) => Some(*c),
                _ => None,
            });
            let bfacts = b.iter().filter_map(|s| if let BSrc::Col(c) = s { Some(*c) } else { None });
            for c in facts.chain(bfacts) {
                if !cols.contains(&c) {
                    cols.push(c);
                }
            }
        }
        for i in &instrs {
            selected[dst_of(&plan.instrs[*i])] = true;
        }
        plan.policies[pi].amount_instrs = instrs;
        plan.policies[pi].amount_cols = cols;
    }
    plan.main = (0..plan.instrs.len()).filter(|i| !selected[dst_of(&plan.instrs[*i])]).collect();
}

/// Drops operations whose results nothing reads (left behind by merged ranges).
fn eliminate_dead(plan: &mut Plan) {
    let conds: Vec<BSrc> = plan.policies.iter().flat_map(|p| p.conditions.iter().copied()).collect();
    let amounts: Vec<Src> = plan.policies.iter().filter_map(|p| p.amount).collect();
    let live = reach(plan, &amounts, &conds);
    plan.instrs.retain(|i| live[dst_of(i)]);
}

pub(super) fn dst_of(i: &Instr) -> usize {
    match i {
        Instr::Range { dst, .. }
        | Instr::Unknown { dst, .. }
        | Instr::KnownV { dst, .. }
        | Instr::KnownB { dst, .. }
        | Instr::Not { dst, .. }
        | Instr::Logic { dst, .. }
        | Instr::BoolEq { dst, .. }
        | Instr::Cmp { dst, .. }
        | Instr::SpanRow { dst, .. }
        | Instr::IfB { dst, .. }
        | Instr::Year { dst, .. }
        | Instr::AddSub { dst, .. }
        | Instr::Share { dst, .. }
        | Instr::Mul { dst, .. }
        | Instr::MinMax { dst, .. }
        | Instr::IfV { dst, .. } => *dst,
    }
}

/// The inclusive range of whole numbers `x` with `x op r`, as `(lo, hi, neg)`; an
/// empty range is `(1, 0)`.
fn range_of(op: CmpOp, r: Rational) -> (i64, i64, bool) {
    let (n, d) = (r.num(), r.den());
    let floor = n.div_euclid(d);
    let ceil = -((-n).div_euclid(d));
    let whole = n.rem_euclid(d) == 0;
    let (lo, hi, neg): (i128, i128, bool) = match op {
        CmpOp::Ge => (ceil, i128::MAX, false),
        CmpOp::Gt => (floor + 1, i128::MAX, false),
        CmpOp::Le => (i128::MIN, floor, false),
        CmpOp::Lt => (i128::MIN, ceil - 1, false),
        CmpOp::Eq | CmpOp::Ne => {
            let neg = op == CmpOp::Ne;
            if whole {
                (floor, floor, neg)
            } else {
                (1, 0, neg)
            }
        }
    };
    let (min, max) = (i128::from(i64::MIN), i128::from(i64::MAX));
    if lo > hi || lo > max || hi < min {
        return (1, 0, neg);
    }
    let clamp = |x: i128| i64::try_from(x.clamp(min, max)).unwrap_or(0);
    (clamp(lo), clamp(hi), neg)
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Ge => CmpOp::Le,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Lt => CmpOp::Gt,
        o => o,
    }
}

impl Cx<'_> {
    fn unsupported(&self, construct: &str) -> BulkError {
        BulkError::Unsupported { policy: self.policy.clone(), place: self.place.clone(), construct: construct.into() }
    }

    fn push(&mut self, f: impl FnOnce(usize) -> Instr, err: bool) -> usize {
        let dst = self.instrs.len();
        self.instrs.push(f(dst));
        self.reg_err.push(err);
        dst
    }

    fn v_err(&self, s: &Src) -> bool {
        match s {
            Src::Const { e, .. } => *e,
            Src::Reg(r) => self.reg_err.get(*r).copied().unwrap_or(true),
            _ => false,
        }
    }

    fn b_err(&self, s: &BSrc) -> bool {
        match s {
            BSrc::Const { e, .. } => *e,
            BSrc::Reg(r) => self.reg_err.get(*r).copied().unwrap_or(true),
            BSrc::Col(_) => false,
        }
    }

    /// Records a column read (or its absence, which the plan bakes in as unknown).
    fn need(&mut self, fact: usize, col: Option<&Column>) {
        if !self.needs.iter().any(|n| n.fact == fact) {
            let dict = match col {
                Some(Column::Text { dict, .. }) => Some(dict.clone()),
                _ => None,
            };
            self.needs.push(ColNeed { fact, width: col.map_or(0, Column::width), dict });
        }
    }

    fn bool(&mut self, e: &Expr) -> Result<BSrc, BulkError> {
        match self.expr(e)? {
            Cv::B(b) => Ok(b),
            other => Err(self.unsupported(&format!("应为是/否（{other:?}）"))),
        }
    }

    fn value(&self, v: Option<&Value>, ty: Type) -> Result<Cv, BulkError> {
        Ok(match (v, ty) {
            (Some(Value::Bool(b)), _) => Cv::B(bconst(*b)),
            (Some(Value::Number(r)), _) => Cv::Num(*r),
            (Some(Value::Money(f)), _) => Cv::V(vconst(f.0)),
            (Some(Value::Date(d)), _) => Cv::V(vconst(i64::from(date_to_days(*d)))),
            (Some(Value::Duration(d)), _) => Cv::Dur(Some(*d)),
            (Some(Value::Text(t)), _) => Cv::Text(Tv::Lit(Some(t.clone()))),
            (Some(Value::Span(..)), _) => return Err(self.unsupported("日期间隔常量")),
            (None, Type::Bool) => Cv::B(B_UNK),
            (None, Type::Number | Type::Money | Type::Date) => Cv::V(UNK),
            (None, Type::Duration) => Cv::Dur(None),
            (None, Type::Text | Type::Enum(_)) => Cv::Text(Tv::Lit(None)),
            (None, Type::Span) => return Err(self.unsupported("日期间隔参数")),
        })
    }

    fn fact(&mut self, id: FactId) -> Result<Cv, BulkError> {
        let i = usize::from(id.0);
        let def = &FACTS[i];
        let col = self.pop.column(id);
        self.need(i, col);
        Ok(match (def.ty, col) {
            (Type::Bool, Some(Column::Bool(_))) => Cv::B(BSrc::Col(i)),
            (Type::Bool, None) => Cv::B(B_UNK),
            (Type::Number, Some(Column::Int(_))) | (Type::Date, Some(Column::Date(_))) => Cv::V(Src::ColI32(i)),
            (Type::Money, Some(Column::Money(_))) => Cv::V(Src::ColI64(i)),
            (Type::Number | Type::Money | Type::Date, None) => Cv::V(UNK),
            (Type::Enum(values), Some(Column::Code(_))) => Cv::Text(Tv::Enum(Src::ColU8(i), values)),
            (Type::Enum(values), None) => Cv::Text(Tv::Enum(UNK, values)),
            (Type::Text, Some(Column::Text { .. })) => Cv::Text(Tv::Dict(Src::ColU32(i), i)),
            (Type::Text, None) => Cv::Text(Tv::Lit(None)),
            _ => return Err(self.unsupported(&format!("事实“{}”的列类型", def.key))),
        })
    }

    /// A lane source for a value (a whole-number constant becomes a constant lane).
    fn lane(&self, cv: &Cv) -> Result<Src, BulkError> {
        match cv {
            Cv::V(s) => Ok(*s),
            Cv::Num(r) if r.den() == 1 => match i64::try_from(r.num()) {
                Ok(v) => Ok(vconst(v)),
                Err(_) => Err(self.unsupported("超出范围的数值常量")),
            },
            Cv::Num(r) => Err(self.unsupported(&format!("非整数的数值“{r}”参与逐行运算"))),
            other => Err(self.unsupported(&format!("应为数值、金额或日期（{other:?}）"))),
        }
    }

    fn expr(&mut self, e: &Expr) -> Result<Cv, BulkError> {
        match e {
            Expr::Fact(id) => self.fact(*id),
            Expr::Param(i) => {
                let ty = self.bound.policy.params.get(*i).map_or(Type::Bool, |p| p.ty);
                let v = self.bound.versions.get(*i).copied().flatten().map(|v| &v.value);
                self.value(v, ty)
            }
            Expr::Today => Ok(Cv::V(vconst(i64::from(date_to_days(self.bound.date))))),
            Expr::Lit(v) => self.value(Some(v), Type::Bool),
            Expr::Not(x) => {
                let b = self.bool(x)?;
                Ok(Cv::B(match b {
                    BSrc::Const { t, f, e } => BSrc::Const { t: f, f: t, e },
                    src => {
                        let err = self.b_err(&src);
                        BSrc::Reg(self.push(|dst| Instr::Not { dst, src }, err))
                    }
                }))
            }
            Expr::And(xs) | Expr::Or(xs) => {
                let or = matches!(e, Expr::Or(_));
                let mut srcs = Vec::new();
                for x in xs {
                    srcs.push(self.bool(x)?);
                }
                Ok(Cv::B(self.logic(srcs, or)))
            }
            Expr::Cmp(op, a, b) => {
                let (a, b) = (self.expr(a)?, self.expr(b)?);
                self.cmp(*op, a, b).map(Cv::B)
            }
            Expr::Arith(op, a, b) => {
                let money = (self.is_money(a), self.is_money(b));
                let (a, b) = (self.expr(a)?, self.expr(b)?);
                self.arith(*op, a, b, money)
            }
            Expr::Call(f, args) => self.call(*f, args),
        }
    }

    fn logic(&mut self, srcs: Vec<BSrc>, or: bool) -> BSrc {
        if srcs.iter().all(|s| matches!(s, BSrc::Const { .. })) {
            let (mut t, mut f, mut e) = (!or, or, false);
            for s in &srcs {
                if let BSrc::Const { t: st, f: sf, e: se } = s {
                    if or {
                        t |= st;
                        f &= sf;
                    } else {
                        t &= st;
                        f |= sf;
                    }
                    e |= se;
                }
            }
            return BSrc::Const { t, f, e };
        }
        // Two range tests of the same lane joined by `and` are one range test.
        if !or && srcs.len() == 2 {
            if let (BSrc::Reg(x), BSrc::Reg(y)) = (srcs[0], srcs[1]) {
                if let (
                    Some(Instr::Range { src: s1, lo: l1, hi: h1, neg: false, .. }),
                    Some(Instr::Range { src: s2, lo: l2, hi: h2, neg: false, .. }),
                ) = (self.instrs.get(x), self.instrs.get(y))
                {
                    if s1 == s2 {
                        let (src, lo, hi) = (*s1, (*l1).max(*l2), (*h1).min(*h2));
                        let err = self.v_err(&src);
                        return BSrc::Reg(self.push(|dst| Instr::Range { dst, src, lo, hi, neg: false }, err));
                    }
                }
            }
        }
        let err = srcs.iter().any(|s| self.b_err(s));
        BSrc::Reg(self.push(|dst| Instr::Logic { dst, srcs, or }, err))
    }

    fn unknown_with(&mut self, srcs: Vec<Src>) -> BSrc {
        let srcs: Vec<Src> = srcs.into_iter().filter(|s| self.v_err(s)).collect();
        if srcs.is_empty() {
            return B_UNK;
        }
        if srcs.iter().any(|s| matches!(s, Src::Const { e: true, .. })) {
            return BSrc::Const { t: false, f: false, e: true };
        }
        BSrc::Reg(self.push(|dst| Instr::Unknown { dst, srcs }, true))
    }

    /// `src op r` for a lane of whole numbers and an exact constant.
    fn range(&mut self, src: Src, op: CmpOp, r: Rational) -> BSrc {
        let (lo, hi, neg) = range_of(op, r);
        match src {
            Src::Const { v, k, e } => {
                if e {
                    BSrc::Const { t: false, f: false, e: true }
                } else if !k {
                    B_UNK
                } else {
                    bconst(((lo <= v) && (v <= hi)) != neg)
                }
            }
            _ => {
                let err = self.v_err(&src);
                BSrc::Reg(self.push(|dst| Instr::Range { dst, src, lo, hi, neg }, err))
            }
        }
    }

    fn cmp(&mut self, op: CmpOp, a: Cv, b: Cv) -> Result<BSrc, BulkError> {
        Ok(match (a, b) {
            (Cv::B(a), Cv::B(b)) => {
                let ne = match op {
                    CmpOp::Eq => false,
                    CmpOp::Ne => true,
                    _ => return Err(self.unsupported("是/否比较大小")),
                };
                match (a, b) {
                    (BSrc::Const { t: at, f: af, e: ae }, BSrc::Const { t: bt, f: bf, e: be }) => {
                        let known = (at || af) && (bt || bf);
                        let eq = (at && bt) || (af && bf);
                        BSrc::Const { t: known && (eq != ne), f: known && (eq == ne), e: ae || be }
                    }
                    (a, b) => {
                        let err = self.b_err(&a) || self.b_err(&b);
                        BSrc::Reg(self.push(|dst| Instr::BoolEq { dst, a, b, ne }, err))
                    }
                }
            }
            (Cv::Span(start, end), Cv::Dur(d)) => self.span(op, start, end, d),
            (Cv::Num(x), Cv::Num(y)) => bconst(op.holds(x.cmp(&y))),
            (Cv::V(s), Cv::Num(r)) => self.range(s, op, r),
            (Cv::Num(r), Cv::V(s)) => self.range(s, flip(op), r),
            (Cv::V(a), Cv::V(b)) => self.cmp_lanes(op, a, b),
            (Cv::Text(a), Cv::Text(b)) => self.text_cmp(op, a, b)?,
            (a, b) => return Err(self.unsupported(&format!("比较 {a:?} 与 {b:?}"))),
        })
    }

    fn cmp_lanes(&mut self, op: CmpOp, a: Src, b: Src) -> BSrc {
        match (a, b) {
            (Src::Const { v, k: true, e: false }, s) => self.range(s, flip(op), Rational::int(v)),
            (s, Src::Const { v, k: true, e: false }) => self.range(s, op, Rational::int(v)),
            (Src::Const { .. }, _) | (_, Src::Const { .. }) => self.unknown_with(vec![a, b]),
            (a, b) => {
                let err = self.v_err(&a) || self.v_err(&b);
                BSrc::Reg(self.push(|dst| Instr::Cmp { dst, a, b, op }, err))
            }
        }
    }

    fn span(&mut self, op: CmpOp, start: Src, end: Src, d: Option<Duration>) -> BSrc {
        let Some(d) = d else { return self.unknown_with(vec![start, end]) };
        match (start, end) {
            // The end against the constant `start + d` (past the calendar's end: later
            // than every date, as `order` has it).
            (Src::Const { v, k: true, e: false }, end) => {
                let limit = after_dur(v, d, self.day_max);
                self.range(end, op, Rational::int(limit))
            }
            // The start against thresholds: `after` is monotone in the start date.
            (start, Src::Const { v: e, k: true, e: false }) => {
                let below = self.last_start(d, |a| a < e);
                let upto = self.last_start(d, |a| a <= e);
                // `e.cmp(after(s))`: Greater iff s <= below, Equal iff below < s <= upto.
                let (lo, hi, neg) = match op {
                    CmpOp::Ge => (i64::MIN, upto, false),
                    CmpOp::Gt => (i64::MIN, below, false),
                    CmpOp::Le => (below.saturating_add(1), i64::MAX, false),
                    CmpOp::Lt => (upto.saturating_add(1), i64::MAX, false),
                    CmpOp::Eq => (below.saturating_add(1), upto, false),
                    CmpOp::Ne => (below.saturating_add(1), upto, true),
                };
                match start {
                    Src::Const { .. } => self.unknown_with(vec![start]),
                    _ => {
                        let err = self.v_err(&start);
                        BSrc::Reg(self.push(|dst| Instr::Range { dst, src: start, lo, hi, neg }, err))
                    }
                }
            }
            (Src::Const { .. }, _) | (_, Src::Const { .. }) => self.unknown_with(vec![start, end]),
            (start, end) => {
                let err = self.v_err(&start) || self.v_err(&end);
                let (months, days) = (i64::from(d.months), i64::from(d.days));
                BSrc::Reg(self.push(|dst| Instr::SpanRow { dst, start, end, months, days, op }, err))
            }
        }
    }

    /// The last day number `s` whose `s + d` satisfies `pred` (monotone: true, then
    /// false), or one before the first day when none does.
    fn last_start(&self, d: Duration, pred: impl Fn(i64) -> bool) -> i64 {
        let (mut lo, mut hi) = (self.day_min - 1, self.day_max);
        // Invariant: pred holds at lo (or lo is before the first day); fails after hi.
        if pred(after_dur(hi, d, self.day_max)) {
            return hi;
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if pred(after_dur(mid, d, self.day_max)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }

    fn text_cmp(&mut self, op: CmpOp, a: Tv, b: Tv) -> Result<BSrc, BulkError> {
        let ne = match op {
            CmpOp::Eq => false,
            CmpOp::Ne => true,
            _ => return Err(self.unsupported("文本比较大小")),
        };
        let eq_op = if ne { CmpOp::Ne } else { CmpOp::Eq };
        // A code for a literal, or a code no row has.
        let code_in = |list: &[String], t: &str| list.iter().position(|x| x == t).map_or(-1, |p| p as i64);
        Ok(match (a, b) {
            (Tv::Lit(Some(x)), Tv::Lit(Some(y))) => bconst((x == y) != ne),
            (Tv::Lit(None), other) | (other, Tv::Lit(None)) => {
                let srcs = match other {
                    Tv::Enum(s, _) | Tv::Dict(s, _) => vec![s],
                    Tv::Lit(_) => Vec::new(),
                };
                self.unknown_with(srcs)
            }
            (Tv::Enum(s, values), Tv::Lit(Some(t))) | (Tv::Lit(Some(t)), Tv::Enum(s, values)) => {
                let list: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                self.range(s, eq_op, Rational::int(code_in(&list, &t)))
            }
            (Tv::Dict(s, fact), Tv::Lit(Some(t))) | (Tv::Lit(Some(t)), Tv::Dict(s, fact)) => {
                let dict = match self.pop.column(FactId(u16::try_from(fact).unwrap_or(0))) {
                    Some(Column::Text { dict, .. }) => dict.clone(),
                    _ => Vec::new(),
                };
                self.range(s, eq_op, Rational::int(code_in(&dict, &t)))
            }
            (Tv::Enum(a, x), Tv::Enum(b, y)) if x == y => self.cmp_lanes(eq_op, a, b),
            (Tv::Dict(a, x), Tv::Dict(b, y)) if x == y => self.cmp_lanes(eq_op, a, b),
            (a, b) => return Err(self.unsupported(&format!("比较两列不同词表的文本（{a:?}、{b:?}）"))),
        })
    }

    fn arith(&mut self, op: ArithOp, a: Cv, b: Cv, (ma, mb): (bool, bool)) -> Result<Cv, BulkError> {
        Ok(match (op, a, b) {
            (_, Cv::Num(x), Cv::Num(y)) => {
                let r = match op {
                    ArithOp::Add => x.checked_add(y),
                    ArithOp::Sub => x.checked_sub(y),
                    ArithOp::Mul => x.checked_mul(y),
                };
                r.map_or(Cv::V(ERR), Cv::Num)
            }
            (ArithOp::Mul, Cv::V(m), Cv::Num(r)) | (ArithOp::Mul, Cv::Num(r), Cv::V(m)) => {
                // Money times a number rounds down to the fen; a count lane times a
                // ratio would need exact rationals per row.
                if !(ma || mb) {
                    return Err(self.unsupported("逐行数值与常数相乘"));
                }
                match m {
                    Src::Const { v, k, e } => {
                        if e || !k {
                            Cv::V(Src::Const { v: 0, k, e })
                        } else {
                            Cv::V(r.times_fen_floor(v).map_or(ERR, vconst))
                        }
                    }
                    m => {
                        let err = true;
                        let (num, den) = (r.num(), r.den());
                        Cv::V(Src::Reg(self.push(|dst| Instr::Share { dst, m, num, den }, err)))
                    }
                }
            }
            (ArithOp::Mul, Cv::V(a), Cv::V(b)) => {
                if !(ma || mb) {
                    return Err(self.unsupported("逐行数值与数值相乘"));
                }
                if let (Src::Const { v: x, k: xk, e: xe }, Src::Const { v: y, k: yk, e: ye }) = (a, b) {
                    return Ok(Cv::V(if xe || ye {
                        ERR
                    } else if !(xk && yk) {
                        UNK
                    } else {
                        x.checked_mul(y).map_or(ERR, vconst)
                    }));
                }
                Cv::V(Src::Reg(self.push(|dst| Instr::Mul { dst, a, b }, true)))
            }
            (ArithOp::Add | ArithOp::Sub, Cv::V(a), Cv::V(b)) => {
                if !(ma && mb) {
                    return Err(self.unsupported("逐行数值加减"));
                }
                let sub = op == ArithOp::Sub;
                if let (Src::Const { v: x, k: xk, e: xe }, Src::Const { v: y, k: yk, e: ye }) = (a, b) {
                    return Ok(Cv::V(if xe || ye {
                        ERR
                    } else if !(xk && yk) {
                        UNK
                    } else {
                        (if sub { x.checked_sub(y) } else { x.checked_add(y) }).map_or(ERR, vconst)
                    }));
                }
                Cv::V(Src::Reg(self.push(|dst| Instr::AddSub { dst, a, b, sub }, true)))
            }
            (_, a, b) => return Err(self.unsupported(&format!("逐行数值运算（{a:?}、{b:?}）"))),
        })
    }

    /// Whether an expression's type is money (the checker has typed it at load).
    fn is_money(&self, e: &Expr) -> bool {
        match e {
            Expr::Fact(id) => id.def().ty == Type::Money,
            Expr::Param(i) => self.bound.policy.params.get(*i).is_some_and(|p| p.ty == Type::Money),
            Expr::Lit(v) => matches!(v, Value::Money(_)),
            Expr::Arith(ArithOp::Mul, a, b) => self.is_money(a) || self.is_money(b),
            Expr::Arith(_, a, _) => self.is_money(a),
            Expr::Call(Func::Min | Func::Max, args) => args.first().is_some_and(|a| self.is_money(a)),
            Expr::Call(Func::If, args) => args.get(1).is_some_and(|a| self.is_money(a)),
            _ => false,
        }
    }

    fn date(&mut self, e: &Expr) -> Result<Src, BulkError> {
        match self.expr(e)? {
            Cv::V(s) => Ok(s),
            other => Err(self.unsupported(&format!("应为日期（{other:?}）"))),
        }
    }

    fn call(&mut self, f: Func, args: &[Expr]) -> Result<Cv, BulkError> {
        let today = vconst(i64::from(date_to_days(self.bound.date)));
        let bad = self.unsupported("参数个数");
        let arg = |i: usize| args.get(i).ok_or_else(|| bad.clone());
        Ok(match f {
            Func::Since => Cv::Span(self.date(arg(0)?)?, today),
            Func::Until => {
                let d = self.date(arg(0)?)?;
                Cv::Span(today, d)
            }
            Func::Between => {
                let (a, b) = (arg(0)?, arg(1)?);
                Cv::Span(self.date(a)?, self.date(b)?)
            }
            Func::Year => match self.date(arg(0)?)? {
                Src::Const { v, k, e } => {
                    if k && !e {
                        Cv::Num(Rational::int(civil(v).0))
                    } else {
                        Cv::V(Src::Const { v: 0, k, e })
                    }
                }
                src => {
                    let err = self.v_err(&src);
                    Cv::V(Src::Reg(self.push(|dst| Instr::Year { dst, src }, err)))
                }
            },
            Func::Known => match arg(0)? {
                Expr::Fact(id) => match self.fact(*id)? {
                    Cv::B(BSrc::Col(i)) => {
                        let src = BSrc::Col(i);
                        Cv::B(BSrc::Reg(self.push(|dst| Instr::KnownB { dst, src }, false)))
                    }
                    Cv::V(src @ (Src::ColI32(_) | Src::ColI64(_)))
                    | Cv::Text(Tv::Enum(src @ Src::ColU8(_), _) | Tv::Dict(src @ Src::ColU32(_), _)) => {
                        Cv::B(BSrc::Reg(self.push(|dst| Instr::KnownV { dst, src }, false)))
                    }
                    _ => Cv::B(bconst(false)),
                },
                _ => return Err(self.unsupported("known() 的参数不是事实")),
            },
            Func::Min | Func::Max => {
                let max = f == Func::Max;
                let mut cvs = Vec::new();
                for a in args {
                    cvs.push(self.expr(a)?);
                }
                if cvs.iter().all(|c| matches!(c, Cv::Num(_))) {
                    let nums = cvs.iter().filter_map(|c| if let Cv::Num(r) = c { Some(*r) } else { None });
                    let best = if max { nums.max() } else { nums.min() };
                    return best.map(Cv::Num).ok_or_else(|| self.unsupported("空的 min/max"));
                }
                let mut srcs = Vec::new();
                for c in &cvs {
                    srcs.push(self.lane(c)?);
                }
                if srcs.iter().all(|s| matches!(s, Src::Const { .. })) {
                    let (mut best, mut k, mut e) = (None::<i64>, true, false);
                    for s in &srcs {
                        if let Src::Const { v, k: sk, e: se } = s {
                            k &= sk;
                            e |= se;
                            best = Some(best.map_or(*v, |b| if max { b.max(*v) } else { b.min(*v) }));
                        }
                    }
                    return Ok(Cv::V(Src::Const { v: best.unwrap_or(0), k, e }));
                }
                let err = srcs.iter().any(|s| self.v_err(s));
                Cv::V(Src::Reg(self.push(|dst| Instr::MinMax { dst, srcs, max }, err)))
            }
            Func::If => {
                let c = self.bool(arg(0)?)?;
                let (a, b) = (self.expr(arg(1)?)?, self.expr(arg(2)?)?);
                if let BSrc::Const { t, f, e } = c {
                    return Ok(match (e, t, f) {
                        (false, true, _) => a,
                        (false, _, true) => b,
                        _ => match a {
                            Cv::B(_) => Cv::B(BSrc::Const { t: false, f: false, e }),
                            Cv::V(_) | Cv::Num(_) => Cv::V(Src::Const { v: 0, k: false, e }),
                            _ => return Err(self.unsupported("if() 的结果类型")),
                        },
                    });
                }
                match (a, b) {
                    (Cv::B(a), Cv::B(b)) => {
                        let err = self.b_err(&c) || self.b_err(&a) || self.b_err(&b);
                        Cv::B(BSrc::Reg(self.push(|dst| Instr::IfB { dst, c, a, b }, err)))
                    }
                    (a @ (Cv::V(_) | Cv::Num(_)), b @ (Cv::V(_) | Cv::Num(_))) => {
                        let (a, b) = (self.lane(&a)?, self.lane(&b)?);
                        let err = self.b_err(&c) || self.v_err(&a) || self.v_err(&b);
                        Cv::V(Src::Reg(self.push(|dst| Instr::IfV { dst, c, a, b }, err)))
                    }
                    _ => return Err(self.unsupported("if() 的结果为文本、时长或日期间隔")),
                }
            }
        })
    }
}
