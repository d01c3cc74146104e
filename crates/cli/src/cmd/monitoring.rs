//! `jiujin monitoring targets`: the yearly targets of seed 001 and seed 003 专栏1 (SPEC
//! §8), each with the sentence it comes from (`data/targets/targets.toml`).

use std::process::ExitCode;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum What {
    /// 列出某年的监测目标及其原文出处
    Targets {
        /// 年份，默认今年
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(what: What) -> anyhow::Result<ExitCode> {
    let What::Targets { year, json } = what;
    let year = year.unwrap_or_else(|| chrono::Datelike::year(&super::today()));
    let all = jiujin_domain::monitoring::targets::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
    let list = jiujin_domain::monitoring::targets::for_year(&all, year);
    if json {
        println!("{}", serde_json::json!({ "year": year, "targets": list }));
        return Ok(ExitCode::SUCCESS);
    }
    println!("{year} 年监测目标 {} 项：", list.len());
    for t in list {
        let span = match t.span {
            jiujin_domain::monitoring::targets::Span::Year => "每年",
            jiujin_domain::monitoring::targets::Span::FiveYears => "五年累计",
        };
        use jiujin_domain::monitoring::targets::Kind;
        let amount = match t.kind {
            Kind::AtLeast => format!("{}{}以上", t.value, t.unit),
            Kind::About => format!("{}{}左右", t.value, t.unit),
            Kind::Level => format!("达到{}{}", t.value, t.unit),
        };
        println!("{}\t{span}{amount}\t{}\t{} {}", t.label, t.key, t.document, t.article);
    }
    Ok(ExitCode::SUCCESS)
}
