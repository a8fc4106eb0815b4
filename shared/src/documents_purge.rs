//! The daily purge of the documents people sent: a campaign's files are deleted
//! `retention_days` after it closes (`Campaign::documents_purge_at`).
//!
//! The campaigns due come from their listing (`DocumentsPurge`, one small partition sorted by
//! date), never from a scan of the table. A campaign's files are deleted first; then one
//! transaction marks it purged and removes its listing, conditionally on the settings that gave
//! the date. A run that stops half-way leaves the listing, so the next run deletes what is left;
//! running again after a full run finds nothing due.

use crate::campaign;
use crate::domain::InsurerCode;
use crate::error::Error;
use crate::store::records::{Campaign, DocumentsPurge, from_item};
use crate::store::{Change, Cond, ItemStore, StoreError, Write};

/// Campaigns purged by one run at most; any more wait for the next day's run. Unions count in
/// the hundreds, and a campaign's files take one run of `delete_documents`.
pub const PURGES_PER_RUN: usize = 20;

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Campaigns whose files were deleted and that are now marked purged.
    pub purged: usize,
    /// Listings of a campaign that is gone or whose purge date moved since: removed, nothing
    /// deleted (the change listed the campaign at its new date).
    pub stale: usize,
    /// Campaigns whose settings changed during the run: their files were deleted, but the mark
    /// waits for their new date's run.
    pub changed: usize,
}

/// The campaigns whose documents are due at `now`, earliest first, at most `limit`.
pub async fn due(store: &dyn ItemStore, now: i64, limit: usize) -> Result<Vec<DocumentsPurge>, Error> {
    let items = store
        .query_through(DocumentsPurge::PARTITION, &DocumentsPurge::due_through(now), limit)
        .await?;
    Ok(items.into_iter().map(from_item).collect::<Result<_, _>>()?)
}

/// Purges the campaigns due at `now`: `delete_documents` deletes every file of a union's year
/// (it is called again for the same campaign after an interruption, so it must accept having
/// nothing left to delete).
pub async fn purge_due<D>(store: &dyn ItemStore, now: i64, delete_documents: D) -> Result<Report, Error>
where
    D: AsyncFn(&InsurerCode, i32) -> Result<(), Error>,
{
    let mut report = Report::default();
    for listed in due(store, now, PURGES_PER_RUN).await? {
        let current = campaign::get(store, &listed.insurer, listed.year).await?;
        match current {
            Some(campaign) if campaign.documents_purge() == listed && campaign.documents_purged_at.is_none() => {
                delete_documents(&listed.insurer, listed.year).await?;
                match mark_purged(store, &campaign, &listed, now).await {
                    Ok(()) => report.purged += 1,
                    Err(StoreError::ConditionFailed { .. }) => report.changed += 1,
                    Err(error) => return Err(error.into()),
                }
            }
            _ => {
                store.transact(vec![Write::delete(listed.key())]).await?;
                report.stale += 1;
            }
        }
    }
    Ok(report)
}

/// Marks the campaign purged and removes its listing, while its settings still give the date
/// the files were deleted for.
async fn mark_purged(
    store: &dyn ItemStore,
    campaign: &Campaign,
    listed: &DocumentsPurge,
    now: i64,
) -> Result<(), StoreError> {
    let same_date = Cond::And(vec![
        Cond::eq(Campaign::DUE, campaign.due),
        Cond::eq(Campaign::GRACE_DAYS, campaign.grace_days),
        Cond::eq(Campaign::RETENTION_DAYS, campaign.retention_days),
        Cond::missing(Campaign::DOCUMENTS_PURGED_AT),
    ]);
    store
        .transact(vec![
            Write::update(
                Campaign::key(&campaign.insurer, campaign.year),
                vec![Change::set(Campaign::DOCUMENTS_PURGED_AT, now)],
            )
            .when(same_date),
            Write::delete(listed.key()),
        ])
        .await
}
