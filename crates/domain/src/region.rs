//! Administrative division codes (GB/T 2260 and the statistical division codes):
//! a `RegionCode` is always normalised to 12 digits so that a region's subtree is one
//! integer range, which is how the store scopes every query.

use std::fmt;

/// Level of an administrative division in the statistical code scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum RegionLevel {
    /// 省级 (2 digits), e.g. 50 重庆市.
    Province,
    /// 区县 (6 digits), e.g. 500101 万州区.
    District,
    /// 乡镇/街道 (9 digits).
    Town,
    /// 村/社区 (12 digits).
    Village,
}

impl RegionLevel {
    pub fn label(self) -> &'static str {
        match self {
            RegionLevel::Province => "省级",
            RegionLevel::District => "区县",
            RegionLevel::Town => "乡镇（街道）",
            RegionLevel::Village => "村（社区）",
        }
    }

    /// Number of significant digits of a code at this level.
    pub fn digits(self) -> usize {
        match self {
            RegionLevel::Province => 2,
            RegionLevel::District => 6,
            RegionLevel::Town => 9,
            RegionLevel::Village => 12,
        }
    }

    pub fn code(self) -> i16 {
        match self {
            RegionLevel::Province => 1,
            RegionLevel::District => 2,
            RegionLevel::Town => 3,
            RegionLevel::Village => 4,
        }
    }
}

/// A division code normalised to 12 digits (`500101` → `500101000000`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("区划代码应为2、6、9或12位数字，实际为“{0}”")]
    Format(String),
}

const LOW: [i64; 4] = [10_000_000_000, 1_000_000, 1_000, 1];

impl RegionCode {
    /// Parses a 2-, 6-, 9- or 12-digit code (a 12-digit code padded with zeros is
    /// accepted at any level).
    pub fn parse(text: &str) -> Result<RegionCode, RegionCodeError> {
        let t = text.trim();
        let bad = || RegionCodeError::Format(t.to_string());
        if !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let scale = match t.len() {
            2 => 10_000_000_000,
            6 => 1_000_000,
            9 => 1_000,
            12 => 1,
            _ => return Err(bad()),
        };
        let n: i64 = t.parse().map_err(|_| bad())?;
        let code = n * scale;
        if code < 110_000_000_000 {
            return Err(bad());
        }
        Ok(RegionCode(code))
    }

    /// Builds a code from its normalised 12-digit integer value.
    pub fn from_i64(value: i64) -> Option<RegionCode> {
        (110_000_000_000..=999_999_999_999).contains(&value).then_some(RegionCode(value))
    }

    pub fn as_i64(self) -> i64 {
        self.0
    }

    pub fn level(self) -> RegionLevel {
        let c = self.0;
        if c % 10_000_000_000 == 0 {
            RegionLevel::Province
        } else if c % 1_000_000 == 0 {
            RegionLevel::District
        } else if c % 1_000 == 0 {
            RegionLevel::Town
        } else {
            RegionLevel::Village
        }
    }

    fn truncate(self, level: RegionLevel) -> RegionCode {
        let unit = match level {
            RegionLevel::Province => LOW[0],
            RegionLevel::District => LOW[1],
            RegionLevel::Town => LOW[2],
            RegionLevel::Village => LOW[3],
        };
        RegionCode(self.0 / unit * unit)
    }

    pub fn province(self) -> RegionCode {
        self.truncate(RegionLevel::Province)
    }

    /// The 区县 containing this code (itself for a district); `None` for a province.
    pub fn district(self) -> Option<RegionCode> {
        (self.level() >= RegionLevel::District).then(|| self.truncate(RegionLevel::District))
    }

    /// The 乡镇 containing this code; `None` above town level.
    pub fn town(self) -> Option<RegionCode> {
        (self.level() >= RegionLevel::Town).then(|| self.truncate(RegionLevel::Town))
    }

    /// The parent division, `None` for a province.
    pub fn parent(self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::Province => None,
            RegionLevel::District => Some(self.province()),
            RegionLevel::Town => self.district(),
            RegionLevel::Village => self.town(),
        }
    }

    /// Inclusive range of normalised codes in this region's subtree (itself included).
    pub fn subtree_range(self) -> (i64, i64) {
        let span = match self.level() {
            RegionLevel::Province => LOW[0],
            RegionLevel::District => LOW[1],
            RegionLevel::Town => LOW[2],
            RegionLevel::Village => LOW[3],
        };
        (self.0, self.0 + span - 1)
    }

    pub fn contains(self, other: RegionCode) -> bool {
        let (lo, hi) = self.subtree_range();
        (lo..=hi).contains(&other.0)
    }

    /// The code with as many digits as its level has (`500101`, `500101001`, …).
    pub fn short(self) -> String {
        let level = self.level();
        let s = format!("{:012}", self.0);
        s[..level.digits()].to_string()
    }

    /// Two-digit province number (50 for 重庆).
    pub fn province_number(self) -> i16 {
        (self.0 / LOW[0]) as i16
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())
    }
}

/// 重庆市 as a region code.
pub const CHONGQING: RegionCode = RegionCode(500_000_000_000);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_of_each_length_normalise_to_twelve_digits() {
        assert_eq!(RegionCode::parse("50").unwrap().as_i64(), 500_000_000_000);
        assert_eq!(RegionCode::parse("500101").unwrap().as_i64(), 500_101_000_000);
        assert_eq!(RegionCode::parse("500101001").unwrap().as_i64(), 500_101_001_000);
        assert_eq!(RegionCode::parse("500101001001").unwrap().as_i64(), 500_101_001_001);
        assert_eq!(RegionCode::parse("500101000000").unwrap().level(), RegionLevel::District);
    }

    #[test]
    fn malformed_codes_are_refused_with_the_text() {
        for t in ["", "5001", "50010a", "0001010", "1234567"] {
            assert!(RegionCode::parse(t).is_err(), "{t}");
        }
        let e = RegionCode::parse("5001").unwrap_err().to_string();
        assert!(e.contains("5001"));
    }

    #[test]
    fn a_village_lies_in_its_town_district_and_province_subtrees() {
        let v = RegionCode::parse("500101001001").unwrap();
        let t = v.town().unwrap();
        let d = v.district().unwrap();
        assert_eq!(t.short(), "500101001");
        assert_eq!(d.short(), "500101");
        assert!(t.contains(v) && d.contains(v) && CHONGQING.contains(v));
        assert!(!RegionCode::parse("500102").unwrap().contains(v));
        assert_eq!(v.parent(), Some(t));
        assert_eq!(t.parent(), Some(d));
        assert_eq!(d.parent(), Some(CHONGQING));
    }

    #[test]
    fn a_six_digit_province_code_reads_as_the_province_and_shortens_to_two_digits() {
        let p = RegionCode::parse("500000").unwrap();
        assert_eq!(p, CHONGQING);
        assert_eq!(p.short(), "50");
        assert_eq!(RegionCode::parse("50").unwrap(), p);
    }

    proptest! {
        /// District, town and village codes keep their form (a 6-digit `xx0000` is a
        /// province, whose short form is two digits: tested above).
        #[test]
        fn short_form_round_trips(
            d in (110_101u32..=659_999).prop_filter("a district, not a province", |d| d % 10_000 != 0),
            t in 1u32..=999,
            v in 1u32..=999,
        ) {
            for s in [format!("{d}"), format!("{d}{t:03}"), format!("{d}{t:03}{v:03}")] {
                let c = RegionCode::parse(&s).unwrap();
                prop_assert_eq!(c.short(), s.clone());
                prop_assert_eq!(RegionCode::parse(&c.short()).unwrap(), c);
                let (lo, hi) = c.subtree_range();
                prop_assert!(lo == c.as_i64() && hi >= lo);
            }
        }
    }
}
