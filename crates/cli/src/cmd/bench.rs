//! `jiujin bench import`: placeholder until the benchmark lands.

use std::process::ExitCode;

use clap::Subcommand;
use jiujin_app::Settings;

#[derive(Subcommand)]
pub enum What {
    /// 导入基准
    Import,
}

pub async fn run(_settings: Settings, _what: What) -> anyhow::Result<ExitCode> {
    anyhow::bail!("尚未实现")
}
