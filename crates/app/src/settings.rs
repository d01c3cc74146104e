//! The one typed `Settings`: defaults, then an optional TOML file, then `JIUJIN_*`
//! environment variables, then command-line flags (applied by the CLI). Nothing else
//! in the program reads the environment.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Runtime settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `sqlite://PATH` or `postgres://…`.
    pub db: String,
    /// File holding the master key (hex). Defaults to `jiujin.key` beside an SQLite
    /// database, or in the working directory for PostgreSQL.
    pub key_file: Option<PathBuf>,
    pub listen: SocketAddr,
    /// Rows per import transaction.
    pub import_batch: usize,
    /// The operating-system user running the program (`USER`, `LOGNAME` or
    /// `USERNAME`), named in the audit log as `命令行:<user>` for command-line changes.
    pub os_user: Option<String>,
    /// Load balancers and reverse proxies in front of the servers: for requests from
    /// them the client's address is read from `X-Forwarded-For` (for the audit log and
    /// login throttling). Empty: the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Months of continuous insured employment after a hire that make it stable work
    /// for a 劳务经纪人 service-subsidy claim (seed 003 ch2.1 帮助……稳定就业; 6 unless
    /// the district sets another).
    pub broker_min_insured_months: u32,
}

/// The settings file's shape; every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    db: Option<String>,
    key_file: Option<PathBuf>,
    listen: Option<String>,
    import_batch: Option<usize>,
    trusted_proxies: Option<Vec<String>>,
    broker_min_insured_months: Option<u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("无法读取配置文件 {path}：{reason}")]
    File { path: String, reason: String },
    #[error("配置项 {name} 的值“{value}”无效：{reason}")]
    Value { name: &'static str, value: String, reason: String },
}

pub const DEFAULT_DB: &str = "sqlite://jiujin-data/jiujin.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl Default for Settings {
    fn default() -> Self {
        Settings {
            db: DEFAULT_DB.to_string(),
            key_file: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            import_batch: 50_000,
            os_user: None,
            trusted_proxies: Vec::new(),
            broker_min_insured_months: jiujin_domain::brokers::DEFAULT_MIN_INSURED_MONTHS,
        }
    }
}

fn listen(value: &str, name: &'static str) -> Result<SocketAddr, SettingsError> {
    value.parse().map_err(|e: std::net::AddrParseError| SettingsError::Value {
        name,
        value: value.to_string(),
        reason: e.to_string(),
    })
}

/// A number of months from 1 to 60.
fn months(value: &str, name: &'static str) -> Result<u32, SettingsError> {
    match value.trim().parse::<u32>() {
        Ok(n) if (1..=60).contains(&n) => Ok(n),
        _ => Err(SettingsError::Value { name, value: value.to_string(), reason: "应为1至60的月数".into() }),
    }
}

fn addresses<S: AsRef<str>>(values: &[S], name: &'static str) -> Result<Vec<std::net::IpAddr>, SettingsError> {
    values
        .iter()
        .map(|v| v.as_ref().trim())
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse().map_err(|e: std::net::AddrParseError| SettingsError::Value {
                name,
                value: v.to_string(),
                reason: e.to_string(),
            })
        })
        .collect()
}

impl Settings {
    /// Defaults, overlaid by `file` (if given, or `jiujin.toml` if present), overlaid
    /// by the environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, SettingsError> {
        Self::load_from(file, |k| std::env::var(k).ok())
    }

    /// Same as `load` with an explicit environment (for tests).
    pub fn load_from(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let mut s = Settings::default();
        let file = file.map(Path::to_path_buf).or_else(|| {
            env("JIUJIN_CONFIG").map(PathBuf::from).or_else(|| {
                let p = PathBuf::from("jiujin.toml");
                p.exists().then_some(p)
            })
        });
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| SettingsError::File { path: path.display().to_string(), reason: e.to_string() })?;
            let f: FileSettings = toml::from_str(&text)
                .map_err(|e| SettingsError::File { path: path.display().to_string(), reason: e.to_string() })?;
            if let Some(v) = f.db {
                s.db = v;
            }
            if let Some(v) = f.key_file {
                s.key_file = Some(v);
            }
            if let Some(v) = f.listen {
                s.listen = listen(&v, "listen")?;
            }
            if let Some(v) = f.import_batch {
                s.import_batch = v;
            }
            if let Some(v) = f.trusted_proxies {
                s.trusted_proxies = addresses(&v, "trusted_proxies")?;
            }
            if let Some(v) = f.broker_min_insured_months {
                s.broker_min_insured_months = months(&v.to_string(), "broker_min_insured_months")?;
            }
        }
        if let Some(v) = env("JIUJIN_DB") {
            s.db = v;
        }
        if let Some(v) = env("JIUJIN_KEY_FILE") {
            s.key_file = Some(PathBuf::from(v));
        }
        if let Some(v) = env("JIUJIN_BROKER_MIN_INSURED_MONTHS") {
            s.broker_min_insured_months = months(&v, "JIUJIN_BROKER_MIN_INSURED_MONTHS")?;
        }
        if let Some(v) = env("JIUJIN_LISTEN") {
            s.listen = listen(&v, "JIUJIN_LISTEN")?;
        }
        if let Some(v) = env("JIUJIN_IMPORT_BATCH") {
            s.import_batch = v.parse().map_err(|_| SettingsError::Value {
                name: "JIUJIN_IMPORT_BATCH",
                value: v.clone(),
                reason: "应为正整数".into(),
            })?;
        }
        if let Some(v) = env("JIUJIN_TRUSTED_PROXIES") {
            s.trusted_proxies = addresses(&v.split(',').collect::<Vec<_>>(), "JIUJIN_TRUSTED_PROXIES")?;
        }
        s.os_user = env("USER").or_else(|| env("LOGNAME")).or_else(|| env("USERNAME")).filter(|u| !u.is_empty());
        if s.import_batch == 0 {
            s.import_batch = 1;
        }
        Ok(s)
    }

    /// Who a command-line run acts as, for the audit log.
    pub fn command_line_context(&self) -> jiujin_store::audit::Context {
        let actor = jiujin_store::audit::Actor::command_line(self.os_user.as_deref());
        jiujin_store::audit::Context::local(actor)
    }

    /// The key file to use for this database.
    pub fn key_path(&self) -> PathBuf {
        if let Some(p) = &self.key_file {
            return p.clone();
        }
        match jiujin_store::DbUrl::parse(&self.db) {
            Ok(jiujin_store::DbUrl::Sqlite(p)) => {
                p.parent().map(|d| d.join("jiujin.key")).unwrap_or_else(|| PathBuf::from("jiujin.key"))
            }
            _ => PathBuf::from("jiujin.key"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_the_file_which_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("j.toml");
        std::fs::write(&f, "db = \"sqlite://from-file.db\"\nlisten = \"0.0.0.0:9000\"\n").unwrap();
        let s = Settings::load_from(Some(&f), |k| (k == "JIUJIN_DB").then(|| "postgres://x@h/db".to_string())).unwrap();
        assert_eq!(s.db, "postgres://x@h/db");
        assert_eq!(s.listen.port(), 9000);
        assert_eq!(s.key_path(), PathBuf::from("jiujin.key"));
        let d = Settings::load_from(None, |_| None).unwrap();
        assert_eq!(d.key_path(), PathBuf::from("jiujin-data/jiujin.key"));
        assert_eq!(d.command_line_context().actor.username, "命令行:未知用户");
        let u = Settings::load_from(None, |k| (k == "USER").then(|| "ops".to_string())).unwrap();
        assert_eq!(u.command_line_context().actor.username, "命令行:ops");
    }

    #[test]
    fn unknown_settings_keys_and_bad_addresses_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("j.toml");
        std::fs::write(&f, "dbb = 1\n").unwrap();
        assert!(Settings::load_from(Some(&f), |_| None).is_err());
        assert!(Settings::load_from(None, |k| (k == "JIUJIN_LISTEN").then(|| "nope".into())).is_err());
        assert!(Settings::load_from(None, |k| (k == "JIUJIN_TRUSTED_PROXIES").then(|| "10.0.0.x".into())).is_err());
    }

    #[test]
    fn trusted_proxies_come_from_the_file_or_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("j.toml");
        std::fs::write(&f, "trusted_proxies = [\"10.0.0.1\", \"::1\"]\n").unwrap();
        let s = Settings::load_from(Some(&f), |_| None).unwrap();
        assert_eq!(s.trusted_proxies.len(), 2);
        let e = Settings::load_from(None, |k| (k == "JIUJIN_TRUSTED_PROXIES").then(|| "10.0.0.1, 10.0.0.2".into()));
        assert_eq!(e.unwrap().trusted_proxies.len(), 2);
        assert!(Settings::load_from(None, |_| None).unwrap().trusted_proxies.is_empty());
    }
}
