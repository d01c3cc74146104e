//! `jiujin registry check` (re-fold every timeline and compare with the stored
//! state) and `jiujin registry duplicates` (likely duplicates for review).

use std::process::ExitCode;

use clap::Subcommand;
use jiujin_app::Settings;
use jiujin_store::registry::{likely_duplicates, verify_projection};
use jiujin_store::Scope;

#[derive(Subcommand)]
pub enum What {
    /// 核对每个人的当前状态是否等于其事件时间线的结果
    Check,
    /// 列出疑似重复人员（姓名、出生日期、电话相同而证件号码不同）
    Duplicates {
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
}

pub async fn run(settings: Settings, what: What) -> anyhow::Result<ExitCode> {
    let store = super::open_store(&settings).await?;
    match what {
        What::Check => {
            let (checked, bad) = verify_projection(&store, 20).await?;
            if bad.is_empty() {
                println!("已核对 {checked} 人：当前状态与事件时间线一致");
                Ok(ExitCode::SUCCESS)
            } else {
                for m in &bad {
                    println!("人员 #{}：存储 {:?}，按事件应为 {:?}", m.person_id, m.stored, m.folded);
                }
                println!("已核对 {checked} 人：发现不一致（至多列出20人）");
                Ok(ExitCode::from(1))
            }
        }
        What::Duplicates { limit } => {
            let keys = super::keys(&settings, &store, false).await?;
            let pairs = likely_duplicates(&store, Scope::City, limit).await?;
            for p in &pairs {
                let mask = |c: &[u8]| {
                    keys.decrypt_id(c)
                        .ok()
                        .and_then(|s| jiujin_domain::identity::IdNumber::parse(&s, super::today()).ok())
                        .map(|i| i.masked())
                        .unwrap_or_else(|| "（无法解密）".into())
                };
                println!(
                    "#{} {} {} {}  ⇄  #{} {}",
                    p.a.id,
                    p.a.state.name,
                    p.a.state.birth_date,
                    mask(&p.a.id_cipher),
                    p.b.id,
                    mask(&p.b.id_cipher)
                );
            }
            println!("共 {} 对疑似重复，待人工核实（系统不会自动合并）", pairs.len());
            Ok(ExitCode::SUCCESS)
        }
    }
}
