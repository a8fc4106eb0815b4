//! `kennin-admin`: the operator's commands, against the local runner's embedded store
//! (--data-dir) or a DynamoDB table (--table, with the usual AWS environment).

use clap::{Args, Parser, Subcommand};
use kennin::Error;
use kennin::aws::sdk_config;
use kennin::clock::{Clock, SystemClock};
use kennin::domain::{Email, InsurerCode, UserId};
use kennin::notices::{self, Notice, Scope};
use kennin::operator;
use kennin::roster;
use kennin::store::ItemStore;
use kennin::store::dynamodb::DynamoStore;
use kennin::store::records::{Insurer, UnionContact};
use kennin::store::sqlite::SqliteStore;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

mod documents;
mod leaflet;
mod mail;
mod reminders;
mod staff;
mod survey;

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
    /// A roster's dependents (被扶養者).
    Dependents {
        #[command(subcommand)]
        command: survey::DependentsCommand,
    },
    /// A union's survey of the year: its window, its targets.
    Campaign {
        #[command(subcommand)]
        command: survey::CampaignCommand,
    },
    /// The documents a union's forms ask for (添付資料): its own table or kennin's default.
    Documents {
        #[command(subcommand)]
        command: documents::DocumentsCommand,
    },
    /// Notices (お知らせ): the site's, on the login page, or a union's, on its top page.
    Notice {
        #[command(subcommand)]
        command: NoticeCommand,
    },
    /// A union's own terms of use (利用規約).
    Terms {
        #[command(subcommand)]
        command: TermsCommand,
    },
    /// People's accounts: end their sessions, disable or enable them.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// The union's console staff: add (mails an invitation), list, disable, enable, role.
    Staff {
        #[command(subcommand)]
        command: staff::StaffCommand,
    },
    /// The campaigns' invitations and reminders: `reminders run` sends what is due now (or at
    /// --now), `reminders preview` says what goes out next and to whom.
    Reminders {
        #[command(subcommand)]
        command: reminders::RemindersCommand,
    },
    /// What SES reports about mail: `mail bounce` stops mailing an address.
    Mail {
        #[command(subcommand)]
        command: mail::MailCommand,
    },
    /// The campaign's results or progress as CSV: the same file as the console's export
    /// (columns in docs/export.md), of any size.
    Export(ExportArgs),
    /// The DynamoDB table itself (--table).
    Table {
        #[command(subcommand)]
        command: TableCommand,
    },
}

#[derive(Args)]
struct ExportArgs {
    #[arg(long)]
    insurer: String,
    /// results (a row per target) or progress (counts by office and status).
    #[arg(long, value_parser = ["results", "progress"])]
    kind: String,
    /// utf-8 (with a BOM, for Excel) or shift_jis (CP932).
    #[arg(long, default_value = "utf-8", value_parser = ["utf-8", "shift_jis"])]
    encoding: String,
    /// The survey year; the union's current year when absent.
    #[arg(long)]
    year: Option<i32>,
    /// The file to write.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Subcommand)]
enum TableCommand {
    /// Creates the table as template.yaml declares it (pk, sk, on demand, TTL) unless it exists:
    /// for DynamoDB Local, where no stack makes it.
    Create,
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Ends the sessions of one person (--user-id) or of everyone in a union (--insurer); they
    /// log in again.
    EndSessions {
        #[command(flatten)]
        whose: WhoseSessions,
    },
    /// Disables an account: it cannot log in, and its sessions end at once.
    Disable {
        #[arg(long)]
        user_id: String,
    },
    /// Enables a disabled account again.
    Enable {
        #[arg(long)]
        user_id: String,
    },
}

/// `--user-id ID` or `--insurer CODE`, exactly one.
#[derive(Args)]
#[group(required = true, multiple = false)]
struct WhoseSessions {
    #[arg(long)]
    user_id: Option<String>,
    #[arg(long)]
    insurer: Option<String>,
}

#[derive(Subcommand)]
enum TermsCommand {
    /// Publishes a new version; everyone of the union accepts it once at their next visit.
    Publish {
        #[arg(long)]
        insurer: String,
        #[arg(long)]
        title: String,
        /// The text, UTF-8 or Shift_JIS.
        #[arg(long)]
        text_file: PathBuf,
    },
}

#[derive(Subcommand)]
enum InsurerCommand {
    /// Creates a union or renames it, and sets whom people ask about the survey (each contact
    /// part is changed only when given; an empty value clears it).
    Put {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// 担当部署・担当者
        #[arg(long)]
        contact_name: Option<String>,
        #[arg(long)]
        contact_phone: Option<String>,
        /// 受付時間, e.g. "平日 10:00〜17:00"
        #[arg(long)]
        contact_hours: Option<String>,
        #[arg(long)]
        contact_email: Option<String>,
    },
    /// Writes the union's printable A4 leaflet (HTML): the window of its campaign, the signup
    /// address with its code and that address as a QR code, its contact.
    Leaflet(leaflet::LeafletArgs),
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

#[derive(Subcommand)]
enum NoticeCommand {
    /// Posts a notice. The text is shown as plain text (line breaks kept, no HTML).
    Add {
        #[command(flatten)]
        scope: ScopeArgs,
        /// The date shown with the notice: 2026-04-01 (or 2026.04.01).
        #[arg(long)]
        date: String,
        /// The title, up to 100 characters.
        #[arg(long)]
        title: String,
        /// The text, up to 4,000 characters.
        #[arg(long, conflicts_with = "text_file")]
        text: Option<String>,
        /// The text from a file (UTF-8 or Shift_JIS).
        #[arg(long)]
        text_file: Option<PathBuf>,
        /// An https:// URL or a path on this site such as /portal/guide.
        #[arg(long)]
        link: Option<String>,
    },
    /// Lists the notices, newest first: id, date, title.
    List {
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Deletes a notice by its id (as `notice list` prints it).
    Remove {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        id: String,
    },
}

/// Whose notices: `--site` or `--insurer CODE`, exactly one.
#[derive(Args)]
#[group(required = true, multiple = false)]
struct ScopeArgs {
    /// The site's notices (サイトからのお知らせ, on the login page).
    #[arg(long)]
    site: bool,
    /// A union's notices (組合からのお知らせ, on its members' top page).
    #[arg(long)]
    insurer: Option<String>,
}

impl ScopeArgs {
    fn scope(&self) -> Result<Scope, String> {
        match &self.insurer {
            Some(code) => Ok(Scope::Insurer(InsurerCode::parse(code).map_err(|e| e.to_string())?)),
            None => Ok(Scope::Site),
        }
    }
}

/// "サイトのお知らせ" or "保険者 0904 のお知らせ".
fn notices_of(scope: &Scope) -> String {
    match scope {
        Scope::Site => "サイトのお知らせ".to_string(),
        Scope::Insurer(code) => format!("保険者 {code} のお知らせ"),
    }
}

async fn create_table(table: Option<&str>, endpoint: Option<&str>) -> Result<String, String> {
    let table = table.ok_or("--table を指定してください")?;
    let sdk = sdk_config(endpoint).await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    if store.warm_up().await.is_ok() {
        return Ok(format!("テーブル {table} はすでにあります"));
    }
    store.create_table().await.map_err(|e| describe(e.into()))?;
    Ok(format!("テーブル {table} を作成しました"))
}

/// An error's message for the operator; for bad input, every field's message.
fn describe(error: Error) -> String {
    match error {
        Error::Invalid(fields) => fields
            .into_iter()
            .map(|(field, message)| format!("--{field}: {message}"))
            .collect::<Vec<_>>()
            .join("\n"),
        Error::Unavailable(cause) => format!("ストアに接続できません（{cause}）"),
        other => other.to_string(),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    // Quiet unless asked: RUST_LOG=warn,kennin::dynamodb=debug prints each DynamoDB round trip
    // (operation, latency, consumed capacity; never a key or a value) to stderr as JSON, which
    // is how the benchmark counts an import's capacity units.
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = kennin::lambda::install_logging(std::io::stderr);
    }
    let cli = Cli::parse();
    match run(cli).await {
        Ok(message) => match writeln!(std::io::stdout(), "{message}") {
            Ok(()) => ExitCode::SUCCESS,
            // A reader that stops early (`notice list | head -n 1`) has what it wanted.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("エラー: {e}");
                ExitCode::FAILURE
            }
        },
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
            command:
                InsurerCommand::Put {
                    code,
                    name,
                    contact_name,
                    contact_phone,
                    contact_hours,
                    contact_email,
                },
        } => {
            let code = InsurerCode::parse(&code).map_err(|e| e.to_string())?;
            let name = name.trim();
            if name.is_empty() {
                return Err("保険者名を指定してください".into());
            }
            let given = ContactParts {
                name: contact_name,
                phone: contact_phone,
                hours: contact_hours,
                email: contact_email,
            };
            let contact = match given.is_empty() {
                true => None,
                false => Some(given.over(current_contact(store.as_ref(), &code).await?)?),
            };
            roster::put_insurer(store.as_ref(), &code, name, contact.as_ref())
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!("保険者 {code}（{name}）を登録しました"))
        }
        Command::Insurer {
            command: InsurerCommand::Leaflet(args),
        } => leaflet::run(store.as_ref(), cli.table.is_some(), args).await,
        Command::Dependents { command } => survey::dependents(store.as_ref(), command).await,
        Command::Campaign { command } => survey::campaign(store.as_ref(), command).await,
        Command::Documents { command } => documents::documents(store.as_ref(), command).await,
        Command::Roster {
            command: RosterCommand::Import { insurer, year, file },
        } => {
            let code = InsurerCode::parse(&insurer).map_err(|e| e.to_string())?;
            if !(2000..=2100).contains(&year) {
                return Err(format!("年度 {year} が正しくありません"));
            }
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let text = kennin::import_file::decode(&bytes).map_err(|e| e.to_string())?;
            let people = roster::parse(&text, &code, year, SystemClock.today_in_japan())
                .map_err(|e| format!("{}\n取り込みは行っていません", e))?;
            let report = roster::import(store.as_ref(), &code, year, people, &mut |done| {
                eprint!("\r名簿を取り込み中: {done}件")
            })
            .await
            .map_err(|e| e.to_string())?;
            eprintln!();
            Ok(format!(
                "保険者 {code} の {year} 年度名簿を取り込みました: 追加 {}件、更新 {}件、変更なし {}件",
                report.added, report.updated, report.unchanged
            ))
        }
        Command::Export(args) => export(store.as_ref(), args).await,
        Command::Mail { command } => mail::run(store.as_ref(), command).await,
        Command::Reminders { command } => {
            let mailer = staff::MailTarget {
                data_dir: &cli.data_dir,
                table: cli.table.is_some(),
            }
            .mailer()
            .await?;
            reminders::run(Arc::from(store), mailer, command).await
        }
        Command::Notice { command } => notice(store.as_ref(), command).await,
        Command::Account { command } => account(store.as_ref(), command).await,
        Command::Staff { command } => {
            let mail = staff::MailTarget {
                data_dir: &cli.data_dir,
                table: cli.table.is_some(),
            };
            staff::run(store.as_ref(), mail, command).await
        }
        Command::Table {
            command: TableCommand::Create,
        } => create_table(cli.table.as_deref(), cli.dynamodb_endpoint.as_deref()).await,
        Command::Terms {
            command:
                TermsCommand::Publish {
                    insurer,
                    title,
                    text_file,
                },
        } => {
            let code = InsurerCode::parse(&insurer).map_err(|e| e.to_string())?;
            let bytes = std::fs::read(&text_file).map_err(|e| format!("{}: {e}", text_file.display()))?;
            let text = kennin::import_file::decode(&bytes).map_err(|e| format!("{}: {e}", text_file.display()))?;
            let (title, text) = (title.trim(), text.trim());
            if title.is_empty() || text.is_empty() {
                return Err("題名と本文を指定してください".into());
            }
            let now = kennin::clock::SystemClock.unix();
            let version = kennin::terms::publish(store.as_ref(), &code, title, text, now)
                .await
                .map_err(|e| match e {
                    kennin::Error::NotFound => format!("保険者 {code} が登録されていません"),
                    other => other.to_string(),
                })?;
            Ok(format!(
                "保険者 {code} の利用規約を公開しました（版 {version}）。次回ログイン時に同意をお願いします。"
            ))
        }
    }
}

/// The survey year given, or the union's current one.
async fn survey_year(store: &dyn ItemStore, code: &InsurerCode, given: Option<i32>) -> Result<i32, String> {
    if let Some(year) = given {
        return Ok(year);
    }
    let insurer: Insurer = match store.get(&Insurer::key(code)).await.map_err(|e| e.to_string())? {
        Some(item) => kennin::store::records::from_item(item).map_err(|e| e.to_string())?,
        None => return Err(format!("保険者 {code} が登録されていません")),
    };
    insurer
        .current_year
        .ok_or(format!("保険者 {code} には名簿の年度がありません"))
}

async fn export(store: &dyn ItemStore, args: ExportArgs) -> Result<String, String> {
    use kennin::console::export::{ExportEncoding, ExportKind, build};
    let code = InsurerCode::parse(&args.insurer).map_err(|e| e.to_string())?;
    let kind = ExportKind::parse(&args.kind).ok_or("--kind は results か progress です")?;
    let encoding = ExportEncoding::parse(&args.encoding).ok_or("--encoding は utf-8 か shift_jis です")?;
    let year = survey_year(store, &code, args.year).await?;
    let file = build(store, &code, year, kind, encoding, SystemClock.today_in_japan())
        .await
        .map_err(|e| e.to_string())?;
    std::fs::write(&args.out, &file.bytes).map_err(|e| format!("{}: {e}", args.out.display()))?;
    Ok(format!(
        "保険者 {code} の {year} 年度の{}を {} に書き出しました（{} バイト）",
        match kind {
            ExportKind::Results => "回答結果",
            ExportKind::Progress => "進捗",
        },
        args.out.display(),
        file.bytes.len()
    ))
}

/// The contact parts given on the command line, each replacing the stored one.
struct ContactParts {
    name: Option<String>,
    phone: Option<String>,
    hours: Option<String>,
    email: Option<String>,
}

/// The longest a contact part may be, so that it fits a line of a page or a mail.
const MAX_CONTACT_CHARS: usize = 100;

impl ContactParts {
    fn is_empty(&self) -> bool {
        [&self.name, &self.phone, &self.hours, &self.email]
            .iter()
            .all(|part| part.is_none())
    }

    fn over(self, current: UnionContact) -> Result<UnionContact, String> {
        let text = |flag: &str, given: Option<String>, current: Option<String>| -> Result<Option<String>, String> {
            let Some(given) = given else { return Ok(current) };
            let given = kennin::domain::clean_text(&given);
            if given.chars().count() > MAX_CONTACT_CHARS {
                return Err(format!("{flag}: {MAX_CONTACT_CHARS}文字以内で指定してください"));
            }
            Ok((!given.is_empty()).then_some(given))
        };
        let email = match self.email {
            None => current.email,
            Some(given) if kennin::domain::is_blank(&given) => None,
            Some(given) => Some(Email::parse(&given).map_err(|e| format!("--contact-email: {e}"))?),
        };
        Ok(UnionContact {
            name: text("--contact-name", self.name, current.name)?,
            phone: text("--contact-phone", self.phone, current.phone)?,
            hours: text("--contact-hours", self.hours, current.hours)?,
            email,
        })
    }
}

async fn current_contact(store: &dyn ItemStore, code: &InsurerCode) -> Result<UnionContact, String> {
    let item = store.get(&Insurer::key(code)).await.map_err(|e| e.to_string())?;
    let insurer: Option<Insurer> = item
        .map(kennin::store::records::from_item)
        .transpose()
        .map_err(|e| e.to_string())?;
    Ok(insurer.and_then(|i| i.contact).unwrap_or_default())
}

async fn find_account(store: &dyn ItemStore, user_id: &str) -> Result<kennin::store::records::Account, String> {
    let user_id = UserId::parse(user_id).map_err(|e| format!("--user-id: {e}"))?;
    operator::find_account(store, &user_id).await.map_err(|e| match e {
        Error::NotFound => format!("ユーザーID {} のアカウントは見つかりません", user_id.as_str()),
        other => describe(other),
    })
}

async fn account(store: &dyn ItemStore, command: AccountCommand) -> Result<String, String> {
    match command {
        AccountCommand::EndSessions {
            whose: WhoseSessions {
                user_id: Some(user_id), ..
            },
        } => {
            let account = find_account(store, &user_id).await?;
            operator::end_sessions(store, &account.id).await.map_err(describe)?;
            Ok(format!(
                "ユーザーID {} のログインをすべて終了しました",
                account.user_id.as_str()
            ))
        }
        AccountCommand::EndSessions { whose } => {
            let code = InsurerCode::parse(whose.insurer.as_deref().unwrap_or_default()).map_err(|e| e.to_string())?;
            let ended = operator::end_union_sessions(store, &code).await.map_err(|e| match e {
                Error::NotFound => format!("保険者 {code} が登録されていません"),
                other => describe(other),
            })?;
            Ok(format!(
                "保険者 {code} の {ended} 件のアカウントのログインをすべて終了しました"
            ))
        }
        AccountCommand::Disable { user_id } => {
            let account = find_account(store, &user_id).await?;
            operator::set_disabled(store, &account.id, true)
                .await
                .map_err(describe)?;
            Ok(format!(
                "ユーザーID {} を利用停止にしました（ログイン中の端末もログアウトしました）",
                account.user_id.as_str()
            ))
        }
        AccountCommand::Enable { user_id } => {
            let account = find_account(store, &user_id).await?;
            operator::set_disabled(store, &account.id, false)
                .await
                .map_err(describe)?;
            Ok(format!(
                "ユーザーID {} の利用停止を解除しました",
                account.user_id.as_str()
            ))
        }
    }
}

async fn notice(store: &dyn ItemStore, command: NoticeCommand) -> Result<String, String> {
    match command {
        NoticeCommand::Add {
            scope,
            date,
            title,
            text,
            text_file,
            link,
        } => {
            let scope = scope.scope()?;
            if let Scope::Insurer(code) = &scope
                && store
                    .get(&Insurer::key(code))
                    .await
                    .map_err(|e| describe(e.into()))?
                    .is_none()
            {
                return Err(format!(
                    "保険者 {code} が登録されていません（先に insurer put を実行してください）"
                ));
            }
            let date = notices::parse_date(&date).map_err(|e| format!("--date: {e}"))?;
            let text = match text_file {
                Some(file) => {
                    let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
                    kennin::import_file::decode(&bytes).map_err(|e| format!("{}: {e}", file.display()))?
                }
                None => text.unwrap_or_default(),
            };
            let notice = Notice::new(date, &title, &text, link.as_deref())
                .map_err(|e| format!("{}\n登録は行っていません", describe(e)))?;
            notices::add(store, &scope, &notice).await.map_err(describe)?;
            Ok(format!(
                "{}を登録しました: {}（{} {}）",
                notices_of(&scope),
                notice.id(),
                notice.iso_date(),
                notice.title()
            ))
        }
        NoticeCommand::List { scope } => {
            let scope = scope.scope()?;
            let list = notices::list(store, &scope).await.map_err(describe)?;
            if list.is_empty() {
                return Ok(format!("{}はありません", notices_of(&scope)));
            }
            Ok(list
                .iter()
                .map(|n| format!("{}\t{}\t{}", n.id(), n.iso_date(), n.title()))
                .collect::<Vec<_>>()
                .join("\n"))
        }
        NoticeCommand::Remove { scope, id } => {
            let scope = scope.scope()?;
            if notices::remove(store, &scope, id.trim()).await.map_err(describe)? {
                Ok(format!("{} {} を削除しました", notices_of(&scope), id.trim()))
            } else {
                Err(format!("{} {} は見つかりません", notices_of(&scope), id.trim()))
            }
        }
    }
}
