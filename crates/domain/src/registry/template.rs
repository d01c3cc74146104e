//! The worker import/export template (SPEC §10): its columns with the Chinese headers
//! staff use and the English keys also accepted, and the mapping from a file's header
//! row to those columns.

/// One column of the worker template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub header: &'static str,
    pub required: bool,
    /// Other header spellings seen in older systems' exports.
    pub aliases: &'static [&'static str],
    /// One line of help for the template's instructions sheet.
    pub help: &'static str,
}

macro_rules! col {
    ($key:literal, $header:literal, $req:literal, [$($alias:literal),*], $help:literal) => {
        Column { key: $key, header: $header, required: $req, aliases: &[$($alias),*], help: $help }
    };
}

/// The template's columns, in file order.
pub const COLUMNS: [Column; 18] = [
    col!("name", "姓名", true, [], "必填，与身份证件一致"),
    col!("id_number", "公民身份号码", true, ["身份证号", "身份证号码", "证件号码"], "必填，18位（15位旧号码自动升位）"),
    col!("phone", "联系电话", false, ["手机号码", "手机号", "电话"], "11位手机号码或带区号的固定电话"),
    col!(
        "hukou_region",
        "户籍地区划代码",
        true,
        ["户籍地代码"],
        "必填，重庆市区县6位、乡镇9位或村（社区）12位统计用区划代码"
    ),
    col!("residence_region", "现居住地区划代码", false, ["现居住地代码"], "重庆市内居住的填写区划代码；市外居住的留空"),
    col!("status", "就业状态", true, [], "必填：市内就业、市外就业、灵活就业、自主创业、失业、不在劳动力市场"),
    col!("work_region", "就业地区划代码", false, ["就业地代码"], "市内就业必填：就业地区划代码"),
    col!("work_province", "务工省份", false, ["就业省份"], "市外就业必填：省份名称或2位代码"),
    col!("industry", "行业", false, ["所属行业"], "国民经济行业分类（GB/T 4754-2017）门类字母、大类代码或名称"),
    col!("occupation", "职业", false, ["工种", "职业（工种）"], "职业或工种名称，如：焊工、保洁员"),
    col!("skill_level", "技能等级", false, ["职业技能等级"], "1至5级（一级/高级技师……五级/初级工）"),
    col!("expected_wage", "期望月薪", false, ["期望薪酬"], "元/月，整数或两位小数"),
    col!(
        "wanted_kind",
        "意向用工形式",
        false,
        ["求职意向用工形式", "期望用工形式", "意向工作类型"],
        "求职人员希望的用工形式：全职、非全日制、临时/季节性、零工；不限的留空"
    ),
    col!(
        "flags",
        "人员类别",
        false,
        [],
        "可多选，以逗号分隔：脱贫人口、低保、零就业家庭、残疾、退役军人、就业困难人员、返乡人员"
    ),
    col!("insurance", "参保险种", false, ["参保情况"], "可多选，以逗号分隔：养老、医疗、工伤、失业"),
    col!(
        "unemployed_since",
        "登记失业日期",
        false,
        ["失业登记日期"],
        "就业状态为失业且已办理失业登记的填写，格式 YYYY-MM-DD"
    ),
    col!("needs", "服务需求", false, [], "可多选，以逗号分隔：求职、培训、创业、法律援助、政策咨询、职业指导"),
    col!("household_no", "家庭户编号", false, ["户编号"], "同一家庭户的成员填写相同编号"),
];

/// Where each template column sits in a particular file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderMap {
    positions: Vec<Option<usize>>,
    /// Number of columns in the header row.
    pub width: usize,
    /// Headers that are not template columns (kept in the rejects file, otherwise ignored).
    pub unknown: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("文件缺少必填列：{}（第1行应为表头，可下载模板对照）", .0.join("、"))]
    MissingRequired(Vec<&'static str>),
    #[error("表头中“{0}”出现了不止一次")]
    Duplicate(String),
}

impl HeaderMap {
    /// Maps a header row; headers match the Chinese header, an alias or the English key,
    /// ignoring surrounding spaces, a leading `*` (required mark) and a BOM.
    pub fn from_headers<S: AsRef<str>>(headers: &[S]) -> Result<HeaderMap, HeaderError> {
        let cols: Vec<&Column> = COLUMNS.iter().collect();
        let mut positions = vec![None; cols.len()];
        let mut unknown = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            let h = h.as_ref().trim_start_matches('\u{feff}').trim().trim_start_matches('*').trim();
            if h.is_empty() {
                continue;
            }
            let found =
                cols.iter().position(|c| c.header == h || c.key.eq_ignore_ascii_case(h) || c.aliases.contains(&h));
            match found {
                Some(k) if positions[k].is_some() => return Err(HeaderError::Duplicate(h.to_string())),
                Some(k) => positions[k] = Some(i),
                None => unknown.push(h.to_string()),
            }
        }
        let missing: Vec<&'static str> =
            cols.iter().zip(&positions).filter(|(c, p)| c.required && p.is_none()).map(|(c, _)| c.header).collect();
        if !missing.is_empty() {
            return Err(HeaderError::MissingRequired(missing));
        }
        Ok(HeaderMap { positions, width: headers.len(), unknown })
    }

    /// The cell of column `key` in a row, trimmed; empty when the column is absent.
    pub fn get<'a, C: Cells + ?Sized>(&self, row: &'a C, key: &str) -> &'a str {
        key_index(key).and_then(|k| self.positions[k]).and_then(|i| row.cell(i)).map(str::trim).unwrap_or("")
    }

    /// Position of a template column in this file.
    pub fn position(&self, key: &str) -> Option<usize> {
        key_index(key).and_then(|k| self.positions[k])
    }
}

/// Index of a column key in `COLUMNS` (a match, not a search: it runs per cell).
fn key_index(key: &str) -> Option<usize> {
    Some(match key {
        "name" => 0,
        "id_number" => 1,
        "phone" => 2,
        "hukou_region" => 3,
        "residence_region" => 4,
        "status" => 5,
        "work_region" => 6,
        "work_province" => 7,
        "industry" => 8,
        "occupation" => 9,
        "skill_level" => 10,
        "expected_wage" => 11,
        "wanted_kind" => 12,
        "flags" => 13,
        "insurance" => 14,
        "unemployed_since" => 15,
        "needs" => 16,
        "household_no" => 17,
        _ => return None,
    })
}

/// The cells of one row, however the file reader holds them.
pub trait Cells {
    fn cell(&self, i: usize) -> Option<&str>;
    fn width(&self) -> usize;
}

impl<S: AsRef<str>> Cells for [S] {
    fn cell(&self, i: usize) -> Option<&str> {
        self.get(i).map(AsRef::as_ref)
    }
    fn width(&self) -> usize {
        self.len()
    }
}

impl<S: AsRef<str>, const N: usize> Cells for [S; N] {
    fn cell(&self, i: usize) -> Option<&str> {
        self.get(i).map(AsRef::as_ref)
    }
    fn width(&self) -> usize {
        N
    }
}

impl<S: AsRef<str>> Cells for Vec<S> {
    fn cell(&self, i: usize) -> Option<&str> {
        self.get(i).map(AsRef::as_ref)
    }
    fn width(&self) -> usize {
        self.len()
    }
}

impl<T: Cells + ?Sized> Cells for &T {
    fn cell(&self, i: usize) -> Option<&str> {
        (**self).cell(i)
    }
    fn width(&self) -> usize {
        (**self).width()
    }
}

impl Cells for csv::StringRecord {
    fn cell(&self, i: usize) -> Option<&str> {
        self.get(i)
    }
    fn width(&self) -> usize {
        self.len()
    }
}

/// The header row of the template, Chinese headers in file order.
pub fn header_row() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.header).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn chinese_headers_english_keys_and_aliases_all_map() {
        let m = HeaderMap::from_headers(&["\u{feff}*姓名", "id_number", "户籍地代码", "就业状态", "备注"]).unwrap();
        assert_eq!(m.get(&["张三", " 50010119800101001X ", "500101", "失业", "x"], "id_number"), "50010119800101001X");
        assert_eq!(m.get(&["张三", "1", "500101", "失业", "x"], "phone"), "");
        assert_eq!(m.unknown, vec!["备注".to_string()]);
    }

    #[test]
    fn a_file_without_required_headers_is_refused_naming_them() {
        let e = HeaderMap::from_headers(&["姓名", "联系电话"]).unwrap_err();
        assert_eq!(e, HeaderError::MissingRequired(vec!["公民身份号码", "户籍地区划代码", "就业状态"]));
        assert!(e.to_string().contains("公民身份号码、户籍地区划代码、就业状态"));
    }

    #[test]
    fn the_key_index_agrees_with_the_column_order() {
        for (i, c) in COLUMNS.iter().enumerate() {
            assert_eq!(key_index(c.key), Some(i), "{}", c.key);
        }
        assert_eq!(key_index("nope"), None);
    }

    #[test]
    fn the_template_header_row_maps_onto_itself() {
        let h = header_row();
        let m = HeaderMap::from_headers(&h).unwrap();
        for (i, c) in COLUMNS.iter().enumerate() {
            assert_eq!(m.position(c.key), Some(i));
        }
        assert_eq!(h.len(), 18);
    }
}
