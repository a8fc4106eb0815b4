//! A union's table of the documents the answers require (添付資料): shown, replaced by the
//! union's own from a JSON file, or returned to kennin's default.

use clap::{Args, Subcommand};
use kennin::clock::{Clock, SystemClock};
use kennin::domain::InsurerCode;
use kennin::import_file::decode;
use kennin::required_documents::{DocumentTable, Situation};
use kennin::store::ItemStore;
use kennin::store::records::Insurer;
use kennin::union_documents;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum DocumentsCommand {
    /// The table the union's forms use, its own or kennin's default (saying which); with --json
    /// in the format `documents set` reads, to export, edit and set again.
    Show {
        #[command(flatten)]
        union: UnionArg,
        #[arg(long)]
        json: bool,
    },
    /// Makes a table in JSON (as `documents show --json` prints it) the union's own. A table the
    /// form could not show is refused with the reason, and nothing is written.
    Set {
        #[command(flatten)]
        union: UnionArg,
        file: PathBuf,
    },
    /// Returns the union to kennin's default table.
    Reset {
        #[command(flatten)]
        union: UnionArg,
    },
}

#[derive(Args)]
pub struct UnionArg {
    #[arg(long)]
    insurer: String,
}

impl UnionArg {
    /// The code, of a union that is registered.
    async fn registered(&self, store: &dyn ItemStore) -> Result<InsurerCode, String> {
        let code = InsurerCode::parse(&self.insurer).map_err(|e| format!("--insurer: {e}"))?;
        match store.get(&Insurer::key(&code)).await.map_err(|e| e.to_string())? {
            Some(_) => Ok(code),
            None => Err(format!("保険者 {code} が登録されていません")),
        }
    }
}

/// When a document is required, as the form's person would put it.
fn situation_label(situation: Situation) -> &'static str {
    match situation {
        Situation::Always => "全員",
        Situation::Student => "職業が学生",
        Situation::Wages => "給与・賞与がある",
        Situation::Pension => "年金がある",
        Situation::UnemploymentBenefit => "雇用保険の失業給付がある",
        Situation::BusinessIncome => "事業・不動産・農業の収入がある",
        Situation::Remittance => "別居で仕送りがある",
        Situation::AbroadException => "海外に住んでいて例外にあてはまる",
    }
}

/// The JSON name of `situation`, the value an operator writes in `when`.
fn situation_name(situation: Situation) -> String {
    serde_json::to_value(situation)
        .ok()
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn readable(code: &InsurerCode, table: &DocumentTable, whose: &str) -> String {
    let mut lines = vec![format!("保険者 {code} の添付資料の表: {whose}")];
    for (index, document) in table.documents.iter().enumerate() {
        lines.push(format!("{}. {}（{}）", index + 1, document.label, document.kind));
        lines.push(format!(
            "   必要なとき: {}（{}）",
            situation_label(document.when),
            situation_name(document.when)
        ));
        lines.push(format!("   理由: {}", document.reason));
        if let Some(note) = &document.note {
            lines.push(format!("   注意: {note}"));
        }
    }
    if table.documents.is_empty() {
        lines.push("添付資料はありません".into());
    }
    lines.push(format!("共通の注意書き: {}", table.note));
    lines.join("\n")
}

const OWN: &str = "組合独自の表";
const DEFAULT: &str = "kennin の既定の表（組合独自の表はありません）";

pub async fn documents(store: &dyn ItemStore, command: DocumentsCommand) -> Result<String, String> {
    match command {
        DocumentsCommand::Show { union, json } => {
            let code = union.registered(store).await?;
            let own = union_documents::own(store, &code).await.map_err(|e| e.to_string())?;
            let whose = if own.is_some() { OWN } else { DEFAULT };
            let table = own.unwrap_or_else(|| DocumentTable::default_table().clone());
            if json {
                // stdout is the file `documents set` reads; which table it is goes beside it.
                eprintln!("保険者 {code} の添付資料の表: {whose}");
                serde_json::to_string_pretty(&table).map_err(|e| e.to_string())
            } else {
                Ok(readable(&code, &table, whose))
            }
        }
        DocumentsCommand::Set { union, file } => {
            let code = union.registered(store).await?;
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let text = decode(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
            let table = DocumentTable::from_json(&text)
                .map_err(|e| format!("{}: {e}\n登録は行っていません", file.display()))?;
            let count = table.documents.len();
            union_documents::set(store, &code, table, SystemClock.unix())
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "保険者 {code} の添付資料の表を登録しました（{count}件）。以後の調査票はこの表を使います。"
            ))
        }
        DocumentsCommand::Reset { union } => {
            let code = union.registered(store).await?;
            if union_documents::own(store, &code)
                .await
                .map_err(|e| e.to_string())?
                .is_none()
            {
                return Ok(format!(
                    "保険者 {code} は組合独自の表を使っていません（kennin の既定の表のままです）"
                ));
            }
            union_documents::reset(store, &code).await.map_err(|e| e.to_string())?;
            Ok(format!("保険者 {code} の添付資料の表を kennin の既定の表に戻しました"))
        }
    }
}
