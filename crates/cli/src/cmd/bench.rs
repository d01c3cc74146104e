//! `jiujin bench import`: the import benchmark of the foundation issue. Generates the
//! synthetic city (cached by size and seed), then times, on the same file in the same
//! run: `sqlite3 .import` into a plain table against `jiujin import` into SQLite, and
//! `psql \copy` into a plain table against `jiujin import` into PostgreSQL (COPY).
//! Prints both figures and their ratio, and writes them as JSON. `jiujin bench rules`
//! (in `bench/rules.rs`) times the bulk policy kernel against numpy.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Args as ClapArgs, Subcommand};
use jiujin_app::gen::{generate, GenOptions};
use jiujin_app::Settings;
use jiujin_domain::refdata::RefData;

#[derive(Subcommand)]
pub enum What {
    /// 导入基准：jiujin import 对比 sqlite3 .import 与 psql \copy
    Import(ImportArgs),
    /// 批量规则基准：5条个人规则的列式内核对比 numpy 与内存带宽
    Rules(rules::RulesArgs),
    /// 逐人解释基准：读人员和已记录事实并评估全部个人政策的延迟（p50 目标 < 1 ms）
    Explain(explain::ExplainArgs),
    /// 人岗匹配与岗位搜索基准：20万在招岗位上为一名求职人员取前10（含解释）的 p50/p99 与每秒人数，对比 numpy 倒排索引；搜索 p50/p99
    Match(matching::MatchArgs),
}

mod explain;
mod matching;
mod rules;

#[derive(ClapArgs)]
pub struct ImportArgs {
    /// 人数（全市 7366000）
    #[arg(long, default_value_t = 1_000_000)]
    pub workers: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// 工作目录（生成的文件会被复用）
    #[arg(long, default_value = "bench/out")]
    pub dir: PathBuf,
    /// PostgreSQL 管理地址（用于新建基准库）；不给则只测 SQLite
    #[arg(long)]
    pub pg: Option<String>,
}

/// One timed run.
#[derive(Debug, Clone, serde::Serialize)]
struct Timing {
    what: String,
    rows: u64,
    seconds: f64,
    rows_per_second: f64,
    peak_rss_mib: Option<f64>,
}

fn timing(what: &str, rows: u64, seconds: f64, peak_kib: Option<u64>) -> Timing {
    Timing {
        what: what.to_string(),
        rows,
        seconds,
        rows_per_second: rows as f64 / seconds.max(1e-9),
        peak_rss_mib: peak_kib.map(|k| k as f64 / 1024.0),
    }
}

fn run_timed(cmd: &mut Command, what: &str) -> anyhow::Result<(f64, String)> {
    // Each run starts with the previous run's written pages on disk, so that it
    // does not pay for their write-back (sqlite3 leaves over a gigabyte behind).
    let _ = Command::new("sync").status();
    let t = Instant::now();
    let out = cmd.stderr(Stdio::inherit()).output().with_context(|| format!("无法运行 {what}"))?;
    let secs = t.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!("{what} 失败：{}", String::from_utf8_lossy(&out.stdout));
    }
    Ok((secs, String::from_utf8_lossy(&out.stdout).into_owned()))
}

fn jiujin_import(db: &str, key: &Path, file: &Path, what: &str) -> anyhow::Result<Timing> {
    let exe = std::env::current_exe()?;
    let key_init = Command::new(&exe).args(["--db", db, "--key-file"]).arg(key).args(["key", "init"]).output()?;
    if !key_init.status.success() {
        bail!("key init: {}", String::from_utf8_lossy(&key_init.stderr));
    }
    let (secs, out) = run_timed(
        Command::new(&exe)
            .args(["--db", db, "--key-file"])
            .arg(key)
            .args(["import", "workers"])
            .arg(file)
            .args(["--json", "--stats"]),
        what,
    )?;
    let v: serde_json::Value = serde_json::from_str(out.trim()).with_context(|| format!("{what} 输出：{out}"))?;
    let rows =
        v["inserted"].as_u64().unwrap_or(0) + v["updated"].as_u64().unwrap_or(0) + v["unchanged"].as_u64().unwrap_or(0);
    if v["rejected"].as_u64().unwrap_or(0) > 0 {
        bail!("{what}：合成数据出现被拒绝的行：{v}");
    }
    Ok(timing(what, rows, secs, v["peak_rss_kib"].as_u64()))
}

fn pg_url_with_db(admin: &str, db: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin, None),
    };
    let start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[start..].find('/') {
        Some(i) => &base[..start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

fn psql(url: &str, sql: &str) -> anyhow::Result<()> {
    let out = Command::new("psql").args([url, "-v", "ON_ERROR_STOP=1", "-qc", sql]).output().context("psql")?;
    if !out.status.success() {
        bail!("psql：{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

fn remove_sqlite(path: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
}

pub async fn run(settings: Settings, what: What) -> anyhow::Result<ExitCode> {
    let a = match what {
        What::Import(a) => a,
        What::Rules(a) => return tokio::task::block_in_place(|| rules::run(a)),
        What::Explain(a) => return explain::run(settings, a).await,
        What::Match(a) => return matching::run(a).await,
    };
    std::fs::create_dir_all(&a.dir)?;
    let dir = a.dir.canonicalize()?;
    let gen_dir = dir.join(format!("city-{}-{}", a.workers, a.seed));
    let file = gen_dir.join("workers.csv");
    if !file.exists() {
        let refdata = RefData::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
        let pb = crate::progress::bar(a.workers, "生成合成人口", false);
        let opts = GenOptions { workers: a.workers, seed: a.seed, out_dir: gen_dir.clone(), as_of: super::today() };
        tokio::task::block_in_place(|| generate(&opts, refdata, &|n| pb.set_position(n)))?;
        pb.finish_and_clear();
    }
    let size = std::fs::metadata(&file)?.len();
    println!("数据：{}（{} 行，{:.0} MB）", file.display(), a.workers, size as f64 / 1e6);
    let mut results = Vec::new();

    // SQLite: the peer first, then jiujin, on the same file.
    let peer_db = dir.join("peer.sqlite");
    remove_sqlite(&peer_db);
    let (secs, _) = run_timed(
        Command::new("sqlite3").arg(&peer_db).args([".mode csv", &format!(".import '{}' raw", file.display())]),
        "sqlite3 .import",
    )?;
    results.push(timing("sqlite3 .import（无校验，单表无索引）", a.workers, secs, None));
    remove_sqlite(&peer_db);
    let db = dir.join("jiujin.sqlite");
    remove_sqlite(&db);
    let key = dir.join("bench.key");
    let _ = std::fs::remove_file(&key);
    results.push(jiujin_import(&format!("sqlite://{}", db.display()), &key, &file, "jiujin import → SQLite")?);
    remove_sqlite(&db);

    if let Some(admin) = &a.pg {
        for name in ["jiujin_bench_peer", "jiujin_bench"] {
            psql(admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
            psql(admin, &format!("CREATE DATABASE {name}"))?;
        }
        let peer = pg_url_with_db(admin, "jiujin_bench_peer");
        let cols: Vec<String> = (1..=jiujin_domain::registry::COLUMNS.len()).map(|i| format!("c{i} text")).collect();
        psql(&peer, &format!("CREATE TABLE raw ({})", cols.join(", ")))?;
        let (secs, _) = run_timed(
            Command::new("psql")
                .args([&peer, "-v", "ON_ERROR_STOP=1", "-qc"])
                .arg(format!("\\copy raw FROM '{}' WITH (FORMAT csv, HEADER true)", file.display())),
            "psql \\copy",
        )?;
        results.push(timing("psql \\copy（无校验，单表无索引）", a.workers, secs, None));
        let _ = std::fs::remove_file(&key);
        let target = pg_url_with_db(admin, "jiujin_bench");
        results.push(jiujin_import(&target, &key, &file, "jiujin import → PostgreSQL")?);
        for name in ["jiujin_bench_peer", "jiujin_bench"] {
            psql(admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
        }
    }
    let _ = std::fs::remove_file(&key);

    println!("\n{:<36} {:>10} {:>9} {:>12} {:>10}", "", "行", "秒", "行/秒", "内存峰值");
    for t in &results {
        let mem = t.peak_rss_mib.map(|m| format!("{m:.0} MiB")).unwrap_or_else(|| "—".into());
        println!("{:<36} {:>10} {:>9.1} {:>12.0} {:>10}", t.what, t.rows, t.seconds, t.rows_per_second, mem);
    }
    let ratio = |peer: usize, ours: usize| results[ours].rows_per_second / results[peer].rows_per_second;
    println!("\nSQLite：jiujin / sqlite3 .import = {:.2}（目标 ≥ 1.0）", ratio(0, 1));
    if results.len() == 4 {
        println!("PostgreSQL：jiujin / psql \\copy = {:.2}（目标 ≥ 0.5）", ratio(2, 3));
    }
    let report = dir.join(format!("import-{}.json", a.workers));
    let json = serde_json::json!({
        "workers": a.workers,
        "seed": a.seed,
        "file_bytes": size,
        "results": results,
        "sqlite_ratio": ratio(0, 1),
        "postgres_ratio": if results.len() == 4 { Some(ratio(2, 3)) } else { None },
    });
    std::fs::write(&report, serde_json::to_string_pretty(&json)?)?;
    println!("结果已写入 {}", report.display());
    Ok(ExitCode::SUCCESS)
}
