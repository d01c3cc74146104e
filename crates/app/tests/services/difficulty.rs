//! 就业困难人员认定 end to end: a recognition checked against the record and written
//! with the group flag (an event) in one transaction, never twice for a category,
//! refused outside the region; help recorded; the list with the never-helped first;
//! revoking the last recognition clears the flag.

use jiujin_app::difficulty::{self, DifficultyError};
use jiujin_domain::registry::{EventKind, GroupFlag};
use jiujin_domain::RegionCode;
use jiujin_store::testing::TestDb;
use jiujin_store::Scope;

use super::{date, id_of, people, tester};

fn problems(e: DifficultyError) -> String {
    match e {
        DifficultyError::Invalid(list) => list.join("；"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recognition_sets_the_flag_with_its_evidence_and_revoking_it_clears_it() {
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();
        people(&store, dir.path()).await;
        let refdata = jiujin_domain::refdata::RefData::embedded().unwrap();
        let by = tester();
        let wanzhou = Scope::Region(RegionCode::parse("500101").unwrap());
        let today = date("2026-04-01");
        let (jia, yi, bing) = (id_of(&store, "甲").await, id_of(&store, "乙").await, id_of(&store, "丙").await);

        // 甲 (born 1975, registered 31 January) is 4050.
        let r = difficulty::recognize(&store, wanzhou, jia, "4050人员", "2026-02-01", "", today, &by).await.unwrap();
        let p = jiujin_store::registry::person(&store, Scope::City, jia).await.unwrap().unwrap();
        assert!(p.state.flags.contains(GroupFlag::EmploymentDifficulty), "{l}");
        let events = jiujin_store::registry::timeline(&store, Scope::City, jia).await.unwrap().unwrap();
        let last = events.last().unwrap();
        assert_eq!((last.kind, last.date), (EventKind::FlagsChanged, date("2026-02-01")), "{l}");
        let again = difficulty::recognize(&store, wanzhou, jia, "4050人员", "2026-02-02", "", today, &by).await;
        assert!(problems(again.unwrap_err()).contains("无须重复认定"), "{l}");
        // 丙 never registered; 乙 is not 低保; a 刑满释放人员 needs evidence.
        let e = problems(
            difficulty::recognize(&store, wanzhou, bing, "4050人员", "2026-03-10", "", today, &by).await.unwrap_err(),
        );
        assert!(e.contains("须为登记失业人员"), "{l}: {e}");
        let e = problems(
            difficulty::recognize(&store, wanzhou, yi, "低保家庭人员", "2026-03-10", "", today, &by).await.unwrap_err(),
        );
        assert!(e.contains("没有“低保”"), "{l}: {e}");
        let e = problems(
            difficulty::recognize(&store, wanzhou, yi, "刑满释放人员", "2026-03-10", "", today, &by).await.unwrap_err(),
        );
        assert!(e.contains("证明材料"), "{l}: {e}");
        let p = jiujin_store::registry::person(&store, Scope::City, yi).await.unwrap().unwrap();
        assert!(!p.state.flags.contains(GroupFlag::EmploymentDifficulty), "{l}: nothing written on a refusal");
        difficulty::recognize(&store, wanzhou, yi, "刑满释放人员", "2026-03-10", "释放证明书 渝监字第12号", today, &by)
            .await
            .unwrap();
        let kaizhou = Scope::Region(RegionCode::parse("500154").unwrap());
        let outside = difficulty::recognize(&store, kaizhou, jia, "4050人员", "2026-03-10", "", today, &by).await;
        assert!(matches!(outside, Err(DifficultyError::NotFound)), "{l}");

        // Help for 甲: the list has 乙 (never helped) first.
        difficulty::add_help(&store, wanzhou, jia, "公益性岗位安置", "2026-03-15", "村保洁员", today, &by)
            .await
            .unwrap();
        let e = problems(
            difficulty::add_help(&store, wanzhou, jia, "算命", "2026-03-15", "", today, &by).await.unwrap_err(),
        );
        assert!(e.contains("援助方式"), "{l}");
        let (list, counts) = difficulty::recognized(&store, refdata, wanzhou).await.unwrap();
        let names: Vec<&str> = list.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["乙", "甲"], "{l}");
        assert_eq!(list[1].last_help, Some(date("2026-03-15")), "{l}");
        assert_eq!(counts, [("4050人员", 1), ("刑满释放人员", 1)], "{l}");
        assert!(difficulty::recognized(&store, refdata, kaizhou).await.unwrap().0.is_empty(), "{l}");

        // Revoking 甲's only recognition clears the flag; twice is refused.
        let e = problems(difficulty::revoke(&store, wanzhou, r, "2026-03-31", "", today, &by).await.unwrap_err());
        assert!(e.contains("撤销原因"), "{l}");
        difficulty::revoke(&store, wanzhou, r, "2026-03-31", "已稳定就业", today, &by).await.unwrap();
        let p = jiujin_store::registry::person(&store, Scope::City, jia).await.unwrap().unwrap();
        assert!(!p.state.flags.contains(GroupFlag::EmploymentDifficulty), "{l}");
        let e = problems(difficulty::revoke(&store, wanzhou, r, "2026-03-31", "x", today, &by).await.unwrap_err());
        assert!(e.contains("已撤销"), "{l}");
        assert!(difficulty::recognized_xlsx(&list).unwrap().starts_with(b"PK"), "{l}");
    }
}
