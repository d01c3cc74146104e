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
        assert!(flows.rows().any(|r| r[0].to_string() == "2025-07" && r[3].to_string() == "1"), "{l}");
    })
    .await;
}
