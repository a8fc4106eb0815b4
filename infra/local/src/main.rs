//! `cargo run -p kennin-local`: kennin on http://127.0.0.1:3000 with an embedded store, mail in
//! an outbox folder, and a demo union to sign up with.

use clap::Parser;
use kennin::aws::sdk_config;
use kennin::blobs::local::LocalBlobs;
use kennin::clock::{Clock, SystemClock};
use kennin::config::Config;
use kennin::mail::outbox::Outbox;
use kennin::store::ItemStore;
use kennin::store::dynamodb::DynamoStore;
use kennin::store::sqlite::SqliteStore;
use kennin::{Deps, secrets};
use kennin_local::{DEMO_ADMIN_EMAIL, DEMO_INSURER, DEMO_ROSTER, router, seed_demo, seed_demo_admin};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(about = "Runs kennin locally: every function in one process on 127.0.0.1")]
struct Args {
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// Where the embedded store, the secret key, the document files and the outbox live.
    #[arg(long, default_value = ".kennin")]
    data_dir: PathBuf,
    /// Where mails are written as .eml files (default: <data-dir>/outbox).
    #[arg(long)]
    outbox: Option<PathBuf>,
    /// Use this DynamoDB table instead of the embedded store.
    #[arg(long, env = "KENNIN_TABLE")]
    table: Option<String>,
    /// DynamoDB endpoint (e.g. DynamoDB Local); the table is created there if missing.
    #[arg(long, env = "KENNIN_DYNAMODB_ENDPOINT", requires = "table")]
    dynamodb_endpoint: Option<String>,
    /// Once it listens, writes its address (`http://127.0.0.1:PORT`) to this file: what a
    /// script waits for, instead of reading the banner.
    #[arg(long)]
    ready_file: Option<PathBuf>,
    /// Writes the API description (generated from the functions' operations) to the file the
    /// portal serves, and exits.
    #[arg(long)]
    write_openapi: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    kennin::lambda::init_logging();
    let args = Args::parse();
    if args.write_openapi {
        std::fs::write(kennin_local::openapi::PATH, kennin_local::openapi::text()?)?;
        println!("wrote {}", kennin_local::openapi::PATH);
        return Ok(());
    }
    std::fs::create_dir_all(&args.data_dir)?;
    let outbox_dir = args.outbox.clone().unwrap_or_else(|| args.data_dir.join("outbox"));

    let store: Arc<dyn ItemStore> = match &args.table {
        Some(table) => {
            let sdk = sdk_config(args.dynamodb_endpoint.as_deref()).await;
            let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
            if args.dynamodb_endpoint.is_some() && store.warm_up().await.is_err() {
                store.create_table().await?;
            }
            Arc::new(store)
        }
        None => Arc::new(SqliteStore::open(&args.data_dir.join("kennin.sqlite3"))?),
    };
    let outbox = Arc::new(Outbox::new(&outbox_dir, "no-reply@kennin.localhost"));
    let config = Config::with_secret(local_secret(&args.data_dir)?).overridden_by_env()?;
    let clock = Arc::new(SystemClock);
    let seeded = seed_demo(store.as_ref(), clock.today_in_japan()).await?;
    let blobs = Arc::new(LocalBlobs::open(
        args.data_dir.join("blobs"),
        &config.secret,
        clock.clone(),
    )?);
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], args.port))).await?;
    // With --port 0 the system picks a free port; say which.
    let address = listener.local_addr()?;
    // The console's demo admin comes with the demo union: invited to this address.
    let admin_invitation = match seeded {
        true => Some(
            seed_demo_admin(
                store.as_ref(),
                outbox.as_ref(),
                &format!("http://{address}"),
                clock.unix(),
            )
            .await?,
        ),
        false => None,
    };
    let deps = Arc::new(Deps::new(store, outbox.clone(), clock, config)?.with_blobs(blobs.clone()));
    tokio::spawn(kennin_local::run_mail_schedule(
        deps.clone(),
        format!("http://{address}"),
    ));
    let app = router(deps, Some(outbox), blobs)?;

    if seeded {
        println!("Seeded the demo union {DEMO_INSURER} (保険者指定コード {DEMO_INSURER}) with these people:");
    } else {
        println!("Demo union {DEMO_INSURER} (保険者指定コード {DEMO_INSURER}), people:");
    }
    for line in DEMO_ROSTER.lines() {
        println!("    {line}");
    }
    println!(
        "Mail outbox: http://{address}/_local/mail  (files in {})",
        outbox_dir.display()
    );
    match &admin_invitation {
        Some(link) => println!(
            "Staff console: the demo admin {DEMO_ADMIN_EMAIL} is invited (valid 24 hours; the mail is in the outbox):\n    {link}"
        ),
        None => println!("Staff console: http://{address}/admin/ (demo admin {DEMO_ADMIN_EMAIL})"),
    }
    println!("kennin is running at http://{address}/");
    if let Some(path) = &args.ready_file {
        // Renamed into place, so that a waiting script never reads half an address.
        let partial = path.with_extension("partial");
        std::fs::write(&partial, format!("http://{address}"))?;
        std::fs::rename(&partial, path)?;
    }
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// The HMAC key for codes, made once per data folder and kept beside the store.
fn local_secret(data_dir: &std::path::Path) -> std::io::Result<Vec<u8>> {
    let path = data_dir.join("secret.key");
    match std::fs::read(&path) {
        Ok(secret) => Ok(secret),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = secrets::new_token().into_bytes();
            std::fs::write(&path, &secret)?;
            Ok(secret)
        }
        Err(e) => Err(e),
    }
}
