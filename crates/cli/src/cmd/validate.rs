//! `jiujin validate id -` / `jiujin validate uscc -`: one number per line on standard
//! input, one JSON object per line on standard output.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use clap::{Args as ClapArgs, ValueEnum};
use jiujin_domain::identity::{check_credit_code, check_id_number};

#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    /// 公民身份号码（GB 11643）
    Id,
    /// 统一社会信用代码（GB 32100）
    Uscc,
}

#[derive(ClapArgs)]
pub struct Args {
    pub kind: Kind,
    /// 输入：- 表示标准输入
    #[arg(default_value = "-")]
    pub input: String,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    if a.input != "-" {
        anyhow::bail!("目前只支持从标准输入读取（参数写 -）");
    }
    let today = super::today();
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut all_valid = true;
    for line in stdin.lock().split(b'\n') {
        let bytes = line?;
        let text = String::from_utf8_lossy(&bytes);
        let text = text.trim_end_matches('\r');
        if text.trim().is_empty() {
            continue;
        }
        let report = match a.kind {
            Kind::Id => check_id_number(text, today),
            Kind::Uscc => check_credit_code(text),
        };
        all_valid &= report.valid;
        serde_json::to_writer(&mut out, &report)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(if all_valid { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
