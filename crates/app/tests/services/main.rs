//! Services to people end to end against real databases (SQLite always, PostgreSQL
//! when `JIUJIN_TEST_PG` is set): the monthly follow-up work list and the 1+1+3+1 gap
//! list from recorded contacts and delivered pushes, inside a region.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod brands;
mod brokers;
mod difficulty;
mod startups;
mod support;
mod training;

use std::path::Path;

use chrono::NaiveDate;
use jiujin_app::services::{gap_report, record_contact, work_list, ContactError, ContactInput};
use jiujin_domain::identity::{CreditCode, IdNumber};
use jiujin_domain::RegionCode;
use jiujin_store::entity::service_contact;
use jiujin_store::testing::TestDb;
use jiujin_store::{Scope, Store};
use sea_orm::{EntityTrait, PaginatorTrait};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn tester() -> jiujin_store::audit::Context {
    jiujin_store::audit::Context::local(jiujin_store::audit::Actor::command_line(Some("test")))
}

const WORKERS: &str = "姓名,公民身份号码,户籍地区划代码,就业状态,就业地区划代码,人员类别,登记失业日期,服务需求";

/// 万州: 甲 (脱贫, registered 31 January), 乙 (registered 5 March), 丙 (unemployed, not
/// registered), 丁 (employed); 开州: 戊 (registered 1 February).
async fn people(store: &Store, dir: &Path) {
    use jiujin_app::registry::import::{import_workers, ImportRequest};
    let keys = jiujin_app::Keys::from_master(&[5u8; 32]);
    store.verify_key_check(keys.check_value(), "test").await.unwrap();
    let id = |addr: &str, n: u16| IdNumber::from_parts(addr, date("1975-06-01"), n).unwrap();
    let rows = [
        format!("甲,{},500101001001,失业,,脱贫人口,2026-01-31,求职", id("500101", 1)),
        format!("乙,{},500101001001,失业,,,2026-03-05,求职", id("500101", 2)),
        format!("丙,{},500101001001,失业,,,,求职", id("500101", 3)),
        format!("丁,{},500101001001,市内就业,500101001,,,", id("500101", 4)),
        format!("戊,{},500154001001,失业,,脱贫人口,2026-02-01,求职", id("500154", 5)),
    ];
    let file = dir.join("w.csv");
    std::fs::write(&file, format!("{WORKERS}\n{}\n", rows.join("\n"))).unwrap();
    let req = ImportRequest {
        path: &file,
        rejects: None,
        scope: Scope::City,
        as_of: date("2026-03-06"),
        actor: None,
        by: tester(),
        batch_size: 100,
        cancel: None,
        progress: None,
    };
    let r = import_workers(store, &keys, req).await.unwrap();
    assert_eq!(r.counts.inserted, 5, "{:?}", r.first_rejects);
}

async fn id_of(store: &Store, name: &str) -> i64 {
    use jiujin_store::entity::person;
    use sea_orm::{ColumnTrait, QueryFilter};
    person::Entity::find().filter(person::Column::Name.eq(name)).one(store.conn()).await.unwrap().unwrap().id
}

fn contact<'a>(date: &'a str, channel: &'a str, offered: &[&'a str], outcome: &'a str) -> ContactInput<'a> {
    ContactInput { date, channel, offered: offered.to_vec(), outcome, note: "" }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_work_list_shows_who_is_overdue_or_due_and_a_contact_that_reached_them_clears_it() {
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();
        people(&store, dir.path()).await;
        let refdata = jiujin_domain::refdata::RefData::embedded().unwrap();
        let wanzhou = Scope::Region(RegionCode::parse("500101").unwrap());
        let today = date("2026-04-01");
        let (jia, yi) = (id_of(&store, "甲").await, id_of(&store, "乙").await);

        // 甲 was due on 28 February (31 January + a month); 乙 is due on 5 April.
        let w = work_list(&store, refdata, wanzhou, today).await.unwrap();
        assert_eq!((w.registered, w.overdue, w.due_soon, w.up_to_date), (2, 1, 1, 0), "{l}: {w:?}");
        let order: Vec<(&str, i64, &str)> =
            w.items.iter().map(|i| (i.name.as_str(), i.days_overdue, i.state.as_str())).collect();
        assert_eq!(order, [("甲", 32, "逾期32天"), ("乙", 0, "4天后到期")], "{l}");
        // 甲 is 50 (born 1975): 4050 whatever the sex, and 脱贫.
        assert_eq!(w.items[0].groups, ["4050人员", "脱贫人口"], "{l}");
        assert!(w.items[1].groups.contains(&"4050人员"), "{l}: 乙 is 50 too");
        assert_eq!((w.towns.len(), w.towns[0].overdue, w.towns[0].registered), (1, 1, 2), "{l}");
        assert!(w.towns[0].name.contains("万州区"), "{l}: {:?}", w.towns[0]);

        // A call that did not reach 乙 does not count; a visit to 甲 does.
        let by = tester();
        record_contact(&store, wanzhou, yi, &contact("2026-03-30", "电话", &[], "未联系上"), today, &by).await.unwrap();
        let offered = ["政策宣介", "职业指导", "job"];
        record_contact(&store, wanzhou, jia, &contact("2026-03-20", "上门走访", &offered, "仍在求职"), today, &by)
            .await
            .unwrap();
        let w = work_list(&store, refdata, wanzhou, today).await.unwrap();
        assert_eq!((w.overdue, w.due_soon, w.up_to_date), (0, 1, 1), "{l}");
        assert_eq!(w.items.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["乙"], "{l}");

        // Bad contacts: every problem named, nothing written; outside the region: not found.
        let before = service_contact::Entity::find().count(store.conn()).await.unwrap();
        let bad =
            record_contact(&store, wanzhou, yi, &contact("2026-04-02", "飞鸽", &["算命"], "很好"), today, &by).await;
        match bad {
            Err(ContactError::Invalid(e)) => {
                let fields: Vec<&str> = e.iter().map(|(f, _)| *f).collect();
                assert_eq!(fields, ["date", "channel", "outcome", "offered"], "{l}: {e:?}");
                assert!(e[0].1.contains("晚于今天"), "{l}");
            }
            other => panic!("{l}: {other:?}"),
        }
        let kaizhou = Scope::Region(RegionCode::parse("500154").unwrap());
        let outside =
            record_contact(&store, kaizhou, jia, &contact("2026-03-20", "电话", &[], "仍在求职"), today, &by).await;
        assert!(matches!(outside, Err(ContactError::NotFound)), "{l}");
        assert_eq!(service_contact::Entity::find().count(store.conn()).await.unwrap(), before, "{l}");
        // 开州 staff see only 戊.
        let k = work_list(&store, refdata, kaizhou, today).await.unwrap();
        assert_eq!(k.items.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["戊"], "{l}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn one_one_three_one_counts_contacts_and_delivered_pushes_since_the_registration() {
    use jiujin_app::jobs::import::{import_employers, import_jobs, JobsImportRequest};
    use jiujin_store::jobs::{NewPush, CHANNEL_INBOX};
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();
        people(&store, dir.path()).await;
        let refdata = jiujin_domain::refdata::RefData::embedded().unwrap();
        let by = tester();
        let today = date("2026-04-01");

        // Three postings to push.
        let code = CreditCode::from_parts("91", "500101", "MA5U7J3X").unwrap().as_str().to_string();
        let e = dir.path().join("e.csv");
        std::fs::write(
            &e,
            format!(
                "统一社会信用代码,单位名称,单位类型,行业,所在地区划代码\n{code},万州仓储有限公司,民营,G,500101001\n"
            ),
        )
        .unwrap();
        let j = dir.path().join("j.csv");
        let jobs: Vec<String> =
            (1..=3).map(|i| format!("P{i},{code},仓管员{i},仓库管理员,500101001,2,4000,5000,全职,60,,不包,")).collect();
        std::fs::write(
            &j,
            format!(
                "岗位编号,统一社会信用代码,岗位名称,职业,工作地点区划代码,招聘人数,薪酬下限,薪酬上限,用工形式,年龄上限,性别要求,食宿,岗位描述\n{}\n",
                jobs.join("\n")
            ),
        )
        .unwrap();
        for (path, is_jobs) in [(&e, false), (&j, true)] {
            let req = JobsImportRequest {
                store: &store,
                path,
                rejects: None,
                scope: Scope::City,
                by: &by,
                today: date("2026-03-01"),
            };
            let r = if is_jobs { import_jobs(req).await.unwrap() } else { import_employers(req).await.unwrap() };
            assert_eq!(r.rejected, 0, "{l}: {:?}", r.first_rejects);
        }
        let postings: Vec<i64> =
            jiujin_store::jobs::listings_after(&store, 0, 10).await.unwrap().iter().map(|x| x.job.id).collect();

        let jia = id_of(&store, "甲").await;
        let push = |job: i64| NewPush { person_id: jia, job_id: job, score: 50, explanation: "[]".into() };
        // One push before the registration (an earlier spell: not counted), two after,
        // of which one is delivered and one still waiting (not counted until delivered).
        jiujin_store::jobs::enqueue_pushes(&store, &[push(postings[0])], date("2026-01-15"), CHANNEL_INBOX)
            .await
            .unwrap();
        jiujin_store::jobs::enqueue_pushes(&store, &[push(postings[1])], date("2026-03-02"), CHANNEL_INBOX)
            .await
            .unwrap();
        let delivered: Vec<i64> =
            jiujin_store::jobs::pushes_of(&store, jia).await.unwrap().iter().map(|p| p.id).collect();
        jiujin_store::jobs::deliver(&store, &[], &delivered, &[]).await.unwrap();
        jiujin_store::jobs::enqueue_pushes(&store, &[push(postings[2])], date("2026-03-03"), CHANNEL_INBOX)
            .await
            .unwrap();
        let wanzhou = Scope::Region(RegionCode::parse("500101").unwrap());
        record_contact(
            &store,
            wanzhou,
            jia,
            &contact("2026-03-20", "电话", &["政策宣介", "岗位推送"], "仍在求职"),
            today,
            &by,
        )
        .await
        .unwrap();
        // A contact before the registration does not count either.
        record_contact(&store, wanzhou, jia, &contact("2026-01-20", "电话", &["职业指导"], "仍在求职"), today, &by)
            .await
            .unwrap();

        let r = gap_report(&store, refdata, Scope::City).await.unwrap();
        assert_eq!((r.persons, r.complete), (2, 0), "{l}: 甲 and 戊 are 脱贫 and registered");
        let g = r.gaps.iter().find(|g| g.name == "甲").unwrap();
        let c = g.counts;
        assert_eq!((c.policy, c.guidance, c.job_pushes, c.training), (1, 0, 2, 0), "{l}: {c:?}");
        let owed: Vec<&str> = g.gaps.iter().map(|x| x.key).collect();
        assert_eq!(owed, ["guidance", "job_pushes", "training"], "{l}");
        assert_eq!(r.gaps[0].name, "戊", "{l}: the one owed most comes first");

        // The rest: guidance and training in one visit, and the third push delivered.
        record_contact(
            &store,
            wanzhou,
            jia,
            &contact("2026-03-28", "上门走访", &["职业指导", "就业培训推荐"], "仍在求职"),
            today,
            &by,
        )
        .await
        .unwrap();
        let waiting: Vec<i64> =
            jiujin_store::jobs::waiting_pushes(&store, 10).await.unwrap().iter().map(|p| p.id).collect();
        jiujin_store::jobs::deliver(&store, &[], &waiting, &[]).await.unwrap();
        let r = gap_report(&store, refdata, Scope::City).await.unwrap();
        assert_eq!((r.persons, r.complete), (2, 1), "{l}");
        let shares: Vec<(&str, u64, u64)> =
            r.districts.iter().map(|d| (d.name.as_str(), d.persons, d.complete)).collect();
        assert_eq!(shares, [("万州区", 1, 1), ("开州区", 1, 0)], "{l}");
        assert_eq!(r.districts[0].share, Some(1.0), "{l}");
        // Inside 开州 only 戊.
        let k = gap_report(&store, refdata, Scope::Region(RegionCode::parse("500154").unwrap())).await.unwrap();
        assert_eq!((k.persons, k.gaps.len()), (1, 1), "{l}");
    }
}

/// 零就业家庭 from the members' status: listed while no member of working age is in
/// stable work (a retired member's job and flexible work do not count), and off the
/// list once one is hired.
#[tokio::test(flavor = "multi_thread")]
async fn a_zero_employment_household_leaves_the_list_when_a_member_is_hired() {
    use jiujin_app::registry::import::{import_workers, ImportRequest};
    use jiujin_app::services::zero_employment_households;
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();
        let keys = jiujin_app::Keys::from_master(&[5u8; 32]);
        store.verify_key_check(keys.check_value(), "test").await.unwrap();
        let id = |birth: &str, n: u16| IdNumber::from_parts("500101", date(birth), n).unwrap();
        let header = "姓名,公民身份号码,户籍地区划代码,就业状态,就业地区划代码,人员类别,家庭户编号";
        let v = "500101001001";
        let rows = [
            // H1: a man out of work, his wife at home, their retired father in a job.
            format!("父,{},{v},失业,,,H1", id("1975-05-01", 11)),
            format!("母,{},{v},不在劳动力市场,,,H1", id("1978-05-01", 12)),
            format!("爷,{},{v},市内就业,500101001,,H1", id("1950-05-01", 13)),
            // H2: a 低保 household, one out of work and one in flexible work.
            format!("乙,{},{v},失业,,低保,H2", id("1980-01-01", 21)),
            format!("丙,{},{v},灵活就业,,低保,H2", id("1982-01-01", 22)),
            // H3: one out of work, one employed: not listed.
            format!("丁,{},{v},失业,,,H3", id("1985-01-01", 31)),
            format!("戊,{},{v},市内就业,500101001,,H3", id("1986-01-01", 33)),
        ];
        let file = dir.path().join("h.csv");
        std::fs::write(&file, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
        let req = ImportRequest {
            path: &file,
            rejects: None,
            scope: Scope::City,
            as_of: date("2026-03-01"),
            actor: None,
            by: tester(),
            batch_size: 100,
            cancel: None,
            progress: None,
        };
        let r = import_workers(&store, &keys, req).await.unwrap();
        assert_eq!(r.counts.inserted, 7, "{l}: {:?}", r.first_rejects);
        let refdata = jiujin_domain::refdata::RefData::embedded().unwrap();
        let wanzhou = Scope::Region(RegionCode::parse("500101").unwrap());
        let today = date("2026-04-01");
        let list = zero_employment_households(&store, refdata, wanzhou, today).await.unwrap();
        let seen: Vec<(&str, bool)> = list.iter().map(|h| (h.household_no.as_str(), h.dibao)).collect();
        assert_eq!(seen, [("H1", false), ("H2", true)], "{l}");
        assert_eq!(list[0].members.len(), 3, "{l}");
        let kaizhou = Scope::Region(RegionCode::parse("500154").unwrap());
        assert!(zero_employment_households(&store, refdata, kaizhou, today).await.unwrap().is_empty(), "{l}");

        // The father is hired: H1 leaves the list.
        let father = id_of(&store, "父").await;
        let p = jiujin_store::registry::person(&store, Scope::City, father).await.unwrap().unwrap();
        let mut state = p.state.clone();
        state.status = jiujin_domain::registry::EmploymentStatus::LocalEmployed;
        state.work_region = RegionCode::parse("500101001").ok();
        state.unemployed_since = None;
        let source = jiujin_domain::registry::EventSource::Staff;
        jiujin_store::registry::apply_change(&store, Scope::City, father, &state, None, today, source, &tester())
            .await
            .unwrap();
        let list = zero_employment_households(&store, refdata, wanzhou, today).await.unwrap();
        assert_eq!(list.iter().map(|h| h.household_no.as_str()).collect::<Vec<_>>(), ["H2"], "{l}");
    }
}
