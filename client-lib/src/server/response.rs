//! Credential responses: form-encoded (RFC 5849 §2.1, §2.3) and never cached.

/// A 200 with `pairs` as `application/x-www-form-urlencoded` and `Cache-Control: no-store`.
pub(crate) fn form(pairs: &[(&str, &str)]) -> http::Response<String> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let mut response = http::Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    headers.insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    response
}

/// Random credentials of `len` alphanumeric characters, from the operating system's
/// CSPRNG: every token, secret and verifier the server hands out.
pub(crate) fn random(len: usize) -> String {
    use rand::RngExt as _;
    use rand::distr::Alphanumeric;
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}
