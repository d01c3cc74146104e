//! sea-orm entities, one module per table, for ordinary reads and writes. The bulk
//! import path writes the same tables with prepared statements / COPY instead.

pub mod api_token;
pub mod audit_log;
pub mod batch_lock;
pub mod broker;
pub mod broker_claim;
pub mod broker_integrity;
pub mod broker_placement;
pub mod duplicate_review;
pub mod employer;
pub mod gig_claim;
pub mod gig_station;
pub mod import_file;
pub mod import_run;
pub mod job;
pub mod job_fair;
pub mod job_fair_employer;
pub mod job_push;
pub mod ledger_entry;
pub mod login_failure;
pub mod meta;
pub mod notice;
pub mod payout;
pub mod person;
pub mod person_event;
pub mod person_fact;
pub mod policy_run;
pub mod policy_subscription;
pub mod policy_version;
pub mod region;
pub mod service_contact;
pub mod session;
pub mod training_course;
pub mod training_enrolment;
pub mod training_provider;
pub mod user;
