//! `jiujin user add` / `jiujin user passwd`: accounts, with the password read from
//! standard input (never from the command line, where other users could see it).

use std::io::Read;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args as ClapArgs, Subcommand};
use jiujin_app::{access, Settings};
use jiujin_domain::access::Role;
use jiujin_domain::RegionCode;

#[derive(Subcommand)]
pub enum What {
    /// 新建账号
    Add(AddArgs),
    /// 重设密码
    Passwd(PasswdArgs),
}

#[derive(ClapArgs)]
pub struct AddArgs {
    #[arg(long)]
    pub username: String,
    /// 角色：admin、city_staff、district_staff、town_staff、grid_worker、inspector、employer、worker、broker、auditor
    #[arg(long)]
    pub role: String,
    /// 所属区划（区县、乡镇、村级账号必填）
    #[arg(long)]
    pub region: Option<String>,
    /// 从标准输入读取密码（必需）
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

#[derive(ClapArgs)]
pub struct PasswdArgs {
    #[arg(long)]
    pub username: String,
    /// 从标准输入读取新密码（必需）
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).context("读取标准输入")?;
    Ok(s.trim_end_matches(['\r', '\n']).to_string())
}

pub async fn run(settings: Settings, what: What) -> anyhow::Result<ExitCode> {
    let store = super::open_store(&settings).await?;
    let by = settings.command_line_context();
    match what {
        What::Add(a) => {
            let Some(role) = Role::parse(&a.role) else {
                let all: Vec<&str> = Role::ALL.iter().map(|r| r.key()).collect();
                bail!("未知角色“{}”（可选：{}）", a.role, all.join("、"));
            };
            let region = a.region.as_deref().map(RegionCode::parse).transpose()?;
            let password = read_password()?;
            let account = access::add_user(&store, &a.username, &password, role, region, &by).await?;
            println!("已创建账号 {}（{}）", account.username, account.role.label());
        }
        What::Passwd(a) => {
            let password = read_password()?;
            if !access::set_password(&store, &a.username, &password, &by).await? {
                bail!("账号“{}”不存在", a.username);
            }
            println!("已重设 {} 的密码", a.username);
        }
    }
    Ok(ExitCode::SUCCESS)
}
