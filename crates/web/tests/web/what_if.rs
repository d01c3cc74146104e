//! 政策测算 (what-if) from a policy's page, and the decision on every proposed payout
//! of the review page's filter, over the test policy the registry alone decides
//! (500 yuan a year per 低保 household in 2025).

use std::sync::LazyLock;

use jiujin_domain::policy::Library;

use super::forms::{csrf, post_form, propose_payouts};
use super::*;

const POLICY: &str = include_str!("../../../../tests/fixtures/test-dibao-allowance.toml");

/// The embedded library with the test policy added.
static LIBRARY: LazyLock<Library> = LazyLock::new(|| {
    let mut files: Vec<(&str, &str)> = jiujin_domain::policy::FILES.to_vec();
    files.push(("test-dibao-allowance.toml", POLICY));
    Library::load(&files).unwrap()
});

const WHAT_IF: &str = "/policies/test-dibao-allowance/what-if";

/// A server whose three persons (万一 and 万二 in 万州, 开三 in 开州) are all 低保,
/// each a household of their own.
async fn spawn_dibao(db: TestDb) -> App {
    let app = spawn_app_with(db, &LIBRARY).await;
    for name in ["万一", "万二", "开三"] {
        super::add_flag(&app, name, jiujin_domain::registry::GroupFlag::Dibao).await;
    }
    app
}

async fn each_dibao(f: impl AsyncFn(App)) {
    for db in TestDb::all().await {
        f(spawn_dibao(db).await).await;
    }
}

/// The what-if's address for `value` of `amount` over `region` on 2025-06-01.
fn asked(value: &str, region: &str) -> String {
    let q = serde_urlencoded::to_string([
        ("param", "amount"),
        ("value", value),
        ("region", region),
        ("date", "2025-06-01"),
    ])
    .unwrap();
    format!("{WHAT_IF}?{q}")
}

/// The summary table's row: label, before, after, difference.
fn summary_row(label: &str, before: &str, after: &str, diff: &str) -> String {
    format!("<tr><td>{label}</td><td>{before}</td><td>{after}</td><td>{diff}</td></tr>")
}

/// The rows of the sheet `name` of an Excel file.
fn sheet_rows(bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

async fn payout_count(app: &App) -> u64 {
    let all = Default::default();
    jiujin_store::policy::payouts(&app.store, jiujin_store::Scope::City, &all, 0, 1).await.unwrap().1
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_see_the_beneficiaries_and_budget_a_draft_value_would_give_in_their_region() {
    each_dibao(async |app| {
        let l = app.label();
        let wz = login(&app, "wanzhou", PASSWORD).await.unwrap();
        // The policy's page leads to the what-if; its form opens on the caller's district.
        let page = get(&app, &wz, "/policies/test-dibao-allowance").await.text().await.unwrap();
        assert!(page.contains(&format!("href=\"{WHAT_IF}\"")), "{l}: {page}");
        let form = get(&app, &wz, WHAT_IF).await;
        assert_eq!(form.status(), StatusCode::OK, "{l}");
        let form = form.text().await.unwrap();
        assert!(form.contains("name=\"region\" value=\"500101\"") && form.contains("万州区"), "{l}: {form}");
        assert!(form.contains("amount（评估日取值："), "{l}: the value in force is shown");
        assert!(entries(&app, AuditAction::PersonSearch).await.is_empty(), "{l}: the form alone reads nobody");

        // 500 → 800 yuan over 万州: the same two households, each 300 yuan more.
        let res = get(&app, &wz, &asked("800元", "500101")).await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        let page = res.text().await.unwrap();
        assert!(page.contains(&summary_row("受益对象", "2", "2", "0")), "{l}: {page}");
        assert!(page.contains(&summary_row("预算", "¥1,000.00", "¥1,600.00", "+¥600.00")), "{l}: {page}");
        let gainers = page.split("id=\"gainers\"").nth(1).unwrap().split("id=\"losers\"").next().unwrap();
        let (wan_yi, wan_er) = (person_id(&app, "万一").await, person_id(&app, "万二").await);
        assert!(gainers.contains(&format!("href=\"/registry/{wan_yi}\">万一</a>")), "{l}: {gainers}");
        assert!(gainers.contains(&format!("href=\"/registry/{wan_er}\">万二</a>")), "{l}: {gainers}");
        assert!(gainers.contains("500101********") && !gainers.contains("开三"), "{l}: masked, in scope");
        assert!(page.contains("共 2 个") && page.contains("共 0 个"), "{l}: the totals");
        let searches = entries(&app, AuditAction::PersonSearch).await;
        assert_eq!(searches.len(), 1, "{l}");
        assert_eq!(searches[0].detail["via"], "policy.what_if", "{l}");
        assert_eq!(searches[0].actor, "wanzhou", "{l}");

        // Cut to nothing: both lose it.
        let page = get(&app, &wz, &asked("0元", "500101")).await.text().await.unwrap();
        assert!(page.contains(&summary_row("受益对象", "2", "0", "-2")), "{l}: {page}");
        let losers = page.split("id=\"losers\"").nth(1).unwrap();
        assert!(losers.contains("万一") && losers.contains("万二"), "{l}: {losers}");

        // City staff over the whole city count 开三 as well.
        let city = login(&app, "city", PASSWORD).await.unwrap();
        let page = get(&app, &city, &asked("800元", "50")).await.text().await.unwrap();
        assert!(page.contains(&summary_row("受益对象", "3", "3", "0")), "{l}: {page}");
        assert_eq!(payout_count(&app).await, 0, "{l}: a what-if proposes nothing");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_region_outside_the_callers_scope_and_roles_that_do_not_review_find_no_what_if() {
    each_dibao(async |app| {
        let l = app.label();
        let kz = login(&app, "kaizhou", PASSWORD).await.unwrap();
        for region in ["500101", "500101001", "50"] {
            let res = get(&app, &kz, &asked("800元", region)).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}: 开州 staff over {region}");
            let xlsx = asked("800元", region).replace("/what-if?", "/what-if.xlsx?");
            assert_eq!(get(&app, &kz, &xlsx).await.status(), StatusCode::NOT_FOUND, "{l}: {region} file");
        }
        assert!(entries(&app, AuditAction::PersonSearch).await.is_empty(), "{l}: nobody was read");
        // Their own district: 开三 only.
        let page = get(&app, &kz, &asked("800元", "500154")).await.text().await.unwrap();
        assert!(page.contains(&summary_row("受益对象", "1", "1", "0")) && page.contains("开三"), "{l}: {page}");
        assert!(!page.contains("万一"), "{l}");
        // Town staff may look at their town, not at their district.
        let town = login(&app, "town", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &town, &asked("800元", "500101001")).await.status(), StatusCode::OK, "{l}");
        assert_eq!(get(&app, &town, &asked("800元", "500101")).await.status(), StatusCode::NOT_FOUND, "{l}");
        // Roles that do not review payouts: no link, no page.
        for user in ["auditor", "inspector", "worker", "someone"] {
            let c = login(&app, user, PASSWORD).await.unwrap();
            let page = get(&app, &c, "/policies/test-dibao-allowance").await.text().await.unwrap();
            assert!(!page.contains("/what-if"), "{l}: {user} sees no link");
            assert_eq!(get(&app, &c, WHAT_IF).await.status(), StatusCode::NOT_FOUND, "{l}: {user}");
            assert_eq!(get(&app, &c, &asked("800元", "50")).await.status(), StatusCode::NOT_FOUND, "{l}: {user}");
        }
        // A policy without rules has no what-if; one paid per hired person goes over the
        // hires on employers' postings, as its run does.
        let wz = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let page = get(&app, &wz, "/policies/ent-smart-factory").await.text().await.unwrap();
        assert!(!page.contains("/what-if"), "{l}");
        let res = get(&app, &wz, "/policies/ent-smart-factory/what-if").await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}");
        let page = get(&app, &wz, "/policies/hiring-subsidy-2020").await.text().await.unwrap();
        assert!(page.contains("/policies/hiring-subsidy-2020/what-if"), "{l}");
        assert_eq!(get(&app, &wz, "/policies/hiring-subsidy-2020/what-if").await.status(), StatusCode::OK, "{l}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_draft_comes_back_on_the_form_with_the_reason_next_to_its_field() {
    each_dibao(async |app| {
        let l = app.label();
        let wz = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let cases = [
            (asked("2/3", "500101"), "e-value", "应为金额"),
            (asked("很多", "500101"), "e-value", "不是"),
            (asked("", "500101"), "e-value", "请填写测算值"),
            (asked("800元", "5001"), "e-region", "区划"),
            (asked("800元", "500101").replace("param=amount", "param=nope"), "e-param", "没有参数“nope”"),
            (asked("800元", "500101").replace("2025-06-01", "2025-13-01"), "e-date", "日期“2025-13-01”无效"),
            (asked("800元", "500101").replace("2025-06-01", "2024-06-01"), "e-date", "没有生效的版本"),
        ];
        for (path, field, message) in cases {
            let res = get(&app, &wz, &path).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{l}: {path}");
            let page = res.text().await.unwrap();
            let shown = page.split(&format!("id=\"{field}\">")).nth(1).unwrap_or("");
            assert!(shown.split("</p>").next().unwrap_or("").contains(message), "{l}: {path}: {page}");
            assert!(!page.contains("what-if-result"), "{l}: no result");
        }
        // What was typed stays in the form.
        let page = get(&app, &wz, &asked("很多", "500101")).await.text().await.unwrap();
        assert!(page.contains("name=\"value\" value=\"很多\""), "{l}");
        assert!(entries(&app, AuditAction::PersonSearch).await.is_empty(), "{l}: nothing was evaluated");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_full_what_if_list_downloads_masked_and_is_audited_as_an_export() {
    each_dibao(async |app| {
        let l = app.label();
        let wz = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let page = get(&app, &wz, &asked("0元", "500101")).await.text().await.unwrap();
        let href = page.split("class=\"button\" href=\"").nth(1).unwrap().split('"').next().unwrap();
        let link = href.replace("&amp;", "&").replace("&#x2f;", "/");
        let expected =
            "/policies/test-dibao-allowance/what-if.xlsx?param=amount&value=0%E5%85%83&region=500101&date=2025-06-01";
        assert_eq!(link, expected, "{l}");
        let res = get(&app, &wz, &link).await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        assert!(res.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"), "{l}");
        assert_eq!(res.headers()["cache-control"], "no-store", "{l}");
        let file = res.bytes().await.unwrap();
        let rows = sheet_rows(&file, "变化名单");
        assert_eq!(rows.len(), 3, "{l}: header and two losers: {rows:?}");
        let names: Vec<&str> = rows[1..].iter().map(|r| r[2].as_str()).collect();
        assert_eq!(names, ["万一", "万二"], "{l}");
        assert!(rows[1..].iter().all(|r| r[1] == "减少" && r[3].starts_with("500101********")), "{l}: {rows:?}");
        assert!(rows[1..].iter().all(|r| r[6] == "500" && r[7] == "—" && r[8] == "-500"), "{l}: {rows:?}");
        let summary = sheet_rows(&file, "汇总");
        assert!(summary.iter().any(|r| r[..4] == ["受益对象", "2", "0", "-2"]), "{l}: {summary:?}");
        let exports = entries(&app, AuditAction::ExportRun).await;
        assert_eq!(exports.len(), 1, "{l}");
        let d = &exports[0].detail;
        assert_eq!((d["kind"].as_str(), d["rows"].as_u64()), (Some("what_if"), Some(2)), "{l}: {d}");
        assert_eq!((d["region"].as_str(), d["value"].as_str()), (Some("500101"), Some("0元")), "{l}: {d}");
        assert_eq!(d["file_sha256"].as_str().map(str::len), Some(64), "{l}: {d}");
        assert_eq!(exports[0].actor, "wanzhou", "{l}");
        assert!(jiujin_store::audit::verify(&app.store).await.unwrap().broken.is_none(), "{l}: chain intact");
        // A malformed draft downloads nothing.
        let res = get(&app, &wz, &link.replace("0%E5%85%83", "2%2F3")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{l}");
        assert_eq!(entries(&app, AuditAction::ExportRun).await.len(), 1, "{l}");
    })
    .await;
}

/// The review page's bulk decision, over `forms::propose_payouts`' proposals (万一 in
/// 万州, 开三 in 开州, 500 yuan each).
#[tokio::test(flavor = "multi_thread")]
async fn approving_all_matching_decides_every_proposal_in_scope_and_none_of_another_district() {
    for db in TestDb::all().await {
        let app = spawn_app_with(db, &LIBRARY).await;
        let l = app.label();
        propose_payouts(&app).await;
        let wz = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let list = get(&app, &wz, "/policies/payouts?policy=test-dibao-allowance").await.text().await.unwrap();
        assert!(list.contains("审核全部符合条件的 1 条（合计 500 元）"), "{l}: {list}");
        let other = get(&app, &wz, "/policies/payouts?policy=returnee-startup-subsidy").await.text().await.unwrap();
        assert!(!other.contains("id=\"decide-all\"") && !other.contains("万一"), "{l}: another policy's filter");
        let confirm = get(&app, &wz, "/policies/payouts/decide-all?policy=test-dibao-allowance").await;
        assert_eq!(confirm.status(), StatusCode::OK, "{l}");
        let confirm = confirm.text().await.unwrap();
        assert!(confirm.contains("<strong>1</strong> 条，合计 <strong>¥500.00</strong>"), "{l}: {confirm}");
        let through = hidden(&confirm, "through");
        let token = csrf(&app, &wz).await;
        let form = |token: &str, through: &str, reason: &str| -> Vec<(&'static str, String)> {
            vec![
                ("csrf", token.to_string()),
                ("policy", "test-dibao-allowance".into()),
                ("through", through.to_string()),
                ("decision", "approve".into()),
                ("reason", reason.to_string()),
            ]
        };
        let send = async |f: Vec<(&'static str, String)>, cookie: &str| {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(&app, cookie, "/policies/payouts/decide-all", &pairs).await
        };
        let ledger = async || jiujin_store::policy::ledger(&app.store, jiujin_store::Scope::City).await.unwrap();
        // Without the form token, or without a reason: refused, nothing decided.
        assert_eq!(send(form("x", &through, "核实无误"), &wz).await.status(), StatusCode::FORBIDDEN, "{l}");
        let res = send(form(&token, &through, ""), &wz).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{l}");
        assert!(res.text().await.unwrap().contains("请填写审核意见（2至200字）"), "{l}");
        // Roles that do not review find no such action.
        for user in ["auditor", "inspector"] {
            let c = login(&app, user, PASSWORD).await.unwrap();
            let t = csrf(&app, &c).await;
            assert_eq!(send(form(&t, &through, "核实无误"), &c).await.status(), StatusCode::NOT_FOUND, "{l}: {user}");
            let res = get(&app, &c, "/policies/payouts/decide-all").await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}: {user}");
        }
        assert!(ledger().await.is_empty(), "{l}");
        // The decision stops at the newest payout confirmed: below it, nothing.
        let before: i64 = through.parse::<i64>().unwrap() - 1;
        let res = send(form(&token, &before.to_string(), "核实无误"), &wz).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}");
        assert!(res.headers()["location"].to_str().unwrap().ends_with("decided=0"), "{l}");
        // All that match in 万州, and nothing of 开州's.
        let res = send(form(&token, &through, "核实无误"), &wz).await;
        let to = res.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(to, "/policies/payouts?status=proposed&policy=test-dibao-allowance&decided=1", "{l}");
        let entered = ledger().await;
        assert_eq!(entered.len(), 1, "{l}");
        assert_eq!(entered[0].1.id.to_string(), through, "{l}: 万州's payout, entered once");
        assert_eq!((entered[0].0.amount_fen, entered[0].1.status.as_str()), (50_000, "approved"), "{l}");
        let kaizhou = jiujin_store::Scope::Region(RegionCode::parse("500154").unwrap());
        let theirs = jiujin_store::policy::payouts(&app.store, kaizhou, &Default::default(), 0, 10).await.unwrap().0;
        assert_eq!((theirs.len(), theirs[0].status.as_str()), (1, "proposed"), "{l}: 开州's is left alone");
        let decisions = entries(&app, AuditAction::PayoutDecide).await;
        assert_eq!(decisions.len(), 1, "{l}: one entry for the page decided");
        assert_eq!(
            (decisions[0].detail["reason"].as_str(), decisions[0].actor.as_str()),
            (Some("核实无误"), "wanzhou")
        );
        // Sent again: nothing left to decide. The confirmation says so; the list offers no bulk action.
        let res = send(form(&token, &through, "核实无误"), &wz).await;
        assert!(res.headers()["location"].to_str().unwrap().ends_with("decided=0"), "{l}");
        assert_eq!(ledger().await.len(), 1, "{l}: paid once");
        let confirm = get(&app, &wz, "/policies/payouts/decide-all?policy=test-dibao-allowance").await;
        let confirm = confirm.text().await.unwrap();
        assert!(confirm.contains("没有待审核的记录") && !confirm.contains("name=\"through\""), "{l}");
        let list = get(&app, &wz, "/policies/payouts").await.text().await.unwrap();
        assert!(!list.contains("id=\"decide-all\""), "{l}");
        // 开州's staff reject theirs the same way.
        let kz = login(&app, "kaizhou", PASSWORD).await.unwrap();
        let confirm = get(&app, &kz, "/policies/payouts/decide-all").await.text().await.unwrap();
        let through = hidden(&confirm, "through");
        let t = csrf(&app, &kz).await;
        let f = [("csrf", t.as_str()), ("through", &through), ("decision", "reject"), ("reason", "不符合条件")];
        let res = post_form(&app, &kz, "/policies/payouts/decide-all", &f).await;
        assert!(res.headers()["location"].to_str().unwrap().ends_with("decided=1"), "{l}");
        let theirs = jiujin_store::policy::payouts(&app.store, kaizhou, &Default::default(), 0, 10).await.unwrap().0;
        assert_eq!(theirs[0].status, "rejected", "{l}");
        assert_eq!(ledger().await.len(), 1, "{l}: a rejection enters nothing");
    }
}
