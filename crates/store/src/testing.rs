//! Fresh databases for tests (feature `testing`): a temporary SQLite file, and — when
//! `JIUJIN_TEST_PG` names a PostgreSQL server — a new database per test, dropped
//! afterwards. Tests run in parallel and never share state.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Connection, Executor};

use crate::{DbUrl, Store};

/// A database that lives as long as the value.
pub struct TestDb {
    pub url: DbUrl,
    pub label: &'static str,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The PostgreSQL server for tests, from `JIUJIN_TEST_PG` (e.g.
/// `postgres://postgres@127.0.0.1:5432/test`).
pub fn pg_admin_url() -> Option<String> {
    std::env::var("JIUJIN_TEST_PG").ok().filter(|s| !s.is_empty())
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if i > base.find("://").map(|s| s + 2).unwrap_or(0) => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("tempdir: {e}"),
        };
        let url = DbUrl::Sqlite(dir.path().join("test.db"));
        TestDb { url, label: "sqlite", _dir: Some(dir), pg: None }
    }

    /// A new PostgreSQL database, or `None` when no server is configured.
    pub async fn postgres() -> Option<TestDb> {
        let admin = pg_admin_url()?;
        let name = format!(
            "jiujin_t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            chrono::Utc::now().timestamp_micros() % 1_000_000_000
        );
        let mut conn = match sqlx::PgConnection::connect(&admin).await {
            Ok(c) => c,
            Err(e) => panic!("JIUJIN_TEST_PG 已设置但无法连接：{e}"),
        };
        if let Err(e) = conn.execute(format!("CREATE DATABASE {name}").as_str()).await {
            panic!("CREATE DATABASE {name}: {e}");
        }
        let _ = conn.close().await;
        let url = DbUrl::Postgres(with_database(&admin, &name));
        Some(TestDb { url, label: "postgres", _dir: None, pg: Some((admin, name)) })
    }

    /// SQLite always, PostgreSQL too when configured.
    pub async fn all() -> Vec<TestDb> {
        let mut v = vec![TestDb::sqlite()];
        if let Some(pg) = TestDb::postgres().await {
            v.push(pg);
        }
        v
    }

    pub async fn store(&self) -> Store {
        match Store::open_migrated(&self.url).await {
            Ok(s) => s,
            Err(e) => panic!("open {}: {e}", self.label),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.pg.take() else {
            return;
        };
        // Drop runs outside any runtime guarantee: use a short-lived one on a thread.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                    let _ = c.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
                    let _ = c.close().await;
                }
            });
        })
        .join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_replaces_the_one_in_the_url() {
        assert_eq!(with_database("postgres://u@h:5432/test", "x"), "postgres://u@h:5432/x");
        assert_eq!(with_database("postgres://u@h/test?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
    }
}
