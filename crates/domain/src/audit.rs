//! The audit log's vocabulary (SPEC §9): the actions it records, with stable codes
//! and Chinese labels, and the masking applied to identity numbers and phones before
//! any value reaches an entry.

use std::fmt;

/// What an audit entry records. The code is stored; the label is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum AuditAction {
    PersonRead,
    PersonSearch,
    PersonUpdate,
    PersonCreate,
    ImportRun,
    ExportRun,
    IdentityReveal,
    Login,
    LoginRefused,
    Logout,
    UserCreate,
    UserPasswd,
    UserDisable,
    TokenCreate,
    TokenRevoke,
    DuplicateReview,
    PolicyRun,
    PayoutDecide,
    JobChange,
    PushRun,
    PushOutcome,
    ServiceContact,
    TrainingChange,
    ShortageRun,
    BrokerChange,
    BrokerClaim,
    SupportChange,
    DifficultyRecognition,
    StartupChange,
    WageChange,
    WageRun,
    WageWarning,
    WageComplaint,
    WageBlacklist,
    RiskChange,
    BrandChange,
}

impl AuditAction {
    pub const ALL: [AuditAction; 36] = [
        AuditAction::PersonRead,
        AuditAction::PersonSearch,
        AuditAction::PersonUpdate,
        AuditAction::PersonCreate,
        AuditAction::ImportRun,
        AuditAction::ExportRun,
        AuditAction::IdentityReveal,
        AuditAction::Login,
        AuditAction::LoginRefused,
        AuditAction::Logout,
        AuditAction::UserCreate,
        AuditAction::UserPasswd,
        AuditAction::UserDisable,
        AuditAction::TokenCreate,
        AuditAction::TokenRevoke,
        AuditAction::DuplicateReview,
        AuditAction::PolicyRun,
        AuditAction::PayoutDecide,
        AuditAction::JobChange,
        AuditAction::PushRun,
        AuditAction::PushOutcome,
        AuditAction::ServiceContact,
        AuditAction::TrainingChange,
        AuditAction::ShortageRun,
        AuditAction::BrokerChange,
        AuditAction::BrokerClaim,
        AuditAction::SupportChange,
        AuditAction::DifficultyRecognition,
        AuditAction::StartupChange,
        AuditAction::WageChange,
        AuditAction::WageRun,
        AuditAction::WageWarning,
        AuditAction::WageComplaint,
        AuditAction::WageBlacklist,
        AuditAction::RiskChange,
        AuditAction::BrandChange,
    ];

    /// The stable code stored in the log (never changes once used).
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::PersonRead => "person.read",
            AuditAction::PersonSearch => "person.search",
            AuditAction::PersonUpdate => "person.update",
            AuditAction::PersonCreate => "person.create",
            AuditAction::ImportRun => "import.run",
            AuditAction::ExportRun => "export.run",
            AuditAction::IdentityReveal => "identity.reveal",
            AuditAction::Login => "login",
            AuditAction::LoginRefused => "login.refused",
            AuditAction::Logout => "logout",
            AuditAction::UserCreate => "user.create",
            AuditAction::UserPasswd => "user.passwd",
            AuditAction::UserDisable => "user.disable",
            AuditAction::TokenCreate => "token.create",
            AuditAction::TokenRevoke => "token.revoke",
            AuditAction::DuplicateReview => "duplicate.review",
            AuditAction::PolicyRun => "policy.run",
            AuditAction::PayoutDecide => "payout.decide",
            AuditAction::JobChange => "job.change",
            AuditAction::PushRun => "push.run",
            AuditAction::PushOutcome => "push.outcome",
            AuditAction::ServiceContact => "service.contact",
            AuditAction::TrainingChange => "training.change",
            AuditAction::ShortageRun => "training.shortage",
            AuditAction::BrokerChange => "broker.change",
            AuditAction::BrokerClaim => "broker.claim",
            AuditAction::SupportChange => "support.change",
            AuditAction::DifficultyRecognition => "difficulty.recognition",
            AuditAction::StartupChange => "startup.change",
            AuditAction::WageChange => "wage.change",
            AuditAction::WageRun => "wage.run",
            AuditAction::WageWarning => "wage.warning",
            AuditAction::WageComplaint => "wage.complaint",
            AuditAction::WageBlacklist => "wage.blacklist",
            AuditAction::RiskChange => "monitoring.risk",
            AuditAction::BrandChange => "brand.change",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AuditAction::PersonRead => "查看人员信息",
            AuditAction::PersonSearch => "查询人员",
            AuditAction::PersonUpdate => "修改人员信息",
            AuditAction::PersonCreate => "新增人员",
            AuditAction::ImportRun => "批量导入",
            AuditAction::ExportRun => "批量导出",
            AuditAction::IdentityReveal => "查看完整证件号码",
            AuditAction::Login => "登录",
            AuditAction::LoginRefused => "登录被拒绝",
            AuditAction::Logout => "退出登录",
            AuditAction::UserCreate => "新建账号",
            AuditAction::UserPasswd => "重设密码",
            AuditAction::UserDisable => "停用账号",
            AuditAction::TokenCreate => "创建接口令牌",
            AuditAction::TokenRevoke => "吊销接口令牌",
            AuditAction::DuplicateReview => "核实疑似重复",
            AuditAction::PolicyRun => "免申即享批量评估",
            AuditAction::PayoutDecide => "审核拟发放",
            AuditAction::JobChange => "岗位发布与变更",
            AuditAction::PushRun => "岗位推送",
            AuditAction::PushOutcome => "推送结果登记",
            AuditAction::ServiceContact => "跟踪联系",
            AuditAction::TrainingChange => "培训登记",
            AuditAction::ShortageRun => "紧缺职业目录更新",
            AuditAction::BrokerChange => "劳务经纪人登记",
            AuditAction::BrokerClaim => "经纪人服务补助",
            AuditAction::SupportChange => "帮扶车间与公益性岗位",
            AuditAction::DifficultyRecognition => "就业困难人员认定与援助",
            AuditAction::StartupChange => "返乡创业登记",
            AuditAction::WageChange => "工程项目与工资记录",
            AuditAction::WageRun => "欠薪预警日批",
            AuditAction::WageWarning => "欠薪预警处置",
            AuditAction::WageComplaint => "欠薪投诉",
            AuditAction::WageBlacklist => "失信名单",
            AuditAction::RiskChange => "失业风险预警",
            AuditAction::BrandChange => "劳务品牌登记",
        }
    }

    /// By code or by label.
    pub fn parse(text: &str) -> Option<AuditAction> {
        let t = text.trim();
        Self::ALL.into_iter().find(|a| a.code() == t || a.label() == t)
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// An identity number as the log keeps it: the first 6 and last 4 characters, the
/// rest as `*` (`500116********123X`). Shorter text is masked whole.
pub fn mask_id_number(text: &str) -> String {
    let chars: Vec<char> = text.trim().chars().collect();
    if chars.len() < 15 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    chars[..6].iter().chain(std::iter::repeat_n(&'*', n - 10)).chain(chars[n - 4..].iter()).collect()
}

/// A phone number as the log keeps it (`138****5678`): normalised and masked when it
/// parses; otherwise every digit but the last 4 hidden (text without digits, such as
/// `（已登记）`, stays as it is).
pub fn mask_phone(text: &str) -> String {
    if let Ok(p) = crate::registry::Phone::parse(text) {
        return p.masked();
    }
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let mut seen = 0;
    text.trim()
        .chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            seen += 1;
            if seen + 4 > digits {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// A value of field `field` as the log keeps it: identity numbers and phones masked,
/// anything else as is.
pub fn mask_field(field: &str, value: &str) -> String {
    match field {
        "id_number" => mask_id_number(value),
        "phone" => mask_phone(value),
        _ => value.to_string(),
    }
}

/// Text typed into a search box, as the log keeps it: a phone or an identity number
/// (told apart by their digits, as the search does) is masked; a name is kept.
pub fn mask_search_text(text: &str) -> String {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    if (10..=13).contains(&digits) {
        mask_phone(text)
    } else if digits >= 15 {
        mask_id_number(text)
    } else {
        text.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_codes_and_labels_round_trip_and_are_unique() {
        let mut codes = std::collections::HashSet::new();
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.code()), Some(a));
            assert_eq!(AuditAction::parse(a.label()), Some(a));
            assert!(codes.insert(a.code()));
        }
        assert_eq!(AuditAction::parse("person.delete"), None);
    }

    #[test]
    fn identity_numbers_and_phones_are_masked() {
        assert_eq!(mask_id_number("50011619800304123X"), "500116********123X");
        assert_eq!(mask_id_number("123"), "***");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("138-1234-5678"), "138****5678");
        assert_eq!(mask_phone("12345"), "*2345");
        assert_eq!(mask_phone("99999999"), "****9999");
        assert_eq!(mask_phone("（已登记）"), "（已登记）");
        assert_eq!(mask_phone("tel 1234-5678"), "tel ****-5678");
        assert_eq!(mask_field("phone", "13812345678"), "138****5678");
        assert_eq!(mask_field("name", "张三"), "张三");
        assert_eq!(mask_search_text("13812345678"), "138****5678");
        assert_eq!(mask_search_text("50011619800304123X"), "500116********123X");
        assert_eq!(mask_search_text(" 张 "), "张");
    }
}
