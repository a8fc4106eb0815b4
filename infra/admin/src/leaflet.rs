//! `kennin-admin insurer leaflet`: the union's printable leaflet (`kennin::leaflet`), written to
//! a file or printed.

use crate::staff::LOCAL_SITE;
use clap::Args;
use kennin::domain::InsurerCode;
use kennin::leaflet;
use kennin::store::ItemStore;
use std::path::PathBuf;

#[derive(Args)]
pub struct LeafletArgs {
    #[arg(long)]
    insurer: String,
    /// The survey year; the union's current year when absent.
    #[arg(long)]
    year: Option<i32>,
    /// The site the signup address points to (https://… of the deployment; locally
    /// kennin-local's address).
    #[arg(long, env = "KENNIN_SITE_URL")]
    site_url: Option<String>,
    /// The HTML file to write; the page goes to standard output when absent.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// The page, or where it was written. `on_table`: against DynamoDB, where no local address is
/// a sensible default.
pub async fn run(store: &dyn ItemStore, on_table: bool, args: LeafletArgs) -> Result<String, String> {
    let code = InsurerCode::parse(&args.insurer).map_err(|e| e.to_string())?;
    let site = match (args.site_url, on_table) {
        (Some(site), _) => site,
        (None, false) => LOCAL_SITE.to_string(),
        (None, true) => return Err("--site-url（案内チラシに載せるサイト https://…）を指定してください".into()),
    };
    let site = leaflet::site(&site).map_err(|e| format!("--site-url: {e}"))?;
    let insurer = leaflet::insurer(store, &code).await.map_err(describe)?;
    let page = leaflet::page(store, &insurer, args.year, &site)
        .await
        .map_err(describe)?;
    let Some(out) = args.out else {
        return Ok(page);
    };
    std::fs::write(&out, &page).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(format!(
        "保険者 {code} の案内チラシを {} に書き出しました（A4、ブラウザで開いて印刷してください。初回ログインのアドレス: {}）",
        out.display(),
        leaflet::signup_url(&site, &code)
    ))
}

fn describe(error: leaflet::LeafletError) -> String {
    match error {
        leaflet::LeafletError::Store(error) => crate::describe(error),
        other => other.to_string(),
    }
}
