//! Request ids in the logs: each request gets an `X-Request-Id` (the caller's, if short and
//! plain, or a new UUID), a `request` span naming it, and the id echoed on the response.
//!
//! The span has the path only: query strings may carry tokens and verifiers.

use std::hash::{BuildHasher, RandomState};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

/// The longest `X-Request-Id` from outside that is kept.
const MAX_REQUEST_ID: usize = 64;

/// Wraps `router` (outside every other layer) with the request-id layers.
///
/// Around the whole router, once, rather than `Router::layer`, which wraps each route
/// in each layer: a request then cloned every boxed layer below the one it was in, at
/// each of them (a quarter of the provider's CPU per request in a profile).
pub fn with_request_ids(router: Router) -> Router {
    fn span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
        let id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
    }
    // The first layer is the outermost.
    let service = tower::ServiceBuilder::new()
        .layer(axum::middleware::from_fn(refuse_unfit_request_ids))
        .layer(SetRequestIdLayer::x_request_id(ProcessIds))
        .layer(TraceLayer::new_for_http().make_span_with(span as fn(&_) -> _))
        .layer(PropagateRequestIdLayer::x_request_id())
        .service(router);
    Router::new().fallback_service(service)
}

/// New ids, shaped like a UUID (8-4-4-4-12 hex digits): this process's random 64 bits,
/// then a counter passed through SipHash under a random key. Distinct across processes
/// and requests (in practice: 64 random-looking bits each), without a `getrandom` system call per request (which a UUID v4 costs);
/// keyed, so that an id tells nobody how many requests came between two of theirs, nor
/// which id the next request will get. An id names a request in the logs; it guards
/// nothing.
#[derive(Clone, Copy)]
struct ProcessIds;

impl MakeRequestId for ProcessIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        static PROCESS: OnceLock<u64> = OnceLock::new();
        static NEXT: AtomicU64 = AtomicU64::new(0);
        static KEY: OnceLock<RandomState> = OnceLock::new();
        let process = *PROCESS.get_or_init(rand::random);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let hidden = KEY.get_or_init(RandomState::new).hash_one(n);
        HeaderValue::from_bytes(&uuid_shaped(process, hidden))
            .ok()
            .map(RequestId::new)
    }
}

/// `high` then `low` as 32 hex digits in the 8-4-4-4-12 groups of a UUID, written
/// without `format!` (which took a third of this layer's time).
fn uuid_shaped(high: u64, low: u64) -> [u8; 36] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bits = (u128::from(high) << 64) | u128::from(low);
    let mut out = [b'-'; 36];
    let mut digit = 0;
    for (i, slot) in out.iter_mut().enumerate() {
        if !matches!(i, 8 | 13 | 18 | 23) {
            *slot = HEX[((bits >> (124 - 4 * digit)) & 0xf) as usize];
            digit += 1;
        }
    }
    out
}

/// An `X-Request-Id` from outside is copied into every log line of the request and onto
/// the response: it is kept only if it is one header of at most 64 of `A-Z a-z 0-9 . _ -`,
/// else dropped here, so that the request-id layer makes a new one.
pub async fn refuse_unfit_request_ids(mut request: Request, next: Next) -> Response {
    let acceptable = |v: &HeaderValue| {
        let v = v.as_bytes();
        !v.is_empty()
            && v.len() <= MAX_REQUEST_ID
            && v.iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    let headers = request.headers_mut();
    if headers.get_all("x-request-id").iter().count() > 1
        || headers.get("x-request-id").is_some_and(|v| !acceptable(v))
    {
        headers.remove("x-request-id");
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::{ProcessIds, uuid_shaped};
    use tower_http::request_id::MakeRequestId;

    #[test]
    fn an_id_tells_nothing_of_the_requests_between_two_of_yours() {
        let request = axum::http::Request::new(());
        let mut ids = ProcessIds;
        let mut next = || {
            let id = ids.make_request_id(&request).expect("an id");
            let text = id.header_value().to_str().expect("ascii").replace('-', "");
            let number = |digits: &str| u64::from_str_radix(digits, 16).expect("hex");
            (number(&text[..16]), number(&text[16..]))
        };
        let (process, first) = next();
        let (same_process, second) = next();
        assert_eq!(process, same_process, "one prefix per process");
        assert_ne!(first, second);
        assert_ne!(
            second.wrapping_sub(first),
            1,
            "a bare counter: the gap counts the requests between"
        );
    }

    #[test]
    fn an_id_is_its_two_numbers_in_the_groups_of_a_uuid() {
        let id = uuid_shaped(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210);
        assert_eq!(&id, b"01234567-89ab-cdef-fedc-ba9876543210");
        assert_eq!(&uuid_shaped(0, 1), b"00000000-0000-0000-0000-000000000001");
    }
}
