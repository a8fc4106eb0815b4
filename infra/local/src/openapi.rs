//! The API description, assembled here because the runner compiles every function in: each
//! route template.yaml documents, described by the operation its function declares for that
//! method. `cargo run -p kennin-local -- --write-openapi` writes it where the portal embeds it;
//! a test fails while the committed file differs from what this makes.

use crate::{Route, TEMPLATE, operations_for, template_routes};
use kennin::api::Operation;
use serde_json::Value;

/// Where the portal embeds the document from.
pub const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../functions/portal/assets/openapi.json"
);

/// The document for template.yaml's routes. Fails when a documented route has no operation for
/// its method, or a function declares an operation no route serves.
pub fn document() -> Result<Value, String> {
    let routes: Vec<Route> = template_routes(TEMPLATE)?
        .into_iter()
        .filter(Route::is_documented)
        .collect();
    let mut code_uris: Vec<&str> = routes.iter().map(|r| r.code_uri.as_str()).collect();
    code_uris.sort_unstable();
    code_uris.dedup();
    let mut described: Vec<(&Route, Operation)> = Vec::new();
    for code_uri in code_uris {
        for operation in operations_for(code_uri).ok_or(format!("{code_uri} declares no operations"))? {
            let route = routes
                .iter()
                .find(|r| r.code_uri == code_uri && r.method == operation.method())
                .ok_or(format!(
                    "{code_uri} declares a {} operation that no route of template.yaml serves",
                    operation.method()
                ))?;
            described.push((route, operation));
        }
    }
    if let Some(route) = routes.iter().find(|route| !described.iter().any(|(r, _)| r == route)) {
        return Err(format!(
            "{} {}: {} declares no operation for it",
            route.method, route.path, route.code_uri
        ));
    }
    kennin::api::document(
        described
            .into_iter()
            .map(|(route, operation)| (route.path.clone(), operation))
            .collect(),
    )
}

/// The document as the portal serves it: pretty JSON, ending with a newline.
pub fn text() -> Result<String, String> {
    let document = document()?;
    let text = serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?;
    Ok(text + "\n")
}
