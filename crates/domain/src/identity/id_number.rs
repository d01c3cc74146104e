//! 公民身份号码 per GB 11643-1999: parsing with normalisation (whitespace, lowercase and
//! full-width input, 15-digit legacy numbers), the mod-11 check character, and the facts a
//! number carries (address code, birth date, sex).

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Serialize, Serializer};

use super::{ascii_str, describe_char, fold_char, is_trimmable, Sex};

/// Weights of the first 17 digits: 2^(18-i) mod 11 for position i.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character indexed by the weighted sum mod 11.
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// The earliest birth date accepted.
const EARLIEST_BIRTH: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// The GB 11643 check character of the first 17 bytes of `first17`, which the caller
/// guarantees are ASCII digits: `b'0'..=b'9'` or `b'X'`. Bytes past the 17th are ignored
/// (so a whole 18-character number may be passed); other bytes give a meaningless result,
/// never a panic.
pub fn id_check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(&b, w)| u32::from(b.wrapping_sub(b'0')) * w).sum();
    CHECK_CHARS[(sum % 11) as usize]
}

/// A valid 18-character 公民身份号码, normalised to ASCII digits and an uppercase `X`.
///
/// Only [`IdNumber::parse`] and [`IdNumber::from_parts`] build one, so holding an
/// `IdNumber` means its check character, address-code shape and birth date are valid.
/// Ordering is that of the strings.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber([u8; 18]);

impl IdNumber {
    /// Parses an 18-digit number, or a 15-digit legacy number which is converted to 18
    /// digits (by inserting "19" before the year and appending the check character).
    ///
    /// Surrounding whitespace is ignored; a lowercase `x` and full-width digits and `Ｘ`
    /// are accepted. The birth date must be a real date from 1900-01-01 to `today`. The
    /// address code is not looked up in any list (retired codes stay valid), it only must
    /// not start with 0. Does not allocate unless it returns an error.
    pub fn parse(input: &str, today: NaiveDate) -> Result<IdNumber, IdNumberError> {
        let trimmed = input.trim_matches(is_trimmable);
        if trimmed.is_empty() {
            return Err(IdNumberError::Empty);
        }
        let len = trimmed.chars().count();
        let legacy = match len {
            18 => false,
            15 => true,
            _ => return Err(IdNumberError::BadLength { len }),
        };

        let mut buf = [b'0'; 18];
        for (index, c) in trimmed.chars().enumerate() {
            let folded = fold_char(c);
            let allowed = folded.is_ascii_digit() || (folded == 'X' && index == 17);
            if !allowed {
                return Err(IdNumberError::BadCharacter { position: index + 1, found: c });
            }
            // A 15-digit number lacks the century "19" at positions 7-8.
            let slot = if legacy && index >= 6 { index + 2 } else { index };
            buf[slot] = folded as u8;
        }
        if legacy {
            buf[6] = b'1';
            buf[7] = b'9';
        }

        if buf[0] == b'0' {
            return Err(IdNumberError::BadAddressCode);
        }

        let Some(birth) = date_from_digits(&buf[6..14]) else {
            let typed = if legacy { &buf[8..14] } else { &buf[6..14] };
            return Err(IdNumberError::BadBirthDate { text: ascii_str(typed).to_owned() });
        };
        if birth < EARLIEST_BIRTH {
            return Err(IdNumberError::TooOld { date: birth });
        }
        if birth > today {
            return Err(IdNumberError::FutureBirthDate { date: birth });
        }

        let expected = id_check_char(&buf[..17]);
        if legacy {
            buf[17] = expected;
        } else if buf[17] != expected {
            return Err(IdNumberError::BadCheckChar { expected: char::from(expected), found: char::from(buf[17]) });
        }
        Ok(IdNumber(buf))
    }

    /// Builds the valid number with the given address code, birth date and three-digit
    /// sequence (odd for men, even for women), computing the check character.
    pub fn from_parts(address_code: &str, birth: NaiveDate, sequence: u16) -> Result<IdNumber, IdNumberError> {
        let address = address_code.as_bytes();
        if address.len() != 6 || !address.iter().all(u8::is_ascii_digit) || address[0] == b'0' {
            return Err(IdNumberError::BadAddressCode);
        }
        if birth < EARLIEST_BIRTH {
            return Err(IdNumberError::TooOld { date: birth });
        }
        if birth.year() > 9999 {
            return Err(IdNumberError::BadBirthDate { text: birth.to_string() });
        }
        if sequence > 999 {
            return Err(IdNumberError::BadSequence { sequence });
        }

        let mut buf = [b'0'; 18];
        buf[..6].copy_from_slice(address);
        write_digits(&mut buf[6..10], birth.year().unsigned_abs());
        write_digits(&mut buf[10..12], birth.month());
        write_digits(&mut buf[12..14], birth.day());
        write_digits(&mut buf[14..17], u32::from(sequence));
        buf[17] = id_check_char(&buf[..17]);
        Ok(IdNumber(buf))
    }

    /// The 18 characters.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.0)
    }

    /// The birth date in positions 7-14.
    pub fn birth_date(&self) -> NaiveDate {
        date_from_digits(&self.0[6..14]).unwrap_or_default()
    }

    /// The sex given by the parity of the sequence code (position 17).
    pub fn sex(&self) -> Sex {
        if (self.0[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The address code at issue time (positions 1-6); may be a retired code.
    pub fn address_code(&self) -> &str {
        ascii_str(&self.0[..6])
    }

    /// The number with the birth date and sequence hidden: first 6, eight `*`, last 4.
    pub fn masked(&self) -> String {
        let mut masked = String::with_capacity(18);
        masked.push_str(ascii_str(&self.0[..6]));
        masked.push_str("********");
        masked.push_str(ascii_str(&self.0[14..]));
        masked
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Masked, so that a number never reaches a log through `{:?}`.
impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdNumber").field(&self.masked()).finish()
    }
}

impl Serialize for IdNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Why a 公民身份号码 was rejected. `Display` is the Chinese message shown to users;
/// [`IdNumberError::code`] is the stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("公民身份号码不能为空")]
    Empty,
    #[error("公民身份号码应为18位（或15位旧号码），实际为{len}位")]
    BadLength { len: usize },
    /// `position` is 1-based in the input as typed (after trimming); `found` is the
    /// character as typed.
    #[error("{}", bad_character_message(*.position, *.found))]
    BadCharacter { position: usize, found: char },
    #[error("第1至6位地址码无效：应为6位数字，且首位不能为0")]
    BadAddressCode,
    /// `text` is the date digits as typed: 8 digits, or 6 for a 15-digit legacy number.
    #[error("{}", bad_birth_date_message(.text))]
    BadBirthDate { text: String },
    #[error("出生日期 {date} 晚于今天")]
    FutureBirthDate { date: NaiveDate },
    #[error("出生日期 {date} 早于1900-01-01，不是有效的出生日期")]
    TooOld { date: NaiveDate },
    #[error("校验码错误：第18位应为 {expected}，实际为 {found}")]
    BadCheckChar { expected: char, found: char },
    /// Only from [`IdNumber::from_parts`].
    #[error("顺序码应为000至999，实际为{sequence}")]
    BadSequence { sequence: u16 },
}

impl IdNumberError {
    /// A stable machine code for the variant, e.g. `"id.bad_length"`.
    pub fn code(&self) -> &'static str {
        match self {
            IdNumberError::Empty => "id.empty",
            IdNumberError::BadLength { .. } => "id.bad_length",
            IdNumberError::BadCharacter { .. } => "id.bad_character",
            IdNumberError::BadAddressCode => "id.bad_address_code",
            IdNumberError::BadBirthDate { .. } => "id.bad_birth_date",
            IdNumberError::FutureBirthDate { .. } => "id.future_birth_date",
            IdNumberError::TooOld { .. } => "id.too_old",
            IdNumberError::BadCheckChar { .. } => "id.bad_check_char",
            IdNumberError::BadSequence { .. } => "id.bad_sequence",
        }
    }
}

fn bad_character_message(position: usize, found: char) -> String {
    let found = describe_char(found);
    if position == 18 {
        format!("第18位应为数字或 X，实际为{found}")
    } else {
        format!("第{position}位应为数字，实际为{found}")
    }
}

fn bad_birth_date_message(text: &str) -> String {
    match text.len() {
        8 => format!("第7至14位出生日期 {text} 不是有效日期"),
        6 => format!("第7至12位出生日期 {text} 不是有效日期（15位旧号码）"),
        _ => format!("出生日期 {text} 不是有效日期"),
    }
}

/// The value of a run of ASCII digits.
fn digits_value(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |acc, &d| acc * 10 + u32::from(d.wrapping_sub(b'0')))
}

/// The date written as `YYYYMMDD` in eight ASCII digits, if it exists in the calendar.
fn date_from_digits(digits: &[u8]) -> Option<NaiveDate> {
    let (year, rest) = digits.split_at_checked(4)?;
    let (month, day) = rest.split_at_checked(2)?;
    let year = i32::try_from(digits_value(year)).ok()?;
    NaiveDate::from_ymd_opt(year, digits_value(month), digits_value(day))
}

/// Writes `value` as zero-padded decimal digits filling `out`.
fn write_digits(out: &mut [u8], mut value: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        date(2025, 6, 30)
    }

    /// Appends the correct check character to 17 digits.
    fn with_check(first17: &str) -> String {
        let check = char::from(id_check_char(first17.as_bytes()));
        format!("{first17}{check}")
    }

    #[test]
    fn standard_example_from_gb_11643_is_accepted() {
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.address_code(), "110105");
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.to_string(), "11010519491231002X");
        assert_eq!(format!("{id:?}"), "IdNumber(\"110105********002X\")", "Debug never shows the full number");
    }

    #[test]
    fn check_char_of_standard_example_is_x() {
        assert_eq!(id_check_char(b"11010519491231002"), b'X');
        assert_eq!(id_check_char(b"11010519491231002X"), b'X');
        assert_eq!(id_check_char(b"50010119800101001"), b'3');
    }

    #[test]
    fn odd_sequence_means_male() {
        let id = IdNumber::parse(&with_check("50011619850615123"), today()).unwrap();
        assert_eq!(id.sex(), Sex::Male);
    }

    #[test]
    fn lowercase_x_and_surrounding_whitespace_are_normalised() {
        let id = IdNumber::parse(" \t11010519491231002x\r\n", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn full_width_digits_and_x_are_normalised() {
        let id = IdNumber::parse("\u{3000}１１０１０５１９４９１２３１００２Ｘ\u{3000}", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        let id = IdNumber::parse("１１０１０５１９４９１２３１００２ｘ", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn byte_order_mark_from_a_spreadsheet_is_ignored() {
        let id = IdNumber::parse("\u{FEFF}11010519491231002X", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn legacy_fifteen_digit_number_is_converted_to_eighteen() {
        let id = IdNumber::parse("500101800101001", today()).unwrap();
        assert_eq!(id.as_str(), "500101198001010013");
        assert_eq!(id.birth_date(), date(1980, 1, 1));
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id, IdNumber::from_parts("500101", date(1980, 1, 1), 1).unwrap());
    }

    #[test]
    fn legacy_number_with_impossible_date_names_the_six_digits_typed() {
        let err = IdNumber::parse("500101800230001", today()).unwrap_err();
        assert_eq!(err, IdNumberError::BadBirthDate { text: "800230".to_owned() });
        assert_eq!(err.to_string(), "第7至12位出生日期 800230 不是有效日期（15位旧号码）");
    }

    #[test]
    fn x_in_a_legacy_number_is_a_bad_character() {
        let err = IdNumber::parse("50010180010100X", today()).unwrap_err();
        assert_eq!(err, IdNumberError::BadCharacter { position: 15, found: 'X' });
    }

    #[test]
    fn empty_or_blank_input_is_empty() {
        assert_eq!(IdNumber::parse("", today()), Err(IdNumberError::Empty));
        assert_eq!(IdNumber::parse(" \u{3000} ", today()), Err(IdNumberError::Empty));
        assert_eq!(IdNumberError::Empty.to_string(), "公民身份号码不能为空");
    }

    #[test]
    fn wrong_length_is_reported_with_the_length_found() {
        let err = IdNumber::parse("11010519491231002", today()).unwrap_err();
        assert_eq!(err, IdNumberError::BadLength { len: 17 });
        assert_eq!(err.to_string(), "公民身份号码应为18位（或15位旧号码），实际为17位");
        assert_eq!(IdNumber::parse("11010519491231002X1", today()), Err(IdNumberError::BadLength { len: 19 }));
        // Characters are counted, not bytes.
        assert_eq!(IdNumber::parse("张三", today()), Err(IdNumberError::BadLength { len: 2 }));
    }

    #[test]
    fn letter_inside_the_number_is_a_bad_character() {
        let err = IdNumber::parse("1101051949123100AX", today()).unwrap_err();
        assert_eq!(err, IdNumberError::BadCharacter { position: 17, found: 'A' });
        assert_eq!(err.to_string(), "第17位应为数字，实际为“A”");

        let err = IdNumber::parse("11010519491231X02X", today()).unwrap_err();
        assert_eq!(err, IdNumberError::BadCharacter { position: 15, found: 'X' });
    }

    #[test]
    fn bad_last_character_message_mentions_x() {
        let err = IdNumber::parse("11010519491231002Y", today()).unwrap_err();
        assert_eq!(err.to_string(), "第18位应为数字或 X，实际为“Y”");
    }

    #[test]
    fn inner_space_is_named_as_a_space() {
        let err = IdNumber::parse("110105 19491231002", today()).unwrap_err();
        assert_eq!(err, IdNumberError::BadCharacter { position: 7, found: ' ' });
        assert_eq!(err.to_string(), "第7位应为数字，实际为空格");
    }

    #[test]
    fn address_code_starting_with_zero_is_rejected() {
        let number = with_check("01010519491231002");
        assert_eq!(IdNumber::parse(&number, today()), Err(IdNumberError::BadAddressCode));
    }

    #[test]
    fn retired_sichuan_address_code_used_in_chongqing_is_accepted() {
        let number = with_check("51021219700101123");
        assert_eq!(number, "510212197001011237");
        let id = IdNumber::parse(&number, today()).unwrap();
        assert_eq!(id.address_code(), "510212");
    }

    #[test]
    fn impossible_birth_date_is_rejected_with_its_digits() {
        let err = IdNumber::parse(&with_check("11010519900230001"), today()).unwrap_err();
        assert_eq!(err, IdNumberError::BadBirthDate { text: "19900230".to_owned() });
        assert_eq!(err.to_string(), "第7至14位出生日期 19900230 不是有效日期");
        assert!(IdNumber::parse(&with_check("11010519901301001"), today()).is_err());
        assert!(IdNumber::parse(&with_check("11010519901200001"), today()).is_err());
    }

    #[test]
    fn february_29_exists_in_2000_but_not_in_1900() {
        let err = IdNumber::parse(&with_check("11010519000229001"), today()).unwrap_err();
        assert_eq!(err, IdNumberError::BadBirthDate { text: "19000229".to_owned() });
        let id = IdNumber::parse(&with_check("11010520000229001"), today()).unwrap();
        assert_eq!(id.birth_date(), date(2000, 2, 29));
    }

    #[test]
    fn birth_date_after_today_is_rejected() {
        let err = IdNumber::parse(&with_check("11010520310101001"), today()).unwrap_err();
        assert_eq!(err, IdNumberError::FutureBirthDate { date: date(2031, 1, 1) });
        assert_eq!(err.to_string(), "出生日期 2031-01-01 晚于今天");
        let tomorrow = with_check("11010520250701001");
        assert!(IdNumber::parse(&tomorrow, today()).is_err());
    }

    #[test]
    fn birth_today_and_on_1900_01_01_are_accepted() {
        assert!(IdNumber::parse(&with_check("11010520250630001"), today()).is_ok());
        assert!(IdNumber::parse(&with_check("11010519000101001"), today()).is_ok());
    }

    #[test]
    fn birth_before_1900_is_too_old() {
        // The second example of GB 11643-1999 has a valid check character.
        let err = IdNumber::parse("440524188001010014", today()).unwrap_err();
        assert_eq!(err, IdNumberError::TooOld { date: date(1880, 1, 1) });
        assert_eq!(err.to_string(), "出生日期 1880-01-01 早于1900-01-01，不是有效的出生日期");
    }

    #[test]
    fn wrong_check_character_names_expected_and_found() {
        let err = IdNumber::parse("110105194912310023", today()).unwrap_err();
        assert_eq!(err, IdNumberError::BadCheckChar { expected: 'X', found: '3' });
        assert_eq!(err.to_string(), "校验码错误：第18位应为 X，实际为 3");
    }

    #[test]
    fn masked_number_hides_birth_date_and_sequence() {
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.masked(), "110105********002X");
    }

    #[test]
    fn from_parts_computes_the_check_character() {
        let id = IdNumber::from_parts("110105", date(1949, 12, 31), 2).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn from_parts_rejects_what_parse_would_reject() {
        let birth = date(1990, 1, 1);
        assert_eq!(IdNumber::from_parts("012345", birth, 1), Err(IdNumberError::BadAddressCode));
        assert_eq!(IdNumber::from_parts("50011", birth, 1), Err(IdNumberError::BadAddressCode));
        assert_eq!(IdNumber::from_parts("50011A", birth, 1), Err(IdNumberError::BadAddressCode));
        assert_eq!(IdNumber::from_parts("500116", birth, 1000), Err(IdNumberError::BadSequence { sequence: 1000 }));
        assert_eq!(
            IdNumber::from_parts("500116", date(1899, 12, 31), 1),
            Err(IdNumberError::TooOld { date: date(1899, 12, 31) })
        );
        assert!(IdNumber::from_parts("500116", date(10000, 1, 1), 1).is_err());
    }

    #[test]
    fn ordering_follows_the_string() {
        let a = IdNumber::parse("11010519491231002X", today()).unwrap();
        let b = IdNumber::parse("500101198001010013", today()).unwrap();
        assert!(a < b);
    }

    #[test]
    fn serializes_as_a_plain_string() {
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"11010519491231002X\"");
    }

    #[test]
    fn every_error_has_its_own_code() {
        let errors = [
            IdNumberError::Empty,
            IdNumberError::BadLength { len: 1 },
            IdNumberError::BadCharacter { position: 1, found: 'a' },
            IdNumberError::BadAddressCode,
            IdNumberError::BadBirthDate { text: String::new() },
            IdNumberError::FutureBirthDate { date: today() },
            IdNumberError::TooOld { date: today() },
            IdNumberError::BadCheckChar { expected: '1', found: '2' },
            IdNumberError::BadSequence { sequence: 1000 },
        ];
        let mut codes: Vec<_> = errors.iter().map(IdNumberError::code).collect();
        assert!(codes.iter().all(|c| c.starts_with("id.")));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
    }

    #[test]
    fn adjacent_weights_differ_so_every_adjacent_transposition_changes_the_sum() {
        // Swapping digits a != b at positions i, i+1 changes the sum by (a-b)(w_i-w_{i+1}),
        // which is non-zero mod the prime 11 exactly when the two weights differ mod 11.
        // The check character has weight 1, next to the 17th digit's weight 2.
        let mut weights = WEIGHTS.to_vec();
        weights.push(1);
        for pair in weights.windows(2) {
            assert_ne!(pair[0] % 11, pair[1] % 11);
        }
    }

    #[test]
    fn swapping_digits_ten_positions_apart_is_not_detected_by_the_check_char() {
        // The weights repeat with period 10 (2 has order 10 mod 11), so positions i and
        // i+10 share a weight: the check character cannot catch such a swap.
        for i in 0..7 {
            assert_eq!(WEIGHTS[i], WEIGHTS[i + 10]);
        }
        let mut swapped = *b"11010519491231002X";
        swapped.swap(5, 15); // address digit "5" with sequence digit "0"
        assert_eq!(&swapped, b"11010019491231052X");
        assert_eq!(id_check_char(&swapped), b'X');
        assert!(IdNumber::parse("11010019491231052X", today()).is_ok());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod properties {
    use super::*;
    use chrono::Days;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
    }

    fn birth_between(first: NaiveDate, last: NaiveDate) -> impl Strategy<Value = NaiveDate> {
        let span = u64::try_from((last - first).num_days()).unwrap();
        (0..=span).prop_map(move |d| first + Days::new(d))
    }

    fn any_birth() -> impl Strategy<Value = NaiveDate> {
        birth_between(EARLIEST_BIRTH, today())
    }

    fn any_id() -> impl Strategy<Value = IdNumber> {
        (100_000u32..=999_999, any_birth(), 0u16..=999)
            .prop_map(|(address, birth, seq)| IdNumber::from_parts(&address.to_string(), birth, seq).unwrap())
    }

    proptest! {
        #[test]
        fn built_numbers_parse_back_to_the_same_facts(
            address in 100_000u32..=999_999,
            birth in any_birth(),
            sequence in 0u16..=999,
        ) {
            let address = address.to_string();
            let id = IdNumber::from_parts(&address, birth, sequence).unwrap();
            let parsed = IdNumber::parse(id.as_str(), today()).unwrap();
            prop_assert_eq!(parsed, id);
            prop_assert_eq!(parsed.address_code(), address.as_str());
            prop_assert_eq!(parsed.birth_date(), birth);
            let expected_sex = if sequence % 2 == 1 { Sex::Male } else { Sex::Female };
            prop_assert_eq!(parsed.sex(), expected_sex);
        }

        #[test]
        fn changing_any_one_of_the_first_17_digits_is_detected(
            id in any_id(),
            position in 0usize..17,
            delta in 1u8..=9,
        ) {
            let mut bytes = id.0;
            bytes[position] = b'0' + (bytes[position] - b'0' + delta) % 10;
            let changed = std::str::from_utf8(&bytes).unwrap();
            prop_assert!(IdNumber::parse(changed, today()).is_err(), "{} accepted", changed);
        }

        #[test]
        fn changing_the_check_character_is_detected(id in any_id(), delta in 1usize..=10) {
            let original = id.as_str();
            let alphabet = b"0123456789X";
            let current = alphabet.iter().position(|&c| c == id.0[17]).unwrap();
            let replacement = char::from(alphabet[(current + delta) % 11]);
            let changed = format!("{}{replacement}", &original[..17]);
            prop_assert!(IdNumber::parse(&changed, today()).is_err());
        }

        #[test]
        fn check_char_changes_with_every_single_digit_substitution(
            first17 in "[0-9]{17}",
            position in 0usize..17,
            delta in 1u8..=9,
        ) {
            // On arbitrary digits, so that no date or address rule can hide a miss.
            let mut changed = first17.clone().into_bytes();
            changed[position] = b'0' + (changed[position] - b'0' + delta) % 10;
            prop_assert_ne!(id_check_char(first17.as_bytes()), id_check_char(&changed));
        }

        #[test]
        fn check_char_catches_every_adjacent_transposition(
            first17 in "[0-9]{17}",
            position in 0usize..17,
            delta in 1u8..=9,
        ) {
            let mut digits = first17.into_bytes();
            if position < 16 {
                digits[position + 1] = b'0' + (digits[position] - b'0' + delta) % 10;
            } else {
                // Swapping the 17th digit with the check character needs a check
                // character that is a digit other than the 17th digit. At most two of the
                // ten values of the 17th digit fail that, so stepping by one finds one.
                for _ in 0..10 {
                    let check = id_check_char(&digits);
                    if check != b'X' && check != digits[16] {
                        break;
                    }
                    digits[16] = b'0' + (digits[16] - b'0' + 1) % 10;
                }
            }
            let mut number = digits.clone();
            number.push(id_check_char(&digits));
            prop_assert_ne!(number[position], number[position + 1]);
            number.swap(position, position + 1);
            prop_assert_ne!(id_check_char(&number), number[17]);
        }

        #[test]
        fn swapping_two_adjacent_different_characters_is_detected(
            id in any_id(),
            position in 0usize..17,
        ) {
            // Includes swapping the 17th digit with the check character.
            let mut bytes = id.0;
            if bytes[position] == bytes[position + 1] {
                return Ok(());
            }
            bytes.swap(position, position + 1);
            let swapped = std::str::from_utf8(&bytes).unwrap();
            prop_assert!(IdNumber::parse(swapped, today()).is_err(), "{} accepted", swapped);
        }

        #[test]
        fn legacy_numbers_convert_to_the_eighteen_digit_number_with_the_same_parts(
            address in 100_000u32..=999_999,
            birth in birth_between(
                EARLIEST_BIRTH,
                NaiveDate::from_ymd_opt(1999, 12, 31).unwrap(),
            ),
            sequence in 0u16..=999,
        ) {
            let legacy = format!("{address}{}{sequence:03}", birth.format("%y%m%d"));
            prop_assert_eq!(legacy.len(), 15);
            let parsed = IdNumber::parse(&legacy, today()).unwrap();
            let built = IdNumber::from_parts(&address.to_string(), birth, sequence).unwrap();
            prop_assert_eq!(parsed, built);
            prop_assert_eq!(parsed.birth_date(), birth);
            prop_assert_eq!(IdNumber::parse(parsed.as_str(), today()).unwrap(), parsed);
        }
    }
}
