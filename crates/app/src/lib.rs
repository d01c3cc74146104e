//! Services of jiujin that combine the store and the domain: settings, the keys that
//! protect identities at rest, the registry's import/export, the policy service's
//! evaluation of registered persons, and the synthetic city.

pub mod access;
pub mod brands;
pub mod brokers;
pub mod crypto;
pub mod demo;
pub mod difficulty;
pub mod facts;
pub mod gen;
pub mod jobs;
pub mod monitoring;
pub mod policy;
pub mod registry;
pub mod services;
pub mod settings;
pub mod startups;
pub mod support;
pub mod training;
pub mod wages;
pub mod wages_import;

pub use crypto::Keys;
pub use settings::Settings;
