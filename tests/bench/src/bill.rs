//! The bill of one survey campaign for 100,000 insured persons, from the measured capacity
//! units, step durations, mails per signup and the Tokyo prices below.

use crate::argon::{ArgonReport, hash_ms_at};
use crate::documents::DocumentsReport;
use crate::mail::CampaignMails;
use crate::stats::fmt;
use crate::steps::{StepFigures, StepsReport};
use crate::survey_form::SurveyFormReport;
use serde::{Deserialize, Serialize};

pub const PERSONS: f64 = 100_000.0;
/// The campaign of issue 18's shape: 150,000 dependents for the 100,000 persons, about three
/// documents each (phone photos scaled by the portal to about 1.5 MB).
pub const DEPENDENTS: f64 = 150_000.0;
pub const DOCUMENTS_PER_DEPENDENT: f64 = 3.0;
pub const DOCUMENT_MB: f64 = 1.5;
/// The campaign is open about a month before the retention period starts at its close.
const CAMPAIGN_DAYS: f64 = 30.0;
const DAYS_PER_MONTH: f64 = 365.0 / 12.0;
/// Documents are kept this long after the campaign closes unless the union sets otherwise.
const RETENTION_DAYS: i64 = kennin::campaign::DEFAULT_RETENTION_DAYS;

/// ap-northeast-1 (Tokyo) list prices, on-demand, US$. See `PRICE_SOURCES` for where each
/// comes from and which could be confirmed offline.
pub struct Prices {
    pub lambda_arm_gb_second: f64,
    pub lambda_request: f64,
    pub http_api_request: f64,
    pub dynamodb_read_unit: f64,
    pub dynamodb_write_unit: f64,
    pub dynamodb_storage_gb_month: f64,
    pub ses_mail: f64,
    pub cloudwatch_logs_ingested_gb: f64,
    pub s3_standard_gb_month: f64,
    /// PUT, COPY, POST and LIST requests.
    pub s3_put_request: f64,
    /// GET, SELECT and every other request but DELETE, which is free.
    pub s3_get_request: f64,
}

pub const TOKYO: Prices = Prices {
    lambda_arm_gb_second: 0.000_013_333_4,
    lambda_request: 0.20 / 1e6,
    http_api_request: 1.29 / 1e6,
    dynamodb_read_unit: 0.1425 / 1e6,
    dynamodb_write_unit: 0.7125 / 1e6,
    dynamodb_storage_gb_month: 0.285,
    ses_mail: 0.10 / 1000.0,
    cloudwatch_logs_ingested_gb: 0.76,
    s3_standard_gb_month: 0.025,
    s3_put_request: 0.0047 / 1000.0,
    s3_get_request: 0.00037 / 1000.0,
};

/// What Lambda itself logs per invocation besides the function's lines (START, END and the
/// REPORT line with its durations), about 300 bytes, unless the function's LoggingConfig keeps
/// only its warnings (`SystemLogLevel: WARN`, JSON format).
const LAMBDA_PLATFORM_LOG_BYTES: f64 = 300.0;

fn platform_log_bytes(template: &str) -> f64 {
    let functions = template.matches("Type: AWS::Serverless::Function").count();
    let quiet = template.matches("SystemLogLevel: WARN").count();
    if functions > 0 && quiet == functions {
        0.0
    } else {
        LAMBDA_PLATFORM_LOG_BYTES
    }
}

pub const PRICE_SOURCES: &str = "\
| price (ap-northeast-1) | figure used | source | confirmed here? |
|---|---|---|---|
| Lambda arm64 duration | US$0.0000133334 per GB-s, billed per 1 ms | <https://aws.amazon.com/lambda/pricing/> | the page's structure (GB-s, 1 ms rounding, 1 vCPU at 1,769 MB) yes, as stored on 2026-11-26; the Tokyo arm64 figure from memory (it equals us-east-1's) |
| Lambda requests | US$0.20 per million | <https://aws.amazon.com/lambda/pricing/> | from memory (the same in every commercial region) |
| API Gateway HTTP API | US$1.29 per million (first 300 million a month) | <https://aws.amazon.com/api-gateway/pricing/> | us-east-1's US$1.00 per million confirmed in stored third-party copies of the page (2025-05); Tokyo's US$1.29 from memory |
| DynamoDB on-demand reads | US$0.1425 per million read request units | <https://aws.amazon.com/dynamodb/pricing/on-demand/> | us-east-1's US$0.125 (after the November 2024 price cut) confirmed in a stored third-party copy (airbyte.com); Tokyo's 1.14× of it from memory; \"an eventually consistent read takes half a unit, a transactional write 2 per KB\" confirmed in the stored AWS pages (provisioned-capacity page, *How AWS Pricing Works*) |
| DynamoDB on-demand writes | US$0.7125 per million write request units | <https://aws.amazon.com/dynamodb/pricing/on-demand/> | us-east-1's US$0.625 confirmed as above; Tokyo's 1.14× of it from memory |
| DynamoDB storage | US$0.285 per GB-month (first 25 GB free) | <https://aws.amazon.com/dynamodb/pricing/on-demand/> | from memory |
| SES outbound mail | US$0.10 per 1,000 | <https://aws.amazon.com/ses/pricing/> | the US$0.10 per 1,000 confirmed in stored copies (2025); the same in every region |
| CloudWatch Logs ingestion | US$0.76 per GB | <https://aws.amazon.com/cloudwatch/pricing/> | Tokyo's US$0.76 confirmed in a stored third-party article (awsi.click); us-east-1 is US$0.50 |
| S3 Standard storage | US$0.025 per GB-month (first 50 TB) | <https://aws.amazon.com/s3/pricing/> | from memory, 2026-12-06 (us-east-1 is US$0.023) |
| S3 PUT, COPY, POST, LIST requests | US$0.0047 per 1,000 | <https://aws.amazon.com/s3/pricing/> | from memory, 2026-12-06 (us-east-1 is US$0.005) |
| S3 GET and other requests | US$0.00037 per 1,000 (DELETE free) | <https://aws.amazon.com/s3/pricing/> | from memory, 2026-12-06 (us-east-1 is US$0.0004) |

Prices were taken on 2026-11-26 from the pages as stored offline (this machine has no internet); the figures marked \"from memory\" must be checked against the live pages before a budget is signed. Free tiers are left out: a union's account may already use them.
";

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Line {
    pub service: String,
    pub item: String,
    pub per_person: f64,
    pub unit: String,
    pub usd: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Bill {
    pub lines: Vec<Line>,
    pub lambda_usd: f64,
    pub api_gateway_usd: f64,
    pub dynamodb_usd: f64,
    pub ses_usd: f64,
    pub logs_usd: f64,
    #[serde(default)]
    pub s3_usd: f64,
    pub mails_per_person: f64,
    pub hashing_memory_mb: f64,
}

/// MemorySize of the function serving `code_uri`, read from template.yaml.
fn memory_of(template: &str, code_uri: &str) -> f64 {
    let mut lines = template
        .lines()
        .skip_while(|l| l.trim() != format!("CodeUri: {code_uri}"));
    lines
        .find_map(|l| l.trim().strip_prefix("MemorySize:"))
        .and_then(|m| m.trim().parse().ok())
        .unwrap_or(128.0)
}

fn step<'a>(steps: &'a StepsReport, route: &str) -> Option<&'a StepFigures> {
    steps.steps.iter().find(|s| s.route == route)
}

pub fn compute(
    steps: &StepsReport,
    argon: &ArgonReport,
    survey: &SurveyFormReport,
    documents: Option<&DocumentsReport>,
    campaign_mails: Option<&CampaignMails>,
    template: &str,
    mails_per_person: f64,
) -> Result<Bill, String> {
    let p = &TOKYO;
    let function_of = |route: &str| match route {
        "POST /api/signup/identity" => "functions/signup-identity",
        "POST /api/signup/account" => "functions/signup-account",
        "POST /api/signup/code" => "functions/signup-code",
        "POST /api/session" => "functions/session-login",
        _ => "functions/me",
    };
    // Per person: one signup ①→③, three logins, thirty other API calls (the top page's figures
    // stand for them: one read-only step each).
    let calls: [(&str, f64); 5] = [
        ("POST /api/signup/identity", 1.0),
        ("POST /api/signup/account", 1.0),
        ("POST /api/signup/code", 1.0),
        ("POST /api/session", 3.0),
        (crate::steps::TOP_PAGE, 30.0),
    ];
    let hashing_memory_mb = memory_of(template, "functions/session-login");
    let mut lines = Vec::new();
    let (mut invocations, mut reads, mut writes) = (0.0, 0.0, 0.0);
    for (route, count) in calls {
        let figures = step(steps, route).ok_or(format!("no figures for {route}"))?;
        let memory = memory_of(template, function_of(route));
        // On Lambda a hashing step is its round trips plus the hash at the function's CPU share.
        let duration_ms = if figures.hashing {
            (figures.dynamodb_wait_p50_ms + hash_ms_at(memory, argon.rust_cpu_p50_ms)).ceil()
        } else {
            figures.p50_ms.ceil()
        };
        let gb_s = memory / 1024.0 * duration_ms / 1000.0 * count;
        invocations += count;
        reads += figures.read_units * count;
        writes += figures.write_units * count;
        lines.push(Line {
            service: "Lambda".into(),
            item: format!("{count} × {route} at {memory} MB, {duration_ms} ms billed"),
            per_person: gb_s,
            unit: "GB-s".into(),
            usd: gb_s * PERSONS * p.lambda_arm_gb_second,
        });
    }
    // The survey as measured: a person with two dependents (the most a person is asked about
    // for most unions; the import section's union has 1.5 dependents a person, not all targets).
    let survey_function_of = |route: &str| match route {
        crate::steps::TOP_PAGE => Ok("functions/me"),
        "GET /api/survey/targets/{id}" => Ok("functions/survey-target"),
        "PUT /api/survey/targets/{id}/answers" => Ok("functions/survey-answers"),
        "POST /api/survey/targets/{id}/submit" => Ok("functions/survey-submit"),
        other => Err(format!("no function for {other}")),
    };
    for figures in &survey.steps {
        let memory = memory_of(template, survey_function_of(&figures.route)?);
        let count = f64::from(figures.per_survey);
        let duration_ms = figures.p50_ms.ceil();
        let gb_s = memory / 1024.0 * duration_ms / 1000.0 * count;
        invocations += count;
        lines.push(Line {
            service: "Lambda".into(),
            item: format!(
                "survey: {count} × {} at {memory} MB, {duration_ms} ms billed",
                figures.route
            ),
            per_person: gb_s,
            unit: "GB-s".into(),
            usd: gb_s * PERSONS * p.lambda_arm_gb_second,
        });
    }
    let documents = documents.map(|report| documents_lines(report, template)).transpose()?;
    if let Some(documents) = &documents {
        invocations += documents.invocations;
        lines.extend(documents.lambda.iter().cloned());
    }
    lines.push(Line {
        service: "Lambda".into(),
        item: "requests".into(),
        per_person: invocations,
        unit: "invocations".into(),
        usd: invocations * PERSONS * p.lambda_request,
    });
    lines.push(Line {
        service: "API Gateway".into(),
        item: "HTTP API requests".into(),
        per_person: invocations,
        unit: "requests".into(),
        usd: invocations * PERSONS * p.http_api_request,
    });
    lines.push(Line {
        service: "DynamoDB".into(),
        item: "reads (signup + 3 logins + 30 top pages)".into(),
        per_person: reads,
        unit: "RRU".into(),
        usd: reads * PERSONS * p.dynamodb_read_unit,
    });
    lines.push(Line {
        service: "DynamoDB".into(),
        item: "writes (signup + 3 logins + 30 top pages)".into(),
        per_person: writes,
        unit: "WRU".into(),
        usd: writes * PERSONS * p.dynamodb_write_unit,
    });
    let whole = &survey.survey;
    lines.push(Line {
        service: "DynamoDB".into(),
        item: format!(
            "reads (the survey: {} dependents, {} requests)",
            whole.dependents, whole.requests
        ),
        per_person: whole.read_units,
        unit: "RRU".into(),
        usd: whole.read_units * PERSONS * p.dynamodb_read_unit,
    });
    lines.push(Line {
        service: "DynamoDB".into(),
        item: format!(
            "writes (the survey: {} dependents, {} requests)",
            whole.dependents, whole.requests
        ),
        per_person: whole.write_units,
        unit: "WRU".into(),
        usd: whole.write_units * PERSONS * p.dynamodb_write_unit,
    });
    lines.push(Line {
        service: "DynamoDB".into(),
        item: "roster import (one BatchWriteItem put per person)".into(),
        per_person: 1.0,
        unit: "WRU".into(),
        usd: PERSONS * p.dynamodb_write_unit,
    });
    // Roster row, claim, account, user ID guard, sessions and throttles: a few KB a person,
    // kept for the campaign's month.
    let storage_gb = PERSONS * 4.0 / 1024.0 / 1024.0;
    lines.push(Line {
        service: "DynamoDB".into(),
        item: "storage, about 4 KB a person for one month".into(),
        per_person: 4.0,
        unit: "KB-month".into(),
        usd: storage_gb * p.dynamodb_storage_gb_month,
    });
    // A submit writes the target with its answers and the submitted copy, each under 1 KB
    // per unit at 2 units per item: half its units bound the KB it adds, per dependent.
    let submit = survey
        .step("POST /api/survey/targets/{id}/submit")
        .ok_or("no submit figures")?;
    let survey_kb = submit.write_units / 2.0 * f64::from(whole.dependents);
    lines.push(Line {
        service: "DynamoDB".into(),
        item: "storage of the survey (answers and the submitted copy), for one month".into(),
        per_person: survey_kb,
        unit: "KB-month".into(),
        usd: PERSONS * survey_kb / 1024.0 / 1024.0 * p.dynamodb_storage_gb_month,
    });
    if let Some(documents) = documents {
        lines.extend(documents.others);
    }
    lines.push(Line {
        service: "SES".into(),
        item: "mails (the signup code; measured per signup in this run)".into(),
        per_person: mails_per_person,
        unit: "mails".into(),
        usd: mails_per_person * PERSONS * p.ses_mail,
    });
    if let Some(campaign) = campaign_mails {
        let survey_mails = campaign.per_person();
        lines.push(Line {
            service: "SES".into(),
            item: "the survey's mails (invitation, reminders, receipts, returns, removals; the schedule over a \
                   simulated campaign, see the mail section)"
                .into(),
            per_person: survey_mails,
            unit: "mails".into(),
            usd: survey_mails * PERSONS * p.ses_mail,
        });
    }
    let platform_bytes = platform_log_bytes(template);
    let log_kb = invocations * (steps.log_bytes_per_request + platform_bytes) / 1024.0;
    lines.push(Line {
        service: "CloudWatch Logs".into(),
        item: if platform_bytes == 0.0 {
            format!(
                "ingestion: {} bytes of JSON log per request (measured); Lambda's own lines off (SystemLogLevel WARN)",
                steps.log_bytes_per_request.round()
            )
        } else {
            format!(
                "ingestion: {} bytes of JSON log per request (measured) + ~{platform_bytes} of Lambda's own",
                steps.log_bytes_per_request.round()
            )
        },
        per_person: log_kb,
        unit: "KB".into(),
        usd: log_kb * PERSONS / 1024.0 / 1024.0 * p.cloudwatch_logs_ingested_gb,
    });
    let total = |service: &str| lines.iter().filter(|l| l.service == service).map(|l| l.usd).sum();
    Ok(Bill {
        lambda_usd: total("Lambda"),
        api_gateway_usd: total("API Gateway"),
        dynamodb_usd: total("DynamoDB"),
        ses_usd: total("SES"),
        logs_usd: total("CloudWatch Logs"),
        s3_usd: total("S3"),
        lines,
        mails_per_person,
        hashing_memory_mb,
    })
}

impl Bill {
    pub fn aws_usd(&self) -> f64 {
        self.lambda_usd + self.api_gateway_usd + self.dynamodb_usd
    }

    pub fn total_usd(&self) -> f64 {
        self.aws_usd() + self.ses_usd + self.logs_usd + self.s3_usd
    }
}

/// The documents' share of the bill: its Lambda lines (and their invocations, for the request
/// lines) and its DynamoDB and S3 lines.
struct DocumentsLines {
    lambda: Vec<Line>,
    invocations: f64,
    others: Vec<Line>,
}

fn documents_lines(report: &DocumentsReport, template: &str) -> Result<DocumentsLines, String> {
    let p = &TOKYO;
    let per_person = DEPENDENTS / PERSONS * DOCUMENTS_PER_DEPENDENT;
    let create = report
        .step("POST /api/survey/targets/{id}/documents")
        .ok_or("no presign figures")?;
    let complete = report
        .step("POST /api/survey/targets/{id}/documents/{docId}/complete")
        .ok_or("no complete figures")?;
    let upload_bytes = (DOCUMENT_MB * 1_000_000.0) as usize;
    let verify_ms = report
        .verification_of("photo-1.5MB.jpg")
        .ok_or("no verification of the 1.5 MB photo")?
        .p50_ms;
    let s3_ms: f64 = ["GetObject", "PutObject", "DeleteObject"]
        .iter()
        .map(|operation| report.s3_p50_ms(operation, upload_bytes))
        .sum();
    let lambda_line = |item: String, memory: f64, duration_ms: f64| {
        let gb_s = memory / 1024.0 * duration_ms / 1000.0 * per_person;
        Line {
            service: "Lambda".into(),
            item,
            per_person: gb_s,
            unit: "GB-s".into(),
            usd: gb_s * PERSONS * p.lambda_arm_gb_second,
        }
    };
    let create_memory = memory_of(template, "functions/survey-documents-create");
    let create_ms = create.p50_ms.ceil();
    let complete_memory = memory_of(template, "functions/survey-document-complete");
    let complete_ms = (complete.dynamodb_wait_p50_ms + verify_ms + s3_ms).ceil();
    let download_memory = memory_of(template, "functions/survey-document");
    let lambda = vec![
        lambda_line(
            format!("documents: {per_person} × presign at {create_memory} MB, {create_ms} ms billed"),
            create_memory,
            create_ms,
        ),
        lambda_line(
            format!(
                "documents: {per_person} × complete at {complete_memory} MB, {complete_ms} ms billed (its DynamoDB \
                 round trips + verifying a 1.5 MB photo + S3 get, put, delete on moto)"
            ),
            complete_memory,
            complete_ms,
        ),
        lambda_line(
            format!(
                "documents: {per_person} × download by staff at {download_memory} MB, {create_ms} ms billed (priced \
                 as the presign)"
            ),
            download_memory,
            create_ms,
        ),
    ];
    let months = (CAMPAIGN_DAYS + RETENTION_DAYS as f64) / DAYS_PER_MONTH;
    let stored_mb = per_person * DOCUMENT_MB;
    let others = vec![
        Line {
            service: "DynamoDB".into(),
            item: format!("reads (documents: {per_person} presigns and completes)"),
            per_person: (create.read_units + complete.read_units) * per_person,
            unit: "RRU".into(),
            usd: (create.read_units + complete.read_units) * per_person * PERSONS * p.dynamodb_read_unit,
        },
        Line {
            service: "DynamoDB".into(),
            item: format!("writes (documents: {per_person} presigns and completes)"),
            per_person: (create.write_units + complete.write_units) * per_person,
            unit: "WRU".into(),
            usd: (create.write_units + complete.write_units) * per_person * PERSONS * p.dynamodb_write_unit,
        },
        Line {
            service: "S3".into(),
            item: format!("PUT requests: the upload and the cleaned copy, {per_person} documents"),
            per_person: 2.0 * per_person,
            unit: "requests".into(),
            usd: 2.0 * per_person * PERSONS * p.s3_put_request,
        },
        Line {
            service: "S3".into(),
            item: "GET requests: complete's read and one download by staff a document".into(),
            per_person: 2.0 * per_person,
            unit: "requests".into(),
            usd: 2.0 * per_person * PERSONS * p.s3_get_request,
        },
        Line {
            service: "S3".into(),
            item: "DELETE requests: the upload, after complete (free)".into(),
            per_person,
            unit: "requests".into(),
            usd: 0.0,
        },
        Line {
            service: "S3".into(),
            item: format!(
                "storage, Standard: {per_person} × {DOCUMENT_MB} MB for {} months (the campaign's month + the default \
                 retention of {} days after its close)",
                fmt(months),
                RETENTION_DAYS
            ),
            per_person: stored_mb * months,
            unit: "MB-month".into(),
            usd: stored_mb / 1024.0 * months * PERSONS * p.s3_standard_gb_month,
        },
    ];
    Ok(DocumentsLines {
        lambda,
        invocations: 3.0 * per_person,
        others,
    })
}

pub const HEADING: &str = "## The bill: one campaign for 100,000 insured persons";

pub fn markdown(bill: &Bill) -> String {
    let mut out = format!("{HEADING}\n\n");
    out.push_str(
        "Each person: one signup ① → ③, three logins ④, thirty other API calls (priced as the top page \
         `GET /api/me`, a read-only step) and the survey as the survey form section measured it (two \
         dependents, ten saves and one submit each, the top page and the forms read); and, when the documents part \
         has run, the documents of 150,000 dependents, three a dependent of about 1.5 MB each, each a presign, an \
         upload to S3, a complete (S3 get, put, delete) and one download by staff at review, kept for the \
         campaign's default retention. Durations are this run's p50 step times rounded up to Lambda's 1 ms; \
         the hashing steps are priced as their DynamoDB round trips plus one hash at the function's CPU share \
         (see the argon2 section). Capacity units are this run's (transactions at 2 units per item). Prices: \
         Tokyo, on-demand, below.\n\n",
    );
    out.push_str("| service | item | per person | unit | US$ per 100,000 persons |\n|---|---|--:|---|--:|\n");
    for line in &bill.lines {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {:.2} |\n",
            line.service,
            line.item,
            fmt(line.per_person),
            line.unit,
            line.usd
        ));
    }
    out.push_str(&format!(
        "\n| service | US$ |\n|---|--:|\n| Lambda | {:.2} |\n| API Gateway | {:.2} |\n| DynamoDB | {:.2} |\n\
         | **Lambda + API Gateway + DynamoDB** | **{:.2}** (target ≤ 5) |\n| SES | {:.2} |\n\
         | CloudWatch Logs | {:.2} |\n| S3 | {:.2} |\n| **everything** | **{:.2}** (target ≤ 20) |\n\n",
        bill.lambda_usd,
        bill.api_gateway_usd,
        bill.dynamodb_usd,
        bill.aws_usd(),
        bill.ses_usd,
        bill.logs_usd,
        bill.s3_usd,
        bill.total_usd()
    ));
    out.push_str(&format!(
        "Mails: kennin sends exactly one mail per signup (the code, at ②); this run counted {} per person. A \
         resend (③, at most 5 per flow, once a minute) or a recovery or email change adds one each; every \
         further mail a person causes adds US$10 per 100,000 persons. The survey's own mails (the invitation, \
         the reminders as the schedule sends them, receipts, returns and removals) are the second SES line, \
         counted by the mail part over a simulated campaign (its section). Portal page loads (the HTML shell from the `portal` function; its CSS and ES \
         modules at content-named addresses the browser keeps for a year, so only a first visit asks for them) \
         are API Gateway requests too and are not in the thirty calls.\n\n",
        fmt(bill.mails_per_person)
    ));
    let storage: f64 = bill
        .lines
        .iter()
        .filter(|l| l.service == "S3" && l.unit == "MB-month")
        .map(|l| l.usd)
        .sum();
    if storage > 0.0 {
        out.push_str(&format!(
            "Documents: their storage, US${storage:.2} of S3's US${:.2}, is priced for the whole default retention \
             ({RETENTION_DAYS} days after the close) at S3 Standard; it scales with the days a union keeps them \
             (`kennin-admin campaign put --retention-days`).\n\n",
            bill.s3_usd
        ));
    }
    out.push_str("### Prices\n\n");
    out.push_str(PRICE_SOURCES);
    out
}
