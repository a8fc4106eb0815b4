//! `kennin-admin`: the operator's commands, against the local runner's embedded store
//! (--data-dir) or a DynamoDB table (--table, with the usual AWS environment).

use clap::{Parser, Subcommand};
use kennin::clock::{Clock, SystemClock};
use kennin::deps::sdk_config;
use kennin::domain::InsurerCode;
use kennin::roster;
use kennin::store::ItemStore;
use kennin::store::dynamodb::DynamoStore;
use kennin::store::sqlite::SqliteStore;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "kennin-admin", about = "kennin's operator CLI")]
struct Cli {
    /// The local runner's data folder (embedded store).
    #[arg(long, global = true, default_value = ".kennin")]
    data_dir: PathBuf,
    /// A DynamoDB table instead of the embedded store.
    #[arg(long, global = true, env = "KENNIN_TABLE")]
    table: Option<String>,
    /// A DynamoDB endpoint such as DynamoDB Local (AWS_ENDPOINT_URL works too).
    #[arg(long, global = true, env = "KENNIN_DYNAMODB_ENDPOINT")]
    dynamodb_endpoint: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Unions (保険者).
    Insurer {
        #[command(subcommand)]
        command: InsurerCommand,
    },
    /// Yearly rosters of insured persons.
    Roster {
        #[command(subcommand)]
        command: RosterCommand,
    },
}

#[derive(Subcommand)]
enum InsurerCommand {
    /// Creates a union or renames it.
    Put {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum RosterCommand {
    /// Imports a CSV (columns symbol, number, birth_date, name_kana, name; UTF-8 or Shift_JIS)
    /// and makes its year the union's current survey year.
    Import {
        #[arg(long)]
        insurer: String,
        #[arg(long)]
        year: i32,
        file: PathBuf,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("エラー: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn open_store(cli: &Cli) -> Result<Box<dyn ItemStore>, String> {
    match &cli.table {
        Some(table) => {
            let sdk = sdk_config(cli.dynamodb_endpoint.as_deref()).await;
            Ok(Box::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table)))
        }
        None => {
            std::fs::create_dir_all(&cli.data_dir).map_err(|e| e.to_string())?;
            Ok(Box::new(
                SqliteStore::open(&cli.data_dir.join("kennin.sqlite3")).map_err(|e| e.to_string())?,
            ))
        }
    }
}

async fn run(cli: Cli) -> Result<String, String> {
    let store = open_store(&cli).await?;
    match cli.command {
        Command::Insurer {
            command: InsurerCommand::Put { code, name },
        } => {
            let code = InsurerCode::parse(&code).map_err(|e| e.to_string())?;
            let name = name.trim();
            if name.is_empty() {
                return Err("保険者名を指定してください".into());
            }
            roster::put_insurer(store.as_ref(), &code, name)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!("保険者 {code}（{name}）を登録しました"))
        }
        Command::Roster {
            command: RosterCommand::Import { insurer, year, file },
        } => {
            let code = InsurerCode::parse(&insurer).map_err(|e| e.to_string())?;
            if !(2000..=2100).contains(&year) {
                return Err(format!("年度 {year} が正しくありません"));
            }
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let text = roster::decode(&bytes).map_err(|e| e.to_string())?;
            let people = roster::parse(&text, &code, year, SystemClock.today_in_japan())
                .map_err(|e| format!("{}\n取り込みは行っていません", e))?;
            let report = roster::import(store.as_ref(), &code, year, people)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "保険者 {code} の {year} 年度名簿を取り込みました: 追加 {}件、更新 {}件、変更なし {}件",
                report.added, report.updated, report.unchanged
            ))
        }
    }
}
