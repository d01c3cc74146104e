//! Protection of identity numbers and phones at rest (SPEC §9): AES-256-GCM
//! ciphertext with a random nonce, plus HMAC-SHA256 keyed hashes for exact look-up and
//! uniqueness, and a keyed digest of whole records. All keys derive from one master
//! key kept in a file outside the database.

use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use jiujin_domain::identity::IdNumber;
use jiujin_domain::registry::{PersonState, Phone};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("密钥文件 {path} 不存在：请先运行 jiujin demo，或用 jiujin key init 创建，或通过 JIUJIN_KEY_FILE 指定")]
    Missing { path: String },
    #[error("无法读取或写入密钥文件 {path}：{reason}")]
    Io { path: String, reason: String },
    #[error("密钥文件 {path} 格式不正确：应为一行64位十六进制字符")]
    Format { path: String },
    #[error("密文无法解密（密钥不符或数据被篡改）")]
    Decrypt,
}

/// The derived keys.
#[derive(Clone)]
pub struct Keys {
    id_mac: HmacSha256,
    phone_mac: HmacSha256,
    digest_mac: HmacSha256,
    aead: Aes256Gcm,
    check: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("check", &self.check).finish_non_exhaustive()
    }
}

const AAD_ID: &[u8] = b"jiujin/id-number";
const AAD_PHONE: &[u8] = b"jiujin/phone";

fn mac(key: &[u8; 32]) -> HmacSha256 {
    match <HmacSha256 as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

fn derive(master: &[u8; 32], label: &str) -> [u8; 32] {
    let mut m = mac(master);
    m.update(label.as_bytes());
    m.finalize().into_bytes().into()
}

fn short(m: HmacSha256) -> [u8; 16] {
    let full = m.finalize().into_bytes();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

impl Keys {
    /// Derives the working keys from a 32-byte master key.
    pub fn from_master(master: &[u8; 32]) -> Keys {
        let aead_key = derive(master, "jiujin/v1/aead");
        let check = hex::encode(&derive(master, "jiujin/v1/check")[..8]);
        Keys {
            id_mac: mac(&derive(master, "jiujin/v1/id-hmac")),
            phone_mac: mac(&derive(master, "jiujin/v1/phone-hmac")),
            digest_mac: mac(&derive(master, "jiujin/v1/record-digest")),
            aead: Aes256Gcm::new(&aead_key.into()),
            check,
        }
    }

    /// Reads the master key from `path`; with `create`, writes a new random key
    /// there first if the file does not exist (mode 0600).
    pub fn load(path: &Path, create: bool) -> Result<Keys, KeyError> {
        let shown = path.display().to_string();
        if !path.exists() {
            if !create {
                return Err(KeyError::Missing { path: shown });
            }
            let mut master = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut master);
            write_key_file(path, &master).map_err(|e| KeyError::Io { path: shown.clone(), reason: e.to_string() })?;
        }
        let text =
            std::fs::read_to_string(path).map_err(|e| KeyError::Io { path: shown.clone(), reason: e.to_string() })?;
        let bytes = hex::decode(text.trim()).map_err(|_| KeyError::Format { path: shown.clone() })?;
        let master: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Format { path: shown })?;
        Ok(Keys::from_master(&master))
    }

    /// A short value derived from the key, recorded in the database to detect a
    /// wrong key file before anything is written with it.
    pub fn check_value(&self) -> &str {
        &self.check
    }

    pub fn id_hmac(&self, id: &IdNumber) -> [u8; 16] {
        let mut m = self.id_mac.clone();
        m.update(id.as_str().as_bytes());
        short(m)
    }

    pub fn phone_hmac(&self, phone: &Phone) -> [u8; 16] {
        let mut m = self.phone_mac.clone();
        m.update(phone.as_str().as_bytes());
        short(m)
    }

    /// Keyed digest of a whole record (identity hash + every clear field), so equal
    /// digests mean an unchanged row without revealing anything guessable.
    pub fn record_digest(&self, id_hmac: &[u8; 16], state: &PersonState, scratch: &mut Vec<u8>) -> [u8; 16] {
        scratch.clear();
        state.canonical_bytes(scratch);
        let mut m = self.digest_mac.clone();
        m.update(id_hmac);
        m.update(scratch);
        short(m)
    }

    fn seal(&self, plain: &[u8], aad: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let mut out = Vec::with_capacity(12 + plain.len() + 16);
        out.extend_from_slice(&nonce);
        // Encryption with a valid key and a 12-byte nonce does not fail.
        if let Ok(ct) = self.aead.encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad }) {
            out.extend_from_slice(&ct);
        }
        out
    }

    fn open(&self, blob: &[u8], aad: &[u8]) -> Result<Vec<u8>, KeyError> {
        if blob.len() < 12 + 16 {
            return Err(KeyError::Decrypt);
        }
        let (nonce, ct) = blob.split_at(12);
        self.aead.decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad }).map_err(|_| KeyError::Decrypt)
    }

    pub fn encrypt_id(&self, id: &IdNumber) -> Vec<u8> {
        self.seal(id.as_str().as_bytes(), AAD_ID)
    }

    pub fn encrypt_phone(&self, phone: &Phone) -> Vec<u8> {
        self.seal(phone.as_str().as_bytes(), AAD_PHONE)
    }

    /// The identity number in clear (for export and privileged display).
    pub fn decrypt_id(&self, blob: &[u8]) -> Result<String, KeyError> {
        String::from_utf8(self.open(blob, AAD_ID)?).map_err(|_| KeyError::Decrypt)
    }

    pub fn decrypt_phone(&self, blob: &[u8]) -> Result<String, KeyError> {
        String::from_utf8(self.open(blob, AAD_PHONE)?).map_err(|_| KeyError::Decrypt)
    }
}

fn write_key_file(path: &Path, master: &[u8; 32]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    writeln!(f, "{}", hex::encode(master))?;
    f.sync_all()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn id() -> IdNumber {
        IdNumber::from_parts("500101", NaiveDate::from_ymd_opt(1980, 1, 1).unwrap(), 123).unwrap()
    }

    #[test]
    fn ciphertext_round_trips_and_never_repeats() {
        let k = Keys::from_master(&[7u8; 32]);
        let a = k.encrypt_id(&id());
        let b = k.encrypt_id(&id());
        assert_ne!(a, b, "random nonces");
        assert_eq!(k.decrypt_id(&a).unwrap(), id().as_str());
        assert!(!a.windows(6).any(|w| w == b"500101"), "no clear text in the blob");
    }

    #[test]
    fn a_phone_ciphertext_cannot_be_read_as_an_identity_number() {
        let k = Keys::from_master(&[7u8; 32]);
        let p = Phone::parse("13812345678").unwrap();
        assert!(k.decrypt_id(&k.encrypt_phone(&p)).is_err());
    }

    #[test]
    fn another_key_gives_other_hashes_and_cannot_decrypt() {
        let k1 = Keys::from_master(&[1u8; 32]);
        let k2 = Keys::from_master(&[2u8; 32]);
        assert_eq!(k1.id_hmac(&id()), k1.id_hmac(&id()));
        assert_ne!(k1.id_hmac(&id()), k2.id_hmac(&id()));
        assert_ne!(k1.check_value(), k2.check_value());
        assert!(k2.decrypt_id(&k1.encrypt_id(&id())).is_err());
    }

    #[test]
    fn key_files_are_created_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/jiujin.key");
        assert!(matches!(Keys::load(&p, false), Err(KeyError::Missing { .. })));
        let a = Keys::load(&p, true).unwrap();
        let b = Keys::load(&p, false).unwrap();
        assert_eq!(a.check_value(), b.check_value());
        std::fs::write(&p, "zz").unwrap();
        assert!(matches!(Keys::load(&p, false), Err(KeyError::Format { .. })));
    }
}
