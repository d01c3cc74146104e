//! Runs over the registers other than persons: 返乡创业园区 and 就业帮扶车间 are evaluated
//! by the same definition their pages show, proposed once per period, inside the run's
//! region, and paid to the park or workshop by name in the payment file.

use jiujin_app::policy::registers::{payees, run_over, Over};
use jiujin_app::policy::{park_entitlements, run_policies, workshop_entitlements, RunRequest, Which};
use jiujin_domain::policy::Status;
use jiujin_store::support::{create_workshop, NewWorkshop};

use super::*;

fn request<'a>(lib: &'a Library, policies: Which<'a>, at: &str, on: &str) -> RunRequest<'a> {
    RunRequest {
        library: lib,
        policies,
        region: region(at),
        date: date(on),
        by: tester(),
        page_size: 1000,
        cancel: None,
        progress: None,
    }
}

#[test]
fn each_runnable_policy_goes_over_its_register() {
    let lib = Library::embedded().unwrap();
    let over = |id: &str| run_over(lib.get(id).unwrap());
    assert_eq!(over("flexible-insurance-subsidy"), Some(Over::Persons));
    assert_eq!(over("returnee-startup-subsidy"), Some(Over::Persons));
    assert_eq!(over("workshop-subsidy"), Some(Over::Workshops));
    assert_eq!(over("startup-park-subsidy"), Some(Over::Parks));
    assert_eq!(over("key-group-hiring-subsidy"), Some(Over::Hires));
    assert_eq!(over("labor-brand-award"), Some(Over::Brands));
    // An employer policy not paid per hire has no register to run over.
    assert_eq!(over("ent-smart-factory"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn parks_and_workshops_are_run_from_their_registers() {
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.store().await;
        let lib = Library::embedded().unwrap();
        let refdata = jiujin_domain::refdata::RefData::embedded().unwrap();
        let by = tester();
        let today = date("2026-03-01");
        let wanzhou = Scope::Region(region("500101"));
        let kaizhou = Scope::Region(region("500154"));
        // A 市级 park in 万州 (recognised 2024, 优 for 2025) and a district-level one in
        // 开州, which the 市级 subsidy does not reach.
        let park = jiujin_app::startups::create_park(
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
        jiujin_app::startups::evaluate(&store, lib, wanzhou, park, "2025", "优", today, &by).await.unwrap();
        let other = jiujin_app::startups::create_park(
            &store,
            refdata,
            kaizhou,
            "开州创业孵化园",
            "500154001",
            false,
            "2024-01-01",
            today,
            &by,
        )
        .await
        .unwrap();
        // A workshop recognised in 2025: eligible, but its amount needs the claimed and
        // assessed figures the register does not hold.
        let w = NewWorkshop {
            name: "万州柑橘帮扶车间".into(),
            credit_code: None,
            region: region("500101001").as_i64(),
            trade: "农产品加工".into(),
            recognized_on: date("2025-05-01"),
        };
        let workshop = create_workshop(&store, &w, &by).await.unwrap();

        let batch = run_policies(&store, request(lib, Which::All, "500101", "2026-03-01")).await.unwrap();
        assert_eq!(batch.status, "done", "{l}");
        let ran = |id: &str| batch.runs.iter().find(|r| r.policy == id).map(|r| r.counts).unwrap();
        let parks = ran("startup-park-subsidy");
        assert_eq!((parks.evaluated, parks.proposed, parks.not_eligible), (1, 1, 0), "{l}: only 万州's park");
        let shops = ran("workshop-subsidy");
        assert_eq!((shops.evaluated, shops.proposed, shops.undetermined), (1, 0, 1), "{l}: {shops:?}");
        assert!(batch.skipped.iter().any(|(id, _)| id == "labor-brand-award"), "{l}");

        // The payout is what the park's page says, keyed to the park.
        let page = park_entitlements(&store, lib, park, today).await.unwrap();
        let e = page.results.iter().find(|e| e.policy.as_str() == "startup-park-subsidy").unwrap();
        assert_eq!((e.status, e.amount_fen), (Status::Eligible, Some(30_000_000)), "{l}: 优 → 300,000 元");
        let all = payout::Entity::find().all(store.conn()).await.unwrap();
        assert_eq!(all.len(), 1, "{l}");
        let p = &all[0];
        assert_eq!(
            (p.beneficiary_kind.as_str(), p.beneficiary_key.clone(), p.period.as_str(), p.amount_fen, p.person_id),
            ("park", park.to_string(), "2026", 30_000_000, None),
            "{l}"
        );
        assert_eq!(p.region, region("500101001").as_i64(), "{l}");
        let shop = workshop_entitlements(&store, lib, workshop, today).await.unwrap();
        let e = shop.results.iter().find(|e| e.policy.as_str() == "workshop-subsidy").unwrap();
        assert_eq!(e.status, Status::Eligible, "{l}");
        assert_eq!(e.amount_fen, None, "{l}: the run left it undetermined for the same reason");

        // Again: nothing new. The city: 开州's district park is not eligible.
        let again = run_policies(&store, request(lib, Which::One("startup-park-subsidy"), "500101", "2026-03-01"))
            .await
            .unwrap();
        let c = again.runs[0].counts;
        assert_eq!((c.proposed, c.already_proposed), (0, 1), "{l}");
        let city = run_policies(&store, request(lib, Which::One("startup-park-subsidy"), "500000", "2026-03-01"))
            .await
            .unwrap();
        let c = city.runs[0].counts;
        assert_eq!((c.evaluated, c.already_proposed, c.not_eligible), (2, 1, 1), "{l}: {c:?}");
        assert_eq!(payout::Entity::find().count(store.conn()).await.unwrap(), 1, "{l}");
        let page = park_entitlements(&store, lib, other, today).await.unwrap();
        let e = page.results.iter().find(|e| e.policy.as_str() == "startup-park-subsidy").unwrap();
        assert_eq!(e.status, Status::NotEligible, "{l}: not 市级");

        // What if 优 brought 400,000 元: the 万州 park gains 100,000 元, 开州's is still
        // not a 市级 park; nothing is written.
        let w = jiujin_app::policy::what_if(
            &store,
            lib,
            "startup-park-subsidy",
            region("500000"),
            today,
            ("excellent", "400000元"),
            &by,
        )
        .await
        .unwrap();
        assert_eq!((w.evaluated, w.beneficiaries_before, w.beneficiaries_after), (2, 1, 1), "{l}");
        assert_eq!((w.budget_before_fen, w.budget_after_fen), (30_000_000, 40_000_000), "{l}");
        assert!(w.losers.is_empty(), "{l}");
        let g = &w.gainers[0];
        assert_eq!((g.beneficiary_kind.as_str(), g.person_id), ("park", None), "{l}");
        assert_eq!(g.payee.as_ref().map(|p| p.name.as_str()), Some("万州返乡创业园"), "{l}");
        assert_eq!(payout::Entity::find().count(store.conn()).await.unwrap(), 1, "{l}: a what-if writes no payout");

        // 开州's staff do not see it; 万州's approve it and the payment file names the park.
        let (seen, _, _) = payouts(&store, kaizhou, &PayoutFilter::default(), 0, 50).await.unwrap();
        assert!(seen.is_empty(), "{l}");
        let (seen, total, sum) = payouts(&store, wanzhou, &PayoutFilter::default(), 0, 50).await.unwrap();
        assert_eq!((total, sum), (1, 30_000_000), "{l}");
        let names = payees(&store, &seen).await.unwrap();
        assert_eq!(names.get(&p.id).map(|x| x.name.as_str()), Some("万州返乡创业园"), "{l}");
        assert_eq!(decide(&store, wanzhou, &[p.id], Decision::Approve, "园区绩效评估优", &by).await.unwrap(), 1, "{l}");
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bank.csv");
        let keys = Keys::from_master(&[5u8; 32]);
        let (lines, total) = jiujin_app::policy::bank_file(
            &store,
            &keys,
            lib,
            wanzhou,
            None,
            jiujin_app::registry::export::Numbers::Full,
            &out,
            &by,
        )
        .await
        .unwrap();
        assert_eq!((lines, total), (1, 30_000_000), "{l}");
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(
            text.contains("万州返乡创业园") && text.contains("返乡创业园区") && text.contains("300000"),
            "{l}: {text}"
        );
    }
}
