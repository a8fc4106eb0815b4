//! Daily, on a schedule: deletes the documents of every campaign whose retention has passed
//! (`kennin::documents_purge` says how it finds them and why it is safe to run again).

use kennin::Error;
use kennin::blobs::{BlobKey, BlobStore};
use kennin::documents_purge::{self, Report};
use kennin::domain::InsurerCode;
use kennin::store::ItemStore;

/// Purges what is due at `now`: each campaign's verified files, under `documents/`. Its
/// `uploads/` need nothing: the bucket expires an upload after a day, long before a purge date,
/// and the role may not touch them.
pub async fn purge(store: &dyn ItemStore, blobs: &dyn BlobStore, now: i64) -> Result<Report, Error> {
    documents_purge::purge_due(store, now, async |insurer: &InsurerCode, year: i32| {
        let [_, documents] = BlobKey::campaign_prefixes(insurer, year);
        blobs.delete_prefix(&documents).await?;
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use kennin::blobs::local::LocalBlobs;
    use kennin::campaign::{self, Settings};
    use kennin::clock::SystemClock;
    use kennin::domain::Day;
    use kennin::store::records::TargetRules;
    use kennin::store::sqlite::SqliteStore;
    use std::sync::Arc;

    fn union(code: &str) -> InsurerCode {
        InsurerCode::parse(code).unwrap()
    }

    fn day(iso: &str) -> Day {
        serde_json::from_value(serde_json::json!(iso)).unwrap()
    }

    fn settings(retention_days: i64) -> Settings {
        Settings {
            title: "2026年度 被扶養者資格調査".into(),
            opens_at: campaign::parse_opening("2026-07-01T09:00").unwrap(),
            due: day("2026-07-31"),
            grace_days: 7,
            reference_date: day("2026-04-01"),
            rules: TargetRules::default(),
            retention_days,
            reminders: Vec::new(),
            decision_mails: kennin::store::records::DecisionMails::default(),
        }
    }

    #[tokio::test]
    async fn a_due_campaigns_documents_are_deleted_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("kennin.sqlite3")).unwrap();
        let blobs = LocalBlobs::open(dir.path().join("blobs"), b"a secret of the test", Arc::new(SystemClock)).unwrap();
        let due = campaign::put(&store, &union("0123"), 2026, settings(30)).await.unwrap();
        campaign::put(&store, &union("0456"), 2026, settings(90)).await.unwrap();
        let target = "0123456789abcdef0123456789abcdef";
        let document = |code: &str, id: &str| BlobKey::document(&union(code), 2026, target, id).unwrap();
        let kept_elsewhere = document("0456", "d1");
        let upload = BlobKey::upload(&union("0123"), 2026, target, "d3").unwrap();
        let purged = [document("0123", "d1"), document("0123", "d2")];
        for key in purged.iter().chain([&kept_elsewhere, &upload]) {
            blobs.put(key, b"%PDF-1.7".to_vec(), "application/pdf").await.unwrap();
        }

        let report = purge(&store, &blobs, due.documents_purge_at()).await.unwrap();
        assert_eq!(report.purged, 1, "{report:?}");
        for key in &purged {
            assert!(blobs.get(key).await.unwrap().is_none(), "{}", key.as_str());
        }
        assert!(
            blobs.get(&kept_elsewhere).await.unwrap().is_some(),
            "another union's campaign"
        );
        assert!(
            blobs.get(&upload).await.unwrap().is_some(),
            "uploads/ are the bucket's lifecycle's"
        );
        let again = purge(&store, &blobs, due.documents_purge_at()).await.unwrap();
        assert_eq!(again, Report::default());
    }
}
