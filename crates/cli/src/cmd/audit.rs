//! `jiujin audit verify` (walk the audit log's hash chain and report the first break)
//! and `jiujin audit list` (the newest entries).

use std::process::ExitCode;

use clap::Subcommand;
use jiujin_app::Settings;
use jiujin_store::audit::{self, AuditFilter};

#[derive(Subcommand)]
pub enum What {
    /// 核验审计日志的哈希链：发现删除或改动的记录时以退出码1结束
    Verify,
    /// 列出最新的审计记录
    List {
        /// 最多列出的条数
        #[arg(long, default_value_t = 20)]
        limit: u64,
    },
}

pub async fn run(settings: Settings, what: What) -> anyhow::Result<ExitCode> {
    let store = super::open_store(&settings).await?;
    match what {
        What::Verify => {
            let r = audit::verify(&store).await?;
            match r.broken {
                None => {
                    let head: String = r.head_hash.chars().take(12).collect();
                    println!("审计日志完整：共 {} 条，链头 {head}", r.checked);
                    Ok(ExitCode::SUCCESS)
                }
                Some(b) => {
                    println!(
                        "审计日志被篡改：第 {} 条{}（此前 {} 条完好；链头记录共 {} 条）",
                        b.seq,
                        b.breach.label(),
                        r.checked,
                        r.head_seq
                    );
                    Ok(ExitCode::from(1))
                }
            }
        }
        What::List { limit } => {
            let page = audit::list(&store, &AuditFilter::default(), 0, limit.clamp(1, 500)).await?;
            for r in page.rows.iter().rev() {
                let at = (r.at + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M:%S");
                let object = match &r.entity_id {
                    Some(id) => format!("{} #{id}", r.entity),
                    None => r.entity.clone(),
                };
                let from = r.address.as_deref().unwrap_or("本机");
                println!("#{} {at} {} {} {object} {from} {}", r.seq, r.actor, r.action_label(), r.detail);
            }
            println!("共 {} 条审计记录，以上为最新 {} 条", page.total, page.rows.len());
            Ok(ExitCode::SUCCESS)
        }
    }
}
