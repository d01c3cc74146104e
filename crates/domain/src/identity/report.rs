//! One serialisable verdict per input line for `jiujin validate id -` and
//! `jiujin validate uscc -`: whether the input is valid, its normalised form and what it
//! tells, or the Chinese reason it was rejected.

use chrono::NaiveDate;
use serde::Serialize;

use super::{CreditCode, IdNumber};

/// One line of `jiujin validate id -` / `jiujin validate uscc -` output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// The input exactly as given.
    pub input: String,
    pub valid: bool,
    /// The normalised 18 characters when valid.
    pub normalized: Option<String>,
    /// `YYYY-MM-DD`; identity numbers only.
    pub birth_date: Option<String>,
    /// "男" or "女"; identity numbers only.
    pub sex: Option<&'static str>,
    /// Why the input was rejected, in Chinese.
    pub error: Option<String>,
    /// Chinese warnings that do not make the input invalid; always empty for identity
    /// numbers.
    pub warnings: Vec<String>,
}

/// Checks one 公民身份号码 (birth dates after `today` are rejected).
pub fn check_id_number(input: &str, today: NaiveDate) -> CheckReport {
    match IdNumber::parse(input, today) {
        Ok(id) => CheckReport {
            input: input.to_owned(),
            valid: true,
            normalized: Some(id.as_str().to_owned()),
            birth_date: Some(id.birth_date().format("%Y-%m-%d").to_string()),
            sex: Some(id.sex().label()),
            error: None,
            warnings: Vec::new(),
        },
        Err(err) => rejected(input, err.to_string()),
    }
}

/// Checks one 统一社会信用代码; a code with only warnings is valid.
pub fn check_credit_code(input: &str) -> CheckReport {
    match CreditCode::parse(input) {
        Ok((code, warnings)) => CheckReport {
            input: input.to_owned(),
            valid: true,
            normalized: Some(code.as_str().to_owned()),
            birth_date: None,
            sex: None,
            error: None,
            warnings: warnings.iter().map(ToString::to_string).collect(),
        },
        Err(err) => rejected(input, err.to_string()),
    }
}

fn rejected(input: &str, error: String) -> CheckReport {
    CheckReport {
        input: input.to_owned(),
        valid: false,
        normalized: None,
        birth_date: None,
        sex: None,
        error: Some(error),
        warnings: Vec::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
    }

    #[test]
    fn valid_id_number_reports_normalised_form_birth_date_and_sex() {
        let report = check_id_number(" 11010519491231002x ", today());
        assert_eq!(
            report,
            CheckReport {
                input: " 11010519491231002x ".to_owned(),
                valid: true,
                normalized: Some("11010519491231002X".to_owned()),
                birth_date: Some("1949-12-31".to_owned()),
                sex: Some("女"),
                error: None,
                warnings: vec![],
            }
        );
    }

    #[test]
    fn invalid_id_number_reports_the_chinese_reason() {
        let report = check_id_number("110105194912310023", today());
        assert!(!report.valid);
        assert_eq!(report.normalized, None);
        assert_eq!(report.error.as_deref(), Some("校验码错误：第18位应为 X，实际为 3"));
    }

    #[test]
    fn report_serialises_every_field_including_empty_warnings() {
        let json = serde_json::to_value(check_id_number("500101800101001", today())).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "input": "500101800101001",
                "valid": true,
                "normalized": "500101198001010013",
                "birth_date": "1980-01-01",
                "sex": "男",
                "error": null,
                "warnings": [],
            })
        );
    }

    #[test]
    fn credit_code_with_only_a_warning_is_valid() {
        let report = check_credit_code("91440300192203827Q");
        assert!(report.valid);
        assert_eq!(report.normalized.as_deref(), Some("91440300192203827Q"));
        assert_eq!(report.birth_date, None);
        assert_eq!(report.sex, None);
        assert_eq!(report.error, None);
        assert_eq!(report.warnings, vec!["组织机构代码校验码不符（第17位应为 1，实际为 7），请核对".to_owned()]);
    }

    #[test]
    fn invalid_credit_code_reports_the_chinese_reason() {
        let report = check_credit_code("9150000020286320X7");
        assert!(!report.valid);
        assert_eq!(report.error.as_deref(), Some("校验码错误：第18位应为 6，实际为 7"));
        assert!(report.warnings.is_empty());
    }
}
