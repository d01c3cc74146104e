//! `jiujin demo`: creates (or reuses) an SQLite database with the reference data and a
//! synthetic population, then serves the web app.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Args as ClapArgs;
use jiujin_app::gen::{generate, generate_history, history_start, GenOptions};
use jiujin_app::registry::import::{import_workers, ImportProgress, ImportRequest};
use jiujin_app::Settings;
use jiujin_domain::refdata::RefData;
use jiujin_store::registry::{person_count, PersonFilter};
use jiujin_store::{DbUrl, Scope};

/// Months of registry history the demo builds: the population is generated as of the
/// first day of the month this many months back, imported with that date, then each
/// month's changes with their own date, so that the monitoring pages have two 春节
/// returns and spring departures to show.
pub const DEMO_HISTORY_MONTHS: u32 = 24;

#[derive(ClapArgs)]
pub struct Args {
    /// 合成人口规模
    #[arg(long, default_value_t = 100_000)]
    pub workers: u64,
    /// 随机种子
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// 监听地址
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// 只准备数据库，不启动服务
    #[arg(long)]
    pub no_serve: bool,
    /// 历史月数：合成人口先按该月数之前的月初导入，再逐月导入其后的变动（0：只导入今天的状态）
    #[arg(long, default_value_t = DEMO_HISTORY_MONTHS)]
    pub history_months: u32,
}

/// The demo's administrator: created with a random password on first run, the
/// password kept beside the database (mode 0600) so that later runs can show it.
async fn demo_login(settings: &Settings, store: &jiujin_store::Store) -> anyhow::Result<String> {
    let file = settings.key_path().with_file_name("demo-login.txt");
    if jiujin_store::access::user_by_name(store, "admin").await?.is_none() {
        let password = jiujin_app::access::generate_password();
        let by = settings.command_line_context();
        jiujin_app::access::add_user(store, "admin", &password, jiujin_domain::access::Role::Admin, None, &by).await?;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        use std::io::Write;
        opts.open(&file)?.write_all(format!("admin\n{password}\n").as_bytes())?;
    }
    Ok(match std::fs::read_to_string(&file) {
        Ok(text) => {
            let mut lines = text.lines();
            let (user, pw) = (lines.next().unwrap_or("admin"), lines.next().unwrap_or(""));
            format!("登录：用户名 {user}，密码 {pw}（保存在 {}）", file.display())
        }
        Err(_) => {
            "登录：用户名 admin（密码可用 jiujin user passwd --username admin --password-stdin 重设）".to_string()
        }
    })
}

pub async fn run(settings: Settings, a: Args) -> anyhow::Result<ExitCode> {
    if !matches!(DbUrl::parse(&settings.db)?, DbUrl::Sqlite(_)) {
        anyhow::bail!("demo 使用内嵌的SQLite数据库；城市部署请用 migrate / import / serve");
    }
    let started = std::time::Instant::now();
    let store = super::open_store(&settings).await?;
    let keys = super::keys(&settings, &store, true).await?;
    let have = person_count(&store, Scope::City, &PersonFilter::default()).await?;
    if have == 0 && a.workers > 0 {
        let dir = std::env::temp_dir().join(format!("jiujin-demo-{}-{}", std::process::id(), a.seed));
        let refdata = RefData::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
        let today = super::today();
        let months = a.history_months;
        let first = if months == 0 {
            today
        } else {
            history_start(today, months).ok_or_else(|| anyhow::anyhow!("演示历史超出日期范围"))?
        };
        let pb = crate::progress::bar(a.workers, "生成合成人口", false);
        let opts = GenOptions { workers: a.workers, seed: a.seed, out_dir: dir.clone(), as_of: first };
        let summary = tokio::task::block_in_place(|| generate(&opts, refdata, &|n| pb.set_position(n)))?;
        pb.finish_and_clear();
        let file = summary.files.first().map(|(p, _)| p.clone()).ok_or_else(|| anyhow::anyhow!("未生成文件"))?;
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        let pb = crate::progress::bar(size, "导入", true);
        let progress = |p: &ImportProgress| pb.set_position(p.bytes);
        let report = import_workers(
            &store,
            &keys,
            ImportRequest {
                path: &file,
                rejects: None,
                scope: jiujin_store::Scope::City,
                as_of: first,
                actor: Some("demo".into()),
                by: settings.command_line_context(),
                batch_size: settings.import_batch,
                cancel: Some(crate::progress::ctrl_c_flag()),
                progress: Some(&progress),
            },
        )
        .await?;
        pb.finish_and_clear();
        // The months since: each month's changed persons, imported with its date.
        let history_started = std::time::Instant::now();
        let history = if months == 0 {
            Vec::new()
        } else {
            tokio::task::block_in_place(|| generate_history(&file, &dir, today, months, a.seed, refdata, &|_| {}))?
        };
        let generated = history_started.elapsed().as_secs_f64();
        let pb = crate::progress::bar(history.len() as u64, "导入历史变动（月）", false);
        let mut history_rows = (0u64, 0u64);
        for (k, h) in history.iter().enumerate() {
            let r = import_workers(
                &store,
                &keys,
                ImportRequest {
                    path: &h.path,
                    rejects: None,
                    scope: jiujin_store::Scope::City,
                    as_of: h.as_of,
                    actor: Some("demo".into()),
                    by: settings.command_line_context(),
                    batch_size: settings.import_batch,
                    cancel: Some(crate::progress::ctrl_c_flag()),
                    progress: None,
                },
            )
            .await?;
            if r.interrupted {
                anyhow::bail!("导入已中断（{}）", h.path.display());
            }
            history_rows.0 += r.counts.updated;
            history_rows.1 += r.counts.rejected;
            pb.set_position(k as u64 + 1);
        }
        pb.finish_and_clear();
        if !history.is_empty() {
            println!(
                "历史变动 {} 个月（{} 至 {}）：更新 {} 人次，拒绝 {} 行；生成 {:.1} 秒，导入 {:.1} 秒",
                history.len(),
                first,
                today,
                history_rows.0,
                history_rows.1,
                generated,
                history_started.elapsed().as_secs_f64() - generated
            );
        }
        // What other departments would tell the policy service, then a 免申即享 run
        // of every policy over the city, so the review page has proposals to decide.
        // The facts were drawn for the history's first day: moved to today first.
        let by = settings.command_line_context();
        let facts = match summary.files.get(1) {
            Some((f, _)) => {
                let f = if months == 0 {
                    f.clone()
                } else {
                    let now = dir.join("facts-now.csv");
                    jiujin_app::gen::shift_facts(f, &now, months, today)?;
                    now
                };
                jiujin_app::facts::import_facts(&store, &keys, Scope::City, &f, &by).await?.rows
            }
            None => 0,
        };
        let lib = jiujin_domain::policy::Library::embedded()
            .map_err(|e| anyhow::anyhow!("内置政策库无法载入：{} 处错误", e.len()))?;
        let run = jiujin_app::policy::run_policies(
            &store,
            jiujin_app::policy::RunRequest {
                library: lib,
                policies: jiujin_app::policy::Which::All,
                region: jiujin_domain::region::CHONGQING,
                date: super::today(),
                by,
                page_size: 65_536,
                cancel: None,
                progress: None,
            },
        )
        .await?;
        let proposed: u64 = run.runs.iter().map(|r| r.counts.proposed).sum();
        // Employers and postings at the city's proportions (500,000 and 200,000 for
        // 7,366,000 persons), then the day's push to every job seeker.
        let jobs_opts = jiujin_app::gen::JobsGenOptions {
            employers: (a.workers / 15).max(10),
            jobs: (a.workers / 37).max(20),
            seed: a.seed,
            out_dir: dir.clone(),
            as_of: super::today(),
        };
        let files = tokio::task::block_in_place(|| jiujin_app::gen::generate_jobs(&jobs_opts, refdata))?;
        let by = settings.command_line_context();
        let mut postings = 0;
        for (i, (path, _)) in files.iter().enumerate() {
            let req = jiujin_app::jobs::import::JobsImportRequest {
                store: &store,
                path,
                rejects: Some(dir.join("jobs-rejects.csv")),
                scope: Scope::City,
                by: &by,
                today: super::today(),
            };
            if i == 0 {
                jiujin_app::jobs::import::import_employers(req).await?;
            } else {
                postings = jiujin_app::jobs::import::import_jobs(req).await?.written.inserted;
            }
        }
        let vocab = jiujin_app::jobs::board::Vocab::embedded().map_err(|e| anyhow::anyhow!(e))?;
        let board = jiujin_app::jobs::board::JobBoard::load(&store, vocab, super::today()).await?;
        let push = jiujin_app::jobs::push::push_run(jiujin_app::jobs::push::PushRequest {
            store: &store,
            board: &board,
            date: super::today(),
            cap: jiujin_app::jobs::push::DAILY_CAP,
            min_score: 0,
            scope: Scope::City,
            by: &by,
            progress: None,
        })
        .await?;
        jiujin_app::jobs::push::deliver(&store, &board, &[]).await?;
        println!("岗位 {postings} 个，今日推送 {} 条", push.pushed);
        let services = jiujin_app::demo::seed_services(&store, super::today(), &by).await?;
        println!("{services}");
        // Construction projects (about one per 500 persons) with a month of attendance
        // and payroll, breaches planted, then the day's wage-warning run.
        let (c, _) = super::wages::load_projects(&settings, (a.workers / 500).max(40), a.seed, super::today()).await?;
        let params = jiujin_domain::wages::rules::embedded();
        let w =
            jiujin_app::wages::run(&store, &params, super::today(), &by).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        println!("工程项目 {} 个（花名册 {} 人），欠薪预警 {} 条", c.projects, c.roster, w.counts.raised);
        // The mass-unemployment risk of the last whole month, as the monthly run would.
        let today = super::today();
        let last_month = jiujin_app::monitoring::months_back(jiujin_domain::monitoring::tally::month_code(today), 2);
        let risk_params = jiujin_domain::monitoring::risk::embedded();
        let risk = jiujin_app::monitoring::risk_run(&store, refdata, &risk_params, last_month, today, &by).await?;
        println!("{} 规模性失业风险研判：{} 个区县达到预警", risk.month, risk.at_risk);
        let _ = std::fs::remove_dir_all(&dir);
        println!(
            "已生成并导入合成人口 {} 人（拒绝 {} 行）和其他部门提供的事实 {} 条；免申即享评估 {} 项政策，拟发放 {} 条待审核；用时 {:.1} 秒",
            report.counts.inserted,
            report.counts.rejected,
            facts,
            run.runs.len(),
            proposed,
            started.elapsed().as_secs_f64()
        );
    } else {
        println!("复用已有数据库：{} 人", have);
    }
    println!("数据库：{}    密钥：{}", store.url().redacted(), settings.key_path().display());
    let login = demo_login(&settings, &store).await?;
    if a.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    super::sync_policies(&store).await;
    let addr = a.listen.unwrap_or(settings.listen);
    let mut state = jiujin_web::AppState::new(store, keys)?;
    state.trusted_proxies = std::sync::Arc::new(settings.trusted_proxies.clone());
    state.broker_min_insured_months = settings.broker_min_insured_months;
    println!("打开浏览器访问：http://{addr}/");
    println!("{login}");
    jiujin_web::serve(state, addr).await?;
    Ok(ExitCode::SUCCESS)
}
