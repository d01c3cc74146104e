//! Calibration of the synthetic population: the published figures and stated
//! assumptions it follows (each table cites its basis), and the samplers built from
//! them and the reference data once per run.

use chrono::{Datelike, Months, NaiveDate};
use jiujin_domain::refdata::{Area, RefData};
use jiujin_domain::region::{RegionCode, RegionLevel};
use jiujin_domain::registry::EmploymentStatus;
use rand::Rng;

use super::GenError;

/// Persons in the full city: 736.6万 migrant workers at the end of 2020 (seed 003 ch1.1).
pub const FULL_CITY_WORKERS: u64 = 7_366_000;

/// A discrete distribution over items with non-negative weights (cumulative table,
/// binary search).
#[derive(Debug, Clone)]
pub(super) struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<f64>,
}

impl<T> Weighted<T> {
    /// Items with weight ≤ 0 are dropped.
    pub(super) fn new(pairs: impl IntoIterator<Item = (T, f64)>) -> Weighted<T> {
        let mut items = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0.0;
        for (item, w) in pairs {
            if w > 0.0 && w.is_finite() {
                total += w;
                items.push(item);
                cumulative.push(total);
            }
        }
        Weighted { items, cumulative }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub(super) fn total(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }

    pub(super) fn pick_index<R: Rng>(&self, rng: &mut R) -> Option<usize> {
        let total = self.total();
        if self.items.is_empty() {
            return None;
        }
        let x = rng.gen::<f64>() * total;
        let i = self.cumulative.partition_point(|c| *c <= x);
        Some(i.min(self.items.len() - 1))
    }

    pub(super) fn pick<R: Rng>(&self, rng: &mut R) -> Option<&T> {
        self.pick_index(rng).map(|i| &self.items[i])
    }
}

// ---------------------------------------------------------------------------------
// Hukou geography
// ---------------------------------------------------------------------------------

/// Relative weight of a rural village (村民委员会) as a hukou place. Basis: migrant
/// workers (农民工) are by definition rural-hukou workers (国家统计局 农民工监测调查), so
/// villages carry the population; the 2023 division data names them `…村民委员会`.
pub(super) const RURAL_VILLAGE_WEIGHT: f64 = 1.0;
/// Relative weight of an urban community (`…社区居民委员会`, `…居民委员会`, 社区工作站):
/// some rural-hukou people are registered in communities of former towns (brief: ~0.2).
pub(super) const COMMUNITY_WEIGHT: f64 = 0.2;

/// Labour-export factor of the big sending districts (brief: ~1.3). Basis: the spec's
/// list of the main labour-exporting districts, all in 渝东北 and the north-west.
pub(super) const SENDING_DISTRICTS: &[&str] =
    &["万州区", "开州区", "云阳县", "忠县", "垫江县", "合川区", "奉节县", "梁平区", "丰都县"];
pub(super) const SENDING_FACTOR: f64 = 1.3;

/// Whether a village/community name denotes a rural village.
pub(super) fn is_rural_village(name: &str) -> bool {
    name.ends_with("村民委员会") || name.ends_with("村委会")
}

/// Where people from other districts work when employed in Chongqing: relative
/// attraction of each district. Basis (an assumption, no published table was found):
/// jobs concentrate in the nine districts of 中心城区 (largest: 渝北 with 两江新区, 九龙坡 and
/// 沙坪坝 with 高新区, 江北); the 主城新区 manufacturing bases (江津, 涪陵, 永川, 璧山, 长寿 …)
/// follow; 万州 is the regional centre of 渝东北. Districts not listed weigh 0.6.
pub(super) const WORK_ATTRACTION: &[(&str, f64)] = &[
    ("渝北区", 12.0),
    ("九龙坡区", 10.0),
    ("沙坪坝区", 9.0),
    ("江北区", 8.0),
    ("南岸区", 7.0),
    ("巴南区", 6.0),
    ("渝中区", 4.0),
    ("北碚区", 4.0),
    ("大渡口区", 2.5),
    ("江津区", 4.0),
    ("涪陵区", 3.5),
    ("永川区", 3.5),
    ("璧山区", 3.0),
    ("长寿区", 2.5),
    ("合川区", 2.5),
    ("綦江区", 2.0),
    ("大足区", 2.0),
    ("荣昌区", 2.0),
    ("铜梁区", 2.0),
    ("潼南区", 1.5),
    ("南川区", 1.2),
    ("万州区", 3.0),
];
pub(super) const DEFAULT_ATTRACTION: f64 = 0.6;

/// Weight of a town as a work place by its kind: streets (街道) are urban and hold most
/// jobs, then towns (镇), then townships (乡). Assumption.
pub(super) fn town_work_weight(name: &str) -> f64 {
    if name.ends_with("街道") {
        3.0
    } else if name.ends_with('镇') {
        1.0
    } else {
        0.4
    }
}

/// Sichuan address codes of the former 重庆市 (the 5102xx block) that numbers issued
/// before 1997 carry (SPEC §1). The per-district assignment is not modelled: a person
/// with an old number gets one of these at random.
pub(super) const OLD_SICHUAN_CODES: &[&str] = &[
    "510202", "510203", "510211", "510212", "510213", "510214", "510215", "510216", "510217", "510221", "510222",
    "510223", "510224", "510225", "510226", "510227", "510228", "510229", "510230",
];
/// Last birth year whose numbers may carry an old code (Chongqing became a
/// municipality in 1997) and the share of such people whose number still does (brief).
pub(super) const OLD_CODE_LAST_BIRTH_YEAR: i32 = 1996;
pub(super) const OLD_CODE_SHARE: f64 = 0.4;

// ---------------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------------

/// Age pyramid of migrant workers: (first age, last age, weight in %) of the ages drawn
/// for one-person households, couples and parents. Target basis: 国家统计局
/// 《2020年农民工监测调查报告》 (16–20: 1.6 %, 21–30: 21.1 %, 31–40: 26.7 %, 41–50: 24.2 %,
/// over 50: 26.4 %) moved a little older because migrant workers keep ageing (brief: peak
/// 30–50, 50+ about 30 %), capped at 70. Adult children are drawn 20–35 years below their
/// parents, which adds people in their twenties and pushes parents older, so these
/// draw weights are younger-centred than the outcome; the outcome at 100,000 rows is
/// 16–19 2.4 %, 20s 20.9 %, 30s 21.3 %, 40s 25.6 %, 50s 21.7 %, 60–70 8.1 % (50+ 29.8 %).
pub(super) const AGE_BINS: &[(u32, u32, f64)] =
    &[(16, 19, 2.0), (20, 29, 13.0), (30, 39, 32.0), (40, 49, 26.0), (50, 59, 21.0), (60, 70, 6.0)];
pub(super) const MIN_AGE: u32 = 16;

/// The pyramid's weight of one year of age (0 outside 16–70).
pub(super) fn age_weight(age: u32) -> f64 {
    AGE_BINS.iter().find(|(lo, hi, _)| (*lo..=*hi).contains(&age)).map_or(0.0, |(lo, hi, w)| w / f64::from(hi - lo + 1))
}
pub(super) const MAX_AGE: u32 = 70;

/// Household size in registered workers (1–4) and its weight in %. Assumption chosen
/// so that the male share comes out near 64 % (国家统计局 2020: 男性 65.2 %): many men work
/// away alone, so one-person registrations are the most common.
pub(super) const HOUSEHOLD_SIZES: &[(usize, f64)] = &[(1, 45.0), (2, 33.0), (3, 15.0), (4, 7.0)];
/// Share of two-person households that are a couple (else a parent and an adult child).
pub(super) const COUPLE_SHARE_OF_PAIRS: f64 = 0.55;
/// Share of three-person households that are a couple and a child (else a parent and
/// two children).
pub(super) const COUPLE_SHARE_OF_TRIPLES: f64 = 0.75;
/// Youngest age of a child registered with a parent, and youngest age of the younger
/// parent in such a household. Assumption: 16–17-year-olds are mostly at school, so
/// adult children (18+) make up the second generation; parents are then 20+ years older.
pub(super) const CHILD_MIN_AGE: u32 = 18;
pub(super) const PARENT_MIN_AGE: u32 = 40;
/// Male share of one-person households, of single parents and of adult children.
pub(super) const MALE_SHARE_SINGLE: f64 = 0.80;
pub(super) const MALE_SHARE_SINGLE_PARENT: f64 = 0.65;
pub(super) const MALE_SHARE_CHILD: f64 = 0.68;

/// Status mix under 60 and from 60 on: (status, %). Basis (brief): overall 市外就业 35 %,
/// 市内就业 48 %, 灵活就业 7 %, 自主创业 3 %, 失业 4 %, 不在劳动力市场 3 % skewed to 60+.
/// With 8 % of people aged 60+ the two rows below give exactly that overall mix:
/// 0.92 × under-60 + 0.08 × 60-plus.
pub(super) const STATUS_UNDER_60: &[(EmploymentStatus, f64)] = &[
    (EmploymentStatus::OutsideEmployed, 36.3),
    (EmploymentStatus::LocalEmployed, 49.04),
    (EmploymentStatus::Flexible, 6.74),
    (EmploymentStatus::Entrepreneur, 3.09),
    (EmploymentStatus::Unemployed, 3.74),
    (EmploymentStatus::NotInLaborForce, 1.09),
];
pub(super) const STATUS_60_PLUS: &[(EmploymentStatus, f64)] = &[
    (EmploymentStatus::OutsideEmployed, 20.0),
    (EmploymentStatus::LocalEmployed, 36.0),
    (EmploymentStatus::Flexible, 10.0),
    (EmploymentStatus::Entrepreneur, 2.0),
    (EmploymentStatus::Unemployed, 7.0),
    (EmploymentStatus::NotInLaborForce, 25.0),
];
/// Share of 市内就业 people working outside their hukou district (brief: about half;
/// with 35 % 市外 this gives the ~60 % working away from home).
pub(super) const LOCAL_OUTSIDE_DISTRICT: f64 = 0.5;
/// Share of in-district 市内就业 people working in their own town (brief: about half).
pub(super) const LOCAL_SAME_TOWN: f64 = 0.5;
/// Share of 市外就业 couples working in the same province (assumption: couples migrate
/// together).
pub(super) const COUPLE_SAME_PROVINCE: f64 = 0.7;

/// Destinations of Chongqing workers employed outside the city, by province name, in %.
/// Basis: the order the brief gives (广东, 浙江, 四川, 福建, 江苏, 上海, 北京, 贵州, 湖北,
/// 新疆 …), which matches the usual reporting of Chongqing's labour export (the Pearl
/// and Yangtze River deltas first, then neighbouring provinces); the magnitudes are
/// an assumption. Provinces not listed get 0.3 each (not Chongqing itself).
pub(super) const DESTINATIONS: &[(&str, f64)] = &[
    ("广东省", 30.0),
    ("浙江省", 15.0),
    ("四川省", 10.0),
    ("福建省", 8.0),
    ("江苏省", 7.0),
    ("上海市", 5.0),
    ("北京市", 4.0),
    ("贵州省", 4.0),
    ("湖北省", 2.5),
    ("新疆维吾尔自治区", 2.5),
    ("云南省", 2.0),
    ("陕西省", 2.0),
    ("湖南省", 1.5),
    ("天津市", 1.0),
    ("山东省", 1.0),
    ("河南省", 0.8),
    ("西藏自治区", 0.6),
    ("海南省", 0.6),
];
pub(super) const DEFAULT_DESTINATION: f64 = 0.3;
/// Hong Kong, Macao and Taiwan are not destinations of the registry's migrant workers.
pub(super) const NO_DESTINATION: &[i16] = &[50, 71, 81, 82];

/// Multipliers of the annex-2 row targets by status (row number, factor). The base mix
/// is the annex-2 targets themselves (seed 001 annex 2, new near-home jobs: 制造业
/// 130,000 … 其他 60,000). 市外就业 shifts weight to 建筑业 (国家统计局 2020: construction is
/// 18.3 % of all migrant workers and the largest sector of those working far from home;
/// ×10 makes it about a quarter) and away from farming; 灵活就业 leans to delivery,
/// domestic services and catering; 自主创业 to shops, catering, farming and services.
pub(super) const ROW_FACTORS_OUTSIDE: &[(u8, f64)] = &[(1, 0.3), (3, 10.0)];
pub(super) const ROW_FACTORS_FLEXIBLE: &[(u8, f64)] = &[(2, 0.3), (3, 3.0), (5, 3.0), (6, 2.0), (10, 3.0)];
pub(super) const ROW_FACTORS_ENTREPRENEUR: &[(u8, f64)] = &[(1, 3.0), (2, 0.2), (4, 3.0), (6, 3.0), (10, 3.0)];

/// Relative weight of a GB/T division (or group) within its annex-2 row; codes not
/// listed weigh 1. Basis: Chongqing's pillar industries (automobiles 36, electronics 39,
/// motorcycles in 37, equipment 34/35/38, materials 30–33, food 13–15) for 制造业; house
/// building and civil works for 建筑业; retail over wholesale, catering over lodging,
/// road freight and express delivery for transport; environmental sanitation (78),
/// care (84, 85) and utilities for 其他. Party and state organs (91–95) and
/// international organisations (97) employ no migrant workers through the market.
pub(super) const CODE_WEIGHTS: &[(&str, f64)] = &[
    ("01", 50.0),
    ("02", 8.0),
    ("03", 30.0),
    ("04", 7.0),
    ("05", 5.0),
    ("36", 20.0),
    ("39", 20.0),
    ("37", 8.0),
    ("38", 6.0),
    ("30", 6.0),
    ("13", 6.0),
    ("34", 5.0),
    ("33", 5.0),
    ("14", 4.0),
    ("18", 4.0),
    ("29", 4.0),
    ("35", 3.0),
    ("21", 3.0),
    ("26", 3.0),
    ("31", 2.0),
    ("32", 2.0),
    ("15", 2.0),
    ("47", 45.0),
    ("48", 25.0),
    ("49", 15.0),
    ("50", 14.0),
    ("748", 1.0),
    ("51", 25.0),
    ("52", 75.0),
    ("54", 45.0),
    ("60", 30.0),
    ("59", 15.0),
    ("55", 4.0),
    ("58", 3.0),
    ("53", 2.0),
    ("61", 25.0),
    ("62", 75.0),
    ("63", 10.0),
    ("64", 40.0),
    ("65", 50.0),
    ("71", 10.0),
    ("72", 90.0),
    ("80", 50.0),
    ("81", 35.0),
    ("82", 15.0),
    ("86", 5.0),
    ("87", 5.0),
    ("88", 30.0),
    ("89", 20.0),
    ("90", 40.0),
    ("78", 25.0),
    ("84", 10.0),
    ("85", 8.0),
    ("44", 8.0),
    ("06", 6.0),
    ("83", 5.0),
    ("77", 5.0),
    ("46", 4.0),
    ("76", 3.0),
    ("45", 2.0),
    ("96", 2.0),
    ("91", 0.0),
    ("92", 0.0),
    ("93", 0.0),
    ("94", 0.0),
    ("95", 0.0),
    ("97", 0.0),
];
/// Share of industry cells written as the section letter instead of the division
/// (staff often only know the 门类); only for rows that are exactly one section.
pub(super) const SECTION_LETTER_SHARE: f64 = 0.10;
/// Share of employed people with no industry recorded (assumption).
pub(super) const NO_INDUSTRY_SHARE: f64 = 0.03;

/// Occupations by annex-2 row (row number, [(occupation name, weight)]). Names are
/// occupation names of `data/occupations/occupations.csv`; a missing one is an error.
/// Basis: the trades the occupation table lists for each kind of work.
pub(super) const ROW_OCCUPATIONS: &[(u8, &[(&str, f64)])] = &[
    (
        1,
        &[
            ("农艺工", 30.0),
            ("园艺工", 20.0),
            ("家畜饲养员", 15.0),
            ("家禽饲养员", 6.0),
            ("水生动物饲养工", 5.0),
            ("茶园工", 5.0),
            ("食用菌生产工", 4.0),
            ("农机驾驶操作员", 5.0),
            ("农作物植保员", 3.0),
            ("种苗繁育员", 2.0),
            ("造林更新工", 2.0),
            ("森林抚育工", 3.0),
        ],
    ),
    (
        2,
        &[
            ("普工", 30.0),
            ("机床操作工", 10.0),
            ("焊工", 8.0),
            ("质检员", 6.0),
            ("包装工", 6.0),
            ("钳工", 5.0),
            ("电子设备装配工", 5.0),
            ("物料整理员", 3.0),
            ("电工", 3.0),
            ("起重装卸机械操作工", 3.0),
            ("装卸搬运工", 3.0),
            ("仓储管理员", 2.0),
        ],
    ),
    (
        3,
        &[
            ("建筑普工", 18.0),
            ("砌筑工", 10.0),
            ("钢筋工", 10.0),
            ("木工", 10.0),
            ("混凝土工", 8.0),
            ("装饰装修工", 8.0),
            ("架子工", 6.0),
            ("抹灰工", 6.0),
            ("油漆工", 5.0),
            ("水电工", 5.0),
            ("焊工", 4.0),
            ("电工", 3.0),
            ("防水工", 3.0),
            ("挖掘铲运和桩工机械司机", 3.0),
            ("筑路工", 3.0),
            ("塔吊司机", 2.0),
            ("电气设备安装工", 2.0),
            ("管工", 2.0),
            ("钢结构安装工", 2.0),
            ("建筑门窗幕墙安装工", 2.0),
            ("乡村建设工匠", 2.0),
            ("信号工", 1.0),
            ("测量放线工", 1.0),
            ("机械设备安装工", 1.0),
            ("装配式建筑施工员", 1.0),
            ("电梯安装维修工", 1.0),
        ],
    ),
    (
        4,
        &[
            ("商品营业员", 40.0),
            ("收银员", 15.0),
            ("理货员", 15.0),
            ("送货员", 10.0),
            ("装卸搬运工", 8.0),
            ("仓储管理员", 5.0),
        ],
    ),
    (
        5,
        &[
            ("道路货运汽车驾驶员", 25.0),
            ("快递员", 20.0),
            ("网约配送员", 15.0),
            ("装卸搬运工", 10.0),
            ("快件处理员", 8.0),
            ("仓储管理员", 6.0),
            ("道路客运汽车驾驶员", 5.0),
            ("网约车驾驶员", 5.0),
            ("出租汽车驾驶员", 4.0),
            ("起重装卸机械操作工", 3.0),
            ("理货员", 2.0),
        ],
    ),
    (
        6,
        &[
            ("餐厅服务员", 30.0),
            ("中式烹调师", 20.0),
            ("帮厨", 18.0),
            ("客房服务员", 10.0),
            ("中式面点师", 8.0),
            ("收银员", 5.0),
            ("保洁员", 4.0),
        ],
    ),
    (7, &[("电气设备安装工", 30.0), ("电工", 20.0), ("家电维修工", 10.0), ("仓储管理员", 10.0)]),
    (8, &[("保安员", 30.0), ("物业管理员", 25.0), ("保洁员", 25.0), ("绿化工", 10.0), ("电工", 5.0), ("水电工", 5.0)]),
    (9, &[("保安员", 40.0), ("保洁员", 20.0), ("普工", 20.0), ("装卸搬运工", 10.0), ("仓储管理员", 5.0)]),
    (
        10,
        &[
            ("家政服务员", 25.0),
            ("保洁员", 15.0),
            ("母婴护理员", 10.0),
            ("汽车维修工", 10.0),
            ("育婴员", 8.0),
            ("美发师", 8.0),
            ("家电维修工", 6.0),
            ("养老护理员", 5.0),
            ("美容师", 5.0),
            ("洗车工", 5.0),
            ("摩托车维修工", 4.0),
        ],
    ),
    (11, &[("保安员", 20.0), ("保洁员", 20.0), ("餐厅服务员", 15.0), ("收银员", 15.0), ("绿化工", 5.0)]),
    (
        12,
        &[
            ("保安员", 25.0),
            ("保洁员", 25.0),
            ("普工", 15.0),
            ("电工", 10.0),
            ("装卸搬运工", 10.0),
            ("中式烹调师", 5.0),
        ],
    ),
];

/// Occupations specific to a division, used for `CODE_OCCUPATION_SHARE` of its people
/// (the rest take the row's list).
pub(super) const CODE_OCCUPATIONS: &[(&str, &[(&str, f64)])] = &[
    ("01", &[("农艺工", 50.0), ("园艺工", 30.0), ("茶园工", 10.0), ("食用菌生产工", 10.0)]),
    ("02", &[("造林更新工", 50.0), ("森林抚育工", 50.0)]),
    ("03", &[("家畜饲养员", 70.0), ("家禽饲养员", 30.0)]),
    ("04", &[("水生动物饲养工", 1.0)]),
    ("05", &[("农机驾驶操作员", 50.0), ("农作物植保员", 30.0), ("种苗繁育员", 20.0)]),
    ("13", &[("食品加工工", 1.0)]),
    ("14", &[("食品加工工", 1.0)]),
    ("15", &[("食品加工工", 1.0)]),
    ("18", &[("缝纫工", 1.0)]),
    ("21", &[("家具制作工", 1.0)]),
    ("29", &[("注塑工", 1.0)]),
    ("36", &[("汽车装调工", 1.0)]),
    ("37", &[("摩托车装配工", 1.0)]),
    ("39", &[("电子设备装配工", 1.0)]),
    ("48", &[("筑路工", 40.0), ("挖掘铲运和桩工机械司机", 30.0), ("混凝土工", 30.0)]),
    ("50", &[("装饰装修工", 40.0), ("油漆工", 20.0), ("水电工", 20.0), ("木工", 20.0)]),
    ("61", &[("客房服务员", 60.0), ("保洁员", 40.0)]),
    ("80", &[("家政服务员", 40.0), ("保洁员", 20.0), ("母婴护理员", 15.0), ("育婴员", 10.0), ("美发师", 15.0)]),
    ("81", &[("汽车维修工", 50.0), ("摩托车维修工", 20.0), ("家电维修工", 20.0), ("洗车工", 10.0)]),
    ("44", &[("电工", 70.0), ("电气设备安装工", 30.0)]),
    ("46", &[("管工", 1.0)]),
    ("78", &[("环卫工", 60.0), ("绿化工", 40.0)]),
    ("84", &[("医疗护理员", 70.0), ("保洁员", 30.0)]),
    ("85", &[("养老护理员", 1.0)]),
];
pub(super) const CODE_OCCUPATION_SHARE: f64 = 0.6;
/// Share of people with no occupation recorded (brief: maybe 10 %), and of occupation
/// cells written as a free-text synonym instead of the occupation name.
pub(super) const NO_OCCUPATION_SHARE: f64 = 0.10;
pub(super) const SYNONYM_SHARE: f64 = 0.3;
/// Share of unemployed people who still name the occupation they seek.
pub(super) const UNEMPLOYED_OCCUPATION_SHARE: f64 = 0.5;

/// 职业技能等级 among people with an occupation: share with a level, and the level mix
/// (mostly 五级/四级/三级; brief: empty for ~60 % overall).
pub(super) const SKILL_SHARE: f64 = 0.45;
pub(super) const SKILL_LEVELS: &[(u8, f64)] = &[(5, 38.0), (4, 34.0), (3, 20.0), (2, 6.0), (1, 2.0)];

/// Expected monthly wage: share filled (brief: ~70 %) and a triangular distribution in
/// hundreds of yuan (min 2,500, mode 4,500, max 9,000). Basis: 国家统计局 migrant
/// workers' average monthly income 4,072 yuan (2020) and 4,780 yuan (2023);
/// expectations sit a little above. Skilled workers (level 1–3) ask 500 yuan more.
pub(super) const WAGE_SHARE: f64 = 0.7;
pub(super) const WAGE_MIN_HUNDREDS: f64 = 25.0;
pub(super) const WAGE_MODE_HUNDREDS: f64 = 45.0;
pub(super) const WAGE_MAX_HUNDREDS: f64 = 90.0;

/// 意向用工形式 of job seekers: the share who state one, and the mix under and over
/// `OLDER_AGE`. No published figure gives this split: the mixes are assumptions that
/// keep full-time work the common wish and give older workers a larger share of 零工
/// and seasonal work (seed 001 §(八) asks for posts that suit older workers' health;
/// it gives no figures either).
pub(super) const WANTED_KIND_SHARE: f64 = 0.6;
pub(super) const OLDER_AGE: u32 = 50;
pub(super) const WANTED_KINDS: &[(jiujin_domain::jobs::JobKind, f64)] = &[
    (jiujin_domain::jobs::JobKind::FullTime, 70.0),
    (jiujin_domain::jobs::JobKind::PartTime, 8.0),
    (jiujin_domain::jobs::JobKind::Seasonal, 12.0),
    (jiujin_domain::jobs::JobKind::DayWork, 10.0),
];
pub(super) const WANTED_KINDS_OLDER: &[(jiujin_domain::jobs::JobKind, f64)] = &[
    (jiujin_domain::jobs::JobKind::FullTime, 40.0),
    (jiujin_domain::jobs::JobKind::PartTime, 10.0),
    (jiujin_domain::jobs::JobKind::Seasonal, 22.0),
    (jiujin_domain::jobs::JobKind::DayWork, 28.0),
];

/// Group flags (人员类别). 脱贫人口 and 低保 are household properties; the shares are by
/// functional area so that the overall share is near the brief's 8 % and 2 % while
/// poverty concentrates where it was (渝东北, 渝东南: the former national poverty counties).
pub(super) fn poverty_share(area: Option<Area>) -> f64 {
    match area {
        Some(Area::MetroCore) => 0.045,
        Some(Area::Northeast) => 0.10,
        Some(Area::Southeast) => 0.13,
        None => 0.08,
    }
}
pub(super) const DIBAO_SHARE: f64 = 0.02;
/// 零就业家庭: share of households (brief: ~0.3 % of people); every member is then 失业
/// or 不在劳动力市场.
pub(super) const ZERO_EMPLOYMENT_SHARE: f64 = 0.003;
pub(super) const DISABLED_SHARE: f64 = 0.015;
/// 退役军人 ~2 %, 90 % of them men (0.9 × 2 % / 64 % men; 0.1 × 2 % / 36 % women), only
/// from age 20, so the shares among those are a little higher.
pub(super) const VETERAN_SHARE_MALE: f64 = 0.032;
pub(super) const VETERAN_SHARE_FEMALE: f64 = 0.0065;
/// 就业困难人员 (~3 % overall): likely for disabled and unemployed people and members
/// of zero-employment households, rare otherwise.
pub(super) const DIFFICULTY_IF_DISABLED: f64 = 0.5;
pub(super) const DIFFICULTY_IF_UNEMPLOYED: f64 = 0.2;
pub(super) const DIFFICULTY_IF_ZERO_HOUSEHOLD: f64 = 0.6;
pub(super) const DIFFICULTY_IF_OLDER: f64 = 0.03;
pub(super) const DIFFICULTY_OTHERWISE: f64 = 0.008;
/// 返乡人员: ~10 % of those in Chongqing now (status other than 市外就业).
pub(super) const RETURNEE_SHARE: f64 = 0.10;

/// Insurance: 养老 ~70 %, 医疗 ~95 % of everyone; 工伤 ~30 % of the employed; 失业 ~20 %
/// of the employed, mostly those who also have 工伤 (both come with a formal job).
pub(super) const PENSION_SHARE: f64 = 0.70;
pub(super) const MEDICAL_SHARE: f64 = 0.95;
pub(super) const INJURY_SHARE_EMPLOYED: f64 = 0.30;
pub(super) const UNEMPLOYMENT_IF_INJURY: f64 = 0.6;
pub(super) const UNEMPLOYMENT_WITHOUT_INJURY: f64 = 0.03;

/// Service needs: 求职 for every unemployed person and ~10 % of others; 培训 ~8 %;
/// 创业 ~2 % (more among returnees and entrepreneurs); 法律援助 ~0.5 %; 政策咨询 ~5 %;
/// 职业指导 ~3 %.
pub(super) const NEED_JOB_OTHERS: f64 = 0.10;
pub(super) const NEED_TRAINING: f64 = 0.08;
pub(super) const NEED_STARTUP_BASE: f64 = 0.012;
pub(super) const NEED_STARTUP_KEEN: f64 = 0.06;
pub(super) const NEED_LEGAL: f64 = 0.005;
pub(super) const NEED_POLICY: f64 = 0.05;
pub(super) const NEED_GUIDANCE: f64 = 0.03;

/// 登记失业: share of unemployed people with a registration date, which lies within
/// the last 18 months (548 days) before the data date and not before age 16.
pub(super) const REGISTERED_UNEMPLOYED_SHARE: f64 = 0.5;
pub(super) const REGISTRATION_WINDOW_DAYS: i64 = 548;

/// Mobile phones: share with none (brief: ~5 %) and real mobile prefixes (13x, 15x,
/// 17x, 18x, 19x) with weights roughly following the carriers' number blocks in use.
pub(super) const NO_PHONE_SHARE: f64 = 0.05;
pub(super) const PHONE_PREFIXES: &[(u16, f64)] = &[
    (130, 3.0),
    (131, 3.0),
    (132, 3.0),
    (133, 3.0),
    (134, 3.0),
    (135, 5.0),
    (136, 4.0),
    (137, 4.0),
    (138, 5.0),
    (139, 5.0),
    (150, 3.0),
    (151, 3.0),
    (152, 3.0),
    (153, 2.0),
    (155, 2.0),
    (156, 2.0),
    (157, 3.0),
    (158, 3.0),
    (159, 3.0),
    (173, 2.0),
    (175, 2.0),
    (176, 2.0),
    (177, 2.0),
    (178, 2.0),
    (180, 2.0),
    (181, 2.0),
    (182, 3.0),
    (183, 3.0),
    (184, 1.0),
    (185, 2.0),
    (186, 3.0),
    (187, 3.0),
    (188, 3.0),
    (189, 3.0),
    (191, 1.0),
    (193, 1.0),
    (195, 1.0),
    (198, 2.0),
    (199, 2.0),
];

/// Likely duplicates: share of persons that get a second row with the same name, birth
/// date and phone but another identity number (brief: ~0.2 %), and how many rows later
/// the second row comes.
pub(super) const DUPLICATE_SHARE: f64 = 0.002;
pub(super) const DUPLICATE_DELAY: (u64, u64) = (50, 5_000);

// ---------------------------------------------------------------------------------
// The world: samplers over the reference data
// ---------------------------------------------------------------------------------

/// A hukou village with what a row needs of it.
pub(super) struct Village {
    pub code: String,
    pub district: usize,
    /// Index of its town in the district's `towns`.
    pub town: usize,
}

pub(super) struct Town {
    pub code: String,
}

pub(super) struct District {
    pub code: String,
    pub name: String,
    pub area: Option<Area>,
    pub towns: Vec<Town>,
    pub town_pick: Weighted<usize>,
}

/// An occupation choice: the name and its synonyms (from the reference data).
pub(super) struct OccupationChoice {
    pub name: String,
    pub synonyms: Vec<String>,
}

/// One GB/T code of an annex-2 row, with the occupations specific to it.
pub(super) struct IndustryCode {
    pub code: String,
    pub occupations: Option<Weighted<usize>>,
}

/// One annex-2 row.
pub(super) struct IndustryRow {
    /// The section letter when the row is exactly one section (else None).
    pub section: Option<String>,
    pub codes: Weighted<IndustryCode>,
    pub occupations: Weighted<usize>,
}

pub(super) struct World {
    pub villages: Vec<Village>,
    pub village_pick: Weighted<usize>,
    pub districts: Vec<District>,
    pub work_district_pick: Weighted<usize>,
    pub provinces: Weighted<String>,
    pub rows: Vec<IndustryRow>,
    pub rows_local: Weighted<usize>,
    pub rows_outside: Weighted<usize>,
    pub rows_flexible: Weighted<usize>,
    pub rows_entrepreneur: Weighted<usize>,
    pub occupations: Vec<OccupationChoice>,
    pub ages: Weighted<u32>,
    pub household_sizes: Weighted<usize>,
    /// For each age 0..=MAX_AGE: (latest birth date as days from CE, number of birth days
    /// giving that age on the data date).
    pub birth_ranges: Vec<(i32, i32)>,
    pub status_young: Weighted<EmploymentStatus>,
    pub status_old: Weighted<EmploymentStatus>,
    pub phone_prefixes: Weighted<u16>,
    pub skill_levels: Weighted<u8>,
}

fn missing(what: String) -> GenError {
    GenError::RefData(what)
}

impl World {
    pub(super) fn build(refdata: &RefData, as_of: NaiveDate) -> Result<World, GenError> {
        let (villages, village_pick, districts) = geography(refdata)?;
        let work_district_pick = Weighted::new(districts.iter().enumerate().map(|(i, d)| {
            let w = WORK_ATTRACTION.iter().find(|(n, _)| *n == d.name).map_or(DEFAULT_ATTRACTION, |(_, w)| *w);
            (i, w)
        }));
        for (name, _) in WORK_ATTRACTION {
            if !districts.iter().any(|d| d.name == *name) {
                return Err(missing(format!("缺少区县“{name}”")));
            }
        }

        for (name, _) in DESTINATIONS {
            if refdata.province(name).is_none() {
                return Err(missing(format!("缺少省份“{name}”")));
            }
        }
        let provinces = Weighted::new(
            refdata.provinces().iter().filter(|(code, _)| !NO_DESTINATION.contains(code)).map(|(_, name)| {
                let w = DESTINATIONS.iter().find(|(n, _)| n == name).map_or(DEFAULT_DESTINATION, |(_, w)| *w);
                (name.clone(), w)
            }),
        );
        if provinces.is_empty() {
            return Err(missing("没有省份".to_string()));
        }

        let mut occupations: Vec<OccupationChoice> = Vec::new();
        let mut occupation_index = |name: &str| -> Result<usize, GenError> {
            if let Some(i) = occupations.iter().position(|o| o.name == name) {
                return Ok(i);
            }
            let occ = refdata
                .occupation(name)
                .filter(|o| o.name == name)
                .ok_or_else(|| missing(format!("缺少职业“{name}”")))?;
            occupations.push(OccupationChoice { name: occ.name.clone(), synonyms: occ.synonyms.clone() });
            Ok(occupations.len() - 1)
        };

        let mut rows = Vec::new();
        let mut row_numbers = Vec::new();
        for row in refdata.annex2_rows() {
            let mut codes = Vec::new();
            for code in &row.codes {
                if refdata.industry_by_code(code).is_none() {
                    return Err(missing(format!("缺少行业代码 {code}")));
                }
                let w = CODE_WEIGHTS.iter().find(|(c, _)| c == code).map_or(1.0, |(_, w)| *w);
                let occupations = match CODE_OCCUPATIONS.iter().find(|(c, _)| c == code) {
                    Some((_, list)) => {
                        let mut v = Vec::new();
                        for (name, w) in *list {
                            v.push((occupation_index(name)?, *w));
                        }
                        Some(Weighted::new(v))
                    }
                    None => None,
                };
                codes.push((IndustryCode { code: code.clone(), occupations }, w));
            }
            let sections: Vec<&str> = row.codes.iter().filter_map(|c| refdata.industry_section(c)).collect();
            let section = match sections.first() {
                Some(first) if sections.iter().all(|s| s == first) => Some(first.to_string()),
                // 建筑业（含勘察设计业等）: section E plus group 748 — E stands for the row.
                _ if row.codes.iter().any(|c| c == "47") => Some("E".to_string()),
                _ => None,
            };
            let list = ROW_OCCUPATIONS
                .iter()
                .find(|(n, _)| *n == row.number)
                .map(|(_, l)| *l)
                .ok_or_else(|| missing(format!("附件2第{}行没有对应的职业表", row.number)))?;
            let mut occ = Vec::new();
            for (name, w) in list {
                occ.push((occupation_index(name)?, *w));
            }
            rows.push(IndustryRow { section, codes: Weighted::new(codes), occupations: Weighted::new(occ) });
            row_numbers.push((row.number, row.annual_target as f64));
        }
        if rows.is_empty() {
            return Err(missing("附件2行业目标为空".to_string()));
        }
        let row_mix = |factors: &[(u8, f64)]| {
            Weighted::new(row_numbers.iter().enumerate().map(|(i, (n, target))| {
                let f = factors.iter().find(|(r, _)| r == n).map_or(1.0, |(_, f)| *f);
                (i, target * f)
            }))
        };
        let rows_local = row_mix(&[]);
        let rows_outside = row_mix(ROW_FACTORS_OUTSIDE);
        let rows_flexible = row_mix(ROW_FACTORS_FLEXIBLE);
        let rows_entrepreneur = row_mix(ROW_FACTORS_ENTREPRENEUR);

        let ages = Weighted::new((MIN_AGE..=MAX_AGE).map(|a| (a, age_weight(a))));
        let birth_ranges = birth_ranges(as_of)?;

        Ok(World {
            villages,
            village_pick,
            districts,
            work_district_pick,
            provinces,
            rows,
            rows_local,
            rows_outside,
            rows_flexible,
            rows_entrepreneur,
            occupations,
            ages,
            household_sizes: Weighted::new(HOUSEHOLD_SIZES.iter().copied()),
            birth_ranges,
            status_young: Weighted::new(STATUS_UNDER_60.iter().copied()),
            status_old: Weighted::new(STATUS_60_PLUS.iter().copied()),
            phone_prefixes: Weighted::new(PHONE_PREFIXES.iter().copied()),
            skill_levels: Weighted::new(SKILL_LEVELS.iter().copied()),
        })
    }
}

type Geography = (Vec<Village>, Weighted<usize>, Vec<District>);

/// Districts with their towns, and the villages weighted as hukou places.
fn geography(refdata: &RefData) -> Result<Geography, GenError> {
    let mut districts = Vec::new();
    let mut villages = Vec::new();
    let mut weights = Vec::new();
    let mut district_codes: Vec<RegionCode> = refdata.districts().to_vec();
    district_codes.sort();
    for name in SENDING_DISTRICTS {
        let found = district_codes.iter().any(|c| refdata.region(*c).is_some_and(|r| r.name == *name));
        if !found {
            return Err(missing(format!("缺少区县“{name}”")));
        }
    }
    for dcode in district_codes {
        let Some(dregion) = refdata.region(dcode) else {
            continue;
        };
        let factor = if SENDING_DISTRICTS.contains(&dregion.name.as_str()) { SENDING_FACTOR } else { 1.0 };
        let di = districts.len();
        let mut towns = Vec::new();
        let mut town_weights = Vec::new();
        let mut town_codes: Vec<RegionCode> = refdata.children(dcode).to_vec();
        town_codes.sort();
        for tcode in town_codes {
            let Some(town) = refdata.region(tcode) else {
                continue;
            };
            if town.level != RegionLevel::Town {
                continue;
            }
            let ti = towns.len();
            town_weights.push((ti, town_work_weight(&town.name)));
            towns.push(Town { code: tcode.short() });
            let mut village_codes: Vec<RegionCode> = refdata.children(tcode).to_vec();
            village_codes.sort();
            for vcode in village_codes {
                let Some(v) = refdata.region(vcode) else {
                    continue;
                };
                if v.level != RegionLevel::Village {
                    continue;
                }
                let w = if is_rural_village(&v.name) { RURAL_VILLAGE_WEIGHT } else { COMMUNITY_WEIGHT };
                weights.push((villages.len(), w * factor));
                villages.push(Village { code: vcode.short(), district: di, town: ti });
            }
        }
        if towns.is_empty() {
            continue;
        }
        districts.push(District {
            code: dcode.short(),
            name: dregion.name.clone(),
            area: refdata.area(dcode),
            towns,
            town_pick: Weighted::new(town_weights),
        });
    }
    if villages.is_empty() {
        return Err(missing("没有村（社区）区划".to_string()));
    }
    Ok((villages, Weighted::new(weights), districts))
}

/// For each age 0..=MAX_AGE the birth dates that give exactly that age on `as_of`:
/// (as_of − age years] back to (as_of − (age+1) years), exclusive.
fn birth_ranges(as_of: NaiveDate) -> Result<Vec<(i32, i32)>, GenError> {
    let bad = || GenError::BadDate(as_of);
    let mut out = Vec::new();
    for age in 0..=MAX_AGE {
        let latest = as_of.checked_sub_months(Months::new(12 * age)).ok_or_else(bad)?;
        let before = as_of.checked_sub_months(Months::new(12 * (age + 1))).ok_or_else(bad)?;
        if before.year() < 1900 {
            return Err(bad());
        }
        let span = latest.num_days_from_ce() - before.num_days_from_ce();
        out.push((latest.num_days_from_ce(), span));
    }
    Ok(out)
}
