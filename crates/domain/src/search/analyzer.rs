//! What search knows about words: the segmenter (jieba with its embedded general
//! dictionary, the job board's words of `data/search/userdict.txt`, and every region
//! and occupation name of the reference data) and the lexicon that says which words
//! are places and which are occupations. Built once per process (`Analyzer::embedded`).

use std::collections::HashMap;
use std::sync::OnceLock;

use jieba_rs::Jieba;
use rustc_hash::FxHashSet;

use crate::refdata::{RefData, RefDataError};
use crate::region::{RegionCode, RegionLevel, CHONGQING};

/// The job board's own words, one per line (`word` or `word frequency`, `#` comments).
pub const USER_DICT: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/search/userdict.txt"));

/// Words that carry no meaning for a job search, dropped from queries and from the index
/// alike ("我想找个保洁的工作" is 保洁).
#[rustfmt::skip]
const STOPWORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "或者", "在", "我", "我们", "你", "您", "想", "要", "想要", "我想",
    "找", "找个", "找份", "想找", "寻找", "给我", "帮我", "有没有", "哪里有", "一下", "一个", "个", "一份",
    "份", "有", "吗", "呢", "啊", "吧", "是", "也", "都", "请", "谁", "什么", "哪里",
    "工作", "招聘", "岗位", "职位", "求职", "急招", "诚聘", "招", "聘", "找工作", "上班", "人员",
    "以上", "元", "块", "起", "左右", "月薪", "薪资", "薪水", "工资",
];

/// A place a query can name: a district, a town, or a functional zone (a set of towns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// How the place is shown back to the user: `渝北区`, `渝北区龙兴镇`, `两江新区`.
    pub label: String,
    /// The regions whose subtrees make up the place.
    pub codes: Vec<RegionCode>,
}

/// An occupation named in a query: its index in `RefData::occupations()` and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccupationRef {
    pub index: u16,
    pub name: String,
}

/// Segmenter and lexicon of job search, built from the reference data.
pub struct Analyzer {
    jieba: Jieba,
    stopwords: FxHashSet<&'static str>,
    refdata: &'static RefData,
    /// Normalised place name → the places it names (a town name can recur).
    places: HashMap<String, Vec<Place>>,
    /// (district, town name without 镇/乡/街道) → the town: read as a place only next to
    /// its district ("渝北 龙兴"), since most such short forms are ordinary words
    /// (民主, 青年, 平安, 复兴).
    town_short: HashMap<(RegionCode, String), Place>,
    /// Normalised occupation name or synonym → occupation indexes.
    occupations: HashMap<String, Vec<u16>>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("places", &self.places.len())
            .field("occupation_words", &self.occupations.len())
            .finish()
    }
}

static EMBEDDED: OnceLock<Result<Analyzer, &'static RefDataError>> = OnceLock::new();

impl Analyzer {
    /// The analyzer over the embedded reference data, built on first use (about 0.2 s:
    /// jieba's embedded dictionary of 349,045 words, then ours and the reference data's).
    pub fn embedded() -> Result<&'static Analyzer, &'static RefDataError> {
        EMBEDDED.get_or_init(|| RefData::embedded().map(Analyzer::new)).as_ref().map_err(|e| *e)
    }

    /// Builds the segmenter and lexicon from reference data.
    pub fn new(refdata: &'static RefData) -> Analyzer {
        let mut places: HashMap<String, Vec<Place>> = HashMap::new();
        let mut add_place = |name: &str, place: Place| {
            let list = places.entry(normalize(name)).or_default();
            if !list.contains(&place) {
                list.push(place);
            }
        };
        add_place("重庆", Place { label: "重庆市".into(), codes: vec![CHONGQING] });
        add_place("重庆市", Place { label: "重庆市".into(), codes: vec![CHONGQING] });
        for &d in refdata.districts() {
            let Some(region) = refdata.region(d) else { continue };
            let place = Place { label: region.name.clone(), codes: vec![d] };
            for name in district_names(&region.name) {
                add_place(&name, place.clone());
            }
        }
        let mut town_short = HashMap::new();
        let mut towns: Vec<_> = refdata.regions_at(RegionLevel::Town).collect();
        towns.sort_by_key(|t| t.code);
        for town in towns {
            let Some(district) = town.code.district() else { continue };
            let district_name = refdata.region(district).map(|r| r.name.as_str()).unwrap_or_default();
            let place = Place { label: format!("{district_name}{}", town.name), codes: vec![town.code] };
            add_place(&town.name, place.clone());
            if let Some(short) = town_short_name(&town.name) {
                town_short.entry((district, normalize(short))).or_insert(place);
            }
        }
        for zone in refdata.functional_zones() {
            let place = Place { label: zone.name.clone(), codes: zone.towns.clone() };
            for name in zone_names(&zone.name) {
                add_place(&name, place.clone());
            }
        }

        let mut occupations: HashMap<String, Vec<u16>> = HashMap::new();
        for (i, occ) in refdata.occupations().iter().enumerate() {
            let Ok(index) = u16::try_from(i) else { break };
            for word in std::iter::once(&occ.name).chain(&occ.synonyms) {
                let list = occupations.entry(normalize(word)).or_default();
                if !list.contains(&index) {
                    list.push(index);
                }
            }
        }

        let mut jieba = Jieba::new();
        for line in USER_DICT.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let Some(word) = parts.next() else { continue };
            let freq = parts.next().and_then(|f| f.parse::<usize>().ok());
            jieba.add_word(&normalize(word), freq, None);
        }
        let mut words: Vec<&String> = places.keys().chain(occupations.keys()).collect();
        words.extend(town_short.keys().map(|(_, w)| w));
        words.sort();
        words.dedup();
        for word in words {
            if word.chars().count() >= 2 {
                jieba.add_word(word, None, None);
            }
        }

        Analyzer { jieba, stopwords: STOPWORDS.iter().copied().collect(), refdata, places, town_short, occupations }
    }

    pub fn refdata(&self) -> &'static RefData {
        self.refdata
    }

    /// Terms of a text for the index: jieba's search mode (each word, and the 2- and
    /// 3-character dictionary words inside a longer one: 电焊工 gives 电焊, 焊工, 电焊工),
    /// normalised, without punctuation and stopwords. Repeats are kept (the index
    /// skips them for free; sorting here cost a third of the segmentation time).
    pub fn index_terms(&self, text: &str, out: &mut Vec<String>) {
        let text = normalize_cow(text);
        let words = self.jieba.cut_for_search(&text, true);
        out.extend(words.into_iter().map(|t| t.word).filter(|w| self.is_term(w)).map(str::to_string));
    }

    /// The words of a query, in order: jieba's default mode (whole words, so 电焊工 stays
    /// one word and can be read as an occupation), normalised, without punctuation.
    /// Stopwords are kept (the query reports them as ignored).
    pub fn query_words(&self, text: &str) -> Vec<String> {
        let text = normalize(text);
        self.jieba
            .cut(&text, true)
            .into_iter()
            .filter(|t| t.word.chars().any(char::is_alphanumeric))
            .map(|t| t.word.to_string())
            .collect()
    }

    pub fn is_stopword(&self, word: &str) -> bool {
        self.stopwords.contains(word)
    }

    fn is_term(&self, word: &str) -> bool {
        word.chars().any(char::is_alphanumeric) && !self.stopwords.contains(word)
    }

    /// The places a (normalised) word names.
    pub fn places(&self, word: &str) -> &[Place] {
        self.places.get(word).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The town of `district` whose name without 镇/乡/街道 is `word`.
    pub fn town_in(&self, district: RegionCode, word: &str) -> Option<&Place> {
        self.town_short.get(&(district, word.to_string()))
    }

    /// The occupations a (normalised) word names.
    pub fn occupations(&self, word: &str) -> &[u16] {
        self.occupations.get(word).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn occupation_name(&self, index: u16) -> &str {
        self.refdata.occupations().get(usize::from(index)).map(|o| o.name.as_str()).unwrap_or("（未知职业）")
    }
}

/// Lower-case ASCII and full-width forms folded to half-width (`ＣＮＣ` → `cnc`), so that
/// a query and a posting written differently meet.
pub fn normalize(text: &str) -> String {
    normalize_cow(text).into_owned()
}

fn needs_normalizing(c: char) -> bool {
    c.is_ascii_uppercase() || c == '\u{3000}' || ('\u{FF01}'..='\u{FF5E}').contains(&c)
}

/// `normalize`, without a copy when there is nothing to change.
pub fn normalize_cow(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(needs_normalizing) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(normalize_chars(text))
}

fn normalize_chars(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A district's full name, its short form (渝北区 → 渝北; 石柱土家族自治县 → 石柱, 石柱县);
/// a one-character short form (忠县 → 忠) is not a name anyone types alone.
fn district_names(name: &str) -> Vec<String> {
    let mut names = vec![name.to_string()];
    if name.ends_with("自治县") {
        let short: String = name.chars().take(2).collect();
        names.push(format!("{short}县"));
        names.push(short);
    } else if let Some(short) = name.strip_suffix('区').or_else(|| name.strip_suffix('县')) {
        if short.chars().count() >= 2 {
            names.push(short.to_string());
        }
    }
    names
}

fn town_short_name(name: &str) -> Option<&str> {
    let short = name.strip_suffix("街道").or_else(|| name.strip_suffix('镇')).or_else(|| name.strip_suffix('乡'))?;
    (short.chars().count() >= 2).then_some(short)
}

/// A functional zone's names: `西部科学城重庆高新区` is also `重庆高新区` and `高新区`;
/// `万盛经开区` is also `万盛`.
fn zone_names(name: &str) -> Vec<String> {
    let mut names = vec![name.to_string()];
    let mut rest = name;
    for prefix in ["西部科学城", "重庆"] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r;
            names.push(rest.to_string());
        }
    }
    if let Some(short) = name.strip_suffix("经开区") {
        names.push(short.to_string());
    }
    names
}
