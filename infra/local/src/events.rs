//! events/: one API Gateway HTTP API event (payload 2.0) per route, for `cargo lambda invoke`.
//! The events of the API's routes are generated from template.yaml and the API description: the
//! path parameters and the body are the description's examples, the cookie (made up, so the
//! routes behind a login answer 401) is the one the operation's security names. Only the
//! portal's page routes keep hand-written events. `cargo run -p kennin-local -- --write-events`
//! writes them; a test fails while a committed event differs.

use crate::{Route, TEMPLATE, template_routes};
use kennin::http::{SESSION_COOKIE, SIGNUP_COOKIE};
use serde_json::{Value, json};

/// Where the events live.
pub const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events");

const DOMAIN: &str = "abcdef1234.execute-api.ap-northeast-1.amazonaws.com";
const CLIENT_IP: &str = "203.0.113.10";
const MADE_UP_TOKEN: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Each documented route's event: (file name, event).
pub fn generated(document: &Value) -> Result<Vec<(String, Value)>, String> {
    let routes: Vec<Route> = template_routes(TEMPLATE)?
        .into_iter()
        .filter(Route::is_documented)
        .collect();
    let mut events = Vec::new();
    for (index, route) in routes.iter().enumerate() {
        let operation = &document["paths"][&route.path][route.method.to_ascii_lowercase()];
        if operation.is_null() {
            return Err(format!("{} {}: not in the API description", route.method, route.path));
        }
        let folder = route.code_uri.trim_start_matches("functions/");
        let several = routes.iter().filter(|r| r.code_uri == route.code_uri).count() > 1;
        let name = match several {
            true => format!("{folder}-{}.json", route.method.to_ascii_lowercase()),
            false => format!("{folder}.json"),
        };
        events.push((name, event(document, route, operation, index + 1)));
    }
    Ok(events)
}

fn event(document: &Value, route: &Route, operation: &Value, number: usize) -> Value {
    let mut raw_path = route.path.clone();
    let mut parameters = serde_json::Map::new();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        let name = parameter["name"].as_str().unwrap_or_default();
        let example = parameter["schema"]["examples"][0].as_str().unwrap_or("1");
        raw_path = raw_path.replace(&format!("{{{name}}}"), example);
        parameters.insert(name.into(), example.into());
    }
    let mut headers = json!({
        "accept": "application/json",
        "host": DOMAIN,
        "user-agent": "Mozilla/5.0",
        "x-amzn-trace-id": "Root=1-00000000-000000000000000000000000",
        "x-forwarded-for": CLIENT_IP,
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    });
    if route.method != "GET" {
        headers["origin"] = format!("https://{DOMAIN}").into();
        headers["sec-fetch-site"] = "same-origin".into();
    }
    let body = operation.get("requestBody").map(|request| {
        let schema = resolve(document, &request["content"]["application/json"]["schema"]);
        // A body without an example is an empty object: the function answers it 400.
        schema["examples"][0].to_string().replace("null", "{}")
    });
    if let Some(body) = &body {
        headers["content-type"] = "application/json".into();
        headers["content-length"] = body.len().to_string().into();
    }
    let route_key = format!("{} {}", route.method, route.path);
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": "",
    });
    if let Some(cookie) = cookie(operation) {
        event["cookies"] = json!([format!("{cookie}={MADE_UP_TOKEN}")]);
    }
    event["headers"] = headers;
    if !parameters.is_empty() {
        event["pathParameters"] = Value::Object(parameters);
    }
    event["requestContext"] = json!({
        "accountId": "123456789012",
        "apiId": "abcdef1234",
        "domainName": DOMAIN,
        "domainPrefix": "abcdef1234",
        "http": {
            "method": route.method,
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": CLIENT_IP,
            "userAgent": "Mozilla/5.0",
        },
        "requestId": format!("kennin-event-{number:02}"),
        "routeKey": route_key,
        "stage": "$default",
        "time": "01/Apr/2026:09:00:00 +0000",
        "timeEpoch": 1_775_034_000_000_i64,
    });
    if let Some(body) = body {
        event["body"] = body.into();
    }
    event["isBase64Encoded"] = false.into();
    event
}

/// The cookie the operation's security names, if any.
fn cookie(operation: &Value) -> Option<&'static str> {
    let named = |scheme: &str| {
        operation["security"]
            .as_array()
            .is_some_and(|any| any.iter().any(|s| s.get(scheme).is_some()))
    };
    match (named("session"), named("signupFlow")) {
        (true, _) => Some(SESSION_COOKIE),
        (_, true) => Some(SIGNUP_COOKIE),
        _ => None,
    }
}

fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => document.pointer(reference.trim_start_matches('#')).unwrap_or(schema),
        None => schema,
    }
}

/// The event as written to events/: pretty JSON, ending with a newline.
pub fn text(event: &Value) -> String {
    serde_json::to_string_pretty(event).unwrap_or_default() + "\n"
}
