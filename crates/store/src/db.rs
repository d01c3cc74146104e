//! Which database: a URL names SQLite (`sqlite://PATH`, the embedded default) or
//! PostgreSQL (`postgres://…`); both are opened through sea-orm with the same code,
//! with the connection settings each needs (WAL and foreign keys for SQLite).

use std::path::{Path, PathBuf};
use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, Statement};

use crate::StoreError;

/// A parsed database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DbUrl {
    /// Parses `sqlite://PATH` (relative or absolute; `sqlite:PATH` too) or
    /// `postgres://…` / `postgresql://…`.
    pub fn parse(url: &str) -> Result<DbUrl, StoreError> {
        let u = url.trim();
        if let Some(rest) = u.strip_prefix("sqlite://").or_else(|| u.strip_prefix("sqlite:")) {
            let path = rest.split('?').next().unwrap_or("");
            if path.is_empty() {
                return Err(StoreError::BadUrl(url.to_string()));
            }
            return Ok(DbUrl::Sqlite(PathBuf::from(path)));
        }
        if u.starts_with("postgres://") || u.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(u.to_string()));
        }
        Err(StoreError::BadUrl(url.to_string()))
    }

    pub fn backend(&self) -> DatabaseBackend {
        match self {
            DbUrl::Sqlite(_) => DatabaseBackend::Sqlite,
            DbUrl::Postgres(_) => DatabaseBackend::Postgres,
        }
    }

    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            DbUrl::Sqlite(p) => Some(p),
            DbUrl::Postgres(_) => None,
        }
    }

    /// The URL sea-orm/sqlx understand (`sqlite://PATH?mode=rwc` creates the file).
    fn connect_url(&self) -> String {
        match self {
            DbUrl::Sqlite(p) => format!("sqlite://{}?mode=rwc", p.display()),
            DbUrl::Postgres(u) => u.clone(),
        }
    }

    /// The URL with any password removed, for messages and logs.
    pub fn redacted(&self) -> String {
        match self {
            DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            DbUrl::Postgres(u) => match (u.find("://"), u.rfind('@')) {
                (Some(s), Some(at)) if at > s => {
                    let creds = &u[s + 3..at];
                    let user = creds.split(':').next().unwrap_or("");
                    format!("{}{}@{}", &u[..s + 3], user, &u[at + 1..])
                }
                _ => u.clone(),
            },
        }
    }
}

/// Page size of a new SQLite database (bytes; an existing file keeps its own).
/// Registry rows are wide (about 300 bytes): 16 KiB pages hold fifty of them, so a
/// city-sized load makes a quarter of the page writes and reads that 4 KiB would.
pub const SQLITE_PAGE_SIZE: u32 = 16384;

/// How much of an SQLite file the web app's connections read through a memory map
/// (`PRAGMA mmap_size`; the build raises SQLite's 2 GB cap, `.cargo/config.toml`).
/// Under load every commit (a search's audit entry, group-committed dozens of times
/// a second) makes every other connection drop its whole page cache (and its map)
/// at its next read, so each read fetched its pages again: through `read()`, a copy
/// of 16 KiB each; through the map, a minor page fault. Measured at 7.4M persons
/// (bench/README.md): about 1,100 → 1,400 searches a second, in one build with the
/// session lookup made a single statement.
pub const SQLITE_MMAP_BYTES: u64 = 1 << 40;

/// SQLite settings applied to every connection, pooled or bulk.
pub const SQLITE_PRAGMAS: &[&str] = &[
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
];

pub(crate) async fn open(url: &DbUrl) -> Result<DatabaseConnection, StoreError> {
    if let DbUrl::Sqlite(path) = url {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Io(format!("{}: {e}", dir.display())))?;
        }
    }
    let mut opts = ConnectOptions::new(url.connect_url());
    opts.sqlx_logging(false)
        // No ping when a connection is taken from the pool: it was a round trip of
        // its own in front of every statement. sqlx still pings each connection when
        // it is given back (off the request's path) and drops a broken one, so a
        // server restart costs at most one failed statement per pooled connection.
        .test_before_acquire(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30))
        .max_connections(match url {
            // One writer at a time anyway; more readers than about twice the cores
            // only add thread switches (measured at 7.4M: 8 → 4 connections with the
            // larger cache, 962 → 1,164 req/s on a name search; 2 gave 1,000).
            DbUrl::Sqlite(_) => 4,
            DbUrl::Postgres(_) => 16,
        });
    if matches!(url, DbUrl::Sqlite(_)) {
        // Pragmas are per connection: sqlx applies these to each one it opens.
        opts.map_sqlx_sqlite_opts(|o| {
            o.page_size(SQLITE_PAGE_SIZE)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // 64 MiB of page cache per connection: the name and region indexes'
                // upper levels stay in memory instead of being re-read from the OS.
                .pragma("cache_size", "-65536")
                .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
        });
    }
    let db = Database::connect(opts)
        .await
        .map_err(|e| StoreError::Connect { url: url.redacted(), reason: e.to_string() })?;
    db.execute(Statement::from_string(db.get_database_backend(), "SELECT 1".to_string()))
        .await
        .map_err(|e| StoreError::Connect { url: url.redacted(), reason: e.to_string() })?;
    Ok(db)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_the_backend_and_hide_passwords() {
        assert_eq!(DbUrl::parse("sqlite://data/j.db").unwrap(), DbUrl::Sqlite("data/j.db".into()));
        assert_eq!(DbUrl::parse("sqlite:///tmp/j.db").unwrap(), DbUrl::Sqlite("/tmp/j.db".into()));
        let pg = DbUrl::parse("postgres://u:secret@127.0.0.1:5432/test").unwrap();
        assert_eq!(pg.redacted(), "postgres://u@127.0.0.1:5432/test");
        assert!(DbUrl::parse("mysql://x").is_err());
        assert!(DbUrl::parse("sqlite://").is_err());
    }
}
