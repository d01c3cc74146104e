//! Parses the embedded reference files into `RefData`, checking their shape (every
//! row's fields, known codes, cross-references between files).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{
    Annex2Row, Area, DistrictGroup, FunctionalZone, GroupMember, Industry, IndustryLevel, Occupation, RefData, Region,
};
use crate::region::{RegionCode, RegionLevel};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("参考数据文件 data/{file} 第{line}行：{reason}")]
pub struct RefDataError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

struct Table {
    file: &'static str,
    rows: Vec<(usize, HashMap<String, String>)>,
}

fn table(get: &dyn Fn(&str) -> &'static str, file: &'static str) -> Result<Table, RefDataError> {
    let text = get(file);
    let err = |line: usize, reason: String| RefDataError { file: file.to_string(), line, reason };
    if text.is_empty() {
        return Err(err(0, "文件缺失或为空".into()));
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let headers: Vec<String> =
        reader.headers().map_err(|e| err(1, e.to_string()))?.iter().map(str::to_string).collect();
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| err(line, e.to_string()))?;
        let map = headers.iter().cloned().zip(rec.iter().map(str::to_string)).collect();
        rows.push((line, map));
    }
    Ok(Table { file, rows })
}

impl Table {
    fn err(&self, line: usize, reason: impl Into<String>) -> RefDataError {
        RefDataError { file: self.file.to_string(), line, reason: reason.into() }
    }

    fn field<'a>(&self, line: usize, row: &'a HashMap<String, String>, name: &str) -> Result<&'a str, RefDataError> {
        row.get(name).map(String::as_str).ok_or_else(|| self.err(line, format!("缺少列 {name}")))
    }

    fn region(&self, line: usize, row: &HashMap<String, String>, name: &str) -> Result<RegionCode, RefDataError> {
        let t = self.field(line, row, name)?;
        RegionCode::parse(t).map_err(|e| self.err(line, e.to_string()))
    }

    fn number<T: std::str::FromStr>(
        &self,
        line: usize,
        row: &HashMap<String, String>,
        name: &str,
    ) -> Result<T, RefDataError> {
        let t = self.field(line, row, name)?;
        t.trim().parse().map_err(|_| self.err(line, format!("列 {name} 不是数字：{t}")))
    }
}

pub(super) fn build(get: &dyn Fn(&str) -> &'static str) -> Result<RefData, RefDataError> {
    let mut regions = HashMap::new();
    let mut children: HashMap<RegionCode, Vec<RegionCode>> = HashMap::new();
    let mut districts = Vec::new();

    let cq = table(get, "regions/chongqing.csv")?;
    let chongqing = crate::region::CHONGQING;
    regions.insert(chongqing, Region { code: chongqing, name: "重庆市".into(), level: RegionLevel::Province });
    for (line, row) in &cq.rows {
        let code = cq.region(*line, row, "code")?;
        let name = cq.field(*line, row, "name")?.to_string();
        let level = match cq.field(*line, row, "level")? {
            "district" => RegionLevel::District,
            "town" => RegionLevel::Town,
            "village" => RegionLevel::Village,
            other => return Err(cq.err(*line, format!("未知层级 {other}"))),
        };
        if code.level() != level {
            return Err(cq.err(*line, format!("代码 {code} 与层级不符")));
        }
        let parent = code.parent().ok_or_else(|| cq.err(*line, "缺少上级"))?;
        if level != RegionLevel::District && !regions.contains_key(&parent) {
            return Err(cq.err(*line, format!("上级 {parent} 不存在（文件须按代码排序）")));
        }
        if level == RegionLevel::District {
            districts.push(code);
        }
        children.entry(parent).or_default().push(code);
        regions.insert(code, Region { code, name, level });
    }

    let pv = table(get, "regions/provinces.csv")?;
    let mut provinces = BTreeMap::new();
    for (line, row) in &pv.rows {
        let code: i16 = pv.number(*line, row, "code")?;
        let name = pv.field(*line, row, "name")?.to_string();
        if let Some(rc) = RegionCode::from_i64(i64::from(code) * 10_000_000_000) {
            regions.entry(rc).or_insert(Region { code: rc, name: name.clone(), level: RegionLevel::Province });
        }
        provinces.insert(code, name);
    }

    let known_district = |t: &Table, line: usize, code: RegionCode| {
        if code.level() == RegionLevel::District && regions.contains_key(&code) {
            Ok(code)
        } else {
            Err(t.err(line, format!("{code} 不是重庆的区县代码")))
        }
    };

    let ar = table(get, "regions/areas.csv")?;
    let mut areas = HashMap::new();
    for (line, row) in &ar.rows {
        let code = known_district(&ar, *line, ar.region(*line, row, "code")?)?;
        let label = ar.field(*line, row, "area")?;
        let area = Area::parse(label).ok_or_else(|| ar.err(*line, format!("未知片区 {label}")))?;
        areas.insert(code, area);
    }

    let adj = table(get, "regions/district_adjacency.csv")?;
    let mut adjacency = HashSet::new();
    for (line, row) in &adj.rows {
        let a = known_district(&adj, *line, adj.region(*line, row, "a")?)?;
        let b = known_district(&adj, *line, adj.region(*line, row, "b")?)?;
        adjacency.insert(if a <= b { (a, b) } else { (b, a) });
    }

    let ce = table(get, "regions/district_centers.csv")?;
    let mut centers = HashMap::new();
    for (line, row) in &ce.rows {
        let code = known_district(&ce, *line, ce.region(*line, row, "code")?)?;
        let lng: f64 = ce.number(*line, row, "lng")?;
        let lat: f64 = ce.number(*line, row, "lat")?;
        centers.insert(code, (lng, lat));
    }

    let zt = table(get, "regions/functional_zones.csv")?;
    let mut zones: Vec<FunctionalZone> = Vec::new();
    for (line, row) in &zt.rows {
        let id = zt.field(*line, row, "zone")?.to_string();
        let name = zt.field(*line, row, "zone_name")?.to_string();
        let town = zt.region(*line, row, "town_code")?;
        if town.level() != RegionLevel::Town || !regions.contains_key(&town) {
            return Err(zt.err(*line, format!("{town} 不是已知的乡镇（街道）代码")));
        }
        match zones.iter_mut().find(|z| z.id == id) {
            Some(z) => z.towns.push(town),
            None => zones.push(FunctionalZone { id, name, towns: vec![town] }),
        }
    }

    let gt = table(get, "regions/district_groups.csv")?;
    let mut groups: Vec<DistrictGroup> = Vec::new();
    for (line, row) in &gt.rows {
        let number: u8 = gt.number(*line, row, "group_no")?;
        let target: i64 = gt.number(*line, row, "annual_target")?;
        let kind = gt.field(*line, row, "member_kind")?;
        let code = gt.field(*line, row, "member_code")?;
        let name = gt.field(*line, row, "member_name")?.to_string();
        let member = match kind {
            "district" => GroupMember::District(known_district(&gt, *line, gt.region(*line, row, "member_code")?)?),
            "zone" if zones.iter().any(|z| z.id == code) => GroupMember::Zone(code.to_string()),
            _ => return Err(gt.err(*line, format!("未知成员 {kind} {code}"))),
        };
        match groups.iter_mut().find(|g| g.number == number) {
            Some(g) => g.members.push((member, name)),
            None => groups.push(DistrictGroup { number, annual_target: target, members: vec![(member, name)] }),
        }
    }

    let it = table(get, "industries/gbt4754_2017.csv")?;
    let mut industries = Vec::new();
    let mut industry_index = HashMap::new();
    for (line, row) in &it.rows {
        let code = it.field(*line, row, "code")?.to_string();
        let name = it.field(*line, row, "name")?.to_string();
        let level = match it.field(*line, row, "level")? {
            "section" => IndustryLevel::Section,
            "division" => IndustryLevel::Division,
            "group" => IndustryLevel::Group,
            other => return Err(it.err(*line, format!("未知层级 {other}"))),
        };
        let parent = Some(it.field(*line, row, "parent")?.to_string()).filter(|p| !p.is_empty());
        if let Some(p) = &parent {
            if !industry_index.contains_key(p) {
                return Err(it.err(*line, format!("上级 {p} 未先出现")));
            }
        }
        let idx = industries.len();
        industry_index.insert(code.clone(), idx);
        industry_index.entry(name.clone()).or_insert(idx);
        industries.push(Industry { code, name, level, parent });
    }

    let mt = table(get, "industries/annex2_mapping.csv")?;
    let mut annex2: Vec<Annex2Row> = Vec::new();
    for (line, row) in &mt.rows {
        let number: u8 = mt.number(*line, row, "row_no")?;
        let code = mt.field(*line, row, "gbt_code")?.to_string();
        if !industry_index.contains_key(&code) {
            return Err(mt.err(*line, format!("未知行业代码 {code}")));
        }
        match annex2.iter_mut().find(|r| r.number == number) {
            Some(r) => r.codes.push(code),
            None => annex2.push(Annex2Row {
                number,
                name: mt.field(*line, row, "row_name")?.to_string(),
                annual_target: mt.number(*line, row, "annual_target")?,
                lead_department: mt.field(*line, row, "lead_department")?.to_string(),
                codes: vec![code],
            }),
        }
    }

    let ot = table(get, "occupations/occupations.csv")?;
    let mut occupations = Vec::new();
    let mut occupation_index = HashMap::new();
    for (line, row) in &ot.rows {
        let name = ot.field(*line, row, "name")?.to_string();
        let synonyms: Vec<String> = ot
            .field(*line, row, "synonyms")?
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let category = ot.field(*line, row, "category")?.trim().parse().ok();
        let idx = occupations.len();
        for key in std::iter::once(&name).chain(synonyms.iter()) {
            if occupation_index.insert(key.clone(), idx).is_some() {
                return Err(ot.err(*line, format!("职业名称或同义词“{key}”重复")));
            }
        }
        occupations.push(Occupation { code: ot.field(*line, row, "code")?.to_string(), name, category, synonyms });
    }

    districts.sort();
    Ok(RefData {
        regions,
        children,
        districts,
        provinces,
        areas,
        adjacency,
        centers,
        groups,
        zones,
        industries,
        industry_index,
        annex2,
        occupations,
        occupation_index,
    })
}
