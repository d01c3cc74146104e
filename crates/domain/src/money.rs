//! Money as integer fen (分). Amounts are never floats; yuan text from files and forms
//! is parsed exactly, and display goes through one formatter.

use std::fmt;

/// An amount of money in fen (1 yuan = 100 fen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Fen(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("金额“{0}”格式不正确，应为以元为单位的数字，最多两位小数")]
    Format(String),
    #[error("金额“{0}”超出允许范围")]
    Range(String),
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub fn from_yuan(yuan: i64) -> Fen {
        Fen(yuan.saturating_mul(100))
    }

    /// Parses a yuan amount such as `5000`, `5000.5`, `5,000.50` or `5000元`.
    pub fn parse_yuan(text: &str) -> Result<Fen, MoneyError> {
        let raw = text.trim();
        let t = raw.trim_end_matches('元').replace([',', '，'], "");
        let bad = || MoneyError::Format(raw.to_string());
        let (neg, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.as_str()),
        };
        let (int, frac) = match t.split_once('.') {
            Some((i, f)) => (i, f),
            None => (t, ""),
        };
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if int.len() > 13 {
            return Err(MoneyError::Range(raw.to_string()));
        }
        let yuan: i64 = int.parse().map_err(|_| bad())?;
        let mut cents: i64 = 0;
        for (i, b) in frac.bytes().enumerate() {
            cents += i64::from(b - b'0') * if i == 0 { 10 } else { 1 };
        }
        let v = yuan * 100 + cents;
        Ok(Fen(if neg { -v } else { v }))
    }

    /// Yuan with two decimals and no grouping, as written into files (`5000.00`).
    pub fn to_yuan_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }

    /// Yuan without decimals when whole (`5000`), for templates that staff re-import.
    pub fn to_yuan_compact(self) -> String {
        if self.0 % 100 == 0 {
            (self.0 / 100).to_string()
        } else {
            self.to_yuan_string()
        }
    }
}

impl fmt::Display for Fen {
    /// `¥5,000.00`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        let yuan = (a / 100).to_string();
        let mut grouped = String::with_capacity(yuan.len() + yuan.len() / 3);
        for (i, ch) in yuan.chars().enumerate() {
            if i > 0 && (yuan.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        write!(f, "{sign}¥{grouped}.{:02}", a % 100)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn yuan_text_is_parsed_exactly() {
        assert_eq!(Fen::parse_yuan("5000").unwrap(), Fen(500_000));
        assert_eq!(Fen::parse_yuan("5,000.5").unwrap(), Fen(500_050));
        assert_eq!(Fen::parse_yuan(" 0.07元 ").unwrap(), Fen(7));
        assert!(Fen::parse_yuan("1.234").is_err());
        assert!(Fen::parse_yuan("abc").is_err());
        assert!(Fen::parse_yuan("").is_err());
    }

    #[test]
    fn display_groups_thousands() {
        assert_eq!(Fen(123_456_789).to_string(), "¥1,234,567.89");
        assert_eq!(Fen(-5).to_string(), "-¥0.05");
    }

    proptest! {
        #[test]
        fn file_form_round_trips(v in -10_000_000_000i64..10_000_000_000) {
            prop_assert_eq!(Fen::parse_yuan(&Fen(v).to_yuan_string()).unwrap(), Fen(v));
            prop_assert_eq!(Fen::parse_yuan(&Fen(v).to_yuan_compact()).unwrap(), Fen(v));
        }
    }
}
