//! Logging as configured: `RUST_LOG` filters (default `info,sqlx=warn`); `LOG_FORMAT=json`
//! writes one JSON object per line, with the request span and its id. And URLs for logs.
//!
//! Text from outside (a request's fields, a remote's answer, an error holding either) is
//! logged with `Debug` (`err = ?e.to_string()`): quoted, its newlines escaped, so it
//! cannot start a line that reads like one of the service's own (log forging).

/// Installs the subscriber, or names `LOG_FORMAT` if its value is neither text nor json.
pub fn init_logging() -> Result<(), String> {
    let json = log_format_is_json(std::env::var("LOG_FORMAT").ok().as_deref())?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    if json {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    Ok(())
}

/// `LOG_FORMAT`: unset, empty or `text` for lines of text, `json` for JSON; anything else
/// stops the service at start, naming the variable (a typo is never taken as text).
pub fn log_format_is_json(value: Option<&str>) -> Result<bool, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(false),
        Some(f) if f.eq_ignore_ascii_case("text") => Ok(false),
        Some(f) if f.eq_ignore_ascii_case("json") => Ok(true),
        Some(other) => Err(format!("LOG_FORMAT = {other:?}: use text or json")),
    }
}

/// A URL (or any text holding URLs) with the password of each `scheme://user:password@`
/// replaced, for logs.
pub fn redact_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| c == '/' || c == '"' || c == ')' || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(userinfo_end), Some(colon)) if colon < userinfo_end => {
                out.push_str(&authority[..=colon]);
                out.push_str("[redacted]");
                out.push_str(&authority[userinfo_end..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_format_that_is_neither_text_nor_json_names_the_variable() {
        assert_eq!(log_format_is_json(None), Ok(false));
        assert_eq!(log_format_is_json(Some("text")), Ok(false));
        assert_eq!(log_format_is_json(Some(" JSON ")), Ok(true));
        let err = log_format_is_json(Some("jsn")).unwrap_err();
        assert!(
            err.starts_with("LOG_FORMAT") && err.contains("json"),
            "{err}"
        );
    }
}
