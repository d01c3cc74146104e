//! Recorded facts: the import (whole file or nothing, every problem by row and
//! column, inside the importer's scope) and the 免申即享 run of the embedded library
//! over a generated city, which must propose exactly what the per-person explainer
//! finds eligible (the bulk kernel and the explainer read the same rules and facts).

use std::collections::BTreeMap;

use jiujin_app::facts::{import_facts, FactsImportError};
use jiujin_app::gen::{generate, GenOptions};
use jiujin_app::policy::{evaluate_person, recorded_facts, run_policies, RunRequest, Which};
use jiujin_domain::policy::{Library, Status};
use jiujin_domain::refdata::RefData;
use jiujin_store::entity::{payout, person_fact};
use sea_orm::{EntityTrait, PaginatorTrait, QuerySelect};

use super::*;

async fn generated_city(db: &TestDb, workers: u64, dir: &std::path::Path) -> (Store, Keys) {
    let store = db.store().await;
    let keys = Keys::from_master(&[5u8; 32]);
    store.verify_key_check(keys.check_value(), "test").await.unwrap();
    let opts = GenOptions { workers, seed: 7, out_dir: dir.to_path_buf(), as_of: date("2025-06-30") };
    let summary = generate(&opts, RefData::embedded().unwrap(), &|_| {}).unwrap();
    let req = ImportRequest {
        path: &summary.files[0].0,
        rejects: None,
        scope: Scope::City,
        as_of: date("2025-06-30"),
        actor: None,
        by: tester(),
        batch_size: 1000,
        cancel: None,
        progress: None,
    };
    import_workers(&store, &keys, req).await.unwrap();
    let got = import_facts(&store, &keys, Scope::City, &summary.files[1].0, &tester()).await.unwrap();
    assert_eq!(got.rows, summary.files[1].1, "{}: every generated fact is accepted", db.label);
    assert!(got.rows > 0);
    (store, keys)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bulk_run_proposes_what_the_explainer_finds_for_each_person() {
    for db in TestDb::all().await {
        let l = db.label;
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = generated_city(&db, 4000, dir.path()).await;
        let lib = Library::embedded().unwrap();
        let on = date("2025-06-30");
        let req = RunRequest {
            library: lib,
            policies: Which::All,
            region: jiujin_domain::region::CHONGQING,
            date: on,
            by: tester(),
            page_size: 700, // several chunks
            cancel: None,
            progress: None,
        };
        let batch = run_policies(&store, req).await.unwrap();
        assert_eq!(batch.status, "done", "{l}");
        // Before any policy was in force: nothing to run, nothing recorded.
        let early = RunRequest {
            library: lib,
            policies: Which::All,
            region: jiujin_domain::region::CHONGQING,
            date: date("2015-01-01"),
            by: tester(),
            page_size: 700,
            cancel: None,
            progress: None,
        };
        let none = run_policies(&store, early).await.unwrap();
        assert!(none.runs.is_empty() && none.persons == 0, "{l}: {:?}", none.runs);
        assert!(none.skipped.iter().any(|(_, why)| why.contains("不在有效期内")), "{l}");
        let ran: Vec<&str> = batch.runs.iter().map(|r| r.policy.as_str()).collect();
        assert!(
            ran.contains(&"flexible-insurance-subsidy") && ran.contains(&"returnee-startup-subsidy"),
            "{l}: {ran:?}"
        );
        // The workshop, park and per-hire policies go over their registers (empty in a
        // generated city of workers); the 劳务品牌 award is paid on application.
        for id in ["workshop-subsidy", "startup-park-subsidy", "key-group-hiring-subsidy"] {
            let r = batch.runs.iter().find(|r| r.policy == id);
            assert!(r.is_some_and(|r| r.counts.evaluated == 0 && r.status == "done"), "{l}: {id}: {r:?}");
        }
        let brand = batch.skipped.iter().find(|(id, _)| id == "labor-brand-award");
        assert!(brand.is_some_and(|(_, why)| why.contains("申请")), "{l}: {brand:?}");
        let applied = batch.skipped.iter().find(|(id, _)| id == "startup-guaranteed-loan");
        assert!(applied.is_some_and(|(_, why)| why.contains("申请")), "{l}: paid on application");
        // Each person through the explainer, keyed as the run keys payouts.
        let ids: Vec<i64> = jiujin_store::entity::person::Entity::find()
            .select_only()
            .column(jiujin_store::entity::person::Column::Id)
            .into_tuple()
            .all(store.conn())
            .await
            .unwrap();
        let mut persons = jiujin_store::registry::persons_by_ids(&store, Scope::City, &ids).await.unwrap();
        assert_eq!(batch.persons, persons.len() as u64, "{l}");
        let mut expected: BTreeMap<(String, String, String), i64> = BTreeMap::new();
        persons.sort_by_key(|p| p.id);
        for p in &persons {
            let (recorded, _) = recorded_facts(&store, Scope::City, p.id, on).await.unwrap();
            let (_, results) = evaluate_person(lib, p, recorded, None, on).unwrap();
            for e in results {
                let Some(policy) = lib.get(e.policy.as_str()) else { continue };
                if !ran.contains(&e.policy.as_str()) || e.status != Status::Eligible {
                    continue;
                }
                let Some(amount) = e.amount_fen.filter(|a| *a > 0) else { continue };
                let (kind, key) = jiujin_app::policy::beneficiary(policy.payout_per, p).unwrap();
                expected.entry((e.policy.as_str().to_string(), kind, key)).or_insert(amount);
            }
        }
        let got: BTreeMap<(String, String, String), i64> = payout::Entity::find()
            .all(store.conn())
            .await
            .unwrap()
            .into_iter()
            .map(|x| ((x.policy_id, x.beneficiary_kind, x.beneficiary_key), x.amount_fen))
            .collect();
        let flexible = got.keys().filter(|k| k.0 == "flexible-insurance-subsidy").count();
        assert!(flexible > 20, "{l}: a city of 4,000 has flexible workers paying premiums ({flexible})");
        assert!(got.keys().any(|k| k.0 == "returnee-startup-subsidy"), "{l}");
        assert_eq!(got, expected, "{l}");
        let proposed: u64 = batch.runs.iter().map(|r| r.counts.proposed).sum();
        assert_eq!(proposed, got.len() as u64, "{l}");
        // A payout keeps the facts it was proposed from.
        let one = payout::Entity::find().one(store.conn()).await.unwrap().unwrap();
        let ev: serde_json::Value = serde_json::from_str(&one.explanation).unwrap();
        assert_eq!(ev["date"], "2025-06-30", "{l}");
        assert!(ev["facts"].as_object().is_some_and(|f| !f.is_empty()), "{l}: {ev}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_facts_file_with_a_bad_row_writes_nothing_and_names_each_problem() {
    for db in TestDb::all().await {
        let l = db.label;
        let store = city(&db).await;
        let keys = Keys::from_master(&[5u8; 32]);
        let wz = IdNumber::from_parts("500101", date("1980-03-04"), 100).unwrap();
        let kz = IdNumber::from_parts("500154", date("1980-03-04"), 106).unwrap();
        let unknown = IdNumber::from_parts("500101", date("1990-01-01"), 1).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("facts.csv");
        let text = format!(
            "公民身份号码,事实,取值,起始日期,来源\n\
             {wz},flexible_form,商贩,2024-01-01,就业登记\n\
             {wz},本期已缴基本养老和基本医疗保险费,1200元,2025-06-01,社保系统\n\
             {wz},low_income,true,2025-01-01,民政\n\
             {wz},staff_count,十二,2025-01-01,市场监管\n\
             {unknown},first_business,true,2025-01-01,市场监管\n\
             {kz},certificate_date,2025-02-30,2025-03-01,鉴定中心\n\
             {kz},first_business,true,2025-01-01,\n"
        );
        std::fs::write(&file, text).unwrap();
        let e = import_facts(&store, &keys, Scope::City, &file, &tester()).await.unwrap_err();
        let FactsImportError::Rows(problems) = e else { panic!("{l}: {e}") };
        let at: Vec<(u64, &str)> = problems.iter().map(|p| (p.row, p.column.as_str())).collect();
        assert_eq!(
            at,
            vec![(4, "事实"), (5, "取值"), (6, "公民身份号码"), (7, "取值"), (8, "来源")],
            "{l}: {problems:?}"
        );
        assert!(problems[0].reason.contains("登记库"), "{l}: {problems:?}");
        assert_eq!(person_fact::Entity::find().count(store.conn()).await.unwrap(), 0, "{l}: nothing written");

        // The good rows alone: written once, and again changes nothing.
        let good = format!(
            "公民身份号码,事实,取值,起始日期,来源\n\
             {wz},flexible_form,商贩,2024-01-01,就业登记\n\
             {wz},本期已缴基本养老和基本医疗保险费,1200元,2025-06-01,社保系统\n\
             {wz},premiums_paid_fen,90000,2025-07-01,社保系统\n"
        );
        std::fs::write(&file, &good).unwrap();
        let got = import_facts(&store, &keys, Scope::City, &file, &tester()).await.unwrap();
        assert_eq!((got.rows, got.persons, got.written), (3, 1, 3), "{l}");
        let again = import_facts(&store, &keys, Scope::City, &file, &tester()).await.unwrap();
        assert_eq!(again.written, 0, "{l}: unchanged");
        // The value in force on a date is the latest on or before it.
        let pid = jiujin_store::facts::person_ids_by_hmac(&store, Scope::City, &[keys.id_hmac(&wz).to_vec()])
            .await
            .unwrap()[&keys.id_hmac(&wz).to_vec()];
        let (_, shown) = recorded_facts(&store, Scope::City, pid, date("2025-06-15")).await.unwrap();
        let premiums = shown.iter().find(|f| f.fact == "premiums_paid_fen").unwrap();
        assert_eq!(premiums.value, "1200元", "{l}");
        let (_, shown) = recorded_facts(&store, Scope::City, pid, date("2025-07-15")).await.unwrap();
        assert_eq!(shown.iter().find(|f| f.fact == "premiums_paid_fen").unwrap().value, "900元", "{l}");
        // Another district's staff cannot see them, nor record facts for 万州's people.
        let kaizhou = Scope::Region(region("500154"));
        assert!(recorded_facts(&store, kaizhou, pid, date("2025-07-15")).await.unwrap().1.is_empty(), "{l}");
        let e = import_facts(&store, &keys, kaizhou, &file, &tester()).await.unwrap_err();
        assert!(
            matches!(&e, FactsImportError::Rows(p) if p.len() == 3 && p[0].reason.contains("管辖范围")),
            "{l}: {e}"
        );
    }
}
