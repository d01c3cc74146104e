//! 返乡创业 end to end: an entrepreneur registered from the registry inside a region
//! (once), a guaranteed loan above the cap in force refused, a park with a tenant and
//! one evaluation per year (the award of a 市级 park from the library), a mentor
//! pairing, and the 在外创业成功人士信息库 by home region.

use jiujin_app::startups::{self, EntrepreneurInput, OutsideInput, StartupError};
use jiujin_domain::RegionCode;
use jiujin_store::testing::TestDb;
use jiujin_store::Scope;

use super::training::{import_csv, keys, number};
use super::{date, tester};

fn problems(e: StartupError) -> String {
    match e {
        StartupError::Invalid(list) => list.join("；"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_entrepreneur_with_a_loan_a_park_and_a_mentor() {
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();
        let refdata = jiujin_domain::refdata::RefData::embedded().unwrap();
        let library = jiujin_domain::policy::Library::embedded().unwrap();
        let (by, keys) = (tester(), keys());
        let head = "姓名,公民身份号码,户籍地区划代码,就业状态,人员类别";
        import_csv(&store, dir.path(), head, &[format!("甲,{},500101001001,自主创业,返乡", number(1))], "2025-01-01")
            .await;
        let wanzhou = Scope::Region(RegionCode::parse("500101").unwrap());
        let kaizhou = Scope::Region(RegionCode::parse("500154").unwrap());
        let today = date("2026-11-30");
        let n1 = number(1).to_string();
        let input = EntrepreneurInput {
            id_number: &n1,
            returned_on: "2024-12-01",
            business_name: "万州柑橘种植专业合作社",
            credit_code: "",
            industry: "A",
            region: "500101001",
            started_on: "2025-03-01",
            employees: "12",
        };
        let outside = startups::register(&store, &keys, refdata, kaizhou, &input, today, &by).await;
        assert!(problems(outside.unwrap_err()).contains("不在实名台账中，或不在您的管辖范围内"), "{l}");
        let bad = EntrepreneurInput { industry: "炼金", started_on: "2099-01-01", employees: "-1", ..input.clone() };
        let e = problems(startups::register(&store, &keys, refdata, wanzhou, &bad, today, &by).await.unwrap_err());
        for part in ["行业“炼金”", "晚于今天", "带动就业人数"] {
            assert!(e.contains(part), "{l}: {e}");
        }
        let id = startups::register(&store, &keys, refdata, wanzhou, &input, today, &by).await.unwrap();
        let again = startups::register(&store, &keys, refdata, wanzhou, &input, today, &by).await;
        assert!(problems(again.unwrap_err()).contains("已登记"), "{l}");

        // 300,000 is the individual cap of a guaranteed loan: 300,001 is refused.
        let loan = |amount: &'static str| {
            let store = store.clone();
            let by = by.clone();
            async move {
                startups::add_loan(
                    &store,
                    library,
                    wanzhou,
                    id,
                    "重庆农商行",
                    amount,
                    "2025-06-01",
                    "36",
                    true,
                    today,
                    &by,
                )
                .await
            }
        };
        let e = problems(loan("300001").await.unwrap_err());
        assert!(e.contains("最高 300000 元"), "{l}: {e}");
        loan("300000").await.unwrap();
        let other =
            startups::add_loan(&store, library, kaizhou, id, "银行", "1000", "2025-06-01", "12", false, today, &by)
                .await;
        assert!(matches!(other, Err(StartupError::NotFound)), "{l}");

        // A 市级 park: tenant, one evaluation per year with the award from the library.
        let park = startups::create_park(
            &store,
            refdata,
            wanzhou,
            "万州返乡创业园",
            "500101001",
            true,
            "2024-01-01",
            today,
            &by,
        )
        .await
        .unwrap();
        jiujin_store::startups::add_tenant(&store, wanzhou, park, id, date("2025-04-01"), &by).await.unwrap();
        assert!(
            jiujin_store::startups::add_tenant(&store, wanzhou, park, id, date("2025-05-01"), &by).await.is_err(),
            "{l}"
        );
        let award = startups::evaluate(&store, library, wanzhou, park, "2025", "优", today, &by).await.unwrap();
        assert_eq!(award, Some(jiujin_domain::Fen::from_yuan(300_000)), "{l}");
        let twice = startups::evaluate(&store, library, wanzhou, park, "2025", "良", today, &by).await;
        assert!(problems(twice.unwrap_err()).contains("不能重复评估"), "{l}");
        let this_year = startups::evaluate(&store, library, wanzhou, park, "2026", "良", today, &by).await;
        assert!(problems(this_year.unwrap_err()).contains("已结束的年份"), "{l}");
        let far = startups::evaluate(&store, library, kaizhou, park, "2024", "良", today, &by).await;
        assert!(matches!(far, Err(StartupError::NotFound)), "{l}");
        assert_eq!(jiujin_store::startups::tenant_counts(&store).await.unwrap().get(&park), Some(&1), "{l}");

        // A mentor pairing; the outside entrepreneurs by home region.
        let m =
            startups::create_mentor(&store, refdata, wanzhou, "李老师", "三峡学院", "农产品电商", "500101", today, &by)
                .await
                .unwrap();
        jiujin_store::startups::pair(&store, wanzhou, m, id, date("2025-05-01"), &by).await.unwrap();
        assert_eq!(jiujin_store::startups::pairings_of(&store, id).await.unwrap().len(), 1, "{l}");
        let o = OutsideInput {
            name: "王总",
            home_region: "500101",
            province: "广东",
            city: "东莞",
            enterprise: "东莞某电子厂",
            industry: "C",
            employees: "800",
            willing_to_return: true,
        };
        startups::create_outside(&store, refdata, wanzhou, &o, today, &by).await.unwrap();
        let bad = OutsideInput { province: "重庆", ..o.clone() };
        assert!(
            problems(startups::create_outside(&store, refdata, wanzhou, &bad, today, &by).await.unwrap_err())
                .contains("重庆市以外"),
            "{l}"
        );
        assert_eq!(
            jiujin_store::startups::outside(&store, Some(RegionCode::parse("500101").unwrap().subtree_range()))
                .await
                .unwrap()
                .len(),
            1,
            "{l}"
        );
        assert!(
            jiujin_store::startups::outside(&store, Some(RegionCode::parse("500154").unwrap().subtree_range()))
                .await
                .unwrap()
                .is_empty(),
            "{l}"
        );
        let rows = jiujin_store::startups::entrepreneurs(&store, wanzhou).await.unwrap();
        assert_eq!(rows.len(), 1, "{l}");
        assert!(jiujin_store::startups::entrepreneurs(&store, kaizhou).await.unwrap().is_empty(), "{l}");
        assert!(startups::entrepreneurs_xlsx(refdata, &rows).unwrap().starts_with(b"PK"), "{l}");
    }
}
