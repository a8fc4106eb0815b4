//! The campaigns' scheduled mails by hand: `reminders run` makes one run of the hourly schedule
//! (at a moment of the operator's choosing), `reminders preview` says what goes out next.

use clap::Subcommand;
use kennin::campaign;
use kennin::clock::{Clock, ManualClock, SystemClock};
use kennin::config::Config;
use kennin::deps::Deps;
use kennin::domain::InsurerCode;
use kennin::mail::Mailer;
use kennin::reminders;
use kennin::schedule;
use kennin::store::ItemStore;
use std::sync::Arc;
use std::time::Duration;

/// The local runner's address, where a mail's links point unless told otherwise.
const LOCAL_SITE: &str = "http://127.0.0.1:3000";
/// How long one run by hand may take: as long as the scheduled function's.
const RUN_LIMIT: Duration = Duration::from_secs(15 * 60);

#[derive(Subcommand)]
pub enum RemindersCommand {
    /// Queues the invitations and reminders due and sends the outbox, once, as the hourly
    /// schedule does.
    Run {
        /// The moment to run at, YYYY-MM-DDTHH:MM in Japan time (default: now).
        #[arg(long)]
        now: Option<String>,
        /// Where the mails' links point.
        #[arg(long, default_value = LOCAL_SITE)]
        site_url: String,
    },
    /// The campaign's next scheduled mail and whom it would reach.
    Preview {
        #[arg(long)]
        insurer: String,
        /// The survey year (default: the union's current one).
        #[arg(long)]
        year: Option<i32>,
    },
}

pub async fn run(
    store: Arc<dyn ItemStore>,
    mailer: Arc<dyn Mailer>,
    command: RemindersCommand,
) -> Result<String, String> {
    match command {
        RemindersCommand::Run { now, site_url } => {
            let clock: Arc<dyn Clock> = match now {
                Some(now) => Arc::new(ManualClock::starting_at(
                    campaign::parse_opening(&now).map_err(|e| format!("--now: {e}"))?,
                )),
                None => Arc::new(SystemClock),
            };
            let config = Config::with_secret(kennin::secrets::new_token().into_bytes()).overridden_by_env()?;
            let deps = Deps::new(store, mailer, clock, config)?;
            let until = tokio::time::Instant::now() + RUN_LIMIT;
            let report = schedule::run(&deps, &site_url, until)
                .await
                .map_err(|e| e.to_string())?;
            let (r, m) = (report.reminders, report.mail);
            Ok(format!(
                "予定のメール: {}人を新たに送信待ちにしました（送信待ち済み {}人、アカウントなし {}人、完了 {}件、取りやめ {}件、残り {}件）\n\
                 送信: {}通（宛先なし・不達 {}通、再送待ち {}通、断念 {}通）",
                r.queued,
                r.already,
                r.unregistered,
                r.completed,
                r.dropped,
                r.waiting,
                m.sent,
                m.not_sent,
                m.retried,
                m.failed
            ))
        }
        RemindersCommand::Preview { insurer, year } => {
            let code = InsurerCode::parse(&insurer).map_err(|e| format!("--insurer: {e}"))?;
            let year = crate::survey_year(store.as_ref(), &code, year).await?;
            let campaign = campaign::get(store.as_ref(), &code, year)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("保険者 {code} の {year} 年度の調査がありません"))?;
            let Some(preview) = reminders::preview(store.as_ref(), &campaign)
                .await
                .map_err(|e| e.to_string())?
            else {
                return Ok("予定のメールはありません".into());
            };
            let mut said = format!(
                "次の送信: {} {}、{}人",
                campaign::japan_minute(preview.at),
                reminders::label(preview.reminder),
                preview.persons.len()
            );
            for (symbol, number) in &preview.persons {
                said.push_str(&format!("\n  {}-{}", symbol.as_str(), number.as_str()));
            }
            Ok(said)
        }
    }
}
