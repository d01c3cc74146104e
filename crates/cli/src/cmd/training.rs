//! `jiujin training shortage-run|rates`: the monthly 紧缺职业目录 run and the
//! post-training employment rate by provider and course against the 60 % floor
//! (SPEC §6, seed 001 §(四)).

use std::process::ExitCode;

use clap::{Args as ClapArgs, Subcommand};
use jiujin_app::Settings;

#[derive(Subcommand)]
pub enum What {
    /// 生成紧缺职业目录：在招岗位尚缺人数对求职人数（求人倍率大于1），每月运行一次
    ShortageRun {
        /// 目录月份 YYYY-MM，默认本月
        #[arg(long)]
        month: Option<String>,
        /// 按哪天在招的岗位计算，默认今天
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// 培训后就业率：按培训机构和培训班，结业后6个月内就业，低于60%的机构标出
    Rates(RatesArgs),
}

#[derive(ClapArgs)]
pub struct RatesArgs {
    /// 只看在该区划（区县6位代码等）开班的培训班，默认全市
    #[arg(long)]
    region: Option<String>,
    /// 计算日期，默认今天
    #[arg(long)]
    date: Option<chrono::NaiveDate>,
    #[arg(long)]
    json: bool,
}

pub async fn run(settings: Settings, what: What) -> anyhow::Result<ExitCode> {
    let refdata = jiujin_domain::refdata::RefData::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
    let store = super::open_store(&settings).await?;
    let t = std::time::Instant::now();
    match what {
        What::ShortageRun { month, date, json } => {
            let date = date.unwrap_or_else(super::today);
            let month = month.unwrap_or_else(|| date.format("%Y-%m").to_string());
            let by = settings.command_line_context();
            let rows = match jiujin_app::training::shortage_run(&store, &month, date, &by).await {
                Ok(r) => r,
                Err(jiujin_app::training::TrainingError::Invalid(e)) => {
                    for (_, m) in e {
                        eprintln!("{m}");
                    }
                    return Ok(ExitCode::from(2));
                }
                Err(e) => return Err(anyhow::anyhow!("{e}")),
            };
            let seconds = t.elapsed().as_secs_f64();
            if json {
                println!("{}", serde_json::json!({ "month": month, "rows": rows, "seconds": seconds }));
                return Ok(ExitCode::SUCCESS);
            }
            println!("{month} 紧缺职业目录：{} 个职业（工种）（用时 {seconds:.2} 秒）", rows.len());
            for r in rows.iter().take(30) {
                println!(
                    "{}\t{}\t尚缺 {}\t求职 {}\t求人倍率 {:.2}",
                    r.rank, r.occupation, r.openings, r.seekers, r.ratio
                );
            }
        }
        What::Rates(a) => {
            let Some(scope) = super::region_scope(refdata, a.region.as_deref()) else {
                return Ok(ExitCode::from(2));
            };
            let date = a.date.unwrap_or_else(super::today);
            let r = jiujin_app::training::rates(&store, scope, date).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let seconds = t.elapsed().as_secs_f64();
            if a.json {
                println!("{}", serde_json::json!({ "report": r, "seconds": seconds }));
                return Ok(ExitCode::SUCCESS);
            }
            let pct = |c: &jiujin_domain::training::Cohort| {
                c.rate().map_or_else(|| "—".to_string(), |x| format!("{:.1}%", x * 100.0))
            };
            println!(
                "{date} 结业满6个月 {} 人，其中6个月内就业 {} 人，培训后就业率 {}（用时 {seconds:.2} 秒）",
                r.total.closed,
                r.total.closed_employed,
                pct(&r.total)
            );
            for p in &r.providers {
                let flag = if p.below_floor { "\t低于60%" } else { "" };
                println!("{}\t{}/{}\t{}{flag}", p.name, p.cohort.closed_employed, p.cohort.closed, pct(&p.cohort));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
