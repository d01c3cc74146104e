//! One module per command.

pub mod audit;
pub mod backup;
pub mod bench;
pub mod demo;
pub mod export;
pub mod gen;
pub mod import;
pub mod jobs;
pub mod monitoring;
pub mod policy;
pub mod registry;
pub mod report;
pub mod serve;
pub mod services;
pub mod token;
pub mod training;
pub mod user;
pub mod validate;
pub mod wages;

use std::process::ExitCode;

use anyhow::Context;
use jiujin_app::{Keys, Settings};
use jiujin_store::{DbUrl, Store};

/// Opens the configured database and brings its schema up to date.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let url = DbUrl::parse(&settings.db)?;
    Ok(Store::open_migrated(&url).await?)
}

/// Loads the key (creating it only when `create`), and checks it against the
/// database's record of the key it was first used with.
pub async fn keys(settings: &Settings, store: &Store, create: bool) -> anyhow::Result<Keys> {
    let path = settings.key_path();
    let keys = Keys::load(&path, create)?;
    store
        .verify_key_check(keys.check_value(), &path.display().to_string())
        .await
        .with_context(|| format!("密钥文件 {}", path.display()))?;
    Ok(keys)
}

pub async fn migrate(settings: Settings) -> anyhow::Result<ExitCode> {
    let store = open_store(&settings).await?;
    let applied = store.applied_migrations().await?;
    println!("数据库 {} 已是最新结构（{} 个迁移）：{}", store.url().redacted(), applied.len(), applied.join("、"));
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Subcommand)]
pub enum KeyWhat {
    /// 创建密钥文件（已存在则沿用），并在数据库中登记其校验值
    Init,
}

pub async fn key(settings: Settings, what: KeyWhat) -> anyhow::Result<ExitCode> {
    let KeyWhat::Init = what;
    let store = open_store(&settings).await?;
    let existed = settings.key_path().exists();
    keys(&settings, &store, true).await?;
    println!(
        "密钥文件 {}（{}），已与数据库 {} 绑定。请另行备份密钥文件。",
        settings.key_path().display(),
        if existed { "沿用已有" } else { "新建" },
        store.url().redacted()
    );
    Ok(ExitCode::SUCCESS)
}

/// Today in China (UTC+8), the default "as of" date of imports.
/// The scope of a report's `--region` (the city without one), or `None` after saying
/// on standard error that the code is not a Chongqing region.
pub fn region_scope(refdata: &jiujin_domain::refdata::RefData, region: Option<&str>) -> Option<jiujin_store::Scope> {
    let Some(text) = region else {
        return Some(jiujin_store::Scope::City);
    };
    match jiujin_domain::RegionCode::parse(text) {
        Ok(r) if refdata.region(r).is_some() => Some(jiujin_store::Scope::Region(r)),
        _ => {
            eprintln!("错误：--region “{text}”不是重庆市的区划代码");
            None
        }
    }
}

pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// Records the embedded policy library in the database and notifies subscribers of
/// policies added or changed since the database last saw them (servers run it when
/// they start; a failure is reported and does not stop the server).
pub async fn sync_policies(store: &jiujin_store::Store) {
    let lib = match jiujin_domain::policy::Library::embedded() {
        Ok(lib) => lib,
        Err(errors) => {
            eprintln!("警告：内置政策库有{}处错误，未同步", errors.len());
            return;
        }
    };
    match jiujin_app::policy::sync_library(store, lib).await {
        Ok(Some(s)) if s.notices > 0 || !s.changed.is_empty() => {
            println!("政策库：新增 {} 项，调整 {} 项，已通知订阅者 {} 条", s.added.len(), s.changed.len(), s.notices)
        }
        Ok(_) => {}
        Err(e) => eprintln!("警告：政策库同步失败：{e}"),
    }
}
