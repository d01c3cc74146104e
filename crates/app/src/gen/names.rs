//! Synthetic Chinese personal names: a surname drawn from the common-surname
//! distribution and one or two given-name characters from sex-leaning lists of
//! common characters. The lists hold characters, never names of real people.

use rand::Rng;

use super::calibration::Weighted;

/// Common surnames with relative weights (per ten thousand people, rounded).
///
/// Basis: the order and rough shares of the national top 100 of 公安部户政管理研究中心
/// 《二〇二〇年全国姓名报告》 (王 李 张 刘 陈 杨 黄 赵 吴 周 … each 2–7 %), with the
/// surnames that are frequent in Sichuan and Chongqing (陈 刘 何 罗 谭 唐 邓 彭 曾 and the
/// Tujia/Miao-area 冉 向 田 蒲 牟) raised by roughly half, as the brief asks. Weights are
/// estimates, not a published table.
pub(super) const SURNAMES: &[(&str, u32)] = &[
    ("陈", 800),
    ("刘", 750),
    ("王", 700),
    ("李", 700),
    ("张", 620),
    ("杨", 500),
    ("周", 300),
    ("何", 300),
    ("罗", 280),
    ("黄", 260),
    ("谭", 200),
    ("唐", 200),
    ("邓", 200),
    ("吴", 200),
    ("赵", 150),
    ("胡", 150),
    ("彭", 150),
    ("曾", 140),
    ("徐", 140),
    ("余", 120),
    ("蒋", 120),
    ("谢", 120),
    ("向", 100),
    ("杜", 100),
    ("袁", 100),
    ("田", 100),
    ("肖", 100),
    ("马", 100),
    ("朱", 100),
    ("郭", 100),
    ("高", 100),
    ("冉", 80),
    ("秦", 80),
    ("熊", 80),
    ("雷", 80),
    ("付", 80),
    ("廖", 80),
    ("郑", 80),
    ("任", 80),
    ("冯", 70),
    ("邹", 70),
    ("宋", 70),
    ("石", 70),
    ("汪", 60),
    ("牟", 60),
    ("程", 60),
    ("龚", 60),
    ("文", 60),
    ("林", 60),
    ("梁", 60),
    ("许", 60),
    ("曹", 60),
    ("钟", 60),
    ("龙", 60),
    ("蒲", 50),
    ("陶", 50),
    ("韩", 50),
    ("董", 50),
    ("潘", 50),
    ("蔡", 50),
    ("叶", 50),
    ("魏", 50),
    ("苏", 50),
    ("吕", 50),
    ("丁", 50),
    ("卢", 50),
    ("姚", 50),
    ("范", 50),
    ("夏", 50),
    ("江", 50),
    ("段", 50),
    ("黎", 50),
    ("万", 50),
    ("姜", 40),
    ("方", 40),
    ("白", 40),
    ("邱", 40),
    ("侯", 40),
    ("尹", 40),
    ("贺", 40),
    ("毛", 40),
    ("戴", 40),
    ("严", 40),
    ("汤", 40),
    ("代", 40),
    ("于", 30),
    ("沈", 30),
    ("崔", 30),
    ("陆", 30),
    ("金", 30),
    ("贾", 30),
    ("孟", 30),
    ("薛", 30),
    ("史", 30),
    ("邵", 30),
    ("覃", 30),
    ("武", 30),
    ("莫", 30),
    ("孔", 30),
    ("左", 30),
    ("舒", 30),
    ("颜", 30),
    ("喻", 30),
    ("聂", 30),
    ("韦", 20),
    ("郝", 20),
    ("顾", 20),
    ("钱", 20),
    ("常", 20),
    ("刁", 20),
    ("敖", 20),
    ("母", 20),
    ("甘", 20),
    ("晏", 20),
    ("骆", 20),
    ("倪", 20),
    ("粟", 20),
    ("庞", 20),
    ("游", 20),
    ("冷", 20),
    ("符", 20),
    ("幸", 10),
    ("况", 10),
    ("税", 10),
    ("佘", 10),
    ("简", 10),
];

/// Given-name characters that lean male (common in names of men born 1955–2009).
pub(super) const MALE_CHARS: &[&str] = &[
    "伟", "强", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "宇", "浩",
    "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "洋", "峰", "磊", "成", "建", "国", "东", "文", "志", "德",
    "海", "兵", "亮", "虎", "彪", "豪", "坤", "鸿", "福", "贵", "富", "荣", "昌", "兴", "发", "权", "胜", "利", "武",
    "毅", "锋", "锐", "诚", "晨", "阳", "永", "长", "树", "学", "光", "远", "庆", "中", "正", "仁", "义", "江", "川",
    "山", "松", "柏", "祥", "顺", "安", "全", "才", "生", "银", "金", "元", "登", "奎", "轩", "然", "博", "泽", "睿",
    "航", "铭", "哲", "瑞", "皓", "奕", "煜", "逸", "翔", "麟", "彬", "刚", "钢", "铁", "柱", "根", "来", "喜", "宝",
    "有", "先", "良", "友", "忠", "勤", "治", "家", "红", "春", "祖", "孝", "万", "洪", "渝", "川", "宏", "伦", "双",
    "世", "继", "波", "军", "松", "昊", "天", "星", "杨", "恒", "凡", "鹤", "云", "开", "贤", "卫", "功",
];

/// Given-name characters that lean female.
pub(super) const FEMALE_CHARS: &[&str] = &[
    "芳", "娟", "敏", "静", "丽", "艳", "霞", "燕", "玲", "红", "梅", "琳", "娜", "英", "华", "兰", "琴", "萍", "莉",
    "婷", "雪", "倩", "洁", "颖", "欣", "悦", "璐", "瑶", "蓉", "慧", "秀", "凤", "珍", "玉", "翠", "菊", "莲", "桂",
    "香", "美", "巧", "春", "群", "云", "月", "丹", "晶", "晓", "佳", "怡", "雯", "露", "薇", "蕾", "婧", "梦", "思",
    "雨", "琪", "萱", "涵", "彤", "诗", "钰", "妍", "淑", "惠", "贞", "姣", "娇", "莹", "媛", "琼", "霖", "秋", "冬",
    "清", "素", "芬", "芝", "蓓", "莎", "娅", "姗", "嫚", "菲", "芸", "芹", "茜", "荷", "叶", "青", "碧", "爽", "宁",
    "亚", "小", "容", "花", "银", "金", "会", "群", "先", "友", "明", "平", "利", "维", "嘉", "可", "馨", "语", "若",
    "依", "一", "紫", "心", "乐", "安", "琦", "瑜", "璇", "珊", "玥", "蝶", "燕", "霜", "岚", "虹", "锦", "绣", "娥",
    "凤", "仙", "勤", "素", "兰", "渝", "春", "丽", "继", "玉", "庆", "德", "家", "学", "永", "世", "晴",
];

/// Given-name characters used for either sex.
pub(super) const NEUTRAL_CHARS: &[&str] = &[
    "小", "晓", "明", "文", "华", "春", "玉", "永", "建", "海", "平", "林", "青", "宏", "长", "德", "学", "庆", "家",
    "志", "世", "国", "秀", "金", "子", "思", "雨", "一", "新", "润", "泽", "伦", "艺", "书", "雅", "光", "晨", "阳",
    "丰", "川",
];

/// Picks surnames by weight.
pub(super) struct NamePicker {
    surnames: Weighted<&'static str>,
}

impl NamePicker {
    pub(super) fn new() -> NamePicker {
        let surnames = Weighted::new(SURNAMES.iter().map(|(s, w)| (*s, f64::from(*w))));
        NamePicker { surnames }
    }

    pub(super) fn surname<R: Rng>(&self, rng: &mut R) -> &'static str {
        self.surnames.pick(rng).copied().unwrap_or("王")
    }

    /// A full name: `surname` followed by one (about 20 %) or two given-name characters.
    /// About 4 % of women's two-character names repeat one character (婷婷, 丹丹).
    pub(super) fn full_name<R: Rng>(&self, rng: &mut R, surname: &str, male: bool) -> String {
        let mut name = String::with_capacity(12);
        name.push_str(surname);
        let first = given_char(rng, male);
        name.push_str(first);
        if rng.gen_bool(0.8) {
            if !male && rng.gen_bool(0.05) {
                name.push_str(first);
            } else {
                let mut second = given_char(rng, male);
                for _ in 0..4 {
                    if second != first {
                        break;
                    }
                    second = given_char(rng, male);
                }
                name.push_str(second);
            }
        }
        name
    }
}

fn given_char<R: Rng>(rng: &mut R, male: bool) -> &'static str {
    let list = if rng.gen_bool(0.15) {
        NEUTRAL_CHARS
    } else if male {
        MALE_CHARS
    } else {
        FEMALE_CHARS
    };
    list[rng.gen_range(0..list.len())]
}
