//! 欠薪预警 pages: a district's staff and inspector see their district's warnings and
//! work them (assign to an inspector account only, record work, close with a note and
//! evidence); another district's staff get 404 on the same warning; a worker files a
//! complaint on their phone page and sees it; a worker and an employer get 404 on the
//! staff pages.

use super::*;
use crate::jobs::location;

async fn post(app: &App, cookie: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client().post(format!("{}{path}", app.base)).header("cookie", cookie).form(form).send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn warnings_are_worked_inside_the_district_and_workers_complain_from_their_phone() {
    each_database(async |app: App| {
        let l = app.label();
        let today = chrono::Utc::now().date_naive();
        let start = today - chrono::Duration::days(60);
        let p = jiujin_store::wages::NewProject {
            code: "GC-WEB-1".into(),
            name: "万州网页测试项目".into(),
            region: 500101001000,
            address: "高笋塘".into(),
            builder_code: jiujin_domain::identity::CreditCode::from_parts("12", "500101", "MA5U0002")
                .unwrap()
                .as_str()
                .into(),
            builder_name: "建设单位".into(),
            contractor_code: jiujin_domain::identity::CreditCode::from_parts("91", "500101", "MA5U0003")
                .unwrap()
                .as_str()
                .into(),
            contractor_name: "总包单位".into(),
            contract_value: jiujin_domain::Fen::from_yuan(1_000_000),
            contract_on: start,
            start_on: start,
            end_on: today + chrono::Duration::days(400),
            status: jiujin_domain::wages::ProjectStatus::Active,
            payday: 15,
            monthly_labor_cost: jiujin_domain::Fen::ZERO,
            account_opened_on: Some(start),
            notice_board_on: None,
        };
        jiujin_store::wages::create_project(&app.store, &p, &tester()).await.unwrap();
        let params = jiujin_domain::wages::rules::embedded();
        let r = jiujin_app::wages::run(&app.store, &params, today, &tester()).await.unwrap();
        assert!(r.counts.raised >= 2, "{l}: no board, no roster: {r:?}");
        let wid = jiujin_store::wages::warnings(&app.store, None, &Default::default(), 10).await.unwrap()[0].id;

        let wz = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let html = get(&app, &wz, "/wages").await.text().await.unwrap();
        assert!(html.contains("万州区") && html.contains("未设立维权信息告示牌"), "{l}: {html}");
        let page = get(&app, &wz, &format!("/wages/warnings/{wid}")).await.text().await.unwrap();
        assert!(page.contains("第五十") && page.contains("依据"), "{l}");
        let t = hidden(&page, "csrf");
        let kz = login(&app, "kaizhou", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &kz, &format!("/wages/warnings/{wid}")).await.status(), 404, "{l}");
        assert!(!get(&app, &kz, "/wages").await.text().await.unwrap().contains("万州网页测试项目"), "{l}");
        let kt = hidden(&get(&app, &kz, "/wages").await.text().await.unwrap(), "csrf");
        let res = post(&app, &kz, &format!("/wages/warnings/{wid}/work"), &[("csrf", &kt), ("note", "x")]).await;
        assert_eq!(res.status(), 404, "{l}");

        // The same warnings as JSON, scoped the same way.
        let api = get(&app, &wz, "/api/v1/wages/warnings").await;
        assert_eq!(api.status(), 200, "{l}");
        let j: serde_json::Value = api.json().await.unwrap();
        assert!(
            j["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["id"] == wid && w["penalty"].as_str().unwrap().contains("第五十")),
            "{l}: {j}"
        );
        let j: serde_json::Value = get(&app, &kz, "/api/v1/wages/warnings").await.json().await.unwrap();
        assert!(j["items"].as_array().unwrap().is_empty(), "{l}: 开州 sees none: {j}");
        // The monitoring dashboard counts the district's open warnings and lists them.
        let open = jiujin_store::wages::warnings(&app.store, None, &Default::default(), 100).await.unwrap().len();
        assert_eq!(super::activity(&app, &wz, "wage_warnings").await, open as i64, "{l}");
        assert_eq!(super::activity(&app, &kz, "wage_warnings").await, 0, "{l}");
        let m = today.format("%Y-%m").to_string();
        let list = get(&app, &wz, &format!("/monitoring/records?source=wage_warnings&from={m}&to={m}")).await;
        assert!(list.text().await.unwrap().contains("万州网页测试项目"), "{l}");
        assert_eq!(get(&app, &wz, "/api/v1/wages/warnings?grade=9").await.status(), 422, "{l}");
        assert_eq!(get(&app, &wz, "/api/v1/wages/warnings?district=440300").await.status(), 422, "{l}");
        let j: serde_json::Value = get(&app, &wz, "/api/v1/wages/warnings?district=500154").await.json().await.unwrap();
        assert!(j["items"].as_array().unwrap().is_empty(), "{l}");
        // Only an inspector account takes an assignment.
        let back = location(
            &post(&app, &wz, &format!("/wages/warnings/{wid}/assign"), &[("csrf", &t), ("inspector", "kaizhou")]).await,
        );
        assert!(back.contains("error"), "{l}: {back}");
        let back = location(
            &post(&app, &wz, &format!("/wages/warnings/{wid}/assign"), &[("csrf", &t), ("inspector", "inspector")])
                .await,
        );
        assert!(back.contains("saved"), "{l}: {back}");
        let ins = login(&app, "inspector", PASSWORD).await.unwrap();
        let it = hidden(&get(&app, &ins, &format!("/wages/warnings/{wid}")).await.text().await.unwrap(), "csrf");
        let back = location(
            &post(
                &app,
                &ins,
                &format!("/wages/warnings/{wid}/close"),
                &[("csrf", &it), ("note", "已设立"), ("evidence", "")],
            )
            .await,
        );
        assert!(back.contains("error"), "{l}: evidence is required");
        let back = location(
            &post(
                &app,
                &ins,
                &format!("/wages/warnings/{wid}/close"),
                &[("csrf", &it), ("note", "已设立"), ("evidence", "现场照片")],
            )
            .await,
        );
        assert!(back.contains("saved"), "{l}: {back}");
        let w = jiujin_store::wages::warning(&app.store, None, wid).await.unwrap().unwrap();
        assert_eq!(w.state, jiujin_domain::wages::WarningState::Closed.code(), "{l}");

        // A worker's complaint from the phone page, then on the staff list.
        let me = login(&app, "worker", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &me, "/wages").await.status(), 404, "{l}");
        assert_eq!(get(&app, &me, "/api/v1/wages/warnings").await.status(), 404, "{l}");
        let page = get(&app, &me, "/wages/complain").await.text().await.unwrap();
        let mt = hidden(&page, "csrf");
        let form = [
            ("csrf", mt.as_str()),
            ("name", "万一"),
            ("phone", "13812345678"),
            ("employer_name", "总包单位"),
            ("employer_code", p.contractor_code.as_str()),
            ("project_code", "GC-WEB-1"),
            ("region", "500101"),
            ("amount", "8000"),
            ("workers", "3"),
            ("description", "两个月没发"),
        ];
        let back = location(&post(&app, &me, "/wages/complain", &form).await);
        assert!(back.contains("saved"), "{l}: {back}");
        let mine = get(&app, &me, "/wages/complain").await.text().await.unwrap();
        assert!(mine.contains("速裁中") && mine.contains("8000"), "{l}");
        let list = get(&app, &wz, "/wages/complaints").await.text().await.unwrap();
        assert!(list.contains("138****5678") && !list.contains("13812345678"), "{l}: the phone is masked");
        let employer = login(&app, "someone", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &employer, "/wages/complaints").await.status(), 404, "{l}");
        assert_eq!(get(&app, &employer, "/wages/complain").await.status(), 404, "{l}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_register_a_project_upload_its_roster_and_see_the_district_map() {
    each_database(async |app: App| {
        let l = app.label();
        let wz = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let page = get(&app, &wz, "/wages/projects").await.text().await.unwrap();
        let t = hidden(&page, "csrf");
        let b = jiujin_domain::identity::CreditCode::from_parts("12", "500101", "MA5U0012").unwrap();
        let c = jiujin_domain::identity::CreditCode::from_parts("91", "500101", "MA5U0013").unwrap();
        let mut form = vec![
            ("csrf", t.as_str()),
            ("code", "GC-WEB-2"),
            ("name", "万州学校扩建"),
            ("region", "500101"),
            ("builder_code", b.as_str()),
            ("builder_name", "万州教育投资"),
            ("contractor_code", c.as_str()),
            ("contractor_name", "万州建工"),
            ("contract_value", "5000000"),
            ("contract_on", "2026-01-01"),
            ("start_on", "2026-01-10"),
            ("end_on", "2027-12-31"),
            ("payday", "15"),
        ];
        // Out of the district: refused with the reason.
        form[3] = ("region", "500154");
        let back = location(&post(&app, &wz, "/wages/projects", &form).await);
        let html = get(&app, &wz, &back).await.text().await.unwrap();
        assert!(html.contains("不在您的管辖范围内"), "{l}");
        form[3] = ("region", "500101");
        let at = location(&post(&app, &wz, "/wages/projects", &form).await);
        assert!(at.starts_with("/wages/projects/"), "{l}: {at}");
        let page = get(&app, &wz, &at).await.text().await.unwrap();
        assert!(page.contains("未开设") && page.contains("导入记录"), "{l}");
        let kz = login(&app, "kaizhou", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &kz, &at).await.status(), 404, "{l}");
        // A subcontractor: a bad credit code comes back with the reason.
        let sub = jiujin_domain::identity::CreditCode::from_parts("91", "500101", "MA5U0014").unwrap();
        let back = location(&post(&app, &wz, &format!("{at}/subcontractors"), &[("csrf", &t), ("credit_code", "123"), ("name", "劳务公司")]).await);
        assert!(back.contains("error"), "{l}: {back}");
        post(&app, &wz, &format!("{at}/subcontractors"), &[("csrf", &t), ("credit_code", sub.as_str()), ("name", "万州劳务公司"), ("trade", "劳务分包")]).await;
        assert!(get(&app, &wz, &at).await.text().await.unwrap().contains("万州劳务公司"), "{l}");
        // The template, then a roster upload with one bad row.
        let tpl = get(&app, &wz, "/wages/templates/roster.xlsx").await;
        assert_eq!(tpl.status(), 200, "{l}");
        assert!(!tpl.bytes().await.unwrap().is_empty());
        let csv = format!(
            "公民身份号码,姓名,班组,分包单位统一社会信用代码,进场日期,退场日期,日工资（元）,工资卡尾号\n{},甲,木工班,,2026-02-01,,300,1234\n123,乙,木工班,,2026-02-01,,300,1234\n",
            id("500101", 1984, 7)
        );
        let part = reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("roster.csv");
        let form = reqwest::multipart::Form::new().text("csrf", t.clone()).text("kind", "roster").part("file", part);
        let res = client().post(format!("{}{at}/import", app.base)).header("cookie", &wz).multipart(form).send().await.unwrap();
        let html = res.text().await.unwrap();
        assert!(html.contains("写入花名册 1 人") && html.contains("错误 1 行"), "{l}: {html}");
        assert!(html.contains("公民身份号码"), "{l}: the reason names the field");
        let page = get(&app, &wz, &at).await.text().await.unwrap();
        assert!(page.contains("<td>甲</td>") && page.contains("实名制花名册（1 人）"), "{l}");
        assert!(!page.contains(&id("500101", 1984, 7)), "{l}: the roster's numbers are masked");
        // The map: every district drawn, linked to its list.
        let params = jiujin_domain::wages::rules::embedded();
        jiujin_app::wages::run(&app.store, &params, chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), &tester())
            .await
            .unwrap();
        let html = get(&app, &wz, "/wages").await.text().await.unwrap();
        assert!(html.contains("id=\"wage-map\""), "{l}");
        assert_eq!(html.matches("class=\"area lvl-").count(), 38, "{l}");
        assert!(html.contains("area lvl-red") || html.contains("area lvl-orange") || html.contains("area lvl-yellow"), "{l}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn proven_arrears_mark_the_employer_dishonest_on_the_job_board() {
    each_database(async |app: App| {
        let l = app.label();
        let (weld, _, _) = crate::jobs::postings(&app).await;
        let wz = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let before = get(&app, &wz, &format!("/jobs/{weld}")).await.text().await.unwrap();
        assert!(!before.contains("失信单位"), "{l}");
        let page = get(&app, &wz, "/wages/complaints").await.text().await.unwrap();
        let t = hidden(&page, "csrf");
        let code = jiujin_domain::identity::CreditCode::from_parts("91", "500101", "MA5U0001").unwrap();
        let form = [
            ("csrf", t.as_str()),
            ("name", "工友"),
            ("employer_code", code.as_str()),
            ("employer_name", "万州焊接有限公司"),
            ("region", "500101"),
            ("amount", "12000"),
            ("workers", "2"),
            ("description", "拖欠两个月工资"),
        ];
        let back = location(&post(&app, &wz, "/wages/complaints", &form).await);
        assert!(back.contains("saved"), "{l}: {back}");
        let id = jiujin_store::wages::complaints(&app.store, None, None, 10).await.unwrap()[0].id;
        let res = post(
            &app,
            &wz,
            &format!("/wages/complaints/{id}/close"),
            &[("csrf", &t), ("result", "proven"), ("proven_amount", "12000"), ("outcome", "查实，责令支付")],
        )
        .await;
        assert!(location(&res).contains("saved"), "{l}");
        assert!(get(&app, &wz, "/wages/blacklist").await.text().await.unwrap().contains("万州焊接有限公司"), "{l}");
        // Every server's board picks the change up from the postings' updated_at.
        let mut shown = false;
        for _ in 0..20 {
            if get(&app, &wz, &format!("/jobs/{weld}")).await.text().await.unwrap().contains("失信单位") {
                shown = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        assert!(shown, "{l}: the posting shows 失信单位");
    })
    .await;
}
