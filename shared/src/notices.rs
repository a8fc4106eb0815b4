//! Notices (お知らせ): the site's own, shown on the login page (サイトからのお知らせ), and each
//! union's, shown on its members' top page (組合からのお知らせ).
//!
//! A scope's notices live under one partition, sorted by date and then by the order they were
//! posted (the id is time-ordered), so listing them is one query. Titles and texts are kept
//! exactly as given: clients render them as text, never as HTML, so nothing is escaped or
//! stripped here and the API hands them out as JSON strings.

use crate::domain::Invalid;
use crate::error::{Error, Fields};
use crate::store::records::{from_item, to_item};
use crate::store::{Cond, ItemStore, Key, StoreError, Write};

/// Whose notices: the whole site's, or one union's.
pub use crate::store::records::NoticeScope as Scope;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use time::Date;

pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_TEXT_CHARS: usize = 4_000;
pub const MAX_LINK_CHARS: usize = 2_000;
const FIRST_YEAR: i32 = 2000;
const LAST_YEAR: i32 = 2100;

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::Site => f.write_str("サイト全体"),
            Scope::Insurer(code) => write!(f, "保険者 {code}"),
        }
    }
}

/// One notice, valid by construction. Serialises as the API shows it (and as it is stored):
/// `{id, date: "2026-04-01", title, text, link?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Notice {
    id: String,
    #[serde(with = "iso_date")]
    #[schemars(with = "String", extend("format" = "date"))]
    date: Date,
    title: String,
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    link: Option<String>,
}

impl Notice {
    /// Checks every field and reports every problem at once (`Error::Invalid`, keyed `date`,
    /// `title`, `text`, `link`). The title loses its surrounding white space; the text is kept
    /// exactly as given; a blank link means none, and a link is kept in its normalised form (what
    /// was checked is what a browser will follow).
    pub fn new(date: Date, title: &str, text: &str, link: Option<&str>) -> Result<Self, Error> {
        let mut fields = Fields::default();
        let date = fields.check("date", check_date(date));
        let title = fields.check("title", check_title(title));
        let text = fields.check("text", check_text(text));
        let link = fields.check("link", parse_link(link.unwrap_or("")));
        fields.finish()?;
        match (date, title, text, link) {
            (Some(date), Some(title), Some(text), Some(link)) => Ok(Self {
                id: new_id(),
                date,
                title,
                text,
                link,
            }),
            _ => unreachable!("every field is checked above"),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn date(&self) -> Date {
        self.date
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn link(&self) -> Option<&str> {
        self.link.as_deref()
    }

    /// `2026-04-01`.
    pub fn iso_date(&self) -> String {
        iso(self.date)
    }

    /// `2026.04.01`, as the portal's pages show it.
    pub fn display_date(&self) -> String {
        iso(self.date).replace('-', ".")
    }

    fn key(&self, scope: &Scope) -> Key {
        scope.notice_key(&self.iso_date(), &self.id)
    }
}

/// The answer of `GET /api/notices`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(inline)]
pub struct Listing {
    pub notices: Vec<Notice>,
}

pub async fn add(store: &dyn ItemStore, scope: &Scope, notice: &Notice) -> Result<(), Error> {
    let write = Write::put(notice.key(scope), to_item(notice, None)).when(Cond::NotExists);
    store.transact(vec![write]).await.map_err(Error::from)
}

/// The scope's notices, newest first (by date; on the same date, the one posted last first).
pub async fn list(store: &dyn ItemStore, scope: &Scope) -> Result<Vec<Notice>, Error> {
    let items = store.query(&scope.partition(), Scope::SK_PREFIX).await?;
    let mut notices = items
        .into_iter()
        .map(from_item::<Notice>)
        .collect::<Result<Vec<_>, _>>()?;
    notices.reverse();
    Ok(notices)
}

/// Deletes the scope's notice with the id; false when there is none (any more).
pub async fn remove(store: &dyn ItemStore, scope: &Scope, id: &str) -> Result<bool, Error> {
    let Some(notice) = list(store, scope).await?.into_iter().find(|n| n.id == id) else {
        return Ok(false);
    };
    let write = Write::delete(notice.key(scope)).when(Cond::Exists);
    match store.transact(vec![write]).await {
        Ok(()) => Ok(true),
        Err(StoreError::ConditionFailed { .. }) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// A notice's date as an operator types it: `2026-04-01`, `2026.04.01` or `2026/04/01`
/// (month and day with or without a leading zero).
pub fn parse_date(input: &str) -> Result<Date, Invalid> {
    const MESSAGE: &str = "日付は 2026-04-01 の形式で入力してください。";
    let parts: Vec<&str> = input.trim().split(['-', '.', '/']).collect();
    let [year, month, day] = parts[..] else {
        return Err(Invalid(MESSAGE));
    };
    let number = |s: &str, max_len: usize| -> Result<u16, Invalid> {
        if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid(MESSAGE));
        }
        s.parse().map_err(|_| Invalid(MESSAGE))
    };
    if year.len() != 4 {
        return Err(Invalid(MESSAGE));
    }
    let (year, month, day) = (number(year, 4)?, number(month, 2)?, number(day, 2)?);
    let month = time::Month::try_from(month as u8).map_err(|_| Invalid("存在しない日付です。"))?;
    let date =
        Date::from_calendar_date(i32::from(year), month, day as u8).map_err(|_| Invalid("存在しない日付です。"))?;
    check_date(date)
}

fn check_date(date: Date) -> Result<Date, Invalid> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(Invalid(crate::domain::stated!(
            "日付は{FIRST_YEAR}年から{LAST_YEAR}年までの日付で入力してください。"
        )))
    }
}

fn check_title(input: &str) -> Result<String, Invalid> {
    let title = input.trim();
    if title.is_empty() {
        return Err(Invalid("タイトルを入力してください。"));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(Invalid(crate::domain::stated!(
            "タイトルは{MAX_TITLE_CHARS}文字以内で入力してください。"
        )));
    }
    if title.chars().any(char::is_control) {
        return Err(Invalid("タイトルに改行や制御文字は使えません。"));
    }
    Ok(title.to_string())
}

fn check_text(input: &str) -> Result<String, Invalid> {
    if input.chars().count() > MAX_TEXT_CHARS {
        return Err(Invalid(crate::domain::stated!(
            "本文は{MAX_TEXT_CHARS}文字以内で入力してください。"
        )));
    }
    Ok(input.to_string())
}

/// `https://` URLs, or paths on this site (`/portal/...`); nothing else, so no `javascript:`,
/// `data:` or `http:` link and no `//other.host` that merely looks like a path. Returns the
/// normalised form: what a browser resolves is what was checked.
fn parse_link(input: &str) -> Result<Option<String>, Invalid> {
    const MESSAGE: &str = "リンクは https:// で始まるURLか、/ で始まるサイト内のパスで入力してください。";
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    if input.chars().count() > MAX_LINK_CHARS {
        return Err(Invalid(crate::domain::stated!(
            "リンクは{MAX_LINK_CHARS}文字以内で入力してください。"
        )));
    }
    // Browsers drop tabs and line breaks inside URLs, which could turn `/\t/host` into
    // `//host`; such a link is refused rather than repaired.
    if input.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Invalid(MESSAGE));
    }
    if input.starts_with('/') {
        // Resolved against a stand-in origin as a browser would resolve it against ours: it
        // must stay on that origin (`//host` and `/\host` do not).
        let base = url::Url::parse("https://kennin.invalid/").map_err(|_| Invalid(MESSAGE))?;
        let resolved = base.join(input).map_err(|_| Invalid(MESSAGE))?;
        if resolved.origin() != base.origin() {
            return Err(Invalid(MESSAGE));
        }
        return Ok(Some(resolved[url::Position::BeforePath..].to_string()));
    }
    let url = url::Url::parse(input).map_err(|_| Invalid(MESSAGE))?;
    if url.scheme() != "https" || url.host_str().is_none_or(str::is_empty) {
        return Err(Invalid(MESSAGE));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Invalid("リンクにユーザー名やパスワードを含めることはできません。"));
    }
    Ok(Some(url.to_string()))
}

fn iso(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// A new id that sorts in the order ids were made in this process (and by wall clock across
/// processes): 16 hex digits of time, 8 random.
fn new_id() -> String {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let previous = LAST
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| Some(now.max(last + 1)))
        .unwrap_or(0);
    let stamp = now.max(previous + 1);
    format!("{stamp:016x}{:08x}", rand::random::<u32>())
}

mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::iso(*date))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        let format = time::macros::format_description!("[year]-[month]-[day]");
        Date::parse(&text, &format).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn invalid_fields(result: Result<Notice, Error>) -> Vec<String> {
        match result {
            Err(Error::Invalid(fields)) => fields.into_keys().collect(),
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn title_is_required_and_short() {
        let day = date!(2026 - 04 - 01);
        assert_eq!(invalid_fields(Notice::new(day, "", "", None)), ["title"]);
        assert_eq!(invalid_fields(Notice::new(day, " \u{3000}", "", None)), ["title"]);
        assert_eq!(invalid_fields(Notice::new(day, "改行\nあり", "", None)), ["title"]);
        assert!(Notice::new(day, &"あ".repeat(100), "", None).is_ok());
        assert_eq!(invalid_fields(Notice::new(day, &"あ".repeat(101), "", None)), ["title"]);
        assert_eq!(Notice::new(day, "  お知らせ ", "", None).unwrap().title(), "お知らせ");
    }

    #[test]
    fn text_is_kept_exactly_and_limited_to_4000_chars() {
        let day = date!(2026 - 04 - 01);
        let text = "  <b>太字</b> & \"引用\"\n\t<script>alert(1)</script>  ";
        assert_eq!(Notice::new(day, "t", text, None).unwrap().text(), text);
        assert!(Notice::new(day, "t", &"字".repeat(4000), None).is_ok());
        assert_eq!(
            invalid_fields(Notice::new(day, "t", &"字".repeat(4001), None)),
            ["text"]
        );
    }

    #[test]
    fn links_are_https_urls_or_site_paths_only() {
        let ok = |link: &str| parse_link(link).unwrap().unwrap();
        assert_eq!(ok("https://www.example.jp/a?b=c#d"), "https://www.example.jp/a?b=c#d");
        assert_eq!(ok("HTTPS://Example.JP"), "https://example.jp/");
        assert_eq!(ok("/portal/manual.pdf"), "/portal/manual.pdf");
        assert_eq!(ok("/portal/../docs/案内.pdf"), "/docs/%E6%A1%88%E5%86%85.pdf");
        assert_eq!(parse_link("  ").unwrap(), None);
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "http://www.example.jp/",
            "ftp://example.jp/",
            "mailto:kenpo@example.jp",
            "//evil.example/",
            "/\\evil.example/",
            "/\t/evil.example/",
            "portal/manual.pdf",
            "https://kennin.example@evil.example/",
            "https://",
        ] {
            assert!(parse_link(bad).is_err(), "{bad:?} accepted");
        }
        let day = date!(2026 - 04 - 01);
        assert_eq!(
            invalid_fields(Notice::new(day, "t", "", Some("javascript:alert(1)"))),
            ["link"]
        );
    }

    #[test]
    fn dates_parse_in_the_usual_forms_and_print_as_iso() {
        for input in ["2026-04-01", "2026.04.01", "2026/4/1", " 2026-04-01 "] {
            assert_eq!(parse_date(input).unwrap(), date!(2026 - 04 - 01), "{input}");
        }
        for bad in [
            "",
            "2026-02-30",
            "26-04-01",
            "2026-04",
            "2026-04-01-01",
            "２０２６-04-01",
            "1999-12-31",
        ] {
            assert!(parse_date(bad).is_err(), "{bad:?} accepted");
        }
        let notice = Notice::new(date!(2026 - 04 - 01), "t", "", None).unwrap();
        assert_eq!(notice.display_date(), "2026.04.01");
        let json = serde_json::to_value(&notice).unwrap();
        assert_eq!(json["date"], "2026-04-01");
        assert!(json.get("link").is_none());
        let back: Notice = serde_json::from_value(json).unwrap();
        assert_eq!(back, notice);
    }

    #[test]
    fn ids_sort_in_the_order_they_were_made() {
        let ids: Vec<String> = (0..1000).map(|_| new_id()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }
}
