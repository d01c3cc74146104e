//! `jiujin gen`: writes a synthetic, import-ready city.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args as ClapArgs;
use jiujin_app::gen::{generate, GenOptions};
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
    /// 工程项目数（全市约 20,000）：连同花名册、上月逐日考勤、工资支付表、专用账户流水和投诉直接写入 --db 指定的数据库，按设定比例埋入各类欠薪问题
    #[arg(long, default_value_t = 0)]
    pub projects: u64,
}

pub async fn run(settings: jiujin_app::Settings, a: Args) -> anyhow::Result<ExitCode> {
    let refdata = RefData::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
    let pb = crate::progress::bar(a.workers, "生成", false);
    let opts = GenOptions {
        workers: a.workers,
        seed: a.seed,
        out_dir: a.out.clone(),
        as_of: a.as_of.unwrap_or_else(super::today),
    };
    let summary = generate(&opts, refdata, &|n| pb.set_position(n))?;
    pb.finish_and_clear();
    let mut files = summary.files;
    if a.employers > 0 || a.jobs > 0 {
        let opts = jiujin_app::gen::JobsGenOptions {
            employers: a.employers.max(u64::from(a.jobs > 0)),
            jobs: a.jobs,
            seed: a.seed,
            out_dir: a.out.clone(),
            as_of: opts.as_of,
        };
        files.extend(jiujin_app::gen::generate_jobs(&opts, refdata)?);
    }
    for (path, rows) in files {
        println!("{}：{} 行", path.display(), rows);
    }
    if a.projects > 0 {
        let (c, seconds) = super::wages::load_projects(&settings, a.projects, a.seed, opts.as_of).await?;
        println!(
            "工程项目 {} 个（花名册 {} 人，逐日考勤 {} 行，月出勤 {} 行，工资支付表 {} 行，专用账户流水 {} 行，保证金 {} 笔，投诉 {} 件）已写入 {}（用时 {seconds:.1} 秒）",
            c.projects, c.roster, c.attendance, c.months, c.lines, c.entries, c.deposits, c.complaints, settings.db
        );
    }
    Ok(ExitCode::SUCCESS)
}
