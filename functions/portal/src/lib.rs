//! The browser client: one HTML shell for every screen, a stylesheet and small ES modules, all
//! embedded at build time and served from the API's origin (no CORS, no build step). The pages
//! run under a strict Content-Security-Policy: no inline script or style, nothing from
//! elsewhere but the documents bucket, which the browser sends files to directly.

use kennin::Deps;
use kennin::http::ApiRequest;
use kennin::pages::{self, Assets, CSS, JS, Pages, Screens, Served};
use lambda_http::{Body, Request, Response};
use std::sync::{Arc, LazyLock};

/// The documents bucket's origin (`https://{bucket}.s3.{region}.amazonaws.com`), set by
/// template.yaml. Unset under kennin-local, whose embedded engine takes uploads on the site's
/// own origin.
pub const BUCKET_ORIGIN_VAR: &str = "KENNIN_BUCKET_ORIGIN";

static CSP: LazyLock<String> =
    LazyLock::new(|| content_security_policy(std::env::var(BUCKET_ORIGIN_VAR).ok().as_deref()));

/// The pages' policy. A presigned upload is a `fetch` to the bucket, so connect-src names the
/// bucket's origin when there is one; img-src takes `blob:` for the thumbnails of the photos
/// scaled in the page before they are sent; an origin of another shape than an HTTPS host is left
/// out rather than let it add to the policy.
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
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
         connect-src 'self'{bucket}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// The screens' addresses and modules (main.js picks the screen from the address, the same way).
const PAGES: [(&str, &str); 8] = [
    ("/portal/", "login"),
    ("/portal/signup", "signup"),
    ("/portal/terms", "terms"),
    ("/portal/contact", "contact"),
    ("/portal/home", "home"),
    ("/portal/settings", "settings"),
    ("/portal/forgot-password", "forgot-password"),
    ("/portal/forgot-id", "forgot-id"),
];

/// A target dependent's page is `/portal/survey/{id}`; main.js accepts the same ids.
const SURVEY_PAGE_PREFIX: &str = "/portal/survey/";
const SURVEY_ID_MAX_LEN: usize = 64;
const SURVEY_SCREEN: &str = "survey";

/// The screens of a logged-in person: their shell keeps the header's place for the person's name
/// from the first paint, so the page does not move down when the name arrives.
const SIGNED_IN_SCREENS: [&str; 5] = ["terms", "contact", "home", "settings", SURVEY_SCREEN];

/// Whether `path` is a dependent's page. The id's shape only: whether it is one of the person's
/// targets is the API's to say, and the page asks it.
fn is_survey_page(path: &str) -> bool {
    path.strip_prefix(SURVEY_PAGE_PREFIX)
        .is_some_and(|id| (1..=SURVEY_ID_MAX_LEN).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The screen shown at `path`, if it is one of the portal's addresses.
fn screen_at(path: &str) -> Option<&'static str> {
    pages::screen_at(&PAGES, path, |path| is_survey_page(path).then_some(SURVEY_SCREEN))
}

const SHELL_HTML: &str = include_str!("../assets/portal.html");
/// The API's OpenAPI 3.1 document, kept in step with template.yaml by a test.
pub const OPENAPI: &str = include_str!("../assets/openapi.json");

const ASSETS_PREFIX: &str = "/portal/assets/";
static ASSETS: LazyLock<Assets> = LazyLock::new(|| Assets::new(ASSETS_PREFIX, &FILES));
/// The shell, naming the assets' current folder (the "not found" screen's).
static SHELL: LazyLock<Served> = LazyLock::new(|| ASSETS.shell(SHELL_HTML));
/// Each screen's shell, its modules preloaded.
static SCREENS: LazyLock<Screens> = LazyLock::new(|| {
    let screens: Vec<&str> = PAGES.iter().map(|(_, screen)| *screen).chain([SURVEY_SCREEN]).collect();
    Screens::new(&ASSETS, SHELL_HTML, &screens, |screen| {
        SIGNED_IN_SCREENS.contains(&screen)
    })
});
static OPENAPI_DOCUMENT: LazyLock<Served> = LazyLock::new(|| Served::new(OPENAPI));

/// (name under the assets' folder, content type, text)
const FILES: [(&str, &str, &str); 17] = [
    ("portal.css", CSS, include_str!("../assets/portal.css")),
    ("main.js", JS, include_str!("../assets/main.js")),
    ("api.js", JS, include_str!("../assets/api.js")),
    ("request.js", JS, include_str!("../assets/request.js")),
    ("forms.js", JS, include_str!("../assets/forms.js")),
    ("survey.js", JS, include_str!("../assets/survey.js")),
    ("answers.js", JS, include_str!("../assets/answers.js")),
    ("documents.js", JS, include_str!("../assets/documents.js")),
    ("pages/login.js", JS, include_str!("../assets/pages/login.js")),
    ("pages/signup.js", JS, include_str!("../assets/pages/signup.js")),
    ("pages/terms.js", JS, include_str!("../assets/pages/terms.js")),
    ("pages/contact.js", JS, include_str!("../assets/pages/contact.js")),
    ("pages/home.js", JS, include_str!("../assets/pages/home.js")),
    ("pages/survey.js", JS, include_str!("../assets/pages/survey.js")),
    ("pages/settings.js", JS, include_str!("../assets/pages/settings.js")),
    (
        "pages/forgot-password.js",
        JS,
        include_str!("../assets/pages/forgot-password.js"),
    ),
    ("pages/forgot-id.js", JS, include_str!("../assets/pages/forgot-id.js")),
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
        "/" | "/portal" => pages.redirect("/portal/"),
        "/api/openapi.json" => pages.document("application/json; charset=utf-8", &OPENAPI_DOCUMENT),
        path => match (screen_at(path), ASSETS.get(path)) {
            (Some(screen), _) => pages.page(200, SCREENS.shell(screen).unwrap_or(&SHELL)),
            (None, Some(asset)) => pages.asset(asset),
            // The shell shows its "not found" screen for any other address (an asset of an
            // earlier version too: the page that asked is reloaded with the current one).
            (None, None) => pages.page(404, &SHELL),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logged_in_persons_pages_keep_the_headers_place_for_the_name() {
        for (path, screen) in PAGES.iter().copied().chain([("/portal/survey/abc123", SURVEY_SCREEN)]) {
            let shell = body(path);
            let signed_in = SIGNED_IN_SCREENS.contains(&screen);
            assert_eq!(shell.contains(r#"<body class="signed-in">"#), signed_in, "{path}");
            assert_eq!(shell.contains("<body>\n"), !signed_in, "{path}");
        }
    }

    fn body(path: &str) -> String {
        let response = respond("GET", path, false);
        assert_eq!(response.status(), 200, "{path}");
        String::from_utf8(response.body().to_vec()).unwrap()
    }

    #[test]
    fn each_screen_comes_with_its_modules_preloaded() {
        let preloaded = |path: &str| -> Vec<String> {
            body(path)
                .lines()
                .filter_map(|line| line.strip_prefix(r#"<link rel="modulepreload" href=""#))
                .filter_map(|rest| rest.strip_suffix(r#"">"#))
                .map(|address| {
                    address
                        .rsplit_once(&format!("{}/", ASSETS.version()))
                        .unwrap()
                        .1
                        .to_string()
                })
                .collect()
        };
        assert_eq!(
            preloaded("/portal/survey/abc123"),
            [
                "pages/survey.js",
                "answers.js",
                "survey.js",
                "api.js",
                "request.js",
                "forms.js"
            ]
        );
        assert_eq!(
            preloaded("/portal/"),
            ["pages/login.js", "api.js", "request.js", "forms.js"]
        );
        for (path, screen) in PAGES {
            let modules = preloaded(path);
            assert_eq!(modules[0], format!("pages/{screen}.js"), "{path}");
            for module in &modules {
                let address = format!("{ASSETS_PREFIX}{}/{module}", ASSETS.version());
                assert_eq!(respond("GET", &address, false).status(), 200, "{module}");
            }
        }
    }

    #[test]
    fn every_module_the_pages_import_is_served() {
        for (path, asset) in ASSETS.paths() {
            let response = respond("GET", &path, true);
            assert_eq!(response.status(), 200, "{}", asset.name);
            assert_eq!(
                response.headers()["cache-control"],
                "public, max-age=31536000, immutable"
            );
            assert_eq!(response.headers()["content-encoding"], "gzip");
        }
        let assets = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/pages")).unwrap();
        for entry in assets {
            let name = format!("pages/{}", entry.unwrap().file_name().to_string_lossy());
            assert!(FILES.iter().any(|(n, ..)| *n == name), "{name} is not embedded");
        }
        assert_eq!(ASSETS.missing_imports(), []);
        let shell = SHELL.text();
        for name in ["portal.css", "main.js"] {
            let path = format!("{ASSETS_PREFIX}{}/{name}", ASSETS.version());
            assert!(shell.contains(&format!("\"{path}\"")), "the shell names {path}");
        }
        assert_eq!(respond("GET", "/portal/assets/main.js", false).status(), 404);
    }

    /// What the pages tell people about the rules, each number written from the constant that
    /// enforces it. Every number with a unit in the pages must be inside one of these, so a
    /// constant changed without its help text, or a new number that comes from no constant,
    /// fails here.
    fn stated_rules() -> Vec<String> {
        use kennin::clock::japanese_duration;
        use kennin::domain::{InsurerCode, Password, PostalCode, UserId, VerificationCode};
        let range = |r: std::ops::RangeInclusive<usize>| format!("{}文字以上{}文字以内", r.start(), r.end());
        vec![
            format!(
                "パスワードを{}回続けて間違えると、そのユーザーIDは{}間ログインできなくなります",
                kennin::lockout::MAX_LOGIN_FAILURES,
                japanese_duration(kennin::lockout::LOCK_SECONDS)
            ),
            format!("{}桁の数字（例: 0904）", InsurerCode::DIGITS),
            format!("{}。ほかの方と同じIDは登録できません", range(UserId::LENGTH)),
            // 「1文字以上」: at least one of each kind, which is what the rule says, not a setting.
            format!("記号をそれぞれ1文字以上含めて{}", range(Password::LENGTH)),
            format!("メールに記載の{}桁の数字を入力", VerificationCode::DIGITS),
            format!(
                "前回の送信から{}後に送り直せます",
                japanese_duration(kennin::codes::RESEND_INTERVAL_SECONDS)
            ),
            format!("{}桁の数字（例: 100-0001）", PostalCode::DIGITS),
        ]
    }

    /// The byte offsets of the numbers followed by a unit of count or time (「20文字」「30分」).
    fn stated_numbers(text: &str) -> Vec<usize> {
        const UNITS: [&str; 7] = ["文字", "分", "回", "時間", "桁", "秒", "日"];
        let mut found = Vec::new();
        let mut start = None;
        for (at, c) in text.char_indices() {
            match (c.is_ascii_digit(), start) {
                (true, None) => start = Some(at),
                (false, Some(from)) => {
                    if UNITS.iter().any(|unit| text[at..].starts_with(unit)) {
                        found.push(from);
                    }
                    start = None;
                }
                _ => {}
            }
        }
        found
    }

    #[test]
    fn the_help_texts_state_the_rules_as_the_code_enforces_them() {
        let rules = stated_rules();
        let pages =
            std::iter::once(("portal.html", SHELL_HTML)).chain(FILES.iter().map(|(name, _, body)| (*name, *body)));
        let mut unstated: Vec<&String> = rules.iter().collect();
        for (name, text) in pages {
            let statements: Vec<(usize, usize)> = rules
                .iter()
                .flat_map(|rule| text.match_indices(rule.as_str()).map(|(at, s)| (at, at + s.len())))
                .collect();
            unstated.retain(|rule| !text.contains(rule.as_str()));
            for at in stated_numbers(text) {
                let line = text[..at].lines().count();
                assert!(
                    statements.iter().any(|(from, to)| (*from..*to).contains(&at)),
                    "{name}:{line}: a number that no rule constant states: {}",
                    text[at..].lines().next().unwrap_or_default()
                );
            }
        }
        assert!(unstated.is_empty(), "no page says: {unstated:?}");
    }

    #[test]
    fn pages_carry_a_strict_policy() {
        let response = respond("GET", "/portal/signup", false);
        let csp = response.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(respond("GET", "/", false).status(), 302);
        assert_eq!(respond("GET", "/portal/nowhere", false).status(), 404);
        assert_eq!(respond("POST", "/portal/", false).status(), 405);
    }

    #[test]
    fn the_policy_lets_the_browser_upload_to_the_documents_bucket_only_when_there_is_one() {
        let local = content_security_policy(None);
        assert!(local.contains("connect-src 'self';"), "{local}");
        let bucket = "https://kennin-prod-docs-123456789012-ap-northeast-1.s3.ap-northeast-1.amazonaws.com";
        let deployed = content_security_policy(Some(bucket));
        assert!(
            deployed.contains(&format!("connect-src 'self' {bucket};")),
            "{deployed}"
        );
        assert_eq!(deployed.matches(bucket).count(), 1, "connect-src only: {deployed}");
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
    fn the_policy_shows_the_pages_own_thumbnails_and_nothing_else_from_blobs() {
        for policy in [
            content_security_policy(None),
            content_security_policy(Some("https://b.s3.amazonaws.com")),
        ] {
            assert!(policy.contains("img-src 'self' data: blob:;"), "{policy}");
            assert_eq!(policy.matches("blob:").count(), 1, "img-src only: {policy}");
        }
    }

    #[test]
    fn a_dependents_page_is_served_for_any_id_of_letters_and_digits() {
        let longest = "A".repeat(SURVEY_ID_MAX_LEN);
        for id in ["01JABCDEFGHJKMNPQRSTVWXYZ0", "abc234xyz", "7", longest.as_str()] {
            let response = respond("GET", &format!("/portal/survey/{id}"), false);
            assert_eq!(response.status(), 200, "{id}");
            assert_eq!(response.headers()["cache-control"], "no-store");
        }
        let too_long = "A".repeat(SURVEY_ID_MAX_LEN + 1);
        for path in [
            "/portal/survey/",
            "/portal/survey",
            "/portal/survey/abc/def",
            "/portal/survey/abc-def",
            "/portal/survey/%41",
            "/portal/survey/ＡＢＣ",
            &format!("/portal/survey/{too_long}"),
        ] {
            assert_eq!(respond("GET", path, false).status(), 404, "{path}");
        }
    }
}
