//! How the browser clients' embedded files are answered (the portal's and the console's): every
//! answer carries the client's Content-Security-Policy and the same hardening headers; an HTML
//! page is never stored (a shared computer's back button should not bring back a screen of
//! someone's data), a script or stylesheet is cached for a few minutes.

use lambda_http::http::response::Builder;
use lambda_http::{Body, Response};

pub const HTML: &str = "text/html; charset=utf-8";
pub const JS: &str = "text/javascript; charset=utf-8";
pub const CSS: &str = "text/css; charset=utf-8";

/// The answers of one client, under its policy.
#[derive(Debug, Clone, Copy)]
pub struct Pages<'a> {
    content_security_policy: &'a str,
}

impl<'a> Pages<'a> {
    pub fn new(content_security_policy: &'a str) -> Self {
        Self {
            content_security_policy,
        }
    }

    /// An HTML page (or the shell of a client that picks its screen from the address).
    pub fn page(self, status: u16, body: &str) -> Response<Body> {
        build(
            self.secured(status)
                .header("content-type", HTML)
                .header("cache-control", "no-store"),
            body,
        )
    }

    pub fn asset(self, content_type: &str, body: &str) -> Response<Body> {
        build(
            self.secured(200)
                .header("content-type", content_type)
                .header("cache-control", "public, max-age=300"),
            body,
        )
    }

    pub fn redirect(self, to: &str) -> Response<Body> {
        build(
            self.secured(302)
                .header("location", to)
                .header("cache-control", "no-store"),
            "",
        )
    }

    fn secured(self, status: u16) -> Builder {
        Response::builder()
            .status(status)
            .header("content-security-policy", self.content_security_policy)
            .header("x-content-type-options", "nosniff")
            .header("strict-transport-security", crate::http::HSTS)
            .header("x-frame-options", "DENY")
            .header("referrer-policy", "no-referrer")
            .header(
                "permissions-policy",
                "camera=(), microphone=(), geolocation=(), payment=()",
            )
            .header("cross-origin-opener-policy", "same-origin")
    }
}

fn build(builder: Builder, body: &str) -> Response<Body> {
    builder
        .body(Body::Text(body.to_string()))
        .unwrap_or_else(|_| Response::new(Body::Empty))
}
