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
}

pub async fn run(settings: Settings, what: What) -> anyhow::Result<ExitCode> {
    let What::Workers(a) = what;
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
    let TemplateWhat::Workers { out } = what;
    write_template(&out)?;
    println!("模板已写入 {}", out.display());
    Ok(ExitCode::SUCCESS)
}
