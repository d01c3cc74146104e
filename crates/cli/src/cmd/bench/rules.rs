//! `jiujin bench rules`: the bulk policy kernel of issue 5 on a synthetic city held in
//! memory as columns. Times 5 person rules (`bench/rules/*.toml`: an age band, a flag, a
//! status, a duration since a date, an amount with a cap) compiled into one pass,
//! a streaming sum over as many bytes as the kernel reads (the memory-bandwidth
//! bound), and, in the same run, the numpy peer (`bench/peers/rules_numpy.py`) on the
//! same columns written to files; best of N repetitions each side.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use clap::Args as ClapArgs;
use jiujin_domain::policy::bulk::columns::{date_to_days, BOOL_UNKNOWN, CODE_UNKNOWN, DATE_UNKNOWN, MONEY_UNKNOWN};
use jiujin_domain::policy::bulk::{BulkResult, Column, Plan, Population, Summary};
use jiujin_domain::policy::eval::{evaluate_bound, Bound};
use jiujin_domain::policy::facts::STATUS;
use jiujin_domain::policy::value::{Duration, Value};
use jiujin_domain::policy::{EntityKind, Library, Policy};

#[derive(ClapArgs)]
pub struct RulesArgs {
    /// 人数（全市 7366000）
    #[arg(long, default_value_t = 7_366_000)]
    pub persons: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// 评估日期
    #[arg(long, default_value = "2025-06-30")]
    pub date: NaiveDate,
    /// 规则目录（5条基准规则）
    #[arg(long, default_value = "bench/rules")]
    pub rules: PathBuf,
    /// 工作目录（写入列文件供 numpy 读取）
    #[arg(long, default_value = "bench/out")]
    pub dir: PathBuf,
    /// 每方计时次数（取最好一次）
    #[arg(long, default_value_t = 3)]
    pub repetitions: usize,
    /// numpy 所在的 Python（默认 target/bench-venv，缺少时用 bench/peers/setup 创建）
    #[arg(long)]
    pub python: Option<PathBuf>,
}

/// splitmix64: a small deterministic generator, enough for plausible distributions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `per_mille / 1000`.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

/// The synthetic city's columns the 5 rules read.
struct City {
    birth: Vec<i32>,
    returnee: Vec<u8>,
    status: Vec<u8>,
    registered: Vec<i32>,
    premiums: Vec<i64>,
}

fn city(n: usize, seed: u64, today: NaiveDate) -> City {
    let mut r = Rng(seed);
    let t = i64::from(date_to_days(today));
    let day = |x: i64| i32::try_from(x).unwrap_or(DATE_UNKNOWN);
    // Shares of 就业状态 (same order as the vocabulary), per mille; 1% unknown.
    let status_weights: [u64; 6] = [450, 250, 120, 50, 80, 40];
    let mut c = City {
        birth: Vec::with_capacity(n),
        returnee: Vec::with_capacity(n),
        status: Vec::with_capacity(n),
        registered: Vec::with_capacity(n),
        premiums: Vec::with_capacity(n),
    };
    for _ in 0..n {
        // Ages 16 to 70, uniform; 0.3% without a birth date.
        c.birth.push(if r.chance(3) {
            DATE_UNKNOWN
        } else {
            day(t - 16 * 365 - i64::try_from(r.below(55 * 365)).unwrap_or(0))
        });
        c.returnee.push(if r.chance(10) { BOOL_UNKNOWN } else { u8::from(r.chance(40)) });
        let mut pick = r.below(1000);
        let mut status = CODE_UNKNOWN;
        for (i, w) in status_weights.iter().enumerate() {
            if pick < *w {
                status = u8::try_from(i).unwrap_or(CODE_UNKNOWN);
                break;
            }
            pick -= w;
        }
        c.status.push(status);
        // Registered unemployed: most of the unemployed, a few others; within 3 years.
        let registered = if status == 4 { r.chance(900) } else { r.chance(20) };
        c.registered.push(if registered {
            day(t - i64::try_from(r.below(3 * 365)).unwrap_or(0))
        } else {
            DATE_UNKNOWN
        });
        // Premiums paid this period: flexible workers mostly, 0 to 3,000 yuan, some 0.
        let paying = if status == 2 { r.chance(800) } else { r.chance(60) };
        c.premiums.push(if !paying {
            MONEY_UNKNOWN
        } else if r.chance(50) {
            0
        } else {
            i64::try_from(r.below(300_000)).unwrap_or(0)
        });
    }
    c
}

fn write_le<T: Copy, const W: usize>(path: &Path, v: &[T], f: impl Fn(T) -> [u8; W]) -> anyhow::Result<()> {
    let mut bytes = Vec::with_capacity(v.len() * W);
    for x in v {
        bytes.extend_from_slice(&f(*x));
    }
    std::fs::write(path, bytes).with_context(|| format!("写入 {}", path.display()))
}

fn load_rules(dir: &Path) -> anyhow::Result<Library> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).with_context(|| format!("读取规则目录 {}", dir.display()))? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "toml") {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            files.push((name, std::fs::read_to_string(&p)?));
        }
    }
    Library::load(&files)
        .map_err(|e| anyhow::anyhow!("{}", e.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")))
}

fn param<'a>(p: &'a Policy, name: &str, date: NaiveDate) -> anyhow::Result<&'a Value> {
    p.param(name).and_then(|x| x.at(date)).map(|v| &v.value).with_context(|| format!("{} 缺少参数 {name}", p.id))
}

fn months(v: &Value) -> anyhow::Result<u32> {
    match v {
        Value::Duration(Duration { months, days: 0 }) => Ok(*months),
        other => bail!("基准规则的时长应为整月，得到 {other}"),
    }
}

/// The memory-bandwidth bound: the best time to stream-sum `words`.
#[multiversion::multiversion(targets = "simd")]
fn stream_sum(words: &[u64]) -> u64 {
    let mut acc = [0u64; 8];
    let chunks = words.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for i in 0..8 {
            acc[i] = acc[i].wrapping_add(c[i]);
        }
    }
    let mut s = rest.iter().fold(0u64, |a, x| a.wrapping_add(*x));
    for a in acc {
        s = s.wrapping_add(a);
    }
    s
}

pub fn run(a: RulesArgs) -> anyhow::Result<ExitCode> {
    let lib = load_rules(&a.rules)?;
    let policies: Vec<&Policy> = lib.policies().iter().collect();
    if policies.len() != 5 {
        bail!("{} 中应有5条基准规则，实际 {} 条", a.rules.display(), policies.len());
    }
    let reps = a.repetitions.max(1);
    let t = Instant::now();
    let c = city(a.persons, a.seed, a.date);
    let mut pop = Population::new(EntityKind::Person, a.persons);
    pop.set("birth_date", Column::Date(c.birth.clone()))?;
    pop.set("returnee", Column::Bool(c.returnee.clone()))?;
    pop.set("employment_status", Column::Code(c.status.clone()))?;
    pop.set("unemployment_registered_date", Column::Date(c.registered.clone()))?;
    pop.set("premiums_paid_fen", Column::Money(c.premiums.clone()))?;
    println!("合成人口：{} 人，{:.1} 秒", a.persons, t.elapsed().as_secs_f64());

    let bounds: Vec<Bound> = policies.iter().map(|p| Bound::new(p, a.date)).collect();
    let plan = Plan::compile(&bounds, &pop)?;
    let bytes = plan.bytes_read(&pop);
    let mut out = BulkResult::default();
    plan.run_into(&pop, &mut out)?; // allocates the outputs; not timed
    let mut kernel = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        plan.run_into(&pop, &mut out)?;
        kernel.push(t.elapsed().as_secs_f64());
    }
    let best = kernel.iter().copied().fold(f64::INFINITY, f64::min);
    // The same on every core (the blocks split into one range per thread).
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut par = BulkResult::default();
    plan.run_into_threads(&pop, &mut par, threads)?;
    let mut kernel_par = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        plan.run_into_threads(&pop, &mut par, threads)?;
        kernel_par.push(t.elapsed().as_secs_f64());
    }
    if par != out {
        bail!("{threads} 线程的结果与单线程不一致");
    }
    drop(par);
    let best_par = kernel_par.iter().copied().fold(f64::INFINITY, f64::min);

    // Spot check against the per-person evaluator.
    let step = (a.persons / 5000).max(1);
    for row in (0..a.persons).step_by(step) {
        let facts = pop.facts(row);
        for (pi, b) in bounds.iter().enumerate() {
            let want = evaluate_bound(b, &facts);
            if out.status(pi, row) != Some(want.status) || out.amount(pi, row) != want.amount_fen {
                bail!("第 {row} 人、规则 {}：批量结果与逐人评估不一致", b.policy.id);
            }
        }
    }

    let words = vec![1u64; bytes.div_ceil(8)];
    let mut stream = Vec::new();
    let mut sink = 0u64;
    for _ in 0..reps {
        let t = Instant::now();
        sink = sink.wrapping_add(stream_sum(&words));
        stream.push(t.elapsed().as_secs_f64());
    }
    let stream_best = stream.iter().copied().fold(f64::INFINITY, f64::min);
    // The bound on every core: each thread sums its share of the buffer.
    let mut stream_par = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        let share = words.len().div_ceil(threads);
        let sums: Vec<u64> = std::thread::scope(|sc| {
            let handles: Vec<_> = words.chunks(share.max(1)).map(|c| sc.spawn(move || stream_sum(c))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or(0)).collect()
        });
        sink = sums.into_iter().fold(sink, u64::wrapping_add);
        stream_par.push(t.elapsed().as_secs_f64());
    }
    let stream_par_best = stream_par.iter().copied().fold(f64::INFINITY, f64::min);
    drop(words);

    // The same columns for numpy.
    let dir = a.dir.join(format!("rules-{}-{}", a.persons, a.seed));
    std::fs::create_dir_all(&dir)?;
    let dir = dir.canonicalize()?;
    write_le(&dir.join("birth_date.i32"), &c.birth, i32::to_le_bytes)?;
    write_le(&dir.join("returnee.u8"), &c.returnee, u8::to_le_bytes)?;
    write_le(&dir.join("employment_status.u8"), &c.status, u8::to_le_bytes)?;
    write_le(&dir.join("unemployment_registered_date.i32"), &c.registered, i32::to_le_bytes)?;
    write_le(&dir.join("premiums_paid_fen.i64"), &c.premiums, i64::to_le_bytes)?;
    drop(c);
    let by_id = |id: &str| lib.get(id).with_context(|| format!("缺少基准规则 {id}"));
    let age = by_id("bench-age-band")?;
    let amount = by_id("bench-amount")?;
    let share = match param(amount, "share", a.date)? {
        Value::Number(r) => (r.num(), r.den()),
        other => bail!("share 应为比例，得到 {other}"),
    };
    let cap = match param(amount, "cap", a.date)? {
        Value::Money(f) => f.0,
        other => bail!("cap 应为金额，得到 {other}"),
    };
    let summaries: Vec<(String, Summary)> =
        plan.policies().enumerate().map(|(i, id)| (id.to_string(), out.summary(i))).collect();
    let expected: serde_json::Map<String, serde_json::Value> = summaries
        .iter()
        .map(|(id, s)| {
            let v = serde_json::json!({
                "eligible": s.eligible, "not_eligible": s.not_eligible, "undetermined": s.undetermined,
                "amount_fen": i64::try_from(s.amount_fen).unwrap_or(i64::MAX),
            });
            (id.clone(), v)
        })
        .collect();
    let col = |name: &str, dtype: &str| serde_json::json!({"path": dir.join(name), "dtype": dtype});
    let spec = serde_json::json!({
        "persons": a.persons,
        "date": a.date.to_string(),
        "repetitions": reps,
        "columns": {
            "birth_date": col("birth_date.i32", "i4"),
            "returnee": col("returnee.u8", "u1"),
            "employment_status": col("employment_status.u8", "u1"),
            "unemployment_registered_date": col("unemployment_registered_date.i32", "i4"),
            "premiums_paid_fen": col("premiums_paid_fen.i64", "i8"),
        },
        "params": {
            "min_age_months": months(param(age, "min_age", a.date)?)?,
            "max_age_months": months(param(age, "max_age", a.date)?)?,
            "min_unemployment_months": months(param(by_id("bench-duration")?, "min_unemployment", a.date)?)?,
            "status_code": STATUS.iter().position(|s| *s == "失业"),
            "share_num": i64::try_from(share.0)?, "share_den": i64::try_from(share.1)?,
            "cap_fen": cap,
        },
        "expected": expected,
    });
    let spec_path = dir.join("spec.json");
    std::fs::write(&spec_path, serde_json::to_string_pretty(&spec)?)?;

    let python = match &a.python {
        Some(p) => p.clone(),
        None => {
            let p = PathBuf::from("target/bench-venv/bin/python");
            if !p.exists() {
                println!("创建 numpy 环境（bench/peers/setup）……");
                let st = Command::new("sh").arg("bench/peers/setup").status().context("运行 bench/peers/setup")?;
                if !st.success() {
                    bail!("bench/peers/setup 失败");
                }
            }
            p
        }
    };
    let peer = Command::new(&python)
        .arg("bench/peers/rules_numpy.py")
        .arg(&spec_path)
        .output()
        .with_context(|| format!("运行 {}", python.display()))?;
    let text = String::from_utf8_lossy(&peer.stdout);
    let peer_json: serde_json::Value = serde_json::from_str(text.trim())
        .with_context(|| format!("numpy 输出：{text}{}", String::from_utf8_lossy(&peer.stderr)))?;
    if peer_json["agrees"] != serde_json::Value::Bool(true) {
        bail!("numpy 的计数或金额与 jiujin 不一致：{}", peer_json["problems"]);
    }

    let pr = (a.persons * policies.len()) as f64;
    let ours = pr / best;
    let theirs = peer_json["person_rules_per_second"].as_f64().unwrap_or(f64::NAN);
    let read_rate = bytes as f64 / best;
    let bound = bytes as f64 / stream_best;
    println!("\n规则：{}", summaries.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join("、"));
    for (id, s) in &summaries {
        println!(
            "  {id:<16} 符合 {:>9}  不符合 {:>9}  待补充 {:>9}  金额合计 {} 分",
            s.eligible, s.not_eligible, s.undetermined, s.amount_fen
        );
    }
    println!("\n{:<34} {:>10} {:>16}", "", "最好(秒)", "人×规则/秒");
    println!("{:<34} {:>10.4} {:>16.3e}", "jiujin 批量内核（单线程）", best, ours);
    let ours_par = pr / best_par;
    let (read_par, bound_par) = (bytes as f64 / best_par, bytes as f64 / stream_par_best);
    println!("{:<34} {:>10.4} {:>16.3e}", format!("jiujin 批量内核（{threads} 线程）"), best_par, ours_par);
    println!("{:<34} {:>10.4} {:>16.3e}", peer_json["peer"].as_str().unwrap_or("numpy"), pr / theirs, theirs);
    println!(
        "\njiujin / numpy = {:.2}（单线程），{:.2}（{threads} 线程；目标 ≥ 3；numpy 单线程）",
        ours / theirs,
        ours_par / theirs
    );
    println!(
        "内核读取 {:.1} MB：单线程 {:.2} GB/s，同次单线程流式求和 {:.2} GB/s，带宽界 / 内核 = {:.2}；{threads} 线程 {:.2} GB/s，{threads} 线程流式求和 {:.2} GB/s，带宽界 / 内核 = {:.2}（目标 ≤ 2）",
        bytes as f64 / 1e6,
        read_rate / 1e9,
        bound / 1e9,
        bound / read_rate,
        read_par / 1e9,
        bound_par / 1e9,
        bound_par / read_par
    );
    let report = a.dir.join(format!("rules-{}.json", a.persons));
    let json = serde_json::json!({
        "persons": a.persons, "seed": a.seed, "date": a.date.to_string(), "rules": policies.len(),
        "kernel_seconds": kernel, "kernel_best": best, "person_rules_per_second": ours,
        "bytes_read": bytes, "kernel_bytes_per_second": read_rate,
        "stream_seconds": stream, "stream_bytes_per_second": bound, "stream_checksum": sink,
        "numpy": peer_json, "ratio_vs_numpy": ours / theirs, "bandwidth_ratio": bound / read_rate,
        "threads": threads, "kernel_threads_seconds": kernel_par, "kernel_threads_best": best_par,
        "threads_person_rules_per_second": ours_par, "threads_ratio_vs_numpy": ours_par / theirs,
        "stream_threads_seconds": stream_par, "threads_bandwidth_ratio": bound_par / read_par,
    });
    std::fs::write(&report, serde_json::to_string_pretty(&json)?)?;
    println!("结果已写入 {}", report.display());
    Ok(ExitCode::SUCCESS)
}
