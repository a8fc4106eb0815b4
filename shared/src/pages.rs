//! How the browser clients' embedded files are answered (the portal's and the console's): every
//! answer carries the client's Content-Security-Policy and the same hardening headers; an HTML
//! page is never stored (a shared computer's back button should not bring back a screen of
//! someone's data). Stylesheets and modules live under a folder named for their content
//! (`Assets`), so the browser keeps them for a year and a returning page asks for none of them.
//! Whatever the browser accepts gzipped is sent gzipped, compressed once per file and process.

use crate::compression::{Level, gzipped};
use lambda_http::http::response::Builder;
use lambda_http::{Body, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

pub const HTML: &str = "text/html; charset=utf-8";
pub const JS: &str = "text/javascript; charset=utf-8";
pub const CSS: &str = "text/css; charset=utf-8";

/// A versioned file never changes at its address: the browser may keep it for a year without
/// asking again.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Hex digits of the content digest naming the version's folder.
const VERSION_LEN: usize = 12;

/// Text served as it is, or gzipped (compressed on first demand, then kept).
#[derive(Debug)]
pub struct Served {
    text: String,
    gzipped: OnceLock<Vec<u8>>,
}

impl Served {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            gzipped: OnceLock::new(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    fn body(&self, gzip: bool) -> Body {
        if gzip {
            Body::Binary(self.gzipped.get_or_init(|| gzipped(&self.text, Level::best())).clone())
        } else {
            Body::Text(self.text.clone())
        }
    }
}

/// One embedded file: its name under the version's folder and its content type.
#[derive(Debug)]
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub content: Served,
}

/// A client's stylesheets and ES modules, at `{prefix}{version}/{name}`: the version is a digest
/// of every file, so a change to any file moves them all to a new folder (modules import one
/// another by relative paths, which stay inside it).
#[derive(Debug)]
pub struct Assets {
    prefix: &'static str,
    version: String,
    files: Vec<Asset>,
}

impl Assets {
    /// `files`: (name, content type, text) of each file under `prefix` (`/portal/assets/`).
    pub fn new(prefix: &'static str, files: &[(&'static str, &'static str, &'static str)]) -> Self {
        let mut digest = Sha256::new();
        for (name, _, text) in files {
            digest.update(name.as_bytes());
            digest.update([0]);
            digest.update(text.as_bytes());
            digest.update([0]);
        }
        let version = hex::encode(digest.finalize())[..VERSION_LEN].to_string();
        let files = files
            .iter()
            .map(|&(name, content_type, text)| Asset {
                name,
                content_type,
                content: Served::new(text),
            })
            .collect();
        Self { prefix, version, files }
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// The client's HTML with every address under the prefix pointing into the version's folder.
    pub fn shell(&self, html: &str) -> Served {
        Served::new(self.versioned(html))
    }

    /// The shell of one screen: as `shell`, with the screen's module (`pages/{screen}.js`) and
    /// every module it imports preloaded. Left to the browser, each level of imports is found
    /// only once the one above has arrived: a round trip per level, 400 ms each on a slow phone.
    pub fn screen_shell(&self, html: &str, screen: &str) -> Served {
        let links: String = self
            .imported_with(&format!("pages/{screen}.js"))
            .into_iter()
            .map(|name| {
                format!(
                    "<link rel=\"modulepreload\" href=\"{}{}/{name}\">\n",
                    self.prefix, self.version
                )
            })
            .collect();
        Served::new(self.versioned(html).replacen("</head>", &format!("{links}</head>"), 1))
    }

    /// Every relative import that names none of this client's files, as (module, specifier):
    /// empty when every module's imports are served.
    pub fn missing_imports(&self) -> Vec<(&'static str, String)> {
        self.files
            .iter()
            .flat_map(|asset| {
                static_imports(asset.content.text())
                    .filter(|specifier| specifier.starts_with('.'))
                    .filter(|specifier| {
                        resolve(asset.name, specifier)
                            .is_none_or(|name| self.files.iter().all(|file| file.name != name))
                    })
                    .map(|specifier| (asset.name, specifier.to_string()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn versioned(&self, html: &str) -> String {
        html.replace(self.prefix, &format!("{}{}/", self.prefix, self.version))
    }

    /// `module` and the modules it imports, directly or through others, each once, in the
    /// order first met. Only this client's own files count (relative specifiers).
    fn imported_with(&self, module: &str) -> Vec<&'static str> {
        let mut found: Vec<&'static str> = Vec::new();
        let mut queue = vec![module.to_string()];
        while let Some(name) = queue.pop() {
            let Some(asset) = self.files.iter().find(|asset| asset.name == name) else {
                continue;
            };
            if found.contains(&asset.name) {
                continue;
            }
            found.push(asset.name);
            let imports = static_imports(asset.content.text()).filter_map(|specifier| resolve(asset.name, specifier));
            let mut imports: Vec<String> = imports.collect();
            imports.reverse();
            queue.extend(imports);
        }
        found
    }

    /// The file at `path`, if it is one of this version's.
    pub fn get(&self, path: &str) -> Option<&Asset> {
        let (version, name) = path.strip_prefix(self.prefix)?.split_once('/')?;
        if version != self.version {
            return None;
        }
        self.files.iter().find(|asset| asset.name == name)
    }

    /// Every file's address.
    pub fn paths(&self) -> impl Iterator<Item = (String, &Asset)> {
        self.files
            .iter()
            .map(|asset| (format!("{}{}/{}", self.prefix, self.version, asset.name), asset))
    }
}

/// A client's screens' shells, one per screen module (`pages/{screen}.js`): each with its modules
/// preloaded, a signed-in screen's body marked `signed-in` (its stylesheet then keeps the header's
/// place for what fills in once the API says who is signed in).
#[derive(Debug)]
pub struct Screens {
    shells: Vec<(&'static str, Served)>,
}

impl Screens {
    pub fn new(assets: &Assets, html: &str, screens: &[&'static str], signed_in: impl Fn(&str) -> bool) -> Self {
        let marked = html.replacen("<body>", r#"<body class="signed-in">"#, 1);
        let shells = screens
            .iter()
            .map(|&screen| {
                let html = if signed_in(screen) { &marked } else { html };
                (screen, assets.screen_shell(html, screen))
            })
            .collect();
        Self { shells }
    }

    pub fn shell(&self, screen: &str) -> Option<&Served> {
        self.shells
            .iter()
            .find(|(name, _)| *name == screen)
            .map(|(_, shell)| shell)
    }
}

/// The screen a client shows at `path`: the one `pages` names for it, else `other`'s (an address
/// with an ID in it).
pub fn screen_at(
    pages: &[(&str, &'static str)],
    path: &str,
    other: impl FnOnce(&str) -> Option<&'static str>,
) -> Option<&'static str> {
    pages
        .iter()
        .find(|(address, _)| *address == path)
        .map(|(_, screen)| *screen)
        .or_else(|| other(path))
}

/// The specifiers of a module's static imports (`import … from './x.js'`, `import './x.js'`);
/// dynamic `import()` is the screen's choice at run time and is not followed.
fn static_imports(source: &str) -> impl Iterator<Item = &str> {
    ["from ", "import "].into_iter().flat_map(move |keyword| {
        source.match_indices(keyword).filter_map(move |(at, _)| {
            let rest = &source[at + keyword.len()..];
            let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
            let specifier = &rest[1..];
            specifier.find(quote).map(|end| &specifier[..end])
        })
    })
}

/// The asset name a relative specifier names from the module `from` (`pages/x.js` importing
/// `../api.js` is `api.js`); `None` for anything else (a bare or absolute specifier).
fn resolve(from: &str, specifier: &str) -> Option<String> {
    if !specifier.starts_with("./") && !specifier.starts_with("../") {
        return None;
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in specifier.split('/') {
        match part {
            "." => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    Some(parts.join("/"))
}

/// The answers of one client, under its policy.
#[derive(Debug, Clone, Copy)]
pub struct Pages<'a> {
    content_security_policy: &'a str,
    gzip: bool,
}

impl<'a> Pages<'a> {
    /// `gzip`: the browser accepts gzip (`ApiRequest::accepts_gzip`).
    pub fn new(content_security_policy: &'a str, gzip: bool) -> Self {
        Self {
            content_security_policy,
            gzip,
        }
    }

    /// An HTML page (or the shell of a client that picks its screen from the address).
    pub fn page(self, status: u16, page: &Served) -> Response<Body> {
        self.compressed(
            self.secured(status)
                .header("content-type", HTML)
                .header("cache-control", "no-store"),
            page,
        )
    }

    pub fn asset(self, asset: &Asset) -> Response<Body> {
        self.compressed(
            self.secured(200)
                .header("content-type", asset.content_type)
                .header("cache-control", IMMUTABLE),
            &asset.content,
        )
    }

    /// A file whose address does not change with it (the API's OpenAPI document): kept for a
    /// few minutes.
    pub fn document(self, content_type: &str, document: &Served) -> Response<Body> {
        self.compressed(
            self.secured(200)
                .header("content-type", content_type)
                .header("cache-control", "public, max-age=300"),
            document,
        )
    }

    pub fn redirect(self, to: &str) -> Response<Body> {
        self.secured(302)
            .header("location", to)
            .header("cache-control", "no-store")
            .body(Body::Empty)
            .unwrap_or_else(|_| Response::new(Body::Empty))
    }

    fn compressed(self, builder: Builder, served: &Served) -> Response<Body> {
        let builder = builder.header("vary", "accept-encoding");
        let builder = if self.gzip {
            builder.header("content-encoding", "gzip")
        } else {
            builder
        };
        builder
            .body(served.body(self.gzip))
            .unwrap_or_else(|_| Response::new(Body::Empty))
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

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;
    use std::io::Read;

    const FILES: [(&str, &str, &str); 2] = [("main.js", JS, "import './a.js';"), ("a.js", JS, "export {};")];

    #[test]
    fn files_live_in_a_folder_named_for_their_content() {
        let assets = Assets::new("/portal/assets/", &FILES);
        let version = assets.version().to_string();
        assert_eq!(version.len(), VERSION_LEN);
        assert_eq!(
            assets.get(&format!("/portal/assets/{version}/main.js")).unwrap().name,
            "main.js"
        );
        assert!(assets.get("/portal/assets/main.js").is_none(), "no unversioned address");
        assert!(
            assets.get("/portal/assets/000000000000/main.js").is_none(),
            "no other version"
        );
        let shell = assets.shell(r#"<script type="module" src="/portal/assets/main.js"></script>"#);
        assert_eq!(
            shell.text(),
            format!(r#"<script type="module" src="/portal/assets/{version}/main.js"></script>"#)
        );
        let changed = Assets::new("/portal/assets/", &[FILES[0], ("a.js", JS, "export const a = 1;")]);
        assert_ne!(changed.version(), version, "any change moves every file");
    }

    #[test]
    fn a_screens_shell_preloads_its_module_and_every_module_under_it() {
        let files = [
            ("main.js", JS, "const page = await import(`./pages/${name}.js`);"),
            (
                "pages/a.js",
                JS,
                "import { api } from '../api.js';\nimport {\n  fill,\n} from \"../forms.js\";\n// not an import: from 'x'",
            ),
            (
                "api.js",
                JS,
                "import { request } from './request.js';\nexport const api = 1;",
            ),
            ("forms.js", JS, "import './api.js';"),
            ("request.js", JS, "export const request = 1;"),
            ("pages/b.js", JS, "export {};"),
        ];
        let assets = Assets::new("/c/assets/", &files);
        let version = assets.version().to_string();
        let shell = assets.screen_shell("<head>\n</head><body></body>", "a");
        let preloaded: Vec<&str> = shell
            .text()
            .lines()
            .filter_map(|line| line.strip_prefix("<link rel=\"modulepreload\" href=\""))
            .filter_map(|rest| rest.strip_suffix("\">"))
            .collect();
        let named = |name: &str| format!("/c/assets/{version}/{name}");
        assert_eq!(
            preloaded,
            [
                named("pages/a.js"),
                named("api.js"),
                named("request.js"),
                named("forms.js")
            ]
        );
        assert!(
            assets
                .screen_shell("<head></head>", "b")
                .text()
                .matches("modulepreload")
                .count()
                == 1,
            "a screen without imports preloads itself only"
        );
        assert!(assets.missing_imports().is_empty());
        let broken = Assets::new("/c/assets/", &[files[1], files[2], files[4]]);
        assert_eq!(broken.missing_imports(), [("pages/a.js", "../forms.js".to_string())]);
        assert_eq!(resolve("pages/a.js", "../../x.js"), None, "nothing above the folder");
        assert_eq!(resolve("a.js", "x.js"), None, "a bare specifier is not a file of ours");
    }

    #[test]
    fn a_versioned_file_is_kept_a_year_and_sent_gzipped_when_accepted() {
        let assets = Assets::new("/portal/assets/", &FILES);
        let (_, asset) = assets.paths().next().unwrap();
        let plain = Pages::new("default-src 'none'", false).asset(asset);
        assert_eq!(plain.headers()["cache-control"], IMMUTABLE);
        assert!(plain.headers().get("content-encoding").is_none());
        assert_eq!(plain.body(), &Body::Text("import './a.js';".into()));
        let zipped = Pages::new("default-src 'none'", true).asset(asset);
        assert_eq!(zipped.headers()["content-encoding"], "gzip");
        assert_eq!(zipped.headers()["vary"], "accept-encoding");
        let Body::Binary(bytes) = zipped.body() else {
            panic!("a gzipped body is binary");
        };
        let mut text = String::new();
        GzDecoder::new(bytes.as_slice()).read_to_string(&mut text).unwrap();
        assert_eq!(text, "import './a.js';");
    }
}
