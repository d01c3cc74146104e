//! A file carrying each kind of bad row: exact counts and reasons, and every valid
//! row applied.

use jiujin_store::testing::TestDb;

use super::{counts, id, run_import, HEADER};

/// The test file: 3 valid rows and one of each kind of bad row. Returns its bytes.
pub fn mixed_file() -> Vec<u8> {
    let good1 = id("500101", "1985-03-12", 131);
    let good2 = id("510212", "1970-11-02", 242); // retired Sichuan-era code: accepted
    let good3 = id("500154", "1999-07-30", 355);
    let mut bad_check = id("500101", "1990-05-05", 17);
    let last = bad_check.pop().unwrap();
    bad_check.push(if last == '0' { '1' } else { '0' });
    let bad_date = {
        // 1990-02-30 does not exist: build the first 17 and a correct check char.
        let first17 = "50010119900230123";
        let c = jiujin_domain::identity::id_check_char(first17.as_bytes()) as char;
        format!("{first17}{c}")
    };
    let mut s = String::new();
    s.push_str(HEADER);
    s.push('\n');
    let lines = [
        format!("张伟,{good1},13812345678,500101001001,500101001001,市外就业,,广东省,E,焊工,4,6000,脱贫人口,\"养老,医疗\",,求职,H1"),
        format!("李秀英,{good2},,500101001001,500101001,市内就业,500101001,,C,电子设备装配工,,,,,,,H1"),
        format!("王芳,{bad_check},13900001111,500101,,失业,,,,,,,,,,,"),
        format!("赵磊,{bad_date},,500101,,失业,,,,,,,,,,,"),
        format!("周杰,{},,500199,,失业,,,,,,,,,,,", id("500101", "1980-01-01", 21)),
        format!("吴刚,{},,500101,,待业,,,,,,,,,,,", id("500101", "1980-01-01", 31)),
        format!(",{},,500101,,失业,,,,,,,,,,,", id("500101", "1980-01-01", 41)),
        format!("张伟二,{good1},13812345678,500101001001,,失业,,,,,,,,,,,"),
        format!("郑多,{},,500101,,失业,,,,,,", id("500101", "1980-01-01", 51)),
    ];
    for l in &lines {
        s.push_str(l);
        s.push('\n');
    }
    let mut bytes = s.into_bytes();
    // Row 11: a name with bytes that are not UTF-8 (a stray GBK fragment).
    bytes.extend_from_slice(b"\xd5\xc5\xc8\xfd,");
    bytes.extend_from_slice(format!("{},,500101,,失业,,,,,,,,,,,\n", id("500101", "1980-01-01", 61)).as_bytes());
    bytes.extend_from_slice(
        format!("孙丽,{good3},15900002222,500154001001,,失业,,,,,,,,,2025-01-15,\"求职,培训\",\n").as_bytes(),
    );
    bytes
}

#[tokio::test(flavor = "multi_thread")]
async fn import_rejects_each_kind_of_bad_row_with_its_reason_and_keeps_the_rest() {
    for db in TestDb::all().await {
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("workers.csv");
        std::fs::write(&file, mixed_file()).unwrap();
        let rejects_path = dir.path().join("rejects.csv");
        let report = run_import(&store, &file, Some(&rejects_path)).await;
        let c = report.counts;
        assert_eq!(
            (c.inserted, c.updated, c.unchanged, c.rejected),
            (3, 0, 0, 8),
            "{}: {:?}",
            db.label,
            report.first_rejects
        );
        assert_eq!(report.rows, 11);

        let got: Vec<(u64, &str, &str)> =
            report.first_rejects.iter().map(|r| (r.row, r.column.as_str(), r.reason.as_str())).collect();
        let expect: [(u64, &str, &str); 8] = [
            (4, "公民身份号码", "校验码"),
            (5, "公民身份号码", "19900230"),
            (6, "户籍地区划代码", "500199"),
            (7, "就业状态", "待业"),
            (8, "姓名", "姓名不能为空"),
            (9, "公民身份号码", "与本文件第2行重复"),
            (10, "（整行）", "本行有12列，表头有17列"),
            (11, "（整行）", "非UTF-8"),
        ];
        assert_eq!(got.len(), expect.len(), "{got:?}");
        for ((row, col, reason), (erow, ecol, part)) in got.iter().zip(expect) {
            assert_eq!((*row, *col), (erow, ecol), "{}: {reason}", db.label);
            assert!(reason.contains(part), "row {row}: «{reason}» should mention «{part}»");
        }

        // The rejects file carries the same rows, with the original cells after them.
        let text = std::fs::read_to_string(&rejects_path).unwrap();
        let mut rd =
            csv::ReaderBuilder::new().flexible(true).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let header: Vec<String> = rd.headers().unwrap().iter().map(str::to_string).collect();
        assert_eq!(&header[..4], ["行号", "出错列", "错误原因", "姓名"]);
        let recs: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        let rows: Vec<&str> = recs.iter().map(|r| r.get(0).unwrap()).collect();
        assert_eq!(rows, ["4", "5", "6", "7", "8", "9", "10", "11"]);
        assert_eq!(recs[5].get(3), Some("张伟二"), "duplicate keeps its cells");
        assert_eq!(recs[3].get(3), Some("吴刚"));

        // The valid rows are all there, each with one registration event.
        let (persons, events, runs) = counts(&store).await;
        assert_eq!((persons, events, runs), (3, 3, 1), "{}", db.label);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reimporting_the_same_file_changes_nothing_and_writes_no_events() {
    for db in TestDb::all().await {
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("workers.csv");
        std::fs::write(&file, mixed_file()).unwrap();
        run_import(&store, &file, None).await;
        let before = counts(&store).await;
        let again = run_import(&store, &file, None).await.counts;
        assert_eq!((again.inserted, again.updated, again.unchanged, again.rejected), (0, 0, 3, 8), "{}", db.label);
        let after = counts(&store).await;
        assert_eq!((after.0, after.1), (before.0, before.1), "no new persons or events");
        assert_eq!(after.2, before.2 + 1, "the run itself is recorded");
    }
}
