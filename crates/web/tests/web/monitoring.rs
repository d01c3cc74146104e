//! 监测: the dashboard's API answers from the counters by hukou region, scoped to the
//! caller's region (another district, the city above a district, and roles without
//! the dashboards get 404); a change of status shows in the flows, the 四清 and the
//! near-home progress at once; the page and its Excel export open.

use super::*;
use jiujin_store::Scope;

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
        let id = person_id(&app, "万一").await;
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
        assert_eq!(book.sheet_names(), vec!["就业状态", "参保情况", "月度流动", "四清", "目标进度"], "{l}");
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
