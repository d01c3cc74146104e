//! Storage of jiujin. One code path for SQLite (embedded default) and PostgreSQL
//! (the city): sea-orm for ordinary reads and writes, designed bulk paths for the hot
//! ones (import). Every query that returns people goes through a `Scope`.

pub mod access;
pub mod audit;
pub mod brands;
pub mod brokers;
pub mod db;
pub mod difficulty;
pub mod entity;
pub mod facts;
pub mod gig;
mod inline;
pub mod jobs;
pub mod locks;
pub mod migration;
pub mod monitoring;
pub mod notices;
pub mod policy;
pub mod population;
pub mod records;
pub mod refdata;
pub mod registry;
pub mod risk;
mod scope;
pub mod services;
pub mod sql;
pub mod startups;
pub mod support;
#[cfg(feature = "testing")]
pub mod testing;
pub mod training;
pub mod wages;
pub mod wages_bulk;

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, Set};
use sea_orm_migration::MigratorTrait;

pub use db::DbUrl;
pub use scope::Scope;
pub use {rusqlite, sea_orm};

/// Errors of the storage layer. Messages are Chinese (they reach operators).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库地址“{0}”无法识别：应为 sqlite://文件路径 或 postgres://用户@主机:端口/库名")]
    BadUrl(String),
    #[error("无法连接数据库 {url}：{reason}")]
    Connect { url: String, reason: String },
    #[error("数据库操作失败：{0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("数据库操作失败：{0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("数据库操作失败：{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("文件操作失败：{0}")]
    Io(String),
    #[error("数据库中的数据不一致：{0}")]
    Corrupt(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    #[error("数据库中的密钥校验值与当前密钥不符：请使用创建该数据库时的密钥文件（{0}）")]
    WrongKey(String),
    #[error("后台任务异常结束：{0}")]
    Task(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open database.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    url: DbUrl,
    /// The registry's name search in memory, once loaded (`load_name_index`).
    names: registry::names::NameIndex,
}

impl Store {
    /// Opens the database named by `url` (creating an SQLite file if needed).
    pub async fn connect(url: &DbUrl) -> Result<Store> {
        let db = db::open(url).await?;
        Ok(Store { db, url: url.clone(), names: Default::default() })
    }

    /// Starts loading the registry's name search into memory on a background
    /// thread (SQLite only; on PostgreSQL it stays in SQL). A server calls this
    /// once; searches read SQL until it is ready. `wait` loads on this thread.
    pub fn load_name_index(&self, wait: bool) -> Result<()> {
        let Some(path) = self.url.sqlite_path() else {
            return Ok(());
        };
        if wait {
            self.names.load(path)?;
        } else {
            self.names.load_in_background(path.to_path_buf());
        }
        Ok(())
    }

    /// The name search in memory (loaded or not).
    pub fn name_index(&self) -> &registry::names::NameIndex {
        &self.names
    }

    /// Opens and brings the schema and reference tables up to date.
    pub async fn open_migrated(url: &DbUrl) -> Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    /// Applies pending migrations (forward only) and loads the reference regions.
    pub async fn migrate(&self) -> Result<()> {
        migration::Migrator::up(&self.db, None).await?;
        registry::indexes::ensure(self).await?;
        refdata::load_regions(self).await?;
        Ok(())
    }

    /// Names of the migrations applied, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<String>> {
        let applied = migration::Migrator::get_applied_migrations(&self.db).await?;
        Ok(applied.iter().map(|m| m.name().to_string()).collect())
    }

    pub async fn meta_get(&self, key: &str) -> Result<Option<String>> {
        Ok(entity::meta::Entity::find_by_id(key.to_string()).one(&self.db).await?.map(|m| m.value))
    }

    /// Sets a meta value if absent; returns the value now stored.
    pub async fn meta_init(&self, key: &str, value: &str) -> Result<String> {
        if let Some(v) = self.meta_get(key).await? {
            return Ok(v);
        }
        let am = entity::meta::ActiveModel { key: Set(key.to_string()), value: Set(value.to_string()) };
        match entity::meta::Entity::insert(am).exec(&self.db).await {
            Ok(_) => Ok(value.to_string()),
            // Another process set it first: use theirs.
            Err(_) => self.meta_get(key).await?.ok_or_else(|| StoreError::Corrupt(format!("meta {key}"))),
        }
    }

    /// Checks that `check` (a value derived from the encryption key) matches the one
    /// recorded when the database was first used; records it on first use.
    pub async fn verify_key_check(&self, check: &str, key_hint: &str) -> Result<()> {
        let stored = self.meta_init("key_check", check).await?;
        if stored == check {
            Ok(())
        } else {
            Err(StoreError::WrongKey(key_hint.to_string()))
        }
    }

    /// `SELECT 1`, for health checks.
    pub async fn ping(&self) -> Result<()> {
        self.db.execute(sea_orm::Statement::from_string(self.backend(), "SELECT 1".to_string())).await?;
        Ok(())
    }
}
