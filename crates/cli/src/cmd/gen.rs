//! `jiujin gen`: writes a synthetic, import-ready city.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args as ClapArgs;
use jiujin_app::gen::{generate, generate_history, history_start, GenOptions};
use jiujin_domain::refdata::RefData;

#[derive(ClapArgs)]
pub struct Args {
    /// 人数（全市约 7,366,000）
    #[arg(long, default_value_t = 100_000)]
    pub workers: u64,
    /// 用人单位数（全市约 500,000）；与 --jobs 一起生成 employers.csv 和 jobs.csv
    #[arg(long, default_value_t = 0)]
    pub employers: u64,
    /// 在招岗位数（全市约 200,000）
    #[arg(long, default_value_t = 0)]
    pub jobs: u64,
    /// 随机种子：同一种子生成完全相同的文件
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// 输出目录
    #[arg(long)]
    pub out: PathBuf,
    /// 数据日期（年龄、登记失业日期据此计算），默认今天
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
    /// 历史月数：大于0时 workers.csv 反映数据日期所在月往前该月数的月初，另为其后每个月（至数据日期所在月）生成
    /// history/YYYY-MM.csv（当月状态有变化的人员，导入模板格式），依次导入即得逐月流动（春节返乡、节后外出、就近就业、失业）
    #[arg(long, default_value_t = 0)]
    pub history: u32,
    /// 工程项目数（全市约 20,000）：连同花名册、上月逐日考勤、工资支付表、专用账户流水和投诉直接写入 --db 指定的数据库，按设定比例埋入各类欠薪问题
    #[arg(long, default_value_t = 0)]
    pub projects: u64,
}

pub async fn run(settings: jiujin_app::Settings, a: Args) -> anyhow::Result<ExitCode> {
    let refdata = RefData::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
    let as_of = a.as_of.unwrap_or_else(super::today);
    // With a history the base file describes the first day of its first month.
    let base_date = if a.history > 0 {
        history_start(as_of, a.history).ok_or_else(|| anyhow::anyhow!("--history {} 超出日期范围", a.history))?
    } else {
        as_of
    };
    let pb = crate::progress::bar(a.workers, "生成", false);
    let opts = GenOptions { workers: a.workers, seed: a.seed, out_dir: a.out.clone(), as_of: base_date };
    let summary = generate(&opts, refdata, &|n| pb.set_position(n))?;
    pb.finish_and_clear();
    let base = summary.files.first().map(|(p, _)| p.clone()).ok_or_else(|| anyhow::anyhow!("未生成文件"))?;
    let facts = summary.files.get(1).map(|(p, _)| p.clone());
    let mut files = summary.files;
    let history = if a.history > 0 {
        let pb = crate::progress::bar(u64::from(a.history), "生成历史变动（月）", false);
        let started = std::time::Instant::now();
        let history =
            generate_history(&base, &a.out, as_of, a.history, a.seed, refdata, &|k| pb.set_position(u64::from(k)))?;
        pb.finish_and_clear();
        eprintln!("历史变动 {} 个月，用时 {:.1} 秒", history.len(), started.elapsed().as_secs_f64());
        history
    } else {
        Vec::new()
    };
    if a.employers > 0 || a.jobs > 0 {
        let opts = jiujin_app::gen::JobsGenOptions {
            employers: a.employers.max(u64::from(a.jobs > 0)),
            jobs: a.jobs,
            seed: a.seed,
            out_dir: a.out.clone(),
            as_of,
        };
        files.extend(jiujin_app::gen::generate_jobs(&opts, refdata)?);
    }
    for (path, rows) in &files {
        println!("{}：{} 行", path.display(), rows);
    }
    for h in &history {
        let f = &h.flows;
        println!(
            "{}：{} 行（返乡 {}，外出 {}，就近就业 {}，区外市内就业 {}，新增失业 {}，登记失业 {}）",
            h.path.display(),
            h.rows,
            f.returns,
            f.departures,
            f.near_home_jobs,
            f.other_local_jobs,
            f.became_unemployed,
            f.registered
        );
    }
    if !history.is_empty() {
        println!("按以下顺序导入：");
        println!("  jiujin import workers {} --as-of {base_date}", base.display());
        if let Some(facts) = &facts {
            println!("  jiujin import facts {}", facts.display());
        }
        for h in &history {
            println!("  jiujin import workers {} --as-of {}", h.path.display(), h.as_of);
        }
        for (path, _) in files.iter().skip(2) {
            let what = if path.file_name().is_some_and(|n| n == "employers.csv") { "employers" } else { "jobs" };
            println!("  jiujin import {what} {} --as-of {as_of}", path.display());
        }
    }
    if a.projects > 0 {
        let (c, seconds) = super::wages::load_projects(&settings, a.projects, a.seed, as_of).await?;
        println!(
            "工程项目 {} 个（花名册 {} 人，逐日考勤 {} 行，月出勤 {} 行，工资支付表 {} 行，专用账户流水 {} 行，保证金 {} 笔，投诉 {} 件）已写入 {}（用时 {seconds:.1} 秒）",
            c.projects, c.roster, c.attendance, c.months, c.lines, c.entries, c.deposits, c.complaints, settings.db
        );
    }
    Ok(ExitCode::SUCCESS)
}
