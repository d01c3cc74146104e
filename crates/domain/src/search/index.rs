//! The in-memory search index of job postings: for each term and field, a sorted array
//! of document numbers; per document, the columns the structured filters and the
//! ranking read. A server builds it from the database at start and keeps it in step
//! with `upsert` and `remove`; it holds nothing another server needs.
//!
//! Ranking: text relevance first, then (when the query asks for it and the caller
//! gives a home) nearness to home, then the newest posting, then the larger id.
//! Relevance is discrete on purpose: each text term scores by the best field it is in
//! (title 4, employer 2, description 1). Every hit contains every term, so idf (which
//! weighs terms, not postings) would change little between hits; a continuous score
//! (BM25 with term counts and lengths) would make nearness and recency dead
//! tie-breakers, while here they decide among postings that match equally well.

use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHashMap;

use crate::jobs::JobKind;
use crate::money::Fen;
use crate::refdata::RefData;
use crate::region::{RegionCode, RegionLevel};

use super::analyzer::Analyzer;
use super::query::Query;

/// What the index needs of a posting (the store's row, open postings only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobDoc {
    pub id: i64,
    pub title: String,
    pub employer_name: String,
    pub description: String,
    pub place: RegionCode,
    /// Index into `RefData::occupations()`.
    pub occupation: Option<u16>,
    pub kind: JobKind,
    pub board_lodging: bool,
    /// `Wage::monthly_mid`: none for piece rates.
    pub wage_monthly_mid: Option<Fen>,
    pub posted: NaiveDate,
}

/// Structured filters chosen on the page; they combine (all must hold) with what the
/// query text says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Filters {
    /// The posting's place lies in this region's subtree.
    pub place: Option<RegionCode>,
    /// The posting is of this occupation: coded so, or its title names it or a synonym
    /// (the same rule as an occupation typed in the query).
    pub occupation: Option<u16>,
    pub kind: Option<JobKind>,
    /// Only postings with board and lodging.
    pub board_lodging: bool,
    /// The posting's monthly equivalent is at least this (piece rates, which have
    /// none, are left out).
    pub min_wage: Option<Fen>,
}

/// A field of a posting that text terms are matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Title = 0,
    Employer = 1,
    Description = 2,
}

impl Field {
    pub const ALL: [Field; 3] = [Field::Title, Field::Employer, Field::Description];

    pub fn label(self) -> &'static str {
        match self {
            Field::Title => "岗位名称",
            Field::Employer => "用人单位",
            Field::Description => "岗位描述",
        }
    }

    /// What a term found in this field adds to a posting's relevance.
    pub fn weight(self) -> u32 {
        match self {
            Field::Title => 4,
            Field::Employer => 2,
            Field::Description => 1,
        }
    }
}

/// How near a posting is to the searcher's home (SPEC §4's order), nearest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Nearness {
    SameVillage,
    SameTown,
    SameDistrict,
    AdjacentDistrict,
    SameArea,
    Farther,
}

impl Nearness {
    pub fn label(self) -> &'static str {
        match self {
            Nearness::SameVillage => "同村（社区）",
            Nearness::SameTown => "同乡镇（街道）",
            Nearness::SameDistrict => "同区县",
            Nearness::AdjacentDistrict => "相邻区县",
            Nearness::SameArea => "同片区",
            Nearness::Farther => "较远",
        }
    }

    /// How near `place` is to `home`.
    pub fn of(refdata: &RefData, home: RegionCode, place: RegionCode) -> Nearness {
        if home.level() == RegionLevel::Village && place == home {
            return Nearness::SameVillage;
        }
        if home.town().is_some() && home.town() == place.town() {
            return Nearness::SameTown;
        }
        match (home.district(), place.district()) {
            (Some(h), Some(p)) if h == p => Nearness::SameDistrict,
            (Some(h), Some(p)) if refdata.adjacent(h, p) => Nearness::AdjacentDistrict,
            (Some(h), Some(p)) if refdata.area(h).is_some() && refdata.area(h) == refdata.area(p) => Nearness::SameArea,
            _ => Nearness::Farther,
        }
    }
}

/// A term of the query found in a hit, and the best field it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedTerm {
    pub term: String,
    pub field: Field,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub id: i64,
    /// Text relevance: the sum over the query's terms of their best field's weight.
    pub score: u32,
    /// Set when the ranking used nearness to home.
    pub nearness: Option<Nearness>,
    pub matched: Vec<MatchedTerm>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchResults {
    /// Number of postings that match (all of them, not only this page).
    pub total: usize,
    pub hits: Vec<Hit>,
    /// How the query was understood, in Chinese (`Query::describe`).
    pub understood: String,
}

/// The terms of one posting, by field, and the occupations it counts as.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analyzed {
    pub fields: [Vec<String>; 3],
    pub occupations: Vec<u16>,
}

/// A posting's terms: jieba search-mode words of each field (repeats kept),
/// plus each Chinese character of the title alone, so a one-character query (厨, 焊)
/// still finds titles; and its occupations: the coded one and those whose name or a
/// synonym is a word of the title.
pub fn analyze(analyzer: &Analyzer, doc: &JobDoc) -> Analyzed {
    let mut fields: [Vec<String>; 3] = Default::default();
    for (field, text) in Field::ALL.iter().zip([&doc.title, &doc.employer_name, &doc.description]) {
        let terms = &mut fields[*field as usize];
        analyzer.index_terms(text, terms);
        if *field == Field::Title {
            let title = super::analyzer::normalize_cow(text);
            terms.extend(title.chars().filter(|c| is_han(*c)).map(String::from));
        }
    }
    let mut occupations: Vec<u16> = doc.occupation.into_iter().collect();
    for term in &fields[Field::Title as usize] {
        occupations.extend_from_slice(analyzer.occupations(term));
    }
    occupations.sort_unstable();
    occupations.dedup();
    Analyzed { fields, occupations }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

const NO_DISTRICT: u8 = u8::MAX;

/// The search index. See the module documentation.
///
/// Documents have numbers in the order they were added; each posting list is sorted
/// because a new or changed posting always gets the next number. A removed or replaced
/// posting's number is only marked dead (a posting list never has an element moved);
/// when dead numbers outnumber a quarter of all, `compact` renumbers the live ones.
pub struct SearchIndex {
    analyzer: &'static Analyzer,
    // Columns by document number.
    ids: Vec<i64>,
    live: Vec<bool>,
    place: Vec<RegionCode>,
    /// Index of the place's district in `RefData::districts()`, or `NO_DISTRICT`.
    district: Vec<u8>,
    kind: Vec<JobKind>,
    board: Vec<bool>,
    wage: Vec<Option<Fen>>,
    posted: Vec<NaiveDate>,
    number_of: FxHashMap<i64, u32>,
    dead: usize,
    terms: FxHashMap<Box<str>, u32>,
    /// By term id, by field: sorted document numbers (dead ones included until `compact`).
    postings: Vec<[Vec<u32>; 3]>,
    /// By occupation index: sorted numbers of the documents that count as it.
    occupation_postings: Vec<Vec<u32>>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("postings", &self.len()).field("terms", &self.terms.len()).finish()
    }
}

/// A hit's place in the ranking as one integer, larger first: relevance, nearness,
/// posting date, id.
fn rank_key(score: u32, nearness: Option<Nearness>, posted: NaiveDate, id: i64) -> u128 {
    let near = nearness.map_or(0, |n| 6 - n as u128);
    let days = u128::try_from(posted.num_days_from_ce().clamp(0, (1 << 24) - 1)).unwrap_or(0);
    let id = (id as u64 ^ (1 << 63)) as u128;
    (score as u128) << 96 | near << 88 | days << 64 | id
}

fn key_score(key: u128) -> u32 {
    (key >> 96) as u32
}

fn key_id(key: u128) -> i64 {
    (key as u64 ^ (1 << 63)) as i64
}

impl SearchIndex {
    pub fn new(analyzer: &'static Analyzer) -> SearchIndex {
        SearchIndex {
            analyzer,
            ids: Vec::new(),
            live: Vec::new(),
            place: Vec::new(),
            district: Vec::new(),
            kind: Vec::new(),
            board: Vec::new(),
            wage: Vec::new(),
            posted: Vec::new(),
            number_of: FxHashMap::default(),
            dead: 0,
            terms: FxHashMap::default(),
            postings: Vec::new(),
            occupation_postings: Vec::new(),
        }
    }

    /// Builds the index of `docs` (a later doc with the same id replaces an earlier one).
    /// Segmentation runs on all cores, each thread on a contiguous share.
    pub fn build(analyzer: &'static Analyzer, docs: &[JobDoc]) -> SearchIndex {
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(16);
        let analyzed: Vec<Analyzed> = if threads == 1 || docs.len() < 2048 {
            docs.iter().map(|d| analyze(analyzer, d)).collect()
        } else {
            let chunk = docs.len().div_ceil(threads);
            std::thread::scope(|s| {
                let handles: Vec<_> = docs
                    .chunks(chunk)
                    .map(|part| s.spawn(move || part.iter().map(|d| analyze(analyzer, d)).collect::<Vec<_>>()))
                    .collect();
                handles
                    .into_iter()
                    .zip(docs.chunks(chunk))
                    .flat_map(|(h, part)| {
                        // A thread only panics on a bug; redo its share here rather than lose it.
                        h.join().unwrap_or_else(|_| part.iter().map(|d| analyze(analyzer, d)).collect())
                    })
                    .collect()
            })
        };
        let mut index = SearchIndex::new(analyzer);
        index.reserve(docs.len());
        for (doc, a) in docs.iter().zip(analyzed) {
            index.upsert_analyzed(doc, a);
        }
        // Doubling left up to half of each list unused; keep an eighth for upserts.
        for list in index.postings.iter_mut().flatten().chain(&mut index.occupation_postings) {
            list.shrink_to(list.len() + list.len() / 8);
        }
        index
    }

    fn reserve(&mut self, n: usize) {
        self.ids.reserve(n);
        self.live.reserve(n);
        self.place.reserve(n);
        self.district.reserve(n);
        self.kind.reserve(n);
        self.board.reserve(n);
        self.wage.reserve(n);
        self.posted.reserve(n);
        self.number_of.reserve(n);
    }

    /// Number of postings in the index.
    pub fn len(&self) -> usize {
        self.number_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.number_of.is_empty()
    }

    /// Approximate heap size of the index in bytes (posting lists, columns, term table).
    pub fn heap_bytes(&self) -> usize {
        let lists: usize = self.postings.iter().flatten().map(|l| l.capacity() * 4 + 24).sum();
        let occupations: usize = self.occupation_postings.iter().map(|l| l.capacity() * 4 + 24).sum();
        let terms: usize = self.terms.keys().map(|k| k.len() + 16 + 4 + 8).sum();
        let columns = self.ids.capacity() * (8 + 1 + 8 + 1 + 1 + 1 + 16 + 4) + self.number_of.capacity() * (8 + 4 + 1);
        lists + occupations + terms + columns
    }

    /// Numbers of removed or replaced postings still in the lists (until `compact`).
    pub fn dead(&self) -> usize {
        self.dead
    }

    /// Number of distinct terms ever indexed.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    pub fn contains(&self, id: i64) -> bool {
        self.number_of.contains_key(&id)
    }

    /// Adds a posting, or replaces the one with its id.
    pub fn upsert(&mut self, doc: &JobDoc) {
        let analyzed = analyze(self.analyzer, doc);
        self.upsert_analyzed(doc, analyzed);
    }

    /// Takes a posting out; false when it was not there.
    pub fn remove(&mut self, id: i64) -> bool {
        if !self.unlink(id) {
            return false;
        }
        self.compact_if_worth_it();
        true
    }

    fn unlink(&mut self, id: i64) -> bool {
        let Some(n) = self.number_of.remove(&id) else { return false };
        self.live[n as usize] = false;
        self.dead += 1;
        true
    }

    fn compact_if_worth_it(&mut self) {
        if self.dead >= 1024 && self.dead * 4 > self.ids.len() {
            self.compact();
        }
    }

    /// Renumbers the live postings from 0, dropping dead numbers from every list.
    /// Runs by itself when dead numbers pass a quarter of all; linear in the index size.
    pub fn compact(&mut self) {
        if self.dead == 0 {
            return;
        }
        let mut new_number = vec![u32::MAX; self.ids.len()];
        let mut next = 0u32;
        for (n, slot) in new_number.iter_mut().enumerate() {
            if self.live[n] {
                *slot = next;
                next += 1;
            }
        }
        let renumber = |list: &mut Vec<u32>| {
            list.retain(|&n| new_number[n as usize] != u32::MAX);
            for n in list.iter_mut() {
                *n = new_number[*n as usize];
            }
            list.shrink_to(list.len() + list.len() / 8);
        };
        for lists in &mut self.postings {
            lists.iter_mut().for_each(renumber);
        }
        self.occupation_postings.iter_mut().for_each(renumber);
        fn keep<T: Copy>(column: &mut Vec<T>, live: &[bool]) {
            let mut i = 0;
            column.retain(|_| {
                i += 1;
                live[i - 1]
            });
        }
        let live = std::mem::take(&mut self.live);
        keep(&mut self.ids, &live);
        keep(&mut self.place, &live);
        keep(&mut self.district, &live);
        keep(&mut self.kind, &live);
        keep(&mut self.board, &live);
        keep(&mut self.wage, &live);
        keep(&mut self.posted, &live);
        self.live = vec![true; self.ids.len()];
        for n in self.number_of.values_mut() {
            *n = new_number[*n as usize];
        }
        self.dead = 0;
    }

    fn upsert_analyzed(&mut self, doc: &JobDoc, analyzed: Analyzed) {
        self.unlink(doc.id);
        let Ok(n) = u32::try_from(self.ids.len()) else { return };
        let district = doc
            .place
            .district()
            .and_then(|d| self.analyzer.refdata().districts().iter().position(|&x| x == d))
            .and_then(|p| u8::try_from(p).ok())
            .unwrap_or(NO_DISTRICT);
        self.ids.push(doc.id);
        self.live.push(true);
        self.place.push(doc.place);
        self.district.push(district);
        self.kind.push(doc.kind);
        self.board.push(doc.board_lodging);
        self.wage.push(doc.wage_monthly_mid);
        self.posted.push(doc.posted);
        for (f, terms) in analyzed.fields.iter().enumerate() {
            for term in terms {
                let t = match self.terms.get(term.as_str()) {
                    Some(&t) => t,
                    None => {
                        let t = self.postings.len() as u32;
                        self.terms.insert(term.as_str().into(), t);
                        self.postings.push(Default::default());
                        t
                    }
                };
                // `n` is the largest number yet, so pushing keeps the list sorted; a
                // repeat of the term in the field finds `n` already last.
                let list = &mut self.postings[t as usize][f];
                if list.last() != Some(&n) {
                    list.push(n);
                }
            }
        }
        for &o in &analyzed.occupations {
            let o = usize::from(o);
            if self.occupation_postings.len() <= o {
                self.occupation_postings.resize_with(o + 1, Vec::new);
            }
            self.occupation_postings[o].push(n);
        }
        self.number_of.insert(doc.id, n);
        self.compact_if_worth_it();
    }

    /// The term's document numbers in each field (empty for an unknown term).
    fn term_lists(&self, term: &str) -> [&[u32]; 3] {
        match self.terms.get(term) {
            Some(&t) => {
                let [a, b, c] = &self.postings[t as usize];
                [a, b, c]
            }
            None => [&[], &[], &[]],
        }
    }

    /// Documents of any of the occupations, sorted.
    fn occupation_union(&self, occupations: &[u16]) -> Vec<u32> {
        let mut numbers: Vec<u32> = occupations
            .iter()
            .filter_map(|&o| self.occupation_postings.get(usize::from(o)))
            .flatten()
            .copied()
            .collect();
        if occupations.len() > 1 {
            numbers.sort_unstable();
            numbers.dedup();
        }
        numbers
    }

    /// Searches: the query's parts and `filters` all hold for every hit; `home` is used
    /// for nearness when the query asks for postings near home. Returns the total and the
    /// page `offset..offset + limit` of the ranking.
    pub fn search(
        &self,
        query: &Query,
        filters: &Filters,
        home: Option<RegionCode>,
        offset: usize,
        limit: usize,
    ) -> SearchResults {
        let understood = query.describe(home.is_some());
        let term_lists: Vec<[&[u32]; 3]> = query.terms.iter().map(|t| self.term_lists(t)).collect();
        let mut candidates = self.text_candidates(&term_lists);

        // Occupations narrow by their posting lists (coded or named in the title).
        let wanted: Vec<u16> = query.occupations.iter().map(|o| o.index).collect();
        for occupations in [wanted, filters.occupation.into_iter().collect()] {
            if !occupations.is_empty() {
                let allowed = self.occupation_union(&occupations);
                candidates = match candidates {
                    None => Some(allowed.into_iter().map(|n| (n, 0)).collect()),
                    Some(c) => Some(intersect_weighted(&c, &allowed)),
                };
            }
        }
        let place_ranges: Vec<(i64, i64)> =
            query.places.iter().flat_map(|p| p.codes.iter().map(|c| c.subtree_range())).collect();
        let filter_range = filters.place.map(RegionCode::subtree_range);
        let board = query.board_lodging || filters.board_lodging;
        let min_wage = query.min_wage.max(filters.min_wage);
        let near = if query.near_home { home.map(|h| (h, self.nearness_table(h))) } else { None };
        let mut ranked: Vec<u128> = Vec::new();
        let mut consider = |n: u32, score: u32| {
            let i = n as usize;
            let place = self.place[i].as_i64();
            let keep = self.live[i]
                && (place_ranges.is_empty() || place_ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&place)))
                && filter_range.is_none_or(|(lo, hi)| (lo..=hi).contains(&place))
                && (query.kinds.is_empty() || query.kinds.contains(&self.kind[i]))
                && filters.kind.is_none_or(|k| k == self.kind[i])
                && (!board || self.board[i])
                && min_wage.is_none_or(|m| self.wage[i].is_some_and(|w| w >= m));
            if keep {
                let nearness = near.as_ref().map(|(home, table)| self.nearness_of(*home, table, i));
                ranked.push(rank_key(score, nearness, self.posted[i], self.ids[i]));
            }
        };
        match candidates {
            Some(list) => list.into_iter().for_each(|(n, score)| consider(n, score)),
            None => (0..self.ids.len() as u32).for_each(|n| consider(n, 0)),
        }
        let total = ranked.len();

        let end = offset.saturating_add(limit).min(total);
        if offset >= end {
            return SearchResults { total, hits: Vec::new(), understood };
        }
        if end < total {
            ranked.select_nth_unstable_by(end - 1, |a, b| b.cmp(a));
            ranked.truncate(end);
        }
        ranked.sort_unstable_by(|a, b| b.cmp(a));
        let hits = ranked[offset..end]
            .iter()
            .map(|&key| {
                let id = key_id(key);
                let n = self.number_of.get(&id).copied().unwrap_or(u32::MAX);
                let nearness = near.as_ref().map(|(home, table)| self.nearness_of(*home, table, n as usize));
                Hit { id, score: key_score(key), nearness, matched: self.matched(query, &term_lists, n) }
            })
            .collect();
        SearchResults { total, hits, understood }
    }

    /// Documents containing every term, with their relevance; `None` (all documents)
    /// when there is no term. Dead numbers are still in; the caller drops them.
    fn text_candidates(&self, term_lists: &[[&[u32]; 3]]) -> Option<Vec<(u32, u32)>> {
        let mut order: Vec<usize> = (0..term_lists.len()).collect();
        order.sort_by_key(|&t| term_lists[t].iter().map(|l| l.len()).sum::<usize>());
        let mut candidates: Option<Vec<(u32, u32)>> = None;
        for t in order {
            let lists = &term_lists[t];
            let Some(mut current) = candidates else {
                candidates = Some(merge_weighted(lists));
                continue;
            };
            let size: usize = lists.iter().map(|l| l.len()).sum();
            if current.len().saturating_mul(32) < size {
                current.retain_mut(|(n, score)| match best_field(lists, *n) {
                    Some(f) => {
                        *score += f.weight();
                        true
                    }
                    None => false,
                });
            } else {
                current = intersect_scored(&current, &merge_weighted(lists));
            }
            candidates = Some(current);
        }
        candidates
    }

    /// The query's terms in document `n`, each with its best field.
    fn matched(&self, query: &Query, term_lists: &[[&[u32]; 3]], n: u32) -> Vec<MatchedTerm> {
        query
            .terms
            .iter()
            .zip(term_lists)
            .filter_map(|(term, lists)| best_field(lists, n).map(|field| MatchedTerm { term: term.clone(), field }))
            .collect()
    }

    /// The nearness of each district to a home.
    fn nearness_table(&self, home: RegionCode) -> Vec<Nearness> {
        let refdata = self.analyzer.refdata();
        refdata.districts().iter().map(|&d| Nearness::of(refdata, home, d)).collect()
    }

    fn nearness_of(&self, home: RegionCode, table: &[Nearness], i: usize) -> Nearness {
        let Some(&place) = self.place.get(i) else { return Nearness::Farther };
        if home.level() == RegionLevel::Village && place == home {
            return Nearness::SameVillage;
        }
        if home.town().is_some() && home.town() == place.town() {
            return Nearness::SameTown;
        }
        match self.district.get(i).and_then(|&d| table.get(usize::from(d))) {
            Some(&n) => n,
            None => Nearness::of(self.analyzer.refdata(), home, place),
        }
    }
}

/// The best field of a term that contains document `n`.
fn best_field(lists: &[&[u32]; 3], n: u32) -> Option<Field> {
    Field::ALL.into_iter().find(|f| lists[*f as usize].binary_search(&n).is_ok())
}

/// One term's documents with the weight of their best field, sorted (a three-way merge).
fn merge_weighted(lists: &[&[u32]; 3]) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(lists.iter().map(|l| l.len()).sum());
    let mut at = [0usize; 3];
    while let Some(n) = (0..3).filter_map(|f| lists[f].get(at[f]).copied()).min() {
        let mut weight = 0;
        for f in Field::ALL {
            let i = f as usize;
            if lists[i].get(at[i]) == Some(&n) {
                at[i] += 1;
                weight = weight.max(f.weight());
            }
        }
        out.push((n, weight));
    }
    out
}

/// Documents in both sorted lists, with their scores added.
fn intersect_scored(a: &[(u32, u32)], b: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push((a[i].0, a[i].1 + b[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// The scored documents that are also in the sorted list `b`.
fn intersect_weighted(a: &[(u32, u32)], b: &[u32]) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}
