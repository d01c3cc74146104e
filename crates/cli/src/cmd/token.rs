//! `jiujin token create|list|revoke`: API tokens for integrations. A token acts
//! exactly as its account (same role, same scope); it is printed once and the
//! database keeps only its SHA-256.

use std::process::ExitCode;

use anyhow::bail;
use clap::{Args as ClapArgs, Subcommand};
use jiujin_app::{access, Settings};

#[derive(Subcommand)]
pub enum What {
    /// 为账号创建接口令牌（只显示一次）
    Create(CreateArgs),
    /// 列出接口令牌（不显示令牌本身）
    List(ListArgs),
    /// 吊销接口令牌
    Revoke(RevokeArgs),
}

#[derive(ClapArgs)]
pub struct CreateArgs {
    #[arg(long)]
    pub username: String,
    /// 用途说明，例如对接的系统名称
    #[arg(long, default_value = "")]
    pub label: String,
    /// 有效天数（默认长期有效，直至吊销）
    #[arg(long)]
    pub days: Option<u32>,
}

#[derive(ClapArgs)]
pub struct ListArgs {
    #[arg(long)]
    pub username: Option<String>,
}

#[derive(ClapArgs)]
pub struct RevokeArgs {
    /// 令牌编号（见 token list）
    #[arg(long)]
    pub id: i64,
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map_or_else(|| "—".to_string(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
}

pub async fn run(settings: Settings, what: What) -> anyhow::Result<ExitCode> {
    let store = super::open_store(&settings).await?;
    let by = settings.command_line_context();
    match what {
        What::Create(a) => {
            let (id, token) = access::create_token(&store, &a.username, &a.label, a.days, &by).await?;
            eprintln!("已为 {} 创建接口令牌（编号 {id}）。令牌只显示这一次，请妥善保存：", a.username.trim());
            println!("{token}");
        }
        What::List(a) => {
            let tokens = jiujin_store::access::list_tokens(&store, a.username.as_deref()).await?;
            println!("编号\t账号\t用途\t创建时间\t最近使用\t到期\t吊销");
            for t in tokens {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.username,
                    if t.label.is_empty() { "—" } else { &t.label },
                    time(Some(t.created_at)),
                    time(t.last_used_at),
                    time(t.expires_at),
                    time(t.revoked_at)
                );
            }
        }
        What::Revoke(a) => {
            if !jiujin_store::access::revoke_token(&store, a.id, &by).await? {
                bail!("没有编号为 {} 的有效接口令牌", a.id);
            }
            println!("已吊销接口令牌 {}", a.id);
        }
    }
    Ok(ExitCode::SUCCESS)
}
