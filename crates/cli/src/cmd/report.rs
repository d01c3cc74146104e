//! `jiujin report monthly|yearly`: the monitoring reports staff send upward (SPEC §8),
//! as Excel: by district the period-end stock (status, insurance) and the period's
//! flows (with the year to date in a monthly report), by industry (annex 2) and by
//! district group (annex 1) the year's new near-home employment against the targets.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum What {
    /// 月报：某月末的分区县人数、当月与本年累计的流动，以及分行业、分区县组的目标进度
    Monthly {
        /// 月份（YYYY-MM）
        #[arg(long)]
        month: String,
        /// 输出文件（.xlsx）
        #[arg(long)]
        out: PathBuf,
    },
    /// 年报：某年末的分区县人数、全年流动，以及分行业、分区县组的目标完成情况
    Yearly {
        /// 年份
        #[arg(long)]
        year: i32,
        /// 输出文件（.xlsx）
        #[arg(long)]
        out: PathBuf,
    },
}

pub async fn run(settings: jiujin_app::Settings, what: What) -> anyhow::Result<ExitCode> {
    let (month, yearly, out) = match what {
        What::Monthly { month, out } => {
            let m = jiujin_app::monitoring::parse_month(&month)
                .ok_or_else(|| anyhow::anyhow!("--month 应为年月，如 2026-02（收到“{month}”）"))?;
            (m, false, out)
        }
        What::Yearly { year, out } => {
            if !(2000..=2100).contains(&year) {
                anyhow::bail!("--year 应为 2000 至 2100 的年份");
            }
            (year * 100 + 12, true, out)
        }
    };
    let store = super::open_store(&settings).await?;
    let refdata = jiujin_domain::refdata::RefData::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
    let bytes = jiujin_app::monitoring::report(&store, refdata, month, yearly, super::today()).await?;
    std::fs::write(&out, bytes).map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", out.display()))?;
    println!("已生成 {}", out.display());
    Ok(ExitCode::SUCCESS)
}
