//! Contact phone numbers: mainland mobile numbers (11 digits, 1[3-9]…) and landlines
//! with an area code; normalised without spaces or dashes, masked for display.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("联系电话“{0}”格式不正确，应为11位手机号码（如13812345678）或带区号的固定电话（如023-12345678）")]
pub struct PhoneError(pub String);

impl Phone {
    pub fn parse(text: &str) -> Result<Phone, PhoneError> {
        let raw = text.trim();
        let mut digits = String::with_capacity(raw.len());
        for ch in raw.chars() {
            match ch {
                '0'..='9' => digits.push(ch),
                '０'..='９' => digits.push(char::from(b'0' + (ch as u32 - '０' as u32) as u8)),
                ' ' | '-' | '－' | '—' => {}
                _ => return Err(PhoneError(raw.to_string())),
            }
        }
        let d = digits.strip_prefix("86").filter(|d| d.len() == 11).map(str::to_string).unwrap_or(digits);
        let b = d.as_bytes();
        let mobile = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
        let landline = (10..=12).contains(&b.len()) && b[0] == b'0' && b[1] != b'0';
        if mobile || landline {
            Ok(Phone(d))
        } else {
            Err(PhoneError(raw.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_mobile(&self) -> bool {
        self.0.starts_with('1')
    }

    /// `138****5678`; landlines keep the area code and last 4 digits.
    pub fn masked(&self) -> String {
        let s = &self.0;
        if s.len() <= 7 {
            return "*".repeat(s.len());
        }
        let head = if self.is_mobile() { 3 } else { 4 };
        format!("{}{}{}", &s[..head], "*".repeat(s.len() - head - 4), &s[s.len() - 4..])
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_and_landlines_are_normalised_and_masked() {
        assert_eq!(Phone::parse("138 1234 5678").unwrap().masked(), "138****5678");
        assert_eq!(Phone::parse("+86 13812345678").unwrap_err().0, "+86 13812345678");
        assert_eq!(Phone::parse("8613812345678").unwrap().as_str(), "13812345678");
        assert_eq!(Phone::parse("023-62345678").unwrap().as_str(), "02362345678");
        assert_eq!(Phone::parse("023-62345678").unwrap().masked(), "0236***5678");
        for bad in ["12345678901", "1381234567", "abc", "023", "13812345678x"] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }
}
