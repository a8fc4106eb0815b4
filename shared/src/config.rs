//! Settings read once per cold start from the environment.

use std::env;
use std::ops::RangeInclusive;

#[derive(Clone)]
pub struct Config {
    /// How long a verification code stays valid (KENNIN_CODE_TTL_SECONDS).
    pub code_ttl_seconds: i64,
    /// How long a signup flow lives after the identity check (KENNIN_FLOW_TTL_SECONDS).
    pub flow_ttl_seconds: i64,
    /// Keys the HMAC of verification codes and throttle labels (KENNIN_SECRET, 32+ bytes).
    pub secret: Vec<u8>,
    /// argon2id cost (KENNIN_ARGON2_MEMORY_KIB, _ITERATIONS, _PARALLELISM).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    /// Believe the left-most X-Forwarded-For address (only behind a proxy the operator runs,
    /// never on API Gateway, which supplies the source IP itself).
    pub trust_forwarded_for: bool,
    /// The recovery requests (forgot password, forgot user ID) answer no sooner than this, so
    /// that whether anything matched (and a mail was sent) does not show in the timing
    /// (KENNIN_RECOVERY_FLOOR_MS).
    pub recovery_floor_ms: u64,
    /// Mails sent per second by all senders together, at most (KENNIN_MAIL_RATE): the SES
    /// account's sending rate.
    pub mail_rate_per_second: i64,
}

/// SES's sending rate of a new production account: 14 messages a second.
pub const DEFAULT_MAIL_RATE_PER_SECOND: i64 = 14;

/// What KENNIN_CODE_TTL_SECONDS may be. NIST SP 800-63B: a mailed code is valid for at most
/// 10 minutes (the default); a minute is left at least to open the mail.
pub const CODE_TTL_SECONDS: RangeInclusive<i64> = 60..=600;

/// OWASP's argon2id recommendation: m=19 MiB, t=2, p=1.
pub const OWASP_ARGON2: (u32, u32, u32) = (19_456, 2, 1);

impl Config {
    pub fn from_env() -> Result<Self, String> {
        let secret = env::var("KENNIN_SECRET").map_err(|_| "KENNIN_SECRET is not set".to_string())?;
        Self::with_secret(secret.into_bytes()).overridden_by_env()
    }

    pub fn with_secret(secret: Vec<u8>) -> Self {
        Self {
            code_ttl_seconds: *CODE_TTL_SECONDS.end(),
            flow_ttl_seconds: 3_600,
            secret,
            argon2_memory_kib: OWASP_ARGON2.0,
            argon2_iterations: OWASP_ARGON2.1,
            argon2_parallelism: OWASP_ARGON2.2,
            trust_forwarded_for: false,
            recovery_floor_ms: 600,
            mail_rate_per_second: DEFAULT_MAIL_RATE_PER_SECOND,
        }
    }

    pub fn overridden_by_env(mut self) -> Result<Self, String> {
        fn number<T: std::str::FromStr>(name: &str, target: &mut T) -> Result<(), String> {
            if let Ok(value) = env::var(name) {
                *target = value.parse().map_err(|_| format!("{name} is not a number"))?;
            }
            Ok(())
        }
        number("KENNIN_CODE_TTL_SECONDS", &mut self.code_ttl_seconds)?;
        number("KENNIN_FLOW_TTL_SECONDS", &mut self.flow_ttl_seconds)?;
        number("KENNIN_ARGON2_MEMORY_KIB", &mut self.argon2_memory_kib)?;
        number("KENNIN_ARGON2_ITERATIONS", &mut self.argon2_iterations)?;
        number("KENNIN_ARGON2_PARALLELISM", &mut self.argon2_parallelism)?;
        number("KENNIN_RECOVERY_FLOOR_MS", &mut self.recovery_floor_ms)?;
        number("KENNIN_MAIL_RATE", &mut self.mail_rate_per_second)?;
        if let Ok(value) = env::var("KENNIN_TRUST_FORWARDED_FOR") {
            self.trust_forwarded_for = value == "1" || value == "true";
        }
        if self.secret.len() < 32 {
            return Err("KENNIN_SECRET must be at least 32 bytes".into());
        }
        if !CODE_TTL_SECONDS.contains(&self.code_ttl_seconds) || self.flow_ttl_seconds < self.code_ttl_seconds {
            return Err(format!(
                "KENNIN_CODE_TTL_SECONDS must be {} to {} and not longer than the flow",
                CODE_TTL_SECONDS.start(),
                CODE_TTL_SECONDS.end()
            ));
        }
        if self.mail_rate_per_second < 1 {
            return Err("KENNIN_MAIL_RATE must be at least 1".into());
        }
        Ok(self)
    }
}
