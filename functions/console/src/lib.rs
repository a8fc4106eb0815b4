//! The staff console's browser client: one HTML shell for every screen under /admin/, a
//! stylesheet and small ES modules, embedded at build time and served from the API's origin, as
//! the portal is. The pages run under a strict Content-Security-Policy: no inline script or
//! style, nothing from elsewhere but the documents bucket, whose short-lived URLs show a target's
//! documents in the page.

use kennin::Deps;
use kennin::http::ApiRequest;
use kennin::pages::{self, Assets, CSS, JS, Pages, Screens, Served};
use lambda_http::{Body, Request, Response};
use std::sync::{Arc, LazyLock};

/// The documents bucket's origin (`https://{bucket}.s3.{region}.amazonaws.com`), set by
/// template.yaml. Unset under kennin-local, whose embedded engine serves documents on the site's
/// own origin (/_local/blobs/).
pub const BUCKET_ORIGIN_VAR: &str = "KENNIN_BUCKET_ORIGIN";

static CSP: LazyLock<String> =
    LazyLock::new(|| content_security_policy(std::env::var(BUCKET_ORIGIN_VAR).ok().as_deref()));

/// The console's policy. A reviewer sees a target's documents in the page: an image is an `<img>`
/// of the API's document route, which redirects to a short-lived URL (img-src: the bucket's
/// origin, or the site's own under kennin-local); a PDF is fetched from the same route
/// (connect-src: the bucket, whose CORS rule admits the site's GETs) and shown from a `blob:` URL
/// in an `<iframe>` (frame-src blob: only), so that the browser's PDF viewer shows it whatever
/// Content-Disposition the bucket sends, and no other site can be framed. object-src stays 'none'
/// (default-src), the console may not be framed itself (frame-ancestors), and img-src takes
/// `data:` for the QR code of the second factor, drawn by the server as SVG and shown as an
/// image, where nothing in it can run. An origin of another shape than an HTTPS host is left out
/// rather than let it add to the policy.
pub fn content_security_policy(bucket_origin: Option<&str>) -> String {
    let bucket = bucket_origin
        .filter(|origin| {
            origin.strip_prefix("https://").is_some_and(|host| {
                !host.is_empty()
                    && host
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
            })
        })
        .map(|origin| format!(" {origin}"))
        .unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{bucket}; \
         frame-src blob:; connect-src 'self'{bucket}; form-action 'self'; base-uri 'none'; \
         frame-ancestors 'none'"
    )
}

/// The screens' addresses and modules (main.js picks the screen from the address, the same way).
const PAGES: [(&str, &str); 8] = [
    ("/admin/", "dashboard"),
    ("/admin/login", "login"),
    ("/admin/invitation", "invitation"),
    ("/admin/targets", "targets"),
    ("/admin/people", "people"),
    ("/admin/staff", "staff"),
    ("/admin/audit", "audit"),
    ("/admin/export", "export"),
];
const TARGET_SCREEN: &str = "target";

/// The screens before sign-in; every other one is a signed-in member's, whose shell keeps the
/// header's place for the member's name, the menu and ログアウト from the first paint, so that
/// the screen does not move down when they arrive.
const SIGNED_OUT_SCREENS: [&str; 2] = ["login", "invitation"];

/// A target's review page is `/admin/targets/{symbol}-{number}-{id}` (kennin::console::TargetRef);
/// main.js accepts the same shape. Whether it names one of the union's targets is the API's to say.
const TARGET_PAGE_PREFIX: &str = "/admin/targets/";
const TARGET_REF_MAX_LEN: usize = 80;

fn is_target_page(path: &str) -> bool {
    path.strip_prefix(TARGET_PAGE_PREFIX).is_some_and(|reference| {
        (1..=TARGET_REF_MAX_LEN).contains(&reference.len())
            && reference.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

/// Where the shell takes the portal's 調査票 form: a reviewer reads the answers in the form's own
/// words, and the call center enters them for a person (代行入力) in the form the person sees.
const ANSWERS_FORM_MARK: &str = "<!-- the portal's answers form -->";

const ASSETS_PREFIX: &str = "/admin/assets/";
static ASSETS: LazyLock<Assets> = LazyLock::new(|| Assets::new(ASSETS_PREFIX, &FILES));
static SHELL_HTML: LazyLock<String> =
    LazyLock::new(|| include_str!("../assets/console.html").replace(ANSWERS_FORM_MARK, portal_answers_form()));
/// The shell, with the portal's form and naming the assets' current folder (the "not found"
/// screen's).
static SHELL: LazyLock<Served> = LazyLock::new(|| ASSETS.shell(&SHELL_HTML));
/// Each screen's shell, its modules preloaded.
static SCREENS: LazyLock<Screens> = LazyLock::new(|| {
    let screens: Vec<&str> = PAGES.iter().map(|(_, screen)| *screen).chain([TARGET_SCREEN]).collect();
    Screens::new(&ASSETS, &SHELL_HTML, &screens, |screen| {
        !SIGNED_OUT_SCREENS.contains(&screen)
    })
});

/// The screen shown at `path`, if it is one of the console's addresses.
fn screen_at(path: &str) -> Option<&'static str> {
    pages::screen_at(&PAGES, path, |path| is_target_page(path).then_some(TARGET_SCREEN))
}

/// The portal's `<form id="answers-form">` and the `<template id="income-line">` after it.
fn portal_answers_form() -> &'static str {
    const PORTAL: &str = include_str!("../../portal/assets/portal.html");
    const TEMPLATE_END: &str = "</template>";
    let start = PORTAL.find("<form id=\"answers-form\"").unwrap_or(PORTAL.len());
    let end = PORTAL[start..]
        .find(TEMPLATE_END)
        .map_or(start, |at| start + at + TEMPLATE_END.len());
    &PORTAL[start..end]
}

/// (name under the assets' folder, content type, text). portal.css (under console.css, which adds
/// the console's wider screens), request.js, forms.js, answers.js and survey.js are the portal's own (the same field messages, one request at a time, the 調査票's answers read and
/// told in the form's words); they import the console's api.js beside them.
const FILES: [(&str, &str, &str); 19] = [
    ("portal.css", CSS, include_str!("../../portal/assets/portal.css")),
    ("console.css", CSS, include_str!("../assets/console.css")),
    ("main.js", JS, include_str!("../assets/main.js")),
    ("api.js", JS, include_str!("../assets/api.js")),
    ("request.js", JS, include_str!("../../portal/assets/request.js")),
    ("forms.js", JS, include_str!("../../portal/assets/forms.js")),
    ("answers.js", JS, include_str!("../../portal/assets/answers.js")),
    ("survey.js", JS, include_str!("../../portal/assets/survey.js")),
    ("format.js", JS, include_str!("../assets/format.js")),
    ("chart.js", JS, include_str!("../assets/chart.js")),
    ("pages/login.js", JS, include_str!("../assets/pages/login.js")),
    ("pages/invitation.js", JS, include_str!("../assets/pages/invitation.js")),
    ("pages/dashboard.js", JS, include_str!("../assets/pages/dashboard.js")),
    ("pages/targets.js", JS, include_str!("../assets/pages/targets.js")),
    ("pages/target.js", JS, include_str!("../assets/pages/target.js")),
    ("pages/people.js", JS, include_str!("../assets/pages/people.js")),
    ("pages/staff.js", JS, include_str!("../assets/pages/staff.js")),
    ("pages/audit.js", JS, include_str!("../assets/pages/audit.js")),
    ("pages/export.js", JS, include_str!("../assets/pages/export.js")),
];

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    let request = ApiRequest::new(request, &deps.config);
    let response = respond(request.method(), request.path(), request.accepts_gzip());
    request.finish_page(response)
}

fn respond(method: &str, path: &str, gzip: bool) -> Response<Body> {
    let pages = Pages::new(&CSP, gzip);
    if method != "GET" && method != "HEAD" {
        return pages.page(405, &SHELL);
    }
    match path {
        "/admin" => pages.redirect("/admin/"),
        path => match (screen_at(path), ASSETS.get(path)) {
            (Some(screen), _) => pages.page(200, SCREENS.shell(screen).unwrap_or(&SHELL)),
            (None, Some(asset)) => pages.asset(asset),
            // The shell shows its "not found" screen for any other address.
            (None, None) => pages.page(404, &SHELL),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_module_the_pages_import_is_served() {
        for (path, asset) in ASSETS.paths() {
            let response = respond("GET", &path, true);
            assert_eq!(response.status(), 200, "{}", asset.name);
            assert_eq!(response.headers()["content-encoding"], "gzip");
        }
        assert_eq!(respond("GET", "/admin/assets/main.js", false).status(), 404);
        let pages = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/pages")).unwrap();
        for entry in pages {
            let name = format!("pages/{}", entry.unwrap().file_name().to_string_lossy());
            assert!(FILES.iter().any(|(n, ..)| *n == name), "{name} is not embedded");
        }
        assert_eq!(ASSETS.missing_imports(), []);
        for (path, screen) in PAGES
            .iter()
            .copied()
            .chain([("/admin/targets/1234-56-abc", TARGET_SCREEN)])
        {
            let response = respond("GET", path, false);
            assert_eq!(response.status(), 200, "{path}");
            let shell = String::from_utf8(response.body().to_vec()).unwrap();
            let module = format!("{ASSETS_PREFIX}{}/pages/{screen}.js", ASSETS.version());
            assert!(
                shell.contains(&format!(r#"<link rel="modulepreload" href="{module}">"#)),
                "{path} preloads its screen"
            );
            assert_eq!(
                shell.contains(r#"<body class="signed-in">"#),
                !SIGNED_OUT_SCREENS.contains(&screen),
                "{path}: a signed-in member's screen keeps the header's place"
            );
        }
    }

    #[test]
    fn the_shell_holds_the_portals_answers_form() {
        let shell = SHELL.text();
        assert!(!shell.contains(ANSWERS_FORM_MARK));
        assert!(shell.contains("<form id=\"answers-form\"") && shell.contains("<template id=\"income-line\">"));
        assert_eq!(shell.matches("<form id=\"answers-form\"").count(), 1);
        for name in ["portal.css", "console.css", "main.js"] {
            assert!(
                shell.contains(&format!("\"{ASSETS_PREFIX}{}/{name}\"", ASSETS.version())),
                "{name}"
            );
        }
    }

    #[test]
    fn pages_carry_a_strict_policy() {
        let response = respond("GET", "/admin/login", false);
        let csp = response.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("frame-src blob:;"));
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(respond("GET", "/admin", false).status(), 302);
        assert_eq!(respond("GET", "/admin/nowhere", false).status(), 404);
        assert_eq!(respond("POST", "/admin/", false).status(), 405);
    }

    #[test]
    fn the_policy_shows_documents_from_the_bucket_only_when_there_is_one() {
        let local = content_security_policy(None);
        assert!(local.contains("img-src 'self' data:;"), "{local}");
        assert!(local.contains("connect-src 'self';"), "{local}");
        let bucket = "https://kennin-prod-docs-123456789012-ap-northeast-1.s3.ap-northeast-1.amazonaws.com";
        let deployed = content_security_policy(Some(bucket));
        assert!(
            deployed.contains(&format!("img-src 'self' data: {bucket};")),
            "{deployed}"
        );
        assert!(
            deployed.contains(&format!("connect-src 'self' {bucket};")),
            "{deployed}"
        );
        assert_eq!(
            deployed.matches(bucket).count(),
            2,
            "img-src and connect-src only: {deployed}"
        );
        for policy in [&local, &deployed] {
            assert!(
                policy.contains("frame-src blob:;"),
                "PDFs from the page's own blobs only: {policy}"
            );
            assert!(!policy.contains("object-src"), "no plugins: {policy}");
        }
        for unusable in [
            "",
            "http://bucket.s3.amazonaws.com",
            "https://",
            "https://bucket.s3.amazonaws.com; script-src *",
            "https://Bucket.s3.amazonaws.com",
            "https://bucket.s3.amazonaws.com/path",
        ] {
            assert_eq!(content_security_policy(Some(unusable)), local, "{unusable}");
        }
    }

    #[test]
    fn a_targets_page_is_served_for_any_reference_of_its_shape() {
        let reference = format!("1001-1-{}", "a".repeat(32));
        assert_eq!(
            respond("GET", &format!("/admin/targets/{reference}"), false).status(),
            200
        );
        for path in [
            "/admin/targets/",
            "/admin/targets/a/b",
            "/admin/targets/%41",
            &format!("/admin/targets/{}", "1".repeat(TARGET_REF_MAX_LEN + 1)),
        ] {
            assert_eq!(respond("GET", path, false).status(), 404, "{path}");
        }
    }
}
