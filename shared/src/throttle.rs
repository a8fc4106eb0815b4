//! Fixed-window counters in the store. The counted value (a card, an IP address) is stored only
//! as a keyed fingerprint.

use crate::secrets::fingerprint;
use crate::store::records::{ThrottleWindow, from_item};
use crate::store::{Change, Cond, ItemStore, Key, StoreError, TTL};

pub struct Limit {
    pub scope: &'static str,
    pub max: i64,
    pub window_seconds: i64,
}

/// Failed identity checks per card (insurer + 記号 + 番号).
pub const IDENTITY_PER_CARD: Limit = Limit {
    scope: "identity-card",
    max: 5,
    window_seconds: 3_600,
};
/// Failed identity checks per client IP address.
pub const IDENTITY_PER_IP: Limit = Limit {
    scope: "identity-ip",
    max: 30,
    window_seconds: 3_600,
};

/// Failed logins per client IP address, across every user ID: password spraying from one
/// address. The per-ID lock cannot see it, since each ID gets only a few guesses.
///
/// The largest sites of a union's member companies put a few thousand employees behind one NAT
/// address. If 500 of them log in during the busiest hour of the campaign and every one of them
/// mistypes once, that is 500 failures, half the limit; successes are given back and cost
/// nothing. One address spraying guesses gets 1,000 an hour instead of the 360,000 that the
/// stage-wide 100 requests/s would allow.
pub const LOGIN_FAILURES_PER_IP: Limit = Limit {
    scope: "login-ip",
    max: 1_000,
    window_seconds: 3_600,
};

/// Failed staff sign-ins per client IP address, across every address: a union's office is a
/// few dozen members behind one address, so a few mistypes each stay far below it, while
/// guessing across many addresses stops.
pub const STAFF_SIGN_IN_FAILURES_PER_IP: Limit = Limit {
    scope: "staff-sign-in-ip",
    max: 100,
    window_seconds: 3_600,
};

/// Password-reset requests per typed user ID, and per client IP address.
pub const PASSWORD_FORGOT_PER_USER_ID: Limit = Limit {
    scope: "password-forgot-id",
    max: 5,
    window_seconds: 3_600,
};
pub const PASSWORD_FORGOT_PER_IP: Limit = Limit {
    scope: "password-forgot-ip",
    max: 30,
    window_seconds: 3_600,
};
/// User-ID reminders per card, and per client IP address.
pub const USER_ID_FORGOT_PER_CARD: Limit = Limit {
    scope: "user-id-forgot-card",
    max: 5,
    window_seconds: 3_600,
};
pub const USER_ID_FORGOT_PER_IP: Limit = Limit {
    scope: "user-id-forgot-ip",
    max: 30,
    window_seconds: 3_600,
};

impl Limit {
    fn window(&self, now: i64) -> (i64, i64) {
        let start = now - now.rem_euclid(self.window_seconds);
        (start, start + self.window_seconds)
    }

    fn key(&self, secret: &[u8], value: &str, now: i64) -> (Key, i64) {
        let (start, end) = self.window(now);
        let label = fingerprint(secret, &format!("{}\0{value}", self.scope));
        (ThrottleWindow::key(self.scope, &label, start), end)
    }

    /// Counts this request and tells how long to wait when it is one too many.
    pub async fn hit(
        &self,
        store: &dyn ItemStore,
        secret: &[u8],
        value: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let (key, end) = self.key(secret, value, now);
        let item = store
            .update(
                &key,
                &[Change::add(ThrottleWindow::COUNT, 1), Change::set(TTL, end)],
                None,
            )
            .await?;
        let window: ThrottleWindow = from_item(item)?;
        Ok((window.count > self.max).then_some(end - now))
    }

    /// Takes back a request counted by `hit` that turned out not to count (a success).
    pub async fn give_back(
        &self,
        store: &dyn ItemStore,
        secret: &[u8],
        value: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let (key, _) = self.key(secret, value, now);
        match store
            .update(&key, &[Change::add(ThrottleWindow::COUNT, -1)], Some(&Cond::Exists))
            .await
        {
            Ok(_) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
            Err(other) => Err(other),
        }
    }
}
