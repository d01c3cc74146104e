//! 监测: the dashboard's API answers from the counters by hukou region, scoped to the
//! caller's region (another district, the city above a district, and roles without
//! the dashboards get 404); a change of status shows in the flows, the 四清 and the
//! near-home progress at once; the page and its Excel export open.

use super::*;
use jiujin_store::Scope;

/// 万一 (registered 失业 in June 2025) finds a 制造业 job in 万州 on 2025-07-01.
async fn wan_yi_works_in_wanzhou_from_july_2025(app: &App) {
    let id = person_id(app, "万一").await;
    let p = jiujin_store::registry::person(&app.store, Scope::City, id).await.unwrap().unwrap();
    let mut s = p.state.clone();
    s.status = jiujin_domain::registry::EmploymentStatus::LocalEmployed;
    s.work_region = Some(RegionCode::parse("500101001").unwrap());
    s.industry = Some("C".into());
    let july = chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
    jiujin_store::registry::apply_change(
        &app.store,
        Scope::City,
        id,
        &s,
        None,
        july,
        jiujin_domain::registry::EventSource::Staff,
        &tester(),
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_counts_by_hukou_inside_the_callers_region() {
    each_database(async |app: App| {
        let l = app.label();
        let city = login(&app, "city", PASSWORD).await.unwrap();
        let j: serde_json::Value = get(&app, &city, "/api/v1/monitoring/status").await.json().await.unwrap();
        let items = j["items"].as_array().unwrap();
        assert_eq!(items.len(), 38, "{l}: {j}");
        let wz = items.iter().find(|r| r["region"] == "500101").unwrap();
        assert_eq!(wz["total"], 2, "{l}: {wz}");
        let unemployed = wz["counts"].as_array().unwrap().iter().find(|c| c["key"] == "unemployed").unwrap();
        assert_eq!(unemployed["n"], 2, "{l}");
        assert_eq!(items.iter().find(|r| r["region"] == "500154").unwrap()["total"], 1, "{l}");

        // A district's staff: its towns by default; another district or the city: 404.
        let wanzhou = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let j: serde_json::Value = get(&app, &wanzhou, "/api/v1/monitoring/status").await.json().await.unwrap();
        let towns = j["items"].as_array().unwrap();
        assert!(towns.iter().all(|t| t["region"].as_str().unwrap().starts_with("500101")), "{l}");
        assert_eq!(towns.iter().map(|t| t["total"].as_i64().unwrap()).sum::<i64>(), 2, "{l}");
        for path in ["/api/v1/monitoring/status?region=500154", "/api/v1/monitoring/flows?region=500000"] {
            assert_eq!(get(&app, &wanzhou, path).await.status(), 404, "{l}: {path}");
        }
        for who in ["worker", "inspector", "auditor", "grid"] {
            let c = login(&app, who, PASSWORD).await.unwrap();
            assert_eq!(get(&app, &c, "/api/v1/monitoring/status").await.status(), 404, "{l}: {who}");
            assert_eq!(get(&app, &c, "/monitoring").await.status(), 404, "{l}: {who}");
        }
        assert_eq!(get(&app, &city, "/api/v1/monitoring/status?month=2025-13").await.status(), 422, "{l}");
        assert_eq!(get(&app, &city, "/api/v1/monitoring/status?region=440300").await.status(), 422, "{l}");

        // 万一 finds a job in 万州 in July: a new near-home job, in the flows, the 四清
        // and the progress of the district group.
        wan_yi_works_in_wanzhou_from_july_2025(&app).await;
        let j: serde_json::Value =
            get(&app, &wanzhou, "/api/v1/monitoring/flows?from=2025-01&to=2025-12").await.json().await.unwrap();
        let months = j["months"].as_array().unwrap();
        assert_eq!(months.len(), 12, "{l}");
        assert_eq!(months[5]["registered"], 2, "{l}: {j}");
        assert_eq!(months[6]["near_home_new"], 1, "{l}: {j}");
        let j: serde_json::Value =
            get(&app, &wanzhou, "/api/v1/monitoring/four-clears?region=500101").await.json().await.unwrap();
        let local = j["status"].as_array().unwrap().iter().find(|c| c["key"] == "local").unwrap();
        assert_eq!((j["persons"].as_i64(), local["n"].as_i64()), (Some(2), Some(1)), "{l}: {j}");
        // At the end of June nobody worked yet.
        let j: serde_json::Value = get(&app, &wanzhou, "/api/v1/monitoring/four-clears?region=500101&month=2025-06")
            .await
            .json()
            .await
            .unwrap();
        let local = j["status"].as_array().unwrap().iter().find(|c| c["key"] == "local").unwrap();
        assert_eq!(local["n"], 0, "{l}: {j}");
        let j: serde_json::Value =
            get(&app, &city, "/api/v1/monitoring/progress?year=2025").await.json().await.unwrap();
        assert_eq!(j["done"], 1, "{l}: {j}");
        assert_eq!(j["groups"].as_array().unwrap().len(), 17, "{l}");
        let manufacturing = j["industries"].as_array().unwrap().iter().find(|r| r["name"] == "制造业").unwrap();
        assert_eq!(manufacturing["done"], 1, "{l}: {j}");
        // A district sees its own group only.
        let j: serde_json::Value =
            get(&app, &wanzhou, "/api/v1/monitoring/progress?year=2025").await.json().await.unwrap();
        assert_eq!((j["groups"].as_array().unwrap().len(), j["done"].as_i64()), (1, Some(1)), "{l}: {j}");

        // The page and its export.
        let html = get(&app, &city, "/monitoring").await.text().await.unwrap();
        assert!(html.contains("监测看板") && html.contains("万州区") && html.contains("dash-data"), "{l}");
        let html = get(&app, &wanzhou, "/monitoring?region=500101001").await.text().await.unwrap();
        assert!(html.contains("四清"), "{l}");
        let kaizhou = login(&app, "kaizhou", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &kaizhou, "/monitoring?region=500101").await.status(), 404, "{l}");
        let x = get(&app, &city, "/monitoring/export?region=500101").await;
        assert_eq!(x.status(), 200, "{l}");
        assert!(x.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"), "{l}");
        let bytes = x.bytes().await.unwrap();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        use calamine::Reader as _;
        assert_eq!(book.sheet_names(), vec!["就业状态", "参保情况", "月度流动", "四清", "目标进度", "其他目标"], "{l}");
        let flows = book.worksheet_range("月度流动").unwrap();
        let text = |c: &calamine::Data| c.to_string();
        assert!(flows.rows().any(|r| text(&r[0]) == "2025-07" && text(&r[3]) == "1"), "{l}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_district_reports_layoffs_and_works_its_risk_warning_which_another_cannot_see() {
    each_database(async |app: App| {
        let l = app.label();
        let wanzhou = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let page = get(&app, &wanzhou, "/monitoring/risk").await.text().await.unwrap();
        let csrf = hidden(&page, "csrf");
        let today = chrono::Utc::now().date_naive();
        let code = jiujin_domain::identity::CreditCode::from_parts("91", "500101", "MA5U0011").unwrap();
        let post = |path: &str, form: Vec<(&'static str, String)>| {
            let c = wanzhou.clone();
            let url = format!("{}{path}", app.base);
            async move { client().post(url).header("cookie", c).form(&form).send().await.unwrap() }
        };
        let form = vec![
            ("csrf", csrf.clone()),
            ("region", "500101001".to_string()),
            ("employer_code", code.as_str().to_string()),
            ("employer_name", "万州某厂".to_string()),
            ("reported_on", today.to_string()),
            ("laid_off", "1200".to_string()),
            ("staff", "1500".to_string()),
        ];
        let res = post("/monitoring/risk/layoffs", form.clone()).await;
        assert!(crate::jobs::location(&res).contains("saved=1"), "{l}: {}", crate::jobs::location(&res));
        // Too many laid off: refused with the field named.
        let mut bad = form.clone();
        bad[5].1 = "2000".into();
        let res = post("/monitoring/risk/layoffs", bad).await;
        let back = crate::jobs::location(&res);
        assert!(back.starts_with("/monitoring/risk?error="), "{l}: {back}");
        let shown = get(&app, &wanzhou, &back).await.text().await.unwrap();
        assert!(shown.contains("裁员人数"), "{l}");
        let month = jiujin_domain::monitoring::tally::month_code(today);
        let params = jiujin_domain::monitoring::risk::embedded();
        let refdata = jiujin_domain::refdata::RefData::embedded().unwrap();
        let r = jiujin_app::monitoring::risk_run(&app.store, refdata, &params, month, today, &tester()).await.unwrap();
        assert_eq!(r.at_risk, 1, "{l}");
        let id = jiujin_store::risk::warnings(&app.store, None).await.unwrap()[0].id;
        let list = get(&app, &wanzhou, "/monitoring/risk").await.text().await.unwrap();
        assert!(list.contains("万州区") && list.contains("红色（一级）") && list.contains("1200"), "{l}");
        let page = get(&app, &wanzhou, &format!("/monitoring/risk/{id}")).await.text().await.unwrap();
        assert!(page.contains("阶段性延长领取失业保险金期限"), "{l}");
        let res = post(
            &format!("/monitoring/risk/{id}/done"),
            vec![("csrf", csrf.clone()), ("item", "0".into()), ("note", "已排查".into())],
        )
        .await;
        assert!(crate::jobs::location(&res).contains("saved=1"), "{l}");
        assert!(
            get(&app, &wanzhou, &format!("/monitoring/risk/{id}")).await.text().await.unwrap().contains("已排查"),
            "{l}"
        );
        // 开州 sees none of it and cannot work it; a worker has no such page.
        let kaizhou = login(&app, "kaizhou", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &kaizhou, &format!("/monitoring/risk/{id}")).await.status(), 404, "{l}");
        assert!(!get(&app, &kaizhou, "/monitoring/risk").await.text().await.unwrap().contains("万州某厂"), "{l}");
        let kt = hidden(&get(&app, &kaizhou, "/monitoring/risk").await.text().await.unwrap(), "csrf");
        let res = client()
            .post(format!("{}/monitoring/risk/{id}/close", app.base))
            .header("cookie", &kaizhou)
            .form(&[("csrf", kt.as_str()), ("note", "越权关闭的尝试，应被拒绝")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{l}");
        let worker = login(&app, "worker", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &worker, "/monitoring/risk").await.status(), 404, "{l}");
        // Without the form token: refused.
        let res = post(&format!("/monitoring/risk/{id}/close"), vec![("note", "没有令牌的关闭请求".into())]).await;
        assert_eq!(res.status(), 403, "{l}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_figure_drills_down_to_its_people_inside_the_callers_region() {
    each_database(async |app: App| {
        let l = app.label();
        let wanzhou = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let city = login(&app, "city", PASSWORD).await.unwrap();
        // 万一 finds a job in 万州 in July 2025: a new near-home job.
        wan_yi_works_in_wanzhou_from_july_2025(&app).await;

        // The dashboard links its figures to their lists.
        let html = get(&app, &wanzhou, "/monitoring?region=500101").await.text().await.unwrap();
        // (minijinja writes the link's slashes as `&#x2f;`.)
        let link = "people?region=500101&amp;from=2025-07&amp;to=2025-07&amp;measure=13";
        assert!(html.contains(link), "{l}: the July near-home figure links to its people");

        // A flow: July's new near-home job is 万一's; June has none, and 万一 is still
        // in the June stock of the unemployed (status 5) with 万二.
        let july = get(&app, &wanzhou, "/monitoring/people?region=500101&measure=13&from=2025-07&to=2025-07").await;
        assert_eq!(july.status(), 200, "{l}");
        let july = july.text().await.unwrap();
        assert!(july.contains("万一") && !july.contains("万二"), "{l}: {july}");
        assert!(july.contains(r#"id="figure-total">1<"#), "{l}");
        assert!(july.contains("500101********"), "{l}: identity numbers are masked");
        let june = get(&app, &wanzhou, "/monitoring/people?region=500101&measure=13&from=2025-06&to=2025-06").await;
        assert!(!june.text().await.unwrap().contains("万一"), "{l}");
        let jobless_june = get(&app, &wanzhou, "/monitoring/people?region=500101&measure=2&item=5&month=2025-06")
            .await
            .text()
            .await
            .unwrap();
        assert!(jobless_june.contains("万一") && jobless_june.contains("万二"), "{l}");
        let jobless_now =
            get(&app, &wanzhou, "/monitoring/people?region=500101&measure=2&item=5").await.text().await.unwrap();
        assert!(!jobless_now.contains("万一") && jobless_now.contains("万二"), "{l}");
        assert!(jobless_now.contains(r#"id="figure-total">1<"#), "{l}");

        // The near-home progress of 万州's district group and of 制造业 (annex 2 row),
        // for the city.
        let rd = jiujin_domain::refdata::RefData::embedded().unwrap();
        let group = rd
            .district_groups()
            .iter()
            .find(|g| {
                g.members.iter().any(
                    |(m, _)| matches!(m, jiujin_domain::refdata::GroupMember::District(d) if d.short() == "500101"),
                )
            })
            .unwrap()
            .number;
        let path = format!("/monitoring/people?group={group}&measure=13&from=2025-01&to=2025-12");
        let page = get(&app, &city, &path).await.text().await.unwrap();
        assert!(page.contains("万一"), "{l}: {page}");
        let row = rd.annex2_rows().iter().find(|r| r.name == "制造业").unwrap().number;
        let path = format!("/monitoring/people?region=500000&measure=13&item={row}&from=2025-01&to=2025-12");
        assert!(get(&app, &city, &path).await.text().await.unwrap().contains("万一"), "{l}");
        // The drill-down is recorded as a search of the registry.
        let searches = entries(&app, AuditAction::PersonSearch).await;
        assert!(
            searches.iter().any(|e| e.detail.to_string().contains("新增就近就业")),
            "{l}: the drill-down is audited"
        );

        // Outside the caller's region, a group wider than it, and other roles: 404;
        // a measure that does not exist: 422.
        let kaizhou = login(&app, "kaizhou", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &kaizhou, "/monitoring/people?region=500101&measure=2&item=5").await.status(), 404, "{l}");
        assert_eq!(get(&app, &wanzhou, &format!("/monitoring/people?group={group}&measure=13")).await.status(), 404);
        for who in ["worker", "inspector", "auditor", "grid"] {
            let c = login(&app, who, PASSWORD).await.unwrap();
            assert_eq!(get(&app, &c, "/monitoring/people?measure=1").await.status(), 404, "{l}: {who}");
        }
        assert_eq!(get(&app, &city, "/monitoring/people?measure=99").await.status(), 422, "{l}");
        assert_eq!(get(&app, &city, "/monitoring/people?group=99&measure=13").await.status(), 422, "{l}");
        assert_eq!(get(&app, &city, "/monitoring/people?measure=2&item=77").await.status(), 422, "{l}");
        assert_eq!(get(&app, &city, "/monitoring/people?measure=11&after=x").await.status(), 422, "{l}");
        let backwards = "/monitoring/people?measure=11&from=2025-03&to=2025-01";
        assert_eq!(get(&app, &city, backwards).await.status(), 422, "{l}: a window that ends before it starts");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_other_targets_are_counted_from_their_records_and_list_them() {
    each_database(async |app: App| {
        use jiujin_store::{gig, training};
        let l = app.label();
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let by = tester();
        let wz = RegionCode::parse("500101").unwrap().as_i64();
        let kz = RegionCode::parse("500154").unwrap().as_i64();
        // Two stations opened in 2025 (万州, 开州) and one in 2024; a job fair in 万州.
        for (name, region, opened) in
            [("万州驿站", wz, "2025-03-01"), ("开州驿站", kz, "2025-05-01"), ("旧驿站", wz, "2024-12-31")]
        {
            let s = gig::NewStation {
                name: name.into(),
                region,
                district: region,
                address: "某街1号".into(),
                opened_on: d(opened),
                operator: "人社局".into(),
            };
            gig::create_station(&app.store, &s, &by).await.unwrap();
        }
        let fair = gig::NewFair {
            name: "万州春风行动招聘会".into(),
            held_on: d("2025-02-10"),
            region: wz,
            district: wz,
            venue: "万州区体育馆".into(),
            online: false,
            organizer: "万州区人社局".into(),
        };
        gig::create_fair(&app.store, &fair, &by).await.unwrap();
        // 万一 completes a 岗前 course in 万州 in April 2025.
        let provider = training::create_provider(
            &app.store,
            &training::NewProvider { name: "万州培训学校".into(), credit_code: None, region: wz },
            &by,
        )
        .await
        .unwrap();
        let course = training::NewCourse {
            provider_id: provider,
            title: "焊工岗前培训班".into(),
            occupation: Some("焊工".into()),
            kind: jiujin_domain::training::CourseKind::PreJob.code(),
            region: wz,
            starts_on: d("2025-03-01"),
            ends_on: d("2025-04-30"),
            capacity: 30,
            subsidy_fen: 0,
        };
        let course = training::create_course(&app.store, &course, &by).await.unwrap();
        let wan1 = person_id(&app, "万一").await;
        let e = training::enrol(&app.store, Scope::City, course, wan1, d("2025-02-20"), &by).await.unwrap().unwrap();
        let f = training::Finish {
            state: jiujin_domain::training::EnrolmentState::Completed,
            date: d("2025-04-30"),
            cert_level: None,
            cert_no: None,
        };
        training::finish(&app.store, Scope::City, e, &f, &by).await.unwrap().unwrap();

        let city = login(&app, "city", PASSWORD).await.unwrap();
        let j: serde_json::Value = get(&app, &city, "/api/v1/monitoring/targets?year=2025").await.json().await.unwrap();
        let row =
            |j: &serde_json::Value, key: &str| j.as_array().unwrap().iter().find(|t| t["key"] == key).unwrap().clone();
        let stations = row(&j, "gig_stations");
        assert_eq!((stations["done"].as_i64(), stations["target"].as_i64()), (Some(2), Some(30)), "{l}: {stations}");
        assert_eq!(stations["lagging"], true, "{l}: 2 of 30 after the year is behind");
        assert_eq!(row(&j, "recruitment_events")["done"], 1, "{l}");
        assert_eq!(row(&j, "training")["done"], 1, "{l}");
        assert_eq!(row(&j, "plan_training")["done"], 1, "{l}: the five years to 2025 hold it");
        assert_eq!(row(&j, "plan_workers_total")["done"], 3, "{l}: the registry at the end of 2025");
        assert!(row(&j, "work_relief_workers")["done"].is_null(), "{l}: no records, not computed");
        assert_eq!(row(&j, "labor_brands")["done"], 0, "{l}: the brand register, empty here");
        assert!(j.as_array().unwrap().iter().all(|t| t["key"] != "near_home_jobs"), "{l}");
        // A district: its own records, and no target.
        let wanzhou = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let j: serde_json::Value =
            get(&app, &wanzhou, "/api/v1/monitoring/targets?year=2025").await.json().await.unwrap();
        let stations = row(&j, "gig_stations");
        assert_eq!((stations["done"].as_i64(), stations["target"].as_i64()), (Some(1), None), "{l}: {stations}");
        assert_eq!(get(&app, &wanzhou, "/api/v1/monitoring/targets?region=500154").await.status(), 404, "{l}");

        // The dashboard links the figure to its records; the records page lists them.
        let html = get(&app, &city, "/monitoring?month=2025-12").await.text().await.unwrap();
        assert!(html.contains("/monitoring/records?target=gig_stations&amp;year=2025&amp;region=50\""), "{l}");
        let page = get(&app, &city, "/monitoring/records?target=gig_stations&year=2025").await.text().await.unwrap();
        assert!(page.contains("万州驿站") && page.contains("开州驿站") && !page.contains("旧驿站"), "{l}: {page}");
        assert!(page.contains(r#"id="records-total">2<"#), "{l}");
        let page = get(&app, &wanzhou, "/monitoring/records?target=training&year=2025").await.text().await.unwrap();
        assert!(page.contains("万一") && page.contains("焊工岗前培训班"), "{l}: {page}");
        // 开州's staff see 开州's records only, and no 万州 trainee.
        // The 四清's people served: 万一 reached by a follow-up contact this month.
        let contact = jiujin_store::services::NewContact {
            contact_date: chrono::Utc::now().date_naive(),
            channel: 1,
            offered: 1,
            outcome: 1,
            note: String::new(),
        };
        jiujin_store::services::record_contact(&app.store, Scope::City, wan1, &contact, &by).await.unwrap();
        let j: serde_json::Value = get(&app, &wanzhou, "/api/v1/monitoring/four-clears").await.json().await.unwrap();
        assert_eq!(j["served"], 1, "{l}: {j}");
        let html = get(&app, &wanzhou, "/monitoring").await.text().await.unwrap();
        assert!(html.contains("/monitoring/records?source=served_persons&amp;from="), "{l}");
        let m = j["served_month"].as_str().unwrap().to_string();
        let path = format!("/monitoring/records?source=served_persons&from={m}&to={m}");
        let page = get(&app, &wanzhou, &path).await.text().await.unwrap();
        assert!(page.contains("万一") && page.contains(r#"id="records-total">1<"#), "{l}: {page}");
        assert_eq!(get(&app, &wanzhou, "/monitoring/records?source=nothing").await.status(), 422, "{l}");
        let backwards = "/monitoring/records?source=served_persons&from=2025-03&to=2025-01";
        assert_eq!(get(&app, &wanzhou, backwards).await.status(), 422, "{l}");

        let kaizhou = login(&app, "kaizhou", PASSWORD).await.unwrap();
        let page = get(&app, &kaizhou, "/monitoring/records?target=gig_stations&year=2025").await.text().await.unwrap();
        assert!(page.contains("开州驿站") && !page.contains("万州驿站"), "{l}");
        let page = get(&app, &kaizhou, "/monitoring/records?target=training&year=2025").await.text().await.unwrap();
        assert!(!page.contains("万一"), "{l}");
        assert_eq!(get(&app, &kaizhou, "/monitoring/records?target=training&region=500101").await.status(), 404);
        assert_eq!(
            get(&app, &city, "/monitoring/records?target=work_relief_workers&year=2025").await.status(),
            422,
            "{l}"
        );
        assert_eq!(get(&app, &city, "/monitoring/records?target=nothing").await.status(), 422, "{l}");
        let worker = login(&app, "worker", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &worker, "/monitoring/records?target=training").await.status(), 404, "{l}");
    })
    .await;
}
