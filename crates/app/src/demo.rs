//! The services of issue 7 in the demo (`jiujin demo`): a few training providers and
//! courses with trainees, this month's 紧缺职业目录, a 劳务经纪人 with placements, a
//! 就业帮扶车间, 公益性岗位 with holders, a 返乡创业园区 with an entrepreneur and a
//! mentor, 在外创业成功人士 and recognised 就业困难人员, all on persons of the synthetic
//! city, so that every page has something to show. Written through the same store
//! functions as the pages (each with its audit entry).

use chrono::{Days, NaiveDate};
use jiujin_domain::registry::EmploymentStatus;
use jiujin_domain::training::{CourseKind, EnrolmentState};
use jiujin_domain::RegionCode;
use jiujin_store::registry::{list_persons, PersonFilter};
use jiujin_store::{audit, Scope, Store, StoreError};

async fn persons(
    store: &Store,
    region: &str,
    status: EmploymentStatus,
    n: u64,
) -> Result<Vec<(i64, String)>, StoreError> {
    let filter = PersonFilter { region: RegionCode::parse(region).ok(), status: Some(status), ..Default::default() };
    Ok(list_persons(store, Scope::City, &filter, 0, n).await?.rows.into_iter().map(|p| (p.id, p.state.name)).collect())
}

fn code(region: &str) -> i64 {
    RegionCode::parse(region).map_or(0, RegionCode::as_i64)
}

/// Seeds the services; returns a one-line summary in Chinese.
pub async fn seed_services(store: &Store, today: NaiveDate, by: &audit::Context) -> Result<String, StoreError> {
    use jiujin_store::{brokers, difficulty, startups, support, training};
    let ago = |d: u64| today.checked_sub_days(Days::new(d)).unwrap_or(today);
    let ahead = |d: u64| today.checked_add_days(Days::new(d)).unwrap_or(today);
    let mut enrolled = 0;
    for (district, provider, occupation) in [
        ("500101", "万州区职业技能培训学校", "焊工"),
        ("500112", "渝北区家政服务培训中心", "育婴员"),
        ("500154", "开州区农民工培训基地", "电工"),
    ] {
        let p = training::create_provider(
            store,
            &training::NewProvider { name: provider.into(), credit_code: None, region: code(district) },
            by,
        )
        .await?;
        let course = |title: String, starts: NaiveDate, ends: NaiveDate, kind: CourseKind| training::NewCourse {
            provider_id: p,
            title,
            occupation: Some(occupation.into()),
            kind: kind.code(),
            region: code(district),
            starts_on: starts,
            ends_on: ends,
            capacity: 30,
            subsidy_fen: 120_000,
        };
        let done = training::create_course(
            store,
            &course(format!("{occupation}岗前培训班（第一期）"), ago(90), ago(60), CourseKind::PreJob),
            by,
        )
        .await?;
        training::create_course(
            store,
            &course(format!("{occupation}技能提升班（第二期）"), ahead(14), ahead(45), CourseKind::SkillUpgrade),
            by,
        )
        .await?;
        // The first class: job seekers and some now employed, completed two months ago.
        let mut trainees = persons(store, district, EmploymentStatus::Unemployed, 12).await?;
        trainees.extend(persons(store, district, EmploymentStatus::LocalEmployed, 8).await?);
        for (i, (id, _)) in trainees.iter().enumerate() {
            if let Ok(Ok(e)) = training::enrol(store, Scope::City, done, *id, ago(90), by).await {
                let state = if i % 10 == 9 { EnrolmentState::Dropped } else { EnrolmentState::Completed };
                let f = training::Finish { state, date: ago(60), cert_level: (i % 3 == 0).then_some(5), cert_no: None };
                let _ = training::finish(store, Scope::City, e, &f, by).await?;
                enrolled += 1;
            }
        }
    }
    let month = today.format("%Y-%m").to_string();
    let shortage = crate::training::shortage_run(store, &month, today, by).await.map(|r| r.len()).unwrap_or(0);

    // A broker of 万州 credited with three hires.
    let broker = brokers::create_broker(
        store,
        &brokers::NewBroker {
            name: "张德明".into(),
            kind: 1,
            credit_code: None,
            region: code("500101001"),
            username: None,
        },
        by,
    )
    .await?;
    for (id, _) in persons(store, "500101", EmploymentStatus::LocalEmployed, 3).await? {
        let _ =
            brokers::record_placement(store, Scope::City, broker, id, ago(30), "万州区某机械制造有限公司", by).await?;
    }
    brokers::add_integrity(
        store,
        broker,
        ago(20),
        jiujin_domain::brokers::IntegrityKind::Commendation,
        "年度优秀劳务经纪人",
        by,
    )
    .await?;

    // A 就业帮扶车间 and 公益性岗位 in 万州.
    let w = support::create_workshop(
        store,
        &support::NewWorkshop {
            name: "万州区高梁镇电子产品代工车间".into(),
            credit_code: None,
            region: code("500101"),
            trade: "电子产品代工".into(),
            recognized_on: ago(400),
        },
        by,
    )
    .await?;
    for (id, _) in persons(store, "500101", EmploymentStatus::Flexible, 6).await? {
        let _ = support::start_spell(store, Scope::City, support::Host::Workshop, w, id, ago(100), by).await?;
    }
    let post = support::create_post(
        store,
        &support::NewPost {
            title: "乡村保洁员".into(),
            unit: "万州区某镇人民政府".into(),
            region: code("500101"),
            rural: true,
            places: 4,
        },
        by,
    )
    .await?;
    for (i, (id, _)) in
        persons(store, "500101", EmploymentStatus::Unemployed, 40).await?.into_iter().rev().take(3).enumerate()
    {
        let start = if i == 0 { ago(3 * 365 + 30) } else { ago(200) };
        let _ = support::start_spell(store, Scope::City, support::Host::Post, post, id, start, by).await?;
    }

    // 返乡创业: a park, a mentor, an entrepreneur, and two people outside.
    let park = startups::create_park(store, "万州区返乡创业园", code("500101"), true, ago(700), by).await?;
    let mentor = startups::create_mentor(store, "李文华", "重庆三峡学院", "农产品电商", code("500101"), by).await?;
    if let Some((id, _)) = persons(store, "500101", EmploymentStatus::Entrepreneur, 1).await?.into_iter().next() {
        let e = startups::create_entrepreneur(
            store,
            Scope::City,
            &startups::NewEntrepreneur {
                person_id: id,
                returned_on: Some(ago(500)),
                business_name: "万州区柑橘种植专业合作社".into(),
                credit_code: None,
                industry: Some("A".into()),
                region: code("500101"),
                started_on: ago(420),
                employees: 12,
            },
            by,
        )
        .await?;
        startups::add_loan(
            store,
            Scope::City,
            e,
            &startups::NewLoan {
                lender: "重庆农村商业银行".into(),
                amount_fen: 20_000_000,
                granted_on: ago(400),
                term_months: 36,
                guaranteed: true,
            },
            by,
        )
        .await?;
        startups::add_tenant(store, Scope::City, park, e, ago(380), by).await?;
        startups::pair(store, Scope::City, mentor, e, ago(370), by).await?;
    }
    for (name, province, city, enterprise) in
        [("王建国", 44, "东莞", "东莞市某电子有限公司"), ("刘小琴", 33, "义乌", "义乌市某小商品贸易公司")]
    {
        startups::create_outside(
            store,
            &startups::NewOutside {
                name: name.into(),
                home_region: code("500101"),
                province,
                city: city.into(),
                enterprise: enterprise.into(),
                industry: Some("C".into()),
                employees: 300,
                willing_to_return: true,
            },
            by,
        )
        .await?;
    }

    // 劳务品牌: one per 片区, recognised as 市级 (万州's also assessed), one still being
    // cultivated.
    use jiujin_store::brands::{change_brand, create_brand, BrandChange, NewBrand};
    for (name, region, category, trade, municipal, assessed) in [
        ("万州烤鱼师傅", "500101", 2, "中式烹调师", Some(ago(300)), Some((1_200, 30_000_000))),
        ("渝北汽车技工", "500112", 1, "汽车装调工", Some(ago(200)), None),
        ("秀山花灯艺人", "500241", 3, "民间艺人", Some(ago(100)), None),
        ("开州家政嫂", "500154", 4, "家政服务员", None, None),
    ] {
        let b = NewBrand {
            name: name.into(),
            region: code(region),
            category,
            trade: trade.into(),
            lead_organisation: None,
            lead_credit_code: None,
        };
        let id = create_brand(store, &b, by).await?;
        if let Some(on) = municipal {
            change_brand(store, id, BrandChange::Municipal(on), by).await?;
        }
        if let Some((workers, award_fen)) = assessed {
            change_brand(store, id, BrandChange::Assessed { workers, award_fen }, by).await?;
        }
    }

    // 就业困难人员: registered unemployed 4050 persons of 万州 recognised.
    let mut recognised = 0;
    let filter = PersonFilter {
        region: RegionCode::parse("500101").ok(),
        status: Some(EmploymentStatus::Unemployed),
        born_before: today.checked_sub_months(chrono::Months::new(50 * 12)),
        ..Default::default()
    };
    for p in list_persons(store, Scope::City, &filter, 0, 50).await?.rows {
        if recognised == 5 {
            break;
        }
        let Some(since) = p.state.unemployed_since else { continue };
        use jiujin_domain::services::recognition::{check, Category, Subject};
        let on = since.max(ago(30));
        let rule = |s: &jiujin_domain::registry::PersonState| {
            let subject = Subject {
                birth: s.birth_date,
                sex: s.sex,
                status: s.status,
                registered_since: s.unemployed_since,
                flags: s.flags,
            };
            check(&subject, Category::FortyFifty, on, "", today)
        };
        if let Ok(Ok(_)) =
            difficulty::recognize(store, Scope::City, p.id, Category::FortyFifty.code(), on, "", rule, by).await
        {
            recognised += 1;
        }
    }
    Ok(format!(
        "培训学员 {enrolled} 人，紧缺职业 {shortage} 个；劳务经纪人、帮扶车间、公益性岗位、返乡创业园区各 1 个，劳务品牌 4 个；认定就业困难人员 {recognised} 人"
    ))
}
