//! Documents (issue 15): the presign and complete steps against DynamoDB Local through
//! kennin-local (its embedded file store), the S3 calls the complete step adds on AWS measured
//! on moto through the real SDK, and `document_file::verify` on a 9 MB phone photo and a 9 MB
//! scanned PDF, each in a child process whose address space is capped at the complete
//! function's memory size.

use crate::local::{self, Client, Engine, Local};
use crate::machine;
use crate::stats::{fmt, median, quantile};
use crate::steps::{self, RoundTrip};
use crate::survey_form;
use kennin::blobs::s3::S3Blobs;
use kennin::blobs::{BlobKey, BlobStore};
use kennin::document_file::{self, FileType};
use kennin::domain::InsurerCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::io::Cursor;
use std::path::Path;
use std::time::Instant;
use time::OffsetDateTime;

/// The measured steps: (name, route).
const STEPS: [(&str, &str); 2] = [
    ("presign (create)", "POST /api/survey/targets/{id}/documents"),
    ("complete", "POST /api/survey/targets/{id}/documents/{docId}/complete"),
];
const CREATE: usize = 0;
const COMPLETE: usize = 1;

/// A document as the portal sends it: a photo scaled to 2,000 px, re-encoded, about 1.5 MB.
pub const UPLOAD_BYTES: usize = 1_500_000;
/// The verification's files: just under the 10 MB limit, as the largest a person sends.
pub const LARGE_BYTES: usize = 9_000_000;
const MIB: f64 = 1024.0 * 1024.0;
/// Times each file is verified in its own child process.
const VERIFY_RUNS: usize = 5;
/// Times each S3 call is made per object size.
const S3_RUNS: usize = 15;

/// The template's logical ID of the function that verifies.
const COMPLETE_FUNCTION: &str = "SurveyDocumentCompleteFunction:";

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct DocumentStep {
    pub step: String,
    pub route: String,
    pub samples: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub round_trips: usize,
    pub operations: String,
    /// Written as a sum by runs before side-by-side calls were told apart.
    #[serde(alias = "dynamodb_sum_p50_ms")]
    pub dynamodb_wait_p50_ms: f64,
    pub read_units: f64,
    pub write_units: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct S3Call {
    pub operation: String,
    pub object_bytes: usize,
    pub samples: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Verification {
    pub file: String,
    pub bytes: usize,
    pub runs: usize,
    pub p50_ms: f64,
    pub max_ms: f64,
    /// The largest peak resident set (VmHWM) over the runs, the whole process.
    pub peak_rss_mib: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct DocumentsReport {
    pub measured_at: String,
    pub load_before: String,
    pub engine: String,
    pub persons: u32,
    pub warm_up_persons: u32,
    pub upload_bytes: usize,
    pub steps: Vec<DocumentStep>,
    pub s3: Vec<S3Call>,
    pub function_memory_mb: f64,
    pub verification: Vec<Verification>,
}

impl DocumentsReport {
    pub fn step(&self, route: &str) -> Option<&DocumentStep> {
        self.steps.iter().find(|s| s.route == route)
    }

    /// The p50 of one S3 call on the object size nearest `bytes`.
    pub fn s3_p50_ms(&self, operation: &str, bytes: usize) -> f64 {
        self.s3
            .iter()
            .filter(|c| c.operation == operation)
            .min_by_key(|c| c.object_bytes.abs_diff(bytes))
            .map_or(0.0, |c| c.p50_ms)
    }

    pub fn verification_of(&self, file: &str) -> Option<&Verification> {
        self.verification.iter().find(|v| v.file == file)
    }
}

/// The complete function's MemorySize in template.yaml.
pub fn function_memory_mb(template: &str) -> Result<f64, String> {
    template
        .lines()
        .skip_while(|l| l.trim() != COMPLETE_FUNCTION)
        .skip(1)
        .take_while(|l| l.starts_with("    ") || l.trim().is_empty())
        .find_map(|l| l.trim().strip_prefix("MemorySize:"))
        .and_then(|m| m.trim().parse().ok())
        .ok_or_else(|| format!("no MemorySize for {COMPLETE_FUNCTION} in template.yaml"))
}

/// A deterministic pseudo-random byte (splitmix64 of the position): noise a camera sensor would
/// leave, so the JPEG compresses as a photo does and not as a flat test card.
fn noise(x: u32, y: u32, channel: u32) -> u8 {
    let mut z = (u64::from(y) << 34 | u64::from(x) << 2 | u64::from(channel)).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as u8
}

/// What a phone writes into a photo: the device, the time and where it was taken.
fn phone_exif() -> Result<Vec<u8>, String> {
    use exif::{Field, In, Rational, Tag, Value as ExifValue};
    let ascii = |text: &str| ExifValue::Ascii(vec![text.as_bytes().to_vec()]);
    let degrees = |d: u32, m: u32, s100: u32| {
        ExifValue::Rational(vec![
            Rational::from((d, 1)),
            Rational::from((m, 1)),
            Rational::from((s100, 100)),
        ])
    };
    let field = |tag, value| Field {
        tag,
        ifd_num: In::PRIMARY,
        value,
    };
    let fields = [
        field(Tag::Make, ascii("Apple")),
        field(Tag::Model, ascii("iPhone 15")),
        field(Tag::Software, ascii("18.1")),
        field(Tag::DateTimeOriginal, ascii("2026:11:30 09:41:00")),
        field(Tag::GPSLatitudeRef, ascii("N")),
        field(Tag::GPSLatitude, degrees(38, 15, 4_512)),
        field(Tag::GPSLongitudeRef, ascii("E")),
        field(Tag::GPSLongitude, degrees(140, 52, 1_234)),
    ];
    let mut writer = exif::experimental::Writer::new();
    for field in &fields {
        writer.push_field(field);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).map_err(|e| e.to_string())?;
    Ok(tiff.into_inner())
}

fn encode_photo(width: u32, height: u32, quality: u8) -> Result<Vec<u8>, String> {
    use image::ImageEncoder;
    let pixels = image::RgbImage::from_fn(width, height, |x, y| {
        let gradient = |c: u32, scale: u32| ((x * scale / width + y * (255 - scale) / height + c * 40) % 256) as i32;
        let channel = |c: u32| (gradient(c, 180) + i32::from(noise(x, y, c)) / 3 - 42).clamp(0, 255) as u8;
        image::Rgb([channel(0), channel(1), channel(2)])
    });
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    encoder.set_exif_metadata(phone_exif()?).map_err(|e| e.to_string())?;
    encoder
        .write_image(pixels.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// A phone-like photo of `width` × `height` at the highest JPEG quality whose file stays within
/// `at_most` bytes (the lowest quality's when none does).
pub fn photo(width: u32, height: u32, at_most: usize) -> Result<Vec<u8>, String> {
    let (mut low, mut high) = (10u8, 100u8);
    let mut best = encode_photo(width, height, low)?;
    while low < high {
        let middle = (low + high).div_ceil(2);
        let candidate = encode_photo(width, height, middle)?;
        if candidate.len() <= at_most {
            low = middle;
            best = candidate;
        } else {
            high = middle - 1;
        }
    }
    Ok(best)
}

/// A scanner's PDF: pages of one JPEG image each, enough of them to reach `at_least` bytes.
pub fn scanned_pdf(page: &[u8], width: u32, height: u32, at_least: usize) -> Result<Vec<u8>, String> {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut document = Document::with_version("1.7");
    let pages_id = document.new_object_id();
    let mut kids = Vec::new();
    for _ in 0..at_least.div_ceil(page.len()) {
        let image = document.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => width, "Height" => height,
                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
            },
            page.to_vec(),
        ));
        let content = document.add_object(Stream::new(dictionary! {}, b"q 595 0 0 842 0 0 cm /Scan Do Q".to_vec()));
        let page_id = document.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content, "Resources" => dictionary! { "XObject" => dictionary! { "Scan" => image } },
        });
        kids.push(Object::Reference(page_id));
    }
    let count = kids.len() as i64;
    document.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    document.trailer.set("Root", catalog);
    let mut out = Vec::new();
    document.save_to(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// The child's side (`kennin-bench verify-file`): verifies the file once and prints its time and
/// the process's peak resident set, read after the verification.
pub fn verify_file(path: &Path, file_type: &str) -> Result<(), String> {
    let declared = FileType::from_content_type(file_type).ok_or(format!("not an accepted type: {file_type}"))?;
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let started = Instant::now();
    let verified = document_file::verify(declared, &bytes).map_err(|e| format!("refused: {}", e.message()))?;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    drop(verified);
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| e.to_string())?;
    let peak_kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or("no VmHWM in /proc/self/status")?;
    println!("{}", json!({ "elapsed_ms": elapsed_ms, "peak_kib": peak_kib }));
    Ok(())
}

/// Verifies `bytes` in `VERIFY_RUNS` child processes, each with its address space capped at
/// `memory_mb` (prlimit --as: stricter than Lambda, which caps resident memory).
fn verification(
    work_dir: &Path,
    file: &str,
    content_type: &str,
    bytes: &[u8],
    memory_mb: f64,
) -> Result<Verification, String> {
    let path = work_dir.join(file);
    std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let (mut times, mut peak_kib) = (Vec::new(), 0.0f64);
    for _ in 0..VERIFY_RUNS {
        let output = std::process::Command::new("prlimit")
            .arg(format!("--as={}", (memory_mb * MIB) as u64))
            .arg("--")
            .arg(&me)
            .args(["verify-file", "--content-type", content_type, "--path"])
            .arg(&path)
            .output()
            .map_err(|e| format!("prlimit: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "verifying {file} at {memory_mb} MB: {} {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let figures: Value = serde_json::from_slice(&output.stdout).map_err(|e| e.to_string())?;
        times.push(figures["elapsed_ms"].as_f64().unwrap_or_default());
        peak_kib = peak_kib.max(figures["peak_kib"].as_f64().unwrap_or_default());
    }
    Ok(Verification {
        file: file.to_string(),
        bytes: bytes.len(),
        runs: times.len(),
        p50_ms: median(&times),
        max_ms: times.iter().copied().fold(0.0, f64::max),
        peak_rss_mib: peak_kib / 1024.0,
    })
}

/// GetObject, PutObject and DeleteObject of one object size on moto, through S3Blobs.
async fn s3_calls(moto: &str, bytes: &[u8]) -> Result<Vec<S3Call>, String> {
    let sdk = kennin::aws::sdk_config(Some(moto)).await;
    let blobs = S3Blobs::new(&sdk, Some(moto.to_string()), local::fresh_table("documents"));
    blobs.create_bucket().await.map_err(|e| e.to_string())?;
    let insurer = InsurerCode::parse(local::INSURER).map_err(|e| e.to_string())?;
    let (mut puts, mut gets, mut deletes) = (vec![], vec![], vec![]);
    for run in 0..S3_RUNS {
        let key = BlobKey::document(&insurer, 2026, "bench", &format!("doc{run:04}")).map_err(|e| e.to_string())?;
        let started = Instant::now();
        blobs
            .put(&key, bytes.to_vec(), "image/jpeg")
            .await
            .map_err(|e| e.to_string())?;
        puts.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        let got = blobs.get(&key).await.map_err(|e| e.to_string())?;
        gets.push(started.elapsed().as_secs_f64() * 1000.0);
        if got.map(|g| g.len()) != Some(bytes.len()) {
            return Err("moto returned another object".into());
        }
        let started = Instant::now();
        blobs.delete(&key).await.map_err(|e| e.to_string())?;
        deletes.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    // The first of each warms the connection and moto; the rest are the figures.
    Ok([("GetObject", gets), ("PutObject", puts), ("DeleteObject", deletes)]
        .into_iter()
        .map(|(operation, times)| {
            let warm = &times[1..];
            S3Call {
                operation: operation.into(),
                object_bytes: bytes.len(),
                samples: warm.len(),
                p50_ms: median(warm),
                p95_ms: quantile(warm, 0.95),
            }
        })
        .collect())
}

struct Sample {
    step: usize,
    person: u32,
    elapsed_ms: f64,
    request_id: String,
}

/// One person sends one document for each of their targets: presign, the upload, complete.
async fn send_documents(
    client: &Client,
    http: &reqwest::Client,
    runner: &Local,
    person: u32,
    upload: &[u8],
    samples: &mut Vec<Sample>,
) -> Result<(), String> {
    let ip = steps::address_of(person);
    let session = steps::first_login(client, &runner.outbox, person, &ip, &mut |_, _| {}).await?;
    let session = Some(session.as_str());
    let top = steps::expect(
        client.send("GET", steps::top_page_path(), None, session, &ip).await?,
        200,
        "top page",
    )?;
    let targets: Vec<String> = top.body["survey"]["targets"]
        .as_array()
        .ok_or("no targets in the survey")?
        .iter()
        .filter_map(|t| Some(t["id"].as_str()?.to_string()))
        .collect();
    for id in targets {
        let path = format!("/api/survey/targets/{id}/documents");
        let request = json!({
            "kind": "other", "fileName": "写真.jpg", "contentType": "image/jpeg",
            "size": upload.len(), "myNumberChecked": true,
        });
        let created = steps::expect(
            client.send("POST", &path, Some(request), session, &ip).await?,
            201,
            "presign",
        )?;
        samples.push(Sample {
            step: CREATE,
            person,
            elapsed_ms: created.elapsed.as_secs_f64() * 1000.0,
            request_id: created.request_id.clone(),
        });
        let document = created.body["id"].as_str().ok_or("no document id")?.to_string();
        let target = &created.body["upload"];
        let url = target["url"].as_str().ok_or("no upload url")?;
        let url = if url.starts_with('/') {
            format!("{}{url}", runner.base)
        } else {
            url.to_string()
        };
        let mut put = http.put(url).body(upload.to_vec());
        for (name, value) in target["headers"].as_object().into_iter().flatten() {
            put = put.header(name, value.as_str().unwrap_or_default());
        }
        let uploaded = put.send().await.map_err(|e| e.to_string())?;
        if !uploaded.status().is_success() {
            return Err(format!("upload: {}", uploaded.status()));
        }
        let completed = client
            .send(
                "POST",
                &format!("{path}/{document}/complete"),
                Some(json!({})),
                session,
                &ip,
            )
            .await?;
        let completed = steps::expect(completed, 200, "complete")?;
        if completed.body["status"] != "accepted" {
            return Err(format!("complete: {}", completed.body));
        }
        samples.push(Sample {
            step: COMPLETE,
            person,
            elapsed_ms: completed.elapsed.as_secs_f64() * 1000.0,
            request_id: completed.request_id,
        });
    }
    Ok(())
}

pub struct Plan<'a> {
    pub binary: &'a Path,
    pub endpoint: &'a str,
    pub moto: &'a str,
    pub work_dir: &'a Path,
    pub template: &'a str,
    pub persons: u32,
    pub warm_up: u32,
}

pub async fn run(plan: &Plan<'_>) -> Result<DocumentsReport, String> {
    let now = OffsetDateTime::now_utc();
    let load_before = machine::load_now();
    let memory_mb = function_memory_mb(plan.template)?;
    eprintln!("documents: making the files (a 1.5 MB and a 9 MB photo, a 9 MB scan)");
    let (upload, large_photo, scan) = tokio::task::spawn_blocking(|| {
        let upload = photo(2_000, 1_500, UPLOAD_BYTES)?;
        let large_photo = photo(4_032, 3_024, LARGE_BYTES)?;
        let page = photo(1_654, 2_339, LARGE_BYTES / 10)?;
        let scan = scanned_pdf(&page, 1_654, 2_339, LARGE_BYTES - LARGE_BYTES / 20)?;
        Ok::<_, String>((upload, large_photo, scan))
    })
    .await
    .map_err(|e| e.to_string())??;

    let engine = Engine::Dynamo {
        endpoint: plan.endpoint.to_string(),
        table: local::fresh_table("documents"),
    };
    let steps = api_steps(plan, &engine, &upload).await;
    engine.discard().await;
    let steps = steps?;

    eprintln!("documents: S3 calls on moto");
    let mut s3 = s3_calls(plan.moto, &upload).await?;
    s3.extend(s3_calls(plan.moto, &large_photo).await?);

    eprintln!("documents: verification in child processes capped at {memory_mb} MB");
    std::fs::create_dir_all(plan.work_dir).map_err(|e| e.to_string())?;
    let verification = vec![
        verification(plan.work_dir, "photo-1.5MB.jpg", "image/jpeg", &upload, memory_mb)?,
        verification(plan.work_dir, "photo-9MB.jpg", "image/jpeg", &large_photo, memory_mb)?,
        verification(plan.work_dir, "scan-9MB.pdf", "application/pdf", &scan, memory_mb)?,
    ];
    Ok(DocumentsReport {
        measured_at: machine::minute(now),
        load_before,
        engine: engine.label().to_string(),
        persons: plan.persons,
        warm_up_persons: plan.warm_up,
        upload_bytes: upload.len(),
        steps,
        s3,
        function_memory_mb: memory_mb,
        verification,
    })
}

async fn api_steps(plan: &Plan<'_>, engine: &Engine, upload: &[u8]) -> Result<Vec<DocumentStep>, String> {
    let people = plan.persons + plan.warm_up;
    let runner = Local::start(
        plan.binary,
        engine,
        plan.work_dir,
        people,
        "info,kennin::dynamodb=debug",
    )
    .await?;
    survey_form::open_campaign(engine.reopen(&runner.data_dir).await?.as_ref(), people).await?;
    let client = Client::new(&runner.base);
    let http = reqwest::Client::new();
    let mut samples = Vec::new();
    for person in 1..=people {
        send_documents(&client, &http, &runner, person, upload, &mut samples).await?;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (trips, _) = steps::round_trips_by_request(&runner.log)?;
    drop(runner);
    let no_trips = Vec::new();
    let mut figures = Vec::new();
    for (index, (step, route)) in STEPS.iter().enumerate() {
        let mine: Vec<&Sample> = samples
            .iter()
            .filter(|s| s.step == index && s.person > plan.warm_up)
            .collect();
        let (mut elapsed, mut waits, mut reads, mut writes, mut counts, mut signatures) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        for sample in &mine {
            let calls = trips.get(&sample.request_id).unwrap_or(&no_trips);
            elapsed.push(sample.elapsed_ms);
            waits.push(steps::waited_ms(calls));
            reads.push(calls.iter().map(|c| c.read_units).sum());
            writes.push(calls.iter().map(RoundTrip::billed_write_units).sum());
            counts.push(steps::rounds(calls).len());
            signatures.push(steps::signature(calls));
        }
        figures.push(DocumentStep {
            step: step.to_string(),
            route: route.to_string(),
            samples: mine.len(),
            p50_ms: median(&elapsed),
            p95_ms: quantile(&elapsed, 0.95),
            round_trips: steps::mode(counts).unwrap_or(0),
            operations: steps::mode(signatures).unwrap_or_default(),
            dynamodb_wait_p50_ms: median(&waits),
            read_units: median(&reads),
            write_units: median(&writes),
        });
    }
    Ok(figures)
}

pub const HEADING: &str = "## Documents: presign, complete, verification";

pub fn markdown(report: &DocumentsReport) -> String {
    let mut out = format!("{HEADING}\n\n");
    out.push_str(&format!(
        "Measured on {} (load average before: {}) by `kennin-bench documents`: kennin-local (release) on {}, with \
         its **embedded file store** (files under its data folder, URLs it serves itself), one client, one request \
         at a time. Each of {} persons (after {} warm-up persons) logs in and, for each of two dependents, sends \
         one {}-byte phone photo (2,000 × 1,500, as the portal scales it): the presign, the upload to the URL it \
         returns, and the complete, which reads, verifies and cleans the file. Round trips and capacity units are \
         the `kennin::dynamodb` events matched by request ID, as in the survey form section. Times in ms.\n\n",
        report.measured_at,
        report.load_before,
        report.engine,
        report.persons,
        report.warm_up_persons,
        report.upload_bytes
    ));
    out.push_str("| step | route | n | p50 | p95 | round trips | calls | DynamoDB wait p50 | RRU | WRU |\n");
    out.push_str("|---|---|--:|--:|--:|--:|---|--:|--:|--:|\n");
    for s in &report.steps {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            s.step,
            s.route,
            s.samples,
            fmt(s.p50_ms),
            fmt(s.p95_ms),
            s.round_trips,
            s.operations,
            fmt(s.dynamodb_wait_p50_ms),
            s.read_units,
            s.write_units
        ));
    }
    out.push_str(
        "\nOn AWS the complete step adds three S3 round trips to these: GetObject of the upload, PutObject of the \
         cleaned file, DeleteObject of the upload. They are measured here on **moto, local: a floor, not AWS** \
         (the real SDK through `S3Blobs`, path-style to moto's server on this machine; the first call of each \
         kind left out). Times in ms.\n\n",
    );
    out.push_str("| S3 call | object bytes | n | p50 | p95 |\n|---|--:|--:|--:|--:|\n");
    for c in &report.s3 {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            c.operation,
            c.object_bytes,
            c.samples,
            fmt(c.p50_ms),
            fmt(c.p95_ms)
        ));
    }
    out.push_str(&format!(
        "\nVerification (`document_file::verify`: type by magic bytes, every pixel decoded, EXIF removed; for a \
         PDF the whole document parsed, encryption and JavaScript looked for), release build, each run in a \
         child process started under `prlimit --as` at the complete function's MemorySize in template.yaml, \
         **{} MB** (an address-space cap, stricter than Lambda's, which counts resident memory only). Peak \
         memory is the child's VmHWM after verifying, the whole process (runtime, the file read in, the \
         decoded pixels). The photos are deterministic gradients with sensor-like noise and an iPhone's EXIF \
         block (make, model, time, GPS), at the highest JPEG quality that fits; the 9 MB photo is 4,032 × 3,024 \
         (12 MP); the scan is a PDF of A4 pages, one 1,654 × 2,339 JPEG (200 dpi) each.\n\n",
        fmt(report.function_memory_mb)
    ));
    out.push_str(
        "| file | bytes | runs | p50 ms | max ms | peak RSS MiB | of the function's memory | headroom MiB |\n",
    );
    out.push_str("|---|--:|--:|--:|--:|--:|--:|--:|\n");
    for v in &report.verification {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {}% | {} |\n",
            v.file,
            v.bytes,
            v.runs,
            fmt(v.p50_ms),
            fmt(v.max_ms),
            fmt(v.peak_rss_mib),
            fmt(100.0 * v.peak_rss_mib / report.function_memory_mb),
            fmt(report.function_memory_mb - v.peak_rss_mib)
        ));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::function_memory_mb;

    #[test]
    fn the_function_memory_is_read_from_its_own_resource() {
        let template = "  SurveyDocumentCreateFunction:\n    Properties:\n      MemorySize: 256\n  \
                        SurveyDocumentCompleteFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      \
                        CodeUri: functions/x\n      MemorySize: 1024\n  Next:\n      MemorySize: 128\n";
        assert_eq!(function_memory_mb(template), Ok(1024.0));
        assert!(function_memory_mb("  Other:\n    MemorySize: 1\n").is_err());
    }
}
