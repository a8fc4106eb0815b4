//! The printable leaflet (案内チラシ) of a union's survey, for unions that hand out paper: one A4
//! page with the union's name, the answer window, the first-login address with the 保険者指定コード
//! already in it (the signup page fills the field from `?insurer=`), that address as a QR code,
//! what to have at hand, and the union's contact. `kennin-admin insurer leaflet` writes it to a
//! file; the console serves the same page (GET /api/admin/leaflet).
//!
//! The page stands alone: its stylesheet is inline (the policy it is served under admits that
//! one stylesheet by its hash and nothing else), the QR code is inline SVG drawn here, and there
//! is no script. Every value from the store is escaped. It names no person: nothing in it is
//! personal data.

use crate::campaign;
use crate::domain::{Day, InsurerCode};
use crate::error::Error;
use crate::qr;
use crate::store::ItemStore;
use crate::store::records::{Campaign, Insurer, UnionContact, from_item};
use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use std::sync::LazyLock;
use time::macros::offset;
use time::{OffsetDateTime, Weekday};

/// The longest site address taken: the signup URL built on it stays far within what a QR code
/// holds (`qr::qr_svg`), and short enough to type from paper.
pub const MAX_SITE_CHARS: usize = 200;

/// Where the signup page is, under the site.
const SIGNUP_PATH: &str = "/portal/signup";
/// Where people log in after their first time.
const LOGIN_PATH: &str = "/portal/";

const STYLE: &str = r#"
@page { size: A4; margin: 12mm 15mm; }
* { box-sizing: border-box; }
html { color: #000; background: #fff; font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif; font-size: 10.5pt; line-height: 1.5; }
body { margin: 0; }
.sheet { width: 178mm; margin: 0 auto; }
.union { margin: 0; font-size: 12pt; }
h1 { margin: 1mm 0 4mm; padding-bottom: 2mm; border-bottom: 0.8mm solid #000; font-size: 19pt; line-height: 1.3; }
h2 { margin: 0 0 2mm; font-size: 13pt; }
section { margin: 0 0 5mm; break-inside: avoid; }
.window p { margin: 0; font-size: 15pt; font-weight: bold; }
.access { display: flex; gap: 8mm; align-items: flex-start; padding: 5mm; border: 0.5mm solid #000; }
.qr { flex: none; width: 42mm; }
.qr svg { display: block; width: 42mm; height: 42mm; }
.qr p { margin: 1mm 0 0; font-size: 8pt; text-align: center; }
.url { margin: 2mm 0; font-family: "Noto Sans Mono CJK JP", monospace; font-size: 12pt; font-weight: bold; word-break: break-all; }
.code { font-size: 14pt; font-weight: bold; letter-spacing: 0.1em; }
ul, ol { margin: 0; padding-left: 6mm; }
.note { margin: 2mm 0 0; font-size: 9.5pt; }
.contact { padding: 4mm 5mm; border: 0.3mm solid #000; }
.contact p { margin: 0; }
.screen { margin: 0 0 6mm; padding: 3mm 5mm; background: #fff4cc; border: 0.3mm solid #b38f00; }
@media screen {
  html { background: #e8e8e8; }
  .sheet { width: auto; max-width: 210mm; margin: 8mm auto; padding: 14mm 16mm; background: #fff; box-shadow: 0 1mm 4mm rgba(0, 0, 0, 0.3); }
}
@media print {
  .screen { display: none; }
}
"#;

/// The policy the console serves the page under: its one stylesheet (by hash), no script, no
/// other resource, never framed.
pub fn content_security_policy() -> &'static str {
    static POLICY: LazyLock<String> = LazyLock::new(|| {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        )
    });
    &POLICY
}

/// Why no leaflet can be made.
#[derive(Debug, thiserror::Error)]
pub enum LeafletError {
    #[error("保険者 {0} が登録されていません")]
    NoInsurer(InsurerCode),
    #[error("保険者 {0} には名簿の年度がありません（--year で年度を指定してください）")]
    NoYear(InsurerCode),
    #[error("保険者 {0} の {1} 年度の調査が登録されていません（campaign put で登録してください）")]
    NoCampaign(InsurerCode, i32),
    #[error(
        "サイトのアドレスは https://example.jp のように、{MAX_SITE_CHARS}文字以内で指定してください（パスや ? 以降は付けません）"
    )]
    BadSite,
    #[error(transparent)]
    Store(#[from] Error),
}

impl From<LeafletError> for Error {
    /// For the console: a union without a campaign of its year has no leaflet to show yet.
    fn from(error: LeafletError) -> Self {
        match error {
            LeafletError::Store(error) => error,
            LeafletError::BadSite => Error::field("site", LeafletError::BadSite.to_string()),
            LeafletError::NoInsurer(_) | LeafletError::NoYear(_) | LeafletError::NoCampaign(..) => Error::NotFound,
        }
    }
}

/// The site's address as the leaflet prints it: `scheme://host[:port]`, from an address an
/// operator typed or a request's site. Only http(s), no credentials, path, query or fragment.
pub fn site(input: &str) -> Result<String, LeafletError> {
    let input = input.trim();
    if input.chars().count() > MAX_SITE_CHARS {
        return Err(LeafletError::BadSite);
    }
    let url = url::Url::parse(input).map_err(|_| LeafletError::BadSite)?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none();
    if !plain {
        return Err(LeafletError::BadSite);
    }
    Ok(url.origin().ascii_serialization())
}

/// The first-login address with the union's code in it.
pub fn signup_url(site: &str, code: &InsurerCode) -> String {
    format!("{site}{SIGNUP_PATH}?insurer={code}")
}

/// The union, for the operator who names it by code.
pub async fn insurer(store: &dyn ItemStore, code: &InsurerCode) -> Result<Insurer, LeafletError> {
    match store.get(&Insurer::key(code)).await.map_err(Error::from)? {
        Some(item) => Ok(from_item(item).map_err(Error::from)?),
        None => Err(LeafletError::NoInsurer(code.clone())),
    }
}

/// The page for the union's campaign of `year` (its current year when `None`), pointing at
/// `site` (as `site` returns it).
pub async fn page(
    store: &dyn ItemStore,
    insurer: &Insurer,
    year: Option<i32>,
    site: &str,
) -> Result<String, LeafletError> {
    let year = year
        .or(insurer.current_year)
        .ok_or_else(|| LeafletError::NoYear(insurer.code.clone()))?;
    let campaign = campaign::get(store, &insurer.code, year)
        .await?
        .ok_or_else(|| LeafletError::NoCampaign(insurer.code.clone(), year))?;
    render(insurer, &campaign, site)
}

/// The whole page. Every value is escaped; the QR code is drawn from the signup URL.
pub fn render(insurer: &Insurer, campaign: &Campaign, site: &str) -> Result<String, LeafletError> {
    let signup = signup_url(site, &insurer.code);
    // `site` and the code are bounded, so the address always fits; a site that was not checked
    // by `site` is refused rather than printed without its code.
    let qr = qr::qr_svg(&signup).map_err(|_| LeafletError::BadSite)?;
    let qr = qr.replacen(
        "<svg ",
        r#"<svg role="img" aria-label="初回ログイン用ページの二次元コード" "#,
        1,
    );
    let union = escape(&insurer.name);
    let title = escape(&campaign.title);
    let code = escape(insurer.code.as_str());
    let window = format!(
        "{} 〜 {}",
        escape(&opening(campaign.opens_at)),
        escape(&with_weekday(campaign.due))
    );
    let signup = escape(&signup);
    let login = escape(&format!("{site}{LOGIN_PATH}"));
    let contact = contact_lines(&insurer.name, insurer.contact.as_ref());
    Ok(format!(
        r#"<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}のご案内（{union}）</title>
<style>{STYLE}</style>
</head>
<body>
<main class="sheet">
<p class="screen">このページは A4 用紙1枚に印刷できます（ブラウザの印刷から、用紙サイズ A4・倍率 100% で印刷してください）。</p>
<p class="union">{union}</p>
<h1>{title}のご案内</h1>
<section>
<p>ご家族（被扶養者）が引き続き健康保険の扶養の条件を満たしているかを確認するため、{title}を行います。パソコンやスマートフォンから、下記の回答期間内にご回答ください。</p>
</section>
<section class="window">
<h2>回答期間</h2>
<p>{window}</p>
</section>
<section class="access">
<div class="qr">{qr}<p>スマートフォンで読み取り</p></div>
<div>
<h2>初回ログイン（ユーザーIDの作成）</h2>
<p>二次元コードを読み取るか、次のアドレスを入力してください。</p>
<p class="url">{signup}</p>
<p>保険者指定コード <span class="code">{code}</span>（このアドレスから開くと入力済みで表示されます）</p>
<p class="note">前年度に登録したユーザーID・パスワードは初期化されています。前年度に登録した方も、初回ログインからユーザーIDを作成してください。2回目以降のログインは {login} から。</p>
</div>
</section>
<section>
<h2>ご用意いただくもの</h2>
<ul>
<li>記号・番号：資格確認書、資格情報のお知らせ、またはお手元の有効な保険証に記載されています</li>
<li>被保険者ご本人の生年月日（西暦で入力します。例: 1980/04/01）</li>
<li>被保険者ご本人の氏名（カナ）</li>
<li>ふだんお使いのメールアドレス（ユーザーID作成の認証番号が届きます）</li>
</ul>
</section>
<section>
<h2>手続きの流れ</h2>
<ol>
<li>本人確認：保険者指定コード、記号・番号、生年月日、氏名（カナ）を入力</li>
<li>ユーザーID作成：ユーザーID・パスワード・メールアドレスを決めて入力</li>
<li>メール認証：メールで届いた認証番号を、有効期限内に入力</li>
<li>ログインして、ご家族ごとの調査票に回答し、必要な書類を添付して提出</li>
</ol>
</section>
<section class="contact">
<h2>お問い合わせ先</h2>
{contact}
</section>
</main>
</body>
</html>
"#
    ))
}

/// The union's desk, each part the union set, one line each.
fn contact_lines(union: &str, contact: Option<&UnionContact>) -> String {
    let mut lines = vec![escape(union)];
    if let Some(contact) = contact {
        let parts = [
            ("", contact.name.as_deref()),
            ("電話 ", contact.phone.as_deref()),
            ("受付時間 ", contact.hours.as_deref()),
            ("メール ", contact.email.as_ref().map(|e| e.as_str())),
        ];
        for (label, value) in parts {
            if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
                lines.push(format!("{label}{}", escape(value)));
            }
        }
    }
    lines
        .iter()
        .map(|line| format!("<p>{line}</p>"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The opening minute in Japan: 2026年9月1日（火）9:00.
fn opening(at: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(at) {
        Ok(at) => {
            let at = at.to_offset(offset!(+9));
            format!(
                "{}（{}） {}:{:02}",
                Day::from(at.date()).japanese(),
                weekday(at.weekday()),
                at.hour(),
                at.minute()
            )
        }
        Err(_) => String::new(),
    }
}

/// The due day, whole: 2026年9月30日（水）まで.
fn with_weekday(day: Day) -> String {
    format!("{}（{}）まで", day.japanese(), weekday(day.date().weekday()))
}

fn weekday(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "月",
        Weekday::Tuesday => "火",
        Weekday::Wednesday => "水",
        Weekday::Thursday => "木",
        Weekday::Friday => "金",
        Weekday::Saturday => "土",
        Weekday::Sunday => "日",
    }
}

/// Text as HTML text or attribute value.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::records::TargetRules;

    fn insurer(name: &str, contact: Option<UnionContact>) -> Insurer {
        Insurer {
            code: InsurerCode::parse("0904").unwrap(),
            name: name.into(),
            current_year: Some(2026),
            terms_version: None,
            contact,
        }
    }

    /// A campaign as stored: the settings a leaflet reads, every other one at its default.
    fn campaign(title: &str) -> Campaign {
        serde_json::from_value(serde_json::json!({
            "insurer": "0904",
            "year": 2026,
            "title": title,
            // 2026-09-01 09:00 in Japan
            "opensAt": 1_788_220_800,
            "due": "2026-09-30",
            "graceDays": 7,
            "referenceDate": "2026-04-01",
            "rules": TargetRules::default(),
            "idKey": "k",
        }))
        .unwrap()
    }

    #[test]
    fn every_value_from_the_store_is_escaped() {
        let hostile = r#"<script>alert("x")</script>&'"#;
        let contact = UnionContact {
            name: Some(hostile.into()),
            phone: Some("03-1234-5678<b>".into()),
            hours: Some("平日 10:00〜17:00 & 土曜".into()),
            email: None,
        };
        let page = render(
            &insurer(hostile, Some(contact)),
            &campaign(hostile),
            "https://kennin.example.jp",
        )
        .unwrap();
        assert!(!page.contains("<script"), "{page}");
        assert!(!page.contains("<b>"));
        assert!(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"));
        assert!(page.contains("03-1234-5678&lt;b&gt;"));
        assert!(page.contains("平日 10:00〜17:00 &amp; 土曜"));
        assert_eq!(page.matches("<style>").count(), 1);
        assert!(
            !page.contains(" style="),
            "no style attribute: only the hashed stylesheet applies"
        );
    }

    #[test]
    fn the_page_holds_the_window_the_address_with_the_code_and_its_qr_code() {
        let contact = UnionContact {
            name: Some("適用グループ".into()),
            phone: Some("03-1234-5678".into()),
            hours: None,
            email: Some(crate::domain::Email::parse("chosa@kenpo.example.jp").unwrap()),
        };
        let page = render(
            &insurer("けんにん健康保険組合", Some(contact)),
            &campaign("2026年度 被扶養者資格調査"),
            "https://kennin.example.jp",
        )
        .unwrap();
        assert!(page.contains("<p class=\"union\">けんにん健康保険組合</p>"));
        assert!(page.contains("2026年9月1日（火） 9:00 〜 2026年9月30日（水）まで"));
        assert!(page.contains("https://kennin.example.jp/portal/signup?insurer=0904"));
        assert!(page.contains("<span class=\"code\">0904</span>"));
        assert!(page.contains("<p>電話 03-1234-5678</p>"));
        assert!(page.contains("<p>メール chosa@kenpo.example.jp</p>"));
        assert!(!page.contains("受付時間"), "an unset part is left out");
        assert!(page.contains("@page { size: A4;"));
        // The QR code is the one of the signup URL, module for module.
        let svg = qr::qr_svg("https://kennin.example.jp/portal/signup?insurer=0904").unwrap();
        let path = svg.split(" d=\"").nth(1).unwrap();
        assert!(page.contains(path), "the signup URL's code");
        let other = qr::qr_svg("https://kennin.example.jp/portal/signup").unwrap();
        assert!(!page.contains(other.split(" d=\"").nth(1).unwrap()));
        assert!(page.contains(r#"<svg role="img" aria-label="初回ログイン用ページの二次元コード" xmlns="#));
    }

    #[test]
    fn the_policy_admits_the_pages_stylesheet_and_nothing_else() {
        let policy = content_security_policy();
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
        assert!(policy.contains(&format!("style-src 'sha256-{hash}'")), "{policy}");
        assert!(policy.starts_with("default-src 'none';"));
        assert!(!policy.contains("script-src") && !policy.contains("unsafe"));
        let page = render(&insurer("組合", None), &campaign("調査"), "http://127.0.0.1:3000").unwrap();
        assert!(
            page.contains(&format!("<style>{STYLE}</style>")),
            "the hashed text, as it is"
        );
        assert!(!page.contains("<script"));
    }

    #[test]
    fn a_site_is_a_plain_origin() {
        for (input, origin) in [
            ("https://kennin.example.jp", "https://kennin.example.jp"),
            (" https://kennin.example.jp/ ", "https://kennin.example.jp"),
            ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),
            ("HTTPS://Kennin.Example.JP:443/", "https://kennin.example.jp"),
        ] {
            assert_eq!(site(input).unwrap(), origin, "{input}");
        }
        for bad in [
            "",
            "kennin.example.jp",
            "ftp://kennin.example.jp",
            "javascript:alert(1)",
            "https://kennin.example.jp/portal",
            "https://kennin.example.jp/?a=1",
            "https://kennin.example.jp/#x",
            "https://user:pw@kennin.example.jp",
        ] {
            assert!(matches!(site(bad), Err(LeafletError::BadSite)), "{bad}");
        }
        let long = format!("https://{}jp", "abcdefghi.".repeat(MAX_SITE_CHARS / 10));
        assert!(matches!(site(&long), Err(LeafletError::BadSite)));
        let longest = format!("https://{}jp", "abcdefghi.".repeat((MAX_SITE_CHARS - 10) / 10));
        assert_eq!(longest.chars().count(), MAX_SITE_CHARS);
        assert!(render(&insurer("組合", None), &campaign("調査"), &site(&longest).unwrap()).is_ok());
    }
}
