//! Which table of required documents a union's forms use: its own, set with
//! `kennin-admin documents set`, or kennin's default (the handbook's).

use crate::domain::InsurerCode;
use crate::error::Error;
use crate::required_documents::DocumentTable;
use crate::store::records::{UnionDocuments, from_item, to_item};
use crate::store::{ItemStore, Write};

/// The union's own table, if it set one.
pub async fn own(store: &dyn ItemStore, insurer: &InsurerCode) -> Result<Option<DocumentTable>, Error> {
    match store.get(&UnionDocuments::key(insurer)).await? {
        Some(item) => Ok(Some(from_item::<UnionDocuments>(item)?.table)),
        None => Ok(None),
    }
}

/// The table the union's forms use. Read eventually consistent (half the cost, on every form
/// request): a table the union has just changed shows within a second.
pub async fn in_use(store: &dyn ItemStore, insurer: &InsurerCode) -> Result<DocumentTable, Error> {
    match store.get_eventually_consistent(&UnionDocuments::key(insurer)).await? {
        Some(item) => Ok(from_item::<UnionDocuments>(item)?.table),
        None => Ok(DocumentTable::default_table().clone()),
    }
}

/// Makes `table` (already checked by `DocumentTable::from_json`) the union's own.
pub async fn set(store: &dyn ItemStore, insurer: &InsurerCode, table: DocumentTable, now: i64) -> Result<(), Error> {
    let record = UnionDocuments {
        insurer: insurer.clone(),
        table,
        updated_at: now,
    };
    store
        .transact(vec![Write::put(UnionDocuments::key(insurer), to_item(&record, None))])
        .await?;
    Ok(())
}

/// Back to kennin's default table.
pub async fn reset(store: &dyn ItemStore, insurer: &InsurerCode) -> Result<(), Error> {
    store
        .transact(vec![Write::delete(UnionDocuments::key(insurer))])
        .await?;
    Ok(())
}
