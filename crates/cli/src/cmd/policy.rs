//! `jiujin policy list|show|eval|test`: the policy library compiled into the binary
//! (or the files of `--dir`), evaluation of a facts file on a date with the reasons
//! for and against each policy, and the rule tests kept beside each policy.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use clap::Args as ClapArgs;
use jiujin_domain::policy::{evaluate, facts::parse_date, Evaluation, Facts, Library, Outcome, Policy, Status};

#[derive(clap::Subcommand)]
pub enum What {
    /// 列出政策库中的政策
    List {
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
        /// 从目录读取政策文件（默认用程序内置的 data/policies）
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// 查看一项政策：出处、有效期、对象、条件、金额公式和参数的各个版本
    Show {
        /// 政策编号，例如 returnee-startup-subsidy
        id: String,
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// 评估：某个对象在某日可享受哪些政策，逐条列出满足与不满足的条件
    Eval(EvalArgs),
    /// 免申即享批量评估：对户籍在某区划内的全部登记人员（或该区划内登记的就业帮扶车间、返乡创业园区、用人单位吸纳的人员，按政策对象）评估一项政策（--policy all：全部可批量发放的政策一次评估），依据登记库和已记录的事实（jiujin import facts），写入拟发放记录（待经办人员审核）；同一对象同一期间只会拟发放一次，重复运行或中断后重跑均不会重复
    Run {
        #[command(flatten)]
        on: RegionRun,
        /// 每批的人员编号数（按编号顺序分批读取，每批一个事务）
        #[arg(long, default_value_t = 65536)]
        batch: u64,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 政策测算（what-if）：把某个参数在评估日生效的版本改为草稿值，比较户籍在某区划内的受益对象数和资金总额，并列出增加或减少的对象；不写入任何发放记录
    #[command(name = "what-if")]
    Simulate {
        #[command(flatten)]
        on: RegionRun,
        /// 草稿参数：名称=取值，例如 max_amount=10000元
        #[arg(long)]
        set: String,
        /// 把增减名单写入 CSV 文件
        #[arg(long)]
        out: Option<PathBuf>,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 银行发放文件：已批准（已记入台账）的发放名单，含完整公民身份号码，仅供交付银行（运维人员命令，需要密钥；导出记入审计日志）
    BankFile {
        /// 输出文件（.csv 或 .xlsx）
        #[arg(long)]
        out: PathBuf,
        /// 只导出这一批次
        #[arg(long)]
        run: Option<i64>,
        /// 只导出该区划（按户籍地）
        #[arg(long)]
        region: Option<String>,
    },
    /// 运行目录中的规则用例（<编号>.tests.toml），任一失败则退出码非0
    Test {
        /// 含政策文件和用例文件的目录，例如 data/policies
        dir: PathBuf,
    },
}

/// One policy over the persons whose hukou lies in a region, on a date (`run`,
/// `what-if`).
#[derive(ClapArgs)]
pub struct RegionRun {
    /// 政策编号，例如 returnee-startup-subsidy（run 可写 all：全部可批量发放的政策一次评估）
    #[arg(long)]
    policy: String,
    /// 区划代码（6、9 或 12 位），按户籍地
    #[arg(long)]
    region: String,
    /// 评估日期 YYYY-MM-DD
    #[arg(long)]
    date: String,
    /// 从目录读取政策文件（默认用程序内置的 data/policies）
    #[arg(long)]
    dir: Option<PathBuf>,
}

impl RegionRun {
    /// The date, the region and the library, with the policy checked to be in it.
    fn resolve(&self) -> anyhow::Result<(NaiveDate, jiujin_domain::RegionCode, Library)> {
        let date = parse_eval_date(&self.date)?;
        let region = jiujin_domain::RegionCode::parse(&self.region).map_err(|e| anyhow::anyhow!("--region：{e}"))?;
        let lib = library(self.dir.as_deref())?;
        if !self.is_all() {
            find(&lib, &self.policy)?;
        }
        Ok((date, region, lib))
    }

    fn is_all(&self) -> bool {
        self.policy == "all"
    }
}

#[derive(ClapArgs)]
pub struct EvalArgs {
    /// 事实文件（JSON，格式见 docs/policy-facts.md）
    #[arg(long)]
    facts: Option<PathBuf>,
    /// 按公民身份号码从登记库（--db）取事实：登记库未载明的事实视为未知，对应条件显示“待补充信息”；此次查阅记入审计日志
    #[arg(long, conflicts_with = "facts")]
    person: Option<String>,
    /// 按统一社会信用代码从用人单位登记库（--db）取事实（所在区县、是否小微企业），评估面向用人单位的政策；登记库未载明的事实显示“待补充信息”
    #[arg(long, conflicts_with_all = ["facts", "person"])]
    employer: Option<String>,
    /// 按编号从返乡创业园区登记库（--db）取事实（市级认定日期、上一年度绩效评估结果）
    #[arg(long, conflicts_with_all = ["facts", "person", "employer"])]
    park: Option<i64>,
    /// 按编号从就业帮扶车间登记库（--db）取事实（认定日期）
    #[arg(long, conflicts_with_all = ["facts", "person", "employer", "park"])]
    workshop: Option<i64>,
    /// 按编号从劳务品牌登记库（--db）取事实（市级认定日期、按带动就业情况核定的奖补金额）
    #[arg(long, conflicts_with_all = ["facts", "person", "employer", "park", "workshop"])]
    brand: Option<i64>,
    /// 评估日期 YYYY-MM-DD
    #[arg(long)]
    date: String,
    /// 只评估这一项政策
    #[arg(long)]
    policy: Option<String>,
    /// 以 JSON 输出
    #[arg(long)]
    json: bool,
    #[arg(long)]
    dir: Option<PathBuf>,
}

pub async fn run(settings: jiujin_app::Settings, what: What) -> anyhow::Result<ExitCode> {
    match what {
        What::List { json, dir } => list(&library(dir.as_deref())?, json),
        What::Show { id, dir } => show(&library(dir.as_deref())?, &id),
        What::Eval(a) => eval(settings, a).await,
        What::Simulate { on, set, out, json } => what_if(settings, &on, &set, out.as_deref(), json).await,
        What::BankFile { out, run, region } => bank_file(settings, &out, run, region.as_deref()).await,
        What::Run { on, batch, json } => run_batch(settings, &on, batch, json).await,
        What::Test { dir } => test(&dir),
    }
}

/// The embedded library, or the one in `dir`.
fn library(dir: Option<&Path>) -> anyhow::Result<Library> {
    let loaded = match dir {
        None => Library::embedded().cloned().map_err(|e| e.to_vec()),
        Some(dir) => Library::load(&read_dir(dir)?),
    };
    loaded.map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        anyhow::anyhow!("政策文件有{}处错误：\n{}", errors.len(), lines.join("\n"))
    })
}

fn read_dir(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("无法读取目录 {}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_string) else { continue };
        if !name.ends_with(".toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).with_context(|| format!("无法读取文件 {}", path.display()))?;
        files.push((name, text));
    }
    files.sort();
    if files.is_empty() {
        bail!("目录 {} 中没有政策文件（*.toml）", dir.display());
    }
    Ok(files)
}

fn targets(p: &Policy) -> String {
    p.targets.iter().map(|t| t.label()).collect::<Vec<_>>().join("、")
}

fn list(lib: &Library, json: bool) -> anyhow::Result<ExitCode> {
    if json {
        let rows: Vec<serde_json::Value> = lib
            .policies()
            .iter()
            .map(|p| {
                serde_json::json!({
                    "id": p.id,
                    "title": p.title,
                    "targets": p.targets,
                    "obtain": p.obtain,
                    "obtain_label": p.obtain.label(),
                    "effective_from": p.effective_from,
                    "effective_to": p.effective_to,
                    "has_rules": p.has_rules(),
                    "benefit": p.benefit,
                    "department": p.department,
                    "tags": p.tags,
                    "sources": p.sources,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("编号\t标题\t对象\t享受方式\t有效期\t自动判定");
    for p in lib.policies() {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            p.id,
            p.title,
            targets(p),
            p.obtain.label(),
            p.period_label(),
            if p.has_rules() { "有规则" } else { "—" }
        );
    }
    println!(
        "共 {} 项政策，其中 {} 项有可自动判定的规则。",
        lib.policies().len(),
        lib.policies().iter().filter(|p| p.has_rules()).count()
    );
    Ok(ExitCode::SUCCESS)
}

fn find<'a>(lib: &'a Library, id: &str) -> anyhow::Result<&'a Policy> {
    lib.get(id).with_context(|| format!("没有编号为“{id}”的政策（用 jiujin policy list 查看全部编号）"))
}

fn show(lib: &Library, id: &str) -> anyhow::Result<ExitCode> {
    let p = find(lib, id)?;
    println!("{}（{}）", p.title, p.id);
    for s in &p.sources {
        println!("出处：{} {}", s.document, s.article);
    }
    println!("有效期：{}", p.period_label());
    println!("对象：{}", targets(p));
    println!("享受方式：{}", p.obtain.label());
    println!("发放：每{}{}", p.payout_per.label(), p.period.label());
    println!("待遇：{}", p.benefit);
    if !p.evidence.is_empty() {
        println!("材料：{}", p.evidence.join("；"));
    }
    println!("责任单位：{}", p.department);
    if !p.tags.is_empty() {
        println!("标签：{}", p.tags.join("、"));
    }
    if !p.conditions.is_empty() {
        println!("条件：");
        for c in &p.conditions {
            let only = if c.applies_to.is_empty() {
                String::new()
            } else {
                format!("（仅{}）", c.applies_to.iter().map(|k| k.label()).collect::<Vec<_>>().join("、"))
            };
            println!("  [{}] {}{} —— {}", c.id, c.explain, only, c.cite);
            println!("      规则：{}", c.text);
        }
    }
    if let Some(a) = &p.amount {
        println!("金额：{} —— {}", a.explain, a.cite);
        println!("      公式：{}", a.text);
    }
    if !p.params.is_empty() {
        println!("参数（按生效日期）：");
        for param in &p.params {
            for v in &param.versions {
                let to = v.to.map_or("起".to_string(), |t| format!(" 至 {t}"));
                let cite = v.cite.as_ref().map_or(String::new(), |c| format!(" —— {c}"));
                let note = v.note.as_ref().map_or(String::new(), |n| format!("（{n}）"));
                println!("  {} = {}，{}{}{}{}", param.name, v.value, v.from, to, note, cite);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_eval_date(text: &str) -> anyhow::Result<NaiveDate> {
    parse_date(text).with_context(|| format!("--date：日期“{text}”无效，应为 YYYY-MM-DD，例如 2025-06-01"))
}

fn read_facts(path: &Path) -> anyhow::Result<Facts> {
    let text = std::fs::read_to_string(path).with_context(|| format!("无法读取事实文件 {}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!("事实文件 {} 不是有效的 JSON（第{}行第{}列）：{e}", path.display(), e.line(), e.column())
    })?;
    Facts::from_json(&value).map_err(|e| anyhow::anyhow!("事实文件 {}：{e}", path.display()))
}

async fn eval(settings: jiujin_app::Settings, a: EvalArgs) -> anyhow::Result<ExitCode> {
    let date = parse_eval_date(&a.date)?;
    let lib = library(a.dir.as_deref())?;
    let mut person_id = None;
    let mut employer_id = None;
    let facts = match (&a.person, &a.facts) {
        _ if a.park.is_some() || a.workshop.is_some() || a.brand.is_some() => {
            let store = super::open_store(&settings).await?;
            let found = match (a.park, a.workshop, a.brand) {
                (Some(id), _, _) => jiujin_app::policy::park_entitlements(&store, &lib, id, date).await,
                (None, Some(id), _) => jiujin_app::policy::workshop_entitlements(&store, &lib, id, date).await,
                (None, None, Some(id)) => jiujin_app::policy::brand_entitlements(&store, &lib, id, date).await,
                (None, None, None) => bail!("请用 --park、--workshop 或 --brand 指定编号"),
            }
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            found.facts
        }
        _ if a.employer.is_some() => {
            let store = super::open_store(&settings).await?;
            let code = a.employer.as_deref().unwrap_or_default();
            let found = jiujin_app::policy::employer_entitlements(&store, &lib, code, date)
                .await
                .map_err(|e| anyhow::anyhow!("--employer：{e}"))?;
            employer_id = Some(found.employer.id);
            found.facts
        }
        (Some(id_number), _) => {
            let store = super::open_store(&settings).await?;
            let keys = super::keys(&settings, &store, false).await?;
            let found = jiujin_app::policy::entitlements_by_id_number(
                &store,
                &keys,
                &lib,
                jiujin_store::Scope::City,
                id_number,
                date,
                &settings.command_line_context(),
            )
            .await
            .map_err(|e| anyhow::anyhow!("--person：{e}"))?;
            person_id = Some(found.person.id);
            found.facts
        }
        (None, Some(path)) => read_facts(path)?,
        (None, None) => {
            bail!(
                "请用 --facts 指定事实文件（格式见 docs/policy-facts.md），或用 --person 指定公民身份号码，或用 --employer 指定统一社会信用代码，或用 --park / --workshop / --brand 指定园区、车间、劳务品牌编号"
            )
        }
    };
    let results: Vec<Evaluation> = match &a.policy {
        Some(id) => {
            let p = find(&lib, id)?;
            if !p.has_rules() {
                bail!(
                    "政策“{id}”是{}类政策，没有可自动判定的规则（用 jiujin policy show {id} 查看）",
                    p.obtain.label()
                );
            }
            if !p.targets.contains(&facts.entity) {
                bail!("政策“{id}”的对象是{}，事实文件的对象是{}（entity）", targets(p), facts.entity.label());
            }
            vec![evaluate(p, &facts, date)]
        }
        None => lib.evaluate_all(&facts, date),
    };
    if a.json {
        let out = serde_json::json!({
            "date": date,
            "person_id": person_id,
            "employer_id": employer_id,
            "entity": facts.entity,
            "label": facts.label,
            "results": results,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    let label = facts.label.as_deref().map_or(String::new(), |l| format!("（{l}）"));
    println!("对象：{}{label}，评估日期：{date}", facts.entity.label());
    if results.is_empty() {
        println!("没有面向{}的可自动判定政策。", facts.entity.label());
    }
    for ev in &results {
        let amount = match ev.amount_fen {
            Some(_) => format!("，金额 {}", ev.amount_text),
            None if ev.status == Status::NotEligible => String::new(),
            None => format!("，{}", ev.amount_text),
        };
        println!("\n【{}】{}（{}）{amount}", ev.status_label, ev.title, ev.policy);
        for c in &ev.conditions {
            let mark = match c.outcome {
                Outcome::Met => "✓",
                Outcome::Failed => "✗",
                Outcome::Unknown => "?",
            };
            let missing =
                if c.missing.is_empty() { String::new() } else { format!("（缺少：{}）", c.missing.join("、")) };
            println!("  {mark} {}{} —— {}", c.explain, missing, c.cite);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn test(dir: &Path) -> anyhow::Result<ExitCode> {
    let lib = match library(Some(dir)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("错误：{e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let results = lib.run_cases();
    let mut failed = 0;
    for r in &results {
        if r.passed() {
            println!("✓ 通过  {}  {}", r.policy, r.name);
        } else {
            failed += 1;
            println!("✗ 失败  {}  {}（{}:{}）", r.policy, r.name, r.file, r.line);
            for p in &r.problems {
                println!("        {p}");
            }
        }
    }
    println!("共 {} 例：通过 {} 例，失败 {} 例。", results.len(), results.len() - failed, failed);
    if results.is_empty() {
        println!("目录 {} 中没有用例（<编号>.tests.toml）。", dir.display());
        return Ok(ExitCode::from(1));
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

async fn run_batch(settings: jiujin_app::Settings, on: &RegionRun, batch: u64, json: bool) -> anyhow::Result<ExitCode> {
    use jiujin_app::policy::Which;
    let (date, region, lib) = on.resolve()?;
    let which = if on.is_all() { Which::All } else { Which::One(on.policy.as_str()) };
    let store = super::open_store(&settings).await?;
    let cancel = crate::progress::ctrl_c_flag();
    let pb = crate::progress::bar(jiujin_store::policy::count_by_hukou(&store, region).await?, "评估", false);
    let report = |c: &jiujin_store::policy::RunCounts| {
        pb.set_position(c.evaluated);
        pb.set_message(format!("拟发放 {}", c.proposed));
    };
    let req = jiujin_app::policy::RunRequest {
        library: &lib,
        policies: which,
        region,
        date,
        by: settings.command_line_context(),
        page_size: batch,
        cancel: Some(cancel),
        progress: Some(&report),
    };
    let summary = jiujin_app::policy::run_policies(&store, req).await;
    pb.finish_and_clear();
    let summary = summary?;
    if json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        let done = summary.status == "done";
        println!(
            "评估 {} 人，{} 项政策，用时 {:.1} 秒{}。",
            summary.persons,
            summary.runs.len(),
            summary.seconds,
            if done { "" } else { "（已中断，重新运行同一命令可补齐）" }
        );
        for r in &summary.runs {
            let c = r.counts;
            // Persons, or the workshops, parks and hires of a register run.
            let over = lib.get(&r.policy).and_then(jiujin_app::policy::registers::run_over);
            let unit = match over {
                Some(jiujin_app::policy::registers::Over::Persons) | None => "人",
                Some(_) => "个",
            };
            let evaluated = if over == Some(jiujin_app::policy::registers::Over::Persons) {
                String::new()
            } else {
                format!("评估 {} 个，", c.evaluated)
            };
            println!(
                "批次 {}（{}）：{evaluated}拟发放 {} 条，已拟发放过 {} 条，待补充信息 {} {unit}，不符合 {} {unit}。",
                r.run_id, r.policy, c.proposed, c.already_proposed, c.undetermined, c.not_eligible
            );
        }
        for (id, why) in &summary.skipped {
            println!("未评估 {id}：{why}");
        }
    }
    Ok(if summary.status == "done" { ExitCode::SUCCESS } else { ExitCode::from(130) })
}

async fn what_if(
    settings: jiujin_app::Settings,
    on: &RegionRun,
    set: &str,
    out: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let (date, region, lib) = on.resolve()?;
    let policy = on.policy.as_str();
    let (name, value) = set
        .split_once('=')
        .map(|(n, v)| (n.trim(), v.trim()))
        .filter(|(n, v)| !n.is_empty() && !v.is_empty())
        .with_context(|| format!("--set：应写成“参数名=取值”，例如 max_amount=10000元，得到“{set}”"))?;
    let store = super::open_store(&settings).await?;
    let by = settings.command_line_context();
    let w = jiujin_app::policy::what_if(&store, &lib, policy, region, date, (name, value), &by)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(path) = out {
        let mut csv = String::from("变化,对象类型,对象,名称,人员编号,测算前（元）,测算后（元）\n");
        let yuan = |f: Option<i64>| f.map(|f| jiujin_domain::Fen(f).to_yuan_compact()).unwrap_or_default();
        for (label, list) in [("增加", &w.gainers), ("减少", &w.losers)] {
            for c in list.iter() {
                let kind = jiujin_app::policy::registers::beneficiary_label(&c.beneficiary_kind);
                // A name may hold a comma: quoted as CSV quotes.
                let name = c.payee.as_ref().map(|p| format!("\"{}\"", p.name.replace('"', "\"\""))).unwrap_or_default();
                csv.push_str(&format!(
                    "{label},{kind},{},{name},{},{},{}\n",
                    c.beneficiary_key,
                    c.person_id.map(|p| p.to_string()).unwrap_or_default(),
                    yuan(c.before_fen),
                    yuan(c.after_fen)
                ));
            }
        }
        std::fs::write(path, csv).with_context(|| format!("无法写入 {}", path.display()))?;
    }
    if json {
        println!("{}", serde_json::to_string(&w)?);
    } else {
        let yuan = |f: i64| jiujin_domain::Fen(f).to_yuan_compact();
        println!(
            "测算：{policy} 的参数 {name} 改为 {value}（{date}，户籍在 {} 的 {} 人）",
            region.short(),
            w.evaluated
        );
        println!("  现行：受益 {} 个对象，资金 {} 元", w.beneficiaries_before, yuan(w.budget_before_fen));
        println!("  草稿：受益 {} 个对象，资金 {} 元", w.beneficiaries_after, yuan(w.budget_after_fen));
        println!(
            "  增加 {} 个对象，减少 {} 个对象{}",
            w.gainers.len(),
            w.losers.len(),
            match out {
                Some(p) => format!("；名单已写入 {}", p.display()),
                None => String::new(),
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn bank_file(
    settings: jiujin_app::Settings,
    out: &Path,
    run: Option<i64>,
    region: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let scope = match region {
        Some(r) => jiujin_store::Scope::Region(
            jiujin_domain::RegionCode::parse(r).map_err(|e| anyhow::anyhow!("--region：{e}"))?,
        ),
        None => jiujin_store::Scope::City,
    };
    let lib = library(None)?;
    let store = super::open_store(&settings).await?;
    let keys = super::keys(&settings, &store, false).await?;
    let by = settings.command_line_context();
    let numbers = jiujin_app::registry::export::Numbers::Full;
    let (rows, total) = jiujin_app::policy::bank_file(&store, &keys, &lib, scope, run, numbers, out, &by)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "已写入 {}：{rows} 笔，合计 {} 元（含完整证件号码，仅供交付银行，请妥善保管）",
        out.display(),
        jiujin_domain::Fen(total).to_yuan_compact()
    );
    Ok(ExitCode::SUCCESS)
}
