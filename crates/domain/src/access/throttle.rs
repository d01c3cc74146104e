//! Login throttling (SPEC §9), as pure arithmetic over a failure record: failed
//! logins are counted per account and per address in a fixed window; reaching the
//! limit locks the key for a while, and a locked key is refused without looking at
//! the password. The store keeps the records so that every server sees them.

use chrono::{DateTime, Duration, Utc};

/// How many failures within how long lock a key, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max_failures: u32,
    pub window: Duration,
    pub lock: Duration,
}

/// Per account: 5 failures within 15 minutes lock it for 15 minutes.
pub const ACCOUNT: Limit = Limit { max_failures: 5, window: Duration::minutes(15), lock: Duration::minutes(15) };

/// Per address: 20 failures within 15 minutes lock it for 15 minutes (an office
/// behind one address has many users; one guesser tries many names).
pub const ADDRESS: Limit = Limit { max_failures: 20, window: Duration::minutes(15), lock: Duration::minutes(15) };

/// The failures recorded for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub window_started_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

/// Until when the key is locked at `now`, if it is.
pub fn locked_until(record: Option<&Failures>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    record.and_then(|r| r.locked_until).filter(|until| *until > now)
}

/// The record after one more failure at `now`: a new window when the old one has
/// passed, and a lock when the count reaches the limit.
pub fn after_failure(record: Option<&Failures>, limit: Limit, now: DateTime<Utc>) -> Failures {
    let (count, started) = match record {
        Some(r) if now - r.window_started_at < limit.window => (r.count.saturating_add(1), r.window_started_at),
        _ => (1, now),
    };
    let still_locked = locked_until(record, now);
    let locked_until = if count >= limit.max_failures { Some(now + limit.lock) } else { still_locked };
    Failures { count, window_started_at: started, locked_until }
}

/// Account and address keys of the failure records.
pub fn account_key(username: &str) -> String {
    format!("user:{}", username.trim().to_lowercase())
}

pub fn address_key(address: &str) -> String {
    format!("addr:{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default() + Duration::minutes(min)
    }

    #[test]
    fn the_fifth_failure_within_the_window_locks_the_account_for_fifteen_minutes() {
        let mut r: Option<Failures> = None;
        for i in 0..4 {
            r = Some(after_failure(r.as_ref(), ACCOUNT, t(i)));
            assert_eq!(locked_until(r.as_ref(), t(i)), None, "after {} failures", i + 1);
        }
        r = Some(after_failure(r.as_ref(), ACCOUNT, t(4)));
        assert_eq!(locked_until(r.as_ref(), t(4)), Some(t(19)));
        assert_eq!(locked_until(r.as_ref(), t(18)), Some(t(19)));
        assert_eq!(locked_until(r.as_ref(), t(19)), None, "the lock ends");
    }

    #[test]
    fn failures_spread_wider_than_the_window_never_lock() {
        let mut r: Option<Failures> = None;
        for i in 0..20 {
            r = Some(after_failure(r.as_ref(), ACCOUNT, t(i * 4)));
            assert_eq!(locked_until(r.as_ref(), t(i * 4)), None, "failure {i}");
        }
        assert!(r.is_some_and(|r| r.count < ACCOUNT.max_failures));
    }

    #[test]
    fn the_address_limit_is_higher_than_the_account_limit() {
        let mut r: Option<Failures> = None;
        for i in 0..19 {
            r = Some(after_failure(r.as_ref(), ADDRESS, t(0) + Duration::seconds(i)));
        }
        assert_eq!(locked_until(r.as_ref(), t(1)), None);
        r = Some(after_failure(r.as_ref(), ADDRESS, t(1)));
        assert_eq!(locked_until(r.as_ref(), t(1)), Some(t(16)));
    }

    #[test]
    fn keys_ignore_case_and_spaces_of_the_name() {
        assert_eq!(account_key(" WanZhou "), account_key("wanzhou"));
        assert_ne!(account_key("a"), address_key("a"));
    }
}
