//! The `jiujin` command line: one binary for the demo, the server, migrations,
//! imports/exports, synthetic data, validation of identity lists, the policy
//! library and its rules, backups and benchmarks. Commands parse arguments and call the app and web crates.

mod cmd;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc: an import allocates on the reader thread and frees on the writer, which
/// glibc's allocator handles poorly (measured: about a tenth of the import's time).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "jiujin", version, about = "就近 · 重庆农民工就业服务平台", long_about = None)]
struct Cli {
    /// 数据库地址：sqlite://文件路径 或 postgres://…（默认取 JIUJIN_DB 或 sqlite://jiujin-data/jiujin.db）
    #[arg(long, global = true)]
    db: Option<String>,
    /// 配置文件（TOML）
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// 密钥文件（默认与SQLite数据库同目录的 jiujin.key）
    #[arg(long, global = true)]
    key_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 创建（或复用）演示数据库：参考数据 + 合成人口，然后启动网页服务
    Demo(cmd::demo::Args),
    /// 启动网页服务
    Serve(cmd::serve::Args),
    /// 执行数据库迁移并载入参考数据
    Migrate,
    /// 密钥管理：init 创建密钥文件（若不存在）并登记到数据库
    #[command(subcommand)]
    Key(cmd::KeyWhat),
    /// 导入文件
    #[command(subcommand)]
    Import(cmd::import::What),
    /// 导出文件（含完整证件号码，仅限运维人员）
    #[command(subcommand)]
    Export(cmd::export::What),
    /// 生成空白导入模板
    #[command(subcommand)]
    Template(cmd::export::TemplateWhat),
    /// 生成合成数据（可导入的文件）
    Gen(cmd::gen::Args),
    /// 逐行校验号码：公民身份号码（id）或统一社会信用代码（uscc），从标准输入读取
    Validate(cmd::validate::Args),
    /// 在线备份SQLite数据库
    Backup(cmd::backup::BackupArgs),
    /// 从备份恢复SQLite数据库（服务停止时执行）
    Restore(cmd::backup::RestoreArgs),
    /// 登记库维护：核对当前状态与事件、列出疑似重复
    #[command(subcommand)]
    Registry(cmd::registry::What),
    /// 账号管理
    #[command(subcommand)]
    User(cmd::user::What),
    /// 接口令牌：create 创建，list 列出，revoke 吊销
    #[command(subcommand)]
    Token(cmd::token::What),
    /// 审计日志：verify 核验哈希链，list 列出最新记录
    #[command(subcommand)]
    Audit(cmd::audit::What),
    /// 政策库与规则：list 列出，show 查看，eval 按事实文件评估，test 运行规则用例
    #[command(subcommand)]
    Policy(cmd::policy::What),
    /// 人岗匹配：worker 为求职人员找岗位，job 为岗位找人（附每项得分说明）
    #[command(subcommand)]
    Match(cmd::jobs::MatchWhat),
    /// 精准推送：run 选出当日推送并投递
    #[command(subcommand)]
    Push(cmd::jobs::PushWhat),
    /// 就业服务：follow-up 登记失业人员跟踪服务清单，gaps 脱贫人口“1+1+3+1”缺项清单，households 零就业家庭
    #[command(subcommand)]
    Services(cmd::services::What),
    /// 职业技能培训：shortage-run 生成本月紧缺职业目录，rates 培训后就业率
    #[command(subcommand)]
    Training(cmd::training::What),
    /// 监测：targets 列出年度目标及原文出处，rebuild 重算监测汇总，verify 核对汇总
    #[command(subcommand)]
    Monitoring(cmd::monitoring::What),
    /// 报表：monthly 月报、yearly 年报（Excel，按区县和行业）
    #[command(subcommand)]
    Report(cmd::report::What),
    /// 欠薪预警：run 日批检查全部工程项目，recount 重新统计月出勤
    #[command(subcommand)]
    Wages(cmd::wages::What),
    /// 性能基准
    #[command(subcommand)]
    Bench(cmd::bench::What),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("JIUJIN_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(1)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut settings = jiujin_app::Settings::load(cli.config.as_deref())?;
    if let Some(db) = cli.db {
        settings.db = db;
    }
    if let Some(k) = cli.key_file {
        settings.key_file = Some(k);
    }
    match cli.command {
        Command::Demo(a) => cmd::demo::run(settings, a).await,
        Command::Serve(a) => cmd::serve::run(settings, a).await,
        Command::Migrate => cmd::migrate(settings).await,
        Command::Key(w) => cmd::key(settings, w).await,
        Command::Import(w) => cmd::import::run(settings, w).await,
        Command::Export(w) => cmd::export::run(settings, w).await,
        Command::Template(w) => cmd::export::template(w),
        Command::Gen(a) => cmd::gen::run(settings, a).await,
        Command::Validate(a) => cmd::validate::run(a),
        Command::Backup(a) => cmd::backup::backup(settings, a).await,
        Command::Restore(a) => cmd::backup::restore(settings, a).await,
        Command::Registry(w) => cmd::registry::run(settings, w).await,
        Command::User(w) => cmd::user::run(settings, w).await,
        Command::Token(w) => cmd::token::run(settings, w).await,
        Command::Audit(w) => cmd::audit::run(settings, w).await,
        Command::Policy(w) => cmd::policy::run(settings, w).await,
        Command::Match(w) => cmd::jobs::run_match(settings, w).await,
        Command::Push(w) => cmd::jobs::run_push(settings, w).await,
        Command::Services(w) => cmd::services::run(settings, w).await,
        Command::Training(w) => cmd::training::run(settings, w).await,
        Command::Bench(w) => cmd::bench::run(settings, w).await,
        Command::Wages(w) => cmd::wages::run(settings, w).await,
        Command::Monitoring(w) => cmd::monitoring::run(settings, w).await,
        Command::Report(w) => cmd::report::run(settings, w).await,
    }
}
