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
    /// 停用账号（其登录和接口令牌随即失效）
    Disable(DisableArgs),
}

#[derive(ClapArgs)]
pub struct DisableArgs {
    #[arg(long)]
    pub username: String,
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
    /// 统一社会信用代码（用人单位账号必填）
    #[arg(long)]
    pub credit_code: Option<String>,
    /// 本人在实名库中的人员编号（劳动者账号必填）
    #[arg(long)]
    pub person: Option<i64>,
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
            let binding = jiujin_store::access::Binding { region, credit_code: a.credit_code, person_id: a.person };
            let account = access::add_account(&store, &a.username, &password, role, binding, &by).await?;
            println!("已创建账号 {}（{}）", account.username, account.role.label());
        }
        What::Passwd(a) => {
            let password = read_password()?;
            if !access::set_password(&store, &a.username, &password, &by).await? {
                bail!("账号“{}”不存在", a.username);
            }
            println!("已重设 {} 的密码", a.username);
        }
        What::Disable(a) => {
            if !jiujin_store::access::disable_user(&store, &a.username, &by).await? {
                bail!("账号“{}”不存在", a.username);
            }
            println!("已停用账号 {}：其登录和接口令牌均已失效", a.username);
        }
    }
    Ok(ExitCode::SUCCESS)
}
