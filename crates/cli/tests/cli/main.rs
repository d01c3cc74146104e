//! The `jiujin` binary end to end: validation of number lists, import exit codes and
//! summaries, and an import killed half-way then completed by a re-run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn jiujin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jiujin"))
}

fn run_with_stdin(args: &[&str], input: &str) -> (i32, String, String) {
    let mut child =
        jiujin().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn validate_id_prints_one_json_object_per_line_with_birth_date_and_sex() {
    let input = "11010519491231002x\n110105491231002\n110105194912310021\n  \n50010119900230123X\n";
    let (code, out, _) = run_with_stdin(&["validate", "id", "-"], input);
    let v = lines(&out);
    assert_eq!(v.len(), 4, "blank lines are skipped: {out}");
    assert_eq!(v[0]["valid"], true);
    assert_eq!(v[0]["input"], "11010519491231002x");
    assert_eq!(v[0]["normalized"], "11010519491231002X");
    assert_eq!(v[0]["birth_date"], "1949-12-31");
    assert_eq!(v[0]["sex"], "女");
    assert!(v[0]["error"].is_null());
    assert_eq!(v[1]["valid"], true, "15-digit legacy number");
    assert_eq!(v[1]["normalized"], "11010519491231002X");
    assert_eq!(v[2]["valid"], false);
    assert!(v[2]["error"].as_str().unwrap().contains("校验码"), "{}", v[2]["error"]);
    assert!(v[2]["birth_date"].is_null() && v[2]["sex"].is_null() && v[2]["normalized"].is_null());
    assert_eq!(v[3]["valid"], false);
    assert!(v[3]["error"].as_str().unwrap().contains("19900230"));
    assert_eq!(code, 1, "some numbers are invalid");
}

#[test]
fn validate_uscc_checks_the_character_and_warns_on_the_organisation_code() {
    let (code, out, _) =
        run_with_stdin(&["validate", "uscc", "-"], "914403001922038216\n91350100M000100Y43\n914403001922038217\n");
    let v = lines(&out);
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["valid"], true);
    assert!(v[0]["birth_date"].is_null() && v[0]["sex"].is_null());
    assert_eq!(v[1]["valid"], true);
    assert_eq!(v[2]["valid"], false);
    assert!(v[2]["error"].as_str().unwrap().contains("校验"), "{}", v[2]["error"]);
    assert_eq!(code, 1);
    let (code, _, _) = run_with_stdin(&["validate", "uscc", "-"], "914403001922038216\n");
    assert_eq!(code, 0);
}

fn db_args(dir: &Path) -> Vec<String> {
    vec![
        "--db".into(),
        format!("sqlite://{}", dir.join("t.db").display()),
        "--key-file".into(),
        dir.join("t.key").display().to_string(),
    ]
}

fn init_db(dir: &Path) {
    // `demo --no-serve --workers 0`-like set-up: migrate and create the key.
    let st = jiujin().args(db_args(dir)).args(["demo", "--no-serve", "--workers", "0"]).output().unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
}

#[test]
fn an_unreadable_file_is_refused_with_exit_code_2_and_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    init_db(dir.path());
    let bad = dir.path().join("x.csv");
    std::fs::write(&bad, "姓名,电话\n张三,1\n").unwrap();
    let out = jiujin().args(db_args(dir.path())).args(["import", "workers"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("缺少必填列"), "{err}");
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = jiujin_store::rusqlite::Connection::open(db).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap_or(0)
}

#[test]
fn an_import_killed_half_way_leaves_whole_batches_and_a_rerun_completes_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_db(d);
    let db = d.join("t.db");
    let base = count(&db, "SELECT COUNT(*) FROM persons");
    let gen = jiujin().args(["gen", "--workers", "60000", "--seed", "3", "--out"]).arg(d.join("g")).output().unwrap();
    assert!(gen.status.success());
    let file = d.join("g/workers.csv");

    let mut child = jiujin()
        .args(db_args(d))
        .args(["import", "workers"])
        .arg(&file)
        .args(["--batch", "1000", "--json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until some batches are committed, then kill the process outright.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let n = count(&db, "SELECT COUNT(*) FROM persons") - base;
        if n >= 3000 {
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "the import finished before it could be killed");
        assert!(Instant::now() < deadline, "no batch committed in time");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let partial = count(&db, "SELECT COUNT(*) FROM persons") - base;
    assert!(partial > 0 && partial < 60_000, "{partial}");
    assert_eq!(partial % 1000, 0, "whole batches only: {partial}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM person_events"), partial + base, "one event per committed person");

    let out = jiujin().args(db_args(d)).args(["import", "workers"]).arg(&file).arg("--json").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["unchanged"], partial, "{summary}");
    assert_eq!(summary["inserted"].as_i64().unwrap() + partial, 60_000, "{summary}");
    assert_eq!(summary["rejected"], 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM persons"), base + 60_000);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM person_events"), base + 60_000);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'persons_id_hmac'"),
        1,
        "the unique index is there"
    );
    let check = jiujin().args(db_args(d)).args(["registry", "check"]).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    // The re-run found the killed run's process gone and closed it.
    let runs = |status: &str| count(&db, &format!("SELECT COUNT(*) FROM import_runs WHERE status = '{status}'"));
    assert_eq!((runs("running"), runs("interrupted")), (0, 1), "the killed run is recorded as interrupted");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM batch_locks"), 0, "no lease is left behind");
    // One audit entry per run: the killed one's written by 系统 when it was closed.
    let entries =
        |who: &str| count(&db, &format!("SELECT COUNT(*) FROM audit_log WHERE action = 'import.run' AND actor {who}"));
    assert_eq!((entries("= '系统'"), entries("LIKE '命令行:%'")), (1, 1));
    let verify = jiujin().args(db_args(d)).args(["audit", "verify"]).output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
}

#[test]
fn a_backup_taken_online_restores_to_an_equal_database() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let st = jiujin().args(db_args(d)).args(["demo", "--no-serve", "--workers", "500"]).output().unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    let backup = d.join("backup.db");
    let out = jiujin().args(db_args(d)).args(["backup", "--out"]).arg(&backup).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // A second backup to the same file is refused rather than overwritten.
    let again = jiujin().args(db_args(d)).args(["backup", "--out"]).arg(&backup).output().unwrap();
    assert!(!again.status.success());

    let restored_dir = d.join("restored");
    std::fs::create_dir_all(&restored_dir).unwrap();
    std::fs::copy(d.join("t.key"), restored_dir.join("t.key")).unwrap();
    let out = jiujin().args(db_args(&restored_dir)).args(["restore", "--from"]).arg(&backup).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for sql in ["SELECT COUNT(*) FROM persons", "SELECT COUNT(*) FROM person_events", "SELECT COUNT(*) FROM regions"] {
        assert_eq!(count(&d.join("t.db"), sql), count(&restored_dir.join("t.db"), sql), "{sql}");
    }
    let check = jiujin().args(db_args(&restored_dir)).args(["registry", "check"]).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    // Restoring over an existing database needs --force.
    let out = jiujin().args(db_args(&restored_dir)).args(["restore", "--from"]).arg(&backup).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    // A file that is not a jiujin backup is refused.
    let junk = d.join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    let out = jiujin().args(db_args(&d.join("x"))).args(["restore", "--from"]).arg(&junk).output().unwrap();
    assert!(!out.status.success());
}

#[test]
fn audit_verify_passes_on_a_clean_log_and_names_the_entry_changed_behind_its_back() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let st =
        jiujin().args(db_args(d)).args(["demo", "--no-serve", "--workers", "0"]).env("USER", "ops").output().unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    let user = |args: &[&str]| {
        let mut child = jiujin()
            .args(db_args(d))
            .args(args)
            .env("USER", "ops")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"a long enough password\n").unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    user(&["user", "add", "--username", "clerk", "--role", "city_staff", "--password-stdin"]);
    user(&["user", "passwd", "--username", "clerk", "--password-stdin"]);
    let verify = || jiujin().args(db_args(d)).args(["audit", "verify"]).output().unwrap();
    let out = verify();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("审计日志完整：共 3 条，链头 "), "{stdout}");
    let list = jiujin().args(db_args(d)).args(["audit", "list"]).output().unwrap();
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains("命令行:ops 新建账号") && listed.contains("命令行:ops 重设密码"), "{listed}");

    let conn = jiujin_store::rusqlite::Connection::open(d.join("t.db")).unwrap();
    conn.execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2", []).unwrap();
    drop(conn);
    let out = verify();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("审计日志被篡改：第 2 条内容被改动"), "{stdout}");
}

#[test]
fn tokens_are_created_once_listed_without_the_secret_and_revoked_and_bindings_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_db(d);
    let add = |args: &[&str]| {
        run_with_stdin(
            &[db_args(d).iter().map(String::as_str).collect(), args.to_vec()].concat(),
            "a long enough password\n",
        )
    };
    let (code, _, err) = add(&["user", "add", "--username", "firm", "--role", "employer", "--password-stdin"]);
    assert_ne!(code, 0);
    assert!(err.contains("统一社会信用代码"), "{err}");
    let (code, _, err) =
        add(&["user", "add", "--username", "myself", "--role", "worker", "--person", "42", "--password-stdin"]);
    assert_ne!(code, 0);
    assert!(err.contains("没有编号为 42 的人员"), "{err}");
    let (code, out, err) = add(&["user", "add", "--username", "clerk", "--role", "city_staff", "--password-stdin"]);
    assert_eq!(code, 0, "{out}{err}");

    let cmd = |args: &[&str]| jiujin().args(db_args(d)).args(args).output().unwrap();
    let created = cmd(&["token", "create", "--username", "clerk", "--label", "对接系统"]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let token = String::from_utf8_lossy(&created.stdout).trim().to_string();
    assert!(token.starts_with("jj_") && token.len() == 67, "{token}");
    let listed = cmd(&["token", "list"]);
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(text.contains("clerk") && text.contains("对接系统") && !text.contains(&token[3..]), "{text}");
    let stored =
        count(&d.join("t.db"), &format!("SELECT count(*) FROM api_tokens WHERE token_hash LIKE '%{}%'", &token[3..]));
    assert_eq!(stored, 0, "the token itself is never stored");
    assert!(cmd(&["token", "revoke", "--id", "1"]).status.success());
    let again = cmd(&["token", "revoke", "--id", "1"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("没有编号为 1 的有效接口令牌"));
    let unknown = cmd(&["token", "create", "--username", "nobody"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("账号“nobody”不存在"));
}

// ---- jiujin policy -------------------------------------------------------------------

fn policies_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/policies")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = jiujin().args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn policy_list_json_has_the_twelve_stable_ids_and_the_enterprise_measures() {
    let (code, out, err) = run(&["policy", "list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = v.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    for id in ["returnee-startup-subsidy", "hiring-subsidy-2020", "poor-startup-loan", "ent-industry-brain"] {
        assert!(ids.contains(&id), "{id} missing");
    }
    let hiring = v.as_array().unwrap().iter().find(|p| p["id"] == "hiring-subsidy-2020").unwrap();
    assert_eq!(hiring["effective_to"], "2020-12-31");
    assert_eq!(hiring["has_rules"], true);
    let (code, out, _) = run(&["policy", "show", "startup-guaranteed-loan"]);
    assert_eq!(code, 0);
    assert!(out.contains("individual_cap = 300000元，2025-03-27起"), "{out}");
}

#[test]
fn policy_eval_gives_status_amount_and_a_reason_per_condition() {
    let dir = tempfile::tempdir().unwrap();
    let facts = dir.path().join("p.json");
    std::fs::write(
        &facts,
        r#"{"entity": "person", "label": "张三", "facts": {"returnee": true, "first_business": true,
            "business_operating": true, "business_start_date": "2024-06-01"}}"#,
    )
    .unwrap();
    let f = facts.to_str().unwrap();
    let eval = |date: &str| {
        let (code, out, err) = run(&["policy", "eval", "--facts", f, "--date", date, "--json"]);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["results"].as_array().unwrap().iter().find(|r| r["policy"] == "returnee-startup-subsidy").unwrap().clone()
    };
    let on = eval("2025-06-01");
    assert_eq!(on["status"], "eligible");
    assert_eq!(on["amount_fen"], 800_000);
    let before = eval("2025-05-31");
    assert_eq!(before["status"], "not_eligible");
    assert!(before["amount_fen"].is_null());
    let failed: Vec<_> = before["conditions"].as_array().unwrap().iter().filter(|c| c["outcome"] == "failed").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["id"], "operated_one_year");
    assert!(failed[0]["explain"].as_str().unwrap().contains("满1年"));
    assert!(failed[0]["cite"]["document"].as_str().unwrap().contains("其他〔2020〕4号"));
    // Plain text names the status in Chinese.
    let (code, out, _) =
        run(&["policy", "eval", "--facts", f, "--date", "2025-06-01", "--policy", "returnee-startup-subsidy"]);
    assert_eq!(code, 0);
    assert!(out.contains("【符合】返乡创业一次性创业补贴") && out.contains("8000元"), "{out}");
}

#[test]
fn policy_eval_refuses_bad_input_with_a_chinese_message_naming_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let good = write("good.json", r#"{"entity": "person", "facts": {"returnee": true}}"#);
    let wrong_type = write("t.json", r#"{"entity": "person", "facts": {"birth_date": 19700101}}"#);
    let unknown = write("u.json", r#"{"entity": "person", "facts": {"age": 50}}"#);
    let broken = write("b.json", "{\"entity\": \"person\",\n \"facts\": {");
    let cases: [(Vec<&str>, &str); 6] = [
        (
            vec!["--facts", &good, "--date", "2025-06-01", "--policy", "no-such-policy"],
            "没有编号为“no-such-policy”的政策",
        ),
        (vec!["--facts", &good, "--date", "2025-13-01"], "--date：日期“2025-13-01”无效"),
        (vec!["--facts", &wrong_type, "--date", "2025-06-01"], "facts.birth_date"),
        (vec!["--facts", &unknown, "--date", "2025-06-01"], "未知的事实名称“age”"),
        (vec!["--facts", &broken, "--date", "2025-06-01"], "不是有效的 JSON（第2行"),
        (vec!["--facts", &good, "--date", "2025-06-01", "--policy", "hiring-subsidy-2020"], "对象是用人单位"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["policy", "eval"];
        all.extend(args.iter());
        let (code, out, err) = run(&all);
        assert_ne!(code, 0, "{all:?} should fail: {out}");
        assert!(err.contains(expected), "{all:?}: {err}");
    }
}

#[test]
fn policy_test_passes_on_the_shipped_cases_and_fails_on_a_broken_rule() {
    let shipped = policies_dir();
    let (code, out, err) = run(&["policy", "test", shipped.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("失败 0 例"), "{out}");
    assert!(out.contains("✓ 通过  hiring-subsidy-2020"), "{out}");

    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&shipped).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    // A policy officer mistypes a threshold: the boundary cases catch it.
    let file = dir.path().join("returnee-startup-subsidy.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("value = \"1年\"", "value = \"13个月\"")).unwrap();
    let (code, out, _) = run(&["policy", "test", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("✗ 失败  returnee-startup-subsidy  开业满1年当天"), "{out}");

    // A malformed file: file, line and reason, nothing run.
    std::fs::write(&file, text.replace("test = \"returnee\"", "test = \"returnee >= 1\"")).unwrap();
    let (code, out, err) = run(&["policy", "test", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("returnee-startup-subsidy.toml:") && err.contains("不能比较大小是/否和数值"), "{err}");
}

/// `policy eval --person` reads a registered person's facts from the database (what
/// the registry does not hold stays unknown), audits the read, and refuses a number
/// that is invalid or not registered.
#[test]
fn policy_eval_of_a_registered_person_reads_the_registry_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_db(d);
    let gen = jiujin().args(["gen", "--workers", "40", "--seed", "7", "--out"]).arg(d.join("g")).output().unwrap();
    assert!(gen.status.success());
    let file = d.join("g/workers.csv");
    let imp = jiujin().args(db_args(d)).args(["import", "workers"]).arg(&file).output().unwrap();
    assert!(imp.status.success(), "{}", String::from_utf8_lossy(&imp.stderr));
    // A returnee from the generated file, and one who is not.
    let text = std::fs::read_to_string(&file).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split(',').collect()).collect();
    let returnee = rows.iter().find(|r| r[12].contains("返乡人员")).map(|r| r[1]);
    let other = rows.iter().find(|r| !r[12].contains("返乡人员")).map(|r| r[1]).unwrap();
    let db = d.join("t.db");
    let reads_before = count(&db, "SELECT COUNT(*) FROM audit_log WHERE action = 'person.read'");

    let eval = |id: &str| {
        let mut args = db_args(d);
        args.extend(["policy", "eval", "--person", id, "--date", "2025-06-01", "--json"].map(String::from));
        let out = jiujin().args(&args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = eval(other);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["person_id"].as_i64().is_some(), "{v}");
    assert_eq!(v["entity"], "person");
    assert!(v["label"].as_str().unwrap().contains("********"), "the label is the masked number: {v}");
    assert!(!out.contains(other), "the full number is not printed");
    let results = v["results"].as_array().unwrap();
    let returnee_subsidy = results.iter().find(|r| r["policy"] == "returnee-startup-subsidy").unwrap();
    assert_eq!(returnee_subsidy["status"], "not_eligible", "{returnee_subsidy}");
    if let Some(id) = returnee {
        let (code, out, _) = eval(id);
        assert_eq!(code, 0);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let r = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["policy"] == "returnee-startup-subsidy")
            .unwrap()
            .clone();
        assert_eq!(r["status"], "undetermined", "a returnee's business is not in the registry: {r}");
    }
    let reads = count(&db, "SELECT COUNT(*) FROM audit_log WHERE action = 'person.read'") - reads_before;
    assert_eq!(reads, 1 + i64::from(returnee.is_some()), "each evaluation is one audited read");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%policy.eval%'"), reads);

    let (code, _, err) = eval("110101199003077774");
    assert_ne!(code, 0);
    assert!(err.contains("登记库中没有此公民身份号码的人员"), "{err}");
    let (code, _, err) = eval("50010119900101123");
    assert_ne!(code, 0);
    assert!(err.contains("公民身份号码无效"), "{err}");
}

/// `policy run` proposes each entitlement once: a second run over the same region
/// proposes nothing new, and the database holds one payout per household and year.
/// The generated city's recorded facts import, and a run of every policy pays the
/// flexible workers' insurance subsidy from them; a bad facts file is refused whole.
#[test]
fn facts_from_other_systems_import_and_a_run_of_all_policies_pays_from_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_db(d);
    let gen = jiujin()
        .args(["gen", "--workers", "3000", "--seed", "5", "--as-of", "2025-06-30", "--out"])
        .arg(d.join("g"))
        .output()
        .unwrap();
    assert!(gen.status.success());
    let imp = jiujin().args(db_args(d)).args(["import", "workers"]).arg(d.join("g/workers.csv")).output().unwrap();
    assert!(imp.status.success(), "{}", String::from_utf8_lossy(&imp.stderr));
    let bad = d.join("bad.csv");
    std::fs::write(
        &bad,
        "公民身份号码,事实,取值,起始日期,来源\n110101199001011234,低保家庭人员,true,2025-01-01,民政\n",
    )
    .unwrap();
    let out = jiujin().args(db_args(d)).args(["import", "facts"]).arg(&bad).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("第2行") && err.contains("由登记库提供"), "{err}");
    let out =
        jiujin().args(db_args(d)).args(["import", "facts", "--json"]).arg(d.join("g/facts.csv")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let imported: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(imported["rows"].as_u64().unwrap() > 100, "{imported}");
    let mut args = db_args(d);
    args.extend(
        ["policy", "run", "--policy", "all", "--region", "500000", "--date", "2025-06-30", "--json"].map(String::from),
    );
    let out = jiujin().args(&args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let batch: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = batch["runs"].as_array().unwrap();
    let flexible = runs.iter().find(|r| r["policy"] == "flexible-insurance-subsidy").unwrap();
    assert!(flexible["counts"]["proposed"].as_u64().unwrap() > 0, "{batch}");
    let db = d.join("t.db");
    let proposed: u64 = runs.iter().map(|r| r["counts"]["proposed"].as_u64().unwrap()).sum();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM payouts") as u64, proposed);
}

#[test]
fn policy_run_proposes_once_and_a_second_run_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_db(d);
    let gen = jiujin().args(["gen", "--workers", "3000", "--seed", "5", "--out"]).arg(d.join("g")).output().unwrap();
    assert!(gen.status.success());
    let imp = jiujin().args(db_args(d)).args(["import", "workers"]).arg(d.join("g/workers.csv")).output().unwrap();
    assert!(imp.status.success(), "{}", String::from_utf8_lossy(&imp.stderr));
    let policies = d.join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::write(
        policies.join("test-dibao-allowance.toml"),
        include_str!("../../../../tests/fixtures/test-dibao-allowance.toml"),
    )
    .unwrap();
    let run = || {
        let mut args = db_args(d);
        args.extend(
            ["policy", "run", "--policy", "test-dibao-allowance", "--region", "500000", "--date", "2025-06-01"]
                .map(String::from),
        );
        args.extend(["--batch", "700", "--json", "--dir"].map(String::from));
        args.push(policies.display().to_string());
        let out = jiujin().args(&args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let first = run();
    assert_eq!(first["persons"], 3000, "{first}");
    let c = &first["runs"][0]["counts"];
    assert_eq!(c["evaluated"], 3000, "{first}");
    let proposed = c["proposed"].as_i64().unwrap();
    assert!(proposed > 0, "the generated city has 低保 households: {first}");
    let db = d.join("t.db");
    let households = count(
        &db,
        "SELECT COUNT(DISTINCT hukou_region || '/' || COALESCE(household_no, 'p' || id)) FROM persons WHERE (flags & 2) != 0",
    );
    assert_eq!(proposed, households, "one per household");
    let second = run();
    assert_eq!(second["runs"][0]["counts"]["proposed"], 0, "{second}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM payouts"), proposed);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM policy_runs WHERE status = 'done'"), 2);

    // What-if: 800 yuan instead of 500 raises every beneficiary; the list is written.
    let csv = d.join("changes.csv");
    let mut args = db_args(d);
    args.extend(["policy", "what-if", "--policy", "test-dibao-allowance", "--region", "500000"].map(String::from));
    args.extend(["--date", "2025-06-01", "--set", "amount=800元", "--json", "--out"].map(String::from));
    args.push(csv.display().to_string());
    args.extend(["--dir".to_string(), policies.display().to_string()]);
    let out = jiujin().args(&args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let w: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(w["beneficiaries_before"], proposed, "{w}");
    assert_eq!(w["budget_after_fen"], proposed * 80_000, "{w}");
    assert_eq!(w["gainers"].as_array().unwrap().len() as i64, proposed);
    let lines = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(lines.lines().count() as i64, proposed + 1, "a header and one line per gainer");
    assert!(lines.lines().nth(1).unwrap().starts_with("增加,家庭户,"), "{lines}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM payouts"), proposed, "a what-if writes no payout");
    // A malformed draft is refused.
    let mut bad = db_args(d);
    bad.extend(["policy", "what-if", "--policy", "test-dibao-allowance", "--region", "500000"].map(String::from));
    bad.extend(["--date", "2025-06-01", "--set", "amount", "--dir"].map(String::from));
    bad.push(policies.display().to_string());
    let out = jiujin().args(&bad).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("参数名=取值"));
    // A region that is not a code is refused before anything is read.
    let mut bad = db_args(d);
    bad.extend(
        ["policy", "run", "--policy", "test-dibao-allowance", "--region", "99", "--date", "2025-06-01"]
            .map(String::from),
    );
    bad.extend(["--dir".to_string(), policies.display().to_string()]);
    let out = jiujin().args(&bad).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("区划代码 99"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM policy_runs"), 2, "no run recorded");

    // The bank's file: nothing approved yet, so a header only; a wrong extension is refused.
    let bank = d.join("bank.csv");
    let mut args = db_args(d);
    args.extend(["policy", "bank-file", "--out"].map(String::from));
    args.push(bank.display().to_string());
    let out = jiujin().args(&args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 笔"));
    assert_eq!(std::fs::read_to_string(&bank).unwrap().lines().count(), 1);
    let mut args = db_args(d);
    args.extend(["policy", "bank-file", "--out"].map(String::from));
    args.push(d.join("bank.txt").display().to_string());
    let out = jiujin().args(&args).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(".csv 或 .xlsx"));
}

#[test]
fn a_generated_board_imports_matches_a_worker_and_pushes_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_db(d);
    let gen = jiujin()
        .args([
            "gen",
            "--workers",
            "3000",
            "--employers",
            "400",
            "--jobs",
            "300",
            "--seed",
            "5",
            "--as-of",
            "2026-11-30",
        ])
        .arg("--out")
        .arg(d.join("g"))
        .output()
        .unwrap();
    assert!(gen.status.success(), "{}", String::from_utf8_lossy(&gen.stderr));
    for (what, file) in [("workers", "workers.csv"), ("employers", "employers.csv"), ("jobs", "jobs.csv")] {
        let out = jiujin()
            .args(db_args(d))
            .args(["import", what, "--as-of", "2026-11-30"])
            .arg(d.join("g").join(file))
            .output()
            .unwrap();
        assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("拒绝 0"), "{what}: every generated row is accepted: {text}");
    }
    // An unknown worker: a clear message, exit ≠ 0.
    let out = jiujin()
        .args(db_args(d))
        .args(["match", "worker", "--id", "110101199001011237", "--date", "2026-11-30"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("未登记"));
    // A job seeker of working age: ten postings, each explained.
    let workers = std::fs::read_to_string(d.join("g/workers.csv")).unwrap();
    let id = workers
        .lines()
        .find(|l| l.contains(",失业,") && l.split(',').nth(1).is_some_and(|i| i[6..8] == *"19" && i[8..10] >= *"80"))
        .and_then(|l| l.split(',').nth(1))
        .unwrap()
        .to_string();
    let out = jiujin()
        .args(db_args(d))
        .args(["match", "worker", "--id", &id, "--date", "2026-11-30", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let jobs = m["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 10, "{m}");
    for j in jobs {
        let sum: i64 = j["factors"].as_array().unwrap().iter().map(|f| f["points"].as_i64().unwrap()).sum();
        assert_eq!(sum, j["score"].as_i64().unwrap(), "{j}");
    }
    // A posting's workers, then a closed one refused.
    let job = jobs[0]["job"].as_i64().unwrap().to_string();
    let out = jiujin()
        .args(db_args(d))
        .args(["match", "job", "--job", &job, "--date", "2026-11-30", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let db = d.join("t.db");
    assert_eq!(count(&db, &format!("SELECT COUNT(*) FROM jobs WHERE id = {job}")), 1);
    let out =
        jiujin().args(db_args(d)).args(["match", "job", "--job", "999999", "--date", "2026-11-30"]).output().unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("未找到该岗位"));
    // The push: once per worker and job; the same day again adds nothing.
    let push = |date: &str| {
        let out = jiujin().args(db_args(d)).args(["push", "run", "--date", date, "--json"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let first = push("2026-11-30");
    let pushed = first["run"]["pushed"].as_u64().unwrap();
    assert!(pushed > 0, "{first}");
    assert_eq!(first["delivered"]["sent"].as_u64().unwrap(), pushed, "{first}");
    assert_eq!(push("2026-11-30")["run"]["pushed"], 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM job_pushes") as u64, pushed);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM (SELECT person_id, COUNT(*) AS n FROM job_pushes GROUP BY person_id HAVING n > 3)"
        ),
        0
    );
    // The match-quality report: every push counted once, by district; a bad region is refused.
    let out = jiujin().args(db_args(d)).args(["push", "quality", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let q: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(q["total"]["pushes"].as_u64(), Some(pushed), "{q}");
    let by_district: u64 = q["districts"].as_array().unwrap().iter().map(|r| r["pushes"].as_u64().unwrap()).sum();
    assert_eq!(by_district, pushed, "{q}");
    let out = jiujin().args(db_args(d)).args(["push", "quality", "--region", "440300"]).output().unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("不是重庆市的区划代码"));
    // 政策直达 from the register: a generated employer's employer policies, with reasons.
    let employers = std::fs::read_to_string(d.join("g/employers.csv")).unwrap();
    let code = employers.lines().nth(1).and_then(|l| l.split(',').next()).unwrap().trim_start_matches('\u{feff}');
    let out = jiujin()
        .args(db_args(d))
        .args(["policy", "eval", "--employer", code, "--date", "2026-11-30", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let e: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["entity"], "employer", "{e}");
    assert!(e["employer_id"].as_i64().is_some() && !e["results"].as_array().unwrap().is_empty(), "{e}");
    let out = jiujin()
        .args(db_args(d))
        .args(["policy", "eval", "--employer", "91500116MA5U7J3Q0X", "--date", "2026-11-30"])
        .output()
        .unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("统一社会信用代码无效"));
    // Services: the follow-up work list and the 1+1+3+1 list of the generated city.
    let out = jiujin()
        .args(db_args(d))
        .args(["services", "follow-up", "--date", "2026-11-30", "--top", "3", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let f: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let registered = f["list"]["registered"].as_u64().unwrap();
    let parts = ["overdue", "due_soon", "up_to_date"].map(|k| f["list"][k].as_u64().unwrap());
    assert!(registered > 0 && parts.iter().sum::<u64>() == registered, "{f}");
    assert!(f["list"]["items"].as_array().unwrap().len() <= 3, "{f}");
    let out = jiujin().args(db_args(d)).args(["services", "gaps", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let g: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_district: u64 =
        g["report"]["districts"].as_array().unwrap().iter().map(|x| x["persons"].as_u64().unwrap()).sum();
    assert_eq!(Some(by_district), g["report"]["persons"].as_u64(), "{g}");
    let out = jiujin().args(db_args(d)).args(["services", "gaps", "--region", "440300"]).output().unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("不是重庆市的区划代码"));
}
