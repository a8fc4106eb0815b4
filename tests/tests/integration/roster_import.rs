//! Roster import as the operator CLI runs it, on both engines.

use kennin::domain::InsurerCode;
use kennin::import_file::ImportError;
use kennin::roster::{self, ImportReport};
use kennin::store::Change;
use kennin::store::ItemStore;
use kennin::store::records::{Insurer, RosterPerson, from_item};
use kennin_tests::{Engine, fresh_store, on_both_engines};
use time::macros::date;

const CSV: &str = "symbol,number,birth_date,name_kana,name\n10,1,1990/01/01,ケンポ タロウ,健保 太郎\n10,2,1991/02/03,ケンポ ハナコ,健保 花子\n";

fn code() -> InsurerCode {
    InsurerCode::parse("0123").unwrap()
}

async fn import(store: &dyn ItemStore, year: i32, csv: &str) -> Result<ImportReport, ImportError> {
    let people = roster::parse(csv, &code(), year, date!(2026 - 06 - 01))?;
    roster::import(store, &code(), year, people, &mut |_| {}).await
}

async fn current_year(store: &dyn ItemStore) -> Option<i32> {
    from_item::<Insurer>(store.get(&Insurer::key(&code())).await.unwrap().unwrap())
        .unwrap()
        .current_year
}

async fn importing_twice_changes_nothing_and_claims_survive_updates(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    assert!(matches!(
        import(store.as_ref(), 2026, CSV).await,
        Err(ImportError::UnknownInsurer(_))
    ));
    roster::put_insurer(store.as_ref(), &code(), "テスト健保", None)
        .await
        .unwrap();

    assert_eq!(
        import(store.as_ref(), 2026, CSV).await.unwrap(),
        ImportReport {
            added: 2,
            updated: 0,
            unchanged: 0
        }
    );
    assert_eq!(current_year(store.as_ref()).await, Some(2026));
    assert_eq!(
        import(store.as_ref(), 2026, CSV).await.unwrap(),
        ImportReport {
            added: 0,
            updated: 0,
            unchanged: 2
        }
    );

    let people = store
        .query(&RosterPerson::partition(&code(), 2026), RosterPerson::SK_PREFIX)
        .await
        .unwrap();
    let first: RosterPerson = from_item(people[0].clone()).unwrap();
    store
        .update(
            &first.own_key(),
            &[Change::set(RosterPerson::CLAIMED_BY, "account-1")],
            None,
        )
        .await
        .unwrap();
    let corrected = CSV.replace("健保 太郎", "健保 太朗");
    assert_eq!(
        import(store.as_ref(), 2026, &corrected).await.unwrap(),
        ImportReport {
            added: 0,
            updated: 1,
            unchanged: 1
        }
    );
    let after: RosterPerson = from_item(store.get(&first.own_key()).await.unwrap().unwrap()).unwrap();
    assert_eq!(after.name, "健保 太朗");
    assert_eq!(
        after.claimed_by.as_deref(),
        Some("account-1"),
        "a correction keeps the registration"
    );
}

async fn a_bad_row_imports_nothing(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    roster::put_insurer(store.as_ref(), &code(), "テスト健保", None)
        .await
        .unwrap();
    let bad = format!("{CSV}10,3,1990/13/01,ケンポ,健保\n");
    let Err(ImportError::Rows(errors)) = import(store.as_ref(), 2026, &bad).await else {
        panic!("bad row accepted")
    };
    assert_eq!(errors[0].0, 4);
    assert!(
        store
            .query(&RosterPerson::partition(&code(), 2026), RosterPerson::SK_PREFIX)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(current_year(store.as_ref()).await, None);
}

async fn the_newest_year_is_current(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    roster::put_insurer(store.as_ref(), &code(), "テスト健保", None)
        .await
        .unwrap();
    import(store.as_ref(), 2026, CSV).await.unwrap();
    import(store.as_ref(), 2027, CSV).await.unwrap();
    assert_eq!(current_year(store.as_ref()).await, Some(2027));
    // Correcting last year's roster does not turn the clock back.
    import(store.as_ref(), 2026, &CSV.replace("健保 花子", "健保 華子"))
        .await
        .unwrap();
    assert_eq!(current_year(store.as_ref()).await, Some(2027));
    // Renaming the union keeps its year.
    roster::put_insurer(store.as_ref(), &code(), "テスト健康保険組合", None)
        .await
        .unwrap();
    assert_eq!(current_year(store.as_ref()).await, Some(2027));
}

async fn a_large_roster_loads_in_batches(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    roster::put_insurer(store.as_ref(), &code(), "テスト健保", None)
        .await
        .unwrap();
    let mut csv = String::from("symbol,number,birth_date,name_kana,name\n");
    for n in 0..1_000 {
        csv.push_str(&format!("20,{n},1980/01/01,ケンポ タロウ,健保 太郎\n"));
    }
    assert_eq!(import(store.as_ref(), 2026, &csv).await.unwrap().added, 1_000);
    assert_eq!(
        store
            .query(&RosterPerson::partition(&code(), 2026), RosterPerson::SK_PREFIX)
            .await
            .unwrap()
            .len(),
        1_000
    );
}

on_both_engines!(
    importing_twice_changes_nothing_and_claims_survive_updates,
    a_bad_row_imports_nothing,
    the_newest_year_is_current,
    a_large_roster_loads_in_batches,
);
