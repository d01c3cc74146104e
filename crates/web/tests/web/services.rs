//! 跟踪服务: the follow-up work list and the 1+1+3+1 list for staff in their region, a
//! contact recorded from a person's page (a mistake comes back next to the form,
//! nothing written), and every other user refused.

use super::*;
use crate::jobs::location;

async fn register(app: &App, name: &str, on: chrono::NaiveDate) -> i64 {
    use jiujin_domain::registry::unemployment::UnemploymentRegistration;
    let id = person_id(app, name).await;
    let reg = UnemploymentRegistration { date: on, able_to_work: true, wants_work: true, without_work: true };
    let today = chrono::Utc::now().date_naive();
    jiujin_app::registry::entry::register_unemployment(
        &app.store,
        jiujin_store::Scope::City,
        id,
        &reg,
        jiujin_domain::registry::EventSource::Staff,
        today,
        &tester(),
    )
    .await
    .unwrap();
    id
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_see_who_is_due_and_record_a_contact_from_the_persons_page() {
    each_database(async |app: App| {
        let l = app.label();
        let today = chrono::Utc::now().date_naive();
        let wan_yi = register(&app, "万一", today - chrono::Duration::days(40)).await;
        register(&app, "开三", today - chrono::Duration::days(3)).await;

        let wanzhou = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let html = get(&app, &wanzhou, "/services").await.text().await.unwrap();
        assert!(html.contains("万一") && html.contains("逾期"), "{l}");
        // The list names persons: its view is recorded as a search, with its rows.
        let seen = entries(&app, AuditAction::PersonSearch).await;
        let last = seen.last().unwrap();
        assert_eq!(
            (last.actor.as_str(), last.detail["list"].as_str(), last.detail["rows"].as_u64()),
            ("wanzhou", Some("services.follow-up"), Some(1)),
            "{l}"
        );
        assert!(!html.contains("开三"), "{l}: 开州 is not 万州's");

        // A contact: recorded, on the timeline, and 万一 leaves the overdue list.
        let page = get(&app, &wanzhou, &format!("/registry/{wan_yi}")).await.text().await.unwrap();
        assert!(page.contains("记录跟踪联系") && page.contains("逾期"), "{l}");
        let token = hidden(&page, "csrf");
        let path = format!("/registry/{wan_yi}/contacts");
        let day = today.to_string();
        let form = [
            ("csrf", token.as_str()),
            ("date", day.as_str()),
            ("channel", "电话"),
            ("offered", "policy"),
            ("offered", "training"),
            ("outcome", "仍在求职"),
            ("note", "想找离家近的仓管"),
        ];
        let res =
            client().post(format!("{}{path}", app.base)).header("cookie", &wanzhou).form(&form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}");
        let back = location(&res);
        assert!(back.contains("saved=contact"), "{l}");
        let page = get(&app, &wanzhou, &back).await.text().await.unwrap();
        assert!(page.contains("电话：政策宣介、就业培训推荐；仍在求职（想找离家近的仓管）"), "{l}");
        assert!(page.contains("已记录跟踪联系"), "{l}");
        let html = get(&app, &wanzhou, "/services?show=overdue").await.text().await.unwrap();
        assert!(!html.contains("万一"), "{l}");

        // A mistake: back to the page with the reason; nothing written.
        let bad = [("csrf", token.as_str()), ("date", "2099-01-01"), ("channel", "电话"), ("outcome", "仍在求职")];
        let res =
            client().post(format!("{}{path}", app.base)).header("cookie", &wanzhou).form(&bad).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}");
        let back = location(&res);
        assert!(back.contains("contact_error="), "{l}: {back}");
        let page = get(&app, &wanzhou, &back).await.text().await.unwrap();
        assert!(page.contains("未记录：") && page.contains("晚于今天"), "{l}: {back}");
        assert_eq!(jiujin_store::services::contacts_of(&app.store, wan_yi).await.unwrap().len(), 1, "{l}");

        // Refused: no token (403); 开州 staff, a worker, an employer, an inspector (404).
        let res = client()
            .post(format!("{}{path}", app.base))
            .header("cookie", &wanzhou)
            .form(&form[1..])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{l}");
        for user in ["kaizhou", "worker", "someone", "inspector"] {
            let c = login(&app, user, PASSWORD).await.unwrap();
            let t = hidden(&get(&app, &c, "/jobs").await.text().await.unwrap(), "csrf");
            let mut f = form.to_vec();
            f[0] = ("csrf", t.as_str());
            let res = client().post(format!("{}{path}", app.base)).header("cookie", &c).form(&f).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}: {user}");
            if user != "kaizhou" {
                assert_eq!(get(&app, &c, "/services").await.status(), StatusCode::NOT_FOUND, "{l}: {user}");
                assert_eq!(get(&app, &c, "/services/gaps").await.status(), StatusCode::NOT_FOUND, "{l}: {user}");
                assert_eq!(get(&app, &c, "/services/households").await.status(), StatusCode::NOT_FOUND, "{l}: {user}");
            }
        }
        assert_eq!(jiujin_store::services::contacts_of(&app.store, wan_yi).await.unwrap().len(), 1, "{l}");

        // The same lists as JSON, as documented; bad limits refused; not for a worker.
        let doc: serde_json::Value =
            client().get(format!("{}/api/openapi.json", app.base)).send().await.unwrap().json().await.unwrap();
        let (_, token) = jiujin_app::access::create_token(&app.store, "wanzhou", "", None, &tester()).await.unwrap();
        let api = |path: &'static str, token: String| {
            let url = format!("{}{path}", app.base);
            async move { client().get(url).bearer_auth(token).send().await.unwrap() }
        };
        let f: serde_json::Value = api("/api/v1/services/follow-up", token.clone()).await.json().await.unwrap();
        conforms(&doc, "FollowUpView", &f);
        assert_eq!((f["registered"].as_u64(), f["up_to_date"].as_u64()), (Some(1), Some(1)), "{l}: {f}");
        let g: serde_json::Value = api("/api/v1/services/gaps", token.clone()).await.json().await.unwrap();
        conforms(&doc, "GapsView", &g);
        let bad = api("/api/v1/services/follow-up?limit=0", token.clone()).await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY, "{l}");
        let (_, wt) = jiujin_app::access::create_token(&app.store, "worker", "", None, &tester()).await.unwrap();
        assert_eq!(api("/api/v1/services/gaps", wt).await.status(), StatusCode::NOT_FOUND, "{l}");

        // The 1+1+3+1 list renders for staff (nobody here is 脱贫: none listed).
        let html = get(&app, &wanzhou, "/services/gaps").await.text().await.unwrap();
        assert!(html.contains("1+1+3+1") && html.contains("共 0 人"), "{l}");
        let html = get(&app, &wanzhou, "/services/households").await.text().await.unwrap();
        assert!(html.contains("零就业家庭") && html.contains("共 0 户"), "{l}: nobody here has a household number");
    })
    .await;
}

/// 网上失业登记: a worker registers their own unemployment from their page (the event
/// says 本人自助); they cannot register anyone else, and they then appear on the staff's
/// follow-up list.
#[tokio::test(flavor = "multi_thread")]
async fn a_worker_registers_their_own_unemployment_online_and_no_one_elses() {
    each_database(async |app: App| {
        let l = app.label();
        let wan_yi = person_id(&app, "万一").await;
        let worker = login(&app, "worker", PASSWORD).await.unwrap();
        let page = get(&app, &worker, &format!("/registry/{wan_yi}")).await.text().await.unwrap();
        assert!(page.contains("网上申请失业登记") && !page.contains("记录跟踪联系"), "{l}");
        let token = hidden(&page, "csrf");
        let day = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
        let form = [
            ("csrf", token.as_str()),
            ("date", day.as_str()),
            ("able_to_work", "1"),
            ("wants_work", "1"),
            ("without_work", "1"),
        ];
        // Someone else's record: not found.
        let other = person_id(&app, "万二").await;
        let res = client()
            .post(format!("{}/registry/{other}/unemployment", app.base))
            .header("cookie", &worker)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}");
        let res = client()
            .post(format!("{}/registry/{wan_yi}/unemployment", app.base))
            .header("cookie", &worker)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}: {}", res.text().await.unwrap());
        let p = jiujin_store::registry::person(&app.store, jiujin_store::Scope::City, wan_yi).await.unwrap().unwrap();
        assert_eq!(p.state.unemployed_since.map(|d| d.to_string()), Some(day.clone()), "{l}");
        let events =
            jiujin_store::registry::timeline(&app.store, jiujin_store::Scope::City, wan_yi).await.unwrap().unwrap();
        let last = events.last().unwrap();
        assert_eq!(last.source, jiujin_domain::registry::EventSource::SelfService, "{l}: {last:?}");
        // The staff of 万州 now count 万一 among the registered unemployed they follow up
        // (the first contact is owed a month after the registration).
        let staff = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let html = get(&app, &staff, "/services").await.text().await.unwrap();
        assert!(html.contains("登记失业 1 人") && html.contains("未到联系期 1 人"), "{l}");
    })
    .await;
}

/// 就业困难人员 from a person's page: recognised (the flag and the timeline follow),
/// a mistake comes back next to the form, another district refused; the lists of the
/// services as Excel, each audited as an export.
#[tokio::test(flavor = "multi_thread")]
async fn staff_recognise_a_person_from_their_page_and_export_the_lists() {
    each_database(async |app: App| {
        let l = app.label();
        let today = chrono::Utc::now().date_naive();
        let wan_yi = register(&app, "万一", today - chrono::Duration::days(10)).await;
        let wz = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let page = get(&app, &wz, &format!("/registry/{wan_yi}")).await.text().await.unwrap();
        assert!(page.contains("认定为就业困难人员"), "{l}");
        let t = hidden(&page, "csrf");
        let day = today.to_string();
        let path = format!("/registry/{wan_yi}/difficulty");
        let bad = [("csrf", t.as_str()), ("category", "刑满释放人员"), ("date", day.as_str()), ("evidence", "")];
        let res = client().post(format!("{}{path}", app.base)).header("cookie", &wz).form(&bad).send().await.unwrap();
        let back = location(&res);
        let html = get(&app, &wz, &back).await.text().await.unwrap();
        assert!(html.contains("未保存：") && html.contains("证明材料"), "{l}: {back}");
        let good =
            [("csrf", t.as_str()), ("category", "刑满释放人员"), ("date", day.as_str()), ("evidence", "释放证明书")];
        let res = client().post(format!("{}{path}", app.base)).header("cookie", &wz).form(&good).send().await.unwrap();
        assert!(location(&res).contains("saved=difficulty"), "{l}");
        let help = [("csrf", t.as_str()), ("kind", "职业指导"), ("date", day.as_str()), ("note", "介绍附近岗位")];
        let res = client()
            .post(format!("{}/registry/{wan_yi}/help", app.base))
            .header("cookie", &wz)
            .form(&help)
            .send()
            .await
            .unwrap();
        assert!(location(&res).contains("saved=help"), "{l}");
        let html = get(&app, &wz, &format!("/registry/{wan_yi}")).await.text().await.unwrap();
        assert!(html.contains("认定为就业困难人员（刑满释放人员）") && html.contains("职业指导：介绍附近岗位"), "{l}");
        let html = get(&app, &wz, "/services/difficulty").await.text().await.unwrap();
        assert!(html.contains("万一") && html.contains("刑满释放人员"), "{l}");

        // 开州 cannot recognise 万州's person; a worker has no such page.
        let kz = login(&app, "kaizhou", PASSWORD).await.unwrap();
        let tk = hidden(&get(&app, &kz, "/services").await.text().await.unwrap(), "csrf");
        let mut f = good.to_vec();
        f[0] = ("csrf", tk.as_str());
        let res = client().post(format!("{}{path}", app.base)).header("cookie", &kz).form(&f).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}");
        let html = get(&app, &kz, "/services/difficulty").await.text().await.unwrap();
        assert!(!html.contains("万一"), "{l}");
        let worker = login(&app, "worker", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &worker, "/services/difficulty").await.status(), StatusCode::NOT_FOUND, "{l}");

        let before = entries(&app, AuditAction::ExportRun).await.len();
        for path in ["/services.xlsx", "/services/gaps.xlsx", "/services/households.xlsx", "/services/difficulty.xlsx"]
        {
            let res = get(&app, &wz, path).await;
            assert_eq!(res.status(), StatusCode::OK, "{l}: {path}");
            assert!(res.bytes().await.unwrap().starts_with(b"PK"), "{l}: {path}");
            assert_eq!(get(&app, &worker, path).await.status(), StatusCode::NOT_FOUND, "{l}: {path}");
        }
        assert_eq!(entries(&app, AuditAction::ExportRun).await.len(), before + 4, "{l}");
    })
    .await;
}
