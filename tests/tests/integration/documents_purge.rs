//! Keeping documents only as long as needed, on both engines: `campaign put` lists a campaign
//! at its purge date (the close plus the retention days) and moves the listing with the
//! settings; the daily purge deletes the files of the campaigns due, marks them, and is safe to
//! run again or after an interruption.

use kennin::Error;
use kennin::campaign::{self, Settings};
use kennin::documents_purge::{self, Report};
use kennin::domain::{Day, InsurerCode};
use kennin::store::ItemStore;
use kennin::store::records::{DocumentsPurge, TargetRules, from_item};
use kennin_tests::{Engine, fresh_store, on_both_engines};
use std::sync::Mutex;

const DAY: i64 = 86_400;

fn union(code: &str) -> InsurerCode {
    InsurerCode::parse(code).unwrap()
}

fn day(iso: &str) -> Day {
    serde_json::from_value(serde_json::json!(iso)).unwrap()
}

/// Due 2026-07-31 with seven grace days: closes at 2026-08-08 00:00 in Japan.
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

fn closes() -> i64 {
    campaign::parse_opening("2026-08-08T00:00").unwrap()
}

async fn listed(store: &dyn ItemStore) -> Vec<DocumentsPurge> {
    // Every sort key of the listing starts with a digit.
    store
        .query_through(DocumentsPurge::PARTITION, "~", 100)
        .await
        .unwrap()
        .into_iter()
        .map(|item| from_item(item).unwrap())
        .collect()
}

/// Records the unions' years whose files it is asked to delete; fails while `failing`.
#[derive(Default)]
struct Files {
    deleted: Mutex<Vec<(String, i32)>>,
    failing: Mutex<bool>,
}

impl Files {
    async fn delete(&self, insurer: &InsurerCode, year: i32) -> Result<(), Error> {
        if *self.failing.lock().unwrap() {
            return Err(Error::Unavailable("the blob store is down".into()));
        }
        self.deleted.lock().unwrap().push((insurer.to_string(), year));
        Ok(())
    }

    fn taken(&self) -> Vec<(String, i32)> {
        std::mem::take(&mut self.deleted.lock().unwrap())
    }
}

async fn purge(store: &dyn ItemStore, now: i64, files: &Files) -> Result<Report, Error> {
    documents_purge::purge_due(store, now, async |insurer: &InsurerCode, year: i32| {
        files.delete(insurer, year).await
    })
    .await
}

async fn a_campaign_is_listed_at_its_purge_date_which_moves_with_its_settings(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let put = campaign::put(
        store.as_ref(),
        &union("0123"),
        2026,
        settings(campaign::DEFAULT_RETENTION_DAYS),
    )
    .await
    .unwrap();
    assert_eq!(put.documents_purge_at(), closes() + 365 * DAY);
    assert_eq!(listed(store.as_ref()).await, [put.documents_purge()]);

    let shorter = campaign::put(store.as_ref(), &union("0123"), 2026, settings(30))
        .await
        .unwrap();
    assert_eq!(
        listed(store.as_ref()).await,
        [shorter.documents_purge()],
        "moved, not added"
    );
    let read = campaign::get(store.as_ref(), &union("0123"), 2026)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.retention_days, 30);
    assert_eq!(read.documents_purge_at(), closes() + 30 * DAY);

    // Listed by date across unions: the earlier purge first.
    campaign::put(store.as_ref(), &union("0001"), 2026, settings(60))
        .await
        .unwrap();
    let dates: Vec<i64> = listed(store.as_ref()).await.iter().map(|l| l.purge_at).collect();
    assert_eq!(dates, [closes() + 30 * DAY, closes() + 60 * DAY]);
}

async fn the_purge_deletes_what_is_due_once_and_marks_it(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let files = Files::default();
    let soon = campaign::put(store.as_ref(), &union("0123"), 2026, settings(30))
        .await
        .unwrap();
    campaign::put(store.as_ref(), &union("0456"), 2026, settings(90))
        .await
        .unwrap();

    // The second before the date: nothing is due.
    let report = purge(store.as_ref(), soon.documents_purge_at() - 1, &files)
        .await
        .unwrap();
    assert_eq!(report, Report::default());
    assert!(files.taken().is_empty());

    let at = soon.documents_purge_at();
    let report = purge(store.as_ref(), at, &files).await.unwrap();
    assert_eq!(report.purged, 1, "{report:?}");
    assert_eq!(files.taken(), [("0123".to_string(), 2026)]);
    let marked = campaign::get(store.as_ref(), &union("0123"), 2026)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(marked.documents_purged_at, Some(at));
    assert_eq!(listed(store.as_ref()).await.len(), 1, "the other campaign stays listed");

    // Run again: nothing more.
    let again = purge(store.as_ref(), at + DAY, &files).await.unwrap();
    assert_eq!(again, Report::default());
    assert!(files.taken().is_empty());

    // Unchanged settings put again keep the mark and list nothing.
    campaign::put(store.as_ref(), &union("0123"), 2026, settings(30))
        .await
        .unwrap();
    let kept = campaign::get(store.as_ref(), &union("0123"), 2026)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.documents_purged_at, Some(at));
    assert_eq!(listed(store.as_ref()).await.len(), 1);

    // A longer retention after the purge: listed again, the mark cleared, purged at the new date.
    let longer = campaign::put(store.as_ref(), &union("0123"), 2026, settings(45))
        .await
        .unwrap();
    assert_eq!(longer.documents_purged_at, None);
    assert_eq!(listed(store.as_ref()).await.len(), 2);
    let report = purge(store.as_ref(), longer.documents_purge_at(), &files)
        .await
        .unwrap();
    assert_eq!(report.purged, 1);
    assert_eq!(files.taken(), [("0123".to_string(), 2026)]);
}

async fn an_interrupted_purge_is_finished_by_the_next_run(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let files = Files::default();
    let due = campaign::put(store.as_ref(), &union("0123"), 2026, settings(30))
        .await
        .unwrap();
    *files.failing.lock().unwrap() = true;
    let failed = purge(store.as_ref(), due.documents_purge_at(), &files).await;
    assert!(matches!(failed, Err(Error::Unavailable(_))), "{failed:?}");
    let unmarked = campaign::get(store.as_ref(), &union("0123"), 2026)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unmarked.documents_purged_at, None);
    assert_eq!(listed(store.as_ref()).await, [due.documents_purge()]);

    *files.failing.lock().unwrap() = false;
    let next_day = due.documents_purge_at() + DAY;
    let report = purge(store.as_ref(), next_day, &files).await.unwrap();
    assert_eq!(report.purged, 1);
    assert_eq!(files.taken(), [("0123".to_string(), 2026)]);
    assert!(listed(store.as_ref()).await.is_empty());
}

/// A listing whose campaign no longer gives its date (a change raced the purge) is removed
/// without deleting anything: the change listed the campaign at its new date.
async fn a_stale_listing_is_removed_without_deleting(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let files = Files::default();
    let campaign = campaign::put(store.as_ref(), &union("0123"), 2026, settings(30))
        .await
        .unwrap();
    let stale = DocumentsPurge {
        purge_at: campaign.documents_purge_at() - DAY,
        ..campaign.documents_purge()
    };
    store
        .put_many(vec![(stale.key(), kennin::store::records::to_item(&stale, None))])
        .await
        .unwrap();
    let report = purge(store.as_ref(), stale.purge_at, &files).await.unwrap();
    assert_eq!(
        report,
        Report {
            stale: 1,
            ..Report::default()
        }
    );
    assert!(files.taken().is_empty());
    assert_eq!(listed(store.as_ref()).await, [campaign.documents_purge()]);
}

on_both_engines!(
    a_campaign_is_listed_at_its_purge_date_which_moves_with_its_settings,
    the_purge_deletes_what_is_due_once_and_marks_it,
    an_interrupted_purge_is_finished_by_the_next_run,
    a_stale_listing_is_removed_without_deleting,
);
