//! 就业帮扶车间 and 公益性岗位 end to end: spells started by identity number inside a
//! region, one post at a time and no more holders than places, the counts of a
//! workshop (脱贫 share, this year's 家门口 employment), the tenure of each holder with
//! the overdue first, and an exit with its reason.

use jiujin_app::support::{self, SupportError};
use jiujin_domain::RegionCode;
use jiujin_store::support::Host;
use jiujin_store::testing::TestDb;
use jiujin_store::Scope;

use super::training::{import_csv, keys, number};
use super::{date, tester};

fn problems(e: SupportError) -> String {
    match e {
        SupportError::Invalid(list) => list.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>().join("；"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn workshops_count_their_workers_and_posts_keep_tenure_and_places() {
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();
        let refdata = jiujin_domain::refdata::RefData::embedded().unwrap();
        let (by, keys) = (tester(), keys());
        let head = "姓名,公民身份号码,户籍地区划代码,就业状态,人员类别";
        let rows = [
            format!("甲,{},500101001001,失业,脱贫人口", number(1)),
            format!("乙,{},500101001001,失业,", number(2)),
            format!("丙,{},500101001001,失业,", number(3)),
        ];
        import_csv(&store, dir.path(), head, &rows, "2022-01-01").await;
        let wanzhou = Scope::Region(RegionCode::parse("500101").unwrap());
        let kaizhou = Scope::Region(RegionCode::parse("500154").unwrap());
        let today = date("2026-11-30");

        let w = support::register_workshop(
            &store,
            refdata,
            wanzhou,
            "万州电子代工车间",
            "",
            "500101001",
            "电子产品代工",
            "2025-05-01",
            today,
            &by,
        )
        .await
        .unwrap();
        let e = problems(
            support::register_workshop(&store, refdata, kaizhou, "", "", "500101001", "", "2099-01-01", today, &by)
                .await
                .unwrap_err(),
        );
        for part in ["车间名称", "主营业务", "管辖范围", "晚于今天"] {
            assert!(e.contains(part), "{l}: {e}");
        }
        let n = |i: u16| number(i).to_string();
        support::start(&store, &keys, wanzhou, Host::Workshop, w, &n(1), "2025-06-01", today, &by).await.unwrap();
        let s2 =
            support::start(&store, &keys, wanzhou, Host::Workshop, w, &n(2), "2025-06-01", today, &by).await.unwrap();
        let again = support::start(&store, &keys, wanzhou, Host::Workshop, w, &n(1), "2025-07-01", today, &by).await;
        assert!(problems(again.unwrap_err()).contains("已在岗"), "{l}");
        let outside = support::start(&store, &keys, kaizhou, Host::Workshop, w, &n(3), "2025-06-01", today, &by).await;
        assert!(problems(outside.unwrap_err()).contains("不在您的管辖范围内"), "{l}");
        support::end(&store, wanzhou, Host::Workshop, s2, "2025-12-31", "", today, &by).await.unwrap();
        let (list, total) = support::workshops(&store, refdata, wanzhou, today).await.unwrap();
        assert_eq!((list[0].employed, list[0].poverty, list[0].this_year), (1, 1, 1), "{l}: 乙 left in 2025");
        assert_eq!(total.employed, 1, "{l}");
        let (_, last_year) = support::workshops(&store, refdata, wanzhou, date("2025-12-31")).await.unwrap();
        assert_eq!((last_year.employed, last_year.this_year), (2, 2), "{l}");
        assert!(support::workshops(&store, refdata, kaizhou, today).await.unwrap().0.is_empty(), "{l}");

        // A post with one place: 乙 from 2023-01-01 (term ends 2025-12-31: overdue now).
        let p = support::create_post(
            &store,
            refdata,
            wanzhou,
            "乡村保洁员",
            "万州区某镇人民政府",
            "500101001",
            true,
            "1",
            &by,
        )
        .await
        .unwrap();
        let q =
            support::create_post(&store, refdata, wanzhou, "护林员", "万州区某镇人民政府", "500101001", true, "2", &by)
                .await
                .unwrap();
        let h = support::start(&store, &keys, wanzhou, Host::Post, p, &n(2), "2023-01-01", today, &by).await.unwrap();
        let full = support::start(&store, &keys, wanzhou, Host::Post, p, &n(3), "2026-01-01", today, &by).await;
        assert!(problems(full.unwrap_err()).contains("已满员"), "{l}");
        let two = support::start(&store, &keys, wanzhou, Host::Post, q, &n(2), "2026-01-01", today, &by).await;
        assert!(problems(two.unwrap_err()).contains("不能同时安置"), "{l}");
        support::start(&store, &keys, wanzhou, Host::Post, q, &n(3), "2026-09-01", today, &by).await.unwrap();
        let holders = support::holders(&store, wanzhou, today).await.unwrap();
        assert_eq!(holders.len(), 2, "{l}");
        assert_eq!((holders[0].name.as_str(), holders[0].overdue), ("乙", true), "{l}: {:?}", holders[0]);
        assert_eq!(holders[0].term_ends, date("2025-12-31"), "{l}");
        assert!(holders[0].state.contains("已超期334天"), "{l}: {}", holders[0].state);
        assert!(!holders[1].overdue && !holders[1].ending_soon, "{l}");
        // Exit: a reason is required; after it the place is free again.
        let e = problems(support::end(&store, wanzhou, Host::Post, h, "2026-11-30", "", today, &by).await.unwrap_err());
        assert!(e.contains("退出原因"), "{l}: {e}");
        support::end(&store, wanzhou, Host::Post, h, "2026-11-30", "期满退出", today, &by).await.unwrap();
        let e = problems(
            support::end(&store, wanzhou, Host::Post, h, "2026-11-30", "期满退出", today, &by).await.unwrap_err(),
        );
        assert!(e.contains("已离岗"), "{l}");
        support::start(&store, &keys, wanzhou, Host::Post, p, &n(1), "2026-11-30", today, &by).await.unwrap();
        let holders = support::holders(&store, wanzhou, today).await.unwrap();
        let gone: Vec<_> = holders.iter().filter(|h| h.end.is_some()).collect();
        assert_eq!((gone.len(), gone[0].exit), (1, Some("期满退出")), "{l}");
        assert!(support::holders(&store, kaizhou, today).await.unwrap().is_empty(), "{l}");
        assert!(support::holders_xlsx(&holders).unwrap().starts_with(b"PK"), "{l}");
    }
}
