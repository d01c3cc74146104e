//! Registry services: importing and exporting worker files, and the blank template.

pub mod entry;
pub mod export;
pub mod import;
pub mod rejects;
pub mod source;
