//! Everything secret is stored as a one-way function of itself: passwords with argon2id,
//! verification codes with an HMAC keyed by a secret the database never sees (a 6-digit code
//! would otherwise fall to a brute force of a leaked table in a second), and session and flow
//! tokens with SHA-256 (they carry 256 bits of entropy, so no key or salt is needed).

use argon2::password_hash::rand_core::{OsRng, RngCore as _};
use argon2::password_hash::{Output, PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// A new random token for a cookie: 256 bits, hex.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A short, non-reversible label for a value that must be counted (throttles) but not stored.
pub fn fingerprint(secret: &[u8], value: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("hmac takes any key length");
    mac.update(b"fingerprint\0");
    mac.update(value.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// A label for a personal value in a log line (the user ID a login tried), so that an operator
/// can tell which lines concern the same value without the log holding it. Keyed with the
/// deployment secret, so nobody with only the logs can test guesses against it, and in its own
/// domain, so it never equals a throttle fingerprint in the table. 64 bits: enough to tell
/// values apart, no more.
pub fn log_fingerprint(secret: &[u8], value: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("hmac takes any key length");
    mac.update(b"log\0");
    mac.update(value.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..8])
}

/// The stored form of a verification code, bound to the flow and purpose it was issued for.
pub fn code_hash(secret: &[u8], purpose: &str, flow: &str, code: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("hmac takes any key length");
    for part in [purpose, flow, code] {
        mac.update(part.as_bytes());
        mac.update(b"\0");
    }
    hex::encode(mac.finalize().into_bytes())
}

pub fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// argon2id with the configured cost. Hashes run on rayon's pool, one thread per core, started
/// on the first hash: each takes tens of milliseconds of CPU and would otherwise stall every
/// other request on the runtime. Queued hashes run in arrival order. A fixed set of threads is
/// also what keeps memory bounded: on tokio's blocking pool, where any of dozens of threads could
/// take a hash, every thread's malloc arena kept its own freed `memory_kib` blocks, and a burst
/// of logins on kennin-local left it resident at over 3 GiB.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    /// Verified against when the user ID does not exist, so that a wrong ID costs the same time
    /// as a wrong password.
    dummy: Arc<String>,
}

impl PasswordHasher {
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<Self, String> {
        let params = Params::new(memory_kib, iterations, parallelism, None).map_err(|e| e.to_string())?;
        let dummy = unmatchable_hash(&params)?;
        Ok(Self {
            params,
            dummy: Arc::new(dummy),
        })
    }

    pub async fn hash(&self, password: &str) -> Result<String, String> {
        let (params, password) = (self.params.clone(), password.to_string());
        on_hashing_pool(move || hash_with(&params, &password)).await?
    }

    /// `None` verifies against the dummy hash and always answers false.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> bool {
        let real = stored.is_some();
        let stored = stored.map(str::to_string).unwrap_or_else(|| self.dummy.to_string());
        let password = password.to_string();
        let matched = on_hashing_pool(move || {
            PasswordHash::new(&stored)
                .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
                .unwrap_or(false)
        })
        .await;
        real && matched.unwrap_or(false)
    }
}

/// Runs `work` on the hashing pool. A hash whose request was dropped (the client went away)
/// still runs to its end and keeps its thread until then.
async fn on_hashing_pool<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let (done, result) = tokio::sync::oneshot::channel();
    rayon::spawn(move || {
        let _ = done.send(work());
    });
    result
        .await
        .map_err(|_| "the hashing pool dropped the hash".to_string())
}

/// A hash of no password, in the configured cost: a random salt and a random output. Verifying
/// against it costs exactly what verifying against a real hash costs (the cost is part of the
/// string), and making it costs nothing, where hashing a dummy password took most of every
/// function's cold start.
fn unmatchable_hash(params: &Params) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
    OsRng.fill_bytes(&mut output);
    let output = Output::new(&output).map_err(|e| e.to_string())?;
    Ok(format!(
        "$argon2id$v=19$m={},t={},p={}${}${output}",
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        salt.as_str()
    ))
}

fn hash_with(params: &Params, password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_dummy_never_matches() {
        let hasher = PasswordHasher::new(64, 1, 1).unwrap();
        let hash = hasher.hash("Sakura#2024go").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert!(hasher.verify("Sakura#2024go", Some(&hash)).await);
        assert!(!hasher.verify("Sakura#2024gO", Some(&hash)).await);
        assert!(!hasher.verify("kennin-dummy-password-for-timing", None).await);
    }

    #[tokio::test]
    async fn the_dummy_costs_what_a_real_hash_costs() {
        let hasher = PasswordHasher::new(64, 2, 1).unwrap();
        let real = hasher.hash("Sakura#2024go").await.unwrap();
        let (real, dummy) = (
            PasswordHash::new(&real).unwrap(),
            PasswordHash::new(&hasher.dummy).unwrap(),
        );
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params);
        assert_eq!(dummy.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
        assert_ne!(dummy.salt, real.salt);
    }

    #[tokio::test]
    async fn hashes_queue_on_the_pool_and_each_answers_its_own_request() {
        let hasher = PasswordHasher::new(64, 1, 1).unwrap();
        let mut requests = tokio::task::JoinSet::new();
        for i in 0..4 * rayon::current_num_threads() {
            let hasher = hasher.clone();
            requests.spawn(async move {
                let password = format!("Sakura#{i}go");
                let hash = hasher.hash(&password).await.unwrap();
                (password, hash)
            });
        }
        while let Some(answer) = requests.join_next().await {
            let (password, hash) = answer.unwrap();
            assert!(hasher.verify(&password, Some(&hash)).await);
            assert!(!hasher.verify("Sakura#go", Some(&hash)).await);
        }
    }

    #[tokio::test]
    async fn a_dropped_request_does_not_lose_the_next_hash() {
        let slow = PasswordHasher::new(64 * 1024, 4, 1).unwrap();
        let abandoned = tokio::time::timeout(std::time::Duration::from_millis(1), slow.hash("Sakura#2024go"));
        assert!(abandoned.await.is_err());
        let hash = slow.hash("Sakura#2024go").await.unwrap();
        assert!(slow.verify("Sakura#2024go", Some(&hash)).await);
    }

    #[test]
    fn code_hash_binds_purpose_and_flow() {
        let key = b"0123456789abcdef0123456789abcdef";
        let a = code_hash(key, "signup", "flow-a", "123456");
        assert_eq!(a, code_hash(key, "signup", "flow-a", "123456"));
        assert_ne!(a, code_hash(key, "signup", "flow-b", "123456"));
        assert_ne!(a, code_hash(key, "password-reset", "flow-a", "123456"));
        assert!(same(&a, &a.clone()));
        assert!(!same(&a, &code_hash(key, "signup", "flow-a", "123457")));
    }

    #[test]
    fn log_fingerprints_are_keyed_short_and_apart_from_throttle_labels() {
        let (key, other_key) = (b"0123456789abcdef0123456789abcdef", b"fedcba9876543210fedcba9876543210");
        let label = log_fingerprint(key, "kenpo_taro");
        assert_eq!(label.len(), 16);
        assert_eq!(label, log_fingerprint(key, "kenpo_taro"));
        assert_ne!(label, log_fingerprint(key, "kenpo_tar0"));
        assert_ne!(label, log_fingerprint(other_key, "kenpo_taro"));
        assert!(!fingerprint(key, "kenpo_taro").starts_with(&label));
    }

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
