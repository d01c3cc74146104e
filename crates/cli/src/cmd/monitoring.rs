//! `jiujin monitoring targets`: the yearly targets of seed 001 and seed 003 专栏1 (SPEC
//! §8), each with the sentence it comes from (`data/targets/targets.toml`).
//! `jiujin monitoring rebuild`: recounts the dashboards' counters from every timeline
//! (after a migration onto a registry that predates them, or to repair); `verify`
//! recounts without writing and reports any difference.

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
    /// 由全部人员事件重算监测汇总（替换现有汇总）
    Rebuild,
    /// 重算监测汇总并与现有汇总核对（不写入）；有差异时退出码为 1
    Verify,
    /// 规模性失业风险研判：按各区县某月的指标和市定阈值（data/monitoring/risk.toml）分级预警，并打开响应清单
    Risk {
        /// 月份（YYYY-MM），默认上月
        #[arg(long)]
        month: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(settings: jiujin_app::Settings, what: What) -> anyhow::Result<ExitCode> {
    let (year, json) = match what {
        What::Targets { year, json } => (year, json),
        What::Risk { month, json } => {
            let today = super::today();
            let month = match month {
                Some(t) => jiujin_app::monitoring::parse_month(&t)
                    .ok_or_else(|| anyhow::anyhow!("--month 应为年月，如 2026-02（收到“{t}”）"))?,
                None => jiujin_app::monitoring::months_back(jiujin_domain::monitoring::tally::month_code(today), 2),
            };
            let store = super::open_store(&settings).await?;
            let refdata = jiujin_domain::refdata::RefData::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
            let params = jiujin_domain::monitoring::risk::embedded();
            let by = settings.command_line_context();
            let r = jiujin_app::monitoring::risk_run(&store, refdata, &params, month, today, &by).await?;
            if json {
                println!("{}", serde_json::to_string(&r)?);
            } else {
                println!(
                    "{} 规模性失业风险研判：{} 个区县中 {} 个达到预警（新发 {}，升级 {}，维持 {}）",
                    r.month, r.districts, r.at_risk, r.counts.raised, r.counts.raised_level, r.counts.unchanged
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        What::Rebuild => {
            let store = super::open_store(&settings).await?;
            let started = std::time::Instant::now();
            let c = jiujin_store::monitoring::rebuild(&store).await?;
            println!(
                "已由 {} 人的 {} 条事件重算监测汇总 {} 项（用时 {:.1} 秒）",
                c.persons,
                c.events,
                c.counters,
                started.elapsed().as_secs_f64()
            );
            return Ok(ExitCode::SUCCESS);
        }
        What::Verify => {
            let store = super::open_store(&settings).await?;
            let started = std::time::Instant::now();
            let kept = jiujin_store::monitoring::kept(&store).await?;
            let (recounted, c) = jiujin_store::monitoring::recount(&store).await?;
            let mut diff: Vec<_> = recounted
                .iter()
                .filter(|(k, n)| kept.get(k) != Some(n))
                .map(|(k, n)| (*k, kept.get(k).copied().unwrap_or(0), *n))
                .chain(kept.iter().filter(|(k, _)| !recounted.contains_key(k)).map(|(k, n)| (*k, *n, 0)))
                .collect();
            diff.sort();
            println!(
                "核对 {} 人的 {} 条事件：重算 {} 项，现有 {} 项，不一致 {} 项（用时 {:.1} 秒）",
                c.persons,
                c.events,
                recounted.len(),
                kept.len(),
                diff.len(),
                started.elapsed().as_secs_f64()
            );
            for ((level, region, month, measure, item), have, want) in diff.iter().take(20) {
                println!(
                    "  级别 {level} 区划 {region} 月份 {month} 指标 {measure} 项 {item}：现有 {have}，重算 {want}"
                );
            }
            if !diff.is_empty() {
                println!("可运行 jiujin monitoring rebuild 重算");
                return Ok(ExitCode::from(1));
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
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
