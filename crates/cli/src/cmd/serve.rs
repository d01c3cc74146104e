//! `jiujin serve`: the web app over the configured database.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Args as ClapArgs;
use jiujin_app::Settings;

#[derive(ClapArgs)]
pub struct Args {
    /// 监听地址（默认 127.0.0.1:8080，或 JIUJIN_LISTEN）
    #[arg(long)]
    pub listen: Option<SocketAddr>,
}

pub async fn run(settings: Settings, a: Args) -> anyhow::Result<ExitCode> {
    let store = super::open_store(&settings).await?;
    let keys = super::keys(&settings, &store, false).await?;
    let addr = a.listen.unwrap_or(settings.listen);
    if jiujin_store::access::user_count(&store).await? == 0 {
        eprintln!("提示：尚无任何账号，无法登录。请先运行 jiujin user add --username 用户名 --role city_staff --password-stdin");
    }
    super::sync_policies(&store).await;
    // The 紧缺职业目录 is refreshed monthly: each server checks every six hours and one
    // of them (under a lease) runs the month's catalog when it is missing.
    {
        let (store, by) = (store.clone(), settings.command_line_context());
        tokio::spawn(async move {
            loop {
                match jiujin_app::training::monthly_shortage(&store, super::today(), &by).await {
                    Ok(Some(n)) => println!("紧缺职业目录：本月已生成，{n} 个职业（工种）"),
                    Ok(None) => {}
                    Err(e) => eprintln!("警告：紧缺职业目录生成失败：{e}"),
                }
                tokio::time::sleep(std::time::Duration::from_secs(6 * 3600)).await;
            }
        });
    }
    let mut state = jiujin_web::AppState::new(store, keys)?;
    state.trusted_proxies = std::sync::Arc::new(settings.trusted_proxies.clone());
    state.broker_min_insured_months = settings.broker_min_insured_months;
    println!("jiujin 已启动：http://{addr}/   （Ctrl-C 停止）");
    jiujin_web::serve(state, addr).await?;
    Ok(ExitCode::SUCCESS)
}
