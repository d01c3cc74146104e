//! 岗位: the board searched city-wide, held postings seen only by their employer and
//! the staff of their region, review, the employer's form, and matches by API, each
//! refused (404) to the wrong user.

use super::*;

const EMPLOYERS: &str = "统一社会信用代码,单位名称,单位类型,行业,所在地区划代码";
const JOBS: &str = "岗位编号,统一社会信用代码,岗位名称,职业,工作地点区划代码,招聘人数,薪酬下限,薪酬上限,用工形式,年龄上限,性别要求,食宿,岗位描述";

fn code(district: &str, body: &str) -> String {
    jiujin_domain::identity::CreditCode::from_parts("91", district, body).unwrap().as_str().to_string()
}

/// The employer account's firm in 万州 (an open welding job, a posting held for its sex
/// restriction) and a 开州 firm (an open cleaning job). Returns the ids.
pub(crate) async fn postings(app: &App) -> (i64, i64, i64) {
    use jiujin_app::jobs::import::{import_employers, import_jobs, JobsImportRequest};
    let dir = tempfile::tempdir().unwrap();
    let wz = code("500101", "MA5U0001");
    let kz = code("500154", "MA5U0002");
    let e = dir.path().join("e.csv");
    std::fs::write(
        &e,
        format!("{EMPLOYERS}\n{wz},万州焊接有限公司,民营,C,500101001\n{kz},开州家政中心,个体,O,500154001\n"),
    )
    .unwrap();
    let today = chrono::Utc::now().date_naive();
    let by = tester();
    let scope = jiujin_store::Scope::City;
    let req = JobsImportRequest { store: &app.store, path: &e, rejects: None, scope, by: &by, today };
    assert_eq!(import_employers(req).await.unwrap().written.inserted, 2);
    let j = dir.path().join("j.csv");
    std::fs::write(
        &j,
        format!(
            "{JOBS}\nA,{wz},电焊工（包吃住）,电焊工,500101001,3,6000,8000,全职,60,,包吃住,持证上岗\n\
             B,{wz},搬运工,搬运工,500101001,2,5000,6000,全职,60,男,不包,\n\
             C,{kz},保洁员,保洁员,500154001,1,3000,3500,全职,65,,不包,写字楼保洁\n"
        ),
    )
    .unwrap();
    let req = JobsImportRequest { store: &app.store, path: &j, rejects: None, scope, by: &by, today };
    let r = import_jobs(req).await.unwrap();
    assert_eq!((r.written.inserted, r.held), (3, 1), "{}", app.label());
    let ids = jiujin_store::jobs::listings_after(&app.store, 0, 10).await.unwrap();
    let by_ref = |r: &str| ids.iter().find(|l| l.job.reference == r).unwrap().job.id;
    (by_ref("A"), by_ref("B"), by_ref("C"))
}

async fn post_form(app: &App, cookie: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client().post(format!("{}{path}", app.base)).header("cookie", cookie).form(form).send().await.unwrap()
}

async fn csrf(app: &App, cookie: &str) -> String {
    hidden(&get(app, cookie, "/jobs").await.text().await.unwrap(), "csrf")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_board_is_city_wide_and_a_held_posting_is_seen_only_by_its_employer_and_region() {
    each_database(async |app: App| {
        let l = app.label();
        let (weld, held, clean) = postings(&app).await;
        let kaizhou = login(&app, "kaizhou", PASSWORD).await.unwrap();
        let wanzhou = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let employer = login(&app, "someone", PASSWORD).await.unwrap();
        let worker = login(&app, "worker", PASSWORD).await.unwrap();

        // 开州 staff search 万州's postings (visible city-wide): the welding job.
        let page =
            get(&app, &kaizhou, "/jobs?q=%E4%B8%87%E5%B7%9E+%E7%94%B5%E7%84%8A%E5%B7%A5+%E5%8C%85%E5%90%83%E4%BD%8F")
                .await;
        assert_eq!(page.status(), StatusCode::OK, "{l}");
        let html = page.text().await.unwrap();
        assert!(html.contains("电焊工（包吃住）") && !html.contains("保洁员"), "{l}: {html}");
        assert!(html.contains("地点：万州区"), "{l}: the query is explained");

        // The held posting: its employer and 万州 staff see it with the reason; 开州 staff
        // and a worker get 404.
        for (who, cookie, status) in [
            ("employer", &employer, StatusCode::OK),
            ("wanzhou", &wanzhou, StatusCode::OK),
            ("kaizhou", &kaizhou, StatusCode::NOT_FOUND),
            ("worker", &worker, StatusCode::NOT_FOUND),
        ] {
            let res = get(&app, cookie, &format!("/jobs/{held}")).await;
            assert_eq!(res.status(), status, "{l}: {who}");
            if status == StatusCode::OK {
                assert!(res.text().await.unwrap().contains("限定性别"), "{l}: {who}");
            }
        }
        let review = get(&app, &wanzhou, "/jobs/review").await.text().await.unwrap();
        assert!(review.contains("搬运工"), "{l}");
        let review = get(&app, &kaizhou, "/jobs/review").await.text().await.unwrap();
        assert!(!review.contains("搬运工"), "{l}");
        assert_eq!(get(&app, &worker, "/jobs/review").await.status(), StatusCode::NOT_FOUND, "{l}");

        // 开州 staff may not change a 万州 posting; the employer may not approve its own.
        let token = csrf(&app, &kaizhou).await;
        let res =
            post_form(&app, &kaizhou, &format!("/jobs/{weld}/status"), &[("csrf", &token), ("action", "close")]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}");
        let token = csrf(&app, &employer).await;
        let res =
            post_form(&app, &employer, &format!("/jobs/{held}/status"), &[("csrf", &token), ("action", "approve")])
                .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{l}");
        // Rejecting needs a reason; approving opens it to the city.
        let token = csrf(&app, &wanzhou).await;
        let res =
            post_form(&app, &wanzhou, &format!("/jobs/{held}/status"), &[("csrf", &token), ("action", "reject")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{l}");
        let res = post_form(
            &app,
            &wanzhou,
            &format!("/jobs/{held}/status"),
            &[("csrf", &token), ("action", "approve"), ("note", "装卸重体力，已改为男女不限")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}");
        assert_eq!(get(&app, &kaizhou, &format!("/jobs/{held}")).await.status(), StatusCode::OK, "{l}");
        let entries = entries(&app, AuditAction::JobChange).await;
        assert!(entries.iter().any(|e| e.entity_id.as_deref() == Some(held.to_string().as_str())), "{l}");

        // The API: search and a worker's matches, scoped.
        let res = get(&app, &kaizhou, "/api/v1/jobs?q=%E4%BF%9D%E6%B4%81").await;
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["items"][0]["id"], clean, "{l}: {body}");
        let wan_yi = person_id(&app, "万一").await;
        let res = get(&app, &wanzhou, &format!("/api/v1/persons/{wan_yi}/matches")).await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        let body: serde_json::Value = res.json().await.unwrap();
        let first = &body["matches"][0];
        assert!(first["factors"].as_array().is_some_and(|f| !f.is_empty()), "{l}: {body}");
        assert_eq!(first["job"]["id"], weld, "{l}: the nearest open job first: {body}");
        let res = get(&app, &kaizhou, &format!("/api/v1/persons/{wan_yi}/matches")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}");
        // A posting's workers: 万州 staff find 万一 for the 万州 welding job; 开州 staff,
        // whose scope holds nobody near it, find no 万州 person; a worker gets 404.
        let body: serde_json::Value =
            get(&app, &wanzhou, &format!("/api/v1/jobs/{weld}/matches?within=all")).await.json().await.unwrap();
        let names: Vec<&str> = body["matches"].as_array().unwrap().iter().filter_map(|m| m["name"].as_str()).collect();
        assert!(names.contains(&"万一") && !names.contains(&"开三"), "{l}: {body}");
        assert!(body["matches"][0]["factors"].as_array().is_some_and(|f| !f.is_empty()), "{l}");
        let body: serde_json::Value =
            get(&app, &kaizhou, &format!("/api/v1/jobs/{weld}/matches?within=all")).await.json().await.unwrap();
        assert!(body["matches"].as_array().unwrap().iter().all(|m| m["name"] != "万一"), "{l}: {body}");
        let res = get(&app, &worker, &format!("/api/v1/jobs/{weld}/matches")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}");
        let res = get(&app, &wanzhou, &format!("/api/v1/jobs/{weld}/matches?within=far")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{l}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_employer_publishes_a_posting_and_a_bad_one_comes_back_with_its_reasons() {
    each_database(async |app: App| {
        let l = app.label();
        postings(&app).await;
        let employer = login(&app, "someone", PASSWORD).await.unwrap();
        let form = get(&app, &employer, "/jobs/new").await.text().await.unwrap();
        let token = hidden(&form, "csrf");
        let mut fields = vec![
            ("csrf", token.as_str()),
            ("ref", "D"),
            ("title", "叉车司机"),
            ("occupation", "叉车司机"),
            ("place", "500101001"),
            ("headcount", "2"),
            ("wage_min", "7000"),
            ("wage_max", "6000"),
            ("kind", "全职"),
            ("board", "不包"),
            ("sex", "不限"),
        ];
        let res = post_form(&app, &employer, "/jobs/new", &fields).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{l}");
        assert!(res.text().await.unwrap().contains("低于下限"), "{l}");
        fields.retain(|(k, _)| *k != "wage_max");
        fields.push(("wage_max", "8000"));
        let res = post_form(&app, &employer, "/jobs/new", &fields).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}");
        let mine = get(&app, &employer, "/jobs/mine").await.text().await.unwrap();
        assert!(mine.contains("叉车司机") && mine.contains("招聘中"), "{l}");
        // The blank templates download as Excel with every column of the import.
        for name in ["employers", "jobs"] {
            let res = get(&app, &employer, &format!("/templates/{name}.xlsx")).await;
            assert_eq!(res.status(), StatusCode::OK, "{l}");
            let bytes = res.bytes().await.unwrap();
            assert!(bytes.starts_with(b"PK"), "{l}: an xlsx (zip) file");
        }
        assert_eq!(get(&app, &employer, "/templates/other.xlsx").await.status(), StatusCode::NOT_FOUND, "{l}");
        // A worker may not publish.
        let worker = login(&app, "worker", PASSWORD).await.unwrap();
        assert_eq!(get(&app, &worker, "/jobs/new").await.status(), StatusCode::NOT_FOUND, "{l}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_shows_on_the_persons_page_and_a_hire_recorded_there_changes_the_status() {
    use jiujin_app::jobs::board::{JobBoard, Vocab};
    use jiujin_app::jobs::push::{push_run, PushRequest};
    each_database(async |app: App| {
        let l = app.label();
        let (weld, _, _) = postings(&app).await;
        let today = chrono::Utc::now().date_naive();
        let board = JobBoard::load(&app.store, Vocab::embedded().unwrap(), today).await.unwrap();
        let by = tester();
        let req = PushRequest {
            store: &app.store,
            board: &board,
            date: today,
            cap: 1,
            min_score: 0,
            scope: jiujin_store::Scope::City,
            by: &by,
            progress: None,
        };
        assert!(push_run(req).await.unwrap().pushed >= 1, "{l}");
        let wan_yi = person_id(&app, "万一").await;
        let push = jiujin_store::jobs::pushes_of(&app.store, wan_yi).await.unwrap();
        assert_eq!(push.iter().map(|p| p.job_id).collect::<Vec<_>>(), [weld], "{l}: the nearest job is pushed");
        let wanzhou = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let page = get(&app, &wanzhou, &format!("/registry/{wan_yi}")).await.text().await.unwrap();
        assert!(page.contains("推送岗位：电焊工（包吃住）"), "{l}: the push is on the timeline");
        let token = hidden(&page, "csrf");
        let path = format!("/pushes/{}/outcome", push[0].id);
        // Staff of another district: 404, nothing recorded.
        let kaizhou = login(&app, "kaizhou", PASSWORD).await.unwrap();
        let ktoken = csrf(&app, &kaizhou).await;
        let res = post_form(&app, &kaizhou, &path, &[("csrf", &ktoken), ("outcome", "hired")]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}");
        let res = post_form(&app, &wanzhou, &path, &[("csrf", &token), ("outcome", "hired")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}");
        let p = jiujin_store::registry::person(&app.store, jiujin_store::Scope::City, wan_yi).await.unwrap().unwrap();
        assert_eq!(p.state.status, jiujin_domain::registry::EmploymentStatus::LocalEmployed, "{l}");
        assert_eq!(p.state.work_region.map(|r| r.short()), Some("500101001".to_string()), "{l}");
        let job = jiujin_store::jobs::listing(&app.store, weld).await.unwrap().unwrap();
        assert_eq!(job.job.hired, 1, "{l}");
        // The match-quality report counts it: two pushes in 万州 (万一, 万二), one
        // application (the hire), one hire.
        let report = get(&app, &wanzhou, "/jobs/quality").await.text().await.unwrap();
        let row = "<td>万州区</td><td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">50.0%</td>";
        assert!(report.contains(row), "{l}: {report}");
        let none = get(&app, &kaizhou, "/jobs/quality").await.text().await.unwrap();
        assert!(!none.contains("万州区"), "{l}: 开州 staff do not see 万州's persons");
        // The monitoring dashboard: this month's two pushes and the hire in 万州, listed.
        assert_eq!(super::activity(&app, &wanzhou, "job_pushes").await, 2, "{l}");
        assert_eq!(super::activity(&app, &wanzhou, "push_hires").await, 1, "{l}");
        let m = today.format("%Y-%m").to_string();
        let list = get(&app, &wanzhou, &format!("/monitoring/records?source=push_hires&from={m}&to={m}")).await;
        let list = list.text().await.unwrap();
        assert!(list.contains("万一") && !list.contains("万二"), "{l}: {list}");
        // The same outcome again is refused.
        let res = post_form(&app, &wanzhou, &path, &[("csrf", &token), ("outcome", "hired")]).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{l}");
    })
    .await;
}

pub(crate) fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_station_posts_day_work_a_worker_claims_it_and_staff_confirm_completion() {
    each_database(async |app: App| {
        let l = app.label();
        postings(&app).await;
        let wanzhou = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let kaizhou = login(&app, "kaizhou", PASSWORD).await.unwrap();
        let worker = login(&app, "worker", PASSWORD).await.unwrap();
        let token = csrf(&app, &wanzhou).await;
        // 开州 staff may not open a station in 万州.
        let ktoken = csrf(&app, &kaizhou).await;
        let station = [
            ("name", "高笋塘零工驿站"),
            ("region", "500101001"),
            ("address", "高笋塘广场"),
            ("operator", "万州区就业局"),
        ];
        let mut form = vec![("csrf", ktoken.as_str())];
        form.extend(station);
        assert_eq!(
            post_form(&app, &kaizhou, "/stations", &form).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{l}"
        );
        let mut form = vec![("csrf", token.as_str())];
        form.extend(station);
        let res = post_form(&app, &wanzhou, "/stations", &form).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}");
        let page = location(&res);
        let wz = code("500101", "MA5U0001");
        let gig = [
            ("csrf", token.as_str()),
            ("credit_code", wz.as_str()),
            ("title", "搬运装卸"),
            ("wage", "200"),
            ("headcount", "1"),
        ];
        let res = post_form(&app, &wanzhou, &format!("{page}/jobs"), &gig).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}");
        // The worker's phone page shows the day work with its wage and a claim button.
        let html = get(&app, &worker, &page).await.text().await.unwrap();
        assert!(html.contains("搬运装卸") && html.contains("200元") && html.contains("我要接单"), "{l}: {html}");
        let day = chrono::Utc::now().date_naive();
        assert!(html.contains(&format!("{day} 至 {day}")), "{l}: without an end date, day work is for today");
        let job = jiujin_store::jobs::listings_after(&app.store, 0, 100)
            .await
            .unwrap()
            .into_iter()
            .find(|x| x.job.title == "搬运装卸")
            .unwrap()
            .job
            .id;
        let wtoken = hidden(&html, "csrf");
        let res = post_form(&app, &worker, &format!("/claims/{job}"), &[("csrf", &wtoken)]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}");
        let res = post_form(&app, &worker, &format!("/claims/{job}"), &[("csrf", &wtoken)]).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{l}: a second claim of the same work is refused");
        assert!(!get(&app, &worker, &page).await.text().await.unwrap().contains("我要接单"), "{l}: no place left");
        // Completion: 开州 staff get 404; the station's staff confirm.
        let html = get(&app, &wanzhou, &page).await.text().await.unwrap();
        assert!(html.contains("已接单") && html.contains(">万一</a>"), "{l}: the staff see who took it");
        let mine = get(&app, &worker, &page).await.text().await.unwrap();
        assert!(mine.contains("您已接单"), "{l}: the worker sees their claim");
        let claim = jiujin_store::gig::station_claims(&app.store, page.rsplit('/').next().unwrap().parse().unwrap())
            .await
            .unwrap()[0]
            .0
            .id;
        let path = format!("/claims/{claim}/finish");
        let res = post_form(&app, &kaizhou, &path, &[("csrf", &ktoken), ("action", "complete")]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}");
        let res = post_form(&app, &wanzhou, &path, &[("csrf", &token), ("action", "complete")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}");
        let html = get(&app, &wanzhou, &page).await.text().await.unwrap();
        assert!(html.contains("已完工") && html.contains("完工 1 人次"), "{l}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fair_lists_its_employers_and_postings_and_records_attendance_and_hires() {
    each_database(async |app: App| {
        let l = app.label();
        postings(&app).await;
        let wanzhou = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let kaizhou = login(&app, "kaizhou", PASSWORD).await.unwrap();
        let token = csrf(&app, &wanzhou).await;
        let fair = [
            ("csrf", token.as_str()),
            ("name", "2026年春风行动万州专场"),
            ("held_on", "2026-02-20"),
            ("region", "500101"),
            ("venue", "万州区人力资源市场"),
            ("organizer", "万州区人力社保局"),
        ];
        let res = post_form(&app, &wanzhou, "/fairs", &fair).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}");
        let page = location(&res);
        let wz = code("500101", "MA5U0001");
        let res =
            post_form(&app, &wanzhou, &format!("{page}/employers"), &[("csrf", &token), ("credit_code", &wz)]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}");
        let counts = format!("{page}/counts");
        let res =
            post_form(&app, &wanzhou, &counts, &[("csrf", &token), ("attendance", "120"), ("hires", "130")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{l}");
        let ktoken = csrf(&app, &kaizhou).await;
        let res = post_form(&app, &kaizhou, &counts, &[("csrf", &ktoken), ("attendance", "1"), ("hires", "1")]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}");
        let res = post_form(&app, &wanzhou, &counts, &[("csrf", &token), ("attendance", "120"), ("hires", "15")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}");
        let html = get(&app, &kaizhou, &page).await.text().await.unwrap();
        assert!(
            html.contains("万州焊接有限公司") && html.contains("电焊工（包吃住）"),
            "{l}: employer and its open posting"
        );
        assert!(html.contains("<dd id=\"attendance\">120</dd>") && html.contains("<dd id=\"hires\">15</dd>"), "{l}");
        assert!(!html.contains("/counts"), "{l}: 开州 staff see no forms");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_employer_sees_its_postings_candidates_and_the_worker_answers_their_own_push() {
    use jiujin_app::jobs::board::{JobBoard, Vocab};
    use jiujin_app::jobs::push::{push_run, PushRequest};
    each_database(async |app: App| {
        let l = app.label();
        let (weld, _, _) = postings(&app).await;
        let today = chrono::Utc::now().date_naive();
        let board = JobBoard::load(&app.store, Vocab::embedded().unwrap(), today).await.unwrap();
        let by = tester();
        let req = PushRequest {
            store: &app.store,
            board: &board,
            date: today,
            cap: 1,
            min_score: 0,
            scope: jiujin_store::Scope::City,
            by: &by,
            progress: None,
        };
        push_run(req).await.unwrap();
        let wan_yi = person_id(&app, "万一").await;
        let push = jiujin_store::jobs::pushes_of(&app.store, wan_yi).await.unwrap()[0].clone();
        assert_eq!(push.job_id, weld, "{l}");

        // The worker says they applied; a hire is not theirs to record.
        let worker = login(&app, "worker", PASSWORD).await.unwrap();
        let page = get(&app, &worker, &format!("/registry/{wan_yi}")).await.text().await.unwrap();
        assert!(page.contains("推送岗位") && !page.contains("value=\"hired\""), "{l}");
        let token = hidden(&page, "csrf");
        let path = format!("/pushes/{}/outcome", push.id);
        let res = post_form(&app, &worker, &path, &[("csrf", &token), ("outcome", "hired")]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}");
        let res = post_form(&app, &worker, &path, &[("csrf", &token), ("outcome", "applied")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}: {}", res.text().await.unwrap());

        // The employer sees the candidate on its posting (no identity number), and hires.
        let employer = login(&app, "someone", PASSWORD).await.unwrap();
        let html = get(&app, &employer, &format!("/jobs/{weld}")).await.text().await.unwrap();
        assert!(
            html.contains("推荐与申请人选")
                && html.contains("系统推送")
                && html.contains("万一")
                && html.contains("已申请"),
            "{l}"
        );
        assert!(!html.contains("500101198"), "{l}: no identity number reaches the employer");
        let etoken = hidden(&html, "csrf");
        let res = post_form(&app, &employer, &path, &[("csrf", &etoken), ("outcome", "hired")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}");
        let p = jiujin_store::registry::person(&app.store, jiujin_store::Scope::City, wan_yi).await.unwrap().unwrap();
        assert_eq!(p.state.status, jiujin_domain::registry::EmploymentStatus::LocalEmployed, "{l}");
        // 政策直达 now lists the hire with what the subsidies paid per hired person say.
        let html = get(&app, &employer, "/policies").await.text().await.unwrap();
        assert!(html.contains("吸纳人员的补贴") && html.contains("万一 · "), "{l}");
        assert!(html.contains("一次性吸纳重点群体就业岗位补贴"), "{l}");
        // Another employer's push: 404. (万二's push is for the same posting; the 开州
        // cleaning job's employer has no account, so use a worker's push of another job.)
        let other = jiujin_store::jobs::pushes_of(&app.store, person_id(&app, "开三").await).await.unwrap();
        if let Some(o) = other.iter().find(|p| p.job_id != weld) {
            let res = post_form(
                &app,
                &employer,
                &format!("/pushes/{}/outcome", o.id),
                &[("csrf", &etoken), ("outcome", "hired")],
            )
            .await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}");
        }
    })
    .await;
}

/// A worker applies to a posting from its page (自主申请); its employer sees the
/// applicant marked as such; a second application, a held posting, another role or a
/// missing CSRF token are refused. The match-quality report counts the application
/// apart from pushes, on the page and in the API, for staff only.
#[tokio::test(flavor = "multi_thread")]
async fn a_worker_applies_from_the_posting_page_and_the_employer_sees_the_application() {
    each_database(async |app: App| {
        let l = app.label();
        let (weld, held, _) = postings(&app).await;
        let worker = login(&app, "worker", PASSWORD).await.unwrap();
        let page = get(&app, &worker, &format!("/jobs/{weld}")).await.text().await.unwrap();
        assert!(page.contains("申请该岗位"), "{l}");
        let token = hidden(&page, "csrf");
        let path = format!("/jobs/{weld}/apply");
        let res = post_form(&app, &worker, &path, &[("csrf", "wrong")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{l}");
        let res = post_form(&app, &worker, &path, &[("csrf", &token)]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{l}: {}", res.text().await.unwrap());
        let page = get(&app, &worker, &format!("/jobs/{weld}")).await.text().await.unwrap();
        assert!(page.contains("您对本岗位：已申请") && !page.contains("申请该岗位</button>"), "{l}");
        let res = post_form(&app, &worker, &path, &[("csrf", &token)]).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{l}");
        assert!(res.text().await.unwrap().contains("已申请过该岗位"), "{l}");
        // A held posting does not exist for the worker; staff do not apply for themselves.
        let res = post_form(&app, &worker, &format!("/jobs/{held}/apply"), &[("csrf", &token)]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}");
        let city = login(&app, "city", PASSWORD).await.unwrap();
        let ctoken = csrf(&app, &city).await;
        let res = post_form(&app, &city, &path, &[("csrf", &ctoken)]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{l}");

        // The worker's page lists it; the employer sees the applicant, marked 自主申请.
        let wan_yi = person_id(&app, "万一").await;
        let mine = get(&app, &worker, &format!("/registry/{wan_yi}")).await.text().await.unwrap();
        assert!(mine.contains("申请岗位：电焊工（包吃住）"), "{l}");
        let employer = login(&app, "someone", PASSWORD).await.unwrap();
        let html = get(&app, &employer, &format!("/jobs/{weld}")).await.text().await.unwrap();
        assert!(html.contains("万一") && html.contains("自主申请"), "{l}");

        // The quality report: one application, no pushes; not for the worker.
        let q = get(&app, &city, "/api/v1/jobs/quality").await;
        assert_eq!(q.status(), StatusCode::OK, "{l}");
        let q: serde_json::Value = q.json().await.unwrap();
        assert_eq!(q["total"]["self_applied"], 1, "{l}: {q}");
        assert_eq!(q["total"]["pushes"], 0, "{l}: {q}");
        assert_eq!(q["total"]["applied_share"], serde_json::Value::Null, "{l}: {q}");
        assert_eq!(q["districts"][0]["key"], "500101", "{l}: {q}");
        let kz = login(&app, "kaizhou", PASSWORD).await.unwrap();
        let q: serde_json::Value = get(&app, &kz, "/api/v1/jobs/quality").await.json().await.unwrap();
        assert_eq!(q["total"]["self_applied"], 0, "{l}: 开州 staff do not count 万州 people");
        assert_eq!(get(&app, &worker, "/api/v1/jobs/quality").await.status(), StatusCode::NOT_FOUND, "{l}");
        let html = get(&app, &city, "/jobs/quality").await.text().await.unwrap();
        assert!(html.contains("自主申请") && html.contains("万州区"), "{l}");
    })
    .await;
}

/// 政策直达: an employer account opens the policy library on the employer policies,
/// evaluated on what the employer register holds of it; others do not see that section.
#[tokio::test(flavor = "multi_thread")]
async fn an_employer_sees_the_employer_policies_evaluated_for_itself() {
    each_database(async |app: App| {
        let l = app.label();
        postings(&app).await;
        let employer = login(&app, "someone", PASSWORD).await.unwrap();
        let html = get(&app, &employer, "/policies").await.text().await.unwrap();
        assert!(html.contains("本单位可享政策") && html.contains("万州焊接有限公司"), "{l}");
        assert!(html.contains("待补充信息"), "{l}: facts the register does not hold are asked for");
        let city = login(&app, "city", PASSWORD).await.unwrap();
        let html = get(&app, &city, "/policies?target=employer").await.text().await.unwrap();
        assert!(!html.contains("本单位可享政策"), "{l}");
    })
    .await;
}
