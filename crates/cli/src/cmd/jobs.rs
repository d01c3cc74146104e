//! `jiujin match worker|job` and `jiujin push run|deliver`.

use std::process::ExitCode;

use clap::{Args as ClapArgs, Subcommand};
use jiujin_app::jobs::board::{JobBoard, Vocab};
use jiujin_app::jobs::matching::{match_job, match_worker, JobQuery, MatchError};
use jiujin_app::jobs::push::{deliver, push_run, PushRequest, DAILY_CAP};
use jiujin_app::Settings;
use jiujin_domain::identity::IdNumber;
use jiujin_domain::matching::Match;
use jiujin_store::Scope;

#[derive(Subcommand)]
pub enum MatchWhat {
    /// 为一名求职人员匹配岗位（按匹配得分从高到低，附每项得分说明）
    Worker(WorkerArgs),
    /// 为一个岗位匹配求职人员
    Job(JobArgs),
}

#[derive(ClapArgs)]
pub struct WorkerArgs {
    /// 公民身份号码
    #[arg(long)]
    pub id: String,
    /// 返回前几个
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// 匹配日期（年龄、岗位有效期据此计算），默认今天
    #[arg(long)]
    pub date: Option<chrono::NaiveDate>,
    /// 以JSON输出
    #[arg(long)]
    pub json: bool,
}

#[derive(ClapArgs)]
pub struct JobArgs {
    /// 岗位编号（系统内编号）
    #[arg(long)]
    pub job: i64,
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    #[arg(long)]
    pub date: Option<chrono::NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

fn factors_json(m: &Match) -> serde_json::Value {
    serde_json::json!({
        "score": m.score,
        "factors": m.factors.iter().map(|f| serde_json::json!({
            "code": f.code, "label": f.label, "points": f.points, "detail": f.detail,
        })).collect::<Vec<_>>(),
    })
}

fn explain(m: &Match) -> String {
    m.factors.iter().map(|f| format!("{}：{}（{}分）", f.label, f.detail, f.points)).collect::<Vec<_>>().join("；")
}

async fn board(store: &jiujin_store::Store, date: chrono::NaiveDate) -> anyhow::Result<JobBoard> {
    let vocab = Vocab::embedded().map_err(|e| anyhow::anyhow!("参考数据无法加载：{e}"))?;
    Ok(JobBoard::load(store, vocab, date).await?)
}

pub async fn run_match(settings: Settings, what: MatchWhat) -> anyhow::Result<ExitCode> {
    let store = super::open_store(&settings).await?;
    let by = settings.command_line_context();
    match what {
        MatchWhat::Worker(a) => {
            let keys = super::keys(&settings, &store, false).await?;
            let id = match IdNumber::parse(&a.id, super::today()) {
                Ok(id) => id,
                Err(e) => {
                    eprintln!("错误：公民身份号码 {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            let hmac = keys.id_hmac(&id).to_vec();
            let found =
                jiujin_store::facts::person_ids_by_hmac(&store, Scope::City, std::slice::from_ref(&hmac)).await?;
            let Some(&person_id) = found.get(&hmac) else {
                eprintln!("错误：公民身份号码为 {} 的人员未登记", id.masked());
                return Ok(ExitCode::from(2));
            };
            let date = a.date.unwrap_or_else(super::today);
            let board = board(&store, date).await?;
            let r = match match_worker(&store, &board, Scope::City, person_id, date, a.top, &by).await {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("错误：{e}");
                    return Ok(ExitCode::from(2));
                }
            };
            if a.json {
                let jobs: Vec<_> = r
                    .jobs
                    .iter()
                    .map(|(m, l)| {
                        let mut v = factors_json(m);
                        v["job"] = l.job.id.into();
                        v["title"] = l.job.title.clone().into();
                        v["employer"] = l.employer_name.clone().into();
                        v
                    })
                    .collect();
                println!("{}", serde_json::json!({ "person": person_id, "unmet": r.unmet, "jobs": jobs }));
            } else {
                println!("{}（{}）：", r.person.name, id.masked());
                for why in &r.unmet {
                    println!("  不参与匹配：{why}");
                }
                for (i, (m, l)) in r.jobs.iter().enumerate() {
                    println!("{:>2}. [{}] {} · {} · {}分", i + 1, l.job.id, l.job.title, l.employer_name, m.score);
                    println!("    {}", explain(m));
                }
            }
        }
        MatchWhat::Job(a) => {
            let date = a.date.unwrap_or_else(super::today);
            let board = board(&store, date).await?;
            let (listing, top) = match match_job(
                &store,
                &board,
                Scope::City,
                JobQuery { job_id: a.job, date, k: a.top, near_only: false },
                &by,
            )
            .await
            {
                Ok(r) => r,
                Err(e @ (MatchError::UnknownJob(_) | MatchError::JobNotOpen(_))) => {
                    eprintln!("错误：{e}");
                    return Ok(ExitCode::from(2));
                }
                Err(e) => return Err(e.into()),
            };
            if a.json {
                let workers: Vec<_> = top
                    .iter()
                    .map(|(m, p)| {
                        let mut v = factors_json(m);
                        v["person"] = p.id.into();
                        v
                    })
                    .collect();
                println!("{}", serde_json::json!({ "job": listing.job.id, "workers": workers }));
            } else {
                println!("[{}] {} · {}：", listing.job.id, listing.job.title, listing.employer_name);
                for (i, (m, p)) in top.iter().enumerate() {
                    println!("{:>2}. 人员 {} · {}分", i + 1, p.id, m.score);
                    println!("    {}", explain(m));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
pub enum PushWhat {
    /// 为每位求职人员选出尚未推送过的最佳岗位（每人每天不超过上限），写入待发送队列，并投递到站内消息
    Run(PushArgs),
    /// 推送成效：推送 → 申请 → 录用，按户籍地区县和人员类别统计（自主申请另列）
    Quality(QualityArgs),
}

#[derive(ClapArgs)]
pub struct QualityArgs {
    /// 只统计该区划（区县6位、乡镇9位或村12位代码）内的人员，默认全市
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(ClapArgs)]
pub struct PushArgs {
    /// 推送日期，默认今天
    #[arg(long)]
    pub date: Option<chrono::NaiveDate>,
    /// 每人每天最多推送的岗位数
    #[arg(long, default_value_t = DAILY_CAP)]
    pub cap: usize,
    /// 低于此匹配得分的岗位不推送
    #[arg(long, default_value_t = 0)]
    pub min_score: i32,
    /// 只写入待发送队列，不投递
    #[arg(long)]
    pub no_deliver: bool,
    #[arg(long)]
    pub json: bool,
}

pub async fn run_push(settings: Settings, what: PushWhat) -> anyhow::Result<ExitCode> {
    let a = match what {
        PushWhat::Run(a) => a,
        PushWhat::Quality(q) => return run_quality(settings, q).await,
    };
    let store = super::open_store(&settings).await?;
    let by = settings.command_line_context();
    let date = a.date.unwrap_or_else(super::today);
    let t = std::time::Instant::now();
    let board = board(&store, date).await?;
    let load_seconds = t.elapsed().as_secs_f64();
    let pb = crate::progress::bar(0, "推送", false);
    let progress = |n: u64| pb.set_position(n);
    let req = PushRequest {
        store: &store,
        board: &board,
        date,
        cap: a.cap,
        min_score: a.min_score,
        scope: Scope::City,
        by: &by,
        progress: Some(&progress),
    };
    let summary = match push_run(req).await {
        Ok(s) => s,
        Err(e) => {
            pb.finish_and_clear();
            eprintln!("错误：{e}");
            return Ok(ExitCode::from(2));
        }
    };
    pb.finish_and_clear();
    let t = std::time::Instant::now();
    let delivered = if a.no_deliver { None } else { Some(deliver(&store, &board, &[]).await?) };
    let deliver_seconds = t.elapsed().as_secs_f64();
    if a.json {
        println!(
            "{}",
            serde_json::json!({ "run": summary, "delivered": delivered, "load_seconds": load_seconds,
                "deliver_seconds": deliver_seconds, "open_jobs": board.open_count()? })
        );
    } else {
        println!(
            "{date} 推送：求职人员 {} 人，新推送 {} 条；今日已达上限 {} 人，无新岗位可推 {} 人（用时 {:.1} 秒）",
            summary.seekers, summary.pushed, summary.capped, summary.nothing_new, summary.seconds
        );
        if let Some(d) = delivered {
            println!(
                "投递：站内消息 {} 条，成功 {}，失败 {}（{:.1} 秒）",
                d.inbox_notices, d.sent, d.failed, deliver_seconds
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn run_quality(settings: Settings, a: QualityArgs) -> anyhow::Result<ExitCode> {
    let refdata = jiujin_domain::refdata::RefData::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(scope) = super::region_scope(refdata, a.region.as_deref()) else {
        return Ok(ExitCode::from(2));
    };
    let store = super::open_store(&settings).await?;
    let r = jiujin_app::jobs::quality::report(&store, refdata, scope).await?;
    if a.json {
        println!("{}", serde_json::to_string(&r)?);
        return Ok(ExitCode::SUCCESS);
    }
    let pct = |s: Option<f64>| s.map_or_else(|| "—".to_string(), |x| format!("{:.1}%", x * 100.0));
    let line = |r: &jiujin_app::jobs::quality::QualityRow| {
        let q = &r.counts;
        println!(
            "{}\t推送 {}\t申请 {}（{}）\t录用 {}（{}）\t自主申请 {}，其中录用 {}",
            r.label,
            q.pushes,
            q.applied,
            pct(r.applied_share),
            q.hired,
            pct(r.hired_share),
            q.self_applied,
            q.self_hired
        )
    };
    println!("按户籍地区县：");
    r.districts.iter().for_each(line);
    line(&r.total);
    println!("按人员类别（一人可属多个类别）：");
    r.groups.iter().for_each(line);
    Ok(ExitCode::SUCCESS)
}
