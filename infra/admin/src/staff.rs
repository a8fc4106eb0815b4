//! `kennin-admin staff`: a union's console staff. Adding a member mails them the invitation
//! (the outbox of the data folder locally, SES with --table).

use clap::Subcommand;
use kennin::Error;
use kennin::console::staff::{self, MemberChange, NewStaffInput, StaffRow};
use kennin::domain::{Email, InsurerCode, StaffRole};
use kennin::mail::Mailer;
use kennin::mail::outbox::Outbox;
use kennin::store::ItemStore;
use kennin::store::records::{Insurer, Staff, from_item};
use std::path::Path;
use std::sync::Arc;

/// Where invitation links point when running against the local data folder: kennin-local's
/// default address.
pub(crate) const LOCAL_SITE: &str = "http://127.0.0.1:3000";

#[derive(Subcommand)]
pub enum StaffCommand {
    /// Adds a member and mails them an invitation to the console (valid 24 hours, once). A
    /// member who has not enrolled yet is invited again (the older links stop working).
    Add {
        #[arg(long)]
        insurer: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, reviewer, callcenter or viewer
        #[arg(long)]
        role: String,
        /// The site the invitation link points to (https://… of the deployment; locally
        /// kennin-local's address).
        #[arg(long, env = "KENNIN_SITE_URL")]
        site_url: Option<String>,
    },
    /// Lists a union's members: address, name, role, enrolled, disabled.
    List {
        #[arg(long)]
        insurer: String,
        /// One JSON object per member, as the console's list shows them.
        #[arg(long)]
        json: bool,
    },
    /// Disables a member: they cannot sign in, and their sessions end at once.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enables a disabled member again (and lifts a lock from failed sign-ins).
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Changes a member's role; their sessions end.
    Role {
        #[arg(long)]
        email: String,
        /// admin, reviewer, callcenter or viewer
        #[arg(long)]
        role: String,
    },
}

/// Where the CLI's mail goes: the data folder's outbox, or SES with --table.
pub struct MailTarget<'a> {
    pub data_dir: &'a Path,
    pub table: bool,
}

impl MailTarget<'_> {
    pub async fn mailer(&self) -> Result<Arc<dyn Mailer>, String> {
        if self.table {
            let sdk = kennin::aws::sdk_config(None).await;
            kennin::mail::from_env(&sdk)
        } else {
            Ok(Arc::new(Outbox::new(
                self.data_dir.join("outbox"),
                "no-reply@kennin.localhost",
            )))
        }
    }
}

fn describe(error: Error) -> String {
    match error {
        Error::Invalid(fields) => fields
            .into_iter()
            .map(|(field, message)| format!("--{field}: {message}"))
            .collect::<Vec<_>>()
            .join("\n"),
        Error::Unavailable(cause) => format!("ストアまたはメールに接続できません（{cause}）"),
        other => other.to_string(),
    }
}

async fn insurer(store: &dyn ItemStore, code: &str) -> Result<Insurer, String> {
    let code = InsurerCode::parse(code).map_err(|e| format!("--insurer: {e}"))?;
    let item = store
        .get(&Insurer::key(&code))
        .await
        .map_err(|e| describe(e.into()))?
        .ok_or_else(|| format!("保険者 {code} が登録されていません（先に insurer put を実行してください）"))?;
    from_item(item).map_err(|e| e.to_string())
}

async fn member(store: &dyn ItemStore, email: &str) -> Result<Staff, String> {
    let email = Email::parse(email).map_err(|e| format!("--email: {e}"))?;
    staff::member_by_email(store, &email)
        .await
        .map_err(describe)?
        .ok_or_else(|| format!("{} の職員は登録されていません", email.as_str()))
}

pub async fn run(store: &dyn ItemStore, mail: MailTarget<'_>, command: StaffCommand) -> Result<String, String> {
    let now = kennin::clock::Clock::unix(&kennin::clock::SystemClock);
    match command {
        StaffCommand::Add {
            insurer: code,
            email,
            name,
            role,
            site_url,
        } => {
            let insurer = insurer(store, &code).await?;
            let site = match (site_url, mail.table) {
                (Some(site), _) => site,
                (None, false) => LOCAL_SITE.to_string(),
                (None, true) => return Err("--site-url（招待リンクのサイト https://…）を指定してください".into()),
            };
            let input = NewStaffInput { email, name, role };
            let mailer = mail.mailer().await?;
            let invited = staff::add_member(store, mailer.as_ref(), &insurer, &input, &site, None, now)
                .await
                .map_err(|e| match e {
                    Error::Invalid(_) => format!("{}\n登録は行っていません", describe(e)),
                    other => describe(other),
                })?;
            let staff = invited.staff;
            Ok(format!(
                "保険者 {} の職員 {}（{}、{}）を登録し、招待メールを送信しました（有効期限 24 時間）",
                insurer.code,
                staff.email.as_str(),
                staff.name,
                staff.role.label()
            ))
        }
        StaffCommand::List { insurer: code, json } => {
            let insurer = insurer(store, &code).await?;
            let members = staff::members(store, &insurer.code).await.map_err(describe)?;
            let rows: Vec<StaffRow> = members.iter().map(StaffRow::of).collect();
            if json {
                return Ok(rows
                    .iter()
                    .map(|row| serde_json::to_string(row).unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join("\n"));
            }
            if rows.is_empty() {
                return Ok(format!("保険者 {} の職員はいません", insurer.code));
            }
            Ok(rows
                .iter()
                .map(|row| {
                    let state = match (row.disabled, row.enrolled) {
                        (true, _) => "利用停止",
                        (false, true) => "利用中",
                        (false, false) => "招待中",
                    };
                    format!("{}\t{}\t{}\t{state}", row.email, row.name, row.role.name())
                })
                .collect::<Vec<_>>()
                .join("\n"))
        }
        StaffCommand::Disable { email } => {
            let staff = member(store, &email).await?;
            let change = MemberChange {
                disabled: Some(true),
                ..MemberChange::default()
            };
            staff::change_member(store, &staff, change, None)
                .await
                .map_err(describe)?;
            Ok(format!(
                "職員 {} を利用停止にしました（ログイン中の端末もログアウトしました）",
                staff.email.as_str()
            ))
        }
        StaffCommand::Enable { email } => {
            let staff = member(store, &email).await?;
            let change = MemberChange {
                disabled: Some(false),
                ..MemberChange::default()
            };
            staff::change_member(store, &staff, change, None)
                .await
                .map_err(describe)?;
            Ok(format!("職員 {} の利用停止を解除しました", staff.email.as_str()))
        }
        StaffCommand::Role { email, role } => {
            let role = StaffRole::parse(&role).map_err(|e| format!("--role: {e}"))?;
            let staff = member(store, &email).await?;
            let change = MemberChange {
                role: Some(role),
                ..MemberChange::default()
            };
            staff::change_member(store, &staff, change, None)
                .await
                .map_err(describe)?;
            Ok(format!(
                "職員 {} の役割を{}にしました（ログイン中の端末はログアウトしました）",
                staff.email.as_str(),
                role.label()
            ))
        }
    }
}
