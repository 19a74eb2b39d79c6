//! Sign-in throttling against password guessing, from keyed GCRA limiters (governor).
//! Each `POST /login` spends one attempt of three quotas, and past any of them the answer
//! is 429 with `Retry-After`, before any password is hashed:
//!
//! - the account from this client address: tight (10 per window by default). Guessing
//!   from one place stops here, and it does not lock the owner out from anywhere else;
//! - the client address, over every account: against one client trying many accounts;
//! - the account from anywhere: much looser (100), against guessing spread over many
//!   addresses. Reaching it takes that many addresses' worth of tight quotas.
//!
//! A guesser with a dozen addresses can keep that last quota drained, which would lock
//! the owner out. So a browser that signed in to the account before (a device cookie,
//! [`super::device`]) spends none of the three: only a tight quota of its own, which no
//! one else can drain.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::Config;

/// Keys kept at most between sweeps before idle ones are dropped on the spot.
const MAX_KEYS: usize = 100_000;

pub struct LoginLimits {
    /// Keyed by the account and the address (`None` when unknown: all such clients share).
    per_account_and_address: DefaultKeyedRateLimiter<(String, Option<IpAddr>)>,
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    /// Keyed by a known device's id: the one quota its sign-ins spend.
    per_device: DefaultKeyedRateLimiter<String>,
    /// `POST /signup` per client address (`None` when unknown: all such clients share).
    sign_ups: DefaultKeyedRateLimiter<Option<IpAddr>>,
    clock: DefaultClock,
}

/// `attempts` per `window`: all at once, then one more each `window / attempts`.
fn quota(attempts: u32, window: Duration) -> Quota {
    let attempts = NonZeroU32::new(attempts).unwrap_or(NonZeroU32::MIN);
    let period = (window / attempts.get()).max(Duration::from_millis(1));
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(attempts))
        .allow_burst(attempts)
}

/// A limiter of `attempts` per `window` for each key.
fn keyed<K: Clone + Eq + std::hash::Hash>(
    attempts: u32,
    window: Duration,
) -> DefaultKeyedRateLimiter<K> {
    DefaultKeyedRateLimiter::keyed(quota(attempts, window))
}

impl LoginLimits {
    pub fn new(config: &Config) -> Self {
        let window = Duration::from_secs(config.login_window_secs.max(1));
        Self {
            per_account_and_address: keyed(config.login_attempts_per_account_and_address, window),
            per_account: keyed(config.login_attempts_per_account, window),
            per_address: keyed(config.login_attempts_per_address, window),
            per_device: keyed(config.login_attempts_per_account_and_address, window),
            sign_ups: keyed(config.signups_per_address, window),
            clock: DefaultClock::default(),
        }
    }

    /// Spends one sign-up of `addr`: `Err(wait)` if it has none left. Each sign-up costs
    /// an Argon2 hash and a row.
    pub fn sign_up(&self, addr: Option<IpAddr>) -> Result<(), Duration> {
        if self.sign_ups.len() > MAX_KEYS {
            self.forget_idle();
        }
        self.sign_ups
            .check_key(&addr.map(address_key))
            .map_err(|until| until.wait_time_from(self.clock.now()))
    }

    /// Spends one attempt of `screen_name` from `addr`, of `addr` (when known) and of
    /// `screen_name`: `Err(wait)` if any has none left, with how long until the next one.
    /// The tight quota is asked first, so guesses it refuses spend nothing of the others.
    /// From a `known_device` of this account (its id), only that device's quota is spent.
    pub fn attempt(
        &self,
        screen_name: &str,
        addr: Option<IpAddr>,
        known_device: Option<&str>,
    ) -> Result<(), Duration> {
        if self.per_account_and_address.len() > MAX_KEYS
            || self.per_account.len() > MAX_KEYS
            || self.per_address.len() > MAX_KEYS
            || self.per_device.len() > MAX_KEYS
        {
            self.forget_idle();
        }
        let wait = |until: governor::NotUntil<_>| until.wait_time_from(self.clock.now());
        if let Some(device) = known_device {
            return self.per_device.check_key(&device.to_owned()).map_err(wait);
        }
        let account = account_key(screen_name);
        let addr = addr.map(address_key);
        self.per_account_and_address
            .check_key(&(account.clone(), addr))
            .map_err(wait)?;
        if let Some(addr) = addr {
            self.per_address.check_key(&addr).map_err(wait)?;
        }
        self.per_account.check_key(&account).map_err(wait)
    }

    /// Drops the keys whose quota is whole again: they would behave as new ones.
    pub fn forget_idle(&self) {
        let limiters: [&dyn Forget; 5] = [
            &self.per_account_and_address,
            &self.per_account,
            &self.per_address,
            &self.per_device,
            &self.sign_ups,
        ];
        for limiter in limiters {
            limiter.forget();
        }
    }
}

trait Forget {
    fn forget(&self);
}

impl<K: std::hash::Hash + Eq + Clone> Forget for DefaultKeyedRateLimiter<K> {
    fn forget(&self) {
        self.retain_recent();
        self.shrink_to_fit();
    }
}

/// Whole seconds to wait, rounded up: for `Retry-After`.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// Screen names are unique regardless of case, as on Twitter; longer ones than any
/// valid name are cut, so a key costs little whatever is typed.
pub fn account_key(screen_name: &str) -> String {
    screen_name
        .trim()
        .chars()
        .take(32)
        .collect::<String>()
        .to_lowercase()
}

/// An IPv6 client usually holds a whole /64, so that is the unit counted.
fn address_key(addr: IpAddr) -> IpAddr {
    match addr.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(from_one_address: u32, per_account: u32, per_address: u32) -> LoginLimits {
        let mut config = Config::from_lookup(|_| None).unwrap();
        config.login_attempts_per_account_and_address = from_one_address;
        config.login_attempts_per_account = per_account;
        config.login_attempts_per_address = per_address;
        LoginLimits::new(&config)
    }

    #[test]
    fn an_account_gets_its_attempts_from_one_address_then_a_wait_whatever_the_case() {
        let limits = limits(3, 100, 100);
        let addr = Some(IpAddr::from([192, 0, 2, 1]));
        for name in ["alice", "Alice", " ALICE "] {
            assert!(limits.attempt(name, addr, None).is_ok());
        }
        let wait = limits.attempt("alice", addr, None).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(100),
            "{wait:?}"
        );
        assert!(
            limits.attempt("bob", addr, None).is_ok(),
            "other accounts are not held up"
        );
    }

    #[test]
    fn one_address_guessing_does_not_lock_the_owner_out_from_another_address() {
        let limits = LoginLimits::new(&Config::from_lookup(|_| None).unwrap());
        let attacker = Some(IpAddr::from([198, 51, 100, 7]));
        let refused = (0..1000)
            .filter(|_| limits.attempt("alice", attacker, None).is_err())
            .count();
        assert!(refused >= 980, "the attacker is held up: {refused} refused");
        let owner = Some(IpAddr::from([192, 0, 2, 1]));
        assert!(limits.attempt("alice", owner, None).is_ok());
        assert!(limits.attempt("alice", owner, None).is_ok());
    }

    #[test]
    fn guessing_one_account_from_many_addresses_meets_the_loose_account_limit() {
        let limits = limits(3, 10, 100);
        let from = |i: u8| Some(IpAddr::from([198, 51, 100, i]));
        for i in 0..10 {
            assert!(limits.attempt("alice", from(i), None).is_ok(), "guess {i}");
        }
        assert!(limits.attempt("alice", from(10), None).is_err());
        assert!(limits.attempt("bob", from(10), None).is_ok());
    }

    #[test]
    fn a_known_device_signs_in_while_guessers_have_drained_the_account() {
        let limits = limits(3, 10, 100);
        let from = |i: u8| Some(IpAddr::from([198, 51, 100, i]));
        for i in 0..40 {
            let _ = limits.attempt("alice", from(i / 3), None);
        }
        assert!(limits.attempt("alice", from(200), None).is_err());
        assert!(limits.attempt("alice", from(200), Some("device-1")).is_ok());
        // A device has a tight quota of its own.
        for _ in 0..2 {
            assert!(limits.attempt("alice", from(200), Some("device-1")).is_ok());
        }
        assert!(
            limits
                .attempt("alice", from(200), Some("device-1"))
                .is_err()
        );
        assert!(limits.attempt("alice", from(200), Some("device-2")).is_ok());
    }

    #[test]
    fn an_address_gets_its_attempts_over_every_account() {
        let limits = limits(100, 100, 2);
        let addr = Some(IpAddr::from([192, 0, 2, 1]));
        assert!(limits.attempt("a", addr, None).is_ok());
        assert!(limits.attempt("b", addr, None).is_ok());
        assert!(limits.attempt("c", addr, None).is_err());
        assert!(
            limits
                .attempt("c", Some(IpAddr::from([192, 0, 2, 2])), None)
                .is_ok()
        );
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_bit_prefix() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(address_key(mapped), IpAddr::from([192, 0, 2, 1]));
    }
}
