//! A user's query, understood: its words are segmented, and those that name a place,
//! an occupation, board and lodging, a kind of work or "near home" become structured
//! parts; the rest are text terms, all of which a posting must contain. The query
//! describes itself in Chinese so the page can show how it was read.

use crate::jobs::JobKind;
use crate::money::Fen;
use crate::region::RegionCode;

use super::analyzer::{Analyzer, OccupationRef, Place};

/// Words asking for board and lodging (`JobDoc::board_lodging`).
pub const BOARD_WORDS: &[&str] = &["包吃住", "包吃包住", "包食宿", "提供食宿", "管吃住", "吃住全包", "包住", "包吃"];

/// Words asking for jobs near home: a sorting hint, used when the caller knows the home.
pub const NEAR_WORDS: &[&str] = &["离家近", "家门口", "附近", "就近"];

/// Longer input is cut here: a search box, not a document.
pub const MAX_QUERY_CHARS: usize = 100;

/// A query as understood.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// The text as typed.
    pub text: String,
    /// Places named; a posting must lie in one of them. Places that overlap narrow
    /// each other ("渝北 龙兴" is 渝北区龙兴镇); places apart are alternatives.
    pub places: Vec<Place>,
    /// Occupations named; a posting must be one of them (coded so, or its title says so).
    pub occupations: Vec<OccupationRef>,
    /// Kinds of work named; a posting must be one of them.
    pub kinds: Vec<JobKind>,
    /// 包吃住 or one of its variants was named.
    pub board_lodging: bool,
    /// 离家近 or one of its variants was named.
    pub near_home: bool,
    /// A number of yuan from 1,000 to 99,999 ("4000以上", "月薪5000"): the least monthly
    /// wage (postings paid by the piece, with no monthly equivalent, are left out).
    pub min_wage: Option<Fen>,
    /// The remaining words; a posting must contain every one.
    pub terms: Vec<String>,
    /// Words without meaning for a search (的, 工作, 招聘 …), dropped.
    pub ignored: Vec<String>,
}

impl Query {
    /// Reads a query (its first `MAX_QUERY_CHARS` characters). Never fails: a word that
    /// is nothing else is a text term.
    pub fn parse(text: &str, analyzer: &Analyzer) -> Query {
        let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
        let mut query = Query { text: text.clone(), ..Query::default() };
        let mut place_groups: Vec<&[Place]> = Vec::new();
        let mut rest: Vec<String> = Vec::new();
        for word in analyzer.query_words(&text) {
            let places = analyzer.places(&word);
            let occupations = analyzer.occupations(&word);
            if !places.is_empty() {
                place_groups.push(places);
            } else if !occupations.is_empty() {
                for &index in occupations {
                    if !query.occupations.iter().any(|o| o.index == index) {
                        let name = analyzer.occupation_name(index).to_string();
                        query.occupations.push(OccupationRef { index, name });
                    }
                }
            } else if BOARD_WORDS.contains(&word.as_str()) {
                query.board_lodging = true;
            } else if NEAR_WORDS.contains(&word.as_str()) {
                query.near_home = true;
            } else if let Some(yuan) = wage_yuan(&word) {
                query.min_wage = Some(Fen::from_yuan(yuan).max(query.min_wage.unwrap_or(Fen::ZERO)));
            } else if let Some(kind) = JobKind::parse(&word) {
                if !query.kinds.contains(&kind) {
                    query.kinds.push(kind);
                }
            } else if analyzer.is_stopword(&word) {
                if !query.ignored.contains(&word) {
                    query.ignored.push(word);
                }
            } else {
                rest.push(word);
            }
        }
        // A town's short name counts as a place next to its district ("渝北 龙兴").
        let districts: Vec<RegionCode> = place_groups
            .iter()
            .flat_map(|g| g.iter())
            .flat_map(|p| p.codes.iter().copied())
            .filter(|c| c.level() == crate::region::RegionLevel::District)
            .collect();
        let mut towns: Vec<Vec<Place>> = Vec::new();
        for word in rest {
            let found: Vec<Place> = districts.iter().filter_map(|&d| analyzer.town_in(d, &word)).cloned().collect();
            if !found.is_empty() {
                towns.push(found);
            } else if !query.terms.contains(&word) {
                query.terms.push(word);
            }
        }
        let mut groups: Vec<Vec<Place>> = place_groups.into_iter().map(<[Place]>::to_vec).collect();
        groups.extend(towns);
        query.places = combine_places(groups);
        query
    }

    /// Whether the query asks for anything at all.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
            && self.occupations.is_empty()
            && self.kinds.is_empty()
            && !self.board_lodging
            && !self.near_home
            && self.min_wage.is_none()
            && self.terms.is_empty()
    }

    /// How the query was understood, in Chinese, for the page: `地点：渝北区；职业：焊工；包吃住`.
    /// `home_known` says whether the caller gave a home region, without which 离家近 is ignored.
    pub fn describe(&self, home_known: bool) -> String {
        let mut parts = Vec::new();
        if !self.places.is_empty() {
            let labels: Vec<&str> = self.places.iter().map(|p| p.label.as_str()).collect();
            parts.push(format!("地点：{}", labels.join("、")));
        }
        if !self.occupations.is_empty() {
            let names: Vec<&str> = self.occupations.iter().map(|o| o.name.as_str()).collect();
            parts.push(format!("职业：{}", names.join("、")));
        }
        if !self.kinds.is_empty() {
            let labels: Vec<&str> = self.kinds.iter().map(|k| k.label()).collect();
            parts.push(format!("用工形式：{}", labels.join("、")));
        }
        if self.board_lodging {
            parts.push("包吃住".to_string());
        }
        if let Some(wage) = self.min_wage {
            parts.push(format!("月薪：{}元以上", wage.0 / 100));
        }
        if !self.terms.is_empty() {
            parts.push(format!("关键词：{}", self.terms.join("、")));
        }
        if self.near_home {
            parts.push(if home_known {
                "按离家远近排序".to_string()
            } else {
                "离家近：未提供家庭住址，未按远近排序".to_string()
            });
        }
        if parts.is_empty() {
            parts.push("全部岗位".to_string());
        }
        if !self.ignored.is_empty() {
            parts.push(format!("已忽略：{}", self.ignored.join("、")));
        }
        parts.join("；")
    }
}

/// A whole number of yuan that reads as a monthly wage (1,000 to 99,999).
fn wage_yuan(word: &str) -> Option<i64> {
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    word.parse::<i64>().ok().filter(|y| (1000..100_000).contains(y))
}

/// A set of regions, each standing for its subtree, with no code inside another.
fn normalize_codes(mut codes: Vec<RegionCode>) -> Vec<RegionCode> {
    codes.sort();
    codes.dedup();
    let all = codes.clone();
    codes.retain(|c| !all.iter().any(|o| o != c && o.contains(*c)));
    codes
}

/// The regions in both sets' subtrees (subtrees nest or are apart, so this is exact).
fn intersect(a: &[RegionCode], b: &[RegionCode]) -> Vec<RegionCode> {
    let mut out: Vec<RegionCode> = a.iter().copied().filter(|x| b.iter().any(|y| y.contains(*x))).collect();
    out.extend(b.iter().copied().filter(|y| a.iter().any(|x| x.contains(*y))));
    normalize_codes(out)
}

/// Combines the places of a query's words, one group per word (several places when a
/// name is ambiguous: 双龙镇 is in five districts). A group that overlaps an earlier
/// place narrows it to the overlap; a group apart from all is one more alternative.
fn combine_places(groups: Vec<Vec<Place>>) -> Vec<Place> {
    let mut clusters: Vec<(Vec<RegionCode>, Vec<Place>)> = Vec::new();
    for group in groups {
        let group_codes = normalize_codes(group.iter().flat_map(|p| p.codes.iter().copied()).collect());
        let mut overlapped = false;
        for (codes, named) in clusters.iter_mut() {
            let common = intersect(codes, &group_codes);
            if common.is_empty() {
                continue;
            }
            overlapped = true;
            *codes = common;
            named.extend(group.iter().cloned());
            named.retain(|p| !intersect(&p.codes, codes).is_empty());
        }
        if !overlapped {
            clusters.push((group_codes, group));
        }
    }
    clusters
        .into_iter()
        .map(|(codes, named)| {
            // The named places lying wholly in the cluster; when they make it up, their
            // names say what it is, else it is the overlap of what was named.
            let inside: Vec<&Place> = named.iter().filter(|p| p.codes.iter().all(|c| codes.contains(c))).collect();
            let covered = normalize_codes(inside.iter().flat_map(|p| p.codes.iter().copied()).collect());
            let label = if covered == codes {
                distinct_labels(inside.iter().copied()).join("、")
            } else {
                format!("{}的重叠部分", distinct_labels(named.iter()).join("与"))
            };
            Place { label, codes }
        })
        .collect()
}

fn distinct_labels<'a>(places: impl Iterator<Item = &'a Place>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for p in places {
        if !out.contains(&p.label.as_str()) {
            out.push(&p.label);
        }
    }
    out
}
