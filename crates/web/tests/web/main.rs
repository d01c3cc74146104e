//! The web app end to end: a real server on a free port over a fresh database
//! (SQLite, and PostgreSQL when `JIUJIN_TEST_PG` is set), accounts of different
//! regions, and what each may see.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;

use jiujin_app::access::add_user;
use jiujin_app::registry::import::{import_workers, ImportRequest};
use jiujin_app::Keys;
use jiujin_domain::access::Role;
use jiujin_domain::audit::AuditAction;
use jiujin_domain::identity::IdNumber;
use jiujin_domain::RegionCode;
use jiujin_store::audit::AuditFilter;
use jiujin_store::testing::TestDb;
use jiujin_store::Store;
use reqwest::redirect::Policy;
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery";

/// The actor of the set-up's changes.
fn tester() -> jiujin_store::audit::Context {
    jiujin_store::audit::Context::local(jiujin_store::audit::Actor::command_line(Some("test")))
}

struct App {
    base: String,
    store: Store,
    _db: TestDb,
    _dir: tempfile::TempDir,
}

fn id(address: &str, year: i32, seq: u16) -> String {
    IdNumber::from_parts(address, chrono::NaiveDate::from_ymd_opt(year, 3, 4).unwrap(), seq).unwrap().to_string()
}

/// A server with three people (two in 万州区, one in 开州区) and four accounts.
async fn spawn_app(db: TestDb) -> App {
    let store = db.store().await;
    let keys = Keys::from_master(&[9u8; 32]);
    store.verify_key_check(keys.check_value(), "test").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.csv");
    let header = jiujin_domain::registry::header_row().join(",");
    let rows = [
        format!("万一,{},,500101001001,,失业,,,,,,,,,,,", id("500101", 1980, 11)),
        format!("万二,{},13812345678,500101017,,失业,,,,,,,,,,,", id("500101", 1981, 21)),
        format!("开三,{},13900000003,500154001001,,失业,,,,,,,,,,,", id("500154", 1982, 31)),
    ];
    std::fs::write(&file, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let req = ImportRequest {
        path: &file,
        rejects: None,
        as_of: today,
        actor: None,
        by: tester(),
        batch_size: 100,
        cancel: None,
        progress: None,
    };
    let r = import_workers(&store, &keys, req).await.unwrap();
    assert_eq!(r.counts.inserted, 3);
    let region = |c: &str| Some(RegionCode::parse(c).unwrap());
    add_user(&store, "city", PASSWORD, Role::CityStaff, None, &tester()).await.unwrap();
    add_user(&store, "wanzhou", PASSWORD, Role::DistrictStaff, region("500101"), &tester()).await.unwrap();
    add_user(&store, "kaizhou", PASSWORD, Role::DistrictStaff, region("500154"), &tester()).await.unwrap();
    add_user(&store, "someone", PASSWORD, Role::Employer, None, &tester()).await.unwrap();
    add_user(&store, "auditor", PASSWORD, Role::Auditor, None, &tester()).await.unwrap();
    let state = jiujin_web::AppState::new(store.clone(), keys).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(jiujin_web::serve_on(state, listener));
    App { base: format!("http://{addr}"), store, _db: db, _dir: dir }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().unwrap()
}

fn set_cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or("").to_string())
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).map(|i| i + marker.len()).unwrap();
    html[start..].split('"').next().unwrap().to_string()
}

/// Logs in and returns the session cookie ("jiujin_session=…"), or the response.
async fn login(app: &App, user: &str, password: &str) -> Result<String, reqwest::Response> {
    let c = client();
    let page = c.get(format!("{}/login", app.base)).send().await.unwrap();
    let csrf_cookie = set_cookie(&page, "jiujin_login_csrf").unwrap();
    let csrf = hidden(&page.text().await.unwrap(), "csrf");
    let res = c
        .post(format!("{}/login", app.base))
        .header("cookie", csrf_cookie)
        .form(&[("username", user), ("password", password), ("csrf", &csrf), ("next", "/registry")])
        .send()
        .await
        .unwrap();
    match set_cookie(&res, "jiujin_session") {
        Some(c) if res.status() == StatusCode::SEE_OTHER => Ok(c),
        _ => Err(res),
    }
}

async fn get(app: &App, cookie: &str, path: &str) -> reqwest::Response {
    client().get(format!("{}{path}", app.base)).header("cookie", cookie).send().await.unwrap()
}

async fn person_id(app: &App, name: &str) -> i64 {
    let f = jiujin_store::registry::PersonFilter { name: Some(name.into()), ..Default::default() };
    jiujin_store::registry::list_persons(&app.store, jiujin_store::Scope::City, &f, 0, 5).await.unwrap().rows[0].id
}

async fn each_database(f: impl AsyncFn(App)) {
    for db in TestDb::all().await {
        f(spawn_app(db).await).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_without_a_session_is_sent_to_login_and_the_api_answers_401() {
    each_database(async |app: App| {
        let res = client().get(format!("{}/registry?q=万", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(res.headers()["location"].to_str().unwrap().starts_with("/login?next=/registry"));
        let res = client().get(format!("{}/api/v1/persons", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(client().get(format!("{}/healthz", app.base)).send().await.unwrap().status(), StatusCode::OK);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_or_a_missing_form_token_is_refused() {
    each_database(async |app: App| {
        let res = login(&app, "wanzhou", "not the password").await.unwrap_err();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(res.text().await.unwrap().contains("用户名或密码错误"));
        let res = login(&app, "nobody", PASSWORD).await.unwrap_err();
        assert!(res.text().await.unwrap().contains("用户名或密码错误"), "same answer for an unknown name");
        // Without the double-submit cookie the form is stale.
        let res = client()
            .post(format!("{}/login", app.base))
            .form(&[("username", "wanzhou"), ("password", PASSWORD), ("csrf", "x")])
            .send()
            .await
            .unwrap();
        assert!(set_cookie(&res, "jiujin_session").is_none());
        assert!(res.text().await.unwrap().contains("页面已过期"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn district_staff_see_their_district_only_and_others_read_as_absent() {
    each_database(async |app: App| {
        let wz = login(&app, "wanzhou", PASSWORD).await.ok().unwrap();
        let kz_person = person_id(&app, "开三").await;
        let wz_person = person_id(&app, "万一").await;

        let list = get(&app, &wz, "/api/v1/persons").await.json::<serde_json::Value>().await.unwrap();
        assert_eq!(list["total"], 2);
        let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["万一", "万二"]);
        assert_eq!(get(&app, &wz, &format!("/api/v1/persons/{kz_person}")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(get(&app, &wz, &format!("/registry/{kz_person}")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(get(&app, &wz, &format!("/registry/{wz_person}")).await.status(), StatusCode::OK);
        let search = get(&app, &wz, "/api/v1/persons?q=%E5%BC%80").await.json::<serde_json::Value>().await.unwrap();
        assert_eq!(search["total"], 0, "a 开州 name is not found from 万州");
        // A mobile number typed into the search box finds its owner, inside the scope only.
        let by_phone =
            get(&app, &wz, "/api/v1/persons?q=138-1234-5678").await.json::<serde_json::Value>().await.unwrap();
        assert_eq!((by_phone["total"].as_u64(), by_phone["items"][0]["name"].as_str()), (Some(1), Some("万二")));
        let other = get(&app, &wz, "/api/v1/persons?q=13900000003").await.json::<serde_json::Value>().await.unwrap();
        assert_eq!(other["total"], 0, "a 开州 phone is not found from 万州");
        let page = get(&app, &wz, "/registry?region=500154").await.text().await.unwrap();
        assert!(!page.contains("开三") && page.contains("共 0 人"), "a filter outside the scope shows nothing");
        assert!(page.contains("万州区"), "the scope is shown");

        let kz = login(&app, "kaizhou", PASSWORD).await.ok().unwrap();
        assert_eq!(get(&app, &kz, &format!("/api/v1/persons/{wz_person}")).await.status(), StatusCode::NOT_FOUND);
        let city = login(&app, "city", PASSWORD).await.ok().unwrap();
        let all = get(&app, &city, "/api/v1/persons").await.json::<serde_json::Value>().await.unwrap();
        assert_eq!(all["total"], 3);
        // A role without a registry scope sees nobody.
        let emp = login(&app, "someone", PASSWORD).await.ok().unwrap();
        let none = get(&app, &emp, "/api/v1/persons").await.json::<serde_json::Value>().await.unwrap();
        assert_eq!(none["total"], 0);
        // Masked everywhere.
        assert!(!all.to_string().contains(&id("500101", 1980, 11)));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_needs_the_session_form_token_and_ends_the_session() {
    each_database(async |app: App| {
        let s = login(&app, "city", PASSWORD).await.ok().unwrap();
        let page = get(&app, &s, "/registry").await.text().await.unwrap();
        let csrf = hidden(&page, "csrf");
        let forged = client()
            .post(format!("{}/logout", app.base))
            .header("cookie", &s)
            .form(&[("csrf", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert_eq!(get(&app, &s, "/api/v1/persons").await.status(), StatusCode::OK, "still logged in");
        let out = client()
            .post(format!("{}/logout", app.base))
            .header("cookie", &s)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), StatusCode::SEE_OTHER);
        assert_eq!(get(&app, &s, "/api/v1/persons").await.status(), StatusCode::UNAUTHORIZED);
    })
    .await;
}

/// The newest audit entries of `action`, straight from the store.
async fn entries(app: &App, action: AuditAction) -> Vec<jiujin_store::audit::AuditRow> {
    let f = AuditFilter { action: Some(action), ..Default::default() };
    jiujin_store::audit::list(&app.store, &f, 0, 100).await.unwrap().rows
}

#[tokio::test(flavor = "multi_thread")]
async fn opening_a_person_is_recorded_with_who_and_from_where_and_searches_with_their_count() {
    each_database(async |app: App| {
        let wz = login(&app, "wanzhou", PASSWORD).await.ok().unwrap();
        let wz_person = person_id(&app, "万一").await;
        let kz_person = person_id(&app, "开三").await;
        assert!(entries(&app, AuditAction::PersonRead).await.is_empty());
        let res = client()
            .get(format!("{}/registry/{wz_person}", app.base))
            .header("cookie", &wz)
            .header("user-agent", "jiujin-test/1.0")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let reads = entries(&app, AuditAction::PersonRead).await;
        assert_eq!(reads.len(), 1);
        let r = &reads[0];
        assert_eq!((r.actor.as_str(), r.role.as_deref()), ("wanzhou", Some("district_staff")));
        assert_eq!((r.entity.as_str(), r.entity_id.clone()), ("person", Some(wz_person.to_string())));
        assert_eq!((r.address.as_deref(), r.user_agent.as_deref()), (Some("127.0.0.1"), Some("jiujin-test/1.0")));
        // The API's read is recorded too; a person outside the scope is not read.
        assert_eq!(get(&app, &wz, &format!("/api/v1/persons/{wz_person}")).await.status(), StatusCode::OK);
        assert_eq!(get(&app, &wz, &format!("/registry/{kz_person}")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(get(&app, &wz, &format!("/api/v1/persons/{kz_person}")).await.status(), StatusCode::NOT_FOUND);
        let reads = entries(&app, AuditAction::PersonRead).await;
        assert_eq!(reads.len(), 2);
        assert!(reads.iter().all(|r| r.entity_id == Some(wz_person.to_string())));
        // A search is one entry with its filter (numbers masked) and its count.
        let found = get(&app, &wz, "/api/v1/persons?q=138-1234-5678").await.json::<serde_json::Value>().await.unwrap();
        assert_eq!(found["total"], 1);
        let searches = entries(&app, AuditAction::PersonSearch).await;
        assert_eq!(searches.len(), 1);
        assert_eq!(searches[0].detail["filter"]["q"], "138****5678");
        assert_eq!(searches[0].detail["total"], 1);
        assert!(!searches[0].detail.to_string().contains("12345678"));
        assert_eq!(get(&app, &wz, "/registry?q=万").await.status(), StatusCode::OK);
        assert_eq!(entries(&app, AuditAction::PersonSearch).await.len(), 2);
        let report = jiujin_store::audit::verify(&app.store).await.unwrap();
        assert_eq!(report.broken, None);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_auditor_reads_the_log_and_district_staff_find_no_such_page() {
    each_database(async |app: App| {
        let wz = login(&app, "wanzhou", PASSWORD).await.ok().unwrap();
        let wz_person = person_id(&app, "万二").await;
        let page = get(&app, &wz, &format!("/registry/{wz_person}")).await.text().await.unwrap();
        assert!(!page.contains("href=\"/audit\""), "no link for district staff");
        assert_eq!(get(&app, &wz, "/audit").await.status(), StatusCode::NOT_FOUND);
        assert_eq!(get(&app, &wz, "/api/v1/audit").await.status(), StatusCode::NOT_FOUND);
        let emp = login(&app, "someone", PASSWORD).await.ok().unwrap();
        assert_eq!(get(&app, &emp, "/audit").await.status(), StatusCode::NOT_FOUND);

        let au = login(&app, "auditor", PASSWORD).await.ok().unwrap();
        let res = get(&app, &au, "/audit?action=person.read").await;
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        assert!(html.contains("href=\"/audit\""), "the auditor has the link");
        assert!(html.contains("审计日志") && html.contains("wanzhou") && html.contains("查看人员信息"), "{html}");
        assert!(html.contains(&format!("person #{wz_person}")) && html.contains("127.0.0.1"));
        let api = get(&app, &au, "/api/v1/audit?actor=wanzhou&action=person.read").await;
        let v = api.json::<serde_json::Value>().await.unwrap();
        assert_eq!(v["total"], 1, "{v}");
        assert_eq!(v["items"][0]["entity_id"], wz_person.to_string());
        assert_eq!(v["items"][0]["address"], "127.0.0.1");
        assert_eq!(v["items"][0]["action_label"], "查看人员信息");
        // Newest first; the set-up's account creations are there, by the command line.
        let all = get(&app, &au, "/api/v1/audit").await.json::<serde_json::Value>().await.unwrap();
        let seqs: Vec<u64> = all["items"].as_array().unwrap().iter().map(|i| i["seq"].as_u64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] > w[1]), "{seqs:?}");
        let created =
            get(&app, &au, "/api/v1/audit?action=user.create").await.json::<serde_json::Value>().await.unwrap();
        assert_eq!(created["total"], 5);
        assert_eq!(created["items"][0]["actor"], "命令行:test");
        let bad = get(&app, &au, "/api/v1/audit?from=2025-02-30").await;
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        assert!(bad.text().await.unwrap().contains("日期从"));
        let page = get(&app, &au, "/audit?from=2025-02-30").await.text().await.unwrap();
        assert!(page.contains("不是有效日期"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_are_checked_before_they_are_created() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let region = |c: &str| Some(RegionCode::parse(c).unwrap());
    let err = |r: Result<jiujin_store::access::Account, jiujin_app::access::AccessError>| r.unwrap_err().to_string();
    assert!(err(add_user(&store, "a b", PASSWORD, Role::CityStaff, None, &tester()).await).contains("用户名"));
    assert!(err(add_user(&store, "short", "123", Role::CityStaff, None, &tester()).await).contains("至少"));
    assert!(err(add_user(&store, "wanzhou", PASSWORD, Role::DistrictStaff, None, &tester()).await).contains("区划"));
    assert!(err(add_user(&store, "wanzhou", PASSWORD, Role::DistrictStaff, region("440300"), &tester()).await)
        .contains("440300"));
    add_user(&store, "wanzhou", PASSWORD, Role::DistrictStaff, region("500101"), &tester()).await.unwrap();
    assert!(err(add_user(&store, "wanzhou", PASSWORD, Role::DistrictStaff, region("500101"), &tester()).await)
        .contains("已存在"));
}
