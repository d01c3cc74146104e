//! Identity numbers of people and organisations: 公民身份号码 (GB 11643-1999) and
//! 统一社会信用代码 (GB 32100-2015), parsed into types that are valid once held, plus the
//! per-line reports behind `jiujin validate id|uscc`.

mod credit_code;
mod id_number;
mod report;

use serde::{Deserialize, Serialize};
use std::fmt;

pub use credit_code::{
    credit_code_check_char, organization_code_check_char, CreditCode, CreditCodeError, CreditCodeWarning,
};
pub use id_number::{id_check_char, IdNumber, IdNumberError};
pub use report::{check_credit_code, check_id_number, CheckReport};

/// Sex as encoded by the parity of the 17th digit of a 公民身份号码.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// The Chinese label shown to users: "男" or "女".
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }

    /// The GB/T 2261.1 code: 1 for male, 2 for female.
    pub fn code(self) -> i16 {
        match self {
            Sex::Male => 1,
            Sex::Female => 2,
        }
    }

    /// Inverse of [`Sex::code`]; `None` for the codes 0 (unknown), 9 (unstated) and any other.
    pub fn from_code(code: i16) -> Option<Sex> {
        match code {
            1 => Some(Sex::Male),
            2 => Some(Sex::Female),
            _ => None,
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.label())
    }
}

/// Characters stripped from both ends of an input besides Unicode whitespace (which
/// includes the ideographic space U+3000): byte-order marks and zero-width spaces that
/// spreadsheets and copy-paste leave behind.
fn is_trimmable(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}' || c == '\u{200B}'
}

/// Folds full-width ASCII forms (as typed with Chinese IMEs, U+FF01..U+FF5E) to their
/// ASCII counterparts and uppercases ASCII letters; other characters are returned as is.
fn fold_char(c: char) -> char {
    let folded = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    folded.to_ascii_uppercase()
}

/// The `&str` view of bytes that are ASCII by construction of the identity types.
fn ascii_str(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// How a rejected character is named in a Chinese message.
fn describe_char(c: char) -> String {
    if c.is_whitespace() {
        "空格".to_owned()
    } else if c.is_control() {
        format!("控制字符 U+{:04X}", u32::from(c))
    } else {
        format!("“{c}”")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sex_labels_and_codes_follow_gb_t_2261() {
        assert_eq!(Sex::Male.label(), "男");
        assert_eq!(Sex::Female.label(), "女");
        assert_eq!(Sex::Male.code(), 1);
        assert_eq!(Sex::Female.code(), 2);
        assert_eq!(Sex::from_code(1), Some(Sex::Male));
        assert_eq!(Sex::from_code(2), Some(Sex::Female));
        assert_eq!(Sex::from_code(0), None);
        assert_eq!(Sex::from_code(9), None);
        assert_eq!(Sex::Female.to_string(), "女");
    }

    #[test]
    fn full_width_characters_fold_to_uppercase_ascii() {
        assert_eq!(fold_char('５'), '5');
        assert_eq!(fold_char('Ｘ'), 'X');
        assert_eq!(fold_char('ｘ'), 'X');
        assert_eq!(fold_char('x'), 'X');
        assert_eq!(fold_char('张'), '张');
    }

    #[test]
    fn ideographic_space_and_byte_order_mark_are_trimmable() {
        assert!(is_trimmable('\u{3000}'));
        assert!(is_trimmable('\u{FEFF}'));
        assert!(is_trimmable('\t'));
        assert!(!is_trimmable('0'));
    }
}
