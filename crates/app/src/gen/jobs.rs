//! The synthetic city's employers and job postings (`employers.csv`, `jobs.csv`,
//! imported by `jiujin import employers|jobs`): employers spread over districts by how
//! much work each draws (the same weights as workers' work places), industries by the
//! annex-2 mix of local employment, postings at towns and villages of their employer's
//! district with occupations of the employer's industry, wages, kinds and
//! requirements at plausible rates. A few postings restrict sex or cut off older
//! workers without a reason, so the review queue is not empty. Deterministic for a
//! seed, from its own random stream.

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};
use jiujin_domain::identity::CreditCode;
use jiujin_domain::jobs::template::{headers, EMPLOYER_COLUMNS, JOB_COLUMNS};
use jiujin_domain::refdata::RefData;
use jiujin_domain::RegionCode;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::calibration::{Weighted, World};
use super::GenError;

/// Employers and open postings of the whole city (issue 6).
pub const FULL_CITY_EMPLOYERS: u64 = 500_000;
pub const FULL_CITY_JOBS: u64 = 200_000;

/// The random stream of employers and jobs (workers use stream 0, facts 1).
const STREAM: u64 = 7;

/// (单位类型, 统一社会信用代码 prefix, weight). Basis: 市场主体 mix, most are private
/// enterprises and 个体工商户.
const TYPES: &[(&str, &str, f64)] = &[
    ("民营企业", "91", 68.0),
    ("个体工商户", "92", 16.0),
    ("国有企业", "91", 4.0),
    ("外资企业", "91", 2.0),
    ("农民专业合作社", "93", 6.0),
    ("机关事业单位", "12", 2.0),
    ("社会组织", "52", 2.0),
];
/// (规模, weight, relative number of postings).
const SIZES: &[(&str, f64, f64)] =
    &[("微型", 60.0, 1.0), ("小型", 30.0, 3.0), ("中型", 8.0, 10.0), ("大型", 2.0, 30.0)];
/// Share of employers on the 失信 list.
const DISHONEST: f64 = 0.005;
/// (用工形式, weight).
const KINDS: &[(&str, f64)] = &[("全职", 70.0), ("临时/季节性", 10.0), ("非全日制", 8.0), ("零工", 12.0)];
/// (食宿, weight).
const BOARDS: &[(&str, f64)] = &[("不包", 45.0), ("包吃住", 30.0), ("包吃", 15.0), ("包住", 10.0)];
/// (年龄上限, weight): most postings go to 60 or beyond (seed 001 §(八)).
const AGE_MAX: &[(u8, f64)] = &[(45, 6.0), (50, 14.0), (55, 25.0), (60, 40.0), (65, 15.0)];
/// Share of postings with an upper age under 50 that state a job reason.
const AGE_REASON: f64 = 0.6;
const AGE_REASONS: &[&str] = &["高处作业须通过体检", "需长期驾驶车辆", "重体力搬运作业", "夜班倒班"];
/// Share of postings that name a sex (held for review).
const SEX_RESTRICTED: f64 = 0.01;
/// Share of postings placed at a village rather than a town.
const AT_VILLAGE: f64 = 0.3;
/// Share of postings in another town of the employer's district.
const OTHER_TOWN: f64 = 0.3;
const NAME_WORDS: &[&str] = &[
    "鑫源", "恒达", "巴渝", "山城", "两江", "长江", "嘉陵", "渝发", "龙腾", "华信", "金桥", "宏远", "瑞丰", "联创",
    "盛世", "顺达", "天府", "新城", "晨光", "永兴", "佳美", "家和", "众诚", "合力",
];
const NAME_KINDS: &[&str] =
    &["建筑工程", "机械制造", "电子科技", "物流", "餐饮管理", "物业管理", "家政服务", "农业开发", "商贸", "汽车配件"];
const PERKS: &[&str] = &["五险一金", "月休4天", "满勤奖", "节日福利", "技能培训", "工作餐", "交通补贴", "年终奖"];
const GB32100: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// What to generate.
#[derive(Debug, Clone)]
pub struct JobsGenOptions {
    pub employers: u64,
    pub jobs: u64,
    pub seed: u64,
    pub out_dir: PathBuf,
    pub as_of: NaiveDate,
}

struct Employer {
    district: usize,
    town: usize,
    row: usize,
    industry: String,
    credit_code: String,
    name: String,
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> GenError + '_ {
    move |source| GenError::Csv { path: path.to_path_buf(), source }
}

fn writer(path: &Path) -> Result<csv::Writer<File>, GenError> {
    let file = File::create(path).map_err(|source| GenError::Io { path: path.to_path_buf(), source })?;
    Ok(csv::WriterBuilder::new().buffer_capacity(1 << 20).terminator(csv::Terminator::Any(b'\n')).from_writer(file))
}

/// A unique organisation-code body for employer `i` (base 31 over GB 32100's set).
fn org_body(i: u64, rng: &mut ChaCha8Rng) -> String {
    let mut out = [b'0'; 8];
    // The first character is random (not 0) so that codes do not look sequential; the
    // other seven hold `i` (31^7 ≈ 2.7e10 employers).
    out[0] = GB32100[rng.gen_range(1..GB32100.len())];
    let mut n = i;
    for slot in out[1..].iter_mut().rev() {
        *slot = GB32100[(n % 31) as usize];
        n /= 31;
    }
    out.iter().map(|&b| char::from(b)).collect()
}

/// Writes `employers.csv` and `jobs.csv`; returns each file with its rows.
pub fn generate_jobs(opts: &JobsGenOptions, refdata: &RefData) -> Result<Vec<(PathBuf, u64)>, GenError> {
    let world = World::build(refdata, opts.as_of)?;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    rng.set_stream(STREAM);
    std::fs::create_dir_all(&opts.out_dir).map_err(|source| GenError::Io { path: opts.out_dir.clone(), source })?;
    let types = Weighted::new(TYPES.iter().map(|t| ((t.0, t.1), t.2)));
    let sizes = Weighted::new(SIZES.iter().enumerate().map(|(i, s)| (i, s.1)));
    let kinds = Weighted::new(KINDS.iter().map(|k| (k.0, k.1)));
    let boards = Weighted::new(BOARDS.iter().map(|b| (b.0, b.1)));
    let age_max = Weighted::new(AGE_MAX.iter().map(|a| (a.0, a.1)));

    let emp_path = opts.out_dir.join("employers.csv");
    let mut w = writer(&emp_path)?;
    w.write_record(headers(EMPLOYER_COLUMNS)).map_err(csv_err(&emp_path))?;
    let mut employers = Vec::with_capacity(opts.employers as usize);
    let mut posting_weight = Vec::with_capacity(opts.employers as usize);
    for i in 0..opts.employers {
        let district = world.work_district_pick.pick(&mut rng).copied().unwrap_or(0);
        let d = &world.districts[district];
        let town = d.town_pick.pick(&mut rng).copied().unwrap_or(0);
        let row = world.rows_local.pick(&mut rng).copied().unwrap_or(0);
        let industry = world.rows[row].codes.pick(&mut rng).map(|c| c.code.clone()).unwrap_or_else(|| "C".into());
        let (type_name, prefix) = types.pick(&mut rng).copied().unwrap_or(("民营企业", "91"));
        let size = sizes.pick(&mut rng).copied().unwrap_or(0);
        let credit = CreditCode::from_parts(prefix, &d.code[..6], &org_body(i, &mut rng))
            .map_err(|e| GenError::RefData(format!("统一社会信用代码：{e}")))?;
        let short: String = if d.name.contains("自治县") {
            d.name.chars().take(2).collect()
        } else {
            d.name.trim_end_matches(['区', '县']).to_string()
        };
        let word = NAME_WORDS[rng.gen_range(0..NAME_WORDS.len())];
        let name = match type_name {
            "个体工商户" => {
                format!("{short}{word}{}店", ["五金", "餐馆", "便利", "汽修", "装饰"][rng.gen_range(0..5)])
            }
            "农民专业合作社" => format!("{short}{word}种养殖专业合作社"),
            "机关事业单位" => format!("{short}{word}服务中心"),
            "社会组织" => format!("{short}{word}社会工作服务中心"),
            _ => format!("重庆{word}{}有限公司", NAME_KINDS[rng.gen_range(0..NAME_KINDS.len())]),
        };
        let status = if rng.gen_bool(DISHONEST) { "失信" } else { "正常" };
        let town_code = &d.towns[town].code;
        w.write_record([credit.as_str(), &name, type_name, &industry, town_code, SIZES[size].0, status])
            .map_err(csv_err(&emp_path))?;
        posting_weight.push((employers.len(), SIZES[size].2));
        employers.push(Employer { district, town, row, industry, credit_code: credit.as_str().to_string(), name });
    }
    w.flush().map_err(|source| GenError::Io { path: emp_path.clone(), source })?;

    let job_path = opts.out_dir.join("jobs.csv");
    let mut w = writer(&job_path)?;
    w.write_record(headers(JOB_COLUMNS)).map_err(csv_err(&job_path))?;
    let pick_employer = Weighted::new(posting_weight);
    let mut jobs = 0;
    if !employers.is_empty() {
        for i in 0..opts.jobs {
            let e = &employers[pick_employer.pick(&mut rng).copied().unwrap_or(0)];
            let d = &world.districts[e.district];
            let town =
                if rng.gen_bool(OTHER_TOWN) { d.town_pick.pick(&mut rng).copied().unwrap_or(e.town) } else { e.town };
            let town_code = d.towns[town].code.clone();
            let place = match RegionCode::parse(&town_code) {
                Ok(t) if rng.gen_bool(AT_VILLAGE) => {
                    let villages = refdata.children(t);
                    if villages.is_empty() {
                        town_code
                    } else {
                        villages[rng.gen_range(0..villages.len())].short()
                    }
                }
                _ => town_code,
            };
            let row = &world.rows[e.row];
            let occupation = row.occupations.pick(&mut rng).map(|o| &world.occupations[*o]);
            let (occ, title) = match occupation {
                Some(o) if !o.synonyms.is_empty() && rng.gen_bool(0.4) => {
                    (o.name.clone(), o.synonyms[rng.gen_range(0..o.synonyms.len())].clone())
                }
                Some(o) => (o.name.clone(), o.name.clone()),
                None => (String::new(), "普工".to_string()),
            };
            let kind = kinds.pick(&mut rng).copied().unwrap_or("全职");
            let (form, lo, hi) = match kind {
                "零工" => ("日薪", rng.gen_range(15..=30) * 10, 0),
                "非全日制" => ("时薪", rng.gen_range(20..=35), 0),
                _ if rng.gen_bool(0.03) => ("计件", 1, 3),
                _ => {
                    let lo = rng.gen_range(30..=80) * 100;
                    (("月薪"), lo, lo + rng.gen_range(5..=30) * 100)
                }
            };
            let hi = if hi == 0 { lo } else { hi };
            let board = boards.pick(&mut rng).copied().unwrap_or("不包");
            let age_min = if rng.gen_bool(0.8) { 18 } else { 16 };
            let age_max = age_max.pick(&mut rng).copied().unwrap_or(60);
            let reason = if age_max < 50 && rng.gen_bool(AGE_REASON) {
                AGE_REASONS[rng.gen_range(0..AGE_REASONS.len())]
            } else {
                ""
            };
            let sex = if rng.gen_bool(SEX_RESTRICTED) {
                if rng.gen_bool(0.5) {
                    "男"
                } else {
                    "女"
                }
            } else {
                ""
            };
            let headcount = 1 + (rng.gen::<f64>().powi(3) * 49.0) as u32;
            let title = match board {
                "包吃住" if rng.gen_bool(0.5) => format!("{title}（包吃住）"),
                _ => title,
            };
            let perks: Vec<&str> = (0..rng.gen_range(1..=3)).map(|_| PERKS[rng.gen_range(0..PERKS.len())]).collect();
            let place_name = RegionCode::parse(&place).map(|p| refdata.region_path(p)).unwrap_or_default();
            let description = format!(
                "{}招聘{title}{headcount}名。工作地点：{place_name}。{}，{}。",
                e.name,
                if board == "不包" { "不提供食宿".to_string() } else { board.to_string() },
                perks.join("、")
            );
            let from = opts.as_of.checked_sub_days(Days::new(rng.gen_range(0..45))).unwrap_or(opts.as_of);
            let to = opts.as_of.checked_add_days(Days::new(rng.gen_range(15..90))).unwrap_or(opts.as_of);
            let money = |y: i64| if form == "计件" { format!("{:.2}", y as f64 / 2.0) } else { y.to_string() };
            w.write_record([
                format!("J{i:07}").as_str(),
                &e.credit_code,
                &title,
                &occ,
                &e.industry,
                &place,
                &headcount.to_string(),
                form,
                &money(lo),
                &money(hi),
                kind,
                &age_min.to_string(),
                &age_max.to_string(),
                reason,
                sex,
                "",
                "",
                board,
                &description,
                &from.to_string(),
                &to.to_string(),
                "用人单位",
            ])
            .map_err(csv_err(&job_path))?;
            jobs += 1;
        }
    }
    w.flush().map_err(|source| GenError::Io { path: job_path.clone(), source })?;
    Ok(vec![(emp_path, opts.employers), (job_path, jobs)])
}
