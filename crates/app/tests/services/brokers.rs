//! 劳务经纪人 end to end: a broker credited with a hire, the service-subsidy claim once
//! six months of insured work have passed, never paid twice (a second claim, a second
//! broker, the same person's next hire within a year, two reviewers at once), a 失信
//! broker refused, and staff of another district refused.

use jiujin_app::brokers::{self, BrokerError, BrokerInput};
use jiujin_domain::RegionCode;
use jiujin_store::testing::TestDb;
use jiujin_store::Scope;

use super::training::{import_csv, keys, number};
use super::{date, tester};

fn problems(e: BrokerError) -> String {
    match e {
        BrokerError::Invalid(list) => list.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>().join("；"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_placement_is_claimed_once_after_six_months_of_insured_work() {
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();
        let refdata = jiujin_domain::refdata::RefData::embedded().unwrap();
        let by = tester();
        let keys = keys();
        let wanzhou = Scope::Region(RegionCode::parse("500101").unwrap());
        // 甲 registered unemployed and 脱贫, 乙 unemployed but neither; both hired on 10
        // January with pension insurance.
        let head = "姓名,公民身份号码,户籍地区划代码,就业状态,就业地区划代码,人员类别,登记失业日期,参保险种";
        let before = [
            format!("甲,{},500101001001,失业,,脱贫人口,2025-11-01,", number(1)),
            format!("乙,{},500101001001,失业,,,,", number(2)),
        ];
        import_csv(&store, dir.path(), head, &before, "2025-11-01").await;
        let after = [
            format!("甲,{},500101001001,市内就业,500101001,脱贫人口,,养老、医疗", number(1)),
            format!("乙,{},500101001001,市内就业,500101001,,,养老", number(2)),
        ];
        import_csv(&store, dir.path(), head, &after, "2026-01-10").await;

        let input =
            BrokerInput {
                name: "张经纪", kind: "个人经纪人", credit_code: "", region: "500101001", username: ""
            };
        let b1 = brokers::register(&store, refdata, wanzhou, &input, &by).await.unwrap();
        let b2 = brokers::register(&store, refdata, wanzhou, &BrokerInput { name: "李经纪", ..input.clone() }, &by)
            .await
            .unwrap();
        let bad =
            BrokerInput { name: "", kind: "劳务经纪机构", credit_code: "", region: "500154", username: "nobody" };
        let e = problems(brokers::register(&store, refdata, wanzhou, &bad, &by).await.unwrap_err());
        for part in ["名称不能为空", "统一社会信用代码", "管辖范围", "nobody 不存在"] {
            assert!(e.contains(part), "{l}: {e}");
        }
        let broker1 = jiujin_store::brokers::broker(&store, b1).await.unwrap().unwrap();
        let broker2 = jiujin_store::brokers::broker(&store, b2).await.unwrap().unwrap();
        let today = date("2026-07-09");
        let place = |b: &jiujin_store::entity::broker::Model, n: u16, on: &'static str| {
            let (b, keys, by) = (b.clone(), keys.clone(), by.clone());
            let store = store.clone();
            async move {
                brokers::record_placement(
                    &store,
                    &keys,
                    wanzhou,
                    &b,
                    number(n).as_str(),
                    on,
                    "万州制造有限公司",
                    today,
                    &by,
                )
                .await
            }
        };
        let p1 = place(&broker1, 1, "2026-01-10").await.unwrap();
        let p2 = place(&broker1, 2, "2026-01-10").await.unwrap();
        // The same hire cannot be credited to a second broker.
        let e = problems(place(&broker2, 1, "2026-01-10").await.unwrap_err());
        assert!(e.contains("张经纪"), "{l}: {e}");

        // One day before six months: not yet. 乙 was never registered: never.
        let months = 6;
        let e = problems(brokers::claim(&store, &broker1, p1, months, today, &by).await.unwrap_err());
        assert!(e.contains("尚未满6个月（2026-07-10 满）"), "{l}: {e}");
        let on = date("2026-07-10");
        let e = problems(brokers::claim(&store, &broker1, p2, months, on, &by).await.unwrap_err());
        assert!(e.contains("既不是登记失业人员，也不是脱贫人口"), "{l}: {e}");
        // Another broker cannot claim someone else's placement.
        assert!(
            matches!(brokers::claim(&store, &broker2, p1, months, on, &by).await, Err(BrokerError::NotFound)),
            "{l}"
        );
        let c1 = brokers::claim(&store, &broker1, p1, months, on, &by).await.unwrap();
        let e = problems(brokers::claim(&store, &broker1, p1, months, on, &by).await.unwrap_err());
        assert!(e.contains("不能重复申请"), "{l}: {e}");

        // The same person's next hire within a year, through the other broker: refused.
        let p3 = place(&broker2, 1, "2026-03-01").await.unwrap();
        let e = problems(brokers::claim(&store, &broker2, p3, 1, on, &by).await.unwrap_err());
        assert!(e.contains("一年内不重复补助"), "{l}: {e}");

        // Staff of another district do not see the claim; two reviewers at once: one wins.
        let kaizhou = Scope::Region(RegionCode::parse("500154").unwrap());
        let outside = brokers::decide(&store, kaizhou, c1, true, "500", "", &by).await;
        assert!(matches!(outside, Err(BrokerError::NotFound)), "{l}");
        let e = problems(brokers::decide(&store, wanzhou, c1, true, "", "", &by).await.unwrap_err());
        assert!(e.contains("补助金额"), "{l}");
        let (a, b) = tokio::join!(
            brokers::decide(&store, wanzhou, c1, true, "500", "", &by),
            brokers::decide(&store, wanzhou, c1, true, "500", "", &by)
        );
        assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|x| **x).count(), 1, "{l}: {a:?} {b:?}");
        let approved =
            brokers::claims(&store, wanzhou, Some(jiujin_domain::brokers::ClaimStatus::Approved)).await.unwrap();
        assert_eq!(approved.len(), 1, "{l}");
        assert_eq!(approved[0].claim.amount_fen, Some(50_000), "{l}");
        assert_eq!(approved[0].claim.basis, "登记失业人员、脱贫人口", "{l}");
        let s = brokers::summary(&store, refdata, &broker1, on).await.unwrap();
        assert_eq!((s.placements, s.claims_approved, s.paid_yuan.as_str()), (2, 1, "500"), "{l}");

        // A violation makes the broker 失信: no new claim.
        brokers::add_integrity(&store, b2, "2026-07-01", "违规", "虚报推荐就业", on, &by).await.unwrap();
        let p4 = place(&broker2, 2, "2026-01-11").await.unwrap();
        let e = problems(brokers::claim(&store, &broker2, p4, 6, on, &by).await.unwrap_err());
        assert!(e.contains("失信"), "{l}: {e}");
        let xlsx = brokers::claims_xlsx(&approved).unwrap();
        assert!(xlsx.starts_with(b"PK"), "{l}");
    }
}
