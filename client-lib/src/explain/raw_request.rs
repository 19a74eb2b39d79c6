//! A raw HTTP/1.1 request, pasted or piped, read into a [`DiagnoseInput`]: the request
//! line, `Host`, `Authorization`, `Content-Type` and `Content-Length`, and the body.

use super::ExplainError;
use super::diagnose::DiagnoseInput;

impl DiagnoseInput {
    /// Reads `raw` (lines ending in CRLF or LF), with the secrets to check it with. A
    /// request target in origin form (`/path?query`) is joined to `Host` with `scheme`;
    /// an absolute one is taken as it is. Without `Content-Length`, the body ends at the
    /// last character that is not a line break.
    pub fn from_raw_request(
        raw: &str,
        scheme: &str,
        consumer_secret: &str,
        token_secret: Option<&str>,
    ) -> Result<Self, ExplainError> {
        let bad = ExplainError::BadRawRequest;
        let raw = raw.trim_start_matches(['\r', '\n']);
        let (head, body) = match (raw.find("\r\n\r\n"), raw.find("\n\n")) {
            (Some(crlf), Some(lf)) if lf < crlf => (&raw[..lf], &raw[lf + 2..]),
            (Some(crlf), _) => (&raw[..crlf], &raw[crlf + 4..]),
            (None, Some(lf)) => (&raw[..lf], &raw[lf + 2..]),
            (None, None) => (raw, ""),
        };
        let mut lines = head.lines();
        let mut request_line = lines.next().unwrap_or_default().split_whitespace();
        let (Some(method), Some(target)) = (request_line.next(), request_line.next()) else {
            return Err(bad("the request line is not `METHOD /path HTTP/1.1`"));
        };
        let (mut host, mut authorization, mut content_type, mut length) = (None, None, None, None);
        for line in lines {
            let (name, value) = line
                .split_once(':')
                .ok_or(bad("a header line has no `:`"))?;
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "host" => host = Some(value),
                "authorization" => authorization = Some(value.to_owned()),
                "content-type" => content_type = Some(value.to_owned()),
                "content-length" => {
                    length = Some(
                        value
                            .parse::<usize>()
                            .map_err(|_| bad("bad Content-Length"))?,
                    )
                }
                _ => {}
            }
        }
        let url = if target.starts_with("http://") || target.starts_with("https://") {
            target.to_owned()
        } else if !target.starts_with('/') {
            return Err(bad("the request target is neither /path nor a full URL"));
        } else {
            let host = host.ok_or(bad("there is no Host header"))?;
            format!("{scheme}://{host}{target}")
        };
        let body = match length {
            Some(length) => body
                .get(..length)
                .ok_or(bad("the body is shorter than its Content-Length"))?,
            None => body.trim_end_matches(['\r', '\n']),
        };
        Ok(Self {
            method: method.to_owned(),
            url,
            body: body.to_owned(),
            content_type,
            authorization,
            consumer_secret: consumer_secret.to_owned(),
            token_secret: token_secret.map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_read_with_crlf_or_lf() {
        for eol in ["\r\n", "\n"] {
            let raw = [
                "POST /1.1/statuses/update.json?include_entities=true HTTP/1.1",
                "Host: api.twitter.com",
                "authorization: OAuth oauth_consumer_key=\"k\"",
                "Content-Type: application/x-www-form-urlencoded",
                "",
                "status=Hi%20there",
                "",
            ]
            .join(eol);
            let input = DiagnoseInput::from_raw_request(&raw, "https", "cs", Some("ts")).unwrap();
            assert_eq!(input.method, "POST");
            assert_eq!(
                input.url,
                "https://api.twitter.com/1.1/statuses/update.json?include_entities=true"
            );
            assert_eq!(
                input.authorization.as_deref(),
                Some("OAuth oauth_consumer_key=\"k\"")
            );
            assert_eq!(input.body, "status=Hi%20there");
        }
    }

    #[test]
    fn content_length_bounds_the_body_and_bad_requests_are_errors() {
        let raw = "GET http://example.com/a HTTP/1.1\nContent-Length: 3\n\nabcdef";
        let input = DiagnoseInput::from_raw_request(raw, "https", "cs", None).unwrap();
        assert_eq!(
            (input.url.as_str(), input.body.as_str()),
            ("http://example.com/a", "abc")
        );
        for bad in [
            "",
            "GET\n\n",
            "GET /a HTTP/1.1\n\n",
            "GET /a HTTP/1.1\nHost example.com\n\n",
            "GET a HTTP/1.1\nHost: example.com\n\n",
            "GET /a HTTP/1.1\nHost: e\nContent-Length: 9\n\nab",
            "GET /a HTTP/1.1\nHost: e\nContent-Length: x\n\n",
        ] {
            assert!(
                matches!(
                    DiagnoseInput::from_raw_request(bad, "https", "cs", None),
                    Err(ExplainError::BadRawRequest(_))
                ),
                "{bad:?}"
            );
        }
    }
}
