//! The mail schedule's run (hourly in AWS, in-process in the local runner, once with
//! `kennin-admin reminders run`): queue the scheduled mails that are due, then send what the
//! outbox holds.

use crate::deps::Deps;
use crate::error::Error;
use crate::mail::jobs;
use crate::reminders;
use tokio::time::Instant;

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

/// The report as the logs and the command line print it.
pub fn log(report: &Report) {
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
