//! ⑤ The terms of use: the system's default, or the union's own once it publishes them. A
//! person accepts the current version once; a new version is shown once more.

use crate::deps::Deps;
use crate::domain::InsurerCode;
use crate::error::Error;
use crate::store::records::{Insurer, TermsDocument, from_item, to_item};
use crate::store::{Change, Cond, ItemStore, Write};
use serde::Serialize;

/// The version of the default terms below; raise it when their text changes.
pub const DEFAULT_VERSION: &str = "kennin-2026-1";
const DEFAULT_TITLE: &str = "被扶養者資格調査システム利用規約";
const DEFAULT_TEXT: &str = include_str!("../assets/terms-default.txt");

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(inline)]
pub struct Terms {
    pub version: String,
    pub title: String,
    pub text: String,
}

pub fn default_terms() -> Terms {
    Terms {
        version: DEFAULT_VERSION.into(),
        title: DEFAULT_TITLE.into(),
        text: DEFAULT_TEXT.into(),
    }
}

/// The version a person of this union must have accepted.
pub fn current_version(insurer: &Insurer) -> &str {
    insurer.terms_version.as_deref().unwrap_or(DEFAULT_VERSION)
}

/// The union's current terms (the default when it has published none, or when no union is
/// known yet).
pub async fn current(deps: &Deps, insurer: Option<&Insurer>) -> Result<Terms, Error> {
    let Some((insurer, version)) = insurer.and_then(|i| i.terms_version.as_deref().map(|v| (i, v))) else {
        return Ok(default_terms());
    };
    let item = deps
        .store
        .get(&TermsDocument::key(&insurer.code, version))
        .await?
        .ok_or_else(|| Error::Unavailable(format!("terms {version} of {} are missing", insurer.code)))?;
    let document: TermsDocument = from_item(item)?;
    Ok(Terms {
        version: document.version,
        title: document.title,
        text: document.text,
    })
}

/// Publishes a union's new terms; everyone of the union is asked to accept them at their next
/// visit. Returns the new version.
pub async fn publish(
    store: &dyn ItemStore,
    code: &InsurerCode,
    title: &str,
    text: &str,
    now: i64,
) -> Result<String, Error> {
    let insurer: Insurer = match store.get(&Insurer::key(code)).await? {
        Some(item) => from_item(item)?,
        None => return Err(Error::NotFound),
    };
    let previous = insurer
        .terms_version
        .as_deref()
        .and_then(|v| v.rsplit('-').next()?.parse::<u32>().ok());
    let version = format!("{code}-{}", previous.unwrap_or(0) + 1);
    let document = TermsDocument {
        version: version.clone(),
        title: title.into(),
        text: text.into(),
        published_at: now,
    };
    let seen = match &insurer.terms_version {
        Some(v) => Cond::eq(Insurer::TERMS_VERSION, v.as_str()),
        None => Cond::missing(Insurer::TERMS_VERSION),
    };
    store
        .transact(vec![
            Write::put(TermsDocument::key(code, &version), to_item(&document, None)).when(Cond::NotExists),
            Write::update(
                Insurer::key(code),
                vec![Change::set(Insurer::TERMS_VERSION, version.as_str())],
            )
            .when(Cond::And(vec![Cond::Exists, seen])),
        ])
        .await?;
    Ok(version)
}
