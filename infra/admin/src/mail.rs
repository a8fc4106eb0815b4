//! What SES reports about mail, for the embedded engine (where no SES reports anything) and for
//! an operator who learned of a bounce elsewhere.

use clap::Subcommand;
use kennin::Error;
use kennin::clock::{Clock, SystemClock};
use kennin::domain::{Email, InsurerCode};
use kennin::store::ItemStore;
use kennin::store::records::SuppressionKind;
use kennin::suppression;

#[derive(Subcommand)]
pub enum MailCommand {
    /// Records that mail to an address bounced (or, with --complaint, was reported as spam), as
    /// SES's report would: kennin stops mailing it, the person sees it on the top page, and the
    /// union's progress page lists them for the call center. Changing the address lifts it.
    Bounce {
        #[arg(long)]
        email: String,
        #[arg(long)]
        complaint: bool,
        /// The union whose current roster's accounts are looked through for the address (the
        /// whole roster is read); without it the address alone is suppressed.
        #[arg(long)]
        insurer: Option<String>,
    },
}

pub async fn run(store: &dyn ItemStore, command: MailCommand) -> Result<String, String> {
    let MailCommand::Bounce {
        email,
        complaint,
        insurer,
    } = command;
    let email = Email::parse(&email).map_err(|e| format!("--email: {e}"))?;
    let insurer = insurer
        .map(|code| InsurerCode::parse(&code).map_err(|e| format!("--insurer: {e}")))
        .transpose()?;
    let kind = match complaint {
        true => SuppressionKind::Complaint,
        false => SuppressionKind::Bounce,
    };
    let listed = suppression::report(store, &email, kind, SystemClock.unix(), insurer.as_ref())
        .await
        .map_err(|e| match (e, &insurer) {
            (Error::NotFound, Some(code)) => format!("保険者 {code} が登録されていません"),
            (other, _) => other.to_string(),
        })?;
    let mut said = format!("{} への送信を停止しました（{}）。", email.masked(), kind.label());
    if insurer.is_some() {
        said.push_str(&format!(
            "この宛先のアカウント {listed}件を進捗画面の一覧に載せました。"
        ));
    }
    Ok(said)
}
