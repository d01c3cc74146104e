//! The registry's forms and files end to end: registering and changing a person
//! (errors next to the field, nothing written), unemployment registration, the
//! Excel export of a filter, the browser import with its rejects file, duplicate
//! decisions, and the idle timeout of sessions.

use super::*;

/// The session's form token, as its pages carry it.
pub(crate) async fn csrf(app: &App, cookie: &str) -> String {
    hidden(&get(app, cookie, "/registry").await.text().await.unwrap(), "csrf")
}

pub(crate) async fn post_form(app: &App, cookie: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client().post(format!("{}{path}", app.base)).header("cookie", cookie).form(form).send().await.unwrap()
}

async fn head(app: &App) -> u64 {
    jiujin_store::audit::verify(&app.store).await.unwrap().head_seq
}

/// The change form of 万二 as it is, with `changes` applied.
fn edit_form<'a>(token: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f =
        vec![("csrf", token), ("name", "万二"), ("hukou_region", "500101017"), ("status", "失业"), ("date", "")];
    for (k, v) in changes {
        f.retain(|(key, _)| key != k);
        f.push((k, v));
    }
    f
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_with_a_bad_field_is_shown_again_with_the_reason_and_a_good_one_is_recorded() {
    each_database(async |app| {
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let token = csrf(&app, &cookie).await;
        let id = person_id(&app, "万二").await;
        let form = get(&app, &cookie, &format!("/registry/{id}/edit")).await;
        assert_eq!(form.status(), StatusCode::OK, "{}", app.label());
        let html = form.text().await.unwrap();
        assert!(html.contains("138****5678"), "the phone is shown masked as the placeholder");
        assert!(!html.contains("13812345678"), "never in full");

        // Two bad fields: each reason is next to its field, and nothing is written.
        let before = head(&app).await;
        let bad = edit_form(&token, &[("phone", "12345"), ("status", "市内就业"), ("work_region", "")]);
        let res = post_form(&app, &cookie, &format!("/registry/{id}/edit"), &bad).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", app.label());
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"e-phone\""), "the phone's reason sits by the phone");
        assert!(html.contains("id=\"e-work_region\""), "{html}");
        assert!(html.contains("市内就业人员必须填写就业地区划代码"));
        assert!(html.contains("value=\"12345\""), "what was typed is kept");
        assert_eq!(head(&app).await, before, "{}: nothing recorded", app.label());
        let p = jiujin_store::registry::person(&app.store, jiujin_store::Scope::City, id).await.unwrap().unwrap();
        assert_eq!(p.state.status, jiujin_domain::registry::EmploymentStatus::Unemployed);

        // A good change: a new phone and a job in 万州.
        let good = edit_form(
            &token,
            &[("phone", "13998765432"), ("status", "市内就业"), ("work_region", "500101001"), ("industry", "E")],
        );
        let res = post_form(&app, &cookie, &format!("/registry/{id}/edit"), &good).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.label());
        assert_eq!(res.headers()["location"], format!("/registry/{id}?saved=2"));
        let page = get(&app, &cookie, &format!("/registry/{id}?saved=2")).await.text().await.unwrap();
        assert!(page.contains("139****5432"), "{}: the new phone, masked", app.label());
        assert!(page.contains("时间线新增2条记录"));
        let last = &entries(&app, AuditAction::PersonUpdate).await[0];
        assert_eq!(last.actor, "wanzhou");
        let changes = last.detail["changes"].as_array().unwrap();
        assert!(changes.iter().any(|c| c["field"] == "phone"), "the phone's change is in the log");
        assert!(!last.detail.to_string().contains("13998765432"), "but never the number");
        // The number itself was stored, not only its hash: revealing shows it.
        let res = post_form(
            &app,
            &cookie,
            &format!("/registry/{id}/reveal"),
            &[("csrf", &token), ("reason", "核对联系电话")],
        )
        .await
        .text()
        .await
        .unwrap();
        assert!(res.contains("13998765432"), "{}", app.label());
        // Searching by the new number finds the person.
        let found = get(&app, &cookie, "/registry?q=13998765432").await.text().await.unwrap();
        assert!(found.contains(&format!("/registry/{id}\"")), "{}", app.label());

        // An empty phone box keeps the number; the box to remove it removes it.
        let keep = edit_form(&token, &[("status", "市内就业"), ("work_region", "500101001"), ("industry", "E")]);
        let res = post_form(&app, &cookie, &format!("/registry/{id}/edit"), &keep).await;
        assert_eq!(res.headers()["location"], format!("/registry/{id}?saved=0"), "{}", app.label());
        let mut remove = keep.clone();
        remove.push(("remove_phone", "1"));
        post_form(&app, &cookie, &format!("/registry/{id}/edit"), &remove).await;
        let p = jiujin_store::registry::person(&app.store, jiujin_store::Scope::City, id).await.unwrap().unwrap();
        assert_eq!((p.state.phone_digest, p.phone_cipher), (None, None), "{}", app.label());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_editing_roles_inside_their_scope_with_the_form_token_may_change_a_person() {
    each_database(async |app| {
        let kai = person_id(&app, "开三").await;
        let wan = person_id(&app, "万二").await;
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let token = csrf(&app, &cookie).await;
        let before = head(&app).await;
        // Another district's person: absent, for the form and for the change.
        assert_eq!(get(&app, &cookie, &format!("/registry/{kai}/edit")).await.status(), StatusCode::NOT_FOUND);
        let form = [("csrf", token.as_str()), ("name", "开三"), ("hukou_region", "500101"), ("status", "失业")];
        let res = post_form(&app, &cookie, &format!("/registry/{kai}/edit"), &form).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{}", app.label());
        // Without the form token: refused.
        let res = post_form(&app, &cookie, &format!("/registry/{wan}/edit"), &edit_form("", &[])).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        // Roles that do not edit the registry find no form.
        for user in ["auditor", "inspector", "worker"] {
            let c = login(&app, user, PASSWORD).await.unwrap();
            let t = csrf(&app, &c).await;
            let target = if user == "worker" { person_id(&app, "万一").await } else { wan };
            assert_eq!(
                get(&app, &c, &format!("/registry/{target}/edit")).await.status(),
                StatusCode::NOT_FOUND,
                "{user}"
            );
            let res = post_form(&app, &c, &format!("/registry/{target}/edit"), &edit_form(&t, &[])).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{user}");
            assert_eq!(get(&app, &c, "/registry/new").await.status(), StatusCode::NOT_FOUND, "{user}");
            assert_eq!(get(&app, &c, "/registry/import").await.status(), StatusCode::NOT_FOUND, "{user}");
        }
        let p = jiujin_store::registry::person(&app.store, jiujin_store::Scope::City, kai).await.unwrap().unwrap();
        assert_eq!(p.state.hukou_region.short(), "500154001001", "{}: unchanged", app.label());
        // Only the logins of this test were recorded.
        let changes = entries(&app, AuditAction::PersonUpdate).await;
        assert!(changes.iter().all(|e| e.seq <= before), "{}: no change recorded", app.label());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_is_registered_once_and_only_inside_the_scope() {
    each_database(async |app| {
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let token = csrf(&app, &cookie).await;
        assert_eq!(get(&app, &cookie, "/registry/new").await.status(), StatusCode::OK);
        let number = id("500101", 1990, 41);
        let form = |hukou: &'static str, number: &str| {
            vec![
                ("csrf".to_string(), token.clone()),
                ("name".to_string(), "万新".to_string()),
                ("id_number".to_string(), number.to_string()),
                ("phone".to_string(), "13700001111".to_string()),
                ("hukou_region".to_string(), hukou.to_string()),
                ("status".to_string(), "自主创业".to_string()),
                ("flags".to_string(), "脱贫人口".to_string()),
                ("flags".to_string(), "返乡人员".to_string()),
                ("insurance".to_string(), "养老".to_string()),
                ("date".to_string(), "2025-05-01".to_string()),
            ]
        };
        let post = |f: Vec<(String, String)>| {
            let c = cookie.clone();
            let base = app.base.clone();
            async move { client().post(format!("{base}/registry/new")).header("cookie", c).form(&f).send().await.unwrap() }
        };
        // Outside 万州: refused at the hukou field.
        let res = post(form("500154001001", &number)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", app.label());
        assert!(res.text().await.unwrap().contains("id=\"e-hukou_region\""));
        // A bad number: refused at its field.
        let res = post(form("500101001001", "500101199003041234")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("id=\"e-id_number\""));
        // Inside: registered, with its 登记 event dated as asked, and audited.
        let res = post(form("500101001001", &number)).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.label());
        let id: i64 =
            res.headers()["location"].to_str().unwrap().trim_start_matches("/registry/").split('?').next().unwrap().parse().unwrap();
        let p = jiujin_store::registry::person(&app.store, jiujin_store::Scope::City, id).await.unwrap().unwrap();
        assert_eq!(p.state.flags.to_labels(), "脱贫人口,返乡人员", "{}", app.label());
        assert_eq!(p.status_since.to_string(), "2025-05-01");
        let t = jiujin_store::registry::timeline(&app.store, jiujin_store::Scope::City, id).await.unwrap().unwrap();
        assert_eq!((t.len(), t[0].date.to_string()), (1, "2025-05-01".to_string()));
        let created = &entries(&app, AuditAction::PersonCreate).await[0];
        assert_eq!((created.actor.as_str(), created.entity_id.clone()), ("wanzhou", Some(id.to_string())));
        // The same number again: refused, naming the existing record.
        let res = post(form("500101001001", &number)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains(&format!("人员编号 {id}")), "{}", app.label());
        // 开州's staff learn only that it is registered elsewhere.
        let kc = login(&app, "kaizhou", PASSWORD).await.unwrap();
        let kt = csrf(&app, &kc).await;
        let mut f = form("500154001001", &number);
        f[0].1 = kt;
        let res = client().post(format!("{}/registry/new", app.base)).header("cookie", &kc).form(&f).send().await.unwrap();
        let html = res.text().await.unwrap();
        assert!(html.contains("已由其他区县登记") && !html.contains(&format!("人员编号 {id}")), "{}", app.label());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unemployment_is_registered_only_when_every_condition_is_confirmed() {
    each_database(async |app| {
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let token = csrf(&app, &cookie).await;
        let id = person_id(&app, "万二").await;
        // First employ 万二, then register the unemployment.
        let job = edit_form(&token, &[("status", "市内就业"), ("work_region", "500101001")]);
        post_form(&app, &cookie, &format!("/registry/{id}/edit"), &job).await;
        let path = format!("/registry/{id}/unemployment");
        let res = post_form(&app, &cookie, &path, &[("csrf", &token), ("date", ""), ("able_to_work", "1")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", app.label());
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"ue-wants_work\"") && html.contains("id=\"ue-without_work\""), "{html}");
        assert!(!html.contains("id=\"ue-able_to_work\""));
        let all =
            [("csrf", token.as_str()), ("date", ""), ("able_to_work", "1"), ("wants_work", "1"), ("without_work", "1")];
        let res = post_form(&app, &cookie, &path, &all).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.label());
        let p = jiujin_store::registry::person(&app.store, jiujin_store::Scope::City, id).await.unwrap().unwrap();
        assert_eq!(p.state.status, jiujin_domain::registry::EmploymentStatus::Unemployed);
        assert_eq!(p.state.unemployed_since, Some(chrono::Utc::now().date_naive()));
        assert!(p.state.needs.contains(jiujin_domain::registry::ServiceNeed::JobSeeking));
        assert_eq!(p.state.work_region, None);
        // Twice is refused.
        let res = post_form(&app, &cookie, &path, &all).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("无须重复登记"));
    })
    .await;
}

pub(crate) fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_export_holds_the_filtered_people_masked_unless_a_reason_is_given_and_is_audited() {
    each_database(async |app| {
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let res = get(&app, &cookie, "/registry/export.xlsx?status=unemployed").await;
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label());
        assert!(res.headers()["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''"));
        let rows = xlsx_rows(&res.bytes().await.unwrap());
        assert_eq!(rows[0][0], "姓名");
        let names: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(names, ["万一", "万二"], "{}: 万州 only", app.label());
        assert!(rows[1][1].contains("********"), "masked: {}", rows[1][1]);
        assert_eq!(rows[2][2], "138****5678");
        let e = &entries(&app, AuditAction::ExportRun).await[0];
        assert_eq!((e.detail["rows"].as_u64(), e.detail["numbers"].as_str()), (Some(2), Some("脱敏")));
        assert_eq!(e.detail["filter"]["status"], "unemployed");
        // Drilling down to a town narrows the export too.
        let res = get(&app, &cookie, "/registry/export.xlsx?region=500101&town=500101017").await;
        let rows = xlsx_rows(&res.bytes().await.unwrap());
        assert_eq!(rows.len(), 2, "{}: header and 万二", app.label());

        // In full: only with a reason, and the reason is kept.
        let token = csrf(&app, &cookie).await;
        let res = post_form(&app, &cookie, "/registry/export", &[("csrf", &token), ("reason", "")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let form = [("csrf", token.as_str()), ("reason", "移交区社保局核对"), ("q", "万二")];
        let res = post_form(&app, &cookie, "/registry/export", &form).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label());
        let rows = xlsx_rows(&res.bytes().await.unwrap());
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[1][1].len(), rows[1][2].as_str()), (18, "13812345678"), "{}", app.label());
        let e = &entries(&app, AuditAction::ExportRun).await[0];
        assert_eq!(
            (e.detail["numbers"].as_str(), e.detail["reason"].as_str()),
            (Some("完整"), Some("移交区社保局核对"))
        );
        // An auditor may export masked lists but not numbers in full.
        let ac = login(&app, "auditor", PASSWORD).await.unwrap();
        let at = csrf(&app, &ac).await;
        let res = post_form(&app, &ac, "/registry/export", &[("csrf", &at), ("reason", "移交区社保局核对")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}", app.label());
        // 开州's staff export none of 万州's people.
        let kc = login(&app, "kaizhou", PASSWORD).await.unwrap();
        let rows = xlsx_rows(&get(&app, &kc, "/registry/export.xlsx?region=500101").await.bytes().await.unwrap());
        assert_eq!(rows.len(), 1, "{}: the header only", app.label());
    })
    .await;
}

async fn upload(app: &App, cookie: &str, token: &str, name: &str, body: String) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(body.into_bytes()).file_name(name.to_string());
    let form =
        reqwest::multipart::Form::new().text("csrf", token.to_string()).text("as_of", "2025-07-01").part("file", part);
    client()
        .post(format!("{}/registry/import", app.base))
        .header("cookie", cookie)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_uploaded_file_is_imported_inside_the_scope_and_its_rejects_go_back_to_the_uploader() {
    each_database(async |app| {
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let token = csrf(&app, &cookie).await;
        let header = jiujin_domain::registry::header_row().join(",");
        let rows = [
            format!("万四,{},,500101001001,,失业,,,,,,,,,,,,", id("500101", 1983, 51)),
            format!("万五,{},,500101001001,,外出,,,,,,,,,,,,", id("500101", 1984, 61)),
            format!("开六,{},,500154001001,,失业,,,,,,,,,,,,", id("500154", 1985, 71)),
            format!("万二,{},13812345678,500101017,,灵活就业,,,,,,,,,,,,", id("500101", 1981, 21)),
        ];
        let body = format!("{header}\n{}\n", rows.join("\n"));
        let res = upload(&app, &cookie, &token, "村里的名单.csv", body.clone()).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label());
        let html = res.text().await.unwrap();
        let count = |id: &str| {
            let marker = format!("<dd id=\"{id}\">");
            html[html.find(&marker).unwrap() + marker.len()..].split('<').next().unwrap().to_string()
        };
        assert_eq!((count("inserted"), count("updated"), count("rejected")), ("1".into(), "1".into(), "2".into()));
        assert!(html.contains("不在本账号的管辖范围内"), "{}: 开六 is 开州's", app.label());
        let link = html.split("href=\"/registry/imports/").nth(1).unwrap().split('"').next().unwrap().to_string();
        // The uploader gets the rejects with their reasons; anyone else finds nothing.
        let res = get(&app, &cookie, &format!("/registry/imports/{link}")).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label());
        let rows = xlsx_rows(&res.bytes().await.unwrap());
        assert_eq!(rows.len(), 3, "header and two rejects");
        assert_eq!((rows[1][0].as_str(), rows[1][1].as_str()), ("3", "就业状态"));
        assert!(rows[2][2].contains("管辖范围"));
        let other = login(&app, "city", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &other, &format!("/registry/imports/{link}")).await.status(), StatusCode::NOT_FOUND);
        let run = link.split('/').next().unwrap();
        assert_eq!(get(&app, &cookie, &format!("/registry/imports/{run}")).await.status(), StatusCode::OK);
        assert_eq!(get(&app, &other, &format!("/registry/imports/{run}")).await.status(), StatusCode::NOT_FOUND);
        // The run is one audit entry with the file's name and counts, by the uploader.
        let e = &entries(&app, AuditAction::ImportRun).await[0];
        assert_eq!(e.actor, "wanzhou", "{}", app.label());
        // The same file again changes nothing: the good rows are unchanged.
        let again = upload(&app, &cookie, &token, "村里的名单.csv", body).await.text().await.unwrap();
        for (id, want) in [("inserted", "0"), ("updated", "0"), ("unchanged", "2"), ("rejected", "2")] {
            let marker = format!("<dd id=\"{id}\">");
            let got = again[again.find(&marker).unwrap() + marker.len()..].split('<').next().unwrap();
            assert_eq!(got, want, "{}: {id} on the second upload", app.label());
        }
        // A file that is not a worker file is refused with a message, nothing imported.
        let res = upload(&app, &cookie, &token, "x.csv", "甲,乙\n1,2\n".into()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("无法导入"));
        let res = upload(&app, &cookie, &token, "x.pdf", "%PDF".into()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // Without the form token: refused.
        let res = upload(&app, &cookie, "", "村里的名单.csv", "姓名\n".into()).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}", app.label());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_decision_is_recorded_and_takes_the_pair_off_the_queue() {
    each_database(async |app| {
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let token = csrf(&app, &cookie).await;
        // Two records of 万二 with the same birth date and phone, different numbers.
        let twin = id("500101", 1981, 23);
        let form = [
            ("csrf", token.as_str()),
            ("name", "万二"),
            ("id_number", twin.as_str()),
            ("phone", "13812345678"),
            ("hukou_region", "500101017"),
            ("status", "失业"),
        ];
        assert_eq!(post_form(&app, &cookie, "/registry/new", &form).await.status(), StatusCode::SEE_OTHER);
        let page = get(&app, &cookie, "/registry/duplicates").await.text().await.unwrap();
        let a = hidden(&page, "a");
        let b = hidden(&page, "b");
        // 开州's staff cannot decide on 万州's pair.
        let kc = login(&app, "kaizhou", PASSWORD).await.unwrap();
        let kt = csrf(&app, &kc).await;
        let decide =
            |t: &str| vec![("csrf", t.to_string()), ("a", a.clone()), ("b", b.clone()), ("decision", "2".into())];
        let res = client()
            .post(format!("{}/registry/duplicates/review", app.base))
            .header("cookie", &kc)
            .form(&decide(&kt))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{}", app.label());
        let res = client()
            .post(format!("{}/registry/duplicates/review", app.base))
            .header("cookie", &cookie)
            .form(&decide(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.label());
        let page = get(&app, &cookie, "/registry/duplicates?done=1").await.text().await.unwrap();
        assert!(page.contains("已记录核实结果") && page.contains("没有待核实的疑似重复人员"), "{}", app.label());
        let e = &entries(&app, AuditAction::DuplicateReview).await[0];
        assert_eq!((e.actor.as_str(), e.detail["decision_label"].as_str()), ("wanzhou", Some("不同人")));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_left_idle_for_thirty_minutes_ends() {
    each_database(async |app| {
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let token = cookie.trim_start_matches("jiujin_session=").to_string();
        let now = chrono::Utc::now();
        let at = |m: i64| jiujin_app::access::session_at(&app.store, &token, now + chrono::Duration::minutes(m));
        assert!(at(29).await.unwrap().is_some(), "{}", app.label());
        // Used at minute 29, it lives until minute 59.
        assert!(at(58).await.unwrap().is_some(), "{}", app.label());
        assert!(at(89).await.unwrap().is_none(), "{}: idle for 31 minutes", app.label());
        // Once ended it stays ended.
        assert_eq!(get(&app, &cookie, "/registry").await.status(), StatusCode::SEE_OTHER);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_a_trusted_proxy_the_forwarded_address_is_logged() {
    each_database(async |app| {
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let id = person_id(&app, "万二").await;
        client()
            .get(format!("{}/registry/{id}", app.base))
            .header("cookie", &cookie)
            .header("x-forwarded-for", "1.2.3.4, 203.0.113.9")
            .send()
            .await
            .unwrap();
        let read = &entries(&app, AuditAction::PersonRead).await[0];
        assert_eq!(read.address.as_deref(), Some("203.0.113.9"), "{}", app.label());
    })
    .await;
}

/// A test policy the registry alone decides (500 yuan a year per 低保 household),
/// run over 万州 and 开州 after marking 万一 and 开三 as 低保.
pub(crate) async fn propose_payouts(app: &App) {
    const POLICY: &str = include_str!("../../../../tests/fixtures/test-dibao-allowance.toml");
    let lib = jiujin_domain::policy::Library::load(&[("test-dibao-allowance.toml", POLICY)]).unwrap();
    for name in ["万一", "开三"] {
        super::add_flag(app, name, jiujin_domain::registry::GroupFlag::Dibao).await;
    }
    for region in ["500101", "500154"] {
        let req = jiujin_app::policy::RunRequest {
            library: &lib,
            policies: jiujin_app::policy::Which::One("test-dibao-allowance"),
            region: RegionCode::parse(region).unwrap(),
            date: chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
            by: tester(),
            page_size: 100,
            cancel: None,
            progress: None,
        };
        let s = jiujin_app::policy::run_batch(&app.store, req).await.unwrap();
        assert_eq!(s.counts.proposed, 1, "{region}");
    }
}

/// 免申即享 review: staff see and decide only their district's proposals, with the
/// form token and a reason; an approved payout reaches the ledger once; roles that
/// do not edit the registry may not decide.
#[tokio::test(flavor = "multi_thread")]
async fn staff_approve_their_districts_proposed_payouts_with_a_reason() {
    each_database(async |app| {
        propose_payouts(&app).await;
        let l = app.label();
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let page = get(&app, &cookie, "/policies/payouts").await.text().await.unwrap();
        assert!(page.contains("万一") && !page.contains("开三"), "{l}: {page}");
        assert!(page.contains("500101********"), "{l}: masked numbers");
        let mine = jiujin_store::policy::payouts(
            &app.store,
            jiujin_store::Scope::Region(RegionCode::parse("500101").unwrap()),
            &Default::default(),
            0,
            10,
        )
        .await
        .unwrap()
        .0;
        let theirs = jiujin_store::policy::payouts(
            &app.store,
            jiujin_store::Scope::Region(RegionCode::parse("500154").unwrap()),
            &Default::default(),
            0,
            10,
        )
        .await
        .unwrap()
        .0;
        let (mine, theirs) = (mine[0].id.to_string(), theirs[0].id.to_string());
        let token = csrf(&app, &cookie).await;
        // Without the form token, or without a reason: refused.
        let res = post_form(
            &app,
            &cookie,
            "/policies/payouts/decide",
            &[("ids", &mine), ("decision", "approve"), ("reason", "核实无误")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{l}");
        let res = post_form(
            &app,
            &cookie,
            "/policies/payouts/decide",
            &[("csrf", &token), ("ids", &mine), ("decision", "approve")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{l}");
        // Another district's payout is not decided; their own is, once.
        let both = [
            ("csrf", token.as_str()),
            ("ids", &theirs),
            ("ids", &mine),
            ("decision", "approve"),
            ("reason", "核实无误"),
        ];
        let res = post_form(&app, &cookie, "/policies/payouts/decide", &both).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}");
        let to = res.headers()["location"].to_str().unwrap().to_string();
        assert!(to.ends_with("decided=1"), "{l}: {to}");
        let res = post_form(&app, &cookie, "/policies/payouts/decide", &both).await;
        assert!(res.headers()["location"].to_str().unwrap().ends_with("decided=0"), "{l}: already decided");
        let ledger = jiujin_store::policy::ledger(&app.store, jiujin_store::Scope::City).await.unwrap();
        assert_eq!(ledger.len(), 1, "{l}");
        assert_eq!(ledger[0].1.id.to_string(), mine, "{l}");
        let approved = get(&app, &cookie, "/policies/payouts?status=approved").await.text().await.unwrap();
        assert!(approved.contains("已批准") && approved.contains("核实无误"), "{l}");
        // The monitoring dashboard counts it in this month's approved payouts.
        assert_eq!(super::activity(&app, &cookie, "approved_payouts").await, 1, "{l}");
        // Roles that do not edit the registry cannot decide.
        for user in ["auditor", "inspector"] {
            let c = login(&app, user, PASSWORD).await.unwrap();
            let t = csrf(&app, &c).await;
            let form = [("csrf", t.as_str()), ("ids", &theirs), ("decision", "approve"), ("reason", "核实无误")];
            let res = post_form(&app, &c, "/policies/payouts/decide", &form).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}: {user}");
        }
        assert_eq!(jiujin_store::policy::ledger(&app.store, jiujin_store::Scope::City).await.unwrap().len(), 1);
        // The person's page lists the payout with its decision.
        let wan_yi = person_id(&app, "万一").await;
        let page = get(&app, &cookie, &format!("/registry/{wan_yi}")).await.text().await.unwrap();
        let record = page.split("免申即享记录").nth(1).unwrap_or("");
        assert!(record.contains("已批准") && record.contains("2025"), "{l}: {record}");
        // The display copy of the ledger: staff download it; an auditor finds nothing.
        let res = get(&app, &cookie, "/policies/payouts/ledger.xlsx").await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        assert!(res.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"), "{l}");
        assert!(res.bytes().await.unwrap().starts_with(b"PK"), "{l}: an xlsx (zip) file");
        let auditor = login(&app, "auditor", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &auditor, "/policies/payouts/ledger.xlsx").await.status(), StatusCode::NOT_FOUND);
    })
    .await;
}

/// A 直补快办 payout to a 返乡创业园区 (run over the parks register) is listed under the
/// park's name and place, to its district's staff only.
#[tokio::test(flavor = "multi_thread")]
async fn a_parks_payout_is_listed_by_its_name_in_its_district_only() {
    each_database(async |app| {
        let l = app.label();
        let refdata = jiujin_domain::refdata::RefData::embedded().unwrap();
        let lib = jiujin_domain::policy::Library::embedded().unwrap();
        let wanzhou = jiujin_store::Scope::Region(RegionCode::parse("500101").unwrap());
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let by = tester();
        let park = jiujin_app::startups::create_park(
            &app.store,
            refdata,
            wanzhou,
            "万州返乡创业园",
            "500101001",
            true,
            "2024-01-01",
            today,
            &by,
        )
        .await
        .unwrap();
        jiujin_app::startups::evaluate(&app.store, lib, wanzhou, park, "2025", "优", today, &by).await.unwrap();
        let req = jiujin_app::policy::RunRequest {
            library: lib,
            policies: jiujin_app::policy::Which::One("startup-park-subsidy"),
            region: RegionCode::parse("500101").unwrap(),
            date: today,
            by,
            page_size: 100,
            cancel: None,
            progress: None,
        };
        let s = jiujin_app::policy::run_batch(&app.store, req).await.unwrap();
        assert_eq!(s.counts.proposed, 1, "{l}");
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let page = get(&app, &cookie, "/policies/payouts").await.text().await.unwrap();
        let row = page.split("万州返乡创业园").nth(1).unwrap_or("");
        assert!(row.contains("万州区") && row.contains("返乡创业园区") && row.contains("300000"), "{l}: {page}");
        let other = login(&app, "kaizhou", PASSWORD).await.unwrap();
        let page = get(&app, &other, "/policies/payouts").await.text().await.unwrap();
        assert!(!page.contains("万州返乡创业园"), "{l}: another district's park");
        // The park policy's what-if: 优 raised to 400,000 元, the park gains 100,000 元.
        let ask = "/policies/startup-park-subsidy/what-if?param=excellent&value=400000%E5%85%83&region=500101&date=2026-03-01";
        let page = get(&app, &cookie, ask).await.text().await.unwrap();
        let gainers = page.split(r#"id="gainers""#).nth(1).unwrap_or("");
        assert!(gainers.contains("万州返乡创业园") && gainers.contains("返乡创业园区"), "{l}: {page}");
    })
    .await;
}

/// The inbox: an account subscribes by tag or target with the form token, sees and
/// removes only its own subscriptions, and marks its notices read.
#[tokio::test(flavor = "multi_thread")]
async fn an_account_manages_its_own_subscriptions_and_reads_its_notices() {
    let app = spawn_app(TestDb::sqlite()).await;
    let me = jiujin_store::access::user_by_name(&app.store, "wanzhou").await.unwrap().unwrap().0.id;
    let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
    let token = csrf(&app, &cookie).await;
    let sub = [("csrf", token.as_str()), ("action", "subscribe"), ("tag", "返乡创业"), ("target", "")];
    assert_eq!(post_form(&app, &cookie, "/inbox", &sub).await.status(), StatusCode::SEE_OTHER);
    let page = get(&app, &cookie, "/inbox").await.text().await.unwrap();
    assert!(page.contains("返乡创业 · 任何对象"), "{page}");
    // Without the token, or with nothing to subscribe to: refused.
    let res = post_form(&app, &cookie, "/inbox", &[("csrf", "x"), ("action", "subscribe"), ("tag", "a")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = post_form(&app, &cookie, "/inbox", &[("csrf", &token), ("action", "subscribe"), ("tag", "")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Another account cannot remove it.
    let mine = jiujin_store::notices::subscriptions(&app.store, me).await.unwrap();
    let id = mine.first().map(|s| s.id.to_string()).unwrap();
    let other = login(&app, "kaizhou", PASSWORD).await.unwrap();
    let t = csrf(&app, &other).await;
    let res = post_form(&app, &other, "/inbox", &[("csrf", &t), ("action", "unsubscribe"), ("id", &id)]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A notice, shown as unread, then read.
    jiujin_store::notices::notify(
        app.store.conn(),
        &[2],
        "policy.new",
        "新增政策：测试",
        "测试正文",
        Some("/policies"),
    )
    .await
    .unwrap();
    let page = get(&app, &cookie, "/inbox").await.text().await.unwrap();
    assert!(page.contains("新增政策：测试") && page.contains("未读 1 条"), "{page}");
    let res = post_form(&app, &cookie, "/inbox", &[("csrf", &token), ("action", "read")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(get(&app, &cookie, "/inbox").await.text().await.unwrap().contains("未读 0 条"));
    let res = post_form(&app, &cookie, "/inbox", &[("csrf", &token), ("action", "unsubscribe"), ("id", &id)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(jiujin_store::notices::subscriptions(&app.store, me).await.unwrap().is_empty());
}
