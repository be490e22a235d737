//! The review page: one static HTML document with a stylesheet and a vanilla script that
//! calls the API (no build step). The script only ever puts text into the page
//! (`textContent`, text nodes), never markup, and the Content-Security-Policy allows no
//! inline script, so article text cannot run as code even if it tried.

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::openapi::{Content, OperationDoc};
use super::Route;

pub(crate) const INDEX_HTML: &str = include_str!("../../assets/index.html");
pub(crate) const REVIEW_JS: &str = include_str!("../../assets/review.js");
pub(crate) const REVIEW_CSS: &str = include_str!("../../assets/review.css");

/// The page's policy: its own script, style and API only.
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'";

fn document(media_type: &'static str, body: &'static str) -> Response {
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, HeaderValue::from_static(media_type))],
        body,
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    response
}

fn public(id: &'static str, summary: &'static str, content: Content) -> OperationDoc {
    OperationDoc {
        id,
        summary,
        description: "",
        tag: "service",
        permission: None,
        params: vec![],
        request: None,
        ok: (200, summary, content),
        errors: &[],
    }
}

pub(super) fn routes() -> Vec<Route> {
    vec![
        Route {
            method: Method::GET,
            path: "/",
            doc: public("page", "The review page", Content::Document("text/html")),
            handler: get(|| async { document("text/html; charset=utf-8", INDEX_HTML) }),
        },
        Route {
            method: Method::GET,
            path: "/assets/review.js",
            doc: public(
                "pageScript",
                "The review page's script",
                Content::Document("text/javascript"),
            ),
            handler: get(|| async { document("text/javascript; charset=utf-8", REVIEW_JS) }),
        },
        Route {
            method: Method::GET,
            path: "/assets/review.css",
            doc: public(
                "pageStyle",
                "The review page's stylesheet",
                Content::Document("text/css"),
            ),
            handler: get(|| async { document("text/css; charset=utf-8", REVIEW_CSS) }),
        },
        Route {
            method: Method::GET,
            path: "/openapi.json",
            doc: public(
                "openapi",
                "This OpenAPI document",
                Content::Document("application/json"),
            ),
            handler: get(super::openapi_json),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_never_writes_markup_into_the_page() {
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "createContextualFragment",
            "DOMParser",
            "eval(",
            "new Function",
            "setAttribute('on",
            "srcdoc",
        ] {
            assert!(!REVIEW_JS.contains(sink), "review.js uses {sink}");
        }
    }

    #[test]
    fn the_page_loads_its_script_from_a_file_and_holds_no_inline_script() {
        assert!(INDEX_HTML.contains(r#"<script src="/assets/review.js" defer></script>"#));
        assert_eq!(INDEX_HTML.matches("<script").count(), 1);
        let handler = INDEX_HTML.split(" on").skip(1).find(|rest| {
            let name_len = rest.chars().take_while(char::is_ascii_lowercase).count();
            name_len > 0 && rest[name_len..].starts_with('=')
        });
        assert_eq!(handler, None, "no inline event handlers");
    }
}
