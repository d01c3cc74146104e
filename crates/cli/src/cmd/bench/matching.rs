//! `jiujin bench match`: top-10 postings for one worker against the open postings of
//! the synthetic city (200,000 at city size), with explanations, p50/p99 latency and
//! workers/s, against a numpy inverted-index peer (`bench/peers/match_numpy.py`) on the
//! same postings and seekers in the same run; and the board's Chinese search, p50/p99
//! over realistic queries. The city (workers, employers, jobs) is generated once and
//! imported into a SQLite file under `--dir`, then reused.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args as ClapArgs;
use jiujin_app::jobs::board::{JobBoard, Vocab};
use jiujin_app::jobs::import::{import_employers, import_jobs, JobsImportRequest};
use jiujin_app::registry::import::{import_workers, ImportRequest};
use jiujin_app::Keys;
use jiujin_domain::matching::peer::{POSTINGS_HEADER, SEEKERS_HEADER};
use jiujin_domain::search::Filters;
use jiujin_store::{DbUrl, Scope, Store};
use rand::{Rng, SeedableRng};

#[derive(ClapArgs)]
pub struct MatchArgs {
    /// 在招岗位数（全市 200000）
    #[arg(long, default_value_t = 200_000)]
    pub jobs: u64,
    /// 用人单位数（全市 500000）
    #[arg(long, default_value_t = 500_000)]
    pub employers: u64,
    /// 生成的人数（其中求职人员作为查询对象）
    #[arg(long, default_value_t = 200_000)]
    pub workers: u64,
    /// 计时的查询次数
    #[arg(long, default_value_t = 10_000)]
    pub queries: usize,
    #[arg(long, default_value = "bench/out")]
    pub dir: PathBuf,
    /// numpy 所在的 Python（默认 target/bench-venv）
    #[arg(long)]
    pub python: Option<PathBuf>,
    /// 数据日期
    #[arg(long, default_value = "2026-11-30")]
    pub date: chrono::NaiveDate,
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn city(a: &MatchArgs, dir: &Path) -> anyhow::Result<Store> {
    let db = dir.join("city.db");
    let url = DbUrl::parse(&format!("sqlite://{}", db.display()))?;
    if db.exists() {
        return Ok(Store::open_migrated(&url).await?);
    }
    let refdata = jiujin_domain::refdata::RefData::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("生成合成城市：{} 人、{} 家用人单位、{} 个岗位……", a.workers, a.employers, a.jobs);
    let gen = jiujin_app::gen::GenOptions { workers: a.workers, seed: 1, out_dir: dir.to_path_buf(), as_of: a.date };
    jiujin_app::gen::generate(&gen, refdata, &|_| {})?;
    let jobs = jiujin_app::gen::JobsGenOptions {
        employers: a.employers,
        jobs: a.jobs,
        seed: 1,
        out_dir: dir.to_path_buf(),
        as_of: a.date,
    };
    jiujin_app::gen::generate_jobs(&jobs, refdata)?;
    let part = dir.join("city.db.part");
    let _ = std::fs::remove_file(&part);
    let store = Store::open_migrated(&DbUrl::parse(&format!("sqlite://{}", part.display()))?).await?;
    let keys = Keys::from_master(&[7u8; 32]);
    store.verify_key_check(keys.check_value(), "bench").await?;
    let by = jiujin_store::audit::Context::local(jiujin_store::audit::Actor::command_line(Some("bench")));
    let req = ImportRequest {
        path: &dir.join("workers.csv"),
        rejects: None,
        scope: Scope::City,
        as_of: a.date,
        actor: None,
        by: by.clone(),
        batch_size: 50_000,
        cancel: None,
        progress: None,
    };
    import_workers(&store, &keys, req).await?;
    for (file, jobs) in [("employers.csv", false), ("jobs.csv", true)] {
        let path = dir.join(file);
        let req =
            JobsImportRequest { store: &store, path: &path, rejects: None, scope: Scope::City, by: &by, today: a.date };
        let r = if jobs { import_jobs(req).await? } else { import_employers(req).await? };
        println!("导入 {file}：{} 行，拒绝 {}", r.rows, r.rejected);
    }
    drop(store);
    std::fs::rename(&part, &db)?;
    Ok(Store::open_migrated(&url).await?)
}

/// Realistic queries: a district and a trade, a trade with 包吃住, a district alone,
/// near home, a synonym, a kind of work.
fn queries(vocab: &Vocab, n: usize) -> Vec<String> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let districts: Vec<String> = vocab
        .refdata
        .districts()
        .iter()
        .filter_map(|d| vocab.refdata.region(*d))
        .map(|r| r.name.trim_end_matches(['区', '县']).to_string())
        .collect();
    let occ = vocab.refdata.occupations();
    (0..n)
        .map(|i| {
            let d = &districts[rng.gen_range(0..districts.len())];
            let o = &occ[rng.gen_range(0..occ.len())];
            let word = if !o.synonyms.is_empty() && rng.gen_bool(0.5) {
                o.synonyms[rng.gen_range(0..o.synonyms.len())].clone()
            } else {
                o.name.clone()
            };
            match i % 6 {
                0 => format!("{d} {word}"),
                1 => format!("{word} 包吃住"),
                2 => d.clone(),
                3 => format!("{word} 离家近"),
                4 => format!("{d} {word} 包吃住"),
                _ => format!("{word} 日结"),
            }
        })
        .collect()
}

pub async fn run(a: MatchArgs) -> anyhow::Result<ExitCode> {
    let dir = a.dir.join(format!("match-{}-{}-{}", a.workers, a.employers, a.jobs));
    std::fs::create_dir_all(&dir)?;
    let dir = dir.canonicalize()?;
    let store = city(&a, &dir).await?;
    let t = Instant::now();
    let vocab = Vocab::embedded().map_err(|e| anyhow::anyhow!(e))?;
    let board = JobBoard::load(&store, vocab, a.date).await?;
    let load = t.elapsed().as_secs_f64();
    let open = board.open_count()?;
    println!("岗位索引：在招 {open} 个，载入并建索引 {load:.1} 秒");

    let mut seekers = Vec::new();
    let mut after = 0;
    while seekers.len() < a.queries {
        let page = jiujin_store::jobs::seekers_after(&store, Scope::City, after, 50_000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        seekers.extend(page.iter().filter_map(|p| board.vocab.seeker(p, a.date)));
    }
    seekers.truncate(a.queries);
    if seekers.is_empty() {
        bail!("没有求职人员可作查询");
    }

    // jiujin: one thread, top 10 with explanations.
    let mut lat = Vec::with_capacity(seekers.len());
    let mut top = std::collections::BTreeMap::new();
    let start = Instant::now();
    for (i, s) in seekers.iter().enumerate() {
        let t = Instant::now();
        let m = board.top_jobs(s, 10)?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        if i < 100 {
            top.insert(s.id, m.iter().map(|x| x.id).collect::<Vec<_>>());
        }
    }
    let total = start.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    let (p50, p99, per_s) = (pct(&lat, 0.5), pct(&lat, 0.99), seekers.len() as f64 / total);

    // The numpy peer on the same postings and seekers.
    let peer_dir = dir.join("peer");
    std::fs::create_dir_all(&peer_dir)?;
    let mut text = format!("{POSTINGS_HEADER}\n");
    for p in board.open_postings()? {
        text.push_str(&p.peer_csv_row());
        text.push('\n');
    }
    std::fs::write(peer_dir.join("postings.csv"), text)?;
    let mut text = format!("{SEEKERS_HEADER}\n");
    for s in &seekers {
        text.push_str(&s.peer_csv_row());
        text.push('\n');
    }
    std::fs::write(peer_dir.join("seekers.csv"), text)?;
    std::fs::write(peer_dir.join("geo.json"), board.vocab.geo.peer_json())?;
    std::fs::write(peer_dir.join("weights.json"), board.vocab.weights.peer_json())?;
    let python = match &a.python {
        Some(p) => p.clone(),
        None => {
            let p = PathBuf::from("target/bench-venv/bin/python");
            if !p.exists() {
                let st = Command::new("sh").arg("bench/peers/setup").status().context("运行 bench/peers/setup")?;
                if !st.success() {
                    bail!("bench/peers/setup 失败");
                }
            }
            p
        }
    };
    let out = Command::new(&python)
        .arg("bench/peers/match_numpy.py")
        .arg(&peer_dir)
        .output()
        .with_context(|| format!("运行 {}", python.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let peer: serde_json::Value = serde_json::from_str(text.trim())
        .with_context(|| format!("numpy 输出：{text}{}", String::from_utf8_lossy(&out.stderr)))?;
    let mut agree = 0;
    for (id, ours) in &top {
        let theirs: Vec<i64> = peer["top"][id.to_string()]
            .as_array()
            .map(|v| v.iter().filter_map(serde_json::Value::as_i64).collect())
            .unwrap_or_default();
        agree += usize::from(&theirs == ours);
    }

    // Search.
    let qs = queries(&board.vocab, 1_000);
    let mut slat = Vec::with_capacity(qs.len());
    let mut hits = 0usize;
    for (i, q) in qs.iter().enumerate() {
        let home = seekers.get(i % seekers.len()).map(|s| s.home);
        let t = Instant::now();
        let r = board.search(q, &Filters::default(), home, 0, 20)?;
        slat.push(t.elapsed().as_secs_f64() * 1000.0);
        hits += usize::from(r.total > 0);
    }
    slat.sort_by(f64::total_cmp);

    let peer_p50 = peer["p50_ms"].as_f64().unwrap_or(f64::NAN);
    let peer_p99 = peer["p99_ms"].as_f64().unwrap_or(f64::NAN);
    let peer_s = peer["per_second"].as_f64().unwrap_or(f64::NAN);
    println!("| 人岗匹配 top-10（{} 次查询，{open} 个在招岗位） | p50 ms | p99 ms | 人/秒 |", seekers.len());
    println!("|---|---:|---:|---:|");
    println!("| jiujin（1 线程，含解释） | {p50:.4} | {p99:.4} | {per_s:.0} |");
    println!("| numpy 倒排索引 | {peer_p50:.4} | {peer_p99:.4} | {peer_s:.0} |");
    println!(
        "比值：p50 numpy/jiujin = {:.1}×，吞吐 jiujin/numpy = {:.1}×；前 {} 人的 top-10 与 numpy 完全一致 {agree} 人",
        peer_p50 / p50,
        per_s / peer_s,
        top.len()
    );
    println!(
        "岗位搜索（{} 次查询，{open} 个岗位）：p50 {:.3} ms，p99 {:.3} ms，有结果的查询 {hits}",
        slat.len(),
        pct(&slat, 0.5),
        pct(&slat, 0.99)
    );
    let json = serde_json::json!({
        "open_jobs": open, "queries": seekers.len(), "load_seconds": load,
        "jiujin": { "p50_ms": p50, "p99_ms": p99, "per_second": per_s },
        "numpy": { "p50_ms": peer_p50, "p99_ms": peer_p99, "per_second": peer_s },
        "agree_top10": agree, "compared": top.len(),
        "search": { "queries": slat.len(), "p50_ms": pct(&slat, 0.5), "p99_ms": pct(&slat, 0.99), "with_hits": hits },
    });
    std::fs::write(a.dir.join("match.json"), serde_json::to_string_pretty(&json)?)?;
    Ok(ExitCode::SUCCESS)
}
