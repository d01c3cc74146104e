//! The rest of the JSON API: a person's events and household inside the scope,
//! the region tree, import runs, the caller's account and tokens (created, listed
//! and revoked by the API itself), the administrator's account list, and every
//! answer against its schema in /api/openapi.json.

use super::*;

async fn token_of(app: &App, user: &str) -> String {
    jiujin_app::access::create_token(&app.store, user, "接口测试", None, &tester()).await.unwrap().1
}

async fn call(app: &App, token: &str, method: reqwest::Method, path: &str) -> reqwest::Response {
    client().request(method, format!("{}{path}", app.base)).bearer_auth(token).send().await.unwrap()
}

async fn json(app: &App, token: &str, path: &str) -> (StatusCode, serde_json::Value) {
    let res = call(app, token, reqwest::Method::GET, path).await;
    let status = res.status();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

async fn doc(app: &App) -> serde_json::Value {
    client().get(format!("{}/api/openapi.json", app.base)).send().await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn events_and_households_are_read_inside_the_scope_and_audited() {
    each_database(async |app| {
        let doc = doc(&app).await;
        let wan = token_of(&app, "wanzhou").await;
        let wan_er = person_id(&app, "万二").await;
        let kai = person_id(&app, "开三").await;
        let (status, events) = json(&app, &wan, &format!("/api/v1/persons/{wan_er}/events")).await;
        assert_eq!(status, StatusCode::OK, "{}", app.label());
        let events = events.as_array().unwrap();
        assert_eq!(events[0]["kind"], "登记");
        for e in events {
            conforms(&doc, "EventView", e);
        }
        let read = &entries(&app, AuditAction::PersonRead).await[0];
        assert_eq!(
            (read.entity_id.clone(), read.detail["via"].as_str()),
            (Some(wan_er.to_string()), Some("api-events"))
        );
        let (status, household) = json(&app, &wan, &format!("/api/v1/persons/{wan_er}/household")).await;
        assert_eq!((status, household), (StatusCode::OK, serde_json::json!([])), "{}", app.label());
        // Another district's person: absent, for both.
        for path in [format!("/api/v1/persons/{kai}/events"), format!("/api/v1/persons/{kai}/household")] {
            let (status, body) = json(&app, &wan, &path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{}: {path}", app.label());
            conforms(&doc, "ErrorBody", &body);
        }
        // A worker reads their own timeline only.
        let worker = token_of(&app, "worker").await;
        let wan_yi = person_id(&app, "万一").await;
        assert_eq!(json(&app, &worker, &format!("/api/v1/persons/{wan_yi}/events")).await.0, StatusCode::OK);
        assert_eq!(json(&app, &worker, &format!("/api/v1/persons/{wan_er}/events")).await.0, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_region_tree_is_served_level_by_level() {
    each_database(async |app| {
        let doc = doc(&app).await;
        let t = token_of(&app, "broker").await;
        let (status, districts) = json(&app, &t, "/api/v1/regions").await;
        assert_eq!(status, StatusCode::OK, "{}", app.label());
        assert_eq!(districts.as_array().unwrap().len(), 38);
        conforms(&doc, "RegionView", &districts[0]);
        let (_, towns) = json(&app, &t, "/api/v1/regions?parent=500101").await;
        let towns = towns.as_array().unwrap();
        assert!(towns.len() > 40, "万州区 has {} towns", towns.len());
        assert!(towns
            .iter()
            .all(|r| r["level"] == "乡镇（街道）" && r["code"].as_str().unwrap().starts_with("500101")));
        let town = towns[0]["code"].as_str().unwrap();
        let (_, villages) = json(&app, &t, &format!("/api/v1/regions?parent={town}")).await;
        assert!(villages.as_array().unwrap().iter().all(|r| r["code"].as_str().unwrap().len() == 12));
        assert_eq!(json(&app, &t, "/api/v1/regions?parent=110101").await.0, StatusCode::NOT_FOUND);
        let (status, body) = json(&app, &t, "/api/v1/regions?parent=50x").await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("parent")));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_is_created_listed_and_revoked_through_the_api_by_its_owner_only() {
    each_database(async |app| {
        let doc = doc(&app).await;
        let wan = token_of(&app, "wanzhou").await;
        let res = client()
            .post(format!("{}/api/v1/tokens", app.base))
            .bearer_auth(&wan)
            .json(&serde_json::json!({"label": "区县对接", "days": 30}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "{}", app.label());
        let created: serde_json::Value = res.json().await.unwrap();
        conforms(&doc, "NewToken", &created);
        let new = created["token"].as_str().unwrap().to_string();
        let id = created["id"].as_i64().unwrap();
        // The new token acts as its owner.
        let (status, me) = json(&app, &new, "/api/v1/me").await;
        assert_eq!((status, me["username"].as_str()), (StatusCode::OK, Some("wanzhou")), "{}", app.label());
        conforms(&doc, "AccountView", &me);
        assert_eq!(me["scope"], "万州区");
        let (_, list) = json(&app, &new, "/api/v1/tokens").await;
        let listed = list.as_array().unwrap();
        assert!(listed.iter().any(|t| t["id"] == id && t["label"] == "区县对接"));
        assert!(!list.to_string().contains(&new), "never the token itself");
        conforms(&doc, "TokenView", &listed[0]);
        // A bad label is named.
        let res = client()
            .post(format!("{}/api/v1/tokens", app.base))
            .bearer_auth(&wan)
            .json(&serde_json::json!({"label": " "}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.json::<serde_json::Value>().await.unwrap()["error"]["field"], "label");
        // Another account cannot revoke it: absent.
        let kai = token_of(&app, "kaizhou").await;
        assert_eq!(
            call(&app, &kai, reqwest::Method::DELETE, &format!("/api/v1/tokens/{id}")).await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(json(&app, &new, "/api/v1/me").await.0, StatusCode::OK);
        // Its owner can; then it is refused, and revoking again finds nothing.
        let res = call(&app, &wan, reqwest::Method::DELETE, &format!("/api/v1/tokens/{id}")).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT, "{}", app.label());
        assert_eq!(json(&app, &new, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(
            call(&app, &wan, reqwest::Method::DELETE, &format!("/api/v1/tokens/{id}")).await.status(),
            StatusCode::NOT_FOUND
        );
        let e = &entries(&app, AuditAction::TokenRevoke).await[0];
        assert_eq!((e.actor.as_str(), e.entity_id.clone()), ("wanzhou", Some(id.to_string())));
        // A browser session must send its form token to create one.
        let cookie = login(&app, "wanzhou", PASSWORD).await.unwrap();
        let res = client()
            .post(format!("{}/api/v1/tokens", app.base))
            .header("cookie", &cookie)
            .json(&serde_json::json!({"label": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}", app.label());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_are_listed_to_the_administrator_and_import_runs_to_whom_they_concern() {
    each_database(async |app| {
        let doc = doc(&app).await;
        let admin = token_of(&app, "admin").await;
        let (status, users) = json(&app, &admin, "/api/v1/users").await;
        assert_eq!(status, StatusCode::OK, "{}", app.label());
        let users = users.as_array().unwrap();
        assert!(users.iter().any(|u| u["username"] == "wanzhou" && u["region"] == "500101"));
        for u in users {
            conforms(&doc, "AccountView", u);
        }
        for user in ["city", "wanzhou", "auditor"] {
            assert_eq!(
                json(&app, &token_of(&app, user).await, "/api/v1/users").await.0,
                StatusCode::NOT_FOUND,
                "{user}"
            );
        }
        // The set-up's import is the city's to see, not a district's.
        let (status, runs) = json(&app, &token_of(&app, "city").await, "/api/v1/imports").await;
        assert_eq!((status, runs["total"].as_u64()), (StatusCode::OK, Some(1)), "{}", app.label());
        conforms(&doc, "ImportRunList", &runs);
        conforms(&doc, "ImportRunView", &runs["items"][0]);
        assert_eq!(runs["items"][0]["inserted"], 3);
        let (_, mine) = json(&app, &token_of(&app, "wanzhou").await, "/api/v1/imports").await;
        assert_eq!(mine["total"], 0, "{}", app.label());
        // The auditor's log, as the document describes it.
        let (status, log) = json(&app, &token_of(&app, "auditor").await, "/api/v1/audit?action=token.create").await;
        assert_eq!(status, StatusCode::OK);
        conforms(&doc, "AuditList", &log);
        conforms(&doc, "AuditItem", &log["items"][0]);
        for path in
            ["/api/v1/regions", "/api/v1/imports", "/api/v1/me", "/api/v1/users", "/api/v1/tokens", "/api/v1/audit"]
        {
            assert!(doc["paths"][path].is_object(), "{path} is in the document");
        }
    })
    .await;
}
