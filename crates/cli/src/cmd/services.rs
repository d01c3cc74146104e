//! `jiujin services follow-up|gaps|households`: the monthly follow-up work list of the registered
//! unemployed and the 1+1+3+1 gap list of the registered-unemployed 脱贫 persons, for
//! the city or a region (SPEC §6).

use std::process::ExitCode;

use clap::{Args as ClapArgs, Subcommand};
use jiujin_app::Settings;

#[derive(Subcommand)]
pub enum What {
    /// 跟踪服务工作清单：登记失业人员中逾期未联系和即将到期的（逾期最久的在前），及按乡镇统计
    FollowUp(Args),
    /// 脱贫人口“1+1+3+1”服务：尚缺服务的人员（尚缺最多的在前）和各区县完成率
    Gaps(Args),
    /// 零就业家庭：劳动年龄内有在劳动力市场的成员、但无人稳定就业的家庭户
    Households(Args),
}

#[derive(ClapArgs)]
pub struct Args {
    /// 只看该区划（区县6位、乡镇9位或村12位代码）内的人员，默认全市
    #[arg(long)]
    region: Option<String>,
    /// 计算日期，默认今天
    #[arg(long)]
    date: Option<chrono::NaiveDate>,
    /// 列出前几人（0：只输出统计）
    #[arg(long, default_value_t = 20)]
    top: usize,
    #[arg(long)]
    json: bool,
}

pub async fn run(settings: Settings, what: What) -> anyhow::Result<ExitCode> {
    let refdata = jiujin_domain::refdata::RefData::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
    let a = match &what {
        What::FollowUp(a) | What::Gaps(a) | What::Households(a) => a,
    };
    let Some(scope) = super::region_scope(refdata, a.region.as_deref()) else {
        return Ok(ExitCode::from(2));
    };
    let store = super::open_store(&settings).await?;
    let t = std::time::Instant::now();
    match what {
        What::FollowUp(a) => {
            let date = a.date.unwrap_or_else(super::today);
            let mut list = jiujin_app::services::work_list(&store, refdata, scope, date).await?;
            let seconds = t.elapsed().as_secs_f64();
            list.items.truncate(a.top);
            if a.json {
                println!("{}", serde_json::json!({ "list": list, "seconds": seconds }));
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "{date} 登记失业 {} 人：逾期 {} 人，即将到期 {} 人，未到联系期 {} 人（用时 {seconds:.2} 秒）",
                list.registered, list.overdue, list.due_soon, list.up_to_date
            );
            for w in &list.items {
                println!(
                    "{}\t{}\t{}\t{}\t上次联系 {}",
                    w.person,
                    w.name,
                    w.state,
                    w.place,
                    w.last_reached.map_or("无".into(), |d| d.to_string())
                );
            }
        }
        What::Gaps(a) => {
            let mut r = jiujin_app::services::gap_report(&store, refdata, scope).await?;
            let seconds = t.elapsed().as_secs_f64();
            r.gaps.truncate(a.top);
            if a.json {
                println!("{}", serde_json::json!({ "report": r, "seconds": seconds }));
                return Ok(ExitCode::SUCCESS);
            }
            println!("登记失业的脱贫人口 {} 人，“1+1+3+1”已完成 {} 人（用时 {seconds:.2} 秒）", r.persons, r.complete);
            for d in &r.districts {
                let share = d.share.map_or("—".to_string(), |s| format!("{:.1}%", s * 100.0));
                println!("{}\t{} 人\t完成 {}\t{share}", d.name, d.persons, d.complete);
            }
            for g in &r.gaps {
                let owed: Vec<String> = g.gaps.iter().map(|x| format!("{} {}/{}", x.label, x.have, x.need)).collect();
                println!("{}\t{}\t{}\t尚缺：{}", g.person, g.name, g.place, owed.join("、"));
            }
        }
        What::Households(a) => {
            let date = a.date.unwrap_or_else(super::today);
            let mut list = jiujin_app::services::zero_employment_households(&store, refdata, scope, date).await?;
            let seconds = t.elapsed().as_secs_f64();
            let (households, dibao) = (list.len(), list.iter().filter(|h| h.dibao).count());
            let members: usize = list.iter().map(|h| h.members.len()).sum();
            list.truncate(a.top);
            if a.json {
                println!(
                    "{}",
                    serde_json::json!({ "households": households, "dibao": dibao, "members": members, "list": list, "seconds": seconds })
                );
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "{date} 零就业家庭 {households} 户（其中低保 {dibao} 户），成员 {members} 人（用时 {seconds:.2} 秒）"
            );
            for h in &list {
                let names: Vec<String> =
                    h.members.iter().map(|m| format!("{}（{}岁，{}）", m.name, m.age, m.status)).collect();
                println!("{}\t{}\t{}", h.household_no, h.village, names.join("、"));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
