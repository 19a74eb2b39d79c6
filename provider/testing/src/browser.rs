//! A test browser and what tests of both services do with pages: a client that keeps
//! cookies and does not follow redirects, where a redirect goes, the hidden fields of a
//! page, and submitting a page's form.

use std::sync::Arc;

/// An HTTP client that keeps cookies and does not follow redirects, and says of each
/// request what a browser says of a click on the same origin's page
/// (`Sec-Fetch-Site: same-origin`; both services refuse a post that says nothing of
/// where it came from). A test of a cross-origin post sets its own header.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(same_origin())
        .build()
        .expect("reqwest client")
}

/// A browser whose cookie jar the test can write to, as another site could.
pub fn browser_with_jar() -> (reqwest::Client, Arc<reqwest::cookie::Jar>) {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(same_origin())
        .build()
        .expect("reqwest client");
    (client, jar)
}

/// `Sec-Fetch-Site: same-origin` (Fetch Metadata), the header of a same-origin request.
pub fn same_origin() -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "sec-fetch-site",
        reqwest::header::HeaderValue::from_static("same-origin"),
    );
    headers
}

/// The `Location` of a redirect.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .unwrap_or_else(|| panic!("no location on a {}", response.status()))
        .to_str()
        .expect("an ASCII location")
        .to_owned()
}

/// Resolves a `Location` against the URL it came from.
pub fn follow(from: &str, location: &str) -> String {
    url::Url::parse(from)
        .expect("an absolute URL")
        .join(location)
        .expect("a resolvable location")
        .to_string()
}

/// The value of the input `name` of a page (as the page wrote it: entities kept).
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').expect("the end of the value");
    html[start..start + end].to_owned()
}

/// The value of the hidden `csrf` input of a page.
pub fn csrf_of(html: &str) -> String {
    hidden(html, "csrf")
}

/// Submits the form of `html` (found at `page_url`) whose `action` is `action`: its hidden
/// inputs, then `fields`, posted as a browser would (form-encoded).
pub async fn submit(
    http: &reqwest::Client,
    page_url: &str,
    html: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let start = html
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form for {action} in {html}"));
    let end = html[start..]
        .find("</form>")
        .map_or(html.len(), |e| start + e);
    let form = &html[start..end];
    let mut values: Vec<(String, String)> = Vec::new();
    for input in form.split("<input").skip(1) {
        let attr = |name: &str| {
            let marker = format!("{name}=\"");
            input.find(&marker).map(|s| {
                let rest = &input[s + marker.len()..];
                rest[..rest.find('"').unwrap_or(rest.len())].replace("&amp;", "&")
            })
        };
        if attr("type").as_deref() == Some("hidden")
            && let (Some(name), Some(value)) = (attr("name"), attr("value"))
        {
            values.push((name, value));
        }
    }
    for (name, value) in fields {
        values.retain(|(n, _)| n != name);
        values.push(((*name).to_owned(), (*value).to_owned()));
    }
    http.post(follow(page_url, action))
        .form(&values)
        .send()
        .await
        .expect("the form was sent")
}
