//! `kennin-admin documents`: the real binary (KENNIN_ADMIN_BIN) shows a union's table of required
//! documents, sets the union's own from a file, refuses a table the form could not show with
//! nothing written, and resets to kennin's default; on each engine's store.

use kennin::domain::InsurerCode;
use kennin::required_documents::DocumentTable;
use kennin::union_documents;
use kennin_tests::admin_cli::AdminCli;
use kennin_tests::{Engine, on_both_engines};
use serde_json::Value;

fn json_table(text: &str) -> DocumentTable {
    DocumentTable::from_json(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

async fn a_unions_table_is_shown_set_refused_and_reset(engine: Engine) {
    let admin = AdminCli::new(engine).await;
    let unknown = admin.fails(&["documents", "show", "--insurer", "0904"]);
    assert!(unknown.contains("保険者 0904 が登録されていません"), "{unknown}");
    admin.succeeds(&["insurer", "put", "--code", "0904", "--name", "けんにん健康保険組合"]);

    // The default, readable: each document's kind, label, when, reason and note, and the
    // common note.
    let shown = admin.succeeds(&["documents", "show", "--insurer", "0904"]);
    assert!(
        shown.starts_with("保険者 0904 の添付資料の表: kennin の既定の表"),
        "{shown}"
    );
    let default = DocumentTable::default_table();
    for document in &default.documents {
        assert!(shown.contains(&format!("（{}）\n", document.kind)), "{shown}");
        assert!(
            shown.contains(&document.label) && shown.contains(&document.reason),
            "{shown}"
        );
        assert!(
            document.note.iter().all(|note| shown.contains(note.as_str())),
            "{shown}"
        );
    }
    assert!(shown.contains("必要なとき: 職業が学生（student）"), "{shown}");
    assert!(shown.contains(&format!("共通の注意書き: {}", default.note)), "{shown}");
    // As JSON: the format `set` reads, saying on stderr which table it is.
    let output = admin.run(&["documents", "show", "--insurer", "0904", "--json"]);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("kennin の既定の表"));
    let exported = String::from_utf8(output.stdout).unwrap();
    assert_eq!(&json_table(&exported), default);

    // The union's own: exported, edited, set.
    let mut edited: Value = serde_json::from_str(&exported).unwrap();
    edited["documents"][0]["label"] = "所得証明書（組合の様式）".into();
    edited["documents"].as_array_mut().unwrap().truncate(3);
    let own_file = admin.file("own.json", &serde_json::to_string_pretty(&edited).unwrap());
    let set = admin.succeeds(&["documents", "set", "--insurer", "0904", &own_file]);
    assert!(set.contains("保険者 0904 の添付資料の表を登録しました（3件）"), "{set}");
    let own = json_table(&edited.to_string());
    let shown = admin.succeeds(&["documents", "show", "--insurer", "0904"]);
    assert!(
        shown.starts_with("保険者 0904 の添付資料の表: 組合独自の表\n"),
        "{shown}"
    );
    assert!(
        shown.contains("1. 所得証明書（組合の様式）（income_certificate）"),
        "{shown}"
    );
    assert!(!shown.contains("pension_notice"), "{shown}");
    let exported = admin.succeeds(&["documents", "show", "--insurer", "0904", "--json"]);
    assert_eq!(json_table(&exported), own);
    let code = InsurerCode::parse("0904").unwrap();
    let store = admin.store().await;
    assert_eq!(union_documents::in_use(store.as_ref(), &code).await.unwrap(), own);

    // A table the form could not show: the reason in Japanese, and nothing written.
    let mut no_my_number = edited.clone();
    no_my_number["note"] = "書類は鮮明に撮影してください。".into();
    let duplicate_kind = {
        let mut table = edited.clone();
        table["documents"][1]["kind"] = "income_certificate".into();
        table
    };
    for (bad, reason) in [
        (no_my_number.to_string(), "マイナンバー"),
        (
            duplicate_kind.to_string(),
            "2件目: kind「income_certificate」が重複しています。",
        ),
        (
            r#"{"note": "マイナンバー", "documents": [], "extra": 1}"#.into(),
            "添付資料の表を読めません",
        ),
    ] {
        let file = admin.file("bad.json", &bad);
        let refused = admin.fails(&["documents", "set", "--insurer", "0904", &file]);
        assert!(
            refused.contains(reason) && refused.contains("登録は行っていません"),
            "{refused}"
        );
        assert_eq!(
            union_documents::own(store.as_ref(), &code).await.unwrap(),
            Some(own.clone())
        );
    }
    // A union that is not registered gets no table.
    let refused = admin.fails(&["documents", "set", "--insurer", "0905", &own_file]);
    assert!(refused.contains("保険者 0905 が登録されていません"), "{refused}");
    let other = InsurerCode::parse("0905").unwrap();
    assert_eq!(union_documents::own(store.as_ref(), &other).await.unwrap(), None);

    // Back to the default.
    let reset = admin.succeeds(&["documents", "reset", "--insurer", "0904"]);
    assert!(reset.contains("kennin の既定の表に戻しました"), "{reset}");
    assert_eq!(union_documents::own(store.as_ref(), &code).await.unwrap(), None);
    let shown = admin.succeeds(&["documents", "show", "--insurer", "0904"]);
    assert!(
        shown.starts_with("保険者 0904 の添付資料の表: kennin の既定の表"),
        "{shown}"
    );
}

on_both_engines!(a_unions_table_is_shown_set_refused_and_reset);
