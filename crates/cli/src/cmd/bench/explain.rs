//! `jiujin bench explain`: the per-person explanation of issue 5 (the person page and
//! `policy eval --person` do this for one person) on a database: for persons spread
//! over the whole id range, read the person inside a scope, read their recorded facts
//! in force, and evaluate every person policy with its reasons. Reports the
//! latencies' p50, p90, p99 and the evaluation alone, one person after another.

use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use clap::Args as ClapArgs;
use jiujin_app::Settings;
use jiujin_domain::policy::Library;
use jiujin_store::Scope;

#[derive(ClapArgs)]
pub struct ExplainArgs {
    /// 抽样人数
    #[arg(long, default_value_t = 10_000)]
    pub persons: u64,
    /// 评估日期
    #[arg(long, default_value = "2025-06-30")]
    pub date: NaiveDate,
    /// 以 JSON 输出
    #[arg(long)]
    pub json: bool,
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub async fn run(settings: Settings, a: ExplainArgs) -> anyhow::Result<ExitCode> {
    let store = super::super::open_store(&settings).await?;
    let lib = Library::embedded().map_err(|e| anyhow::anyhow!("内置政策库无法载入：{} 处错误", e.len()))?;
    let (lo, hi): (Option<i64>, Option<i64>) = {
        use jiujin_store::entity::person;
        use jiujin_store::sea_orm::{EntityTrait, QuerySelect};
        person::Entity::find()
            .select_only()
            .column_as(jiujin_store::sea_orm::sea_query::Expr::col(person::Column::Id).min(), "lo")
            .column_as(jiujin_store::sea_orm::sea_query::Expr::col(person::Column::Id).max(), "hi")
            .into_tuple()
            .one(store.conn())
            .await?
            .unwrap_or((None, None))
    };
    let (Some(lo), Some(hi)) = (lo, hi) else { anyhow::bail!("数据库中没有人员") };
    let n = a.persons.max(1);
    let step = ((hi - lo) as f64 / n as f64).max(1.0);
    let (mut total, mut eval_only) = (Vec::new(), Vec::new());
    let mut eligible = 0usize;
    for i in 0..n {
        let id = lo + (i as f64 * step) as i64;
        let t = Instant::now();
        let Some(p) = jiujin_store::registry::person(&store, Scope::City, id).await? else { continue };
        let (recorded, _) = jiujin_app::policy::recorded_facts(&store, Scope::City, p.id, a.date).await?;
        let e = Instant::now();
        let (_, results) = jiujin_app::policy::evaluate_person(lib, &p, recorded, None, a.date)?;
        eval_only.push(e.elapsed().as_secs_f64() * 1000.0);
        total.push(t.elapsed().as_secs_f64() * 1000.0);
        eligible += results.iter().filter(|r| r.eligible).count();
    }
    total.sort_by(f64::total_cmp);
    eval_only.sort_by(f64::total_cmp);
    let out = serde_json::json!({
        "persons": total.len(),
        "policies": lib.policies().iter().filter(|p| p.targets.contains(&jiujin_domain::policy::EntityKind::Person) && p.has_rules()).count(),
        "eligible_results": eligible,
        "ms": { "p50": pct(&total, 0.5), "p90": pct(&total, 0.9), "p99": pct(&total, 0.99) },
        "evaluate_ms": { "p50": pct(&eval_only, 0.5), "p90": pct(&eval_only, 0.9), "p99": pct(&eval_only, 0.99) },
        "db": store.url().redacted(),
    });
    if a.json {
        println!("{out}");
    } else {
        println!(
            "逐人解释 {} 人（读人员、读已记录事实、评估全部个人政策并给出理由）：p50 {:.3} ms，p90 {:.3} ms，p99 {:.3} ms；其中评估 p50 {:.3} ms",
            total.len(),
            pct(&total, 0.5),
            pct(&total, 0.9),
            pct(&total, 0.99),
            pct(&eval_only, 0.5)
        );
    }
    Ok(ExitCode::SUCCESS)
}
