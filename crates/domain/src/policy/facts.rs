//! The closed vocabulary of facts rules may read (name, type, Chinese label, unit),
//! the kinds of entity a policy targets, and `Facts`: the typed values known about
//! one entity, read from JSON (format in `docs/policy-facts.md`). A rule naming a
//! fact not listed here does not load.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::value::{Rational, Type, Value};
use crate::Fen;

/// Who a policy is for (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Person,
    Household,
    Employer,
    Workshop,
    Park,
    Project,
}

impl EntityKind {
    pub const ALL: [EntityKind; 6] = [
        EntityKind::Person,
        EntityKind::Household,
        EntityKind::Employer,
        EntityKind::Workshop,
        EntityKind::Park,
        EntityKind::Project,
    ];

    pub fn key(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Household => "household",
            EntityKind::Employer => "employer",
            EntityKind::Workshop => "workshop",
            EntityKind::Park => "park",
            EntityKind::Project => "project",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Person => "个人",
            EntityKind::Household => "家庭户",
            EntityKind::Employer => "用人单位",
            EntityKind::Workshop => "就业帮扶车间",
            EntityKind::Park => "返乡创业园区",
            EntityKind::Project => "项目",
        }
    }

    /// Accepts the English key or the Chinese label.
    pub fn parse(text: &str) -> Option<EntityKind> {
        let t = text.trim();
        Self::ALL.into_iter().find(|k| k.key() == t || k.label() == t)
    }

    pub fn choices() -> String {
        Self::ALL.iter().map(|k| format!("{}（{}）", k.key(), k.label())).collect::<Vec<_>>().join("、")
    }
}

/// One entry of the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactDef {
    /// The name rules and JSON use (`birth_date`).
    pub key: &'static str,
    pub label: &'static str,
    pub ty: Type,
    /// Unit or format shown to users (`YYYY-MM-DD`, `分`, `人`).
    pub unit: &'static str,
}

pub const STATUS: &[&str] = &["市内就业", "市外就业", "灵活就业", "自主创业", "失业", "不在劳动力市场"];
pub const SEX: &[&str] = &["男", "女"];
pub const FLEXIBLE_FORMS: &[&str] = &["家政服务", "个体工商户雇工", "商贩", "网约车驾驶员", "其他"];
pub const EVALUATION: &[&str] = &["优", "良", "合格", "不合格", "未评估"];

const fn fact(key: &'static str, label: &'static str, ty: Type, unit: &'static str) -> FactDef {
    FactDef { key, label, ty, unit }
}

const DATE: &str = "YYYY-MM-DD";

/// The vocabulary. Indices are `FactId`s; append only (a bulk kernel may key columns
/// by position).
pub const FACTS: &[FactDef] = &[
    // A person.
    fact("birth_date", "出生日期", Type::Date, DATE),
    fact("sex", "性别", Type::Enum(SEX), ""),
    fact("retirement_date", "法定退休日期", Type::Date, DATE),
    fact("district_code", "户籍或经营所在区县代码", Type::Text, "6位区划代码"),
    fact("employment_status", "就业状态", Type::Enum(STATUS), ""),
    fact("returnee", "返乡农民工", Type::Bool, ""),
    fact("poverty", "脱贫人口（农村建卡贫困户人员）", Type::Bool, ""),
    fact("low_income", "低保家庭人员", Type::Bool, ""),
    fact("zero_employment_household", "零就业家庭人员", Type::Bool, ""),
    fact("disabled", "残疾人", Type::Bool, ""),
    fact("veteran", "退役军人", Type::Bool, ""),
    fact("employment_difficulty", "就业困难人员（已认定）", Type::Bool, ""),
    fact("capacity_cut_worker", "去产能企业职工", Type::Bool, ""),
    fact("fresh_graduate", "普通高校应届毕业生", Type::Bool, ""),
    fact("poor_graduate", "高校贫困毕业生", Type::Bool, ""),
    fact("graduation_date", "高校毕业离校日期", Type::Date, DATE),
    fact("registered_unemployed", "登记失业人员", Type::Bool, ""),
    fact("unemployment_registered_date", "登记失业日期", Type::Date, DATE),
    fact("enterprise_employee", "企业职工", Type::Bool, ""),
    fact("unemployment_insurance_months", "累计参加失业保险月数", Type::Number, "月"),
    fact("certificate_date", "取得职业资格证书或职业技能等级证书日期", Type::Date, DATE),
    fact("flexible_form", "灵活就业形式", Type::Enum(FLEXIBLE_FORMS), ""),
    fact("flexible_insurance_start_date", "灵活就业社会保险补贴起始日期", Type::Date, DATE),
    fact("premiums_paid_fen", "本期已缴基本养老和基本医疗保险费", Type::Money, "分"),
    fact("benefit_end_date", "失业保险金领取期满日期", Type::Date, DATE),
    // A business started by a person (or the person's household).
    fact("first_business", "首次创业", Type::Bool, ""),
    fact("small_business", "小微企业或个体经营", Type::Bool, ""),
    fact("business_start_date", "创业实体登记开业日期", Type::Date, DATE),
    fact("business_operating", "正常经营", Type::Bool, ""),
    fact("business_insured_employees", "带动就业并缴纳养老保险人数", Type::Number, "人"),
    // A guaranteed loan.
    fact("loan_principal_fen", "创业担保贷款本金", Type::Money, "分"),
    fact("loan_interest_paid_fen", "本期实际支付贷款利息", Type::Money, "分"),
    // An employer.
    fact("small_micro_enterprise", "小微企业", Type::Bool, ""),
    fact("staff_count", "现有职工人数", Type::Number, "人"),
    fact("new_hires_this_year", "当年新招用符合条件人员数", Type::Number, "人"),
    // One hire by an employer (the hired person's flags are the person facts above).
    fact("hire_date", "录用日期", Type::Date, DATE),
    fact("contract_months", "劳动合同期限", Type::Number, "月"),
    fact("hire_insured", "按规定缴纳社会保险", Type::Bool, ""),
    // A workshop, a labour brand, a park.
    fact("workshop_recognised_date", "认定为就业帮扶车间日期", Type::Date, DATE),
    fact("workshop_construction_claim_fen", "申报建设补助金额", Type::Money, "分"),
    fact("workshop_evaluation", "就业帮扶车间绩效评估结果", Type::Enum(EVALUATION), ""),
    fact("workshop_award_assessed_fen", "绩效评估核定奖补金额", Type::Money, "分"),
    fact("labor_brand_municipal", "市级劳务品牌", Type::Bool, ""),
    fact("labor_brand_award_assessed_fen", "按带动就业情况核定奖补金额", Type::Money, "分"),
    fact("park_recognised_date", "认定为市级农民工返乡创业园区日期", Type::Date, DATE),
    fact("park_evaluation", "园区年度绩效评估结果", Type::Enum(EVALUATION), ""),
    fact("park_municipal", "市级农民工返乡创业园区", Type::Bool, ""),
];

/// An index into `FACTS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FactId(pub u16);

impl FactId {
    pub fn def(self) -> &'static FactDef {
        &FACTS[usize::from(self.0)]
    }
}

pub fn fact_by_key(key: &str) -> Option<FactId> {
    FACTS.iter().position(|f| f.key == key).and_then(|i| u16::try_from(i).ok()).map(FactId)
}

/// What is known about one entity. A fact absent from the map is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub entity: EntityKind,
    /// Free label from the file (a name or a number), shown in output.
    pub label: Option<String>,
    values: BTreeMap<FactId, Value>,
}

/// A problem with a facts file, naming the place (`facts.birth_date`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}：{reason}")]
pub struct FactsError {
    pub place: String,
    pub reason: String,
}

fn err(place: impl Into<String>, reason: impl Into<String>) -> FactsError {
    FactsError { place: place.into(), reason: reason.into() }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "空值",
        serde_json::Value::Bool(_) => "是/否",
        serde_json::Value::Number(_) => "数字",
        serde_json::Value::String(_) => "文本",
        serde_json::Value::Array(_) => "数组",
        serde_json::Value::Object(_) => "对象",
    }
}

impl Facts {
    pub fn new(entity: EntityKind) -> Facts {
        Facts { entity, label: None, values: BTreeMap::new() }
    }

    pub fn get(&self, id: FactId) -> Option<&Value> {
        self.values.get(&id)
    }

    /// Sets a fact by key, checking the value's type.
    pub fn set(&mut self, key: &str, value: Value) -> Result<(), FactsError> {
        let id = fact_by_key(key).ok_or_else(|| err(key, format!("未知的事实名称“{key}”")))?;
        let def = id.def();
        let ok = matches!(
            (&value, def.ty),
            (Value::Bool(_), Type::Bool)
                | (Value::Number(_), Type::Number)
                | (Value::Money(_), Type::Money)
                | (Value::Date(_), Type::Date)
                | (Value::Text(_), Type::Text)
        ) || matches!((&value, def.ty), (Value::Text(t), Type::Enum(values)) if values.contains(&t.as_str()));
        if !ok {
            return Err(err(key, format!("“{}”应为{}，得到{}", def.label, def.ty.label(), value.ty_label())));
        }
        self.values.insert(id, value);
        Ok(())
    }

    pub fn known(&self) -> impl Iterator<Item = (FactId, &Value)> {
        self.values.iter().map(|(k, v)| (*k, v))
    }

    /// Reads `{"entity": "person", "label": "…", "facts": {…}}`.
    pub fn from_json(v: &serde_json::Value) -> Result<Facts, FactsError> {
        let obj = v.as_object().ok_or_else(|| err("（顶层）", format!("应为对象，得到{}", json_kind(v))))?;
        for k in obj.keys() {
            if !matches!(k.as_str(), "entity" | "label" | "facts") {
                return Err(err(k.as_str(), "未知的字段（可用：entity、label、facts）"));
            }
        }
        let entity = match obj.get("entity") {
            None => return Err(err("entity", format!("缺少对象类型，可选：{}", EntityKind::choices()))),
            Some(serde_json::Value::String(s)) => EntityKind::parse(s)
                .ok_or_else(|| err("entity", format!("“{s}”不是对象类型，可选：{}", EntityKind::choices())))?,
            Some(other) => return Err(err("entity", format!("应为文本，得到{}", json_kind(other)))),
        };
        let mut facts = Facts::new(entity);
        match obj.get("label") {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::String(s)) => facts.label = Some(s.clone()),
            Some(other) => return Err(err("label", format!("应为文本，得到{}", json_kind(other)))),
        }
        let map = match obj.get("facts") {
            None => return Err(err("facts", "缺少事实（facts 对象）")),
            Some(serde_json::Value::Object(m)) => m,
            Some(other) => return Err(err("facts", format!("应为对象，得到{}", json_kind(other)))),
        };
        for (key, raw) in map {
            let place = format!("facts.{key}");
            let id = fact_by_key(key)
                .ok_or_else(|| err(&place, format!("未知的事实名称“{key}”（见 docs/policy-facts.md）")))?;
            let def = id.def();
            if raw.is_null() {
                continue;
            }
            let wrong = || err(&place, format!("“{}”应为{}，得到{}", def.label, expected(def), json_kind(raw)));
            let value = match def.ty {
                Type::Bool => Value::Bool(raw.as_bool().ok_or_else(wrong)?),
                Type::Number => Value::Number(Rational::int(raw.as_i64().ok_or_else(wrong)?)),
                Type::Money => Value::Money(Fen(raw.as_i64().ok_or_else(wrong)?)),
                Type::Date => {
                    let s = raw.as_str().ok_or_else(wrong)?;
                    Value::Date(
                        parse_date(s)
                            .ok_or_else(|| err(&place, format!("“{}”的日期“{s}”无效，应为 YYYY-MM-DD", def.label)))?,
                    )
                }
                Type::Text => Value::Text(raw.as_str().ok_or_else(wrong)?.to_string()),
                Type::Enum(values) => {
                    let s = raw.as_str().ok_or_else(wrong)?;
                    if !values.contains(&s) {
                        return Err(err(
                            &place,
                            format!("“{s}”不是“{}”的可选值（可选：{}）", def.label, values.join("、")),
                        ));
                    }
                    Value::Text(s.to_string())
                }
                Type::Duration | Type::Span => return Err(wrong()),
            };
            facts.values.insert(id, value);
        }
        Ok(facts)
    }
}

fn expected(def: &FactDef) -> String {
    match def.ty {
        Type::Bool => "true 或 false".into(),
        Type::Number => format!("整数（{}）", def.unit),
        Type::Money => "整数（单位：分）".into(),
        Type::Date => "日期文本 YYYY-MM-DD".into(),
        Type::Text => "文本".into(),
        Type::Enum(v) => format!("文本，可选：{}", v.join("、")),
        Type::Duration | Type::Span => def.ty.label().into(),
    }
}

/// A fact's value from its stored text (the `person_facts` table, a facts import
/// file): `true`/`false` (or 是/否), a whole number, money as whole fen or as yuan
/// with 元 (`1200元`, `1200.50元`), a date `YYYY-MM-DD`, or the text or option itself.
/// The reason names the fact and what was expected.
pub fn parse_stored(def: &FactDef, text: &str) -> Result<Value, String> {
    let t = text.trim();
    let wrong = || format!("“{}”应为{}，得到“{t}”", def.label, expected(def));
    Ok(match def.ty {
        Type::Bool => match t {
            "true" | "是" => Value::Bool(true),
            "false" | "否" => Value::Bool(false),
            _ => return Err(wrong()),
        },
        Type::Number => Value::Number(Rational::int(t.parse::<i64>().map_err(|_| wrong())?)),
        Type::Money => match t.strip_suffix('元') {
            Some(yuan) => Value::Money(Fen::parse_yuan(yuan).map_err(|_| wrong())?),
            None => Value::Money(Fen(t.parse::<i64>().map_err(|_| wrong())?)),
        },
        Type::Date => Value::Date(parse_date(t).ok_or_else(wrong)?),
        Type::Text if !t.is_empty() => Value::Text(t.to_string()),
        Type::Enum(values) if values.contains(&t) => Value::Text(t.to_string()),
        _ => return Err(wrong()),
    })
}

/// The stored text of a fact's value (read back by `parse_stored`): money in fen.
pub fn stored_text(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Number(r) if r.den() == 1 => r.num().to_string(),
        Value::Money(f) => f.0.to_string(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Text(t) => t.clone(),
        other => format!("{other:?}"),
    }
}

/// `YYYY-MM-DD` only.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    if t.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stored_text_reads_back_and_bad_text_names_the_fact() {
        let def = |k: &str| fact_by_key(k).unwrap().def();
        for (k, text) in [
            ("returnee", "true"),
            ("staff_count", "12"),
            ("premiums_paid_fen", "120050"),
            ("certificate_date", "2025-06-30"),
            ("flexible_form", "商贩"),
            ("district_code", "500116"),
        ] {
            let v = parse_stored(def(k), text).unwrap();
            assert_eq!(stored_text(&v), text, "{k}");
        }
        assert_eq!(parse_stored(def("premiums_paid_fen"), "1200.5元").unwrap(), Value::Money(Fen(120050)));
        assert_eq!(parse_stored(def("returnee"), "否").unwrap(), Value::Bool(false));
        let e = parse_stored(def("certificate_date"), "2025-02-30").unwrap_err();
        assert!(e.contains("取得职业资格证书") && e.contains("YYYY-MM-DD"), "{e}");
        let e = parse_stored(def("flexible_form"), "快递员").unwrap_err();
        assert!(e.contains("可选") && e.contains("商贩"), "{e}");
        assert!(parse_stored(def("staff_count"), "12.5").is_err());
        assert!(parse_stored(def("returnee"), "1").is_err());
    }

    #[test]
    fn fact_keys_are_unique_and_snake_case() {
        let mut keys: Vec<_> = FACTS.iter().map(|f| f.key).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n);
        assert!(FACTS.iter().all(|f| f.key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
        assert!(FACTS.iter().filter(|f| f.ty == Type::Money).all(|f| f.key.ends_with("_fen")));
    }

    #[test]
    fn facts_from_json_are_typed() {
        let f = Facts::from_json(&json!({"entity": "person", "facts": {
            "birth_date": "1970-05-01", "returnee": true, "sex": "男", "premiums_paid_fen": 120000,
            "staff_count": 12, "district_code": null
        }}))
        .unwrap();
        assert_eq!(f.entity, EntityKind::Person);
        assert_eq!(f.get(fact_by_key("premiums_paid_fen").unwrap()), Some(&Value::Money(Fen(120000))));
        assert_eq!(f.get(fact_by_key("district_code").unwrap()), None, "null is unknown");
    }

    #[test]
    fn a_wrong_type_or_unknown_fact_names_the_place_in_chinese() {
        let e = Facts::from_json(&json!({"entity": "person", "facts": {"birth_date": 19700501}})).unwrap_err();
        assert_eq!(e.place, "facts.birth_date");
        assert!(e.reason.contains("出生日期") && e.reason.contains("YYYY-MM-DD"), "{e}");
        let e = Facts::from_json(&json!({"entity": "person", "facts": {"age": 40}})).unwrap_err();
        assert!(e.to_string().contains("未知的事实名称“age”"), "{e}");
        let e = Facts::from_json(&json!({"entity": "person", "facts": {"sex": "M"}})).unwrap_err();
        assert!(e.reason.contains("可选"), "{e}");
        let e = Facts::from_json(&json!({"entity": "alien", "facts": {}})).unwrap_err();
        assert_eq!(e.place, "entity");
        let e = Facts::from_json(&json!({"entity": "person", "facts": {"birth_date": "1970-02-30"}})).unwrap_err();
        assert!(e.reason.contains("1970-02-30"), "{e}");
    }
}
