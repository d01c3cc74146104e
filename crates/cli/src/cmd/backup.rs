//! `jiujin backup` (online copy of the SQLite file with `VACUUM INTO`, consistent
//! while the server runs) and `jiujin restore` (put a backup in place, checked first).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args as ClapArgs;
use jiujin_app::Settings;
use jiujin_store::DbUrl;

#[derive(ClapArgs)]
pub struct BackupArgs {
    /// 备份文件（不得已存在）
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(ClapArgs)]
pub struct RestoreArgs {
    /// 备份文件
    #[arg(long)]
    pub from: PathBuf,
    /// 覆盖已存在的数据库文件
    #[arg(long)]
    pub force: bool,
}

fn sqlite_path(settings: &Settings) -> anyhow::Result<PathBuf> {
    match DbUrl::parse(&settings.db)? {
        DbUrl::Sqlite(p) => Ok(p),
        DbUrl::Postgres(_) => {
            bail!("backup/restore 用于内嵌的SQLite数据库；PostgreSQL请使用 pg_dump / pg_basebackup")
        }
    }
}

pub async fn backup(settings: Settings, a: BackupArgs) -> anyhow::Result<ExitCode> {
    let path = sqlite_path(&settings)?;
    if !path.exists() {
        bail!("数据库文件 {} 不存在", path.display());
    }
    if a.out.exists() {
        bail!("备份文件 {} 已存在，请换一个文件名", a.out.display());
    }
    let out = a.out.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let conn = rusqlite_open(&path)?;
        conn.execute("VACUUM INTO ?1", [out.to_string_lossy().as_ref()]).context("VACUUM INTO")?;
        Ok(())
    })
    .await??;
    let size = std::fs::metadata(&a.out).map(|m| m.len()).unwrap_or(0);
    println!(
        "已备份到 {}（{:.1} MB）。密钥文件需另行妥善保存：没有密钥，备份中的证件号码和电话无法读取。",
        a.out.display(),
        size as f64 / 1e6
    );
    Ok(ExitCode::SUCCESS)
}

fn rusqlite_open(path: &std::path::Path) -> anyhow::Result<jiujin_store::rusqlite::Connection> {
    let conn = jiujin_store::rusqlite::Connection::open(path)?;
    conn.execute_batch("PRAGMA busy_timeout = 10000")?;
    Ok(conn)
}

pub async fn restore(settings: Settings, a: RestoreArgs) -> anyhow::Result<ExitCode> {
    let target = sqlite_path(&settings)?;
    if !a.from.exists() {
        bail!("备份文件 {} 不存在", a.from.display());
    }
    if target.exists() && !a.force {
        bail!("数据库文件 {} 已存在；确认覆盖请加 --force（请先停止服务）", target.display());
    }
    let from = a.from.clone();
    let check = tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
        let conn = rusqlite_open(&from)?;
        let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM seaql_migrations", [], |r| r.get(0))
            .context("不是jiujin数据库的备份（缺少迁移记录）")?;
        Ok(format!("{ok}（{n} 个迁移）"))
    })
    .await??;
    if !check.starts_with("ok") {
        bail!("备份文件完整性检查失败：{check}");
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = target.with_extension("restoring");
    std::fs::copy(&a.from, &tmp)?;
    for ext in ["db-wal", "db-shm"] {
        let side = target.with_extension(ext);
        if side.exists() {
            std::fs::remove_file(side)?;
        }
    }
    std::fs::rename(&tmp, &target)?;
    println!("已从 {} 恢复到 {}（完整性检查：{check}）", a.from.display(), target.display());
    Ok(ExitCode::SUCCESS)
}
