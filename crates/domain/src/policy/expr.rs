//! The rule language: typed expressions over named facts and dated parameters.
//!
//! ```text
//! or     := and (("or" | "或") and)*
//! and    := not (("and" | "且") not)*
//! not    := ("not" | "非") not | cmp
//! cmp    := sum (("==" | "!=" | ">=" | "<=" | ">" | "<") sum)?
//! sum    := prod (("+" | "-") prod)*
//! prod   := atom ("*" atom)*
//! atom   := fact | param.NAME | today | true | false | 'text' | 0 | 1 | 0元 | 0天
//!         | since(d) | until(d) | between(a, b) | year(d) | known(fact)
//!         | min(x, y, …) | max(x, y, …) | if(c, a, b) | "(" or ")"
//! ```
//!
//! Every name is resolved and every operation type-checked when the policy loads
//! (a date compared with a number, an unknown fact, a text not among an option's
//! values are load errors). Amounts and thresholds are never literals: only 0 and 1
//! may be written in a rule; everything else is a `param.NAME` with dated versions.
//! There is no user-defined function and no loop, so a rule bound to a date is a
//! fixed tree of comparisons over fact columns: the shape a fused columnar kernel
//! can be compiled from.

use super::facts::{fact_by_key, FactId, FACTS};
use super::value::{Duration, Rational, Type, Value};
use crate::Fen;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Ge,
    Le,
    Gt,
    Lt,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Ge => ">=",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Lt => "<",
        }
    }

    pub fn holds(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Eq => o == Equal,
            CmpOp::Ne => o != Equal,
            CmpOp::Ge => o != Less,
            CmpOp::Le => o != Greater,
            CmpOp::Gt => o == Greater,
            CmpOp::Lt => o == Less,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Since,
    Until,
    Between,
    Year,
    Known,
    Min,
    Max,
    If,
}

/// A checked expression. `Param` indexes the policy's parameter table.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Fact(FactId),
    Param(usize),
    Today,
    Lit(Value),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

impl Expr {
    /// The facts this expression reads (the columns a bulk kernel needs).
    pub fn facts(&self, out: &mut Vec<FactId>) {
        match self {
            Expr::Fact(f) => {
                if !out.contains(f) {
                    out.push(*f);
                }
            }
            Expr::Param(_) | Expr::Today | Expr::Lit(_) => {}
            Expr::Not(e) => e.facts(out),
            Expr::And(v) | Expr::Or(v) | Expr::Call(_, v) => v.iter().for_each(|e| e.facts(out)),
            Expr::Cmp(_, a, b) | Expr::Arith(_, a, b) => {
                a.facts(out);
                b.facts(out);
            }
        }
    }

    /// The parameters this expression reads.
    pub fn params(&self, out: &mut Vec<usize>) {
        match self {
            Expr::Param(p) => {
                if !out.contains(p) {
                    out.push(*p);
                }
            }
            Expr::Fact(_) | Expr::Today | Expr::Lit(_) => {}
            Expr::Not(e) => e.params(out),
            Expr::And(v) | Expr::Or(v) | Expr::Call(_, v) => v.iter().for_each(|e| e.params(out)),
            Expr::Cmp(_, a, b) | Expr::Arith(_, a, b) => {
                a.params(out);
                b.params(out);
            }
        }
    }
}

/// A problem in an expression, at a byte offset of its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub offset: usize,
    pub reason: String,
}

fn fail<T>(offset: usize, reason: impl Into<String>) -> Result<T, ExprError> {
    Err(ExprError { offset, reason: reason.into() })
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// Digits and an optional unit (`元`, `年`, `个月`, `月`, `天`, `日`, `%`).
    Num(String, String),
    Str(String),
    Op(&'static str),
    And,
    Or,
    Not,
    End,
}

fn lex(src: &str) -> Result<Vec<(usize, Tok)>, ExprError> {
    let mut out = Vec::new();
    let mut it = src.char_indices().peekable();
    while let Some(&(i, c)) = it.peek() {
        if c.is_whitespace() {
            it.next();
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let mut s = String::new();
            while let Some(&(_, c)) = it.peek() {
                if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                    s.push(c);
                    it.next();
                } else {
                    break;
                }
            }
            let t = match s.as_str() {
                "and" => Tok::And,
                "or" => Tok::Or,
                "not" => Tok::Not,
                _ => Tok::Ident(s),
            };
            out.push((i, t));
            continue;
        }
        if c.is_ascii_digit() {
            let mut s = String::new();
            while let Some(&(_, c)) = it.peek() {
                if c.is_ascii_digit() || c == '.' {
                    s.push(c);
                    it.next();
                } else {
                    break;
                }
            }
            let mut unit = String::new();
            for u in ["个月", "元", "年", "月", "天", "日", "%"] {
                if src[i + s.len()..].starts_with(u) {
                    unit = u.to_string();
                    for _ in u.chars() {
                        it.next();
                    }
                    break;
                }
            }
            out.push((i, Tok::Num(s, unit)));
            continue;
        }
        match c {
            '\'' | '"' => {
                it.next();
                let mut s = String::new();
                let mut closed = false;
                for (_, ch) in it.by_ref() {
                    if ch == c {
                        closed = true;
                        break;
                    }
                    s.push(ch);
                }
                if !closed {
                    return fail(i, "文本缺少结束引号");
                }
                out.push((i, Tok::Str(s)));
            }
            '且' | '或' | '非' => {
                it.next();
                out.push((
                    i,
                    match c {
                        '且' => Tok::And,
                        '或' => Tok::Or,
                        _ => Tok::Not,
                    },
                ));
            }
            _ => {
                let two = src.get(i..i + 2).unwrap_or("");
                let op = [">=", "<=", "==", "!="].into_iter().find(|o| *o == two);
                if let Some(op) = op {
                    it.next();
                    it.next();
                    out.push((i, Tok::Op(op)));
                } else if let Some(op) = [">", "<", "+", "-", "*", "(", ")", ","].into_iter().find(|o| o.starts_with(c))
                {
                    it.next();
                    out.push((i, Tok::Op(op)));
                } else if c == '=' {
                    return fail(i, "比较相等请写“==”");
                } else {
                    return fail(i, format!("无法识别的字符“{c}”"));
                }
            }
        }
    }
    out.push((src.len(), Tok::End));
    Ok(out)
}

/// How names resolve: parameters by name to (index, type).
pub trait Scope {
    fn param(&self, name: &str) -> Option<(usize, Type)>;
    fn param_names(&self) -> Vec<String>;
}

struct Parser<'a> {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    scope: &'a dyn Scope,
}

type Typed = (Expr, Type);

/// Parses and checks `src`. `want` is the type the whole expression must have.
pub fn parse(src: &str, scope: &dyn Scope, want: Type) -> Result<Expr, ExprError> {
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0, scope };
    let (e, t) = p.or()?;
    let (at, tok) = p.peek();
    if tok != Tok::End {
        return fail(at, "表达式在此处多出内容");
    }
    if !t.same(want) {
        return fail(0, format!("表达式应得出{}，实际得出{}", want.label(), t.label()));
    }
    Ok(e)
}

impl Parser<'_> {
    fn peek(&self) -> (usize, Tok) {
        self.toks.get(self.pos).cloned().unwrap_or((0, Tok::End))
    }

    fn next(&mut self) -> (usize, Tok) {
        let t = self.peek();
        self.pos += 1;
        t
    }

    fn expect_op(&mut self, op: &'static str) -> Result<(), ExprError> {
        let (at, t) = self.next();
        if t == Tok::Op(op) {
            Ok(())
        } else {
            fail(at, format!("此处应为“{op}”"))
        }
    }

    fn logic(&mut self, is_and: bool) -> Result<Typed, ExprError> {
        let at = self.peek().0;
        let first = if is_and { self.not()? } else { self.logic(true)? };
        let joiner = if is_and { Tok::And } else { Tok::Or };
        if self.peek().1 != joiner {
            return Ok(first);
        }
        let mut items = vec![bool_operand(first, at)?];
        while self.peek().1 == joiner {
            self.next();
            let at = self.peek().0;
            let e = if is_and { self.not()? } else { self.logic(true)? };
            items.push(bool_operand(e, at)?);
        }
        Ok((if is_and { Expr::And(items) } else { Expr::Or(items) }, Type::Bool))
    }

    fn or(&mut self) -> Result<Typed, ExprError> {
        self.logic(false)
    }

    fn not(&mut self) -> Result<Typed, ExprError> {
        if self.peek().1 == Tok::Not {
            self.next();
            let at = self.peek().0;
            let e = self.not()?;
            return Ok((Expr::Not(Box::new(bool_operand(e, at)?)), Type::Bool));
        }
        self.cmp()
    }

    fn cmp(&mut self) -> Result<Typed, ExprError> {
        let at = self.peek().0;
        let (a, ta) = self.sum()?;
        let op = match self.peek().1 {
            Tok::Op("==") => CmpOp::Eq,
            Tok::Op("!=") => CmpOp::Ne,
            Tok::Op(">=") => CmpOp::Ge,
            Tok::Op("<=") => CmpOp::Le,
            Tok::Op(">") => CmpOp::Gt,
            Tok::Op("<") => CmpOp::Lt,
            _ => return Ok((a, ta)),
        };
        let (op_at, _) = self.next();
        let (b, tb) = self.sum()?;
        let ordered = !matches!(op, CmpOp::Eq | CmpOp::Ne);
        let ok = match (ta, tb) {
            (Type::Number, Type::Number) | (Type::Money, Type::Money) | (Type::Date, Type::Date) => true,
            (Type::Span, Type::Duration) => true,
            (Type::Duration, Type::Span) => {
                return fail(at, "请把日期间隔写在左边，例如 since(business_start_date) >= param.最短经营期");
            }
            (Type::Bool, Type::Bool) | (Type::Text, Type::Text) => !ordered,
            (Type::Enum(x), Type::Enum(y)) => !ordered && Type::Enum(x).same(Type::Enum(y)),
            (Type::Enum(values), Type::Text) | (Type::Text, Type::Enum(values)) => {
                if ordered {
                    false
                } else {
                    let lit = match (&a, &b) {
                        (_, Expr::Lit(Value::Text(t))) | (Expr::Lit(Value::Text(t)), _) => Some(t.clone()),
                        _ => None,
                    };
                    match lit {
                        Some(t) if !values.contains(&t.as_str()) => {
                            return fail(op_at, format!("“{t}”不是可选值（可选：{}）", values.join("、")));
                        }
                        Some(_) => true,
                        None => false,
                    }
                }
            }
            _ => false,
        };
        if !ok {
            let how = if ordered { "比较大小" } else { "比较" };
            return fail(op_at, format!("不能{how}{}和{}", ta.label(), tb.label()));
        }
        Ok((Expr::Cmp(op, Box::new(a), Box::new(b)), Type::Bool))
    }

    fn sum(&mut self) -> Result<Typed, ExprError> {
        let (mut a, mut ta) = self.prod()?;
        loop {
            let op = match self.peek().1 {
                Tok::Op("+") => ArithOp::Add,
                Tok::Op("-") => ArithOp::Sub,
                _ => return Ok((a, ta)),
            };
            let (at, _) = self.next();
            let (b, tb) = self.prod()?;
            if !(ta == tb && matches!(ta, Type::Number | Type::Money)) {
                return fail(at, format!("不能对{}和{}做加减", ta.label(), tb.label()));
            }
            a = Expr::Arith(op, Box::new(a), Box::new(b));
            ta = tb;
        }
    }

    fn prod(&mut self) -> Result<Typed, ExprError> {
        let (mut a, mut ta) = self.atom()?;
        while self.peek().1 == Tok::Op("*") {
            let (at, _) = self.next();
            let (b, tb) = self.atom()?;
            ta = match (ta, tb) {
                (Type::Number, Type::Number) => Type::Number,
                (Type::Money, Type::Number) | (Type::Number, Type::Money) => Type::Money,
                _ => return fail(at, format!("不能把{}和{}相乘", ta.label(), tb.label())),
            };
            a = Expr::Arith(ArithOp::Mul, Box::new(a), Box::new(b));
        }
        Ok((a, ta))
    }

    fn args(&mut self) -> Result<Vec<(usize, Typed)>, ExprError> {
        self.expect_op("(")?;
        let mut out = Vec::new();
        if self.peek().1 == Tok::Op(")") {
            self.next();
            return Ok(out);
        }
        loop {
            let at = self.peek().0;
            out.push((at, self.or()?));
            match self.next() {
                (_, Tok::Op(",")) => continue,
                (_, Tok::Op(")")) => return Ok(out),
                (at, _) => return fail(at, "此处应为“,”或“)”"),
            }
        }
    }

    fn atom(&mut self) -> Result<Typed, ExprError> {
        let (at, tok) = self.next();
        match tok {
            Tok::Op("(") => {
                let e = self.or()?;
                self.expect_op(")")?;
                Ok(e)
            }
            Tok::Str(s) => Ok((Expr::Lit(Value::Text(s)), Type::Text)),
            Tok::Num(n, unit) => literal(at, &n, &unit),
            Tok::Ident(name) => self.name(at, &name),
            Tok::End => fail(at, "表达式不完整"),
            _ => fail(at, "此处应为事实、参数或函数"),
        }
    }

    fn name(&mut self, at: usize, name: &str) -> Result<Typed, ExprError> {
        match name {
            "true" => return Ok((Expr::Lit(Value::Bool(true)), Type::Bool)),
            "false" => return Ok((Expr::Lit(Value::Bool(false)), Type::Bool)),
            "today" => return Ok((Expr::Today, Type::Date)),
            _ => {}
        }
        if let Some(p) = name.strip_prefix("param.") {
            return match self.scope.param(p) {
                Some((i, t)) => Ok((Expr::Param(i), t)),
                None => {
                    let names = self.scope.param_names();
                    let known =
                        if names.is_empty() { "本政策未定义参数".to_string() } else { names.join("、") };
                    fail(at, format!("未定义的参数“{p}”（已定义：{known}）"))
                }
            };
        }
        let func = match name {
            "since" => Some(Func::Since),
            "until" => Some(Func::Until),
            "between" => Some(Func::Between),
            "year" => Some(Func::Year),
            "known" => Some(Func::Known),
            "min" => Some(Func::Min),
            "max" => Some(Func::Max),
            "if" => Some(Func::If),
            _ => None,
        };
        if let Some(f) = func {
            if self.peek().1 != Tok::Op("(") {
                return fail(at, format!("函数“{name}”后应有括号"));
            }
            let args = self.args()?;
            return call(at, name, f, args);
        }
        match fact_by_key(name) {
            Some(id) => Ok((Expr::Fact(id), id.def().ty)),
            None => fail(at, format!("未知的事实“{name}”（事实清单见 docs/policy-facts.md）")),
        }
    }
}

fn bool_operand((e, t): Typed, at: usize) -> Result<Expr, ExprError> {
    if t == Type::Bool {
        Ok(e)
    } else {
        fail(at, format!("“且/或/非”的运算对象应为是/否，这里是{}", t.label()))
    }
}

fn literal(at: usize, n: &str, unit: &str) -> Result<Typed, ExprError> {
    let as_param = |what: &str| {
        fail(at, format!("规则中不能直接写{what}“{n}{unit}”：金额、期限和门槛须写成带生效日期的参数（param.名称），只允许 0 和 1"))
    };
    match unit {
        "" => match Rational::parse(n) {
            Some(r) if r == Rational::ZERO || r == Rational::int(1) => Ok((Expr::Lit(Value::Number(r)), Type::Number)),
            Some(_) => as_param("数值"),
            None => fail(at, format!("数值“{n}”格式不正确")),
        },
        "元" => match Fen::parse_yuan(n) {
            Ok(Fen(0)) => Ok((Expr::Lit(Value::Money(Fen(0))), Type::Money)),
            Ok(_) => as_param("金额"),
            Err(_) => fail(at, format!("金额“{n}元”格式不正确")),
        },
        "%" => as_param("比例"),
        _ => match Duration::parse(&format!("{n}{unit}")) {
            Some(d) if d.is_zero() => Ok((Expr::Lit(Value::Duration(d)), Type::Duration)),
            Some(_) => as_param("期限"),
            None => fail(at, format!("期限“{n}{unit}”格式不正确")),
        },
    }
}

fn call(at: usize, name: &str, f: Func, args: Vec<(usize, Typed)>) -> Result<Typed, ExprError> {
    let arity = |n: usize| -> Result<(), ExprError> {
        if args.len() == n {
            Ok(())
        } else {
            fail(at, format!("函数“{name}”需要{n}个参数，实际{}个", args.len()))
        }
    };
    let want = |i: usize, t: Type| -> Result<(), ExprError> {
        let (a_at, (_, got)) = &args[i];
        if got.same(t) {
            Ok(())
        } else {
            fail(*a_at, format!("函数“{name}”的第{}个参数应为{}，这里是{}", i + 1, t.label(), got.label()))
        }
    };
    let ty = match f {
        Func::Since | Func::Until => {
            arity(1)?;
            want(0, Type::Date)?;
            Type::Span
        }
        Func::Between => {
            arity(2)?;
            want(0, Type::Date)?;
            want(1, Type::Date)?;
            Type::Span
        }
        Func::Year => {
            arity(1)?;
            want(0, Type::Date)?;
            Type::Number
        }
        Func::Known => {
            arity(1)?;
            if !matches!(args[0].1 .0, Expr::Fact(_)) {
                return fail(args[0].0, "known() 的参数应为一个事实名称");
            }
            Type::Bool
        }
        Func::Min | Func::Max => {
            if args.len() < 2 {
                return fail(at, format!("函数“{name}”至少需要2个参数"));
            }
            let t = args[0].1 .1;
            if !matches!(t, Type::Number | Type::Money | Type::Date) {
                return fail(args[0].0, format!("函数“{name}”只用于数值、金额或日期，这里是{}", t.label()));
            }
            for i in 1..args.len() {
                want(i, t)?;
            }
            t
        }
        Func::If => {
            arity(3)?;
            want(0, Type::Bool)?;
            let t = args[1].1 .1;
            want(2, t)?;
            t
        }
    };
    Ok((Expr::Call(f, args.into_iter().map(|(_, (e, _))| e).collect()), ty))
}

/// The vocabulary as text (for messages and docs).
pub fn fact_list() -> String {
    FACTS.iter().map(|f| f.key).collect::<Vec<_>>().join("、")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    struct P;
    impl Scope for P {
        fn param(&self, name: &str) -> Option<(usize, Type)> {
            match name {
                "cap" => Some((0, Type::Money)),
                "min_years" => Some((1, Type::Duration)),
                "ratio" => Some((2, Type::Number)),
                _ => None,
            }
        }
        fn param_names(&self) -> Vec<String> {
            vec!["cap".into(), "min_years".into(), "ratio".into()]
        }
    }

    fn err(src: &str, want: Type) -> ExprError {
        parse(src, &P, want).unwrap_err()
    }

    #[test]
    fn well_typed_rules_parse() {
        for src in [
            "returnee and first_business 且 since(business_start_date) >= param.min_years",
            "not (poverty or low_income) 或 employment_status == '失业'",
            "new_hires_this_year >= staff_count * param.ratio",
            "year(certificate_date) == year(today)",
            "known(hire_date)",
        ] {
            parse(src, &P, Type::Bool).unwrap();
        }
        let e = parse("min(premiums_paid_fen * param.ratio, param.cap)", &P, Type::Money).unwrap();
        let mut f = Vec::new();
        e.facts(&mut f);
        assert_eq!(f, vec![fact_by_key("premiums_paid_fen").unwrap()]);
        parse("if(park_evaluation == '优', param.cap, 0元)", &P, Type::Money).unwrap();
    }

    #[test]
    fn a_date_compared_with_a_number_is_rejected_at_its_operator() {
        let e = err("birth_date >= 1", Type::Bool);
        assert_eq!(e.offset, 11);
        assert!(e.reason.contains("日期") && e.reason.contains("数值"), "{}", e.reason);
    }

    #[test]
    fn unknown_names_and_literal_thresholds_are_rejected() {
        let e = err("returnee and agee >= 1", Type::Bool);
        assert_eq!(e.offset, 13);
        assert!(e.reason.contains("未知的事实“agee”"));
        assert!(err("param.nope", Type::Money).reason.contains("未定义的参数“nope”"));
        assert!(err("premiums_paid_fen >= 8000元", Type::Bool).reason.contains("param."));
        assert!(err("since(hire_date) >= 1年", Type::Bool).reason.contains("param."));
        assert!(err("staff_count >= 100", Type::Bool).reason.contains("param."));
        assert!(err("employment_status == '失业中'", Type::Bool).reason.contains("可选"));
        assert!(err("returnee", Type::Money).reason.contains("应得出金额"));
        assert!(err("returnee and", Type::Bool).reason.contains("不完整"));
        assert!(err("returnee = true", Type::Bool).reason.contains("=="));
        assert!(err("since(1)", Type::Span).reason.contains("日期"));
        assert!(err("returnee and staff_count", Type::Bool).reason.contains("是/否"));
    }
}
