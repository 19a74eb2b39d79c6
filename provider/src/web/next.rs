//! Where sign-in sends a person afterwards: `next`, read as a browser would read it, and
//! kept on the provider's own origin (an open redirect would lend this site's name to a
//! phishing page).

use url::Url;

/// The path and query `next` leads to on `public`'s origin, or `/`. Always ASCII (it is
/// a serialized URL), so it is a valid `Location`.
pub fn safe_next(public: &Url, next: Option<&str>) -> String {
    next.and_then(|next| same_origin_target(public, next))
        .unwrap_or_else(|| "/".to_owned())
}

fn same_origin_target(public: &Url, next: &str) -> Option<String> {
    // The WHATWG URL parser that browsers use drops tabs and newlines anywhere in a URL
    // and reads `\` as `/` in http(s) URLs: `/\t/evil.example` and `/\evil.example` both
    // become `//evil.example`, another host. Such characters have no place in a path of
    // this site, raw or percent-encoded, so they are refused rather than interpreted.
    let decoded = percent_decoded(next);
    if !next.starts_with('/') || suspicious(next.as_bytes()) || suspicious(&decoded) {
        return None;
    }
    if decoded.starts_with(b"//") {
        return None;
    }
    // Resolve it as the browser will (RFC 3986 §5.2 as the WHATWG parser applies it),
    // then compare origins (RFC 6454 §5).
    let target = public.join(next).ok()?;
    if target.origin() != public.origin() {
        return None;
    }
    let mut location = target.path().to_owned();
    // `/.//evil.example` resolves to the path `//evil.example`, which a browser would
    // read back as a host.
    if location.starts_with("//") {
        return None;
    }
    if let Some(query) = target.query() {
        location.push('?');
        location.push_str(query);
    }
    Some(location)
}

/// Control characters (C0, DEL) and backslashes.
fn suspicious(bytes: &[u8]) -> bool {
    bytes.iter().any(|&b| b.is_ascii_control() || b == b'\\')
}

/// `value` with `%XX` escapes decoded, repeatedly (up to a few rounds), so that a
/// double-encoded `%2509` is seen as the tab it may become.
fn percent_decoded(value: &str) -> Vec<u8> {
    let mut bytes = value.as_bytes().to_vec();
    for _ in 0..3 {
        let next = decode_once(&bytes);
        if next == bytes {
            break;
        }
        bytes = next;
    }
    bytes
}

fn decode_once(bytes: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public() -> Url {
        Url::parse("http://127.0.0.1:8001/").unwrap()
    }

    #[test]
    fn a_path_on_this_site_is_kept() {
        for next in [
            "/oauth/authorize?oauth_token=x",
            "/settings/apps",
            "/",
            "/a/../b",
        ] {
            let kept = safe_next(&public(), Some(next));
            assert_eq!(
                kept,
                public().join(next).unwrap()[url::Position::BeforePath..]
            );
        }
    }

    #[test]
    fn a_next_that_a_browser_would_read_as_another_host_goes_home() {
        for next in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "\\/evil.example",
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/\r\n/evil.example/",
            "https:evil.example",
            "http:evil.example",
            "/%09/evil.example/",
            "/%0a/evil.example/",
            "/%5cevil.example",
            "/%2509/evil.example/",
            "%2F%2Fevil.example",
            "/%2F%2Fevil.example",
            "/.//evil.example",
            "/./\\evil.example",
            "javascript:alert(1)",
            " //evil.example",
            "",
        ] {
            assert_eq!(safe_next(&public(), Some(next)), "/", "{next:?}");
        }
        assert_eq!(safe_next(&public(), None), "/");
    }
}
