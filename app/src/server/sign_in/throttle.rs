//! A quota of sign-ins per client address. Each `GET /login/{name}` stores a sign-in
//! under way (with its temporary credentials) and asks the remote for a request token or
//! sends the browser to it: a script looping on it fills the site's store and the
//! provider's. Past `SITE_SIGN_INS_PER_ADDRESS` per `SITE_SIGN_IN_WINDOW_SECS` the
//! answer is a 429 page with `Retry-After`, before anything is stored or asked. A layer
//! on that route, so the handler cannot be reached without it.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::server::http::error::SiteError;
use crate::server::sign_in::client_addr;

/// Addresses kept before idle ones are dropped on the spot.
const MAX_KEYS: usize = 100_000;

pub struct SignInLimits {
    /// Keyed by address (`None` when unknown: all such clients share).
    per_address: DefaultKeyedRateLimiter<Option<IpAddr>>,
    clock: DefaultClock,
}

impl SignInLimits {
    /// `sign_ins` per `window`: all at once, then one more each `window / sign_ins`.
    pub fn new(sign_ins: u32, window: Duration) -> Self {
        let burst = NonZeroU32::new(sign_ins).unwrap_or(NonZeroU32::MIN);
        let period = (window / burst.get()).max(Duration::from_millis(1));
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(burst))
            .allow_burst(burst);
        Self {
            per_address: DefaultKeyedRateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// Spends one sign-in of `addr`: `Err(wait)` if it has none left.
    pub fn start(&self, addr: Option<IpAddr>) -> Result<(), Duration> {
        if self.per_address.len() > MAX_KEYS {
            // Keys whose quota is whole again behave as new ones: dropping them is free.
            self.per_address.retain_recent();
            self.per_address.shrink_to_fit();
        }
        self.per_address
            .check_key(&addr.map(address_key))
            .map_err(|until| until.wait_time_from(self.clock.now()))
    }
}

/// An IPv6 client usually holds a whole /64, so that is the unit counted.
fn address_key(addr: IpAddr) -> IpAddr {
    match addr.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        v4 => v4,
    }
}

/// What the layer on `/login/{name}` needs: the quotas and whose forwarded address to
/// believe (`TRUSTED_PROXY`).
#[derive(Clone)]
pub struct SignInGuard {
    pub limits: std::sync::Arc<SignInLimits>,
    pub trusted_proxy: Option<IpAddr>,
}

/// The layer on `/login/{name}`.
pub async fn sign_ins(State(guard): State<SignInGuard>, request: Request, next: Next) -> Response {
    let addr = client_addr::of(&request, guard.trusted_proxy);
    if let Err(wait) = guard.limits.start(addr) {
        tracing::warn!(?addr, "sign-ins from one address beyond the quota refused");
        // Whole seconds, rounded up.
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        return SiteError::TooManySignIns { retry_after: secs }.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_sign_ins_then_a_wait_and_others_are_not_held_up() {
        let limits = SignInLimits::new(3, Duration::from_secs(300));
        let one = Some(IpAddr::from([192, 0, 2, 1]));
        for _ in 0..3 {
            assert!(limits.start(one).is_ok());
        }
        let wait = limits.start(one).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(100),
            "{wait:?}"
        );
        assert!(limits.start(Some(IpAddr::from([192, 0, 2, 2]))).is_ok());
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
    }
}
