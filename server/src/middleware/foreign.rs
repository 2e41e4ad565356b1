//! A page opened from another site gets a page asking to continue, not
//! the app (see `session`).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// A page opened by following a link on another site (or a sibling
/// subdomain): the browser says so in its Fetch Metadata headers.
pub(super) fn is_foreign_navigation(headers: &axum::http::HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    get("sec-fetch-mode") == Some("navigate")
        && matches!(get("sec-fetch-site"), Some("cross-site" | "same-site"))
}

/// Instead of the page: a plain page asking the person to continue. The
/// page's app (which loads patient data, each view audited in the signed-in
/// person's name) starts only when they choose to, so another site cannot
/// make a colleague's browser open records and write audit rows in their
/// name. Their click is a same-origin navigation.
pub(super) fn foreign_navigation(uri: &axum::http::Uri) -> Response {
    let target = uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
    let href: String = target
        .chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '"' => "&quot;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '\'' => "&#39;".to_string(),
            c => c.to_string(),
        })
        .collect();
    let body = format!(
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Continue to OpenPractice</title>\
         <link rel=\"stylesheet\" href=\"/pkg/openpractice.css\"></head>\
         <body class=\"min-h-screen bg-nhs-grey-5 font-sans text-nhs-text\">\
         <main id=\"main\" class=\"mx-auto max-w-3xl p-8\">\
         <h1 class=\"text-3xl font-bold\">You followed a link from another site</h1>\
         <p class=\"mt-4 text-lg\">To keep records from being opened in your name without you \
         knowing, OpenPractice does not open a page from a link on another site by itself.</p>\
         <p class=\"mt-6\"><a class=\"op-button\" href=\"{href}\">Continue to the page</a></p>\
         <p class=\"mt-4\"><a href=\"/\">Go to the home page instead</a></p>\
         </main></body></html>"
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}
