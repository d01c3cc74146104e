//! The web app end to end: a real server on a free port over a fresh database
//! (SQLite, and PostgreSQL when `JIUJIN_TEST_PG` is set), accounts of different
//! regions, and what each may see.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;

use jiujin_app::access::{add_account, add_user};
use jiujin_app::registry::import::{import_workers, ImportRequest};
use jiujin_app::Keys;
use jiujin_domain::access::Role;
use jiujin_domain::audit::AuditAction;
use jiujin_domain::identity::IdNumber;
use jiujin_domain::RegionCode;
use jiujin_store::access::Binding;
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

/// A server with three people (two in 万州区, one in 开州区) and an account of every
/// role (the worker account is 万一).
async fn spawn_app(db: TestDb) -> App {
    spawn_app_with(db, jiujin_domain::policy::Library::embedded().unwrap()).await
}

/// The same, whose pages show and evaluate `library`.
async fn spawn_app_with(db: TestDb, library: &'static jiujin_domain::policy::Library) -> App {
    let store = db.store().await;
    let keys = Keys::from_master(&[9u8; 32]);
    store.verify_key_check(keys.check_value(), "test").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.csv");
    let header = jiujin_domain::registry::header_row().join(",");
    let rows = [
        format!("万一,{},,500101001001,,失业,,,,,,,,,,,,", id("500101", 1980, 11)),
        format!("万二,{},13812345678,500101017,,失业,,,,,,,,,,,,", id("500101", 1981, 21)),
        format!("开三,{},13900000003,500154001001,,失业,,,,,,,,,,,,", id("500154", 1982, 31)),
    ];
    std::fs::write(&file, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let req = ImportRequest {
        path: &file,
        rejects: None,
        scope: jiujin_store::Scope::City,
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
    add_user(&store, "auditor", PASSWORD, Role::Auditor, None, &tester()).await.unwrap();
    add_user(&store, "admin", PASSWORD, Role::Admin, None, &tester()).await.unwrap();
    add_user(&store, "town", PASSWORD, Role::TownStaff, region("500101001"), &tester()).await.unwrap();
    add_user(&store, "grid", PASSWORD, Role::GridWorker, region("500101001001"), &tester()).await.unwrap();
    add_user(&store, "inspector", PASSWORD, Role::Inspector, region("500101"), &tester()).await.unwrap();
    add_user(&store, "broker", PASSWORD, Role::Broker, None, &tester()).await.unwrap();
    let credit_code = jiujin_domain::identity::CreditCode::from_parts("91", "500101", "MA5U0001").unwrap();
    let employer = Binding { credit_code: Some(credit_code.as_str().to_string()), ..Default::default() };
    add_account(&store, "someone", PASSWORD, Role::Employer, employer, &tester()).await.unwrap();
    let f = jiujin_store::registry::PersonFilter { name: Some("万一".into()), ..Default::default() };
    let wan_yi =
        jiujin_store::registry::list_persons(&store, jiujin_store::Scope::City, &f, 0, 5).await.unwrap().rows[0].id;
    let worker = Binding { person_id: Some(wan_yi), ..Default::default() };
    add_account(&store, "worker", PASSWORD, Role::Worker, worker, &tester()).await.unwrap();
    let mut state = jiujin_web::AppState::new(store.clone(), keys).unwrap();
    state.library = library;
    // The tests' requests come from 127.0.0.1, here also "the load balancer".
    state.trusted_proxies = std::sync::Arc::new(vec![std::net::IpAddr::from([127, 0, 0, 1])]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(jiujin_web::serve_on(state, listener));
    App { base: format!("http://{addr}"), store, _db: db, _dir: dir }
}

impl App {
    fn label(&self) -> &'static str {
        self._db.label
    }
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

mod api;
mod forms;
mod jobs;
mod monitoring;
mod services;
mod training;
mod wages;
mod what_if;

/// Records `flag` on the person named `name` (a staff change, dated today); returns
/// the person's id.
pub(crate) async fn add_flag(app: &App, name: &str, flag: jiujin_domain::registry::GroupFlag) -> i64 {
    let id = person_id(app, name).await;
    let scope = jiujin_store::Scope::City;
    let p = jiujin_store::registry::person(&app.store, scope, id).await.unwrap().unwrap();
    let mut state = p.state.clone();
    state.flags = state.flags.with(flag);
    let today = chrono::Utc::now().date_naive();
    let source = jiujin_domain::registry::EventSource::Staff;
    jiujin_store::registry::apply_change(&app.store, scope, id, &state, None, today, source, &tester())
        .await
        .unwrap()
        .unwrap();
    id
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
        assert_eq!(created["total"], 11, "one entry per account of the set-up");
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

/// Who reaches what: one row per role, with the expected status of each endpoint
/// group. 万一 and 万二 are in 万州区 (万一 in the grid worker's village), 开三 in 开州区.
/// 200 = shown, 404 = absent, 303 = sent to log in. Later endpoints are one column each.
#[tokio::test(flavor = "multi_thread")]
async fn the_permission_matrix_holds_for_every_role() {
    each_database(async |app: App| {
        let wan_yi = person_id(&app, "万一").await;
        let wan_er = person_id(&app, "万二").await;
        let kai = person_id(&app, "开三").await;
        let paths = [
            "/registry".to_string(),
            format!("/registry/{wan_yi}"),
            format!("/registry/{wan_er}"),
            format!("/registry/{kai}"),
            "/registry/duplicates".to_string(),
            "/audit".to_string(),
            format!("/api/v1/persons/{wan_yi}"),
            format!("/api/v1/persons/{kai}"),
            "/api/v1/audit".to_string(),
        ];
        // role: [list, 万一, 万二, 开三, duplicates, audit, api 万一, api 开三, api audit], persons listed
        let matrix: [(&str, [u16; 9], u64); 10] = [
            ("admin", [200, 200, 200, 200, 200, 200, 200, 200, 200], 3),
            ("city", [200, 200, 200, 200, 200, 404, 200, 200, 404], 3),
            ("wanzhou", [200, 200, 200, 404, 200, 404, 200, 404, 404], 2),
            ("kaizhou", [200, 404, 404, 200, 200, 404, 404, 200, 404], 1),
            ("town", [200, 200, 404, 404, 200, 404, 200, 404, 404], 1),
            ("grid", [200, 200, 404, 404, 200, 404, 200, 404, 404], 1),
            ("inspector", [200, 200, 200, 404, 200, 404, 200, 404, 404], 2),
            ("worker", [200, 200, 404, 404, 200, 404, 200, 404, 404], 1),
            ("someone", [200, 404, 404, 404, 200, 404, 404, 404, 404], 0),
            ("auditor", [200, 200, 200, 200, 200, 200, 200, 200, 200], 3),
        ];
        let anonymous = client();
        for (user, expected, listed) in matrix {
            let cookie = login(&app, user, PASSWORD).await.unwrap_or_else(|_| panic!("{user} logs in"));
            for (path, want) in paths.iter().zip(expected) {
                let status = get(&app, &cookie, path).await.status().as_u16();
                assert_eq!(status, want, "{}: {user} GET {path}", app.label());
            }
            let body: serde_json::Value = get(&app, &cookie, "/api/v1/persons").await.json().await.unwrap();
            assert_eq!(body["total"], listed, "{}: {user} lists", app.label());
            let searched: serde_json::Value =
                get(&app, &cookie, "/api/v1/persons?q=%E5%BC%80").await.json().await.unwrap();
            let sees_kai = expected[3] == 200;
            assert_eq!(searched["total"], u64::from(sees_kai), "{}: {user} searches 开", app.label());
            // The API takes a token of the same account with exactly the same reach.
            let by = tester();
            let (_, token) = jiujin_app::access::create_token(&app.store, user, "矩阵", None, &by).await.unwrap();
            for (path, want) in paths.iter().zip(expected).filter(|(p, _)| p.starts_with("/api/")) {
                let res = anonymous.get(format!("{}{path}", app.base)).bearer_auth(&token).send().await.unwrap();
                assert_eq!(res.status().as_u16(), want, "{}: {user} token GET {path}", app.label());
            }
            // The Excel export holds exactly the persons the list shows.
            let file = get(&app, &cookie, "/registry/export.xlsx").await.bytes().await.unwrap();
            assert_eq!(forms::xlsx_rows(&file).len() as u64 - 1, listed, "{}: {user} exports", app.label());
        }
        // The registry's forms and the rest of the API, one column each.
        let paths = [
            format!("/registry/{wan_er}/edit"),
            format!("/registry/{kai}/edit"),
            "/registry/new".to_string(),
            "/registry/import".to_string(),
            format!("/api/v1/persons/{kai}/events"),
            "/api/v1/users".to_string(),
        ];
        // role: [edit 万二, edit 开三, new, import, api events 开三, api users]
        let matrix: [(&str, [u16; 6]); 10] = [
            ("admin", [200, 200, 200, 200, 200, 200]),
            ("city", [200, 200, 200, 200, 200, 404]),
            ("wanzhou", [200, 404, 200, 200, 404, 404]),
            ("kaizhou", [404, 200, 200, 200, 200, 404]),
            ("town", [404, 404, 200, 200, 404, 404]),
            ("grid", [404, 404, 200, 200, 404, 404]),
            ("inspector", [404, 404, 404, 404, 404, 404]),
            ("worker", [404, 404, 404, 404, 404, 404]),
            ("someone", [404, 404, 404, 404, 404, 404]),
            ("auditor", [404, 404, 404, 404, 200, 404]),
        ];
        for (user, expected) in matrix {
            let cookie = login(&app, user, PASSWORD).await.unwrap_or_else(|_| panic!("{user} logs in"));
            for (path, want) in paths.iter().zip(expected) {
                let status = get(&app, &cookie, path).await.status().as_u16();
                assert_eq!(status, want, "{}: {user} GET {path}", app.label());
            }
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn five_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused() {
    each_database(async |app: App| {
        for i in 0..5 {
            let res = login(&app, "wanzhou", "wrong password!").await.unwrap_err();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{}: failure {i}", app.label());
        }
        let res = login(&app, "wanzhou", PASSWORD).await.unwrap_err();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{}", app.label());
        let page = res.text().await.unwrap();
        assert!(page.contains("登录失败次数过多，已暂时锁定，请于"), "{}: {page}", app.label());
        // Another account from the same address still logs in (20 failures lock an address).
        assert!(login(&app, "kaizhou", PASSWORD).await.is_ok(), "{}", app.label());
        // Every refusal is in the audit log, the lock included.
        let refused = entries(&app, AuditAction::LoginRefused).await;
        assert_eq!(refused.len(), 6, "{}", app.label());
        assert!(refused.iter().all(|e| e.address.as_deref() == Some("127.0.0.1")), "{}", app.label());
        assert_eq!(entries(&app, AuditAction::Login).await.len(), 1, "{}", app.label());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lock_ends_after_fifteen_minutes_and_a_success_clears_the_count() {
    each_database(async |app: App| {
        let by = tester();
        let t0 = chrono::Utc::now();
        for _ in 0..5 {
            assert!(jiujin_app::access::login_at(&app.store, "city", "nope nope!", &by, t0).await.is_err());
        }
        let locked = jiujin_app::access::login_at(&app.store, "city", PASSWORD, &by, t0).await.unwrap_err();
        assert!(matches!(locked, jiujin_app::access::AccessError::Locked(_)), "{}: {locked}", app.label());
        let later = t0 + chrono::Duration::minutes(16);
        assert!(jiujin_app::access::login_at(&app.store, "city", PASSWORD, &by, later).await.is_ok());
        // The count starts again from zero: four more failures do not lock.
        for _ in 0..4 {
            assert!(jiujin_app::access::login_at(&app.store, "city", "nope nope!", &by, later).await.is_err());
        }
        assert!(jiujin_app::access::login_at(&app.store, "city", PASSWORD, &by, later).await.is_ok());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_or_unknown_token_gets_401_and_a_disabled_account_loses_its_token_and_session() {
    each_database(async |app: App| {
        let by = tester();
        let (id, token) = jiujin_app::access::create_token(&app.store, "wanzhou", "对接", None, &by).await.unwrap();
        let c = client();
        let url = format!("{}/api/v1/persons", app.base);
        let res = c.get(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label());
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["total"], 2, "{}: the token sees what 万州 staff see", app.label());
        // A token is not a login for the pages.
        let page = c.get(format!("{}/registry", app.base)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::SEE_OTHER, "{}", app.label());
        assert!(jiujin_store::access::revoke_token(&app.store, id, &by).await.unwrap());
        let res = c.get(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{}", app.label());
        let res = c.get(&url).bearer_auth("jj_00000000").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{}", app.label());
        assert_eq!(entries(&app, AuditAction::TokenRevoke).await.len(), 1, "{}", app.label());

        let (_, token) = jiujin_app::access::create_token(&app.store, "kaizhou", "", Some(30), &by).await.unwrap();
        let cookie = login(&app, "kaizhou", PASSWORD).await.unwrap();
        assert_eq!(c.get(&url).bearer_auth(&token).send().await.unwrap().status(), StatusCode::OK);
        assert!(jiujin_store::access::disable_user(&app.store, "kaizhou", &by).await.unwrap());
        assert_eq!(entries(&app, AuditAction::UserDisable).await.len(), 1, "{}", app.label());
        assert_eq!(c.get(&url).bearer_auth(&token).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        assert_eq!(get(&app, &cookie, "/registry").await.status(), StatusCode::SEE_OTHER, "{}", app.label());
        assert!(login(&app, "kaizhou", PASSWORD).await.is_err(), "{}", app.label());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_session_is_sent_back_to_login() {
    each_database(async |app: App| {
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &cookie, "/registry").await.status(), StatusCode::OK);
        use jiujin_store::sea_orm::{self, ConnectionTrait};
        let past = match app.store.backend() {
            sea_orm::DatabaseBackend::Postgres => "now() - interval '1 minute'",
            _ => "'2000-01-01T00:00:00+00:00'",
        };
        app.store.conn().execute_unprepared(&format!("UPDATE sessions SET expires_at = {past}")).await.unwrap();
        let res = get(&app, &cookie, "/registry").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.label());
        assert!(res.headers()["location"].to_str().unwrap().starts_with("/login"), "{}", app.label());
        let api = get(&app, &cookie, "/api/v1/persons").await;
        assert_eq!(api.status(), StatusCode::UNAUTHORIZED, "{}", app.label());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_are_bound_to_an_employer_or_a_person_as_their_role_requires() {
    each_database(async |app: App| {
        let by = tester();
        let err = |r: Result<_, jiujin_app::access::AccessError>| r.err().map(|e| e.to_string()).unwrap_or_default();
        let none = Binding::default();
        let e = err(add_account(&app.store, "emp2", PASSWORD, Role::Employer, none.clone(), &by).await);
        assert!(e.contains("统一社会信用代码"), "{e}");
        let bad = Binding { credit_code: Some("915001010000000001".into()), ..Default::default() };
        let e = err(add_account(&app.store, "emp2", PASSWORD, Role::Employer, bad, &by).await);
        assert!(e.contains("统一社会信用代码"), "{e}");
        let e = err(add_account(&app.store, "wk2", PASSWORD, Role::Worker, none, &by).await);
        assert!(e.contains("--person"), "{e}");
        let ghost = Binding { person_id: Some(999_999), ..Default::default() };
        let e = err(add_account(&app.store, "wk2", PASSWORD, Role::Worker, ghost, &by).await);
        assert!(e.contains("999999"), "{e}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_number_is_shown_only_with_a_reason_inside_the_scope_and_is_audited() {
    each_database(async |app: App| {
        let wan_er = person_id(&app, "万二").await;
        let kai = person_id(&app, "开三").await;
        let full = id("500101", 1981, 21);
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let page = get(&app, &cookie, &format!("/registry/{wan_er}")).await.text().await.unwrap();
        assert!(!page.contains(&full) && page.contains("显示完整号码"), "{}", app.label());
        let csrf = hidden(&page, "csrf");
        let post = |path: String, form: Vec<(&'static str, String)>| {
            let cookie = cookie.clone();
            let base = app.base.clone();
            async move { client().post(format!("{base}{path}")).header("cookie", cookie).form(&form).send().await.unwrap() }
        };
        // No reason: the field says why, nothing is shown or logged.
        let res = post(format!("/registry/{wan_er}/reveal"), vec![("csrf", csrf.clone()), ("reason", " ".into())]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", app.label());
        let html = res.text().await.unwrap();
        assert!(html.contains("请填写查看事由") && !html.contains(&full), "{}", app.label());
        assert!(entries(&app, AuditAction::IdentityReveal).await.is_empty());
        // The page shown again is still a read of the record, and audited as one.
        let reads = entries(&app, AuditAction::PersonRead).await;
        assert_eq!(reads.iter().filter(|e| e.detail["via"] == "reveal").count(), 1, "{}", app.label());
        // A forged form is refused.
        let res = post(format!("/registry/{wan_er}/reveal"), vec![("csrf", "x".into()), ("reason", "核对社保缴费".into())]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}", app.label());
        // With a reason: shown, not cached, and logged with the reason.
        let res = post(format!("/registry/{wan_er}/reveal"), vec![("csrf", csrf.clone()), ("reason", "核对社保缴费".into())]).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label());
        assert_eq!(res.headers()["cache-control"], "no-store");
        let html = res.text().await.unwrap();
        assert!(html.contains(&full) && html.contains("13812345678"), "{}", app.label());
        let logged = entries(&app, AuditAction::IdentityReveal).await;
        assert_eq!(logged.len(), 1, "{}", app.label());
        assert_eq!(logged[0].entity_id.as_deref(), Some(wan_er.to_string().as_str()));
        let detail = logged[0].detail.to_string();
        assert!(detail.contains("核对社保缴费") && !detail.contains(&full), "{detail}");
        // Outside the scope it does not exist.
        let res = post(format!("/registry/{kai}/reveal"), vec![("csrf", csrf.clone()), ("reason", "核对社保缴费".into())]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{}", app.label());
        // An auditor sees the page but may not reveal.
        let au = login(&app, "auditor", PASSWORD).await.unwrap();
        let page = get(&app, &au, &format!("/registry/{wan_er}")).await.text().await.unwrap();
        assert!(!page.contains("显示完整号码"), "{}", app.label());
        let au_csrf = hidden(&page, "csrf");
        let res = client()
            .post(format!("{}/registry/{wan_er}/reveal", app.base))
            .header("cookie", au)
            .form(&[("csrf", au_csrf.as_str()), ("reason", "核对社保缴费")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}", app.label());
        // The API: a bearer token with a reason; without one, 422 naming the field.
        let (_, token) = jiujin_app::access::create_token(&app.store, "wanzhou", "", None, &tester()).await.unwrap();
        let url = format!("{}/api/v1/persons/{wan_er}/reveal", app.base);
        let res = client().post(&url).bearer_auth(&token).json(&serde_json::json!({"reason": ""})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", app.label());
        let v: serde_json::Value = res.json().await.unwrap();
        assert_eq!(v["error"]["field"], "reason", "{v}");
        let res = client().post(&url).bearer_auth(&token).json(&serde_json::json!({"reason": "对接社保系统核验"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label());
        let v: serde_json::Value = res.json().await.unwrap();
        assert_eq!(v["id_number"], full.as_str(), "{v}");
        // A browser session calling the API must send its CSRF token.
        let res = client().post(&url).header("cookie", cookie.clone()).json(&serde_json::json!({"reason": "核对社保缴费"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}", app.label());
        assert_eq!(entries(&app, AuditAction::IdentityReveal).await.len(), 2, "{}", app.label());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unparseable_parameters_get_the_json_error_shape_naming_the_field() {
    each_database(async |app: App| {
        let cookie = login(&app, "city", PASSWORD).await.unwrap();
        let res = get(&app, &cookie, "/api/v1/persons?page=abc").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", app.label());
        let v: serde_json::Value = res.json().await.unwrap();
        assert_eq!(v["error"]["code"], "invalid_field", "{v}");
        assert_eq!(v["error"]["field"], "page", "{v}");
        // A parameter given twice is a parameter error too, naming it.
        let res = get(&app, &cookie, "/api/v1/imports?page=1&page=x").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", app.label());
        let v: serde_json::Value = res.json().await.unwrap();
        assert_eq!(v["error"]["field"], "page", "{v}");
        let res = get(&app, &cookie, "/api/v1/persons/abc").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", app.label());
        let v: serde_json::Value = res.json().await.unwrap();
        assert_eq!(v["error"]["field"], "id", "{v}");
        let (_, token) = jiujin_app::access::create_token(&app.store, "city", "", None, &tester()).await.unwrap();
        let url = format!("{}/api/v1/persons/1/reveal", app.base);
        let res = client().post(&url).bearer_auth(&token).body("{not json").header("content-type", "application/json");
        let res = res.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{}", app.label());
        let v: serde_json::Value = res.json().await.unwrap();
        assert_eq!(v["error"]["code"], "bad_request", "{v}");
        let res = client().post(&url).bearer_auth(&token).json(&serde_json::json!({"reason": 5})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", app.label());
        let v: serde_json::Value = res.json().await.unwrap();
        assert_eq!(v["error"]["field"], "reason", "{v}");
    })
    .await;
}

/// The keys of `value` against the schema `name` of the document: every key is a
/// declared property and every required property is there.
fn conforms(doc: &serde_json::Value, name: &str, value: &serde_json::Value) {
    let schema = &doc["components"]["schemas"][name];
    let props = schema["properties"].as_object().unwrap_or_else(|| panic!("schema {name}: {schema}"));
    let obj = value.as_object().unwrap();
    for k in obj.keys() {
        assert!(props.contains_key(k), "{name}: undeclared key {k}");
    }
    for r in schema["required"].as_array().into_iter().flatten() {
        assert!(obj.contains_key(r.as_str().unwrap()), "{name}: missing {r}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_openapi_document_describes_the_api_as_it_answers() {
    each_database(async |app: App| {
        let c = client();
        let doc: serde_json::Value =
            c.get(format!("{}/api/openapi.json", app.base)).send().await.unwrap().json().await.unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
        for path in ["/api/v1/persons", "/api/v1/persons/{id}", "/api/v1/persons/{id}/reveal"] {
            assert!(doc["paths"][path].is_object(), "{path} missing");
        }
        assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
        let (_, token) = jiujin_app::access::create_token(&app.store, "wanzhou", "", None, &tester()).await.unwrap();
        let list: serde_json::Value = c
            .get(format!("{}/api/v1/persons", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        conforms(&doc, "PersonList", &list);
        for item in list["items"].as_array().unwrap() {
            conforms(&doc, "PersonView", item);
        }
        let bad = c.get(format!("{}/api/v1/persons?page=x", app.base)).bearer_auth(&token).send().await.unwrap();
        conforms(&doc, "ErrorBody", &bad.json().await.unwrap());
        let wan_er = person_id(&app, "万二").await;
        let url = format!("{}/api/v1/persons/{wan_er}/reveal", app.base);
        let shown = c.post(&url).bearer_auth(&token).json(&serde_json::json!({"reason": "接口文档核对"})).send();
        conforms(&doc, "Revealed", &shown.await.unwrap().json().await.unwrap());
        // The Swagger UI page and its files come from the binary.
        let page = c.get(format!("{}/api/docs", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("/static/vendor/swagger-ui-bundle.js"), "{page}");
        let js = c.get(format!("{}/static/vendor/swagger-ui-bundle.js", app.base)).send().await.unwrap();
        assert_eq!(js.status(), StatusCode::OK);
        assert!(js.text().await.unwrap().len() > 1_000_000);
    })
    .await;
}

/// A person's page lists the person policies evaluated today on what the registry
/// holds: refused ones with the failed condition, and, once the person is recorded
/// as a returnee, the returnee subsidy as needing the facts the registry lacks.
#[tokio::test(flavor = "multi_thread")]
async fn a_persons_page_shows_the_policies_evaluated_on_the_registry() {
    each_database(async |app: App| {
        let id = person_id(&app, "万一").await;
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let page = get(&app, &cookie, &format!("/registry/{id}")).await.text().await.unwrap();
        let section = page.split("id=\"policies\"").nth(1).unwrap().split("<h2>时间线").next().unwrap().to_string();
        let refused = section.split("不符合的政策").nth(1).unwrap_or("");
        assert!(refused.contains("返乡创业一次性创业补贴"), "{}: not a returnee: {section}", app.label());
        assert!(refused.contains("✗ 申请人是返乡创业农民工"), "{}: the failed condition is named", app.label());
        assert!(!section.contains("business_start_date"), "facts are named in Chinese");

        // Recorded as a returnee: the subsidy now waits for the business facts.
        add_flag(&app, "万一", jiujin_domain::registry::GroupFlag::Returnee).await;
        let page = get(&app, &cookie, &format!("/registry/{id}")).await.text().await.unwrap();
        let section = page.split("id=\"policies\"").nth(1).unwrap().split("<h2>时间线").next().unwrap().to_string();
        let waiting = section.split("待补充信息（").nth(1).unwrap().split("不符合的政策").next().unwrap();
        assert!(waiting.contains("返乡创业一次性创业补贴"), "{}: {section}", app.label());
        assert!(waiting.contains("✓ 申请人是返乡创业农民工"), "{}", app.label());
        assert!(waiting.contains("待补充：创业实体登记开业日期"), "{}: {waiting}", app.label());

        // 市场监管 tells of the business: now decided, the facts shown with their source;
        // another district's staff see neither the person nor the facts.
        let fact = |fact: &str, value: &str, from: &str| jiujin_store::facts::NewFact {
            person_id: id,
            fact: fact.into(),
            value: value.into(),
            valid_from: chrono::NaiveDate::parse_from_str(from, "%Y-%m-%d").unwrap(),
            source: "市场监管".into(),
        };
        let facts = [
            fact("first_business", "true", "2020-05-01"),
            fact("business_operating", "true", "2020-05-01"),
            fact("business_start_date", "2020-05-01", "2020-05-01"),
        ];
        jiujin_store::facts::record(&app.store, &facts, &tester(), serde_json::json!({})).await.unwrap();
        let page = get(&app, &cookie, &format!("/registry/{id}")).await.text().await.unwrap();
        let section = page.split("id=\"policies\"").nth(1).unwrap().split("<h2>时间线").next().unwrap().to_string();
        let recorded = section.split("其他部门提供的事实（3）").nth(1).unwrap_or("");
        assert!(
            recorded.contains("创业实体登记开业日期") && recorded.contains("市场监管"),
            "{}: {section}",
            app.label()
        );
        let eligible = section.split("符合（").nth(1).unwrap_or("").split("待补充信息（").next().unwrap();
        assert!(eligible.contains("返乡创业一次性创业补贴") && eligible.contains("8000"), "{}: {section}", app.label());
        let other = login(&app, "kaizhou", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &other, &format!("/registry/{id}")).await.status(), StatusCode::NOT_FOUND);
    })
    .await;
}

/// A payout is a service on the person's timeline: proposed, then approved.
#[tokio::test(flavor = "multi_thread")]
async fn a_payout_appears_on_the_persons_timeline_when_proposed_and_when_decided() {
    each_database(async |app: App| {
        forms::propose_payouts(&app).await;
        let l = app.label();
        let id = person_id(&app, "万一").await;
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let timeline = |page: String| page.split("<h2>时间线").nth(1).unwrap_or("").to_string();
        let page = timeline(get(&app, &cookie, &format!("/registry/{id}")).await.text().await.unwrap());
        assert!(page.contains("政策服务") && page.contains("拟发放 500 元"), "{l}: {page}");
        assert!(!page.contains("已批准发放"), "{l}");
        let (mine, _, _) = jiujin_store::policy::payouts(
            &app.store,
            jiujin_store::Scope::City,
            &jiujin_store::policy::PayoutFilter { person_id: Some(id), ..Default::default() },
            0,
            10,
        )
        .await
        .unwrap();
        let scope = jiujin_store::Scope::City;
        let approve = jiujin_store::policy::Decision::Approve;
        jiujin_store::policy::decide(&app.store, scope, &[mine[0].id], approve, "核实无误", &tester()).await.unwrap();
        let page = timeline(get(&app, &cookie, &format!("/registry/{id}")).await.text().await.unwrap());
        assert!(page.contains("已批准发放 500 元，记入发放台账"), "{l}: {page}");
    })
    .await;
}

/// The policy library: searchable in Chinese, filtered by target and by how a policy
/// is obtained; an employer's list opens on the employer policies; a policy's page
/// shows its conditions, citations and dated parameter versions; an unknown id is 404.
#[tokio::test(flavor = "multi_thread")]
async fn the_policy_library_is_searchable_and_each_policy_shows_its_rules() {
    let db = TestDb::sqlite();
    let app = spawn_app(db).await;
    let staff = login(&app, "wanzhou", PASSWORD).await.unwrap();
    let all = get(&app, &staff, "/policies").await.text().await.unwrap();
    assert!(all.contains("返乡创业一次性创业补贴") && all.contains("一次性吸纳就业补贴"), "every target");
    let found = get(&app, &staff, "/policies?q=%E8%BF%94%E4%B9%A1+%E5%88%9B%E4%B8%9A").await.text().await.unwrap(); // 返乡 创业
    assert!(found.contains("返乡创业一次性创业补贴"));
    assert!(!found.contains("灵活就业社会保险补贴"), "every word must match");
    let by_employer = get(&app, &staff, "/policies?target=employer").await.text().await.unwrap();
    assert!(by_employer.contains("一次性吸纳就业补贴") && !by_employer.contains("返乡创业一次性创业补贴"));
    let applied = get(&app, &staff, "/policies?target=all&obtain=%E7%94%B3%E8%AF%B7").await.text().await.unwrap(); // 申请
    assert!(!applied.contains("返乡创业一次性创业补贴"), "that one is 直补快办");
    let res = get(&app, &staff, "/policies?target=nobody").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // An employer's list opens on what an employer may apply for (政策直达).
    let employer = login(&app, "someone", PASSWORD).await.unwrap();
    let page = get(&app, &employer, "/policies").await.text().await.unwrap();
    assert!(page.contains("一次性吸纳就业补贴") && !page.contains("返乡创业一次性创业补贴"), "{page}");

    let page = get(&app, &staff, "/policies/hiring-subsidy-2020").await.text().await.unwrap();
    assert!(page.contains("判定条件") && page.contains("〔2020〕"), "conditions with citations");
    assert!(page.contains("2020-12-31"), "its end date");
    let page = get(&app, &staff, "/policies/startup-guaranteed-loan").await.text().await.unwrap();
    assert!(page.contains("参数及各版本"), "dated parameters");
    assert_eq!(get(&app, &staff, "/policies/no-such-policy").await.status(), StatusCode::NOT_FOUND);
    let anonymous = client().get(format!("{}/policies", app.base)).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER, "signed-in users only");
}

/// The API gives the same evaluation as the page, inside the caller's scope, with
/// recorded facts and a named error for a bad date; the read is audited.
#[tokio::test(flavor = "multi_thread")]
async fn the_api_gives_a_persons_entitlements_with_reasons() {
    each_database(async |app: App| {
        let l = app.label();
        let id = person_id(&app, "万一").await;
        let facts = [jiujin_store::facts::NewFact {
            person_id: id,
            fact: "first_business".into(),
            value: "true".into(),
            valid_from: chrono::NaiveDate::from_ymd_opt(2020, 5, 1).unwrap(),
            source: "市场监管".into(),
        }];
        jiujin_store::facts::record(&app.store, &facts, &tester(), serde_json::json!({})).await.unwrap();
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let before = entries(&app, AuditAction::PersonRead).await.len();
        let res = get(&app, &cookie, &format!("/api/v1/persons/{id}/entitlements?date=2025-06-30")).await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        let v: serde_json::Value = res.json().await.unwrap();
        assert_eq!(v["date"], "2025-06-30", "{l}");
        assert_eq!(v["recorded_facts"][0]["label"], "首次创业", "{l}: {v}");
        let returnee =
            v["policies"].as_array().unwrap().iter().find(|p| p["policy"] == "returnee-startup-subsidy").unwrap();
        assert_eq!(returnee["status"], "not_eligible", "{l}: not a returnee");
        let failed = returnee["conditions"].as_array().unwrap().iter().find(|c| c["outcome"] == "failed").unwrap();
        assert!(
            failed["explain"].as_str().unwrap().contains("返乡创业农民工")
                && !failed["cite"].as_str().unwrap().is_empty()
        );
        assert_eq!(entries(&app, AuditAction::PersonRead).await.len(), before + 1, "{l}: audited");
        let bad = get(&app, &cookie, &format!("/api/v1/persons/{id}/entitlements?date=2025-02-30")).await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY, "{l}");
        let body: serde_json::Value = bad.json().await.unwrap();
        assert!(body.to_string().contains("date"), "{l}: {body}");
        let other = login(&app, "kaizhou", PASSWORD).await.unwrap();
        let res = get(&app, &other, &format!("/api/v1/persons/{id}/entitlements")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}: outside the scope");
    })
    .await;
}

/// The figure of the dashboard's activity table for `source` (`<a id="activity-…">n</a>`).
async fn activity(app: &App, cookie: &str, source: &str) -> i64 {
    let html = get(app, cookie, "/monitoring").await.text().await.unwrap();
    let at = html.find(&format!("id=\"activity-{source}\"")).unwrap_or_else(|| panic!("{source} on the dashboard"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest.find("</a>").unwrap();
    rest[start..end].trim().parse().unwrap()
}
