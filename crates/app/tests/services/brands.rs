//! 劳务品牌 end to end: registered inside a region with every bad field named,
//! recognised as 市级 then 国家级 in order, assessed, awarded by `labor-brand-award`
//! from its register (capped), screened by a run once per brand, counted by the
//! monitoring's targets; another district neither sees nor changes it.

use jiujin_app::brands::{assess, brand_in_scope, recognise, register, BrandError, BrandInput};
use jiujin_app::policy::{brand_entitlements, run_batch, RunRequest, Which};
use jiujin_domain::monitoring::records::Source;
use jiujin_domain::policy::Status;
use jiujin_domain::RegionCode;
use jiujin_store::testing::TestDb;
use jiujin_store::Scope;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::{date, tester};

fn problems(e: BrandError) -> String {
    match e {
        BrandError::Invalid(list) => list.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join("；"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_brand_is_registered_recognised_assessed_and_awarded_inside_its_region() {
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let refdata = jiujin_domain::refdata::RefData::embedded().unwrap();
        let lib = jiujin_domain::policy::Library::embedded().unwrap();
        let by = tester();
        let wanzhou = Scope::Region(RegionCode::parse("500101").unwrap());
        let kaizhou = Scope::Region(RegionCode::parse("500154").unwrap());
        let today = date("2026-03-01");

        let bad = BrandInput {
            name: "",
            region: "500154",
            category: "工艺型",
            trade: " ",
            lead_organisation: "",
            lead_credit_code: "123",
        };
        let e = problems(register(&store, refdata, wanzhou, &bad, &by).await.unwrap_err());
        for part in [
            "品牌名称不能为空",
            "主要工种或行业不能为空",
            "品牌类别“工艺型”无效",
            "统一社会信用代码“123”无效",
            "不在您的管辖范围内",
        ] {
            assert!(e.contains(part), "{l}: {part}: {e}");
        }
        let input = BrandInput {
            name: "万州烤鱼师傅",
            region: "500101",
            category: "服务型",
            trade: "中式烹调师",
            lead_organisation: "万州区餐饮行业协会",
            lead_credit_code: "",
        };
        let id = register(&store, refdata, wanzhou, &input, &by).await.unwrap();
        let again = register(&store, refdata, wanzhou, &input, &by).await;
        assert!(problems(again.unwrap_err()).contains("已登记"), "{l}");
        let city_wide = BrandInput { region: "500000", name: "重庆全市品牌", ..input.clone() };
        let e = problems(register(&store, refdata, Scope::City, &city_wide, &by).await.unwrap_err());
        assert!(e.contains("应为区县或其下"), "{l}: {e}");

        // 开州's staff neither see nor change it.
        assert!(matches!(brand_in_scope(&store, kaizhou, id).await, Err(BrandError::NotFound)), "{l}");
        let far = recognise(&store, kaizhou, id, "市级", "2025-06-01", today, &by).await;
        assert!(matches!(far, Err(BrandError::NotFound)), "{l}");
        assert!(matches!(assess(&store, kaizhou, id, "10", "1000", &by).await, Err(BrandError::NotFound)), "{l}");

        // 国家级 only after 市级; not in the future; once.
        let e = problems(recognise(&store, wanzhou, id, "国家级", "2025-06-01", today, &by).await.unwrap_err());
        assert!(e.contains("应先认定为市级"), "{l}: {e}");
        let e = problems(recognise(&store, wanzhou, id, "市级", "2099-01-01", today, &by).await.unwrap_err());
        assert!(e.contains("晚于今天"), "{l}: {e}");
        let e = problems(recognise(&store, wanzhou, id, "省级", "2025-06-01", today, &by).await.unwrap_err());
        assert!(e.contains("认定级别“省级”无效"), "{l}: {e}");
        recognise(&store, wanzhou, id, "市级", "2025-06-01", today, &by).await.unwrap();
        let e = problems(recognise(&store, wanzhou, id, "市级", "2025-07-01", today, &by).await.unwrap_err());
        assert!(e.contains("已于 2025-06-01"), "{l}: {e}");
        let e = problems(recognise(&store, wanzhou, id, "国家级", "2025-05-31", today, &by).await.unwrap_err());
        assert!(e.contains("不能早于"), "{l}: {e}");

        // Recognised, not yet assessed: the award waits for the assessment.
        let award = |on: &'static str| {
            let store = store.clone();
            async move {
                let found = brand_entitlements(&store, lib, id, date(on)).await.unwrap();
                let e = found.results.iter().find(|e| e.policy.as_str() == "labor-brand-award").unwrap().clone();
                (e.status, e.amount_fen)
            }
        };
        assert_eq!(award("2026-03-01").await.1, None, "{l}: no assessment yet");
        assert_eq!(award("2025-05-31").await.0, Status::NotEligible, "{l}: not yet 市级 that day");
        let e = problems(assess(&store, wanzhou, id, "-1", "五十万", &by).await.unwrap_err());
        assert!(e.contains("带动就业人数“-1”") && e.contains("核定奖补金额“五十万”"), "{l}: {e}");
        assess(&store, wanzhou, id, "1200", "600000", &by).await.unwrap();
        assert_eq!(award("2026-03-01").await, (Status::Eligible, Some(50_000_000)), "{l}: capped at 500,000 元");

        // Paid on application: a run screens the one policy, once per brand, in its region.
        let run = |at: &'static str| {
            let store = store.clone();
            let by = by.clone();
            async move {
                let req = RunRequest {
                    library: lib,
                    policies: Which::One("labor-brand-award"),
                    region: RegionCode::parse(at).unwrap(),
                    date: today,
                    by,
                    page_size: 100,
                    cancel: None,
                    progress: None,
                };
                run_batch(&store, req).await.unwrap().counts
            }
        };
        let c = run("500101").await;
        assert_eq!((c.evaluated, c.proposed), (1, 1), "{l}: {c:?}");
        assert_eq!(run("500101").await.already_proposed, 1, "{l}");
        assert_eq!(run("500154").await.evaluated, 0, "{l}");
        let paid = jiujin_store::entity::payout::Entity::find().all(store.conn()).await.unwrap();
        assert_eq!((paid[0].beneficiary_kind.as_str(), paid[0].amount_fen), ("brand", 50_000_000), "{l}");
        let payees = jiujin_app::policy::registers::payees(&store, &paid).await.unwrap();
        assert_eq!(payees[&paid[0].id].name, "万州烤鱼师傅（万州区餐饮行业协会）", "{l}");

        // 国家级 on or after the 市级 day; the monitoring's targets count both.
        recognise(&store, wanzhou, id, "国家级", "2026-01-15", today, &by).await.unwrap();
        let city = jiujin_domain::region::CHONGQING;
        let count = |s: Source, from: &str, until: &str| {
            let store = store.clone();
            let (from, until) = (date(from), date(until));
            async move { jiujin_store::records::count(&store, s, from, until, city).await.unwrap() }
        };
        assert_eq!(count(Source::NewMunicipalBrands, "2025-01-01", "2026-01-01").await, 1, "{l}");
        assert_eq!(count(Source::NewMunicipalBrands, "2026-01-01", "2027-01-01").await, 0, "{l}");
        assert_eq!(count(Source::NationalBrands, "2021-01-01", "2026-01-01").await, 0, "{l}: not by 2025's end");
        assert_eq!(count(Source::NationalBrands, "2022-01-01", "2027-01-01").await, 1, "{l}");
        // Every change was audited.
        let audited = jiujin_store::entity::audit_log::Entity::find()
            .filter(jiujin_store::entity::audit_log::Column::Action.eq("brand.change"))
            .count(store.conn())
            .await
            .unwrap();
        assert_eq!(audited, 4, "{l}: registered, 市级, assessed, 国家级");
    }
}
