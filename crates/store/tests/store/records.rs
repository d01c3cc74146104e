//! The records behind the targets not counted from events: on either database, each
//! source's figure is the sum over the rows its list pages through, counts what its
//! 口径 says (in the period, in the region) and nothing else.

use jiujin_domain::monitoring::records::Source;
use jiujin_domain::registry::EventSource;
use jiujin_domain::training::{CourseKind, EnrolmentState};
use jiujin_store::registry::{create_person, Created, NewPerson};
use jiujin_store::testing::TestDb;
use jiujin_store::{brokers, gig, services, startups, support, training, Scope, Store};

use super::{date, region, state, tester};

async fn person(store: &Store, key: u8) -> i64 {
    let new = NewPerson {
        id_hmac: [key; 16],
        id_cipher: vec![key; 40],
        phone_cipher: Some(vec![key; 39]),
        state: state(u32::from(key), "500101001001"),
        row_digest: [0; 16],
        date: date("2025-01-05"),
    };
    match create_person(store, Scope::City, &new, EventSource::Staff, &tester()).await.unwrap() {
        Created::Person(id) => id,
        other => panic!("{other:?}"),
    }
}

/// One record of every source in 万州 in 2025, one in 开州 and one out of the year.
async fn records(store: &Store) {
    let by = tester();
    let wz = region("500101").as_i64();
    let kz = region("500154").as_i64();
    let a = person(store, 1).await;
    let b = person(store, 2).await;
    let provider = training::create_provider(
        store,
        &training::NewProvider { name: "培训学校".into(), credit_code: None, region: wz },
        &by,
    )
    .await
    .unwrap();
    for (title, kind, occupation, ends) in [
        ("焊工岗前班", CourseKind::PreJob, "焊工", "2025-04-30"),
        ("新市民班", CourseKind::NewCitizen, "焊工", "2025-05-31"),
        ("家政班", CourseKind::SkillUpgrade, "家政服务员", "2025-06-30"),
        ("去年的班", CourseKind::PreJob, "焊工", "2024-12-31"),
    ] {
        let c = training::NewCourse {
            provider_id: provider,
            title: title.into(),
            occupation: Some(occupation.into()),
            kind: kind.code(),
            region: wz,
            starts_on: date("2024-12-01"),
            ends_on: date(ends),
            capacity: 10,
            subsidy_fen: 0,
        };
        let course = training::create_course(store, &c, &by).await.unwrap();
        for p in [a, b] {
            let e = training::enrol(store, Scope::City, course, p, date("2024-11-20"), &by).await.unwrap().unwrap();
            let state = if p == a { EnrolmentState::Completed } else { EnrolmentState::Dropped };
            let f = training::Finish { state, date: date(ends), cert_level: None, cert_no: None };
            training::finish(store, Scope::City, e, &f, &by).await.unwrap().unwrap();
        }
    }
    for (name, r, day) in [("万州驿站", wz, "2025-03-01"), ("开州驿站", kz, "2025-03-01"), ("旧驿站", wz, "2024-06-01")]
    {
        let s = gig::NewStation {
            name: name.into(),
            region: r,
            district: r,
            address: "一号".into(),
            opened_on: date(day),
            operator: "人社局".into(),
        };
        gig::create_station(store, &s, &by).await.unwrap();
        let f = gig::NewFair {
            name: format!("{name}招聘会"),
            held_on: date(day),
            region: r,
            district: r,
            venue: "广场".into(),
            online: true,
            organizer: "人社局".into(),
        };
        gig::create_fair(store, &f, &by).await.unwrap();
    }
    startups::create_park(store, "万州市级园区", wz, true, date("2025-08-01"), &by).await.unwrap();
    startups::create_park(store, "万州区级园区", wz, false, date("2025-08-01"), &by).await.unwrap();
    startups::create_park(store, "万州老园区", wz, true, date("2023-08-01"), &by).await.unwrap();
    let post =
        support::NewPost { title: "护林员".into(), unit: "某镇".into(), region: wz, rural: true, places: 7 };
    support::create_post(store, &post, &by).await.unwrap();
    let w = support::NewWorkshop {
        name: "帮扶车间".into(),
        credit_code: None,
        region: wz,
        trade: "服装加工".into(),
        recognized_on: date("2024-01-01"),
    };
    let w = support::create_workshop(store, &w, &by).await.unwrap();
    for p in [a, b] {
        support::start_spell(store, Scope::City, support::Host::Workshop, w, p, date("2024-10-01"), &by)
            .await
            .unwrap()
            .unwrap();
    }
    let broker =
        brokers::NewBroker { name: "经纪人甲".into(), kind: 1, credit_code: None, region: wz, username: None };
    brokers::create_broker(store, &broker, &by).await.unwrap();
    // 劳务品牌: 万州 市级 in 2025; 万州 市级 in 2023 and 国家级 in 2025; 开州 市级 in 2025;
    // one only registered.
    for (name, r, municipal, national) in [
        ("万州烤鱼师傅", wz, Some("2025-05-01"), None),
        ("三峡家政", wz, Some("2023-05-01"), Some("2025-09-01")),
        ("开州大厨", kz, Some("2025-06-01"), None),
        ("培育中的品牌", wz, None, None),
    ] {
        let b = jiujin_store::brands::NewBrand {
            name: name.into(),
            region: r,
            category: 1,
            trade: "厨师".into(),
            lead_organisation: None,
            lead_credit_code: None,
        };
        let id = jiujin_store::brands::create_brand(store, &b, &by).await.unwrap();
        if let Some(on) = municipal {
            let c = jiujin_store::brands::BrandChange::Municipal(date(on));
            jiujin_store::brands::change_brand(store, id, c, &by).await.unwrap();
        }
        if let Some(on) = national {
            let c = jiujin_store::brands::BrandChange::National(date(on));
            jiujin_store::brands::change_brand(store, id, c, &by).await.unwrap();
        }
    }
    // Person a reached twice in 2025 (one person served), b not reached.
    for (p, day, outcome) in [(a, "2025-03-02", 1), (a, "2025-04-02", 2), (b, "2025-03-02", 4)] {
        let c = services::NewContact { contact_date: date(day), channel: 1, offered: 1, outcome, note: String::new() };
        services::record_contact(store, Scope::City, p, &c, &by).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_source_counts_its_rows_in_the_period_and_region() {
    for db in TestDb::all().await {
        let store = db.store().await;
        records(&store).await;
        let (from, until) = (date("2025-01-01"), date("2026-01-01"));
        let city = jiujin_domain::region::CHONGQING;
        // The year in the city, and in 开州.
        let expected = [
            (Source::SkillTraining, 2, 0),
            (Source::NewCitizenTraining, 1, 0),
            (Source::DomesticTraining, 1, 0),
            (Source::GigStations, 2, 1),
            (Source::RecruitmentEvents, 2, 1),
            (Source::NewMunicipalParks, 1, 0),
            (Source::MunicipalParks, 2, 0),
            // Recorded today: not yet at the end of 2025 (see below).
            (Source::PublicPostPlaces, 0, 0),
            (Source::WorkshopWorkers, 2, 0),
            (Source::ActiveBrokers, 0, 0),
            (Source::NewMunicipalBrands, 2, 1),
            (Source::NationalBrands, 1, 0),
            (Source::ServedPersons, 1, 0),
            // The dashboard's figures of other capabilities: their queries run on
            // both databases here; the web tests count them with data.
            (Source::JobPushes, 0, 0),
            (Source::PushHires, 0, 0),
            (Source::ApprovedPayouts, 0, 0),
            (Source::WageWarnings, 0, 0),
        ];
        assert_eq!(expected.len(), Source::ALL.len());
        for (source, in_city, in_kaizhou) in expected {
            let n = jiujin_store::records::count(&store, source, from, until, city).await.unwrap();
            assert_eq!(n, in_city, "{} {source:?}", db.label);
            let rows = jiujin_store::records::list(&store, source, from, until, city, 0, 100).await.unwrap();
            assert_eq!(rows.iter().map(|r| r.n).sum::<i64>(), n, "{} {source:?}: {rows:?}", db.label);
            assert!(rows.iter().all(|r| r.person_id.is_some() == source.of_persons()), "{} {source:?}", db.label);
            let kz = jiujin_store::records::count(&store, source, from, until, region("500154")).await.unwrap();
            assert_eq!(kz, in_kaizhou, "{} {source:?}", db.label);
            // Pages go through the same rows.
            let first = jiujin_store::records::list(&store, source, from, until, city, 0, 1).await.unwrap();
            let rest = jiujin_store::records::list(&store, source, from, until, city, 1, 100).await.unwrap();
            assert_eq!([first, rest].concat().len(), rows.len(), "{} {source:?}", db.label);
        }
        // The post's places and the broker, recorded today, count for this year.
        let this_year = (date("2026-01-01"), date("2099-01-01"));
        for (source, n) in [(Source::PublicPostPlaces, 7), (Source::ActiveBrokers, 1)] {
            let got = jiujin_store::records::count(&store, source, this_year.0, this_year.1, city).await.unwrap();
            assert_eq!(got, n, "{} {source:?}", db.label);
            let rows =
                jiujin_store::records::list(&store, source, this_year.0, this_year.1, city, 0, 10).await.unwrap();
            assert_eq!(rows.iter().map(|r| r.n).sum::<i64>(), n, "{} {source:?}", db.label);
        }
        // A five-year period holds last year's completion too.
        let five =
            jiujin_store::records::count(&store, Source::SkillTraining, date("2021-01-01"), until, city).await.unwrap();
        assert_eq!(five, 3, "{}", db.label);
    }
}
