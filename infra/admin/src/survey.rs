//! The survey's operator commands: a union's dependents and its yearly campaign.

use clap::{Args, Subcommand};
use kennin::campaign::{self, Exclusion, Publication, Selection, Settings};
use kennin::clock::{Clock, SystemClock};
use kennin::dependents;
use kennin::domain::{DateMessages, Day, InsuredKind, InsurerCode};
use kennin::import_file::decode;
use kennin::store::ItemStore;
use kennin::store::records::{DecisionMails, TargetRules};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum DependentsCommand {
    /// Imports the year's dependents (columns symbol, number, dependent_no, name_kana, name,
    /// birth_date, sex, relationship, certified_on, living; UTF-8 or Shift_JIS). The file is the
    /// whole list: a dependent missing from it is marked as having left the roster.
    Import {
        #[command(flatten)]
        year: UnionYear,
        file: PathBuf,
    },
}

#[derive(Args)]
pub struct UnionYear {
    #[arg(long)]
    insurer: String,
    #[arg(long)]
    year: i32,
}

impl UnionYear {
    fn parse(&self) -> Result<(InsurerCode, i32), String> {
        let code = InsurerCode::parse(&self.insurer).map_err(|e| format!("--insurer: {e}"))?;
        if !(2000..=2100).contains(&self.year) {
            return Err(format!("年度 {} が正しくありません", self.year));
        }
        Ok((code, self.year))
    }
}

#[derive(Subcommand)]
pub enum CampaignCommand {
    /// Creates the union's campaign of the year or changes its settings (times in Japan time;
    /// the due date's whole day counts).
    Put(Box<CampaignSettings>),
    /// How many dependents would become targets and how many each rule leaves out; writes
    /// nothing.
    Preview(UnionYear),
    /// Freezes the targets from the roster. Run again after a roster change: it adds new
    /// targets and marks those whose dependent left the roster, never deleting an answer.
    Publish(UnionYear),
    /// The campaign's settings and its targets.
    Show(UnionYear),
}

#[derive(Args)]
pub struct CampaignSettings {
    #[command(flatten)]
    year: UnionYear,
    #[arg(long)]
    title: String,
    /// The opening minute, YYYY-MM-DDTHH:MM.
    #[arg(long)]
    opens: String,
    /// The last day of the window, YYYY-MM-DD.
    #[arg(long)]
    due: String,
    /// Days after the due date on which answers are still accepted.
    #[arg(long, default_value_t = 0)]
    grace_days: i64,
    /// The day ages are counted on (基準日), YYYY-MM-DD.
    #[arg(long)]
    reference_date: String,
    #[arg(long)]
    min_age: Option<i32>,
    #[arg(long)]
    max_age: Option<i32>,
    /// Only dependents certified on or before this day, YYYY-MM-DD.
    #[arg(long)]
    certified_before: Option<String>,
    /// Leaves out the dependents of insured persons of these kinds: 任意継続,特例退職.
    #[arg(long, value_delimiter = ',')]
    exclude_kind: Vec<String>,
    /// Leaves out the dependents of insured persons posted overseas.
    #[arg(long)]
    exclude_overseas: bool,
    /// Days the documents people sent are kept after the campaign closes (the due date and the
    /// grace days); then the daily purge deletes them.
    #[arg(long, default_value_t = campaign::DEFAULT_RETENTION_DAYS)]
    retention_days: i64,
    /// Reminder mails to persons with forms not submitted: days before the due date, 0 for the
    /// due date itself (each at 09:00 Japan time), e.g. 14,7,3,1,0.
    #[arg(long, value_delimiter = ',')]
    reminders: Vec<i64>,
    /// Does not mail the person when a dependent is removed (削除), which is mailed by default.
    #[arg(long)]
    no_removal_mail: bool,
    /// Mails the person when a dependent is kept (継続), which most unions do not.
    #[arg(long)]
    continuation_mail: bool,
}

fn day(flag: &'static str, input: &str) -> Result<Day, String> {
    let messages = DateMessages {
        empty: "日付を指定してください。",
        format: "日付は 2027-01-05 の形で指定してください。",
        year: "日付の年が正しくありません。",
        nonexistent: "存在しない日付です。",
    };
    Day::parse(input, &messages).map_err(|e| format!("{flag}: {e}"))
}

impl CampaignSettings {
    fn parse(&self) -> Result<Settings, String> {
        let excluded_kinds = self
            .exclude_kind
            .iter()
            .map(|kind| InsuredKind::parse(kind).map_err(|e| format!("--exclude-kind: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let settings = Settings {
            title: kennin::domain::clean_text(&self.title),
            opens_at: campaign::parse_opening(&self.opens).map_err(|e| format!("--opens: {e}"))?,
            due: day("--due", &self.due)?,
            grace_days: self.grace_days,
            reference_date: day("--reference-date", &self.reference_date)?,
            rules: TargetRules {
                min_age: self.min_age,
                max_age: self.max_age,
                certified_by: self
                    .certified_before
                    .as_deref()
                    .map(|d| day("--certified-before", d))
                    .transpose()?,
                excluded_kinds,
                exclude_overseas: self.exclude_overseas,
            },
            retention_days: self.retention_days,
            reminders: {
                let mut days = self.reminders.clone();
                days.sort_unstable_by(|a, b| b.cmp(a));
                days
            },
            decision_mails: DecisionMails {
                removal: !self.no_removal_mail,
                continuation: self.continuation_mail,
            },
        };
        settings.check().map_err(|e| e.to_string())?;
        Ok(settings)
    }
}

/// Progress on the terminal, overwritten in place.
fn progress(what: &'static str) -> impl FnMut(usize) + Send {
    move |done| eprint!("\r{what}: {done}件")
}

pub async fn dependents(store: &dyn ItemStore, command: DependentsCommand) -> Result<String, String> {
    let DependentsCommand::Import { year, file } = command;
    let (code, year) = year.parse()?;
    let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let text = decode(&bytes).map_err(|e| e.to_string())?;
    let report = dependents::import(
        store,
        &code,
        year,
        &text,
        SystemClock.today_in_japan(),
        &mut progress("被扶養者を取り込み中"),
    )
    .await
    .map_err(|e| match e {
        kennin::import_file::ImportError::Rows(_) => format!("{e}\n取り込みは行っていません"),
        other => other.to_string(),
    })?;
    eprintln!();
    Ok(format!(
        "保険者 {code} の {year} 年度の被扶養者を取り込みました: 追加 {}件、更新 {}件、変更なし {}件、名簿から外れた {}件",
        report.added, report.updated, report.unchanged, report.left
    ))
}

fn selection_lines(selection: &Selection) -> Vec<String> {
    let mut lines = vec![
        format!(
            "被扶養者 {}件のうち調査対象 {}件",
            selection.dependents, selection.targets
        ),
        "対象外（最初にあてはまった条件ごと）:".to_string(),
    ];
    let rules = [
        Exclusion::LeftRoster,
        Exclusion::InsuredKind(InsuredKind::VoluntaryContinuation),
        Exclusion::InsuredKind(InsuredKind::SpecialRetiree),
        Exclusion::InsuredKind(InsuredKind::General),
        Exclusion::Overseas,
        Exclusion::CertifiedAfter,
        Exclusion::YoungerThanMin,
        Exclusion::OlderThanMax,
    ];
    for rule in rules {
        if let Some(count) = selection.excluded.get(&rule) {
            lines.push(format!("  {}: {count}件", rule.label()));
        }
    }
    if selection.excluded.is_empty() {
        lines.push("  なし".into());
    }
    lines
}

fn campaign_error(code: &InsurerCode, year: i32, error: kennin::Error) -> String {
    match error {
        kennin::Error::NotFound => no_campaign(code, year),
        other => other.to_string(),
    }
}

fn no_campaign(code: &InsurerCode, year: i32) -> String {
    format!("保険者 {code} の {year} 年度の調査がありません（先に campaign put を実行してください）")
}

pub async fn campaign(store: &dyn ItemStore, command: CampaignCommand) -> Result<String, String> {
    match command {
        CampaignCommand::Put(settings) => {
            let (code, year) = settings.year.parse()?;
            let settings = settings.parse()?;
            if store
                .get(&kennin::store::records::Insurer::key(&code))
                .await
                .map_err(|e| e.to_string())?
                .is_none()
            {
                return Err(format!("保険者 {code} が登録されていません"));
            }
            let campaign = campaign::put(store, &code, year, settings)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "保険者 {code} の {year} 年度の調査を設定しました: {}（{}）\n{}\n{}",
                campaign.title,
                campaign::describe_window(&campaign),
                campaign::describe_retention(&campaign),
                campaign::describe_mails(&campaign)
            ))
        }
        CampaignCommand::Preview(year) => {
            let (code, year) = year.parse()?;
            let selection = campaign::preview(store, &code, year)
                .await
                .map_err(|e| campaign_error(&code, year, e))?;
            Ok(selection_lines(&selection).join("\n"))
        }
        CampaignCommand::Publish(year) => {
            let (code, year) = year.parse()?;
            let Publication {
                selection,
                added,
                kept,
                marked_left,
            } = campaign::publish(store, &code, year, SystemClock.unix(), &mut progress("公開中"))
                .await
                .map_err(|e| campaign_error(&code, year, e))?;
            eprintln!();
            let mut lines = selection_lines(&selection);
            lines.push(format!(
                "調査対象を公開しました: 追加 {added}件、公開済み {kept}件、名簿から外れた印 {marked_left}件"
            ));
            Ok(lines.join("\n"))
        }
        CampaignCommand::Show(year) => {
            let (code, year) = year.parse()?;
            let campaign = campaign::get(store, &code, year)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| no_campaign(&code, year))?;
            let rules = &campaign.rules;
            let mut lines = vec![
                format!("{}（{} {} 年度）", campaign.title, code, year),
                format!("期間: {}", campaign::describe_window(&campaign)),
                format!("基準日: {}", campaign.reference_date.japanese()),
                campaign::describe_retention(&campaign),
                campaign::describe_mails(&campaign),
            ];
            if let Some(min) = rules.min_age {
                lines.push(format!("最低年齢: {min}歳"));
            }
            if let Some(max) = rules.max_age {
                lines.push(format!("最高年齢: {max}歳"));
            }
            if let Some(by) = rules.certified_by {
                lines.push(format!("認定日: {}以前", by.japanese()));
            }
            for kind in &rules.excluded_kinds {
                lines.push(format!("対象外: {}", kind.label()));
            }
            if rules.exclude_overseas {
                lines.push("対象外: 海外赴任".into());
            }
            let counts = campaign::status_counts(store, &campaign)
                .await
                .map_err(|e| e.to_string())?;
            match campaign.published_at {
                None => lines.push("未公開".into()),
                Some(_) => {
                    lines.push(format!("調査対象: {}件", counts.values().sum::<usize>()));
                    for (status, count) in counts {
                        lines.push(format!("  {}: {count}件", status.label()));
                    }
                }
            }
            Ok(lines.join("\n"))
        }
    }
}
