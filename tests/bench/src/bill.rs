//! The bill of one survey campaign for 100,000 insured persons, from the measured capacity
//! units, step durations, mails per signup and the Tokyo prices below.

use crate::argon::{ArgonReport, hash_ms_at};
use crate::documents::DocumentsReport;
use crate::journey::{JourneyRequests, PerPerson};
use crate::mail::CampaignMails;
use crate::stats::fmt;
use crate::steps::StepsReport;
use crate::survey_form::{REVIEW_STEPS, SurveyFormReport};
use kennin_template::Route;
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
    /// What the bill counts a person to send, from the journey.
    #[serde(default)]
    pub requests: Vec<PerPerson>,
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

/// The handbook's shape: about ten saves of a dependent's form (one per section, and
/// corrections), one in twenty forms sent back and answered again, and the staff's review of each
/// submission (`survey_form::REVIEW_STEPS`: the list, the submission, the decision).
pub const SAVES_PER_DEPENDENT: f64 = 10.0;
pub const RETURNED_SHARE: f64 = 0.05;
const SAVE_ROUTE: &str = "PUT /api/survey/targets/{id}/answers";

/// What one request costs: the function that serves it, its billed milliseconds and its capacity
/// units, and where the figures come from.
struct CallCost {
    code_uri: String,
    duration_ms: f64,
    read_units: f64,
    write_units: f64,
    source: &'static str,
}

/// The template's route serving `method path` (`{x}` matches one segment, `{x+}` the rest).
fn route_of<'a>(routes: &'a [Route], route: &str) -> Option<&'a Route> {
    let (method, path) = route.split_once(' ')?;
    let path = path.split('?').next().unwrap_or(path);
    let matches = |pattern: &str| {
        let mut wanted = path.split('/');
        for part in pattern.split('/') {
            if part.starts_with('{') && part.ends_with("+}") {
                return true;
            }
            match wanted.next() {
                Some(segment) if part.starts_with('{') || part == segment => {}
                _ => return false,
            }
        }
        wanted.next().is_none()
    };
    routes
        .iter()
        .filter(|r| r.method == method || r.method == "ANY")
        .find(|r| matches(&r.path))
}

/// The cost of one request of `kind` at `route`: the steps part's figures for a first-login or
/// top-page step, the survey form part's for the form's, Lambda's 1 ms minimum for a page or a
/// file (no DynamoDB), and the top page's for an API call no part measures (a stand-in, said so).
fn cost_of(
    kind: &str,
    route: &str,
    steps: &StepsReport,
    survey: &SurveyFormReport,
    argon: &ArgonReport,
    routes: &[Route],
    template: &str,
) -> Result<CallCost, String> {
    let served = if kind == "asset" {
        format!("GET {route}")
    } else {
        route.to_string()
    };
    let code_uri = route_of(routes, &served)
        .ok_or(format!("no function serves {served}"))?
        .code_uri
        .clone();
    if kind != "api" {
        return Ok(CallCost {
            code_uri,
            duration_ms: 1.0,
            read_units: 0.0,
            write_units: 0.0,
            source: "Lambda's 1 ms minimum",
        });
    }
    if let Some(figures) = steps.steps.iter().find(|s| s.route == route) {
        // On Lambda a hashing step is its round trips plus the hash at the function's CPU share.
        let duration_ms = if figures.hashing {
            figures.dynamodb_wait_p50_ms + hash_ms_at(memory_of(template, &code_uri), argon.rust_cpu_p50_ms)
        } else {
            figures.p50_ms
        };
        return Ok(CallCost {
            code_uri,
            duration_ms: duration_ms.ceil(),
            read_units: figures.read_units,
            write_units: figures.write_units,
            source: "steps",
        });
    }
    if let Some(figures) = survey.step(route) {
        return Ok(CallCost {
            code_uri,
            duration_ms: figures.p50_ms.ceil(),
            read_units: figures.read_units,
            write_units: figures.write_units,
            source: "survey form",
        });
    }
    let top = steps
        .steps
        .iter()
        .find(|s| s.route == crate::steps::TOP_PAGE)
        .ok_or("no top page figures")?;
    Ok(CallCost {
        code_uri,
        duration_ms: top.p50_ms.ceil(),
        read_units: top.read_units,
        write_units: top.write_units,
        source: "priced as the top page",
    })
}

/// The parts' figures the bill is computed from.
pub struct Figures<'a> {
    pub steps: &'a StepsReport,
    pub argon: &'a ArgonReport,
    pub survey: &'a SurveyFormReport,
    pub journey: &'a JourneyRequests,
    /// Absent while the documents part has not run: the bill is then without documents.
    pub documents: Option<&'a DocumentsReport>,
    pub campaign_mails: Option<&'a CampaignMails>,
}

pub fn compute(figures: &Figures, template: &str) -> Result<Bill, String> {
    let Figures {
        steps,
        argon,
        survey,
        journey,
        documents,
        campaign_mails,
    } = *figures;
    let mails_per_person = steps.mails_per_person;
    let p = &TOKYO;
    let routes = kennin_template::routes(template)?;
    let hashing_memory_mb = memory_of(template, "functions/session-login");
    let dependents_per_person = DEPENDENTS / PERSONS;
    let mut lines = Vec::new();
    let (mut invocations, mut reads, mut writes) = (0.0, 0.0, 0.0);
    let mut priced = journey
        .per_person()
        .into_iter()
        .filter(|request| request.kind != "upload")
        .map(|request| {
            // Each dependent's form: as the journey answered it, with the handbook's saves, and
            // once more for the forms sent back.
            let per_dependent = if request.route == SAVE_ROUTE {
                SAVES_PER_DEPENDENT
            } else {
                request.per_dependent
            };
            let count = request.person + per_dependent * dependents_per_person * (1.0 + RETURNED_SHARE);
            (request.kind, request.route, count)
        })
        .collect::<Vec<_>>();
    // Each submission reviewed, those answered again too.
    priced.extend(REVIEW_STEPS.iter().map(|(_, route, per_submission)| {
        let count = f64::from(*per_submission) * dependents_per_person * (1.0 + RETURNED_SHARE);
        ("api".to_string(), route.to_string(), count)
    }));
    // The pages and files are one line: each is Lambda's 1 ms minimum at the portal's memory.
    let (mut files, mut files_gb_s, mut files_cost) = (0.0, 0.0, None);
    for (kind, route, count) in priced {
        let cost = cost_of(&kind, &route, steps, survey, argon, &routes, template)?;
        let memory = memory_of(template, &cost.code_uri);
        let gb_s = memory / 1024.0 * cost.duration_ms / 1000.0 * count;
        invocations += count;
        reads += cost.read_units * count;
        writes += cost.write_units * count;
        if kind != "api" {
            files += count;
            files_gb_s += gb_s;
            files_cost = Some((memory, cost.duration_ms, cost.source));
            continue;
        }
        let what = if route.contains(" /api/admin/") {
            format!("staff review: {route}")
        } else {
            route
        };
        lines.push(Line {
            service: "Lambda".into(),
            item: format!(
                "{} × {what} at {memory} MB, {} ms billed ({})",
                fmt(count),
                cost.duration_ms,
                cost.source
            ),
            per_person: gb_s,
            unit: "GB-s".into(),
            usd: gb_s * PERSONS * p.lambda_arm_gb_second,
        });
    }
    if let Some((memory, duration_ms, source)) = files_cost {
        lines.push(Line {
            service: "Lambda".into(),
            item: format!(
                "{} × an HTML page, stylesheet or module at {memory} MB, {duration_ms} ms billed ({source})",
                fmt(files)
            ),
            per_person: files_gb_s,
            unit: "GB-s".into(),
            usd: files_gb_s * PERSONS * p.lambda_arm_gb_second,
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
        item: "reads (every request above, at its step's units)".into(),
        per_person: reads,
        unit: "RRU".into(),
        usd: reads * PERSONS * p.dynamodb_read_unit,
    });
    lines.push(Line {
        service: "DynamoDB".into(),
        item: "writes (every request above, at its step's units)".into(),
        per_person: writes,
        unit: "WRU".into(),
        usd: writes * PERSONS * p.dynamodb_write_unit,
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
    let survey_kb = submit.write_units / 2.0 * dependents_per_person;
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
        requests: journey.per_person(),
    })
}

impl Bill {
    /// What the first money target counts: the request path and the documents' store.
    pub fn aws_usd(&self) -> f64 {
        self.lambda_usd + self.api_gateway_usd + self.dynamodb_usd + self.s3_usd
    }

    pub fn total_usd(&self) -> f64 {
        self.aws_usd() + self.ses_usd + self.logs_usd
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
    out.push_str(&format!(
        "Each person sends what the browser tests' journey counted in Chromium (tests/browser/journey.test.mjs, \
         its requests counted over the DevTools protocol: every HTML page, stylesheet, module and API call that \
         went to the network, the cache's answers left out; the table at the end): the first login ① → ⑥ with \
         one refused password and one mistyped login, the top page, each dependent's form from the top page to \
         its submission, settings and logout; the recovery links and a mistyped address are left out. A \
         dependent's form is the mean of the journey's two, taken {} times a person (150,000 dependents), with \
         {SAVES_PER_DEPENDENT} saves each (the handbook's), and once more for the {}% sent back and answered \
         again; the staff review each submission (the list, the submission and the decision, as the survey \
         form part measured them). An API call is priced at its own step's figures where the steps or survey \
         form part measured it, else as the top page (said on its line); a page or a file at Lambda's 1 ms \
         minimum with no DynamoDB. When the documents part has run: the documents of 150,000 dependents, \
         three a dependent of about 1.5 MB each, each a presign, an upload to S3, a complete (S3 get, put, \
         delete) and one download by staff at review, kept for the campaign's default retention. Durations are \
         this run's p50 step times rounded up to Lambda's 1 ms; the hashing steps are priced as their DynamoDB \
         round trips plus one hash at the function's CPU share (see the argon2 section). Capacity units are this \
         run's (transactions at 2 units per item). Prices: Tokyo, on-demand, below.\n\n",
        fmt(DEPENDENTS / PERSONS),
        fmt(RETURNED_SHARE * 100.0)
    ));
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
         | S3 | {:.2} |\n| **Lambda + API Gateway + DynamoDB + S3** | **{:.2}** (target ≤ 5) |\n| SES | {:.2} |\n\
         | CloudWatch Logs | {:.2} |\n| **everything** | **{:.2}** (target ≤ 20) |\n\n",
        bill.lambda_usd,
        bill.api_gateway_usd,
        bill.dynamodb_usd,
        bill.s3_usd,
        bill.aws_usd(),
        bill.ses_usd,
        bill.logs_usd,
        bill.total_usd()
    ));
    out.push_str(&format!(
        "Mails: kennin sends exactly one mail per signup (the code, at ②); this run counted {} per person. A \
         resend (③, at most 5 per flow, once a minute) or a recovery or email change adds one each; every \
         further mail a person causes adds US$10 per 100,000 persons. The survey's own mails (the invitation, \
         the reminders as the schedule sends them, receipts, returns and removals) are the second SES line, \
         counted by the mail part over a simulated campaign (its section).\n\n",
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
    out.push_str(
        "### Requests a person sends\n\nCounted in Chromium through the journey (a returning page asks for no \
         file: they are kept a year at content-named addresses); the bill's counts follow from these with the \
         shape above.\n\n| kind | request | outside the forms | in one dependent's form |\n|---|---|--:|--:|\n",
    );
    for request in &bill.requests {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            request.kind,
            request.route,
            fmt(request.person),
            fmt(request.per_dependent)
        ));
    }
    out.push_str("\n### Prices\n\n");
    out.push_str(PRICE_SOURCES);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_counted_request_is_priced_at_the_function_that_serves_it() {
        let routes = kennin_template::routes(include_str!("../../../template.yaml")).unwrap();
        let served = |route: &str| route_of(&routes, route).map(|r| r.code_uri.as_str());
        assert_eq!(served("GET /portal/survey/{id}"), Some("functions/portal"));
        assert_eq!(served("GET /portal/assets/pages/home.js"), Some("functions/portal"));
        assert_eq!(served("GET /portal/"), Some("functions/portal"));
        assert_eq!(served("GET /api/me?include=survey"), Some("functions/me"));
        assert_eq!(served("GET /api/survey/targets/{id}"), Some("functions/survey-target"));
        assert_eq!(
            served("GET /api/survey/targets/{id}/documents"),
            Some("functions/survey-documents-list")
        );
        assert_eq!(served("PUT /api/me"), None, "the method counts");
        assert_eq!(served("GET /api/no-such-route"), None);
    }
}
