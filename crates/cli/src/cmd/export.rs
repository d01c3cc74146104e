//! `jiujin export workers` and `jiujin template workers`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as ClapArgs, Subcommand};
use jiujin_app::registry::export::{export_workers, write_template};
use jiujin_app::Settings;
use jiujin_domain::RegionCode;
use jiujin_store::Scope;

#[derive(Subcommand)]
pub enum What {
    /// 导出人员信息（导入模板格式，含完整证件号码和电话）
    Workers(Args),
    /// 导出用人单位（导入模板格式，再次导入不产生任何变更）
    Employers(Args),
    /// 导出招聘岗位（导入模板格式，各种状态；再次导入不产生任何变更）
    Jobs(Args),
}

#[derive(ClapArgs)]
pub struct Args {
    /// 输出文件（.xlsx 或 .csv）
    #[arg(long)]
    pub out: PathBuf,
    /// 只导出该区划（按户籍地或现居住地）内的人员
    #[arg(long)]
    pub region: Option<String>,
}

#[derive(Subcommand)]
pub enum TemplateWhat {
    /// 人员信息导入模板
    Workers {
        /// 输出文件（.xlsx 或 .csv）
        #[arg(long)]
        out: PathBuf,
    },
    /// 用人单位导入模板
    Employers {
        #[arg(long)]
        out: PathBuf,
    },
    /// 招聘岗位导入模板
    Jobs {
        #[arg(long)]
        out: PathBuf,
    },
    /// 工程项目实名制花名册导入模板
    WagesRoster {
        #[arg(long)]
        out: PathBuf,
    },
    /// 工程项目考勤表导入模板（每人每天一行；也可按月份加 1…31 列打 √）
    WagesAttendance {
        #[arg(long)]
        out: PathBuf,
    },
    /// 工程项目工资支付表导入模板
    WagesPayroll {
        #[arg(long)]
        out: PathBuf,
    },
    /// 农民工工资专用账户流水导入模板
    WagesBank {
        #[arg(long)]
        out: PathBuf,
    },
}

pub async fn run(settings: Settings, what: What) -> anyhow::Result<ExitCode> {
    let (a, jobs) = match what {
        What::Workers(a) => (a, None),
        What::Employers(a) => (a, Some(false)),
        What::Jobs(a) => (a, Some(true)),
    };
    if let Some(jobs) = jobs {
        use jiujin_app::jobs::export::{export_employers, export_jobs};
        let region = a.region.as_deref().map(RegionCode::parse).transpose()?;
        let store = super::open_store(&settings).await?;
        let by = settings.command_line_context();
        let n = if jobs {
            export_jobs(&store, region, &a.out, &by).await?
        } else {
            export_employers(&store, region, &a.out, &by).await?
        };
        println!("已导出 {n} 行到 {}", a.out.display());
        return Ok(ExitCode::SUCCESS);
    }
    let scope = match &a.region {
        Some(r) => Scope::Region(RegionCode::parse(r)?),
        None => Scope::City,
    };
    let store = super::open_store(&settings).await?;
    let keys = super::keys(&settings, &store, false).await?;
    let n = export_workers(&store, &keys, scope, &a.out, None, &settings.command_line_context()).await?;
    println!("已导出 {n} 人到 {}", a.out.display());
    Ok(ExitCode::SUCCESS)
}

pub fn template(what: TemplateWhat) -> anyhow::Result<ExitCode> {
    let out = match what {
        TemplateWhat::Workers { out } => {
            write_template(&out)?;
            out
        }
        TemplateWhat::Employers { out } => {
            jiujin_app::jobs::export::write_template(false, &out)?;
            out
        }
        TemplateWhat::Jobs { out } => {
            jiujin_app::jobs::export::write_template(true, &out)?;
            out
        }
        TemplateWhat::WagesRoster { out } => wage_template(jiujin_app::wages_import::FileKind::Roster, out)?,
        TemplateWhat::WagesAttendance { out } => wage_template(jiujin_app::wages_import::FileKind::Attendance, out)?,
        TemplateWhat::WagesPayroll { out } => wage_template(jiujin_app::wages_import::FileKind::Payroll, out)?,
        TemplateWhat::WagesBank { out } => wage_template(jiujin_app::wages_import::FileKind::Bank, out)?,
    };
    println!("模板已写入 {}", out.display());
    Ok(ExitCode::SUCCESS)
}

fn wage_template(kind: jiujin_app::wages_import::FileKind, out: PathBuf) -> anyhow::Result<PathBuf> {
    std::fs::write(&out, jiujin_app::wages_import::template_xlsx(kind)?)?;
    Ok(out)
}
