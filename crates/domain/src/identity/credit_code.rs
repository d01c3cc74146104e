//! 统一社会信用代码 per GB 32100-2015: parsing with normalisation, the mod-31 check
//! character, and the embedded GB 11714 organisation code whose own check character only
//! raises a warning.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{ascii_str, describe_char, fold_char, is_trimmable};

/// The 31 characters of GB 32100 (no I, O, Z, S, V); a character's value is its index.
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Marks bytes outside [`CHARSET`] in [`VALUES`].
const NOT_IN_SET: u8 = u8::MAX;

/// The value of every byte under GB 32100, or [`NOT_IN_SET`].
const VALUES: [u8; 256] = {
    let mut table = [NOT_IN_SET; 256];
    let mut i = 0;
    while i < CHARSET.len() {
        table[CHARSET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// W_i = 3^(i-1) mod 31 for i = 1..17.
const WEIGHTS: [u32; 17] = {
    let mut weights = [1u32; 17];
    let mut i = 1;
    while i < 17 {
        weights[i] = weights[i - 1] * 3 % 31;
        i += 1;
    }
    weights
};

/// GB 11714 weights of the eight body characters of an organisation code.
const ORGANIZATION_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// The GB 32100 value of an ASCII byte (lowercase accepted).
fn value(b: u8) -> Option<u32> {
    let v = VALUES[usize::from(b.to_ascii_uppercase())];
    (v != NOT_IN_SET).then_some(u32::from(v))
}

/// The GB 32100 check character (18th) of the first 17 bytes of `first17`, or `None` if
/// there are fewer than 17 or one of them is outside the character set. Lowercase letters
/// count as uppercase; bytes past the 17th are ignored.
pub fn credit_code_check_char(first17: &[u8]) -> Option<u8> {
    let body = first17.get(..17)?;
    let mut sum = 0u32;
    for (&b, w) in body.iter().zip(WEIGHTS) {
        sum += value(b)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(CHARSET[check as usize])
}

/// The GB 11714 check character (`b'0'..=b'9'` or `b'X'`) of an organisation code body:
/// the first 8 bytes of `first8`, digits worth 0-9 and letters A-Z worth 10-35 (lowercase
/// accepted). `None` if there are fewer than 8 or one is not an ASCII letter or digit.
pub fn organization_code_check_char(first8: &[u8]) -> Option<u8> {
    let body = first8.get(..8)?;
    let mut sum = 0u32;
    for (&b, w) in body.iter().zip(ORGANIZATION_WEIGHTS) {
        let v = match b.to_ascii_uppercase() {
            d @ b'0'..=b'9' => d - b'0',
            l @ b'A'..=b'Z' => l - b'A' + 10,
            _ => return None,
        };
        sum += u32::from(v) * w;
    }
    Some(match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        c => b'0' + c as u8,
    })
}

/// A valid 统一社会信用代码: 18 characters of the GB 32100 set, uppercase, with digits in
/// positions 3-8 and a correct 18th check character. Ordering is that of the strings.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode([u8; 18]);

impl CreditCode {
    /// Parses a code, ignoring surrounding whitespace and accepting lowercase and
    /// full-width letters and digits. Returns the code with the warnings that do not make
    /// it invalid: a wrong GB 11714 check character of the embedded organisation code.
    pub fn parse(input: &str) -> Result<(CreditCode, Vec<CreditCodeWarning>), CreditCodeError> {
        let trimmed = input.trim_matches(is_trimmable);
        if trimmed.is_empty() {
            return Err(CreditCodeError::Empty);
        }
        let len = trimmed.chars().count();
        if len != 18 {
            return Err(CreditCodeError::BadLength { len });
        }

        let mut buf = [b'0'; 18];
        for ((index, c), slot) in trimmed.chars().enumerate().zip(buf.iter_mut()) {
            let folded = fold_char(c);
            match u8::try_from(folded) {
                Ok(b) if value(b).is_some() => *slot = b,
                _ => return Err(CreditCodeError::BadCharacter { position: index + 1, found: c }),
            }
        }

        if !buf[2..8].iter().all(u8::is_ascii_digit) {
            return Err(CreditCodeError::BadRegionCode);
        }
        // Every byte is in the set by now, so the check character exists.
        let expected = credit_code_check_char(&buf).unwrap_or(b'?');
        if buf[17] != expected {
            return Err(CreditCodeError::BadCheckChar { expected: char::from(expected), found: char::from(buf[17]) });
        }

        let code = CreditCode(buf);
        let mut warnings = Vec::new();
        if let Some(expected) = organization_code_check_char(&buf[8..16]) {
            if buf[16] != expected {
                warnings.push(CreditCodeWarning::OrganizationCodeCheck {
                    expected: char::from(expected),
                    found: char::from(buf[16]),
                });
            }
        }
        Ok((code, warnings))
    }

    /// Builds a valid code from its first two characters (登记管理部门代码 and
    /// 机构类别代码), the six-digit region code and the eight-character organisation code
    /// body, computing the GB 11714 check character (17th) and the GB 32100 one (18th).
    /// Lowercase letters are accepted.
    pub fn from_parts(prefix2: &str, region6: &str, org8: &str) -> Result<CreditCode, CreditCodeError> {
        let parts: [(&str, &'static str, usize, usize); 3] = [
            (prefix2, "登记管理部门代码和机构类别代码", 2, 0),
            (region6, "登记管理机关行政区划码", 6, 2),
            (org8, "组织机构代码本体", 8, 8),
        ];
        let mut buf = [b'0'; 18];
        for (text, name, expected, offset) in parts {
            let len = text.chars().count();
            if len != expected {
                return Err(CreditCodeError::BadPartLength { part: name, expected, len });
            }
            for ((index, c), slot) in text.chars().enumerate().zip(&mut buf[offset..]) {
                match u8::try_from(c) {
                    Ok(b) if value(b).is_some() => *slot = b.to_ascii_uppercase(),
                    _ => return Err(CreditCodeError::BadCharacter { position: offset + index + 1, found: c }),
                }
            }
        }
        if !buf[2..8].iter().all(u8::is_ascii_digit) {
            return Err(CreditCodeError::BadRegionCode);
        }
        // Every byte is in the set by now, so both check characters exist.
        if let Some(org_check) = organization_code_check_char(&buf[8..16]) {
            buf[16] = org_check;
        }
        if let Some(check) = credit_code_check_char(&buf) {
            buf[17] = check;
        }
        Ok(CreditCode(buf))
    }

    /// The 18 characters.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.0)
    }

    /// 登记管理机关行政区划码, positions 3-8.
    pub fn region_code(&self) -> &str {
        ascii_str(&self.0[2..8])
    }

    /// The GB 11714 organisation code with its check character, positions 9-17.
    pub fn organization_code(&self) -> &str {
        ascii_str(&self.0[8..17])
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Debug for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CreditCode").field(&self.as_str()).finish()
    }
}

impl Serialize for CreditCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Deserializes through [`CreditCode::parse`]; warnings are dropped.
impl<'de> Deserialize<'de> for CreditCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <&str>::deserialize(deserializer)?;
        CreditCode::parse(text).map(|(code, _)| code).map_err(serde::de::Error::custom)
    }
}

/// Something odd about a 统一社会信用代码 that does not make it invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CreditCodeWarning {
    /// The embedded organisation code fails its GB 11714 check (position 17).
    OrganizationCodeCheck { expected: char, found: char },
}

impl CreditCodeWarning {
    /// A stable machine code for the variant, e.g. `"uscc.organization_code_check"`.
    pub fn code(&self) -> &'static str {
        match self {
            CreditCodeWarning::OrganizationCodeCheck { .. } => "uscc.organization_code_check",
        }
    }
}

impl fmt::Display for CreditCodeWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CreditCodeWarning::OrganizationCodeCheck { expected, found } => {
                write!(f, "组织机构代码校验码不符（第17位应为 {expected}，实际为 {found}），请核对")
            }
        }
    }
}

/// Why a 统一社会信用代码 was rejected. `Display` is the Chinese message shown to users;
/// [`CreditCodeError::code`] is the stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("统一社会信用代码不能为空")]
    Empty,
    #[error("统一社会信用代码应为18位，实际为{len}位")]
    BadLength { len: usize },
    /// `position` is 1-based in the input as typed (after trimming); `found` is the
    /// character as typed.
    #[error("{}", bad_character_message(*.position, *.found))]
    BadCharacter { position: usize, found: char },
    #[error("第3至8位登记管理机关行政区划码应为6位数字")]
    BadRegionCode,
    #[error("校验码错误：第18位应为 {expected}，实际为 {found}")]
    BadCheckChar { expected: char, found: char },
    /// Only from [`CreditCode::from_parts`]: a part has the wrong number of characters.
    #[error("{part}应为{expected}位，实际为{len}位")]
    BadPartLength { part: &'static str, expected: usize, len: usize },
}

impl CreditCodeError {
    /// A stable machine code for the variant, e.g. `"uscc.bad_length"`.
    pub fn code(&self) -> &'static str {
        match self {
            CreditCodeError::Empty => "uscc.empty",
            CreditCodeError::BadLength { .. } => "uscc.bad_length",
            CreditCodeError::BadCharacter { .. } => "uscc.bad_character",
            CreditCodeError::BadRegionCode => "uscc.bad_region_code",
            CreditCodeError::BadCheckChar { .. } => "uscc.bad_check_char",
            CreditCodeError::BadPartLength { .. } => "uscc.bad_part_length",
        }
    }
}

fn bad_character_message(position: usize, found: char) -> String {
    if matches!(fold_char(found), 'I' | 'O' | 'Z' | 'S' | 'V') {
        format!("第{position}位“{found}”不是统一社会信用代码使用的字符（代码中不使用字母 I、O、Z、S、V）")
    } else {
        format!("第{position}位应为数字或大写字母，实际为{}", describe_char(found))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Appends the GB 32100 check character to 17 characters.
    fn with_check(first17: &str) -> String {
        let check = char::from(credit_code_check_char(first17.as_bytes()).unwrap());
        format!("{first17}{check}")
    }

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        assert_eq!(WEIGHTS, [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]);
    }

    #[test]
    fn published_codes_of_real_companies_are_accepted_without_warnings() {
        // 华为技术有限公司, 重庆长安汽车股份有限公司 (its organisation code 20286320-X
        // exercises the 10 → X rule), and a Fuzhou code.
        for published in ["914403001922038216", "9150000020286320X6", "91350100M000100Y43"] {
            let (code, warnings) = CreditCode::parse(published).unwrap();
            assert_eq!(code.as_str(), published);
            assert!(warnings.is_empty(), "{published}: {warnings:?}");
        }
        let (changan, _) = CreditCode::parse("9150000020286320X6").unwrap();
        assert_eq!(changan.region_code(), "500000");
        assert_eq!(changan.organization_code(), "20286320X");
    }

    #[test]
    fn lowercase_full_width_and_whitespace_are_normalised() {
        let (code, _) = CreditCode::parse("  9150000020286320x6\n").unwrap();
        assert_eq!(code.as_str(), "9150000020286320X6");
        let (code, _) = CreditCode::parse("\u{3000}９１３５０１００ｍ０００１００ｙ４３").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
    }

    #[test]
    fn organization_check_of_eleven_is_written_as_zero() {
        assert_eq!(organization_code_check_char(b"12345604"), Some(b'0'));
        let code = CreditCode::from_parts("91", "500000", "12345604").unwrap();
        assert_eq!(code.organization_code(), "123456040");
        assert_eq!(CreditCode::parse(code.as_str()).unwrap(), (code, vec![]));
    }

    #[test]
    fn wrong_organization_check_is_a_warning_not_an_error() {
        let code = with_check("91440300192203827");
        assert_eq!(code, "91440300192203827Q");
        let (parsed, warnings) = CreditCode::parse(&code).unwrap();
        assert_eq!(parsed.as_str(), code);
        assert_eq!(warnings, vec![CreditCodeWarning::OrganizationCodeCheck { expected: '1', found: '7' }]);
        assert_eq!(warnings[0].to_string(), "组织机构代码校验码不符（第17位应为 1，实际为 7），请核对");
        assert_eq!(warnings[0].code(), "uscc.organization_code_check");
    }

    #[test]
    fn empty_and_wrong_length_are_rejected() {
        assert_eq!(CreditCode::parse(" "), Err(CreditCodeError::Empty));
        let err = CreditCode::parse("91440300192203821").unwrap_err();
        assert_eq!(err, CreditCodeError::BadLength { len: 17 });
        assert_eq!(err.to_string(), "统一社会信用代码应为18位，实际为17位");
    }

    #[test]
    fn letters_outside_the_set_are_bad_characters() {
        let err = CreditCode::parse("91350100MO00100Y43").unwrap_err();
        assert_eq!(err, CreditCodeError::BadCharacter { position: 10, found: 'O' });
        assert_eq!(err.to_string(), "第10位“O”不是统一社会信用代码使用的字符（代码中不使用字母 I、O、Z、S、V）");
        for letter in ["I", "O", "Z", "S", "V", "i", "s"] {
            let input = format!("91350100M{letter}00100Y43");
            assert!(matches!(CreditCode::parse(&input), Err(CreditCodeError::BadCharacter { position: 10, .. })));
        }
        let err = CreditCode::parse("91350100M-00100Y43").unwrap_err();
        assert_eq!(err.to_string(), "第10位应为数字或大写字母，实际为“-”");
    }

    #[test]
    fn letter_in_the_region_code_is_rejected() {
        let err = CreditCode::parse(&with_check("91A40300192203821")).unwrap_err();
        assert_eq!(err, CreditCodeError::BadRegionCode);
        assert_eq!(err.to_string(), "第3至8位登记管理机关行政区划码应为6位数字");
    }

    #[test]
    fn wrong_check_character_names_expected_and_found() {
        let err = CreditCode::parse("914403001922038217").unwrap_err();
        assert_eq!(err, CreditCodeError::BadCheckChar { expected: '6', found: '7' });
        assert_eq!(err.to_string(), "校验码错误：第18位应为 6，实际为 7");
    }

    #[test]
    fn any_registration_authority_and_category_of_the_set_are_accepted() {
        for prefix in ["11", "51", "92", "Y1", "N2", "A1", "31"] {
            let code = CreditCode::from_parts(prefix, "500101", "MA5U7AQ3").unwrap();
            assert!(CreditCode::parse(code.as_str()).is_ok());
        }
    }

    #[test]
    fn from_parts_rebuilds_a_published_code() {
        let code = CreditCode::from_parts("91", "440300", "19220382").unwrap();
        assert_eq!(code.as_str(), "914403001922038216");
        let code = CreditCode::from_parts("91", "350100", "m000100y").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
    }

    #[test]
    fn from_parts_rejects_bad_parts() {
        let err = CreditCode::from_parts("9", "440300", "19220382").unwrap_err();
        assert_eq!(
            err,
            CreditCodeError::BadPartLength {
                part: "登记管理部门代码和机构类别代码", expected: 2, len: 1
            }
        );
        assert_eq!(err.to_string(), "登记管理部门代码和机构类别代码应为2位，实际为1位");
        assert_eq!(
            CreditCode::from_parts("91", "440300", "1922038I"),
            Err(CreditCodeError::BadCharacter { position: 16, found: 'I' })
        );
        assert_eq!(CreditCode::from_parts("91", "44030A", "19220382"), Err(CreditCodeError::BadRegionCode));
    }

    #[test]
    fn check_char_function_needs_17_characters_of_the_set() {
        assert_eq!(credit_code_check_char(b"9144030019220382"), None);
        assert_eq!(credit_code_check_char(b"91440300192203821"), Some(b'6'));
        assert_eq!(credit_code_check_char(b"914403001922038216"), Some(b'6'));
        assert_eq!(credit_code_check_char(b"9144030019220382I"), None);
        assert_eq!(organization_code_check_char(b"1922038"), None);
    }

    #[test]
    fn serializes_as_a_string_and_deserializes_through_parse() {
        let (code, _) = CreditCode::parse("914403001922038216").unwrap();
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, "\"914403001922038216\"");
        assert_eq!(serde_json::from_str::<CreditCode>(&json).unwrap(), code);
        let err = serde_json::from_str::<CreditCode>("\"914403001922038217\"").unwrap_err();
        assert!(err.to_string().contains("校验码错误"));
    }

    #[test]
    fn every_error_has_its_own_code() {
        let errors = [
            CreditCodeError::Empty,
            CreditCodeError::BadLength { len: 1 },
            CreditCodeError::BadCharacter { position: 1, found: 'I' },
            CreditCodeError::BadRegionCode,
            CreditCodeError::BadCheckChar { expected: '1', found: '2' },
            CreditCodeError::BadPartLength { part: "", expected: 2, len: 1 },
        ];
        let mut codes: Vec<_> = errors.iter().map(CreditCodeError::code).collect();
        assert!(codes.iter().all(|c| c.starts_with("uscc.")));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
    }

    #[test]
    fn weights_are_distinct_so_any_transposition_in_the_first_17_is_caught() {
        // 3 is a primitive root mod 31: its first 17 powers are all different, and a swap
        // of values a != b at positions i, j changes the sum by (a-b)(W_i-W_j) != 0 mod 31.
        let mut sorted = WEIGHTS;
        sorted.sort_unstable();
        assert!(sorted.windows(2).all(|w| w[0] != w[1]));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::select;

    fn set_chars(n: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(select(CHARSET.to_vec()), n).prop_map(|bytes| String::from_utf8(bytes).unwrap())
    }

    fn any_code() -> impl Strategy<Value = CreditCode> {
        (set_chars(2), 0u32..=999_999, set_chars(8))
            .prop_map(|(prefix, region, org)| CreditCode::from_parts(&prefix, &format!("{region:06}"), &org).unwrap())
    }

    proptest! {
        #[test]
        fn built_codes_parse_back_unchanged_and_without_warnings(
            prefix in set_chars(2),
            region in 0u32..=999_999,
            org in set_chars(8),
        ) {
            let region = format!("{region:06}");
            let code = CreditCode::from_parts(&prefix, &region, &org).unwrap();
            let (parsed, warnings) = CreditCode::parse(code.as_str()).unwrap();
            prop_assert_eq!(parsed, code);
            prop_assert!(warnings.is_empty());
            prop_assert_eq!(&parsed.as_str()[..2], prefix.as_str());
            prop_assert_eq!(parsed.region_code(), region.as_str());
            prop_assert_eq!(&parsed.organization_code()[..8], org.as_str());
        }

        #[test]
        fn changing_any_one_character_is_detected(
            code in any_code(),
            position in 0usize..18,
            delta in 1u8..31,
        ) {
            let mut bytes = code.0;
            bytes[position] = shifted(bytes[position], delta);
            let changed = std::str::from_utf8(&bytes).unwrap();
            prop_assert!(CreditCode::parse(changed).is_err(), "{} accepted", changed);
        }

        #[test]
        fn swapping_two_adjacent_different_characters_is_detected(
            code in any_code(),
            position in 0usize..17,
        ) {
            let mut bytes = code.0;
            if bytes[position] == bytes[position + 1] {
                return Ok(());
            }
            bytes.swap(position, position + 1);
            let swapped = std::str::from_utf8(&bytes).unwrap();
            prop_assert!(CreditCode::parse(swapped).is_err(), "{} accepted", swapped);
        }

        #[test]
        fn check_char_catches_every_substitution_and_adjacent_transposition(
            first17 in set_chars(17),
            position in 0usize..17,
            delta in 1u8..31,
        ) {
            // On arbitrary characters, so that the region rule cannot hide a miss.
            let mut code = first17.into_bytes();
            if position < 16 {
                code[position + 1] = shifted(code[position], delta);
            } else {
                // Exactly one value of the 17th character equals its own check character.
                for _ in 0..2 {
                    if credit_code_check_char(&code) != Some(code[16]) {
                        break;
                    }
                    code[16] = shifted(code[16], delta);
                }
            }
            code.push(credit_code_check_char(&code).unwrap());

            let mut substituted = code.clone();
            substituted[position] = shifted(substituted[position], delta);
            prop_assert_ne!(credit_code_check_char(&substituted), Some(substituted[17]));

            let mut swapped = code;
            prop_assert_ne!(swapped[position], swapped[position + 1]);
            swapped.swap(position, position + 1);
            prop_assert_ne!(credit_code_check_char(&swapped), Some(swapped[17]));
        }
    }

    /// The character `delta` (1..31) places after `b` in the set, cyclically: never `b`.
    fn shifted(b: u8, delta: u8) -> u8 {
        let index = usize::from(VALUES[usize::from(b)]);
        CHARSET[(index + usize::from(delta)) % 31]
    }
}
