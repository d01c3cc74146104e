//! The policy service's pure core (SPEC §5): the policy library, rules as data with
//! dated parameters, and evaluation with reasons.
//!
//! - `facts`: the closed, typed vocabulary of facts rules may read, and `Facts` from JSON.
//! - `value`: exact values (rationals, fen, calendar durations, dates).
//! - `expr`: the rule language, parsed and type-checked at load.
//! - `model`: a loaded `Policy` (record, parameters with dated versions, conditions, amount).
//! - `load`: TOML files to policies, with file:line:column errors in Chinese.
//! - `eval`: eligibility, amount and per-condition reasons for one entity on one date.
//! - `bulk`: the same rules compiled into one columnar pass over a population.
//! - `cases`: the rule tests kept beside each policy (`<id>.tests.toml`).
//! - `registry`: a registry person's facts (what the registry knows; the rest unknown).
//!
//! The files under `data/policies/` are compiled in (`include_str!`); a directory is
//! read only when a caller passes one (`Library::load` over its files).

pub mod bulk;
pub mod cases;
pub mod eval;
pub mod expr;
pub mod facts;
pub mod load;
pub mod model;
pub mod registry;
pub mod value;

use std::sync::LazyLock;

use chrono::NaiveDate;

pub use cases::{Case, CaseResult};
pub use eval::{evaluate, ConditionResult, Evaluation, Outcome, Status};
pub use facts::{EntityKind, Facts, FactsError, FACTS};
pub use load::LoadError;
pub use model::{Citation, Obtain, Param, Period, Policy, PolicyId};

/// A set of policies and their test cases.
#[derive(Debug, Clone, PartialEq)]
pub struct Library {
    policies: Vec<Policy>,
    cases: Vec<Case>,
}

const TESTS_SUFFIX: &str = ".tests.toml";

impl Library {
    /// Loads from `(file name, text)` pairs: `<id>.toml` is a policy, `<id>.tests.toml`
    /// its cases; other files (README.md) are ignored. Every problem of every file is
    /// returned.
    pub fn load<N: AsRef<str>, T: AsRef<str>>(files: &[(N, T)]) -> Result<Library, Vec<LoadError>> {
        let mut errors = Vec::new();
        let mut policies: Vec<Policy> = Vec::new();
        for (name, text) in files {
            let (name, text) = (name.as_ref(), text.as_ref());
            if !name.ends_with(".toml") || name.ends_with(TESTS_SUFFIX) {
                continue;
            }
            match load::load_policy(name, text) {
                Ok(p) => {
                    if policies.iter().any(|q| q.id == p.id) {
                        errors.push(LoadError {
                            file: name.into(),
                            line: 1,
                            column: 1,
                            reason: format!("政策编号“{}”重复", p.id),
                        });
                    }
                    policies.push(p);
                }
                Err(e) => errors.extend(e),
            }
        }
        policies.sort_by(|a, b| a.id.cmp(&b.id));
        let mut cases = Vec::new();
        for (name, text) in files {
            let (name, text) = (name.as_ref(), text.as_ref());
            let Some(stem) = name.strip_suffix(TESTS_SUFFIX) else { continue };
            let id = stem.rsplit('/').next().unwrap_or(stem);
            match policies.iter().find(|p| p.id.as_str() == id) {
                Some(p) => match cases::load_cases(name, text, p) {
                    Ok(c) => cases.extend(c),
                    Err(e) => errors.extend(e),
                },
                None => {
                    // A policy that failed to load already has its errors reported.
                    if !errors.iter().any(|e| e.file.ends_with(&format!("{id}.toml"))) {
                        errors.push(LoadError {
                            file: name.into(),
                            line: 1,
                            column: 1,
                            reason: format!("没有编号为“{id}”的政策文件（{id}.toml）"),
                        });
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(Library { policies, cases })
        } else {
            Err(errors)
        }
    }

    /// The library compiled into the binary from `data/policies/`.
    pub fn embedded() -> Result<&'static Library, &'static [LoadError]> {
        static LIB: LazyLock<Result<Library, Vec<LoadError>>> = LazyLock::new(|| Library::load(FILES));
        LIB.as_ref().map_err(|e| e.as_slice())
    }

    /// Sorted by id.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    pub fn get(&self, id: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.id.as_str() == id)
    }

    pub fn cases(&self) -> &[Case] {
        &self.cases
    }

    /// Runs every case against its policy.
    pub fn run_cases(&self) -> Vec<CaseResult> {
        self.cases.iter().filter_map(|c| self.get(&c.policy).map(|p| cases::run(c, p))).collect()
    }

    /// Every policy with rules whose targets include the entity's kind, evaluated on `date`.
    pub fn evaluate_all(&self, facts: &Facts, date: NaiveDate) -> Vec<Evaluation> {
        self.policies
            .iter()
            .filter(|p| p.has_rules() && p.targets.contains(&facts.entity))
            .map(|p| evaluate(p, facts, date))
            .collect()
    }

    /// Policies whose title, benefit, department or tags contain every word of `query`
    /// (words separated by spaces).
    pub fn search(&self, query: &str) -> Vec<&Policy> {
        let words: Vec<&str> = query.split_whitespace().collect();
        self.policies
            .iter()
            .filter(|p| {
                let hay = format!("{} {} {} {}", p.title, p.benefit, p.department, p.tags.join(" "));
                words.iter().all(|w| hay.contains(w))
            })
            .collect()
    }
}

macro_rules! policy_files {
    ($($name:literal),* $(,)?) => {
        /// The embedded files under `data/policies/`, by file name.
        pub const FILES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/policies/", $name)))),*
        ];
    };
}

policy_files!(
    "returnee-startup-subsidy.toml",
    "returnee-startup-subsidy.tests.toml",
    "startup-guaranteed-loan.toml",
    "startup-guaranteed-loan.tests.toml",
    "flexible-insurance-subsidy.toml",
    "flexible-insurance-subsidy.tests.toml",
    "workshop-subsidy.toml",
    "workshop-subsidy.tests.toml",
    "labor-brand-award.toml",
    "labor-brand-award.tests.toml",
    "startup-park-subsidy.toml",
    "startup-park-subsidy.tests.toml",
    "key-group-hiring-subsidy.toml",
    "key-group-hiring-subsidy.tests.toml",
    "hiring-subsidy-2020.toml",
    "hiring-subsidy-2020.tests.toml",
    "jiangjin-startup-grant.toml",
    "jiangjin-startup-grant.tests.toml",
    "unemployment-benefit-extension.toml",
    "unemployment-benefit-extension.tests.toml",
    "skill-upgrade-subsidy.toml",
    "skill-upgrade-subsidy.tests.toml",
    "poor-startup-loan.toml",
    "poor-startup-loan.tests.toml",
    "ent-key-core-tech-project.toml",
    "ent-embodied-robot-project.toml",
    "ent-order-based-rd.toml",
    "ent-digital-enablement-center.toml",
    "ent-smart-factory.toml",
    "ent-industry-brain.toml",
    "ent-national-digital-pilot.toml",
    "ent-municipal-digital-pilot.toml",
    "ent-digital-economy-project.toml",
    "ent-sino-singapore-ict-fund.toml",
    "ent-major-rd-project.toml",
    "ent-little-giant-award.toml",
    "ent-advanced-materials-project.toml",
    "ent-new-drug.toml",
    "ent-key-software-national.toml",
    "ent-key-software-municipal.toml",
    "ent-gas-price-discount.toml",
);

#[cfg(test)]
mod tests;
