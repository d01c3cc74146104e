//! 技能培训 and 劳务经纪人 pages: staff of a district open a course, enrol a person of
//! their district by identity number and record completion (on the person's timeline);
//! the employment-rate report and its Excel file; a broker's own account sees its own
//! page only and records a placement; every other user refused.

use super::*;
use crate::jobs::location;

async fn post(app: &App, cookie: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client().post(format!("{}{path}", app.base)).header("cookie", cookie).form(form).send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_run_a_course_and_brokers_see_only_their_own_page() {
    each_database(async |app: App| {
        let l = app.label();
        let wz = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let page = get(&app, &wz, "/training").await.text().await.unwrap();
        let t = hidden(&page, "csrf");
        let res =
            post(&app, &wz, "/training/providers", &[("csrf", &t), ("name", "万州职业培训学校"), ("region", "500101")])
                .await;
        assert_eq!(location(&res), "/training?saved=provider", "{l}");
        let provider = jiujin_store::training::providers(&app.store).await.unwrap()[0].id.to_string();
        let today = chrono::Utc::now().date_naive();
        let (starts, ends) = (today.to_string(), (today + chrono::Duration::days(10)).to_string());
        let course = [
            ("csrf", t.as_str()),
            ("provider", provider.as_str()),
            ("title", "焊工岗前培训班"),
            ("occupation", "焊工"),
            ("kind", "岗前培训"),
            ("region", "500101"),
            ("starts_on", starts.as_str()),
            ("ends_on", ends.as_str()),
            ("capacity", "20"),
            ("subsidy", "1200"),
        ];
        let res = post(&app, &wz, "/training/courses", &course).await;
        let at = location(&res);
        assert!(at.starts_with("/training/courses/"), "{l}: {at}");
        // A bad course comes back with every reason.
        let mut bad = course.to_vec();
        bad[5] = ("region", "500154");
        bad[8] = ("capacity", "x");
        let back = location(&post(&app, &wz, "/training/courses", &bad).await);
        let html = get(&app, &wz, &back).await.text().await.unwrap();
        assert!(html.contains("不在您的管辖范围内") && html.contains("招生人数"), "{l}: {back}");

        // Enrol 万一 (万州) by number; 开三 is not 万州's.
        let wan_yi = id("500101", 1980, 11);
        let back = location(&post(&app, &wz, &format!("{at}/enrol"), &[("csrf", &t), ("id_number", &wan_yi)]).await);
        assert!(back.contains("saved=enrol"), "{l}: {back}");
        let back = location(
            &post(&app, &wz, &format!("{at}/enrol"), &[("csrf", &t), ("id_number", &id("500154", 1982, 31))]).await,
        );
        let html = get(&app, &wz, &back).await.text().await.unwrap();
        assert!(html.contains("不在实名台账中，或不在您的管辖范围内"), "{l}");
        let course_id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
        let rows = jiujin_store::training::enrolments_of_course(&app.store, jiujin_store::Scope::City, course_id)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "{l}");
        let fin = format!("/training/enrolments/{}/finish", rows[0].enrolment.id);
        let cid = course_id.to_string();
        let day = today.to_string();
        let form = [
            ("csrf", t.as_str()),
            ("course", cid.as_str()),
            ("state", "completed"),
            ("date", day.as_str()),
            ("cert_level", "五级/初级工"),
            ("cert_no", ""),
        ];
        assert!(location(&post(&app, &wz, &fin, &form).await).contains("saved=finish"), "{l}");
        let person = person_id(&app, "万一").await;
        let html = get(&app, &wz, &format!("/registry/{person}")).await.text().await.unwrap();
        assert!(html.contains("报名参加培训：焊工岗前培训班") && html.contains("结业，取得五级"), "{l}");
        let html = get(&app, &wz, "/training/rates").await.text().await.unwrap();
        assert!(html.contains("万州职业培训学校") && html.contains("未满6个月"), "{l}");
        let res = get(&app, &wz, "/training/rates.xlsx").await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        assert!(res.bytes().await.unwrap().starts_with(b"PK"), "{l}");
        assert_eq!(get(&app, &wz, "/training/shortage").await.status(), StatusCode::OK, "{l}");
        let res = get(&app, &wz, &format!("{at}/trainees.xlsx")).await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        assert!(res.bytes().await.unwrap().starts_with(b"PK"), "{l}");

        // 开州 staff do not see 万州's course; other roles have no training pages.
        let kz = login(&app, "kaizhou", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &kz, &at).await.status(), StatusCode::NOT_FOUND, "{l}");
        assert_eq!(get(&app, &kz, &format!("{at}/trainees.xlsx")).await.status(), StatusCode::NOT_FOUND, "{l}");
        let tk = hidden(&get(&app, &kz, "/training").await.text().await.unwrap(), "csrf");
        let res =
            post(&app, &kz, &format!("{at}/enrol"), &[("csrf", &tk), ("id_number", &id("500154", 1982, 31))]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}");
        for user in ["worker", "someone", "inspector", "broker", "auditor"] {
            let c = login(&app, user, PASSWORD).await.unwrap();
            for path in ["/training", "/training/rates", at.as_str(), "/brokers/claims"] {
                assert_eq!(get(&app, &c, path).await.status(), StatusCode::NOT_FOUND, "{l}: {user} {path}");
            }
        }

        // A broker registered by 万州, bound to the account "broker"; one by 开州.
        let res = post(
            &app,
            &wz,
            "/brokers",
            &[
                ("csrf", &t),
                ("name", "张经纪"),
                ("kind", "个人经纪人"),
                ("region", "500101001"),
                ("username", "broker"),
            ],
        )
        .await;
        let mine = location(&res);
        assert!(mine.starts_with("/brokers/"), "{l}: {mine}");
        let res = post(
            &app,
            &kz,
            "/brokers",
            &[("csrf", &tk), ("name", "开州劳务"), ("kind", "个人经纪人"), ("region", "500154")],
        )
        .await;
        let theirs = location(&res);
        assert_eq!(get(&app, &wz, &theirs).await.status(), StatusCode::NOT_FOUND, "{l}: 开州's broker");
        let b = login(&app, "broker", PASSWORD).await.unwrap();
        assert_eq!(location(&get(&app, &b, "/brokers").await), mine, "{l}");
        assert_eq!(get(&app, &b, &theirs).await.status(), StatusCode::NOT_FOUND, "{l}");
        let page = get(&app, &b, &mine).await.text().await.unwrap();
        assert!(page.contains("登记推荐就业") && !page.contains("诚信记录</h2>\n<form"), "{l}");
        let tb = hidden(&page, "csrf");
        let hired = (today - chrono::Duration::days(1)).to_string();
        let form = [
            ("csrf", tb.as_str()),
            ("id_number", wan_yi.as_str()),
            ("employer", "万州制造有限公司"),
            ("hired_on", hired.as_str()),
        ];
        let back = location(&post(&app, &b, &format!("{mine}/placements"), &form).await);
        assert!(back.contains("saved=placement"), "{l}: {back}");
        let page = get(&app, &b, &mine).await.text().await.unwrap();
        // 万一 was neither registered unemployed nor 脱贫: the page says why no claim yet.
        assert!(page.contains("万一") && page.contains("暂不能申请补助") && page.contains("既不是登记失业人员"), "{l}");
        // The broker cannot write its own integrity record; staff can.
        let res = post(
            &app,
            &b,
            &format!("{mine}/integrity"),
            &[("csrf", &tb), ("kind", "表扬"), ("note", "x"), ("date", &day)],
        )
        .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}");
        let res = post(
            &app,
            &wz,
            &format!("{mine}/integrity"),
            &[("csrf", &t), ("kind", "表扬"), ("note", "帮助10人就业"), ("date", &day)],
        )
        .await;
        assert!(location(&res).contains("saved=integrity"), "{l}");
        let html = get(&app, &wz, &format!("/registry/{person}")).await.text().await.unwrap();
        assert!(html.contains("经劳务经纪人“张经纪”推荐到万州制造有限公司就业"), "{l}");
        let html = get(&app, &wz, "/brokers").await.text().await.unwrap();
        assert!(html.contains("张经纪") && !html.contains("开州劳务"), "{l}");
        let res = get(&app, &wz, "/brokers/claims.xlsx").await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        assert!(!entries(&app, AuditAction::ExportRun).await.is_empty(), "{l}");
    })
    .await;
}

/// 帮扶车间, 公益性岗位 and 返乡创业 pages: staff of a district register and place a
/// person of their district; another district sees none of it and cannot act on it;
/// other roles find no such pages; the timeline shows the spells.
#[tokio::test(flavor = "multi_thread")]
async fn workshops_posts_and_startups_are_kept_by_the_district() {
    each_database(async |app: App| {
        let l = app.label();
        let wz = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let t = hidden(&get(&app, &wz, "/workshops").await.text().await.unwrap(), "csrf");
        let day = chrono::Utc::now().date_naive().to_string();
        let wan_yi = id("500101", 1980, 11);
        let res = post(
            &app,
            &wz,
            "/workshops",
            &[
                ("csrf", &t),
                ("name", "万州电子代工车间"),
                ("trade", "电子产品代工"),
                ("region", "500101001"),
                ("recognized_on", &day),
            ],
        )
        .await;
        let at = location(&res);
        assert!(at.starts_with("/workshops/"), "{l}: {at}");
        let back = location(
            &post(&app, &wz, &format!("{at}/workers"), &[("csrf", &t), ("id_number", &wan_yi), ("start_on", &day)])
                .await,
        );
        assert!(back.contains("saved=start"), "{l}: {back}");
        let html = get(&app, &wz, "/workshops").await.text().await.unwrap();
        assert!(html.contains("万州电子代工车间") && html.contains("在岗 1 人"), "{l}");

        let res = post(
            &app,
            &wz,
            "/public-posts",
            &[
                ("csrf", &t),
                ("title", "乡村保洁员"),
                ("unit", "某镇政府"),
                ("region", "500101001"),
                ("places", "2"),
                ("rural", "1"),
            ],
        )
        .await;
        assert!(location(&res).contains("saved=post"), "{l}");
        let post_id = jiujin_store::support::posts(&app.store, None).await.unwrap()[0].id;
        let back = location(
            &post(
                &app,
                &wz,
                &format!("/public-posts/{post_id}/holders"),
                &[("csrf", &t), ("id_number", &wan_yi), ("start_on", &day)],
            )
            .await,
        );
        assert!(back.contains("saved=start"), "{l}: {back}");
        let html = get(&app, &wz, "/public-posts").await.text().await.unwrap();
        assert!(html.contains("在岗 1 人") && html.contains("万一"), "{l}");

        let res = post(
            &app,
            &wz,
            "/startups",
            &[
                ("csrf", &t),
                ("id_number", &wan_yi),
                ("business_name", "万一农家乐"),
                ("region", "500101001"),
                ("started_on", &day),
                ("employees", "3"),
            ],
        )
        .await;
        let startup = location(&res);
        assert!(startup.starts_with("/startups/"), "{l}: {startup}");
        let html = get(&app, &wz, &startup).await.text().await.unwrap();
        assert!(html.contains("万一农家乐"), "{l}");
        // Into a park of 万州: the tenancy shows on the entrepreneur's page.
        let res = post(
            &app,
            &wz,
            "/startups/parks",
            &[
                ("csrf", &t),
                ("name", "万州返乡创业园"),
                ("region", "500101"),
                ("recognized_on", &day),
                ("municipal", "1"),
            ],
        )
        .await;
        assert!(location(&res).contains("saved=park"), "{l}");
        let html = get(&app, &wz, "/startups/parks").await.text().await.unwrap();
        assert!(html.contains("今日可享政策") && html.contains("600000元"), "{l}: the 市级 park's one-off subsidy");
        let park = jiujin_store::startups::parks(&app.store, None).await.unwrap()[0].id.to_string();
        let res =
            post(&app, &wz, &format!("{startup}/tenancy"), &[("csrf", &t), ("park", &park), ("entered_on", &day)])
                .await;
        assert!(location(&res).contains("saved=tenancy"), "{l}");
        let html = get(&app, &wz, &startup).await.text().await.unwrap();
        assert!(html.contains(&format!("万州返乡创业园：{day} 入驻")), "{l}");
        let person = person_id(&app, "万一").await;
        let html = get(&app, &wz, &format!("/registry/{person}")).await.text().await.unwrap();
        assert!(html.contains("在就业帮扶车间“万州电子代工车间”上岗") && html.contains("创办“万一农家乐”"), "{l}");

        // 开州: sees none of it, cannot place into 万州's workshop or open its pages.
        let kz = login(&app, "kaizhou", PASSWORD).await.unwrap();
        let tk = hidden(&get(&app, &kz, "/workshops").await.text().await.unwrap(), "csrf");
        assert!(!get(&app, &kz, "/workshops").await.text().await.unwrap().contains("万州电子代工车间"), "{l}");
        assert!(!get(&app, &kz, "/public-posts").await.text().await.unwrap().contains("万一"), "{l}");
        assert!(!get(&app, &kz, "/startups").await.text().await.unwrap().contains("万一农家乐"), "{l}");
        assert_eq!(get(&app, &kz, &at).await.status(), StatusCode::NOT_FOUND, "{l}");
        assert_eq!(get(&app, &kz, &startup).await.status(), StatusCode::NOT_FOUND, "{l}");
        let res = post(
            &app,
            &kz,
            &format!("{at}/workers"),
            &[("csrf", &tk), ("id_number", &id("500154", 1982, 31)), ("start_on", &day)],
        )
        .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}");
        for user in ["worker", "someone", "inspector", "broker"] {
            let c = login(&app, user, PASSWORD).await.unwrap();
            for path in [
                "/workshops",
                "/public-posts",
                "/startups",
                "/startups/parks",
                "/startups/mentors",
                "/startups/outside",
                "/public-posts.xlsx",
                "/brokers.xlsx",
                "/startups/outside.xlsx",
            ] {
                assert_eq!(get(&app, &c, path).await.status(), StatusCode::NOT_FOUND, "{l}: {user} {path}");
            }
        }
        for path in [
            "/workshops.xlsx",
            "/public-posts.xlsx",
            "/startups.xlsx",
            "/startups/parks",
            "/startups/mentors",
            "/startups/outside",
            "/brokers.xlsx",
            "/startups/parks.xlsx",
            "/startups/mentors.xlsx",
            "/startups/outside.xlsx",
        ] {
            assert_eq!(get(&app, &wz, path).await.status(), StatusCode::OK, "{l}: {path}");
        }
    })
    .await;
}

/// 劳务品牌: staff of a district register a brand with the form token, record its 市级
/// recognition and assessment, and see what `labor-brand-award` gives it; a bad form
/// comes back with its reasons; another district and other roles find no such brand;
/// the monitoring's target counts it.
#[tokio::test(flavor = "multi_thread")]
async fn a_district_keeps_its_labor_brands_and_the_target_counts_them() {
    each_database(async |app: App| {
        let l = app.label();
        let wz = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let t = hidden(&get(&app, &wz, "/brands").await.text().await.unwrap(), "csrf");
        let form = [
            ("name", "万州烤鱼师傅"),
            ("category", "服务型"),
            ("trade", "中式烹调师"),
            ("region", "500101"),
            ("lead_organisation", "万州区餐饮行业协会"),
        ];
        let res = post(&app, &wz, "/brands", &form).await;
        assert_eq!(res.status(), reqwest::StatusCode::FORBIDDEN, "{l}: no form token");
        let bad = post(
            &app,
            &wz,
            "/brands",
            &[("csrf", t.as_str()), ("name", "x"), ("category", "工艺型"), ("trade", "厨师"), ("region", "500154")],
        )
        .await;
        let back = location(&bad);
        assert!(back.starts_with("/brands?error="), "{l}: {back}");
        let page = get(&app, &wz, &back).await.text().await.unwrap();
        assert!(page.contains("品牌类别“工艺型”无效") && page.contains("不在您的管辖范围内"), "{l}");
        let mut with_token = vec![("csrf", t.as_str())];
        with_token.extend(form);
        let at = location(&post(&app, &wz, "/brands", &with_token).await);
        assert!(at.starts_with("/brands/"), "{l}: {at}");
        let day = chrono::Utc::now().date_naive().to_string();
        let back = location(
            &post(&app, &wz, &format!("{at}/recognise"), &[("csrf", &t), ("level", "市级"), ("on", &day)]).await,
        );
        assert!(back.ends_with("saved=1"), "{l}: {back}");
        let back = location(
            &post(&app, &wz, &format!("{at}/assess"), &[("csrf", &t), ("workers", "1200"), ("award", "300000")]).await,
        );
        assert!(back.ends_with("saved=1"), "{l}: {back}");
        let page = get(&app, &wz, &at).await.text().await.unwrap();
        let policies = page.split(r#"id="brand-policies""#).nth(1).unwrap_or("");
        assert!(policies.contains("市级劳务品牌奖补") && policies.contains("300000元"), "{l}: {policies}");
        assert!(page.contains("1200 人"), "{l}");
        let list = get(&app, &wz, "/brands").await.text().await.unwrap();
        assert!(list.contains("万州烤鱼师傅") && list.contains("新认定市级劳务品牌 1 个"), "{l}: {list}");

        // 开州 does not see it, cannot change it; a worker finds no such page.
        let kz = login(&app, "kaizhou", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &kz, &at).await.status(), 404, "{l}");
        assert!(!get(&app, &kz, "/brands").await.text().await.unwrap().contains("万州烤鱼师傅"), "{l}");
        let kt = hidden(&get(&app, &kz, "/brands").await.text().await.unwrap(), "csrf");
        let res = post(&app, &kz, &format!("{at}/assess"), &[("csrf", &kt), ("workers", "1"), ("award", "1")]).await;
        assert_eq!(res.status(), 404, "{l}");
        let worker = login(&app, "worker", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &worker, "/brands").await.status(), 404, "{l}");

        // The year's target counts the brand recognised today.
        let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
        let city = login(&app, "city", PASSWORD).await.unwrap();
        let j: serde_json::Value =
            get(&app, &city, &format!("/api/v1/monitoring/targets?year={year}")).await.json().await.unwrap();
        let brands = j.as_array().unwrap().iter().find(|t| t["key"] == "labor_brands").unwrap();
        assert_eq!(brands["done"], 1, "{l}: {brands}");
    })
    .await;
}
