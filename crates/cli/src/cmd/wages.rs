//! `jiujin wages run|recount`: the daily wage-arrears warning run (SPEC §7) and the
//! rebuild of the monthly attendance counts; `load_projects` is `jiujin gen
//! --projects`, the synthetic projects written into the database.

use std::process::ExitCode;

use clap::Subcommand;
use jiujin_app::Settings;

#[derive(Subcommand)]
pub enum What {
    /// 欠薪预警日批：按条例逐项检查全部工程项目，新增、更新、解除和升级预警（同日重复运行不重复预警）
    Run {
        /// 检查日期，默认今天
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// 由逐日考勤重新统计每月出勤天数
    Recount,
}

pub async fn run(settings: Settings, what: What) -> anyhow::Result<ExitCode> {
    let store = super::open_store(&settings).await?;
    let t = std::time::Instant::now();
    match what {
        What::Run { date, json } => {
            let on = date.unwrap_or_else(super::today);
            let params = jiujin_domain::wages::rules::embedded();
            let by = settings.command_line_context();
            let r = jiujin_app::wages::run(&store, &params, on, &by).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let seconds = t.elapsed().as_secs_f64();
            if json {
                println!("{}", serde_json::json!({ "report": r, "seconds": seconds }));
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "{on} 欠薪预警日批：{} 个项目，发现 {} 项；新增 {}，更新 {}，解除 {}，升级 {}；失信名单期满移出 {}（用时 {seconds:.2} 秒：读取 {:.2}，检查 {:.2}，写入 {:.2}）",
                r.counts.projects, r.findings, r.counts.raised, r.counts.updated, r.counts.resolved, r.counts.escalated,
                r.expired_listings, r.read_seconds, r.check_seconds, r.write_seconds
            );
            for (label, n) in &r.by_check {
                println!("  {label}\t{n}");
            }
            for (g, n) in &r.by_grade {
                println!("  {g}色\t{n}");
            }
        }
        What::Recount => {
            let n = jiujin_store::wages::recount(&store).await?;
            println!("已重新统计 {n} 条月出勤记录（用时 {:.2} 秒）", t.elapsed().as_secs_f64());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `n` synthetic projects (attendance in the month before `as_of`) into the
/// configured database, 500 a transaction. Returns the counts and seconds.
pub async fn load_projects(
    settings: &Settings,
    n: u64,
    seed: u64,
    as_of: chrono::NaiveDate,
) -> anyhow::Result<(jiujin_store::wages_bulk::BulkCounts, f64)> {
    let store = super::open_store(settings).await?;
    let keys = super::keys(settings, &store, true).await?;
    let refdata = jiujin_domain::refdata::RefData::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
    let towns = jiujin_app::gen::projects::towns(refdata);
    let mut next = jiujin_store::wages_bulk::next_ids(&store).await?;
    let t = std::time::Instant::now();
    let pb = crate::progress::bar(n, "工程项目", false);
    let mut total = jiujin_store::wages_bulk::BulkCounts::default();
    let mut i = 0;
    while i < n {
        let end = (i + 500).min(n);
        let chunk: Vec<_> =
            (i..end).map(|k| jiujin_app::gen::projects::project(k, seed, as_of, refdata, &towns, &keys)).collect();
        let c = jiujin_store::wages_bulk::load(&store, &chunk, &mut next, "jiujin gen").await?;
        total.projects += c.projects;
        total.roster += c.roster;
        total.attendance += c.attendance;
        total.months += c.months;
        total.lines += c.lines;
        total.entries += c.entries;
        total.deposits += c.deposits;
        total.complaints += c.complaints;
        i = end;
        pb.set_position(i);
    }
    pb.finish_and_clear();
    let by = settings.command_line_context();
    let detail = serde_json::json!({ "what": "gen --projects", "seed": seed, "as_of": as_of, "counts": total });
    jiujin_store::audit::record(
        &store,
        &by.entry(jiujin_domain::audit::AuditAction::WageChange, "wage_projects", None, detail),
    )
    .await?;
    Ok((total, t.elapsed().as_secs_f64()))
}
