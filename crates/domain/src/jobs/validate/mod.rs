//! Validation of one employer row or one job-posting row (a file's row or a form),
//! collecting every problem with its column and a reason in Chinese, and the review
//! holds of a posting (seed 001 §(八): no restriction by sex, no blanket age cut-off).

use chrono::{Days, NaiveDate};

use super::template::Mapped;
use super::{CreditStatus, EmployerSize, EmployerType, JobKind, JobSource, JobStatus, Wage, WageForm};
use crate::identity::CreditCode;
use crate::money::Fen;
use crate::refdata::RefData;
use crate::region::{RegionCode, RegionLevel};
use crate::registry::{Cells, FieldError, SkillLevel};

/// Youngest and oldest age a posting may name (the working ages the platform serves).
pub const AGE_FLOOR: u8 = 16;
pub const AGE_CEILING: u8 = 70;
/// An upper age limit below this, with no job reason stated, is a blanket cut-off of
/// older workers and holds the posting for review (seed 001 §(八)：不得以年龄为由“一刀切”;
/// 50 is the men's threshold of the 4050 group).
pub const OLDER_WORKER_AGE: u8 = 50;
/// Days a posting stays open when the file gives no end date.
pub const DEFAULT_VALID_DAYS: u64 = 60;
const MAX_HEADCOUNT: u32 = 10_000;
const MAX_WAGE_YUAN: i64 = 1_000_000;
const MAX_NAME_CHARS: usize = 60;
const MAX_TITLE_CHARS: usize = 40;
const MAX_DESCRIPTION_CHARS: usize = 2_000;
const MAX_TEXT_CHARS: usize = 100;

/// A valid employer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployerRecord {
    pub credit_code: CreditCode,
    pub name: String,
    pub employer_type: EmployerType,
    /// GB/T 4754 code as the reference data spells it (section letter or division).
    pub industry: String,
    pub region: RegionCode,
    pub size: Option<EmployerSize>,
    pub credit_status: CreditStatus,
}

/// Board and lodging (食宿).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Board {
    pub meals: bool,
    pub lodging: bool,
}

impl Board {
    pub fn parse(text: &str) -> Option<Board> {
        Some(match text.trim() {
            "" | "不包" | "无" | "否" | "不提供" => Board::default(),
            "包吃住" | "包食宿" | "提供食宿" | "食宿全包" => Board { meals: true, lodging: true },
            "包吃" | "包餐" | "提供工作餐" => Board { meals: true, lodging: false },
            "包住" | "提供住宿" => Board { meals: false, lodging: true },
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match (self.meals, self.lodging) {
            (true, true) => "包吃住",
            (true, false) => "包吃",
            (false, true) => "包住",
            (false, false) => "不包",
        }
    }

    pub fn code(self) -> i16 {
        i16::from(self.meals) | (i16::from(self.lodging) << 1)
    }

    pub fn from_code(code: i16) -> Board {
        Board { meals: code & 1 != 0, lodging: code & 2 != 0 }
    }
}

/// A valid posting, before it is tied to its employer's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostingRecord {
    /// The posting's number at its employer (the key of re-imports).
    pub reference: String,
    pub credit_code: CreditCode,
    pub title: String,
    /// The canonical occupation name when the reference data knows it, else the text.
    pub occupation: Option<String>,
    /// Empty: the employer's industry.
    pub industry: Option<String>,
    pub place: RegionCode,
    pub headcount: u32,
    pub wage: Wage,
    pub kind: JobKind,
    pub age_min: u8,
    pub age_max: u8,
    pub age_reason: Option<String>,
    /// `Some` when the posting names a sex (which holds it for review).
    pub sex: Option<String>,
    pub skill_min: Option<SkillLevel>,
    pub certificate: Option<String>,
    pub board: Board,
    pub description: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub source: JobSource,
    /// Why the posting waits for review before it is shown (empty: it is not held).
    pub holds: Vec<String>,
}

impl PostingRecord {
    /// The state a posting takes on `today`: held while it has review reasons, closed
    /// after its end date, else open.
    pub fn status_on(&self, today: NaiveDate) -> JobStatus {
        if !self.holds.is_empty() {
            JobStatus::Held
        } else if self.valid_to < today {
            JobStatus::Closed
        } else {
            JobStatus::Open
        }
    }
}

/// The review holds of a posting's requirements (seed 001 §(八)).
pub fn review_holds(sex: Option<&str>, age_max: u8, age_reason: Option<&str>) -> Vec<String> {
    let mut holds = Vec::new();
    if let Some(s) = sex {
        holds.push(format!("限定性别（{s}）：招聘不得以性别为由限制，须经审核"));
    }
    if age_max < OLDER_WORKER_AGE && age_reason.is_none_or(|r| r.trim().is_empty()) {
        holds.push(format!(
            "年龄上限{age_max}岁且未说明岗位原因：不得以年龄为由“一刀切”排除大龄劳动者（市政府办公厅〔2025〕文件第（八）条），须经审核"
        ));
    }
    holds
}

fn text(column: &'static str, value: &str, max: usize, required: bool, errors: &mut Vec<FieldError>) -> Option<String> {
    if value.is_empty() {
        if required {
            errors.push(FieldError::new(column, "必填项为空"));
        }
        return None;
    }
    if value.chars().count() > max {
        errors.push(FieldError::new(column, format!("内容过长（最多{max}个字）")));
        return None;
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        errors.push(FieldError::new(column, "含有不可见的控制字符"));
        return None;
    }
    Some(value.to_string())
}

fn credit_code(column: &'static str, value: &str, errors: &mut Vec<FieldError>) -> Option<CreditCode> {
    if value.is_empty() {
        errors.push(FieldError::new(column, "必填项为空"));
        return None;
    }
    match CreditCode::parse(value) {
        Ok((c, _)) => Some(c),
        Err(e) => {
            errors.push(FieldError::new(column, e.to_string()));
            None
        }
    }
}

fn industry(refdata: &RefData, column: &'static str, value: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    match refdata.industry(value) {
        Some(i) => Some(i.code.clone()),
        None => {
            errors
                .push(FieldError::new(column, format!("“{value}”不是国民经济行业分类（GB/T 4754-2017）的门类或大类")));
            None
        }
    }
}

fn region(
    refdata: &RefData,
    column: &'static str,
    value: &str,
    levels: &[RegionLevel],
    what: &str,
    errors: &mut Vec<FieldError>,
) -> Option<RegionCode> {
    if value.is_empty() {
        errors.push(FieldError::new(column, "必填项为空"));
        return None;
    }
    match RegionCode::parse(value) {
        Err(e) => {
            errors.push(FieldError::new(column, e.to_string()));
            None
        }
        Ok(code) if !refdata.is_chongqing_division(code) || !levels.contains(&code.level()) => {
            errors.push(FieldError::new(column, format!("区划代码 {value} 不是重庆市现行的{what}代码")));
            None
        }
        Ok(code) => Some(code),
    }
}

fn date(column: &'static str, value: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    if value.is_empty() {
        return None;
    }
    let d = crate::registry::validate::parse_date(value);
    if d.is_none() {
        errors.push(FieldError::new(column, format!("日期“{value}”格式不正确，应为 YYYY-MM-DD")));
    }
    d
}

fn age(column: &'static str, value: &str, default: u8, errors: &mut Vec<FieldError>) -> u8 {
    if value.is_empty() {
        return default;
    }
    match value.trim_end_matches('岁').parse::<u8>() {
        Ok(a) if (AGE_FLOOR..=AGE_CEILING).contains(&a) => a,
        _ => {
            errors.push(FieldError::new(column, format!("年龄“{value}”应为{AGE_FLOOR}至{AGE_CEILING}之间的整数")));
            default
        }
    }
}

fn wage_amount(column: &'static str, value: &str, errors: &mut Vec<FieldError>) -> Option<Fen> {
    match Fen::parse_yuan(value) {
        Ok(f) if f.0 <= 0 => {
            errors.push(FieldError::new(column, "薪酬应大于0"));
            None
        }
        Ok(f) if f > Fen::from_yuan(MAX_WAGE_YUAN) => {
            errors.push(FieldError::new(column, format!("薪酬“{value}”超出允许范围")));
            None
        }
        Ok(f) => Some(f),
        Err(e) => {
            errors.push(FieldError::new(column, e.to_string()));
            None
        }
    }
}

/// Validates one employer row. All problems of the row are reported together.
pub fn validate_employer<C: Cells + ?Sized>(
    refdata: &RefData,
    map: &Mapped,
    row: &C,
) -> Result<EmployerRecord, Vec<FieldError>> {
    let mut errors = Vec::new();
    let h = |k| map.header(k);
    let credit = credit_code(h("credit_code"), map.get(row, "credit_code"), &mut errors);
    let name = text(h("name"), map.get(row, "name"), MAX_NAME_CHARS, true, &mut errors);
    let t = map.get(row, "employer_type");
    let employer_type = EmployerType::parse(t);
    if employer_type.is_none() {
        errors.push(FieldError::new(
            h("employer_type"),
            if t.is_empty() {
                "必填项为空".to_string()
            } else {
                format!("单位类型“{t}”不在可选范围内")
            },
        ));
    }
    let ind = map.get(row, "industry");
    let industry = if ind.is_empty() {
        errors.push(FieldError::new(h("industry"), "必填项为空"));
        None
    } else {
        industry(refdata, h("industry"), ind, &mut errors)
    };
    let place = region(
        refdata,
        h("region"),
        map.get(row, "region"),
        &[RegionLevel::District, RegionLevel::Town, RegionLevel::Village],
        "区县、乡镇（街道）或村（社区）",
        &mut errors,
    );
    let s = map.get(row, "size");
    let size = if s.is_empty() { None } else { EmployerSize::parse(s) };
    if !s.is_empty() && size.is_none() {
        errors.push(FieldError::new(h("size"), format!("企业规模“{s}”应为微型、小型、中型或大型")));
    }
    let c = map.get(row, "credit_status");
    let credit_status = if c.is_empty() { Some(CreditStatus::Good) } else { CreditStatus::parse(c) };
    if credit_status.is_none() {
        errors.push(FieldError::new(h("credit_status"), format!("信用状态“{c}”应为正常或失信")));
    }
    match (credit, name, employer_type, industry, place, credit_status) {
        (Some(credit_code), Some(name), Some(employer_type), Some(industry), Some(region), Some(credit_status))
            if errors.is_empty() =>
        {
            Ok(EmployerRecord { credit_code, name, employer_type, industry, region, size, credit_status })
        }
        _ => Err(errors),
    }
}

/// Validates one posting row on `today` (the default start date). All problems of the
/// row are reported together; a valid posting may still be held for review
/// (`PostingRecord::holds`).
pub fn validate_posting<C: Cells + ?Sized>(
    refdata: &RefData,
    map: &Mapped,
    row: &C,
    today: NaiveDate,
) -> Result<PostingRecord, Vec<FieldError>> {
    let mut errors = Vec::new();
    let h = |k| map.header(k);
    let reference = text(h("ref"), map.get(row, "ref"), 40, true, &mut errors);
    let credit = credit_code(h("credit_code"), map.get(row, "credit_code"), &mut errors);
    let title = text(h("title"), map.get(row, "title"), MAX_TITLE_CHARS, true, &mut errors);
    let occupation = text(h("occupation"), map.get(row, "occupation"), MAX_TEXT_CHARS, false, &mut errors)
        .map(|o| refdata.occupation(&o).map(|x| x.name.clone()).unwrap_or(o));
    let ind = map.get(row, "industry");
    let industry = if ind.is_empty() { None } else { industry(refdata, h("industry"), ind, &mut errors) };
    let place = region(
        refdata,
        h("place"),
        map.get(row, "place"),
        &[RegionLevel::Town, RegionLevel::Village],
        "乡镇（街道）或村（社区）",
        &mut errors,
    );
    let hc = map.get(row, "headcount");
    let headcount = match hc.trim_end_matches('人').parse::<u32>() {
        Ok(n) if (1..=MAX_HEADCOUNT).contains(&n) => Some(n),
        _ if hc.is_empty() => {
            errors.push(FieldError::new(h("headcount"), "必填项为空"));
            None
        }
        _ => {
            errors.push(FieldError::new(h("headcount"), format!("招聘人数“{hc}”应为1至{MAX_HEADCOUNT}之间的整数")));
            None
        }
    };
    let wf = map.get(row, "wage_form");
    let form = if wf.is_empty() { Some(WageForm::Monthly) } else { WageForm::parse(wf) };
    if form.is_none() {
        errors.push(FieldError::new(h("wage_form"), format!("薪酬形式“{wf}”应为月薪、日薪、时薪或计件")));
    }
    let wmin = map.get(row, "wage_min");
    let wage_min = if wmin.is_empty() {
        errors.push(FieldError::new(h("wage_min"), "必填项为空"));
        None
    } else {
        wage_amount(h("wage_min"), wmin, &mut errors)
    };
    let wmax = map.get(row, "wage_max");
    let wage_max = if wmax.is_empty() { wage_min } else { wage_amount(h("wage_max"), wmax, &mut errors) };
    if let (Some(lo), Some(hi)) = (wage_min, wage_max) {
        if lo > hi {
            errors.push(FieldError::new(
                h("wage_max"),
                format!("薪酬上限（{}元）低于下限（{}元）", hi.to_yuan_string(), lo.to_yuan_string()),
            ));
        }
    }
    let k = map.get(row, "kind");
    let kind = JobKind::parse(k);
    if kind.is_none() {
        errors.push(FieldError::new(
            h("kind"),
            if k.is_empty() {
                "必填项为空".to_string()
            } else {
                format!("用工形式“{k}”应为全职、非全日制、临时/季节性或零工")
            },
        ));
    }
    let age_min = age(h("age_min"), map.get(row, "age_min"), AGE_FLOOR, &mut errors);
    let age_max = age(h("age_max"), map.get(row, "age_max"), AGE_CEILING, &mut errors);
    if age_min > age_max {
        errors.push(FieldError::new(h("age_max"), format!("年龄上限（{age_max}岁）低于下限（{age_min}岁）")));
    }
    let age_reason = text(h("age_reason"), map.get(row, "age_reason"), MAX_TEXT_CHARS, false, &mut errors);
    let sx = map.get(row, "sex");
    let sex = match sx {
        "" | "不限" | "男女不限" | "无" => None,
        "男" | "女" | "限男" | "限女" | "男性" | "女性" => Some(sx.to_string()),
        _ => {
            errors.push(FieldError::new(h("sex"), format!("性别要求“{sx}”应为不限、男或女")));
            None
        }
    };
    let sk = map.get(row, "skill_min");
    let skill_min = if sk.is_empty() || sk == "不限" { None } else { SkillLevel::parse(sk) };
    if !sk.is_empty() && sk != "不限" && skill_min.is_none() {
        errors.push(FieldError::new(h("skill_min"), format!("技能等级“{sk}”应为1至5级")));
    }
    let certificate = text(h("certificate"), map.get(row, "certificate"), MAX_TEXT_CHARS, false, &mut errors);
    let b = map.get(row, "board");
    let board = Board::parse(b);
    if board.is_none() {
        errors.push(FieldError::new(h("board"), format!("食宿“{b}”应为包吃住、包吃、包住或不包")));
    }
    let description = text(h("description"), map.get(row, "description"), MAX_DESCRIPTION_CHARS, false, &mut errors)
        .unwrap_or_default();
    let valid_from = date(h("valid_from"), map.get(row, "valid_from"), &mut errors).unwrap_or(today);
    let valid_to = date(h("valid_to"), map.get(row, "valid_to"), &mut errors)
        .unwrap_or_else(|| valid_from.checked_add_days(Days::new(DEFAULT_VALID_DAYS)).unwrap_or(valid_from));
    if valid_to < valid_from {
        errors.push(FieldError::new(h("valid_to"), format!("有效期止（{valid_to}）早于有效期起（{valid_from}）")));
    }
    let src = map.get(row, "source");
    let source = if src.is_empty() { Some(JobSource::Employer) } else { JobSource::parse(src) };
    if source.is_none() {
        errors.push(FieldError::new(h("source"), format!("来源“{src}”应为用人单位、经办人员、零工市场或招聘会")));
    }
    let holds = review_holds(sex.as_deref(), age_max, age_reason.as_deref());
    match (reference, credit, title, place, headcount, form, wage_min, wage_max, kind, board, source) {
        (
            Some(reference),
            Some(credit_code),
            Some(title),
            Some(place),
            Some(headcount),
            Some(form),
            Some(min),
            Some(max),
            Some(kind),
            Some(board),
            Some(source),
        ) if errors.is_empty() => Ok(PostingRecord {
            reference,
            credit_code,
            title,
            occupation,
            industry,
            place,
            headcount,
            wage: Wage { form, min, max },
            kind,
            age_min,
            age_max,
            age_reason,
            sex,
            skill_min,
            certificate,
            board,
            description,
            valid_from,
            valid_to,
            source,
            holds,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests;
