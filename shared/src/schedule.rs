//! The mail schedule's run (hourly in AWS, in-process in the local runner, once with
//! `kennin-admin reminders run`): queue the scheduled mails that are due, then send what the
//! outbox holds.

use crate::deps::Deps;
use crate::error::Error;
use crate::mail::jobs;
use crate::reminders;
use tokio::time::Instant;
use tracing::Instrument;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub reminders: reminders::Report,
    pub mail: jobs::Report,
}

/// One run, until `until` (a run that stops early is continued by the next); links to `site`.
pub async fn run(deps: &Deps, site: &str, until: Instant) -> Result<Report, Error> {
    let reminders = reminders::queue_due(deps, site, until).await?;
    let mail = jobs::drain(deps, until).await?;
    Ok(Report { reminders, mail })
}

/// `run` as an invocation of its own: every log line it writes carries `request_id` (the Lambda
/// invocation's, or one the caller made), and what it did is logged unless it did nothing.
pub async fn run_logged(deps: &Deps, site: &str, until: Instant, request_id: &str) -> Result<Report, Error> {
    let span = tracing::info_span!("mail_schedule", request_id = %request_id);
    async {
        let result = run(deps, site, until).await;
        match &result {
            Ok(report) if *report != Report::default() => log(report),
            Ok(_) => {}
            Err(error) => tracing::error!(event = "mail_schedule_failed", error = %error, "mail"),
        }
        result
    }
    .instrument(span)
    .await
}

fn log(report: &Report) {
    let (r, m) = (report.reminders, report.mail);
    tracing::info!(
        event = "mail_schedule",
        queued = r.queued,
        already = r.already,
        unregistered = r.unregistered,
        completed = r.completed,
        dropped = r.dropped,
        waiting = r.waiting,
        sent = m.sent,
        not_sent = m.not_sent,
        retried = m.retried,
        failed = m.failed,
        "mail"
    );
}
