//! The employer and job-posting import templates (SPEC §3, §10): their columns with the
//! Chinese headers staff use, the English keys also accepted, and the mapping from a
//! file's header row to those columns (the same conventions as the worker template).

use crate::registry::{Cells, Column, HeaderError};

macro_rules! col {
    ($key:literal, $header:literal, $req:literal, [$($alias:literal),*], $help:literal) => {
        Column { key: $key, header: $header, required: $req, aliases: &[$($alias),*], help: $help }
    };
}

/// The employer template's columns, in file order.
pub const EMPLOYER_COLUMNS: &[Column] = &[
    col!("credit_code", "统一社会信用代码", true, ["信用代码", "社会信用代码"], "必填，18位，校验位按 GB 32100 核验"),
    col!("name", "单位名称", true, ["企业名称", "用人单位"], "必填，与营业执照一致"),
    col!(
        "employer_type",
        "单位类型",
        true,
        ["企业类型"],
        "必填：民营企业、国有企业、外资企业、个体工商户、农民专业合作社、机关事业单位、社会组织"
    ),
    col!("industry", "行业", true, ["所属行业"], "必填，国民经济行业分类（GB/T 4754-2017）门类字母、大类代码或名称"),
    col!(
        "region",
        "所在地区划代码",
        true,
        ["注册地区划代码", "所在地代码"],
        "必填，重庆市区县6位、乡镇9位或村（社区）12位统计用区划代码"
    ),
    col!("size", "企业规模", false, ["规模"], "微型、小型、中型、大型"),
    col!("credit_status", "信用状态", false, [], "正常或失信（拖欠农民工工资失信联合惩戒对象名单）；留空为正常"),
];

/// The job-posting template's columns, in file order.
pub const JOB_COLUMNS: &[Column] = &[
    col!("ref", "岗位编号", true, ["编号"], "必填，本单位内唯一；再次导入同一编号即更新该岗位"),
    col!(
        "credit_code",
        "统一社会信用代码",
        true,
        ["信用代码", "社会信用代码"],
        "必填，已登记用人单位的统一社会信用代码"
    ),
    col!("title", "岗位名称", true, ["招聘岗位", "职位名称"], "必填，如：电焊工（包吃住）"),
    col!("occupation", "职业", false, ["工种", "职业（工种）"], "职业或工种名称，如：焊工、保洁员"),
    col!("industry", "行业", false, ["所属行业"], "留空则取用人单位的行业"),
    col!(
        "place",
        "工作地点区划代码",
        true,
        ["工作地点代码", "工作地点"],
        "必填，重庆市乡镇（街道）9位或村（社区）12位区划代码"
    ),
    col!("headcount", "招聘人数", true, ["人数"], "必填，1至10000"),
    col!("wage_form", "薪酬形式", false, ["计薪方式"], "月薪、日薪、时薪或计件；留空为月薪"),
    col!("wage_min", "薪酬下限", true, ["最低薪酬", "工资下限"], "必填，元，按薪酬形式计"),
    col!("wage_max", "薪酬上限", false, ["最高薪酬", "工资上限"], "元；留空则与下限相同；不得低于下限"),
    col!("kind", "用工形式", true, [], "必填：全职、非全日制、临时/季节性、零工"),
    col!("age_min", "年龄下限", false, ["最低年龄"], "16至70；留空为16"),
    col!("age_max", "年龄上限", false, ["最高年龄"], "16至70；留空为不限（70）"),
    col!("age_reason", "年龄要求理由", false, ["年龄限制理由"], "年龄上限低于50岁时须写明岗位原因，否则进入审核"),
    col!("sex", "性别要求", false, [], "不限；限定性别的岗位进入审核"),
    col!("skill_min", "技能等级要求", false, ["技能要求"], "1至5级，留空为不限"),
    col!("certificate", "证书要求", false, ["资格证书"], "如：特种作业操作证（焊接与热切割作业）"),
    col!("board", "食宿", false, ["食宿情况", "包吃住"], "包吃住、包吃、包住或不包"),
    col!("description", "岗位描述", false, ["岗位职责", "职位描述"], "工作内容、工作时间、福利等，最多2000字"),
    col!("valid_from", "有效期起", false, ["发布日期"], "YYYY-MM-DD，留空为导入当日"),
    col!("valid_to", "有效期止", false, ["截止日期"], "YYYY-MM-DD，留空为起始日后60天"),
    col!("source", "来源", false, ["岗位来源"], "用人单位、经办人员、零工市场、招聘会；留空为用人单位"),
];

/// Where each column of a template sits in a particular file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    columns: &'static [Column],
    positions: Vec<Option<usize>>,
    /// Headers that are not template columns (ignored).
    pub unknown: Vec<String>,
}

impl Mapped {
    /// Maps a header row onto `columns`; headers match the Chinese header, an alias or
    /// the English key, ignoring surrounding spaces, a leading `*` and a BOM.
    pub fn from_headers<S: AsRef<str>>(columns: &'static [Column], headers: &[S]) -> Result<Mapped, HeaderError> {
        let mut positions = vec![None; columns.len()];
        let mut unknown = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            let h = h.as_ref().trim_start_matches('\u{feff}').trim().trim_start_matches('*').trim();
            if h.is_empty() {
                continue;
            }
            let found =
                columns.iter().position(|c| c.header == h || c.key.eq_ignore_ascii_case(h) || c.aliases.contains(&h));
            match found {
                Some(k) if positions[k].is_some() => return Err(HeaderError::Duplicate(h.to_string())),
                Some(k) => positions[k] = Some(i),
                None => unknown.push(h.to_string()),
            }
        }
        let missing: Vec<&'static str> =
            columns.iter().zip(&positions).filter(|(c, p)| c.required && p.is_none()).map(|(c, _)| c.header).collect();
        if !missing.is_empty() {
            return Err(HeaderError::MissingRequired(missing));
        }
        Ok(Mapped { columns, positions, unknown })
    }

    /// The cell of column `key` in a row, trimmed; empty when the column is absent.
    pub fn get<'a, C: Cells + ?Sized>(&self, row: &'a C, key: &str) -> &'a str {
        self.columns
            .iter()
            .position(|c| c.key == key)
            .and_then(|k| self.positions[k])
            .and_then(|i| row.cell(i))
            .map(str::trim)
            .unwrap_or("")
    }

    /// The Chinese header of a column key (for messages).
    pub fn header(&self, key: &str) -> &'static str {
        self.columns.iter().find(|c| c.key == key).map(|c| c.header).unwrap_or("")
    }
}

/// The header row of a template.
pub fn headers(columns: &[Column]) -> Vec<&'static str> {
    columns.iter().map(|c| c.header).collect()
}
