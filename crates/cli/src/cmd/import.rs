//! `jiujin import workers FILE` and `jiujin import facts FILE`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as ClapArgs, Subcommand};
use jiujin_app::registry::import::{import_workers, ImportProgress, ImportRequest};
use jiujin_app::Settings;

#[derive(Subcommand)]
pub enum What {
    /// 导入人员信息（.xlsx / .xls / .csv，UTF-8 或 GBK/GB18030）
    Workers(Args),
    /// 导入其他部门提供的政策事实（公民身份号码、事实、取值、起始日期、来源；格式见 docs/policy-facts.md）：整个文件逐行校验，有任何错误则列出行号和列并不写入
    Facts(FactsArgs),
    /// 导入用人单位（统一社会信用代码、单位名称、单位类型、行业、所在地区划代码……）：按统一社会信用代码新增或更新，错误行写入错误行文件
    Employers(JobsArgs),
    /// 导入招聘岗位（岗位编号、统一社会信用代码、岗位名称、工作地点……）：按单位和岗位编号新增或更新，错误行写入错误行文件；限定性别或无理由限制年龄上限的岗位进入审核
    Jobs(JobsArgs),
    /// 导入工程项目的实名制花名册、考勤、工资支付表或专用账户流水（--kind roster|attendance|payroll|bank）：错误行写入错误行文件，其余行一次写入
    Wages(WagesArgs),
}

#[derive(ClapArgs)]
pub struct WagesArgs {
    /// 导入文件（.xlsx / .csv）
    pub file: PathBuf,
    /// 项目编号
    #[arg(long)]
    pub project: String,
    /// 文件类别：roster（花名册）、attendance（考勤）、payroll（工资支付表）、bank（专用账户流水）
    #[arg(long)]
    pub kind: String,
    /// 错误行文件（.xlsx），默认与导入文件同目录的 <文件名>.rejects.xlsx
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

async fn wages(settings: Settings, a: WagesArgs) -> anyhow::Result<ExitCode> {
    let Some(kind) = jiujin_app::wages_import::FileKind::parse(&a.kind) else {
        eprintln!("--kind 应为 roster、attendance、payroll 或 bank");
        return Ok(ExitCode::from(2));
    };
    let store = super::open_store(&settings).await?;
    let keys = super::keys(&settings, &store, false).await?;
    let Some(project) = jiujin_store::wages::project_by_code(&store, &a.project).await? else {
        eprintln!("项目编号“{}”未登记", a.project);
        return Ok(ExitCode::from(2));
    };
    let rejects = a.rejects.clone().unwrap_or_else(|| a.file.with_extension("rejects.xlsx"));
    let by = settings.command_line_context();
    let r = match jiujin_app::wages_import::import_file(
        &store,
        &keys,
        jiujin_store::Scope::City,
        project.id,
        kind,
        &a.file,
        Some(&rejects),
        super::today(),
        &by,
    )
    .await
    {
        Ok(r) => r,
        Err(jiujin_app::wages::WageError::Invalid(e)) => {
            for m in e {
                eprintln!("{m}");
            }
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    };
    if a.json {
        println!("{}", serde_json::to_string(&r)?);
    } else {
        println!(
            "{}：{} 行，写入花名册 {}、考勤 {}、工资 {}、流水 {}；错误 {} 行（{}）",
            kind.label(),
            r.rows,
            r.written.roster,
            r.written.attendance,
            r.written.lines,
            r.written.entries,
            r.rejected.len(),
            rejects.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(ClapArgs)]
pub struct JobsArgs {
    /// 导入文件（.xlsx / .csv）
    pub file: PathBuf,
    /// 错误行文件（.xlsx 或 .csv），默认与导入文件同目录的 <文件名>.rejects.csv
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    /// 导入日期（岗位的默认起始日，并据此判断岗位是否已过期），默认今天
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
    /// 以JSON输出汇总
    #[arg(long)]
    pub json: bool,
}

async fn employers_or_jobs(settings: Settings, a: JobsArgs, jobs: bool) -> anyhow::Result<ExitCode> {
    use jiujin_app::jobs::import::{import_employers, import_jobs, JobsImportRequest};
    let store = super::open_store(&settings).await?;
    let by = settings.command_line_context();
    let req = JobsImportRequest {
        store: &store,
        path: &a.file,
        rejects: a.rejects.clone(),
        scope: jiujin_store::Scope::City,
        by: &by,
        today: a.as_of.unwrap_or_else(super::today),
    };
    let started = std::time::Instant::now();
    let result = if jobs { import_jobs(req).await } else { import_employers(req).await };
    let r = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：{e}");
            return Ok(ExitCode::from(2));
        }
    };
    if a.json {
        let mut v = serde_json::to_value(&r)?;
        if let Some(o) = v.as_object_mut() {
            o.insert("seconds".into(), started.elapsed().as_secs_f64().into());
        }
        println!("{v}");
    } else {
        let what = if jobs { "岗位" } else { "用人单位" };
        println!(
            "{what}：共 {} 行，新增 {}，更新 {}，未变 {}，拒绝 {}{}（{:.1} 秒）",
            r.rows,
            r.written.inserted,
            r.written.updated,
            r.written.unchanged,
            r.rejected,
            if jobs { format!("，待审核 {}", r.held) } else { String::new() },
            started.elapsed().as_secs_f64()
        );
        for x in r.first_rejects.iter().take(10) {
            println!("  第{}行 “{}”：{}", x.row, x.column, x.reason);
        }
        if let Some(f) = &r.rejects_file {
            println!("错误行已写入 {}", f.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(ClapArgs)]
pub struct FactsArgs {
    /// 导入文件（.xlsx / .csv）
    pub file: PathBuf,
    /// 以JSON输出汇总
    #[arg(long)]
    pub json: bool,
}

async fn facts(settings: Settings, a: FactsArgs) -> anyhow::Result<ExitCode> {
    let store = super::open_store(&settings).await?;
    let keys = super::keys(&settings, &store, false).await?;
    let by = settings.command_line_context();
    match jiujin_app::facts::import_facts(&store, &keys, jiujin_store::Scope::City, &a.file, &by).await {
        Ok(r) if a.json => println!("{}", serde_json::to_string(&r)?),
        Ok(r) => println!("导入事实 {} 条（{} 人），新增或变更 {} 条，其余已记录过。", r.rows, r.persons, r.written),
        Err(jiujin_app::facts::FactsImportError::Rows(problems)) => {
            eprintln!("错误：{} 处有误，未写入任何数据：", problems.len());
            for p in problems.iter().take(200) {
                eprintln!("  第{}行 “{}”：{}", p.row, p.column, p.reason);
            }
            if problems.len() > 200 {
                eprintln!("  ……另有 {} 处未列出", problems.len() - 200);
            }
            return Ok(ExitCode::from(2));
        }
        Err(e) => {
            eprintln!("错误：{e}");
            return Ok(ExitCode::from(2));
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(ClapArgs)]
pub struct Args {
    /// 导入文件
    pub file: PathBuf,
    /// 错误行文件（.xlsx 或 .csv）：每个被拒绝的行，附行号、出错列和原因
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    /// 以JSON输出汇总：{"inserted":N,"updated":N,"unchanged":N,"rejected":N}
    #[arg(long)]
    pub json: bool,
    /// 数据所反映的日期（默认今天），即本次变更事件的日期
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
    /// 每个事务的行数
    #[arg(long)]
    pub batch: Option<usize>,
    /// 操作人（记入导入记录和事件）
    #[arg(long)]
    pub actor: Option<String>,
    /// 在JSON汇总中附上用时和内存峰值（供基准测试使用）
    #[arg(long)]
    pub stats: bool,
}

/// Peak resident memory of this process in KiB (Linux), for `--stats`.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub async fn run(settings: Settings, what: What) -> anyhow::Result<ExitCode> {
    let a = match what {
        What::Workers(a) => a,
        What::Facts(f) => return facts(settings, f).await,
        What::Employers(e) => return employers_or_jobs(settings, e, false).await,
        What::Jobs(j) => return employers_or_jobs(settings, j, true).await,
        What::Wages(w) => return wages(settings, w).await,
    };
    let store = super::open_store(&settings).await?;
    let keys = super::keys(&settings, &store, false).await?;
    let cancel = crate::progress::ctrl_c_flag();
    let size = std::fs::metadata(&a.file).map(|m| m.len()).unwrap_or(0);
    let pb = crate::progress::bar(size, "导入", true);
    let report_progress = |p: &ImportProgress| {
        pb.set_position(p.bytes);
    };
    let report = import_workers(
        &store,
        &keys,
        ImportRequest {
            path: &a.file,
            rejects: a.rejects.as_deref(),
            scope: jiujin_store::Scope::City,
            as_of: a.as_of.unwrap_or_else(super::today),
            actor: a.actor.clone(),
            by: settings.command_line_context(),
            batch_size: a.batch.unwrap_or(settings.import_batch),
            cancel: Some(cancel),
            progress: Some(&report_progress),
        },
    )
    .await;
    pb.finish_and_clear();
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：{e}");
            return Ok(ExitCode::from(2));
        }
    };
    let c = report.counts;
    if a.json {
        let mut summary = serde_json::json!({"inserted": c.inserted, "updated": c.updated, "unchanged": c.unchanged, "rejected": c.rejected});
        if a.stats {
            summary["seconds"] = serde_json::json!(report.elapsed.as_secs_f64());
            summary["peak_rss_kib"] = serde_json::json!(peak_rss_kib());
        }
        println!("{summary}");
    } else {
        println!(
            "导入{}：新增 {}，更新 {}，未变 {}，拒绝 {}（共 {} 行，用时 {:.1} 秒，导入批次 #{}）",
            if report.interrupted { "已中断" } else { "完成" },
            c.inserted,
            c.updated,
            c.unchanged,
            c.rejected,
            report.rows,
            report.elapsed.as_secs_f64(),
            report.run_id
        );
    }
    if c.rejected > 0 {
        match &a.rejects {
            Some(p) => eprintln!("被拒绝的行已写入 {}", p.display()),
            None => {
                for r in report.first_rejects.iter().take(20) {
                    eprintln!("第{}行 [{}] {}", r.row, r.column, r.reason);
                }
                if c.rejected > 20 {
                    eprintln!("……共 {} 行被拒绝；用 --rejects 文件.xlsx 导出全部错误行", c.rejected);
                }
            }
        }
    }
    if report.interrupted {
        eprintln!("导入已中断：已提交的批次保留，重新运行同一命令即可从头核对并完成剩余部分。");
        return Ok(ExitCode::from(130));
    }
    Ok(ExitCode::SUCCESS)
}
