//! Forward-only schema migrations (sea-orm-migration), the same for SQLite and
//! PostgreSQL. A migration is never edited once landed; changes come as new ones.

use sea_orm_migration::prelude::*;

mod m0001_registry;
mod m0002_access;
mod m0003_phone_index;
mod m0004_audit;
mod m0005_tokens;
mod m0006_name_index;
mod m0007_web_import;
mod m0008_policy_payouts;
mod m0009_notices;
mod m0010_person_facts;
mod m0011_jobs;
mod m0012_gig_and_fairs;
mod m0013_wanted_kind;
mod m0014_service_contacts;
mod m0015_training;
mod m0016_brokers;
mod m0017_support;
mod m0018_difficulty;
mod m0019_startups;
mod m0020_household_index;
mod m0021_wages;
mod m0022_monitoring;
mod m0023_counter_storage;
mod m0024_labor_brands;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_registry::Migration),
            Box::new(m0002_access::Migration),
            Box::new(m0003_phone_index::Migration),
            Box::new(m0004_audit::Migration),
            Box::new(m0005_tokens::Migration),
            Box::new(m0006_name_index::Migration),
            Box::new(m0007_web_import::Migration),
            Box::new(m0008_policy_payouts::Migration),
            Box::new(m0009_notices::Migration),
            Box::new(m0010_person_facts::Migration),
            Box::new(m0011_jobs::Migration),
            Box::new(m0012_gig_and_fairs::Migration),
            Box::new(m0013_wanted_kind::Migration),
            Box::new(m0014_service_contacts::Migration),
            Box::new(m0015_training::Migration),
            Box::new(m0016_brokers::Migration),
            Box::new(m0017_support::Migration),
            Box::new(m0018_difficulty::Migration),
            Box::new(m0019_startups::Migration),
            Box::new(m0020_household_index::Migration),
            Box::new(m0021_wages::Migration),
            Box::new(m0022_monitoring::Migration),
            Box::new(m0023_counter_storage::Migration),
            Box::new(m0024_labor_brands::Migration),
        ]
    }
}
