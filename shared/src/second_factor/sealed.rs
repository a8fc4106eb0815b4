//! Secrets that must be read back (a TOTP secret: the server computes codes from it, so it
//! cannot be stored as a hash) are stored sealed with AES-256-GCM under a key derived from the
//! deployment secret, which the database never sees. A copy of the table alone opens nothing,
//! and an altered value fails its tag instead of producing a wrong secret.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The stored form's version: a new derivation or cipher gets a new prefix, so old values stay
/// recognisable.
const VERSION: &str = "v1.";
const NONCE_BYTES: usize = 12;

/// The key that seals TOTP secrets. Not `Debug`, so it cannot reach a log line.
pub struct SealingKey(Aes256Gcm);

/// A stored value that does not open: altered, sealed for another owner or under another
/// deployment secret, or not a sealed value at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the sealed value does not open with this key for this owner")]
pub struct Unsealable;

impl SealingKey {
    /// HMAC-SHA-256 of a fixed label under the deployment secret (KENNIN_SECRET): a key of its
    /// own, which no other use of that secret (code hashes, throttle labels) ever produces.
    /// Changing the deployment secret makes every sealed TOTP secret unreadable: the staff then
    /// enrol again.
    pub fn for_totp_secrets(app_secret: &[u8]) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(app_secret).expect("hmac takes any key length");
        mac.update(b"kennin totp secret v1");
        let key: [u8; 32] = mac.finalize().into_bytes().into();
        Self(Aes256Gcm::new(&Key::<Aes256Gcm>::from(key)))
    }

    /// `v1.` and the hex of a random 96-bit nonce followed by the ciphertext and its tag.
    /// `owner` is authenticated with it (GCM's associated data) but not stored. A random nonce
    /// is safe here: a key seals one secret per enrolment, far below GCM's 2^32 messages.
    pub(super) fn seal(&self, plaintext: &[u8], owner: &str) -> String {
        let nonce: [u8; NONCE_BYTES] = rand::random();
        let payload = Payload {
            msg: plaintext,
            aad: owner.as_bytes(),
        };
        let sealed = self
            .0
            .encrypt(&Nonce::from(nonce), payload)
            .expect("AES-GCM seals any message shorter than 64 GiB");
        format!("{VERSION}{}{}", hex::encode(nonce), hex::encode(sealed))
    }

    pub(super) fn open(&self, stored: &str, owner: &str) -> Result<Vec<u8>, Unsealable> {
        let bytes = stored
            .strip_prefix(VERSION)
            .and_then(|text| hex::decode(text).ok())
            .ok_or(Unsealable)?;
        let (nonce, sealed) = bytes.split_first_chunk::<NONCE_BYTES>().ok_or(Unsealable)?;
        let payload = Payload {
            msg: sealed,
            aad: owner.as_bytes(),
        };
        self.0.decrypt(&Nonce::from(*nonce), payload).map_err(|_| Unsealable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP_SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn sealed_values_open_and_differ_each_time() {
        let key = SealingKey::for_totp_secrets(APP_SECRET);
        let (a, b) = (
            key.seal(b"twenty bytes secret!", "staff-1"),
            key.seal(b"twenty bytes secret!", "staff-1"),
        );
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(a.starts_with("v1."));
        assert_eq!(a.len(), 3 + 2 * (12 + 20 + 16));
        assert!(!a.contains(&hex::encode(b"twenty bytes secret!")));
        assert_eq!(key.open(&a, "staff-1").unwrap(), b"twenty bytes secret!");
        assert_eq!(key.open(&b, "staff-1").unwrap(), b"twenty bytes secret!");
    }

    #[test]
    fn every_altered_byte_fails_the_tag() {
        let key = SealingKey::for_totp_secrets(APP_SECRET);
        let sealed = key.seal(b"twenty bytes secret!", "staff-1");
        for position in VERSION.len()..sealed.len() {
            let mut altered = sealed.clone().into_bytes();
            altered[position] = if altered[position] == b'0' { b'1' } else { b'0' };
            let altered = String::from_utf8(altered).unwrap();
            assert_eq!(key.open(&altered, "staff-1"), Err(Unsealable), "hex digit {position}");
        }
    }

    #[test]
    fn another_owner_or_another_deployment_secret_does_not_open_it() {
        let key = SealingKey::for_totp_secrets(APP_SECRET);
        let sealed = key.seal(b"twenty bytes secret!", "staff-1");
        assert_eq!(key.open(&sealed, "staff-2"), Err(Unsealable));
        let other = SealingKey::for_totp_secrets(b"fedcba9876543210fedcba9876543210");
        assert_eq!(other.open(&sealed, "staff-1"), Err(Unsealable));
    }

    #[test]
    fn malformed_values_are_errors_not_panics() {
        let key = SealingKey::for_totp_secrets(APP_SECRET);
        let sealed = key.seal(b"twenty bytes secret!", "staff-1");
        let cases = [
            String::new(),
            "v1.".into(),
            "v1.zz".into(),
            "v1.abc".into(),
            "v1.00112233445566778899aabb".into(),
            format!("v2.{}", &sealed[3..]),
            sealed[3..].to_string(),
            sealed[..sealed.len() - 2].to_string(),
            format!("{sealed}00"),
            format!("{}ー", &sealed[..sealed.len() - 1]),
        ];
        for stored in cases {
            assert_eq!(key.open(&stored, "staff-1"), Err(Unsealable), "{stored:?}");
        }
    }
}
